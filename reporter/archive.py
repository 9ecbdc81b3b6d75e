"""The snapshot archive: every snapshot kept, content-addressed, indexed by period.

Layout under the archive folder::

    objects/ab/abcdef….json.gz   the canonical snapshot JSON, gzip (named by its SHA-256)
    index.sqlite                 one row per period, every snapshot ever archived, the partner tenant
    periods.log                  append-only: one ``PERIOD SHA256`` line each time a period is assigned

Graph keeps no per-customer history; this archive is what makes month-over-month
changes possible and lets a past period's reports be rebuilt exactly. Objects do
not record their period: ``periods.log`` does, so a lost index can be rebuilt
(``Archive.rebuild_index``). One archive holds the snapshots of one partner tenant.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import sqlite3
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reporter import snapshot as snapshot_io
from reporter.atomic import file_mode_mask, write_bytes
from reporter.errors import ConfigError, DataError, OutputError
from reporter.model import Snapshot

PERIOD = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
"""A month of this century, ``YYYY-MM``."""

INDEX_NAME = "index.sqlite"
JOURNAL_NAME = "periods.log"
MAX_JOURNAL_BYTES = 16 << 20
"""A line a month for a thousand years is 100 kB; more is not a journal of ours."""

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
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
_PARTNER = "partner_tenant_id"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Entry:
    period: str
    sha256: str
    collected_at: str
    customers: int
    data_gaps: int


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """What ``rebuild_index`` made: period → SHA-256, and what it had to guess or leave out."""

    periods: dict[str, str]
    guessed: tuple[str, ...] = ()
    """Periods taken from a snapshot's collection month, not from ``periods.log``."""
    unreadable: tuple[str, ...] = field(default=())
    """Object files that are not an intact snapshot, left out."""

    def summary(self) -> str:
        """One line for the user: what was rebuilt, and what was guessed or left out."""
        line = f"index rebuilt: {len(self.periods)} period(s)"
        if self.guessed:
            line += f"; guessed from the collection month (not in {JOURNAL_NAME}): {', '.join(self.guessed)}"
        if self.unreadable:
            line += f"; left out, not intact: {', '.join(self.unreadable)}"
        return line


def check_period(period: str) -> str:
    if not PERIOD.match(period):
        raise DataError(f"period {period!r} is not a month of the form YYYY-MM", "write it like 2026-11")
    return period


def check_begun(period: str, this_month: str) -> str:
    """``period`` is a month that has begun by ``this_month`` (both ``YYYY-MM``)."""
    if check_period(period) > check_period(this_month):
        raise ConfigError(f"period {period} has not begun yet", f"give {this_month} or an earlier month")
    return period


class Archive:
    """Snapshots by period, in a folder of the user's choosing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_NAME

    def _rebuild_hint(self) -> str:
        return f"run reporter history --archive {self.root} --rebuild-index to rebuild it from the snapshots"

    def _has_objects(self) -> bool:
        return any(self._objects())

    def _objects(self) -> Iterator[Path]:
        objects = self.root / "objects"
        return (p for p in objects.glob("??/*.json.gz") if p.is_file()) if objects.is_dir() else iter(())

    def _check_index(self) -> None:
        """An archive that holds snapshots but no usable index is an error, never a new archive."""
        try:
            size = self.index_path.stat().st_size
        except FileNotFoundError:
            size = None
        except OSError as exc:
            raise OutputError(f"the archive index {self.index_path} cannot be read: {exc.strerror}") from None
        if (size is None or size == 0) and self._has_objects():
            what = "is missing" if size is None else "is empty (0 bytes)"
            raise DataError(
                f"the archive index {self.index_path} {what}, but the archive holds snapshots", self._rebuild_hint()
            )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self._check_index()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.index_path, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot open the archive in {self.root}: {exc}", "check the archive folder") from None
        with closing(connection):
            try:
                connection.executescript(_SCHEMA)
                with connection:  # one transaction
                    yield connection
            except sqlite3.Error as exc:  # locked too long, not a database, disk full...
                hint = "check the archive folder; restore index.sqlite from a backup if it is damaged"
                if self._has_objects():
                    hint += f", or {self._rebuild_hint()}"
                raise OutputError(f"the archive index {self.index_path} cannot be used: {exc}", hint) from None

    def _object_path(self, digest: str) -> Path:
        return self.root / "objects" / digest[:2] / f"{digest}.json.gz"

    def put(self, period: str, snapshot: Snapshot) -> str:
        """Archive ``snapshot`` as the snapshot of ``period``; returns its SHA-256."""
        check_period(period)
        digest = self.store(snapshot)
        self.assign(period, digest)
        return digest

    def store(self, snapshot: Snapshot) -> str:
        """Keep ``snapshot`` (no period names it yet); returns its SHA-256.

        A snapshot of another partner tenant than the archive's is refused. The index
        exists before the object is written, and names it only once it is complete.
        """
        data = snapshot_io.dumps(snapshot)
        digest = hashlib.sha256(data).hexdigest()
        with self._db() as db:
            self._check_partner(db, snapshot)
            path = self._object_path(digest)
            if not path.exists():
                write_bytes(path, gzip.compress(data, compresslevel=9, mtime=0))
            db.execute("INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?)", _row(digest, snapshot))
        return digest

    def assign(self, period: str, digest: str) -> None:
        """Make the stored snapshot ``digest`` the one of ``period`` (and note it in ``periods.log``)."""
        check_period(period)
        with self._db() as db:
            if db.execute("SELECT 1 FROM snapshots WHERE sha256 = ?", (digest,)).fetchone() is None:
                raise DataError(f"snapshot {digest} is not in the archive {self.root}")
            self._journal(period, digest)
            db.execute("INSERT OR REPLACE INTO periods VALUES (?, ?)", (period, digest))

    def _partner(self, db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (_PARTNER,)).fetchone()
        if row:
            return str(row[0])
        # An archive from before the tenant was kept: it takes the tenant of its latest snapshot.
        latest = db.execute("SELECT sha256 FROM periods ORDER BY period DESC LIMIT 1").fetchone()
        tenant = self.get(str(latest[0])).provenance.partner_tenant_id if latest else None
        if tenant:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_PARTNER, tenant))
        return tenant

    def partner_tenant_id(self) -> str | None:
        """The partner tenant whose snapshots this archive holds (None while it holds none that says)."""
        if not self.index_path.exists() and not self._has_objects():
            return None
        with self._db() as db:
            return self._partner(db)

    def check_partner(self, tenant: str) -> None:
        """Refuse the configured partner ``tenant`` if this archive holds another partner's snapshots."""
        self._refuse_other_partner(
            self.partner_tenant_id(),
            tenant,
            "the configured tenant",
            "give this partner's own --archive (or [run] archive); if both name one tenant, "
            "configure the tenant id as the archive names it",
        )

    def _check_partner(self, db: sqlite3.Connection, snapshot: Snapshot) -> None:
        tenant = snapshot.provenance.partner_tenant_id
        if not tenant:
            return
        archived = self._partner(db)
        if archived is None:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_PARTNER, tenant))
        self._refuse_other_partner(
            archived,
            tenant,
            "partner tenant",
            "give each partner tenant an archive of its own with --archive",
            "; nothing was archived",
        )

    def _refuse_other_partner(self, archived: str | None, tenant: str, whose: str, hint: str, tail: str = "") -> None:
        if archived and archived.lower() != tenant.lower():
            raise ConfigError(
                f"the archive {self.root} holds the snapshots of partner tenant {archived}, "
                f"not of {whose} {tenant}{tail}",
                hint,
            )

    def _journal(self, period: str, digest: str) -> None:
        line = f"{period} {digest}\n".encode()
        path = self.root / JOURNAL_NAME
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            try:
                os.write(fd, line)  # one short write with O_APPEND: whole, after every earlier line
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}", "check the free space and permissions") from None

    def get(self, digest: str) -> Snapshot:
        path = self._object_path(digest)
        try:
            data = _read_object(path)
        except FileNotFoundError:
            raise DataError(f"snapshot {digest} is not in the archive {self.root}") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"archived snapshot {digest} cannot be read: {exc}") from None
        if data is None:
            raise DataError(
                f"archived snapshot {digest} unpacks to more than {snapshot_io.MAX_SNAPSHOT_BYTES >> 20} MiB",
                "it is not one of ours: restore it from a backup",
            )
        if hashlib.sha256(data).hexdigest() != digest:
            raise DataError(f"archived snapshot {digest} does not match its hash", "restore it from a backup")
        return snapshot_io.loads(data, source=str(path))

    def entry(self, period: str) -> Entry | None:
        rows = self._select("WHERE p.period = ?", (check_period(period),))
        return rows[0] if rows else None

    def previous(self, period: str) -> Entry | None:
        """The latest archived period before ``period``."""
        rows = self.before(period, 1)
        return rows[0] if rows else None

    def before(self, period: str, limit: int, *, since: str | None = None) -> list[Entry]:
        """The latest ``limit`` archived periods before ``period`` (and from ``since`` on, if given), oldest first.

        Read from the index alone: no snapshot is opened. Nothing at or after ``period``
        is ever returned, so what is made of them does not change when later months are archived.
        """
        check_period(period)
        if limit <= 0:
            return []
        where, args = "WHERE p.period < ?", [period]
        if since is not None:
            where, args = where + " AND p.period >= ?", [*args, check_period(since)]
        rows = self._select(f"{where} ORDER BY p.period DESC LIMIT ?", (*args, limit))
        return rows[::-1]

    def entries(self) -> list[Entry]:
        return self._select("ORDER BY p.period", ())

    def _select(self, where: str, args: tuple[str | int, ...]) -> list[Entry]:
        if not self.index_path.exists() and not self._has_objects():
            return []
        query = (
            "SELECT p.period, s.sha256, s.collected_at, s.customers, s.data_gaps "  # noqa: S608 (fixed clauses)
            f"FROM periods p JOIN snapshots s USING (sha256) {where}"
        )
        with self._db() as db:
            return [Entry(*row) for row in db.execute(query, args)]

    def rebuild_index(self) -> Rebuilt:
        """Make ``index.sqlite`` again from the objects and ``periods.log``; the old one is kept as ``.damaged``.

        A period is the last one ``periods.log`` assigned to an intact object; an object no
        line names gets the month it was collected in, unless a period of the log has it
        (the latest collected wins): those periods are listed as guessed.
        """
        snapshots: dict[str, Snapshot] = {}
        unreadable = []
        for path in sorted(self._objects()):
            digest = path.name.removesuffix(".json.gz")
            try:
                if _DIGEST.match(digest):  # an object not named by a SHA-256 is not one of ours
                    snapshots[digest] = self.get(digest)
                    continue
            except DataError:
                pass
            unreadable.append(path.relative_to(self.root).as_posix())
        periods = {p: d for p, d in self._journal_lines() if d in snapshots}
        named = set(periods.values())
        guesses: dict[str, str] = {}
        for digest, snap in sorted(snapshots.items(), key=lambda item: item[1].provenance.collected_at):
            month = snap.provenance.collected_at.strftime("%Y-%m")
            if digest not in named and month not in periods and PERIOD.match(month):
                guesses[month] = digest
        periods.update(guesses)
        tenants = {s.provenance.partner_tenant_id.lower() for s in snapshots.values() if s.provenance.partner_tenant_id}
        if len(tenants) > 1:
            raise ConfigError(
                f"the archive {self.root} holds snapshots of several partner tenants: {', '.join(sorted(tenants))}",
                "move each partner tenant's objects to an archive of its own, then rebuild each index",
            )
        self._write_index(snapshots, periods, next(iter(tenants), None))
        return Rebuilt(dict(sorted(periods.items())), tuple(sorted(guesses)), tuple(unreadable))

    def _journal_lines(self) -> list[tuple[str, str]]:
        try:
            with (self.root / JOURNAL_NAME).open("rb") as handle:
                text = handle.read(MAX_JOURNAL_BYTES).decode("ascii", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise DataError(f"{self.root / JOURNAL_NAME} cannot be read: {exc.strerror}") from None
        lines = []
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and PERIOD.match(parts[0]) and _DIGEST.match(parts[1]):
                lines.append((parts[0], parts[1]))
        return lines

    def _write_index(self, snapshots: dict[str, Snapshot], periods: dict[str, str], tenant: str | None) -> None:
        tmp = str(self.root / f".{INDEX_NAME}.rebuild.tmp")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{INDEX_NAME}.", suffix=".tmp", dir=self.root)
            os.fchmod(fd, 0o666 & ~file_mode_mask())  # as the index sqlite creates, not mkstemp's 0600
            os.close(fd)
            with closing(sqlite3.connect(tmp)) as db:
                db.executescript(_SCHEMA)
                with db:
                    db.executemany(
                        "INSERT INTO snapshots VALUES (?, ?, ?, ?)", [_row(d, s) for d, s in snapshots.items()]
                    )
                    db.executemany("INSERT INTO periods VALUES (?, ?)", sorted(periods.items()))
                    if tenant:
                        db.execute("INSERT INTO meta VALUES (?, ?)", (_PARTNER, tenant))
            if self.index_path.exists() and self.index_path.stat().st_size:
                os.replace(self.index_path, self.root / f"{INDEX_NAME}.damaged")
            os.replace(tmp, self.index_path)
        except (OSError, sqlite3.Error) as exc:
            Path(tmp).unlink(missing_ok=True)
            raise OutputError(
                f"cannot write the archive index {self.index_path}: {exc}", "check the free space and permissions"
            ) from None


def _row(digest: str, snapshot: Snapshot) -> tuple[str, str, int, int]:
    return (
        digest,
        snapshot.provenance.collected_at.isoformat(),
        len(snapshot.customers),
        len(snapshot.provenance.data_gaps),
    )


def _read_object(path: Path) -> bytes | None:
    """An archived object's snapshot bytes, unpacked no further than the largest snapshot (``None`` past it).

    A damaged or planted object could be a gzip bomb: a few kB that unpack to gigabytes.
    """
    if not path.is_file():
        raise FileNotFoundError(path)
    with gzip.open(path, "rb") as handle:
        data = handle.read(snapshot_io.MAX_SNAPSHOT_BYTES + 1)
    return None if len(data) > snapshot_io.MAX_SNAPSHOT_BYTES else data
