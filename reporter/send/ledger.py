"""The delivery ledger: every delivery recorded as pending before it is handed over, and as settled after.

One SQLite file (``deliveries.sqlite``, beside the run folders and their archive)
holds a row per attempt to deliver a period's report to one customer (or the
partner). A row is written, and on disk, before the message leaves, so a send
killed at any point leaves one of three things behind for each delivery:

- no row: nothing was handed over; the next send sends it;
- ``pending``: it may have gone. Graph's Sent Items settles it (``sent`` if found);
  SMTP cannot tell, so the row becomes ``unknown`` and is not resent without
  ``--resend``;
- ``sent``, ``failed`` (nothing went: a refused recipient, a changed file), or
  ``unknown``.

Writes use SQLite's write-ahead log with ``synchronous=FULL``: a committed row
survives a crash of the process or the machine. One send at a time uses a
ledger (``exclusive_lock`` on ``deliveries.sqlite.lock``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

from reporter.errors import OutputError
from reporter.files import check_regular_file

LEDGER_NAME = "deliveries.sqlite"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    period TEXT NOT NULL,
    key TEXT NOT NULL,
    resend INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    transport TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    recipient_count INTEGER NOT NULL,
    attachments TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'unknown')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    detail TEXT,
    PRIMARY KEY (period, key, resend)
);
CREATE INDEX IF NOT EXISTS deliveries_started ON deliveries (started_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class State(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Record:
    """One attempt to deliver ``period``'s report for ``key`` (a tenant id or ``partner``)."""

    period: str
    key: str
    resend: int
    message_id: str
    transport: str
    sender: str
    recipients: tuple[str, ...]
    attachments: tuple[str, ...]
    """The SHA-256 of each attachment."""
    state: State
    started_at: datetime
    finished_at: datetime | None
    detail: str | None


class Ledger:
    """The ledger file at ``path`` (created on first use); open it with ``with Ledger(path) as ledger``.

    One connection serves every thread of a send; each call is one committed transaction.
    """

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()  # one lock per file, however it is named (a symbolic link, a relative path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    @property
    def lock_file(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def __enter__(self) -> Ledger:
        return self.open()

    def open(self, *, read_only: bool = False) -> Ledger:
        """Open the ledger (``read_only``: an existing one, changing nothing), refusing any file that is not one."""
        self._check_file(must_exist=read_only)
        try:
            if read_only:
                uri = f"file:{quote(str(self.path))}?mode=ro"
                connection = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(
                f"cannot open the delivery ledger {self.path}: {exc}", "choose a folder you can write to"
            ) from None
        self._connection = connection
        try:
            with self._db() as db:
                _refuse_foreign(db, self.path)
                if read_only:
                    version = _schema(db)
                    if version != SCHEMA_VERSION:
                        raise OutputError(
                            f"{self.path}: a delivery ledger of another version ({version})",
                            "use the version of reporter that wrote it",
                        )
                    return self
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.executescript(_SCHEMA)
                version = _schema(db)
                if version is None:
                    db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                elif version != SCHEMA_VERSION:
                    raise OutputError(
                        f"{self.path}: a delivery ledger of another version ({version})",
                        "use the version of reporter that wrote it, or give another ledger",
                    )
        except BaseException:
            self.close()
            raise
        return self

    def check_ours(self) -> None:
        """Refuse now, touching nothing (not even a lock file beside it), a file that is not a ledger of ours."""
        self._check_file(must_exist=False)
        if self.path.exists() and self.path.stat().st_size > 0:
            self.open(read_only=True).close()

    def _check_file(self, *, must_exist: bool) -> None:
        """Only a regular file (or nothing yet, to create) is a ledger: a FIFO, device or folder is refused."""
        if not self.path.exists() and not self.path.is_symlink():
            if must_exist:
                raise OutputError(
                    f"no delivery ledger at {self.path}: nothing has been sent with it",
                    "give --ledger the deliveries.sqlite of the sends you mean",
                )
            return
        check_regular_file(self.path, "delivery ledger", OutputError)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._connection is None:
            raise RuntimeError("the ledger is not open")
        with self._lock:
            try:
                yield self._connection
            except sqlite3.Error as exc:
                raise OutputError(
                    f"the delivery ledger {self.path} cannot be used: {exc}",
                    "check the file and the disk; it is the only record of what was sent, so keep a backup",
                ) from None

    def latest_by_key(self, period: str) -> dict[str, Record]:
        """The last attempt of every key tried in ``period``."""
        with self._db() as db:
            rows = db.execute(_SELECT + " WHERE period = ? ORDER BY key, resend", (period,)).fetchall()
        return {record.key: record for record in map(_record, rows)}

    def begin(
        self,
        *,
        period: str,
        key: str,
        resend: int,
        message_id: str,
        transport: str,
        sender: str,
        recipients: Sequence[str],
        attachments: Sequence[str],
        now: datetime,
    ) -> None:
        """Record a delivery as pending; committed to disk before this returns."""
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, NULL, NULL)",
                (
                    period,
                    key,
                    resend,
                    message_id,
                    transport,
                    sender,
                    json.dumps(list(recipients)),
                    len(recipients),
                    json.dumps(list(attachments)),
                    now.isoformat(),
                ),
            )

    def finish(
        self, period: str, key: str, resend: int, state: State, now: datetime, detail: str | None = None
    ) -> None:
        """Settle a delivery: sent, failed (nothing went) or unknown."""
        with self._db() as db:
            db.execute(
                "UPDATE deliveries SET state = ?, finished_at = ?, detail = ? "
                "WHERE period = ? AND key = ? AND resend = ?",
                (state.value, now.isoformat(), detail, period, key, resend),
            )

    def handed_over(self, period: str, key: str, resend: int, now: datetime) -> None:
        """When a pending delivery is really handed over (after its uploads): the lookup's grace counts from it."""
        with self._db() as db:
            db.execute(
                "UPDATE deliveries SET started_at = ? "
                "WHERE period = ? AND key = ? AND resend = ? AND state = 'pending'",
                (now.isoformat(), period, key, resend),
            )

    def settled_before(self, period: str, key: str, resend: int) -> Record | None:
        """The last attempt before ``resend`` that was not a failure (sent, unknown or pending), if any."""
        with self._db() as db:
            row = db.execute(
                _SELECT + " WHERE period = ? AND key = ? AND resend < ? AND state != 'failed' "
                "ORDER BY resend DESC LIMIT 1",
                (period, key, resend),
            ).fetchone()
        return _record(row) if row else None

    def forget(self, period: str, key: str, resend: int) -> None:
        """Drop a pending row whose message certainly never left (refused before it was handed over)."""
        with self._db() as db:
            db.execute(
                "DELETE FROM deliveries WHERE period = ? AND key = ? AND resend = ? AND state = 'pending'",
                (period, key, resend),
            )

    def recipients_since(self, since: datetime) -> list[tuple[datetime, int]]:
        """When each delivery that may have gone since ``since`` was started, and its recipients, oldest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT started_at, recipient_count FROM deliveries "
                "WHERE started_at > ? AND state IN ('pending', 'sent', 'unknown') ORDER BY started_at",
                (since.isoformat(),),
            ).fetchall()
        try:
            return [(datetime.fromisoformat(str(started)), int(count)) for started, count in rows]
        except (ValueError, TypeError) as exc:
            raise OutputError(
                f"the delivery ledger {self.path} has a damaged row: {exc}",
                "restore the ledger from a backup; it is the record of what was sent",
            ) from None


_SELECT = (
    "SELECT period, key, resend, message_id, transport, sender, recipients, attachments, state, "
    "started_at, finished_at, detail FROM deliveries"
)


_OURS = {"deliveries", "meta", "deliveries_started", "sqlite_autoindex_deliveries_1", "sqlite_autoindex_meta_1"}


def _refuse_foreign(db: sqlite3.Connection, path: Path) -> None:
    """A database holding anything but reporter's tables and indexes (a table, a view, a trigger) is not ours."""
    names = {str(row[0]) for row in db.execute("SELECT name FROM sqlite_master")}
    if names and (not names <= _OURS or _schema(db) is None):
        raise OutputError(
            f"{path} is an SQLite database but not reporter's delivery ledger; nothing was changed",
            "give --ledger (or [send] ledger) a new file, or the deliveries.sqlite reporter made",
        )


def _schema(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _record(row: tuple[object, ...]) -> Record:
    try:
        return _parse(row)
    except (ValueError, TypeError) as exc:
        raise OutputError(
            f"the delivery ledger has a damaged row ({str(row[0])[:20]}, {str(row[1])[:40]}): {exc}",
            "restore the ledger from a backup; it is the record of what was sent",
        ) from None


def _parse(row: tuple[object, ...]) -> Record:
    period, key, resend, message_id, transport, sender, recipients, attachments, state, started, finished, detail = row
    return Record(
        period=str(period),
        key=str(key),
        resend=int(str(resend)),
        message_id=str(message_id),
        transport=str(transport),
        sender=str(sender),
        recipients=tuple(json.loads(str(recipients))),
        attachments=tuple(json.loads(str(attachments))),
        state=State(str(state)),
        started_at=datetime.fromisoformat(str(started)),
        finished_at=datetime.fromisoformat(str(finished)) if finished else None,
        detail=str(detail) if detail is not None else None,
    )
