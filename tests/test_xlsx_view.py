"""The workbook view: typed rows per sheet, every word from one place, levels as levels."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from openpyxl import load_workbook

from reporter.render.xlsx_book import Book
from reporter.render.xlsx_sheets import write_sheet
from reporter.view import Brand, build_context
from reporter.view.posture import Level
from reporter.view.workbook import (
    WORDS,
    Count,
    CustomerSheetLink,
    LevelCell,
    SheetKind,
    Text,
    Words,
    customer_workbook,
    partner_workbook,
)
from tests.test_pdf_alerts_gap import ALERTS_GAP, gap_snapshot
from tests.test_xlsx import sample_snapshot

ALERTS_UNKNOWN = "Not available"  # what an unknown alert figure reads, in English

BRAND = Brand(name="Fabrikam Partners")


def test_customers_sheet_rows_are_typed_and_carry_the_level_itself() -> None:
    context = build_context(sample_snapshot(), BRAND)
    view = partner_workbook(context)
    customers = next(s for s in view.sheets if s.kind is SheetKind.CUSTOMERS)
    assert customers.headers == WORDS.customer_headers
    assert len(customers.rows) == len(context.rows)
    for index, (row, source) in enumerate(zip(customers.rows, context.rows, strict=True)):
        assert row[0] == Text(source.name)
        assert row[11] == Count(source.posture.open_alerts)
        assert row[12] == LevelCell(source.posture.level)
        assert row[-1] == CustomerSheetLink(index)
    assert customers.level_columns == (12,)
    assert [name for _, name in view.customer_names] == [r.name for r in context.rows]
    assert [s.kind for s in view.customer_sheets()] == [SheetKind.CUSTOMER] * len(context.rows)


def test_an_alerts_gap_reads_as_unknown_in_every_sheet_never_zero() -> None:
    context = build_context(gap_snapshot(ALERTS_GAP), BRAND)
    view = partner_workbook(context)
    customers = next(s for s in view.sheets if s.kind is SheetKind.CUSTOMERS)
    assert {row[11] for row in customers.rows} == {Text(ALERTS_UNKNOWN)}
    summary = next(s for s in view.sheets if s.kind is SheetKind.SUMMARY)
    figures = dict(row[:2] for row in summary.rows)
    assert figures[Text(WORDS.open_alerts_total)] == Text(ALERTS_UNKNOWN)
    assert figures[Text(WORDS.security_alerts)] == Text(context.summary.alerts_note)
    overview = customer_workbook(context, context.rows[0]).sheets[0]
    assert (Text(WORDS.section_alert), Text(WORDS.alerts_gap), Text(ALERTS_UNKNOWN)) in overview.rows


def test_other_words_reach_every_sheet_name_header_and_label() -> None:
    context = build_context(sample_snapshot(), BRAND)
    words = Words(**{f.name: _shout(getattr(WORDS, f.name)) for f in dataclasses.fields(Words)})
    view = partner_workbook(context, words)
    assert [s.name for s in view.sheets] == [s.name.upper() for s in partner_workbook(context).sheets]
    for sheet in view.sheets:
        assert all(h == h.upper() for h in sheet.headers)
        if sheet.kind in (SheetKind.SUMMARY, SheetKind.ABOUT):
            # every label is the words' own; a placeholder may bring the view's (a level) or the data's
            assert all(isinstance(row[0], Text) and row[0].value.split(" ")[0].isupper() for row in sheet.rows)


def _shout(value: object) -> object:
    if isinstance(value, tuple):
        return tuple(v.upper() for v in value)
    assert isinstance(value, str)
    return re.sub(r"\{[A-Z_]+\}", lambda m: m.group().lower(), value.upper())  # placeholders keep their names


def test_level_colours_follow_the_labels_the_view_gives(tmp_path: Path) -> None:
    """Conditional formatting matches whatever text the view shows for a level, not built-in English."""
    context = build_context(sample_snapshot(), BRAND)
    view = partner_workbook(context)
    customers = next(s for s in view.sheets if s.kind is SheetKind.CUSTOMERS)
    labels = tuple((level, f'Stufe "{level.name.title()}"') for level in Level)
    book = Book(title="t", creator="c", stamp=context.summary.provenance.collected_at_dt)
    names = [f"S{i}" for i in range(len(context.rows))]
    write_sheet(book, customers, labels, customer_sheets=names)
    path = tmp_path / "book.xlsx"
    path.write_bytes(book.save())
    ws = load_workbook(path)[WORDS.customers]
    formulas = [f for rng in ws.conditional_formatting for rule in rng.rules for f in rule.formula]
    assert formulas == [f'"Stufe ""{level.name.title()}"""' for level in Level]
    shown = {ws.cell(row=i + 2, column=13).value for i in range(len(context.rows))}
    assert shown <= {label for _, label in labels}
