"""Sending through an SMTP relay: never in clear text, all recipients or none, and an honest answer.

The ``[send.smtp]`` table of ``reporter.toml`` names the server; the password
comes from ``REPORTER_SMTP_PASSWORD`` only (``reporter.config`` refuses one in
the file)::

    [send.smtp]
    host = "smtp.office365.com"
    port = 587                 # default: 587 for starttls, 465 for tls, 25 for none
    security = "starttls"      # "starttls" (default), "tls" (TLS from the start) or "none" (loopback only)
    username = "reports@partner.example"

What ``SmtpTransport`` guarantees:

- TLS is required (``starttls`` or ``tls``) unless the server is on this machine
  (``none`` is refused for any other host); the server's certificate and host
  name are checked against the CA bundle given (``REPORTER_CA_BUNDLE``) or the
  system's store. A server that does not offer STARTTLS is refused: neither the
  password nor a report ever travels in clear text over the network.
- The envelope is the delivery's: ``MAIL FROM`` its sender, ``RCPT TO`` its
  recipients, never read back from the headers.
- All or nothing: every ``RCPT`` is given before ``DATA``; if the server refuses
  any recipient the transaction is reset and ``DeliveryRefused`` names them.
- ``DeliveryUnknown`` only when the whole message was handed over and the final
  answer was lost: the server may have accepted it. A connection lost before
  that means it cannot have been accepted.
- One connection for all deliveries; if the server dropped it between two
  messages, one new connection is made (nothing of the message had been sent).
- Every wait on the network (connecting, TLS, each read and write) is bounded
  by ``timeout`` (looking the host name up is left to the system's resolver)
  and every reply by ``MAX_REPLY_LINES`` lines; server replies quoted in errors are one line of at
  most ``QUOTE_LIMIT`` characters, with the password removed if a server echoed it.

Failures map onto the kinds of ``reporter.send.transport``: a refused recipient,
a message too large or refused for its content is ``DeliveryRefused``; a refused
login, sender or connection, a temporary refusal (4xx: try later), and policy
refusals that would hit every message (5.7.x, quotas) are ``SendError``.
"""

from __future__ import annotations

import base64
import math
import re
import smtplib
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from functools import partial
from pathlib import Path

from reporter.errors import ConfigError, SendError
from reporter.files import check_regular_file
from reporter.secret import Secret
from reporter.send.message import Delivery, to_mime
from reporter.send.smtp_config import PASSWORD_ENV, SmtpSettings, is_loopback
from reporter.send.transport import DeliveryRefused, DeliveryUnknown

QUOTE_LIMIT = 200
"""The most characters of a server's reply quoted in a message."""
MAX_REPLY_LINES = 100
"""The most lines of one server reply read (each is at most 8 KiB, smtplib's limit)."""
_MAX_LINE = 8192
_EHLO_PLACEHOLDER = "localhost"
"""Given to smtplib so that it never looks up this machine's name; the EHLO names the connection's address."""
_ENHANCED_RE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})\b")
_NOT_IN_ADDRESS = frozenset(' <>()[]\\,;:"')
_EXCHANGE_HOSTS = ("office365.com", "outlook.com", "office365.us", "partner.outlook.cn")


class _Client(smtplib.SMTP):
    """smtplib's client with every reply bounded in lines."""

    def getreply(self) -> tuple[int, bytes]:
        return _bounded_reply(self)


class _TlsClient(smtplib.SMTP_SSL):
    """smtplib's implicit-TLS client with every reply bounded in lines."""

    def getreply(self) -> tuple[int, bytes]:
        return _bounded_reply(self)


def _bounded_reply(client: smtplib.SMTP) -> tuple[int, bytes]:
    """``smtplib.SMTP.getreply`` with at most ``MAX_REPLY_LINES`` lines read, the whole reply within the
    client's timeout (a server that trickles its answer a byte at a time does not hold a send for hours)."""
    if client.sock is None:
        raise smtplib.SMTPServerDisconnected("please run connect() first")
    deadline = time.monotonic() + float(client.timeout)
    lines: list[bytes] = []
    while True:
        try:
            line = _read_line(client, deadline)
        except OSError as exc:
            client.close()
            raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {exc}") from exc
        if not line:
            client.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if len(line) > _MAX_LINE:
            client.close()
            raise smtplib.SMTPResponseException(500, b"Line too long.")
        separator = line[3:4]
        if not line[:3].isdigit() or separator not in (b" ", b"-", b"\r", b"\n", b""):
            lines.append(line.strip(b" \t\r\n"))  # not a reply line: quoted whole
            return -1, b"\n".join(lines)
        lines.append(line[4:].strip(b" \t\r\n"))
        code = int(line[:3])
        if line[3:4] != b"-":
            return code, b"\n".join(lines)
        if len(lines) >= MAX_REPLY_LINES:
            client.close()
            raise smtplib.SMTPResponseException(500, b"Reply too long.")


_BUFFERS: weakref.WeakKeyDictionary[socket.socket, bytearray] = weakref.WeakKeyDictionary()
"""What was read from each connection beyond the last line (a TLS-wrapped connection is a new key)."""


def _read_line(client: smtplib.SMTP, deadline: float) -> bytes:
    """One line from the server (at most ``_MAX_LINE + 1`` bytes; empty when it closed), by ``deadline``."""
    sock = client.sock
    assert sock is not None
    buffer = _BUFFERS.setdefault(sock, bytearray())
    timeout = sock.gettimeout()
    try:
        while True:
            end = buffer.find(b"\n")
            if end >= 0:
                line = bytes(buffer[: end + 1])
                del buffer[: end + 1]
                return line
            if len(buffer) > _MAX_LINE:
                return bytes(buffer[: _MAX_LINE + 1])
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the server's answer did not arrive in time")
            sock.settimeout(left if timeout is None else min(left, timeout))
            chunk = sock.recv(4096)
            if not chunk:
                return bytes(buffer)
            buffer += chunk
    finally:
        sock.settimeout(timeout)


class _Dropped(Exception):
    """The connection was gone before anything of the message was sent."""


class SmtpTransport:
    """``MailTransport`` over SMTP: one connection, reused, closed with QUIT by ``close()``."""

    name = "smtp"
    can_look_up = False
    concurrency = 1

    def __init__(
        self,
        settings: SmtpSettings,
        password: Secret | None,
        *,
        ca_bundle: Path | None = None,
        timeout: float = 30.0,
        sender: str,
    ) -> None:
        if settings.username and password is None:
            raise ConfigError(
                f"[send.smtp] username {settings.username} is set but {PASSWORD_ENV} is not",
                f"put the SMTP password in the environment variable {PASSWORD_ENV}",
            )
        if password is not None and not settings.username:
            raise ConfigError(
                f"{PASSWORD_ENV} is set but [send.smtp] has no username",
                "add username to [send.smtp], or unset the variable for a server that needs no login",
            )
        if settings.security == "none" and not is_loopback(settings.host):
            raise ConfigError(f'[send.smtp] security = "none" is refused for {settings.host}: use starttls or tls')
        if not (math.isfinite(timeout) and timeout > 0):
            raise ConfigError(f"the SMTP timeout must be a number of seconds above 0, found {timeout!r}")
        self.settings = settings
        self._password = password
        self._ca_bundle = ca_bundle
        self._timeout = timeout
        self._sender = sender
        self._tls = _tls_context(ca_bundle) if settings.security != "none" else None
        self._client: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def deliver(self, delivery: Delivery, handing_over: Callable[[], None] | None = None) -> None:
        """Hand ``delivery`` over; returns once the server accepted it, else raises a ``SendError``."""
        if delivery.sender.strip().lower() != self._sender.strip().lower():
            raise ValueError(f"delivery sender {delivery.sender!r} is not the configured sender {self._sender!r}")
        sender = _sender_address(delivery.sender)
        recipients = _recipient_addresses(delivery)
        message = to_mime(delivery, date=datetime.now().astimezone())
        with self._lock:
            while True:  # at most twice: a new connection is never "reused"
                reused = self._client is not None
                client = self._connected()
                try:
                    data, options = self._payload(client, message, delivery, sender, recipients)
                    self._envelope(client, delivery, sender, recipients, len(data), options)
                    break
                except _Dropped as dropped:  # nothing of the message was sent
                    self._discard()
                    if not reused:
                        raise self._lost(dropped.__cause__) from None
                    # the server dropped the idle connection between two messages: once more, afresh
            if handing_over is not None:
                handing_over()
            self._data(client, delivery, data)

    def open(self) -> None:
        """Connect, secure and log in now, so that a wrong password or host stops the send before it starts."""
        with self._lock:
            self._connected()

    def was_delivered(self, delivery: Delivery) -> bool | None:
        """SMTP cannot tell: a relay keeps no Sent Items."""
        return None

    def close(self) -> None:
        """QUIT and close the connection, if one is open (errors on the way out are ignored)."""
        with self._lock:
            client, self._client = self._client, None
            if client is None:
                return
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                client.close()

    # --- the connection ---------------------------------------------------------------------------------------

    def _connected(self) -> smtplib.SMTP:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _discard(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _connect(self) -> smtplib.SMTP:
        host, port, timeout = self.settings.host, self.settings.port, self._timeout
        try:  # smtplib connects in the constructor, reads the greeting, and closes the socket if either fails
            if self.settings.security == "tls":
                client: smtplib.SMTP = _TlsClient(host, port, _EHLO_PLACEHOLDER, timeout=timeout, context=self._tls)
            else:
                client = _Client(host, port, _EHLO_PLACEHOLDER, timeout=timeout)
        except smtplib.SMTPConnectError as exc:
            raise SendError(
                f"the SMTP server {self._where} did not greet with 220 ({self._quote(exc.smtp_code, exc.smtp_error)})",
                "check [send.smtp] host and port",
            ) from None
        except (OSError, smtplib.SMTPException) as exc:  # ssl.SSLError is an OSError
            raise self._unreachable(exc) from None
        try:
            # Each write is a whole command or the whole message: without this, the message's last segment
            # waits for the server's delayed ACK (40 ms a message on Linux).
            if client.sock is not None:
                client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._hello(client)
            if self.settings.security == "starttls":
                self._start_tls(client)
            if self.settings.username:
                self._login(client)
        except smtplib.SMTPResponseException as exc:
            client.close()
            raise SendError(
                f"the SMTP server {self._where} answered {self._quote(exc.smtp_code, exc.smtp_error)}",
                "check [send.smtp] host, port and security",
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            client.close()
            raise self._unreachable(exc) from None
        except BaseException:
            client.close()
            raise
        return client

    def _hello(self, client: smtplib.SMTP) -> None:
        name = _ehlo_name(client)
        code, reply = client.ehlo(name)
        if code != 250:
            if self.settings.security != "none":
                raise SendError(
                    f"the SMTP server {self._where} does not speak ESMTP (EHLO: {self._quote(code, reply)})",
                    "STARTTLS and AUTH need ESMTP: check [send.smtp] host and port",
                )
            code, reply = client.helo(name)
            if code != 250:
                raise SendError(f"the SMTP server {self._where} refused HELO ({self._quote(code, reply)})")

    def _start_tls(self, client: smtplib.SMTP) -> None:
        if not client.has_extn("starttls"):
            raise SendError(
                f"the SMTP server {self._where} does not offer STARTTLS",
                "reporter never sends a password or a report in clear text: use a server (or port) that offers "
                'STARTTLS, or security = "tls" if it expects TLS from the start (port 465)',
            )
        client.starttls(context=self._tls)
        self._hello(client)

    def _login(self, client: smtplib.SMTP) -> None:
        username = self.settings.username
        assert username is not None
        assert self._password is not None
        if not client.has_extn("auth"):
            raise SendError(
                f"the SMTP server {self._where} offers no AUTH over TLS, so reporter cannot log in as {username}",
                "check [send.smtp] host and port (mail submission is usually port 587), or remove username for a "
                "relay that needs no login",
            )
        offered = client.esmtp_features.get("auth", "").upper().split()
        password = self._password.reveal()
        if "PLAIN" in offered:
            code, reply = client.docmd("AUTH", "PLAIN " + _b64(f"\0{username}\0{password}"))
            if code == 334:  # no initial response taken: answer the empty challenge
                code, reply = client.docmd(_b64(f"\0{username}\0{password}"))
        elif "LOGIN" in offered:
            code, reply = client.docmd("AUTH", "LOGIN " + _b64(username))
            if code == 334:
                code, reply = client.docmd(_b64(password))
        else:
            raise SendError(
                f"the SMTP server {self._where} offers no password login (AUTH {' '.join(offered)[:80]})",
                "reporter logs in with AUTH PLAIN or LOGIN over TLS; ask for SMTP AUTH to be enabled",
            )
        if code not in (235, 503):  # 503: already logged in
            raise SendError(
                f"SMTP login as {username} to {self.settings.host} was refused "
                f"({self._quote(code, reply)}): check [send.smtp] username and {PASSWORD_ENV}",
                self._exchange_hint(reply),
            )

    def _exchange_hint(self, reply: bytes) -> str | None:
        host = self.settings.host.lower().rstrip(".")
        text = reply.decode("utf-8", "replace")
        if host.endswith(_EXCHANGE_HOSTS) or "5.7.139" in text or "SmtpClientAuthentication" in text:
            return (
                "Exchange Online: SMTP AUTH must be enabled for the mailbox "
                "(Set-CASMailbox -SmtpClientAuthenticationDisabled $false) and not disabled for the tenant"
            )
        return None

    # --- one message ------------------------------------------------------------------------------------------

    def _payload(
        self, client: smtplib.SMTP, message: EmailMessage, delivery: Delivery, sender: str, recipients: tuple[str, ...]
    ) -> tuple[bytes, list[str]]:
        """The bytes of ``message`` for this server, and the MAIL FROM options they need."""
        options: list[str] = []
        international = not all(address.isascii() for address in (sender, *recipients))
        if international:
            if not client.has_extn("smtputf8"):
                raise DeliveryRefused(
                    f"the SMTP server {self.settings.host} does not accept international addresses (SMTPUTF8), "
                    f"needed for {_who(delivery)}",
                    "use ASCII addresses for this customer, or a server that offers SMTPUTF8",
                )
            options.append("SMTPUTF8")
        data: bytes = message.as_bytes(policy=SMTP.clone(utf8=True) if international else SMTP)
        if not data.isascii():
            if client.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")
            else:
                data = message.as_bytes(policy=SMTP.clone(cte_type="7bit"))  # the text parts go as base64
        limit = _size_limit(client)
        if limit and len(data) > limit:
            raise DeliveryRefused(
                f"the message to {_who(delivery)} is {len(data):,} bytes, more than the {limit:,} bytes the SMTP "
                f"server {self.settings.host} accepts",
                "send smaller attachments, or ask for a larger message size limit",
            )
        if client.has_extn("size"):
            options.append(f"SIZE={len(data)}")
        return data, options

    def _envelope(
        self,
        client: smtplib.SMTP,
        delivery: Delivery,
        sender: str,
        recipients: tuple[str, ...],
        size: int,
        options: list[str],
    ) -> None:
        """MAIL FROM, then every RCPT TO; raises unless the server took all of them."""
        code, reply = self._command(client, partial(client.mail, sender, options))
        if code == 552 or (code == 452 and b"size" in reply.lower()):
            self._reset(client)
            raise DeliveryRefused(
                f"the SMTP server {self.settings.host} refused the {size:,}-byte message to {_who(delivery)} "
                f"({self._quote(code, reply)})",
                "send smaller attachments, or ask for a larger message size limit",
            )
        if code == 530:
            raise self._wants_login(client, code, reply)
        if 400 <= code < 500:
            self._reset(client)
            raise self._refusal(code, reply, delivery)
        if code != 250:
            self._reset(client)
            raise SendError(
                f"the SMTP server {self.settings.host} refused the sender {sender} ({self._quote(code, reply)})",
                f"check [send] sender: {self.settings.username or 'this client'} must be allowed to send as it",
            )
        refused: list[str] = []
        for address in recipients:
            code, reply = self._command(client, partial(client.rcpt, address))
            if code in (250, 251):
                continue
            if code == 530:
                raise self._wants_login(client, code, reply)
            refused.append(f"{address} ({self._quote(code, reply)})")
        if refused:
            self._reset(client)
            raise DeliveryRefused(
                f"the SMTP server {self.settings.host} refused {'; '.join(refused)}: nothing was sent to "
                f"{_who(delivery)}",
                "check the addresses in the customers file",
            )

    def _wants_login(self, client: smtplib.SMTP, code: int, reply: bytes) -> SendError:
        self._reset(client)
        return SendError(
            f"the SMTP server {self.settings.host} wants a login ({self._quote(code, reply)})",
            f"set [send.smtp] username and {PASSWORD_ENV}"
            if not self.settings.username
            else f"the login as {self.settings.username} is not enough to send: check its rights",
        )

    def _command(self, client: smtplib.SMTP, command: Callable[[], tuple[int, bytes]]) -> tuple[int, bytes]:
        """One envelope command; ``_Dropped`` when the connection is gone (nothing of the message was sent)."""
        try:
            code, reply = command()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise _Dropped() from exc
        if code == 421:  # the server is closing this connection
            raise _Dropped() from smtplib.SMTPResponseException(code, reply)
        return int(code), bytes(reply)

    def _data(self, client: smtplib.SMTP, delivery: Delivery, data: bytes) -> None:
        """DATA, the content, and the final answer."""
        try:
            code, reply = client.docmd("DATA")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._discard()
            raise self._lost(exc) from None
        if code != 354:
            self._reset(client)
            raise self._refusal(code, reply, delivery)
        stuffed = re.sub(rb"(?m)^\.", b"..", data)
        if not stuffed.endswith(b"\r\n"):
            stuffed += b"\r\n"
        try:
            client.send(stuffed + b".\r\n")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            # sendall failed: the final "." never left, so the server cannot have accepted the message.
            self._discard()
            raise self._lost(exc) from None
        try:
            code, reply = client.getreply()
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as exc:
            self._discard()
            raise DeliveryUnknown(
                f"the connection to the SMTP server {self._where} broke after the message to {_who(delivery)} was "
                f"handed over ({_reason(exc)}): it may have been delivered",
                "check with a recipient or in the server's log before sending it again",
            ) from None
        if not 400 <= code < 600 and not 200 <= code < 300:  # no readable answer: it may have been accepted
            self._discard()
            raise DeliveryUnknown(
                f"the SMTP server {self._where} gave no readable answer after the message to {_who(delivery)} "
                f"was handed over ({self._quote(code, reply)}): it may have been delivered",
                "check with a recipient or in the server's log before sending it again",
            )
        if not 200 <= code < 300:
            raise self._refusal(code, reply, delivery)

    def _refusal(self, code: int, reply: bytes, delivery: Delivery) -> SendError:
        """The error for a refused message: this delivery only, unless the refusal would hit every message."""
        quoted = self._quote(code, reply)
        enhanced = _enhanced(reply)
        if code == 421 or 400 <= code < 500:
            return SendError(
                f"the SMTP server {self.settings.host} is refusing mail for now ({quoted})",
                "send again later",
            )
        if enhanced[:2] == ("5", "7") or b"quota" in reply.lower():
            return SendError(
                f"the SMTP server {self.settings.host} refused the message to {_who(delivery)} ({quoted})",
                "a policy or sending limit that would refuse every message: check the sender's rights and limits",
            )
        return DeliveryRefused(
            f"the SMTP server {self.settings.host} refused the message to {_who(delivery)} ({quoted})",
            "the other messages go on; check the message size and content",
        )

    def _reset(self, client: smtplib.SMTP) -> None:
        try:
            code, _ = client.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self._discard()

    # --- errors -----------------------------------------------------------------------------------------------

    def _lost(self, cause: BaseException | None) -> SendError:
        return SendError(
            f"the connection to the SMTP server {self._where} was lost ({_reason(cause)}); the message was not "
            "handed over",
            "check the network and the server, then send again",
        )

    def _unreachable(self, exc: BaseException) -> SendError:
        where, security = self._where, self.settings.security
        if isinstance(exc, ssl.SSLCertVerificationError):
            problem = exc.verify_message or exc.reason or "not trusted"
            if "mismatch" in str(problem).lower():  # "Hostname mismatch", "IP address mismatch"
                hint = f"the certificate does not name {self.settings.host}: set [send.smtp] host to a name it holds"
            elif self._ca_bundle is not None:
                hint = f"check the CA bundle {self._ca_bundle} (REPORTER_CA_BUNDLE): it must hold the server's CA"
            else:
                hint = (
                    "the system's trusted CAs do not include its issuer: set REPORTER_CA_BUNDLE to a PEM file with "
                    "the CA that issued it"
                )
            return SendError(f"the TLS certificate of the SMTP server {where} was refused ({problem})", hint)
        if isinstance(exc, ssl.SSLError):
            hint = (
                'a server on port 587 or 25 expects security = "starttls"'
                if security == "tls"
                else "check the server's TLS setup"
            )
            return SendError(f"TLS with the SMTP server {where} failed ({exc.reason or exc})", hint)
        if isinstance(exc, socket.gaierror):
            return SendError(
                f"the SMTP server host {self.settings.host} was not found ({exc.strerror})",
                "check [send.smtp] host and this machine's DNS",
            )
        if isinstance(exc, ConnectionRefusedError):
            return SendError(
                f"could not connect to the SMTP server {where} (connection refused)",
                "check [send.smtp] host and port, and that the server is running",
            )
        if isinstance(exc, TimeoutError) or "timed out" in str(exc):
            other = (
                'a server on port 465 expects security = "tls"'
                if security != "tls"
                else 'a server on port 587 expects security = "starttls"'
            )
            return SendError(
                f"the SMTP server {where} did not answer within {self._timeout:g} s",
                f"check [send.smtp] host and port and the firewall; {other}",
            )
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return SendError(
                f"the SMTP server {where} closed the connection ({_reason(exc)})",
                "check [send.smtp] host, port and security",
            )
        return SendError(f"could not talk to the SMTP server {where} ({_reason(exc)})", "check [send.smtp]")

    def _quote(self, code: int, reply: bytes | str) -> str:
        """A server's reply as one line of at most ``QUOTE_LIMIT`` characters, never with the password in it."""
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        for secret in self._secret_forms():
            text = text.replace(secret, "********")
        line = " ".join(f"{code} {text}".split())
        return line if len(line) <= QUOTE_LIMIT else line[: QUOTE_LIMIT - 3] + "..."

    def _secret_forms(self) -> list[str]:
        if self._password is None:
            return []
        password = self._password.reveal()
        user = self.settings.username or ""
        forms = [f"\0{user}\0{password}", password]
        return [password] + [_b64(form) for form in forms]


def _tls_context(ca_bundle: Path | None) -> ssl.SSLContext:
    if ca_bundle is not None:  # a FIFO or a folder is refused at once instead of blocking the load
        check_regular_file(ca_bundle, "CA bundle", hint="check REPORTER_CA_BUNDLE")
    try:
        context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle is not None else None)
    except FileNotFoundError:
        raise ConfigError(f"CA bundle {ca_bundle}: no such file", "check REPORTER_CA_BUNDLE") from None
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(
            f"CA bundle {ca_bundle} cannot be read as PEM certificates ({_reason(exc)})", "check REPORTER_CA_BUNDLE"
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _ehlo_name(client: smtplib.SMTP) -> str:
    """The address literal of this end of the connection (RFC 5321 4.1.3): no name lookup, no host name leaked."""
    try:
        address = client.sock.getsockname()[0] if client.sock is not None else "127.0.0.1"
    except OSError:
        return _EHLO_PLACEHOLDER
    return f"[IPv6:{address}]" if ":" in address else f"[{address}]"


def _size_limit(client: smtplib.SMTP) -> int:
    value = client.esmtp_features.get("size", "").strip()
    return int(value) if value.isdigit() else 0


def _enhanced(reply: bytes) -> tuple[str, ...]:
    match = _ENHANCED_RE.match(reply.decode("ascii", "replace"))
    return match.groups() if match else ()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _sender_address(address: str) -> str:
    if not _is_address(address):
        raise SendError(f"the sender {address!r:.80} is not an email address", "check [send] sender")
    return address.strip()


def _recipient_addresses(delivery: Delivery) -> tuple[str, ...]:
    """The delivery's recipients, each once (the first spelling kept), every one a plain address."""
    seen: dict[str, str] = {}
    for address in delivery.recipients:
        if not _is_address(address):
            raise DeliveryRefused(
                f"recipient {address!r:.80} of {_who(delivery)} is not an email address", "check the customers file"
            )
        seen.setdefault(address.strip().lower(), address.strip())
    if not seen:
        raise DeliveryRefused(f"the message to {_who(delivery)} has no recipient", "check the customers file")
    return tuple(seen.values())


def _is_address(address: str) -> bool:
    """A bare ``local@domain``: one address that cannot break an SMTP command line or read as two in a header."""
    text = address.strip()
    local, at, domain = text.partition("@")
    return (
        bool(at and local and domain)
        and "@" not in domain
        and text.isprintable()
        and not any(c in _NOT_IN_ADDRESS for c in text)
        and len(text) <= 320
    )


def _who(delivery: Delivery) -> str:
    return delivery.customer or delivery.key


def _reason(exc: BaseException | None) -> str:
    if exc is None:
        return "no reason given"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 3] + "..."
