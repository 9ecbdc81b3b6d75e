"""Exchange Online's limits on one mailbox: messages a minute, recipients a day, requests at a time.

Each check and its bookkeeping happen under one lock, so concurrent requests
never overshoot a limit. Time is the monotonic clock passed in (``time.monotonic``
by default); a refusal says how many seconds until the message would be admitted.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from reporter.emulator.options import MailOptions

DAY = 86_400.0


@dataclass(frozen=True)
class Refusal:
    """Why a message is not admitted now, and how long until it would be."""

    limit: str
    """``rate`` (messages a minute) or ``daily`` (recipients a day)."""
    retry_after: float
    """Seconds until the message would be admitted (a day or more if it never fits)."""


class MailLimits:
    """The per-minute message rate and the rolling daily recipient cap of one mailbox.

    The rate is a token bucket: it holds ``rate * rate_window / 60`` messages (a minute's worth by
    default, as Exchange lets 30 go at once) and refills continuously at ``rate / 60`` a second, so a
    client that waits out each whole-second ``Retry-After`` still gets the full rate in the long run.
    The daily cap counts the recipients of the last 24 hours.
    """

    def __init__(self, options: MailOptions, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = max(1.0, options.rate * options.rate_window / 60)
        self._refill = options.rate / 60
        self._daily = options.daily_recipients
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = self._capacity
        self._updated = clock()
        self._recipients: deque[tuple[float, int]] = deque()
        self._recipients_today = 0

    def admit(self, recipients: int) -> Refusal | None:
        """Count one message to ``recipients`` people, or say why it must wait (nothing counted)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._refill)
            self._updated = now
            if self._tokens < 1:
                return Refusal("rate", (1 - self._tokens) / self._refill)
            log = self._recipients
            while log and log[0][0] <= now - DAY:
                self._recipients_today -= log.popleft()[1]
            if self._recipients_today + recipients > self._daily:
                return Refusal("daily", self._daily_wait(now, recipients))
            self._tokens -= 1
            log.append((now, recipients))
            self._recipients_today += recipients
            return None

    def _daily_wait(self, now: float, recipients: int) -> float:
        """Seconds until enough of the last day's recipients have aged out for ``recipients`` more."""
        if recipients > self._daily:
            return DAY
        excess = self._recipients_today + recipients - self._daily
        for when, count in self._recipients:
            excess -= count
            if excess <= 0:
                return when + DAY - now
        return DAY  # pragma: no cover - the log always holds the excess


class ConcurrencyGate:
    """At most ``limit`` requests inside at once; the others are turned away, not queued."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._inside = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        with self._lock:
            if self._inside >= self._limit:
                return False
            self._inside += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._inside -= 1
