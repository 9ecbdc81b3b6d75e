"""Sending within a mailbox's limits: messages a minute, and recipients in any 24 hours.

``Pacer`` spaces hand-overs evenly (at 30 a minute, one every two seconds), so a
send never meets the service's per-minute throttling in the first place; the
service's own 429s are still honoured by the transport. ``DailyAllowance``
counts the recipients of every delivery that may have gone in the last 24 hours
(from the ledger, so earlier sends count too) and says when the next can go.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from reporter.clock import Clock

DAY = timedelta(days=1)


class Pacer:
    """At most ``per_minute`` turns a minute, evenly spaced; thread-safe."""

    def __init__(self, per_minute: float, clock: Clock, stop: threading.Event | None = None) -> None:
        self._interval = 60.0 / per_minute
        self._clock = clock
        self._stop = stop
        self._lock = threading.Lock()
        self._next: float | None = None

    def wait_turn(self) -> None:
        with self._lock:
            now = self._clock.monotonic()
            turn = now if self._next is None else max(now, self._next)
            self._next = turn + self._interval
        delay = turn - self._clock.monotonic()
        if delay > 0:
            if self._stop is not None:
                self._stop.wait(delay)  # a stopped send does not wait its turn out
            else:
                self._clock.sleep(delay)

    def seconds_for(self, count: int) -> float:
        """About how long ``count`` turns take."""
        return max(0, count - 1) * self._interval


class DailyAllowance:
    """Recipients left in the rolling 24 hours; thread-safe."""

    def __init__(self, limit: int, history: list[tuple[datetime, int]]) -> None:
        self.limit = limit
        self._sent: deque[tuple[datetime, int]] = deque(history)
        self._lock = threading.Lock()

    def take(self, count: int, now: datetime) -> bool:
        """Count ``count`` recipients now if the limit allows it."""
        with self._lock:
            while self._sent and self._sent[0][0] <= now - DAY:
                self._sent.popleft()
            used = sum(n for _, n in self._sent)
            if used + count > self.limit:
                return False
            self._sent.append((now, count))
            return True

    def next_room(self, count: int, now: datetime) -> datetime:
        """When ``count`` recipients fit again: once enough of the oldest counted deliveries leave the 24 hours."""
        with self._lock:
            live = [(when, n) for when, n in self._sent if when > now - DAY]
        used = sum(n for _, n in live)
        room_at = now
        for when, n in live:
            if used + count <= self.limit:
                break
            used -= n
            room_at = when + DAY
        return room_at
