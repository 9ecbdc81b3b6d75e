"""The SMTP transport against a real aiosmtpd server over real TLS: what arrives, and every way it can refuse."""

from __future__ import annotations

import base64
import contextlib
import smtplib
import socket
import ssl
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trustme

from reporter.config import read_toml
from reporter.errors import ConfigError, SendError
from reporter.secret import Secret
from reporter.send.message import Attachment, Delivery, message_id
from reporter.send.smtp import SmtpTransport
from reporter.send.smtp_config import SmtpSettings, is_loopback, smtp_password, smtp_settings
from reporter.send.transport import DeliveryRefused, DeliveryUnknown
from tests import smtp_helpers
from tests.smtp_helpers import PASSWORD, USERNAME, SmtpServer

SENDER = USERNAME
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n.\n..\r\n%%EOF\n"  # a dot line, CR/LF and every byte value
XLSX = b"PK\x03\x04" + b"\x00\xff" * 3000

Factory = Callable[..., SmtpServer]
smtp_server_factory = smtp_helpers.smtp_server_factory


@pytest.fixture
def server(smtp_server_factory: Factory) -> SmtpServer:
    return smtp_server_factory("starttls")


def delivery(
    to: tuple[str, ...] = ("alice@contoso.test", "bob@contoso.test"),
    cc: tuple[str, ...] = ("carol@partner.test",),
    *,
    subject: str = "Votre rapport de sécurité — mai 2026",
    customer: str = "Contoso",
    attachments: tuple[Attachment, ...] | None = None,
    sender: str = SENDER,
) -> Delivery:
    files = (
        (
            Attachment("contoso.pdf", "application/pdf", PDF, "a" * 64),
            Attachment(
                "contoso.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XLSX, "b" * 64
            ),
        )
        if attachments is None
        else attachments
    )
    return Delivery(
        key="6f1c7e2a-0000-4000-8000-000000000001",
        period="2026-05",
        sender=sender,
        to=to,
        cc=cc,
        subject=subject,
        text="Bonjour,\nvoici le rapport.\n.\nÀ bientôt\n",
        html="<p>Bonjour,</p><p>voici le <b>rapport</b>. À bientôt</p>",
        attachments=files,
        message_id=message_id("2026-05", "contoso", to + cc, tuple(a.sha256 for a in files), sender),
        customer=customer,
    )


def lines(text: str) -> str:
    """Text as a mail reader shows it: line ends are CRLF on the wire."""
    return text.replace("\r\n", "\n")


# --- [send.smtp] ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "port"),
    [
        ({"host": "smtp.example.com"}, 587),
        ({"host": "smtp.example.com", "security": "tls"}, 465),
        ({"host": "localhost", "security": "none"}, 25),
        ({"host": "smtp.example.com", "port": 2525}, 2525),
    ],
)
def test_settings_default_port_follows_security(table: dict[str, Any], port: int) -> None:
    settings = smtp_settings(table, "reporter.toml")
    assert settings.port == port
    assert settings.security == table.get("security", "starttls")
    assert settings.username is None


def test_settings_keep_the_username() -> None:
    settings = smtp_settings({"host": " smtp.office365.com ", "username": "reports@partner.test"}, "r.toml")
    assert settings == SmtpSettings("smtp.office365.com", 587, "starttls", "reports@partner.test")


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"host": "h.example", "user": "x"}, "unknown key 'user' (known keys: host, port, security, username)"),
        ({}, "host is missing"),
        ({"host": ""}, "host must be a host name"),
        ({"host": "smtp://h.example"}, "host must be a host name"),
        ({"host": "h.example:587"}, "host must be a host name"),
        ({"host": "h.example\r\nX"}, "host must be a host name"),
        ({"host": "h.example", "port": 0}, "port must be a whole number from 1 to 65535"),
        ({"host": "h.example", "port": 65536}, "port must be a whole number"),
        ({"host": "h.example", "port": "587"}, "port must be a whole number"),
        ({"host": "h.example", "port": True}, "port must be a whole number"),
        ({"host": "h.example", "security": "ssl"}, 'security must be "starttls", "tls" or "none"'),
        ({"host": "h.example", "username": ""}, "username must be a non-empty string"),
        ({"host": "h.example", "username": 7}, "username must be a non-empty string"),
    ],
)
def test_settings_refusals_name_the_key(table: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        smtp_settings(table, "reporter.toml")
    message = str(caught.value)
    assert message.startswith("reporter.toml: [send.smtp]")
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize("host", ["smtp.example.com", "10.0.0.5", "192.168.1.1", "::2", "localhost.example.com"])
def test_security_none_is_refused_beyond_this_machine(host: str) -> None:
    with pytest.raises(ConfigError, match=r'security = "none" is refused for') as caught:
        smtp_settings({"host": host, "security": "none"}, "reporter.toml")
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match="refused"):
        SmtpTransport(SmtpSettings(host, 25, "none"), None, sender=SENDER)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "127.0.0.1", "127.8.9.10", "::1"])
def test_security_none_is_allowed_on_loopback(host: str) -> None:
    assert is_loopback(host)
    assert smtp_settings({"host": host, "security": "none"}, "r.toml").security == "none"


def test_an_ipv6_address_in_brackets_is_the_address() -> None:
    assert smtp_settings({"host": "[::1]", "security": "none"}, "r.toml").host == "::1"
    assert smtp_settings({"host": "2001:db8::25"}, "r.toml").host == "2001:db8::25"
    with pytest.raises(ConfigError, match="host must be a host name"):
        smtp_settings({"host": "[smtp.example.com]"}, "r.toml")
    with pytest.raises(ConfigError, match="host must be a host name"):
        smtp_settings({"host": "[::1"}, "r.toml")


def test_security_none_with_a_username_is_refused() -> None:
    with pytest.raises(ConfigError, match="would send the password in clear text"):
        smtp_settings({"host": "localhost", "security": "none", "username": "u"}, "r.toml")


def test_a_password_in_the_file_is_refused_naming_the_variable(tmp_path: Path) -> None:
    config = tmp_path / "reporter.toml"
    config.write_text('[send.smtp]\nhost = "h.example"\npassword = "hunter2-secret"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_toml(config, "config file")
    assert "REPORTER_SMTP_PASSWORD" in str(caught.value)
    assert "hunter2-secret" not in str(caught.value)


def test_username_and_password_come_together() -> None:
    with pytest.raises(ConfigError, match=r"username u@x\.test is set but REPORTER_SMTP_PASSWORD is not"):
        SmtpTransport(SmtpSettings("h.example", 587, "starttls", "u@x.test"), None, sender=SENDER)
    with pytest.raises(ConfigError, match=r"REPORTER_SMTP_PASSWORD is set but \[send\.smtp\] has no username"):
        SmtpTransport(SmtpSettings("h.example", 587), Secret("pw"), sender=SENDER)


def test_the_password_comes_from_the_environment_only() -> None:
    assert smtp_password({}) is None
    assert smtp_password({"REPORTER_SMTP_PASSWORD": ""}) is None
    secret = smtp_password({"REPORTER_SMTP_PASSWORD": "pw-123"})
    assert secret is not None
    assert secret.reveal() == "pw-123"
    assert "pw-123" not in repr(secret)


def test_an_unreadable_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        SmtpTransport(SmtpSettings("h.example", 587), None, ca_bundle=tmp_path / "missing.pem", sender=SENDER)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read as PEM"):
        SmtpTransport(SmtpSettings("h.example", 587), None, ca_bundle=junk, sender=SENDER)


def test_transport_shape() -> None:
    transport = SmtpTransport(SmtpSettings("h.example", 587), None, sender=SENDER)
    assert (transport.name, transport.can_look_up, transport.concurrency) == ("smtp", False, 1)
    assert transport.was_delivered(delivery()) is None
    transport.close()  # never connected: nothing to do


# --- what arrives ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["starttls", "tls", "none"])
def test_a_delivery_arrives_as_built(smtp_server_factory: Factory, mode: str) -> None:
    server = smtp_server_factory(mode)
    sent = delivery()
    with server.transport() as transport:
        transport.deliver(sent)
    [got] = server.received
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ("alice@contoso.test", "bob@contoso.test", "carol@partner.test")
    assert got.answered
    assert got.tls is (mode != "none")
    assert got.login == (USERNAME if mode != "none" else None)
    message = got.message
    assert message["Subject"] == sent.subject
    assert message["To"] == "alice@contoso.test, bob@contoso.test"
    assert message["Cc"] == "carol@partner.test"
    assert message["Bcc"] is None
    assert message["Message-ID"] == sent.message_id
    assert message["Date"] is not None
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert lines(text.get_content()) == sent.text
    assert lines(html.get_content()).rstrip("\n") == sent.html
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(files) == {"contoso.pdf", "contoso.xlsx"}
    assert files["contoso.pdf"].get_content() == PDF
    assert files["contoso.pdf"].get_content_type() == "application/pdf"
    assert files["contoso.xlsx"].get_content() == XLSX


def test_the_envelope_is_the_deliverys_not_the_headers(server: SmtpServer) -> None:
    sent = delivery(to=("Alice@Contoso.test",), cc=("alice@contoso.test", "dan@fabrikam.test"))
    with server.transport() as transport:
        transport.deliver(sent)
    [got] = server.received
    assert got.rcpt_tos == ("Alice@Contoso.test", "dan@fabrikam.test")  # each address once
    assert got.message["Cc"] == "alice@contoso.test, dan@fabrikam.test"


def test_without_8bitmime_the_message_goes_as_7bit(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory("starttls", hide_extensions=("8BITMIME",))
    sent = delivery()
    with server.transport() as transport:
        transport.deliver(sent)
    [got] = server.received
    assert got.data.isascii()
    assert not any("BODY" in option for option in got.mail_options)
    text = got.message.get_body(("plain",))
    assert text is not None
    assert lines(text.get_content()) == sent.text
    assert got.message["Subject"] == sent.subject


def test_an_international_address_uses_smtputf8(server: SmtpServer) -> None:
    with server.transport() as transport:
        transport.deliver(delivery(to=("josé@exämple.test",), cc=()))
    [got] = server.received
    assert got.rcpt_tos == ("josé@exämple.test",)
    assert "SMTPUTF8" in got.mail_options


def test_one_connection_serves_many_deliveries(server: SmtpServer) -> None:
    with server.transport() as transport:
        for n in range(5):
            transport.deliver(delivery(to=(f"user{n}@contoso.test",), cc=()))
    received = server.received
    assert [got.rcpt_tos for got in received] == [(f"user{n}@contoso.test",) for n in range(5)]
    assert server.connections == 1
    assert len({got.peer for got in received}) == 1
    assert server.logins == [f"PLAIN {USERNAME} ok"]
    assert server.quits == 1


@pytest.mark.parametrize("reply", ["421 4.4.2 smtp.test idle timeout", None])
def test_a_connection_dropped_between_messages_is_made_again(server: SmtpServer, reply: str | None) -> None:
    with server.transport() as transport:
        transport.deliver(delivery(to=("first@contoso.test",), cc=()))
        server.disconnect_all(reply)
        transport.deliver(delivery(to=("second@contoso.test",), cc=()))
    received = server.received
    assert [got.rcpt_tos for got in received] == [("first@contoso.test",), ("second@contoso.test",)]
    assert server.connections == 2
    assert received[0].peer != received[1].peer


def test_close_quits(server: SmtpServer) -> None:
    transport = server.transport()
    transport.deliver(delivery())
    transport.close()
    transport.close()
    assert server.quits == 1


# --- refusals -------------------------------------------------------------------------------------------------


def test_a_wrong_password_is_one_line_without_the_password(server: SmtpServer) -> None:
    wrong = "Wr0ng-pässword-42"
    with pytest.raises(SendError) as caught, server.transport(password=wrong) as transport:
        transport.deliver(delivery())
    error = caught.value
    message = str(error)
    assert type(error) is SendError
    assert message.startswith(f"SMTP login as {USERNAME} to localhost was refused (535 5.7.8")
    assert "check [send.smtp] username and REPORTER_SMTP_PASSWORD" in message
    assert "\n" not in message
    for secret in (wrong, PASSWORD, base64.b64encode(f"\0{USERNAME}\0{wrong}".encode()).decode()):
        assert secret not in message
        assert secret not in repr(error.args)
    assert server.logins == [f"PLAIN {USERNAME} refused"]  # one try, not one per mechanism
    assert server.received == []


def test_an_exchange_refusal_says_smtp_auth_must_be_enabled(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory(
        "starttls",
        login_refusal="535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox",
    )
    with pytest.raises(SendError) as caught, server.transport(password="nope") as transport:
        transport.deliver(delivery())
    message = str(caught.value)
    assert "(535 5.7.139 Authentication unsuccessful" in message
    assert "SMTP AUTH must be enabled for the mailbox" in message


def test_a_server_echoing_the_password_is_not_quoted(smtp_server_factory: Factory) -> None:
    wrong = "echoed-Secret-9"
    encoded = base64.b64encode(f"\0{USERNAME}\0{wrong}".encode()).decode()
    server = smtp_server_factory("starttls", login_refusal=f"535 5.7.8 bad credentials {encoded} / {wrong}")
    with pytest.raises(SendError) as caught, server.transport(password=wrong) as transport:
        transport.deliver(delivery())
    message = str(caught.value)
    assert "bad credentials" in message
    assert wrong not in message
    assert encoded not in message


def test_a_refused_recipient_sends_nothing(server: SmtpServer) -> None:
    server.refuse("bob@contoso.test")
    server.refuse("carol@partner.test", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found " + "x" * 400)
    with server.transport() as transport:
        with pytest.raises(DeliveryRefused) as caught:
            transport.deliver(delivery())
        transport.deliver(delivery(to=("alice@contoso.test",), cc=()))  # the next one still goes
    message = str(caught.value)
    assert "bob@contoso.test (550 5.1.1 <bob@contoso.test>: Recipient address rejected)" in message
    assert "carol@partner.test (550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found xxx" in message
    assert "x" * 200 not in message  # a server's reply is cut
    assert "alice@contoso.test" not in message
    assert "nothing was sent to Contoso" in message
    assert "\n" not in message
    assert [got.rcpt_tos for got in server.received] == [("alice@contoso.test",)]
    assert server.connections == 1


def test_a_message_over_the_servers_size_is_refused_before_sending(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory("starttls", size_limit=20_000)
    with server.transport() as transport:
        with pytest.raises(DeliveryRefused, match=r"more than the 20,000 bytes the SMTP server localhost accepts"):
            transport.deliver(delivery())
        transport.deliver(delivery(attachments=()))
    [got] = server.received
    assert list(got.message.iter_attachments()) == []


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        ("554 5.6.0 Message content rejected", DeliveryRefused, "refused the message to Contoso (554 5.6.0"),
        ("451 4.3.0 Mail server temporarily rejected message", SendError, "refusing mail for now (451 4.3.0"),
        ("550 5.7.60 SMTP; Client does not have permissions to send as this sender", SendError, "(550 5.7.60"),
        ("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException", SendError, "quota"),
    ],
)
def test_the_final_answer_decides_the_kind_of_failure(
    server: SmtpServer, reply: str, kind: type[SendError], words: str
) -> None:
    server.answer_next(reply)
    with server.transport() as transport:
        with pytest.raises(SendError) as caught:
            transport.deliver(delivery())
        transport.deliver(delivery(to=("next@contoso.test",), cc=()))  # the connection is still good
    assert type(caught.value) is kind
    assert words.lower() in str(caught.value).lower()
    assert [got.rcpt_tos for got in server.received] == [("next@contoso.test",)]


def test_a_drop_after_data_is_unknown_not_failed(server: SmtpServer) -> None:
    server.drop_after_data()
    with server.transport() as transport:
        with pytest.raises(DeliveryUnknown) as caught:
            transport.deliver(delivery())
        transport.deliver(delivery(to=("next@contoso.test",), cc=()))  # a new connection
    message = str(caught.value)
    assert "broke after the message to Contoso was handed over" in message
    assert "it may have been delivered" in message
    first, second = server.received
    assert not first.answered  # the server had it: exactly why the answer is "unknown"
    assert second.answered
    assert server.connections == 2


def test_a_server_without_starttls_is_refused(smtp_server_factory: Factory) -> None:
    for server in (smtp_server_factory("none"), smtp_server_factory("starttls", offer_starttls=False)):
        transport = server.transport(host="127.0.0.1", security="starttls", username=USERNAME)
        with pytest.raises(SendError) as caught, transport:
            transport.deliver(delivery())
        message = str(caught.value)
        assert f"the SMTP server 127.0.0.1:{server.port} does not offer STARTTLS" in message
        assert "never sends a password or a report in clear text" in message
        assert server.logins == []
        assert server.received == []


def test_a_server_offering_no_auth_over_tls_is_refused(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory("starttls", hide_extensions=("AUTH",))
    words = "offers no AUTH over TLS, so reporter cannot log in as"
    with pytest.raises(SendError, match=words), server.transport() as transport:
        transport.deliver(delivery())
    assert server.received == []


def test_a_server_wanting_a_login_says_so(server: SmtpServer) -> None:
    with pytest.raises(SendError) as caught, server.transport(username=None) as transport:
        transport.deliver(delivery())
    assert type(caught.value) is SendError
    assert "wants a login (530 5.7.0 Authentication required)" in str(caught.value)


def test_an_untrusted_certificate_names_the_ca_bundle(server: SmtpServer, tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    transport = SmtpTransport(server.settings(), Secret(PASSWORD), ca_bundle=other, timeout=10, sender=SENDER)
    with pytest.raises(SendError) as caught, transport:
        transport.deliver(delivery())
    message = str(caught.value)
    assert f"the TLS certificate of the SMTP server localhost:{server.port} was refused" in message
    assert f"check the CA bundle {other} (REPORTER_CA_BUNDLE)" in message
    assert server.logins == []


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_the_system_store_does_not_trust_a_private_ca(smtp_server_factory: Factory, mode: str) -> None:
    server = smtp_server_factory(mode)
    transport = SmtpTransport(server.settings(), Secret(PASSWORD), timeout=10, sender=SENDER)
    with pytest.raises(SendError, match="set REPORTER_CA_BUNDLE to a PEM file"), transport:
        transport.deliver(delivery())
    assert server.logins == []


def test_a_certificate_for_another_name_is_refused(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory("starttls", cert_hosts=("localhost",))
    with pytest.raises(SendError) as caught, server.transport(host="127.0.0.1") as transport:
        transport.deliver(delivery())
    assert "mismatch" in str(caught.value)
    assert "certificate does not name 127.0.0.1" in str(caught.value)
    assert server.logins == []


def test_tls_against_a_starttls_port_says_which_security(server: SmtpServer) -> None:
    with pytest.raises(SendError) as caught, server.transport(security="tls") as transport:
        transport.deliver(delivery())
    assert f"TLS with the SMTP server localhost:{server.port} failed" in str(caught.value)
    assert 'expects security = "starttls"' in str(caught.value)


def test_starttls_against_a_tls_port_times_out_and_says_which_security(smtp_server_factory: Factory) -> None:
    server = smtp_server_factory("tls")
    settings = server.settings(security="starttls")
    transport = SmtpTransport(settings, Secret(PASSWORD), ca_bundle=server.ca_bundle, timeout=0.3, sender=SENDER)
    with pytest.raises(SendError) as caught, transport:
        transport.deliver(delivery())
    assert f"the SMTP server localhost:{server.port} did not answer within 0.3 s" in str(caught.value)
    assert 'a server on port 465 expects security = "tls"' in str(caught.value)


def test_a_closed_port_is_named() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = SmtpTransport(SmtpSettings("127.0.0.1", port, "none"), None, timeout=5, sender=SENDER)
    with pytest.raises(SendError) as caught, transport:
        transport.deliver(delivery())
    assert str(caught.value).startswith(f"could not connect to the SMTP server 127.0.0.1:{port} (connection refused)")


# --- injection ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject", ["Rapport\r\nBcc: mallory@evil.test", "Rapport\nBcc: mallory@evil.test", "Rapport\rBcc: x@evil.test"]
)
def test_a_subject_cannot_add_a_header(server: SmtpServer, subject: str) -> None:
    with server.transport() as transport:
        with contextlib.suppress(ValueError):  # to_mime refuses a header value with CR or LF
            transport.deliver(delivery(subject=subject))
        transport.deliver(delivery(subject="clean"))
    for got in server.received:
        assert got.message["Bcc"] is None
        assert "mallory@evil.test" not in got.rcpt_tos
        assert b"\nBcc:" not in got.data
    assert server.received[-1].message["Subject"] == "clean"


def test_a_customer_name_with_a_line_break_stays_out_of_the_headers(server: SmtpServer) -> None:
    with server.transport() as transport:
        transport.deliver(delivery(customer="Contoso\r\nBcc: mallory@evil.test"))
    [got] = server.received
    assert got.message["Bcc"] is None
    assert got.rcpt_tos == ("alice@contoso.test", "bob@contoso.test", "carol@partner.test")


@pytest.mark.parametrize(
    "address",
    [
        "alice@contoso.test>\r\nRCPT TO:<mallory@evil.test",
        "alice@contoso.test\nmallory@evil.test",
        "alice@contoso.test, mallory@evil.test",
        "alice@contoso.test,mallory@evil.test",
        "Alice <alice@contoso.test>",
        "a@b@c.test",
        "a b@c.test",
        "x",
    ],
)
def test_a_recipient_cannot_add_an_smtp_command(server: SmtpServer, address: str) -> None:
    with pytest.raises(DeliveryRefused, match="is not an email address"), server.transport() as transport:
        transport.deliver(delivery(to=(address,), cc=()))
    assert server.received == []


def test_a_sender_cannot_add_an_smtp_command(server: SmtpServer) -> None:
    sender = "reports@partner.test>\r\nRCPT TO:<mallory@evil.test"
    with pytest.raises(SendError, match="is not an email address"), server.transport(sender=sender) as transport:
        transport.deliver(delivery(sender=sender))
    assert server.received == []


# --- the fixture keeps its promises ---------------------------------------------------------------------------


def plain(username: str, password: str) -> str:
    """AUTH PLAIN's argument, in UTF-8 (smtplib's own login only takes ASCII)."""
    return "PLAIN " + base64.b64encode(f"\0{username}\0{password}".encode()).decode()


def test_the_fixture_refuses_auth_before_tls(server: SmtpServer) -> None:
    with smtplib.SMTP("127.0.0.1", server.port, "client.test", timeout=10) as raw:
        raw.ehlo()
        assert not raw.has_extn("auth")
        assert raw.docmd("AUTH", plain(USERNAME, PASSWORD))[0] == 530  # STARTTLS first
        assert raw.docmd("MAIL", "FROM:<a@b.test>")[0] == 530
        raw.starttls(context=ssl.create_default_context(cafile=str(server.ca_bundle)))
        raw.ehlo()
        assert raw.has_extn("auth")
    assert server.logins == []


def test_the_fixture_keeps_serving_after_a_client_vanishes_mid_message(server: SmtpServer) -> None:
    server.hold()
    raw = smtplib.SMTP("127.0.0.1", server.port, "client.test", timeout=10)
    raw.starttls(context=ssl.create_default_context(cafile=str(server.ca_bundle)))
    raw.ehlo()
    assert raw.docmd("AUTH", plain(USERNAME, PASSWORD))[0] == 235
    raw.mail(SENDER)
    raw.rcpt("alice@contoso.test")
    assert raw.docmd("DATA")[0] == 354
    raw.send(b"Subject: held\r\n\r\nbody\r\n.\r\n")
    [held] = server.wait_for(1)
    assert not held.answered  # recorded, its answer held back
    raw.close()  # the client vanishes before the answer (as a killed process does)
    server.release()
    with server.transport() as transport:
        transport.deliver(delivery())
    first, second = server.wait_for(2)
    assert first.message["Subject"] == "held"
    assert second.answered
    assert server.connections == 2


@pytest.mark.parametrize("mode", ["starttls", "tls", "none"])
def test_the_fixture_config_for_a_subprocess_reaches_it(smtp_server_factory: Factory, mode: str) -> None:
    server = smtp_server_factory(mode)
    table = tomllib.loads(server.toml())["send"]["smtp"]
    env = server.env()
    settings = smtp_settings(table, "reporter.toml")
    assert settings == server.settings()
    bundle = env.get("REPORTER_CA_BUNDLE")
    transport = SmtpTransport(
        settings, smtp_password(env), ca_bundle=Path(bundle) if bundle else None, timeout=10, sender=SENDER
    )
    with transport:
        transport.deliver(delivery())
    assert len(server.received) == 1


def test_a_server_that_trickles_its_greeting_is_given_up_within_the_timeout() -> None:
    import threading
    import time

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        connection, _ = listener.accept()
        with connection:
            for byte in b"220 smtp.slow.example ESMTP at last\r\n":
                if stop.wait(0.2):
                    return
                with contextlib.suppress(OSError):
                    connection.sendall(bytes([byte]))

    server = threading.Thread(target=trickle, daemon=True)
    server.start()
    port = listener.getsockname()[1]
    transport = SmtpTransport(SmtpSettings("127.0.0.1", port, "none"), None, sender=SENDER, timeout=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(SendError, match=r"127\.0\.0\.1"):
            transport.open()
        assert time.monotonic() - started < 4  # each byte came within the timeout, the whole greeting did not
    finally:
        stop.set()
        transport.close()
        listener.close()
        server.join(5)
