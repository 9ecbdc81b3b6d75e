"""Formatting shared by every document: numbers, dates, labels."""

from __future__ import annotations

from datetime import datetime

from reporter.model import ComplianceStatus, PolicyStatus, RequirementState


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "–"


def timestamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def month(value: datetime) -> str:
    return value.strftime("%B %Y")


def policy_status(status: PolicyStatus) -> str:
    return {PolicyStatus.ENABLED: "On", PolicyStatus.DISABLED: "Off", PolicyStatus.UNKNOWN: "Unknown"}[status]


def compliance(status: ComplianceStatus) -> str:
    return {
        ComplianceStatus.COMPLIANT: "Compliant",
        ComplianceStatus.NONCOMPLIANT: "Not compliant",
        ComplianceStatus.UNKNOWN: "Unknown",
    }[status]


def state(value: RequirementState) -> str:
    return {
        RequirementState.ACTIVE: "Active",
        RequirementState.PREVIEW: "Preview",
        RequirementState.UNKNOWN: "Unknown",
    }[value]


def signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if round(value, digits) == 0:
        return f"±{0:.{digits}f}"
    return f"{value:+.{digits}f}"
