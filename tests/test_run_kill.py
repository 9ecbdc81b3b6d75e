"""A `reporter run` killed with SIGKILL, then started again, leaves one complete period.

The killed run is a real process (``python -m reporter run``) against an emulator in
this process; the run started again goes through the CLI in this process. Whether
the finished folder also passes ``reporter verify`` (which needs the evidence
embedded in the PDFs) is checked in tests/test_evidence_pdf.py, on the same folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reporter.emulator import Emulator, EmulatorOptions, Faults
from tests.test_run import (
    THIS_MONTH,
    archived,
    leftovers,
    manifest_files,
    once_per_session,
    reporter,
    run_args,
    run_env,
)

pytestmark = pytest.mark.slow

KILL_CUSTOMERS = 16
"""Enough that rendering the customer reports in one process takes a few seconds."""


def start_run(args: list[str | Path], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    with (cwd / "killed-run.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "reporter", *(str(a) for a in args)],
            env={**os.environ, **env},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """SIGKILL ``process`` as soon as ``ready()``; fail if it ended first or never got there."""
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if process.poll() is not None:
                pytest.fail(f"the run ended (exit {process.returncode}) before {what}")
            if time.monotonic() > deadline:
                pytest.fail(f"the run never got to {what}")
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def staged_reports(out: Path, period: str) -> int:
    """Customer reports in the staging folder (``.PERIOD.<random>.partial``) of a run writing to ``out``."""
    return len(list(out.glob(f".{period}.*partial/customers/*.pdf")))


def assert_complete(folder: Path) -> None:
    """The manifest lists every file of the folder, and each file has the hash listed."""
    listed = manifest_files(folder)
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        assert hashlib.sha256((folder / path).read_bytes()).hexdigest() == entry["sha256"], path


@dataclass(frozen=True)
class KilledWhileRendering:
    out: Path
    staged_before_kill: int
    """Customer reports the killed run had finished in its staging folder."""
    entry_before_kill: str | None
    period_existed_after_kill: bool
    requests_before_rerun: int
    requests_after_rerun: int
    rerun_exit: int
    rerun_output: str

    @property
    def folder(self) -> Path:
        return self.out / THIS_MONTH


def _kill_while_rendering(base: Path) -> dict[str, Any]:
    out = base / "reports"
    with Emulator(EmulatorOptions(customers=KILL_CUSTOMERS, seed=5)) as emulator:
        env = run_env(emulator, base / "ca")
        process = start_run(run_args(out, THIS_MONTH, "--workers", "1"), env, base)

        def staged() -> int:
            return staged_reports(out, THIS_MONTH)

        kill_when(process, lambda: staged() >= 2, "two customer reports in its staging folder")
        state = {
            "staged_before_kill": staged(),
            "entry_before_kill": archived(out / "archive").get(THIS_MONTH),
            "period_existed_after_kill": (out / THIS_MONTH).exists(),
            "requests_before_rerun": emulator.stats.total_requests,
        }
        rerun = reporter(*run_args(out, THIS_MONTH, "--workers", "2"), env=env)
        return {
            **state,
            "requests_after_rerun": emulator.stats.total_requests,
            "rerun_exit": rerun.exit_code,
            "rerun_output": rerun.output,
        }


def killed_while_rendering(tmp_path_factory: pytest.TempPathFactory) -> KilledWhileRendering:
    """A run killed midway through the customer reports (snapshot archived), then run again; once per session."""
    base, state = once_per_session(tmp_path_factory, "killed-while-rendering", _kill_while_rendering)
    return KilledWhileRendering(out=base / "reports", **state)


@pytest.fixture(scope="session")
def killed(tmp_path_factory: pytest.TempPathFactory) -> KilledWhileRendering:
    return killed_while_rendering(tmp_path_factory)


def test_a_run_killed_while_rendering_is_finished_by_the_next_run(killed: KilledWhileRendering) -> None:
    assert killed.entry_before_kill is not None  # the snapshot was archived before rendering started
    assert 2 <= killed.staged_before_kill < KILL_CUSTOMERS
    assert not killed.period_existed_after_kill  # killed midway: nothing of the period was visible
    assert killed.rerun_exit == 0, killed.rerun_output
    assert "snapshot from the archive" in killed.rerun_output
    assert killed.requests_after_rerun == killed.requests_before_rerun  # not collected twice
    assert archived(killed.out / "archive") == {THIS_MONTH: killed.entry_before_kill}
    assert_complete(killed.folder)
    assert sum(1 for p in manifest_files(killed.folder) if p.startswith("customers/")) == KILL_CUSTOMERS
    manifest = json.loads((killed.folder / "manifest.json").read_bytes())
    assert manifest["snapshotSha256"] == killed.entry_before_kill
    assert leftovers(killed.out) == []


def test_a_run_killed_while_collecting_leaves_nothing_and_the_next_run_completes(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    slow = EmulatorOptions(customers=6, page_size=3, faults=Faults(latency_ms=100))
    with Emulator(slow) as emulator:
        env = run_env(emulator, tmp_path / "ca")
        args = run_args(out, THIS_MONTH, "--no-customer-reports")
        process = start_run(args, env, tmp_path)
        graph = "/beta/security/partner/securityScore/customerInsights"
        kill_when(process, lambda: emulator.stats.pages.get(graph, 0) >= 2, "the second page of customers")
        assert archived(out / "archive") == {}
        assert not (out / THIS_MONTH).exists()
        assert leftovers(out) == []

        rerun = reporter(*args, env=env)
        assert rerun.exit_code == 0, rerun.output
        assert "snapshot collected" in rerun.output
    assert list(archived(out / "archive")) == [THIS_MONTH]
    assert_complete(out / THIS_MONTH)
    assert leftovers(out) == []


def processes_naming(marker: str) -> list[int]:
    """Processes whose command line holds ``marker`` (a folder only this test uses)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in command:
                found.append(int(entry.name))
    return found


def test_no_worker_process_outlives_a_killed_run(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    with Emulator(EmulatorOptions(customers=KILL_CUSTOMERS, seed=5)) as emulator:
        process = start_run(run_args(out, THIS_MONTH, "--workers", "2"), run_env(emulator, tmp_path / "ca"), tmp_path)
        kill_when(process, lambda: staged_reports(out, THIS_MONTH) >= 2, "two customer reports from the pool")
    deadline = time.monotonic() + 1.5
    try:
        while (left := processes_naming(str(out))) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == []
    finally:
        for pid in processes_naming(str(out)):  # orphans of the run this test started
            os.kill(pid, signal.SIGKILL)


def test_a_forced_run_killed_while_rendering_leaves_archive_and_folder_agreeing(tmp_path: Path) -> None:
    """``run --force`` collects again; killed before its documents are complete, the period still names the
    snapshot the folder was made from (the new one is kept, unnamed), and ``verify`` says OK."""
    out = tmp_path / "reports"
    with Emulator(EmulatorOptions(customers=KILL_CUSTOMERS, seed=5)) as emulator:
        env = run_env(emulator, tmp_path / "ca")
        first = reporter(*run_args(out, THIS_MONTH, "--no-customer-reports"), env=env)
        assert first.exit_code == 0, first.output
        old = archived(out / "archive")[THIS_MONTH]
        process = start_run(run_args(out, THIS_MONTH, "--force", "--workers", "1"), env, tmp_path)
        kill_when(process, lambda: staged_reports(out, THIS_MONTH) >= 2, "two customer reports of the forced run")
    objects = list((out / "archive" / "objects").rglob("*.json.gz"))
    assert len(objects) == 2  # the snapshot collected again is kept
    assert archived(out / "archive") == {THIS_MONTH: old}
    assert json.loads((out / THIS_MONTH / "manifest.json").read_bytes())["snapshotSha256"] == old
    verified = reporter("verify", out / THIS_MONTH)
    assert verified.exit_code == 0, verified.output
    assert "archive entry" not in verified.output


def test_verify_says_when_the_archive_names_another_snapshot(tmp_path: Path) -> None:
    """The state the old order of writes left: the archive names a snapshot the folder was not made from."""
    import sqlite3

    out = tmp_path / "reports"
    with Emulator(EmulatorOptions(customers=4, seed=5)) as emulator:
        env = run_env(emulator, tmp_path / "ca")
        first = reporter(*run_args(out, THIS_MONTH, "--no-customer-reports"), env=env)
        assert first.exit_code == 0, first.output
    old = archived(out / "archive")[THIS_MONTH]
    other = "0" * 64
    with sqlite3.connect(out / "archive" / "index.sqlite") as db:
        db.execute("INSERT INTO snapshots VALUES (?, '2026-01-01T00:00:00+00:00', 0, 0)", (other,))
        db.execute("UPDATE periods SET sha256 = ? WHERE period = ?", (other, THIS_MONTH))
    result = reporter("verify", out / THIS_MONTH)
    assert result.exit_code == 1, result.output
    assert (
        f"MISMATCH manifest.json: the archive {out / 'archive'} names snapshot {other} for {THIS_MONTH}, "
        f"but this folder was made from {old} (run reporter run --period {THIS_MONTH}"
    ) in result.output
    moved = tmp_path / "elsewhere"
    (out / "archive").rename(moved)
    assert reporter("verify", out / THIS_MONTH).exit_code == 0  # no archive beside it: nothing to compare
    given = reporter("verify", out / THIS_MONTH, "--archive", moved)
    assert given.exit_code == 1
    assert f"the archive {moved} names snapshot {other}" in given.output
