"""A real SMTP server in the test process (aiosmtpd), over real TLS, for the SMTP transport and ``reporter send``.

    with SmtpServer("starttls") as server:              # or "tls" (TLS from the start) or "none" (plain, loopback)
        with server.transport(sender="reports@partner.example") as transport:
            transport.deliver(delivery)
        [got] = server.received                         # Received: envelope, raw bytes, parsed message
        got.rcpt_tos, got.message["Subject"], got.message.get_body(("html",)).get_content()

The server listens on 127.0.0.1 on a free port with a certificate from a
throw-away CA (``trustme``) valid for ``localhost``, ``127.0.0.1`` and ``::1``;
``server.ca_bundle`` is that CA as a PEM file. It logs in ``USERNAME`` with
``PASSWORD`` over AUTH PLAIN or LOGIN, offers AUTH only over TLS, and (with
``require_auth``, the default when TLS is on) refuses MAIL before a login.
``none`` mode has no TLS and no AUTH: a local relay.

For a ``reporter send`` subprocess: ``server.toml()`` is the ``[send.smtp]``
table and ``server.env()`` the variables it needs (password, CA bundle). The
server runs in its own thread and outlives any client (a SIGKILLed one included).

Faults, each thread-safe and changeable while clients are connected:

- ``refuse(address, reply)``: RCPT TO that address gets ``reply`` (550 by default);
- ``drop_after_data(count)``: the next ``count`` messages are read in full, then the
  connection is cut instead of answering (the message is kept: it "may have gone");
- ``hold()`` / ``release()``: the answer to the end of DATA waits (kill a client then);
- ``disconnect_all(reply)``: cut every open connection (an idle timeout);
- ``answer_next(reply)``: the end of DATA of the next message gets ``reply`` (not recorded unless 2xx);
- ``offer_starttls=False`` (in ``starttls`` mode): STARTTLS not offered (a downgrade);
- ``hide_extensions=("8BITMIME", "AUTH", ...)``: EHLO does not list them;
- ``login_refusal``: the reply to a wrong password (535 by default).

``received`` is a snapshot list; ``wait_for(count)`` blocks until that many arrived;
``connections`` counts the connections accepted.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from reporter.secret import Secret
from reporter.send.smtp import SmtpTransport
from reporter.send.smtp_config import SmtpSettings

Mode = Literal["starttls", "tls", "none"]

USERNAME = "reports@partner.example"
PASSWORD = "s3cret-Pässword with spaces"
SERVER_NAME = "smtp.test"


@dataclass
class Received:
    """One message the server read to its end."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    """The message's bytes as received (dot-unstuffed, CRLF line ends)."""
    peer: tuple[Any, ...]
    """The client's address: one per connection (the same for messages over one connection)."""
    mail_options: tuple[str, ...] = ()
    answered: bool = False
    """Whether the server answered 250 (False: dropped or still held)."""
    tls: bool = False
    """Whether the connection was encrypted when the message came."""
    login: str | None = None
    """Who had logged in on that connection."""

    @cached_property
    def message(self) -> EmailMessage:
        """The message parsed by the standard ``email`` package (parsed on first use, not by the server)."""
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 in its own thread; a context manager (``start``/``stop``)."""

    def __init__(
        self,
        mode: Mode = "starttls",
        *,
        offer_starttls: bool = True,
        require_auth: bool | None = None,
        username: str = USERNAME,
        password: str = PASSWORD,
        size_limit: int | None = 32 << 20,
        cert_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1"),
        idle_timeout: float = 300.0,
        hide_extensions: tuple[str, ...] = (),
        login_refusal: str = "535 5.7.8 Authentication credentials invalid",
    ) -> None:
        self.mode = mode
        self.offer_starttls = offer_starttls
        self.require_auth = mode != "none" if require_auth is None else require_auth
        self.username = username
        self.password = password
        self.size_limit = size_limit
        self.idle_timeout = idle_timeout
        self.hide_extensions = tuple(name.upper() for name in hide_extensions)
        self.login_refusal = login_refusal
        self.host = "127.0.0.1"
        self.port = 0
        self._folder = Path(tempfile.mkdtemp(prefix="reporter-smtp-"))
        self.ca_bundle: Path | None = None
        self._tls: ssl.SSLContext | None = None
        if mode != "none":
            ca = trustme.CA()
            self.ca_bundle = self._folder / "smtp-ca.pem"
            ca.cert_pem.write_to_path(str(self.ca_bundle))
            self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert(*cert_hosts).configure_cert(self._tls)
        self._state = threading.Condition()
        self._received: list[Received] = []
        self._refused: dict[str, str] = {}
        self._drops = 0
        self._keep_dropped = True
        self._gate = threading.Event()
        self._gate.set()
        self._logins: list[str] = []
        self._answers: list[str] = []
        self.connections = 0
        self.quits = 0
        self._sessions: set[_Session] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # --- life -------------------------------------------------------------------------------------------------

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> SmtpServer:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="smtp-test-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the test SMTP server did not start within 10 s")
        if self._error is not None:
            raise RuntimeError("the test SMTP server did not start") from self._error
        return self

    def stop(self) -> None:
        self._gate.set()
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None
        shutil.rmtree(self._folder, ignore_errors=True)

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            implicit = self._tls if self.mode == "tls" else None
            self._server = loop.run_until_complete(loop.create_server(self._session, self.host, 0, ssl=implicit))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:
            self._error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        loop.run_forever()
        self._server.close()
        for session in list(self._sessions):
            session.cut()
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(self._server.wait_closed())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    def _session(self) -> SMTP:
        assert self._loop is not None
        starttls = self.mode == "starttls" and self.offer_starttls
        session = _Session(
            self,
            _Handler(self),
            hostname=SERVER_NAME,
            tls_context=self._tls if starttls else None,
            require_starttls=starttls,
            auth_require_tls=self.mode != "tls",  # with TLS from the start, aiosmtpd cannot tell it is on
            authenticator=self._authenticate,
            data_size_limit=self.size_limit,
            enable_SMTPUTF8=True,
            timeout=self.idle_timeout,
            loop=self._loop,
        )
        with self._state:
            self.connections += 1
        return session

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = auth_data.login.decode("utf-8", "replace")
        ok = auth_data.login == self.username.encode() and auth_data.password == self.password.encode()
        with self._state:
            self._logins.append(f"{mechanism} {login} {'ok' if ok else 'refused'}")
        if ok:
            return AuthResult(success=True, handled=False, auth_data=login)
        return AuthResult(success=False, handled=False, message=self.login_refusal)

    # --- for tests --------------------------------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._state:
            return list(self._received)

    @property
    def logins(self) -> list[str]:
        """Every AUTH attempt: ``"PLAIN user ok"`` (never the password)."""
        with self._state:
            return list(self._logins)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The messages received once there are at least ``count`` of them (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._state:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self._received)} message(s) received, waited for {count}")
                self._state.wait(left)
            return list(self._received)

    def refuse(self, address: str, reply: str = "550 5.1.1 <{address}>: Recipient address rejected") -> None:
        with self._state:
            self._refused[address.lower()] = reply.format(address=address)

    def drop_after_data(self, count: int = 1, *, keep: bool = True) -> None:
        """Cut the connection instead of answering the next ``count`` messages (``keep``: record them anyway)."""
        with self._state:
            self._drops = count
            self._keep_dropped = keep

    def answer_next(self, reply: str, count: int = 1) -> None:
        """Answer the end of DATA of the next ``count`` messages with ``reply`` (e.g. ``"554 5.6.0 spam"``)."""
        with self._state:
            self._answers.extend([reply] * count)

    def hold(self) -> None:
        """From now on the answer to each message waits for ``release()`` (the message is recorded first)."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def disconnect_all(self, reply: str | None = "421 4.4.2 smtp.test idle timeout") -> None:
        """Close every open connection, after ``reply`` if given (as a server's idle timeout does)."""
        assert self._loop is not None

        async def cut() -> None:
            for session in list(self._sessions):
                session.cut(reply)

        asyncio.run_coroutine_threadsafe(cut(), self._loop).result(10)

    def settings(self, **changes: Any) -> SmtpSettings:
        values: dict[str, Any] = {
            "host": "localhost" if self.mode != "none" else self.host,
            "port": self.port,
            "security": self.mode,
            "username": self.username if self.mode != "none" else None,
        }
        values.update(changes)
        return SmtpSettings(**values)

    def transport(self, *, sender: str = USERNAME, password: str | None = None, **changes: Any) -> SmtpTransport:
        """A transport to this server: its settings (``changes`` applied), its password and its CA."""
        settings = self.settings(**changes)
        secret = Secret(password or self.password) if settings.username else None
        return SmtpTransport(settings, secret, ca_bundle=self.ca_bundle, timeout=10.0, sender=sender)

    def toml(self) -> str:
        """The ``[send.smtp]`` table of a reporter.toml for this server."""
        settings = self.settings()
        lines = ["[send.smtp]", f'host = "{settings.host}"', f"port = {settings.port}", f'security = "{self.mode}"']
        if settings.username:
            lines.append(f'username = "{settings.username}"')
        return "\n".join(lines) + "\n"

    def env(self) -> dict[str, str]:
        """The environment a ``reporter send`` subprocess needs for this server (password, CA bundle)."""
        values = {}
        if self.mode != "none":
            values["REPORTER_SMTP_PASSWORD"] = self.password
            values["REPORTER_CA_BUNDLE"] = str(self.ca_bundle)
        return values

    # --- called by the server's thread ------------------------------------------------------------------------

    def _record(self, session: _Session, envelope: Envelope) -> tuple[Received | None, bool]:
        """The message just read, recorded (unless dropped and not kept), and whether to drop the connection."""
        with self._state:
            drop = self._drops > 0
            if drop:
                self._drops -= 1
                if not self._keep_dropped:
                    return None, True
            got = Received(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=envelope.original_content or b"",
                peer=session.peer_address,
                mail_options=tuple(envelope.mail_options),
                tls=session.encrypted,
                login=session.login,
            )
            self._received.append(got)
            self._state.notify_all()
            return got, drop

    def _answer(self, got: Received | None) -> str:
        """The answer to the end of DATA: a set one (the message then counts as refused), else 250."""
        with self._state:
            if self._answers:
                reply = self._answers.pop(0)
                if got is not None and reply.startswith("2"):
                    got.answered = True
                elif got is not None:
                    self._received.remove(got)
                return reply
            if got is not None:
                got.answered = True
            return "250 2.0.0 OK queued"

    def _reply_for(self, address: str) -> str | None:
        with self._state:
            return self._refused.get(address.lower())


class _Session(SMTP):
    """aiosmtpd's SMTP protocol, known to its server so that it can be cut (one per connection)."""

    def __init__(self, owner: SmtpServer, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.owner = owner
        self.peer_address: tuple[Any, ...] = ()
        self.login: str | None = None

    @property
    def encrypted(self) -> bool:
        transport = self.transport
        return transport is not None and transport.get_extra_info("ssl_object") is not None

    def cut(self, reply: str | None = None) -> None:
        """Close the connection: at once (abort), or after writing ``reply`` (a graceful close)."""
        transport = self.transport
        if not isinstance(transport, asyncio.Transport):
            return
        if reply is None:
            transport.abort()
        else:
            transport.write(reply.encode() + b"\r\n")
            transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if not self.peer_address:
            self.peer_address = tuple(transport.get_extra_info("peername") or ())
        self.owner._sessions.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self.owner._sessions.discard(self)
        super().connection_lost(error)


class _Handler:
    """aiosmtpd hooks: the login check before MAIL, refused recipients, and what happens at the end of DATA."""

    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        hidden = self.owner.hide_extensions
        return [line for line in responses if line[4:].split(" ")[0].upper() not in hidden]

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.owner.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if isinstance(server, _Session):
            server.login = str(session.auth_data) if session.authenticated else None
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self.owner._reply_for(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(server, _Session)
        got, drop = self.owner._record(server, envelope)
        if drop:
            server.cut()
            await asyncio.sleep(3600)  # cancelled at once: the connection is gone
        while not self.owner._gate.is_set():
            await asyncio.sleep(0.005)
        return self.owner._answer(got)

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.owner._state:
            self.owner.quits += 1
        return "221 Bye"


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SmtpServer]]:
    """``smtp_server_factory("tls", offer_starttls=..., ...)`` starts a server, stopped when the test ends."""
    started: list[SmtpServer] = []

    def start(mode: Mode = "starttls", **options: Any) -> SmtpServer:
        server = SmtpServer(mode, **options).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()
