"""The trend blocks in every language: translated, laid out inside their boxes, right to left in Arabic.

Three months of the emulator's timeline (tests/test_trends.py makes them) give each
customer's "Your progress" and the summary's portfolio trend; the documents are laid
out by WeasyPrint and read back from its layout boxes (what the PDF is drawn from).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from reporter.model import Snapshot
from reporter.render.brand_config import default_brand
from reporter.render.pdf_customer import CustomerRenderer
from reporter.render.pdf_engine import Engine
from reporter.render.pdf_summary import summary_html
from reporter.view import build_context, language
from reporter.view.documents import ReportContext
from reporter.view.trends import month_figures, trend_periods, trends
from tests.test_languages_render import _check
from tests.test_trends import world_snapshot

MONTHS = ("2026-08", "2026-09", "2026-10")
ENGLISH = (
    "Your progress",
    "Admins registered for MFA",
    "MFA coverage rose from",
    "MFA coverage fell from",
    "MFA coverage stayed at",
    "A dash (–) marks",
    "Portfolio trend",
    "Customers by strongest MFA policy",
    "Partner security score (from Microsoft)",
)


@cache
def snapshots() -> dict[str, Snapshot]:
    return {m: world_snapshot(m) for m in MONTHS}


@cache
def context(tag: str) -> ReportContext:
    snapshots = globals()["snapshots"]()
    current = snapshots[MONTHS[-1]]
    periods = trend_periods(MONTHS[-1], MONTHS[:-1])
    found = trends(
        periods, [month_figures(s, m) for m, s in snapshots.items()], [c.tenant_id for c in current.customers]
    )
    tenants = {c.tenant_id.lower(): tag for c in current.customers}
    return build_context(
        current,
        default_brand(),
        periods=periods,
        previous=snapshots[MONTHS[-2]],
        partner_language=language.load(tag),
        languages=tenants,
        trends=found,
    )


def customer_row(ctx: ReportContext) -> Any:
    """A customer in every month whose policy changed: every part of the block shows."""
    assert ctx.trends is not None
    for row in ctx.rows:
        trend = ctx.trends.of(row.customer.tenant_id)
        months = [m for m in trend.months if m] if trend else []
        if len(months) == len(MONTHS) and len({m.policy for m in months}) > 1:
            return row
    raise AssertionError("no customer changed policy")


@cache
def customer(tag: str) -> Any:
    """The customer's report laid out by WeasyPrint (no PDF written: the layout is what these tests read)."""
    ctx = context(tag)
    view = ctx.customer_view(customer_row(ctx))
    assert view.progress is not None
    assert view.progress.shown
    return layout(CustomerRenderer(Engine(default_brand().logo)).html(view))


@cache
def summary_layout(tag: str) -> Any:
    """The summary laid out by WeasyPrint (no PDF written: the layout is what these tests read)."""
    return layout(summary_html(Engine(default_brand().logo), context(tag).summary))


def layout(html: str) -> Any:
    engine = Engine(default_brand().logo)
    return HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher).render(
        stylesheets=[engine.stylesheet], font_config=engine.fonts
    )


def laid_out_text(document: Any) -> str:
    return " ".join(" ".join(t.text.split()) for page in document.pages for t in _text_boxes(page._page_box))


@pytest.mark.parametrize("tag", language.LANGUAGES)
def test_the_progress_block_is_in_the_customers_language(tag: str) -> None:
    text = laid_out_text(customer(tag))
    heading = language.load(tag).gettext("Your progress")
    ctx = context(tag)
    progress = ctx.customer_view(customer_row(ctx)).progress
    assert progress is not None
    assert heading in text
    if tag != "ar":  # an Arabic sentence is laid out as runs of each direction, the figures apart
        squeeze = (lambda t: re.sub(r"\s", "", t)) if tag == "ja" else (lambda t: " ".join(t.split()))
        assert squeeze(progress.sentence) in squeeze(text)
    if tag != "en":
        assert heading != "Your progress"
        left = [phrase for phrase in ENGLISH if phrase in text]
        assert not left, f"{tag}: English left: {left}"


@pytest.mark.parametrize("tag", ["ar", "ja"])
def test_the_portfolio_trend_is_in_the_partners_language_and_inside_its_boxes(tag: str) -> None:
    document = summary_layout(tag)
    text = laid_out_text(document)
    left = [phrase for phrase in ENGLISH if phrase in text]
    assert not left, f"{tag}: English left: {left}"
    assert language.load(tag).gettext("Portfolio trend") in text
    problems = [p for number, page in enumerate(document.pages, 1) for p in _check(page._page_box, number)]
    assert not problems, f"{tag} summary: " + "; ".join(problems[:6])


@pytest.mark.parametrize("tag", ["ar", "ja", "de"])
def test_the_progress_block_lays_out_inside_its_boxes(tag: str) -> None:
    document = customer(tag)
    problems = [p for number, page in enumerate(document.pages, 1) for p in _check(page._page_box, number)]
    assert not problems, f"{tag} customer: " + "; ".join(problems[:6])


def _text_boxes(box: Any) -> Iterator[Any]:
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.TextBox):
            yield child
        else:
            yield from _text_boxes(child)


def _month_positions(document: Any, names: list[str]) -> list[float]:
    found: dict[str, float] = {}
    for page in document.pages:
        for text in _text_boxes(page._page_box):
            if text.text.strip() in names and text.text.strip() not in found:
                found[text.text.strip()] = text.position_x
    assert sorted(found) == sorted(names), found
    return [found[name] for name in names]


def _short_names(tag: str) -> list[str]:
    from babel.dates import get_month_names

    names = get_month_names("abbreviated", context="stand-alone", locale=language.load(tag).locale)
    return [re.sub("[\u200e\u200f\u061c]", "", names[int(m[5:])]) for m in MONTHS]


def test_arabic_months_run_right_to_left_and_english_left_to_right() -> None:
    arabic = _month_positions(customer("ar"), _short_names("ar"))
    assert arabic == sorted(arabic, reverse=True), arabic
    english = _month_positions(customer("en"), _short_names("en"))
    assert english == sorted(english), english
