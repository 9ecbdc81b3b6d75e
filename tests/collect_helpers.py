"""A scripted Entra ID + Graph behind ``httpx.MockTransport``, for collector unit tests.

``FakeCloud`` is a plain handler function (an object with ``__call__``): it
serves OIDC discovery, the token endpoint and the Graph endpoints the collector
reads, with server-side paging. ``script`` queues answers (responses or
exceptions) for a path, which are used before the normal answer.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from reporter.collect.config import Settings
from reporter.secret import Secret

TENANT = "0f1e2d3c-4b5a-4697-8877-665544332211"
CLIENT = "a1b2c3d4-e5f6-4a1b-9c8d-7e6f5a4b3c2d"
SECRET = "Sx8Q~not-a-real-secret-7d1e4c2b9a"
GRAPH = "https://graph.test"
LOGIN = "https://login.test"
SCORE = "/beta/security/partner/securityScore"


def fake_settings(**changes: Any) -> Settings:
    values: dict[str, Any] = {
        "tenant_id": TENANT,
        "client_id": CLIENT,
        "client_secret": Secret(SECRET),
        "graph_url": GRAPH,
        "authority_url": LOGIN,
        "time_budget": 60.0,
    }
    values.update(changes)
    return Settings(**values)


def customer_id(index: int) -> str:
    return str(uuid.UUID(int=0x5EC0_0000_0000_4000_8000_0000_0000_0000 + index))


class FakeClock:
    """Monotonic time that moves only when something sleeps; ``sleeps`` records the waits."""

    def __init__(self) -> None:
        self.time = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()
        self.wall = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        with self._lock:
            return self.time

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.time += seconds

    def now(self) -> datetime:
        return self.wall


Answer = httpx.Response | Exception


@dataclass
class FakeCloud:
    customers: int = 250
    page_size: int = 100
    contracts_missing_every: int = 7
    secret: str = SECRET
    token_lifetime: int = 3600
    script: dict[str, list[Answer]] = field(default_factory=lambda: defaultdict(list))
    seen: list[httpx.Request] = field(default_factory=list)
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def expire_tokens(self) -> None:
        with self._lock:
            self.valid_tokens.clear()

    def paths(self, prefix: str = "") -> list[str]:
        return [r.url.path for r in self.seen if r.url.path.startswith(prefix)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.seen.append(request)
            queued = self.script.get(request.url.path)
            answer = queued.pop(0) if queued else None
        if isinstance(answer, Exception):
            raise answer
        if answer is not None:
            return answer
        if request.url.host == "login.test":
            return self._login(request)
        return self._graph(request)

    # --- Entra ID -----------------------------------------------------------------------

    def _login(self, request: httpx.Request) -> httpx.Response:
        base = f"{LOGIN}/{TENANT}"
        if request.url.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                },
            )
        if request.url.path == f"/{TENANT}/oauth2/v2.0/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if form.get("client_secret") != self.secret and "client_assertion" not in form:
                return httpx.Response(
                    401,
                    json={
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x",
                        "error_codes": [7000215],
                        "correlation_id": "c0ffee00-0000-4000-8000-000000000000",
                    },
                )
            with self._lock:
                self.tokens_issued += 1
                token = f"token-{self.tokens_issued}"
                self.valid_tokens.add(token)
            return httpx.Response(
                200, json={"token_type": "Bearer", "expires_in": self.token_lifetime, "access_token": token}
            )
        return httpx.Response(
            400,
            json={
                "error": "invalid_tenant",
                "error_description": "AADSTS90002: Tenant not found.",
                "error_codes": [90002],
            },
        )

    # --- Graph --------------------------------------------------------------------------

    def _graph(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        ids = {"request-id": str(uuid.uuid4()), "client-request-id": request.headers.get("client-request-id", "")}
        with self._lock:
            valid = token in self.valid_tokens
        if not valid:
            return httpx.Response(401, json={"error": {"code": "InvalidAuthenticationToken"}}, headers=ids)
        path = request.url.path
        if path == SCORE:
            return httpx.Response(200, json=score(), headers=ids)
        collections = {
            f"{SCORE}/requirements": requirements,
            f"{SCORE}/history": history,
            f"{SCORE}/customerInsights": lambda: insights(self.customers),
            "/beta/security/partner/securityAlerts": alerts,
            "/v1.0/contracts": lambda: contracts(self.customers, self.contracts_missing_every),
        }
        if path not in collections:
            return httpx.Response(404, json={"error": {"code": "NotFound", "message": path}}, headers=ids)
        items = collections[path]()
        start = int(request.url.params.get("$skiptoken", "0"))
        page = items[start : start + self.page_size]
        body: dict[str, Any] = {"value": page}
        if start + self.page_size < len(items):
            body["@odata.nextLink"] = f"{GRAPH}{path}?$skiptoken={start + self.page_size}"
        return httpx.Response(200, content=json.dumps(body).encode(), headers=ids)


def score() -> dict[str, Any]:
    return {
        "id": TENANT,
        "currentScore": "72.5",
        "maxScore": 100,
        "updatedDateTime": "2026-11-20T08:00:00Z",
        "lastRefreshDateTime": "2026-11-28T06:00:00Z",
    }


def requirements() -> list[dict[str, Any]]:
    return [
        {
            "@odata.type": "#microsoft.graph.partner.security.customersMfaEnforcedSecurityRequirement",
            "id": "mfaEnforcedForAdminsOfCustomers",
            "requirementType": "mfaEnforcedForAdminsOfCustomers",
            "complianceStatus": "noncomplaint",
            "score": 10,
            "maxScore": 25,
            "state": "active",
            "compliantTenantCount": 40,
            "totalTenantCount": 100,
        },
        {
            "@odata.type": "#microsoft.graph.partner.security.securityRequirement",
            "id": "securityContactProvided",
            "requirementType": "securityContactProvided",
            "complianceStatus": "compliant",
            "score": 5,
            "maxScore": 5,
            "state": "active",
        },
    ]


def history() -> list[dict[str, Any]]:
    return [
        {
            "id": "h1",
            "createdDateTime": "2026-09-01T00:00:00Z",
            "score": 60,
            "compliantRequirementsCount": 2,
            "totalRequirementsCount": 5,
        },
        {
            "id": "h2",
            "createdDateTime": "2026-11-01T00:00:00Z",
            "score": "72.5",
            "compliantRequirementsCount": 3,
            "totalRequirementsCount": 5,
        },
    ]


def insights(count: int) -> list[dict[str, Any]]:
    return [
        {
            "tenantId": customer_id(i),
            "mfa": {
                "compliantAdminsCount": i % 5,
                "compliantNonAdminsCount": i % 50,
                "totalUsersCount": 60 + i % 40,
                "securityDefaultsStatus": "enabled" if i % 2 else "disabled",
                "mfaConditionalAccessPolicyStatus": "disabled",
                "legacyPerUserMfaStatus": "disabled",
            },
        }
        for i in range(count)
    ]


def alerts() -> list[dict[str, Any]]:
    return [
        {
            "id": "alert-1",
            "displayName": "Unusual spend",
            "severity": "high",
            "status": "active",
            "customerTenantId": customer_id(3),
            "detectedDateTime": "2026-11-27T10:00:00Z",
            "isTest": False,
        }
    ]


def contracts(count: int, missing_every: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"contract-{i}",
            "customerId": customer_id(i),
            "displayName": f"Customer {i:04d}",
            "defaultDomainName": f"customer{i}.onmicrosoft.com",
        }
        for i in range(count)
        if i % missing_every
    ]


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    """A scripted answer; ``body`` of ``bytes`` is sent as is."""
    if isinstance(body, bytes):
        return httpx.Response(status, content=body, headers=headers)
    return httpx.Response(status, json=body if body is not None else {}, headers=headers)


def self_signed_certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    """A certificate for ``key``, as an app registration would hold it."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reporter test app")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


def make_certificate(folder: Path, *, password: str | None = None, pfx: bool = False) -> tuple[Path, x509.Certificate]:
    """A self-signed app certificate with its key, as PEM (key then certificate) or PFX."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = self_signed_certificate(key)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    )
    if pfx:
        path = folder / "app.pfx"
        path.write_bytes(pkcs12.serialize_key_and_certificates(b"app", key, cert, None, encryption))
    else:
        path = folder / "app.pem"
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        path.write_bytes(key_pem + cert.public_bytes(serialization.Encoding.PEM))
    return path, cert


# --- against the emulator -----------------------------------------------------------------


class EmulatorLike(Protocol):
    graph_url: str
    authority_url: str
    tenant_id: str
    client_id: str
    client_secret: str

    def write_ca(self, path: Path) -> Path | None: ...


def emulator_settings(emulator: EmulatorLike, folder: Path, **changes: Any) -> Settings:
    """Settings that reach ``emulator`` over TLS, trusting only its CA."""
    ca = folder / "emulator-ca.pem"
    emulator.write_ca(ca)
    values: dict[str, Any] = {
        "tenant_id": emulator.tenant_id,
        "client_id": emulator.client_id,
        "client_secret": Secret(emulator.client_secret),
        "graph_url": emulator.graph_url,
        "authority_url": emulator.authority_url,
        "ca_bundle": ca,
        "time_budget": 120.0,
    }
    values.update(changes)
    return Settings(**values)


def emulator_env(emulator: EmulatorLike, folder: Path, **changes: str) -> dict[str, str]:
    """The environment ``reporter collect`` needs to reach ``emulator``."""
    ca = folder / "emulator-ca.pem"
    emulator.write_ca(ca)
    env = {
        "REPORTER_TENANT_ID": emulator.tenant_id,
        "REPORTER_CLIENT_ID": emulator.client_id,
        "REPORTER_CLIENT_SECRET": emulator.client_secret,
        "REPORTER_GRAPH_URL": emulator.graph_url,
        "REPORTER_AUTHORITY_URL": emulator.authority_url,
        "REPORTER_CA_BUNDLE": str(ca),
    }
    env.update(changes)
    return env


class CountingProgress:
    """Counts items per source, so a duplicate delivered by paging would show."""

    def __init__(self) -> None:
        self.items: dict[str, int] = defaultdict(int)
        self.pages: dict[str, int] = defaultdict(int)
        self.notes: list[str] = []
        self._lock = threading.Lock()

    def start(self, source: str) -> None:
        pass

    def page(self, source: str, items: int) -> None:
        with self._lock:
            self.items[source] += items
            self.pages[source] += 1

    def done(self, source: str) -> None:
        pass

    def failed(self, source: str, reason: str) -> None:
        pass

    def note(self, message: str) -> None:
        with self._lock:
            self.notes.append(message)
