"""Trends, piece by piece: the archive's entries before a period, the trend's months, the figures kept of
each month, gaps as gaps, the sentences, and the progress chart."""

from __future__ import annotations

import gzip
import re
from datetime import UTC
from pathlib import Path

import pytest

from reporter import snapshot as snapshot_io
from reporter.archive import Archive
from reporter.model import Snapshot
from reporter.monthly import read_past
from reporter.render import charts
from reporter.view import language
from reporter.view.customers import customer_rows
from reporter.view.posture import Level, Policy
from reporter.view.progress import portfolio_view, progress_view
from reporter.view.trends import (
    CustomerTrend,
    MonthFigures,
    MonthSummary,
    Periods,
    Trends,
    month_figures,
    month_range,
    shift_month,
    trend_periods,
    trends,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"


@pytest.fixture(scope="module")
def sample() -> Snapshot:
    return snapshot_io.load(SAMPLE)


def dated(snapshot: Snapshot, period: str) -> Snapshot:
    """``snapshot`` as collected on the first day of ``period`` (a different snapshot for each month)."""
    from datetime import datetime, timedelta

    when = datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC) + timedelta(hours=6)
    return snapshot.model_copy(update={"provenance": snapshot.provenance.model_copy(update={"collected_at": when})})


# --- the archive -----------------------------------------------------------------------------------------------------


def test_entries_before_a_period_come_from_the_index_oldest_first_never_at_or_after_it(
    tmp_path: Path, sample: Snapshot
) -> None:
    archive = Archive(tmp_path / "archive")
    for period in ("2025-11", "2026-01", "2026-02", "2026-03", "2026-05"):
        archive.put(period, dated(sample, period))
    assert [e.period for e in archive.before("2026-05", 12)] == ["2025-11", "2026-01", "2026-02", "2026-03"]
    assert [e.period for e in archive.before("2026-05", 2)] == ["2026-02", "2026-03"]
    assert [e.period for e in archive.before("2026-03", 12, since="2026-01")] == ["2026-01", "2026-02"]
    assert archive.before("2025-11", 12) == []
    assert archive.before("2026-05", 0) == []
    assert archive.previous("2026-05") == archive.before("2026-05", 1)[0]
    # The index alone answers: no snapshot is opened.
    for path in (tmp_path / "archive" / "objects").rglob("*.json.gz"):
        path.write_bytes(b"not a snapshot")
    assert len(archive.before("2026-06", 12)) == 5


def test_the_past_is_read_up_to_the_period_and_only_the_trend_months_are_opened(
    tmp_path: Path, sample: Snapshot
) -> None:
    """Fourteen archived months: rendering the last reads its eleven predecessors, not the two before them."""
    archive = Archive(tmp_path / "archive")
    periods = month_range("2025-01", "2026-02")
    digests = {p: archive.put(p, dated(sample, p)) for p in periods}
    current = archive.get(digests["2026-02"])
    # The two oldest months, outside the window, cannot be read: nothing needs them.
    for period in ("2025-01", "2025-02"):
        path = tmp_path / "archive" / "objects" / digests[period][:2] / f"{digests[period]}.json.gz"
        path.write_bytes(gzip.compress(b"{}"))
    past = read_past(archive, "2026-02", current)
    assert past.periods == Periods("2026-02", "2026-01", month_range("2025-03", "2026-02"))
    assert len(past.periods.months) == 12
    assert past.previous is not None
    assert snapshot_io.sha256(past.previous) == digests["2026-01"]
    assert all(p.archived for p in past.trends.portfolio)
    # A month inside the window is read: damaged, it is a gap that says why, not the end of the run.
    broken = digests["2025-06"]
    (tmp_path / "archive" / "objects" / broken[:2] / f"{broken}.json.gz").write_bytes(gzip.compress(b"{}"))
    damaged = read_past(archive, "2026-02", current)
    (why,) = damaged.skipped
    assert why.startswith("2025-06: ")
    assert "does not match its hash" in why
    assert not next(p for p in damaged.trends.portfolio if p.period == "2025-06").archived


# --- the months of a trend -------------------------------------------------------------------------------------------


def test_months_are_shifted_and_counted_across_years() -> None:
    assert shift_month("2026-01", -1) == "2025-12"
    assert shift_month("2025-12", 1) == "2026-01"
    assert shift_month("2026-11", -11) == "2025-12"
    assert month_range("2025-11", "2026-02") == ("2025-11", "2025-12", "2026-01", "2026-02")
    assert month_range("2026-02", "2026-01") == ()


@pytest.mark.parametrize(
    ("current", "archived", "expected"),
    [
        ("2026-11", [], Periods("2026-11", None, ("2026-11",))),
        ("2026-11", ["2026-09"], Periods("2026-11", "2026-09", ("2026-09", "2026-10", "2026-11"))),
        # Later months never count: re-rendering a past period sees what it saw then.
        ("2026-09", ["2026-08", "2026-10", "2026-11"], Periods("2026-09", "2026-08", ("2026-08", "2026-09"))),
        # Twelve months at most, the current one included; the previous period may be older than them.
        ("2026-11", ["2024-01"], Periods("2026-11", "2024-01", ("2026-11",))),
        (
            "2026-02",
            ["2024-12", "2025-02", "2025-03", "2025-12"],
            Periods("2026-02", "2025-12", month_range("2025-03", "2026-02")),
        ),
    ],
)
def test_trend_periods(current: str, archived: list[str], expected: Periods) -> None:
    assert trend_periods(current, archived) == expected


# --- the figures of a month, and gaps -------------------------------------------------------------------------------


def test_month_figures_keep_what_the_reports_show_of_each_customer(sample: Snapshot) -> None:
    summary = month_figures(sample, "2026-11")
    rows = {r.customer.tenant_id.lower(): r for r in customer_rows(sample)}
    assert summary.period == "2026-11"
    assert summary.customers.keys() == rows.keys()
    for tenant, figures in summary.customers.items():
        posture = rows[tenant].posture
        assert figures == MonthFigures(posture.coverage, posture.compliant_admins, posture.policy, posture.level)
    assert any(f.coverage is None for f in summary.customers.values()), "the sample has a customer without MFA data"


def figures(coverage: float | None, admins: int | None = 1, policy: Policy = Policy.SECURITY_DEFAULTS) -> MonthFigures:
    return MonthFigures(coverage, admins, policy, Level.OK if coverage and coverage >= 0.9 else Level.MEDIUM)


def test_months_not_archived_and_months_before_a_customer_came_are_gaps_not_zeros() -> None:
    periods = Periods("2026-04", "2026-03", ("2026-01", "2026-02", "2026-03", "2026-04"))
    summaries = [
        MonthSummary("2026-01", {"a": figures(0.4), "gone": figures(0.2)}),
        # 2026-02 is not archived
        MonthSummary("2026-03", {"a": figures(0.6), "gone": figures(0.3)}),
        MonthSummary("2026-04", {"a": figures(0.9, policy=Policy.CONDITIONAL_ACCESS), "new": figures(None, None)}),
        MonthSummary("2026-05", {"a": figures(1.0)}),  # after the period: ignored
    ]
    result = trends(periods, summaries, ["A", "new"])
    assert set(result.customers) == {"a", "new"}
    trend = result.of("A")
    assert trend is not None
    assert trend.tenant_id == "A"  # as the snapshot spells it; looked up by any case
    assert [m.coverage if m else None for m in trend.months] == [0.4, None, 0.6, 0.9]
    new = result.of("NEW")
    assert new is not None
    assert new.months[:3] == (None, None, None)
    assert new.months[3] == figures(None, None)
    january, february, march, april = result.portfolio
    assert february.archived is False
    assert (february.customers, february.median_coverage, february.by_policy, february.gained) == (None,) * 4
    assert january.gained is None  # the first month has nothing to count from
    assert march.gained is None  # nor has the month after a gap
    assert (april.customers, april.gained, april.lost) == (2, 1, 1)
    assert april.median_coverage == 0.9  # the customer without a coverage is left out, not counted as 0
    assert january.median_coverage == pytest.approx(0.3)
    assert april.by_policy == tuple(
        (p, 1 if p in (Policy.CONDITIONAL_ACCESS, Policy.SECURITY_DEFAULTS) else 0) for p in Policy
    )
    assert april.needing_attention == 1


# --- what the documents say ------------------------------------------------------------------------------------------


def one_customer(
    *coverages: float | None, months: tuple[str, ...] | None = None
) -> tuple[CustomerTrend | None, Trends]:
    months = months or month_range("2026-06", "2026-11")[: len(coverages)]
    periods = Periods(months[-1], months[-2] if len(months) > 1 else None, months)
    summaries = [MonthSummary(m, {"t": figures(c)}) for m, c in zip(months, coverages, strict=True) if c != -1]
    result = trends(periods, summaries, ["t"])
    return result.of("t"), result


@pytest.mark.parametrize(
    ("coverages", "sentence"),
    [
        ((0.41, 0.5, 0.79), "MFA coverage rose from 41% in June to 79% in August."),
        ((0.79, -1, None, 0.41), "MFA coverage fell from 79% in June to 41% in September."),
        ((None, 0.55, 0.554, None), "MFA coverage stayed at 55% from July to August."),
        ((None, 0.55, None), "MFA coverage was not reported in two months yet, so there is no change to tell."),
    ],
)
def test_the_progress_sentence_compares_the_first_and_last_months_with_a_coverage(
    coverages: tuple[float | None, ...], sentence: str
) -> None:
    trend, result = one_customer(*coverages)
    with language.use(language.load("en")):
        view = progress_view(trend, result)
    assert view.shown
    assert view.sentence == sentence


def test_a_sentence_across_two_years_names_them() -> None:
    trend, result = one_customer(0.2, 0.3, 0.5, months=("2025-11", "2025-12", "2026-01"))
    with language.use(language.load("en")):
        view = progress_view(trend, result)
    assert view.sentence == "MFA coverage rose from 20% in November 2025 to 50% in January 2026."
    assert [(m.heading.name, m.heading.year) for m in view.months] == [("Nov", "2025"), ("Dec", ""), ("Jan", "2026")]


def test_a_customer_with_one_month_gets_no_table_only_the_promise() -> None:
    trend, result = one_customer(-1, -1, 0.5)
    with language.use(language.load("de")):
        view = progress_view(trend, result)
        assert view.shown is False
        assert view.months == ()
        assert view.sentence == language.gettext("Progress will show from next month.") != ""
    assert view.sentence != "Progress will show from next month."


def test_gaps_print_as_dashes_and_policies_as_runs() -> None:
    months = month_range("2026-06", "2026-10")
    periods = Periods("2026-10", "2026-09", months)
    summaries = [
        MonthSummary("2026-06", {"t": figures(0.5, 2, Policy.NONE)}),
        MonthSummary("2026-07", {"t": figures(0.6, 3, Policy.NONE)}),
        MonthSummary("2026-09", {"t": figures(None, None, Policy.UNKNOWN)}),
        MonthSummary("2026-10", {"t": figures(0.0, 0, Policy.CONDITIONAL_ACCESS)}),
    ]
    result = trends(periods, summaries, ["t"])
    with language.use(language.load("en")):
        view = progress_view(result.of("t"), result)
    assert [m.coverage for m in view.months] == ["50%", "60%", "–", "–", "0%"]
    assert [m.admins for m in view.months] == ["2", "3", "–", "–", "0"]
    assert [(r.label, r.span) for r in view.policy_runs] == [
        ("No MFA policy", 2),
        ("–", 1),
        ("Unknown", 1),
        ("Conditional Access", 1),
    ]
    assert view.coverages == (0.5, 0.6, None, None, 0.0)
    assert view.gaps_note


def test_the_portfolio_trend_waits_for_a_second_archived_month(sample: Snapshot) -> None:
    periods = Periods("2026-11", None, ("2026-11",))
    result = trends(periods, [month_figures(sample, "2026-11")], [c.tenant_id for c in sample.customers])
    with language.use(language.load("en")):
        view = portfolio_view(result, sample)
    assert view.shown is False
    assert view.sentence == "The portfolio trend will show from next month, once two months are archived."


# --- the progress chart ----------------------------------------------------------------------------------------------


def _points(svg: bytes) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(rb'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]


def test_the_progress_chart_is_deterministic_and_puts_each_month_over_its_column() -> None:
    values = (0.5, None, 1.0, 0.0)
    svg = charts.progress_chart(values, "#123456", width=120, height=12)
    assert svg == charts.progress_chart(values, "#123456", width=120, height=12)
    assert svg.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert b'width="120mm" height="12mm" viewBox="0 0 120 12"' in svg
    points = _points(svg)
    assert [x for x, _ in points] == [15, 75, 105]  # the centres of columns 1, 3 and 4 of four: none for the gap
    assert [y for _, y in points] == [6, 1.6, 10.4]  # 50%, 100%, 0% between the top and bottom gridlines
    assert svg.count(b"<rect") == 1  # the gap: a pale band over column 2
    assert b'<rect x="30.4"' in svg
    assert svg.count(b"<polyline") == 1  # months 3 and 4 are joined; month 1 stands alone


def test_the_progress_chart_runs_right_to_left_for_a_right_to_left_table() -> None:
    ltr = _points(charts.progress_chart((0.2, 0.4, 0.6), "#000000", width=90, height=12))
    rtl = _points(charts.progress_chart((0.2, 0.4, 0.6), "#000000", width=90, height=12, rtl=True))
    assert [x for x, _ in ltr] == [15, 45, 75]
    assert [x for x, _ in rtl] == [75, 45, 15]
    assert [y for _, y in ltr] == [y for _, y in rtl]


def test_a_first_month_promises_the_trends_without_a_page_of_its_own(sample: Snapshot) -> None:
    """The first archived month: each customer reads when its progress will show; the summary says it in a line."""
    from reporter.render.brand_config import default_brand
    from reporter.render.pdf_customer import CustomerRenderer
    from reporter.render.pdf_engine import Engine
    from reporter.render.pdf_summary import summary_html
    from reporter.view import build_context

    periods = trend_periods("2026-11", [])
    found = trends(periods, [month_figures(sample, "2026-11")], [c.tenant_id for c in sample.customers])
    context = build_context(sample, default_brand(), trends=found)
    assert context.period == "2026-11"
    engine = Engine(default_brand().logo)
    summary = summary_html(engine, context.summary)
    assert "The portfolio trend will show from next month, once two months are archived." in summary
    assert 'id="trend"' not in summary
    customer = CustomerRenderer(engine).html(context.customer_view(context.rows[0]))
    assert "Your progress" in customer
    assert "Progress will show from next month." in customer
    assert 'class="progress"' not in customer
    # Without trends (a snapshot rendered on its own) there is no such block at all.
    alone = build_context(sample, default_brand())
    assert "Your progress" not in CustomerRenderer(engine).html(alone.customer_view(alone.rows[0]))
    assert "portfolio trend" not in summary_html(engine, alone.summary)


def test_the_portfolio_charts_are_deterministic_and_leave_gaps_empty() -> None:
    months = ("2026-08", "2026-09", "2026-10")
    with language.use(language.load("en")):
        line = charts.trend_line_chart(months, (0.5, None, 0.7), "#123456", percent=True)
        assert line == charts.trend_line_chart(months, (0.5, None, 0.7), "#123456", percent=True)
        series = [("Conditional Access", "#2E7D32", (3, None, 4)), ("No MFA policy", "#C62828", (1, None, 0))]
        stacked = charts.stacked_month_chart(months, series, width=3.3, height=2.3)
        assert stacked == charts.stacked_month_chart(months, series, width=3.3, height=2.3)
        zeros = charts.stacked_month_chart(
            months,
            [(label, colour, tuple(c or 0 for c in counts)) for label, colour, counts in series],
            width=3.3,
            height=2.3,
        )
        line_zero = charts.trend_line_chart(months, (0.5, 0.0, 0.7), "#123456", percent=True)
    assert line.startswith(b"<?xml")
    assert b"<dc:date>" not in line
    # A month without figures is drawn apart from a month of zeros: a pale band, no marker.
    band = charts.SURFACE.lower().encode()
    assert band in stacked.lower()
    assert band not in zeros.lower()
    assert band in line.lower()
    assert band not in line_zero.lower()
