"""``summary.pdf``: the partner's executive summary."""

from __future__ import annotations

from dataclasses import dataclass

from reporter.render import charts
from reporter.render.pdf_engine import Engine, Evidence, PdfMeta, brand_style, page_counter, w3c
from reporter.view import SummaryView, fmt, language, wording
from reporter.view.posture import Level

TEMPLATE = "summary.html.j2"
FORMAT: charts.ImageFormat = "png"
"""WeasyPrint draws matplotlib's SVG (text as paths, hatches) several times slower than a 220 dpi PNG."""


@dataclass(frozen=True, slots=True)
class SummaryCharts:
    """Each chart as a ``data:`` URI, or empty when there is nothing to draw."""

    history: str
    coverage: str
    policy: str
    severity: str
    trend_coverage: str = ""
    """The portfolio's median coverage over the archived months."""
    trend_score: str = ""
    """The partner security score (Graph's history) over the same months."""
    trend_policy: str = ""
    trend_attention: str = ""


def trend_charts(view: SummaryView) -> dict[str, str]:
    """The portfolio trend's charts, when the summary shows one (two archived months or more)."""
    portfolio = view.portfolio
    if portfolio is None or not portfolio.shown:
        return {}
    primary, months = view.brand.primary_colour, portfolio.months
    return {
        "trend_coverage": charts.data_uri(
            charts.trend_line_chart(months, portfolio.median_coverage, primary, percent=True, fmt=FORMAT)
        ),
        "trend_score": charts.data_uri(
            charts.trend_line_chart(months, portfolio.score, primary, maximum=portfolio.score_max, fmt=FORMAT)
        ),
        "trend_policy": charts.data_uri(
            charts.stacked_month_chart(
                months, [(s.label, s.colour, s.counts) for s in portfolio.policies], width=3.3, height=2.3, fmt=FORMAT
            )
        ),
        "trend_attention": charts.data_uri(
            charts.trend_line_chart(months, portfolio.needing_attention, Level.HIGH.colour, integer=True, fmt=FORMAT)
        ),
    }


def summary_charts(view: SummaryView) -> SummaryCharts:
    primary = view.brand.primary_colour
    coverage = [charts.Bar(c.label, c.count, fmt.number(c.count), primary) for c in view.coverage_buckets]
    policy = [
        charts.Bar(c.label, c.count, wording.count_and_share(fmt.number(c.count), c.share), c.colour)
        for c in view.policy_mix
    ]
    severity = [charts.Bar(c.label, c.count, fmt.number(c.count), c.colour) for c in view.open_alerts]
    return SummaryCharts(
        history=charts.data_uri(charts.history_chart(view.history, view.score_max_value, primary, fmt=FORMAT))
        if view.history
        else "",
        coverage=charts.data_uri(
            charts.bar_chart(coverage, horizontal=False, width=3.3, height=2.3, patterns=False, fmt=FORMAT)
        )
        if view.customers_with_data
        else "",
        policy=charts.data_uri(charts.bar_chart(policy, width=3.3, height=2.3, fmt=FORMAT))
        if view.customers_total
        else "",
        severity=charts.data_uri(charts.bar_chart(severity, width=3.3, height=1.9, fmt=FORMAT))
        if view.alerts_available
        else "",
        **trend_charts(view),
    )


def summary_meta(view: SummaryView) -> PdfMeta:
    return PdfMeta(
        title=view.title,
        author=wording.brand_name(view.brand),
        subject=language.gettext("Executive summary of the Microsoft partner security score for {period}").format(
            period=view.period_label
        ),
        keywords=language.gettext("partner security score, Microsoft Graph, MFA, CSP"),
        created=w3c(view.provenance.collected_at_dt),
        lang=view.language.tag,
        dir=view.language.direction,
        page_counter=page_counter(),
    )


def summary_html(engine: Engine, view: SummaryView) -> str:
    """The summary's HTML, worded and formatted in the partner's language."""
    with language.use(view.language):
        return engine.html(
            TEMPLATE,
            s=view,
            brand=brand_style(view.brand),
            meta=summary_meta(view),
            charts=summary_charts(view),
        )


def summary_pdf(engine: Engine, view: SummaryView, evidence: Evidence | None = None) -> bytes:
    """``summary.pdf``; with ``evidence`` (the snapshot) attached, a PDF/A-3b document."""
    return engine.pdf(summary_html(engine, view), evidence, rtl=view.language.rtl)
