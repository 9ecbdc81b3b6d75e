"""The trends read the archive's earlier months defensively: a month that cannot be used is a gap, said once."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reporter import snapshot as snapshot_io
from reporter.archive import Archive
from reporter.errors import DataError
from reporter.model import Snapshot
from reporter.monthly import read_past

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "northwind-partners" / "snapshot.json"
MONTHS = ("2026-08", "2026-09", "2026-10", "2026-11")


def month(period: str, *, partner: str | None = None, collected: str | None = None) -> Snapshot:
    base = snapshot_io.load(SAMPLE)
    year, number = (int(p) for p in (collected or period).split("-"))
    update: dict[str, object] = {"collected_at": datetime(year, number, 2, 6, tzinfo=UTC)}
    if partner:
        update["partner_tenant_id"] = partner
    return base.model_copy(update={"provenance": base.provenance.model_copy(update=update)})


def archive_of(folder: Path, **odd: Snapshot) -> tuple[Archive, dict[str, str]]:
    archive = Archive(folder)
    digests = {}
    for period in MONTHS:
        snapshot = odd.get(period.replace("-", "_"), month(period))
        digest = archive.store(snapshot)
        archive.assign(period, digest)
        digests[period] = digest
    return archive, digests


def object_file(folder: Path, digest: str) -> Path:
    (found,) = [p for p in folder.rglob(f"{digest}*") if p.is_file()]
    return found


def test_a_damaged_earlier_month_is_a_gap_that_names_its_period(tmp_path: Path) -> None:
    archive, digests = archive_of(tmp_path)
    damaged = object_file(tmp_path, digests["2026-08"])
    damaged.write_bytes(damaged.read_bytes()[:300])
    past = read_past(archive, "2026-11", month("2026-11"))
    (why,) = past.skipped
    assert why.startswith("2026-08: ")
    assert past.periods.months == MONTHS  # the month stays in the trend, as a gap
    assert all(t.months[0] is None for t in past.trends.customers.values())
    assert all(t.months[1] is not None for t in past.trends.customers.values() if t.months[-1] is not None)


def test_another_partner_s_month_is_not_read_into_the_trends(tmp_path: Path) -> None:
    """The archive refuses another partner's snapshot when storing; one slipped in by hand is refused when read."""
    archive, _ = archive_of(tmp_path / "ours")
    elsewhere = Archive(tmp_path / "theirs")
    digest = elsewhere.store(month("2026-09", partner="99999999-9999-4999-8999-999999999999"))
    target = tmp_path / "ours" / "objects" / digest[:2] / f"{digest}.json.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(object_file(tmp_path / "theirs", digest), target)
    with sqlite3.connect(tmp_path / "theirs" / "index.sqlite") as theirs:
        row = theirs.execute("SELECT * FROM snapshots WHERE sha256 = ?", (digest,)).fetchone()
    with sqlite3.connect(tmp_path / "ours" / "index.sqlite") as ours:
        ours.execute(f"INSERT INTO snapshots VALUES ({', '.join('?' * len(row))})", row)  # noqa: S608 (placeholders only)
        ours.execute("UPDATE periods SET sha256 = ? WHERE period = '2026-09'", (digest,))
    past = read_past(archive, "2026-11", month("2026-11"))
    (why,) = past.skipped
    assert why == "2026-09: its snapshot is of another partner tenant (99999999-9999-4999-8999-999999999999)"
    assert all(t.months[1] is None for t in past.trends.customers.values())


def test_a_month_the_index_names_for_another_month_is_a_gap(tmp_path: Path) -> None:
    archive, digests = archive_of(tmp_path)
    archive.assign("2026-09", digests["2026-11"])  # the index lies: September names November's snapshot
    past = read_past(archive, "2026-11", month("2026-11"))
    assert past.skipped == ("2026-09: the index names for it the snapshot of 2026-11",)


def test_a_damaged_previous_month_stops_the_run_naming_it_and_the_way_out(tmp_path: Path) -> None:
    archive, digests = archive_of(tmp_path)
    damaged = object_file(tmp_path, digests["2026-10"])
    damaged.write_bytes(b"")
    with pytest.raises(DataError) as caught:
        read_past(archive, "2026-11", month("2026-11"))
    assert "2026-10, the month changes are counted from" in str(caught.value)
    assert "--rebuild-index" in str(caught.value)
