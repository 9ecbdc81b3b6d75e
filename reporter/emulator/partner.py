"""The partner's own side: the five security requirements, how they are scored, and the overall score.

Requirements are assessed from the figures of one month. The overall score is
the share of the active requirements' points earned, 0-100; a requirement in
``preview`` is shown but not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporter.emulator.customers import PartnerKind
from reporter.emulator.timeline import rng_for, stable_uuid, unit
from reporter.emulator.wire import NAMESPACE


@dataclass(frozen=True)
class RequirementKind:
    odata_type: str
    requirement_type: str
    max_score: int
    help_path: str


ADMINS_MFA = RequirementKind("adminsMfaEnforcedSecurityRequirement", "mfaEnforcedForAdmins", 25, "mfa-for-admins")
CUSTOMERS_MFA = RequirementKind(
    "customersMfaEnforcedSecurityRequirement", "mfaEnforcedForAdminsOfCustomers", 20, "mfa-for-customer-admins"
)
RESPONSE_TIME = RequirementKind(
    "responseTimeSecurityRequirement", "securityAlertsPromptlyResolved", 25, "respond-to-security-alerts"
)
SECURITY_CONTACT = RequirementKind("securityRequirement", "securityContactProvided", 10, "security-contact")
SPENDING_BUDGET = RequirementKind(
    "customersSpendingBudgetSecurityRequirement",
    "spendingBudgetSetForCustomerAzureSubscriptions",
    20,
    "spending-budgets",
)
KINDS = (ADMINS_MFA, CUSTOMERS_MFA, RESPONSE_TIME, SECURITY_CONTACT, SPENDING_BUDGET)
RESPONSE_TARGET_HOURS = 24.0


@dataclass(frozen=True)
class PartnerTraits:
    key: str
    tenant_id: str
    kind: PartnerKind
    admins: int
    users: int
    admin_gap: int
    """Admins without MFA at ``fix_start``; one is fixed every ``fix_every`` months."""
    fix_start: int
    fix_every: int
    contact_from: int | None
    spending_active_from: int


def make_traits(seed: int, kind: PartnerKind) -> PartnerTraits:
    key = f"{seed}:partner"
    rng = rng_for(key)
    return PartnerTraits(
        key=key,
        tenant_id=stable_uuid(key, "tenant"),
        kind=kind,
        admins=rng.randint(5, 20),
        users=rng.randint(25, 400),
        admin_gap=rng.randint(2, 5),
        fix_start=rng.randint(118, 128),
        fix_every=rng.randint(2, 4),
        contact_from=None if kind == "struggling" else rng.randint(126 if kind == "exemplary" else 118, 134),
        spending_active_from=rng.randint(134, 146),
    )


@dataclass(frozen=True)
class MonthFigures:
    """What the requirements are assessed from, for one month."""

    month: int
    compliant_tenants: int
    total_tenants: int
    budgeted_customers: int
    azure_customers: int
    response_hours: float


@dataclass(frozen=True)
class Assessment:
    kind: RequirementKind
    compliant: bool
    score: int
    state: str
    details: dict[str, Any]

    @property
    def fingerprint(self) -> tuple[bool, int, str]:
        return (self.compliant, self.score, self.state)


def assess(traits: PartnerTraits, figures: MonthFigures) -> list[Assessment]:
    return [
        _admins_mfa(traits, figures.month),
        _ratio(CUSTOMERS_MFA, figures.compliant_tenants, figures.total_tenants, "active", {
            "compliantTenantCount": figures.compliant_tenants,
            "totalTenantCount": figures.total_tenants,
        }),
        _response_time(figures.response_hours),
        _contact(traits, figures.month),
        _ratio(SPENDING_BUDGET, figures.budgeted_customers, figures.azure_customers,
               "active" if figures.month >= traits.spending_active_from else "preview", {
            "customersWithSpendBudgetCount": figures.budgeted_customers,
            "totalCustomersCount": figures.azure_customers,
        }),
    ]  # fmt: skip


def overall_score(assessments: list[Assessment]) -> float:
    """Share of the active requirements' points earned, 0-100, one decimal."""
    active = [a for a in assessments if a.state == "active"]
    possible = sum(a.kind.max_score for a in active)
    return round(100 * sum(a.score for a in active) / possible, 1) if possible else 0.0


def _admins_mfa(traits: PartnerTraits, month: int) -> Assessment:
    if traits.kind == "exemplary":
        missing = 0
    else:
        fixed = max(0, (month - traits.fix_start) // traits.fix_every)
        missing = max(0, traits.admin_gap - fixed) + (1 if unit(traits.key, "new-admin", month) < 0.06 else 0)
        if traits.kind == "struggling":
            missing = max(missing, 2)
    missing = min(missing, traits.admins)
    users_missing = 0 if traits.kind == "exemplary" else round(traits.users * (0.02 + 0.1 * missing / traits.admins))
    compliant = missing == 0
    mfa_admins = traits.admins - missing
    score = ADMINS_MFA.max_score if compliant else _partial(ADMINS_MFA, mfa_admins / (2 * traits.admins))
    return Assessment(
        ADMINS_MFA,
        compliant,
        score,
        "active",
        {
            "totalAdminsCount": traits.admins,
            "mfaEnabledAdminsCount": mfa_admins,
            "adminsRequiredNotUsingMfaCount": missing,
            "totalUsersCount": traits.users,
            "mfaEnabledUsersCount": traits.users - users_missing,
            "usersRequiredNotUsingMfaCount": users_missing,
            "securityDefaultsStatus": "disabled",
            "mfaConditionalAccessPolicyStatus": "disabled" if traits.kind == "struggling" else "enabled",
            "legacyPerUserMfaStatus": "enabled" if traits.kind == "struggling" else "disabled",
        },
    )


def _ratio(kind: RequirementKind, good: int, total: int, state: str, details: dict[str, Any]) -> Assessment:
    compliant = good == total
    score = kind.max_score if compliant else _partial(kind, good / total)
    return Assessment(kind, compliant, score, state, details)


def _response_time(hours: float) -> Assessment:
    compliant = hours <= RESPONSE_TARGET_HOURS
    score = RESPONSE_TIME.max_score if compliant else _partial(RESPONSE_TIME, RESPONSE_TARGET_HOURS / hours)
    return Assessment(RESPONSE_TIME, compliant, score, "active", {"averageResponseTimeInHours": hours})


def _partial(kind: RequirementKind, share: float) -> int:
    """Partial credit in steps of five points, always short of the maximum."""
    return min(kind.max_score - 5, int(kind.max_score * share) // 5 * 5)


def _contact(traits: PartnerTraits, month: int) -> Assessment:
    compliant = traits.contact_from is not None and month >= traits.contact_from
    return Assessment(SECURITY_CONTACT, compliant, SECURITY_CONTACT.max_score if compliant else 0, "active", {})


def requirement_id(seed: int, kind: RequirementKind) -> str:
    """Graph uses the type name as id for some requirements and a GUID for others."""
    if unit(seed, "requirement-id", kind.requirement_type) < 0.5:
        return kind.requirement_type
    return stable_uuid(seed, "requirement", kind.requirement_type)


def requirement_json(seed: int, assessment: Assessment, updated: str) -> dict[str, Any]:
    kind = assessment.kind
    return {
        "@odata.type": f"{NAMESPACE}.{kind.odata_type}",
        "id": requirement_id(seed, kind),
        "requirementType": kind.requirement_type,
        "complianceStatus": "compliant" if assessment.compliant else "nonCompliant",
        "score": assessment.score,
        "maxScore": kind.max_score,
        "state": assessment.state,
        "actionUrl": f"https://partner.microsoft.com/dashboard/v2/security/score/{kind.help_path}",
        "helpUrl": f"https://learn.microsoft.com/partner-center/security/{kind.help_path}",
        "updatedDateTime": updated,
        **assessment.details,
    }
