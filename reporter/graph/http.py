"""The one ``httpx.Client`` of a run: TLS trust, timeouts and the connection pool.

Graph calls and msal's calls to Entra ID share it, so a CA bundle given in the
settings is the only trust anchor for both (``REQUESTS_CA_BUNDLE`` and friends
in the environment do not override it).
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from reporter._version import __version__
from reporter.errors import ConfigError
from reporter.graph.settings import GraphSettings
from reporter.graph.transport import DeadlineTransport, Remaining

USER_AGENT = f"reporter/{__version__}"


def ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """Verification against ``ca_bundle`` only when given, else the system's trust store."""
    if ca_bundle is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=str(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"CA bundle {ca_bundle}: cannot be loaded ({exc})", "give a PEM file of CA certificates"
        ) from None


def _unbounded() -> float:
    return float("inf")


def build_http_client(
    settings: GraphSettings, transport: httpx.BaseTransport | None = None, *, remaining: Remaining | None = None
) -> httpx.Client:
    """A thread-safe client with keep-alive connections for every concurrent fetch.

    ``remaining`` gives the seconds left in the run's budget: no connect, read or write waits longer.
    A ``transport`` given (tests) is used as it is.
    """
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.time_budget,
    )
    limits = httpx.Limits(max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections)
    context = ssl_context(settings.ca_bundle)
    if transport is None:
        transport = DeadlineTransport(context, limits, remaining or _unbounded)
    return httpx.Client(
        transport=transport,
        verify=context,
        timeout=timeout,
        limits=limits,
        http1=True,
        http2=False,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )
