"""A customer's own workbook, for sending: its overview (as its PDF shows it) and provenance."""

from __future__ import annotations

from reporter.render.xlsx_book import Book
from reporter.render.xlsx_sheets import write_sheet
from reporter.view import ReportContext
from reporter.view.customers import CustomerRow
from reporter.view.workbook import Properties, customer_workbook


def new_book(properties: Properties) -> Book:
    p = properties
    return Book(title=p.title, creator=p.creator, stamp=p.stamp, header_colour=p.header_colour)


def customer_workbook_bytes(context: ReportContext, row: CustomerRow) -> bytes:
    """A workbook holding only this customer's data; the same snapshot always gives the same bytes."""
    view = customer_workbook(context, row)
    book = new_book(view.properties)
    for sheet in view.sheets:
        write_sheet(book, sheet, view.level_labels)
    assert book.sheet_names == [s.name for s in view.sheets]
    return book.save()
