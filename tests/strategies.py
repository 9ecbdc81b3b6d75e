"""Hypothesis strategies that build whole snapshots: unicode, ``None`` fields, every enum member and subtype.

Every value stays within the model's ranges (scores, counts, hours, dates, text lengths), text holds no
control characters, figures are possible (parts within their whole), tenant ids are GUIDs and ids are unique
within their section, so every snapshot built is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import strategies as st

from reporter.model import (
    MAX_COUNT,
    MAX_HOURS,
    SCORE_LIMIT,
    AdminsMfaDetails,
    Alert,
    AlertSeverity,
    AlertStatus,
    ComplianceStatus,
    Customer,
    CustomersMfaDetails,
    DataGap,
    HistoryPoint,
    MfaInsight,
    NameSource,
    PartnerScore,
    PolicyStatus,
    Provenance,
    RequestRecord,
    Requirement,
    RequirementState,
    RequirementType,
    ResolvedReason,
    ResponseTimeDetails,
    SecurityContactDetails,
    Snapshot,
    SpendingBudgetDetails,
    UnmatchedCustomerRow,
)

T = TypeVar("T")
R = TypeVar("R")


def record(model: Callable[..., R], **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[R]:
    """A model built from field strategies by Python name, its figures made possible first.

    ``st.builds`` would read pydantic's alias-based signature and invent values for the camelCase names.
    """
    return st.fixed_dictionaries(fields).map(lambda values: model(**possible(model, values)))


def possible(model: Callable[..., Any], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each whole raised to the sum of its parts (or dropped, if that is beyond a count)."""
    for parts, whole in getattr(model, "figure_rules", ()):
        numbers = [values.get(name) for name in parts]
        if values.get(whole) is None or any(n is None for n in numbers):
            continue
        total = sum(numbers)
        if total > values[whole]:
            values[whole] = total if total <= MAX_COUNT else None
    return values


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


# Text a person might type, and text meant to break things: right-to-left, emoji, HTML, formulas, 200 characters.
NASTY_TEXT = st.sampled_from(
    [
        "",
        "Contoso Ltd",
        "Ünïcødé GmbH & Co. KG",
        "شركة الأمن",  # right-to-left
        "חברת אבטחה בע״מ",
        "株式会社セキュリティ",
        "👩‍💻 Emoji Corp",
        '<script>alert("x")</script>',
        '=HYPERLINK("http://evil.example","click")',
        "+SUM(A1:A9)",
        "no\u00a0break\u200bspace",
        "mark\u200f\u061c\u200e",
        "A" * 256,
    ]
)
# Any character the model keeps in text: no C0/C1 controls, line separators or bidi embeddings, overrides, isolates.
text_characters = st.characters(
    blacklist_categories=("Cc", "Cs"),
    blacklist_characters="\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
text = NASTY_TEXT | st.text(text_characters, max_size=40)
counts = st.integers(min_value=0, max_value=MAX_COUNT)
small_counts = st.integers(min_value=0, max_value=100_000)
scores = st.floats(min_value=-SCORE_LIMIT, max_value=SCORE_LIMIT, width=32) | st.floats(
    min_value=-SCORE_LIMIT, max_value=SCORE_LIMIT
)
points = st.integers(min_value=-SCORE_LIMIT, max_value=SCORE_LIMIT)
hours = st.floats(min_value=0, max_value=MAX_HOURS)
any_offset = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-14), max_value=timedelta(hours=14)))
# Local times 14 hours inside the model's 2000-01-01..2100-12-31 UTC, so any offset keeps them in range.
datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1, 14), max_value=datetime(2100, 12, 31, 9, 59), timezones=st.just(UTC) | any_offset
)
tenant_ids = st.uuids().map(str)
# A customer's tenant id: a GUID, in lower case as Graph sends it or in upper case (stored in lower case).
customer_tenant_ids = tenant_ids | st.uuids().map(lambda u: str(u).upper())
ids = (
    tenant_ids | st.sampled_from([r.value for r in RequirementType]) | st.text(text_characters, min_size=1, max_size=20)
)


def enum_member(kind: type[T]) -> st.SearchStrategy[T]:
    return st.sampled_from(list(kind))  # type: ignore[call-overload]


policy = enum_member(PolicyStatus)

admins_mfa = record(
    AdminsMfaDetails,
    total_admins_count=optional(small_counts),
    mfa_enabled_admins_count=optional(small_counts),
    admins_required_not_using_mfa_count=optional(small_counts),
    total_users_count=optional(counts),
    mfa_enabled_users_count=optional(counts),
    users_required_not_using_mfa_count=optional(counts),
    security_defaults_status=policy,
    mfa_conditional_access_policy_status=policy,
    legacy_per_user_mfa_status=policy,
)
customers_mfa = record(
    CustomersMfaDetails, compliant_tenant_count=optional(small_counts), total_tenant_count=optional(small_counts)
)
spending_budget = record(
    SpendingBudgetDetails,
    customers_with_spend_budget_count=optional(small_counts),
    total_customers_count=optional(small_counts),
)
response_time = record(ResponseTimeDetails, average_response_time_in_hours=optional(hours))
security_contact = record(SecurityContactDetails)
details = st.one_of(st.none(), admins_mfa, customers_mfa, spending_budget, response_time, security_contact)

requirements = record(
    Requirement,
    id=ids,
    requirement_type=enum_member(RequirementType),
    requirement_type_name=st.sampled_from([r.value for r in RequirementType]) | text,
    compliance_status=enum_member(ComplianceStatus),
    score=optional(points),
    max_score=optional(st.integers(min_value=0, max_value=100)),
    state=enum_member(RequirementState),
    action_url=optional(st.just("https://partner.microsoft.com/dashboard/security") | text),
    help_url=optional(text),
    updated_date_time=optional(datetimes),
    details=details,
)

partner_scores = record(
    PartnerScore,
    id=optional(ids),
    current_score=optional(scores),
    max_score=optional(scores),
    updated_date_time=optional(datetimes),
    last_refresh_date_time=optional(datetimes),
)

history_points = record(
    HistoryPoint,
    id=ids,
    created_date_time=datetimes,
    score=optional(scores),
    compliant_requirements_count=optional(small_counts),
    total_requirements_count=optional(small_counts),
)

mfa_insights = record(
    MfaInsight,
    compliant_admins_count=optional(small_counts),
    compliant_non_admins_count=optional(counts),
    total_users_count=optional(counts),
    security_defaults_status=policy,
    mfa_conditional_access_policy_status=policy,
    legacy_per_user_mfa_status=policy,
)

customers = record(
    Customer,
    tenant_id=customer_tenant_ids,
    display_name=optional(text),
    default_domain_name=optional(st.just("contoso.onmicrosoft.com") | text),
    name_source=optional(enum_member(NameSource)),
    mfa=optional(mfa_insights),
)

alerts = record(
    Alert,
    id=ids,
    display_name=optional(text),
    description=optional(text),
    alert_type=optional(text),
    severity=enum_member(AlertSeverity),
    status=enum_member(AlertStatus),
    confidence_level=optional(text),
    customer_tenant_id=optional(tenant_ids),
    subscription_id=optional(tenant_ids),
    detected_date_time=optional(datetimes),
    first_observed_date_time=optional(datetimes),
    last_observed_date_time=optional(datetimes),
    resolved_on_date_time=optional(datetimes),
    resolved_by=optional(text),
    resolved_reason=optional(enum_member(ResolvedReason)),
    is_test=st.booleans(),
)

request_records = record(
    RequestRecord,
    method=st.sampled_from(["GET", "POST"]),
    path=st.sampled_from(["/beta/security/partner/securityScore", "/v1.0/contracts"]) | text,
    status=st.integers(min_value=100, max_value=599),
    client_request_id=st.uuids().map(str),
    request_id=optional(st.uuids().map(str)),
)

data_gaps = record(DataGap, source=st.sampled_from(["securityAlerts", "contracts"]) | text, reason=text)

provenances = record(
    Provenance,
    collected_at=datetimes,
    api_base=st.just("https://graph.microsoft.com") | text,
    api_version=st.sampled_from(["beta", "v1.0"]),
    tool_version=st.just("0.1.0") | text,
    partner_tenant_id=optional(tenant_ids | st.just("contoso.onmicrosoft.com")),
    requests=st.lists(request_records, max_size=3).map(tuple),
    data_gaps=st.lists(data_gaps, max_size=2).map(tuple),
    unmatched_customer_rows=st.lists(
        record(UnmatchedCustomerRow, tenant_id=tenant_ids, display_name=optional(text), default_domain_name=st.none()),
        max_size=2,
    ).map(tuple),
)


def tuples(strategy: st.SearchStrategy[Any], max_size: int = 5) -> st.SearchStrategy[tuple[Any, ...]]:
    """Records with distinct ids, as each section of a snapshot holds them."""
    return st.lists(strategy, max_size=max_size, unique_by=lambda r: r.id).map(tuple)


snapshots = record(
    Snapshot,
    provenance=provenances,
    score=partner_scores,
    requirements=tuples(requirements, 6),
    history=tuples(history_points),
    customers=st.lists(customers, max_size=5, unique_by=lambda c: c.tenant_id).map(tuple),
    alerts=tuples(alerts),
)


# --- Raw Graph JSON, for fuzzing the parser -----------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities too: Python's json reads them
    st.text(max_size=12),
    st.sampled_from(["NaN", "INF", "-INF", "12", "1.5", "abc", "2025-03-14T08:15:30.1234567Z", "unknownFutureValue"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def raw_objects(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with some of ``keys`` holding any JSON value, and maybe an extra property."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys([*keys, "@odata.type", "somethingNew"], json_values))
