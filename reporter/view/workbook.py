"""The Excel workbooks as typed rows: what each sheet shows, decided here, never in the sheet code.

A workbook is a list of sheets; a sheet is a few lines above a table (headers and
rows); a row is a tuple of typed cells: text, counts, scores, percentages, days,
links, attention levels (the :class:`Level` itself, never its English label).
``render/xlsx*`` only writes these cells (types, number formats, widths, links,
formula safety, colours keyed on the level).

Every English word the workbooks show comes from :class:`Words` (``WORDS``), or
from the view-model's own labels (requirement titles, statuses, levels, findings),
so a translator has one place to reach. The decisions are the view's: which
alerts figures are unknown rather than 0 (``SummaryView.alerts_available``), what
a customer's documents may show (``CustomerView``), the mandatory verdict.

Pure: no I/O. The partner workbook's customer sheets are made one at a time
(:meth:`PartnerWorkbook.customer_sheets`), so a writer streaming thousands of
sheets never holds them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from urllib.parse import urlsplit

from reporter._version import __version__
from reporter.model import PolicyStatus
from reporter.view import wording
from reporter.view.alerts import AlertRecordRow, alert_record_rows
from reporter.view.changes import Changes
from reporter.view.customers import CustomerRow
from reporter.view.documents import CustomerView, ReportContext, customer_gaps, period_label
from reporter.view.fmt import number
from reporter.view.language import N_, translated
from reporter.view.posture import COVERAGE_TARGET, Action, Level, Policy
from reporter.view.trends import PortfolioMonth, Trends
from reporter.view.wording import policy_status

# ---------------------------------------------------------------------------------------------------------------
# Wording: every English string of the workbooks, in one place.


@dataclass(frozen=True, slots=True)
class Words:
    """What the workbooks say. Templates use ``str.format`` with named placeholders."""

    # Sheet names. "Score history", not "History": Excel reserves that sheet name.
    summary: str = N_("Summary")
    requirements: str = N_("Requirements")
    history: str = N_("Score history")
    customers: str = N_("Customers")
    changes: str = N_("Changes")
    alerts: str = N_("Alerts")
    about: str = N_("About")
    overview: str = N_("Overview")
    """The insight sheet's name in a customer's own workbook."""
    trends: str = N_("Trends")

    yes: str = N_("Yes")
    no: str = N_("No")
    open_link: str = N_("Open ({host})")
    guide_link: str = N_("Guide ({host})")
    arrow: str = N_("{before} → {after}")
    label_value: str = N_("{label}: {value}")
    figure: str = N_("Figure")
    value: str = N_("Value")
    field: str = N_("Field")

    # Summary.
    partner: str = N_("Partner")
    period: str = N_("Period")
    score: str = N_("Partner security score")
    score_max: str = N_("Maximum score")
    score_change: str = N_("Change since the previous score")
    previous_score_on: str = N_("Previous score recorded on")
    mandatory: str = N_("Mandatory requirements for CSP authorization")
    mandatory_failing: str = N_("Mandatory requirements not compliant")
    mandatory_failing_item: str = N_("Not compliant (mandatory for CSP)")
    mandatory_unknown: str = N_("Mandatory requirements with unknown status")
    mandatory_unknown_item: str = N_("Status unknown (mandatory for CSP)")
    mandatory_missing: str = N_("Mandatory requirements not reported by Microsoft")
    mandatory_missing_item: str = N_("Not reported by Microsoft (mandatory for CSP)")
    customers_total: str = N_("Customers")
    customers_with_data: str = N_("Customers with MFA data")
    median_coverage: str = N_("Median share of non-admin users with MFA")
    customers_at_level: str = N_("Customers at attention level {level}")
    open_alerts_total: str = N_("Open security alerts (test alerts left out)")
    open_alerts_severity: str = N_("Open {severity} alerts")
    test_alerts_count: str = N_("Test alerts (not counted)")
    security_alerts: str = N_("Security alerts")
    average_response: str = N_("Average alert response time")
    collected_at: str = N_("Data collected at (UTC)")
    compared_with: str = N_("Compared with the period")
    score_change_since: str = N_("Score change since that period")
    customers_gained: str = N_("New customers since that period")
    customers_lost: str = N_("Customers gone since that period")
    customers_changed: str = N_("Customers whose posture changed")
    chart_title: str = N_("Partner security score by month")
    chart_axis: str = N_("Score")

    # Requirements.
    requirement_headers: tuple[str, ...] = (
        N_("Requirement"),
        N_("Type"),
        N_("Status"),
        N_("Score"),
        N_("Max score"),
        N_("State"),
        N_("Mandatory for CSP"),
        N_("Details"),
        N_("Action link"),
        N_("Help link"),
        N_("Updated"),
    )

    # Score history.
    history_headers: tuple[str, ...] = (N_("Month"), N_("Score"), N_("Changed this month"))

    # Customers. The three policy columns are worded as the customer's PDF words its policy table.
    customer_headers: tuple[str, ...] = (
        N_("Customer"),
        N_("Domain"),
        N_("Tenant id"),
        N_("Users"),
        N_("Admins with MFA"),
        N_("Non-admins with MFA"),
        N_("Non-admin coverage"),
        N_("MFA policy"),
        N_("Security defaults"),
        N_("Conditional Access policy requiring MFA"),
        N_("Legacy per-user MFA"),
        N_("Open alerts"),
        N_("Attention level"),
        N_("Reasons"),
        N_("Sheet"),
    )
    alerts_not_checked: str = N_("Security alerts could not be checked this time (data gap).")

    # Changes.
    change_headers: tuple[str, ...] = (
        N_("Change"),
        N_("Name"),
        N_("Tenant id"),
        N_("Before"),
        N_("After"),
        N_("Coverage before"),
        N_("Coverage after"),
        N_("Details"),
    )
    changes_since: str = N_("Changes since {period}")
    customer_new: str = N_("New customer")
    customer_gone: str = N_("Customer gone")
    customer_changed: str = N_("Customer changed")
    requirement_changed: str = N_("Requirement changed")
    absent: str = N_("(absent)")
    new_item: str = N_("New: {item}")
    resolved_item: str = N_("Resolved: {item}")
    score_span: str = N_("Score {before} → {after}")

    # Alerts.
    alert_headers: tuple[str, ...] = (
        N_("Detected (UTC)"),
        N_("Severity"),
        N_("Status"),
        N_("Open"),
        N_("Test alert"),
        N_("Customer"),
        N_("Tenant id"),
        N_("Alert"),
        N_("Type"),
        N_("Description"),
        N_("Resolved (UTC)"),
        N_("Resolved reason"),
        N_("Resolved by"),
        N_("Alert id"),
    )
    test_alerts_note: str = N_("Test alerts are listed on the Alerts sheet and flagged; no figure counts them.")

    # About.
    prepared_by: str = N_("Prepared by")
    last_refresh: str = N_("Score last refreshed by Microsoft (UTC)")
    last_update: str = N_("Score last changed (UTC)")
    api: str = N_("API")
    snapshot_sha256: str = N_("Snapshot SHA-256")
    tool_version: str = N_("Collected with reporter version")
    writer_version: str = N_("Workbook written by reporter version")
    partner_tenant_id: str = N_("Partner tenant id")
    requests: str = N_("Requests made to Microsoft Graph")
    unlisted_row: str = N_("Customers file row not listed by Microsoft")
    name_and_tenant: str = N_("{name} ({tenant})")
    data_gap: str = N_("Data gap: {source}")
    data_gaps: str = N_("Data gaps")
    no_data_gaps: str = N_("None: every source was read.")
    coverage_term: str = N_("Non-admin coverage")
    coverage_explained: str = N_(
        "Share of users other than admins registered for MFA. Microsoft reports no admin total, "
        "so admins without MFA count as non-admins: the figure is a lower bound."
    )
    test_alerts: str = N_("Test alerts")
    test_alerts_left_out: str = N_("Left out of every figure.")
    times: str = N_("Times")
    times_explained: str = N_("All times are UTC; dates are written year-month-day.")

    # A customer's insight sheet.
    insight_headers: tuple[str, ...] = (
        N_("Section"),
        N_("Item"),
        N_("Value"),
        N_("Date (UTC)"),
        N_("Action link"),
        N_("Help link"),
    )
    back_to_customers: str = N_("← All customers")
    section_customer: str = N_("Customer")
    section_mfa: str = N_("MFA")
    section_policy: str = N_("Policy")
    section_comparison: str = N_("Comparison")
    section_attention: str = N_("Attention")
    section_action: str = N_("Recommended action")
    section_alert: str = N_("Open alert")
    section_since: str = N_("Since {period}")
    name: str = N_("Name")
    domain: str = N_("Domain")
    tenant_id: str = N_("Tenant id")
    attention_level: str = N_("Attention level")
    users: str = N_("Users")
    admins_with_mfa: str = N_("Admins registered for MFA")
    non_admins_with_mfa: str = N_("Non-admins registered for MFA")
    coverage: str = N_("Share of non-admin users with MFA")
    policy_in_force: str = N_("MFA policy in force")
    comparison_median: str = N_("Median share across the partner's customers")
    comparison_below: str = N_("Share of other customers with lower coverage")
    comparison_hidden: str = N_(
        "Too few customers report MFA data for a comparison that would not reveal another customer's figures"
    )
    alerts_gap: str = N_("Not available this time (data gap)")
    no_open_alerts: str = N_("No open security alerts")
    new_customer: str = N_("New customer this period")

    # Trends: the portfolio's months, then each customer's coverage by month.
    trends_title: str = N_("Share of non-admin users with MFA, by month")
    portfolio: str = N_("All customers")
    in_archive: str = N_("Month in the archive")
    needing_attention: str = N_("Customers needing attention")
    gained_month: str = N_("New customers since the month before")
    lost_month: str = N_("Customers gone since the month before")
    by_policy: str = N_("Strongest MFA policy: {policy}")
    trend_headers: tuple[str, ...] = (N_("Customer"), N_("Tenant id"))
    share_axis: str = N_("Share")
    customers_axis: str = N_("Customers")
    customers_chart: str = N_("Customers needing attention, new and gone")

    # A customer's months (below its sheet's table), and what shows before there are two.
    progress: str = N_("Progress")
    progress_title: str = N_("Progress by month")
    progress_headers: tuple[str, ...] = (
        N_("Month"),
        N_("Share of non-admin users with MFA"),
        N_("Admins registered for MFA"),
        N_("MFA policy in force"),
    )
    progress_next_month: str = N_("Progress will show from next month")
    not_available: str = N_("Not available")


WORDS = Words()
"""The workbooks' English wording."""


# ---------------------------------------------------------------------------------------------------------------
# Cells.


@dataclass(frozen=True, slots=True)
class Text:
    value: str


@dataclass(frozen=True, slots=True)
class Title:
    """A sheet's heading, above its table."""

    value: str


@dataclass(frozen=True, slots=True)
class Heading:
    """A column's heading outside the sheet's table (styled as the table's headers; may be empty)."""

    value: str


@dataclass(frozen=True, slots=True)
class Count:
    """A whole number (``None``: nothing shown)."""

    value: int | None


@dataclass(frozen=True, slots=True)
class Score:
    """A score with one decimal."""

    value: float | None


@dataclass(frozen=True, slots=True)
class Delta:
    """A signed change of a score, with one decimal."""

    value: float | None


@dataclass(frozen=True, slots=True)
class Percent:
    """A share, 0..1, shown as a whole percent."""

    value: float | None


@dataclass(frozen=True, slots=True)
class Day:
    value: date | datetime | None


@dataclass(frozen=True, slots=True)
class Month:
    value: date | None


@dataclass(frozen=True, slots=True)
class Moment:
    """A UTC date and time to the minute."""

    value: datetime | None


@dataclass(frozen=True, slots=True)
class Link:
    """A link out of the workbook; shown only when ``url`` is one the writer can link safely."""

    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Jump:
    """A link to another sheet of the same workbook, by the name its view gives it."""

    text: str
    sheet: str


@dataclass(frozen=True, slots=True)
class CustomerSheetLink:
    """A link to the sheet of ``context.rows[index]``, showing that sheet's final name (the writer makes it)."""

    index: int


@dataclass(frozen=True, slots=True)
class LevelCell:
    """An attention level; the writer shows ``Workbook.level_labels[level]`` in the level's colours."""

    level: Level


Cell = (
    Text
    | Title
    | Heading
    | Count
    | Score
    | Delta
    | Percent
    | Day
    | Month
    | Moment
    | Link
    | Jump
    | CustomerSheetLink
    | LevelCell
)
Row = tuple[Cell | None, ...]


class SheetKind(Enum):
    """Which sheet a :class:`SheetView` is: its layout (widths, charts) is the writer's."""

    SUMMARY = "summary"
    REQUIREMENTS = "requirements"
    HISTORY = "history"
    CUSTOMERS = "customers"
    TRENDS = "trends"
    CHANGES = "changes"
    ALERTS = "alerts"
    ABOUT = "about"
    CUSTOMER = "customer"
    """One customer's insight sheet (in the partner's workbook, or the customer's own)."""


@dataclass(frozen=True, slots=True)
class ChartView:
    """A line chart of the monthly score, drawn from the history sheet's first ``points`` rows."""

    title: str
    axis: str
    points: int
    history_sheet: str


@dataclass(frozen=True, slots=True)
class LinesChart:
    """A line chart of some of the sheet's own ``lines``, one series each, over the months of another line.

    A series' line holds its label in the first column and ``points`` values from
    ``first_column`` (0-based); the ``categories`` line holds the months there.
    An empty value is a gap in the line, never a zero.
    """

    title: str
    axis: str
    series: tuple[int, ...]
    """Indexes into ``SheetView.lines``."""
    categories: int
    first_column: int
    points: int
    percent: bool = False
    """The values are shares (0..1), drawn on a 0–100 % axis."""


@dataclass(frozen=True, slots=True)
class ColourScale:
    """Shares coloured red (0), amber (``middle``), green (1): the table's ``first_column..last_column`` (0-based)."""

    first_column: int
    last_column: int
    middle: float


@dataclass(frozen=True, slots=True)
class SheetView:
    """One sheet: ``lines`` above a table of ``headers`` and ``rows``, then ``below``."""

    kind: SheetKind
    name: str
    """The sheet's name; for a customer's sheet in the partner workbook, the wanted name (see ``customer_names``)."""
    headers: tuple[str, ...]
    rows: Sequence[Row]
    lines: tuple[Row, ...] = ()
    level_columns: tuple[int, ...] = ()
    """Columns (0-based) whose cells may show a level: coloured by a rule on the level, even after editing."""
    chart: ChartView | None = None
    below: tuple[Row, ...] = ()
    """Rows under the table, outside its filter (a customer's months)."""
    charts: tuple[LinesChart, ...] = ()
    colour_scale: ColourScale | None = None
    frozen: tuple[int, int] | None = None
    """(lines, columns) kept in view when scrolling; else the table's header row stays in view."""


@dataclass(frozen=True, slots=True)
class Properties:
    """A workbook's document properties and header colour."""

    title: str
    creator: str
    stamp: datetime
    """Created and modified time: the data's collection time, so the same snapshot gives the same bytes."""
    header_colour: str | None
    identifier: str = ""
    """A customer's own workbook: its tenant id (the document's identifier, which ``verify`` reads back)."""


@dataclass(frozen=True, slots=True)
class Workbook:
    """A workbook's properties and its sheets."""

    properties: Properties
    level_labels: tuple[tuple[Level, str], ...]
    """Every level and the text its cells show (conditional formatting matches it)."""
    sheets: tuple[SheetView, ...]
    reserved_names: tuple[str, ...] = ()
    """Sheet names no customer's sheet may take: every fixed sheet's, whether written or not."""
    right_to_left: bool = False
    """Sheets laid out right to left (an Arabic workbook)."""


@dataclass(frozen=True)
class PartnerWorkbook(Workbook):
    """The partner's workbook: the fixed sheets, then one sheet per customer (made on demand)."""

    context: ReportContext | None = field(default=None, repr=False)
    customer_names: tuple[tuple[str, str], ...] = ()
    """(tenant id, wanted sheet name) of each customer's sheet, in ``context.rows`` order."""
    words: Words = WORDS

    def customer_sheets(self) -> Iterator[SheetView]:
        """Each customer's insight sheet, in ``context.rows`` order, one at a time."""
        context = self.context
        assert context is not None
        months = CustomerMonths.of(context.trends, self.words)
        for row in context.rows:
            yield insight_sheet(
                context,
                row,
                context.customer_view(row, context.language),
                row.posture.actions,
                partner=True,
                w=self.words,
                below=months.rows(row.customer.tenant_id) if months else (),
            )


def level_labels() -> tuple[tuple[Level, str], ...]:
    """Each level with its label, as the PDFs print it."""
    return tuple((level, wording.level_label(level)) for level in Level)


def _properties(context: ReportContext, title: str, identifier: str = "") -> Properties:
    stamp = context.summary.provenance.collected_at_dt
    return Properties(title, wording.brand_name(context.brand), stamp, context.brand.primary_colour, identifier)


def fixed_names(w: Words = WORDS) -> tuple[str, ...]:
    return (w.summary, w.requirements, w.history, w.customers, w.trends, w.changes, w.alerts, w.about)


def partner_workbook(context: ReportContext, w: Words | None = None) -> PartnerWorkbook:
    """The partner's workbook: Summary, Requirements, Score history, Customers, Trends, Changes, Alerts, About.

    Made, and its customer sheets written, while the partner's language is the active one.
    """
    w = w or translated(WORDS)
    summary = context.summary
    sheets = [summary_sheet(context, w), requirements_sheet(context, w), history_sheet(context, w)]
    sheets.append(customers_sheet(context, w))
    if has_progress(context.trends):
        assert context.trends is not None
        sheets.append(trends_sheet(context, context.trends, w))
    if context.changes is not None:
        sheets.append(changes_sheet(context.changes, w))
    if context.snapshot.alerts or not summary.alerts_available:
        labels = {r.customer.tenant_id.lower(): r.name for r in context.rows}
        sheets.append(alerts_sheet(alert_record_rows(context.snapshot.alerts, labels), summary.alerts_note, w))
    sheets.append(about_sheet(context, partner=True, w=w))
    return PartnerWorkbook(
        _properties(context, summary.title),
        level_labels(),
        tuple(sheets),
        fixed_names(w),
        right_to_left=context.language.rtl,
        context=context,
        customer_names=tuple((r.customer.tenant_id, r.name) for r in context.rows),
        words=w,
    )


def customer_workbook(context: ReportContext, row: CustomerRow, w: Words | None = None) -> Workbook:
    """A workbook holding only this customer's data: its overview (as its PDF shows it) and provenance.

    Its months (under the overview) are its own: no portfolio figure, which could reveal other customers'.

    Made while the customer's language is the active one.
    """
    w = w or translated(WORDS)
    view = context.customer_view(row)
    months = CustomerMonths.of(context.trends, w)
    below = months.rows(row.customer.tenant_id) if months else ()
    overview = insight_sheet(context, row, view, view.actions, partner=False, w=w, below=below)
    return Workbook(
        _properties(context, view.title, view.tenant_id),
        level_labels(),
        (overview, about_sheet(context, partner=False, w=w)),
        right_to_left=view.language.rtl,
    )


# ---------------------------------------------------------------------------------------------------------------
# The sheets.


def _figure(label: str, value: Cell | None) -> Row:
    return (Text(label), value)


def _yes_no(value: bool, w: Words) -> Text:
    return Text(w.yes if value else w.no)


def _link(url: str | None, template: str) -> Link | None:
    """A link named after its site, such as "Open (portal.azure.com)"; nothing when ``url`` is not http(s)."""
    target = (url or "").strip()
    if not target.lower().startswith(("https://", "http://")):
        return None
    try:
        host = urlsplit(target).hostname or "link"
    except ValueError:
        return None
    return Link(template.format(host=host), target)


def summary_sheet(context: ReportContext, w: Words = WORDS) -> SheetView:
    s = context.summary
    rows: list[Row] = [
        _figure(w.partner, Text(wording.brand_name(s.brand))),
        _figure(w.period, Text(s.period_label)),
        _figure(w.score, Score(s.score_value)),
        _figure(w.score_max, Score(s.score_max_value)),
        _figure(w.score_change, Delta(s.change.delta)),
        _figure(w.previous_score_on, Day(s.change.previous_at)),
        _figure(w.mandatory, Text(s.mandatory_verdict)),
        _figure(w.mandatory_failing, Count(len(s.mandatory_failing))),
        *(_figure(w.mandatory_failing_item, Text(title)) for title in s.mandatory_failing),
        _figure(w.mandatory_unknown, Count(len(s.mandatory_unknown))),
        *(_figure(w.mandatory_unknown_item, Text(title)) for title in s.mandatory_unknown),
        _figure(w.mandatory_missing, Count(len(s.mandatory_missing))),
        *(_figure(w.mandatory_missing_item, Text(title)) for title in s.mandatory_missing),
        _figure(w.customers_total, Count(s.customers_total)),
        _figure(w.customers_with_data, Count(s.customers_with_data)),
        _figure(w.median_coverage, Percent(context.base.median_coverage)),
        *(_figure(w.customers_at_level.format(level=level.label), Count(level.count)) for level in s.levels),
        *_alert_figures(context, w),
        _figure(w.average_response, Text(s.average_response)),
        _figure(w.collected_at, Moment(s.provenance.collected_at_dt)),
    ]
    changes = context.changes
    if changes is not None:
        rows += [
            _figure(w.compared_with, Text(changes.previous_period)),
            _figure(w.score_change_since, Delta(changes.score_delta)),
            _figure(w.customers_gained, Count(len(changes.customers_gained))),
            _figure(w.customers_lost, Count(len(changes.customers_lost))),
            _figure(w.customers_changed, Count(len(changes.customers))),
        ]
    if context.trends is not None and not has_progress(context.trends):
        rows.append(_figure(w.progress, Text(w.progress_next_month)))
    chart = ChartView(w.chart_title, w.chart_axis, len(s.history), w.history) if s.history else None
    return SheetView(
        SheetKind.SUMMARY, w.summary, (w.figure, w.value), rows, lines=((Title(s.title),), ()), chart=chart
    )


def _alert_figures(context: ReportContext, w: Words) -> list[Row]:
    """The alert counts, or, when the alerts are a data gap, that they are unknown (never 0)."""
    s = context.summary
    if not s.alerts_available:
        unknown = Text(wording.alerts_unknown())
        return [
            _figure(w.open_alerts_total, unknown),
            *(_figure(w.open_alerts_severity.format(severity=c.label.lower()), unknown) for c in s.open_alerts),
            _figure(w.test_alerts_count, unknown),
            _figure(w.security_alerts, Text(s.alerts_note)),
        ]
    return [
        _figure(w.open_alerts_total, Count(s.open_alerts_total)),
        *(_figure(w.open_alerts_severity.format(severity=c.label.lower()), Count(c.count)) for c in s.open_alerts),
        _figure(w.test_alerts_count, Count(s.test_alerts_excluded)),
    ]


def requirements_sheet(context: ReportContext, w: Words = WORDS) -> SheetView:
    rows = [
        (
            Text(r.title),
            Text(r.key),
            Text(r.status),
            Count(r.score),
            Count(r.max_score),
            Text(r.state),
            _yes_no(r.mandatory, w),
            Text("\n".join(w.label_value.format(label=label, value=value) for label, value in r.details)),
            _link(r.action_url, w.open_link),
            _link(r.help_url, w.guide_link),
            Day(r.updated_at),
        )
        for r in context.summary.requirements
    ]
    return SheetView(SheetKind.REQUIREMENTS, w.requirements, w.requirement_headers, rows)


def history_sheet(context: ReportContext, w: Words = WORDS) -> SheetView:
    """One row per month, each value carried forward until the score changed."""
    history = context.summary.history
    rows = [(Month(p.first_day), Score(p.score), _yes_no(p.changed, w)) for p in history]
    chart = ChartView(w.chart_title, w.chart_axis, len(history), w.history) if history else None
    return SheetView(SheetKind.HISTORY, w.history, w.history_headers, rows, chart=chart)


def customers_sheet(context: ReportContext, w: Words = WORDS) -> SheetView:
    """One row per customer; when the alerts are a data gap, their counts read as unknown, not 0."""
    alerts_available = context.summary.alerts_available
    unknown = Text(wording.alerts_unknown())
    policy_labels = {status: policy_status(status) for status in PolicyStatus}  # the view's On, Off, Unknown
    rows: list[Row] = []
    for index, row in enumerate(context.rows):
        p = row.posture
        reasons = (*row.reasons, w.alerts_not_checked) if not alerts_available else row.reasons
        rows.append(
            (
                Text(row.name),
                Text(row.customer.default_domain_name or ""),
                Text(row.customer.tenant_id),
                Count(p.users),
                Count(p.compliant_admins),
                Count(p.compliant_non_admins),
                Percent(p.coverage),
                Text(wording.policy_label(p.policy)),
                *(Text(policy_labels[s]) for s in (p.security_defaults, p.conditional_access, p.per_user_mfa)),
                Count(p.open_alerts) if alerts_available else unknown,
                LevelCell(p.level),
                Text("\n".join(reasons)),
                CustomerSheetLink(index),
            )
        )
    return SheetView(SheetKind.CUSTOMERS, w.customers, w.customer_headers, rows, level_columns=(12,))


def changes_sheet(changes: Changes, w: Words = WORDS) -> SheetView:
    """What changed since the previous archived period: customers gained, lost or changed; requirements."""
    rows: list[Row] = []
    rows += [(Text(w.customer_new), Text(name), Text(tenant)) for tenant, name in changes.customers_gained]
    rows += [(Text(w.customer_gone), Text(name), Text(tenant)) for tenant, name in changes.customers_lost]
    for change in changes.customers:
        details = [
            w.label_value.format(label=what, value=w.arrow.format(before=before, after=after))
            for what, before, after in change.policy_changes
        ]
        details += [w.new_item.format(item=item) for item in change.new_items]
        details += [w.resolved_item.format(item=item) for item in change.resolved_items]
        rows.append(
            (
                Text(w.customer_changed),
                Text(change.name),
                Text(change.tenant_id),
                LevelCell(change.level_before),
                LevelCell(change.level_after),
                Percent(change.coverage_before),
                Percent(change.coverage_after),
                Text("\n".join(details)),
            )
        )
    for req in changes.requirements:
        rows.append(
            (
                Text(w.requirement_changed),
                Text(req.title),
                None,
                Text(req.status_before or w.absent),
                Text(req.status_after or w.absent),
                None,
                None,
                Text(w.score_span.format(before=number(req.score_before), after=number(req.score_after))),
            )
        )
    return SheetView(
        SheetKind.CHANGES,
        w.changes,
        w.change_headers,
        rows,
        lines=((Text(w.changes_since.format(period=changes.previous_period)),), ()),
        level_columns=(3, 4),  # Before, After
    )


def alerts_sheet(alerts: Sequence[AlertRecordRow], gap_note: str = "", w: Words = WORDS) -> SheetView:
    """Every alert, open or resolved; test alerts are kept and flagged in their own column.

    ``gap_note``, when the alerts could not be collected, replaces the note on test alerts.
    """
    rows = [
        (
            Moment(a.detected_at),
            Text(a.severity),
            Text(a.status),
            _yes_no(a.is_open, w),
            _yes_no(a.is_test, w),
            Text(a.customer),
            Text(a.tenant_id),
            Text(a.title),
            Text(a.alert_type),
            Text(a.description),
            Moment(a.resolved_at),
            Text(a.resolved_reason),
            Text(a.resolved_by),
            Text(a.id),
        )
        for a in alerts
    ]
    lines: tuple[Row, ...] = ((Text(gap_note or w.test_alerts_note),), ())
    return SheetView(SheetKind.ALERTS, w.alerts, w.alert_headers, rows, lines=lines)


def about_sheet(context: ReportContext, *, partner: bool = True, w: Words = WORDS) -> SheetView:
    p = context.summary.provenance
    rows: list[Row] = [
        _figure(w.prepared_by, Text(wording.brand_name(context.brand))),
        _figure(w.period, Text(period_label(context.period))),
        _figure(w.collected_at, Moment(p.collected_at_dt)),
        _figure(w.last_refresh, Moment(p.last_refresh_dt)),
        _figure(w.last_update, Moment(p.last_update_dt)),
        _figure(w.api, Text(p.api)),
        _figure(w.snapshot_sha256, Text(p.snapshot_sha256)),
        _figure(w.tool_version, Text(p.tool_version)),
        _figure(w.writer_version, Text(__version__)),
    ]
    if partner:
        rows += [
            _figure(w.partner_tenant_id, Text(p.partner_tenant_id)),
            _figure(w.requests, Count(p.requests)),
        ]
        rows += [
            _figure(w.unlisted_row, Text(w.name_and_tenant.format(name=name, tenant=tenant)))
            for name, tenant in p.unlisted_rows
        ]
    gaps = p.data_gaps if partner else customer_gaps(p.data_gaps)  # a gap about an item may name another customer
    if gaps:
        rows += [_figure(w.data_gap.format(source=gap.source), Text(gap.reason)) for gap in gaps]
    else:
        rows.append(_figure(w.data_gaps, Text(w.no_data_gaps)))
    rows += [
        _figure(w.coverage_term, Text(w.coverage_explained)),
        _figure(w.test_alerts, Text(w.test_alerts_note if partner else w.test_alerts_left_out)),
        _figure(w.times, Text(w.times_explained)),
    ]
    return SheetView(SheetKind.ABOUT, w.about, (w.field, w.value), rows)


def insight_sheet(
    context: ReportContext,
    row: CustomerRow,
    view: CustomerView,
    actions: Sequence[Action],
    *,
    partner: bool,
    w: Words = WORDS,
    below: tuple[Row, ...] = (),
) -> SheetView:
    """One customer's figures, policies, findings, actions and open alerts, as the customer's PDF shows them.

    ``partner``: the sheet sits in the partner's workbook (named after the customer, linking back to the
    Customers sheet); else it is the Overview of the customer's own workbook. ``below``: the customer's
    months (:meth:`CustomerMonths.rows`), under the table.
    """
    p = row.posture

    def item(section: str, label: str, value: Cell | None = None, *rest: Cell | None) -> Row:
        return (Text(section), Text(label), value, *rest)

    sc, sm, sa = w.section_customer, w.section_mfa, w.section_attention
    rows: list[Row] = [
        item(sc, w.name, Text(view.name)),
        item(sc, w.domain, Text(view.domain)),
        item(sc, w.tenant_id, Text(view.tenant_id)),
        item(sc, w.attention_level, LevelCell(view.level)),
        item(sm, w.users, Count(p.users)),
        item(sm, w.admins_with_mfa, Count(p.compliant_admins)),
        item(sm, w.non_admins_with_mfa, Count(p.compliant_non_admins)),
        item(sm, w.coverage, Percent(p.coverage)),
        item(sm, w.policy_in_force, Text(view.policy)),
        *(item(w.section_policy, label, Text(status)) for label, status in view.policies),
    ]
    if view.comparison.shown:  # hidden exactly when the PDF hides it: a small base would reveal another customer
        rows += [
            item(w.section_comparison, w.comparison_median, Percent(view.comparison.median_coverage_value)),
            item(w.section_comparison, w.comparison_below, Text(view.comparison.share_below)),
        ]
    else:
        rows.append(item(w.section_comparison, w.comparison_hidden))
    rows += [item(sa, wording.finding_reason(f), LevelCell(f.level)) for f in view.findings]
    if not view.alerts_available:
        rows.append(item(sa, view.alerts_note, Text(wording.alerts_unknown())))
    rows += [
        item(
            w.section_action,
            wording.action_text(a),
            None,
            None,
            _link(a.url, w.open_link),
            _link(a.help_url, w.guide_link),
        )
        for a in actions
    ]
    rows += [item(w.section_alert, a.title, Text(a.severity), Moment(a.detected_at), None, None) for a in view.alerts]
    if not view.alerts_available:
        rows.append(item(w.section_alert, w.alerts_gap, Text(wording.alerts_unknown())))
    elif not view.alerts:
        rows.append(item(w.section_alert, w.no_open_alerts))
    since = w.section_since.format(period=view.previous_period)
    if view.is_new:
        rows.append(item(since, w.new_customer))
    change = view.change
    if change is not None:
        rows.append(item(since, w.coverage, Text(change.coverage_change_text)))
        if change.level_before != change.level_after:
            arrow = w.arrow.format(
                before=wording.level_label(change.level_before), after=wording.level_label(change.level_after)
            )
            rows.append(item(since, w.attention_level, Text(arrow)))
        rows += [
            item(since, what, Text(w.arrow.format(before=before, after=after)))
            for what, before, after in change.policy_changes
        ]
        rows += [item(since, w.new_item.format(item=reason)) for reason in change.new_items]
        rows += [item(since, w.resolved_item.format(item=reason)) for reason in change.resolved_items]
    back: Row = (Jump(w.back_to_customers, w.customers) if partner else None, Title(view.title))
    name = row.name if partner else w.overview
    return SheetView(SheetKind.CUSTOMER, name, w.insight_headers, rows, lines=(back, ()), below=below)


# ---------------------------------------------------------------------------------------------------------------
# Trends: the portfolio's months and each customer's.


def has_progress(trends: Trends | None) -> bool:
    """Whether ``trends`` spans two archived months or more (one month is no progress yet)."""
    return trends is not None and sum(month.archived for month in trends.portfolio) > 1


def _month_day(period: str) -> date:
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def trends_sheet(context: ReportContext, trends: Trends, w: Words = WORDS) -> SheetView:
    """The portfolio's figures by month (with charts), then one row per customer: its coverage by month.

    A month column holds the number the Customers sheet held that month; a month not
    archived, or one the customer was not in, is an empty cell, never 0. Customers come
    in the Customers sheet's order.
    """
    months = trends.periods.months
    portfolio = trends.portfolio
    lead = len(w.trend_headers)

    def figure(label: str, cells: Iterator[Cell | None]) -> Row:
        return (Text(label), *(None,) * (lead - 1), *cells)

    def by_policy(month: PortfolioMonth, policy: Policy) -> Count:
        return Count(None if month.by_policy is None else dict(month.by_policy).get(policy, 0))

    lines: list[Row] = [
        (Title(w.trends_title),),
        (),
        (Heading(w.portfolio), *(Heading("") for _ in range(lead - 1)), *(Heading(m) for m in months)),
    ]
    headings = len(lines) - 1

    def add(row: Row) -> int:
        lines.append(row)
        return len(lines) - 1

    add(figure(w.in_archive, (_yes_no(m.archived, w) for m in portfolio)))
    add(figure(w.customers_total, (Count(m.customers) for m in portfolio)))
    median = add(figure(w.median_coverage, (Percent(m.median_coverage) for m in portfolio)))
    attention = add(figure(w.needing_attention, (Count(m.needing_attention) for m in portfolio)))
    gained = add(figure(w.gained_month, (Count(m.gained) for m in portfolio)))
    lost = add(figure(w.lost_month, (Count(m.lost) for m in portfolio)))
    for policy in Policy:
        add(figure(w.by_policy.format(policy=wording.policy_label(policy)), (by_policy(m, policy) for m in portfolio)))
    add(())
    rows: list[Row] = []
    for row in context.rows:
        tenant_id = row.customer.tenant_id
        trend = trends.of(tenant_id)
        figures = trend.months if trend is not None else (None,) * len(months)
        rows.append(
            (
                Text(row.name),
                Text(tenant_id),
                *(None if f is None or f.coverage is None else Percent(f.coverage) for f in figures),
            )
        )
    points = len(months)
    charts = (
        LinesChart(w.median_coverage, w.share_axis, (median,), headings, lead, points, percent=True),
        LinesChart(w.customers_chart, w.customers_axis, (attention, gained, lost), headings, lead, points),
    )
    return SheetView(
        SheetKind.TRENDS,
        w.trends,
        (*w.trend_headers, *months),
        rows,
        lines=tuple(lines),
        charts=charts,
        colour_scale=ColourScale(lead, lead + points - 1, COVERAGE_TARGET),
        frozen=(headings + 1, 1),  # down to the months' headings; the customers' names
    )


@dataclass(frozen=True, slots=True)
class CustomerMonths:
    """A customer's months, as rows under its sheet's table; what all customers share is made once per workbook."""

    trends: Trends
    days: tuple[Month, ...]
    policies: Mapping[Policy, Text]
    w: Words

    @classmethod
    def of(cls, trends: Trends | None, w: Words) -> CustomerMonths | None:
        """None without an archive: the sheets then say nothing of months. Made in the sheets' language."""
        if trends is None:
            return None
        days = tuple(Month(_month_day(m)) for m in trends.periods.months)
        return cls(trends, days, {p: Text(wording.policy_label(p)) for p in Policy}, w)

    def rows(self, tenant_id: str) -> tuple[Row, ...]:
        """Month, coverage, admins registered, policy; a gap reads "not available", its figures empty, never 0.

        A customer with a single month shows that progress will show from next month.
        """
        w = self.w
        trend = self.trends.of(tenant_id)
        months = trend.months if trend is not None else ()
        title: tuple[Row, ...] = ((), (Title(w.progress_title),))
        if not has_progress(self.trends) or sum(f is not None for f in months) < 2:
            return (*title, (Text(w.progress_next_month),))
        rows: list[Row] = [*title, tuple(Heading(h) for h in w.progress_headers)]
        gap = Text(w.not_available)
        for day, f in zip(self.days, months, strict=True):
            if f is None:
                rows.append((day, None, None, gap))
            else:
                rows.append((day, Percent(f.coverage), Count(f.admins_registered), self.policies[f.policy]))
        return tuple(rows)
