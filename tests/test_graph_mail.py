"""The Graph mail transport, with the real msal and httpx, against the emulator's Exchange Online over TLS."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reporter.emulator import Emulator, Faults, MailOptions
from reporter.errors import AuthError, SendError
from reporter.secret import Secret
from reporter.send.graph_mail import CHUNK_BYTES
from reporter.send.transport import DeliveryRefused, DeliveryUnknown, LimitReached, MailTransport
from tests.collect_helpers import FakeClock
from tests.conftest import EmulatorFactory
from tests.mail_helpers import MIB, attachment, attachments_of, by_message_id, delivery, graph_mail


@pytest.fixture
def emu(emulator_factory: EmulatorFactory) -> Emulator:
    return emulator_factory(customers=1)


def one_line(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text
    assert "Traceback" not in text
    return text


def test_it_is_a_mail_transport(emu: Emulator, tmp_path: Path) -> None:
    with graph_mail(emu, tmp_path) as mail:
        transport: MailTransport = mail
        assert (transport.name, transport.can_look_up, transport.concurrency) == ("graph", True, 4)


# --- what arrives -------------------------------------------------------------------------------------


def test_a_small_delivery_goes_in_one_sendmail_and_arrives_whole(emu: Emulator, tmp_path: Path) -> None:
    files = (attachment("contoso.pdf", 120_000), attachment("contoso.xlsx", 30_000, "application/vnd.ms-excel"))
    sent = delivery(attachments=files)
    with graph_mail(emu, tmp_path) as mail:
        mail.deliver(sent)
    [message] = emu.mail.delivered()
    assert message["Message-ID"] == sent.message_id
    assert message["From"] == emu.mailbox
    assert message["To"] == "it@contoso.example"
    assert message["Cc"] == "ciso@contoso.example"
    assert message["Subject"] == sent.subject
    assert message["X-Reporter-Period"] == "2026-10"
    assert message["X-Reporter-Delivery"] == sent.key
    body = message.get_body(("html",))
    assert body is not None
    assert "<b>report</b>" in body.get_content()
    assert attachments_of(message) == {"contoso.pdf": files[0].data, "contoso.xlsx": files[1].data}
    counts = emu.mail.counts()
    assert counts["sendMail"] == 1
    assert "drafts" not in counts


def test_a_large_attachment_goes_through_an_upload_session_without_a_token(emu: Emulator, tmp_path: Path) -> None:
    big = attachment("contoso.pdf", 5 * MIB + 123)
    small = attachment("contoso.xlsx", 200_000, "application/vnd.ms-excel")
    sent = delivery(attachments=(big, small))
    with graph_mail(emu, tmp_path) as mail:
        mail.deliver(sent)
    [message] = emu.mail.delivered()
    assert message["Message-ID"] == sent.message_id
    assert attachments_of(message) == {"contoso.pdf": big.data, "contoso.xlsx": small.data}
    counts = emu.mail.counts()
    assert counts["drafts"] == 1
    assert counts["uploadSessions"] == 1
    assert CHUNK_BYTES < len(big.data) < 2 * CHUNK_BYTES
    assert counts["uploadChunks"] == 2  # 3.75 MiB, then the rest
    assert "uploadWithAuthorization" not in counts  # the emulator refuses (and counts) a PUT with a token
    assert counts["sends"] == 1
    assert "sendMail" not in counts
    assert emu.mail.open_drafts() == 0
    puts = emu.stats.requests["/api/v2.0/Users({id})/Messages({id})/AttachmentSessions({id})"]
    assert puts == 2


def test_small_attachments_over_3_mib_together_go_by_draft_without_an_upload_session(
    emu: Emulator, tmp_path: Path
) -> None:
    files = (attachment("a.pdf", 2 * MIB), attachment("b.pdf", 2 * MIB))
    with graph_mail(emu, tmp_path) as mail:
        mail.deliver(delivery(attachments=files))
    [message] = emu.mail.delivered()
    assert attachments_of(message) == {"a.pdf": files[0].data, "b.pdf": files[1].data}
    counts = emu.mail.counts()
    assert (counts["drafts"], counts["attachments"], counts["sends"]) == (1, 2, 1)
    assert "uploadSessions" not in counts


def test_four_deliveries_at_a_time_each_arrive_once(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(rate=6000), faults=Faults(latency_ms=20))
    deliveries = [delivery(f"customer-{n}") for n in range(16)]
    with graph_mail(emu, tmp_path) as mail, ThreadPoolExecutor(max_workers=mail.concurrency) as pool:
        list(pool.map(mail.deliver, deliveries))
    assert by_message_id(emu) == {d.message_id: 1 for d in deliveries}


# --- throttling -------------------------------------------------------------------------------------


def test_a_429_mid_send_is_waited_out_and_nothing_is_lost_or_doubled(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_throttle_at=(2, 4), retry_after=7))
    clock = FakeClock()
    deliveries = [delivery(f"customer-{n}") for n in range(4)]
    with graph_mail(emu, tmp_path, clock=clock) as mail:
        for each in deliveries:
            mail.deliver(each)
    assert by_message_id(emu) == {d.message_id: 1 for d in deliveries}
    assert emu.mail.counts()["throttled"] == 2
    assert clock.sleeps == [7.0, 7.0]  # the whole Retry-After, each time


def test_the_per_minute_rate_is_honoured(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(rate=180, rate_window=1.0))  # 3 a second
    deliveries = [delivery(f"customer-{n}") for n in range(5)]
    with graph_mail(emu, tmp_path) as mail, ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(mail.deliver, deliveries))
    assert by_message_id(emu) == {d.message_id: 1 for d in deliveries}
    assert emu.mail.counts()["throttled"] >= 1


# --- lost answers and Sent Items -------------------------------------------------------------------


def test_an_answer_lost_after_the_message_was_taken_is_unknown_and_sent_items_settles_it(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_drop_at=(1,)))
    sent = delivery()
    with graph_mail(emu, tmp_path) as mail:
        with pytest.raises(DeliveryUnknown) as caught:
            mail.deliver(sent)
        assert sent.message_id in one_line(caught.value)
        assert mail.was_delivered(sent) is True
    assert by_message_id(emu) == {sent.message_id: 1}  # handed over once: never retried


def test_a_lost_answer_to_send_of_a_draft_is_unknown_too(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_drop_at=(1,)))
    sent = delivery(attachments=(attachment("big.pdf", 3 * MIB),))
    with graph_mail(emu, tmp_path) as mail:
        with pytest.raises(DeliveryUnknown, match="Drafts folder"):
            mail.deliver(sent)
        assert mail.was_delivered(sent) is True
    assert by_message_id(emu) == {sent.message_id: 1}


def test_a_lost_answer_before_the_hand_over_stops_and_names_the_draft_it_may_leave(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator_factory(customers=1, faults=Faults(drop_rate=1.0))  # every mail request: done, answer lost
    sent = delivery(attachments=(attachment("big.pdf", 3 * MIB),))
    with graph_mail(emu, tmp_path) as mail, pytest.raises(SendError) as caught:
        mail.deliver(sent)
    assert type(caught.value) is SendError  # nothing was handed over: not unknown, but the send cannot go on
    text = one_line(caught.value)
    assert "creating a draft failed" in text
    assert "Drafts folder" in text
    assert emu.mail.open_drafts() == 1  # Graph did make it
    assert emu.mail.messages() == ()


def test_sent_items_find_a_delivered_message_and_not_an_undelivered_one(emu: Emulator, tmp_path: Path) -> None:
    sent, unsent = delivery("customer-a"), delivery("customer-b")
    quoted = delivery("customer-c", message_id="<2026-10.o'brien&co@partner.onmicrosoft.com>")
    with graph_mail(emu, tmp_path) as mail:
        mail.deliver(sent)
        mail.deliver(quoted)
        assert mail.was_delivered(sent) is True
        assert mail.was_delivered(quoted) is True
        assert mail.was_delivered(unsent) is False
    assert emu.mail.counts()["sentItemsLookups"] == 3


# --- failures, each in one line ------------------------------------------------------------------


def test_an_app_without_mail_send_is_told_how_to_get_it(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_access_denied="no-mail-send"))
    with graph_mail(emu, tmp_path) as mail, pytest.raises(SendError) as caught:
        mail.deliver(delivery())
    assert type(caught.value) is SendError  # stops the send: no delivery can go
    text = one_line(caught.value)
    assert "ErrorAccessDenied" in text
    assert "Mail.Send" in text
    assert "RBAC for Applications" in text
    assert "request-id" in text


def test_a_refused_send_of_a_draft_deletes_the_draft(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_access_denied="no-mail-send"))  # drafts allowed
    with graph_mail(emu, tmp_path) as mail, pytest.raises(SendError, match="ErrorAccessDenied") as caught:
        mail.deliver(delivery(attachments=(attachment("big.pdf", 4 * MIB),)))
    assert "Drafts" not in str(caught.value)
    assert emu.mail.counts()["draftsDeleted"] == 1
    assert emu.mail.open_drafts() == 0
    assert emu.mail.messages() == ()


def test_a_mailbox_out_of_the_apps_scope_is_named(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_access_denied="out-of-scope"))
    with graph_mail(emu, tmp_path) as mail, pytest.raises(SendError) as caught:
        mail.deliver(delivery())
    text = one_line(caught.value)
    assert emu.mailbox in text
    assert "management scope" in text


def test_a_sender_without_an_exchange_mailbox_is_told_so(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_not_enabled=True))
    with graph_mail(emu, tmp_path) as mail, pytest.raises(SendError) as caught:
        mail.deliver(delivery())
    assert type(caught.value) is SendError
    text = one_line(caught.value)
    assert "MailboxNotEnabledForRESTAPI" in text
    assert "no Exchange Online mailbox" in text
    assert "shared mailbox" in text


def test_an_unknown_sender_points_at_the_setting(emu: Emulator, tmp_path: Path) -> None:
    with graph_mail(emu, tmp_path, sender="nobody@partner.onmicrosoft.com") as mail, pytest.raises(SendError) as caught:
        mail.deliver(delivery(sender="nobody@partner.onmicrosoft.com"))
    text = one_line(caught.value)
    assert "ErrorInvalidUser" in text
    assert "no mailbox nobody@partner.onmicrosoft.com" in text
    assert "[send] sender" in text


def test_a_message_over_the_tenants_size_limit_is_refused_alone(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(max_message_bytes=1 * MIB))
    with graph_mail(emu, tmp_path) as mail:
        with pytest.raises(DeliveryRefused) as caught:
            mail.deliver(delivery(attachments=(attachment("big.pdf", 900_000),)))
        mail.deliver(delivery("small", attachments=(attachment("small.pdf", 1000),)))  # the next one goes
    text = one_line(caught.value)
    assert "ErrorMessageSizeExceeded" in text
    assert "maximum message size" in text
    assert len(emu.mail.messages()) == 1


def test_a_large_attachment_over_the_size_limit_is_refused_and_its_draft_deleted(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(max_message_bytes=4 * MIB))
    with graph_mail(emu, tmp_path) as mail, pytest.raises(DeliveryRefused) as caught:
        mail.deliver(delivery(attachments=(attachment("big.pdf", 5 * MIB),)))
    text = one_line(caught.value)
    assert "ErrorMessageSizeExceeded" in text
    assert "authtoken=…" in text  # the upload URL's credential never shows
    assert not re.search(r"authtoken=[\w-]", text)
    assert emu.mail.open_drafts() == 0


def test_a_refused_recipient_is_named(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_refused_recipient="ciso@contoso.example"))
    with graph_mail(emu, tmp_path) as mail, pytest.raises(DeliveryRefused) as caught:
        mail.deliver(delivery())
    text = one_line(caught.value)
    assert "ErrorInvalidRecipients" in text
    assert "recipient ciso@contoso.example" in text
    assert "customers file" in text


def test_the_daily_recipient_limit_stops_the_send_and_says_when_it_can_go_on(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(daily_recipients=3))
    with graph_mail(emu, tmp_path) as mail:
        mail.deliver(delivery("first"))  # 2 recipients
        with pytest.raises(SendError) as caught:
            mail.deliver(delivery("second"))
    assert type(caught.value) is LimitReached
    text = one_line(caught.value)
    assert "daily recipient limit" in text
    assert "sending can go on after" in text
    assert "UTC" in text
    assert len(emu.mail.messages()) == 1


def test_a_wrong_client_secret_is_an_auth_error_before_anything_is_sent(emu: Emulator, tmp_path: Path) -> None:
    with pytest.raises(AuthError) as caught, graph_mail(emu, tmp_path, client_secret=Secret("wrong")):
        pass
    assert "client secret" in one_line(caught.value)
    assert emu.mail.counts() == {}


def test_close_may_be_called_twice(emu: Emulator, tmp_path: Path) -> None:
    with graph_mail(emu, tmp_path) as mail:
        mail.deliver(delivery())
        mail.close()
        mail.close()
    assert len(emu.mail.messages()) == 1
