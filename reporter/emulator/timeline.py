"""Time and determinism for the generated world.

Everything in a world is a pure function of the seed and of the month: months
are counted from ``EPOCH``, and every random choice is drawn from a generator
(or a hash) keyed by the seed and by what is being decided. So a world built
for December shares its customers, postures and past alerts with the world
built for November, and differs only by what happened in between.

The customer list is a fixed number of *slots*. Every month churn hands a few
slots to new customers (one leaves, one joins); which customer holds a slot in
a month is the slot's *generation* at that month.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime

EPOCH = datetime(2015, 1, 1, tzinfo=UTC)
"""Month 0. Worlds can be built for any time after it."""


def month_index(when: datetime) -> int:
    """Months since ``EPOCH`` (the month ``when`` falls in)."""
    utc = when.astimezone(UTC)
    return (utc.year - EPOCH.year) * 12 + utc.month - 1


def month_start(index: int) -> datetime:
    """Midnight UTC on the first day of month ``index``."""
    year, month = divmod(index, 12)
    return datetime(EPOCH.year + year, month + 1, 1, tzinfo=UTC)


def _digest(parts: tuple[object, ...], size: int) -> bytes:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=size).digest()


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) keyed by ``parts``."""
    return int.from_bytes(_digest(parts, 8), "big") / 2**64


def draws(count: int, *parts: object) -> list[float]:
    """``count`` deterministic numbers in [0, 1) keyed by ``parts`` (cheaper than a seeded generator)."""
    values: list[float] = []
    block = 0
    while len(values) < count:
        digest = _digest((*parts, "draws", block), 64)
        values.extend(int.from_bytes(digest[i : i + 8], "big") / 2**64 for i in range(0, 64, 8))
        block += 1
    return values[:count]


def stable_uuid(*parts: object) -> str:
    """A deterministic version-4 style UUID keyed by ``parts``."""
    return str(uuid.UUID(bytes=_digest(parts, 16), version=4))


def rng_for(*parts: object) -> random.Random:
    """A generator keyed by ``parts`` (string seeding is stable across runs)."""
    return random.Random(":".join(map(str, parts)))


@dataclass(frozen=True)
class Roster:
    """Which customer holds each slot in each month."""

    changes: tuple[tuple[int, ...], ...]
    """For each slot, the months in which a new customer took it over (ascending)."""

    @property
    def slots(self) -> int:
        return len(self.changes)

    def generation(self, slot: int, month: int) -> int:
        return bisect_right(self.changes[slot], month)

    def joined(self, slot: int, generation: int) -> int | None:
        """The month the customer joined, or ``None`` for a slot's first customer."""
        return self.changes[slot][generation - 1] if generation else None


def churn_per_month(slots: int) -> int:
    if slots < 2:
        return 0
    return max(1, slots // 250)


def build_roster(seed: int, slots: int, last_month: int) -> Roster:
    """Churn from month 1 to ``last_month``: a few slots change hands every month."""
    per_month = churn_per_month(slots)
    changes: list[list[int]] = [[] for _ in range(slots)]
    for month in range(1, last_month + 1):
        for slot in rng_for(seed, "churn", month).sample(range(slots), per_month):
            changes[slot].append(month)
    return Roster(tuple(tuple(months) for months in changes))


def build_switches(seed: int, slots: int, last_month: int) -> tuple[tuple[int, ...], ...]:
    """For each slot, the months in which its customer changed MFA policy."""
    per_month = 0 if slots == 0 else min(slots, max(2, slots // 100))
    switches: list[list[int]] = [[] for _ in range(slots)]
    for month in range(1, last_month + 1):
        for slot in rng_for(seed, "switch", month).sample(range(slots), per_month):
            switches[slot].append(month)
    return tuple(tuple(months) for months in switches)
