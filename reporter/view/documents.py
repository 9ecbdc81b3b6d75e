"""What each document shows, computed once: templates and sheets only lay it out."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from reporter.model import MANDATORY_FOR_CSP, Alert, ComplianceStatus, DataGap, Snapshot
from reporter.snapshot import sha256
from reporter.view import fmt, language, wording
from reporter.view.alerts import SEVERITY_COLOURS, AlertRow, open_alert_rows, severity_label
from reporter.view.brand import Brand
from reporter.view.changes import Changes, CustomerChange, RequirementChange, compare
from reporter.view.customers import (
    BaseStats,
    CustomerRow,
    alerts_by_tenant,
    base_stats,
    bucket_index,
    customer_rows,
)
from reporter.view.fmt import format_percent
from reporter.view.history import MonthPoint, ScoreChange, change_since_previous, monthly_series
from reporter.view.language import Choice, Language
from reporter.view.posture import Action, Finding, Level
from reporter.view.progress import POLICY_COLOURS, PortfolioView, ProgressView, portfolio_view, progress_view
from reporter.view.requirements import RequirementRow, requirement_rows, title
from reporter.view.trends import Periods, Trends

TOP_ATTENTION = 15
"""How many customers the executive summary lists by name, however many there are."""

ALERTS_SOURCE = "alerts"
"""The collector's name for the security alerts source, as a ``DataGap`` names it."""

COMPARISON_MINIMUM = 5
"""Customers with MFA data a base needs before a customer's report compares against it:
below this, the aggregate would describe one or two other customers."""


@dataclass(frozen=True, slots=True)
class Count:
    label: str
    count: int
    colour: str
    share: str = ""

    @property
    def count_text(self) -> str:
        return fmt.number(self.count)


@dataclass(frozen=True, slots=True)
class ProvenanceView:
    collected_at: str
    last_refresh: str
    last_update: str
    api: str
    snapshot_sha256: str
    tool_version: str
    partner_tenant_id: str
    requests: int
    data_gaps: tuple[DataGap, ...]
    collected_at_dt: datetime
    last_refresh_dt: datetime | None = None
    last_update_dt: datetime | None = None
    unlisted_rows: tuple[tuple[str, str], ...] = ()
    """Customers-file rows for tenants Graph did not list (a former customer, or a typo): (name, tenant id)."""
    signature: str = ""
    """The sentence saying who signed the PDF (``[sign]``), or empty when it is not signed."""


TOP_ALERTS = 10
"""How many open alerts the executive summary lists, most severe and most recent first."""


@dataclass(frozen=True, slots=True)
class OpenAlert:
    """An open alert as the executive summary lists it, with the customer it concerns."""

    alert: AlertRow
    customer: str
    """The customer's name, else its tenant id; empty when the alert names no tenant."""


TOP_CHANGES = 10
"""How many changed, new or departed customers the executive summary names."""


@dataclass(frozen=True, slots=True)
class ChangesSummary:
    """Month-over-month changes as the executive summary shows them: first few by name, then a count."""

    previous_period: str
    previous_period_label: str
    score_text: str
    """``"72 → 80 (+8.0)"``."""
    score_delta: str
    """``"+8.0"``."""
    score_span: str
    """``"72.0 → 80.0"``."""
    requirements: tuple[RequirementChange, ...]
    requirement_rows: tuple[tuple[str, str, str], ...]
    """(title, ``"Not compliant → Compliant"``, ``"10 → 20"``) for each changed requirement."""
    customers: tuple[CustomerChange, ...]
    customers_more: int
    gained: tuple[str, ...]
    gained_total: int
    gained_more: int
    lost: tuple[str, ...]
    lost_total: int
    lost_more: int
    heading: str = ""
    """``"Since October 2026"``."""
    score_label: str = ""
    gained_total_text: str = ""
    lost_total_text: str = ""
    customers_more_text: str = ""
    gained_more_text: str = ""
    lost_more_text: str = ""
    compared_with: tuple[str, str] = ("", "")
    """The sentence naming the archived snapshot, in the two pieces around its digest (set apart in the document)."""
    previous_sha256: str = ""


def changes_summary(changes: Changes) -> ChangesSummary:
    def first(items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
        return tuple(name for _, name in items[:TOP_CHANGES])

    previous_label = period_label(changes.previous_period)
    span = wording.move(fmt.number(changes.score_before, 1), fmt.number(changes.score_after, 1))
    customers_more = max(0, len(changes.customers) - TOP_CHANGES)
    gained_more = max(0, len(changes.customers_gained) - TOP_CHANGES)
    lost_more = max(0, len(changes.customers_lost) - TOP_CHANGES)
    return ChangesSummary(
        previous_period=changes.previous_period,
        previous_period_label=previous_label,
        score_text=f"{span} ({changes.score_delta_text})",
        score_delta=changes.score_delta_text,
        score_span=span,
        requirements=changes.requirements,
        requirement_rows=tuple(
            (
                r.title,
                wording.requirement_status_move(r.status_before, r.status_after),
                wording.move(fmt.number(r.score_before), fmt.number(r.score_after)),
            )
            for r in changes.requirements
        ),
        customers=changes.customers[:TOP_CHANGES],
        customers_more=customers_more,
        gained=first(changes.customers_gained),
        gained_total=len(changes.customers_gained),
        gained_more=gained_more,
        lost=first(changes.customers_lost),
        lost_total=len(changes.customers_lost),
        lost_more=lost_more,
        heading=wording.since(previous_label),
        score_label=wording.score_change_label(span),
        gained_total_text=fmt.number(len(changes.customers_gained)),
        lost_total_text=fmt.number(len(changes.customers_lost)),
        customers_more_text=wording.more_customers_changed(customers_more) if customers_more else "",
        gained_more_text=wording.and_more(gained_more) if gained_more else "",
        lost_more_text=wording.and_more(lost_more) if lost_more else "",
        compared_with=wording.compared_with(previous_label),
        previous_sha256=changes.previous_sha256,
    )


@dataclass(frozen=True, slots=True)
class SummaryView:
    brand: Brand
    title: str
    period: str
    period_label: str
    score: str
    score_max: str
    score_value: float | None
    score_max_value: float | None
    score_percent: str
    change: ScoreChange
    change_text: str
    requirements: tuple[RequirementRow, ...]
    mandatory_failing: tuple[str, ...]
    """Titles of the mandatory requirements Microsoft reports as not compliant."""
    history: tuple[MonthPoint, ...]
    customers_total: int
    customers_with_data: int
    median_coverage: str
    coverage_buckets: tuple[Count, ...]
    policy_mix: tuple[Count, ...]
    levels: tuple[Count, ...]
    attention: tuple[CustomerRow, ...]
    attention_more: int
    open_alerts: tuple[Count, ...]
    open_alerts_total: int
    test_alerts_excluded: int
    average_response: str
    provenance: ProvenanceView
    changes: Changes | None = None
    """Month-over-month changes, when a previous period is archived."""
    attention_total: int = 0
    """Customers needing attention (above "no data"), of whom ``attention`` lists the first."""
    changes_summary: ChangesSummary | None = None
    """``changes`` cut down to what the executive summary names."""
    open_alert_list: tuple[OpenAlert, ...] = ()
    """The first ``TOP_ALERTS`` open alerts, most severe and most recent first."""
    open_alert_more: int = 0
    alerts_available: bool = True
    """False when the alerts source is a data gap: every alert figure is then unknown, not 0."""
    alerts_gap_reason: str = ""
    """Why the alerts could not be collected (the data gap's reason), when they could not."""
    alerts_note: str = ""
    """The sentence the documents print in place of alert figures when the alerts are not available."""
    open_alerts_figure: str = "0"
    """``open_alerts_total`` as printed, or ``wording.alerts_unknown()``."""
    mandatory_unknown: tuple[str, ...] = ()
    """Titles of the mandatory requirements Microsoft reports with an unknown status."""
    mandatory_missing: tuple[str, ...] = ()
    """Titles of the mandatory requirements missing from the data: not reported by Microsoft."""
    mandatory_met: bool = False
    """True only when every mandatory requirement is present and compliant: the one claim of compliance."""
    mandatory_verdict: str = ""
    """One sentence on the mandatory requirements, saying what is unknown rather than claiming it met."""
    customers_without_data: int = 0
    """Customers Microsoft reported no MFA data for: neither fine nor needing attention, unknown."""
    customers_total_text: str = ""
    customers_with_data_text: str = ""
    attention_total_text: str = ""
    test_alerts_excluded_text: str = ""
    attention_more_text: str = ""
    """The sentence under the attention table when it lists only the first customers, else empty."""
    no_attention_text: str = ""
    """What the posture section says when no customer with data needs attention."""
    open_alert_more_text: str = ""
    mandatory_callout: tuple[tuple[str, str], ...] = ()
    """(emphasised label, titles) for each way the mandatory requirements fall short."""
    mandatory_unknown_note: str = ""
    """``"Whether they are all met is unknown."`` when none is failing but not all are known to be met."""
    not_reported: str = ""
    """How a mandatory requirement missing from the data is labelled."""
    language: Language = field(default_factory=lambda: language.load(language.SOURCE))
    """The language the summary is written in (the partner's)."""
    language_notes: tuple[str, ...] = ()
    """One sentence per customer whose report is not in exactly the language the customers file asks for."""
    portfolio: PortfolioView | None = None
    """The portfolio over the archived months, with the score's history beside it; None without trends."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """This customer against the partner's customer base, in aggregate only."""

    your_coverage: str
    median_coverage: str
    share_below: str
    """Share of the other customers whose coverage is lower than this one's."""
    base_with_policy: str
    buckets: tuple[Count, ...] = ()
    """How many customers of the base fall in each coverage band (no names)."""
    your_bucket: int | None = None
    """The band this customer falls in, an index into ``buckets``."""
    shown: bool = True
    """False when the base is too small to compare without revealing another customer."""
    median_coverage_value: float | None = None
    """``median_coverage`` as a share 0..1 (for a spreadsheet cell)."""


@dataclass(frozen=True, slots=True)
class CustomerView:
    brand: Brand
    title: str
    period: str
    period_label: str
    name: str
    domain: str
    tenant_id: str
    level: Level
    findings: tuple[Finding, ...]
    actions: tuple[Action, ...]
    coverage: str
    coverage_value: float | None
    users: str
    compliant_admins: str
    compliant_non_admins: str
    policy: str
    policies: tuple[tuple[str, str], ...]
    alerts: tuple[AlertRow, ...]
    comparison: Comparison
    provenance: ProvenanceView
    previous_period: str | None = None
    """The period changes are counted from; ``None`` when there is none."""
    change: CustomerChange | None = None
    """This customer's own changes since ``previous_period`` (``None``: nothing changed)."""
    is_new: bool = False
    """The customer was not there in ``previous_period``."""
    named: bool = True
    """False when neither contracts nor a customers file named the tenant (``name`` is then its id)."""
    previous_period_label: str = ""
    """``previous_period`` as a month name, or empty."""
    alerts_available: bool = True
    """False when the alerts source is a data gap: this customer's open alerts are unknown, not none."""
    alerts_note: str = ""
    """``CUSTOMER_ALERTS_NOTE`` when the alerts are not available, else empty."""
    nothing_found: str = ""
    """What "What we found" says when there are no findings."""
    since_heading: str = ""
    """``"Since October 2026:"``, or empty when there is no previous period."""
    since_text: tuple[str, str, str] = ("", "", "")
    """What changed since then, in three pieces: the middle one (the new attention level) is emphasised."""
    language: Language = field(default_factory=lambda: language.load(language.SOURCE))
    """The language the customer's documents are written in (the customers file's, or the partner's)."""
    progress: ProgressView | None = None
    """The customer's own months ("Your progress"); None without trends."""


@dataclass(frozen=True)
class ReportContext:
    """Everything a renderer needs, computed once per snapshot."""

    snapshot: Snapshot
    brand: Brand
    snapshot_sha256: str
    rows: tuple[CustomerRow, ...]
    base: BaseStats
    summary: SummaryView = field(repr=False)
    alerts_by_tenant: dict[str, list[Alert]] = field(repr=False, default_factory=dict)
    period: str = ""
    """``YYYY-MM`` the documents report on."""
    changes: Changes | None = None
    """Since the previous archived period, when there is one."""
    language: Language = field(default_factory=lambda: language.load(language.SOURCE))
    """The partner's language: the summary's and the partner workbook's."""
    choices: Mapping[str, Choice] = field(default_factory=dict)
    """Each customer's language, by lower-case tenant id, as the customers file asks for it."""
    signed_by: str = ""
    """Who signs the PDFs (``[sign]``): the last page says so. Empty when they are not signed."""
    trends: Trends | None = None
    """Each customer's months and the portfolio's, from the archive (``view.trends``); None without an archive."""

    def language_of(self, tenant_id: str) -> Language:
        """The language of a customer's own documents: the customers file's, else the partner's."""
        choice = self.choices.get(tenant_id.lower())
        return choice.language if choice else self.language

    def customer_view(self, row: CustomerRow, in_language: Language | None = None) -> CustomerView:
        """The customer's report, worded in its own language (or ``in_language``: the partner workbook's)."""
        with language.use(in_language or self.language_of(row.customer.tenant_id)) as chosen:
            return _customer_view(self, row, chosen)


def build_context(
    snapshot: Snapshot,
    brand: Brand,
    *,
    periods: Periods | None = None,
    previous: Snapshot | None = None,
    partner_language: Language | None = None,
    languages: Mapping[str, str] | None = None,
    signed_by: str | None = None,
    trends: Trends | None = None,
) -> ReportContext:
    """Everything the documents show, for ``periods.current`` (by default ``trends.periods``, else the month
    ``snapshot`` was collected); ``previous`` is the snapshot of ``periods.previous``, for changes
    (by default counted from the month ``previous`` was collected). ``trends``: the archived months' figures.

    The summary is in ``partner_language`` (by default the brand's); each customer's
    documents in the language ``languages`` (lower-case tenant id → BCP 47 tag, from the
    customers file) asks for, else the partner's. ``signed_by``: who will sign the PDFs, when they are signed.
    """
    partner = partner_language or language.load(brand.language, brand.wording)
    rows = customer_rows(snapshot)
    wanted = {k.lower(): v for k, v in (languages or {}).items() if v}
    choices = {
        r.customer.tenant_id.lower(): language.resolve(wanted.get(r.customer.tenant_id.lower()), partner) for r in rows
    }
    base = base_stats(rows)
    digest = sha256(snapshot)
    periods = periods or (trends.periods if trends else Periods(period_of(snapshot)))
    period = periods.current
    changes = (
        compare(
            previous, snapshot, previous_sha256=sha256(previous), previous_period=periods.previous, current_rows=rows
        )
        if previous is not None
        else None
    )
    with language.use(partner):
        summary = _summary_view(snapshot, brand, rows, base, digest, period, changes)
        summary = replace(
            summary,
            language=partner,
            language_notes=_language_notes(rows, choices),
            provenance=_signed(summary.provenance, signed_by),
            portfolio=portfolio_view(trends, snapshot) if trends else None,
        )
    return ReportContext(
        snapshot,
        brand,
        digest,
        rows,
        base,
        summary,
        alerts_by_tenant(snapshot.alerts),
        period,
        changes,
        partner,
        choices,
        signed_by or "",
        trends,
    )


def _signed(provenance: ProvenanceView, signed_by: str | None) -> ProvenanceView:
    """``provenance`` with the sentence on the signature, in the active language, when the PDF is signed."""
    return replace(provenance, signature=wording.signed_by(signed_by)) if signed_by else provenance


def _language_notes(rows: Sequence[CustomerRow], choices: Mapping[str, Choice]) -> tuple[str, ...]:
    """A sentence for each customer whose language the customers file asked for is not the one used."""
    notes = []
    for row in rows:
        choice = choices.get(row.customer.tenant_id.lower())
        if choice is None or not choice.fell_back:
            continue
        name = choice.language.locale.get_display_name(language.active().locale) or choice.language.tag
        if choice.unknown:
            notes.append(wording.language_unknown(row.customer.label, choice.requested, name))
        else:
            notes.append(wording.language_nearest(row.customer.label, choice.requested, name))
    return tuple(notes)


def alerts_gap(snapshot: Snapshot) -> DataGap | None:
    """The data gap of the alerts source, when the alerts could not be collected."""
    return next((g for g in snapshot.provenance.data_gaps if g.source == ALERTS_SOURCE), None)


def period_of(snapshot: Snapshot) -> str:
    return snapshot.provenance.collected_at.strftime("%Y-%m")


def period_label(period: str) -> str:
    """``"2026-11"`` → ``"November 2026"``."""
    return fmt.month(datetime.strptime(period, "%Y-%m"))


def customer_gaps(gaps: Sequence[DataGap], tenant_id: str | None = None) -> tuple[DataGap, ...]:
    """The data gaps a customer's own documents may carry: whole sources, and items of ``tenant_id``.

    A gap about one item (``customerInsights[3].tenantId``, ``customer <id>``) may name
    another customer, whose data no other customer's documents may hold; whole sources
    (``alerts``, ``contracts``) are named by a plain word.
    """
    key = tenant_id.lower() if tenant_id else None
    return tuple(g for g in gaps if g.source.isalpha() or (key is not None and key in g.source.lower()))


def _provenance(snapshot: Snapshot, digest: str) -> ProvenanceView:
    p = snapshot.provenance
    return ProvenanceView(
        collected_at=fmt.timestamp(p.collected_at),
        last_refresh=fmt.timestamp(snapshot.score.last_refresh_date_time),
        last_update=fmt.timestamp(snapshot.score.updated_date_time),
        api=f"{p.api_base}/{p.api_version}",
        snapshot_sha256=digest,
        tool_version=p.tool_version,
        partner_tenant_id=p.partner_tenant_id or "–",
        requests=len(p.requests),
        data_gaps=p.data_gaps,
        unlisted_rows=tuple(
            (r.display_name or r.default_domain_name or "–", r.tenant_id) for r in p.unmatched_customer_rows
        ),
        collected_at_dt=p.collected_at,
        last_refresh_dt=snapshot.score.last_refresh_date_time,
        last_update_dt=snapshot.score.updated_date_time,
    )


def _share(count: int, total: int) -> str:
    return format_percent(count / total) if total else "–"


def _summary_view(
    snapshot: Snapshot,
    brand: Brand,
    rows: tuple[CustomerRow, ...],
    base: BaseStats,
    digest: str,
    period: str,
    changes: Changes | None,
) -> SummaryView:
    score = snapshot.score
    change = change_since_previous(snapshot.history, score)
    requirements = requirement_rows(snapshot.requirements)
    open_alerts = [a for a in snapshot.alerts if a.is_open and not a.is_test]
    by_severity = [(s, sum(1 for a in open_alerts if a.severity is s)) for s in SEVERITY_COLOURS]
    needing = [r for r in rows if r.posture.level > Level.NO_DATA]
    response = next((d for r in requirements if r.key == "securityAlertsPromptlyResolved" for d in r.details), None)
    gap = alerts_gap(snapshot)
    mandatory = mandatory_status(requirements)
    percent = (
        format_percent(score.current_score / score.max_score, 0)
        if score.current_score is not None and score.max_score
        else "–"
    )
    return SummaryView(
        brand=brand,
        title=wording.summary_title(period_label(period)),
        period=period,
        period_label=period_label(period),
        score=fmt.number(score.current_score, 1 if score.current_score and score.current_score % 1 else 0),
        score_max=fmt.number(score.max_score),
        score_value=score.current_score,
        score_max_value=score.max_score,
        score_percent=percent,
        change=change,
        change_text=(
            wording.score_change(fmt.signed(change.delta), fmt.date(change.previous_at))
            if change.delta is not None
            else wording.no_earlier_score()
        ),
        requirements=requirements,
        mandatory_failing=mandatory.failing,
        mandatory_unknown=mandatory.unknown,
        mandatory_missing=mandatory.missing,
        mandatory_met=mandatory.met,
        mandatory_verdict=mandatory.verdict,
        customers_without_data=base.customers - base.with_data,
        history=monthly_series(snapshot.history, score, snapshot.provenance.collected_at),
        customers_total=base.customers,
        customers_with_data=base.with_data,
        median_coverage=format_percent(base.median_coverage),
        coverage_buckets=tuple(
            Count(b.label, b.count, "", _share(b.count, base.with_data)) for b in base.coverage_buckets
        ),
        policy_mix=tuple(
            Count(wording.policy_label(p), n, POLICY_COLOURS[p], _share(n, base.customers)) for p, n in base.policy_mix
        ),
        levels=tuple(Count(wording.level_label(lv), n, lv.colour, _share(n, base.customers)) for lv, n in base.levels),
        attention=tuple(needing[:TOP_ATTENTION]),
        attention_more=max(0, len(needing) - TOP_ATTENTION),
        attention_total=len(needing),
        open_alerts=tuple(Count(severity_label(s), n, SEVERITY_COLOURS[s]) for s, n in by_severity),
        open_alerts_total=len(open_alerts),
        open_alert_list=_open_alert_list(snapshot),
        open_alert_more=max(0, len(open_alerts) - TOP_ALERTS),
        test_alerts_excluded=sum(1 for a in snapshot.alerts if a.is_test),
        average_response=response[1] if response else wording.not_reported_lower(),
        provenance=_provenance(snapshot, digest),
        changes=changes,
        changes_summary=changes_summary(changes) if changes else None,
        alerts_available=gap is None,
        alerts_gap_reason=gap.reason if gap else "",
        alerts_note=wording.summary_alerts_note(gap.reason) if gap else "",
        open_alerts_figure=fmt.number(len(open_alerts)) if gap is None else wording.alerts_unknown(),
        customers_total_text=fmt.number(base.customers),
        customers_with_data_text=fmt.number(base.with_data),
        attention_total_text=fmt.number(len(needing)),
        test_alerts_excluded_text=fmt.number(sum(1 for a in snapshot.alerts if a.is_test)),
        attention_more_text=(
            wording.more_need_attention(len(needing) - TOP_ATTENTION) if len(needing) > TOP_ATTENTION else ""
        ),
        no_attention_text=(
            wording.no_attention_without_data(base.customers - base.with_data)
            if base.customers > base.with_data
            else wording.no_attention()
        ),
        open_alert_more_text=(
            wording.more_open_alerts(len(open_alerts) - TOP_ALERTS) if len(open_alerts) > TOP_ALERTS else ""
        ),
        mandatory_callout=wording.mandatory_callout(mandatory.failing, mandatory.unknown, mandatory.missing),
        mandatory_unknown_note="" if mandatory.met or mandatory.failing else wording.all_met_unknown(),
        not_reported=wording.not_reported_by_microsoft(),
    )


@dataclass(frozen=True, slots=True)
class MandatoryStatus:
    """The requirements mandatory for CSP authorization: which are failing, unknown or missing."""

    failing: tuple[str, ...]
    unknown: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def met(self) -> bool:
        return not (self.failing or self.unknown or self.missing)

    @property
    def verdict(self) -> str:
        return wording.mandatory_verdict(self.failing, self.unknown, self.missing)


def mandatory_status(requirements: tuple[RequirementRow, ...]) -> MandatoryStatus:
    """A requirement counts as met only when Microsoft reports it, and reports it compliant."""
    mandatory = [r for r in requirements if r.mandatory]
    present = {r.title for r in mandatory}
    failing = [r.title for r in mandatory if r.status_key == ComplianceStatus.NONCOMPLIANT.value]
    unknown = [
        r.title
        for r in mandatory
        if r.status_key not in (ComplianceStatus.COMPLIANT.value, ComplianceStatus.NONCOMPLIANT.value)
    ]
    expected = [title(t, t.value) for t in sorted(MANDATORY_FOR_CSP, key=lambda t: t.value)]
    missing = [t for t in expected if t not in present]
    return MandatoryStatus(tuple(dict.fromkeys(failing)), tuple(dict.fromkeys(unknown)), tuple(missing))


def _open_alert_list(snapshot: Snapshot) -> tuple[OpenAlert, ...]:
    names = {c.tenant_id.lower(): c.label for c in snapshot.customers}
    rows = open_alert_rows(snapshot.alerts)[:TOP_ALERTS]
    return tuple(OpenAlert(r, names.get((r.tenant_id or "").lower(), r.tenant_id or "")) for r in rows)


def _customer_actions(actions: tuple[Action, ...], brand: Brand) -> tuple[Action, ...]:
    """The customer's reader cannot open Partner Center: those steps are the partner's."""
    shown = []
    for action in actions:
        if action.partner_only:
            shown.append(Action(action.kind, "", None, True, followed_up_by=wording.brand_name(brand)))
        else:
            shown.append(action)
    return tuple(shown)


def _customer_view(context: ReportContext, row: CustomerRow, chosen: Language) -> CustomerView:
    snapshot, brand, base = context.snapshot, context.brand, context.base
    customer, posture = row.customer, row.posture
    changes = context.changes
    own_alerts = context.alerts_by_tenant.get(customer.tenant_id.lower(), [])
    cov = posture.coverage
    others = len(base.sorted_coverages) - 1  # every customer with a coverage but this one
    below = bisect.bisect_left(base.sorted_coverages, cov) if cov is not None else 0
    alerts_available = context.summary.alerts_available
    comparison = Comparison(
        your_coverage=format_percent(cov),
        median_coverage=format_percent(base.median_coverage),
        share_below=_share(below, others) if cov is not None and others > 0 else "–",
        base_with_policy=_share(base.with_policy, base.customers),
        buckets=tuple(Count(b.label, b.count, "", _share(b.count, base.with_data)) for b in base.coverage_buckets),
        your_bucket=bucket_index(cov),
        shown=base.with_data >= COMPARISON_MINIMUM,
        median_coverage_value=base.median_coverage,
    )
    return CustomerView(
        brand=brand,
        title=wording.customer_title(customer.label),
        period=context.period,
        period_label=period_label(context.period),
        name=customer.label,
        domain=customer.default_domain_name or "",
        tenant_id=customer.tenant_id,
        level=posture.level,
        findings=posture.findings,
        actions=_customer_actions(posture.actions, brand),
        coverage=format_percent(posture.coverage),
        coverage_value=posture.coverage,
        users=fmt.number(posture.users),
        compliant_admins=fmt.number(posture.compliant_admins),
        compliant_non_admins=fmt.number(posture.compliant_non_admins),
        policy=wording.policy_label(posture.policy),
        policies=(
            (wording.customer_policy("security-defaults"), wording.policy_status(posture.security_defaults)),
            (wording.customer_policy("conditional-access"), wording.policy_status(posture.conditional_access)),
            (wording.customer_policy("per-user-mfa"), wording.policy_status(posture.per_user_mfa)),
        ),
        alerts=open_alert_rows(own_alerts),
        comparison=comparison,
        provenance=_signed(_provenance(snapshot, context.snapshot_sha256), context.signed_by),
        named=bool(customer.display_name),
        previous_period_label=period_label(changes.previous_period) if changes else "",
        previous_period=changes.previous_period if changes else None,
        change=changes.for_customer(customer.tenant_id) if changes else None,
        is_new=changes.is_new_customer(customer.tenant_id) if changes else False,
        alerts_available=alerts_available,
        alerts_note="" if alerts_available else wording.customer_alerts_note(),
        nothing_found=wording.nothing_found(alerts_available),
        since_heading=wording.since_heading(period_label(changes.previous_period)) if changes else "",
        since_text=_since_text(changes, customer.tenant_id) if changes else ("", "", ""),
        language=chosen,
        progress=progress_view(context.trends.of(customer.tenant_id), context.trends) if context.trends else None,
    )


def _since_text(changes: Changes, tenant_id: str) -> tuple[str, str, str]:
    """The customer's "since" line in three pieces, the middle one emphasised."""
    if changes.is_new_customer(tenant_id):
        return (wording.first_report(), "", "")
    change = changes.for_customer(tenant_id)
    if change is None:
        return (wording.nothing_changed(), "", "")
    return wording.customer_since(
        wording.level_label(change.level_before), wording.level_label(change.level_after), change.coverage_change_text
    )
