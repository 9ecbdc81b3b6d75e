"""Customers of the generated partner: size, MFA posture and how both move over time."""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from reporter.emulator.timeline import draws, stable_uuid, unit

PartnerKind = Literal["typical", "exemplary", "struggling"]
"""``exemplary``: every requirement met; ``struggling``: none of the partner's own requirements met."""


class Posture(Enum):
    """How a customer tenant enforces MFA."""

    SECURITY_DEFAULTS = "securityDefaults"
    CONDITIONAL_ACCESS = "conditionalAccess"
    MIXED = "conditionalAccessAndPerUser"
    PER_USER = "perUser"
    NONE = "none"

    @property
    def enforced(self) -> bool:
        return self in (Posture.SECURITY_DEFAULTS, Posture.CONDITIONAL_ACCESS, Posture.MIXED)


_COVERAGE_RANGE: dict[Posture, tuple[float, float]] = {
    Posture.SECURITY_DEFAULTS: (0.88, 1.0),
    Posture.CONDITIONAL_ACCESS: (0.6, 1.0),
    Posture.MIXED: (0.5, 0.97),
    Posture.PER_USER: (0.15, 0.85),
    Posture.NONE: (0.0, 0.3),
}
"""Share of non-admin users with MFA, from worst to best, for each posture."""

_INITIAL_WEIGHTS: dict[Posture, float] = {
    Posture.SECURITY_DEFAULTS: 0.3,
    Posture.CONDITIONAL_ACCESS: 0.3,
    Posture.MIXED: 0.1,
    Posture.PER_USER: 0.15,
    Posture.NONE: 0.15,
}
_SWITCH_WEIGHTS: dict[Posture, float] = {
    Posture.SECURITY_DEFAULTS: 0.3,
    Posture.CONDITIONAL_ACCESS: 0.35,
    Posture.MIXED: 0.1,
    Posture.PER_USER: 0.15,
    Posture.NONE: 0.1,
}
"""Where a policy switch leads (never to the posture the customer already has): mostly to enforced MFA."""

MAX_USERS = 40_000
ZERO_USER_SHARE = 0.03


@dataclass(frozen=True)
class CustomerOverride:
    """Fixes some traits of the customer in one slot (for edge-case samples)."""

    name: str | None = None
    domain: str | None = None
    users: int | None = None
    in_contracts: bool | None = None


@dataclass(frozen=True)
class Profile:
    """What does not change while a customer stays: identity, size, starting posture."""

    key: str
    tenant_id: str
    joined: int
    users: int
    admins: int
    posture: Posture
    coverage: float
    """Starting position within the posture's coverage range, 0..1."""
    ramp_start: int
    """When the customer starts rolling MFA out (or, for a few, letting it slide)."""
    ramp_months: int
    ramp: float
    """How far ``coverage`` moves over the rollout: mostly up, for a fifth of customers down."""
    mixed_admins_complete: bool
    """Under the mixed posture, whether every admin is covered (else one is missing)."""
    has_azure: bool
    budget_from: int | None
    in_contracts: bool


def make_profile(
    seed: int, slot: int, generation: int, joined: int, kind: PartnerKind, override: CustomerOverride
) -> Profile:
    key = f"{seed}:customer:{slot}:{generation}"
    (
        zero_draw, size_draw, admin_draw, posture_draw, azure_draw, budget_draw, budget_delay,
        contract_draw, coverage, start_draw, months_draw, sign_draw, ramp_draw, mixed_draw,
    ) = draws(14, key)  # fmt: skip
    users = _draw_users(zero_draw, size_draw) if override.users is None else override.users
    admins = 0 if users == 0 else min(users, max(1, round(math.sqrt(users) / 4) + int(admin_draw * 3)))
    if users == 0:
        posture = Posture.NONE
    elif kind == "exemplary":
        posture = Posture.SECURITY_DEFAULTS if posture_draw < 0.5 else Posture.CONDITIONAL_ACCESS
    else:
        posture = _weighted(_INITIAL_WEIGHTS, posture_draw)
    has_azure = users > 0 and (kind == "exemplary" or azure_draw < 0.55)
    budget_from: int | None = None
    if has_azure:
        if kind == "exemplary":
            budget_from = joined
        elif budget_draw < 0.8:
            budget_from = joined + int(budget_delay * 31)
    in_contracts = contract_draw >= 0.05 if override.in_contracts is None else override.in_contracts
    return Profile(
        key=key,
        tenant_id=stable_uuid(key, "tenant"),
        joined=joined,
        users=users,
        admins=admins,
        posture=posture,
        coverage=0.7 * coverage,
        ramp_start=joined + int(start_draw * (151 if joined <= 0 else 25)),
        ramp_months=12 + int(months_draw * 49),
        ramp=0.2 + 0.4 * ramp_draw if sign_draw < 0.8 else -(0.1 + 0.2 * ramp_draw),
        mixed_admins_complete=mixed_draw < 0.7,
        has_azure=has_azure,
        budget_from=budget_from,
        in_contracts=in_contracts,
    )


def _weighted(weights: dict[Posture, float], draw: float) -> Posture:
    total = sum(weights.values())
    running = 0.0
    for posture, weight in weights.items():
        running += weight / total
        if draw < running:
            return posture
    return next(reversed(weights))


def _draw_users(zero_draw: float, size_draw: float) -> int:
    """Log-uniform from a handful to tens of thousands; a few tenants have nobody."""
    if zero_draw < ZERO_USER_SHARE:
        return 0
    return round(math.exp(math.log(3) + size_draw * (math.log(MAX_USERS) - math.log(3))))


@dataclass(frozen=True)
class PostureTimeline:
    """A customer's posture over time: ``postures[i]`` holds from ``months[i]`` on."""

    months: tuple[int, ...]
    postures: tuple[Posture, ...]

    def at(self, month: int) -> Posture:
        if len(self.postures) == 1:
            return self.postures[0]
        return self.postures[max(0, bisect_right(self.months, month) - 1)]


def posture_timeline(profile: Profile, switch_months: tuple[int, ...], kind: PartnerKind) -> PostureTimeline:
    """The customer's postures after each policy switch of its slot since it joined."""
    months = [profile.joined]
    postures = [profile.posture]
    if profile.users == 0:
        return PostureTimeline(tuple(months), tuple(postures))
    for switch in switch_months:
        if switch <= profile.joined:
            continue
        posture = postures[-1]
        draw = unit(profile.key, "switch", switch)
        if kind == "exemplary":
            posture = Posture.CONDITIONAL_ACCESS if posture is Posture.SECURITY_DEFAULTS else Posture.SECURITY_DEFAULTS
        else:
            posture = _weighted({p: w for p, w in _SWITCH_WEIGHTS.items() if p is not posture}, draw)
        months.append(switch)
        postures.append(posture)
    return PostureTimeline(tuple(months), tuple(postures))


@dataclass(frozen=True)
class MfaFigures:
    compliant_admins: int
    compliant_non_admins: int
    posture: Posture


def is_compliant(profile: Profile, posture: Posture) -> bool:
    """Whether the tenant counts towards "MFA enforced for admins of customers" (all admins covered)."""
    if profile.admins == 0:
        return False
    if posture is Posture.MIXED:
        return profile.mixed_admins_complete
    return posture in (Posture.SECURITY_DEFAULTS, Posture.CONDITIONAL_ACCESS)


def mfa_at(profile: Profile, posture: Posture, month: int) -> MfaFigures:
    progress = min(1.0, max(0.0, (month - profile.ramp_start) / profile.ramp_months))
    noise = 0.01 * (unit(profile.key, month) - 0.5)
    position = profile.coverage + profile.ramp * progress + noise
    low, high = _COVERAGE_RANGE[posture]
    coverage = low + (high - low) * min(1.0, max(0.0, position))
    non_admins = profile.users - profile.admins
    if posture in (Posture.SECURITY_DEFAULTS, Posture.CONDITIONAL_ACCESS):
        admins = profile.admins
    elif posture is Posture.MIXED:
        admins = profile.admins if profile.mixed_admins_complete else max(0, profile.admins - 1)
    elif posture is Posture.PER_USER:
        admins = round(profile.admins * min(1.0, coverage + 0.15))
    else:
        admins = math.floor(profile.admins * coverage)
    return MfaFigures(admins, round(non_admins * coverage), posture)


def insight_json(profile: Profile, figures: MfaFigures) -> dict[str, Any]:
    """The ``customerInsight`` Graph returns for this customer."""
    posture = figures.posture

    def status(enabled: bool) -> str:
        return "enabled" if enabled else "disabled"

    return {
        "tenantId": profile.tenant_id,
        "mfa": {
            "compliantAdminsCount": figures.compliant_admins,
            "compliantNonAdminsCount": figures.compliant_non_admins,
            "totalUsersCount": profile.users,
            "securityDefaultsStatus": status(posture is Posture.SECURITY_DEFAULTS),
            "mfaConditionalAccessPolicyStatus": status(posture in (Posture.CONDITIONAL_ACCESS, Posture.MIXED)),
            "legacyPerUserMfaStatus": status(posture in (Posture.PER_USER, Posture.MIXED)),
        },
    }


def has_budget(profile: Profile, month: int) -> bool:
    return profile.budget_from is not None and month >= profile.budget_from
