"""The Excel workbook: ``workbook.xlsx`` for the partner, and one workbook per customer on request.

Sheets of ``workbook.xlsx``: Summary (key figures and a chart of the score),
Requirements, Score history (monthly, forward-filled, with a chart), Customers
(one row each, linked to its sheet), Alerts (when there are any; test alerts
are listed and flagged), About (provenance), then one insight sheet per
customer. Everything shown comes from the view-model, as in the PDFs.
"""

from __future__ import annotations

from pathlib import Path

from reporter.render.artifact import Artifact, ArtifactKind
from reporter.render.manifest import write_artifact
from reporter.render.options import RenderOptions
from reporter.render.xlsx_book import new_workbook, save
from reporter.render.xlsx_customer import customer_workbook_bytes, insight_sheet
from reporter.render.xlsx_names import customer_sheet_names
from reporter.render.xlsx_sheets import (
    FIXED_SHEETS,
    about_sheet,
    alerts_sheet,
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
    workbook = new_workbook(title=summary.title, creator=context.brand.name, stamp=stamp)
    rows = context.rows
    names = customer_sheet_names([(r.customer.tenant_id, r.name) for r in rows], FIXED_SHEETS)
    summary_sheet(workbook, context)
    requirements_sheet(workbook, context)
    history_sheet(workbook, context)
    customers_sheet(workbook, rows, names)
    if context.snapshot.alerts:
        labels = {r.customer.tenant_id.lower(): r.name for r in rows}
        alerts_sheet(workbook, alert_record_rows(context.snapshot.alerts, labels))
    about_sheet(workbook, context)
    for row, name in zip(rows, names, strict=True):
        view = context.customer_view(row)
        sheet = insight_sheet(workbook, name, context, row, view, row.posture.actions, back_to_customers=True)
        sheet.ws.close()  # streamed to its own file: nothing of it stays in memory
    return save(workbook, stamp)
