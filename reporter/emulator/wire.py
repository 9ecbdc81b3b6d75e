"""How values look on the wire: Graph's timestamps, JSON bodies, HTTP replies."""

from __future__ import annotations

import json
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
