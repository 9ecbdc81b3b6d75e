"""The monthly run: collect, archive, render a period's documents, atomically.

``DIR/YYYY-MM/`` appears complete or not at all: everything is rendered into a
hidden folder beside it and renamed into place. The snapshot is archived before
rendering, so a run killed while rendering is finished by running it again,
from the archived snapshot, without collecting twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reporter.archive import Archive, check_begun, check_period
from reporter.atomic import check_output_folder, exclusive_lock, replace_folder
from reporter.errors import ConfigError, DataError, OutputError
from reporter.manifest import Artifact, check_ours
from reporter.model import Snapshot
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import Brand
from reporter.view.trends import TREND_MONTHS, Periods, Trends, month_figures, trend_periods, trends

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
    unlisted_rows: int = 0
    """Customers-file rows for tenants Graph did not list (the summary names them)."""
    trend_months: int = 1
    """Calendar months the trends cover, this one included (gaps too)."""
    trend_gaps: tuple[str, ...] = ()
    """Archived months shown as gaps because their snapshot could not be used, each with why."""

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
    this_month: str | None = None,
    partner_tenant_id: str | None = None,
) -> RunResult:
    """Make the documents of ``period`` in ``out_dir/period``; collect only when needed.

    Collecting is only for the current month, ``this_month`` (``YYYY-MM``, by default
    the month it is now, UTC): a past period must already be in the archive, and is
    rendered again from it (``force`` on a past period is refused: it would file today's
    data as that month); a period that has not begun is refused.

    ``partner_tenant_id``, when the configuration names one, must be the tenant the
    archive holds, even when nothing is collected: another partner's archive is
    never rendered as this partner's reports.

    ``out_dir/period`` is replaced only if it is provably an earlier render (``check_ours``).
    The period's archive entry and the folder agree: a snapshot collected again with
    ``force`` is archived first, but the period names it only once its documents are
    complete, just before they replace the old ones.

    One run at a time writes to ``out_dir``: a second one started meanwhile (a timer
    firing during a manual run) fails at once with ``OutputError``, before collecting.
    The lock file, ``out_dir/.reporter-run.lock``, stays (empty) between runs.
    """
    check_period(period)
    this_month = check_period(this_month or datetime.now(UTC).strftime("%Y-%m"))
    check_begun(period, this_month)
    busy = OutputError(f"another reporter run is writing to {out_dir}", "wait for it to finish, or give another --out")
    with exclusive_lock(out_dir / LOCK_NAME, busy):
        if partner_tenant_id:
            archive.check_partner(partner_tenant_id)
        return _run_period(period, out_dir, archive, collect, brand, options, force=force, this_month=this_month)


def _run_period(
    period: str,
    out_dir: Path,
    archive: Archive,
    collect: Collector,
    brand: Brand,
    options: RenderOptions | None,
    *,
    force: bool,
    this_month: str,
) -> RunResult:
    folder = out_dir / period
    check_output_folder(folder)
    check_ours(folder)
    entry = archive.entry(period)
    if period < this_month and entry is None:
        raise ConfigError(
            f"{period} is not in the archive {archive.root}; collecting is only for the current month ({this_month})",
            "give a period the archive holds (reporter history lists them), or the current month",
        )
    if period < this_month and force:
        raise ConfigError(
            f"--force would file today's data as {period}; collecting is only for the current month ({this_month})",
            f"run {period} again without --force to render it from the archive",
        )
    assign: Callable[[], None] | None = None
    if entry is None or force:
        snapshot = collect()
        digest = archive.store(snapshot)
        if entry is None:  # nothing to disagree with yet: a killed run is finished from the archive
            archive.assign(period, digest)
        else:  # the old documents stay with the old entry until the new ones are complete

            def assign() -> None:
                archive.assign(period, digest)

        collected = True
    else:
        snapshot, digest, collected = archive.get(entry.sha256), entry.sha256, False
    past = read_past(archive, period, snapshot)

    def render(staging: Path) -> list[Artifact]:
        return render_all(
            snapshot, staging, brand, options, periods=past.periods, previous=past.previous, trends=past.trends
        )

    artifacts = replace_folder(folder, render, check=check_ours, before_swap=assign)
    return RunResult(
        period=period,
        folder=folder,
        snapshot_sha256=digest,
        collected=collected,
        previous_period=past.periods.previous,
        artifacts=tuple(artifacts),
        data_gaps=len(snapshot.provenance.data_gaps),
        unlisted_rows=len(snapshot.provenance.unmatched_customer_rows),
        trend_months=len(past.periods.months),
        trend_gaps=past.skipped,
    )


@dataclass(frozen=True)
class Past:
    """What the archive says before a period: the periods, the previous snapshot (for changes) and the trends."""

    periods: Periods
    previous: Snapshot | None
    """The snapshot of ``periods.previous``, whole: month-over-month changes need all of it."""
    trends: Trends
    skipped: tuple[str, ...] = ()
    """Archived months the trends show as gaps because their snapshot could not be used, each with why."""


def read_past(archive: Archive, period: str, snapshot: Snapshot) -> Past:
    """The archive's months up to ``period`` (``snapshot`` is the one of ``period``), and nothing after it.

    Only the index is queried for which months there are; the snapshots of the trend's
    months are then read one at a time and cut down to their ``MonthSummary`` at once,
    so at most two whole snapshots are held (``snapshot`` and the previous one), however
    many months the trends cover. Rendering a past period again gives the same documents
    however many months were archived since.

    An earlier month whose snapshot cannot be read, is another partner's, or is the very
    snapshot the index names for a later month (an index that was edited) is a gap in the
    trends (``Past.skipped`` says why), not the end of the run; the previous month, which
    the changes are counted from, must be sound.
    """
    entries = archive.before(period, TREND_MONTHS - 1)
    periods = trend_periods(period, (e.period for e in entries))
    previous_entry = entries[-1] if entries else None
    previous: Snapshot | None = None
    summaries = [month_figures(snapshot, period)]
    skipped = []
    current_entry = archive.entry(period)
    later = {current_entry.sha256: period} if current_entry else {}
    for entry in reversed(entries):
        later.setdefault(entry.sha256, entry.period)
    for entry in entries:
        if entry.period not in periods.months and entry is not previous_entry:
            continue
        if later[entry.sha256] != entry.period:
            month, why = None, f"the index names for it the snapshot of {later[entry.sha256]}"
        else:
            month, why = _usable(archive, entry.sha256, snapshot)
        if month is None:
            if entry is previous_entry:
                raise DataError(
                    f"the archive's snapshot for {entry.period}, the month changes are counted from: {why}",
                    f"restore it from a backup, or drop it with reporter history --archive {archive.root} "
                    "--rebuild-index after removing its file",
                )
            skipped.append(f"{entry.period}: {why}")
            continue
        if entry.period in periods.months:
            summaries.append(month_figures(month, entry.period))
        if entry is previous_entry:
            previous = month
        del month
    current = [c.tenant_id for c in snapshot.customers]
    return Past(periods, previous, trends(periods, summaries, current), tuple(skipped))


def _usable(archive: Archive, digest: str, current: Snapshot) -> tuple[Snapshot | None, str]:
    """The archived snapshot ``digest``, or None and why it cannot stand beside ``current`` in the trends."""
    try:
        month = archive.get(digest)
    except DataError as exc:
        return None, exc.message
    ours, theirs = current.provenance.partner_tenant_id, month.provenance.partner_tenant_id
    if ours and theirs and ours.lower() != theirs.lower():
        return None, f"its snapshot is of another partner tenant ({theirs})"
    return month, ""


LOCK_NAME = ".reporter-run.lock"
