"""Shared fixtures: emulators over real HTTPS, and the CA file that trusts them.

def test_something(emulator_factory, ca_file):
    emu = emulator_factory(customers=12, faults=Faults(rate_429=0.1))
    bundle = ca_file(emu)          # a PEM file with the emulator's CA
    ...                            # talk to emu.graph_url / emu.authority_url
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reporter.emulator.options import EmulatorOptions
from reporter.emulator.server import Emulator

EmulatorFactory = Callable[..., Emulator]


@pytest.fixture
def emulator_factory() -> Iterator[EmulatorFactory]:
    """Start an emulator: ``emulator_factory(options)`` or ``emulator_factory(customers=5, page_size=2, ...)``.

    Keyword arguments are ``EmulatorOptions`` fields (applied on top of ``options`` if both are given).
    Every emulator started is stopped when the test ends.
    """
    started: list[Emulator] = []

    def start(options: EmulatorOptions | None = None, **changes: Any) -> Emulator:
        chosen = dataclasses.replace(options or EmulatorOptions(customers=12), **changes)
        emulator = Emulator(chosen).start()
        started.append(emulator)
        return emulator

    yield start
    for emulator in reversed(started):
        emulator.stop()


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> Emulator:
    """A running emulator with a small world (12 customers, no faults)."""
    return emulator_factory()


@pytest.fixture
def ca_file(tmp_path: Path) -> Callable[[Emulator], Path]:
    """``ca_file(emu)`` writes the emulator's CA certificate to a PEM file and returns its path."""

    def write(emulator: Emulator) -> Path:
        return emulator.write_ca(tmp_path / f"emulator-ca-{emulator.port}.pem")

    return write


class MsalHttpClient:
    """The ``http_client`` msal accepts (``get``/``post`` returning responses), backed by httpx.

    msal's default ``requests`` session lets ``REQUESTS_CA_BUNDLE`` win over ``verify``; this one
    trusts exactly the CA it is given.
    """

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def get(self, url: str, params: Any = None, headers: Any = None, **kwargs: Any) -> httpx.Response:
        return self._client.get(url, params=params, headers=headers, timeout=kwargs.get("timeout", 10))

    def post(
        self, url: str, params: Any = None, data: Any = None, headers: Any = None, **kwargs: Any
    ) -> httpx.Response:
        if isinstance(data, dict):  # msal passes the client assertion as bytes; httpx would send "b'...'"
            data = {key: value.decode() if isinstance(value, bytes) else value for key, value in data.items()}
        return self._client.post(url, params=params, data=data, headers=headers, timeout=kwargs.get("timeout", 10))

    def close(self) -> None:
        self._client.close()


@pytest.fixture
def msal_http_client() -> Iterator[Callable[[Emulator], MsalHttpClient]]:
    """``msal_http_client(emu)``: an http_client for msal that trusts the emulator's CA."""
    clients: list[MsalHttpClient] = []

    def make(emulator: Emulator) -> MsalHttpClient:
        client = MsalHttpClient(httpx.Client(verify=emulator.client_ssl_context()))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
