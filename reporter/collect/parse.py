"""From raw Microsoft Graph JSON to the snapshot model: pure functions, no I/O.

Tolerant where Graph is loose (see the API notes): compliance status spellings,
``Single`` numbers sent as strings (``"NaN"``/``"INF"`` become ``None``), Int64
counts sent as strings of digits, the score singleton bare or wrapped in
``value``, requirement subtypes chosen by ``@odata.type`` then
``requirementType``, unknown enum members (kept as ``unknown``), extra
properties (ignored) and sparse, unsorted history.

Strict where the data would be wrong: anything that cannot be interpreted, or
lies outside the model's sane ranges (a score beyond ``±SCORE_LIMIT``, a count
beyond ``MAX_COUNT``, a date outside 2000-2100), raises ``DataError`` with one
line naming the field and where it was, e.g.
``customerInsights[12].mfa.totalUsersCount: expected a whole number, got 'abc'``.
A ``Single`` too large for any float counts as infinity: "not reported".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reporter.errors import DataError
from reporter.model import (
    DATE_RANGE_TEXT,
    EARLIEST,
    LATEST,
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
    HistoryPoint,
    MfaInsight,
    NameSource,
    PartnerScore,
    PolicyStatus,
    Provenance,
    Requirement,
    RequirementDetails,
    RequirementState,
    RequirementType,
    ResolvedReason,
    ResponseTimeDetails,
    SecurityContactDetails,
    Snapshot,
    SpendingBudgetDetails,
)
from reporter.snapshot import describe_validation_error

__all__ = [
    "CustomerName",
    "GraphPayloads",
    "build_snapshot",
    "parse_alert",
    "parse_contract",
    "parse_customer_insight",
    "parse_history_point",
    "parse_requirement",
    "parse_score",
]


@dataclass(frozen=True, slots=True)
class GraphPayloads:
    """The raw bodies and collection items one collection gathered.

    ``requirements``/``history`` of ``None`` mean "use what the score expanded";
    ``alerts``/``contracts`` of ``None`` mean that optional source failed (the
    caller records a ``DataGap``).
    """

    score: Mapping[str, Any]
    requirements: Sequence[Mapping[str, Any]] | None
    history: Sequence[Mapping[str, Any]] | None
    customer_insights: Sequence[Mapping[str, Any]]
    alerts: Sequence[Mapping[str, Any]] | None
    contracts: Sequence[Mapping[str, Any]] | None


@dataclass(frozen=True, slots=True)
class CustomerName:
    """Who a tenant is, from contracts or a customers file."""

    tenant_id: str
    display_name: str | None
    default_domain_name: str | None
    source: NameSource


# --- Scalars ------------------------------------------------------------------------

_MISSING: Any = object()
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")  # Int64 has at most 19 digits
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = frozenset({"nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _fail(where: str, key: str, expected: str, value: Any = _MISSING) -> DataError:
    got = "" if value is _MISSING else f", got {_show(value)}"
    return DataError(f"{_join(where, key)}: {expected}{got}")


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        return "a number too long to show"
    return text if len(text) <= 60 else text[:57] + "..."


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DataError(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def _string(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(where, key, "expected a string", value)
    return _LONE_SURROGATE.sub("\ufffd", value)  # JSON allows them; UTF-8 output does not


def _required_string(item: Mapping[str, Any], key: str, where: str) -> str:
    if key not in item or item[key] is None:
        raise _fail(where, key, "required field is missing")
    value = _string(item, key, where)
    if value is None or not value.strip():
        raise _fail(where, key, "must not be empty", value)
    return value


def _name(item: Mapping[str, Any], key: str, where: str) -> str | None:
    """A display name or domain: blank counts as absent."""
    value = _string(item, key, where)
    if value is None or not value.strip():
        return None
    return value.strip()


def _integer(item: Mapping[str, Any], key: str, where: str, *, negative: bool = False) -> int | None:
    """An Int64: a JSON integer, an integral float, or a string of digits."""
    value = item.get(key)
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None:
        raise _fail(where, key, "expected a whole number", value)
    if number < 0 and not negative:
        raise _fail(where, key, "expected a count (0 or more)", value)
    low, high = (-SCORE_LIMIT, SCORE_LIMIT) if negative else (0, MAX_COUNT)
    if not low <= number <= high:
        raise _fail(where, key, f"expected a whole number from {low} to {high}", value)
    return number


def _single(
    item: Mapping[str, Any], key: str, where: str, low: float = -SCORE_LIMIT, high: float = SCORE_LIMIT
) -> float | None:
    """A Graph ``Single`` within ``low..high``: a number or a numeric string; NaN and infinities are "not reported"."""
    value = item.get(key)
    if value is None:
        return None
    number: float | None = None
    if isinstance(value, bool):
        raise _fail(where, key, "expected a number", value)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            return None
    elif isinstance(value, str):
        text = value.strip()
        if text.lower() in _NOT_FINITE:
            return None
        if not _DECIMAL.fullmatch(text):
            raise _fail(where, key, "expected a number", value)
        number = float(text)
    else:
        raise _fail(where, key, "expected a number", value)
    if not math.isfinite(number):
        return None
    if not low <= number <= high:
        raise _fail(where, key, f"expected a number from {low:g} to {high:g}", value)
    return number


def _boolean(item: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = item.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _fail(where, key, "expected true or false", value)
    return value


def _datetime(item: Mapping[str, Any], key: str, where: str) -> datetime | None:
    """ISO 8601 with ``Z`` or an offset and up to 7 fractional digits; naive means UTC."""
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(where, key, "expected an ISO 8601 date and time", value)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail(where, key, "expected an ISO 8601 date and time", value) from None
    try:
        utc = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise _fail(where, key, f"expected {DATE_RANGE_TEXT}", value)
    return utc


E = TypeVar("E", bound=StrEnum)


def _enum(item: Mapping[str, Any], key: str, where: str, kind: type[E], aliases: Mapping[str, E] | None = None) -> E:
    """A Graph enum member, case-insensitively; anything new (or absent) is ``unknown``."""
    value = _string(item, key, where)
    unknown = kind("unknown")
    if value is None:
        return unknown
    folded = value.strip().casefold()
    if aliases and folded in aliases:
        return aliases[folded]
    for member in kind:
        if member.value.casefold() == folded:
            return member
    return unknown


M = TypeVar("M", bound=BaseModel)


def _build(factory: Callable[..., M], where: str, **fields: Any) -> M:
    try:
        return factory(**fields)
    except ValidationError as exc:
        raise DataError(f"{where}: {describe_validation_error(exc)}") from None


# --- Score, requirements, history ----------------------------------------------------


def parse_score(doc: Mapping[str, Any], where: str = "securityScore") -> PartnerScore:
    """The partner score singleton, bare or wrapped as ``{"value": {...}}``."""
    body, where = _unwrap(doc, where)
    return _build(
        PartnerScore,
        where,
        id=_string(body, "id", where),
        current_score=_single(body, "currentScore", where),
        max_score=_single(body, "maxScore", where),
        updated_date_time=_datetime(body, "updatedDateTime", where),
        last_refresh_date_time=_datetime(body, "lastRefreshDateTime", where),
    )


def _unwrap(doc: Mapping[str, Any], where: str) -> tuple[Mapping[str, Any], str]:
    """The singleton's body and where it was: bare, or wrapped as ``{"value": {...}}``."""
    doc = _object(doc, where)
    if "value" in doc and "currentScore" not in doc:
        inner = _join(where, "value")
        return _object(doc["value"], inner), inner
    return doc, where


_COMPLIANCE_ALIASES = {
    "noncomplaint": ComplianceStatus.NONCOMPLIANT,  # the published schema's spelling
    "noncompliant": ComplianceStatus.NONCOMPLIANT,
    "unknownfuturevalue": ComplianceStatus.UNKNOWN,
}

_NAMESPACES = ("microsoft.graph.partner.security.", "microsoft.graph.partners.security.")

_SUBTYPES: Mapping[str, RequirementType] = {
    "adminsmfaenforcedsecurityrequirement": RequirementType.MFA_ENFORCED_FOR_ADMINS,
    "customersmfaenforcedsecurityrequirement": RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS,
    "customersspendingbudgetsecurityrequirement": RequirementType.SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS,
    "responsetimesecurityrequirement": RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED,
}


def _subtype(item: Mapping[str, Any], where: str) -> RequirementType | None:
    """The requirement type that ``@odata.type`` names, if it names a known subtype."""
    odata_type = _string(item, "@odata.type", where)
    if odata_type is None:
        return None
    name = odata_type.strip().lstrip("#").casefold()
    for namespace in _NAMESPACES:
        if name.startswith(namespace):
            return _SUBTYPES.get(name.removeprefix(namespace))
    return None


def parse_requirement(item: Mapping[str, Any], where: str) -> Requirement:
    item = _object(item, where)
    declared = _enum(item, "requirementType", where, RequirementType)
    requirement_type = _subtype(item, where) or declared
    raw_name = _string(item, "requirementType", where)
    return _build(
        Requirement,
        where,
        id=_required_string(item, "id", where),
        requirement_type=requirement_type,
        # A known type is named by what it is (Graph's requirementType can contradict
        # @odata.type); an unknown one keeps the name Graph sent, to be shown as such.
        requirement_type_name=(
            raw_name.strip()
            if requirement_type is RequirementType.UNKNOWN and raw_name and raw_name.strip()
            else requirement_type.value
        ),
        compliance_status=_enum(item, "complianceStatus", where, ComplianceStatus, _COMPLIANCE_ALIASES),
        score=_integer(item, "score", where, negative=True),
        max_score=_integer(item, "maxScore", where, negative=True),
        state=_enum(item, "state", where, RequirementState),
        action_url=_string(item, "actionUrl", where),
        help_url=_string(item, "helpUrl", where),
        updated_date_time=_datetime(item, "updatedDateTime", where),
        details=_details(requirement_type, item, where),
    )


def _details(kind: RequirementType, item: Mapping[str, Any], where: str) -> RequirementDetails | None:
    if kind is RequirementType.MFA_ENFORCED_FOR_ADMINS:
        return _build(
            AdminsMfaDetails,
            where,
            total_admins_count=_integer(item, "totalAdminsCount", where),
            mfa_enabled_admins_count=_integer(item, "mfaEnabledAdminsCount", where),
            admins_required_not_using_mfa_count=_integer(item, "adminsRequiredNotUsingMfaCount", where),
            total_users_count=_integer(item, "totalUsersCount", where),
            mfa_enabled_users_count=_integer(item, "mfaEnabledUsersCount", where),
            users_required_not_using_mfa_count=_integer(item, "usersRequiredNotUsingMfaCount", where),
            **_policies(item, where),
        )
    if kind is RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS:
        return _build(
            CustomersMfaDetails,
            where,
            compliant_tenant_count=_integer(item, "compliantTenantCount", where),
            total_tenant_count=_integer(item, "totalTenantCount", where),
        )
    if kind is RequirementType.SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS:
        return _build(
            SpendingBudgetDetails,
            where,
            customers_with_spend_budget_count=_integer(item, "customersWithSpendBudgetCount", where),
            total_customers_count=_integer(item, "totalCustomersCount", where),
        )
    if kind is RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED:
        return _build(
            ResponseTimeDetails,
            where,
            average_response_time_in_hours=_single(item, "averageResponseTimeInHours", where, 0, MAX_HOURS),
        )
    if kind is RequirementType.SECURITY_CONTACT_PROVIDED:
        return SecurityContactDetails()
    return None


def _policies(item: Mapping[str, Any], where: str) -> dict[str, PolicyStatus]:
    return {
        "security_defaults_status": _enum(item, "securityDefaultsStatus", where, PolicyStatus),
        "mfa_conditional_access_policy_status": _enum(item, "mfaConditionalAccessPolicyStatus", where, PolicyStatus),
        "legacy_per_user_mfa_status": _enum(item, "legacyPerUserMfaStatus", where, PolicyStatus),
    }


def parse_history_point(item: Mapping[str, Any], where: str) -> HistoryPoint:
    item = _object(item, where)
    created = _datetime(item, "createdDateTime", where)
    if created is None:
        raise _fail(where, "createdDateTime", "required field is missing")
    return _build(
        HistoryPoint,
        where,
        id=_required_string(item, "id", where),
        created_date_time=created,
        score=_single(item, "score", where),
        compliant_requirements_count=_integer(item, "compliantRequirementsCount", where),
        total_requirements_count=_integer(item, "totalRequirementsCount", where),
    )


# --- Customers, alerts, contracts -----------------------------------------------------


def _tenant_id(item: Mapping[str, Any], key: str, where: str) -> str:
    return _required_string(item, key, where).strip().lower()


def parse_customer_insight(item: Mapping[str, Any], where: str) -> Customer:
    """One customer's MFA insight; the name is added later from contracts or a file."""
    item = _object(item, where)
    tenant_id = _tenant_id(item, "tenantId", where)
    raw_mfa = item.get("mfa")
    mfa = None if raw_mfa is None else _mfa(_object(raw_mfa, _join(where, "mfa")), _join(where, "mfa"))
    return _build(Customer, where, tenant_id=tenant_id, mfa=mfa)


def _mfa(item: Mapping[str, Any], where: str) -> MfaInsight:
    return _build(
        MfaInsight,
        where,
        compliant_admins_count=_integer(item, "compliantAdminsCount", where),
        compliant_non_admins_count=_integer(item, "compliantNonAdminsCount", where),
        total_users_count=_integer(item, "totalUsersCount", where),
        **_policies(item, where),
    )


def parse_alert(item: Mapping[str, Any], where: str) -> Alert:
    item = _object(item, where)
    tenant = _name(item, "customerTenantId", where)
    reason = None if item.get("resolvedReason") is None else _enum(item, "resolvedReason", where, ResolvedReason)
    return _build(
        Alert,
        where,
        id=_required_string(item, "id", where),
        display_name=_string(item, "displayName", where),
        description=_string(item, "description", where),
        alert_type=_string(item, "alertType", where),
        severity=_enum(item, "severity", where, AlertSeverity),
        status=_enum(item, "status", where, AlertStatus),
        confidence_level=_string(item, "confidenceLevel", where),
        customer_tenant_id=tenant.lower() if tenant else None,
        subscription_id=_string(item, "subscriptionId", where),
        detected_date_time=_datetime(item, "detectedDateTime", where),
        first_observed_date_time=_datetime(item, "firstObservedDateTime", where),
        last_observed_date_time=_datetime(item, "lastObservedDateTime", where),
        resolved_on_date_time=_datetime(item, "resolvedOnDateTime", where),
        resolved_by=_string(item, "resolvedBy", where),
        resolved_reason=reason,
        is_test=_boolean(item, "isTest", where, default=False),
    )


def parse_contract(item: Mapping[str, Any], where: str) -> CustomerName:
    """One item of ``GET /v1.0/contracts``: the customer's tenant id and names."""
    item = _object(item, where)
    return CustomerName(
        tenant_id=_tenant_id(item, "customerId", where),
        display_name=_name(item, "displayName", where),
        default_domain_name=_name(item, "defaultDomainName", where),
        source=NameSource.CONTRACTS,
    )


# --- The snapshot -----------------------------------------------------------------------


def build_snapshot(
    payloads: GraphPayloads,
    provenance: Provenance,
    names: Mapping[str, CustomerName] | None = None,
) -> Snapshot:
    """Assemble a snapshot; ``names`` (e.g. from a customers file) override contract names."""
    body, where = _unwrap(payloads.score, "securityScore")
    requirement_items = _items(payloads.requirements, body, _join(where, "requirements"))
    history_items = _items(payloads.history, body, _join(where, "history"))
    requirements = tuple(parse_requirement(x, f"requirements[{i}]") for i, x in enumerate(requirement_items))
    history = sorted(
        (parse_history_point(x, f"history[{i}]") for i, x in enumerate(history_items)),
        key=lambda point: (point.created_date_time, point.id),
    )
    alerts = sorted(
        (parse_alert(x, f"securityAlerts[{i}]") for i, x in enumerate(payloads.alerts or ())),
        key=lambda alert: (alert.detected_date_time or _EPOCH, alert.id),
    )
    contract_names = [parse_contract(x, f"contracts[{i}]") for i, x in enumerate(payloads.contracts or ())]
    customers = _customers(payloads.customer_insights, contract_names, names or {})
    return _build(
        Snapshot,
        "snapshot",
        provenance=provenance,
        score=parse_score(payloads.score),
        requirements=requirements,
        history=tuple(history),
        customers=customers,
        alerts=tuple(alerts),
    )


def _items(
    given: Sequence[Mapping[str, Any]] | None, body: Mapping[str, Any], where: str
) -> Sequence[Mapping[str, Any]]:
    """The collection's items, else what the score expanded under that name, else none."""
    if given is not None:
        return given
    expanded = body.get(where.rpartition(".")[2])
    if expanded is None:
        return ()
    if not isinstance(expanded, list):
        raise DataError(f"{where}: expected a list, got {type(expanded).__name__}")
    return expanded


def _customers(
    insights: Sequence[Mapping[str, Any]],
    contracts: Sequence[CustomerName],
    overrides: Mapping[str, CustomerName],
) -> tuple[Customer, ...]:
    by_tenant: dict[str, Customer] = {}
    for index, item in enumerate(insights):
        customer = parse_customer_insight(item, f"customerInsights[{index}]")
        by_tenant.setdefault(customer.tenant_id, customer)
    known: dict[str, CustomerName] = {}
    for name in contracts:
        known.setdefault(name.tenant_id, name)
        by_tenant.setdefault(name.tenant_id, Customer(tenant_id=name.tenant_id))
    for key, name in overrides.items():
        tenant_id = key.strip().lower()
        known[tenant_id] = _merge(known.get(tenant_id), name)
    named = [_named(customer, known.get(tenant_id)) for tenant_id, customer in by_tenant.items()]
    return tuple(sorted(named, key=lambda c: (c.label.casefold(), c.tenant_id)))


def _merge(base: CustomerName | None, override: CustomerName) -> CustomerName:
    """Fields the override gives win; the source is whoever gave the display name."""
    if base is None:
        return override
    display_name = override.display_name or base.display_name
    source = override.source if override.display_name or not base.display_name else base.source
    return CustomerName(
        tenant_id=base.tenant_id,
        display_name=display_name,
        default_domain_name=override.default_domain_name or base.default_domain_name,
        source=source,
    )


def _named(customer: Customer, name: CustomerName | None) -> Customer:
    if name is None or not (name.display_name or name.default_domain_name):
        return customer
    return _build(
        Customer,
        f"names[{customer.tenant_id!r}]",
        tenant_id=customer.tenant_id,
        display_name=name.display_name,
        default_domain_name=name.default_domain_name,
        name_source=name.source,
        mfa=customer.mfa,
    )
