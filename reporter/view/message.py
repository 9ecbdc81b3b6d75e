"""The words of each e-mail: a customer's message about its own report, and the partner's summary message.

Pure functions of the view-model: every figure is the one the PDF shows, taken
from ``CustomerView`` or ``SummaryView`` as they are, never decided again here.
A figure the data does not give reads "not available", never 0 or "met".

Every English sentence of a message is a field of ``Wording``, in this one
place, so a translation is one other ``Wording``. Every text that comes from the
data or the configuration is one line (``one_line``): a name cannot add lines
to a subject or to the plain-text body. Links are https URLs only (``https``).

A customer's message names that customer and its tenant, and nothing of any
other customer: it is built from its ``CustomerView`` alone, with no comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from reporter.view import fmt, language, wording
from reporter.view.brand import Brand
from reporter.view.documents import CustomerView, ReportContext, SummaryView
from reporter.view.fmt import plain_keeping_isolates
from reporter.view.language import N_, translated
from reporter.view.posture import Level, Policy

SUBJECT_LIMIT = 200
"""The longest subject, in characters; a longer customer name is cut short (``…``)."""


def missing() -> frozenset[str]:
    """How the view-model prints a figure it does not have, in the active language: each reads
    ``Wording.not_available`` in a message."""
    return frozenset({"", fmt.MISSING, wording.alerts_unknown(), wording.policy_label(Policy.UNKNOWN)})


@dataclass(frozen=True, slots=True)
class Wording:
    """Every sentence a message says, with ``{placeholders}`` for what the data fills in."""

    not_available: str = N_("not available")
    # A customer's message
    customer_subject: str = N_("Security report for {name} — {period}")
    customer_kicker: str = N_("Security report · {period}")
    customer_intro: str = N_(
        "Here is your security report for {period}. It shows how well your organisation's Microsoft 365 sign-ins "
        "are protected by multi-factor authentication (MFA), and what to do next."
    )
    facts_title: str = N_("At a glance")
    attention: str = N_("Attention level")
    coverage: str = N_("Users (other than admins) registered for MFA")
    users: str = N_("Users")
    admins: str = N_("Admins registered for MFA")
    policy: str = N_("Strongest MFA policy in force")
    finding_title: str = N_("What we found:")
    action_title: str = N_("First recommended action")
    no_action: str = N_("No action is needed this month. Keep MFA enforced for every new user and administrator.")
    action_link: str = N_("Open where this is done")
    help_link: str = N_("How to do it")
    more_actions_one: str = N_("The report lists one more recommended action.")
    more_actions_many: str = N_("The report lists {count} more recommended actions.")
    customer_attached: str = N_("Your full report for {period} is attached to this e-mail as a PDF.")
    customer_workbook_attached: str = N_("Its figures are also attached as an Excel workbook.")
    questions: str = N_("If you have any questions about this report, please get in touch with us.")
    about_tenant: str = N_("This report covers the Microsoft 365 tenant {domain} (tenant ID {tenant}).")
    about_tenant_unnamed: str = N_("This report covers the Microsoft 365 tenant with the ID {tenant}.")
    about_data: str = N_("The figures come from Microsoft and were collected on {collected}.")
    # The partner's summary message
    summary_subject: str = N_("Partner security score — {period}")
    summary_kicker: str = N_("Executive summary · {period}")
    summary_heading: str = N_("Partner security score")
    summary_intro: str = N_(
        "Here is the partner security summary for {period}: your partner security score and the MFA posture "
        "of your customers."
    )
    score: str = N_("Score")
    score_value: str = N_("{score} / {max}")
    score_share: str = N_("{score} / {max} ({percent})")
    score_change: str = N_("Change")
    customers: str = N_("Customers")
    attention_customers: str = N_("Customers needing attention")
    no_data_customers: str = N_("Customers without MFA data from Microsoft")
    open_alerts: str = N_("Open security alerts")
    median_coverage: str = N_("Median MFA coverage of users")
    summary_attached: str = N_(
        "The executive summary is attached as a PDF, and every figure as an Excel workbook. "
        "Each customer's own report goes to that customer separately."
    )
    about_summary: str = N_(
        "The figures come from Microsoft and were collected on {collected}; snapshot SHA-256 {digest}."
    )


ENGLISH = Wording()


@dataclass(frozen=True, slots=True)
class Fact:
    """One headline figure: what it is and its value as the documents print it."""

    label: str
    value: str
    colour: str = ""
    """A ``#RRGGBB`` dot before the value (an attention level's colour), or none."""


@dataclass(frozen=True, slots=True)
class Note:
    """A sentence of the message, with a short lead-in (``What we found:``) or none."""

    text: str
    title: str = ""
    warning: bool = False
    """Says that something is wrong or unknown (an unmet requirement, data that could not be collected)."""


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str
    """An https URL (``https``), never anything else."""


@dataclass(frozen=True, slots=True)
class ActionBlock:
    title: str
    text: str
    links: tuple[Link, ...] = ()
    more: str = ""
    """How many more actions the report lists, or empty."""


@dataclass(frozen=True, slots=True)
class MailBrand:
    """The partner's brand as a message shows it: colours checked, each with the text colour readable on it."""

    name: str
    contact: str
    footer: str
    primary: str
    on_primary: str
    accent: str
    on_accent: str
    ink: str
    """The primary colour where it is readable on white (headings, links), else a near-black."""


@dataclass(frozen=True, slots=True)
class Message:
    """What one e-mail says; the templates lay it out as plain text and as HTML."""

    subject: str
    """One line, at most ``SUBJECT_LIMIT`` characters."""
    kicker: str
    heading: str
    intro: str
    facts_title: str
    facts: tuple[Fact, ...]
    notes: tuple[Note, ...]
    action: ActionBlock | None
    attached: str
    closing: str
    about: tuple[str, ...]
    brand: MailBrand
    heading_is_name: bool = False
    """The heading is a name from the data (its direction is its own: ``dir="auto"``)."""
    lang: str = field(default_factory=lambda: language.active().tag)
    """The BCP 47 tag of the language the message is written in."""
    dir: str = field(default_factory=lambda: language.active().direction)
    """``"rtl"`` for a right-to-left language, else ``"ltr"``."""

    @property
    def start(self) -> str:
        """The side lines start on: ``"left"``, or ``"right"`` in a right-to-left message."""
        return "right" if self.dir == "rtl" else "left"

    @property
    def end(self) -> str:
        return "left" if self.dir == "rtl" else "right"


def customer_message(
    context: ReportContext, view: CustomerView, *, workbook: bool = False, words: Wording | None = None
) -> Message:
    """The message that goes with ``view``'s PDF (and, with ``workbook``, its own workbook).

    Worded in the active language: the caller makes ``view.language`` active (``language.use``).
    """
    words = translated(words or ENGLISH)
    name, period = one_line(view.name), one_line(view.period_label)
    shown_name = fmt.isolate_name(name)  # in its own direction inside right-to-left sentences
    level = view.level
    facts = (
        Fact(
            words.attention, words.not_available if level is Level.NO_DATA else wording.level_label(level), level.colour
        ),
        Fact(words.coverage, _figure(view.coverage, words)),
        Fact(words.users, _figure(view.users, words)),
        Fact(words.admins, _figure(view.compliant_admins, words)),
        Fact(words.policy, _figure(view.policy, words)),
    )
    finding = wording.finding_reason(view.findings[0]) if view.findings else view.nothing_found
    notes = [Note(one_line(finding), words.finding_title)]
    if view.alerts_note and view.findings:  # without findings, ``nothing_found`` already says so
        notes.append(Note(one_line(view.alerts_note), warning=True))
    attached = words.customer_attached.format(period=period)
    if workbook:
        attached += " " + words.customer_workbook_attached
    about = (
        words.about_tenant.format(
            domain=fmt.isolate(one_line(view.domain)), tenant=fmt.isolate(one_line(view.tenant_id))
        )
        if view.domain
        else words.about_tenant_unnamed.format(tenant=fmt.isolate(one_line(view.tenant_id))),
        words.about_data.format(collected=view.provenance.collected_at),
    )
    return Message(
        subject=subject(words.customer_subject, shown_name, period=period),
        kicker=words.customer_kicker.format(period=period),
        heading=name,
        intro=words.customer_intro.format(period=period),
        facts_title=words.facts_title,
        facts=facts,
        notes=tuple(notes),
        action=_first_action(view, words),
        attached=attached,
        closing=words.questions,
        about=about,
        brand=mail_brand(context.brand),
        heading_is_name=True,
    )


def summary_message(context: ReportContext, *, words: Wording | None = None) -> Message:
    """The partner's message that goes with the summary PDF and the workbook, in the active language."""
    words = translated(words or ENGLISH)
    s: SummaryView = context.summary
    period = one_line(s.period_label)
    facts = (
        Fact(words.score, _score(s, words)),
        Fact(words.score_change, one_line(s.change_text)),
        Fact(words.customers, fmt.number(s.customers_total)),
        Fact(words.attention_customers, fmt.number(s.attention_total)),
        Fact(words.no_data_customers, fmt.number(s.customers_without_data)),
        Fact(words.open_alerts, _figure(s.open_alerts_figure, words)),
        Fact(words.median_coverage, _figure(s.median_coverage, words)),
    )
    notes = tuple(
        Note(one_line(text), warning=warning)
        for text, warning in ((s.alerts_note, True), (s.mandatory_verdict, not s.mandatory_met))
        if text
    )
    return Message(
        subject=subject(words.summary_subject, "", period=period),
        kicker=words.summary_kicker.format(period=period),
        heading=words.summary_heading,
        intro=words.summary_intro.format(period=period),
        facts_title=words.facts_title,
        facts=facts,
        notes=notes,
        action=None,
        attached=words.summary_attached,
        closing="",
        about=(words.about_summary.format(collected=s.provenance.collected_at, digest=s.provenance.snapshot_sha256),),
        brand=mail_brand(context.brand),
    )


def _first_action(view: CustomerView, words: Wording) -> ActionBlock:
    if not view.actions:
        return ActionBlock(words.action_title, words.no_action)
    action = view.actions[0]
    links = tuple(
        Link(label, url)
        for label, url in ((words.action_link, https(action.url)), (words.help_link, https(action.help_url or "")))
        if url
    )
    more = len(view.actions) - 1
    return ActionBlock(
        words.action_title,
        one_line(wording.action_text(action)),
        links,
        words.more_actions_one if more == 1 else words.more_actions_many.format(count=more) if more else "",
    )


def _figure(text: str, words: Wording) -> str:
    """A figure as the view-model prints it, or "not available" where it has none."""
    return words.not_available if text in missing() else one_line(text)


def _score(s: SummaryView, words: Wording) -> str:
    if s.score in missing() or s.score_max in missing():
        return words.not_available
    if s.score_percent in missing():
        return words.score_value.format(score=s.score, max=s.score_max)
    return words.score_share.format(score=s.score, max=s.score_max, percent=s.score_percent)


def one_line(text: str) -> str:
    """``text`` without control or bidi formatting characters, every run of white space one space.

    A balanced left-to-right isolate (a figure in right-to-left text, ``fmt.isolate``) is kept: the
    HTML shows it as a left-to-right span, and mail clients honour it in plain text.
    """
    return " ".join(plain_keeping_isolates(text).split())


def subject(pattern: str, name: str, **values: str) -> str:
    """``pattern`` filled in, one line of at most ``SUBJECT_LIMIT`` characters: a long ``name`` is cut short."""
    name = one_line(name)
    values = {k: one_line(v) for k, v in values.items()}
    text = one_line(pattern.format(name=name, **values))
    excess = len(text) - SUBJECT_LIMIT
    if excess > 0 and name:
        short = name[: max(0, len(name) - excess - 1)].rstrip() + "…"
        text = one_line(pattern.format(name=short, **values))
    return text[:SUBJECT_LIMIT]


def https(url: str) -> str:
    """``url`` when it is an absolute https URL with a host and nothing a mail client could misread, else empty."""
    if not url or _NOT_IN_URL.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme == "https" and parts.hostname else ""


_NOT_IN_URL = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f-\x9f]")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_DEFAULT = Brand()
_DARK = "#1A1A1A"
_LIGHT = "#FFFFFF"


def mail_brand(brand: Brand) -> MailBrand:
    """The brand as messages show it, in the active language."""
    return _mail_brand(brand, language.active())


@lru_cache(maxsize=16)
def _mail_brand(brand: Brand, in_language: language.Language) -> MailBrand:
    """Worked out once per brand and language: every message of a run in that language shares it."""
    primary = _colour(brand.primary_colour, _DEFAULT.primary_colour)
    accent = _colour(brand.accent_colour, _DEFAULT.accent_colour)
    return MailBrand(
        name=one_line(wording.brand_name(brand)) or wording.brand_name(_DEFAULT),
        contact=one_line(brand.contact),
        footer=one_line(brand.footer),
        primary=primary,
        on_primary=readable_on(primary),
        accent=accent,
        on_accent=readable_on(accent),
        ink=primary if contrast(primary, _LIGHT) >= READABLE else _DARK,
    )


def _colour(value: str, fallback: str) -> str:
    return value.upper() if _COLOUR.fullmatch(value) else fallback


READABLE = 4.5
"""The contrast ratio WCAG asks of body text (level AA)."""


def readable_on(background: str) -> str:
    """White or near-black, whichever contrasts more with ``background``."""
    return _LIGHT if contrast(_LIGHT, background) >= contrast(_DARK, background) else _DARK


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#RRGGBB`` colours, 1 to 21."""
    a, b = sorted((_luminance(first), _luminance(second)))
    return (b + 0.05) / (a + 0.05)


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
