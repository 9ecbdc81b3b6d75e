"""Exchange Online through Graph v1.0, app-only, for one mailbox: sending, drafts, large attachments, Sent Items.

The mailbox is ``MailOptions.mailbox`` (``reports@partner.onmicrosoft.com`` by
default); Graph paths name it by address or by its object id
(``Emulator.mailbox_id``). Every answer has Graph's error shape and ids.

- ``POST /v1.0/users/{id}/sendMail`` ``{"message": {...}, "saveToSentItems": true}`` → 202, no body.
  The message takes ``subject``, ``body`` (``contentType`` HTML or Text), ``toRecipients``,
  ``ccRecipients``, ``bccRecipients``, ``attachments`` (``#microsoft.graph.fileAttachment`` with base64
  ``contentBytes``), ``internetMessageId`` (kept as the Message-ID; ``<local@domain>``) and
  ``internetMessageHeaders`` (names must start with ``X-``: else 400 ``InvalidInternetMessageHeader``).
- ``POST /users/{id}/messages`` (a draft; the same properties) → 201 with the message and its ``id``;
  ``GET`` and ``DELETE /users/{id}/messages/{mid}`` (200, 204); ``POST .../messages/{mid}/attachments``
  (a file attachment) → 201.
- ``POST .../messages/{mid}/attachments/createUploadSession`` ``{"AttachmentItem": {"attachmentType": "file",
  "name", "size"}}`` → 201 ``{uploadUrl, expirationDateTime, nextExpectedRanges: ["0-"]}``; a size under
  3 MiB is refused 400 ``ErrorAttachmentSizeShouldNotBeLessThanMinimumSize``. The upload URL (under
  ``/api/v2.0/``, as Outlook's) is pre-authenticated by its ``authtoken``: ``PUT`` it chunks in order,
  ``Content-Range: bytes a-b/total``, at most 4 MiB each, without an ``Authorization`` header (one with
  it is refused 401). 200 with ``nextExpectedRanges: ["{next byte}"]`` until the last chunk's 201 (with a
  ``Location``, no body); a chunk overlapping what arrived, or leaving a gap, is refused 416
  ``InvalidRange`` and changes nothing; ``DELETE`` on the URL cancels the session (204).
- ``POST .../messages/{mid}/send`` → 202: the draft is delivered and leaves the Drafts folder.
- ``GET /users/{id}/mailFolders/sentitems/messages?$filter=internetMessageId eq '<...>'`` (quotes in the
  value doubled) → ``{"value": [...]}``: every sent message with that id (Exchange makes one up for a
  message sent without it), once ``MailOptions.sent_items_delay`` has passed since it was sent. Other
  ``$filter`` expressions are 400; without one, the latest ``$top`` (10).

Checks, in order: the bearer token (401), the user (404 ``ErrorInvalidUser`` for any other), access
(403 ``ErrorAccessDenied``: sending needs the token's Mail.Send role, drafts Mail.ReadWrite), the
mailbox (404 ``MailboxNotEnabledForRESTAPI`` under ``Faults.mail_not_enabled``), the mailbox's
concurrency (429 ``ApplicationThrottled``, ``Retry-After: 1``, beyond ``MailOptions.concurrency``
requests at once; ``Faults.latency_ms`` is spent inside), the request's size (413
``RequestEntityTooLarge`` above ``MAX_REQUEST_BYTES``: 4 MiB of base64 and 64 KiB of JSON around it).
A message handed over (sendMail or send) then needs
recipients that resolve (400 ``ErrorInvalidRecipients`` naming the address; ``Faults.mail_refused_recipient``
refuses one), a size within ``MailOptions.max_message_bytes`` (400 ``ErrorMessageSizeExceeded``,
also when an attachment would pass it), and room in the limits:

- messages a minute (``MailOptions.rate``; ``rate_window`` seconds' worth may go at once, a minute's by
  default): 429 ``ApplicationThrottled`` with ``Retry-After`` the whole seconds until the next may go;
- recipients in any 24 hours (``MailOptions.daily_recipients``): Exchange itself refuses the
  submission (``SubmissionQuotaExceededException``, NDR 5.2.0); here that is **403
  ``ErrorSubmissionQuotaExceeded``**, a message saying when sending can resume (UTC) and ``Retry-After``
  in seconds. It is not a 429: waiting it out inside one run is rarely possible, so a client stops.

Faults (``Faults``): ``mail_access_denied`` (``no-mail-send``: tokens lack Mail.Send;
``out-of-scope``: every mail call 403 "Access to OData is disabled"), ``mail_not_enabled``,
``mail_refused_recipient``, ``mail_throttle_at`` (the Nth hand-over, counting every try, is answered
429 with ``Retry-After: retry_after`` and not delivered) and ``mail_drop_at`` (the Nth hand-over is
delivered, then the connection closes without an answer). The per-request faults (``rate_429``,
``rate_503``, ``drop_rate``) apply to mail requests too: 429 and 503 carry nothing out, a dropped one
is carried out and its answer lost. ``redirect`` answers every request 302.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

from reporter.emulator.entra import MAIL_READ_WRITE, MAIL_SEND, Entra
from reporter.emulator.faults import Fault, FaultPlan, StatsRecorder, retry_after_value
from reporter.emulator.mail_limits import ConcurrencyGate, MailLimits
from reporter.emulator.mailbox import (
    Address,
    BodyType,
    Draft,
    FileAttachment,
    Mailbox,
    UploadSession,
    new_item_id,
    utc_now,
)
from reporter.emulator.options import MIB, EmulatorOptions
from reporter.emulator.wire import (
    JsonObject,
    Outcome,
    Reply,
    Request,
    graph_error,
    json_reply,
    precise_timestamp,
)

MAX_REQUEST_BYTES = 4 * MIB + 64 * 1024
"""Graph's cap on one request, "about 4 MB": 4 MiB of base64 (an attachment just under 3 MiB) and the JSON
around it. Larger requests are refused 413."""
MAX_CHUNK_BYTES = 4 * MIB
"""The largest upload chunk."""
MIN_UPLOAD_BYTES = 3 * MIB
"""The smallest attachment an upload session takes."""
MAX_UPLOAD_BYTES = 150 * MIB
"""The largest attachment an upload session takes."""
UPLOAD_SESSION_LIFETIME = timedelta(minutes=15)

_USERS = re.compile(r"^/(?:v1\.0|beta)/users/([^/]+)(?:/(.*))?$", re.IGNORECASE)
_UPLOAD = re.compile(r"^/api/v2\.0/Users\('([^']*)'\)/Messages\('([^']*)'\)/AttachmentSessions\('([^']*)'\)$")
_FILTER = re.compile(r"^\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_ADDRESS = re.compile(r"""^[^\s@<>(),;:"\\\[\]]+@[^\s@<>(),;:"\\\[\]]+$""")
_MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
_HEADER_NAME = re.compile(r"^[Xx]-[!-9;-~]+$")

Action = Literal[
    "sendMail", "messages", "message", "attachments", "createUploadSession", "send", "sentItems", "upload", "unknown"
]
_METHODS: dict[Action, tuple[str, ...]] = {
    "sendMail": ("POST",),
    "messages": ("POST",),
    "message": ("GET", "DELETE"),
    "attachments": ("POST",),
    "createUploadSession": ("POST",),
    "send": ("POST",),
    "sentItems": ("GET",),
    "upload": ("PUT", "DELETE"),
}
_ROLES: dict[Action, frozenset[str]] = {
    "sendMail": frozenset({MAIL_SEND}),
    "send": frozenset({MAIL_SEND}),
    "sentItems": frozenset({MAIL_READ_WRITE, "Mail.Read", "Mail.ReadBasic"}),
}
_ACCESS_DENIED = "Access is denied. Check credentials and try again."
_OUT_OF_SCOPE = "Access to OData is disabled: Blocked by tenant configured AppOnly AccessPolicy settings."


@dataclass(frozen=True)
class MailRoute:
    action: Action
    user: str
    stats_path: str
    """The path with ids replaced (``/v1.0/users/{id}/messages/{id}/send``), for the counters."""
    message_id: str = ""
    session_id: str = ""


def route(path: str) -> MailRoute | None:
    """The mail request ``path`` is, or ``None`` if it is not one."""
    if match := _UPLOAD.match(path):
        user, message, session = (unquote(part) for part in match.groups())
        stats = "/api/v2.0/Users({id})/Messages({id})/AttachmentSessions({id})"
        return MailRoute("upload", user, stats, message, session)
    match = _USERS.match(path)
    if match is None:
        return None
    version = path.split("/")[1]
    user = unquote(match.group(1))
    rest = [unquote(part) for part in (match.group(2) or "").split("/") if part]
    words = [part.lower() for part in rest]
    base = f"/{version}/users/{{id}}"
    if words == ["sendmail"]:
        return MailRoute("sendMail", user, f"{base}/sendMail")
    if words == ["mailfolders", "sentitems", "messages"]:
        return MailRoute("sentItems", user, f"{base}/mailFolders/sentitems/messages")
    if words == ["messages"]:
        return MailRoute("messages", user, f"{base}/messages")
    if len(words) >= 2 and words[0] == "messages":
        message = rest[1]
        tail = words[2:]
        actions: dict[tuple[str, ...], Action] = {
            (): "message",
            ("attachments",): "attachments",
            ("attachments", "createuploadsession"): "createUploadSession",
            ("send",): "send",
        }
        action = actions.get(tuple(tail))
        if action is not None:
            suffix = "".join(f"/{part}" for part in ("messages", "{id}", *rest[2:]))
            return MailRoute(action, user, f"{base}{suffix}", message)
    return MailRoute("unknown", user, f"{base}/{'/'.join(rest)}" if rest else base)


class _Refused(Exception):
    """A request Graph refuses: status, error code, message, extra headers."""

    def __init__(self, status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class _Ids:
    request_id: str
    client_request_id: str


class MailService:
    """The mail part of Graph (and Outlook's upload URLs) over one ``Mailbox``."""

    def __init__(
        self,
        options: EmulatorOptions,
        mailbox: Mailbox,
        entra: Entra,
        stats: StatsRecorder,
        plan: FaultPlan,
        base_url: str,
    ) -> None:
        self._options = options
        self._faults = options.faults
        self.mailbox = mailbox
        self._entra = entra
        self._stats = stats
        self._plan = plan
        self._base_url = base_url.rstrip("/")
        self._limits = MailLimits(options.mail)
        self._gate = ConcurrencyGate(options.mail.concurrency)
        self._latency = options.faults.latency_ms / 1000
        self._hand_overs = 0
        self._lock = threading.Lock()
        self._refused_recipient = (options.faults.mail_refused_recipient or "").lower()

    def handle(self, request: Request, where: MailRoute, query: str, request_id: str, client_id: str) -> Outcome:
        ids = _Ids(request_id, client_id)
        path = where.stats_path
        try:
            self._check(request, where)
        except _Refused as refusal:
            self._pause()
            return self._error(path, refusal, ids)
        if not self._gate.enter():
            self._pause()
            self._stats.fault(path, Fault.THROTTLED)
            self.mailbox.count("throttled")
            busy = _Refused(
                429,
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit.",
                (("Retry-After", "1"),),
            )
            return self._error(path, busy, ids)
        try:
            self._pause()
            return self._carry_out(request, where, query, ids)
        finally:
            self._gate.leave()

    def _pause(self) -> None:
        if self._latency:
            time.sleep(self._latency)

    def _check(self, request: Request, where: MailRoute) -> None:
        """Token, user, access and mailbox: what Graph checks before doing anything."""
        faults = self._faults
        if where.action == "upload":
            return  # Outlook's upload URL carries its own authorisation
        problem = self._entra.check_bearer(request.headers.get("authorization"))
        if problem is not None:
            self._stats.fault(where.stats_path, Fault.UNAUTHORIZED)
            raise _Refused(
                401, problem.code, problem.message, (("WWW-Authenticate", 'Bearer realm="", error="invalid_token"'),)
            )
        if where.action == "unknown":
            segment = where.stats_path.rstrip("/").rsplit("/", 1)[-1]
            raise _Refused(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        if request.method not in _METHODS[where.action]:
            raise _Refused(405, "Request_BadRequest", f"The HTTP method '{request.method}' is not allowed.")
        if not self.mailbox.names(where.user):
            raise _Refused(404, "ErrorInvalidUser", f"The requested user '{where.user}' is invalid.")
        if faults.mail_access_denied == "out-of-scope":
            self._stats.fault(where.stats_path, Fault.FORBIDDEN)
            raise _Refused(403, "ErrorAccessDenied", _OUT_OF_SCOPE)
        if faults.mail_not_enabled:
            raise _Refused(
                404,
                "MailboxNotEnabledForRESTAPI",
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
            )
        needed = _ROLES.get(where.action, frozenset({MAIL_READ_WRITE}))
        if not needed & self._entra.roles(request.headers.get("authorization")):
            self._stats.fault(where.stats_path, Fault.FORBIDDEN)
            raise _Refused(403, "ErrorAccessDenied", _ACCESS_DENIED)

    def _carry_out(self, request: Request, where: MailRoute, query: str, ids: _Ids) -> Outcome:
        path = where.stats_path
        transient = self._plan.draw(request.target)
        if transient is Fault.THROTTLED:
            self._stats.fault(path, Fault.THROTTLED)
            self.mailbox.count("throttled")
            refusal = _Refused(
                429,
                "TooManyRequests",
                "Too many requests. Retry after the time in Retry-After.",
                (("Retry-After", retry_after_value(self._faults)),),
            )
            return self._error(path, refusal, ids)
        if transient is Fault.UNAVAILABLE:
            self._stats.fault(path, Fault.UNAVAILABLE)
            return self._error(
                path, _Refused(503, "ServiceUnavailable", "The service is temporarily unavailable."), ids
            )
        try:
            if len(request.body) > MAX_REQUEST_BYTES:
                raise _Refused(413, "RequestEntityTooLarge", "The maximum request length supported is 4MB.")
            outcome = self._dispatch(request, where, query)
        except _Refused as refusal:
            outcome = self._error(path, refusal, ids)
        if transient is Fault.DROPPED and not outcome.hang_up:
            self._stats.fault(path, Fault.DROPPED)
            self.mailbox.count("dropped")
            return replace(outcome, hang_up=True)
        if outcome.reply.status < 400:
            self._stats.page(path)
        return outcome

    def _dispatch(self, request: Request, where: MailRoute, query: str) -> Outcome:
        path = where.stats_path
        action = where.action
        if action == "sendMail":
            return self._send_mail(request, path)
        if action == "messages":
            draft = self._compose(_json_object(request.body))
            self.mailbox.add_draft(draft)
            return Outcome(
                json_reply(201, self._with_context(draft.json(self.mailbox.address), "messages/$entity")), path
            )
        if action == "message":
            if request.method == "DELETE":
                if not self.mailbox.delete_draft(where.message_id):
                    raise _not_found()
                return Outcome(Reply(204, b""), path)
            found = self.mailbox.draft_json(where.message_id)
            if found is None:
                raise _not_found()
            return Outcome(json_reply(200, self._with_context(found, "messages/$entity")), path)
        if action == "attachments":
            return self._attach(request, where)
        if action == "createUploadSession":
            return self._create_upload_session(request, where)
        if action == "send":
            return self._send_draft(where)
        if action == "sentItems":
            return self._sent_items(query, path)
        return self._upload(request, where, query)

    # --- composing and handing over ----------------------------------------------------------

    def _send_mail(self, request: Request, path: str) -> Outcome:
        body = _json_object(request.body)
        save = body.get("saveToSentItems", True)
        if not isinstance(save, bool):
            raise _Refused(400, "ErrorInvalidRequest", "saveToSentItems must be true or false.")
        draft = self._compose(body.get("message"))
        self.mailbox.count("sendMail")
        return self._hand_over(draft, "sendMail", save, path)

    def _send_draft(self, where: MailRoute) -> Outcome:
        draft = self.mailbox.take_draft(where.message_id)
        if draft is None:
            raise _not_found()
        self.mailbox.count("sends")
        try:
            return self._hand_over(draft, "send", True, where.stats_path)
        except _Refused:
            self.mailbox.put_back(draft)
            raise

    def _hand_over(self, draft: Draft, via: Literal["sendMail", "send"], save: bool, path: str) -> Outcome:
        """Deliver ``draft`` if Exchange would: recipients, size, injected faults, then the limits."""
        faults = self._faults
        if not draft.recipients:
            raise _Refused(
                400,
                "ErrorInvalidRecipients",
                "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
            )
        for _, address in draft.recipients:
            if address.lower() == self._refused_recipient:
                self.mailbox.count("refused")
                raise _unresolved(address)
        if draft.size() > self._options.mail.max_message_bytes:
            self.mailbox.count("refused")
            raise _too_large()
        with self._lock:
            self._hand_overs += 1
            number = self._hand_overs
        if number in faults.mail_throttle_at:
            self._stats.fault(path, Fault.THROTTLED)
            self.mailbox.count("throttled")
            raise _Refused(
                429,
                "ApplicationThrottled",
                "The mailbox is receiving too many requests. Retry after the time in Retry-After.",
                (("Retry-After", retry_after_value(faults)),),
            )
        refusal = self._limits.admit(len(draft.recipients))
        if refusal is not None:
            wait = max(1, math.ceil(refusal.retry_after))
            if refusal.limit == "rate":
                self._stats.fault(path, Fault.THROTTLED)
                self.mailbox.count("throttled")
                raise _Refused(
                    429,
                    "ApplicationThrottled",
                    f"The mailbox is over its limit of {self._options.mail.rate} messages a minute.",
                    (("Retry-After", str(wait)),),
                )
            resume = utc_now() + timedelta(seconds=wait)
            self.mailbox.count("refused")
            raise _Refused(
                403,
                "ErrorSubmissionQuotaExceeded",
                f"Cannot submit the message: the mailbox has reached its limit of "
                f"{self._options.mail.daily_recipients:,} recipients in 24 hours "
                f"(SubmissionQuotaExceededException). Sending can resume after {resume:%Y-%m-%dT%H:%M:%SZ}.",
                (("Retry-After", str(wait)),),
            )
        self.mailbox.deliver(draft, via=via, save=save, now=utc_now())
        if number in faults.mail_drop_at:
            self._stats.fault(path, Fault.DROPPED)
            self.mailbox.count("dropped")
            return Outcome(Reply(202, b""), path, hang_up=True)
        return Outcome(Reply(202, b""), path)

    def _compose(self, message: Any) -> Draft:
        """A draft from Graph's message JSON, or the 400 Graph answers a bad one with."""
        if not isinstance(message, dict):
            raise _Refused(400, "ErrorInvalidRequest", "The request is missing the message.")
        subject = message.get("subject") or ""
        body = message.get("body") or {}
        if not isinstance(subject, str) or not isinstance(body, dict):
            raise _Refused(400, "BadRequest", "subject must be a string and body an object.")
        body_type = str(body.get("contentType") or "text").lower()
        content = body.get("content") or ""
        if body_type not in ("html", "text") or not isinstance(content, str):
            raise _Refused(400, "BadRequest", "body needs contentType HTML or Text and a string content.")
        internet_message_id = message.get("internetMessageId")
        if internet_message_id is not None and (
            not isinstance(internet_message_id, str) or not _MESSAGE_ID.match(internet_message_id)
        ):
            raise _Refused(400, "ErrorInvalidProperty", "The internetMessageId must have the form <local@domain>.")
        kind: BodyType = "html" if body_type == "html" else "text"
        draft = Draft(
            id=new_item_id(),
            subject=_one_line(subject),
            body_type=kind,
            body=content,
            to=_people(message.get("toRecipients")),
            cc=_people(message.get("ccRecipients")),
            bcc=_people(message.get("bccRecipients")),
            internet_message_id=internet_message_id,
            headers=_headers(message.get("internetMessageHeaders")),
            created=utc_now(),
        )
        attachments = message.get("attachments") or []
        if not isinstance(attachments, list):
            raise _Refused(400, "BadRequest", "attachments must be a list.")
        draft.attachments.extend(_file_attachment(item) for item in attachments)
        if draft.size() > self._options.mail.max_message_bytes:
            self.mailbox.count("refused")
            raise _too_large()
        return draft

    # --- attachments ---------------------------------------------------------------------------

    def _attach(self, request: Request, where: MailRoute) -> Outcome:
        attachment = _file_attachment(_json_object(request.body))
        added = self.mailbox.attach(where.message_id, attachment, self._options.mail.max_message_bytes)
        if added is None:
            raise _not_found()
        if not added:
            self.mailbox.count("refused")
            raise _too_large()
        return Outcome(json_reply(201, self._with_context(attachment.json(), "attachments/$entity")), where.stats_path)

    def _create_upload_session(self, request: Request, where: MailRoute) -> Outcome:
        body = _json_object(request.body)
        item = next((value for key, value in body.items() if key.lower() == "attachmentitem"), None)
        if not isinstance(item, dict):
            raise _Refused(400, "ErrorInvalidRequest", "The request is missing the AttachmentItem.")
        name, size = item.get("name"), item.get("size")
        if str(item.get("attachmentType", "")).lower() != "file" or not isinstance(name, str) or not name:
            raise _Refused(400, "ErrorInvalidRequest", "AttachmentItem needs attachmentType 'file' and a name.")
        if not isinstance(size, int) or isinstance(size, bool) or size < MIN_UPLOAD_BYTES:
            raise _Refused(
                400,
                "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                "Attachment size must be greater than the minimum size.",
            )
        if size > MAX_UPLOAD_BYTES:
            raise _Refused(
                400,
                "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize",
                "Attachment size must be less than the maximum size.",
            )
        content_type = item.get("contentType")
        session = UploadSession(
            id=new_item_id(),
            draft_id=where.message_id,
            name=_one_line(name),
            content_type=content_type if isinstance(content_type, str) and "/" in content_type else "",
            size=size,
            token=secrets.token_urlsafe(32),
            expires=utc_now() + UPLOAD_SESSION_LIFETIME,
        )
        if not self.mailbox.open_session(session):
            raise _not_found()
        owner = f"{self.mailbox.object_id}@{self._options.tenant_id}"
        url = (
            f"{self._base_url}/api/v2.0/Users('{owner}')/Messages('{where.message_id}')"
            f"/AttachmentSessions('{session.id}')?authtoken={session.token}"
        )
        return Outcome(
            json_reply(
                201,
                {
                    "@odata.context": f"{self._base_url}/v1.0/$metadata#microsoft.graph.uploadSession",
                    "uploadUrl": url,
                    "expirationDateTime": precise_timestamp(session.expires),
                    "nextExpectedRanges": ["0-"],
                },
            ),
            where.stats_path,
        )

    def _upload(self, request: Request, where: MailRoute, query: str) -> Outcome:
        """A ``PUT`` (or ``DELETE``) on an upload URL: authorised by its ``authtoken``, never by a bearer token."""
        if request.method not in _METHODS["upload"]:
            raise _Refused(405, "Request_BadRequest", f"The HTTP method '{request.method}' is not allowed.")
        if request.headers.get("authorization"):
            self.mailbox.count("uploadWithAuthorization")
            raise _Refused(
                401, "InvalidAudience", "The upload URL is pre-authenticated: send no Authorization header with it."
            )
        session = self.mailbox.session(where.session_id)
        token = dict(parse_qsl(query)).get("authtoken", "")
        owner = f"{self.mailbox.object_id}@{self._options.tenant_id}"
        if (
            session is None
            or session.draft_id != where.message_id
            or where.user.lower() != owner
            or not hmac.compare_digest(token.encode(), session.token.encode())
        ):
            raise _Refused(404, "ErrorItemNotFound", "The upload session was not found, or its URL is not valid.")
        if utc_now() > session.expires:
            self.mailbox.cancel_session(session.id)
            raise _Refused(404, "ErrorItemNotFound", "The upload session has expired.")
        if request.method == "DELETE":
            self.mailbox.cancel_session(session.id)
            return Outcome(Reply(204, b""), where.stats_path)
        match = _CONTENT_RANGE.match(request.headers.get("content-range", "").strip())
        if match is None:
            raise _Refused(400, "InvalidContentRange", "Content-Range must be 'bytes {start}-{end}/{total}'.")
        start, end, total = (int(group) for group in match.groups())
        if len(request.body) > MAX_CHUNK_BYTES:
            raise _Refused(413, "RequestEntityTooLarge", "An upload chunk may have at most 4 MB.")
        if total != session.size or end < start or end >= total or end - start + 1 != len(request.body):
            raise _Refused(
                400,
                "InvalidContentRange",
                f"Content-Range bytes {start}-{end}/{total} does not fit a body of {len(request.body)} "
                f"bytes in an attachment of {session.size} bytes.",
            )
        outcome, expected, attachment_id = self.mailbox.receive_chunk(
            session.id, start, request.body, self._options.mail.max_message_bytes
        )
        if outcome in ("overlap", "gap"):
            relation = "overlaps what was already received" if outcome == "overlap" else "leaves a gap"
            raise _Refused(
                416,
                "InvalidRange",
                f"The fragment starting at byte {start} {relation}; the next expected byte is {expected}.",
            )
        if outcome == "gone":
            raise _not_found()
        if outcome == "too-large":
            self.mailbox.count("refused")
            raise _too_large()
        context = f"{self._base_url}/api/v2.0/$metadata#Users('{owner}')/Messages('{where.message_id}')"
        if outcome == "partial":
            body = {
                "@odata.context": f"{context}/AttachmentSessions/$entity",
                "expirationDateTime": precise_timestamp(session.expires),
                "nextExpectedRanges": [str(expected)],
            }
            return Outcome(json_reply(200, body), where.stats_path)
        location = (
            f"{self._base_url}/api/v2.0/Users('{owner}')/Messages('{where.message_id}')/Attachments('{attachment_id}')"
        )
        return Outcome(Reply(201, b"", (("Location", location),)), where.stats_path)

    # --- Sent Items ------------------------------------------------------------------------------

    def _sent_items(self, query: str, path: str) -> Outcome:
        options = {key.lower(): value for key, value in parse_qsl(query, keep_blank_values=True)}
        wanted = options.get("$filter")
        if wanted is None:
            items = self.mailbox.sent_items()
            top = options.get("$top", "10")
            items = items[-int(top) :][::-1] if top.isdigit() and int(top) > 0 else []
        else:
            match = _FILTER.match(wanted)
            if match is None:
                raise _Refused(
                    400, "ErrorInvalidUrlQueryFilter", "The only filter supported here is internetMessageId eq '<...>'."
                )
            items = self.mailbox.sent_items(match.group(1).replace("''", "'"))
        if "$select" in options:
            selected = {name.strip() for name in options["$select"].split(",")} | {"id"}
            items = [{key: value for key, value in item.items() if key in selected} for item in items]
        return Outcome(json_reply(200, self._with_context({"value": items}, "messages")), path)

    # --- answers ---------------------------------------------------------------------------------

    def _with_context(self, body: JsonObject, what: str) -> JsonObject:
        user = self.mailbox.object_id
        return {"@odata.context": f"{self._base_url}/v1.0/$metadata#users('{user}')/{what}", **body}

    def _error(self, path: str, refusal: _Refused, ids: _Ids) -> Outcome:
        reply = graph_error(refusal.status, refusal.code, refusal.message, ids.request_id, ids.client_request_id)
        return Outcome(replace(reply, headers=refusal.headers), path)


def _not_found() -> _Refused:
    return _Refused(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def _too_large() -> _Refused:
    return _Refused(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.")


def _unresolved(address: str) -> _Refused:
    return _Refused(
        400,
        "ErrorInvalidRecipients",
        f"At least one recipient isn't valid., Recipient '{address}' isn't resolved. All recipients must be "
        "resolved before a message can be submitted.",
    )


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise _Refused(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header "
            "is set and payload is of valid JSON format.",
        )
    return data


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def _people(value: Any) -> tuple[Address, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Refused(400, "BadRequest", "Recipients must be a list.")
    people: list[Address] = []
    for item in value:
        email = item.get("emailAddress") if isinstance(item, dict) else None
        address = email.get("address") if isinstance(email, dict) else None
        if not isinstance(address, str) or not _ADDRESS.match(address):
            raise _unresolved(str(address))
        name = email.get("name") if isinstance(email, dict) else None
        people.append((_one_line(name) if isinstance(name, str) else "", address))
    return tuple(people)


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Refused(400, "BadRequest", "internetMessageHeaders must be a list.")
    headers: list[tuple[str, str]] = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else None
        text = item.get("value") if isinstance(item, dict) else None
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise _Refused(
                400,
                "InvalidInternetMessageHeader",
                f"The internet message header name '{name}' should start with 'x-' or 'X-'.",
            )
        headers.append((name, _one_line(text) if isinstance(text, str) else ""))
    return tuple(headers)


def _file_attachment(item: Any) -> FileAttachment:
    if not isinstance(item, dict) or str(item.get("@odata.type", "")).lower() != "#microsoft.graph.fileattachment":
        raise _Refused(400, "BadRequest", "Only #microsoft.graph.fileAttachment attachments are supported here.")
    name, content_type, encoded = item.get("name"), item.get("contentType"), item.get("contentBytes")
    if not isinstance(name, str) or not name or not isinstance(encoded, str):
        raise _Refused(400, "BadRequest", "A file attachment needs a name and contentBytes.")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _Refused(400, "BadRequest", f"The contentBytes of '{name}' are not valid base64.") from None
    kind = content_type if isinstance(content_type, str) and "/" in content_type else ""
    return FileAttachment(new_item_id(), _one_line(name), kind, data)
