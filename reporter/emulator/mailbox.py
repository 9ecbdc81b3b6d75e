"""The emulated Exchange Online mailbox: drafts, upload sessions, Sent Items and every message delivered.

Thread-safe: one lock guards the state, and each change (a chunk appended, a
draft sent) happens whole under it. A delivered message is kept in memory and,
when ``MailOptions.folder`` is set, written there as an RFC 5322 ``.eml`` file
built with the standard ``email`` package: through a temporary file renamed into
place (a reader never sees half of one), named by delivery number and a random
part so that two messages, or two emulators sharing the folder, never collide.

Tests read what was delivered with ``Mailbox.delivered()`` (parsed
``email.message.EmailMessage`` objects, in delivery order), ``Mailbox.messages()``
(the records as Graph received them) and ``Mailbox.counts()``.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from reporter.emulator.options import MailOptions
from reporter.emulator.wire import JsonObject, timestamp

Address = tuple[str, str]
"""``(name, address)``; the name may be empty."""
BodyType = Literal["html", "text"]

_EML_POLICY = policy.SMTP.clone(max_line_length=998)
"""CRLF, and headers folded only past RFC 5322's hard limit: the ``email`` package folds a long Message-ID
onto a line of its own, which its parser then reads back with a leading space."""
_MESSAGE_ID_HOST = "PH0PR11MB5000.namprd11.prod.outlook.com"
"""Where the ``internetMessageId`` Exchange makes up for a message that came without one points."""


@dataclass(frozen=True)
class FileAttachment:
    id: str
    name: str
    content_type: str
    data: bytes

    def json(self) -> JsonObject:
        return {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "id": self.id,
            "name": self.name,
            "contentType": self.content_type,
            "size": len(self.data),
            "isInline": False,
        }


@dataclass
class Draft:
    """A message being composed (``POST /users/{id}/messages``); changed only under the mailbox's lock."""

    id: str
    subject: str
    body_type: BodyType
    body: str
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    internet_message_id: str | None
    headers: tuple[tuple[str, str], ...]
    created: datetime
    attachments: list[FileAttachment] = field(default_factory=list)

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc

    def size(self) -> int:
        """The message's size as Exchange counts it: attachments base64-encoded, plus the body."""
        return len(self.body.encode()) + sum(-(-len(a.data) // 3) * 4 for a in self.attachments)

    def json(self, mailbox: str) -> JsonObject:
        def people(addresses: tuple[Address, ...]) -> list[JsonObject]:
            return [{"emailAddress": {"name": name or address, "address": address}} for name, address in addresses]

        stamp = timestamp(self.created)
        return {
            "id": self.id,
            "createdDateTime": stamp,
            "lastModifiedDateTime": stamp,
            "subject": self.subject,
            "body": {"contentType": self.body_type, "content": self.body},
            "from": {"emailAddress": {"name": mailbox, "address": mailbox}},
            "toRecipients": people(self.to),
            "ccRecipients": people(self.cc),
            "bccRecipients": people(self.bcc),
            "internetMessageId": self.internet_message_id,
            "hasAttachments": bool(self.attachments),
            "isDraft": True,
        }


@dataclass
class UploadSession:
    """An attachment arriving in chunks (``createUploadSession``)."""

    id: str
    draft_id: str
    name: str
    content_type: str
    size: int
    token: str
    expires: datetime
    received: bytearray = field(default_factory=bytearray)


ChunkOutcome = Literal["partial", "complete", "overlap", "gap", "too-large", "gone"]


@dataclass(frozen=True)
class Delivered:
    """One message as Exchange handed it on."""

    number: int
    """1 for the first message delivered, and so on."""
    id: str
    internet_message_id: str
    sender: str
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    subject: str
    body_type: BodyType
    body: str
    headers: tuple[tuple[str, str], ...]
    attachments: tuple[FileAttachment, ...]
    sent_at: datetime
    via: Literal["sendMail", "send"]
    saved: bool
    """Kept in Sent Items."""
    path: Path | None
    """The ``.eml`` file, when the mailbox writes them."""

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(address for _, address in self.to + self.cc + self.bcc)

    def eml(self) -> bytes:
        """The message in RFC 5322 form (Bcc left out, as a recipient sees it)."""
        message = EmailMessage(policy=_EML_POLICY)
        message["From"] = self.sender
        if self.to:
            message["To"] = ", ".join(formataddr(person) for person in self.to)
        if self.cc:
            message["Cc"] = ", ".join(formataddr(person) for person in self.cc)
        message["Subject"] = self.subject
        message["Date"] = format_datetime(self.sent_at)
        message["Message-ID"] = self.internet_message_id
        for name, value in self.headers:
            message[name] = value
        message.set_content(self.body, subtype="html" if self.body_type == "html" else "plain")
        for attachment in self.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            if not maintype or not subtype:
                maintype, subtype = "application", "octet-stream"
            message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.name)
        return message.as_bytes()

    def sent_item(self) -> JsonObject:
        def people(addresses: tuple[Address, ...]) -> list[JsonObject]:
            return [{"emailAddress": {"name": name or address, "address": address}} for name, address in addresses]

        stamp = timestamp(self.sent_at)
        return {
            "id": self.id,
            "createdDateTime": stamp,
            "sentDateTime": stamp,
            "subject": self.subject,
            "internetMessageId": self.internet_message_id,
            "from": {"emailAddress": {"name": self.sender, "address": self.sender}},
            "toRecipients": people(self.to),
            "ccRecipients": people(self.cc),
            "hasAttachments": bool(self.attachments),
            "isDraft": False,
        }


def new_item_id() -> str:
    """An opaque id in the style of Exchange's (``AAMkAD...``): URL-safe, no slash."""
    return "AAMkAD" + secrets.token_urlsafe(33) + "AAA="


def made_up_message_id() -> str:
    """The ``internetMessageId`` Exchange gives a message sent without one."""
    return f"<{uuid.uuid4().hex.upper()}@{_MESSAGE_ID_HOST}>"


class Mailbox:
    """The sender's mailbox. ``address`` and ``object_id`` both name it in Graph paths."""

    def __init__(self, options: MailOptions) -> None:
        self.address = options.mailbox
        self.object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mailbox:{options.mailbox.lower()}"))
        self.folder = options.folder
        self._sent_items_delay = options.sent_items_delay
        self._lock = threading.Lock()
        self._drafts: dict[str, Draft] = {}
        self._sessions: dict[str, UploadSession] = {}
        self._delivered: list[Delivered] = []
        self._sent_items: dict[str, list[tuple[float, JsonObject]]] = {}
        """By lower-case internetMessageId: when each shows (monotonic seconds), and its JSON."""
        self._counts: Counter[str] = Counter()
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def names(self, user: str) -> bool:
        """Whether ``user`` (an address or object id, from a Graph path) is this mailbox."""
        return user.lower() in (self.address.lower(), self.object_id)

    def count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount

    # --- drafts and upload sessions ------------------------------------------------------

    def add_draft(self, draft: Draft) -> None:
        with self._lock:
            self._drafts[draft.id] = draft
            self._counts["drafts"] += 1

    def draft_json(self, draft_id: str) -> JsonObject | None:
        with self._lock:
            draft = self._drafts.get(draft_id)
            return None if draft is None else draft.json(self.address)

    def draft_size(self, draft_id: str) -> int | None:
        with self._lock:
            draft = self._drafts.get(draft_id)
            return None if draft is None else draft.size()

    def delete_draft(self, draft_id: str) -> bool:
        with self._lock:
            found = self._drafts.pop(draft_id, None) is not None
            if found:
                self._counts["draftsDeleted"] += 1
                for session_id in [s.id for s in self._sessions.values() if s.draft_id == draft_id]:
                    del self._sessions[session_id]
            return found

    def attach(self, draft_id: str, attachment: FileAttachment, max_message_bytes: int) -> bool | None:
        """Add ``attachment``; ``None`` if there is no such draft, ``False`` if the draft would grow too large."""
        with self._lock:
            draft = self._drafts.get(draft_id)
            if draft is None:
                return None
            draft.attachments.append(attachment)
            if draft.size() > max_message_bytes:
                draft.attachments.pop()
                return False
            self._counts["attachments"] += 1
            return True

    def open_session(self, session: UploadSession) -> bool:
        with self._lock:
            if session.draft_id not in self._drafts:
                return False
            self._sessions[session.id] = session
            self._counts["uploadSessions"] += 1
            return True

    def session(self, session_id: str) -> UploadSession | None:
        with self._lock:
            return self._sessions.get(session_id)

    def cancel_session(self, session_id: str) -> bool:
        with self._lock:
            return self._sessions.pop(session_id, None) is not None

    def receive_chunk(
        self, session_id: str, start: int, data: bytes, max_message_bytes: int
    ) -> tuple[ChunkOutcome, int, str]:
        """Append the chunk at byte ``start``: the outcome, the next byte expected, and the attachment id if complete.

        Bytes must come in order: a chunk starting before the next expected byte overlaps
        what was received, one starting after it leaves a gap; either is refused whole.
        """
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.draft_id not in self._drafts:
                return "gone", 0, ""
            expected = len(session.received)
            if start < expected:
                return "overlap", expected, ""
            if start > expected:
                return "gap", expected, ""
            session.received += data
            self._counts["uploadChunks"] += 1
            if len(session.received) < session.size:
                return "partial", len(session.received), ""
            del self._sessions[session_id]
            attachment = FileAttachment(new_item_id(), session.name, session.content_type, bytes(session.received))
            draft = self._drafts[session.draft_id]
            draft.attachments.append(attachment)
            if draft.size() > max_message_bytes:
                draft.attachments.pop()
                return "too-large", expected, ""
            self._counts["attachments"] += 1
            return "complete", len(session.received), attachment.id

    def take_draft(self, draft_id: str) -> Draft | None:
        """The draft, removed (it is being sent)."""
        with self._lock:
            draft = self._drafts.pop(draft_id, None)
            if draft is not None:
                for session_id in [s.id for s in self._sessions.values() if s.draft_id == draft_id]:
                    del self._sessions[session_id]
            return draft

    def put_back(self, draft: Draft) -> None:
        """A draft whose sending was refused stays a draft."""
        with self._lock:
            self._drafts[draft.id] = draft

    # --- delivery ----------------------------------------------------------------------------

    def deliver(self, draft: Draft, *, via: Literal["sendMail", "send"], save: bool, now: datetime) -> Delivered:
        """Hand ``draft`` on: keep it, put it in Sent Items if ``save``, write its ``.eml`` file."""
        with self._lock:
            number = len(self._delivered) + 1
            path = None
            if self.folder is not None:
                path = self.folder / f"{now:%Y%m%d-%H%M%S}-{number:06d}-{secrets.token_hex(4)}.eml"
            record = Delivered(
                number=number,
                id=draft.id,
                internet_message_id=draft.internet_message_id or made_up_message_id(),
                sender=self.address,
                to=draft.to,
                cc=draft.cc,
                bcc=draft.bcc,
                subject=draft.subject,
                body_type=draft.body_type,
                body=draft.body,
                headers=draft.headers,
                attachments=tuple(draft.attachments),
                sent_at=now,
                via=via,
                saved=save,
                path=path,
            )
            self._delivered.append(record)
            self._counts["delivered"] += 1
            if save:
                shows = time.monotonic() + self._sent_items_delay
                self._sent_items.setdefault(record.internet_message_id.lower(), []).append((shows, record.sent_item()))
        if path is not None:
            _write_atomically(path, record.eml())
        return record

    def sent_items(self, internet_message_id: str | None = None) -> list[JsonObject]:
        """The Sent Items with that id (all of them, oldest first, without one) that show by now."""
        now = time.monotonic()
        with self._lock:
            self._counts["sentItemsLookups"] += 1
            if internet_message_id is None:
                found = sorted((item for items in self._sent_items.values() for item in items), key=lambda i: i[0])
            else:
                found = self._sent_items.get(internet_message_id.lower(), [])
            return [item for shows, item in found if shows <= now]

    # --- for tests ---------------------------------------------------------------------------

    def messages(self) -> tuple[Delivered, ...]:
        """Every message delivered, in order."""
        with self._lock:
            return tuple(self._delivered)

    def delivered(self) -> list[EmailMessage]:
        """Every message delivered, in order, as the ``email`` package parses its RFC 5322 form."""
        parser = BytesParser(policy=policy.default)
        parsed: list[EmailMessage] = []
        for record in self.messages():
            message = parser.parsebytes(record.eml())
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed

    def open_drafts(self) -> int:
        with self._lock:
            return len(self._drafts)

    def counts(self) -> Mapping[str, int]:
        """How many of each: ``sendMail``, ``drafts``, ``attachments``, ``uploadSessions``, ``uploadChunks``,
        ``uploadWithAuthorization`` (refused), ``sends``, ``delivered``, ``draftsDeleted``, ``sentItemsLookups``,
        ``throttled``, ``dropped``, ``refused``."""
        with self._lock:
            return MappingProxyType(dict(self._counts))


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def utc_now() -> datetime:
    return datetime.now(UTC)
