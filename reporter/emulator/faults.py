"""Which requests fail, and the counters that show what was served and injected."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from enum import StrEnum
from types import MappingProxyType

from reporter.emulator.options import Faults


class Fault(StrEnum):
    THROTTLED = "429"
    UNAVAILABLE = "503"
    DROPPED = "drop"
    FORBIDDEN = "403"
    FAILING = "500"
    MALFORMED = "malformed"
    REPEATED_LINK = "repeat-next-link"
    UNAUTHORIZED = "401"
    HUGE_BODY = "huge-body"
    TRICKLE = "trickle"
    REDIRECT = "302"


def retry_after_value(faults: Faults) -> str:
    """The ``Retry-After`` of an injected 429: ``faults.retry_after`` in whole seconds, or as an HTTP date."""
    if faults.retry_after_http_date:
        return formatdate(math.ceil(time.time() + faults.retry_after), usegmt=True)
    return str(math.ceil(faults.retry_after))


class FaultPlan:
    """Draws transient faults (429, 503, dropped connection) per request from a seeded generator.

    A URL that just failed ``max_consecutive`` times in a row is served normally
    next time, so a client that retries always gets through.
    """

    def __init__(self, faults: Faults) -> None:
        self._faults = faults
        self._random = random.Random(faults.seed)
        self._streak: dict[str, int] = {}
        self._lock = threading.Lock()

    def draw(self, key: str) -> Fault | None:
        faults = self._faults
        with self._lock:
            value = self._random.random()
            if self._streak.get(key, 0) >= faults.max_consecutive:
                fault = None
            elif value < faults.rate_429:
                fault = Fault.THROTTLED
            elif value < faults.rate_429 + faults.rate_503:
                fault = Fault.UNAVAILABLE
            elif value < faults.rate_429 + faults.rate_503 + faults.drop_rate:
                fault = Fault.DROPPED
            else:
                fault = None
            self._streak[key] = self._streak.get(key, 0) + 1 if fault else 0
            return fault


@dataclass(frozen=True)
class EmulatorStats:
    """Counts per request path (``/beta/security/partner/securityAlerts``, ``/{tenant}/oauth2/v2.0/token``...)."""

    requests: Mapping[str, int]
    pages: Mapping[str, int]
    """Successful Graph answers (a page of a collection, or the score singleton)."""
    faults: Mapping[str, Mapping[str, int]]
    """Path, then fault kind (``Fault`` values), then how many were injected."""
    tokens_issued: int
    body_bytes: Mapping[str, int]
    """Path, then how many body bytes the server actually wrote for it (over every request)."""

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def faults_of(self, kind: Fault | str) -> int:
        return sum(by_kind.get(str(kind), 0) for by_kind in self.faults.values())


class StatsRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._pages: Counter[str] = Counter()
        self._faults: dict[str, Counter[str]] = {}
        self._tokens = 0
        self._bytes: Counter[str] = Counter()

    def request(self, path: str) -> None:
        with self._lock:
            self._requests[path] += 1

    def page(self, path: str) -> None:
        with self._lock:
            self._pages[path] += 1

    def fault(self, path: str, kind: Fault) -> None:
        with self._lock:
            self._faults.setdefault(path, Counter())[str(kind)] += 1

    def sent(self, path: str, count: int) -> None:
        with self._lock:
            self._bytes[path] += count

    def token(self) -> None:
        with self._lock:
            self._tokens += 1

    def snapshot(self) -> EmulatorStats:
        with self._lock:
            return EmulatorStats(
                requests=MappingProxyType(dict(self._requests)),
                pages=MappingProxyType(dict(self._pages)),
                faults=MappingProxyType({path: MappingProxyType(dict(kinds)) for path, kinds in self._faults.items()}),
                tokens_issued=self._tokens,
                body_bytes=MappingProxyType(dict(self._bytes)),
            )
