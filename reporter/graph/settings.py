"""How to reach Microsoft Graph as the partner's app: the ``[graph]`` table of ``reporter.toml``, then the environment.

Collection and sending use the same app registration, so they share these
settings. Precedence, lowest first: built-in defaults, the file, ``REPORTER_*``
environment variables. The client secret is read from ``REPORTER_CLIENT_SECRET``
only; a ``client_secret`` key in the file is refused (``reporter.config``).
Relative paths are relative to the file's folder. Every key is optional::

    [graph]
    tenant_id = "6f1c7e2a-..."          # or REPORTER_TENANT_ID; a GUID or domain, never "common"
    client_id = "0d9e8f7a-..."          # or REPORTER_CLIENT_ID
    certificate = "app.pem"             # or REPORTER_CERTIFICATE: PEM (key + certificate) or .pfx/.p12
    certificate_password_env = "REPORTER_CERTIFICATE_PASSWORD"  # the variable holding its passphrase
    graph_url = "https://graph.microsoft.com"           # or REPORTER_GRAPH_URL; /beta is appended
    authority_url = "https://login.microsoftonline.com" # or REPORTER_AUTHORITY_URL; the tenant is appended
    ca_bundle = "corporate-ca.pem"      # or REPORTER_CA_BUNDLE: the only CAs trusted, for Graph and Entra ID
    connect_timeout = 10                # seconds
    read_timeout = 60                   # seconds
    time_budget = 1800                  # seconds for the whole run, throttling waits included
    max_connections = 16
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reporter.config import Config
from reporter.errors import ConfigError
from reporter.files import check_regular_file
from reporter.secret import Secret

DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
DEFAULT_AUTHORITY_URL = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
PASSWORD_ENV = "REPORTER_CERTIFICATE_PASSWORD"  # noqa: S105 (a variable name)

MAX_SECONDS = 86_400.0
"""The longest timeout or time budget accepted: a day (a monthly run that takes longer has hung)."""

_MULTI_TENANT_NAMES = frozenset({"common", "organizations", "consumers"})
_TENANT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")


@dataclass(frozen=True)
class GraphSettings:
    """The app registration and the network settings every Graph call needs."""

    tenant_id: str
    client_id: str
    client_secret: Secret | None = None
    certificate: Path | None = None
    """A PEM file holding the private key and the certificate, or a PFX (``.pfx``/``.p12``) file."""
    certificate_password: Secret | None = None
    graph_url: str = DEFAULT_GRAPH_URL
    authority_url: str = DEFAULT_AUTHORITY_URL
    ca_bundle: Path | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    time_budget: float = 1800.0
    """Seconds the whole run may take, waits for throttling included."""
    max_connections: int = 16

    @property
    def authority(self) -> str:
        return f"{self.authority_url}/{self.tenant_id}"


GRAPH_KEYS: dict[str, type | tuple[type, ...]] = {
    "tenant_id": str,
    "client_id": str,
    "certificate": str,
    "certificate_password_env": str,
    "graph_url": str,
    "authority_url": str,
    "ca_bundle": str,
    "connect_timeout": (int, float),
    "read_timeout": (int, float),
    "time_budget": (int, float),
    "max_connections": int,
}
PATH_KEYS = frozenset({"certificate", "ca_bundle"})
TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", (int, float): "a number"}

_ENV_OVERRIDES = {
    "tenant_id": "REPORTER_TENANT_ID",
    "client_id": "REPORTER_CLIENT_ID",
    "certificate": "REPORTER_CERTIFICATE",
    "graph_url": "REPORTER_GRAPH_URL",
    "authority_url": "REPORTER_AUTHORITY_URL",
    "ca_bundle": "REPORTER_CA_BUNDLE",
}


def table_values(
    config: Config, table: str, schema: Mapping[str, type | tuple[type, ...]], path_keys: frozenset[str]
) -> dict[str, Any]:
    """The keys of ``[table]``, each checked against ``schema``; paths relative to the file's folder."""
    values: dict[str, Any] = {}
    for key, value in (config.table(table) or {}).items():
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise ConfigError(f"{config.where}: [{table}] unknown key {key!r}", f"known keys: {known}")
        expected = schema[key]
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ConfigError(f"{config.where}: [{table}] {key} must be {TYPE_NAMES[expected]}, found {value!r:.40}")
        values[key] = config.path_of(str(value)) if key in path_keys else value
    return values


def graph_table(config: Config) -> dict[str, Any]:
    """The ``[graph]`` table of ``config``, each key checked; needs no credential."""
    return table_values(config, "graph", GRAPH_KEYS, PATH_KEYS)


def configured_tenant(values: Mapping[str, Any], env: Mapping[str, str]) -> str | None:
    """The partner tenant id the environment or the ``[graph]`` table names, if any."""
    tenant = env.get("REPORTER_TENANT_ID") or values.get("tenant_id")
    return str(tenant).strip() or None if tenant else None


def graph_values(values: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """``values`` (the ``[graph]`` table) with ``env`` applied and every value checked: ``GraphSettings`` fields."""
    result: dict[str, Any] = {k: v for k, v in values.items() if k != "certificate_password_env"}
    password_env = str(values.get("certificate_password_env", PASSWORD_ENV))
    for key, name in _ENV_OVERRIDES.items():
        if env.get(name):
            result[key] = Path(env[name]) if key in PATH_KEYS else env[name]
    if env.get("REPORTER_CLIENT_SECRET"):
        result["client_secret"] = Secret(env["REPORTER_CLIENT_SECRET"])
    if env.get(password_env):
        result["certificate_password"] = Secret(env[password_env])
    _check(result)
    return result


def graph_settings(values: Mapping[str, Any], env: Mapping[str, str]) -> GraphSettings:
    """The settings of the ``[graph]`` table ``values`` and ``env``: what signing in and calling Graph need."""
    return GraphSettings(**graph_values(values, env))


def _check(values: dict[str, Any]) -> None:
    tenant_id = str(values.get("tenant_id", "")).strip()
    client_id = str(values.get("client_id", "")).strip()
    if not tenant_id:
        raise ConfigError("the tenant id is missing", "set [graph] tenant_id or REPORTER_TENANT_ID")
    if tenant_id.lower() in _MULTI_TENANT_NAMES:
        raise ConfigError(
            f"tenant id {tenant_id!r} is not a tenant",
            "app-only sign-in needs the partner's own tenant id (a GUID) or its domain",
        )
    if not _TENANT_RE.match(tenant_id):
        raise ConfigError(f"tenant id {tenant_id!r} is not a tenant GUID or domain name")
    if not client_id:
        raise ConfigError("the client id is missing", "set [graph] client_id or REPORTER_CLIENT_ID")
    values["tenant_id"] = tenant_id
    values["client_id"] = client_id
    values["graph_url"] = _https_url("graph URL", values.get("graph_url", DEFAULT_GRAPH_URL))
    values["authority_url"] = _https_url("authority URL", values.get("authority_url", DEFAULT_AUTHORITY_URL))
    if values["graph_url"].endswith(("/beta", "/v1.0")):
        raise ConfigError(
            f"graph URL {values['graph_url']} includes an API version",
            "give the host only, e.g. https://graph.microsoft.com; reporter appends /beta or /v1.0",
        )

    certificate = values.get("certificate")
    if values.get("client_secret") and certificate:
        raise ConfigError(
            "both a client secret and a certificate are configured",
            "unset REPORTER_CLIENT_SECRET or the certificate setting",
        )
    if not values.get("client_secret") and not certificate:
        raise ConfigError(
            "no credential configured",
            "set REPORTER_CLIENT_SECRET, or a certificate with [graph] certificate or REPORTER_CERTIFICATE",
        )
    for key in ("certificate", "ca_bundle"):
        given = values.get(key)
        if given is not None:
            values[key] = Path(given)
            check_regular_file(values[key], key.replace("_", " "))
    for key in ("connect_timeout", "read_timeout", "time_budget"):
        if key in values:
            values[key] = float(values[key])
            if not 0 < values[key] <= MAX_SECONDS:  # nan and inf too: a run must end
                raise ConfigError(
                    f"[graph] {key} must be a number of seconds above 0 and at most {MAX_SECONDS:,.0f}, "
                    f"found {values[key]!r}",
                    "the time budget is for the whole run (1800, half an hour, by default)",
                )
    if "max_connections" in values and values["max_connections"] < 1:
        raise ConfigError("max_connections must be at least 1")


def _https_url(what: str, value: str) -> str:
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:  # not echoed: it may hold a password
        raise ConfigError(
            f"{what} carries a user name or password", "give the https address only; credentials come from REPORTER_*"
        )
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(f"{what} {value!r} is not an https URL", "Graph and Entra ID are only served over https")
    if parts.query or parts.fragment:
        raise ConfigError(f"{what} {value!r} must not have a query or fragment")
    return url
