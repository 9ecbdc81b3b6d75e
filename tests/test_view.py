import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.model import AlertSeverity, AlertStatus, Customer, PartnerScore, PolicyStatus
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import Brand, build_context, wording
from reporter.view.customers import customer_rows, customer_slugs, slug
from reporter.view.history import change_since_previous, monthly_series
from reporter.view.posture import Level, Policy, assess, coverage, format_percent, whole_percent
from tests import factories as f

OFF = PolicyStatus.DISABLED
ON = PolicyStatus.ENABLED


def test_a_tenant_without_any_mfa_policy_is_critical_with_one_clear_action() -> None:
    posture = assess(f.customer("t1", "A", ca=OFF, sd=OFF, per_user=OFF), [])
    assert posture.level is Level.CRITICAL
    assert posture.policy is Policy.NONE
    assert any("No MFA policy" in wording.finding_reason(x) for x in posture.findings)
    assert posture.actions[0].url.startswith(f"https://portal.azure.com/#@{f.tid('t1')}/")


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
    posture = assess(Customer(tenant_id=f.tid("t9")), [])
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
    c = f.customer("ABCDEF12-3456", "Café Müller & Söhne GmbH", unchecked=True)
    assert slug(c) == "cafe-muller-sohne-gmbh-abcdef12"
    assert slug(f.customer("0000aaaa-1", "شركة", unchecked=True)) == "customer-0000aaaa"


SAFE_STEM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
EVIL_IDS = [
    "/../../../tmp/evil",
    "../../x",
    "..",
    ".",
    "/",
    "a/b",
    "a\\b",
    "C:\\Windows",
    "nul\x00byte",
    "~/x",
    "\u2044",
]


@pytest.mark.parametrize("tenant_id", EVIL_IDS)
def test_slug_of_a_hostile_tenant_id_is_a_harmless_stem(tenant_id: str) -> None:
    for name in (None, "Contoso", "../../etc/passwd"):
        c = f.customer(tenant_id, name, unchecked=True)  # the model refuses them: the slug is a second defence
        for full_id in (False, True):
            stem = slug(c, full_id=full_id)
            assert SAFE_STEM.fullmatch(stem), stem
            assert len(stem) <= 120


def test_slug_keeps_a_guid_whole_when_asked() -> None:
    guid = "5f6a7b8c-1d2e-4f30-8a9b-0c1d2e3f4a5b"
    assert slug(f.customer(guid.upper(), "Contoso"), full_id=True) == f"contoso-{guid}"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=6), st.data())
def test_customer_slugs_are_safe_and_distinct_for_any_tenant_ids(tenant_ids: list[str], data: st.DataObject) -> None:
    distinct = list({t.lower(): t for t in tenant_ids}.values())
    names = data.draw(st.lists(st.none() | st.sampled_from(["", "شركة", "Contoso", "../x"]), min_size=len(distinct)))
    customers = [
        f.customer(t, n, unchecked=True) for t, n in zip(distinct, names + [None] * len(distinct), strict=False)
    ]
    stems = customer_slugs(customers)
    assert len(set(stems)) == len(customers)
    for stem in stems:
        assert SAFE_STEM.fullmatch(stem), stem
        assert len(stem) <= 120


def test_render_all_writes_nothing_outside_out_dir_for_hostile_tenant_ids(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    snap = f.snapshot(
        customers=tuple(  # the model refuses such ids; file names are a second defence
            f.customer(t, n, unchecked=True) for t, n in zip(EVIL_IDS, [None, "Evil", "Dots"] * 4, strict=False)
        ),
        alerts=(f.alert("a1", "/../../../tmp/evil", unchecked=True),),
    )
    render_all(snap, out, default_brand(), RenderOptions(workers=1, customer_workbooks=True))
    outside = sorted(p for p in tmp_path.rglob("*") if out not in p.parents and p != out and p not in out.parents)
    assert outside == []
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        assert (out / entry["path"]).resolve().is_relative_to(out.resolve()), entry["path"]
    rows = customer_rows(snap)
    for row in rows:
        assert (out / "customers" / f"{row.slug}.pdf").is_file()
        assert (out / "customers" / f"{row.slug}.xlsx").is_file()
    names = {p.name for p in (out / "customers").iterdir()}
    assert names == {f"{r.slug}.{ext}" for r in rows for ext in ("pdf", "xlsx")}


@pytest.mark.parametrize("value", [1e308, -1e308, sys.float_info.max, -sys.float_info.max, 1e30, 5e-324, -0.0])
def test_percent_of_any_finite_float_never_raises(value: float) -> None:
    for digits in (0, 1, 2):
        assert format_percent(value, digits).endswith("%")
    assert isinstance(whole_percent(value), int)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=0, max_value=3))
def test_percent_of_any_finite_float_is_a_number_and_a_sign(value: float, digits: int) -> None:
    text = format_percent(value, digits)
    assert re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?%", text), text
    assert isinstance(whole_percent(value), int)


def test_percent_keeps_its_rounding_for_ordinary_shares() -> None:
    assert format_percent(0.145) == "14%"  # 0.145 * 100 is 14.499999999999998 as a float, as Excel sees it
    assert whole_percent(0.125) == 13
    assert format_percent(0.4567, 1) == "45.7%"
    assert format_percent(float("inf")) == "–"


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


def _adversarial_customers() -> st.SearchStrategy[list[Customer]]:
    """Customers whose names and ids are built to hit each other's file names: a name that is another
    customer's name plus its tenant id prefix, ids that differ only in case or repeat, non-Latin and empty names."""
    part = st.sampled_from(["a", "b", "c", "x", "11111111", "2222", "acme", "ACME", "-", " "])
    ident = st.lists(part, min_size=1, max_size=4).map("-".join)
    name = st.none() | st.just("") | st.sampled_from(["شركة", "חברה", "株式会社", "Ωmega"]) | ident

    @st.composite
    def build(draw: st.DrawFn) -> list[Customer]:
        customers = [f.customer(draw(ident), draw(name), unchecked=True) for _ in range(draw(st.integers(1, 6)))]
        for _ in range(draw(st.integers(0, 4))):  # names that spell another customer's stem plus a suffix
            other = draw(st.sampled_from(customers))
            suffix = draw(ident)
            stem = slug(other, full_id=draw(st.booleans()))
            tenant = draw(st.sampled_from([suffix, other.tenant_id.swapcase(), other.tenant_id, draw(ident)]))
            customers.append(
                f.customer(tenant, draw(st.sampled_from([stem, f"{stem} {suffix}", stem.upper()])), unchecked=True)
            )
        return customers

    return build()


@settings(max_examples=300, deadline=None)
@given(_adversarial_customers())
def test_customer_file_names_are_unique_ignoring_case_for_adversarial_names_and_ids(
    customers: list[Customer],
) -> None:
    stems = customer_slugs(customers)
    assert len(stems) == len(customers)
    assert len({s.casefold() for s in stems}) == len(customers), stems
    for stem in stems:
        assert SAFE_STEM.fullmatch(stem), stem
        assert len(stem) <= 120
    files = {f"{s}.{ext}".casefold() for s in stems for ext in ("pdf", "xlsx")}
    assert len(files) == 2 * len(customers)
    rows = customer_rows(f.snapshot().model_copy(update={"customers": tuple(customers)}))  # the model may refuse these
    assert len({r.slug.casefold() for r in rows}) == len(customers)


def test_crafted_names_that_collided_before_get_distinct_files() -> None:
    crafted = [
        f.customer("b-c", "a", unchecked=True),  # a-b-c, and a-b + c is a-b-c too: the whole ids were the same
        f.customer("c", "a-b", unchecked=True),
        f.customer("11111111-2222", "x", unchecked=True),  # same prefix: both fall back to their whole id ...
        f.customer("11111111-3333", "x", unchecked=True),
        f.customer("2222", "x 11111111", unchecked=True),  # ... which this one's name and id spell
        f.customer("ABCDEF12-0000", "Case", unchecked=True),  # ids that differ only in case
        f.customer("abcdef12-0000", "Case", unchecked=True),
    ]
    stems = customer_slugs(crafted)
    assert len(set(stems)) == len(crafted), stems
    assert stems[0] != stems[1]
