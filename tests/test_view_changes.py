from datetime import UTC, datetime

from reporter.model import ComplianceStatus, PolicyStatus, Requirement, RequirementState, RequirementType
from reporter.view.changes import compare
from reporter.view.posture import Level
from tests import factories as f

OFF, ON = PolicyStatus.DISABLED, PolicyStatus.ENABLED


def _req(status: ComplianceStatus, score: int) -> Requirement:
    return Requirement(
        id="r1",
        requirement_type=RequirementType.SECURITY_CONTACT_PROVIDED,
        requirement_type_name="securityContactProvided",
        compliance_status=status,
        score=score,
        max_score=10,
        state=RequirementState.ACTIVE,
    )


def test_month_over_month_names_coverage_policy_items_customers_and_requirements() -> None:
    before = f.snapshot(
        customers=(
            f.customer("t1", "Alpha", users=100, admins=2, non_admins=40, ca=OFF, sd=OFF),
            f.customer("t2", "Beta"),
            f.customer("t3", "Gone Ltd"),
        ),
        requirements=(_req(ComplianceStatus.NONCOMPLIANT, 0),),
    )
    after = f.snapshot(
        provenance=f.provenance(collected_at=datetime(2026, 12, 1, tzinfo=UTC)),
        customers=(
            f.customer("t1", "Alpha", users=100, admins=2, non_admins=93, ca=ON),
            f.customer("t2", "Beta"),
            f.customer("t4", "New Co"),
        ),
        requirements=(_req(ComplianceStatus.COMPLIANT, 10),),
    )
    changes = compare(before, after, previous_sha256="x" * 64)
    assert changes.previous_period == "2026-11"
    assert changes.customers_gained == ((f.tid("t4"), "New Co"),)
    assert changes.customers_lost == ((f.tid("t3"), "Gone Ltd"),)
    assert [c.name for c in changes.customers] == ["Alpha"]
    alpha = changes.for_customer(f.tid("t1").upper())
    assert alpha is not None
    assert alpha.coverage_change_text == "41% → 95% (+54 pts)"
    assert ("Conditional Access", "Off", "On") in alpha.policy_changes
    assert alpha.level_before is Level.CRITICAL
    assert alpha.level_after is Level.OK
    assert any("No MFA policy" in item for item in alpha.resolved_items)
    assert alpha.new_items == ()
    assert changes.for_customer("t2") is None
    [req] = changes.requirements
    assert (req.status_before, req.status_after, req.score_delta) == ("Not compliant", "Compliant", 10)
