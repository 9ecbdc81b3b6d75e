"""The emulator's Exchange Online mail, spoken to directly with httpx over TLS: Graph's shapes, limits and faults."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner

from reporter.emulator import Emulator, EmulatorOptions, Faults, MailOptions
from reporter.emulator.mail_limits import DAY, MailLimits
from tests.conftest import EmulatorFactory
from tests.mail_helpers import MIB, attachments_of, file_attachment, graph_client, message_json


@pytest.fixture
def emu(emulator_factory: EmulatorFactory, tmp_path: Path) -> Emulator:
    return emulator_factory(customers=1, mail=MailOptions(folder=tmp_path / "mail"))


def send_mail(client: httpx.Client, emu: Emulator, **changes: Any) -> httpx.Response:
    return client.post(f"/v1.0/users/{emu.mailbox}/sendMail", json={"message": message_json(**changes)})


def code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def sent_items(client: httpx.Client, emu: Emulator, internet_message_id: str) -> list[dict[str, Any]]:
    expression = "internetMessageId eq '{}'".format(internet_message_id.replace("'", "''"))
    response = client.get(
        f"/v1.0/users/{emu.mailbox_id}/mailFolders/sentitems/messages?$filter={quote(expression, safe='')}"
    )
    assert response.status_code == 200, response.text
    value = response.json()["value"]
    assert isinstance(value, list)
    return value


# --- sendMail and what is delivered -----------------------------------------------------------------


def test_sendmail_is_accepted_without_a_body_and_written_as_an_eml_file(emu: Emulator, tmp_path: Path) -> None:
    with graph_client(emu) as client:
        response = send_mail(client, emu)
    assert response.status_code == 202
    assert response.content == b""
    [path] = (tmp_path / "mail").iterdir()
    assert path.suffix == ".eml"
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert message["Message-ID"] == "<2026-10.test@partner.onmicrosoft.com>"
    assert message["From"] == emu.mailbox
    assert message["To"] == "IT <it@contoso.example>"
    assert message["Cc"] == "ciso@contoso.example"
    assert message["X-Reporter-Period"] == "2026-10"
    assert attachments_of(message) == {"report.pdf": b"%PDF-1.7 report"}
    [kept] = emu.mail.delivered()
    assert kept["Message-ID"] == message["Message-ID"]


def test_many_messages_get_files_that_never_collide(emu: Emulator, tmp_path: Path) -> None:
    with graph_client(emu) as client, ThreadPoolExecutor(max_workers=4) as pool:
        ids = [f"<m{n}@partner.onmicrosoft.com>" for n in range(20)]
        statuses = list(pool.map(lambda i: send_mail(client, emu, internetMessageId=i).status_code, ids))
    assert statuses == [202] * 20
    files = sorted((tmp_path / "mail").iterdir())
    assert len(files) == 20
    assert all(path.suffix == ".eml" for path in files)  # no temporary file left behind
    found = {BytesParser(policy=policy.default).parsebytes(path.read_bytes())["Message-ID"] for path in files}
    assert found == set(ids)


def test_the_mailbox_is_named_by_address_or_object_id_and_no_one_else(emu: Emulator) -> None:
    with graph_client(emu) as client:
        by_id = client.post(f"/v1.0/users/{emu.mailbox_id}/sendMail", json={"message": message_json()})
        other = client.post("/v1.0/users/ceo@partner.onmicrosoft.com/sendMail", json={"message": message_json()})
    assert by_id.status_code == 202
    assert other.status_code == 404
    assert code(other) == "ErrorInvalidUser"
    assert "ceo@partner.onmicrosoft.com" in other.json()["error"]["message"]


def test_mail_calls_need_a_token(emu: Emulator) -> None:
    with httpx.Client(verify=emu.client_ssl_context(), base_url=emu.graph_url) as client:
        response = client.post(f"/v1.0/users/{emu.mailbox}/sendMail", json={"message": message_json()})
    assert response.status_code == 401
    assert emu.mail.messages() == ()


def test_only_x_headers_are_accepted(emu: Emulator) -> None:
    with graph_client(emu) as client:
        response = send_mail(client, emu, internetMessageHeaders=[{"name": "Reply-To", "value": "x@evil.example"}])
    assert response.status_code == 400
    assert code(response) == "InvalidInternetMessageHeader"
    assert emu.mail.messages() == ()


def test_a_request_over_about_4_mb_is_refused(emu: Emulator) -> None:
    big = file_attachment("big.bin", bytes(3 * MIB + 100_000))
    with graph_client(emu) as client:
        response = send_mail(client, emu, attachments=[big])
    assert response.status_code == 413
    assert code(response) == "RequestEntityTooLarge"


def test_sent_items_find_by_internet_message_id_quotes_doubled_and_make_one_up_when_missing(emu: Emulator) -> None:
    quoted = "<o'brien.1@partner.onmicrosoft.com>"
    with graph_client(emu) as client:
        assert send_mail(client, emu, internetMessageId=quoted).status_code == 202
        assert send_mail(client, emu, internetMessageId=None).status_code == 202
        unsaved = client.post(
            f"/v1.0/users/{emu.mailbox}/sendMail",
            json={"message": message_json(internetMessageId="<unsaved@x.example>"), "saveToSentItems": False},
        )
        assert unsaved.status_code == 202
        [found] = sent_items(client, emu, quoted)
        assert found["internetMessageId"] == quoted
        assert sent_items(client, emu, "<unsaved@x.example>") == []
        assert sent_items(client, emu, "<never@x.example>") == []
        made_up = emu.mail.messages()[1].internet_message_id
        assert made_up.startswith("<")
        assert made_up.endswith(".prod.outlook.com>")
        assert len(sent_items(client, emu, made_up)) == 1
        other = client.get(f"/v1.0/users/{emu.mailbox}/mailFolders/sentitems/messages?$filter=subject eq 'x'")
    assert other.status_code == 400
    assert len(emu.mail.messages()) == 3


def test_sent_items_may_show_a_message_only_after_a_while(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(sent_items_delay=3600))
    with graph_client(emu) as client:
        assert send_mail(client, emu).status_code == 202
        assert sent_items(client, emu, "<2026-10.test@partner.onmicrosoft.com>") == []
    assert len(emu.mail.messages()) == 1


# --- drafts and upload sessions ----------------------------------------------------------------------


def draft(client: httpx.Client, emu: Emulator) -> str:
    response = client.post(
        f"/v1.0/users/{emu.mailbox}/messages", json=message_json(internetMessageId="<big@x.example>", attachments=[])
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["isDraft"] is True
    assert body["internetMessageId"] == "<big@x.example>"
    return str(body["id"])


def upload_session(client: httpx.Client, emu: Emulator, message: str, size: int) -> httpx.Response:
    return client.post(
        f"/v1.0/users/{emu.mailbox}/messages/{message}/attachments/createUploadSession",
        json={"AttachmentItem": {"attachmentType": "file", "name": "big.pdf", "size": size}},
    )


def test_an_upload_session_takes_ordered_chunks_without_a_token_then_send_delivers(emu: Emulator) -> None:
    data = bytes(range(256)) * (5 * MIB // 256) + b"tail"
    with graph_client(emu) as client, httpx.Client(verify=emu.client_ssl_context()) as bare:
        message = draft(client, emu)
        session = upload_session(client, emu, message, len(data))
        assert session.status_code == 201
        assert session.json()["nextExpectedRanges"] == ["0-"]
        url = session.json()["uploadUrl"]

        def put(start: int, end: int, *, token: bool = False) -> httpx.Response:
            headers = {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
            if token:
                headers["Authorization"] = client.headers["Authorization"]
            return bare.put(url, content=data[start : end + 1], headers=headers)

        assert put(0, MIB - 1, token=True).status_code == 401  # the URL is pre-authenticated; a token is refused
        first = put(0, 3 * MIB - 1)
        assert first.status_code == 200
        assert first.json()["nextExpectedRanges"] == [str(3 * MIB)]
        overlap = put(2 * MIB, 4 * MIB - 1)
        gap = put(4 * MIB, 5 * MIB - 1)
        assert (overlap.status_code, gap.status_code) == (416, 416)
        assert str(3 * MIB) in overlap.json()["error"]["message"]
        bad = bare.put(url, content=b"abc", headers={"Content-Range": f"bytes {3 * MIB}-{3 * MIB + 9}/{len(data)}"})
        assert bad.status_code == 400
        last = put(3 * MIB, len(data) - 1)
        assert last.status_code == 201
        assert "/Attachments('" in last.headers["Location"]
        assert put(0, 9).status_code == 404  # the session is over
        sent = client.post(f"/v1.0/users/{emu.mailbox}/messages/{message}/send")
    assert sent.status_code == 202
    [delivered] = emu.mail.delivered()
    assert delivered["Message-ID"] == "<big@x.example>"
    assert attachments_of(delivered) == {"big.pdf": data}
    counts = emu.mail.counts()
    assert (counts["uploadChunks"], counts["uploadWithAuthorization"], counts["sends"]) == (2, 1, 1)
    assert emu.mail.open_drafts() == 0


def test_upload_sessions_are_for_3_mib_and_more(emu: Emulator) -> None:
    with graph_client(emu) as client:
        message = draft(client, emu)
        small = upload_session(client, emu, message, 3 * MIB - 1)
        small_attachment = client.post(
            f"/v1.0/users/{emu.mailbox}/messages/{message}/attachments", json=file_attachment("a.pdf", b"%PDF")
        )
        deleted = client.delete(f"/v1.0/users/{emu.mailbox}/messages/{message}")
        gone = client.post(f"/v1.0/users/{emu.mailbox}/messages/{message}/send")
    assert small.status_code == 400
    assert code(small) == "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize"
    assert small_attachment.status_code == 201
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert emu.mail.messages() == ()


# --- limits ------------------------------------------------------------------------------------------


def test_the_per_minute_rate_is_a_429_with_retry_after(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(rate=2))
    with graph_client(emu) as client:
        statuses = [send_mail(client, emu, internetMessageId=f"<{n}@x.example>") for n in range(3)]
    assert [r.status_code for r in statuses] == [202, 202, 429]
    assert code(statuses[2]) == "ApplicationThrottled"
    assert 1 <= int(statuses[2].headers["Retry-After"]) <= 60
    assert len(emu.mail.messages()) == 2


def test_the_daily_recipient_cap_is_refused_with_when_it_resumes(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(daily_recipients=3))
    with graph_client(emu) as client:
        first = send_mail(client, emu)  # two recipients
        second = send_mail(client, emu, internetMessageId="<second@x.example>")
    assert first.status_code == 202
    assert second.status_code == 403
    assert code(second) == "ErrorSubmissionQuotaExceeded"
    assert "Sending can resume after" in second.json()["error"]["message"]
    assert 86_000 < int(second.headers["Retry-After"]) <= 86_400


def test_the_daily_cap_frees_up_as_the_day_rolls_on() -> None:
    now = [0.0]
    limits = MailLimits(MailOptions(rate=1000, daily_recipients=10), clock=lambda: now[0])
    assert limits.admit(6) is None
    now[0] = 3600.0
    assert limits.admit(3) is None
    refusal = limits.admit(4)
    assert refusal is not None
    assert refusal.limit == "daily"
    assert refusal.retry_after == DAY - 3600  # when the first 6 age out
    now[0] = DAY + 1
    assert limits.admit(4) is None


def test_more_than_four_requests_at_once_are_throttled(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(rate=1000), faults=Faults(latency_ms=400))
    start = threading.Barrier(6)
    with graph_client(emu) as client:

        def one(n: int) -> httpx.Response:
            start.wait()
            return send_mail(client, emu, internetMessageId=f"<{n}@x.example>")

        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(one, range(6)))
    throttled = [a for a in answers if a.status_code == 429]
    assert len(throttled) >= 1
    assert all(code(a) == "ApplicationThrottled" and a.headers["Retry-After"] == "1" for a in throttled)
    assert len(emu.mail.messages()) == 6 - len(throttled) >= 4


# --- faults ------------------------------------------------------------------------------------------


def test_the_nth_hand_over_is_throttled_once(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_throttle_at=(2,), retry_after=3))
    with graph_client(emu) as client:
        answers = [send_mail(client, emu, internetMessageId=f"<{n}@x.example>") for n in range(3)]
    assert [a.status_code for a in answers] == [202, 429, 202]
    assert answers[1].headers["Retry-After"] == "3"
    assert [m.internet_message_id for m in emu.mail.messages()] == ["<0@x.example>", "<2@x.example>"]


def test_a_dropped_answer_comes_after_the_message_was_delivered(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_drop_at=(1,)))
    with graph_client(emu) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            send_mail(client, emu)
        assert len(sent_items(client, emu, "<2026-10.test@partner.onmicrosoft.com>")) == 1
    assert emu.mail.counts()["dropped"] == 1


def test_a_token_without_mail_send_may_write_drafts_but_not_send(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, faults=Faults(mail_access_denied="no-mail-send"))
    with graph_client(emu) as client:
        denied = send_mail(client, emu)
        message = draft(client, emu)
        send = client.post(f"/v1.0/users/{emu.mailbox}/messages/{message}/send")
    assert (denied.status_code, code(denied)) == (403, "ErrorAccessDenied")
    assert (send.status_code, code(send)) == (403, "ErrorAccessDenied")
    assert emu.mail.open_drafts() == 1
    assert emu.mail.messages() == ()


@pytest.mark.parametrize(
    ("faults", "status", "error"),
    [
        (Faults(mail_access_denied="out-of-scope"), 403, "ErrorAccessDenied"),
        (Faults(mail_not_enabled=True), 404, "MailboxNotEnabledForRESTAPI"),
        (Faults(mail_refused_recipient="CISO@contoso.example"), 400, "ErrorInvalidRecipients"),
    ],
)
def test_mailbox_faults(emulator_factory: EmulatorFactory, faults: Faults, status: int, error: str) -> None:
    emu = emulator_factory(customers=1, faults=faults)
    with graph_client(emu) as client:
        response = send_mail(client, emu)
    assert (response.status_code, code(response)) == (status, error)
    assert emu.mail.messages() == ()


def test_a_message_over_the_tenant_limit_is_refused(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(customers=1, mail=MailOptions(max_message_bytes=1000))
    with graph_client(emu) as client:
        response = send_mail(client, emu, attachments=[file_attachment("a.pdf", bytes(2000))])
    assert (response.status_code, code(response)) == (400, "ErrorMessageSizeExceeded")


def test_options_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="address"):
        MailOptions(mailbox="reports")
    with pytest.raises(ValueError, match="at least 1"):
        MailOptions(rate=0)
    with pytest.raises(ValueError, match="count hand-overs from 1"):
        EmulatorOptions(faults=Faults(mail_drop_at=(0,)))


def test_reporter_emulate_offers_the_mail_options() -> None:
    from reporter.cli import cli

    result = CliRunner().invoke(cli, ["emulate", "--help"])
    assert result.exit_code == 0
    for option in ("--mail-dir", "--mail-rate", "--mail-daily-recipients", "--mail-drop-at", "--mailbox"):
        assert option in result.output
