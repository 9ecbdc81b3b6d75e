"""How values look on the wire: Graph's timestamps, JSON bodies and errors, HTTP requests and replies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

JsonObject = dict[str, Any]

NAMESPACE = "#microsoft.graph.partner.security"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
PUBLIC_GRAPH_URL = "https://graph.microsoft.com"


def timestamp(when: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, whole seconds, as Graph writes most timestamps."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def precise_timestamp(when: datetime) -> str:
    """ISO 8601 with seven fractional digits, as .NET writes some Graph timestamps."""
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0Z"


@dataclass(frozen=True)
class Reply:
    """An HTTP answer before the server adds its common headers."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_reply(status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, json_bytes(data), headers)


def graph_error(status: int, code: str, message: str, request_id: str, client_request_id: str) -> Reply:
    """Graph's error body: ``{"error": {"code", "message", "innerError": {...}}}``."""
    return json_reply(
        status,
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                },
            }
        },
    )


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    """Path and query, as in the request line."""
    headers: Mapping[str, str]
    """Lower-case names."""
    body: bytes = b""


@dataclass(frozen=True)
class Outcome:
    reply: Reply
    stats_path: str
    drop: bool = False
    """Send the headers and part of the body, then close the connection."""
    hang_up: bool = False
    """Send nothing at all and close the connection (the request was carried out; its answer is lost)."""
    filler: int | None = None
    """Send this many zero bytes as the body instead of the reply's (``huge_body``)."""
    filler_declared: bool = False
    """Announce ``filler`` in Content-Length; else send it chunked, of no stated length."""
    trickle: float | None = None
    """Send the body one byte every this many seconds."""
