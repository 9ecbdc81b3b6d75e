"""One customer's MFA posture: coverage, policy, attention level, reasons and actions.

Pure functions of the snapshot. The PDF reports and the workbook show exactly
what is computed here, so a partner sees the same verdict everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from reporter.model import SEVERITY_ORDER, Alert, AlertSeverity, Customer, PolicyStatus
from reporter.view import links
from reporter.view.fmt import format_percent, whole_percent

__all__ = [
    "COVERAGE_TARGET",
    "Action",
    "ActionKind",
    "Finding",
    "FindingKind",
    "Level",
    "Policy",
    "Posture",
    "assess",
    "coverage",
    "format_percent",
    "open_alerts_by_severity",
    "policy_of",
    "whole_percent",
]


class Level(IntEnum):
    """How urgently a customer needs attention (higher is more urgent)."""

    OK = 0
    NO_DATA = 1
    LOW = 2
    MEDIUM = 3
    HIGH = 4
    CRITICAL = 5

    @property
    def colour(self) -> str:
        return _LEVEL_COLOURS[self]

    @property
    def key(self) -> str:
        return self.name.lower().replace("_", "-")


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


COVERAGE_TARGET = 0.9
"""Share of non-admin users with MFA below which a customer needs attention."""


class ActionKind(StrEnum):
    """Which next step an action is; ``wording.action_text`` says it."""

    CHECK_GDAP = "check-gdap"
    TURN_ON_MFA = "turn-on-mfa"
    MOVE_TO_CA = "move-to-ca"
    REQUIRE_ADMIN_MFA = "require-admin-mfa"
    REGISTER_USERS = "register-users"
    RESOLVE_ALERTS = "resolve-alerts"


@dataclass(frozen=True, slots=True)
class Action:
    """One clear next step, with the link where it is taken; ``text`` says it in plain language."""

    kind: ActionKind
    url: str
    help_url: str | None = None
    partner_only: bool = False
    """Taken in Partner Center: a customer's own report shows it without the link."""
    followed_up_by: str = ""
    """The partner who takes this step for the customer (a customer's own report says so)."""


class FindingKind(StrEnum):
    """What kind of problem a finding is; ``wording.finding_reason`` says it with the finding's figures."""

    NO_DATA = "no-data"
    NO_POLICY = "no-policy"
    PER_USER_ONLY = "per-user-only"
    POLICY_UNKNOWN = "policy-unknown"
    NO_ADMIN_MFA = "no-admin-mfa"
    LOW_COVERAGE = "low-coverage"
    OPEN_ALERTS = "open-alerts"


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    kind: FindingKind
    action: Action | None
    share: float | None = None
    """``LOW_COVERAGE``: the coverage found."""
    count: int = 0
    """``OPEN_ALERTS``: how many are open."""
    severity: AlertSeverity | None = None
    """``OPEN_ALERTS``: of which severity."""

    @property
    def key(self) -> str:
        """What kind of problem this is (stable across months, unlike the reason's figures)."""
        if self.kind is FindingKind.OPEN_ALERTS and self.severity is not None:
            return f"{self.kind.value}-{self.severity.value}"
        return self.kind.value


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
    def actions(self) -> tuple[Action, ...]:
        seen: set[ActionKind] = set()
        unique: list[Action] = []
        for finding in self.findings:
            if finding.action and finding.action.kind not in seen:
                seen.add(finding.action.kind)
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
        gdap = Action(ActionKind.CHECK_GDAP, links.PARTNER_CUSTOMERS, partner_only=True)
        return [Finding(Level.NO_DATA, FindingKind.NO_DATA, gdap)]
    findings: list[Finding] = []
    users = mfa.total_users_count or 0
    if policy is Policy.NONE:
        turn_on = Action(
            ActionKind.TURN_ON_MFA, links.portal(tenant, links.SECURITY_DEFAULTS), links.DOC_SECURITY_DEFAULTS
        )
        findings.append(Finding(Level.CRITICAL, FindingKind.NO_POLICY, turn_on))
    elif policy is Policy.PER_USER_ONLY:
        move = Action(ActionKind.MOVE_TO_CA, links.portal(tenant, links.CONDITIONAL_ACCESS), links.DOC_CA_MFA_ALL_USERS)
        findings.append(Finding(Level.LOW, FindingKind.PER_USER_ONLY, move))
    elif policy is Policy.UNKNOWN:
        findings.append(Finding(Level.LOW, FindingKind.POLICY_UNKNOWN, None))
    if users > 0 and mfa.compliant_admins_count == 0:
        admins = Action(
            ActionKind.REQUIRE_ADMIN_MFA, links.portal(tenant, links.CONDITIONAL_ACCESS), links.DOC_CA_MFA_ADMINS
        )
        findings.append(Finding(Level.HIGH, FindingKind.NO_ADMIN_MFA, admins))
    if cov is not None and cov < COVERAGE_TARGET:
        level = Level.HIGH if cov < 0.5 else Level.MEDIUM
        register = Action(
            ActionKind.REGISTER_USERS, links.portal(tenant, links.REGISTRATION_DETAILS), links.DOC_CA_MFA_ALL_USERS
        )
        findings.append(Finding(level, FindingKind.LOW_COVERAGE, register, share=cov))
    return findings


def _alert_findings(by_severity: Sequence[tuple[AlertSeverity, int]]) -> list[Finding]:
    findings = []
    levels = {AlertSeverity.HIGH: Level.CRITICAL, AlertSeverity.MEDIUM: Level.HIGH, AlertSeverity.LOW: Level.MEDIUM}
    for severity, count in by_severity:
        if count == 0:
            continue
        resolve = Action(ActionKind.RESOLVE_ALERTS, links.PARTNER_SECURITY_ALERTS, partner_only=True)
        findings.append(
            Finding(levels.get(severity, Level.LOW), FindingKind.OPEN_ALERTS, resolve, count=count, severity=severity)
        )
    return findings
