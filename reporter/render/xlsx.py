"""The Excel workbook: ``workbook.xlsx`` for the partner, and one workbook per customer on request.

Sheets of ``workbook.xlsx``: Summary (key figures and a chart of the score),
Requirements, Score history (monthly, forward-filled, with a chart), Customers
(one row each, linked to its sheet), Changes (when the previous period is
archived), Alerts (when there are any; test alerts are listed and flagged),
About (provenance), then one insight sheet per customer. Everything shown comes from the view-model, as in the PDFs.
"""

from __future__ import annotations

from pathlib import Path

from reporter.manifest import Artifact, ArtifactKind, write_artifact
from reporter.render.options import RenderOptions
from reporter.render.xlsx_book import Book
from reporter.render.xlsx_customer import customer_workbook_bytes, insight_sheet
from reporter.render.xlsx_names import customer_sheet_names
from reporter.render.xlsx_sheets import (
    FIXED_SHEETS,
    about_sheet,
    alerts_sheet,
    changes_sheet,
    customers_sheet,
    history_sheet,
    requirements_sheet,
    summary_sheet,
)
from reporter.view import ReportContext
from reporter.view.alerts import alert_record_rows

WORKBOOK_NAME = Path("workbook.xlsx")
CUSTOMER_FOLDER = Path("customers")


def render(context: ReportContext, out_dir: Path, options: RenderOptions) -> list[Artifact]:
    artifacts = [write_artifact(out_dir, WORKBOOK_NAME, workbook_bytes(context), ArtifactKind.WORKBOOK)]
    if options.customer_workbooks:
        for row in context.rows:
            artifacts.append(
                write_artifact(
                    out_dir,
                    CUSTOMER_FOLDER / f"{row.slug}.xlsx",
                    customer_workbook_bytes(context, row),
                    ArtifactKind.CUSTOMER_WORKBOOK,
                    row.customer.tenant_id,
                )
            )
    return artifacts


def workbook_bytes(context: ReportContext) -> bytes:
    """The partner workbook; the same snapshot always gives the same bytes."""
    summary = context.summary
    stamp = summary.provenance.collected_at_dt
    book = Book(
        title=summary.title, creator=context.brand.name, stamp=stamp, header_colour=context.brand.primary_colour
    )
    rows = context.rows
    names = customer_sheet_names([(r.customer.tenant_id, r.name) for r in rows], FIXED_SHEETS)
    summary_sheet(book, context)
    requirements_sheet(book, context)
    history_sheet(book, context)
    customers_sheet(book, rows, names, alerts_available=summary.alerts_available)
    if context.changes is not None:
        changes_sheet(book, context.changes)
    if context.snapshot.alerts or not summary.alerts_available:
        labels = {r.customer.tenant_id.lower(): r.name for r in rows}
        alerts_sheet(book, alert_record_rows(context.snapshot.alerts, labels), gap_note=summary.alerts_note)
    about_sheet(book, context)
    for row, name in zip(rows, names, strict=True):
        view = context.customer_view(row)
        sheet = insight_sheet(book, name, context, row, view, row.posture.actions, back_to_customers=True)
        sheet.ws.close()  # streamed into the archive: nothing of it stays in memory
    return book.save()
