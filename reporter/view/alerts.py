"""Security alerts as documents show them. Test alerts never count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from reporter.model import SEVERITY_ORDER, Alert, AlertSeverity
from reporter.view import fmt, wording

SEVERITY_COLOURS = {
    AlertSeverity.HIGH: "#C62828",
    AlertSeverity.MEDIUM: "#EF6C00",
    AlertSeverity.LOW: "#F9A825",
    AlertSeverity.INFORMATIONAL: "#1565C0",
    AlertSeverity.UNKNOWN: "#757575",
}


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: str
    title: str
    description: str
    severity: str
    severity_key: str
    severity_colour: str
    status: str
    detected: str
    tenant_id: str | None
    alert_type: str
    detected_at: datetime | None = None


def severity_label(severity: AlertSeverity) -> str:
    return wording.severity(severity)


def open_alert_rows(alerts: Iterable[Alert]) -> tuple[AlertRow, ...]:
    """Open, non-test alerts, most severe and most recent first."""
    chosen = [a for a in alerts if a.is_open and not a.is_test]
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    chosen.sort(key=lambda a: (rank[a.severity], -(a.detected_date_time.timestamp() if a.detected_date_time else 0)))
    return tuple(
        AlertRow(
            id=a.id,
            title=a.display_name or a.alert_type or wording.alert_title_fallback(),
            description=a.description or "",
            severity=severity_label(a.severity),
            severity_key=a.severity.value,
            severity_colour=SEVERITY_COLOURS[a.severity],
            status=wording.alert_status(a.status),
            detected=fmt.timestamp(a.detected_date_time),
            tenant_id=a.customer_tenant_id,
            alert_type=a.alert_type or "",
            detected_at=a.detected_date_time,
        )
        for a in chosen
    )


@dataclass(frozen=True, slots=True)
class AlertRecordRow:
    """One alert, open or not, test or not, as a table of every alert lists it."""

    id: str
    title: str
    description: str
    severity: str
    severity_key: str
    status: str
    is_open: bool
    is_test: bool
    alert_type: str
    tenant_id: str
    customer: str
    """The customer's name when the snapshot knows it, else its tenant id (or blank)."""
    detected_at: datetime | None
    resolved_at: datetime | None
    resolved_reason: str
    resolved_by: str


def alert_record_rows(alerts: Iterable[Alert], names: Mapping[str, str]) -> tuple[AlertRecordRow, ...]:
    """Every alert: real before test, open before closed, most severe and most recent first.

    ``names`` maps a lower-case tenant id to the customer's name. Test alerts are
    kept and flagged (``is_test``); figures elsewhere leave them out.
    """
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    ordered = sorted(
        alerts,
        key=lambda a: (
            a.is_test,
            not a.is_open,
            rank[a.severity],
            -(a.detected_date_time.timestamp() if a.detected_date_time else 0),
            a.id,
        ),
    )
    rows = []
    for a in ordered:
        tenant = a.customer_tenant_id or ""
        rows.append(
            AlertRecordRow(
                id=a.id,
                title=a.display_name or a.alert_type or wording.alert_title_fallback(),
                description=a.description or "",
                severity=severity_label(a.severity),
                severity_key=a.severity.value,
                status=wording.alert_status(a.status),
                is_open=a.is_open,
                is_test=a.is_test,
                alert_type=a.alert_type or "",
                tenant_id=tenant,
                customer=names.get(tenant.lower(), tenant),
                detected_at=a.detected_date_time,
                resolved_at=a.resolved_on_date_time,
                resolved_reason=wording.resolved_reason(a.resolved_reason) if a.resolved_reason else "",
                resolved_by=a.resolved_by or "",
            )
        )
    return tuple(rows)
