"""The archive index: never silently lost, rebuilt from the snapshots, and one partner tenant per archive."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reporter import snapshot as snapshot_io
from reporter.archive import Archive
from reporter.atomic import file_mode_mask
from reporter.cli import cli
from reporter.errors import ConfigError, DataError
from reporter.model import Snapshot

ROOT = Path(__file__).resolve().parent.parent


def sample(name: str, collected: datetime | None = None) -> Snapshot:
    snap = snapshot_io.loads((ROOT / "samples" / name / "snapshot.json").read_bytes())
    if collected is None:
        return snap
    return snap.model_copy(update={"provenance": snap.provenance.model_copy(update={"collected_at": collected})})


def history(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["history", *(str(a) for a in args)])


@pytest.fixture
def two_periods(tmp_path: Path) -> tuple[Archive, dict[str, str]]:
    """October and November of one partner; November collected twice (the second with --force)."""
    archive = Archive(tmp_path / "archive")
    october = archive.put("2026-10", sample("northwind-partners", datetime(2026, 10, 2, tzinfo=UTC)))
    archive.put("2026-11", sample("northwind-partners", datetime(2026, 11, 2, tzinfo=UTC)))
    november = archive.put("2026-11", sample("northwind-partners", datetime(2026, 11, 3, tzinfo=UTC)))
    return archive, {"2026-10": october, "2026-11": november}


@pytest.mark.parametrize("damage", ["empty", "missing"])
def test_an_archive_with_snapshots_but_no_index_is_an_error_not_a_new_archive(
    two_periods: tuple[Archive, dict[str, str]], damage: str
) -> None:
    archive, _ = two_periods
    if damage == "empty":
        archive.index_path.write_bytes(b"")
    else:
        archive.index_path.unlink()
    with pytest.raises(DataError, match="but the archive holds snapshots"):
        archive.entries()
    with pytest.raises(DataError, match="--rebuild-index"):
        archive.put("2026-12", sample("northwind-partners", datetime(2026, 12, 1, tzinfo=UTC)))
    result = history("--archive", archive.root)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"reporter: error: the archive index {archive.index_path} "
        + ("is empty (0 bytes)" if damage == "empty" else "is missing")
        + f", but the archive holds snapshots (run reporter history --archive {archive.root} --rebuild-index"
        " to rebuild it from the snapshots)"
    ]


def test_rebuild_index_gives_back_every_period_from_the_journal(two_periods: tuple[Archive, dict[str, str]]) -> None:
    archive, periods = two_periods
    before = archive.entries()
    archive.index_path.write_bytes(b"")
    result = history("--archive", archive.root, "--rebuild-index")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "index rebuilt: 2 period(s)"
    assert [line.split()[-1] for line in lines[2:]] == [periods["2026-10"], periods["2026-11"]]
    assert archive.entries() == before  # the second November, not the first: the journal's last word
    mode = archive.index_path.stat().st_mode & 0o777
    assert mode == 0o666 & ~file_mode_mask(), oct(mode)  # as any file reporter writes, not mkstemp's 0600


def test_rebuild_without_a_journal_guesses_the_collection_month_and_says_so(
    two_periods: tuple[Archive, dict[str, str]],
) -> None:
    archive, periods = two_periods
    (archive.root / "periods.log").unlink()
    archive.index_path.write_bytes(b"not a database" * 100)
    rebuilt = archive.rebuild_index()
    assert rebuilt.periods == periods  # the latest collected of November
    assert rebuilt.guessed == ("2026-10", "2026-11")
    assert "guessed from the collection month (not in periods.log): 2026-10, 2026-11" in rebuilt.summary()
    assert (archive.root / "index.sqlite.damaged").read_bytes().startswith(b"not a database")
    assert [e.sha256 for e in archive.entries()] == [periods["2026-10"], periods["2026-11"]]


def test_an_archive_keeps_to_one_partner_tenant(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    northwind, summit = sample("northwind-partners"), sample("summit-secure-partners")
    assert northwind.provenance.partner_tenant_id != summit.provenance.partner_tenant_id
    archive.put("2026-11", northwind)
    with pytest.raises(ConfigError) as caught:
        archive.put("2026-12", summit)
    message = str(caught.value)
    assert f"holds the snapshots of partner tenant {northwind.provenance.partner_tenant_id}" in message
    assert f"not of partner tenant {summit.provenance.partner_tenant_id}" in message
    assert "--archive" in message
    assert "\n" not in message
    assert [e.period for e in archive.entries()] == ["2026-11"]
    assert len(list((archive.root / "objects").rglob("*.json.gz"))) == 1  # nothing of the other tenant written


def test_an_archive_from_before_the_tenant_was_kept_takes_its_snapshots_tenant(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.put("2026-11", sample("northwind-partners"))
    with sqlite3.connect(archive.index_path) as db:
        db.execute("DROP TABLE meta")
    with pytest.raises(ConfigError, match="partner tenant"):
        archive.put("2026-12", sample("summit-secure-partners"))
    northwind = sample("northwind-partners")
    assert archive.partner_tenant_id() == northwind.provenance.partner_tenant_id
