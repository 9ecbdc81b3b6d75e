"""Graph data the model cannot hold as it is: tenant ids that are not GUIDs, too-long or control-laden text,
repeated items, impossible figures, and customers-file rows for tenants Graph did not list.

Each is made to fit and recorded as a data gap (never silently), or refused; the snapshot built is always valid.
"""

from __future__ import annotations

from typing import Any

import pytest

from reporter.collect.parse import MAX_NOTES, CustomerName, build_snapshot, clean_text
from reporter.errors import DataError
from reporter.model import NAME_LIMIT, TEXT_LIMIT, URL_LIMIT, NameSource, Snapshot
from reporter.snapshot import dumps, loads
from tests.test_parse import (
    TENANT_A,
    TENANT_B,
    TENANT_C,
    payloads,
    provenance,
    raw_alert,
    raw_contact_requirement,
    raw_contract,
    raw_history,
    raw_insight,
    raw_score,
)


def built(**overrides: Any) -> Snapshot:
    snap = build_snapshot(payloads(**overrides), provenance())
    assert loads(dumps(snap)) == snap  # whatever parse builds, a snapshot file can hold
    return snap


def gaps(snap: Snapshot) -> dict[str, str]:
    return {gap.source: gap.reason for gap in snap.provenance.data_gaps}


# --- 8: tenant ids that are not GUIDs -------------------------------------------------------------


@pytest.mark.parametrize("bad", ["t1", "", " ", "../../evil", TENANT_A + "0", "{" + TENANT_A + "}"])
def test_a_customer_insight_without_a_guid_tenant_is_left_out_and_recorded(bad: object) -> None:
    odd = raw_insight(TENANT_B)
    odd["tenantId"] = bad
    snap = built(customer_insights=[raw_insight(TENANT_A), odd])
    assert [c.tenant_id for c in snap.customers] == [TENANT_A]
    reason = gaps(snap)["customerInsights[1].tenantId"]
    assert reason == f"{bad!r} is not a tenant id (a GUID): this customer is left out"


@pytest.mark.parametrize(("bad", "problem"), [(None, "required field is missing"), (12, "expected a string")])
def test_an_insight_without_any_tenant_id_is_malformed(bad: object, problem: str) -> None:
    odd = raw_insight(TENANT_B)
    odd["tenantId"] = bad
    with pytest.raises(DataError, match=rf"^customerInsights\[1\]\.tenantId: {problem}"):
        built(customer_insights=[raw_insight(TENANT_A), odd])


def test_a_contract_without_a_guid_customer_is_left_out_and_recorded() -> None:
    snap = built(contracts=[raw_contract(TENANT_A, "Kept"), raw_contract("not-a-guid", "Dropped")])
    assert [c.display_name for c in snap.customers] == ["Kept"]
    assert gaps(snap)["contracts[1].customerId"] == "'not-a-guid' is not a tenant id (a GUID): its names are not used"


def test_an_alert_with_a_non_guid_customer_is_counted_for_no_customer_and_recorded() -> None:
    snap = built(
        alerts=[raw_alert("a1", customerTenantId="tenant-one"), raw_alert("a2", customerTenantId=TENANT_B.upper())]
    )
    by_id = {a.id: a for a in snap.alerts}
    assert by_id["a1"].customer_tenant_id is None
    assert by_id["a2"].customer_tenant_id == TENANT_B
    assert "'tenant-one' is not a tenant id" in gaps(snap)["securityAlerts[0].customerTenantId"]


def test_tenant_ids_are_stored_in_lower_case() -> None:
    snap = built(customer_insights=[raw_insight(TENANT_A.upper())], contracts=[raw_contract(TENANT_A.upper(), "A")])
    assert [(c.tenant_id, c.display_name) for c in snap.customers] == [(TENANT_A, "A")]
    assert snap.provenance.data_gaps == ()


# --- 11: text lengths ------------------------------------------------------------------------------


def test_a_too_long_name_is_cut_with_an_ellipsis_and_recorded() -> None:
    snap = built(customer_insights=[raw_insight(TENANT_A)], contracts=[raw_contract(TENANT_A, "N" * 10_000_000)])
    name = snap.customers[0].display_name
    assert name is not None
    assert len(name) == NAME_LIMIT
    assert name.endswith("N\u2026")
    assert gaps(snap)["contracts[0].displayName"] == f"10,000,000 characters, cut to the {NAME_LIMIT} a report shows"


def test_a_too_long_alert_description_is_cut_and_a_too_long_url_dropped() -> None:
    snap = built(
        alerts=[raw_alert("a1", description="d" * (TEXT_LIMIT + 1), displayName="x" * (NAME_LIMIT + 5))],
        requirements=[raw_contact_requirement(actionUrl="https://x.example/" + "p" * URL_LIMIT, helpUrl="https://ok")],
    )
    assert len(snap.alerts[0].description or "") == TEXT_LIMIT
    assert len(snap.alerts[0].display_name or "") == NAME_LIMIT
    assert snap.requirements[0].action_url is None
    assert snap.requirements[0].help_url == "https://ok"
    found = gaps(snap)
    assert {"securityAlerts[0].description", "securityAlerts[0].displayName", "requirements[0].actionUrl"} <= set(found)
    assert "left out" in found["requirements[0].actionUrl"]


def test_a_too_long_id_is_refused() -> None:
    with pytest.raises(DataError, match=r"^securityAlerts\[0\]\.id: expected an id of at most 256 characters"):
        built(alerts=[raw_alert("a" * 300)])


def test_many_changes_are_recorded_up_to_a_limit_and_counted() -> None:
    alerts = [raw_alert(f"a{i}", customerTenantId=f"bad-{i}") for i in range(MAX_NOTES + 7)]
    snap = built(alerts=alerts)
    assert len(snap.provenance.data_gaps) == MAX_NOTES + 1
    assert snap.provenance.data_gaps[-1].reason == "7 more items were changed or left out as above"


# --- 13: repeats and impossible figures -----------------------------------------------------------------


def test_identical_repeats_are_kept_once_silently() -> None:
    snap = built(
        alerts=[raw_alert("a1"), raw_alert("a1")],
        requirements=[raw_contact_requirement(), raw_contact_requirement()],
        history=[raw_history("h1", "2025-01-01T00:00:00Z"), raw_history("h1", "2025-01-01T00:00:00Z")],
        customer_insights=[raw_insight(TENANT_A), raw_insight(TENANT_A.upper())],
    )
    assert (len(snap.alerts), len(snap.requirements), len(snap.history), len(snap.customers)) == (1, 1, 1, 1)
    assert snap.provenance.data_gaps == ()


def test_a_repeat_with_other_figures_keeps_the_first_and_is_recorded() -> None:
    snap = built(
        alerts=[raw_alert("a1", severity="high"), raw_alert("a1", severity="low")],
        requirements=[raw_contact_requirement(), raw_contact_requirement(score=10)],
    )
    assert [a.severity.value for a in snap.alerts] == ["high"]
    assert [r.score for r in snap.requirements] == [20]
    found = gaps(snap)
    assert "alert 'a1' is listed again with other figures" in found["securityAlerts[1]"]
    assert "the first, requirements[0], is kept" in found["requirements[1]"]


@pytest.mark.parametrize(
    ("overrides", "source", "words"),
    [
        (
            {"customer_insights": [raw_insight(TENANT_A, compliantAdminsCount=80, compliantNonAdminsCount=45)]},
            f"customer {TENANT_A}",
            "compliantAdminsCount + compliantNonAdminsCount (80 + 45) is more than totalUsersCount (60)",
        ),
        (
            {"score": raw_score(currentScore=120, maxScore=100)},
            "securityScore",
            "currentScore (120) is more than maxScore (100)",
        ),
        (
            {"requirements": [raw_contact_requirement(score=30, maxScore=20)]},
            "requirements[0]",
            "score (30) is more than maxScore (20)",
        ),
        (
            {
                "history": [
                    raw_history("h1", "2025-01-01T00:00:00Z", compliantRequirementsCount=5, totalRequirementsCount=4)
                ]
            },
            "history[0]",
            "compliantRequirementsCount (5) is more than totalRequirementsCount (4)",
        ),
    ],
)
def test_impossible_figures_become_not_available_and_are_recorded(
    overrides: dict[str, Any], source: str, words: str
) -> None:
    snap = built(**overrides)
    assert gaps(snap)[source] == f"{words}: shown as not available"
    if "customer_insights" in overrides:
        mfa = snap.customers[0].mfa
        assert mfa is not None
        assert (mfa.compliant_admins_count, mfa.compliant_non_admins_count, mfa.total_users_count) == (None, None, None)
    if "score" in overrides:
        assert (snap.score.current_score, snap.score.max_score) == (None, None)
    if "requirements" in overrides:
        assert (snap.requirements[0].score, snap.requirements[0].max_score) == (None, None)


# --- 18: control characters ------------------------------------------------------------------------------


def test_control_and_bidi_characters_are_removed_from_graph_text() -> None:
    snap = built(
        customer_insights=[raw_insight(TENANT_A)],
        contracts=[raw_contract(TENANT_A, "\tBell\x07Ringers\u202e Ltd\x1b[31m\nNorth", "dom\u2066ain.example")],
        alerts=[raw_alert("a1", description="line one\r\nline\x00 two\u0085end", displayName="\u202eevil\u202c")],
    )
    customer = snap.customers[0]
    assert customer.display_name == "BellRingers Ltd[31m North"
    assert customer.default_domain_name == "domain.example"
    assert snap.alerts[0].description == "line one  line two end"
    assert snap.alerts[0].display_name == "evil"
    assert snap.provenance.data_gaps == ()  # layout only: nothing of the data is lost


def test_clean_text_keeps_marks_and_ordinary_text() -> None:
    assert clean_text("شركة\u200f (Cedar) \u200e 🚀 <b>") == "شركة\u200f (Cedar) \u200e 🚀 <b>"


def test_an_id_with_a_control_character_is_refused() -> None:
    with pytest.raises(DataError, match=r"^requirements\[0\]\.id: an id must not hold control characters \(U\+0007\)"):
        built(requirements=[raw_contact_requirement(id="secure\x07")])


# --- 21: customers-file rows for tenants Graph did not list ---------------------------------------------------


def test_customers_file_rows_for_unlisted_tenants_are_kept_in_provenance() -> None:
    names = {
        TENANT_A: CustomerName(TENANT_A, "Alpha From File", None, NameSource.CUSTOMERS_FILE),
        TENANT_C: CustomerName(TENANT_C, "Former\x07 Customer", "former.example", NameSource.CUSTOMERS_FILE),
    }
    snap = build_snapshot(payloads(customer_insights=[raw_insight(TENANT_A)]), provenance(), names)
    assert [c.display_name for c in snap.customers] == ["Alpha From File"]
    (row,) = snap.provenance.unmatched_customer_rows
    assert (row.tenant_id, row.display_name, row.default_domain_name) == (TENANT_C, "Former Customer", "former.example")
    assert loads(dumps(snap)) == snap


def test_a_too_long_customers_file_name_is_cut_and_recorded() -> None:
    names = {TENANT_A: CustomerName(TENANT_A, "L" * 1000, None, NameSource.CUSTOMERS_FILE)}
    snap = build_snapshot(payloads(customer_insights=[raw_insight(TENANT_A)]), provenance(), names)
    assert len(snap.customers[0].display_name or "") == NAME_LIMIT
    assert "cut to the 256" in gaps(snap)[f"customers file, tenant {TENANT_A}, name"]


def test_older_snapshots_without_unmatched_rows_still_load() -> None:
    snap = built()
    data = dumps(snap).replace(b',"unmatchedCustomerRows":[]', b"")
    assert b"unmatchedCustomerRows" not in data
    assert loads(data) == snap
