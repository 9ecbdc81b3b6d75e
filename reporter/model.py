"""The snapshot: a partner's security score at one moment, as immutable typed records.

The model imports nothing else of reporter and does no I/O. Field names are
snake_case in Python and camelCase in JSON (``Snapshot.to_json``). Numbers that
Graph types as ``Single`` and may report as NaN or infinity are ``None`` here
("not reported"). Enum members Graph may add later become ``unknown``.

Values are held to sane ranges, so anything that validates can also be rendered:
scores lie within ``±SCORE_LIMIT`` (Graph's run 0-100; negatives are allowed
because a ``Single`` may carry one and the reports show it as it is), counts
within ``0..MAX_COUNT``, response times within ``0..MAX_HOURS`` and timestamps
within ``EARLIEST..LATEST`` (UTC). A snapshot lists each customer tenant, alert,
requirement and history point once (by id), and every section is present (an
empty list is fine, absence is not: "no alerts" and "alerts unknown" differ).

Figures must be possible: a part never exceeds its whole (customer admins and
non-admins with MFA within all users, a score within its maximum, compliant
tenants within all tenants, ...); a snapshot file breaking one is refused with
the reason ("impossible figures: ..."). Tenant ids (customers, alerts' customer,
the partner's) are GUIDs, stored in lower case; the partner's may also be the
domain name it was configured by.

Text is held to what a report can show. A snapshot file with longer text, or
with a control character (C0, DEL, C1, line and paragraph separators, tabs and
newlines too) or a bidi embedding/override/isolate control (U+202A-U+202E,
U+2066-U+2069) in a name, id or free text is refused, naming the field; so a
snapshot file's bytes stay its identity. Implicit marks (U+200E, U+200F,
U+061C) are kept: they cannot reorder text beyond a neighbour and right-to-left
names need them. The limits, in characters:

- ``NAME_LIMIT`` (256): customer names and domains, alert names, types,
  confidence levels, subscription ids and resolvers, requirement type names;
- ``ID_LIMIT`` (256): record ids (requirements, alerts, history, the score);
- ``TEXT_LIMIT`` (4,000): alert descriptions;
- ``URL_LIMIT`` (2,048): requirements' action and help URLs.

Graph data is made to fit when a collection parses it (``collect.parse``): control
and bidi characters are removed (tabs and newlines become spaces), longer names
and free text are cut with an ellipsis and longer URLs dropped, each recorded as
a data gap; impossible figures become "not available", also as a data gap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

SCHEMA_VERSION = 1
"""Bumped whenever a snapshot written by an older version could be read wrongly."""


SCORE_LIMIT = 1_000_000
"""Scores lie within ``-SCORE_LIMIT..SCORE_LIMIT``: Graph's run 0-100, the rest is slack."""

MAX_COUNT = 10**12
"""The largest count a snapshot may hold (users, admins, tenants, requirements)."""

MAX_HOURS = 1_000_000.0
"""The longest average response time, in hours (over a century)."""

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""Timestamps lie within ``EARLIEST..LATEST`` (UTC), dates every report can show."""

DATE_RANGE_TEXT = "a date and time from 2000-01-01 to 2100-12-31 UTC"


def _to_utc(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise PydanticCustomError("datetime_range", f"expected {DATE_RANGE_TEXT}")
    return utc


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware timestamp within ``EARLIEST..LATEST``, normalised to UTC."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Score = Annotated[float, Field(ge=-SCORE_LIMIT, le=SCORE_LIMIT)]
"""A Graph ``Single`` score (percentage points)."""
Points = Annotated[int, Field(ge=-SCORE_LIMIT, le=SCORE_LIMIT)]
"""A requirement's whole-number score."""
Hours = Annotated[float, Field(ge=0, le=MAX_HOURS)]

NAME_LIMIT = 256
"""The longest name, domain or short text a snapshot holds, in characters."""
ID_LIMIT = 256
"""The longest record id."""
TEXT_LIMIT = 4000
"""The longest free text (an alert's description)."""
URL_LIMIT = 2048
"""The longest URL."""

CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What text in a snapshot never holds: C0, DEL, C1, line/paragraph separators, bidi embeddings, overrides, isolates."""


def _no_controls(value: str) -> str:
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise PydanticCustomError(
            "control_character", "must not hold control characters (U+{code})", {"code": f"{ord(found[0]):04X}"}
        )
    return value


_NO_CONTROLS_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$"
"""``CONTROL_CHARACTERS`` as the JSON Schema states it."""


def _bounded(limit: int, min_length: int = 0) -> Any:
    return Field(min_length=min_length, max_length=limit, json_schema_extra={"pattern": _NO_CONTROLS_PATTERN})


Name = Annotated[str, _bounded(NAME_LIMIT), AfterValidator(_no_controls)]
"""A name or short text: at most ``NAME_LIMIT`` characters, no control characters."""
Id = Annotated[str, _bounded(ID_LIMIT, min_length=1), AfterValidator(_no_controls)]
"""A record id: 1 to ``ID_LIMIT`` characters, no control characters."""
LongText = Annotated[str, _bounded(TEXT_LIMIT), AfterValidator(_no_controls)]
Url = Annotated[str, _bounded(URL_LIMIT), AfterValidator(_no_controls)]

GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_GUID = re.compile(GUID_PATTERN)
_DOMAIN = re.compile("^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")


def is_guid(value: str) -> bool:
    """Whether ``value`` is a GUID as Graph writes it (8-4-4-4-12 hex digits, any case)."""
    return _GUID.fullmatch(value) is not None


def _tenant_guid(value: str) -> str:
    if not is_guid(value):
        raise PydanticCustomError(
            "tenant_id", "expected a tenant id (a GUID like 0a1b2c3d-0000-4000-8000-00000000000a)"
        )
    return value.lower()


def _partner_tenant(value: str) -> str:
    if not (is_guid(value) or _DOMAIN.fullmatch(value)):
        raise PydanticCustomError("tenant_id", "expected the partner's tenant id (a GUID) or its domain name")
    return value.lower()


TenantId = Annotated[str, Field(json_schema_extra={"pattern": GUID_PATTERN}), AfterValidator(_tenant_guid)]
"""A tenant GUID, any case in a file, stored in lower case (canonical)."""
PartnerTenantId = Annotated[str, Field(json_schema_extra={"pattern": _DOMAIN.pattern}), AfterValidator(_partner_tenant)]
"""The partner's tenant as configured: its GUID or its domain name, stored in lower case."""

IMPOSSIBLE_FIGURES = "impossible_figures"
"""The error type of a part that exceeds its whole; ``ctx["fields"]`` names the figures, comma-separated."""

FigureRule = tuple[tuple[str, ...], str]
"""Parts (field names) whose sum may not exceed a whole (a field name)."""


def impossible(record: BaseModel, rules: Sequence[FigureRule]) -> tuple[tuple[str, ...], str] | None:
    """The first rule ``record`` breaks, as (the fields involved, the reason), or ``None``."""
    for parts, whole in rules:
        values = [getattr(record, name) for name in (*parts, whole)]
        if any(value is None for value in values):
            continue
        total = sum(values[:-1])
        if total > values[-1]:
            names = " + ".join(to_camel(name) for name in parts)
            shown = " + ".join(f"{v:g}" for v in values[:-1]) if len(parts) > 1 else f"{total:g}"
            return (*parts, whole), f"{names} ({shown}) is more than {to_camel(whole)} ({values[-1]:g})"
    return None


class Record(BaseModel):
    """Base of every snapshot record: immutable, strict, camelCase in JSON."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        populate_by_name=True,
        allow_inf_nan=False,
        use_enum_values=False,
    )

    figure_rules: ClassVar[tuple[FigureRule, ...]] = ()
    """Parts that may not exceed their whole; checked on every record built."""

    @model_validator(mode="after")
    def _figures_are_possible(self) -> Record:
        broken = impossible(self, self.figure_rules)
        if broken is not None:
            fields, reason = broken
            raise PydanticCustomError(
                IMPOSSIBLE_FIGURES, "impossible figures: {reason}", {"reason": reason, "fields": ",".join(fields)}
            )
        return self


class ComplianceStatus(StrEnum):
    COMPLIANT = "compliant"
    NONCOMPLIANT = "noncompliant"
    UNKNOWN = "unknown"


class RequirementState(StrEnum):
    ACTIVE = "active"
    PREVIEW = "preview"
    UNKNOWN = "unknown"


class RequirementType(StrEnum):
    MFA_ENFORCED_FOR_ADMINS = "mfaEnforcedForAdmins"
    MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS = "mfaEnforcedForAdminsOfCustomers"
    SECURITY_ALERTS_PROMPTLY_RESOLVED = "securityAlertsPromptlyResolved"
    SECURITY_CONTACT_PROVIDED = "securityContactProvided"
    SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS = "spendingBudgetSetForCustomerAzureSubscriptions"
    UNKNOWN = "unknown"


MANDATORY_FOR_CSP = frozenset(
    {
        RequirementType.MFA_ENFORCED_FOR_ADMINS,
        RequirementType.SECURITY_CONTACT_PROVIDED,
        RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED,
    }
)
"""Requirements mandatory to keep CSP authorization from 1 October 2025."""


class PolicyStatus(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


class AlertSeverity(StrEnum):
    INFORMATIONAL = "informational"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"


SEVERITY_ORDER: tuple[AlertSeverity, ...] = (
    AlertSeverity.HIGH,
    AlertSeverity.MEDIUM,
    AlertSeverity.LOW,
    AlertSeverity.INFORMATIONAL,
    AlertSeverity.UNKNOWN,
)
"""Most severe first (Graph's enum lists them out of order)."""


class AlertStatus(StrEnum):
    ACTIVE = "active"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    UNKNOWN = "unknown"


class ResolvedReason(StrEnum):
    LEGITIMATE = "legitimate"
    IGNORE = "ignore"
    FRAUD = "fraud"
    UNKNOWN = "unknown"


class NameSource(StrEnum):
    CONTRACTS = "contracts"
    CUSTOMERS_FILE = "customersFile"


# --- Requirements -------------------------------------------------------------


class AdminsMfaDetails(Record):
    """The partner's own tenant: MFA for its admins and users."""

    kind: Literal["adminsMfa"] = "adminsMfa"
    figure_rules = (
        (("mfa_enabled_admins_count",), "total_admins_count"),
        (("admins_required_not_using_mfa_count",), "total_admins_count"),
        (("mfa_enabled_users_count",), "total_users_count"),
        (("users_required_not_using_mfa_count",), "total_users_count"),
    )
    total_admins_count: Count | None = None
    mfa_enabled_admins_count: Count | None = None
    admins_required_not_using_mfa_count: Count | None = None
    total_users_count: Count | None = None
    mfa_enabled_users_count: Count | None = None
    users_required_not_using_mfa_count: Count | None = None
    security_defaults_status: PolicyStatus = PolicyStatus.UNKNOWN
    mfa_conditional_access_policy_status: PolicyStatus = PolicyStatus.UNKNOWN
    legacy_per_user_mfa_status: PolicyStatus = PolicyStatus.UNKNOWN


class CustomersMfaDetails(Record):
    kind: Literal["customersMfa"] = "customersMfa"
    figure_rules = ((("compliant_tenant_count",), "total_tenant_count"),)
    compliant_tenant_count: Count | None = None
    total_tenant_count: Count | None = None


class SpendingBudgetDetails(Record):
    kind: Literal["spendingBudget"] = "spendingBudget"
    figure_rules = ((("customers_with_spend_budget_count",), "total_customers_count"),)
    customers_with_spend_budget_count: Count | None = None
    total_customers_count: Count | None = None


class ResponseTimeDetails(Record):
    kind: Literal["responseTime"] = "responseTime"
    average_response_time_in_hours: Hours | None = None


class SecurityContactDetails(Record):
    kind: Literal["securityContact"] = "securityContact"


RequirementDetails = Annotated[
    AdminsMfaDetails | CustomersMfaDetails | SpendingBudgetDetails | ResponseTimeDetails | SecurityContactDetails,
    Field(discriminator="kind"),
]


class Requirement(Record):
    figure_rules = ((("score",), "max_score"),)

    id: Id
    requirement_type: RequirementType
    requirement_type_name: Name
    """The name Graph sent (kept so an unknown type can still be shown by name)."""
    compliance_status: ComplianceStatus
    score: Points | None
    max_score: Points | None
    state: RequirementState
    action_url: Url | None = None
    help_url: Url | None = None
    updated_date_time: UtcDateTime | None = None
    details: RequirementDetails | None = None

    @property
    def mandatory_for_csp(self) -> bool:
        return self.requirement_type in MANDATORY_FOR_CSP


# --- Score and history ---------------------------------------------------------


class PartnerScore(Record):
    figure_rules = ((("current_score",), "max_score"),)

    id: Id | None = None
    current_score: Score | None
    max_score: Score | None
    updated_date_time: UtcDateTime | None = None
    last_refresh_date_time: UtcDateTime | None = None


class HistoryPoint(Record):
    figure_rules = ((("compliant_requirements_count",), "total_requirements_count"),)

    id: Id
    created_date_time: UtcDateTime
    score: Score | None
    compliant_requirements_count: Count | None = None
    total_requirements_count: Count | None = None


# --- Customers -------------------------------------------------------------------


class MfaInsight(Record):
    figure_rules = (
        (("compliant_admins_count", "compliant_non_admins_count"), "total_users_count"),
        (("compliant_admins_count",), "total_users_count"),
        (("compliant_non_admins_count",), "total_users_count"),
    )

    compliant_admins_count: Count | None = None
    compliant_non_admins_count: Count | None = None
    total_users_count: Count | None = None
    security_defaults_status: PolicyStatus = PolicyStatus.UNKNOWN
    mfa_conditional_access_policy_status: PolicyStatus = PolicyStatus.UNKNOWN
    legacy_per_user_mfa_status: PolicyStatus = PolicyStatus.UNKNOWN


class Customer(Record):
    tenant_id: TenantId
    display_name: Name | None = None
    default_domain_name: Name | None = None
    name_source: NameSource | None = None
    mfa: MfaInsight | None = None
    """``None`` when Graph reported no insight for this tenant (listed in contracts only)."""

    @property
    def label(self) -> str:
        """How a person refers to the customer: its name, else its tenant id."""
        return self.display_name or self.tenant_id


# --- Alerts ----------------------------------------------------------------------


class Alert(Record):
    id: Id
    display_name: Name | None = None
    description: LongText | None = None
    alert_type: Name | None = None
    severity: AlertSeverity
    status: AlertStatus
    confidence_level: Name | None = None
    customer_tenant_id: TenantId | None = None
    subscription_id: Name | None = None
    detected_date_time: UtcDateTime | None = None
    first_observed_date_time: UtcDateTime | None = None
    last_observed_date_time: UtcDateTime | None = None
    resolved_on_date_time: UtcDateTime | None = None
    resolved_by: Name | None = None
    resolved_reason: ResolvedReason | None = None
    is_test: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in (AlertStatus.ACTIVE, AlertStatus.INVESTIGATING)


# --- Provenance --------------------------------------------------------------------


class RequestRecord(Record):
    """One HTTP request made while collecting: what Microsoft support asks for."""

    method: str
    path: str
    status: int
    client_request_id: str
    request_id: str | None = None


class DataGap(Record):
    """An optional source that could not be read; the reports show it."""

    source: str
    reason: str


class UnmatchedCustomerRow(Record):
    """A customers-file row for a tenant Graph did not list (a former customer, or a typo in the file)."""

    tenant_id: TenantId
    display_name: Name | None = None
    default_domain_name: Name | None = None


class Provenance(Record):
    collected_at: UtcDateTime
    api_base: str
    api_version: str
    tool_version: str
    partner_tenant_id: PartnerTenantId | None = None
    requests: tuple[RequestRecord, ...] = ()
    data_gaps: tuple[DataGap, ...]
    """Required in a file: a snapshot without the list cannot claim every source was read in full."""
    unmatched_customer_rows: tuple[UnmatchedCustomerRow, ...] = ()
    """Customers-file rows naming a tenant Graph did not list, in file order (absent in older snapshots)."""


# --- The snapshot ------------------------------------------------------------------


class Snapshot(Record):
    """Everything one collection saw. Its canonical JSON and SHA-256 are its identity."""

    schema_version: Literal[1] = 1
    provenance: Provenance
    score: PartnerScore
    requirements: tuple[Requirement, ...]
    history: tuple[HistoryPoint, ...]
    customers: tuple[Customer, ...]
    alerts: tuple[Alert, ...]

    @field_validator("schema_version", mode="before")
    @classmethod
    def _version_is_an_integer(cls, value: object) -> object:
        """``true`` and ``1.0`` equal 1 in Python, but are not the version number."""
        if type(value) is not int:
            raise PydanticCustomError("schema_version", "expected the whole number 1")
        return value

    @field_validator("customers")
    @classmethod
    def _tenants_are_unique(cls, customers: tuple[Customer, ...]) -> tuple[Customer, ...]:
        """Each tenant once (ids are stored in lower case, so case does not hide a repeat)."""
        return _unique(customers, lambda c: c.tenant_id, "tenant id", "customers")

    @field_validator("alerts")
    @classmethod
    def _alerts_are_unique(cls, alerts: tuple[Alert, ...]) -> tuple[Alert, ...]:
        return _unique(alerts, lambda a: a.id, "alert id", "alerts")

    @field_validator("requirements")
    @classmethod
    def _requirements_are_unique(cls, requirements: tuple[Requirement, ...]) -> tuple[Requirement, ...]:
        return _unique(requirements, lambda r: r.id, "requirement id", "requirements")

    @field_validator("history")
    @classmethod
    def _history_is_unique(cls, history: tuple[HistoryPoint, ...]) -> tuple[HistoryPoint, ...]:
        return _unique(history, lambda h: h.id, "history point id", "history")

    def customer(self, tenant_id: str) -> Customer | None:
        for customer in self.customers:
            if customer.tenant_id == tenant_id:
                return customer
        return None


R = TypeVar("R")


def _unique(records: tuple[R, ...], key: Callable[[R], str], what: str, section: str) -> tuple[R, ...]:
    """``records`` if no two share a key; else the first repeat, named with both places."""
    first: dict[str, int] = {}
    for index, record in enumerate(records):
        value = key(record)
        if value in first:
            raise PydanticCustomError(
                "duplicate_id",
                "{what} {value} is listed twice, at {section}[{first}] and {section}[{index}]",
                {"what": what, "value": repr(value)[:60], "section": section, "first": first[value], "index": index},
            )
        first[value] = index
    return records
