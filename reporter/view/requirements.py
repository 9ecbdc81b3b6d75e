"""The partner's security requirements as rows a document shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reporter.model import (
    AdminsMfaDetails,
    ComplianceStatus,
    CustomersMfaDetails,
    Requirement,
    RequirementType,
    ResponseTimeDetails,
    SpendingBudgetDetails,
)
from reporter.view import fmt, wording


def title(kind: RequirementType, name: str) -> str:
    """A requirement's title; a type this tool does not know is named as Graph names it."""
    return wording.requirement_title(kind) or wording.unknown_requirement(name)


STATUS_COLOURS = {
    ComplianceStatus.COMPLIANT: "#2E7D32",
    ComplianceStatus.NONCOMPLIANT: "#C62828",
    ComplianceStatus.UNKNOWN: "#757575",
}


@dataclass(frozen=True, slots=True)
class RequirementRow:
    id: str
    key: str
    """The requirement type as Graph names it (unknown types keep their name)."""
    title: str
    status: str
    status_key: str
    status_colour: str
    compliant: bool
    score: int | None
    max_score: int | None
    score_text: str
    state: str
    mandatory: bool
    action_url: str | None
    help_url: str | None
    details: tuple[tuple[str, str], ...]
    """Label and value pairs of the requirement's own figures."""
    updated: str
    updated_at: datetime | None = None


def requirement_rows(requirements: tuple[Requirement, ...]) -> tuple[RequirementRow, ...]:
    return tuple(_row(r) for r in requirements)


def _row(req: Requirement) -> RequirementRow:
    return RequirementRow(
        id=req.id,
        key=req.requirement_type_name,
        title=title(req.requirement_type, req.requirement_type_name),
        status=wording.compliance(req.compliance_status),
        status_key=req.compliance_status.value,
        status_colour=STATUS_COLOURS[req.compliance_status],
        compliant=req.compliance_status is ComplianceStatus.COMPLIANT,
        score=req.score,
        max_score=req.max_score,
        score_text=wording.out_of(fmt.number(req.score), fmt.number(req.max_score)),
        state=wording.requirement_state(req.state),
        mandatory=req.mandatory_for_csp,
        action_url=_http(req.action_url),
        help_url=_http(req.help_url),
        details=_details(req),
        updated=fmt.date(req.updated_date_time),
        updated_at=req.updated_date_time,
    )


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _of(part: int | None, whole: int | None) -> str:
    return wording.part_of(fmt.number(part), fmt.number(whole))


def _details(req: Requirement) -> tuple[tuple[str, str], ...]:
    return tuple((wording.requirement_detail(key), value) for key, value in _figures(req))


def _figures(req: Requirement) -> tuple[tuple[str, str], ...]:
    """(detail id, value) for each of the requirement's own figures."""
    d = req.details
    if isinstance(d, AdminsMfaDetails):
        return (
            ("admins-with-mfa", _of(d.mfa_enabled_admins_count, d.total_admins_count)),
            ("admins-not-using-mfa", fmt.number(d.admins_required_not_using_mfa_count)),
            ("users-with-mfa", _of(d.mfa_enabled_users_count, d.total_users_count)),
            ("users-not-using-mfa", fmt.number(d.users_required_not_using_mfa_count)),
            ("security-defaults", wording.policy_status(d.security_defaults_status)),
            ("ca-mfa-policy", wording.policy_status(d.mfa_conditional_access_policy_status)),
            ("per-user-mfa", wording.policy_status(d.legacy_per_user_mfa_status)),
        )
    if isinstance(d, CustomersMfaDetails):
        return (("compliant-tenants", _of(d.compliant_tenant_count, d.total_tenant_count)),)
    if isinstance(d, SpendingBudgetDetails):
        return (("spending-budgets", _of(d.customers_with_spend_budget_count, d.total_customers_count)),)
    if isinstance(d, ResponseTimeDetails):
        hours = d.average_response_time_in_hours
        text = wording.not_reported_lower() if hours is None else wording.hours(fmt.number(hours, 1))
        return (("response-time", text),)
    return ()
