"""The partner workbook's own sheets: Summary, Requirements, Score history, Customers, Alerts, About."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.chart import LineChart, Reference

from reporter._version import __version__
from reporter.render.xlsx_book import MONTH_FORMAT, Book, Cell, Cells, Sheet
from reporter.render.xlsx_names import sheet_ref
from reporter.view import ReportContext, fmt
from reporter.view.alerts import AlertRecordRow
from reporter.view.changes import Changes
from reporter.view.customers import CustomerRow
from reporter.view.documents import ALERTS_UNKNOWN, customer_gaps
from reporter.view.fmt import policy_status

SUMMARY = "Summary"
REQUIREMENTS = "Requirements"
HISTORY = "Score history"
"""Not "History": Excel reserves that sheet name."""
CUSTOMERS = "Customers"
CHANGES = "Changes"
ALERTS = "Alerts"
ABOUT = "About"
FIXED_SHEETS = (SUMMARY, REQUIREMENTS, HISTORY, CUSTOMERS, CHANGES, ALERTS, ABOUT, "History")

SIGNED_FORMAT = "+0.0;-0.0;0.0"
TEST_ALERTS_NOTE = "Test alerts are listed on the Alerts sheet and flagged; no figure counts them."
ALERTS_NOT_CHECKED = "Security alerts could not be checked this time (data gap)."


def _figure(cells: Cells, label: str, value: Cell) -> list[Cell]:
    return [cells.text(label), value]


def summary_sheet(book: Book, context: ReportContext) -> None:
    s = context.summary
    sheet = Sheet(book, SUMMARY)
    c = sheet.cells
    sheet.line(c.title(s.title))
    sheet.line()
    rows = [
        _figure(c, "Partner", c.text(s.brand.name)),
        _figure(c, "Period", c.text(s.period_label)),
        _figure(c, "Partner security score", c.decimal(s.score_value)),
        _figure(c, "Maximum score", c.decimal(s.score_max_value)),
        _figure(c, "Change since the previous score", c.number(s.change.delta, SIGNED_FORMAT)),
        _figure(c, "Previous score recorded on", c.day(s.change.previous_at)),
        _figure(c, "Mandatory requirements for CSP authorization", c.text(s.mandatory_verdict)),
        _figure(c, "Mandatory requirements not compliant", c.number(len(s.mandatory_failing))),
        *(_figure(c, "Not compliant (mandatory for CSP)", c.text(title)) for title in s.mandatory_failing),
        _figure(c, "Mandatory requirements with unknown status", c.number(len(s.mandatory_unknown))),
        *(_figure(c, "Status unknown (mandatory for CSP)", c.text(title)) for title in s.mandatory_unknown),
        _figure(c, "Mandatory requirements not reported by Microsoft", c.number(len(s.mandatory_missing))),
        *(_figure(c, "Not reported by Microsoft (mandatory for CSP)", c.text(title)) for title in s.mandatory_missing),
        _figure(c, "Customers", c.number(s.customers_total)),
        _figure(c, "Customers with MFA data", c.number(s.customers_with_data)),
        _figure(c, "Median share of non-admin users with MFA", c.percent(context.base.median_coverage)),
        *(_figure(c, f"Customers at attention level {level.label}", c.number(level.count)) for level in s.levels),
        *_alert_figures(c, context),
        _figure(c, "Average alert response time", c.text(s.average_response)),
        _figure(c, "Data collected at (UTC)", c.timestamp(s.provenance.collected_at_dt)),
    ]
    changes = context.changes
    if changes is not None:
        rows += [
            _figure(c, "Compared with the period", c.text(changes.previous_period)),
            _figure(c, "Score change since that period", c.number(changes.score_delta, SIGNED_FORMAT)),
            _figure(c, "New customers since that period", c.number(len(changes.customers_gained))),
            _figure(c, "Customers gone since that period", c.number(len(changes.customers_lost))),
            _figure(c, "Customers whose posture changed", c.number(len(changes.customers))),
        ]
    sheet.table(("Figure", "Value"), rows)
    ws = sheet.write(min_widths=(44, 16))
    if s.history:
        ws.add_chart(score_chart(len(s.history)), "D3")


def _alert_figures(c: Cells, context: ReportContext) -> list[list[Cell]]:
    """The alert counts, or, when the alerts are a data gap, that they are unknown (never 0)."""
    s = context.summary
    if not s.alerts_available:
        unknown = c.text(ALERTS_UNKNOWN)
        return [
            _figure(c, "Open security alerts (test alerts left out)", unknown),
            *(_figure(c, f"Open {count.label.lower()} alerts", unknown) for count in s.open_alerts),
            _figure(c, "Test alerts (not counted)", unknown),
            _figure(c, "Security alerts", c.text(s.alerts_note)),
        ]
    return [
        _figure(c, "Open security alerts (test alerts left out)", c.number(s.open_alerts_total)),
        *(_figure(c, f"Open {count.label.lower()} alerts", c.number(count.count)) for count in s.open_alerts),
        _figure(c, "Test alerts (not counted)", c.number(s.test_alerts_excluded)),
    ]


def score_chart(points: int) -> Any:
    """A native line chart of the monthly score on the history sheet (rows 2..points+1)."""
    quoted = HISTORY.replace("'", "''")
    chart = LineChart()
    chart.title = "Partner security score by month"
    chart.y_axis.title = "Score"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.x_axis.number_format = MONTH_FORMAT
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.height = 8
    chart.width = 18
    chart.add_data(Reference(range_string=f"'{quoted}'!$B$1:$B${points + 1}"), titles_from_data=True)
    chart.set_categories(Reference(range_string=f"'{quoted}'!$A$2:$A${points + 1}"))
    for series in chart.series:
        series.smooth = False  # a score moves in steps; a smoothed line would invent values
    return chart


def requirements_sheet(book: Book, context: ReportContext) -> None:
    sheet = Sheet(book, REQUIREMENTS)
    c = sheet.cells
    rows = [
        [
            c.text(r.title),
            c.text(r.key),
            c.text(r.status),
            c.number(r.score),
            c.number(r.max_score),
            c.text(r.state),
            c.yes_no(r.mandatory),
            c.text("\n".join(f"{label}: {value}" for label, value in r.details)),
            c.url(r.action_url),
            c.url(r.help_url, "Guide"),
            c.day(r.updated_at),
        ]
        for r in context.summary.requirements
    ]
    headers = (
        "Requirement",
        "Type",
        "Status",
        "Score",
        "Max score",
        "State",
        "Mandatory for CSP",
        "Details",
        "Action link",
        "Help link",
        "Updated",
    )
    sheet.table(headers, rows)
    sheet.write()


def history_sheet(book: Book, context: ReportContext) -> None:
    """One row per month, each value carried forward until the score changed."""
    sheet = Sheet(book, HISTORY)
    c = sheet.cells
    history = context.summary.history
    rows = [[c.day(p.first_day, MONTH_FORMAT), c.decimal(p.score), c.yes_no(p.changed)] for p in history]
    sheet.table(("Month", "Score", "Changed this month"), rows)
    ws = sheet.write()
    if history:
        ws.add_chart(score_chart(len(history)), "E2")


CUSTOMER_HEADERS = (
    "Customer",
    "Domain",
    "Tenant id",
    "Users",
    "Admins with MFA",
    "Non-admins with MFA",
    "Non-admin coverage",
    "MFA policy",
    "Security defaults",
    "Conditional Access",
    "Per-user MFA",
    "Open alerts",
    "Attention level",
    "Reasons",
    "Sheet",
)


def customers_sheet(
    book: Book, rows: Sequence[CustomerRow], sheet_names: Sequence[str], *, alerts_available: bool = True
) -> None:
    """One row per customer; when the alerts are a data gap, their counts read as unknown, not 0."""
    sheet = Sheet(book, CUSTOMERS)
    c = sheet.cells
    table = []
    for row, name in zip(rows, sheet_names, strict=True):
        p = row.posture
        reasons = (*p.reasons, ALERTS_NOT_CHECKED) if not alerts_available else p.reasons
        table.append(
            [
                c.text(row.name),
                c.text(row.customer.default_domain_name),
                c.text(row.customer.tenant_id),
                c.number(p.users),
                c.number(p.compliant_admins),
                c.number(p.compliant_non_admins),
                c.percent(p.coverage),
                c.text(p.policy.label),
                c.text(policy_status(p.security_defaults)),
                c.text(policy_status(p.conditional_access)),
                c.text(policy_status(p.per_user_mfa)),
                c.number(p.open_alerts) if alerts_available else c.text(ALERTS_UNKNOWN),
                c.text(p.level.label),
                c.text("\n".join(reasons)),
                c.jump(name, sheet_ref(name)),
            ]
        )
    sheet.table(CUSTOMER_HEADERS, table, level_columns=("Attention level",))
    sheet.write(min_widths=(24,))


CHANGE_HEADERS = ("Change", "Name", "Tenant id", "Before", "After", "Coverage before", "Coverage after", "Details")


def changes_sheet(book: Book, changes: Changes) -> None:
    """What changed since the previous archived period: customers gained, lost or changed; requirements."""
    sheet = Sheet(book, CHANGES)
    c = sheet.cells
    sheet.line(c.text(f"Changes since {changes.previous_period}"))
    sheet.line()
    rows: list[list[Cell]] = []
    rows += [[c.text("New customer"), c.text(name), c.text(tenant)] for tenant, name in changes.customers_gained]
    rows += [[c.text("Customer gone"), c.text(name), c.text(tenant)] for tenant, name in changes.customers_lost]
    for change in changes.customers:
        details = [f"{what}: {before} → {after}" for what, before, after in change.policy_changes]
        details += [f"New: {item}" for item in change.new_items]
        details += [f"Resolved: {item}" for item in change.resolved_items]
        rows.append(
            [
                c.text("Customer changed"),
                c.text(change.name),
                c.text(change.tenant_id),
                c.text(change.level_before.label),
                c.text(change.level_after.label),
                c.percent(change.coverage_before),
                c.percent(change.coverage_after),
                c.text("\n".join(details)),
            ]
        )
    for req in changes.requirements:
        scores = f"Score {fmt.number(req.score_before)} → {fmt.number(req.score_after)}"
        rows.append(
            [
                c.text("Requirement changed"),
                c.text(req.title),
                None,
                c.text(req.status_before or "(absent)"),
                c.text(req.status_after or "(absent)"),
                None,
                None,
                c.text(scores),
            ]
        )
    sheet.table(CHANGE_HEADERS, rows, level_columns=("Before", "After"))
    sheet.write(min_widths=(20, 24))


ALERT_HEADERS = (
    "Detected (UTC)",
    "Severity",
    "Status",
    "Open",
    "Test alert",
    "Customer",
    "Tenant id",
    "Alert",
    "Type",
    "Description",
    "Resolved (UTC)",
    "Resolved reason",
    "Resolved by",
    "Alert id",
)


def alert_table(cells: Cells, alerts: Sequence[AlertRecordRow]) -> list[list[Cell]]:
    return [
        [
            cells.timestamp(a.detected_at),
            cells.text(a.severity),
            cells.text(a.status),
            cells.yes_no(a.is_open),
            cells.yes_no(a.is_test),
            cells.text(a.customer),
            cells.text(a.tenant_id),
            cells.text(a.title),
            cells.text(a.alert_type),
            cells.text(a.description),
            cells.timestamp(a.resolved_at),
            cells.text(a.resolved_reason),
            cells.text(a.resolved_by),
            cells.text(a.id),
        ]
        for a in alerts
    ]


def alerts_sheet(book: Book, alerts: Sequence[AlertRecordRow], *, gap_note: str = "") -> None:
    """Every alert, open or resolved; test alerts are kept and flagged in their own column.

    ``gap_note``, when the alerts could not be collected, replaces the note on test alerts.
    """
    sheet = Sheet(book, ALERTS)
    sheet.line(sheet.cells.text(gap_note or TEST_ALERTS_NOTE))
    sheet.line()
    sheet.table(ALERT_HEADERS, alert_table(sheet.cells, alerts))
    sheet.write(min_widths=(16,))


def about_rows(cells: Cells, context: ReportContext, *, partner: bool = True) -> list[list[Cell]]:
    p = context.summary.provenance
    c = cells
    rows = [
        _figure(c, "Prepared by", c.text(context.brand.name)),
        _figure(c, "Period", c.text(context.summary.period_label)),
        _figure(c, "Data collected at (UTC)", c.timestamp(p.collected_at_dt)),
        _figure(c, "Score last refreshed by Microsoft (UTC)", c.timestamp(p.last_refresh_dt)),
        _figure(c, "Score last changed (UTC)", c.timestamp(p.last_update_dt)),
        _figure(c, "API", c.text(p.api)),
        _figure(c, "Snapshot SHA-256", c.text(p.snapshot_sha256)),
        _figure(c, "Collected with reporter version", c.text(p.tool_version)),
        _figure(c, "Workbook written by reporter version", c.text(__version__)),
    ]
    if partner:
        rows += [
            _figure(c, "Partner tenant id", c.text(p.partner_tenant_id)),
            _figure(c, "Requests made to Microsoft Graph", c.number(p.requests)),
        ]
        rows += [
            _figure(c, "Customers file row not listed by Microsoft", c.text(f"{name} ({tenant})"))
            for name, tenant in p.unlisted_rows
        ]
    gaps = p.data_gaps if partner else customer_gaps(p.data_gaps)  # a gap about an item may name another customer
    if gaps:
        rows += [_figure(c, f"Data gap: {gap.source}", c.text(gap.reason)) for gap in gaps]
    else:
        rows.append(_figure(c, "Data gaps", c.text("None: every source was read.")))
    rows += [
        _figure(
            c,
            "Non-admin coverage",
            c.text(
                "Share of users other than admins registered for MFA. Microsoft reports no admin total, "
                "so admins without MFA count as non-admins: the figure is a lower bound."
            ),
        ),
        _figure(c, "Test alerts", c.text("Left out of every figure." if not partner else TEST_ALERTS_NOTE)),
        _figure(c, "Times", c.text("All times are UTC; dates are written year-month-day.")),
    ]
    return rows


def about_sheet(book: Book, context: ReportContext, *, partner: bool = True) -> None:
    sheet = Sheet(book, ABOUT)
    sheet.table(("Field", "Value"), about_rows(sheet.cells, context, partner=partner))
    sheet.write(min_widths=(38, 20))
