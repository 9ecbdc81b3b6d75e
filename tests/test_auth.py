"""Sign-in with the real msal, its HTTP going through our httpx client to a scripted Entra ID."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from reporter.collect.config import Settings
from reporter.errors import AuthError, ConfigError
from reporter.graph.auth import MsalTokenSource, create_token_source, describe_msal_error
from reporter.graph.bounded import MAX_SIGN_IN_RESPONSE_BYTES
from reporter.graph.credentials import certificate_credential
from reporter.graph.http import build_http_client
from reporter.graph.retry import Retrier, RetryPolicy, RunBudget
from reporter.secret import Secret
from tests.collect_helpers import (
    CLIENT,
    SECRET,
    TENANT,
    FakeClock,
    FakeCloud,
    fake_settings,
    make_certificate,
    response,
)

TOKEN_PATH = f"/{TENANT}/oauth2/v2.0/token"
DISCOVERY_PATH = f"/{TENANT}/v2.0/.well-known/openid-configuration"


def sign_in(cloud: FakeCloud, settings: Settings | None = None, clock: FakeClock | None = None) -> MsalTokenSource:
    settings = settings or fake_settings()
    clock = clock or FakeClock()
    http = build_http_client(settings, cloud.transport())
    retrier = Retrier(RunBudget(clock, 3600), RetryPolicy(rng=random.Random(1)))  # the budget now stops requests
    return create_token_source(settings, http, retrier, clock)


def token_posts(cloud: FakeCloud) -> list[httpx.Request]:
    return [r for r in cloud.seen if r.url.path == TOKEN_PATH]


def test_client_secret_sign_in_and_the_token_is_reused() -> None:
    cloud = FakeCloud()
    tokens = sign_in(cloud)
    first = tokens.token()
    assert first == "token-1"
    assert tokens.token() == first
    posts = token_posts(cloud)
    assert len(posts) == 1
    form = parse_qs(posts[0].content.decode())
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"] == ["https://graph.microsoft.com/.default"]
    assert form["client_id"] == [CLIENT]


def test_refresh_replaces_a_refused_token_once_for_all_threads() -> None:
    cloud = FakeCloud()
    tokens = sign_in(cloud)
    old = tokens.token()
    new = tokens.refresh(old)
    assert new != old
    assert tokens.refresh(old) == new  # a second thread with the same refused token
    assert len(token_posts(cloud)) == 2


def test_a_short_lived_token_is_renewed_when_it_expires() -> None:
    cloud = FakeCloud(token_lifetime=60)
    clock = FakeClock()
    tokens = sign_in(cloud, clock=clock)
    assert tokens.token() == "token-1"
    clock.sleep(30)
    assert tokens.token() == "token-1"
    clock.sleep(31)
    assert tokens.token() == "token-2"


def test_a_wrong_secret_is_one_clear_line_without_the_secret() -> None:
    cloud = FakeCloud(secret="the-right-one")
    tokens = sign_in(cloud)
    with pytest.raises(AuthError) as caught:
        tokens.token()
    message = str(caught.value)
    assert message.startswith("Entra ID rejected the client secret (AADSTS7000215, correlation id c0ffee00")
    assert "REPORTER_CLIENT_SECRET" in message
    assert SECRET not in message
    assert "\n" not in message


def test_an_unknown_tenant_names_the_tenant() -> None:
    cloud = FakeCloud()
    cloud.script[DISCOVERY_PATH] = [response(400, {"error": "invalid_tenant"})]
    with pytest.raises(AuthError, match=rf"tenant {TENANT} is unknown to login.test"):
        sign_in(cloud)


def test_an_unreachable_authority_names_the_host() -> None:
    cloud = FakeCloud()
    cloud.script[DISCOVERY_PATH] = [httpx.ConnectError("[Errno 111] Connection refused")] * 10
    with pytest.raises(AuthError, match=r"cannot reach the sign-in service: cannot connect to login.test"):
        sign_in(cloud)


def test_the_token_endpoint_is_retried_when_throttled() -> None:
    cloud = FakeCloud()
    cloud.script[TOKEN_PATH] = [response(429, {"error": "temporarily_unavailable"}, headers={"Retry-After": "3"})]
    clock = FakeClock()
    tokens = sign_in(cloud, clock=clock)
    assert tokens.token() == "token-1"
    assert clock.sleeps == [3.0]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (7000215, "rejected the client secret"),
        (7000222, "client secret has expired"),
        (90002, f"tenant {TENANT} does not exist"),
        (900023, f"tenant {TENANT} is not a valid tenant id"),
        (700016, f"app {CLIENT} is not registered in tenant {TENANT}"),
        (65001, f"app {CLIENT} has no consent"),
        (700027, "rejected the certificate"),
    ],
)
def test_msal_error_codes_become_plain_messages(code: int, expected: str) -> None:
    description = f"AADSTS{code}: text\r\nTrace ID: 1"
    result = {"error": "invalid_client", "error_description": description, "error_codes": [code]}
    message, hint = describe_msal_error(result, fake_settings())
    assert expected in message
    assert f"(AADSTS{code})" in message
    assert hint


def test_an_unknown_msal_error_keeps_its_first_line() -> None:
    result = {"error": "invalid_scope", "error_description": "AADSTS70011: The scope is bad.\r\nTrace ID: 1"}
    message, _ = describe_msal_error(result, fake_settings())
    assert message == "Entra ID refused a token: AADSTS70011: The scope is bad. (AADSTS70011)"


# --- certificates -----------------------------------------------------------------------


def _b64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


@pytest.mark.parametrize(("password", "pfx"), [(None, False), ("pass phrase", False), ("pfx-pass", True)])
def test_certificate_sign_in_sends_a_signed_assertion(tmp_path: Path, password: str | None, pfx: bool) -> None:
    path, cert = make_certificate(tmp_path, password=password, pfx=pfx)
    settings = fake_settings(
        client_secret=None, certificate=path, certificate_password=Secret(password) if password else None
    )
    cloud = FakeCloud(secret="unused")
    assert sign_in(cloud, settings).token() == "token-1"
    form = parse_qs(token_posts(cloud)[0].content.decode())
    assert "client_secret" not in form
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    header_b64, claims_b64, signature_b64 = form["client_assertion"][0].split(".")
    header = json.loads(_b64(header_b64))
    claims = json.loads(_b64(claims_b64))
    assert _b64(header["x5t"]) == cert.fingerprint(hashes.SHA1())  # noqa: S303
    assert claims["iss"] == claims["sub"] == CLIENT
    assert claims["aud"] == f"https://login.test/{TENANT}/oauth2/v2.0/token"
    public_key = cert.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(_b64(signature_b64), f"{header_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())


def test_a_wrong_certificate_passphrase_is_a_config_error(tmp_path: Path) -> None:
    path, _ = make_certificate(tmp_path, password="right")
    with pytest.raises(ConfigError, match=r"cannot read the private key.*REPORTER_CERTIFICATE_PASSWORD"):
        certificate_credential(path, Secret("wrong"))


def test_an_encrypted_key_without_a_passphrase_says_so(tmp_path: Path) -> None:
    path, _ = make_certificate(tmp_path, password="right")
    with pytest.raises(ConfigError, match=r"private key is encrypted.*REPORTER_CERTIFICATE_PASSWORD"):
        certificate_credential(path, None)


def test_a_pem_without_a_key_is_refused(tmp_path: Path) -> None:
    path, _ = make_certificate(tmp_path)
    only_cert = tmp_path / "cert.pem"
    only_cert.write_bytes(path.read_bytes().split(b"-----END PRIVATE KEY-----\n")[1])
    with pytest.raises(ConfigError, match="no private key"):
        certificate_credential(only_cert, None)


def test_a_wrong_pfx_passphrase_is_a_config_error(tmp_path: Path) -> None:
    path, _ = make_certificate(tmp_path, password="right", pfx=True)
    with pytest.raises(ConfigError, match="cannot open the PFX file"):
        certificate_credential(path, Secret("wrong"))


def test_the_certificate_thumbprint_is_its_sha1(tmp_path: Path) -> None:
    path, cert = make_certificate(tmp_path)
    credential = certificate_credential(path, None)
    assert credential["thumbprint"] == cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    assert "ENCRYPTED" not in credential["private_key"]


def test_a_sign_in_answer_past_its_cap_is_refused() -> None:
    cloud = FakeCloud()
    padded = {"token_type": "Bearer", "expires_in": 3600, "access_token": "t", "pad": "x" * MAX_SIGN_IN_RESPONSE_BYTES}
    cloud.script[TOKEN_PATH] = [response(200, padded)]
    tokens = sign_in(cloud)
    with pytest.raises(AuthError, match=r"POST login.test/.*/token: the answer .*larger than 1 MiB"):
        tokens.token()
