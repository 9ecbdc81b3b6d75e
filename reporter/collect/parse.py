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

Made to fit the model, and recorded as a data gap in the snapshot's provenance
(so the reports and the collect summary say so), where Graph's data cannot be
shown as it is:

- text (names, domains, alert fields, requirement names) loses control
  characters and bidi embeddings/overrides/isolates (tabs and newlines become
  spaces; silently, as it is only layout), and is cut with an ellipsis at the
  model's limit (``NAME_LIMIT``, ``TEXT_LIMIT``; recorded); a URL longer than
  ``URL_LIMIT`` is dropped (recorded). An id too long or holding a control
  character cannot be cut without risking another's: it is a ``DataError``.
- a customer insight or contract whose tenant id is a string but not a GUID
  cannot be attributed to a customer: it is left out (recorded); one without
  any tenant id is malformed, a ``DataError`` as before. An alert's customer
  tenant id that is not a GUID becomes unknown (recorded).
- impossible figures (a part above its whole, e.g. admins with MFA above all
  users, a score above its maximum) become "not available" (recorded).
- an item repeated with the same id (or tenant) is kept once: silently when
  identical, else the first is kept (recorded).
- customers-file rows naming a tenant Graph did not list are kept in
  ``provenance.unmatched_customer_rows``.
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
    CONTROL_CHARACTERS,
    DATE_RANGE_TEXT,
    EARLIEST,
    ID_LIMIT,
    IMPOSSIBLE_FIGURES,
    LATEST,
    MAX_COUNT,
    MAX_HOURS,
    NAME_LIMIT,
    SCORE_LIMIT,
    TEXT_LIMIT,
    URL_LIMIT,
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
    Requirement,
    RequirementDetails,
    RequirementState,
    RequirementType,
    ResolvedReason,
    ResponseTimeDetails,
    SecurityContactDetails,
    Snapshot,
    SpendingBudgetDetails,
    UnmatchedCustomerRow,
    is_guid,
)
from reporter.snapshot import describe_validation_error

__all__ = [
    "MAX_NOTES",
    "CustomerName",
    "GraphPayloads",
    "Notes",
    "build_snapshot",
    "clean_text",
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


MAX_NOTES = 50
"""At most this many data gaps record what parsing changed; the rest are counted in one more."""


class Notes:
    """What parsing changed or left out, to be recorded as data gaps (the reports show them)."""

    def __init__(self) -> None:
        self._gaps: list[DataGap] = []
        self._more = 0

    def add(self, source: str, reason: str) -> None:
        if len(self._gaps) < MAX_NOTES:
            self._gaps.append(DataGap(source=_fit(source, NAME_LIMIT), reason=_fit(reason, TEXT_LIMIT)))
        else:
            self._more += 1

    def gaps(self) -> tuple[DataGap, ...]:
        if not self._more:
            return tuple(self._gaps)
        more = DataGap(source="more", reason=f"{self._more} more items were changed or left out as above")
        return (*self._gaps, more)


_LAYOUT = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]")


def clean_text(value: str) -> str:
    """``value`` with tabs, newlines and other line breaks as spaces, and every other control character removed.

    Removed: C0, DEL, C1, and bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069);
    lone surrogates become U+FFFD. The model refuses these (``model.CONTROL_CHARACTERS``).
    """
    value = _LONE_SURROGATE.sub("\ufffd", value)
    return CONTROL_CHARACTERS.sub("", _LAYOUT.sub(" ", value))


def _fit(value: str, limit: int) -> str:
    """``value`` cleaned and, if longer than ``limit``, cut with an ellipsis."""
    value = clean_text(value)
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


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


def _name(item: Mapping[str, Any], key: str, where: str, notes: Notes | None = None) -> str | None:
    """A display name or domain, cleaned and cut to ``NAME_LIMIT``: blank counts as absent."""
    value = _string(item, key, where)
    return None if value is None else _clean_name(value, _join(where, key), notes)


def _clean_name(value: str, where: str, notes: Notes | None) -> str | None:
    """``value`` cleaned and cut to ``NAME_LIMIT`` (recorded in ``notes``); blank is None."""
    return _shortened(clean_text(value).strip(), NAME_LIMIT, where, notes) or None


def _text(item: Mapping[str, Any], key: str, where: str, notes: Notes | None, limit: int = NAME_LIMIT) -> str | None:
    """Free text, cleaned and cut to ``limit``."""
    value = _string(item, key, where)
    if value is None:
        return None
    return _shortened(clean_text(value), limit, _join(where, key), notes)


def _shortened(value: str, limit: int, where: str, notes: Notes | None) -> str:
    if len(value) <= limit:
        return value
    if notes is not None:
        notes.add(where, f"{len(value):,} characters, cut to the {limit:,} a report shows")
    return value[: limit - 1] + "\u2026"


def _url(item: Mapping[str, Any], key: str, where: str, notes: Notes | None) -> str | None:
    """A URL, cleaned; one longer than ``URL_LIMIT`` is dropped (a cut URL would lead elsewhere)."""
    value = _string(item, key, where)
    if value is None:
        return None
    value = clean_text(value).strip()
    if len(value) > URL_LIMIT:
        if notes is not None:
            notes.add(_join(where, key), f"a URL of {len(value):,} characters (more than {URL_LIMIT:,}): left out")
        return None
    return value


def _id(item: Mapping[str, Any], key: str, where: str) -> str:
    """A record id: never changed, so one too long or holding a control character is an error."""
    value = _required_string(item, key, where)
    if len(value) > ID_LIMIT:
        raise _fail(where, key, f"expected an id of at most {ID_LIMIT} characters, got {len(value):,}")
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise _fail(where, key, f"an id must not hold control characters (U+{ord(found[0]):04X})", value)
    return value


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


def _build(
    factory: Callable[..., M], where: str, notes: Notes | None = None, note_where: str | None = None, **fields: Any
) -> M:
    """``factory(**fields)``; with ``notes``, impossible figures become ``None`` and are recorded."""
    for _ in range(8):  # a record has at most a few rules; each pass clears one
        try:
            return factory(**fields)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            if notes is None or first["type"] != IMPOSSIBLE_FIGURES or first["loc"]:
                raise DataError(f"{where}: {describe_validation_error(exc)}") from None
            context = first.get("ctx") or {}
            for name in str(context["fields"]).split(","):
                fields[name] = None
            notes.add(note_where or where, f"{context['reason']}: shown as not available")
    raise DataError(f"{where}: impossible figures")  # pragma: no cover - rules are fewer than the passes


# --- Score, requirements, history ----------------------------------------------------


def parse_score(doc: Mapping[str, Any], where: str = "securityScore", notes: Notes | None = None) -> PartnerScore:
    """The partner score singleton, bare or wrapped as ``{"value": {...}}``."""
    body, where = _unwrap(doc, where)
    return _build(
        PartnerScore,
        where,
        notes,
        id=None if body.get("id") is None else _id(body, "id", where),
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


def parse_requirement(item: Mapping[str, Any], where: str, notes: Notes | None = None) -> Requirement:
    item = _object(item, where)
    declared = _enum(item, "requirementType", where, RequirementType)
    requirement_type = _subtype(item, where) or declared
    raw_name = _text(item, "requirementType", where, notes)
    return _build(
        Requirement,
        where,
        notes,
        id=_id(item, "id", where),
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
        action_url=_url(item, "actionUrl", where, notes),
        help_url=_url(item, "helpUrl", where, notes),
        updated_date_time=_datetime(item, "updatedDateTime", where),
        details=_details(requirement_type, item, where, notes),
    )


def _details(
    kind: RequirementType, item: Mapping[str, Any], where: str, notes: Notes | None
) -> RequirementDetails | None:
    if kind is RequirementType.MFA_ENFORCED_FOR_ADMINS:
        return _build(
            AdminsMfaDetails,
            where,
            notes,
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
            notes,
            compliant_tenant_count=_integer(item, "compliantTenantCount", where),
            total_tenant_count=_integer(item, "totalTenantCount", where),
        )
    if kind is RequirementType.SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS:
        return _build(
            SpendingBudgetDetails,
            where,
            notes,
            customers_with_spend_budget_count=_integer(item, "customersWithSpendBudgetCount", where),
            total_customers_count=_integer(item, "totalCustomersCount", where),
        )
    if kind is RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED:
        return _build(
            ResponseTimeDetails,
            where,
            notes,
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


def parse_history_point(item: Mapping[str, Any], where: str, notes: Notes | None = None) -> HistoryPoint:
    item = _object(item, where)
    created = _datetime(item, "createdDateTime", where)
    if created is None:
        raise _fail(where, "createdDateTime", "required field is missing")
    return _build(
        HistoryPoint,
        where,
        notes,
        id=_id(item, "id", where),
        created_date_time=created,
        score=_single(item, "score", where),
        compliant_requirements_count=_integer(item, "compliantRequirementsCount", where),
        total_requirements_count=_integer(item, "totalRequirementsCount", where),
    )


# --- Customers, alerts, contracts -----------------------------------------------------


def _guid(item: Mapping[str, Any], key: str, where: str) -> str | None:
    """The tenant id under ``key`` in lower case, or ``None`` if it is absent or not a GUID."""
    value = item.get(key)
    if not isinstance(value, str) or not is_guid(value.strip()):
        return None
    return value.strip().lower()


def _tenant_id(item: Mapping[str, Any], key: str, where: str) -> str:
    tenant_id = _guid(item, key, where)
    if tenant_id is None:
        if key not in item or item[key] is None:
            raise _fail(where, key, "required field is missing")
        raise _fail(where, key, "expected a tenant id (a GUID)", item[key])
    return tenant_id


def parse_customer_insight(item: Mapping[str, Any], where: str, notes: Notes | None = None) -> Customer:
    """One customer's MFA insight; the name is added later from contracts or a file."""
    item = _object(item, where)
    tenant_id = _tenant_id(item, "tenantId", where)
    raw_mfa = item.get("mfa")
    mfa_where = _join(where, "mfa")
    mfa = None if raw_mfa is None else _mfa(_object(raw_mfa, mfa_where), mfa_where, notes, f"customer {tenant_id}")
    return _build(Customer, where, tenant_id=tenant_id, mfa=mfa)


def _mfa(item: Mapping[str, Any], where: str, notes: Notes | None, note_where: str) -> MfaInsight:
    return _build(
        MfaInsight,
        where,
        notes,
        note_where,
        compliant_admins_count=_integer(item, "compliantAdminsCount", where),
        compliant_non_admins_count=_integer(item, "compliantNonAdminsCount", where),
        total_users_count=_integer(item, "totalUsersCount", where),
        **_policies(item, where),
    )


def parse_alert(item: Mapping[str, Any], where: str, notes: Notes | None = None) -> Alert:
    """One security alert; a customer tenant id that is not a GUID becomes unknown (recorded in ``notes``)."""
    item = _object(item, where)
    tenant = _guid(item, "customerTenantId", where)
    given = item.get("customerTenantId")
    if tenant is None and given is not None and given != "" and notes is not None:
        notes.add(
            _join(where, "customerTenantId"),
            f"{_show(given)} is not a tenant id (a GUID): the alert is counted for no customer",
        )
    reason = None if item.get("resolvedReason") is None else _enum(item, "resolvedReason", where, ResolvedReason)
    return _build(
        Alert,
        where,
        id=_id(item, "id", where),
        display_name=_text(item, "displayName", where, notes),
        description=_text(item, "description", where, notes, TEXT_LIMIT),
        alert_type=_text(item, "alertType", where, notes),
        severity=_enum(item, "severity", where, AlertSeverity),
        status=_enum(item, "status", where, AlertStatus),
        confidence_level=_text(item, "confidenceLevel", where, notes),
        customer_tenant_id=tenant,
        subscription_id=_text(item, "subscriptionId", where, notes),
        detected_date_time=_datetime(item, "detectedDateTime", where),
        first_observed_date_time=_datetime(item, "firstObservedDateTime", where),
        last_observed_date_time=_datetime(item, "lastObservedDateTime", where),
        resolved_on_date_time=_datetime(item, "resolvedOnDateTime", where),
        resolved_by=_text(item, "resolvedBy", where, notes),
        resolved_reason=reason,
        is_test=_boolean(item, "isTest", where, default=False),
    )


def parse_contract(item: Mapping[str, Any], where: str, notes: Notes | None = None) -> CustomerName:
    """One item of ``GET /v1.0/contracts``: the customer's tenant id and names."""
    item = _object(item, where)
    return CustomerName(
        tenant_id=_tenant_id(item, "customerId", where),
        display_name=_name(item, "displayName", where, notes),
        default_domain_name=_name(item, "defaultDomainName", where, notes),
        source=NameSource.CONTRACTS,
    )


# --- The snapshot -----------------------------------------------------------------------


def build_snapshot(
    payloads: GraphPayloads,
    provenance: Provenance,
    names: Mapping[str, CustomerName] | None = None,
) -> Snapshot:
    """Assemble a snapshot; ``names`` (e.g. from a customers file) override contract names.

    What had to be changed or left out is added to ``provenance.data_gaps``; customers-file rows
    for tenants Graph did not list go to ``provenance.unmatched_customer_rows``.
    """
    notes = Notes()
    body, where = _unwrap(payloads.score, "securityScore")
    requirement_items = _items(payloads.requirements, body, _join(where, "requirements"))
    history_items = _items(payloads.history, body, _join(where, "history"))
    requirements = _once(
        [
            (f"requirements[{i}]", parse_requirement(x, f"requirements[{i}]", notes))
            for i, x in enumerate(requirement_items)
        ],
        lambda r: r.id,
        "requirement",
        notes,
    )
    history = sorted(
        _once(
            [(f"history[{i}]", parse_history_point(x, f"history[{i}]", notes)) for i, x in enumerate(history_items)],
            lambda h: h.id,
            "history point",
            notes,
        ),
        key=lambda point: (point.created_date_time, point.id),
    )
    alerts = sorted(
        _once(
            [
                (f"securityAlerts[{i}]", parse_alert(x, f"securityAlerts[{i}]", notes))
                for i, x in enumerate(payloads.alerts or ())
            ],
            lambda a: a.id,
            "alert",
            notes,
        ),
        key=lambda alert: (alert.detected_date_time or _EPOCH, alert.id),
    )
    contract_names = [
        parse_contract(x, where, notes)
        for where, x in _attributable(
            payloads.contracts or (), "contracts", "customerId", "its names are not used", notes
        )
    ]
    customers, unmatched = _customers(payloads.customer_insights, contract_names, names or {}, notes)
    score = parse_score(payloads.score, notes=notes)
    return _build(
        Snapshot,
        "snapshot",
        provenance=provenance.model_copy(
            update={
                "data_gaps": (*provenance.data_gaps, *notes.gaps()),
                "unmatched_customer_rows": (*provenance.unmatched_customer_rows, *unmatched),
            }
        ),
        score=score,
        requirements=tuple(requirements),
        history=tuple(history),
        customers=customers,
        alerts=tuple(alerts),
    )


K = TypeVar("K")


def _once(parsed: Sequence[tuple[str, K]], key: Callable[[K], str], what: str, notes: Notes) -> list[K]:
    """Each record once by ``key``: an identical repeat is dropped; a different one too, recorded."""
    first: dict[str, tuple[str, K]] = {}
    for where, record in parsed:
        value = key(record)
        if value not in first:
            first[value] = (where, record)
        elif first[value][1] != record:
            notes.add(
                where,
                f"{what} {_show(value)} is listed again with other figures: the first, {first[value][0]}, is kept",
            )
    return [record for _, record in first.values()]


def _attributable(
    items: Sequence[Mapping[str, Any]], source: str, key: str, consequence: str, notes: Notes
) -> list[tuple[str, Mapping[str, Any]]]:
    """``items`` (with where each was) whose tenant id is a GUID; the others are recorded and left out."""
    kept: list[tuple[str, Mapping[str, Any]]] = []
    for index, item in enumerate(items):
        where = f"{source}[{index}]"
        item = _object(item, where)
        if item.get(key) is None:  # a malformed item, as any other without a required field
            raise _fail(where, key, "required field is missing")
        if _guid(item, key, where) is None:
            given = _string(item, key, where)
            notes.add(_join(where, key), f"{_show(given)} is not a tenant id (a GUID): {consequence}")
            continue
        kept.append((where, item))
    return kept


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
    notes: Notes,
) -> tuple[tuple[Customer, ...], tuple[UnmatchedCustomerRow, ...]]:
    """The customers, sorted by label, and the overrides (customers-file rows) naming no tenant Graph listed."""
    parsed = [
        (where, parse_customer_insight(item, where, notes))
        for where, item in _attributable(insights, "customerInsights", "tenantId", "this customer is left out", notes)
    ]
    by_tenant = {c.tenant_id: c for c in _once(parsed, lambda c: c.tenant_id, "customer tenant", notes)}
    known: dict[str, CustomerName] = {}
    for name in contracts:
        known.setdefault(name.tenant_id, name)
        by_tenant.setdefault(name.tenant_id, Customer(tenant_id=name.tenant_id))
    unmatched: list[UnmatchedCustomerRow] = []
    for key, given in overrides.items():
        tenant_id = key.strip().lower()
        if not is_guid(tenant_id):
            notes.add("customers file", f"{_show(key)} is not a tenant id (a GUID): its name is not used")
            continue
        name = _cleaned_override(given, tenant_id, notes)
        if tenant_id not in by_tenant:
            unmatched.append(
                UnmatchedCustomerRow(
                    tenant_id=tenant_id, display_name=name.display_name, default_domain_name=name.default_domain_name
                )
            )
            continue
        known[tenant_id] = _merge(known.get(tenant_id), name)
    named = [_named(customer, known.get(tenant_id)) for tenant_id, customer in by_tenant.items()]
    return tuple(sorted(named, key=lambda c: (c.label.casefold(), c.tenant_id))), tuple(unmatched)


def _cleaned_override(name: CustomerName, tenant_id: str, notes: Notes) -> CustomerName:
    """A customers-file name and domain as the model holds them: cleaned, cut to ``NAME_LIMIT`` (recorded)."""
    where = f"customers file, tenant {tenant_id}"
    cleaned = {
        field: _clean_name(value, f"{where}, {field}", notes)
        for field, value in (("name", name.display_name), ("domain", name.default_domain_name))
        if value is not None
    }
    return CustomerName(
        tenant_id=tenant_id,
        display_name=cleaned.get("name"),
        default_domain_name=cleaned.get("domain"),
        source=name.source,
    )


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
