"""The ``[send.smtp]`` table of ``reporter.toml``, checked; the password only from ``REPORTER_SMTP_PASSWORD``::

[send.smtp]
host = "smtp.office365.com"
port = 587                    # default: 587 for starttls, 465 for tls, 25 for none
security = "starttls"         # or "tls"; "none" only to a loopback host
username = "reports@partner.example"
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reporter.errors import ConfigError
from reporter.secret import Secret

PASSWORD_ENV = "REPORTER_SMTP_PASSWORD"  # noqa: S105 (a variable name)
SMTP_KEYS = ("host", "port", "security", "username")
Security = Literal["starttls", "tls", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
_HOST_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.?$")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server (``[send.smtp]``)."""

    host: str
    port: int
    security: Security = "starttls"
    username: str | None = None


def smtp_settings(table: Mapping[str, Any], where: str) -> SmtpSettings:
    """The checked ``[send.smtp]`` table of the file ``where``."""
    for key in table:
        if key not in SMTP_KEYS:
            raise ConfigError(f"{where}: [send.smtp] unknown key {key!r}", f"known keys: {', '.join(SMTP_KEYS)}")
    host = table.get("host")
    if host is None:
        raise ConfigError(
            f"{where}: [send.smtp] host is missing", 'name the SMTP server, e.g. host = "smtp.example.com"'
        )
    if not isinstance(host, str) or not _is_host(host.strip()):
        raise ConfigError(
            f"{where}: [send.smtp] host must be a host name or IP address, found {host!r:.60}",
            "give the name only, without smtp:// or a port (the port is its own key)",
        )
    host = host.strip()
    if host.startswith("["):  # an IPv6 address as written in a URL: the address itself
        host = host[1:-1]
    security = table.get("security", "starttls")
    if security not in DEFAULT_PORTS:
        raise ConfigError(
            f'{where}: [send.smtp] security must be "starttls", "tls" or "none", found {security!r:.40}',
            "starttls for port 587 (the usual), tls for port 465",
        )
    port = table.get("port", DEFAULT_PORTS[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise ConfigError(f"{where}: [send.smtp] port must be a whole number from 1 to 65535, found {port!r:.40}")
    if security == "none" and not is_loopback(host):
        raise ConfigError(
            f'{where}: [send.smtp] security = "none" is refused for {host}: reports would cross the network in clear '
            "text",
            'use starttls or tls; "none" is only for a relay on this machine (localhost, 127.0.0.1, ::1)',
        )
    username = table.get("username")
    if username is not None and (not isinstance(username, str) or not username.strip() or not username.isprintable()):
        raise ConfigError(f"{where}: [send.smtp] username must be a non-empty string, found {username!r:.60}")
    if username is not None and security == "none":
        raise ConfigError(
            f'{where}: [send.smtp] username with security = "none" would send the password in clear text',
            "use starttls or tls, or remove username for a local relay that needs no login",
        )
    return SmtpSettings(host=host, port=port, security=security, username=username.strip() if username else None)


def smtp_password(env: Mapping[str, str]) -> Secret | None:
    """The SMTP password from ``REPORTER_SMTP_PASSWORD``, or None when it is not set (or empty)."""
    value = env.get(PASSWORD_ENV)
    return Secret(value) if value else None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ::1."""
    name = host.strip().rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_host(host: str) -> bool:
    if _HOST_RE.match(host) and len(host) <= 253:
        return True
    inner = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(inner)
    except ValueError:
        return False
    return True
