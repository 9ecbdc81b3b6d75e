"""Security alerts as documents show them. Test alerts never count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reporter.model import SEVERITY_ORDER, Alert, AlertSeverity, AlertStatus
from reporter.view import fmt

SEVERITY_COLOURS = {
    AlertSeverity.HIGH: "#C62828",
    AlertSeverity.MEDIUM: "#EF6C00",
    AlertSeverity.LOW: "#F9A825",
    AlertSeverity.INFORMATIONAL: "#1565C0",
    AlertSeverity.UNKNOWN: "#757575",
}
_STATUS = {
    AlertStatus.ACTIVE: "Active",
    AlertStatus.INVESTIGATING: "Investigating",
    AlertStatus.RESOLVED: "Resolved",
    AlertStatus.UNKNOWN: "Unknown",
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


def severity_label(severity: AlertSeverity) -> str:
    return severity.value.capitalize()


def open_alert_rows(alerts: Iterable[Alert]) -> tuple[AlertRow, ...]:
    """Open, non-test alerts, most severe and most recent first."""
    chosen = [a for a in alerts if a.is_open and not a.is_test]
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    chosen.sort(key=lambda a: (rank[a.severity], -(a.detected_date_time.timestamp() if a.detected_date_time else 0)))
    return tuple(
        AlertRow(
            id=a.id,
            title=a.display_name or a.alert_type or "Security alert",
            description=a.description or "",
            severity=severity_label(a.severity),
            severity_key=a.severity.value,
            severity_colour=SEVERITY_COLOURS[a.severity],
            status=_STATUS[a.status],
            detected=fmt.timestamp(a.detected_date_time),
            tenant_id=a.customer_tenant_id,
            alert_type=a.alert_type or "",
        )
        for a in chosen
    )
