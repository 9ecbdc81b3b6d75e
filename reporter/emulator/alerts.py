"""Partner security alerts: raised every month, triaged and resolved over the following hours or days.

An alert's whole life is drawn when it is raised (how long until someone looks
at it, how long until it is resolved, and why), so its status at any moment is
a pure function of that moment.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reporter.emulator.customers import PartnerKind
from reporter.emulator.timeline import month_start, rng_for, stable_uuid, unit
from reporter.emulator.wire import timestamp

_CATALOGUE: tuple[tuple[str, str, str], ...] = (
    (
        "UnusualComputeSpike",
        "Unusual spike in compute usage",
        "Compute usage in the subscription rose far above its usual level within a few hours.",
    ),
    (
        "PossibleCryptoMining",
        "Possible cryptocurrency mining activity",
        "Virtual machines with GPU sizes were created and show a pattern typical of mining software.",
    ),
    (
        "UnusualRegionDeployment",
        "Resources deployed in an unusual region",
        "Resources were created in a region this customer has not used before.",
    ),
    (
        "NewSubscriptionBurst",
        "Several subscriptions created in a short time",
        "More subscriptions than usual were created for this customer within one day.",
    ),
    (
        "AnomalousPartnerSignIn",
        "Anomalous sign-in to a delegated admin relationship",
        "A sign-in through a delegated admin relationship came from an unfamiliar location.",
    ),
    (
        "SpendingAnomaly",
        "Spending anomaly detected",
        "Azure consumption charges increased sharply compared with the last 30 days.",
    ),
)
_SEVERITIES = ("informational", "low", "medium", "high")
_SEVERITY_WEIGHTS = (0.15, 0.3, 0.35, 0.2)
_REASONS = ("legitimate", "ignore", "fraud")
_REASON_WEIGHTS = (0.5, 0.2, 0.3)
_RESOLVERS = ("alex.morgan", "priya.shah", "tomas.novak", "grace.oduya")
_REGIONS = ("eastus", "westeurope", "southeastasia", "brazilsouth", "australiaeast", "northeurope")

SERVED_DAYS = 180
"""Graph returns alerts raised in about the last six months."""


@dataclass(frozen=True)
class AlertEvent:
    id: str
    slot: int
    month: int
    detected: datetime
    observed_hours: float
    triage_hours: float
    resolve_hours: float | None
    """``None``: never resolved (left under investigation)."""
    catalogue_index: int
    severity: str
    confidence: str
    is_test: bool
    reason: str
    resolver: str
    region: str

    @property
    def resolved_at(self) -> datetime | None:
        return None if self.resolve_hours is None else self.detected + timedelta(hours=self.resolve_hours)


def alerts_in_month(seed: int, month: int, slots: int, kind: PartnerKind) -> list[AlertEvent]:
    """The alerts raised in ``month`` (for customers identified by slot)."""
    if slots == 0:
        return []
    rng = rng_for(seed, "alerts", month)
    count = min(250, rng.randint(3, 6) + slots // 30)
    start = month_start(month)
    seconds = int((month_start(month + 1) - start).total_seconds())
    events = []
    slow_share = 0.45 if unit(seed, "slow-period", month // 5) < 0.3 else 0.03
    for number in range(count):
        # Most alerts are looked at within hours; a few sit unnoticed for days.
        unnoticed = rng.random() < 0.06
        triage = rng.uniform(30, 500) if unnoticed else rng.lognormvariate(math.log(3), 1.0)
        draw = rng.random()
        resolve: float | None
        if unnoticed:
            resolve = None
        elif kind == "exemplary":
            resolve = min(triage, 10.0) + rng.uniform(0.5, 12.0)
        elif kind == "struggling":
            resolve = triage + rng.lognormvariate(math.log(60), 0.15)
        elif draw < 0.97 - slow_share:
            resolve = triage + rng.lognormvariate(math.log(6), 0.6)
        elif draw < 0.97:
            resolve = triage + rng.uniform(24, 120)
        else:
            resolve = None
        events.append(
            AlertEvent(
                id=stable_uuid(seed, "alert", month, number),
                slot=rng.randrange(slots),
                month=month,
                detected=start + timedelta(seconds=rng.randrange(seconds)),
                observed_hours=rng.uniform(0.05, 3.0),
                triage_hours=triage,
                resolve_hours=resolve,
                catalogue_index=rng.randrange(len(_CATALOGUE)),
                severity=rng.choices(_SEVERITIES, weights=_SEVERITY_WEIGHTS)[0],
                confidence=rng.choice(("low", "medium", "high")),
                is_test=rng.random() < 0.06,
                reason=rng.choices(_REASONS, weights=_REASON_WEIGHTS)[0],
                resolver=rng.choice(_RESOLVERS),
                region=rng.choice(_REGIONS),
            )
        )
    return events


class ResponseTimes:
    """Hours to resolve the non-test alerts, ordered by when they were resolved."""

    def __init__(self, events: list[AlertEvent]) -> None:
        resolved = sorted(
            (when, event.resolve_hours)
            for event in events
            if event.resolve_hours is not None and not event.is_test and (when := event.resolved_at) is not None
        )
        self._times = [when for when, _ in resolved]
        self._hours = [hours for _, hours in resolved]

    def average_before(self, before: datetime) -> float:
        """Mean hours to resolve the alerts resolved in the 30 days before ``before`` (0 if none)."""
        start = bisect_left(self._times, before - timedelta(days=30))
        end = bisect_left(self._times, before)
        hours = self._hours[start:end]
        return round(sum(hours) / len(hours), 1) if hours else 0.0


def alert_json(event: AlertEvent, tenant_id: str, partner_domain: str, as_of: datetime) -> dict[str, Any]:
    """The ``partnerSecurityAlert`` as Graph shows it at ``as_of``."""
    alert_type, title, description = _CATALOGUE[event.catalogue_index]
    triaged_at = event.detected + timedelta(hours=event.triage_hours)
    resolved_at = event.resolved_at
    resolved = resolved_at is not None and resolved_at <= as_of
    status = "resolved" if resolved else "investigating" if triaged_at <= as_of else "active"
    resolver = f"{event.resolver}@{partner_domain}"
    logs: list[dict[str, Any]] = []
    if triaged_at <= as_of:
        logs.append(_log("active", "investigating", resolver, triaged_at))
    if resolved and resolved_at is not None:
        logs.append(_log("investigating", "resolved", resolver, resolved_at))
    subscription = stable_uuid(tenant_id, "subscription", event.catalogue_index % 2)
    vm = f"vm-{event.id[:8]}"
    return {
        "@odata.type": "#microsoft.graph.partner.security.partnerSecurityAlert",
        "id": event.id,
        "displayName": f"[Test] {title}" if event.is_test else title,
        "description": description,
        "alertType": alert_type,
        "severity": event.severity,
        "status": status,
        "confidenceLevel": event.confidence,
        "customerTenantId": tenant_id,
        "subscriptionId": subscription,
        "detectedDateTime": timestamp(event.detected),
        "firstObservedDateTime": timestamp(event.detected - timedelta(hours=event.observed_hours)),
        "lastObservedDateTime": timestamp(event.detected + timedelta(hours=event.observed_hours / 2)),
        "resolvedOnDateTime": timestamp(resolved_at) if resolved and resolved_at is not None else None,
        "resolvedBy": resolver if resolved else None,
        "resolvedReason": event.reason if resolved else None,
        "isTest": event.is_test,
        "affectedResources": [
            {
                "resourceId": f"/subscriptions/{subscription}/resourceGroups/rg-{event.region}/providers/"
                f"Microsoft.Compute/virtualMachines/{vm}",
                "resourceType": "Microsoft.Compute/virtualMachines",
            }
        ],
        "activityLogs": logs,
        "additionalDetails": {
            "@odata.type": "#microsoft.graph.partner.security.additionalDataDictionary",
            "region": event.region,
        },
    }


def _log(status_from: str, status_to: str, by: str, when: datetime) -> dict[str, Any]:
    return {"statusFrom": status_from, "statusTo": status_to, "updatedBy": by, "updatedDateTime": timestamp(when)}


def served(events: list[AlertEvent], as_of: datetime, still_customer: Callable[[AlertEvent], bool]) -> list[AlertEvent]:
    """The alerts Graph lists at ``as_of``: recent ones, for current customers, newest first."""
    since = as_of - timedelta(days=SERVED_DAYS)
    kept = [event for event in events if since <= event.detected < as_of and still_customer(event)]
    return sorted(kept, key=lambda event: (event.detected, event.id), reverse=True)
