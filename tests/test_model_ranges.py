"""The model holds values to sane ranges and lists each tenant once, so whatever validates can be rendered."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from reporter.errors import DataError
from reporter.model import (
    EARLIEST,
    LATEST,
    MAX_COUNT,
    MAX_HOURS,
    SCORE_LIMIT,
    Customer,
    HistoryPoint,
    MfaInsight,
    PartnerScore,
    ResponseTimeDetails,
)
from reporter.snapshot import describe_validation_error, dumps, loads
from tests import factories as f


def one_line(build: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as excinfo:
        build()
    message = describe_validation_error(excinfo.value)
    assert "\n" not in message
    return message


# --- Scores -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e308, -1e308, SCORE_LIMIT + 0.5, -SCORE_LIMIT - 0.5, 3.4e38])
def test_score_beyond_the_limit_is_rejected_naming_the_field(value: float) -> None:
    assert one_line(lambda: PartnerScore(current_score=value, max_score=100.0)).startswith("current_score: ")
    assert one_line(lambda: PartnerScore(current_score=1.0, max_score=value)).startswith("max_score: ")
    when = datetime(2025, 1, 1, tzinfo=UTC)
    assert one_line(lambda: HistoryPoint(id="h", created_date_time=when, score=value)).startswith("score: ")


@pytest.mark.parametrize("value", [-SCORE_LIMIT, -12.5, 0.0, 100.0, SCORE_LIMIT])
def test_score_within_the_limit_negative_too_is_kept(value: float) -> None:
    assert PartnerScore(current_score=value, max_score=value).current_score == value


# --- Counts and hours -----------------------------------------------------------------------


def test_count_beyond_ten_to_the_twelve_is_rejected() -> None:
    assert MfaInsight(total_users_count=MAX_COUNT).total_users_count == MAX_COUNT
    assert one_line(lambda: MfaInsight(total_users_count=MAX_COUNT + 1)).startswith("total_users_count: ")
    assert one_line(lambda: MfaInsight(total_users_count=2**63 - 1)).startswith("total_users_count: ")


@pytest.mark.parametrize("value", [-0.5, MAX_HOURS + 1, 1e308])
def test_response_time_is_not_negative_and_bounded(value: float) -> None:
    message = one_line(lambda: ResponseTimeDetails(average_response_time_in_hours=value))
    assert message.startswith("average_response_time_in_hours: ")


def test_response_time_within_range_is_kept() -> None:
    assert ResponseTimeDetails(average_response_time_in_hours=0.0).average_response_time_in_hours == 0.0
    assert ResponseTimeDetails(average_response_time_in_hours=MAX_HOURS).average_response_time_in_hours == MAX_HOURS


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        datetime(9999, 12, 31, tzinfo=UTC),
        datetime(2108, 1, 1, tzinfo=UTC),
        datetime(2101, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),  # before year 1 in UTC
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),  # after year 9999 in UTC
        datetime(2100, 12, 31, 20, tzinfo=timezone(timedelta(hours=-5))),  # 2101 in UTC
    ],
)
def test_datetime_outside_2000_to_2100_is_rejected_naming_the_field(when: datetime) -> None:
    message = one_line(lambda: PartnerScore(current_score=1.0, max_score=1.0, updated_date_time=when))
    assert message.startswith("updated_date_time: expected a date and time from 2000-01-01 to 2100-12-31 UTC")


def test_datetime_bounds_are_inclusive_and_offsets_are_compared_in_utc() -> None:
    for when in (EARLIEST, LATEST, datetime(2000, 1, 1, 9, tzinfo=timezone(timedelta(hours=9)))):
        point = HistoryPoint(id="h", created_date_time=when, score=None)
        assert point.created_date_time == when
        assert point.created_date_time.tzinfo is UTC


# --- Tenant ids ------------------------------------------------------------------------------

T1 = "0a1b2c3d-0000-4000-8000-000000000001"
T2 = "0a1b2c3d-0000-4000-8000-000000000002"
T10 = "0a1b2c3d-0000-4000-8000-000000000010"


@pytest.mark.parametrize("bad", ["", "t1", "/../../../tmp/evil", "..", "CON", T1 + " ", "urn:uuid:" + T1])
def test_tenant_id_must_be_a_guid(bad: str) -> None:
    assert one_line(lambda: Customer(tenant_id=bad)).startswith("tenant_id: expected a tenant id (a GUID")


def test_tenant_id_is_stored_in_lower_case() -> None:
    assert Customer(tenant_id=T1.upper()).tenant_id == T1


@pytest.mark.parametrize(("first", "second"), [(T1, T1), (T1, T1.upper())])
def test_a_tenant_listed_twice_makes_the_snapshot_invalid(first: str, second: str) -> None:
    message = one_line(lambda: f.snapshot(customers=(f.customer(first, "A"), f.customer(T2), f.customer(second))))
    assert message.startswith(f"customers: tenant id {T1!r} is listed twice, at customers[0] and customers[2]")


def test_a_tenant_listed_twice_in_a_file_is_a_one_line_data_error() -> None:
    data = json.loads(dumps(f.snapshot(customers=(f.customer(T1, "A"), f.customer(T2, "B")))))
    data["customers"][1]["tenantId"] = T1.upper()
    with pytest.raises(DataError) as excinfo:
        loads(json.dumps(data))
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(f"snapshot: customers: tenant id {T1!r} is listed twice")
    assert "got" not in message  # the whole list is not dumped into the message


def test_distinct_tenants_are_kept_in_order() -> None:
    snap = f.snapshot(customers=(f.customer(T2), f.customer(T1), f.customer(T10)))
    assert [c.tenant_id for c in snap.customers] == [T2, T1, T10]
    assert loads(dumps(snap)) == snap


def test_each_value_at_its_limit_round_trips() -> None:
    snap = f.snapshot(
        score=PartnerScore(current_score=-SCORE_LIMIT, max_score=SCORE_LIMIT, updated_date_time=LATEST),
        history=(HistoryPoint(id="h", created_date_time=EARLIEST, score=SCORE_LIMIT, total_requirements_count=0),),
        customers=(Customer(tenant_id=T1, mfa=MfaInsight(total_users_count=MAX_COUNT)),),
    )
    assert loads(dumps(snap)) == snap
