"""When to try a request again, and how long to wait: the one place retries are decided.

Graph's throttling answers (429, 503, 504) say how long to wait in
``Retry-After`` (seconds, or an HTTP date); waiting all of it is the fastest way
back. Without it we back off exponentially with full jitter. Network failures
(refused or dropped connections, timeouts) are retried a few times. No single
wait is capped: the run has one time budget, and a wait that would overrun it
fails the run instead. The budget covers whole answers, body included: once
it has run out, no request starts and none goes on (``RunBudget.check``).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from reporter.clock import Clock
from reporter.errors import GraphError

RETRY_STATUSES = frozenset({429, 503, 504})
RETRY_EXCEPTIONS: tuple[type[httpx.RequestError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

NOT_SENT_EXCEPTIONS: tuple[type[httpx.RequestError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
"""Failures before a request left: trying again cannot deliver it twice."""


class RunBudget:
    """The time one collection may take, shared by every request of the run."""

    def __init__(self, clock: Clock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self._deadline = clock.monotonic() + seconds

    def remaining(self) -> float:
        return self._deadline - self.clock.monotonic()

    def spent(self) -> bool:
        return self.remaining() <= 0

    def exhausted(self, what: str, ids: str | None = None) -> GraphError:
        """The error for a budget that ran out during request ``what`` (``GET /beta/...``)."""
        where = f" ({ids})" if ids else ""
        return GraphError(
            f"{what}: the run's time budget of {self.seconds:g} s ran out during this request{where}",
            "raise [graph] time_budget, or check the network",
        )

    def check(self, what: str, ids: str | None = None) -> None:
        """Fail if the budget has run out."""
        if self.spent():
            raise self.exhausted(what, ids)

    def wait(self, seconds: float, why: str) -> None:
        """Sleep ``seconds``, or fail now if that would overrun the budget."""
        if seconds > self.remaining():
            raise GraphError(
                f"{why}; waiting {seconds:.0f} s more would exceed the run's time budget of {self.seconds:.0f} s",
                "try again later, or raise [graph] time_budget",
            )
        if seconds > 0:
            self.clock.sleep(seconds)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or ``None`` if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RetryPolicy:
    """How many times and how long: ``max_attempts`` bounds a request that keeps failing fast."""

    max_attempts: int = 20
    max_network_attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 60.0
    rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform between 0 and ``base * 2**attempt`` (capped)."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        with self._lock:
            return self.rng.uniform(0, ceiling)


RetryNotice = Callable[[str], None]


def request_ids(request: httpx.Request, response: httpx.Response | None = None) -> str:
    """``client-request-id …, request-id …``: what Microsoft support asks for."""
    client_id = request.headers.get("client-request-id", "none")
    server_id = response.headers.get("request-id", "none") if response is not None else "none"
    return f"client-request-id {client_id}, request-id {server_id}"


def is_tls_failure(exc: httpx.RequestError) -> bool:
    """A certificate the CA bundle does not trust, or a failed handshake: retrying will not help."""
    text = str(exc)
    return isinstance(exc, httpx.ConnectError) and ("CERTIFICATE_VERIFY_FAILED" in text or "[SSL" in text)


def describe_network_error(exc: httpx.RequestError) -> str:
    host = exc.request.url.host
    port = exc.request.url.port
    where = f"{host}:{port}" if port else host
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connecting to {where} timed out"
    if is_tls_failure(exc):
        return f"cannot connect to {where}: TLS failed ({exc}); is the CA bundle the right one?"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {where} ({exc or 'connection failed'})"
    if isinstance(exc, httpx.TimeoutException):
        return f"{where} did not answer in time"
    return f"connection to {where} failed ({exc or type(exc).__name__})"


class Retrier:
    """Runs one logical request until it gets an answer worth returning."""

    def __init__(self, budget: RunBudget, policy: RetryPolicy | None = None, notice: RetryNotice | None = None) -> None:
        self.budget = budget
        self.policy = policy or RetryPolicy()
        self.notice = notice

    def run(self, attempt: Callable[[], httpx.Response], what: str, *, idempotent: bool = True) -> httpx.Response:
        """Call ``attempt`` (one HTTP exchange) until it succeeds or retrying is pointless.

        Returns the last response (which may still be a 429/503/504 after
        ``max_attempts``); re-raises the network error after
        ``max_network_attempts`` failures in a row; raises ``GraphError`` when a wait would overrun
        the run's budget. A request that is not ``idempotent`` is tried again only when it
        certainly did not arrive: a connection that was never made, or a 429/503 answer.
        """
        throttled = 0
        network_failures = 0
        while True:
            self.budget.check(what)
            try:
                response = attempt()
            except RETRY_EXCEPTIONS as exc:
                if self.budget.spent():
                    raise self.budget.exhausted(what, request_ids(exc.request)) from None
                network_failures += 1
                if network_failures >= self.policy.max_network_attempts or is_tls_failure(exc):
                    raise
                if not idempotent and not isinstance(exc, NOT_SENT_EXCEPTIONS):
                    raise
                delay = self.policy.backoff(network_failures - 1)
                why = f"{what}: {describe_network_error(exc)} ({request_ids(exc.request)})"
                self._tell(f"{why}; retrying in {delay:.1f} s")
                self.budget.wait(delay, why)
                continue
            network_failures = 0  # an answer shows the host is reachable again
            if response.status_code not in RETRY_STATUSES or (not idempotent and response.status_code == 504):
                return response
            throttled += 1
            if throttled >= self.policy.max_attempts:
                return response
            told = parse_retry_after(response.headers.get("Retry-After"), self.budget.clock.now())
            delay = told if told is not None else self.policy.backoff(throttled - 1)
            why = f"{what}: HTTP {response.status_code} ({request_ids(response.request, response)})"
            self._tell(f"{why}; retrying in {delay:.1f} s")
            self.budget.wait(delay, why)

    def _tell(self, message: str) -> None:
        if self.notice is not None:
            self.notice(message)
