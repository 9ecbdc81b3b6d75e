"""The Microsoft Graph client: GET (with retries and token refresh), JSON and paging; POST and PUT for mail.

Every request carries a fresh ``client-request-id`` and is recorded, with the
response's ``request-id``, for the snapshot's provenance; any failure names both
ids. Paging follows the whole ``@odata.nextLink`` as given until it is absent,
and stops on a link that repeats or leaves the Graph host. Every answer is read
within bounds (``reporter.graph.bounded``): at most ``MAX_GRAPH_RESPONSE_BYTES``,
and within the run's time budget.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from reporter.errors import DataError, GraphError
from reporter.graph.auth import TokenSource
from reporter.graph.bounded import MAX_GRAPH_RESPONSE_BYTES, read_bounded
from reporter.graph.retry import NOT_SENT_EXCEPTIONS, Retrier, describe_network_error, request_ids
from reporter.model import RequestRecord

log = logging.getLogger(__name__)

FORBIDDEN_HINT = "check the app's Microsoft Graph application permissions and their admin consent"


REDIRECT_HINT = (
    "redirects are not followed, so the token never goes to another host; check [graph] graph_url, "
    "or a proxy between here and Graph"
)


@dataclass(frozen=True)
class Page:
    """One page of a collection: how many items, the index of its first, and the request that fetched it."""

    items: int
    first_index: int
    request: str
    """``GET /beta/... (client-request-id ..., request-id ...)``, for messages about the page's items."""


PageCallback = Callable[[Page], None]
"""Called after each page."""


class RequestLog:
    """The requests of a run, in the order their answers arrived; shared by threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> tuple[RequestRecord, ...]:
        with self._lock:
            return tuple(self._records)


class GraphClient:
    """Requests to Graph through ``http``; thread-safe, so fetches can run concurrently."""

    def __init__(
        self,
        http: httpx.Client,
        graph_url: str,
        tokens: TokenSource,
        retrier: Retrier,
        request_log: RequestLog | None = None,
        page_size: int | None = None,
        max_response_bytes: int = MAX_GRAPH_RESPONSE_BYTES,
    ) -> None:
        self._http = http
        self.graph_url = graph_url.rstrip("/")
        self._origin = _origin(self.graph_url)
        self._tokens = tokens
        self._retrier = retrier
        self.request_log = request_log if request_log is not None else RequestLog()
        self._page_size = page_size
        self._max_response_bytes = max_response_bytes

    def url(self, path: str, version: str = "beta") -> str:
        return f"{self.graph_url}/{version}/{path.lstrip('/')}"

    def get_json(self, path: str, *, version: str = "beta", forbidden_hint: str = FORBIDDEN_HINT) -> Any:
        """The decoded JSON of ``GET {graph_url}/{version}{path}``."""
        body, _ = self._get(self.url(path, version), forbidden_hint)
        return body

    def get_paged(
        self,
        path: str,
        *,
        version: str = "beta",
        forbidden_hint: str = FORBIDDEN_HINT,
        on_page: PageCallback | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink`` until it is absent."""
        url = self.url(path, version)
        seen: set[str] = set()
        items: list[dict[str, Any]] = []
        while True:
            seen.add(url)
            body, response = self._get(url, forbidden_hint)
            if not isinstance(body, dict) or not isinstance(body.get("value"), list):
                raise DataError(f"GET {_path(url)}: the answer is not a collection (no 'value' list)")
            page = body["value"]
            if on_page is not None:
                where = f"GET {_path(url)} ({request_ids(response.request, response)})"
                on_page(Page(items=len(page), first_index=len(items), request=where))
            items.extend(page)
            link = body.get("@odata.nextLink")
            if link is None:
                return items
            if not isinstance(link, str) or _origin(link) != self._origin:
                raise GraphError(
                    f"GET {_path(url)}: @odata.nextLink {str(link)!r:.80} does not point to {self._origin}"
                )
            if link in seen:
                raise GraphError(
                    f"GET {_path(url)}: Graph sent a @odata.nextLink that was already followed ({_path(link)}) "
                    f"after {len(items)} items",
                    "paging would never end; try again later",
                )
            url = link

    # --- one request ------------------------------------------------------------------

    def _get(self, url: str, forbidden_hint: str) -> tuple[Any, httpx.Response]:
        headers = {"Prefer": f"odata.maxpagesize={self._page_size}"} if self._page_size is not None else None
        response = self.request("GET", url, headers=headers)
        if response.status_code >= 400:
            raise self._error(response, forbidden_hint)
        try:
            return json.loads(response.content), response
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _not_json(response, exc) from None

    def request(
        self,
        method: str,
        path: str,
        *,
        version: str = "v1.0",
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        authorized: bool = True,
        idempotent: bool = True,
    ) -> httpx.Response:
        """One ``method`` request to ``path`` (under the API ``version``) or to ``path`` as a whole https URL.

        The answer is returned whatever its status (after throttling retries and one token
        refresh on 401), for the caller to read Graph's error code; a redirect, a network
        failure and an exhausted budget raise ``GraphError``. ``authorized=False`` sends no
        token (an upload session's URL is pre-authenticated). ``idempotent=False`` retries
        only what certainly did not reach the server (a refused connection, a 429 or 503),
        never an answer lost on the way back, so a message is not handed over twice.
        """
        url = path if path.startswith("https://") else self.url(path, version)
        if urlsplit(url).scheme != "https" or (authorized and _origin(url) != self._origin):
            raise GraphError(
                f"{method} {_path(url)}: refused to send to {_origin(url)}",
                "the app's token only goes to the Graph host, and every request goes over https",
            )
        sent_headers = {"Accept": "application/json", **(headers or {})}
        body = content
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            sent_headers["Content-Type"] = "application/json"
        token = self._tokens.token() if authorized else None
        response = self._exchange(method, url, sent_headers, token=token, content=body, idempotent=idempotent)
        if response.status_code == 401 and token is not None:
            log.info(
                "%s %s: 401, getting a new token (%s)", method, _path(url), request_ids(response.request, response)
            )
            token = self._tokens.refresh(token)
            response = self._exchange(method, url, sent_headers, token=token, content=body, idempotent=idempotent)
        if 300 <= response.status_code < 400:
            raise _redirect_error(response)
        return response

    def _exchange(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        token: str | None,
        content: bytes | None = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        what = f"{method} {_path(url)}"

        def attempt() -> httpx.Response:
            sent = {**headers, "client-request-id": str(uuid.uuid4())}
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            request = self._http.build_request(method, url, headers=sent, content=content)
            response = read_bounded(
                self._http,
                request,
                limit=self._max_response_bytes,
                budget=self._retrier.budget,
                what=what,
                error=GraphError,
            )
            self.request_log.add(
                RequestRecord(
                    method=method,
                    path=_path(url),
                    status=response.status_code,
                    client_request_id=request.headers["client-request-id"],
                    request_id=response.headers.get("request-id"),
                )
            )
            return response

        sent = False

        def tracked() -> httpx.Response:
            nonlocal sent
            try:
                return attempt()
            except NOT_SENT_EXCEPTIONS:
                raise
            except BaseException:
                sent = True
                raise

        try:
            response = self._retrier.run(tracked, what, idempotent=idempotent)
        except httpx.RequestError as exc:
            error = GraphError(
                f"{what}: {describe_network_error(exc)} ({request_ids(exc.request)})",
                "check the Graph URL, the network and the CA bundle",
            )
            error.reached = sent
            raise error from None
        except GraphError as exc:  # the time budget ran out, before or during an exchange
            exc.reached = sent
            raise
        return response

    def _error(self, response: httpx.Response, forbidden_hint: str) -> GraphError:
        status = response.status_code
        where = f"GET {_path(str(response.request.url))}"
        ids = request_ids(response.request, response)
        detail = _graph_error_detail(response)
        if status == 401:
            return GraphError(
                f"{where}: Graph refused the app's token twice (HTTP 401{detail}; {ids})",
                "check that the app registration is in the partner tenant and the token audience is Graph",
            )
        if status == 403:
            return GraphError(f"{where}: access denied (HTTP 403{detail}; {ids})", forbidden_hint)
        if status in (429, 503, 504):
            return GraphError(f"{where}: Graph is still throttling or unavailable (HTTP {status}; {ids})")
        return GraphError(f"{where}: HTTP {status}{detail} ({ids})")


def _redirect_error(response: httpx.Response) -> GraphError:
    """A 3xx: where it points (host and path, never the query), and that it was not followed."""
    status = response.status_code
    location = response.headers.get("Location")
    if location:
        target = response.request.url.join(location)
        to = f" to {target.netloc.decode('ascii', 'replace')}{target.path}"
    else:
        to = " without a Location"
    ids = request_ids(response.request, response)
    return GraphError(
        f"GET {_path(str(response.request.url))}: Graph answered with a redirect (HTTP {status}{to}; {ids})",
        REDIRECT_HINT,
    )


def _not_json(response: httpx.Response, exc: ValueError) -> DataError:
    """A 2xx whose body is not JSON: what arrived instead, when the server said."""
    where = f"GET {_path(str(response.request.url))}"
    ids = request_ids(response.request, response)
    media = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media and not media.endswith("json"):
        return DataError(f"{where}: the answer is not JSON but {media[:80]} (HTTP {response.status_code}; {ids})")
    if isinstance(exc, json.JSONDecodeError):
        return DataError(f"{where}: the answer is not valid JSON ({exc.msg} at position {exc.pos}; {ids})")
    return DataError(f"{where}: the answer is not UTF-8 ({ids})")


def error_code(response: httpx.Response) -> tuple[str, str]:
    """Graph's error ``code`` and ``message`` (one line, at most 200 characters) from an error answer."""
    try:
        error = json.loads(response.content).get("error", {})
        return str(error.get("code", "")).strip()[:100], " ".join(str(error.get("message", "")).split())[:200]
    except (ValueError, AttributeError):
        return "", ""


def describe(response: httpx.Response) -> str:
    """``METHOD /path: HTTP status, code: message (ids)``: an error answer in one line."""
    request = response.request
    detail = _graph_error_detail(response)
    ids = request_ids(request, response)
    return f"{request.method} {_path(str(request.url))}: HTTP {response.status_code}{detail} ({ids})"


def _graph_error_detail(response: httpx.Response) -> str:
    """``, code: message`` from Graph's error body, when there is one."""
    code, message = error_code(response)
    text = ": ".join(part for part in (code, message) if part)
    return f", {text}" if text else ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _path(url: str) -> str:
    """The URL without scheme and host (what the provenance records); a pre-authenticated token is left out."""
    parts = urlsplit(url)
    if "authtoken=" in parts.query.lower():
        return parts.path + "?authtoken=…"
    return parts.path + (f"?{parts.query}" if parts.query else "")
