"""One customer's MFA posture: coverage, policy, attention level, reasons and actions.

Pure functions of the snapshot. The PDF reports and the workbook show exactly
what is computed here, so a partner sees the same verdict everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext
from enum import IntEnum

from reporter.model import SEVERITY_ORDER, Alert, AlertSeverity, Customer, PolicyStatus
from reporter.view import links


class Level(IntEnum):
    """How urgently a customer needs attention (higher is more urgent)."""

    OK = 0
    NO_DATA = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4
    CRITICAL = 5

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]

    @property
    def colour(self) -> str:
        return _LEVEL_COLOURS[self]

    @property
    def key(self) -> str:
        return self.name.lower().replace("_", "-")


_LEVEL_LABELS = {
    Level.OK: "OK",
    Level.NO_DATA: "No data",
    Level.LOW: "Low",
    Level.MEDIUM: "Medium",
    Level.HIGH: "High",
    Level.CRITICAL: "Critical",
}
# Distinct in hue and in lightness, so they survive greyscale printing.
_LEVEL_COLOURS = {
    Level.OK: "#2E7D32",
    Level.NO_DATA: "#9E9E9E",
    Level.LOW: "#F9A825",
    Level.MEDIUM: "#EF6C00",
    Level.HIGH: "#C62828",
    Level.CRITICAL: "#6A1B1A",
}


class Policy(IntEnum):
    """Which mechanism enforces MFA in the tenant, best first."""

    CONDITIONAL_ACCESS = 0
    SECURITY_DEFAULTS = 1
    PER_USER_ONLY = 2
    NONE = 3
    UNKNOWN = 4

    @property
    def label(self) -> str:
        return _POLICY_LABELS[self]


_POLICY_LABELS = {
    Policy.CONDITIONAL_ACCESS: "Conditional Access",
    Policy.SECURITY_DEFAULTS: "Security defaults",
    Policy.PER_USER_ONLY: "Per-user MFA only",
    Policy.NONE: "No MFA policy",
    Policy.UNKNOWN: "Unknown",
}

COVERAGE_TARGET = 0.9
"""Share of non-admin users with MFA below which a customer needs attention."""


@dataclass(frozen=True, slots=True)
class Action:
    """One clear next step, in plain language, with the link where it is taken."""

    text: str
    url: str
    help_url: str | None = None
    partner_only: bool = False
    """Taken in Partner Center: a customer's own report shows it without the link."""


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    reason: str
    action: Action | None
    key: str = ""
    """What kind of problem this is (stable across months, unlike the reason's figures)."""


@dataclass(frozen=True, slots=True)
class Posture:
    tenant_id: str
    has_data: bool
    users: int | None
    compliant_admins: int | None
    compliant_non_admins: int | None
    coverage: float | None
    """Share of non-admin users with MFA, 0..1 (a lower bound: Graph gives no admin total)."""
    policy: Policy
    security_defaults: PolicyStatus
    conditional_access: PolicyStatus
    per_user_mfa: PolicyStatus
    open_alerts: int
    open_alerts_by_severity: tuple[tuple[AlertSeverity, int], ...]
    findings: tuple[Finding, ...]

    @property
    def level(self) -> Level:
        return max((f.level for f in self.findings), default=Level.OK if self.has_data else Level.NO_DATA)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(f.reason for f in self.findings)

    @property
    def actions(self) -> tuple[Action, ...]:
        seen: set[str] = set()
        unique: list[Action] = []
        for finding in self.findings:
            if finding.action and finding.action.text not in seen:
                seen.add(finding.action.text)
                unique.append(finding.action)
        return tuple(unique)


def coverage(customer: Customer) -> float | None:
    """Share of non-admin users registered for MFA, or None when it cannot be known.

    Graph reports compliant admins and non-admins and the total of users, but not
    how many admins there are, so admins without MFA count as non-admins here:
    the figure is a lower bound, never an overstatement.
    """
    mfa = customer.mfa
    if mfa is None or mfa.total_users_count is None or mfa.compliant_non_admins_count is None:
        return None
    non_admins = mfa.total_users_count - (mfa.compliant_admins_count or 0)
    if non_admins <= 0:
        return None
    return min(1.0, mfa.compliant_non_admins_count / non_admins)


def policy_of(customer: Customer) -> Policy:
    mfa = customer.mfa
    if mfa is None:
        return Policy.UNKNOWN
    statuses = (mfa.mfa_conditional_access_policy_status, mfa.security_defaults_status, mfa.legacy_per_user_mfa_status)
    if mfa.mfa_conditional_access_policy_status is PolicyStatus.ENABLED:
        return Policy.CONDITIONAL_ACCESS
    if mfa.security_defaults_status is PolicyStatus.ENABLED:
        return Policy.SECURITY_DEFAULTS
    if mfa.legacy_per_user_mfa_status is PolicyStatus.ENABLED:
        return Policy.PER_USER_ONLY
    if any(s is PolicyStatus.UNKNOWN for s in statuses):
        return Policy.UNKNOWN
    return Policy.NONE


def open_alerts_by_severity(alerts: Iterable[Alert]) -> tuple[tuple[AlertSeverity, int], ...]:
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for alert in alerts:
        if alert.is_open and not alert.is_test:
            counts[alert.severity] += 1
    return tuple(counts.items())


def assess(customer: Customer, alerts: Sequence[Alert]) -> Posture:
    """The posture of ``customer``; ``alerts`` are that customer's alerts only."""
    tenant = customer.default_domain_name or customer.tenant_id
    mfa = customer.mfa
    cov = coverage(customer)
    policy = policy_of(customer)
    by_severity = open_alerts_by_severity(alerts)
    findings = [*_mfa_findings(customer, cov, policy, tenant), *_alert_findings(by_severity)]
    findings.sort(key=lambda f: -f.level)
    return Posture(
        tenant_id=customer.tenant_id,
        has_data=mfa is not None,
        users=mfa.total_users_count if mfa else None,
        compliant_admins=mfa.compliant_admins_count if mfa else None,
        compliant_non_admins=mfa.compliant_non_admins_count if mfa else None,
        coverage=cov,
        policy=policy,
        security_defaults=mfa.security_defaults_status if mfa else PolicyStatus.UNKNOWN,
        conditional_access=mfa.mfa_conditional_access_policy_status if mfa else PolicyStatus.UNKNOWN,
        per_user_mfa=mfa.legacy_per_user_mfa_status if mfa else PolicyStatus.UNKNOWN,
        open_alerts=sum(n for _, n in by_severity),
        open_alerts_by_severity=by_severity,
        findings=tuple(findings),
    )


def _mfa_findings(customer: Customer, cov: float | None, policy: Policy, tenant: str) -> list[Finding]:
    mfa = customer.mfa
    if mfa is None:
        return [
            Finding(
                Level.NO_DATA,
                "Microsoft reported no MFA data for this tenant.",
                Action(
                    "Check that the partner relationship (GDAP) with this customer is active.",
                    links.PARTNER_CUSTOMERS,
                    partner_only=True,
                ),
                key="no-data",
            )
        ]
    findings: list[Finding] = []
    users = mfa.total_users_count or 0
    if policy is Policy.NONE:
        findings.append(
            Finding(
                Level.CRITICAL,
                "No MFA policy is switched on: no sign-in is asked for a second factor.",
                Action(
                    "Turn on security defaults, or a Conditional Access policy that requires MFA for all users.",
                    links.portal(tenant, links.SECURITY_DEFAULTS),
                    links.DOC_SECURITY_DEFAULTS,
                ),
                key="no-policy",
            )
        )
    elif policy is Policy.PER_USER_ONLY:
        findings.append(
            Finding(
                Level.LOW,
                "MFA relies on legacy per-user settings, which Microsoft is retiring.",
                Action(
                    "Move to a Conditional Access policy that requires MFA for all users.",
                    links.portal(tenant, links.CONDITIONAL_ACCESS),
                    links.DOC_CA_MFA_ALL_USERS,
                ),
                key="per-user-only",
            )
        )
    elif policy is Policy.UNKNOWN:
        findings.append(
            Finding(Level.LOW, "Microsoft did not report which MFA policy is in force.", None, key="policy-unknown")
        )
    if users > 0 and mfa.compliant_admins_count == 0:
        findings.append(
            Finding(
                Level.HIGH,
                "No administrator is registered for MFA.",
                Action(
                    "Require MFA for every administrator role with Conditional Access.",
                    links.portal(tenant, links.CONDITIONAL_ACCESS),
                    links.DOC_CA_MFA_ADMINS,
                ),
                key="no-admin-mfa",
            )
        )
    if cov is not None and cov < COVERAGE_TARGET:
        level = Level.HIGH if cov < 0.5 else Level.MEDIUM
        findings.append(
            Finding(
                level,
                f"Only {format_percent(cov)} of users (other than admins) are registered for MFA.",
                Action(
                    "Ask the remaining users to register for MFA; the registration report lists who is missing.",
                    links.portal(tenant, links.REGISTRATION_DETAILS),
                    links.DOC_CA_MFA_ALL_USERS,
                ),
                key="low-coverage",
            )
        )
    return findings


def _alert_findings(by_severity: Sequence[tuple[AlertSeverity, int]]) -> list[Finding]:
    findings = []
    levels = {AlertSeverity.HIGH: Level.CRITICAL, AlertSeverity.MEDIUM: Level.HIGH, AlertSeverity.LOW: Level.MEDIUM}
    for severity, count in by_severity:
        if count == 0:
            continue
        noun = "alert" if count == 1 else "alerts"
        findings.append(
            Finding(
                levels.get(severity, Level.LOW),
                f"{count} open {severity.value} security {noun}.",
                Action(
                    "Investigate and resolve the open alerts (CSP partners must respond within 24 hours).",
                    links.PARTNER_SECURITY_ALERTS,
                    partner_only=True,
                ),
                key=f"open-alerts-{severity.value}",
            )
        )
    return findings


def _percent(value: float, exponent: Decimal) -> Decimal:
    """``value`` × 100 rounded to ``exponent``, half away from zero (as Excel rounds), for any finite float.

    Decimal arithmetic with room for every digit: the default 28-digit context
    cannot quantize a large share, and ``value * 100`` as a float can overflow.
    """
    with localcontext() as context:
        context.prec = 400 - min(exponent.adjusted(), 0)  # a float has at most 309 integer digits
        context.Emax = MAX_EMAX
        context.Emin = MIN_EMIN
        scaled = value * 100  # as a float first, as the documents always have rounded
        exact = Decimal(repr(scaled)) if math.isfinite(scaled) else Decimal(repr(value)) * 100
        return exact.quantize(exponent, rounding=ROUND_HALF_UP)


def whole_percent(value: float) -> int:
    """``0.125`` → ``13``: a share as the whole percent a document shows (half away from zero)."""
    return int(_percent(value, Decimal(1)))


def format_percent(value: float | None, digits: int = 0) -> str:
    """``0.4567`` → ``"46%"``; never rounds a shortfall up to 100%."""
    if value is None:
        return "–"
    if not math.isfinite(value):
        return "–"
    text = str(_percent(value, Decimal(1).scaleb(-digits)))
    if value < 1 and float(text) >= 100:
        text = f"{99.9 if digits else 99:.{digits}f}"
    return f"{text}%"
