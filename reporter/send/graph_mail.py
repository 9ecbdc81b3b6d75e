"""Sending through Microsoft Graph (Exchange Online) as one mailbox, app-only: ``GraphMailTransport``.

A delivery whose attachments total under 3 MiB, in a request within Graph's
4 MiB cap, goes in one ``POST /users/{sender}/sendMail``. A larger one goes
the long way: a draft (``POST /users/{sender}/messages``), each attachment under
3 MiB posted to it, each one of 3 MiB or more uploaded through an upload session
in chunks of 3.75 MiB (a multiple of 320 KiB) by pre-authenticated ``PUT``s that
carry no token, then ``POST .../messages/{id}/send``. Either way the message's
``internetMessageId`` is the delivery's ``Message-ID`` and it carries the
``X-Reporter-*`` headers, so ``was_delivered`` finds it in Sent Items.

Exactly once: ``sendMail`` and ``send`` are never repeated once they may have
reached Graph (``idempotent=False``): only an answer saying Graph did not take
the message (429, 503) is retried, after its ``Retry-After``. A lost answer (a
dropped connection, a timeout, a 5xx) raises ``DeliveryUnknown``: Sent Items
settles it. A draft left by a failure before ``send`` is deleted; when that
fails too, the error says which draft remains.

Failures, each one line with its cause and what to do (see ``reporter.send.transport``
for the kinds): ``ErrorAccessDenied`` (the app lacks Mail.Send, or an Exchange
admin's RBAC for Applications scope leaves this mailbox out), ``MailboxNotEnabledForRESTAPI``
(no Exchange Online mailbox), ``ErrorInvalidUser`` (no such mailbox) and the daily
recipient limit (saying when sending can go on, when Graph says) stop the send:
``SendError``. ``ErrorMessageSizeExceeded`` and ``ErrorInvalidRecipients`` refuse
one delivery: ``DeliveryRefused``. Sign-in failures arrive as ``AuthError``.

Upload URLs carry a credential (``authtoken``) in their query: it is cut out of
every message and log line.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from reporter.clock import Clock, SystemClock
from reporter.errors import ConfigError, GraphError, ReporterError, SendError
from reporter.graph.auth import create_token_source
from reporter.graph.client import GraphClient, describe, error_code
from reporter.graph.http import build_http_client
from reporter.graph.retry import Retrier, RetryPolicy, RunBudget, parse_retry_after
from reporter.graph.settings import GraphSettings
from reporter.send.message import PARTNER_KEY, Attachment, Delivery
from reporter.send.transport import DeliveryRefused, DeliveryUnknown, LimitReached

log = logging.getLogger(__name__)

MIB = 1024 * 1024
UPLOAD_SESSION_MIN = 3 * MIB
"""An attachment this large or larger goes through an upload session (Graph refuses smaller ones there)."""
MAX_REQUEST_BYTES = 4 * MIB
"""Graph's cap on one request, base64 included."""
CHUNK_BYTES = 12 * 320 * 1024
"""3.75 MiB: a multiple of 320 KiB, under the 4 MiB a chunk may have."""

_JSON = {"Content-Type": "application/json"}
_AUTHTOKEN = re.compile(r"(authtoken=)[^&\s)'\"]+", re.IGNORECASE)
_REFUSED_ADDRESS = re.compile(r"Recipient '([^']+)'")
_QUOTA_CODES = frozenset({"ErrorSubmissionQuotaExceeded", "ErrorExceededMessageLimit", "SubmissionQuotaExceeded"})
_NO_MAILBOX_CODES = frozenset(
    {"ErrorInvalidUser", "ResourceNotFound", "Request_ResourceNotFound", "ErrorNonExistentMailbox"}
)


class GraphMailTransport:
    """``MailTransport`` over ``GraphClient.request``: up to four deliveries at a time, as one mailbox."""

    name = "graph"
    can_look_up = True
    concurrency = 4

    def __init__(
        self,
        graph: GraphClient,
        sender: str,
        *,
        clock: Clock | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        sender = sender.strip()
        if not sender or any(c.isspace() or c in "/?#" for c in sender):
            raise ConfigError(
                f"sender {sender!r:.80} is not a mailbox",
                "set [send] sender to the address (or object id) of an Exchange Online mailbox",
            )
        self._graph = graph
        self.sender = sender
        self._user = f"/users/{quote(sender, safe='@')}"
        self._clock = clock or SystemClock()
        self._on_close = on_close
        self._close_lock = threading.Lock()

    # --- MailTransport --------------------------------------------------------------------------

    def open(self) -> None:
        """Look into the sender's Sent Items once: a wrong mailbox, or an app that may not read it, stops here.

        Reading Sent Items is what makes a send that was killed safe to run again, so a
        send does not start without it.
        """
        probe = Delivery(PARTNER_KEY, "", self.sender, (), (), "", "", "", (), "<probe@reporter.invalid>")
        self.was_delivered(probe)

    def deliver(self, delivery: Delivery, handing_over: Callable[[], None] | None = None) -> None:
        """Hand ``delivery`` over; returns once Graph accepted it (202), else raises a ``SendError``."""
        if delivery.size < UPLOAD_SESSION_MIN:
            request = _encode({"message": _message(delivery, with_attachments=True), "saveToSentItems": True})
            if len(request) <= MAX_REQUEST_BYTES:
                self._hand_over(f"{self._user}/sendMail", request, delivery, handing_over)
                return
        self._deliver_as_draft(delivery, handing_over)

    def was_delivered(self, delivery: Delivery) -> bool:
        """Whether the sender's Sent Items hold a message with ``delivery.message_id``.

        Exchange files a sent message in Sent Items some seconds after accepting it (longer when busy):
        ``False`` just after a ``DeliveryUnknown`` is not yet proof that it did not go.
        """
        expression = "internetMessageId eq '{}'".format(delivery.message_id.replace("'", "''"))
        query = f"$filter={quote(expression, safe='')}&$select=internetMessageId"
        path = f"{self._user}/mailFolders/sentitems/messages?{query}"
        response = self._call("GET", path, delivery, "searching Sent Items")
        if response.status_code != 200:
            raise self._failure(response, delivery, looking_up=True)
        items = _json(response, delivery, "searching Sent Items").get("value")
        if not isinstance(items, list):
            raise SendError(f"{describe(response)}: the answer has no 'value' list", "try again later")
        wanted = delivery.message_id.lower()
        return any(
            isinstance(item, dict) and str(item.get("internetMessageId", "")).lower() == wanted for item in items
        )

    def close(self) -> None:
        with self._close_lock:
            on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    # --- the long way ------------------------------------------------------------------------------

    def _deliver_as_draft(self, delivery: Delivery, handing_over: Callable[[], None] | None = None) -> None:
        try:
            response = self._call(
                "POST",
                f"{self._user}/messages",
                delivery,
                "creating a draft",
                content=_encode(_message(delivery, with_attachments=False)),
                headers=_JSON,
                idempotent=False,  # a second draft on a lost answer would be left behind
            )
        except SendError as exc:
            raise SendError(
                f"{exc.message}; if Graph made the draft before the connection failed, it is in {self.sender}'s "
                f"Drafts folder (Message-ID {delivery.message_id})",
                exc.hint,
            ) from None
        if response.status_code != 201:
            raise self._failure(response, delivery)
        draft = _json(response, delivery, "creating a draft").get("id")
        if not isinstance(draft, str) or not draft:
            raise SendError(f"{describe(response)}: the draft has no id", "try again later")
        draft_path = f"{self._user}/messages/{quote(draft, safe='')}"
        try:
            for attachment in delivery.attachments:
                if len(attachment.data) >= UPLOAD_SESSION_MIN:
                    self._upload(draft_path, attachment, delivery)
                else:
                    self._attach(draft_path, attachment, delivery)
            self._hand_over(f"{draft_path}/send", b"", delivery, handing_over)
        except DeliveryUnknown as exc:
            raise DeliveryUnknown(
                f"{exc.message}; if it did not go, its draft is still in {self.sender}'s Drafts folder", exc.hint
            ) from None
        except ReporterError as exc:
            raise self._without_draft(exc, draft_path, delivery) from None

    def _attach(self, draft_path: str, attachment: Attachment, delivery: Delivery) -> None:
        response = self._call(
            "POST",
            f"{draft_path}/attachments",
            delivery,
            f"attaching {attachment.name}",
            content=_encode(_file_attachment(attachment)),
            headers=_JSON,
            idempotent=False,  # a retry after a lost answer could attach the file twice
        )
        if response.status_code != 201:
            raise self._failure(response, delivery)

    def _upload(self, draft_path: str, attachment: Attachment, delivery: Delivery) -> None:
        size = len(attachment.data)
        item = {"attachmentType": "file", "name": attachment.name, "size": size, "contentType": attachment.content_type}
        response = self._call(
            "POST",
            f"{draft_path}/attachments/createUploadSession",
            delivery,
            f"opening an upload session for {attachment.name}",
            content=_encode({"AttachmentItem": item}),
            headers=_JSON,
        )
        if response.status_code not in (200, 201):
            raise self._failure(response, delivery)
        url = _json(response, delivery, "opening an upload session").get("uploadUrl")
        if not isinstance(url, str) or urlsplit(url).scheme != "https":
            raise SendError(f"{describe(response)}: the upload session has no https uploadUrl", "try again later")
        for start in range(0, size, CHUNK_BYTES):
            chunk = attachment.data[start : start + CHUNK_BYTES]
            end = start + len(chunk) - 1
            headers = {"Content-Range": f"bytes {start}-{end}/{size}", "Content-Type": "application/octet-stream"}
            what = f"uploading {attachment.name} (bytes {start}-{end} of {size})"
            try:  # the upload URL is pre-authenticated: no token goes with it
                response = self._graph.request(
                    "PUT", url, content=chunk, headers=headers, authorized=False, idempotent=False
                )
            except GraphError as exc:
                raise SendError(f"{_who(delivery)}: {what} failed: {_redact(exc.message)}", exc.hint) from None
            last = end == size - 1
            if response.status_code != (201 if last else 200):
                if response.status_code in (200, 201):
                    raise SendError(
                        f"{_who(delivery)}: {what}: the upload session answered HTTP {response.status_code} "
                        f"({_redact(describe(response))})",
                        "try again later",
                    )
                raise self._failure(response, delivery)
            if not last:
                expected = _next_expected(response)
                if expected is not None and expected != end + 1:
                    raise SendError(
                        f"{_who(delivery)}: {what}: the upload session expects byte {expected} next, not {end + 1}",
                        "try again later",
                    )

    def _without_draft(self, error: ReporterError, draft_path: str, delivery: Delivery) -> ReporterError:
        """``error``, after deleting the draft it left; saying so if the draft could not be deleted."""
        try:
            response = self._graph.request("DELETE", draft_path)
        except ReporterError as exc:
            left = f"could not be deleted ({_first(exc.message)})"
        else:
            if response.status_code in (200, 204, 404):
                return error
            left = f"could not be deleted (HTTP {response.status_code})"
        return type(error)(
            f"{error.message}; its draft (Message-ID {delivery.message_id}) {left}: delete it from "
            f"{self.sender}'s Drafts folder",
            error.hint,
        )

    # --- one request ----------------------------------------------------------------------------------

    def _hand_over(
        self, path: str, content: bytes, delivery: Delivery, handing_over: Callable[[], None] | None
    ) -> None:
        """``sendMail`` or ``send``: sent once; a lost answer is ``DeliveryUnknown``."""
        what = "sendMail" if path.endswith("/sendMail") else "send"
        if handing_over is not None:
            handing_over()
        try:
            response = self._graph.request(
                "POST", path, content=content, headers=_JSON if content else None, idempotent=False
            )
        except GraphError as exc:
            if not exc.reached:  # never left: nothing can have been sent, and nothing more will go now
                raise SendError(exc.message, exc.hint) from None
            raise _unknown(delivery, what, _first(exc.message)) from None
        if response.status_code == 202:
            return
        if response.status_code >= 500 and response.status_code != 503:
            raise _unknown(delivery, what, describe(response))
        raise self._failure(response, delivery)

    def _call(
        self,
        method: str,
        path: str,
        delivery: Delivery,
        what: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """A request before the hand-over: a network failure stops the send (nothing went)."""
        try:
            return self._graph.request(method, path, content=content, headers=headers, idempotent=idempotent)
        except GraphError as exc:
            raise SendError(f"{_who(delivery)}: {what} failed: {exc.message}", exc.hint) from None

    def _failure(self, response: httpx.Response, delivery: Delivery, *, looking_up: bool = False) -> SendError:
        """Graph's error answer as the kind of failure it is, in one line."""
        status = response.status_code
        code, text = error_code(response)
        line = _redact(describe(response))
        sender = self.sender
        if code in _QUOTA_CODES or "SubmissionQuotaExceeded" in text:
            return LimitReached(
                f"{sender} has reached Exchange Online's daily recipient limit{self._resume(response)} ({line})",
                "Exchange Online takes 10,000 recipients a day per mailbox; run the send again then: "
                "messages already sent are not sent again",
            )
        if code == "ErrorAccessDenied" or status == 403:
            if looking_up:
                hint = (
                    f"searching {sender}'s Sent Items needs the Graph application permission Mail.ReadBasic, "
                    "Mail.Read or Mail.ReadWrite with admin consent (or an RBAC for Applications role on the mailbox)"
                )
            else:
                hint = (
                    "grant the app the Microsoft Graph application permission Mail.Send (and Mail.ReadWrite for "
                    "large attachments) with admin consent; if an Exchange admin limits the app (RBAC for "
                    f"Applications, or an older application access policy), assign it 'Application Mail.Send' with a "
                    f"management scope that includes {sender} (Test-ServicePrincipalAuthorization shows what the app "
                    "may reach)"
                )
            return SendError(f"Graph denied the app access to the mailbox {sender} ({line})", hint)
        if code in ("MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI"):
            return SendError(
                f"{sender} has no Exchange Online mailbox that Graph can use ({line})",
                "make [send] sender an Exchange Online mailbox: a licensed user's, or a shared mailbox (no licence "
                "needed); an on-premises or inactive mailbox cannot send through Graph",
            )
        if code in _NO_MAILBOX_CODES or (status == 404 and code != "ErrorItemNotFound"):
            return SendError(
                f"there is no mailbox {sender} in the tenant ({line})",
                "check [send] sender: the address or object id of an Exchange Online mailbox in the partner tenant",
            )
        if code == "ErrorMessageSizeExceeded":
            return DeliveryRefused(
                f"{_who(delivery)}: with {_mib(delivery.size)} of attachments it is over the tenant's maximum "
                f"message size ({line})",
                "send smaller documents, or have an Exchange admin raise the mailbox's MaxSendSize (35 MB by default)",
            )
        if code == "ErrorInvalidRecipients":
            found = _REFUSED_ADDRESS.search(text)
            address = found.group(1) if found else ", ".join(delivery.recipients)
            return DeliveryRefused(
                f"{_who(delivery)}: Exchange refused the recipient {address} ({line})",
                "correct the address in the customers file",
            )
        if status == 401:
            return SendError(
                f"Graph refused the app's token twice ({line})",
                "check that the app registration is in the partner tenant and the token audience is Graph",
            )
        if status in (429, 503, 504):
            return SendError(f"Graph is still throttling or unavailable after retrying ({line})", "try again later")
        if status == 413:
            return DeliveryRefused(f"{_who(delivery)}: the request was too large for Graph ({line})")
        if status >= 500:
            return SendError(f"Graph failed ({line})", "try again later")
        return DeliveryRefused(f"{_who(delivery)}: Graph refused the message ({line})")

    def _resume(self, response: httpx.Response) -> str:
        """``; sending can go on after ...`` when Graph says when, else nothing."""
        now = self._clock.now()
        seconds = parse_retry_after(response.headers.get("Retry-After"), now)
        if seconds is None or not math.isfinite(seconds):
            return ""
        return f"; sending can go on after {now + timedelta(seconds=seconds):%Y-%m-%d %H:%M} UTC"


def open_graph_mail(
    settings: GraphSettings,
    sender: str,
    *,
    budget_seconds: float,
    clock: Clock | None = None,
    transport: httpx.BaseTransport | None = None,
    retry_policy: RetryPolicy | None = None,
) -> GraphMailTransport:
    """Sign in as the app and return a transport sending as ``sender``; ``close()`` it when done.

    Everything it does, throttling waits included, shares one time budget of
    ``budget_seconds`` (a long send needs a long one: Exchange takes 30 messages a minute).
    """
    if not 0 < budget_seconds < math.inf:
        raise ValueError("budget_seconds must be a positive, finite number of seconds")
    clock = clock or SystemClock()
    budget = RunBudget(clock, budget_seconds)
    http = build_http_client(replace(settings, time_budget=budget_seconds), transport, remaining=budget.remaining)
    try:
        retrier = Retrier(budget, retry_policy, notice=_notice)
        tokens = create_token_source(settings, http, retrier, clock)
        tokens.token()  # sign in now: a wrong secret stops the send before any message
        graph = GraphClient(http, settings.graph_url, tokens, retrier)
        return GraphMailTransport(graph, sender, clock=clock, on_close=http.close)
    except BaseException:
        http.close()
        raise


# --- Graph's shapes ---------------------------------------------------------------------------------------


def _message(delivery: Delivery, *, with_attachments: bool) -> dict[str, Any]:
    body = (
        {"contentType": "HTML", "content": delivery.html}
        if delivery.html
        else {"contentType": "Text", "content": delivery.text}
    )
    message: dict[str, Any] = {
        "subject": delivery.subject,
        "body": body,
        "toRecipients": [{"emailAddress": {"address": address}} for address in delivery.to],
        "ccRecipients": [{"emailAddress": {"address": address}} for address in delivery.cc],
        "internetMessageId": delivery.message_id,
        "internetMessageHeaders": [
            {"name": "X-Reporter-Period", "value": delivery.period},
            {"name": "X-Reporter-Delivery", "value": delivery.key},
        ],
    }
    if with_attachments:
        message["attachments"] = [_file_attachment(attachment) for attachment in delivery.attachments]
    return message


def _file_attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": attachment.name,
        "contentType": attachment.content_type,
        "contentBytes": base64.b64encode(attachment.data).decode("ascii"),
    }


def _encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _json(response: httpx.Response, delivery: Delivery, what: str) -> dict[str, Any]:
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise SendError(f"{_who(delivery)}: {what}: the answer is not a JSON object ({describe(response)})")
    return data


def _next_expected(response: httpx.Response) -> int | None:
    """The first byte an upload session still expects (``nextExpectedRanges: ["2097152"]`` or ``["2097152-"]``)."""
    try:
        ranges = json.loads(response.content).get("nextExpectedRanges")
        first = str(ranges[0]).split("-", 1)[0]
    except (ValueError, AttributeError, TypeError, IndexError, KeyError):
        return None
    return int(first) if first.isdigit() else None


def _unknown(delivery: Delivery, what: str, cause: str) -> DeliveryUnknown:
    return DeliveryUnknown(
        f"{_who(delivery)}: {what} got no answer ({cause}); the message (Message-ID {delivery.message_id}) "
        "may or may not have gone",
        "it is looked up in the sender's Sent Items before it is ever sent again",
    )


def _who(delivery: Delivery) -> str:
    return f"message to {delivery.customer or delivery.key}"


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB"


def _first(text: str) -> str:
    return " ".join(text.split())


def _redact(text: str) -> str:
    """``text`` without the credential an upload URL carries."""
    return _AUTHTOKEN.sub(r"\1…", text)


def _notice(message: str) -> None:
    log.info("%s", _redact(message))
