"""The run's HTTP transport: every connect, read and write waits no longer than the run has left.

httpx applies its read timeout to each socket read, so a server that sends one
byte every few seconds never trips it, and a body could take forever. Here the
connection pool (httpcore's, as ``httpx.HTTPTransport`` builds it) talks through
a network backend that clips each operation's timeout to the time left in the
run's budget, and fails at once when none is left. A run therefore ends within
its budget however slowly the server sends, headers or body, plus the time to
notice (well under a second).
"""

from __future__ import annotations

import contextlib
import ssl
import typing
from collections.abc import Callable, Iterable, Iterator

import httpcore
import httpx

Remaining = Callable[[], float]
"""Seconds left in the run's budget (negative once it has run out)."""

BUDGET_SPENT = "the run's time budget ran out"
"""The message of the timeout raised when no time is left."""


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the run's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, remaining: Remaining) -> None:
        self._stream = stream
        self._remaining = remaining

    def _clip(self, timeout: float | None, error: type[Exception]) -> float:
        left = self._remaining()
        if left <= 0:
            raise error(BUDGET_SPENT)
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, self._clip(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls, self._remaining)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own blocking sockets, with the run's deadline on every wait."""

    def __init__(self, remaining: Remaining) -> None:
        self._backend = httpcore.SyncBackend()
        self._remaining = remaining

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = self._remaining()
        if left <= 0:
            raise httpcore.ConnectTimeout(BUDGET_SPENT)
        clipped = left if timeout is None else min(timeout, left)
        stream = self._backend.connect_tcp(host, port, clipped, local_address, socket_options)
        return _DeadlineStream(stream, self._remaining)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("Unix sockets are not used here")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


# httpcore's errors as httpx names them (the most specific first), as ``httpx.HTTPTransport`` maps them.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class DeadlineTransport(httpx.BaseTransport):
    """HTTP/1.1 over a keep-alive pool, every wait bounded by ``remaining()``."""

    def __init__(self, ssl_context: ssl.SSLContext, limits: httpx.Limits, remaining: Remaining) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=_DeadlineBackend(remaining),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.SyncByteStream):  # pragma: no cover - httpx.Client always sets one
            raise TypeError("a synchronous request body is needed")
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            answer = self._pool.handle_request(core)
        if not isinstance(answer.stream, Iterable):  # pragma: no cover - a sync pool answers a sync stream
            raise TypeError("a synchronous response body is needed")
        return httpx.Response(
            status_code=answer.status, headers=answer.headers, stream=_Body(answer.stream), extensions=answer.extensions
        )

    def close(self) -> None:
        self._pool.close()
