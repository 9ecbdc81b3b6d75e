"""Every sentence and label the PDF documents show, made from a key and its parameters.

The view-model decides *what* to say (a finding's kind, a count, a share, a status);
this module says it, in the active language (``reporter.view.language``). Nothing
here runs at import time: each function is called while a document is made, and
every English string passes through ``gettext`` (or ``ngettext`` where a count
decides the form), which is how ``pybabel extract`` finds it for the catalogues.

Numbers reach these sentences already formatted (``reporter.view.fmt``), except
where a count chooses the plural.
"""

from __future__ import annotations

from reporter.model import (
    AlertSeverity,
    AlertStatus,
    ComplianceStatus,
    PolicyStatus,
    RequirementState,
    RequirementType,
    ResolvedReason,
)
from reporter.view import fmt, posture
from reporter.view.brand import Brand
from reporter.view.language import gettext, ngettext

_ = gettext

# --- labels ---------------------------------------------------------------------------------------------------------


def level_label(level: posture.Level) -> str:
    Level = posture.Level
    return {
        Level.OK: _("OK"),
        Level.NO_DATA: _("No data"),
        Level.LOW: _("Low"),
        Level.MEDIUM: _("Medium"),
        Level.HIGH: _("High"),
        Level.CRITICAL: _("Critical"),
    }[level]


def policy_label(policy: posture.Policy) -> str:
    Policy = posture.Policy
    return {
        Policy.CONDITIONAL_ACCESS: _("Conditional Access"),
        Policy.SECURITY_DEFAULTS: _("Security defaults"),
        Policy.PER_USER_ONLY: _("Per-user MFA only"),
        Policy.NONE: _("No MFA policy"),
        Policy.UNKNOWN: _("Unknown"),
    }[policy]


def label(value: posture.Level | posture.Policy) -> str:
    """A level's or a policy's label (templates: ``{{ level|label }}``)."""
    return level_label(value) if isinstance(value, posture.Level) else policy_label(value)


def policy_status(status: PolicyStatus) -> str:
    return {PolicyStatus.ENABLED: _("On"), PolicyStatus.DISABLED: _("Off"), PolicyStatus.UNKNOWN: _("Unknown")}[status]


def compliance(status: ComplianceStatus) -> str:
    return {
        ComplianceStatus.COMPLIANT: _("Compliant"),
        ComplianceStatus.NONCOMPLIANT: _("Not compliant"),
        ComplianceStatus.UNKNOWN: _("Unknown"),
    }[status]


def requirement_state(state: RequirementState) -> str:
    return {
        RequirementState.ACTIVE: _("Active"),
        RequirementState.PREVIEW: _("Preview"),
        RequirementState.UNKNOWN: _("Unknown"),
    }[state]


def severity(value: AlertSeverity) -> str:
    """A severity as a label (``"High"``)."""
    return {
        AlertSeverity.HIGH: _("High"),
        AlertSeverity.MEDIUM: _("Medium"),
        AlertSeverity.LOW: _("Low"),
        AlertSeverity.INFORMATIONAL: _("Informational"),
        AlertSeverity.UNKNOWN: _("Unknown"),
    }[value]


def alert_status(status: AlertStatus) -> str:
    return {
        AlertStatus.ACTIVE: _("Active"),
        AlertStatus.INVESTIGATING: _("Investigating"),
        AlertStatus.RESOLVED: _("Resolved"),
        AlertStatus.UNKNOWN: _("Unknown"),
    }[status]


def resolved_reason(reason: ResolvedReason) -> str:
    return {
        ResolvedReason.LEGITIMATE: _("Legitimate"),
        ResolvedReason.IGNORE: _("Ignore"),
        ResolvedReason.FRAUD: _("Fraud"),
        ResolvedReason.UNKNOWN: _("Unknown"),
    }[reason]


DEFAULT_BRAND_NAME = "Your Microsoft partner"
"""The name of the default brand (``Brand.name``), shown in the document's language."""


def brand_name(brand: Brand) -> str:
    """The partner's name as the documents show it; the default brand's name in the active language."""
    return _("Your Microsoft partner") if brand.name == DEFAULT_BRAND_NAME else brand.name


def alert_title_fallback() -> str:
    return _("Security alert")


def requirement_title(kind: RequirementType) -> str | None:
    """A known requirement's title; ``None`` for a type this tool does not know."""
    titles = {
        RequirementType.MFA_ENFORCED_FOR_ADMINS: _("MFA for the partner's own admins"),
        RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS: _("MFA for customers' admins"),
        RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED: _("Security alerts resolved promptly"),
        RequirementType.SECURITY_CONTACT_PROVIDED: _("Security contact provided"),
        RequirementType.SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS: _("Spending budgets on customers' Azure"),
    }
    return titles.get(kind)


def unknown_requirement(name: str) -> str:
    return _("Unknown requirement ({name})").format(name=name)


def requirement_detail(key: str) -> str:
    """The label of one of a requirement's own figures, by its id (see ``requirements._details``)."""
    return {
        "admins-with-mfa": _("Admins with MFA"),
        "admins-not-using-mfa": _("Admins required but not using MFA"),
        "users-with-mfa": _("Users with MFA"),
        "users-not-using-mfa": _("Users required but not using MFA"),
        "security-defaults": _("Security defaults"),
        "ca-mfa-policy": _("Conditional Access MFA policy"),
        "per-user-mfa": _("Legacy per-user MFA"),
        "compliant-tenants": _("Compliant customer tenants"),
        "spending-budgets": _("Customers with a spending budget"),
        "response-time": _("Average response time (last 30 days)"),
    }[key]


def percent_band(low: int, high: int) -> str:
    """``"25–49%"``: a band of whole percents (one value when ``low == high``)."""
    if low == high:
        return fmt.format_percent(high / 100)
    return _("{low}–{high}").format(low=fmt.number(low), high=fmt.format_percent(high / 100))


def count_and_share(count: str, share: str) -> str:
    """``"12 (40%)"``."""
    return _("{count} ({share})").format(count=count, share=share)


def part_of(part: str, whole: str) -> str:
    """``"3 of 10"`` from two formatted numbers."""
    return _("{part} of {whole}").format(part=part, whole=whole)


def out_of(score: str, maximum: str) -> str:
    """``"10 / 20"``."""
    return _("{score} / {maximum}").format(score=score, maximum=maximum)


def hours(value: str) -> str:
    return _("{hours} h").format(hours=value)


def not_reported_lower() -> str:
    return _("not reported")


def customer_policy(key: str) -> str:
    """The policies a customer's report lists, by id."""
    return {
        "security-defaults": _("Security defaults"),
        "conditional-access": _("Conditional Access policy requiring MFA"),
        "per-user-mfa": _("Legacy per-user MFA"),
    }[key]


# --- findings and actions -------------------------------------------------------------------------------------------


def finding_reason(finding: posture.Finding) -> str:
    Kind = posture.FindingKind
    kind = finding.kind
    if kind is Kind.NO_DATA:
        return _("Microsoft reported no MFA data for this tenant.")
    if kind is Kind.NO_POLICY:
        return _("No MFA policy is switched on: no sign-in is asked for a second factor.")
    if kind is Kind.PER_USER_ONLY:
        return _("MFA relies on legacy per-user settings, which Microsoft is retiring.")
    if kind is Kind.POLICY_UNKNOWN:
        return _("Microsoft did not report which MFA policy is in force.")
    if kind is Kind.NO_ADMIN_MFA:
        return _("No administrator is registered for MFA.")
    if kind is Kind.LOW_COVERAGE:
        return _("Only {share} of users (other than admins) are registered for MFA.").format(
            share=fmt.format_percent(finding.share)
        )
    assert finding.severity is not None, "an open-alerts finding names its severity"
    return ngettext(
        "{count} open {severity} security alert.", "{count} open {severity} security alerts.", finding.count
    ).format(count=finding.count, severity=_severity_in_sentence(finding.severity))


def _severity_in_sentence(value: AlertSeverity) -> str:
    return {
        AlertSeverity.HIGH: _("high"),
        AlertSeverity.MEDIUM: _("medium"),
        AlertSeverity.LOW: _("low"),
        AlertSeverity.INFORMATIONAL: _("informational"),
        AlertSeverity.UNKNOWN: _("unknown"),
    }[value]


def action_text(action: posture.Action) -> str:
    Kind = posture.ActionKind
    text = {
        Kind.CHECK_GDAP: _("Check that the partner relationship (GDAP) with this customer is active."),
        Kind.TURN_ON_MFA: _(
            "Turn on security defaults, or a Conditional Access policy that requires MFA for all users."
        ),
        Kind.MOVE_TO_CA: _("Move to a Conditional Access policy that requires MFA for all users."),
        Kind.REQUIRE_ADMIN_MFA: _("Require MFA for every administrator role with Conditional Access."),
        Kind.REGISTER_USERS: _(
            "Ask the remaining users to register for MFA; the registration report lists who is missing."
        ),
        Kind.RESOLVE_ALERTS: _("Investigate and resolve the open alerts (CSP partners must respond within 24 hours)."),
    }[action.kind]
    if action.followed_up_by:
        return _("{partner} will follow this up: {action}").format(
            partner=fmt.isolate_name(action.followed_up_by), action=text
        )
    return text


# --- changes since the previous period ------------------------------------------------------------------------------


def policy_subject(key: str) -> str:
    """What a customer's policy change is about, by id."""
    return {
        "mfa-policy": _("MFA policy"),
        "security-defaults": _("Security defaults"),
        "conditional-access": _("Conditional Access"),
        "per-user-mfa": _("Per-user MFA"),
    }[key]


def coverage_change(before: float | None, after: float | None) -> str:
    """``"62% → 71% (+9 pts)"``, or the one known side."""
    if before is None or after is None:
        return _("{before} → {after}").format(before=fmt.format_percent(before), after=fmt.format_percent(after))
    points = fmt.whole_percent(after) - fmt.whole_percent(before)  # adds up with the figures shown
    sign = "±" if points == 0 else "+" if points > 0 else "−"
    return ngettext(
        "{before} → {after} ({sign}{points} pt)", "{before} → {after} ({sign}{points} pts)", abs(points)
    ).format(
        before=fmt.format_percent(before),
        after=fmt.format_percent(after),
        sign="",
        points=fmt.isolate(f"{sign}{abs(points)}"),  # the sign inside the figure's isolate: "+9", never "9+"
    )


def move(before: str, after: str) -> str:
    """``"Off → On"``."""
    return _("{before} → {after}").format(before=before, after=after)


def policy_move(subject: str, before: str, after: str) -> str:
    """``"Security defaults: Off → On"``."""
    return _("{subject}: {before} → {after}").format(subject=subject, before=before, after=after)


def new_item(reason: str) -> str:
    return _("New: {reason}").format(reason=reason)


def resolved_item(reason: str) -> str:
    return _("Resolved: {reason}").format(reason=reason)


def requirement_status_move(before: str | None, after: str | None) -> str:
    """``"Not compliant → Compliant"``; a requirement that went reads ``removed``."""
    return move(before or "–", after or _("removed"))


def customer_since(level_before: str, level_after: str, coverage: str) -> tuple[str, str, str]:
    """The customer report's "since" line around the new level (which the document emphasises)."""
    return (
        _("attention {before} →").format(before=level_before),
        level_after,
        _("; MFA coverage {coverage}.").format(coverage=coverage),
    )


def since(period_label: str) -> str:
    """``"Since October 2026"``."""
    return _("Since {period}").format(period=period_label)


def since_heading(period_label: str) -> str:
    return _("Since {period}:").format(period=period_label)


def first_report() -> str:
    return _("this is the first report for this tenant.")


def nothing_changed() -> str:
    return _("nothing changed.")


def score_change_label(span: str) -> str:
    return _("change in the partner security score ({span})").format(span=span)


def and_more(count: int) -> str:
    return ngettext("and {count} more", "and {count} more", count).format(count=count)


def more_customers_changed(count: int) -> str:
    return ngettext(
        "{count} more customer changed; the workbook lists every customer.",
        "{count} more customers changed; the workbook lists every customer.",
        count,
    ).format(count=fmt.number(count))


def compared_with(period_label: str) -> tuple[str, str]:
    """The sentence naming the archived snapshot, in the two pieces around its digest."""
    return (_("Compared with the archived snapshot of {period} (SHA-256").format(period=period_label), _(")."))


# --- the documents' own sentences -----------------------------------------------------------------------------------


def summary_title(period_label: str) -> str:
    return _("Partner security score — {period}").format(period=period_label)


def customer_title(name: str) -> str:
    return _("Security report for {name}").format(name=fmt.isolate_name(name))


def score_change(delta: str, since_date: str) -> str:
    return _("{delta} since {date}").format(delta=delta, date=since_date)


def no_earlier_score() -> str:
    return _("no earlier score to compare")


def alerts_unknown() -> str:
    """What a figure counting alerts shows when the alerts could not be collected: unknown, not 0."""
    return _("Not available")


def summary_alerts_note(gap_reason: str) -> str:
    return _(
        "Security alerts are not available this time: they could not be collected from Microsoft "
        "(data gap: {reason}). Alert figures are unknown, not zero."
    ).format(reason=gap_reason.rstrip("."))


def customer_alerts_note() -> str:
    """A customer's documents say this instead of "no open alerts" when the alerts are a data gap."""
    return _(
        "Security alerts could not be checked this time: they could not be collected from Microsoft "
        "(a data gap). Whether there are open alerts is unknown."
    )


def nothing_found(alerts_available: bool) -> str:
    if alerts_available:
        return _("Nothing needs attention: MFA is enforced and there are no open security alerts.")
    return _("Nothing in the MFA data needs attention; security alerts could not be checked this time.")


def not_reported_by_microsoft() -> str:
    """What a mandatory requirement missing from the data reads: unknown, never met."""
    return _("Not reported by Microsoft")


def mandatory_met() -> str:
    return _("All requirements mandatory for CSP authorization are met.")


def mandatory_verdict(failing: tuple[str, ...], unknown: tuple[str, ...], missing: tuple[str, ...]) -> str:
    """One sentence on the mandatory requirements, saying what is unknown rather than claiming it met."""
    if not (failing or unknown or missing):
        return mandatory_met()
    parts = []
    if failing:
        parts.append(_("not met: {titles}").format(titles=titles(failing)))
    if unknown:
        parts.append(_("status unknown: {titles}").format(titles=titles(unknown)))
    if missing:
        parts.append(_("not reported by Microsoft: {titles}").format(titles=titles(missing)))
    verdict = _("Requirements mandatory for CSP authorization {parts}.").format(parts=". ".join(parts))
    if not failing:
        verdict += " " + all_met_unknown()
    return verdict


def titles(items: tuple[str, ...]) -> str:
    """Requirement titles as one list: ``"A; B"``."""
    return "; ".join(items)


def all_met_unknown() -> str:
    return _("Whether they are all met is unknown.")


def mandatory_callout(
    failing: tuple[str, ...], unknown: tuple[str, ...], missing: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """The summary cover's callout when not every mandatory requirement is met: (emphasised label, titles)."""
    lines = []
    if failing:
        lines.append((_("Mandatory for CSP authorization and not met:"), titles(failing) + "."))
    if unknown:
        lines.append((_("Mandatory for CSP authorization, status unknown:"), titles(unknown) + "."))
    if missing:
        lines.append((_("Mandatory for CSP authorization, not reported by Microsoft:"), titles(missing) + "."))
    return tuple(lines)


def no_attention_without_data(count: int) -> str:
    """When only customers without MFA data are left: their state is unknown, not fine."""
    return ngettext(
        "No customer with MFA data needs attention this month; {count} customer reported no MFA data, "
        "so whether it needs attention is unknown.",
        "No customer with MFA data needs attention this month; {count} customers reported no MFA data, "
        "so whether they need attention is unknown.",
        count,
    ).format(count=fmt.number(count))


def no_attention() -> str:
    return _("No customer needs attention this month.")


def more_need_attention(count: int) -> str:
    return ngettext(
        "{count} more customer needs attention; the workbook lists every customer.",
        "{count} more customers need attention; the workbook lists every customer.",
        count,
    ).format(count=fmt.number(count))


def more_open_alerts(count: int) -> str:
    return ngettext(
        "{count} more open alert; Partner Center lists them all.",
        "{count} more open alerts; Partner Center lists them all.",
        count,
    ).format(count=fmt.number(count))


# --- languages ------------------------------------------------------------------------------------------------------


def language_unknown(customer: str, requested: str, used: str) -> str:
    """The summary's note on a customer whose customers-file language reporter does not write."""
    return _(
        "{customer}: the customers file asks for the language “{requested}”, which reporter does not write; "
        "its report is in {used}."
    ).format(customer=fmt.isolate_name(customer), requested=fmt.isolate_name(requested), used=used)


def language_nearest(customer: str, requested: str, used: str) -> str:
    """The summary's note on a customer whose language is written in its nearest form (``de-AT`` → German)."""
    return _("{customer}: the customers file asks for “{requested}”; its report is in {used}.").format(
        customer=fmt.isolate_name(customer), requested=fmt.isolate_name(requested), used=used
    )


# --- signatures -----------------------------------------------------------------------------------------------------


def signed_by(name: str) -> str:
    """The last page's word on the PDF's digital signature (``[sign]``), naming who signed it."""
    return _(
        "This report is digitally signed by {name}. Your PDF reader shows the signature "
        "and whether the file was changed after signing."
    ).format(name=fmt.isolate_name(name))


# --- trends ---------------------------------------------------------------------------------------------------------


def progress_next_month() -> str:
    """A customer's "Your progress" with a single month."""
    return _("Progress will show from next month.")


def portfolio_next_month() -> str:
    """The summary's portfolio trend with a single archived month."""
    return _("The portfolio trend will show from next month, once two months are archived.")


def progress_not_comparable() -> str:
    return _("MFA coverage was not reported in two months yet, so there is no change to tell.")


def portfolio_not_comparable() -> str:
    return _("Median MFA coverage is not known in two months yet, so there is no change to tell.")


def coverage_rose(first: str, start: str, last: str, end: str, *, mine: bool) -> str:
    """``"MFA coverage rose from 41% in June to 79% in November."`` (the portfolio's: median coverage)."""
    if mine:
        text = _("MFA coverage rose from {first} in {start} to {last} in {end}.")
    else:
        text = _("Median MFA coverage rose from {first} in {start} to {last} in {end}.")
    return text.format(first=first, start=start, last=last, end=end)


def coverage_fell(first: str, start: str, last: str, end: str, *, mine: bool) -> str:
    if mine:
        text = _("MFA coverage fell from {first} in {start} to {last} in {end}.")
    else:
        text = _("Median MFA coverage fell from {first} in {start} to {last} in {end}.")
    return text.format(first=first, start=start, last=last, end=end)


def coverage_stayed(value: str, start: str, end: str, *, mine: bool) -> str:
    if mine:
        text = _("MFA coverage stayed at {value} from {start} to {end}.")
    else:
        text = _("Median MFA coverage stayed at {value} from {start} to {end}.")
    return text.format(value=value, start=start, end=end)


def portfolio_labels() -> dict[str, str]:
    """The lines of the summary's portfolio table, by id."""
    return {
        "customers": _("Customers"),
        "gained": _("new"),
        "lost": _("departed"),
        "median": _("Median MFA coverage of users"),
        "attention": _("Customers needing attention"),
        "policy": _("Customers by strongest MFA policy"),
        "score": _("Partner security score (from Microsoft)"),
    }


def progress_gaps() -> str:
    return _("A dash (–) marks a month without figures: no report that month, or none reported by Microsoft.")


def portfolio_gaps() -> str:
    return _(
        "A dash (–) marks a figure that is not available: no snapshot of that month is archived. New and "
        "departed customers are counted from the month before, so the first month and a month after a gap have none."
    )
