"""The snapshot round-trips through its canonical JSON, and its SHA-256 identity is stable."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporter.model import (
    AdminsMfaDetails,
    Alert,
    AlertSeverity,
    AlertStatus,
    ComplianceStatus,
    Customer,
    CustomersMfaDetails,
    MfaInsight,
    NameSource,
    PartnerScore,
    PolicyStatus,
    Provenance,
    Requirement,
    RequirementDetails,
    RequirementState,
    RequirementType,
    ResolvedReason,
    ResponseTimeDetails,
    SecurityContactDetails,
    Snapshot,
    SpendingBudgetDetails,
)
from reporter.snapshot import dumps, loads, sha256
from tests import strategies

WHEN = datetime(2025, 3, 15, 6, 0, tzinfo=UTC)
SLOW_MACHINE = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(strategies.snapshots)
def test_loads_dumps_is_identity(snap: Snapshot) -> None:
    raw = dumps(snap)
    again = loads(raw)
    assert again == snap
    assert dumps(again) == raw


@settings(max_examples=75, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(strategies.snapshots)
def test_sha256_is_stable_across_round_trips(snap: Snapshot) -> None:
    identity = sha256(snap)
    assert len(identity) == 64
    assert sha256(loads(dumps(snap))) == identity
    assert sha256(snap.model_copy()) == identity


@settings(max_examples=75, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(strategies.snapshots)
def test_canonical_json_is_sorted_compact_utf8(snap: Snapshot) -> None:
    raw = dumps(snap)
    data = json.loads(raw.decode("utf-8"))
    assert json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == raw
    assert data["schemaVersion"] == 1


@settings(max_examples=50, deadline=None, suppress_health_check=SLOW_MACHINE)
@given(strategies.snapshots, st.data())
def test_sha256_changes_when_content_changes(snap: Snapshot, data: st.DataObject) -> None:
    other_score = data.draw(strategies.partner_scores.filter(lambda s: s != snap.score))
    changed = snap.model_copy(update={"score": other_score})
    assert sha256(changed) != sha256(snap)


def every_member_snapshot() -> Snapshot:
    """One snapshot holding every enum member and every requirement details subtype."""
    details: list[RequirementDetails | None] = [
        AdminsMfaDetails(total_admins_count=3, security_defaults_status=PolicyStatus.ENABLED),
        CustomersMfaDetails(compliant_tenant_count=1, total_tenant_count=2),
        SpendingBudgetDetails(customers_with_spend_budget_count=0, total_customers_count=0),
        ResponseTimeDetails(average_response_time_in_hours=None),
        SecurityContactDetails(),
        None,
    ]
    requirements = tuple(
        Requirement(
            id=f"r{i}",
            requirement_type=kind,
            requirement_type_name=kind.value,
            compliance_status=list(ComplianceStatus)[i % len(ComplianceStatus)],
            score=None if i % 2 else i,
            max_score=10,
            state=list(RequirementState)[i % len(RequirementState)],
            details=details[i],
        )
        for i, kind in enumerate(RequirementType)
    )
    customers = tuple(
        Customer(
            tenant_id=f"00000000-0000-4000-8000-00000000000{i}",
            display_name=name,
            name_source=source,
            mfa=MfaInsight(
                security_defaults_status=policy,
                mfa_conditional_access_policy_status=policy,
                legacy_per_user_mfa_status=policy,
            ),
        )
        for i, (policy, (name, source)) in enumerate(
            zip(
                PolicyStatus,
                [("شركة", NameSource.CONTRACTS), ('=HYPERLINK("x")', NameSource.CUSTOMERS_FILE), (None, None)],
                strict=True,
            )
        )
    )
    alerts = tuple(
        Alert(id=f"a{i}-{j}-{k}", severity=severity, status=status, resolved_reason=reason, is_test=bool(i % 2))
        for i, severity in enumerate(AlertSeverity)
        for j, status in enumerate(AlertStatus)
        for k, reason in enumerate([*ResolvedReason, None])
    )
    return Snapshot(
        provenance=Provenance(
            collected_at=WHEN,
            api_base="https://graph.microsoft.com",
            api_version="beta",
            tool_version="0",
            data_gaps=(),
        ),
        score=PartnerScore(current_score=None, max_score=100.0),
        requirements=requirements,
        history=(),
        customers=customers,
        alerts=alerts,
    )


def test_every_enum_member_and_subtype_round_trips() -> None:
    snap = every_member_snapshot()
    assert {type(r.details) for r in snap.requirements} == {
        AdminsMfaDetails,
        CustomersMfaDetails,
        SpendingBudgetDetails,
        ResponseTimeDetails,
        SecurityContactDetails,
        type(None),
    }
    assert loads(dumps(snap)) == snap
    assert sha256(loads(dumps(snap))) == sha256(snap)
