"""One customer: its insight sheet in the partner workbook, and its own workbook for sending.

The insight sheet is one filterable table (section, item, value, date, links):
the customer's figures, policy statuses, attention findings, recommended
actions and open alerts, as the customer's PDF shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from reporter.render.xlsx_book import Book, Cell, Sheet
from reporter.render.xlsx_names import sheet_ref
from reporter.render.xlsx_sheets import ABOUT, CUSTOMERS, about_sheet
from reporter.view import CustomerView, ReportContext
from reporter.view.customers import CustomerRow
from reporter.view.documents import ALERTS_UNKNOWN
from reporter.view.posture import Action

INSIGHT_HEADERS = ("Section", "Item", "Value", "Date (UTC)", "Action link", "Help link")
COMPARISON_HIDDEN = (
    "Too few customers report MFA data for a comparison that would not reveal another customer's figures"
)
OVERVIEW = "Overview"
"""The insight sheet's name in a customer's own workbook."""


def insight_sheet(
    book: Book,
    name: str,
    context: ReportContext,
    row: CustomerRow,
    view: CustomerView,
    actions: Sequence[Action],
    *,
    back_to_customers: bool,
) -> Sheet:
    """Write the sheet of one customer; the caller closes ``sheet.ws`` when done with it."""
    sheet = Sheet(book, name)
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
        item("Customer", "Attention level", c.level(view.level)),
        item("MFA", "Users", c.number(p.users)),
        item("MFA", "Admins registered for MFA", c.number(p.compliant_admins)),
        item("MFA", "Non-admins registered for MFA", c.number(p.compliant_non_admins)),
        item("MFA", "Share of non-admin users with MFA", c.percent(p.coverage)),
        item("MFA", "MFA policy in force", c.text(view.policy)),
        *(item("Policy", label, c.text(status)) for label, status in view.policies),
    ]
    if view.comparison.shown:  # hidden exactly when the PDF hides it: a small base would reveal another customer
        rows += [
            item(
                "Comparison",
                "Median share across the partner's customers",
                c.percent(view.comparison.median_coverage_value),
            ),
            item("Comparison", "Share of other customers with lower coverage", c.text(view.comparison.share_below)),
        ]
    else:
        rows.append(item("Comparison", COMPARISON_HIDDEN, None))
    rows += [item("Attention", f.reason, c.level(f.level)) for f in view.findings]
    if not view.alerts_available:
        rows.append(item("Attention", view.alerts_note, c.text(ALERTS_UNKNOWN)))
    rows += [item("Recommended action", a.text, None, None, c.url(a.url), c.url(a.help_url, "Guide")) for a in actions]
    rows += [
        item("Open alert", a.title, c.text(a.severity), c.timestamp(a.detected_at), None, None) for a in view.alerts
    ]
    if not view.alerts_available:
        rows.append(item("Open alert", "Not available this time (data gap)", c.text(ALERTS_UNKNOWN)))
    elif not view.alerts:
        rows.append(item("Open alert", "No open security alerts", None))
    since = f"Since {view.previous_period}"
    if view.is_new:
        rows.append(item(since, "New customer this period", None))
    if view.change is not None:
        change = view.change
        rows.append(item(since, "Share of non-admin users with MFA", c.text(change.coverage_change_text)))
        if change.level_before != change.level_after:
            rows.append(
                item(since, "Attention level", c.text(f"{change.level_before.label} → {change.level_after.label}"))
            )
        rows += [item(since, what, c.text(f"{before} → {after}")) for what, before, after in change.policy_changes]
        rows += [item(since, f"New: {reason}", None) for reason in change.new_items]
        rows += [item(since, f"Resolved: {reason}", None) for reason in change.resolved_items]
    sheet.table(INSIGHT_HEADERS, rows)
    sheet.write(min_widths=(18, 40, 14))
    return sheet


def customer_workbook_bytes(context: ReportContext, row: CustomerRow) -> bytes:
    """A workbook holding only this customer's data: its overview (as its PDF shows it) and provenance."""
    view = context.customer_view(row)
    stamp = context.summary.provenance.collected_at_dt
    book = Book(title=view.title, creator=context.brand.name, stamp=stamp, header_colour=context.brand.primary_colour)
    insight_sheet(book, OVERVIEW, context, row, view, view.actions, back_to_customers=False)
    about_sheet(book, context, partner=False)
    assert book.sheet_names == [OVERVIEW, ABOUT]
    return book.save()
