"""Formatting shared by every document: numbers, dates, labels."""

from __future__ import annotations

import re
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


_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 controls but tab, LF and CR; DEL and C1; bidi marks, embeddings, overrides and isolates."""


def plain(text: str) -> str:
    """``text`` without control characters or bidi formatting, so it cannot reorder what surrounds it.

    Every piece of text from the data or the configuration (names, domains, alert
    names, brand strings) passes through this before a document shows it: a
    right-to-left override in a customer's name would otherwise turn the rest of
    its line around, and BEL or ESC would reach the PDF.
    """
    return _INVISIBLE.sub("", text)
