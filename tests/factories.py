"""Small builders of snapshot records for tests that need a few hand-made cases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from reporter.model import (
    Alert,
    AlertSeverity,
    AlertStatus,
    Customer,
    HistoryPoint,
    MfaInsight,
    PartnerScore,
    PolicyStatus,
    Provenance,
    Snapshot,
)

COLLECTED = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
_IDS = uuid.UUID("6d1f6a36-6f70-4d8e-9a57-2c1a3c1b5e00")


def tid(name: str) -> str:
    """A tenant id for ``name``: a GUID given stays as it is (lower case), any other name maps to a fixed GUID.

    Snapshots hold only GUID tenant ids, as Graph sends; tests can still say ``"t1"``.
    """
    try:
        return str(uuid.UUID(name)) if len(name) == 36 else str(uuid.uuid5(_IDS, name))
    except ValueError:
        return str(uuid.uuid5(_IDS, name))


def provenance(**kw: Any) -> Provenance:
    return Provenance(
        **{
            "collected_at": COLLECTED,
            "api_base": "https://graph.microsoft.com",
            "api_version": "beta",
            "tool_version": "0.1.0",
            "data_gaps": (),
            **kw,
        }
    )


def customer(
    tenant_id: str,
    name: str | None = None,
    *,
    users: int = 100,
    admins: int = 2,
    non_admins: int = 90,
    ca: PolicyStatus = PolicyStatus.ENABLED,
    sd: PolicyStatus = PolicyStatus.DISABLED,
    per_user: PolicyStatus = PolicyStatus.DISABLED,
    domain: str | None = None,
    unchecked: bool = False,
) -> Customer:
    """``unchecked=True`` skips the model's checks, for a name the model would refuse (a renderer's own defence)."""
    make = Customer.model_construct if unchecked else Customer
    return make(
        tenant_id=tenant_id if unchecked else tid(tenant_id),
        display_name=name,
        default_domain_name=domain,
        mfa=MfaInsight(
            compliant_admins_count=admins,
            compliant_non_admins_count=non_admins,
            total_users_count=users,
            security_defaults_status=sd,
            mfa_conditional_access_policy_status=ca,
            legacy_per_user_mfa_status=per_user,
        ),
    )


def alert(
    alert_id: str,
    tenant_id: str,
    severity: AlertSeverity = AlertSeverity.HIGH,
    status: AlertStatus = AlertStatus.ACTIVE,
    *,
    is_test: bool = False,
    unchecked: bool = False,
) -> Alert:
    make = Alert.model_construct if unchecked else Alert
    return make(
        id=alert_id,
        display_name=f"Alert {alert_id}",
        severity=severity,
        status=status,
        customer_tenant_id=tenant_id if unchecked else tid(tenant_id),
        detected_date_time=COLLECTED,
        is_test=is_test,
    )


def history(*points: tuple[datetime, float | None]) -> tuple[HistoryPoint, ...]:
    return tuple(HistoryPoint(id=f"h{i}", created_date_time=t, score=s) for i, (t, s) in enumerate(points))


def snapshot(**kw: Any) -> Snapshot:
    return Snapshot(
        **{
            "provenance": provenance(),
            "score": PartnerScore(current_score=70.0, max_score=100.0, updated_date_time=COLLECTED),
            **dict.fromkeys(("requirements", "history", "customers", "alerts"), ()),
            **kw,
        }
    )
