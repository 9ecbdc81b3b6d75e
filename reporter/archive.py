"""The snapshot archive: every snapshot kept, content-addressed, indexed by period.

Layout under the archive folder::

    objects/ab/abcdef….json.gz   the canonical snapshot JSON, gzip (named by its SHA-256)
    index.sqlite                 one row per period, and every snapshot ever archived

Graph keeps no per-customer history; this archive is what makes month-over-month
changes possible and lets a past period's reports be rebuilt exactly.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from reporter import snapshot as snapshot_io
from reporter.atomic import write_bytes
from reporter.errors import DataError, OutputError
from reporter.model import Snapshot

PERIOD = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
"""A month of this century, ``YYYY-MM``."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    sha256 TEXT PRIMARY KEY,
    collected_at TEXT NOT NULL,
    customers INTEGER NOT NULL,
    data_gaps INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS periods (
    period TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL REFERENCES snapshots(sha256)
);
"""


@dataclass(frozen=True, slots=True)
class Entry:
    period: str
    sha256: str
    collected_at: str
    customers: int
    data_gaps: int


def check_period(period: str) -> str:
    if not PERIOD.match(period):
        raise DataError(f"period {period!r} is not a month of the form YYYY-MM", "write it like 2026-11")
    return period


class Archive:
    """Snapshots by period, in a folder of the user's choosing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.root / "index.sqlite", timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot open the archive in {self.root}: {exc}", "check the archive folder") from None
        with closing(connection):
            try:
                connection.executescript(_SCHEMA)
                with connection:  # one transaction
                    yield connection
            except sqlite3.Error as exc:  # locked too long, not a database, disk full...
                raise OutputError(
                    f"the archive index {self.root / 'index.sqlite'} cannot be used: {exc}",
                    "check the archive folder; restore index.sqlite from a backup if it is damaged",
                ) from None

    def _object_path(self, digest: str) -> Path:
        return self.root / "objects" / digest[:2] / f"{digest}.json.gz"

    def put(self, period: str, snapshot: Snapshot) -> str:
        """Archive ``snapshot`` as the snapshot of ``period``; returns its SHA-256.

        The object is written before the index names it, so a run killed at any
        point leaves either no entry or a complete one.
        """
        check_period(period)
        data = snapshot_io.dumps(snapshot)
        digest = hashlib.sha256(data).hexdigest()
        path = self._object_path(digest)
        if not path.exists():
            write_bytes(path, gzip.compress(data, compresslevel=9, mtime=0))
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?)",
                (
                    digest,
                    snapshot.provenance.collected_at.isoformat(),
                    len(snapshot.customers),
                    len(snapshot.provenance.data_gaps),
                ),
            )
            db.execute("INSERT OR REPLACE INTO periods VALUES (?, ?)", (period, digest))
        return digest

    def get(self, digest: str) -> Snapshot:
        path = self._object_path(digest)
        try:
            data = gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            raise DataError(f"snapshot {digest} is not in the archive {self.root}") from None
        except (OSError, EOFError) as exc:
            raise DataError(f"archived snapshot {digest} cannot be read: {exc}") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise DataError(f"archived snapshot {digest} does not match its hash", "restore it from a backup")
        return snapshot_io.loads(data, source=str(path))

    def entry(self, period: str) -> Entry | None:
        rows = self._select("WHERE p.period = ?", (check_period(period),))
        return rows[0] if rows else None

    def previous(self, period: str) -> Entry | None:
        """The latest archived period before ``period``."""
        rows = self._select("WHERE p.period < ? ORDER BY p.period DESC LIMIT 1", (check_period(period),))
        return rows[0] if rows else None

    def entries(self) -> list[Entry]:
        return self._select("ORDER BY p.period", ())

    def _select(self, where: str, args: tuple[str, ...]) -> list[Entry]:
        if not (self.root / "index.sqlite").exists():
            return []
        query = (
            "SELECT p.period, s.sha256, s.collected_at, s.customers, s.data_gaps "  # noqa: S608 (fixed clauses)
            f"FROM periods p JOIN snapshots s USING (sha256) {where}"
        )
        with self._db() as db:
            return [Entry(*row) for row in db.execute(query, args)]
