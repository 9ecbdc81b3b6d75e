"""The wording module: findings, actions and changes carry keys and figures; sentences are made on demand."""

from reporter.model import AlertSeverity, PolicyStatus, RequirementType
from reporter.view import wording
from reporter.view.changes import compare
from reporter.view.posture import Action, ActionKind, Finding, FindingKind, Level, Policy, assess
from tests import factories as f


def test_plurals_follow_the_count() -> None:
    assert wording.ngettext("{n} alert", "{n} alerts", 1) == "{n} alert"
    assert wording.ngettext("{n} alert", "{n} alerts", 0) == "{n} alerts"
    one = Finding(Level.HIGH, FindingKind.OPEN_ALERTS, None, count=1, severity=AlertSeverity.MEDIUM)
    many = Finding(Level.CRITICAL, FindingKind.OPEN_ALERTS, None, count=3, severity=AlertSeverity.HIGH)
    assert wording.finding_reason(one) == "1 open medium security alert."
    assert wording.finding_reason(many) == "3 open high security alerts."
    assert many.key == "open-alerts-high"
    assert wording.coverage_change(0.5, 0.51) == "50% → 51% (+1 pt)"
    assert wording.coverage_change(0.6, 0.5) == "60% → 50% (−10 pts)"
    assert wording.coverage_change(None, 0.5) == "– → 50%"
    assert wording.no_attention_without_data(1).endswith(
        "1 customer reported no MFA data, so whether it needs attention is unknown."
    )
    assert "1,200 customers" in wording.no_attention_without_data(1200)


def test_a_finding_holds_its_kind_and_figures_not_a_sentence() -> None:
    posture = assess(f.customer("t1", "Alpha", users=100, admins=0, non_admins=40, ca=PolicyStatus.DISABLED), [])
    kinds = [finding.kind for finding in posture.findings]
    assert kinds == [FindingKind.NO_POLICY, FindingKind.NO_ADMIN_MFA, FindingKind.LOW_COVERAGE]
    low = next(x for x in posture.findings if x.kind is FindingKind.LOW_COVERAGE)
    assert low.share == 0.4
    assert wording.finding_reason(low) == "Only 40% of users (other than admins) are registered for MFA."
    assert [x.key for x in posture.findings] == [x.kind.value for x in posture.findings]


def test_actions_are_said_by_the_wording_module_and_a_partner_can_follow_them_up() -> None:
    action = Action(ActionKind.RESOLVE_ALERTS, "https://example.com", partner_only=True)
    assert wording.action_text(action).startswith("Investigate and resolve the open alerts")
    followed = Action(ActionKind.RESOLVE_ALERTS, "", None, True, followed_up_by="Contoso")
    assert wording.action_text(followed) == f"Contoso will follow this up: {wording.action_text(action)}"


def test_labels_are_made_when_asked() -> None:
    assert wording.label(Level.NO_DATA) == wording.level_label(Level.NO_DATA) == "No data"
    assert wording.label(Policy.PER_USER_ONLY) == "Per-user MFA only"
    assert wording.requirement_title(RequirementType.UNKNOWN) is None
    assert wording.unknown_requirement("x") == "Unknown requirement (x)"


def test_changes_keep_keys_and_print_the_same_lines() -> None:
    off, on = PolicyStatus.DISABLED, PolicyStatus.ENABLED
    before = f.snapshot(customers=(f.customer("t1", "Alpha", users=100, admins=2, non_admins=40, ca=off, sd=off),))
    after = f.snapshot(customers=(f.customer("t1", "Alpha", users=100, admins=2, non_admins=93, ca=on),))
    (change,) = compare(before, after, previous_sha256="x" * 64).customers
    assert [m.subject for m in change.policy_moves] == ["mfa-policy", "conditional-access"]
    assert change.policy_changes[1] == ("Conditional Access", "Off", "On")
    assert {x.kind for x in change.resolved_findings} == {FindingKind.NO_POLICY, FindingKind.LOW_COVERAGE}
    assert change.detail_lines[:2] == ("MFA policy: No MFA policy → Conditional Access", "Conditional Access: Off → On")
    assert all(line.startswith("Resolved: ") for line in change.detail_lines[2:])
