import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reporter import snapshot as snapshot_io
from reporter.archive import Archive
from reporter.errors import DataError
from tests import factories as f


def test_archive_keeps_each_snapshot_once_and_indexes_one_entry_per_period(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    nov = f.snapshot(customers=(f.customer("t1", "Alpha"),))
    dec = f.snapshot(
        provenance=f.provenance(collected_at=datetime(2026, 12, 1, tzinfo=UTC)), customers=(f.customer("t2"),)
    )
    digest = archive.put("2026-11", nov)
    assert digest == snapshot_io.sha256(nov)
    assert archive.put("2026-11", nov) == digest  # idempotent
    archive.put("2026-12", dec)
    assert [e.period for e in archive.entries()] == ["2026-11", "2026-12"]
    assert archive.get(digest) == nov
    previous = archive.previous("2026-12")
    assert previous is not None
    assert previous.sha256 == digest
    assert archive.previous("2026-11") is None
    objects = list((tmp_path / "archive" / "objects").rglob("*.json.gz"))
    assert len(objects) == 2
    assert gzip.decompress(objects[0].read_bytes()).startswith(b"{")


def test_a_tampered_archive_object_is_refused(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    digest = archive.put("2026-11", f.snapshot())
    path = next(tmp_path.rglob(f"{digest}.json.gz"))
    path.write_bytes(gzip.compress(snapshot_io.dumps(f.snapshot(customers=(f.customer("x"),)))))
    with pytest.raises(DataError, match="does not match its hash"):
        archive.get(digest)


def test_a_bad_period_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="YYYY-MM"):
        Archive(tmp_path).put("2026-13", f.snapshot())


def test_written_files_follow_the_umask_not_private_temp_file_permissions(tmp_path: Path) -> None:
    import os
    import stat

    from reporter.atomic import write_bytes

    previous = os.umask(0o022)
    try:
        write_bytes(tmp_path / "report.pdf", b"%PDF")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "report.pdf").stat().st_mode) == 0o644


def test_an_archived_object_that_unpacks_past_the_largest_snapshot_is_refused(tmp_path: Path) -> None:
    """A planted gzip bomb (a few hundred kB that unpack past the snapshot cap) is not unpacked whole."""
    archive = Archive(tmp_path)
    digest = archive.put("2026-11", f.snapshot())
    path = next(tmp_path.rglob(f"{digest}.json.gz"))
    with gzip.open(path, "wb", compresslevel=9) as bomb:
        block = b"0" * (1 << 24)
        for _ in range((snapshot_io.MAX_SNAPSHOT_BYTES >> 24) + 1):
            bomb.write(block)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(DataError, match="unpacks to more than 512 MiB"):
        archive.get(digest)
