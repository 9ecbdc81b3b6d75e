"""The monthly run: collect, archive, render a period's documents, atomically.

``DIR/YYYY-MM/`` appears complete or not at all: everything is rendered into a
hidden folder beside it and renamed into place. The snapshot is archived before
rendering, so a run killed while rendering is finished by running it again,
from the archived snapshot, without collecting twice.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reporter.archive import Archive, check_period
from reporter.atomic import replace_folder
from reporter.errors import OutputError
from reporter.model import Snapshot
from reporter.render.artifact import Artifact
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import Brand

Collector = Callable[[], Snapshot]


@dataclass(frozen=True, slots=True)
class RunResult:
    period: str
    folder: Path
    snapshot_sha256: str
    collected: bool
    """False when the period's archived snapshot was used again."""
    previous_period: str | None
    artifacts: tuple[Artifact, ...]
    data_gaps: int

    @property
    def exit_code(self) -> int:
        """0 complete, 2 complete with data gaps."""
        return 2 if self.data_gaps else 0


def run_period(
    period: str,
    out_dir: Path,
    archive: Archive,
    collect: Collector,
    brand: Brand,
    options: RenderOptions | None = None,
    *,
    force: bool = False,
) -> RunResult:
    """Make the documents of ``period`` in ``out_dir/period``; collect only when needed.

    One run at a time writes to ``out_dir``: a second one started meanwhile (a timer
    firing during a manual run) fails at once with ``OutputError``, before collecting.
    The lock file, ``out_dir/.reporter-run.lock``, stays (empty) between runs.
    """
    check_period(period)
    with _one_run_at_a_time(out_dir):
        return _run_period(period, out_dir, archive, collect, brand, options, force=force)


def _run_period(
    period: str,
    out_dir: Path,
    archive: Archive,
    collect: Collector,
    brand: Brand,
    options: RenderOptions | None,
    *,
    force: bool,
) -> RunResult:
    entry = archive.entry(period)
    if entry is None or force:
        snapshot = collect()
        digest = archive.put(period, snapshot)
        collected = True
    else:
        snapshot, digest, collected = archive.get(entry.sha256), entry.sha256, False
    previous_entry = archive.previous(period)
    previous = archive.get(previous_entry.sha256) if previous_entry else None
    folder = out_dir / period
    previous_period = previous_entry.period if previous_entry else None

    def render(staging: Path) -> list[Artifact]:
        return render_all(
            snapshot, staging, brand, options, previous=previous, previous_period=previous_period, period=period
        )

    artifacts = replace_folder(folder, render)
    return RunResult(
        period=period,
        folder=folder,
        snapshot_sha256=digest,
        collected=collected,
        previous_period=previous_period,
        artifacts=tuple(artifacts),
        data_gaps=len(snapshot.provenance.data_gaps),
    )


LOCK_NAME = ".reporter-run.lock"


@contextmanager
def _one_run_at_a_time(out_dir: Path) -> Iterator[None]:
    """An exclusive POSIX record lock on ``out_dir/.reporter-run.lock``.

    The kernel releases it when the run's process ends, however it ends (SIGKILL
    too), and unlike ``flock`` it is not shared with forked children: worker
    processes orphaned by a killed run cannot keep the next run out.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = (out_dir / LOCK_NAME).open("a")
    except OSError as exc:
        raise OutputError(f"cannot write to {out_dir}: {exc.strerror}", "choose a folder you can write to") from None
    with handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # EAGAIN or EACCES: another process holds it
            raise OutputError(
                f"another reporter run is writing to {out_dir}", "wait for it to finish, or give another --out"
            ) from None
        yield
