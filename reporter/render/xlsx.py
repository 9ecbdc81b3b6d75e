"""The Excel workbook: ``workbook.xlsx`` for the partner, and one workbook per customer on request.

Sheets of ``workbook.xlsx``: Summary (key figures and a chart of the score),
Requirements, Score history (monthly, forward-filled, with a chart), Customers
(one row each, linked to its sheet), Trends (each month the archive holds, when
it holds more than one), Changes (when the previous period is
archived), Alerts (when there are any; test alerts are listed and flagged),
About (provenance), then one insight sheet per customer. Everything shown comes from the view-model, as in the PDFs.
"""

from __future__ import annotations

from pathlib import Path

from reporter.manifest import Artifact, ArtifactKind, write_artifact
from reporter.render.options import RenderOptions
from reporter.render.xlsx_customer import customer_workbook_bytes, new_book
from reporter.render.xlsx_names import EXCEL_RESERVED, customer_sheet_names
from reporter.render.xlsx_sheets import write_sheet
from reporter.view import ReportContext, language
from reporter.view.workbook import partner_workbook

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
    """The partner workbook, in the partner's language; the same snapshot always gives the same bytes."""
    with language.use(context.language):
        return _partner_workbook_bytes(context)


def _partner_workbook_bytes(context: ReportContext) -> bytes:
    view = partner_workbook(context)
    book = new_book(view.properties, right_to_left=view.right_to_left)
    names = customer_sheet_names(view.customer_names, (*view.reserved_names, *EXCEL_RESERVED))
    labels = view.level_labels
    for sheet in view.sheets:
        write_sheet(book, sheet, labels, customer_sheets=names)
    for sheet, name in zip(view.customer_sheets(), names, strict=True):
        ws = write_sheet(book, sheet, labels, name=name)
        ws.close()  # streamed into the archive: nothing of it stays in memory
    return book.save()
