"""A customer's own workbook, for sending: its overview (as its PDF shows it, then its own months) and provenance."""

from __future__ import annotations

from reporter.render.xlsx_book import Book
from reporter.render.xlsx_sheets import write_sheet
from reporter.view import ReportContext, language
from reporter.view.customers import CustomerRow
from reporter.view.workbook import Properties, customer_workbook


def new_book(properties: Properties, *, right_to_left: bool = False) -> Book:
    p = properties
    return Book(
        title=p.title,
        creator=p.creator,
        stamp=p.stamp,
        header_colour=p.header_colour,
        right_to_left=right_to_left,
        identifier=p.identifier,
    )


def customer_workbook_bytes(context: ReportContext, row: CustomerRow) -> bytes:
    """A workbook holding only this customer's data, in its language; the same snapshot always gives the same bytes."""
    with language.use(context.language_of(row.customer.tenant_id)):
        return _customer_workbook_bytes(context, row)


def _customer_workbook_bytes(context: ReportContext, row: CustomerRow) -> bytes:
    view = customer_workbook(context, row)
    book = new_book(view.properties, right_to_left=view.right_to_left)
    for sheet in view.sheets:
        write_sheet(book, sheet, view.level_labels)
    assert book.sheet_names == [s.name for s in view.sheets]
    return book.save()
