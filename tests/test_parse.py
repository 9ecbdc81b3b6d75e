"""Parsing raw Graph payloads: every quirk in the API notes, in the shape Graph sends it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporter.collect.parse import (
    CustomerName,
    GraphPayloads,
    build_snapshot,
    parse_alert,
    parse_contract,
    parse_customer_insight,
    parse_history_point,
    parse_requirement,
    parse_score,
)
from reporter.errors import DataError
from reporter.model import (
    AdminsMfaDetails,
    AlertSeverity,
    AlertStatus,
    ComplianceStatus,
    CustomersMfaDetails,
    NameSource,
    PolicyStatus,
    Provenance,
    RequirementState,
    RequirementType,
    ResolvedReason,
    ResponseTimeDetails,
    SecurityContactDetails,
    SpendingBudgetDetails,
)
from reporter.snapshot import dumps, loads
from tests import strategies

NS = "#microsoft.graph.partner.security"
TENANT_A = "5f6a7b8c-1d2e-4f30-8a9b-0c1d2e3f4a5b"
TENANT_B = "0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d"
TENANT_C = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"


# --- Raw payload factories (what Graph actually sends) ----------------------------------


def raw_score(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#security/partner/securityScore/$entity",
        "@odata.type": f"{NS}.partnerSecurityScore",
        "id": "a7b1c2d3-0000-4000-8000-00000000cafe",
        "currentScore": 62.5,
        "maxScore": 100,
        "updatedDateTime": "2025-03-14T08:15:30.1234567Z",
        "lastRefreshDateTime": "2025-03-15T02:00:00Z",
    }
    body.update(overrides)
    return body


def raw_admins_requirement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": f"{NS}.adminsMfaEnforcedSecurityRequirement",
        "id": "mfaEnforcedForAdmins",
        "requirementType": "mfaEnforcedForAdmins",
        "complianceStatus": "noncomplaint",
        "score": 0,
        "maxScore": 30,
        "state": "active",
        "actionUrl": "https://partner.microsoft.com/dashboard/security/mfa",
        "helpUrl": "https://learn.microsoft.com/partner-center/security/partner-security-requirements",
        "updatedDateTime": "2025-03-14T08:15:30.1234567Z",
        "totalAdminsCount": 12,
        "mfaEnabledAdminsCount": 10,
        "adminsRequiredNotUsingMfaCount": 2,
        "totalUsersCount": 140,
        "mfaEnabledUsersCount": 131,
        "usersRequiredNotUsingMfaCount": 9,
        "securityDefaultsStatus": "disabled",
        "mfaConditionalAccessPolicyStatus": "enabled",
        "legacyPerUserMfaStatus": "unknownFutureValue",
    }
    body.update(overrides)
    return body


def raw_customers_mfa_requirement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": f"{NS}.customersMfaEnforcedSecurityRequirement",
        "id": "3c9a5e3a-77d0-4a55-b3b8-5f4c02d1a0e1",
        "requirementType": "mfaEnforcedForAdminsOfCustomers",
        "complianceStatus": "compliant",
        "score": 20,
        "maxScore": 20,
        "state": "active",
        "compliantTenantCount": 38,
        "totalTenantCount": 41,
    }
    body.update(overrides)
    return body


def raw_spending_requirement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": f"{NS}.customersSpendingBudgetSecurityRequirement",
        "id": "spendingBudgetSetForCustomerAzureSubscriptions",
        "requirementType": "spendingBudgetSetForCustomerAzureSubscriptions",
        "complianceStatus": "nonCompliant",
        "score": 5,
        "maxScore": 10,
        "state": "preview",
        "customersWithSpendBudgetCount": 7,
        "totalCustomersCount": 22,
    }
    body.update(overrides)
    return body


def raw_response_time_requirement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": f"{NS}.responseTimeSecurityRequirement",
        "id": "securityAlertsPromptlyResolved",
        "requirementType": "securityAlertsPromptlyResolved",
        "complianceStatus": "compliant",
        "score": 20,
        "maxScore": 20,
        "state": "active",
        "averageResponseTimeInHours": 3.25,
    }
    body.update(overrides)
    return body


def raw_contact_requirement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": f"{NS}.securityRequirement",
        "id": "securityContactProvided",
        "requirementType": "securityContactProvided",
        "complianceStatus": "compliant",
        "score": 20,
        "maxScore": 20,
        "state": "active",
    }
    body.update(overrides)
    return body


def raw_history(id_: str, when: str, score: Any = 50.0, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": f"{NS}.securityScoreHistory",
        "id": id_,
        "createdDateTime": when,
        "score": score,
        "compliantRequirementsCount": 3,
        "totalRequirementsCount": 5,
    }
    body.update(overrides)
    return body


def raw_insight(tenant_id: str, **mfa: Any) -> dict[str, Any]:
    insight: dict[str, Any] = {
        "compliantAdminsCount": 2,
        "compliantNonAdminsCount": 45,
        "totalUsersCount": 60,
        "securityDefaultsStatus": "enabled",
        "mfaConditionalAccessPolicyStatus": "disabled",
        "legacyPerUserMfaStatus": "disabled",
    }
    insight.update(mfa)
    return {"@odata.type": f"{NS}.customerInsight", "tenantId": tenant_id, "mfa": insight}


def raw_alert(id_: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": f"{NS}.partnerSecurityAlert",
        "id": id_,
        "displayName": "Unusual Azure compute usage",
        "description": "Compute spend rose sharply in a customer subscription.",
        "alertType": "AzureComputeUsageAnomaly",
        "severity": "high",
        "status": "active",
        "confidenceLevel": "high",
        "customerTenantId": TENANT_A,
        "subscriptionId": "11111111-2222-4333-8444-555555555555",
        "detectedDateTime": "2025-03-01T10:00:00.1234567Z",
        "firstObservedDateTime": "2025-03-01T09:40:00Z",
        "lastObservedDateTime": "2025-03-01T11:00:00Z",
        "resolvedOnDateTime": None,
        "resolvedBy": None,
        "resolvedReason": None,
        "isTest": False,
        "affectedResources": [{"resourceId": "/subscriptions/x", "resourceType": "vm"}],
        "activityLogs": [{"statusFrom": "active", "statusTo": "active", "updatedBy": "system"}],
        "additionalDetails": {"region": "westeurope"},
    }
    body.update(overrides)
    return body


def raw_contract(tenant_id: str, name: str | None, domain: str | None = None) -> dict[str, Any]:
    return {
        "id": f"contract-{tenant_id[:8]}",
        "contractType": "ResellerPartner",
        "customerId": tenant_id,
        "displayName": name,
        "defaultDomainName": domain,
    }


def provenance() -> Provenance:
    return Provenance(
        collected_at=datetime(2025, 3, 15, 6, 0, tzinfo=UTC),
        api_base="https://graph.microsoft.com",
        api_version="beta",
        tool_version="0.1.0",
        data_gaps=(),
    )


def payloads(**overrides: Any) -> GraphPayloads:
    fields: dict[str, Any] = {
        "score": raw_score(),
        "requirements": [raw_admins_requirement()],
        "history": [],
        "customer_insights": [],
        "alerts": [],
        "contracts": [],
    }
    fields.update(overrides)
    return GraphPayloads(**fields)


def one_line_error(excinfo: pytest.ExceptionInfo[DataError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


# --- The score singleton ---------------------------------------------------------------------


def test_score_bare_singleton() -> None:
    score = parse_score(raw_score())
    assert score.id == "a7b1c2d3-0000-4000-8000-00000000cafe"
    assert score.current_score == 62.5
    assert score.max_score == 100.0
    assert score.updated_date_time == datetime(2025, 3, 14, 8, 15, 30, 123456, tzinfo=UTC)
    assert score.last_refresh_date_time == datetime(2025, 3, 15, 2, 0, tzinfo=UTC)


def test_score_wrapped_in_value_is_the_same_as_bare() -> None:
    wrapped = {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#security/partner/securityScore",
        "value": raw_score(),
    }
    assert parse_score(wrapped) == parse_score(raw_score())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (62.5, 62.5),
        (62, 62.0),
        ("62.5", 62.5),
        ("  71 ", 71.0),
        ("1e2", 100.0),
        ("NaN", None),
        ("nan", None),
        ("INF", None),
        ("-INF", None),
        ("Infinity", None),
        ("-Infinity", None),
        (float("nan"), None),  # json.loads accepts the bare NaN literal
        (float("inf"), None),
        (None, None),
    ],
)
def test_score_single_numbers_as_numbers_or_strings(raw: Any, expected: float | None) -> None:
    score = parse_score(raw_score(currentScore=raw, maxScore=raw))
    assert score.current_score == expected
    assert score.max_score == expected


def test_score_missing_numbers_are_not_reported() -> None:
    body = raw_score()
    del body["currentScore"], body["maxScore"]
    score = parse_score(body)
    assert score.current_score is None
    assert score.max_score is None


@pytest.mark.parametrize("raw", ["abc", "", "1_000", "12,5", True, [1], {"v": 1}])
def test_score_non_numeric_is_an_error_naming_the_field(raw: Any) -> None:
    with pytest.raises(DataError) as excinfo:
        parse_score(raw_score(currentScore=raw))
    message = one_line_error(excinfo)
    assert message.startswith("securityScore.currentScore: expected a number")


def test_score_wrapped_error_names_the_value_path() -> None:
    with pytest.raises(DataError) as excinfo:
        parse_score({"value": raw_score(maxScore="lots")})
    assert one_line_error(excinfo) == "securityScore.value.maxScore: expected a number, got 'lots'"


def test_score_that_is_not_an_object_is_an_error() -> None:
    with pytest.raises(DataError, match=r"^securityScore\.value: expected a JSON object, got list$"):
        parse_score({"value": [raw_score()]})


def test_score_ignores_extra_properties_and_expansions() -> None:
    body = raw_score(newProperty={"nested": True}, requirements=[raw_admins_requirement()], history=[])
    assert parse_score(body) == parse_score(raw_score())


# --- Requirements: subtypes --------------------------------------------------------------------


def test_admins_mfa_requirement() -> None:
    requirement = parse_requirement(raw_admins_requirement(), "requirements[0]")
    assert requirement.id == "mfaEnforcedForAdmins"
    assert requirement.requirement_type is RequirementType.MFA_ENFORCED_FOR_ADMINS
    assert requirement.requirement_type_name == "mfaEnforcedForAdmins"
    assert requirement.compliance_status is ComplianceStatus.NONCOMPLIANT
    assert (requirement.score, requirement.max_score) == (0, 30)
    assert requirement.state is RequirementState.ACTIVE
    assert requirement.action_url == "https://partner.microsoft.com/dashboard/security/mfa"
    assert requirement.mandatory_for_csp
    assert requirement.details == AdminsMfaDetails(
        total_admins_count=12,
        mfa_enabled_admins_count=10,
        admins_required_not_using_mfa_count=2,
        total_users_count=140,
        mfa_enabled_users_count=131,
        users_required_not_using_mfa_count=9,
        security_defaults_status=PolicyStatus.DISABLED,
        mfa_conditional_access_policy_status=PolicyStatus.ENABLED,
        legacy_per_user_mfa_status=PolicyStatus.UNKNOWN,
    )


def test_customers_mfa_requirement() -> None:
    requirement = parse_requirement(raw_customers_mfa_requirement(), "requirements[1]")
    assert requirement.requirement_type is RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS
    assert requirement.details == CustomersMfaDetails(compliant_tenant_count=38, total_tenant_count=41)
    assert not requirement.mandatory_for_csp


def test_spending_budget_requirement() -> None:
    requirement = parse_requirement(raw_spending_requirement(), "requirements[2]")
    assert requirement.requirement_type is RequirementType.SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS
    assert requirement.state is RequirementState.PREVIEW
    assert requirement.details == SpendingBudgetDetails(customers_with_spend_budget_count=7, total_customers_count=22)


def test_response_time_requirement() -> None:
    requirement = parse_requirement(raw_response_time_requirement(), "requirements[3]")
    assert requirement.requirement_type is RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED
    assert requirement.details == ResponseTimeDetails(average_response_time_in_hours=3.25)


@pytest.mark.parametrize(("raw", "expected"), [("3.5", 3.5), ("NaN", None), ("INF", None), ("-INF", None), (7, 7.0)])
def test_response_time_hours_is_a_single(raw: Any, expected: float | None) -> None:
    requirement = parse_requirement(raw_response_time_requirement(averageResponseTimeInHours=raw), "requirements[3]")
    assert requirement.details == ResponseTimeDetails(average_response_time_in_hours=expected)


def test_security_contact_is_the_base_type() -> None:
    requirement = parse_requirement(raw_contact_requirement(), "requirements[4]")
    assert requirement.requirement_type is RequirementType.SECURITY_CONTACT_PROVIDED
    assert requirement.details == SecurityContactDetails()


def test_subtype_chosen_by_odata_type_before_requirement_type() -> None:
    # The reference page for the admins subtype contradicts itself about requirementType.
    raw = raw_admins_requirement(requirementType="mfaEnforcedForAdminsOfCustomers")
    requirement = parse_requirement(raw, "requirements[0]")
    assert requirement.requirement_type is RequirementType.MFA_ENFORCED_FOR_ADMINS
    assert isinstance(requirement.details, AdminsMfaDetails)
    assert requirement.details.total_admins_count == 12
    assert requirement.requirement_type_name == "mfaEnforcedForAdmins"  # what it is, not the contradiction


def test_overview_page_namespace_partners_security_is_accepted() -> None:
    raw = raw_customers_mfa_requirement(
        **{"@odata.type": "#microsoft.graph.partners.security.customersMfaEnforcedSecurityRequirement"},
        requirementType=None,
    )
    requirement = parse_requirement(raw, "requirements[1]")
    assert requirement.requirement_type is RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS
    assert requirement.requirement_type_name == "mfaEnforcedForAdminsOfCustomers"
    assert isinstance(requirement.details, CustomersMfaDetails)


def test_odata_type_without_hash_is_accepted() -> None:
    raw = raw_spending_requirement(
        **{"@odata.type": "microsoft.graph.partner.security.customersSpendingBudgetSecurityRequirement"}
    )
    assert isinstance(parse_requirement(raw, "requirements[2]").details, SpendingBudgetDetails)


def test_subtype_falls_back_to_requirement_type_without_odata_type() -> None:
    raw = raw_response_time_requirement()
    del raw["@odata.type"]
    requirement = parse_requirement(raw, "requirements[3]")
    assert requirement.details == ResponseTimeDetails(average_response_time_in_hours=3.25)


def test_base_odata_type_falls_back_to_requirement_type() -> None:
    raw = raw_admins_requirement(**{"@odata.type": f"{NS}.securityRequirement"})
    requirement = parse_requirement(raw, "requirements[0]")
    assert requirement.requirement_type is RequirementType.MFA_ENFORCED_FOR_ADMINS
    assert isinstance(requirement.details, AdminsMfaDetails)


def test_unknown_odata_type_falls_back_to_requirement_type() -> None:
    raw = raw_contact_requirement(**{"@odata.type": f"{NS}.someFutureSecurityRequirement"})
    requirement = parse_requirement(raw, "requirements[4]")
    assert requirement.requirement_type is RequirementType.SECURITY_CONTACT_PROVIDED
    assert requirement.details == SecurityContactDetails()


def test_new_requirement_type_is_unknown_but_keeps_its_name() -> None:
    raw = raw_contact_requirement(
        **{"@odata.type": f"{NS}.phishingResistantMfaSecurityRequirement"},
        id="phishingResistantMfa",
        requirementType="phishingResistantMfaForAdmins",
        newCount=4,
    )
    requirement = parse_requirement(raw, "requirements[5]")
    assert requirement.requirement_type is RequirementType.UNKNOWN
    assert requirement.requirement_type_name == "phishingResistantMfaForAdmins"
    assert requirement.details is None
    assert not requirement.mandatory_for_csp


def test_unknown_future_value_requirement_type_is_unknown() -> None:
    raw = raw_contact_requirement(**{"@odata.type": f"{NS}.securityRequirement"}, requirementType="unknownFutureValue")
    requirement = parse_requirement(raw, "requirements[5]")
    assert requirement.requirement_type is RequirementType.UNKNOWN
    assert requirement.requirement_type_name == "unknownFutureValue"
    assert requirement.details is None


def test_requirement_without_any_type_is_unknown() -> None:
    raw = {"id": "x", "complianceStatus": "compliant"}
    requirement = parse_requirement(raw, "requirements[0]")
    assert requirement.requirement_type is RequirementType.UNKNOWN
    assert requirement.requirement_type_name == "unknown"
    assert requirement.state is RequirementState.UNKNOWN
    assert (requirement.score, requirement.max_score, requirement.details) == (None, None, None)


# --- Requirements: enums, numbers, errors ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("compliant", ComplianceStatus.COMPLIANT),
        ("Compliant", ComplianceStatus.COMPLIANT),
        ("noncomplaint", ComplianceStatus.NONCOMPLIANT),  # the published schema and SDK
        ("nonCompliant", ComplianceStatus.NONCOMPLIANT),  # one example
        ("noncompliant", ComplianceStatus.NONCOMPLIANT),
        ("NONCOMPLIANT", ComplianceStatus.NONCOMPLIANT),
        ("unknownFutureValue", ComplianceStatus.UNKNOWN),
        ("partiallyCompliant", ComplianceStatus.UNKNOWN),  # a member Graph may add
        (None, ComplianceStatus.UNKNOWN),
    ],
)
def test_compliance_status_spellings(raw: str | None, expected: ComplianceStatus) -> None:
    assert parse_requirement(raw_contact_requirement(complianceStatus=raw), "r").compliance_status is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("active", RequirementState.ACTIVE),
        ("preview", RequirementState.PREVIEW),
        ("retired", RequirementState.UNKNOWN),
        ("unknownFutureValue", RequirementState.UNKNOWN),
    ],
)
def test_requirement_state(raw: str, expected: RequirementState) -> None:
    assert parse_requirement(raw_contact_requirement(state=raw), "r").state is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("enabled", PolicyStatus.ENABLED),
        ("disabled", PolicyStatus.DISABLED),
        ("unknownFutureValue", PolicyStatus.UNKNOWN),
    ],
)
def test_policy_status_members(raw: str, expected: PolicyStatus) -> None:
    requirement = parse_requirement(raw_admins_requirement(securityDefaultsStatus=raw), "r")
    assert isinstance(requirement.details, AdminsMfaDetails)
    assert requirement.details.security_defaults_status is expected


def test_int64_counts_sent_as_strings_of_digits() -> None:
    raw = raw_admins_requirement(score="15", maxScore="30", totalAdminsCount="12", mfaEnabledUsersCount="0")
    requirement = parse_requirement(raw, "requirements[0]")
    assert (requirement.score, requirement.max_score) == (15, 30)
    assert isinstance(requirement.details, AdminsMfaDetails)
    assert requirement.details.total_admins_count == 12
    assert requirement.details.mfa_enabled_users_count == 0


def test_int64_as_integral_float_is_accepted() -> None:
    assert parse_requirement(raw_contact_requirement(score=20.0), "r").score == 20


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("abc", "'abc'"),
        (1.5, "1.5"),
        ("1.5", "'1.5'"),
        (True, "True"),
        ("", "''"),
        ([3], "[3]"),
        ("12abc", "'12abc'"),
        ("1e3", "'1e3'"),
        ("9" * 5000, repr("9" * 5000)[:57] + "..."),  # beyond Int64, and beyond int()'s digit limit
    ],
)
def test_int64_that_is_not_a_whole_number_is_an_error(raw: Any, shown: str) -> None:
    with pytest.raises(DataError) as excinfo:
        parse_requirement(raw_customers_mfa_requirement(totalTenantCount=raw), "requirements[1]")
    assert one_line_error(excinfo) == f"requirements[1].totalTenantCount: expected a whole number, got {shown}"


def test_negative_count_is_an_error() -> None:
    with pytest.raises(DataError, match=r"^requirements\[1\]\.compliantTenantCount: expected a count"):
        parse_requirement(raw_customers_mfa_requirement(compliantTenantCount=-1), "requirements[1]")


def test_requirement_id_is_required() -> None:
    raw = raw_contact_requirement()
    del raw["id"]
    with pytest.raises(DataError) as excinfo:
        parse_requirement(raw, "requirements[3]")
    assert one_line_error(excinfo) == "requirements[3].id: required field is missing"


def test_requirement_id_must_not_be_empty() -> None:
    with pytest.raises(DataError, match=r"^requirements\[3\]\.id: must not be empty"):
        parse_requirement(raw_contact_requirement(id="  "), "requirements[3]")


def test_enum_that_is_not_a_string_is_an_error() -> None:
    with pytest.raises(DataError, match=r"^requirements\[0\]\.complianceStatus: expected a string, got 1$"):
        parse_requirement(raw_contact_requirement(complianceStatus=1), "requirements[0]")


def test_requirement_that_is_not_an_object_is_an_error() -> None:
    with pytest.raises(DataError, match=r"^requirements\[0\]: expected a JSON object, got str$"):
        parse_requirement("securityContactProvided", "requirements[0]")  # type: ignore[arg-type]


def test_requirement_extra_properties_are_ignored() -> None:
    raw = raw_contact_requirement(futureField="x", evidence={"a": [1, 2]}, **{"score@odata.type": "#Int64"})
    assert parse_requirement(raw, "r") == parse_requirement(raw_contact_requirement(), "r")


def test_bad_url_type_is_an_error() -> None:
    with pytest.raises(DataError, match=r"^requirements\[0\]\.helpUrl: expected a string, got 42$"):
        parse_requirement(raw_contact_requirement(helpUrl=42), "requirements[0]")


# --- Datetimes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-14T08:15:30.1234567Z", datetime(2025, 3, 14, 8, 15, 30, 123456, tzinfo=UTC)),
        ("2025-03-14T08:15:30.1Z", datetime(2025, 3, 14, 8, 15, 30, 100000, tzinfo=UTC)),
        ("2025-03-14T08:15:30Z", datetime(2025, 3, 14, 8, 15, 30, tzinfo=UTC)),
        ("2025-03-14T10:15:30+02:00", datetime(2025, 3, 14, 8, 15, 30, tzinfo=UTC)),
        ("2025-03-14T03:15:30.5-05:00", datetime(2025, 3, 14, 8, 15, 30, 500000, tzinfo=UTC)),
        ("2025-03-14T08:15:30", datetime(2025, 3, 14, 8, 15, 30, tzinfo=UTC)),  # naive means UTC
    ],
)
def test_datetimes_iso_8601_with_up_to_7_fractional_digits(raw: str, expected: datetime) -> None:
    parsed = parse_score(raw_score(updatedDateTime=raw)).updated_date_time
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(0)


def test_datetime_offset_is_normalised_to_utc_tzinfo() -> None:
    parsed = parse_score(raw_score(lastRefreshDateTime="2025-03-14T10:15:30+02:00")).last_refresh_date_time
    assert parsed is not None
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize("raw", ["yesterday", "2025-13-01T00:00:00Z", "", 1710400000])
def test_bad_datetime_is_an_error_naming_the_field(raw: Any) -> None:
    with pytest.raises(DataError) as excinfo:
        parse_score(raw_score(updatedDateTime=raw))
    assert one_line_error(excinfo).startswith("securityScore.updatedDateTime: expected an ISO 8601 date and time, got")


# --- History -----------------------------------------------------------------------------------


def test_history_point() -> None:
    point = parse_history_point(raw_history("h1", "2024-10-01T00:00:00Z", score="55.75"), "history[0]")
    assert point.id == "h1"
    assert point.created_date_time == datetime(2024, 10, 1, tzinfo=UTC)
    assert point.score == 55.75
    assert (point.compliant_requirements_count, point.total_requirements_count) == (3, 5)


@pytest.mark.parametrize("raw", ["NaN", "INF", "-INF", "Infinity", None])
def test_history_score_not_reported(raw: Any) -> None:
    assert parse_history_point(raw_history("h1", "2024-10-01T00:00:00Z", score=raw), "history[0]").score is None


def test_history_created_date_time_is_required() -> None:
    raw = raw_history("h1", "2024-10-01T00:00:00Z")
    del raw["createdDateTime"]
    with pytest.raises(DataError) as excinfo:
        parse_history_point(raw, "history[2]")
    assert one_line_error(excinfo) == "history[2].createdDateTime: required field is missing"


def test_history_id_is_required() -> None:
    with pytest.raises(DataError, match=r"^history\[2\]\.id: required field is missing$"):
        parse_history_point(raw_history(None, "2024-10-01T00:00:00Z"), "history[2]")  # type: ignore[arg-type]


def test_sparse_unsorted_history_is_sorted_by_time() -> None:
    history = [
        raw_history("h3", "2025-02-10T00:00:00Z", 70),
        raw_history("h1", "2024-06-01T00:00:00.1234567Z", 40),
        raw_history("h2", "2024-11-20T12:00:00+01:00", "55"),
    ]
    snap = build_snapshot(payloads(history=history), provenance())
    assert [p.id for p in snap.history] == ["h1", "h2", "h3"]
    assert [p.score for p in snap.history] == [40.0, 55.0, 70.0]


def test_history_error_names_its_index_in_graph_order() -> None:
    history = [raw_history("h1", "2024-06-01T00:00:00Z"), raw_history("h2", "2024-07-01T00:00:00Z", "lots")]
    with pytest.raises(DataError) as excinfo:
        build_snapshot(payloads(history=history), provenance())
    assert one_line_error(excinfo) == "history[1].score: expected a number, got 'lots'"


# --- Customer insights ------------------------------------------------------------------------------


def test_customer_insight() -> None:
    customer = parse_customer_insight(raw_insight(TENANT_A), "customerInsights[0]")
    assert customer.tenant_id == TENANT_A
    assert customer.display_name is None
    assert customer.mfa is not None
    assert customer.mfa.compliant_admins_count == 2
    assert customer.mfa.compliant_non_admins_count == 45
    assert customer.mfa.total_users_count == 60
    assert customer.mfa.security_defaults_status is PolicyStatus.ENABLED
    assert customer.mfa.mfa_conditional_access_policy_status is PolicyStatus.DISABLED


def test_customer_insight_tenant_id_stored_lower_case() -> None:
    customer = parse_customer_insight(raw_insight(TENANT_A.upper()), "customerInsights[0]")
    assert customer.tenant_id == TENANT_A


def test_customer_insight_counts_as_strings_and_unknown_policies() -> None:
    raw = raw_insight(TENANT_A, totalUsersCount="25000", securityDefaultsStatus="unknownFutureValue")
    raw["mfa"]["legacyPerUserMfaStatus"] = "enforcedSomehow"
    del raw["mfa"]["mfaConditionalAccessPolicyStatus"]
    mfa = parse_customer_insight(raw, "customerInsights[0]").mfa
    assert mfa is not None
    assert mfa.total_users_count == 25000
    assert mfa.security_defaults_status is PolicyStatus.UNKNOWN
    assert mfa.legacy_per_user_mfa_status is PolicyStatus.UNKNOWN
    assert mfa.mfa_conditional_access_policy_status is PolicyStatus.UNKNOWN


def test_customer_insight_with_zero_users() -> None:
    raw = raw_insight(TENANT_A, compliantAdminsCount=0, compliantNonAdminsCount=0, totalUsersCount=0)
    mfa = parse_customer_insight(raw, "customerInsights[0]").mfa
    assert mfa is not None
    assert mfa.total_users_count == 0


def test_customer_insight_without_mfa() -> None:
    assert parse_customer_insight({"tenantId": TENANT_A}, "customerInsights[0]").mfa is None
    assert parse_customer_insight({"tenantId": TENANT_A, "mfa": None}, "customerInsights[0]").mfa is None


def test_customer_insight_bad_count_message() -> None:
    with pytest.raises(DataError) as excinfo:
        parse_customer_insight(raw_insight(TENANT_A, totalUsersCount="abc"), "customerInsights[12]")
    assert one_line_error(excinfo) == "customerInsights[12].mfa.totalUsersCount: expected a whole number, got 'abc'"


def test_customer_insight_tenant_id_is_required() -> None:
    raw = raw_insight(TENANT_A)
    del raw["tenantId"]
    with pytest.raises(DataError) as excinfo:
        parse_customer_insight(raw, "customerInsights[4]")
    assert one_line_error(excinfo) == "customerInsights[4].tenantId: required field is missing"


def test_customer_insight_mfa_must_be_an_object() -> None:
    with pytest.raises(DataError, match=r"^customerInsights\[0\]\.mfa: expected a JSON object, got str$"):
        parse_customer_insight({"tenantId": TENANT_A, "mfa": "yes"}, "customerInsights[0]")


# --- Alerts -------------------------------------------------------------------------------------------


def test_alert() -> None:
    alert = parse_alert(raw_alert("alert-1"), "securityAlerts[0]")
    assert alert.id == "alert-1"
    assert alert.severity is AlertSeverity.HIGH
    assert alert.status is AlertStatus.ACTIVE
    assert alert.is_open
    assert alert.customer_tenant_id == TENANT_A
    assert alert.detected_date_time == datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert alert.resolved_reason is None
    assert alert.is_test is False


@pytest.mark.parametrize("severity", ["informational", "low", "medium", "high"])
def test_alert_severities(severity: str) -> None:
    assert parse_alert(raw_alert("a", severity=severity), "a").severity is AlertSeverity(severity)


@pytest.mark.parametrize("status", ["active", "investigating", "resolved"])
def test_alert_statuses(status: str) -> None:
    assert parse_alert(raw_alert("a", status=status), "a").status is AlertStatus(status)


@pytest.mark.parametrize("reason", ["legitimate", "ignore", "fraud"])
def test_alert_resolved(reason: str) -> None:
    raw = raw_alert(
        "a",
        status="resolved",
        resolvedReason=reason,
        resolvedBy="ops@contoso.example",
        resolvedOnDateTime="2025-03-02T00:00:00Z",
    )
    alert = parse_alert(raw, "a")
    assert alert.resolved_reason is ResolvedReason(reason)
    assert alert.resolved_by == "ops@contoso.example"
    assert not alert.is_open


def test_alert_unknown_enum_members() -> None:
    raw = raw_alert("a", severity="critical", status="unknownFutureValue", resolvedReason="automation")
    alert = parse_alert(raw, "a")
    assert alert.severity is AlertSeverity.UNKNOWN
    assert alert.status is AlertStatus.UNKNOWN
    assert alert.resolved_reason is ResolvedReason.UNKNOWN


def test_alert_is_test_is_kept() -> None:
    assert parse_alert(raw_alert("a", isTest=True), "a").is_test is True


@pytest.mark.parametrize("raw", ["true", 1, "false"])
def test_alert_is_test_is_strictly_boolean(raw: Any) -> None:
    with pytest.raises(DataError) as excinfo:
        parse_alert(raw_alert("a", isTest=raw), "securityAlerts[4]")
    assert one_line_error(excinfo) == f"securityAlerts[4].isTest: expected true or false, got {raw!r}"


def test_alert_minimal() -> None:
    alert = parse_alert({"id": "a"}, "securityAlerts[0]")
    assert alert.severity is AlertSeverity.UNKNOWN
    assert alert.status is AlertStatus.UNKNOWN
    assert alert.detected_date_time is None
    assert alert.customer_tenant_id is None


def test_alert_id_is_required() -> None:
    raw = raw_alert("a")
    del raw["id"]
    with pytest.raises(DataError, match=r"^securityAlerts\[4\]\.id: required field is missing$"):
        parse_alert(raw, "securityAlerts[4]")


def test_alert_tenant_id_lower_case() -> None:
    assert parse_alert(raw_alert("a", customerTenantId=TENANT_B.upper()), "a").customer_tenant_id == TENANT_B


# --- Contracts ------------------------------------------------------------------------------------------


def test_contract() -> None:
    name = parse_contract(raw_contract(TENANT_A.upper(), "Fabrikam Ltd", "fabrikam.onmicrosoft.com"), "contracts[0]")
    assert name == CustomerName(TENANT_A, "Fabrikam Ltd", "fabrikam.onmicrosoft.com", NameSource.CONTRACTS)


def test_contract_blank_names_are_absent() -> None:
    name = parse_contract(raw_contract(TENANT_A, "  ", ""), "contracts[0]")
    assert (name.display_name, name.default_domain_name) == (None, None)


def test_contract_customer_id_is_required() -> None:
    raw = raw_contract(TENANT_A, "x")
    del raw["customerId"]
    with pytest.raises(DataError) as excinfo:
        parse_contract(raw, "contracts[7]")
    assert one_line_error(excinfo) == "contracts[7].customerId: required field is missing"


# --- Building the snapshot ------------------------------------------------------------------------------


def full_payloads() -> GraphPayloads:
    return GraphPayloads(
        score={"value": raw_score()},
        requirements=[
            raw_admins_requirement(),
            raw_customers_mfa_requirement(),
            raw_spending_requirement(),
            raw_response_time_requirement(),
            raw_contact_requirement(),
        ],
        history=[raw_history("h2", "2025-01-01T00:00:00Z", "60"), raw_history("h1", "2024-09-01T00:00:00Z", 50)],
        customer_insights=[raw_insight(TENANT_A), raw_insight(TENANT_B.upper()), raw_insight(TENANT_C)],
        alerts=[
            raw_alert("b", detectedDateTime="2025-03-02T00:00:00Z"),
            raw_alert("a", detectedDateTime="2025-03-02T00:00:00Z"),
            raw_alert("z", detectedDateTime=None),
            raw_alert("c", detectedDateTime="2025-01-01T00:00:00Z", isTest=True),
        ],
        contracts=[
            raw_contract(TENANT_A, "Zephyr Logistics", "zephyr.example"),
            raw_contract(TENANT_B, "alpine Dental", "alpinedental.onmicrosoft.com"),
        ],
    )


def test_build_snapshot_round_trips() -> None:
    snap = build_snapshot(full_payloads(), provenance())
    assert loads(dumps(snap)) == snap
    assert [r.requirement_type for r in snap.requirements] == [
        RequirementType.MFA_ENFORCED_FOR_ADMINS,
        RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS,
        RequirementType.SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS,
        RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED,
        RequirementType.SECURITY_CONTACT_PROVIDED,
    ]
    assert snap.score.current_score == 62.5
    assert snap.provenance == provenance()


def test_build_snapshot_is_deterministic() -> None:
    assert dumps(build_snapshot(full_payloads(), provenance())) == dumps(build_snapshot(full_payloads(), provenance()))


def test_build_snapshot_requirements_keep_graph_order() -> None:
    reqs = [raw_contact_requirement(), raw_admins_requirement()]
    snap = build_snapshot(payloads(requirements=reqs), provenance())
    assert [r.id for r in snap.requirements] == ["securityContactProvided", "mfaEnforcedForAdmins"]


def test_build_snapshot_uses_expanded_requirements_and_history() -> None:
    score = {
        "value": raw_score(
            requirements=[raw_contact_requirement(), raw_response_time_requirement()],
            history=[raw_history("h2", "2025-01-01T00:00:00Z"), raw_history("h1", "2024-01-01T00:00:00Z")],
        )
    }
    snap = build_snapshot(payloads(score=score, requirements=None, history=None), provenance())
    assert [r.id for r in snap.requirements] == ["securityContactProvided", "securityAlertsPromptlyResolved"]
    assert [h.id for h in snap.history] == ["h1", "h2"]


def test_build_snapshot_expanded_error_names_the_item() -> None:
    score = raw_score(requirements=[raw_contact_requirement(), raw_admins_requirement(score="high")])
    with pytest.raises(DataError) as excinfo:
        build_snapshot(payloads(score=score, requirements=None), provenance())
    assert one_line_error(excinfo) == "requirements[1].score: expected a whole number, got 'high'"


def test_build_snapshot_collections_win_over_expansion() -> None:
    score = raw_score(requirements=[raw_contact_requirement()])
    snap = build_snapshot(payloads(score=score, requirements=[raw_admins_requirement()]), provenance())
    assert [r.id for r in snap.requirements] == ["mfaEnforcedForAdmins"]


def test_build_snapshot_without_expansion_or_collections_is_empty() -> None:
    snap = build_snapshot(payloads(requirements=None, history=None), provenance())
    assert (snap.requirements, snap.history) == ((), ())


def test_build_snapshot_expansion_must_be_a_list() -> None:
    with pytest.raises(DataError, match=r"^securityScore\.history: expected a list"):
        build_snapshot(payloads(score=raw_score(history={"id": "h"}), history=None), provenance())


def test_build_snapshot_customers_named_from_contracts_and_sorted() -> None:
    snap = build_snapshot(full_payloads(), provenance())
    labels = [c.label for c in snap.customers]
    assert labels == [TENANT_C, "alpine Dental", "Zephyr Logistics"]  # casefold order; unnamed by tenant id
    alpine = snap.customer(TENANT_B)
    assert alpine is not None
    assert alpine.default_domain_name == "alpinedental.onmicrosoft.com"
    assert alpine.name_source is NameSource.CONTRACTS
    unnamed = snap.customer(TENANT_C)
    assert unnamed is not None
    assert unnamed.name_source is None


def test_build_snapshot_dedupes_insights_case_insensitively_keeping_the_first() -> None:
    insights = [raw_insight(TENANT_A.upper(), totalUsersCount=100), raw_insight(TENANT_A, totalUsersCount=99)]
    snap = build_snapshot(payloads(customer_insights=insights), provenance())
    assert len(snap.customers) == 1
    assert snap.customers[0].tenant_id == TENANT_A
    assert snap.customers[0].mfa is not None
    assert snap.customers[0].mfa.total_users_count == 100
    (gap,) = snap.provenance.data_gaps  # the repeat differs: kept once, and said so
    assert gap.source == "customerInsights[1]"
    assert "listed again with other figures: the first, customerInsights[0], is kept" in gap.reason


def test_build_snapshot_adds_tenants_only_in_contracts_without_mfa() -> None:
    snap = build_snapshot(
        payloads(
            customer_insights=[raw_insight(TENANT_A)], contracts=[raw_contract(TENANT_B.upper(), "Only Contract")]
        ),
        provenance(),
    )
    only = snap.customer(TENANT_B)
    assert only is not None
    assert only.mfa is None
    assert only.display_name == "Only Contract"


def test_build_snapshot_names_override_contracts() -> None:
    names = {
        TENANT_A.upper(): CustomerName(TENANT_A, "Zephyr (from file)", None, NameSource.CUSTOMERS_FILE),
        TENANT_C: CustomerName(TENANT_C, "Cedar Clinic", "cedar.example", NameSource.CUSTOMERS_FILE),
    }
    snap = build_snapshot(full_payloads(), provenance(), names)
    zephyr = snap.customer(TENANT_A)
    assert zephyr is not None
    assert zephyr.display_name == "Zephyr (from file)"
    assert zephyr.default_domain_name == "zephyr.example"  # kept from contracts
    assert zephyr.name_source is NameSource.CUSTOMERS_FILE
    cedar = snap.customer(TENANT_C)
    assert cedar is not None
    assert (cedar.display_name, cedar.name_source) == ("Cedar Clinic", NameSource.CUSTOMERS_FILE)


def test_build_snapshot_names_for_unknown_tenants_add_no_customers() -> None:
    names = {"ffffffff-0000-4000-8000-000000000000": CustomerName("x", "Gone", None, NameSource.CUSTOMERS_FILE)}
    snap = build_snapshot(full_payloads(), provenance(), names)
    assert len(snap.customers) == 3


def test_build_snapshot_alerts_sorted_by_detection_then_id() -> None:
    snap = build_snapshot(full_payloads(), provenance())
    assert [a.id for a in snap.alerts] == ["z", "c", "a", "b"]  # no detection time sorts as the epoch


def test_build_snapshot_failed_optional_sources() -> None:
    snap = build_snapshot(
        payloads(customer_insights=[raw_insight(TENANT_A)], alerts=None, contracts=None), provenance()
    )
    assert snap.alerts == ()
    assert [c.tenant_id for c in snap.customers] == [TENANT_A]
    assert snap.customers[0].display_name is None


def test_build_snapshot_no_customers() -> None:
    snap = build_snapshot(payloads(), provenance())
    assert snap.customers == ()


@pytest.mark.parametrize(
    ("field", "index", "item", "expected"),
    [
        (
            "customer_insights",
            1,
            {"tenantId": TENANT_B, "mfa": {"compliantAdminsCount": "x"}},
            "customerInsights[1].mfa.compliantAdminsCount",
        ),
        ("alerts", 1, {"id": "a", "severity": 3}, "securityAlerts[1].severity"),
        ("contracts", 1, {"customerId": TENANT_B, "displayName": 5}, "contracts[1].displayName"),
        ("requirements", 1, {"id": "r", "maxScore": "ten"}, "requirements[1].maxScore"),
        ("history", 1, {"id": "h"}, "history[1].createdDateTime"),
    ],
)
def test_build_snapshot_errors_name_the_collection_and_index(field: str, index: int, item: Any, expected: str) -> None:
    good = {
        "customer_insights": raw_insight(TENANT_A),
        "alerts": raw_alert("ok"),
        "contracts": raw_contract(TENANT_A, "A"),
        "requirements": raw_contact_requirement(),
        "history": raw_history("h0", "2024-01-01T00:00:00Z"),
    }[field]
    assert index == 1
    with pytest.raises(DataError) as excinfo:
        build_snapshot(payloads(**{field: [good, item]}), provenance())
    assert one_line_error(excinfo).startswith(f"{expected}: ")


# --- Raw JSON text as Graph sends it ----------------------------------------------------------------

INSIGHTS_PAGE = """{
  "@odata.context": "https://graph.microsoft.com/beta/$metadata#security/partner/securityScore/customerInsights",
  "@odata.nextLink": "https://graph.microsoft.com/beta/security/partner/securityScore/customerInsights?$skiptoken=Mi0y",
  "value": [
    {
      "tenantId": "5F6A7B8C-1D2E-4F30-8A9B-0C1D2E3F4A5B",
      "mfa": {
        "@odata.type": "#microsoft.graph.partner.security.customerMfaInsight",
        "compliantAdminsCount": "4",
        "compliantNonAdminsCount": 1200,
        "totalUsersCount": "1250",
        "securityDefaultsStatus": "disabled",
        "mfaConditionalAccessPolicyStatus": "enabled",
        "legacyPerUserMfaStatus": "unknownFutureValue",
        "someNewSignal": true
      }
    }
  ]
}"""

SCORE_BODY = """{
  "@odata.context": "https://graph.microsoft.com/beta/$metadata#security/partner/securityScore",
  "value": {
    "@odata.type": "#microsoft.graph.partner.security.partnerSecurityScore",
    "id": "score",
    "currentScore": NaN,
    "maxScore": "100",
    "updatedDateTime": "2025-03-14T08:15:30.1234567Z",
    "lastRefreshDateTime": "2025-03-15T02:00:00.0000000Z",
    "history": [
      {"id": "h2", "createdDateTime": "2025-02-01T00:00:00Z", "score": "-INF", "compliantRequirementsCount": "2"},
      {"id": "h1", "createdDateTime": "2024-11-05T00:00:00.5Z", "score": 41.5, "totalRequirementsCount": 5}
    ]
  }
}"""


def test_raw_json_text_pages_and_bodies() -> None:
    insights = json.loads(INSIGHTS_PAGE)["value"]
    score = json.loads(SCORE_BODY)  # Python's json reads the bare NaN literal too
    snap = build_snapshot(payloads(score=score, history=None, customer_insights=insights), provenance())
    assert snap.score.current_score is None
    assert snap.score.max_score == 100.0
    assert [(h.id, h.score) for h in snap.history] == [("h1", 41.5), ("h2", None)]
    (customer,) = snap.customers
    assert customer.tenant_id == TENANT_A
    assert customer.mfa is not None
    assert (customer.mfa.compliant_admins_count, customer.mfa.total_users_count) == (4, 1250)
    assert customer.mfa.legacy_per_user_mfa_status is PolicyStatus.UNKNOWN
    assert loads(dumps(snap)) == snap


def test_lone_surrogate_in_text_is_replaced_so_the_snapshot_can_be_written() -> None:
    raw = '[{"customerId": "TENANT", "displayName": "Broken \\ud800 Name"}]'.replace("TENANT", TENANT_A)
    contracts = json.loads(raw)
    snap = build_snapshot(payloads(customer_insights=[raw_insight(TENANT_A)], contracts=contracts), provenance())
    assert snap.customers[0].display_name == "Broken \ufffd Name"
    assert loads(dumps(snap)) == snap


def test_single_beyond_float_range_is_not_reported() -> None:
    assert parse_score(raw_score(currentScore=10**400, maxScore="1e400")).current_score is None
    assert parse_score(raw_score(maxScore="1e400")).max_score is None


# --- Values outside the model's ranges: one line naming the field, never a snapshot that cannot render ---


@pytest.mark.parametrize("raw", [1e308, -1e308, "3e38", 1_000_000.5, 10**7])
def test_single_within_float_range_but_beyond_the_score_limit_is_an_error_naming_the_field(raw: Any) -> None:
    with pytest.raises(DataError) as excinfo:
        parse_score(raw_score(currentScore=raw))
    assert one_line_error(excinfo).startswith("securityScore.currentScore: expected a number from -1e+06 to 1e+06, got")
    with pytest.raises(DataError) as excinfo:
        parse_history_point(raw_history("h1", "2024-10-01T00:00:00Z", score=raw), "history[4]")
    assert one_line_error(excinfo).startswith("history[4].score: expected a number from -1e+06 to 1e+06, got")


def test_score_at_the_limit_and_negative_is_kept() -> None:
    assert parse_score(raw_score(currentScore=-1_000_000, maxScore="1e6")).current_score == -1_000_000.0
    assert parse_score(raw_score(maxScore="1e6")).max_score == 1_000_000.0


@pytest.mark.parametrize("raw", [-0.5, "-1", 1e7, 1e308])
def test_response_time_out_of_range_is_an_error_naming_the_field(raw: Any) -> None:
    with pytest.raises(DataError) as excinfo:
        parse_requirement(raw_response_time_requirement(averageResponseTimeInHours=raw), "requirements[2]")
    message = one_line_error(excinfo)
    assert message.startswith("requirements[2].averageResponseTimeInHours: expected a number from 0 to 1e+06, got")


def test_count_beyond_ten_to_the_twelve_is_an_error_naming_the_field() -> None:
    raw = raw_customers_mfa_requirement(totalTenantCount=10**12 + 1)
    with pytest.raises(DataError) as excinfo:
        parse_requirement(raw, "requirements[1]")
    assert one_line_error(excinfo) == (
        "requirements[1].totalTenantCount: expected a whole number from 0 to 1000000000000, got 1000000000001"
    )
    with pytest.raises(DataError, match=r"^customerInsights\[3\]\.mfa\.totalUsersCount: expected a whole number"):
        parse_customer_insight(raw_insight(TENANT_A, totalUsersCount=str(2**63 - 1)), "customerInsights[3]")


def test_requirement_points_beyond_the_score_limit_are_an_error() -> None:
    with pytest.raises(DataError, match=r"^requirements\[3\]\.score: expected a whole number from -1000000 to"):
        parse_requirement(raw_contact_requirement(score=-(2**62)), "requirements[3]")


@pytest.mark.parametrize(
    "raw",
    [
        "9999-12-31T23:59:59Z",
        "2108-01-01T00:00:00Z",
        "2101-01-01T00:00:00Z",
        "2100-12-31T20:00:00-05:00",
        "1999-12-31T23:59:59.9999999Z",
        "2000-01-01T01:00:00+02:00",
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:00:00-05:00",
    ],
)
def test_datetime_outside_2000_to_2100_is_an_error_naming_the_field(raw: str) -> None:
    with pytest.raises(DataError) as excinfo:
        parse_score(raw_score(updatedDateTime=raw))
    assert one_line_error(excinfo) == (
        f"securityScore.updatedDateTime: expected a date and time from 2000-01-01 to 2100-12-31 UTC, got {raw!r}"
    )
    with pytest.raises(DataError, match=r"^history\[0\]\.createdDateTime: expected a date and time from 2000"):
        parse_history_point(raw_history("h1", raw), "history[0]")
    with pytest.raises(DataError, match=r"^securityAlerts\[0\]\.detectedDateTime: expected a date and time from"):
        parse_alert(raw_alert("a", detectedDateTime=raw), "securityAlerts[0]")


def test_datetime_at_the_bounds_is_kept() -> None:
    first = parse_score(raw_score(updatedDateTime="2000-01-01T00:00:00Z")).updated_date_time
    last = parse_score(raw_score(updatedDateTime="2100-12-31T23:59:59.9999999Z")).updated_date_time
    assert first == datetime(2000, 1, 1, tzinfo=UTC)
    assert last == datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def test_build_snapshot_lists_a_tenant_once_whatever_the_case_in_insights_contracts_and_names() -> None:
    snap = build_snapshot(
        payloads(
            customer_insights=[raw_insight(TENANT_A.upper()), raw_insight(TENANT_A)],
            contracts=[
                raw_contract(TENANT_A, "Alpha"),
                raw_contract(TENANT_A.upper(), "ALPHA"),
                raw_contract(TENANT_B, "B"),
            ],
        ),
        provenance(),
        {TENANT_B.upper(): CustomerName(TENANT_B.upper(), "Bravo", None, NameSource.CUSTOMERS_FILE)},
    )
    assert [(c.tenant_id, c.display_name) for c in snap.customers] == [(TENANT_A, "Alpha"), (TENANT_B, "Bravo")]
    assert loads(dumps(snap)) == snap


# --- Never a traceback: any JSON either parses or is a one-line DataError ---------------------------

FUZZ_KEYS = {
    "score": ["id", "currentScore", "maxScore", "updatedDateTime", "lastRefreshDateTime", "value"],
    "requirement": [
        "id",
        "requirementType",
        "complianceStatus",
        "score",
        "maxScore",
        "state",
        "helpUrl",
        "updatedDateTime",
        "totalAdminsCount",
        "securityDefaultsStatus",
        "compliantTenantCount",
        "averageResponseTimeInHours",
    ],
    "history": ["id", "createdDateTime", "score", "compliantRequirementsCount"],
    "insight": ["tenantId", "mfa"],
    "alert": ["id", "severity", "status", "detectedDateTime", "resolvedReason", "isTest", "customerTenantId"],
    "contract": ["customerId", "displayName", "defaultDomainName"],
}
PARSERS: dict[str, Callable[[Any, str], object]] = {
    "score": parse_score,
    "requirement": parse_requirement,
    "history": parse_history_point,
    "insight": parse_customer_insight,
    "alert": parse_alert,
    "contract": parse_contract,
}


@pytest.mark.parametrize("kind", sorted(PARSERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_json_parses_or_is_a_one_line_data_error(kind: str, data: st.DataObject) -> None:
    item = data.draw(strategies.raw_objects(FUZZ_KEYS[kind]))
    if kind == "insight" and isinstance(item.get("mfa"), dict):
        item["mfa"] = data.draw(strategies.raw_objects(["totalUsersCount", "legacyPerUserMfaStatus"]))
    try:
        PARSERS[kind](item, f"{kind}s[0]")
    except DataError as exc:
        message = str(exc)
        assert "\n" not in message
        assert message.startswith(f"{kind}s[0]")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    insights=st.lists(strategies.raw_objects(["tenantId", "mfa"]), max_size=3),
    contracts=st.lists(strategies.raw_objects(["customerId", "displayName"]), max_size=3),
)
def test_any_collections_build_a_snapshot_or_a_data_error(insights: list[Any], contracts: list[Any]) -> None:
    try:
        snap = build_snapshot(payloads(customer_insights=insights, contracts=contracts), provenance())
    except DataError as exc:
        message = str(exc)
        assert "\n" not in message
    else:
        assert loads(dumps(snap)) == snap


# --- The raw Graph responses kept in samples/ build the snapshot kept beside them ----------------------

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def raw_sample_folders() -> list[Path]:
    return sorted(p.parent for p in SAMPLES.glob("*/raw") if (p.parent / "snapshot.json").is_file())


def read_pages(raw: Path, name: str) -> list[dict[str, Any]] | None:
    """Every item of a collection's pages, in page order; the pages link up as Graph links them."""
    pages = sorted(raw.glob(f"{name}-page-*.json"), key=lambda p: int(p.stem.rpartition("-")[2]))
    if not pages:
        return None
    items: list[dict[str, Any]] = []
    for number, page in enumerate(pages, start=1):
        assert page.name == f"{name}-page-{number}.json"
        body = json.loads(page.read_bytes())
        assert isinstance(body["value"], list)
        assert ("@odata.nextLink" in body) == (number < len(pages)), page
        items.extend(body["value"])
    return items


@pytest.mark.parametrize("folder", raw_sample_folders(), ids=lambda p: p.name)
def test_raw_sample_builds_the_snapshot_beside_it(folder: Path) -> None:
    kept = loads((folder / "snapshot.json").read_bytes())
    raw = folder / "raw"
    score = json.loads((raw / "securityScore.json").read_bytes())
    payloads = GraphPayloads(
        score=score,
        requirements=read_pages(raw, "requirements") or [],
        history=read_pages(raw, "history") or [],
        customer_insights=read_pages(raw, "customerInsights") or [],
        alerts=read_pages(raw, "securityAlerts"),
        contracts=read_pages(raw, "contracts"),
    )
    built = build_snapshot(payloads, kept.provenance)
    assert built.model_dump() == kept.model_dump()
    assert dumps(built) == dumps(kept)
