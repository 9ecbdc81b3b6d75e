"""The generated world: a fictional partner and its customers, as raw Graph JSON.

``build_world(seed, customers, as_of)`` is pure and deterministic. Worlds built
for consecutive months share their past: the same customers (apart from the
month's churn), postures that moved a little, alerts that were resolved since,
new alerts, and a score history that grew by a point when the score changed.
The objects are clean Graph JSON; ``reporter.emulator.quirks`` adds the
oddities real Graph shows.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reporter.emulator import alerts as alert_gen
from reporter.emulator.customers import (
    CustomerOverride,
    PartnerKind,
    Posture,
    PostureTimeline,
    Profile,
    has_budget,
    insight_json,
    is_compliant,
    make_profile,
    mfa_at,
    posture_timeline,
)
from reporter.emulator.names import CURATED_NAMES, NameBook
from reporter.emulator.partner import (
    Assessment,
    MonthFigures,
    assess,
    make_traits,
    overall_score,
    requirement_json,
)
from reporter.emulator.timeline import (
    Roster,
    build_roster,
    build_switches,
    month_index,
    month_start,
    rng_for,
    stable_uuid,
    unit,
)
from reporter.emulator.wire import JsonObject, precise_timestamp, timestamp

HISTORY_MONTHS = 18
PARTNER_DOMAIN = "partner.onmicrosoft.com"


@dataclass(frozen=True)
class World:
    """Everything the emulator serves, as raw Graph JSON objects."""

    seed: int
    as_of: datetime
    partner_tenant_id: str
    score: JsonObject
    """The bare ``partnerSecurityScore`` singleton (without its navigation properties)."""
    requirements: tuple[JsonObject, ...]
    history: tuple[JsonObject, ...]
    customer_insights: tuple[JsonObject, ...]
    alerts: tuple[JsonObject, ...]
    contracts: tuple[JsonObject, ...]


class _Population:
    """The customers of every month, built lazily and cached."""

    def __init__(
        self,
        seed: int,
        roster: Roster,
        switches: tuple[tuple[int, ...], ...],
        kind: PartnerKind,
        overrides: Sequence[CustomerOverride],
    ) -> None:
        self._seed = seed
        self._roster = roster
        self._kind = kind
        self._overrides = overrides
        self._switches = switches
        self._profiles: dict[tuple[int, int], tuple[Profile, PostureTimeline]] = {}

    def occupant(self, slot: int, month: int) -> Profile:
        return self._lookup(slot, month)[0]

    def posture(self, slot: int, month: int) -> Posture:
        return self._lookup(slot, month)[1].at(month)

    def monthly_counts(self, first: int, last: int) -> list[tuple[int, int, int, int]]:
        """For each month from ``first`` to ``last``: compliant tenants, all tenants, budgeted and Azure customers."""
        months = last - first + 1
        compliant, budgeted, azure = [0] * months, [0] * months, [0] * months
        for slot in range(self._roster.slots):
            changes = self._roster.changes[slot]
            index = 0
            while index < months:
                profile, postures = self._lookup(slot, first + index)
                later = bisect_right(changes, first + index)
                end = min(months, changes[later] - first) if later < len(changes) else months
                for i in range(index, end):
                    compliant[i] += is_compliant(profile, postures.at(first + i))
                    azure[i] += profile.has_azure
                    budgeted[i] += has_budget(profile, first + i)
                index = end
        return [(compliant[i], self._roster.slots, budgeted[i], azure[i]) for i in range(months)]

    def generation(self, slot: int, month: int) -> int:
        return self._roster.generation(slot, month)

    def joined(self, slot: int, generation: int) -> int | None:
        return self._roster.joined(slot, generation)

    def left(self, slot: int, generation: int) -> int | None:
        """The month the customer left its slot, or ``None`` if it never did."""
        changes = self._roster.changes[slot]
        return changes[generation] if generation < len(changes) else None

    def profile(self, slot: int, generation: int) -> Profile:
        return self._profile(slot, generation)[0]

    def _lookup(self, slot: int, month: int) -> tuple[Profile, PostureTimeline]:
        return self._profile(slot, self._roster.generation(slot, month))

    def _profile(self, slot: int, generation: int) -> tuple[Profile, PostureTimeline]:
        found = self._profiles.get((slot, generation))
        if found is None:
            joined = self._roster.joined(slot, generation)
            if joined is None:
                joined = -int(unit(self._seed, "first-customers", slot) * 36)
            override = self._overrides[slot] if slot < len(self._overrides) else CustomerOverride()
            profile = make_profile(self._seed, slot, generation, joined, self._kind, override)
            found = (profile, posture_timeline(profile, self._switches[slot], self._kind))
            self._profiles[(slot, generation)] = found
        return found


def build_world(
    seed: int,
    customers: int,
    as_of: datetime,
    *,
    kind: PartnerKind = "typical",
    overrides: Sequence[CustomerOverride] = (),
) -> World:
    """The world of partner ``seed`` with ``customers`` customers, as Graph shows it at ``as_of``.

    ``kind`` sets how well the partner does ("typical", "exemplary" or
    "struggling"); ``overrides`` fixes the name, domain or size of the
    customers in the first slots (for edge-case samples).
    """
    if customers < 0:
        raise ValueError("customers must be >= 0")
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    as_of = as_of.astimezone(UTC)
    month = month_index(as_of)
    if month < HISTORY_MONTHS + 2:
        raise ValueError(f"as_of must be after {month_start(HISTORY_MONTHS + 2):%Y-%m}")
    roster = build_roster(seed, customers, month)
    switches = build_switches(seed, customers, month)
    population = _Population(seed, roster, switches, kind, overrides)
    traits = make_traits(seed, kind)

    events: list[alert_gen.AlertEvent] = []
    for raised in range(month - HISTORY_MONTHS - 3, month + 1):
        events.extend(alert_gen.alerts_in_month(seed, raised, customers, kind))

    first = month - HISTORY_MONTHS - 1
    counts = population.monthly_counts(first, month)
    response = alert_gen.ResponseTimes(events)
    timeline = [
        (at, assess(traits, MonthFigures(at, *counts[at - first], response.average_before(month_start(at)))))
        for at in range(first, month + 1)
    ]
    history, changed = _history(seed, timeline)
    current = timeline[-1][1]
    window_start = month_start(month - HISTORY_MONTHS)
    requirements = tuple(
        requirement_json(seed, assessment, timestamp(changed.get(assessment.kind.requirement_type, window_start)))
        for assessment in current
    )
    score_updated = datetime.fromisoformat(history[-1]["createdDateTime"]) if history else window_start
    refreshed = as_of - timedelta(hours=1 + 5 * unit(seed, "refresh", month), minutes=7)
    score: JsonObject = {
        "id": stable_uuid(seed, "score"),
        "currentScore": overall_score(current),
        "maxScore": 100.0,
        "updatedDateTime": timestamp(score_updated),
        "lastRefreshDateTime": precise_timestamp(refreshed),
    }

    insights, contracts = _customers(seed, customers, month, population, overrides)
    alerts = tuple(
        alert_gen.alert_json(event, population.occupant(event.slot, event.month).tenant_id, PARTNER_DOMAIN, as_of)
        for event in alert_gen.served(
            events,
            as_of,
            lambda event: population.occupant(event.slot, event.month) is population.occupant(event.slot, month),
        )
    )
    return World(
        seed=seed,
        as_of=as_of,
        partner_tenant_id=traits.tenant_id,
        score=score,
        requirements=requirements,
        history=tuple(history),
        customer_insights=insights,
        alerts=alerts,
        contracts=contracts,
    )


def _history(seed: int, timeline: list[tuple[int, list[Assessment]]]) -> tuple[list[JsonObject], dict[str, datetime]]:
    """History points where the score or the compliant count changed, and when each requirement last changed.

    The change that shows at the start of month ``m`` is recorded on a day near the end of month ``m - 1``.
    """
    history: list[JsonObject] = []
    changed: dict[str, datetime] = {}
    for (_, before), (at, after) in itertools.pairwise(timeline):
        when = month_start(at) - timedelta(days=1 + int(unit(seed, "history-day", at) * 20), hours=3, minutes=41)
        for old, new in zip(before, after, strict=True):
            if old.fingerprint != new.fingerprint:
                changed[new.kind.requirement_type] = when
        point = (overall_score(after), sum(a.compliant for a in after), len(after))
        previous = (overall_score(before), sum(a.compliant for a in before), len(before))
        if point != previous:
            history.append({
                "id": stable_uuid(seed, "history", at),
                "createdDateTime": timestamp(when),
                "score": point[0],
                "compliantRequirementsCount": point[1],
                "totalRequirementsCount": point[2],
            })  # fmt: skip
    return history, changed


NAME_QUARANTINE_MONTHS = 24
"""A name a customer had is given to no newcomer until this long after it left."""


def _names(
    customers: int, month: int, population: _Population, overrides: Sequence[CustomerOverride]
) -> dict[tuple[int, int], tuple[str, str]]:
    """A name and domain for every customer the partner has had up to ``month``.

    Names are handed out in the order customers joined, each from the names free
    at that moment, so a customer is called the same in every month's world and a
    newcomer never takes the name of a customer who left recently.
    """
    book = NameBook(curated=customers <= len(CURATED_NAMES))
    everyone = sorted(
        ((population.joined(slot, generation), slot, generation)
         for slot in range(customers)
         for generation in range(population.generation(slot, month) + 1)),
        key=lambda item: (item[0] if item[0] is not None else -1_000_000, item[1], item[2]),
    )  # fmt: skip
    names: dict[tuple[int, int], tuple[str, str]] = {}
    freed: list[tuple[int, str, str]] = []  # (month the name is free again, name, domain)
    for joined, slot, generation in everyone:
        while freed and joined is not None and freed[0][0] <= joined:
            _, name, domain = heapq.heappop(freed)
            book.release(name, domain)
        profile = population.profile(slot, generation)
        current = generation == population.generation(slot, month)
        override = overrides[slot] if slot < len(overrides) and current else CustomerOverride()
        names[(slot, generation)] = book.take(rng_for(profile.key, "name"), override.name)
        left = population.left(slot, generation)
        if left is not None:
            heapq.heappush(freed, (left + NAME_QUARANTINE_MONTHS, *names[(slot, generation)]))
    return names


def _customers(
    seed: int,
    customers: int,
    month: int,
    population: _Population,
    overrides: Sequence[CustomerOverride],
) -> tuple[tuple[JsonObject, ...], tuple[JsonObject, ...]]:
    names = _names(customers, month, population, overrides)
    insights: list[JsonObject] = []
    contracts: list[JsonObject] = []
    for slot in range(customers):
        profile = population.occupant(slot, month)
        insights.append(insight_json(profile, mfa_at(profile, population.posture(slot, month), month)))
        override = overrides[slot] if slot < len(overrides) else CustomerOverride()
        name, domain = names[(slot, population.generation(slot, month))]
        if not profile.in_contracts:
            continue
        contracts.append({
            "id": stable_uuid(profile.key, "contract"),
            "contractType": "ResellerPartner",
            "customerId": profile.tenant_id,
            "defaultDomainName": override.domain or domain,
            "displayName": name,
        })  # fmt: skip
    return tuple(insights), tuple(contracts)
