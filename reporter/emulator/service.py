"""From one HTTP request to one answer: routing, Graph's checks and errors, and injected faults.

No sockets here: the server hands in a ``Request`` and writes out the ``Outcome``.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

from reporter.emulator.entra import Entra
from reporter.emulator.faults import Fault, FaultPlan, StatsRecorder, retry_after_value
from reporter.emulator.graph import (
    ALERTS_PATH,
    EXPANDABLE,
    INSIGHTS_PATH,
    SCORE_PATH,
    Collection,
    GraphResources,
    InvalidSkipToken,
    decode_skiptoken,
)
from reporter.emulator.mail import MailService
from reporter.emulator.mail import route as mail_route
from reporter.emulator.mailbox import Mailbox
from reporter.emulator.options import ENDLESS_BODY_BYTES, EmulatorOptions
from reporter.emulator.wire import JsonObject, Outcome, Reply, Request, graph_error, json_bytes, json_reply

GRAPH_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
ENTRA_CONTENT_TYPE = "application/json; charset=utf-8"
_DISCOVERY = re.compile(r"^/([^/]+)/v2\.0/\.well-known/openid-configuration$")
_TOKEN = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
_MAX_TOP = 999


class Service:
    def __init__(
        self,
        options: EmulatorOptions,
        resources: GraphResources,
        entra: Entra,
        stats: StatsRecorder,
        mailbox: Mailbox,
    ) -> None:
        self._options = options
        self._resources = resources
        self._entra = entra
        self._stats = stats
        self._plan = FaultPlan(options.faults)
        self._paths = {path.lower(): path for path in (SCORE_PATH, *resources.collections)}
        self._mail = MailService(options, mailbox, entra, stats, self._plan, resources.graph_url)
        self._latency = options.faults.latency_ms / 1000

    def handle(self, request: Request) -> Outcome:
        parts = urlsplit(request.target)
        path = parts.path
        mail = mail_route(path)
        self._stats.request(mail.stats_path if mail is not None else path)
        client_request_id = request.headers.get("client-request-id") or str(uuid.uuid4())
        request_id = str(uuid.uuid4())
        redirect = self._options.faults.redirect
        if mail is not None and redirect is None:
            # The mailbox's concurrency limit counts a request from its start, latency included.
            outcome = self._mail.handle(request, mail, parts.query, request_id, client_request_id)
            content_type = GRAPH_CONTENT_TYPE
        elif mail is not None or path.startswith(("/beta/", "/v1.0/")):
            self._pause()
            outcome = self._graph(request, path, parts.query, request_id, client_request_id)
            content_type = GRAPH_CONTENT_TYPE
        else:
            self._pause()
            outcome = Outcome(self._entra_route(request, path), path)
            content_type = ENTRA_CONTENT_TYPE
        if any(name.lower() == "content-type" for name, _ in outcome.reply.headers):
            content_type = ""
        headers = (
            *((("Content-Type", content_type),) if content_type else ()),
            ("request-id", request_id),
            ("client-request-id", client_request_id),
            ("x-ms-request-id", request_id),
            ("Cache-Control", "no-store, no-cache"),
            ("Strict-Transport-Security", "max-age=31536000"),
            *outcome.reply.headers,
        )
        return replace(outcome, reply=replace(outcome.reply, headers=headers))

    def _pause(self) -> None:
        if self._latency:
            time.sleep(self._latency)

    # --- Entra ID ---------------------------------------------------------------------

    def _entra_route(self, request: Request, path: str) -> Reply:
        if match := _DISCOVERY.match(path):
            if request.method != "GET":
                return _entra_not_found()
            return self._entra.openid_configuration(match.group(1))
        if match := _TOKEN.match(path):
            if request.method != "POST":
                return _entra_not_found()
            form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
            reply = self._entra.token(match.group(1), form)
            if reply.status == 200:
                self._stats.token()
            return reply
        return _entra_not_found()

    # --- Graph ------------------------------------------------------------------------

    def _graph(self, request: Request, path: str, query: str, request_id: str, client_request_id: str) -> Outcome:
        def error(status: int, code: str, message: str, fault: Fault | None = None) -> Outcome:
            if fault is not None:
                self._stats.fault(path, fault)
            return Outcome(graph_error(status, code, message, request_id, client_request_id), path)

        faults = self._options.faults
        if faults.redirect is not None:
            self._stats.fault(path, Fault.REDIRECT)
            return Outcome(_redirect(faults.redirect), path)
        canonical = self._paths.get(path.rstrip("/").lower())
        if canonical is None:
            segment = path.rstrip("/").rsplit("/", 1)[-1]
            return error(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        path = canonical
        if request.method != "GET":
            return error(405, "Request_BadRequest", f"The HTTP method '{request.method}' is not allowed.")
        problem = self._entra.check_bearer(request.headers.get("authorization"))
        if problem is not None:
            outcome = error(401, problem.code, problem.message, Fault.UNAUTHORIZED)
            www = ("WWW-Authenticate", 'Bearer realm="", error="invalid_token"')
            return replace(outcome, reply=replace(outcome.reply, headers=(www,)))
        if faults.forbidden or (faults.contracts_forbidden and path == "/v1.0/contracts"):
            return error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.",
                         Fault.FORBIDDEN)  # fmt: skip
        if faults.alerts_failing and path.endswith("/securityAlerts"):
            return error(500, "InternalServerError", "An internal server error occurred.", Fault.FAILING)
        transient = self._plan.draw(request.target)
        if transient is Fault.THROTTLED:
            outcome = error(429, "TooManyRequests", "Too many requests. Retry after the time in Retry-After.",
                            Fault.THROTTLED)  # fmt: skip
            return replace(outcome, reply=replace(outcome.reply, headers=(("Retry-After", retry_after_value(faults)),)))
        if transient is Fault.UNAVAILABLE:
            return error(503, "ServiceUnavailable", "The service is temporarily unavailable.", Fault.UNAVAILABLE)
        options = {key.lower(): value for key, value in parse_qsl(query, keep_blank_values=True)}
        try:
            if path == SCORE_PATH:
                body = self._score(options)
                reply = json_reply(200, body)
            else:
                reply = self._page(self._resources.collections[path], request.target, options)
        except _BadQuery as exc:
            return error(400, "BadRequest", str(exc))
        if transient is Fault.DROPPED:
            self._stats.fault(path, Fault.DROPPED)
            return Outcome(reply, path, drop=True)
        if path == INSIGHTS_PATH and reply.status == 200:
            if faults.huge_body is not None:
                self._stats.fault(path, Fault.HUGE_BODY)
                size = ENDLESS_BODY_BYTES if faults.huge_body == "endless" else faults.huge_body
                return Outcome(reply, path, filler=size, filler_declared=faults.huge_body_declared)
            if faults.trickle is not None:
                self._stats.fault(path, Fault.TRICKLE)
                return Outcome(reply, path, trickle=faults.trickle)
        self._stats.page(path)
        return Outcome(reply, path)

    def _score(self, options: dict[str, str]) -> JsonObject:
        _reject(options, ("$filter", "$top", "$skip", "$orderby"))
        expand = tuple(part.strip() for part in options.get("$expand", "").split(",") if part.strip())
        for name in expand:
            if name not in EXPANDABLE:
                raise _BadQuery(
                    f"Could not find a property named '{name}' on type "
                    "'microsoft.graph.partner.security.partnerSecurityScore'."
                )
        return self._resources.score(expand)

    def _page(self, collection: Collection, target: str, options: dict[str, str]) -> Reply:
        resources = self._resources
        if collection.path == INSIGHTS_PATH:
            _reject(options, ("$top", "$skip", "$filter", "$orderby"))
        else:
            _reject(options, ("$skip", "$filter", "$orderby"))
        token = options.get("$skiptoken")
        try:
            offset = 0 if token is None else decode_skiptoken(token)
        except InvalidSkipToken:
            raise _BadQuery("The $skiptoken is not valid.") from None
        body = resources.page(collection, offset)
        if options.get("$count", "").lower() == "true":
            body = {"@odata.count": len(collection.items), **body}
        if "$select" in options and collection.path == ALERTS_PATH:
            body = {**body, "value": [_select(item, options["$select"]) for item in body["value"]]}
        if collection.path != INSIGHTS_PATH:
            return json_reply(200, body)
        return self._break_insights_page(collection, offset, target, body)

    def _break_insights_page(self, collection: Collection, offset: int, target: str, body: JsonObject) -> Reply:
        """Apply ``malformed_page`` and ``repeat_next_link`` to the chosen customerInsights page."""
        faults = self._options.faults
        resources = self._resources
        victim = resources.page_size if resources.page_count(collection) > 1 else 0
        if offset != victim:
            return json_reply(200, body)
        if faults.repeat_next_link:
            self._stats.fault(collection.path, Fault.REPEATED_LINK)
            body = {**body, "@odata.nextLink": f"{resources.graph_url}{target}"}
        if faults.malformed_page == "missing-tenant-id" and body["value"]:
            self._stats.fault(collection.path, Fault.MALFORMED)
            first = {key: value for key, value in body["value"][0].items() if key != "tenantId"}
            body = {**body, "value": [first, *body["value"][1:]]}
        if faults.malformed_page == "truncated":
            self._stats.fault(collection.path, Fault.MALFORMED)
            raw = json_bytes(body)
            return Reply(200, raw[: len(raw) // 2])
        return json_reply(200, body)


def _select(item: JsonObject, select: str) -> JsonObject:
    """``$select``: the named properties, plus ``id`` and ``@odata.type`` as Graph keeps them."""
    wanted = {name.strip() for name in select.split(",")} | {"id", "@odata.type"}
    return {key: value for key, value in item.items() if key in wanted}


class _BadQuery(ValueError):
    """A query Graph would refuse with 400."""


def _reject(options: dict[str, str], names: tuple[str, ...]) -> None:
    for name in names:
        if name in options:
            option = name.removeprefix("$").capitalize()
            raise _BadQuery(
                f"The query specified in the URI is not valid. Query option '{option}' is not allowed. "
                "To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or "
                "QueryValidationSettings."
            )


def _redirect(location: str) -> Reply:
    """A 302 as a proxy or captive portal sends it: a Location and a small HTML page."""
    page = f'<html><body>Moved <a href="{location}">here</a>.</body></html>'.encode()
    return Reply(302, page, (("Location", location), ("Content-Type", "text/html; charset=utf-8")))


def _entra_not_found() -> Reply:
    return Reply(404, b"", ())
