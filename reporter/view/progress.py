"""What the trends look like in the PDFs: a customer's "Your progress" and the summary's portfolio trend.

Built from ``view.trends`` (the archived months' figures), in the active language.
A month without figures (not archived, before the customer appeared, or not reported)
is a gap: ``–`` in a table, nothing drawn in a chart, never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_skeleton, get_month_names

from reporter.model import Snapshot
from reporter.view import fmt, language, wording
from reporter.view.history import monthly_series
from reporter.view.posture import Policy
from reporter.view.trends import CustomerTrend, MonthFigures, PortfolioMonth, Trends

POLICY_COLOURS = {
    Policy.CONDITIONAL_ACCESS: "#2E7D32",
    Policy.SECURITY_DEFAULTS: "#66BB6A",
    Policy.PER_USER_ONLY: "#F9A825",
    Policy.NONE: "#C62828",
    Policy.UNKNOWN: "#9E9E9E",
}
"""Each policy's colour, in every chart and table (best policy darkest green)."""
GAP_COLOUR = ""
"""A gap has no colour: it is drawn as nothing."""


@dataclass(frozen=True, slots=True)
class MonthHeading:
    """A month as a narrow column heads it: its short name, and its year under the first month and January."""

    period: str
    name: str
    """``"Jun"``, ``"6月"``."""
    year: str
    """``"2026"`` (``"2026年"``) under the first month and under January, else empty."""


@dataclass(frozen=True, slots=True)
class ProgressMonth:
    heading: MonthHeading
    coverage: str
    """``"41%"``, or ``"–"`` for a gap."""
    coverage_value: float | None
    admins: str
    """Admins registered for MFA, or ``"–"``."""
    policy: Policy | None
    """None: a gap."""


@dataclass(frozen=True, slots=True)
class PolicyRun:
    """Consecutive months with one strongest policy (or consecutive gaps): one cell spanning them."""

    label: str
    colour: str
    """The policy's colour; empty for a gap."""
    span: int


@dataclass(frozen=True, slots=True)
class ProgressView:
    """A customer's "Your progress": its months, oldest first, ending with the report's own."""

    shown: bool
    """False for a customer with a single month: no chart, no table, ``sentence`` says when progress will show."""
    sentence: str
    """``"MFA coverage rose from 41% in June to 79% in November."``"""
    months: tuple[ProgressMonth, ...] = ()
    policy_runs: tuple[PolicyRun, ...] = ()
    columns: int = 0
    """How many month columns the table has."""
    scale_top: str = ""
    """``"100%"``: what the top of the chart stands for."""
    scale_bottom: str = ""
    gaps_note: str = ""
    """Says what ``–`` means, when some month is a gap; else empty."""

    @property
    def coverages(self) -> tuple[float | None, ...]:
        """The chart's values, one per month."""
        return tuple(m.coverage_value for m in self.months)


def month_heading(period: str, first: bool) -> MonthHeading:
    year, number = int(period[:4]), int(period[5:7])
    locale = language.active().locale
    name = get_month_names("abbreviated", context="stand-alone", locale=locale)[number]
    shown_year = format_skeleton("y", date(year, number, 1), locale=locale) if first or number == 1 else ""
    return MonthHeading(period, fmt.plain(name), fmt.plain(shown_year))


def month_in_sentence(period: str, with_year: bool) -> str:
    """``"June"`` (``"juin"``, ``"6月"``), or ``"June 2026"`` when the sentence spans two years."""
    day = datetime.strptime(period, "%Y-%m")
    if with_year:
        return fmt.month(day)
    return fmt.plain(get_month_names("wide", context="format", locale=language.active().locale)[day.month])


def progress_view(trend: CustomerTrend | None, trends: Trends) -> ProgressView:
    """The customer's progress over ``trends.periods.months``; ``trend`` None: it is in no archived month."""
    figures = trend.months if trend else tuple(None for _ in trends.periods.months)
    if sum(1 for f in figures if f is not None) < 2:
        return ProgressView(False, wording.progress_next_month())
    months = tuple(
        _progress_month(period, f, i == 0)
        for i, (period, f) in enumerate(zip(trends.periods.months, figures, strict=True))
    )
    gaps = any(f is None or f.coverage is None or f.admins_registered is None for f in figures)
    return ProgressView(
        shown=True,
        sentence=coverage_sentence(trends.periods.months, [f.coverage if f else None for f in figures], mine=True),
        months=months,
        policy_runs=_policy_runs(figures),
        columns=len(months),
        scale_top=fmt.format_percent(1.0),
        scale_bottom=fmt.format_percent(0.0),
        gaps_note=wording.progress_gaps() if gaps else "",
    )


def _progress_month(period: str, figures: MonthFigures | None, first: bool) -> ProgressMonth:
    heading = month_heading(period, first)
    if figures is None:
        return ProgressMonth(heading, fmt.MISSING, None, fmt.MISSING, None)
    return ProgressMonth(
        heading,
        fmt.format_percent(figures.coverage),
        figures.coverage,
        fmt.number(figures.admins_registered),
        figures.policy,
    )


def _policy_runs(figures: Sequence[MonthFigures | None]) -> tuple[PolicyRun, ...]:
    runs: list[PolicyRun] = []
    previous: Policy | None = None
    for index, f in enumerate(figures):
        policy = f.policy if f else None
        if index and policy is previous:
            last = runs[-1]
            runs[-1] = PolicyRun(last.label, last.colour, last.span + 1)
            continue
        if policy is None:
            runs.append(PolicyRun(fmt.MISSING, GAP_COLOUR, 1))
        else:
            runs.append(PolicyRun(wording.policy_label(policy), POLICY_COLOURS[policy], 1))
        previous = policy
    return tuple(runs)


def coverage_sentence(months: Sequence[str], coverages: Sequence[float | None], *, mine: bool) -> str:
    """How coverage moved from the first month that has one to the last: rose, fell or stayed (in whole percents).

    ``mine``: the customer's own coverage; else the portfolio's median.
    """
    known = [(m, c) for m, c in zip(months, coverages, strict=True) if c is not None]
    if len(known) < 2:
        return wording.progress_not_comparable() if mine else wording.portfolio_not_comparable()
    (first_month, first), (last_month, last) = known[0], known[-1]
    with_year = first_month[:4] != last_month[:4]
    start, end = month_in_sentence(first_month, with_year), month_in_sentence(last_month, with_year)
    before, after = fmt.whole_percent(first), fmt.whole_percent(last)
    if before == after:
        return wording.coverage_stayed(fmt.format_percent(last), start, end, mine=mine)
    move = wording.coverage_rose if after > before else wording.coverage_fell
    return move(fmt.format_percent(first), start, fmt.format_percent(last), end, mine=mine)


# --- the portfolio --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortfolioLine:
    """One figure of the portfolio table, month by month (``–`` where it is not available)."""

    label: str
    values: tuple[str, ...]
    """One per month, as printed."""
    indented: bool = False
    """A part of the line above it (a policy under "customers by strongest MFA policy")."""


@dataclass(frozen=True, slots=True)
class PolicySeries:
    label: str
    colour: str
    counts: tuple[int | None, ...]
    """One per month; None where the month is not archived."""


@dataclass(frozen=True, slots=True)
class PortfolioView:
    """The summary's portfolio trend over the archived months, with the partner score's history beside it."""

    shown: bool
    """False with a single month: ``sentence`` says the trend shows from next month."""
    sentence: str
    months: tuple[str, ...] = ()
    headings: tuple[MonthHeading, ...] = ()
    gaps: tuple[bool, ...] = ()
    """One per month: True where the month is not archived."""
    lines: tuple[PortfolioLine, ...] = ()
    """The table: each figure month by month (what the charts draw, and the score from Graph)."""
    median_coverage: tuple[float | None, ...] = ()
    needing_attention: tuple[int | None, ...] = ()
    policies: tuple[PolicySeries, ...] = ()
    score: tuple[float | None, ...] = ()
    """The partner security score in each month (Graph's history, carried forward); None before its first point."""
    score_max: float | None = None
    archived_months: int = 0
    gaps_note: str = ""
    """Says what ``–`` means (the first month has no new or departed customers, so there always is one)."""


def portfolio_view(trends: Trends, snapshot: Snapshot) -> PortfolioView:
    """The portfolio over ``trends.periods.months``; the score's history comes from ``snapshot`` (Graph's own)."""
    portfolio = trends.portfolio
    archived = sum(1 for p in portfolio if p.archived)
    if archived < 2:
        return PortfolioView(False, wording.portfolio_next_month())
    months = trends.periods.months
    series = monthly_series(snapshot.history, snapshot.score, snapshot.provenance.collected_at)
    by_month = {p.month: p.score for p in series}
    score = tuple(by_month.get(m) for m in months)
    policies = tuple(
        PolicySeries(
            wording.policy_label(policy),
            POLICY_COLOURS[policy],
            tuple(dict(p.by_policy).get(policy, 0) if p.by_policy is not None else None for p in portfolio),
        )
        for policy in Policy
    )
    return PortfolioView(
        shown=True,
        sentence=coverage_sentence(months, [p.median_coverage for p in portfolio], mine=False),
        months=months,
        headings=tuple(month_heading(m, i == 0) for i, m in enumerate(months)),
        gaps=tuple(not p.archived for p in portfolio),
        lines=_portfolio_lines(portfolio, policies, score),
        median_coverage=tuple(p.median_coverage for p in portfolio),
        needing_attention=tuple(p.needing_attention for p in portfolio),
        policies=policies,
        score=score,
        score_max=snapshot.score.max_score,
        archived_months=archived,
        gaps_note=wording.portfolio_gaps(),
    )


def _portfolio_lines(
    portfolio: Sequence[PortfolioMonth], policies: Sequence[PolicySeries], score: Sequence[float | None]
) -> tuple[PortfolioLine, ...]:
    def counts(values: Sequence[int | None]) -> tuple[str, ...]:
        return tuple(fmt.number(v) for v in values)

    labels = wording.portfolio_labels()
    return (
        PortfolioLine(labels["customers"], counts([p.customers for p in portfolio])),
        PortfolioLine(labels["gained"], counts([p.gained for p in portfolio]), indented=True),
        PortfolioLine(labels["lost"], counts([p.lost for p in portfolio]), indented=True),
        PortfolioLine(labels["median"], tuple(fmt.format_percent(p.median_coverage) for p in portfolio)),
        PortfolioLine(labels["attention"], counts([p.needing_attention for p in portfolio])),
        PortfolioLine(labels["policy"], tuple("" for _ in portfolio)),
        *(PortfolioLine(s.label, counts(s.counts), indented=True) for s in policies),
        PortfolioLine(labels["score"], tuple(fmt.number(v, 0 if v is None or v.is_integer() else 1) for v in score)),
    )
