"""The emulator, exercised with the real msal and httpx over TLS."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import msal
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from reporter.emulator.options import EmulatorOptions, Faults, Quirks
from reporter.emulator.server import Emulator
from tests.collect_helpers import self_signed_certificate
from tests.conftest import EmulatorFactory, MsalHttpClient

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
SCORE = "/beta/security/partner/securityScore"
INSIGHTS = f"{SCORE}/customerInsights"
ALERTS = "/beta/security/partner/securityAlerts"
CONTRACTS = "/v1.0/contracts"

MsalHttp = Callable[[Emulator], MsalHttpClient]


def msal_app(emu: Emulator, http: MsalHttpClient, credential: Any = None, **overrides: str) -> Any:
    return msal.ConfidentialClientApplication(
        overrides.get("client_id", emu.client_id),
        client_credential=credential if credential is not None else emu.client_secret,
        authority=f"{emu.authority_url}/{overrides.get('tenant', emu.tenant_id)}",
        instance_discovery=False,
        http_client=http,
    )


def token_for(emu: Emulator, client: httpx.Client) -> str:
    response = client.post(
        f"{emu.authority_url}/{emu.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
            "scope": GRAPH_SCOPE,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def graph(emulator: Emulator) -> Iterator[httpx.Client]:
    """An httpx client for ``emulator`` (the fixture's 12-customer world), already holding a token."""
    with httpx.Client(verify=emulator.client_ssl_context(), base_url=emulator.graph_url) as client:
        client.headers["Authorization"] = f"Bearer {token_for(emulator, client)}"
        yield client


@contextlib.contextmanager
def client_for(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(verify=emu.client_ssl_context(), base_url=emu.graph_url) as client:
        client.headers["Authorization"] = f"Bearer {token_for(emu, client)}"
        yield client


def follow(client: httpx.Client, path: str, retry: bool = False) -> tuple[list[dict[str, Any]], int]:
    """All items of a collection, following the whole nextLink; retries transient faults if ``retry``."""
    items: list[dict[str, Any]] = []
    url: str | None = path
    pages = 0
    seen: set[str] = set()
    while url:
        assert url not in seen, "a nextLink repeated"
        try:
            response = client.get(url)
        except httpx.TransportError:
            assert retry
            continue
        if retry and response.status_code in (429, 503):
            continue
        assert response.status_code == 200, response.text
        seen.add(url)
        body = response.json()
        items.extend(body["value"])
        pages += 1
        url = body.get("@odata.nextLink")
    return items, pages


# --- Entra ID through msal ------------------------------------------------------------------


def test_msal_gets_a_token_with_the_client_secret(emulator: Emulator, msal_http_client: MsalHttp) -> None:
    app = msal_app(emulator, msal_http_client(emulator))
    result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert "access_token" in result, result
    assert result["expires_in"] > 3000
    again = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert again["access_token"] == result["access_token"]
    assert emulator.stats.tokens_issued == 1


def test_msal_reports_a_wrong_secret_as_entra_does(emulator: Emulator, msal_http_client: MsalHttp) -> None:
    result = msal_app(emulator, msal_http_client(emulator), "not-the-secret").acquire_token_for_client(
        scopes=[GRAPH_SCOPE]
    )
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    assert result["error_codes"] == [7000215]
    assert emulator.client_secret not in json.dumps(result)


def test_msal_reports_an_unknown_client(emulator: Emulator, msal_http_client: MsalHttp) -> None:
    app = msal_app(emulator, msal_http_client(emulator), client_id="11111111-2222-3333-4444-555555555555")
    result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert result["error"] == "unauthorized_client"
    assert result["error_codes"] == [700016]


def test_msal_refuses_an_unknown_tenant_at_discovery(emulator: Emulator, msal_http_client: MsalHttp) -> None:
    with pytest.raises(ValueError, match="Unable to get authority configuration"):
        msal_app(emulator, msal_http_client(emulator), tenant="99999999-0000-0000-0000-000000000000")


def test_token_endpoint_refuses_an_unknown_tenant_and_a_bad_scope(emulator: Emulator) -> None:
    with httpx.Client(verify=emulator.client_ssl_context()) as client:
        form = {
            "grant_type": "client_credentials",
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "scope": GRAPH_SCOPE,
        }
        unknown = client.post(f"{emulator.authority_url}/not-a-tenant/oauth2/v2.0/token", data=form)
        assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_request")
        assert unknown.json()["error_codes"] == [90002]
        scope = client.post(
            f"{emulator.authority_url}/{emulator.tenant_id}/oauth2/v2.0/token", data={**form, "scope": "User.Read"}
        )
        assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")


def _certificate(key: rsa.RSAPrivateKey) -> bytes:
    return self_signed_certificate(key).public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def app_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize("thumbprint", ["sha256", "sha1"])
def test_msal_gets_a_token_with_a_certificate(
    emulator_factory: EmulatorFactory, msal_http_client: MsalHttp, app_key: rsa.RSAPrivateKey, thumbprint: str
) -> None:
    cert_pem = _certificate(app_key)
    emu = emulator_factory(client_certificate_pem=cert_pem)
    if thumbprint == "sha256":  # msal signs PS256 with x5t#S256
        credential: dict[str, Any] = {"private_key": _key_pem(app_key), "public_certificate": cert_pem.decode()}
    else:  # msal signs RS256 with x5t
        sha1 = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA1()).hex()  # noqa: S303
        credential = {"private_key": _key_pem(app_key), "thumbprint": sha1}
    result = msal_app(emu, msal_http_client(emu), credential).acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert "access_token" in result, result


def test_msal_is_refused_with_an_unregistered_certificate(
    emulator_factory: EmulatorFactory, msal_http_client: MsalHttp, app_key: rsa.RSAPrivateKey
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    emu = emulator_factory(client_certificate_pem=_certificate(app_key))
    credential = {"private_key": _key_pem(other), "public_certificate": _certificate(other).decode()}
    result = msal_app(emu, msal_http_client(emu), credential).acquire_token_for_client(scopes=[GRAPH_SCOPE])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [700027]


# --- TLS ---------------------------------------------------------------------------------------


def test_tls_is_trusted_only_through_the_emulator_ca(emulator: Emulator, ca_file: Callable[[Emulator], Path]) -> None:
    url = f"{emulator.authority_url}/{emulator.tenant_id}/v2.0/.well-known/openid-configuration"
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(url, verify=ssl.create_default_context())
    bundle = ca_file(emulator)
    assert bundle.read_bytes() == emulator.ca_pem
    response = httpx.get(url, verify=ssl.create_default_context(cafile=str(bundle)))
    assert response.json()["token_endpoint"] == f"{emulator.authority_url}/{emulator.tenant_id}/oauth2/v2.0/token"
    localhost = url.replace("127.0.0.1", "localhost")
    assert httpx.get(localhost, verify=ssl.create_default_context(cafile=str(bundle))).status_code == 200


# --- Graph ---------------------------------------------------------------------------------------


def test_graph_answers_carry_request_ids_and_json(graph: httpx.Client) -> None:
    response = graph.get(SCORE, headers={"client-request-id": "b5a3c1f0-0000-4000-8000-000000000001"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["client-request-id"] == "b5a3c1f0-0000-4000-8000-000000000001"
    assert response.headers["request-id"]
    assert response.headers["content-length"] == str(len(response.content))


def test_score_expands_requirements_and_history_with_the_quirks(graph: httpx.Client) -> None:
    body = graph.get(SCORE, params={"$expand": "requirements,history"}).json()
    assert isinstance(body["currentScore"], str)  # a Single sent as a string
    assert float(body["currentScore"]) <= body["maxScore"] == 100
    types = {r["@odata.type"].rsplit(".", 1)[1] for r in body["requirements"]}
    assert types == {
        "adminsMfaEnforcedSecurityRequirement",
        "customersMfaEnforcedSecurityRequirement",
        "customersSpendingBudgetSecurityRequirement",
        "responseTimeSecurityRequirement",
        "securityRequirement",
    }
    assert all(r["score"] <= r["maxScore"] for r in body["requirements"])
    assert len({r["maxScore"] for r in body["requirements"]}) > 1
    assert {r["complianceStatus"] for r in body["requirements"]} <= {"compliant", "noncomplaint"}
    assert "NaN" in [point["score"] for point in body["history"]]
    assert graph.get(SCORE, params={"$expand": "owner"}).status_code == 400


def test_the_singleton_can_be_wrapped_in_value(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(quirks=Quirks(wrapped_singleton=True, numbers_as_strings=False))
    with client_for(emu) as client:
        body = client.get(SCORE).json()
    assert isinstance(body["value"]["currentScore"], float)


def test_paging_lists_every_tenant_exactly_once(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=23, page_size=5)
    with client_for(emu) as client:
        items, pages = follow(client, INSIGHTS)
        alerts, _ = follow(client, ALERTS)
        contracts, _ = follow(client, CONTRACTS)
    tenants = [item["tenantId"] for item in items]
    assert pages == 5
    assert sorted(tenants) == sorted({item["tenantId"] for item in emu.world.customer_insights})
    assert len(set(tenants)) == 23
    assert {a["customerTenantId"] for a in alerts} <= set(tenants)
    assert {c["customerId"] for c in contracts} <= set(tenants)
    assert emu.stats.pages[INSIGHTS] == 5


def test_insights_refuse_top_and_skip_and_foreign_skip_tokens(graph: httpx.Client) -> None:
    for query in ({"$top": "5"}, {"$skip": "5"}, {"$skiptoken": "not-ours"}):
        response = graph.get(INSIGHTS, params=query)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "BadRequest"
        assert error["innerError"]["request-id"] == response.headers["request-id"]


def test_graph_refuses_missing_invalid_and_expired_tokens(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(token_lifetime=0.3)
    with httpx.Client(verify=emu.client_ssl_context(), base_url=emu.graph_url) as client:
        missing = client.get(SCORE)
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert client.get(SCORE, headers={"Authorization": "Bearer forged"}).status_code == 401
        token = token_for(emu, client)
        assert client.get(SCORE, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        time.sleep(0.4)
        expired = client.get(SCORE, headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401
    assert expired.json()["error"]["message"] == "Lifetime validation failed, the token is expired."


# --- faults ----------------------------------------------------------------------------------------


def test_throttling_and_unavailability_are_transient(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=60, page_size=4, faults=Faults(rate_429=0.3, rate_503=0.2, retry_after=0, seed=3))
    with client_for(emu) as client:
        items, pages = follow(client, INSIGHTS, retry=True)
        throttled = None
        for _ in range(50):
            response = client.get(ALERTS)
            if response.status_code == 429:
                throttled = response
                break
    assert len({item["tenantId"] for item in items}) == 60
    assert pages == 15
    assert emu.stats.faults_of("429") > 0
    assert emu.stats.faults_of("503") > 0
    assert throttled is not None
    assert throttled.headers["Retry-After"] == "0"
    assert throttled.json()["error"]["code"] == "TooManyRequests"


def test_retry_after_can_be_an_http_date(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(faults=Faults(rate_429=1.0, retry_after=30, retry_after_http_date=True))
    with client_for(emu) as client:
        response = client.get(SCORE)
    assert response.status_code == 429
    when = parsedate_to_datetime(response.headers["Retry-After"])
    assert timedelta(seconds=25) < when - datetime.now(UTC) <= timedelta(seconds=31)


def test_a_url_is_not_failed_forever(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(faults=Faults(rate_503=1.0, max_consecutive=3))
    with client_for(emu) as client:
        statuses = [client.get(SCORE).status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]


def test_dropped_connections_cut_the_body(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=30, page_size=5, faults=Faults(drop_rate=0.5, seed=1))
    with client_for(emu) as client:
        errors = []
        for _ in range(20):
            try:
                client.get(INSIGHTS)
            except httpx.RemoteProtocolError as exc:
                errors.append(exc)
        items, _ = follow(client, INSIGHTS, retry=True)
    assert errors
    assert len(items) == 30
    assert emu.stats.faults_of("drop") > 0


def test_forbidden_mode_refuses_every_graph_call(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(faults=Faults(forbidden=True))
    with client_for(emu) as client:
        response = client.get(INSIGHTS)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "Authorization_RequestDenied"
    assert response.json()["error"]["message"] == "Insufficient privileges to complete the operation."


def test_optional_sources_can_fail_alone(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(faults=Faults(contracts_forbidden=True, alerts_failing=True))
    with client_for(emu) as client:
        assert client.get(CONTRACTS).status_code == 403
        assert client.get(ALERTS).status_code == 500
        assert client.get(INSIGHTS).status_code == 200
    assert emu.stats.faults[CONTRACTS]["403"] == 1
    assert emu.stats.faults[ALERTS]["500"] == 1


def test_a_truncated_page_is_not_json(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(page_size=5, faults=Faults(malformed_page="truncated"))
    with client_for(emu) as client:
        first = client.get(INSIGHTS).json()
        broken = client.get(first["@odata.nextLink"])
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    assert emu.stats.faults_of("malformed") == 1


def test_a_malformed_item_lacks_its_tenant_id(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(page_size=5, faults=Faults(malformed_page="missing-tenant-id"))
    with client_for(emu) as client:
        items, _ = follow(client, INSIGHTS)
    assert sum("tenantId" not in item for item in items) == 1


def test_a_next_link_can_point_back_to_its_own_page(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(page_size=5, faults=Faults(repeat_next_link=True))
    with client_for(emu) as client:
        first = client.get(INSIGHTS).json()
        second_url = first["@odata.nextLink"]
        second = client.get(second_url).json()
    assert second["@odata.nextLink"] == second_url


def test_latency_is_added_to_each_request(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(faults=Faults(latency_ms=60))
    with client_for(emu) as client:
        started = time.perf_counter()
        client.get(SCORE)
        assert time.perf_counter() - started >= 0.06


def test_concurrent_requests_overlap(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(faults=Faults(latency_ms=200))
    with client_for(emu) as client:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: client.get(SCORE).status_code, range(8)))
        elapsed = time.perf_counter() - started
    assert statuses == [200] * 8
    assert elapsed < 1.2  # one after another would take 1.6 s


def test_options_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="page_size"):
        EmulatorOptions(page_size=0)
    with pytest.raises(ValueError, match="rate_429"):
        EmulatorOptions(faults=Faults(rate_429=1.5))


def test_five_thousand_customers_are_collectable_under_throttling(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=5000, page_size=100, faults=Faults(rate_429=0.10, rate_503=0.05, retry_after=0))
    with client_for(emu) as client:
        items, pages = follow(client, INSIGHTS, retry=True)
    tenants = [item["tenantId"] for item in items]
    assert len(tenants) == len(set(tenants)) == 5000
    assert pages == 50
    assert emu.stats.faults_of("429") + emu.stats.faults_of("503") > 0


def test_the_emulate_command_prints_what_a_client_needs_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    command = [sys.executable, "-m", "reporter", "emulate", "--customers", "3", "--ca-file", str(ca)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        printed: dict[str, str] = {}
        for line in process.stdout:
            if "Ctrl-C" in line:
                break
            key, _, value = line.partition(":")
            printed[key.strip()] = value.strip()
        assert printed["Tenant id"] == "6f1c7e2a-3b5d-4c8e-9a0f-1d2e3f4a5b6c"
        assert printed["Client secret"]
        discovery = f"{printed['Authority URL']}/{printed['Tenant id']}/v2.0/.well-known/openid-configuration"
        response = httpx.get(discovery, verify=ssl.create_default_context(cafile=str(ca)))
        assert response.status_code == 200
        assert printed["Graph URL"].startswith("https://127.0.0.1:")
    finally:
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Stopped." in stdout


def test_alerts_support_count_and_select(graph: httpx.Client) -> None:
    body = graph.get(ALERTS, params={"$count": "true", "$select": "severity,status"}).json()
    assert body["@odata.count"] >= len(body["value"]) > 0
    assert set(body["value"][0]) == {"@odata.type", "id", "severity", "status"}


def test_the_package_exports_its_public_api() -> None:
    import reporter.emulator

    assert sorted(reporter.emulator.__all__) == [
        "CustomerOverride",
        "Emulator",
        "EmulatorOptions",
        "EmulatorStats",
        "Fault",
        "Faults",
        "MailOptions",
        "Quirks",
        "World",
        "build_world",
    ]
