"""The generated world: deterministic, realistic, consistent, evolving month to month, and quick."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from reporter.emulator import CustomerOverride, build_world
from reporter.emulator.names import CURATED_NAMES, domain_for
from reporter.emulator.options import Quirks
from reporter.emulator.quirks import apply_quirks

NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)
NS = "#microsoft.graph.partner.security."


def coverage(mfa: dict[str, Any]) -> float:
    users = mfa["totalUsersCount"]
    return (mfa["compliantAdminsCount"] + mfa["compliantNonAdminsCount"]) / users if users else 0.0


def test_the_same_inputs_give_the_same_world() -> None:
    assert build_world(5, 30, NOVEMBER) == build_world(5, 30, NOVEMBER)
    assert build_world(5, 30, NOVEMBER) != build_world(6, 30, NOVEMBER)


def test_requirements_have_their_subtypes_and_consistent_counts() -> None:
    world = build_world(5, 60, NOVEMBER)
    by_type = {r["@odata.type"].removeprefix(NS): r for r in world.requirements}
    assert set(by_type) == {
        "adminsMfaEnforcedSecurityRequirement",
        "customersMfaEnforcedSecurityRequirement",
        "customersSpendingBudgetSecurityRequirement",
        "responseTimeSecurityRequirement",
        "securityRequirement",
    }
    for requirement in world.requirements:
        assert 0 <= requirement["score"] <= requirement["maxScore"]
        assert requirement["state"] in ("active", "preview")
        assert (requirement["complianceStatus"] == "compliant") == (requirement["score"] == requirement["maxScore"])
    assert len({r["maxScore"] for r in world.requirements}) > 1
    customers_mfa = by_type["customersMfaEnforcedSecurityRequirement"]
    assert customers_mfa["totalTenantCount"] == 60
    assert customers_mfa["compliantTenantCount"] <= 60
    admins = by_type["adminsMfaEnforcedSecurityRequirement"]
    assert admins["mfaEnabledAdminsCount"] + admins["adminsRequiredNotUsingMfaCount"] == admins["totalAdminsCount"]
    assert 0 <= world.score["currentScore"] <= world.score["maxScore"] == 100


def test_customers_spread_over_sizes_and_postures() -> None:
    world = build_world(9, 400, NOVEMBER)
    sizes = [c["mfa"]["totalUsersCount"] for c in world.customer_insights]
    assert min(sizes) == 0
    assert max(sizes) > 10_000
    assert sum(1 <= size <= 20 for size in sizes) > 20
    shares = [coverage(c["mfa"]) for c in world.customer_insights if c["mfa"]["totalUsersCount"]]
    assert min(shares) < 0.1
    assert max(shares) > 0.97
    postures = Counter(
        (m["securityDefaultsStatus"], m["mfaConditionalAccessPolicyStatus"], m["legacyPerUserMfaStatus"])
        for m in (c["mfa"] for c in world.customer_insights)
    )
    assert len(postures) >= 5
    for mfa in (c["mfa"] for c in world.customer_insights):
        assert mfa["compliantAdminsCount"] + mfa["compliantNonAdminsCount"] <= mfa["totalUsersCount"]


def test_history_is_sparse_and_before_as_of() -> None:
    world = build_world(20261102, 40, NOVEMBER)
    assert 6 <= len(world.history) <= 12
    times = [datetime.fromisoformat(point["createdDateTime"]) for point in world.history]
    assert times == sorted(times)
    assert all(datetime(2025, 5, 1, tzinfo=UTC) <= when < NOVEMBER for when in times)
    assert world.history[-1]["score"] == world.score["currentScore"]


def test_alerts_cover_every_severity_and_status_for_current_customers() -> None:
    world = build_world(20261102, 40, NOVEMBER)
    assert {a["severity"] for a in world.alerts} == {"informational", "low", "medium", "high"}
    assert {a["status"] for a in world.alerts} == {"active", "investigating", "resolved"}
    assert any(a["isTest"] for a in world.alerts)
    tenants = {c["tenantId"] for c in world.customer_insights}
    assert {a["customerTenantId"] for a in world.alerts} <= tenants
    for alert in world.alerts:
        resolved = alert["status"] == "resolved"
        assert (alert["resolvedOnDateTime"] is not None) == resolved
        assert (alert["resolvedReason"] in ("legitimate", "ignore", "fraud")) == resolved


def test_a_customer_keeps_its_name_from_month_to_month_and_newcomers_get_fresh_names() -> None:
    before, after = build_world(1, 40, NOVEMBER), build_world(1, 40, datetime(2026, 12, 1, tzinfo=UTC))
    names_before = {c["customerId"]: c["displayName"] for c in before.contracts}
    names_after = {c["customerId"]: c["displayName"] for c in after.contracts}
    stayed = names_before.keys() & names_after.keys()
    assert stayed
    assert all(names_before[t] == names_after[t] for t in stayed)
    newcomers = {names_after[t] for t in names_after.keys() - names_before.keys()}
    assert not newcomers & set(names_before.values())


def test_contracts_miss_a_few_tenants() -> None:
    world = build_world(3, 1000, NOVEMBER)
    listed = {c["customerId"] for c in world.contracts}
    assert listed < {c["tenantId"] for c in world.customer_insights}
    assert 20 <= 1000 - len(listed) <= 90
    assert all(c["contractType"] == "ResellerPartner" for c in world.contracts)
    assert all(c["defaultDomainName"].endswith(".onmicrosoft.com") for c in world.contracts)


def test_small_worlds_use_curated_names_and_large_ones_stay_unique() -> None:
    small = build_world(4, 20, NOVEMBER)
    small_names = [c["displayName"] for c in small.contracts]
    assert len(set(small_names)) == len(small_names)
    # Customers who left keep their names, so later joiners may get composed names.
    assert len(set(small_names) & set(CURATED_NAMES)) >= len(small_names) // 2
    large = build_world(4, 6000, NOVEMBER)
    names = [c["displayName"] for c in large.contracts]
    domains = [c["defaultDomainName"] for c in large.contracts]
    assert len(set(names)) == len(names)
    assert len(set(domains)) == len(domains)
    assert domain_for("Harbor Freight Logistics Ltd") == "harborfreightlogistics.onmicrosoft.com"


def test_the_world_evolves_from_one_month_to_the_next() -> None:
    before = build_world(20261102, 40, NOVEMBER)
    after = build_world(20261102, 40, DECEMBER)
    old = {c["tenantId"]: c["mfa"] for c in before.customer_insights}
    new = {c["tenantId"]: c["mfa"] for c in after.customer_insights}
    assert len(set(new) - set(old)) == 1  # one customer gained
    assert len(set(old) - set(new)) == 1  # one lost
    kept = set(old) & set(new)
    up = sum(coverage(new[t]) > coverage(old[t]) for t in kept)
    down = sum(coverage(new[t]) < coverage(old[t]) for t in kept)
    assert up > down > 0

    def policy(mfa: dict[str, Any]) -> tuple[str, str, str]:
        return (mfa["securityDefaultsStatus"], mfa["mfaConditionalAccessPolicyStatus"], mfa["legacyPerUserMfaStatus"])

    assert any(policy(new[t]) != policy(old[t]) for t in kept)
    assert {a["id"] for a in after.alerts} - {a["id"] for a in before.alerts}  # new alerts
    changed = [a for a in before.requirements for b in after.requirements if a["id"] == b["id"] and a != b]
    assert changed  # a requirement's status or score moved
    assert [p for p in before.history if p in after.history] == [
        p for p in before.history if p["createdDateTime"] >= after.history[0]["createdDateTime"]
    ]


def test_overrides_fix_names_and_sizes() -> None:
    override = CustomerOverride(name="<b>Bold</b> & Co", domain="bold.onmicrosoft.com", users=0, in_contracts=True)
    world = build_world(1, 3, NOVEMBER, overrides=(override,))
    assert world.customer_insights[0]["mfa"]["totalUsersCount"] == 0
    contract = next(c for c in world.contracts if c["customerId"] == world.customer_insights[0]["tenantId"])
    assert (contract["displayName"], contract["defaultDomainName"]) == ("<b>Bold</b> & Co", "bold.onmicrosoft.com")


def test_quirks_change_only_the_presentation() -> None:
    world = build_world(20261102, 40, NOVEMBER)
    quirky = apply_quirks(world, Quirks())
    assert isinstance(quirky.score["currentScore"], str)
    assert float(quirky.score["currentScore"]) == world.score["currentScore"]
    assert "noncomplaint" in {r["complianceStatus"] for r in quirky.requirements}
    assert "NaN" in [p["score"] for p in quirky.history]
    assert "unknownFutureValue" in {c["mfa"]["legacyPerUserMfaStatus"] for c in quirky.customer_insights}
    assert apply_quirks(world, Quirks(False, False, False, False)).requirements == world.requirements
    assert world == build_world(20261102, 40, NOVEMBER)  # the clean world was not changed


def test_as_of_must_leave_room_for_history() -> None:
    with pytest.raises(ValueError, match="as_of"):
        build_world(1, 5, datetime(2015, 6, 1, tzinfo=UTC))


def test_five_thousand_customers_are_generated_each_once() -> None:
    """How fast is for the collect benchmark (it builds larger worlds); here, only that it is complete."""
    world = build_world(1, 5000, NOVEMBER)
    assert len(world.customer_insights) == 5000
    assert len({c["tenantId"] for c in world.customer_insights}) == 5000
