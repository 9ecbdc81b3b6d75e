"""``customers/<slug>.pdf``: one customer's own report.

A customer report is built from that customer's ``CustomerView`` alone; what it
says about other customers is the view's aggregate comparison, so no other
customer's name, domain or tenant id can reach it.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporter.render import charts
from reporter.render.pdf_engine import Engine, Evidence, PdfMeta, brand_style, page_counter, w3c
from reporter.view import CustomerView, fmt, language, wording

TEMPLATE = "customer.html.j2"

_ChartKey = tuple[tuple[int, ...], int | None, str, str]


def customer_meta(view: CustomerView) -> PdfMeta:
    return PdfMeta(
        title=view.title,
        author=wording.brand_name(view.brand),
        subject=language.gettext("MFA posture, open security alerts and recommended actions, {period}").format(
            period=view.period_label
        ),
        keywords=language.gettext("security report, MFA, Microsoft 365, security alerts"),
        created=w3c(view.provenance.collected_at_dt),
        lang=view.language.tag,
        dir=view.language.direction,
        page_counter=page_counter(),
    )


CONTENT_WIDTH_MM = 174.0
"""The page's text width (A4, 18 mm margins: assets/css/report.css): the progress table spans it."""
PROGRESS_LABEL_MM = 40.0
"""The progress table's first column (the row labels); the months share the rest equally."""
PROGRESS_CHART_HEIGHT_MM = 12.0


@dataclass(frozen=True, slots=True)
class ProgressLayout:
    """The progress table's first column width and the chart over its month columns (a ``data:`` URI)."""

    label_width: str
    chart: str
    chart_height: str


def progress_layout(view: CustomerView) -> ProgressLayout | None:
    """The chart of the customer's coverage, drawn to the width of the table's month columns."""
    progress = view.progress
    if progress is None or not progress.shown:
        return None
    chart = charts.progress_chart(
        progress.coverages,
        view.brand.accent_colour,
        width=CONTENT_WIDTH_MM - PROGRESS_LABEL_MM,
        height=PROGRESS_CHART_HEIGHT_MM,
        rtl=view.language.rtl,
    )
    return ProgressLayout(f"{PROGRESS_LABEL_MM:g}mm", charts.data_uri(chart), f"{PROGRESS_CHART_HEIGHT_MM:g}mm")


class CustomerRenderer:
    """Renders customer reports with one engine; the comparison chart is drawn once per band."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._charts: dict[_ChartKey, str] = {}

    def chart(self, view: CustomerView) -> str:
        comparison = view.comparison
        if not comparison.shown or comparison.your_bucket is None:
            return ""
        key = (
            tuple(b.count for b in comparison.buckets),
            comparison.your_bucket,
            view.brand.primary_colour,
            view.language.tag,
        )
        if key not in self._charts:
            bars = [charts.Bar(b.label, b.count, fmt.number(b.count), "#C9D3DE") for b in comparison.buckets]
            highlighted = [
                charts.Bar(b.label, b.value, b.text, view.brand.accent_colour) if i == comparison.your_bucket else b
                for i, b in enumerate(bars)
            ]
            svg = charts.bar_chart(
                highlighted,
                horizontal=False,
                highlight=comparison.your_bucket,
                highlight_text=language.gettext("You"),
                width=3.3,
                height=1.2,
                patterns=False,
                fmt="png",
            )
            self._charts[key] = charts.data_uri(svg)
        return self._charts[key]

    def html(self, view: CustomerView) -> str:
        """The report's HTML, worded and formatted in the customer's language."""
        with language.use(view.language):
            return self.engine.html(
                TEMPLATE,
                c=view,
                brand=brand_style(view.brand),
                meta=customer_meta(view),
                chart=self.chart(view),
                progress=progress_layout(view),
            )

    def pdf(self, view: CustomerView, evidence: Evidence | None = None) -> bytes:
        """The customer's report; with ``evidence`` (its own data) attached, a PDF/A-3b document."""
        return self.engine.pdf(self.html(view), evidence, rtl=view.language.rtl)
