"""Graph's resources over a world: the score singleton and the paged collections.

Pure: the bodies here are what the emulator sends and what ``samples/raw``
holds. Paging is server-side only: a page carries ``@odata.nextLink`` with an
opaque ``$skiptoken`` until the last page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass

from reporter.emulator.wire import JsonObject
from reporter.emulator.world import World

SCORE_PATH = "/beta/security/partner/securityScore"
REQUIREMENTS_PATH = f"{SCORE_PATH}/requirements"
HISTORY_PATH = f"{SCORE_PATH}/history"
INSIGHTS_PATH = f"{SCORE_PATH}/customerInsights"
ALERTS_PATH = "/beta/security/partner/securityAlerts"
CONTRACTS_PATH = "/v1.0/contracts"
EXPANDABLE = ("requirements", "history")


@dataclass(frozen=True)
class Collection:
    name: str
    """Short name, used for sample file names."""
    path: str
    context: str
    items: tuple[JsonObject, ...]


class InvalidSkipToken(ValueError):
    """A ``$skiptoken`` this server did not issue."""


def encode_skiptoken(offset: int) -> str:
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["offset"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise InvalidSkipToken(token) from exc
    if not isinstance(offset, int) or offset < 0:
        raise InvalidSkipToken(token)
    return offset


class GraphResources:
    """The resources of one world, paged ``page_size`` items at a time, linked under ``graph_url``."""

    def __init__(self, world: World, graph_url: str, page_size: int, wrapped_singleton: bool = False) -> None:
        self.world = world
        self.graph_url = graph_url.rstrip("/")
        self.page_size = page_size
        self.wrapped_singleton = wrapped_singleton
        self.collections = {
            collection.path: collection
            for collection in (
                Collection("requirements", REQUIREMENTS_PATH, "security/partner/securityScore/requirements",
                           world.requirements),
                Collection("history", HISTORY_PATH, "security/partner/securityScore/history", world.history),
                Collection("customerInsights", INSIGHTS_PATH, "security/partner/securityScore/customerInsights",
                           world.customer_insights),
                Collection("securityAlerts", ALERTS_PATH, "security/partner/securityAlerts", world.alerts),
                Collection("contracts", CONTRACTS_PATH, "contracts", world.contracts),
            )
        }  # fmt: skip

    def _context(self, path: str, fragment: str) -> str:
        version = path.split("/")[1]
        return f"{self.graph_url}/{version}/$metadata#{fragment}"

    def score(self, expand: tuple[str, ...] = ()) -> JsonObject:
        """``GET securityScore``, with the navigation properties in ``expand`` inlined."""
        entity: JsonObject = dict(self.world.score)
        if "requirements" in expand:
            entity["requirements"] = list(self.world.requirements)
        if "history" in expand:
            entity["history"] = list(self.world.history)
        context = self._context(SCORE_PATH, "security/partner/securityScore/$entity")
        if self.wrapped_singleton:
            return {"@odata.context": context, "value": entity}
        return {"@odata.context": context, **entity}

    def page_count(self, collection: Collection) -> int:
        return max(1, -(-len(collection.items) // self.page_size))

    def next_link(self, collection: Collection, offset: int) -> str:
        return f"{self.graph_url}{collection.path}?$skiptoken={encode_skiptoken(offset)}"

    def page(self, collection: Collection, offset: int) -> JsonObject:
        """The page starting at item ``offset``."""
        end = offset + self.page_size
        body: JsonObject = {
            "@odata.context": self._context(collection.path, collection.context),
            "value": list(collection.items[offset:end]),
        }
        if end < len(collection.items):
            body["@odata.nextLink"] = self.next_link(collection, end)
        return body

    def pages(self, collection: Collection) -> Iterator[JsonObject]:
        """Every page, first to last, as a client following nextLink would get them."""
        for number in range(self.page_count(collection)):
            yield self.page(collection, number * self.page_size)
