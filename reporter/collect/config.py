"""Collector settings: the ``[graph]`` and ``[collect]`` tables of ``reporter.toml``, then the environment.

Precedence, lowest first: built-in defaults, the TOML file, ``REPORTER_*``
environment variables, command-line options. The client secret is read from
``REPORTER_CLIENT_SECRET`` only; a ``client_secret`` key in the file is refused.
The file is read and checked as a whole by ``reporter.config``; the other
tables (``[brand]``, ``[run]``) belong to other parts of reporter. Relative paths in the file are relative to the
file's folder. Every key is optional::

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

    [collect]
    customers_file = "customers.csv"    # or --customers-file: tenantId,name,domain
    page_size = 100                     # a hint (Prefer: odata.maxpagesize); Graph may ignore it
    alerts = true                       # fetch partner security alerts
    contracts = true                    # fetch /v1.0/contracts for customer names
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reporter.config import Config, load_config
from reporter.errors import ConfigError
from reporter.files import check_regular_file

DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
DEFAULT_AUTHORITY_URL = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"

MAX_SECONDS = 86_400.0
"""The longest timeout or time budget accepted: a day (a monthly run that takes longer has hung)."""

_MULTI_TENANT_NAMES = frozenset({"common", "organizations", "consumers"})
_TENANT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")


@dataclass(frozen=True)
class Secret:
    """A string that never shows itself in ``repr``, ``str`` or a format string."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)


@dataclass(frozen=True)
class Settings:
    """Everything the collector needs; build it with ``load_settings``."""

    tenant_id: str
    client_id: str
    client_secret: Secret | None = None
    certificate: Path | None = None
    """A PEM file holding the private key and the certificate, or a PFX (``.pfx``/``.p12``) file."""
    certificate_password: Secret | None = None
    graph_url: str = DEFAULT_GRAPH_URL
    authority_url: str = DEFAULT_AUTHORITY_URL
    ca_bundle: Path | None = None
    customers_file: Path | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    time_budget: float = 1800.0
    """Seconds the whole collection may take, waits for throttling included."""
    max_connections: int = 16
    page_size: int | None = None
    """Sent as ``Prefer: odata.maxpagesize``; a hint Graph may ignore."""
    alerts: bool = True
    contracts: bool = True

    @property
    def authority(self) -> str:
        return f"{self.authority_url}/{self.tenant_id}"


# --- The file schema ---------------------------------------------------------------

_GRAPH_KEYS: dict[str, type | tuple[type, ...]] = {
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
_COLLECT_KEYS: dict[str, type | tuple[type, ...]] = {
    "customers_file": str,
    "page_size": int,
    "alerts": bool,
    "contracts": bool,
}
_PATH_KEYS = frozenset({"certificate", "ca_bundle", "customers_file"})
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", (int, float): "a number"}


@dataclass(frozen=True)
class FileSettings:
    """The collector's part of the configuration file, checked; ``settings_from`` adds the environment."""

    values: Mapping[str, Any] = field(default_factory=dict)
    password_env: str = "REPORTER_CERTIFICATE_PASSWORD"  # noqa: S105 (a variable name)


def configured_tenant(file: FileSettings, env: Mapping[str, str]) -> str | None:
    """The partner tenant id the environment or the file names, if any; nothing else is checked or needed."""
    tenant = env.get("REPORTER_TENANT_ID") or file.values.get("tenant_id")
    return str(tenant).strip() or None if tenant else None


def load_settings(
    config_file: Path | None,
    env: Mapping[str, str],
    *,
    customers_file: Path | None = None,
) -> Settings:
    """Read ``config_file`` (or ``./reporter.toml`` if it exists), apply ``env`` and options."""
    return settings_from(file_settings(load_config(config_file)), env, customers_file=customers_file)


def settings_from(file: FileSettings, env: Mapping[str, str], *, customers_file: Path | None = None) -> Settings:
    """The settings from the file's values, then ``env``, then the options: what collecting needs."""
    values: dict[str, Any] = dict(file.values)
    overrides = {
        "tenant_id": "REPORTER_TENANT_ID",
        "client_id": "REPORTER_CLIENT_ID",
        "certificate": "REPORTER_CERTIFICATE",
        "graph_url": "REPORTER_GRAPH_URL",
        "authority_url": "REPORTER_AUTHORITY_URL",
        "ca_bundle": "REPORTER_CA_BUNDLE",
    }
    for key, name in overrides.items():
        if env.get(name):
            values[key] = Path(env[name]) if key in _PATH_KEYS else env[name]
    if customers_file is not None:
        values["customers_file"] = customers_file
    if env.get("REPORTER_CLIENT_SECRET"):
        values["client_secret"] = Secret(env["REPORTER_CLIENT_SECRET"])
    if env.get(file.password_env):
        values["certificate_password"] = Secret(env[file.password_env])
    return _validate(values)


def file_settings(config: Config) -> FileSettings:
    """The ``[graph]`` and ``[collect]`` tables of ``config``, each key checked; needs no credential."""
    path = config.where
    values: dict[str, Any] = {}
    for table, schema in (("graph", _GRAPH_KEYS), ("collect", _COLLECT_KEYS)):
        section = config.table(table) or {}
        for key, value in section.items():
            if key not in schema:
                known = ", ".join(sorted(schema))
                raise ConfigError(f"{path}: [{table}] unknown key {key!r}", f"known keys: {known}")
            expected = schema[key]
            if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
                raise ConfigError(f"{path}: [{table}] {key} must be {_TYPE_NAMES[expected]}, found {value!r:.40}")
            values[key] = config.path_of(str(value)) if key in _PATH_KEYS else value
    password_env = values.pop("certificate_password_env", FileSettings.password_env)
    return FileSettings(values, password_env)


def _validate(values: dict[str, Any]) -> Settings:
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
    for key in ("certificate", "ca_bundle", "customers_file"):
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
    for key in ("max_connections", "page_size"):
        if key in values and values[key] < 1:
            raise ConfigError(f"{key} must be at least 1")
    return Settings(**values)


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
