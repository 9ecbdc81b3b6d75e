"""The emulator: Entra ID, the Graph partner security endpoints and Exchange mail over HTTPS on 127.0.0.1.

    with Emulator(EmulatorOptions(customers=200, faults=Faults(rate_429=0.1))) as emu:
        emu.graph_url, emu.authority_url, emu.tenant_id, emu.client_id, emu.client_secret
        emu.write_ca(path)   # the CA certificate that signed the server certificate
        emu.stats            # requests, pages and faults per path
        emu.mailbox, emu.mail.delivered()   # the sender mailbox, and the messages it delivered

A ``ThreadingHTTPServer`` serves HTTP/1.1 with keep-alive (every answer has a
Content-Length, except a chunked ``huge_body``) from a background thread; TLS is negotiated in each
connection's own thread so a slow client cannot hold up the others.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from reporter.emulator import tls
from reporter.emulator.entra import Entra
from reporter.emulator.faults import EmulatorStats, StatsRecorder
from reporter.emulator.graph import GraphResources
from reporter.emulator.mailbox import Mailbox
from reporter.emulator.options import EmulatorOptions
from reporter.emulator.quirks import apply_quirks
from reporter.emulator.service import Service
from reporter.emulator.wire import Outcome, Request
from reporter.emulator.world import World, build_world

log = logging.getLogger(__name__)

_HANDSHAKE_TIMEOUT = 10.0
_IDLE_TIMEOUT = 30.0
_FILLER_BLOCK = 64 * 1024
"""Zero bytes written at a time for ``huge_body``."""
_POLL_INTERVAL = 0.05
_MAX_REQUEST_BODY = 64 * 1024 * 1024
"""A larger request body is refused unread (Graph itself takes at most 4 MB a request)."""
"""How often the serving loop checks for ``stop()`` (stopping waits up to this long)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "reporter-emulator"
    sys_version = ""
    timeout = _IDLE_TIMEOUT
    wbufsize = 64 * 1024
    """Buffered, so headers and body leave in one write (flushed after each request)."""
    server: _TlsServer

    def do_GET(self) -> None:
        self._serve()

    # Graph answers other methods 405, Entra ID 404.
    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return
        if length > _MAX_REQUEST_BODY:
            self.send_error(413, "Request body too large")
            self.close_connection = True
            return
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        outcome = self.server.service.handle(Request(self.command, self.path, headers, body))
        self._write(outcome)

    def _write(self, outcome: Outcome) -> None:
        reply = outcome.reply
        if outcome.hang_up:  # no status line, no close_notify: the answer is simply lost
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if outcome.filler is not None and not outcome.filler_declared:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = outcome.filler if outcome.filler is not None else len(reply.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if outcome.filler is not None:
            self._write_filler(outcome.stats_path, outcome.filler, chunked=not outcome.filler_declared)
            return
        if outcome.trickle is not None:
            self._trickle(outcome.stats_path, reply.body, outcome.trickle)
            return
        if not outcome.drop:
            self._send_body(outcome.stats_path, reply.body)
            return
        # A connection lost mid-response: part of the body, then no TLS close_notify, no more bytes.
        self._send_body(outcome.stats_path, reply.body[: max(1, len(reply.body) // 3)])
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send_body(self, path: str, data: bytes) -> None:
        self.wfile.write(data)
        self.server.stats.sent(path, len(data))

    def _write_filler(self, path: str, size: int, *, chunked: bool) -> None:
        """``size`` zero bytes, until the client hangs up (a failed write ends it) or the emulator stops."""
        block = bytes(_FILLER_BLOCK)
        left = size
        while left > 0 and not self.server.stopping.is_set():
            piece = block[: min(left, len(block))]
            self._send_body(path, f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            left -= len(piece)
        if left:
            self.close_connection = True
        elif chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _trickle(self, path: str, body: bytes, interval: float) -> None:
        """``body`` one byte every ``interval`` seconds, until it is all sent or the emulator stops."""
        self.wfile.flush()  # the headers at once
        for index in range(len(body)):
            if self.server.stopping.wait(interval):
                self.close_connection = True
                return
            self._send_body(path, body[index : index + 1])
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    service: Service
    """Set once the port is known (the URLs in the answers contain it), before serving starts."""
    stats: StatsRecorder

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext) -> None:
        super().__init__(address, _Handler)
        self.context = context
        self.stopping = threading.Event()
        """Set by ``stop()``: endless and trickling bodies end at once."""
        self._open: set[ssl.SSLSocket] = set()
        self._open_lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(_HANDSHAKE_TIMEOUT)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            connection = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            log.debug("TLS handshake with %s failed: %s", client_address, exc)
            return
        with self._open_lock:
            self._open.add(connection)
        try:
            _Handler(connection, client_address, self)
        except (ssl.SSLError, OSError) as exc:
            log.debug("connection with %s ended: %s", client_address, exc)
        finally:
            with self._open_lock:
                self._open.discard(connection)
            with contextlib.suppress(OSError):
                connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("emulator: unexpected error while serving %s", client_address)

    def close_connections(self) -> None:
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Emulator:
    """Entra ID and Graph over HTTPS for one generated world. Start and stop it, or use ``with``."""

    def __init__(self, options: EmulatorOptions | None = None) -> None:
        self.options = options or EmulatorOptions()
        self.world: World = apply_quirks(
            build_world(
                self.options.seed,
                self.options.customers,
                self.options.as_of,
                kind=self.options.kind,
                overrides=self.options.overrides,
            ),
            self.options.quirks,
        )
        self._tls = tls.generate()
        self._stats = StatsRecorder()
        self._mailbox = Mailbox(self.options.mail)
        self._server: _TlsServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url = ""

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        options = self.options
        server = _TlsServer((options.host, options.port), self._tls.server_context())
        host = "127.0.0.1" if options.host in ("0.0.0.0", "") else options.host  # noqa: S104
        self._base_url = f"https://{host}:{server.server_address[1]}"
        resources = GraphResources(
            self.world, self._base_url, options.page_size, wrapped_singleton=options.quirks.wrapped_singleton
        )
        server.service = Service(options, resources, Entra(options, self._base_url), self._stats, self._mailbox)
        server.stats = self._stats
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(_POLL_INTERVAL,), name="reporter-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- what clients need ----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def graph_url(self) -> str:
        """The Graph base URL (a client appends ``/beta`` or ``/v1.0``)."""
        self.port  # noqa: B018  (fails clearly when not running)
        return self._base_url

    @property
    def authority_url(self) -> str:
        """The Entra ID authority host (a client appends the tenant id)."""
        self.port  # noqa: B018
        return self._base_url

    @property
    def tenant_id(self) -> str:
        return self.options.tenant_id

    @property
    def client_id(self) -> str:
        return self.options.client_id

    @property
    def client_secret(self) -> str:
        return self.options.client_secret

    @property
    def ca_pem(self) -> bytes:
        return self._tls.ca_pem

    def write_ca(self, path: Path | str) -> Path:
        """Write the CA certificate (PEM) to ``path`` and return the path."""
        target = Path(path)
        target.write_bytes(self._tls.ca_pem)
        return target

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this emulator's CA only."""
        return self._tls.client_context()

    @property
    def stats(self) -> EmulatorStats:
        return self._stats.snapshot()

    @property
    def mailbox(self) -> str:
        """The address of the one mailbox that can send (``MailOptions.mailbox``)."""
        return self._mailbox.address

    @property
    def mailbox_id(self) -> str:
        """The mailbox's object id, which Graph paths may use instead of the address."""
        return self._mailbox.object_id

    @property
    def mail(self) -> Mailbox:
        """What the mailbox received: ``delivered()``, ``messages()``, ``counts()``, ``open_drafts()``."""
        return self._mailbox
