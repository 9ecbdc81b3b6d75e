"""collect() against a scripted Graph: sources, names, data gaps, failures, provenance, progress."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import httpx
import pytest

from reporter import __version__
from reporter import snapshot as snapshot_io
from reporter.collect.collector import collect
from reporter.collect.progress import LineProgress
from reporter.errors import DataError, GraphError
from reporter.model import NameSource
from tests.collect_helpers import (
    GRAPH,
    SCORE,
    SECRET,
    TENANT,
    FakeClock,
    FakeCloud,
    customer_id,
    fake_settings,
    response,
)

INSIGHTS = f"{SCORE}/customerInsights"


def test_a_full_collection(tmp_path: Path) -> None:
    cloud = FakeCloud(customers=250, contracts_missing_every=7)
    clock = FakeClock()
    snap = collect(fake_settings(), transport=cloud.transport(), clock=clock)
    assert sorted(c.tenant_id for c in snap.customers) == sorted(customer_id(i) for i in range(250))
    assert snap.score.current_score == 72.5
    assert len(snap.requirements) == 2
    assert len(snap.history) == 2
    assert len(snap.alerts) == 1
    named = snap.customer(customer_id(8))
    assert named is not None
    assert (named.display_name, named.name_source) == ("Customer 0008", NameSource.CONTRACTS)
    unnamed = snap.customer(customer_id(7))
    assert unnamed is not None
    assert unnamed.display_name is None
    assert unnamed.label == customer_id(7)

    provenance = snap.provenance
    assert provenance.collected_at == clock.wall
    assert (provenance.api_base, provenance.api_version, provenance.tool_version) == (GRAPH, "beta", __version__)
    assert provenance.partner_tenant_id == TENANT
    assert provenance.data_gaps == ()
    paths = sorted(r.path for r in provenance.requests)
    assert paths.count(INSIGHTS) == 1
    assert f"{INSIGHTS}?$skiptoken=200" in paths
    assert "/v1.0/contracts" in paths
    assert len(paths) == 3 + 1 + 1 + 1 + 1 + 3
    assert sum(1 for r in cloud.seen if r.url.path.endswith("/token")) == 1


def test_the_customers_file_overrides_and_extends_contract_names(tmp_path: Path) -> None:
    csv = tmp_path / "customers.csv"
    csv.write_text(f"tenantId,name,domain\n{customer_id(7)},Seven Ltd,seven.example\n{customer_id(8)},Eight Inc,\n")
    cloud = FakeCloud(customers=20, contracts_missing_every=7)
    snap = collect(fake_settings(customers_file=csv), transport=cloud.transport(), clock=FakeClock())
    seven, eight = snap.customer(customer_id(7)), snap.customer(customer_id(8))
    assert seven is not None
    assert eight is not None
    assert (seven.display_name, seven.default_domain_name, seven.name_source) == (
        "Seven Ltd",
        "seven.example",
        NameSource.CUSTOMERS_FILE,
    )
    assert (eight.display_name, eight.default_domain_name) == ("Eight Inc", "customer8.onmicrosoft.com")


def test_forbidden_contracts_become_a_data_gap() -> None:
    cloud = FakeCloud(customers=20)
    cloud.script["/v1.0/contracts"] = [response(403, {"error": {"code": "Authorization_RequestDenied"}})]
    snap = collect(fake_settings(), transport=cloud.transport(), clock=FakeClock())
    assert len(snap.customers) == 20
    assert all(c.display_name is None for c in snap.customers)
    [gap] = snap.provenance.data_gaps
    assert gap.source == "contracts"
    assert "HTTP 403" in gap.reason
    assert "Directory.Read.All" in gap.reason
    assert "client-request-id" in gap.reason


def test_failing_alerts_become_a_data_gap_and_the_run_goes_on() -> None:
    cloud = FakeCloud(customers=20)
    cloud.script["/beta/security/partner/securityAlerts"] = [response(500, {"error": {"code": "InternalError"}})]
    progress_out = io.StringIO()
    snap = collect(fake_settings(), transport=cloud.transport(), clock=FakeClock(), progress=LineProgress(progress_out))
    assert snap.alerts == ()
    assert [gap.source for gap in snap.provenance.data_gaps] == ["alerts"]
    assert "collect: alerts: not collected: GET /beta/security/partner/securityAlerts: HTTP 500" in (
        progress_out.getvalue()
    )


def test_optional_sources_can_be_switched_off() -> None:
    cloud = FakeCloud(customers=5)
    snap = collect(fake_settings(alerts=False, contracts=False), transport=cloud.transport(), clock=FakeClock())
    assert not [r for r in cloud.seen if "contracts" in r.url.path or "Alerts" in r.url.path]
    assert snap.provenance.data_gaps == ()


@pytest.mark.parametrize("source", ["", "/requirements", "/history"])
def test_a_failing_required_source_fails_the_run(source: str) -> None:
    cloud = FakeCloud(customers=20)
    cloud.script[f"{SCORE}{source}"] = [response(403, {"error": {"code": "Forbidden"}})]
    with pytest.raises(GraphError, match=rf"GET {SCORE}{source}: access denied .*PartnerSecurity.Read.All"):
        collect(fake_settings(), transport=cloud.transport(), clock=FakeClock())


def test_a_failing_insights_chain_fails_the_run() -> None:
    cloud = FakeCloud(customers=500)
    cloud.script[INSIGHTS] = [response(200, {"value": [], "@odata.nextLink": f"{GRAPH}{INSIGHTS}?$skiptoken=0"})] * 2
    with pytest.raises(GraphError, match="already followed"):
        collect(fake_settings(), transport=cloud.transport(), clock=FakeClock())


def test_token_expiry_mid_run_is_recovered() -> None:
    cloud = FakeCloud(customers=1000, page_size=50)
    seen = 0

    def expire_after_a_few_pages(request: httpx.Request) -> httpx.Response:
        nonlocal seen
        if request.url.path == INSIGHTS:
            seen += 1
            if seen == 5:
                cloud.expire_tokens()
        return cloud(request)

    snap = collect(fake_settings(), transport=httpx.MockTransport(expire_after_a_few_pages), clock=FakeClock())
    assert len(snap.customers) == 1000
    assert cloud.tokens_issued == 2
    assert 401 in [r.status for r in snap.provenance.requests]


def test_the_secret_is_nowhere_in_the_snapshot() -> None:
    cloud = FakeCloud(customers=20)
    cloud.script["/v1.0/contracts"] = [response(403)]
    snap = collect(fake_settings(), transport=cloud.transport(), clock=FakeClock())
    assert SECRET.encode() not in snapshot_io.dumps(snap)


def test_line_progress_counts_pages_and_items() -> None:
    cloud = FakeCloud(customers=250)
    out = io.StringIO()
    collect(fake_settings(), transport=cloud.transport(), clock=FakeClock(), progress=LineProgress(out))
    lines = out.getvalue().splitlines()
    assert "collect: customerInsights: page 3, 250 items" in lines
    assert "collect: customerInsights: done (250 items in 3 pages)" in lines
    assert "collect: score: done" in lines


def test_the_secret_and_tokens_never_reach_any_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, msal's and httpx's
    cloud = FakeCloud(customers=150)
    cloud.script[INSIGHTS] = [response(429, headers={"Retry-After": "0"}), httpx.ReadError("reset")]
    cloud.script["/v1.0/contracts"] = [response(403)]
    out = io.StringIO()
    collect(fake_settings(), transport=cloud.transport(), clock=FakeClock(), progress=LineProgress(out))
    assert "retrying" in out.getvalue()
    logged = caplog.text + out.getvalue()
    assert "customerInsights: HTTP 429" in logged
    assert SECRET not in logged
    assert "token-1" not in logged
    assert "Bearer token" not in logged


def test_a_bad_item_is_traced_to_the_request_of_its_page() -> None:
    cloud = FakeCloud(customers=250)
    bad_page = {
        "value": [{"tenantId": customer_id(100)}, {"mfa": {}}],
        "@odata.nextLink": f"{GRAPH}{INSIGHTS}?$skiptoken=200",
    }
    first_page = {
        "value": [{"tenantId": customer_id(i)} for i in range(100)],
        "@odata.nextLink": f"{GRAPH}{INSIGHTS}?p=2",
    }
    cloud.script[INSIGHTS] = [
        response(200, first_page),
        response(200, bad_page, headers={"request-id": "rid-bad"}),
    ]
    with pytest.raises(DataError) as caught:
        collect(fake_settings(), transport=cloud.transport(), clock=FakeClock())
    message = str(caught.value)
    assert message.startswith("customerInsights[101]")
    assert f"in the answer to GET {INSIGHTS}?p=2 (client-request-id " in message
    assert "request-id rid-bad" in message
