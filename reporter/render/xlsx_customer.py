"""One customer: its insight sheet in the partner workbook, and its own workbook for sending.

The insight sheet is one filterable table (section, item, value, date, links):
the customer's figures, policy statuses, attention findings, recommended
actions and open alerts, as the customer's PDF shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook

from reporter.render.xlsx_book import Cell, Sheet, add_level_rules, new_workbook, save
from reporter.render.xlsx_names import sheet_ref
from reporter.render.xlsx_sheets import ABOUT, CUSTOMERS, about_sheet
from reporter.view import CustomerView, ReportContext
from reporter.view.customers import CustomerRow
from reporter.view.posture import Action

INSIGHT_HEADERS = ("Section", "Item", "Value", "Date (UTC)", "Action link", "Help link")
OVERVIEW = "Overview"
"""The insight sheet's name in a customer's own workbook."""


def insight_sheet(
    workbook: Workbook,
    name: str,
    context: ReportContext,
    row: CustomerRow,
    view: CustomerView,
    actions: Sequence[Action],
    *,
    back_to_customers: bool,
) -> Sheet:
    """Write the sheet of one customer; the caller closes ``sheet.ws`` when done with it."""
    sheet = Sheet(workbook, name)
    c = sheet.cells
    sheet.line(c.jump("← All customers", sheet_ref(CUSTOMERS)) if back_to_customers else None, c.title(view.title))
    sheet.line()
    p = row.posture

    def item(section: str, label: str, value: Cell, *rest: Cell) -> list[Cell]:
        return [c.text(section), c.text(label), value, *rest]

    rows: list[list[Cell]] = [
        item("Customer", "Name", c.text(view.name)),
        item("Customer", "Domain", c.text(view.domain)),
        item("Customer", "Tenant id", c.text(view.tenant_id)),
        item("Customer", "Attention level", c.text(view.level.label)),
        item("MFA", "Users", c.number(p.users)),
        item("MFA", "Admins registered for MFA", c.number(p.compliant_admins)),
        item("MFA", "Non-admins registered for MFA", c.number(p.compliant_non_admins)),
        item("MFA", "Share of non-admin users with MFA", c.percent(p.coverage)),
        item("MFA", "MFA policy in force", c.text(view.policy)),
        *(item("Policy", label, c.text(status)) for label, status in view.policies),
        item("Comparison", "Median share across the partner's customers", c.percent(context.base.median_coverage)),
        item("Comparison", "Share of other customers with lower coverage", c.text(view.comparison.share_below)),
    ]
    first_finding = len(rows)
    rows += [item("Attention", f.reason, c.text(f.level.label)) for f in view.findings]
    findings_end = len(rows)
    rows += [
        item("Recommended action", a.text, None, None, c.url(a.url), c.url(a.help_url))
        if a.url
        else item("Recommended action", a.text, None, None, None, c.url(a.help_url))
        for a in actions
    ]
    rows += [
        item("Open alert", a.title, c.text(a.severity), c.timestamp(a.detected_at), None, None) for a in view.alerts
    ]
    if not view.alerts:
        rows.append(item("Open alert", "No open security alerts", None))
    sheet.table(INSIGHT_HEADERS, rows)
    header = sheet.next_row - len(rows) - 1
    ws = sheet.write(min_widths=(18, 40, 14))
    add_level_rules(ws, f"C{header + 4}")
    if findings_end > first_finding:
        add_level_rules(ws, f"C{header + 1 + first_finding}:C{header + findings_end}")
    return sheet


def customer_workbook_bytes(context: ReportContext, row: CustomerRow) -> bytes:
    """A workbook holding only this customer's data: its overview (as its PDF shows it) and provenance."""
    view = context.customer_view(row)
    stamp = context.summary.provenance.collected_at_dt
    workbook = new_workbook(title=view.title, creator=context.brand.name, stamp=stamp)
    insight_sheet(workbook, OVERVIEW, context, row, view, view.actions, back_to_customers=False)
    about_sheet(workbook, context, partner=False)
    assert [ws.title for ws in workbook.worksheets] == [OVERVIEW, ABOUT]
    return save(workbook, stamp)
