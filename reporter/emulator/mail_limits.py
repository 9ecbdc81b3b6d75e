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
    """The per-minute message rate and the rolling daily recipient cap of one mailbox."""

    def __init__(self, options: MailOptions, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = options.rate_window
        self._per_window = max(1, round(options.rate * options.rate_window / 60))
        self._daily = options.daily_recipients
        self._clock = clock
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()
        self._recipients: deque[tuple[float, int]] = deque()
        self._recipients_today = 0

    def admit(self, recipients: int) -> Refusal | None:
        """Count one message to ``recipients`` people, or say why it must wait (nothing counted)."""
        with self._lock:
            now = self._clock()
            sent = self._sent
            while sent and sent[0] <= now - self._window:
                sent.popleft()
            if len(sent) >= self._per_window:
                return Refusal("rate", sent[0] + self._window - now)
            log = self._recipients
            while log and log[0][0] <= now - DAY:
                self._recipients_today -= log.popleft()[1]
            if self._recipients_today + recipients > self._daily:
                return Refusal("daily", self._daily_wait(now, recipients))
            sent.append(now)
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
