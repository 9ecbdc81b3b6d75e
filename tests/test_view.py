from datetime import UTC, datetime

import pytest

from reporter.model import AlertSeverity, AlertStatus, Customer, PartnerScore, PolicyStatus
from reporter.view import Brand, build_context
from reporter.view.customers import slug
from reporter.view.history import change_since_previous, monthly_series
from reporter.view.posture import Level, Policy, assess, coverage, format_percent
from tests import factories as f

OFF = PolicyStatus.DISABLED
ON = PolicyStatus.ENABLED


def test_a_tenant_without_any_mfa_policy_is_critical_with_one_clear_action() -> None:
    posture = assess(f.customer("t1", "A", ca=OFF, sd=OFF, per_user=OFF), [])
    assert posture.level is Level.CRITICAL
    assert posture.policy is Policy.NONE
    assert any("No MFA policy" in r for r in posture.reasons)
    assert posture.actions[0].url.startswith("https://portal.azure.com/#@t1/")


def test_coverage_counts_admins_without_mfa_as_non_admins_so_it_never_overstates() -> None:
    c = f.customer("t1", users=10, admins=2, non_admins=4)
    assert coverage(c) == pytest.approx(0.5)
    assert assess(c, []).level is Level.MEDIUM


def test_coverage_below_half_is_high_and_zero_users_has_no_coverage() -> None:
    assert assess(f.customer("t1", users=100, admins=1, non_admins=10), []).level is Level.HIGH
    empty = f.customer("t2", users=0, admins=0, non_admins=0)
    assert coverage(empty) is None
    assert assess(empty, []).level is Level.OK


def test_no_insight_means_no_data_not_ok() -> None:
    posture = assess(Customer(tenant_id="t9"), [])
    assert posture.level is Level.NO_DATA
    assert posture.coverage is None


def test_open_high_alerts_make_a_customer_critical_but_test_and_resolved_alerts_do_not() -> None:
    c = f.customer("t1")
    assert assess(c, [f.alert("a", "t1")]).level is Level.CRITICAL
    quiet = [f.alert("b", "t1", is_test=True), f.alert("c", "t1", status=AlertStatus.RESOLVED)]
    assert assess(c, quiet).level is Level.OK
    assert assess(c, [f.alert("d", "t1", AlertSeverity.MEDIUM)]).open_alerts == 1


def test_percent_never_rounds_a_shortfall_up_to_100() -> None:
    assert format_percent(0.9996) == "99%"
    assert format_percent(1.0) == "100%"
    assert format_percent(None) == "–"
    assert format_percent(0.125) == "13%"  # half away from zero, as a spreadsheet shows it
    assert format_percent(0.0) == "0%"


def test_monthly_series_forward_fills_sparse_history_and_skips_nan() -> None:
    hist = f.history(
        (datetime(2026, 6, 10, tzinfo=UTC), 50.0),
        (datetime(2026, 8, 2, tzinfo=UTC), None),
        (datetime(2026, 9, 20, tzinfo=UTC), 60.0),
    )
    score = PartnerScore(current_score=65.0, max_score=100.0, updated_date_time=datetime(2026, 10, 5, tzinfo=UTC))
    series = monthly_series(hist, score, datetime(2026, 11, 1, tzinfo=UTC))
    assert [(p.month, p.score) for p in series] == [
        ("2026-06", 50.0),
        ("2026-07", 50.0),
        ("2026-08", 50.0),
        ("2026-09", 60.0),
        ("2026-10", 65.0),
        ("2026-11", 65.0),
    ]
    change = change_since_previous(hist, score)
    assert change.delta == pytest.approx(5.0)


def test_slug_is_ascii_and_carries_the_tenant_prefix() -> None:
    c = f.customer("ABCDEF12-3456", "Café Müller & Söhne GmbH")
    assert slug(c) == "cafe-muller-sohne-gmbh-abcdef12"
    assert slug(f.customer("0000aaaa-1", "شركة")) == "customer-0000aaaa"


def test_customer_view_compares_only_in_aggregate_and_keeps_its_own_alerts() -> None:
    snap = f.snapshot(
        customers=(
            f.customer("t1", "Alpha", users=100, admins=0, non_admins=20),
            f.customer("t2", "Beta", users=100, admins=2, non_admins=95),
            f.customer("t3", "Gamma", users=100, admins=2, non_admins=50),
        ),
        alerts=(f.alert("a1", "t1"), f.alert("a2", "t2", AlertSeverity.LOW)),
    )
    context = build_context(snap, Brand(name="Northwind"))
    assert [r.name for r in context.rows] == ["Alpha", "Gamma", "Beta"]
    beta = context.customer_view(next(r for r in context.rows if r.name == "Beta"))
    assert [a.id for a in beta.alerts] == ["a2"]
    assert beta.comparison.share_below == "100%"
    assert all("Partner Center" not in a.url for a in beta.actions)
    assert context.summary.attention[0].name == "Alpha"
    assert context.summary.open_alerts_total == 2
