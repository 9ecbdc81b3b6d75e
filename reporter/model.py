"""The snapshot: a partner's security score at one moment, as immutable typed records.

The model imports nothing else of reporter and does no I/O. Field names are
snake_case in Python and camelCase in JSON (``Snapshot.to_json``). Numbers that
Graph types as ``Single`` and may report as NaN or infinity are ``None`` here
("not reported"). Enum members Graph may add later become ``unknown``.

Values are held to sane ranges, so anything that validates can also be rendered:
scores lie within ``±SCORE_LIMIT`` (Graph's run 0-100; negatives are allowed
because a ``Single`` may carry one and the reports show it as it is), counts
within ``0..MAX_COUNT``, response times within ``0..MAX_HOURS`` and timestamps
within ``EARLIEST..LATEST`` (UTC). A snapshot lists each customer tenant once,
comparing tenant ids case-insensitively.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator
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
TenantId = Annotated[str, Field(min_length=1)]
"""Any non-empty id (Graph's are GUIDs); never used as a file name as it is."""


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
    compliant_tenant_count: Count | None = None
    total_tenant_count: Count | None = None


class SpendingBudgetDetails(Record):
    kind: Literal["spendingBudget"] = "spendingBudget"
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
    id: str
    requirement_type: RequirementType
    requirement_type_name: str
    """The name Graph sent (kept so an unknown type can still be shown by name)."""
    compliance_status: ComplianceStatus
    score: Points | None
    max_score: Points | None
    state: RequirementState
    action_url: str | None = None
    help_url: str | None = None
    updated_date_time: UtcDateTime | None = None
    details: RequirementDetails | None = None

    @property
    def mandatory_for_csp(self) -> bool:
        return self.requirement_type in MANDATORY_FOR_CSP


# --- Score and history ---------------------------------------------------------


class PartnerScore(Record):
    id: str | None = None
    current_score: Score | None
    max_score: Score | None
    updated_date_time: UtcDateTime | None = None
    last_refresh_date_time: UtcDateTime | None = None


class HistoryPoint(Record):
    id: str
    created_date_time: UtcDateTime
    score: Score | None
    compliant_requirements_count: Count | None = None
    total_requirements_count: Count | None = None


# --- Customers -------------------------------------------------------------------


class MfaInsight(Record):
    compliant_admins_count: Count | None = None
    compliant_non_admins_count: Count | None = None
    total_users_count: Count | None = None
    security_defaults_status: PolicyStatus = PolicyStatus.UNKNOWN
    mfa_conditional_access_policy_status: PolicyStatus = PolicyStatus.UNKNOWN
    legacy_per_user_mfa_status: PolicyStatus = PolicyStatus.UNKNOWN


class Customer(Record):
    tenant_id: TenantId
    display_name: str | None = None
    default_domain_name: str | None = None
    name_source: NameSource | None = None
    mfa: MfaInsight | None = None
    """``None`` when Graph reported no insight for this tenant (listed in contracts only)."""

    @property
    def label(self) -> str:
        """How a person refers to the customer: its name, else its tenant id."""
        return self.display_name or self.tenant_id


# --- Alerts ----------------------------------------------------------------------


class Alert(Record):
    id: str
    display_name: str | None = None
    description: str | None = None
    alert_type: str | None = None
    severity: AlertSeverity
    status: AlertStatus
    confidence_level: str | None = None
    customer_tenant_id: str | None = None
    subscription_id: str | None = None
    detected_date_time: UtcDateTime | None = None
    first_observed_date_time: UtcDateTime | None = None
    last_observed_date_time: UtcDateTime | None = None
    resolved_on_date_time: UtcDateTime | None = None
    resolved_by: str | None = None
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


class Provenance(Record):
    collected_at: UtcDateTime
    api_base: str
    api_version: str
    tool_version: str
    partner_tenant_id: str | None = None
    requests: tuple[RequestRecord, ...] = ()
    data_gaps: tuple[DataGap, ...] = ()


# --- The snapshot ------------------------------------------------------------------


class Snapshot(Record):
    """Everything one collection saw. Its canonical JSON and SHA-256 are its identity."""

    schema_version: Literal[1] = 1
    provenance: Provenance
    score: PartnerScore
    requirements: tuple[Requirement, ...] = ()
    history: tuple[HistoryPoint, ...] = ()
    customers: tuple[Customer, ...] = ()
    alerts: tuple[Alert, ...] = ()

    @field_validator("customers")
    @classmethod
    def _tenants_are_unique(cls, customers: tuple[Customer, ...]) -> tuple[Customer, ...]:
        """Each tenant once: ids that differ only in case are the same tenant."""
        first: dict[str, int] = {}
        for index, customer in enumerate(customers):
            key = customer.tenant_id.lower()
            if key in first:
                raise PydanticCustomError(
                    "duplicate_tenant_id",
                    "tenant id {tenant_id} is listed twice, at customers[{first}] and customers[{index}]",
                    {"tenant_id": repr(customer.tenant_id)[:60], "first": first[key], "index": index},
                )
            first[key] = index
        return customers

    def customer(self, tenant_id: str) -> Customer | None:
        for customer in self.customers:
            if customer.tenant_id == tenant_id:
                return customer
        return None
