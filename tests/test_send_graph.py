"""`reporter send` through Microsoft Graph mail (the emulator over TLS): who gets what, limits, failures."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reporter.cli import cli
from reporter.emulator import Emulator, EmulatorOptions, Faults, MailOptions
from tests.collect_helpers import emulator_env
from tests.send_helpers import synthetic_run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "summit-secure-partners" / "snapshot.json"
PARTNER = "security@partner.example"


@pytest.fixture
def emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    marker = request.node.get_closest_marker("emulator")
    kwargs = marker.kwargs if marker else {}
    mail = kwargs.get("mail", MailOptions(rate=6000, rate_window=1.0))
    with Emulator(EmulatorOptions(customers=1, mail=mail, faults=kwargs.get("faults", Faults()))) as running:
        yield running


def write_config(root: Path, emulator: Emulator, customers_file: Path, extra: str = "") -> Path:
    path = root / "reporter.toml"
    path.write_text(
        f'[collect]\ncustomers_file = "{customers_file}"\n'
        f'[send]\nsender = "{emulator.mailbox}"\npartner_to = ["{PARTNER}"]\nrate_per_minute = 6000\n{extra}',
        encoding="utf-8",
    )
    return path


def send(root: Path, emulator: Emulator, *args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["send", *map(str, args)], env=emulator_env(emulator, root))


def delivery_of(message: EmailMessage) -> str:
    return str(message["X-Reporter-Delivery"])


def test_a_real_render_reaches_each_customer_with_its_own_pdf_only(tmp_path: Path, emulator: Emulator) -> None:
    run = tmp_path / "2026-11"
    rendered = CliRunner().invoke(cli, ["render", str(SAMPLE), "--out", str(run), "--workers", "1"])
    assert rendered.exit_code == 0, rendered.output
    snapshot = json.loads(SAMPLE.read_text())
    tenants = sorted(c["tenantId"] for c in snapshot["customers"])
    rows = ["tenantId,name,to,cc"] + [f"{t},,it@c{i}.example,ciso@c{i}.example" for i, t in enumerate(tenants[1:])]
    rows[1] = rows[1].replace(",,", ",Renamed Ltd,")
    customers = tmp_path / "customers.csv"
    customers.write_text("\n".join(rows) + "\n", encoding="utf-8")
    manifest = json.loads((run / "manifest.json").read_text())
    files = {entry["path"]: entry for entry in manifest["files"]}

    result = send(tmp_path, emulator, run, "--config", write_config(tmp_path, emulator, customers))
    assert result.exit_code == 0, result.output
    delivered = emulator.mail.delivered()
    assert Counter(map(delivery_of, delivered)) == Counter([*tenants[1:], "partner"])
    for index, tenant in enumerate(tenants[1:]):
        (message,) = [m for m in delivered if delivery_of(m) == tenant]
        assert message["To"] == f"it@c{index}.example"
        assert message["Cc"] == f"ciso@c{index}.example"
        attachments = list(message.iter_attachments())
        assert len(attachments) == 1  # its own PDF and nothing else
        data = attachments[0].get_payload(decode=True)
        assert isinstance(data, bytes)
        (listed,) = [e for e in files.values() if e.get("tenantId") == tenant and e["kind"] == "customer-pdf"]
        assert hashlib.sha256(data).hexdigest() == listed["sha256"]
        for other in tenants:
            if other != tenant:
                assert other not in message.get_body(("html", "plain")).get_content()  # type: ignore[union-attr]
    (partner,) = [m for m in delivered if delivery_of(m) == "partner"]
    assert partner["To"] == PARTNER
    assert sorted(a.get_filename() or "" for a in partner.iter_attachments()) == [
        "summary-2026-11.pdf",
        "workbook-2026-11.xlsx",
    ]
    with sqlite3.connect(tmp_path / "deliveries.sqlite") as db:
        ids = {row[0] for row in db.execute("SELECT message_id FROM deliveries WHERE state = 'sent'")}
    assert ids == {m["Message-ID"].strip() for m in delivered}


@pytest.mark.emulator(mail=MailOptions(rate=6000, rate_window=1.0))
def test_a_workbook_over_3_mb_goes_through_an_upload_session(tmp_path: Path, emulator: Emulator) -> None:
    run = synthetic_run(tmp_path, 2, workbook_bytes=3_500_000)
    result = send(tmp_path, emulator, run.folder, "--config", write_config(tmp_path, emulator, run.customers_file))
    assert result.exit_code == 0, result.output
    counts = emulator.mail.counts()
    assert counts["uploadSessions"] == 1
    assert counts["uploadChunks"] >= 1
    assert counts.get("uploadWithAuthorization", 0) == 0
    assert counts["delivered"] == 3
    (partner,) = [m for m in emulator.mail.delivered() if delivery_of(m) == "partner"]
    workbook = next(a for a in partner.iter_attachments() if (a.get_filename() or "").endswith(".xlsx"))
    data = workbook.get_payload(decode=True)
    assert data == (run.folder / "workbook.xlsx").read_bytes()


@pytest.mark.emulator(mail=MailOptions(rate=6000, rate_window=1.0), faults=Faults(mail_throttle_at=(3, 5)))
def test_throttling_mid_send_is_waited_out_with_nothing_lost_or_doubled(tmp_path: Path, emulator: Emulator) -> None:
    run = synthetic_run(tmp_path, 8)
    result = send(tmp_path, emulator, run.folder, "--config", write_config(tmp_path, emulator, run.customers_file))
    assert result.exit_code == 0, result.output
    assert emulator.mail.counts()["throttled"] >= 2
    assert Counter(map(delivery_of, emulator.mail.delivered())) == Counter([*run.tenants, "partner"])


def test_the_daily_limit_stops_cleanly_and_the_next_day_continues(tmp_path: Path, emulator: Emulator) -> None:
    run = synthetic_run(tmp_path, 6)  # 2 recipients each, the partner 1
    config = write_config(tmp_path, emulator, run.customers_file, "daily_recipient_limit = 7\n")
    first = send(tmp_path, emulator, run.folder, "--config", config)
    assert first.exit_code == 3, first.output
    assert "the daily limit of 7 recipients is reached; run reporter send again after" in first.output
    sent = Counter(map(delivery_of, emulator.mail.delivered()))
    assert sum(sent.values()) == 4  # the partner (1) and three customers (6)
    again = send(tmp_path, emulator, run.folder, "--config", config)
    assert again.exit_code == 3  # still the same day: nothing more
    assert len(emulator.mail.delivered()) == 4
    with sqlite3.connect(tmp_path / "deliveries.sqlite") as db:  # a day passes
        db.execute("UPDATE deliveries SET started_at = '2020-01-01T00:00:00+00:00'")
    later = send(tmp_path, emulator, run.folder, "--config", config)
    assert later.exit_code == 0, later.output
    assert Counter(map(delivery_of, emulator.mail.delivered())) == Counter([*run.tenants, "partner"])


def test_a_wrong_sender_mailbox_is_one_line_before_anything(tmp_path: Path, emulator: Emulator) -> None:
    run = synthetic_run(tmp_path, 2)
    config = write_config(tmp_path, emulator, run.customers_file)
    config.write_text(config.read_text().replace(emulator.mailbox, "nobody@partner.onmicrosoft.com"))
    result = send(tmp_path, emulator, run.folder, "--config", config)
    assert result.exit_code == 1
    assert result.stderr.startswith("reporter: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "[send] sender" in result.stderr
    assert emulator.mail.delivered() == []


@pytest.mark.emulator(faults=Faults(mail_access_denied="no-mail-send"))
def test_a_missing_permission_is_one_line_and_nothing_is_left_pending(tmp_path: Path, emulator: Emulator) -> None:
    run = synthetic_run(tmp_path, 3)
    result = send(tmp_path, emulator, run.folder, "--config", write_config(tmp_path, emulator, run.customers_file))
    assert result.exit_code == 1
    assert "Mail.Send" in result.stderr
    assert "reporter: error: " in result.stderr
    with sqlite3.connect(tmp_path / "deliveries.sqlite") as db:
        assert db.execute("SELECT count(*) FROM deliveries WHERE state = 'pending'").fetchone() == (0,)


def test_a_refused_recipient_fails_just_that_customer(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path, 4)
    victim = run.tenants[1]
    address = f"boss@c{int(victim[-12:])}.customers.example"
    options = EmulatorOptions(
        customers=1, mail=MailOptions(rate=6000, rate_window=1.0), faults=Faults(mail_refused_recipient=address)
    )
    with Emulator(options) as emulator:
        result = send(tmp_path, emulator, run.folder, "--config", write_config(tmp_path, emulator, run.customers_file))
        assert result.exit_code == 2, result.output
        delivered = Counter(map(delivery_of, emulator.mail.delivered()))
        status = send(tmp_path, emulator, run.folder, "--config", tmp_path / "reporter.toml", "--status").output
    assert victim not in delivered
    assert sum(delivered.values()) == len(run.tenants)  # the three others and the partner
    assert f"{victim}  Customer {int(victim[-12:])}  failed" in status
    assert address in status


def test_a_manifest_whose_tenant_ids_were_swapped_sends_no_one_another_s_report(
    tmp_path: Path, emulator: Emulator
) -> None:
    from reporter.manifest import document_bytes, manifest_self_hash
    from reporter.verify import customer_pdf_problems

    run = synthetic_run(tmp_path, 4)
    document = json.loads((run.folder / "manifest.json").read_text())
    pdfs = [e for e in document["files"] if e["kind"] == "customer-pdf"]
    pdfs[1]["tenantId"], pdfs[2]["tenantId"] = pdfs[2]["tenantId"], pdfs[1]["tenantId"]  # hashes made to agree
    document["manifestSha256"] = manifest_self_hash(document)
    (run.folder / "manifest.json").write_bytes(document_bytes(document))
    result = send(tmp_path, emulator, run.folder, "--config", write_config(tmp_path, emulator, run.customers_file))
    assert result.exit_code == 2
    assert result.output.count("holds the data of") == 2
    for message in emulator.mail.delivered():  # whoever got a message got their own report only
        for attachment in message.iter_attachments():
            data = attachment.get_payload(decode=True)
            assert isinstance(data, bytes)
            if delivery_of(message) != "partner":  # the PDF's own embedded data names its recipient
                assert customer_pdf_problems(data, "attachment", delivery_of(message)) == []
    assert Counter(map(delivery_of, emulator.mail.delivered())) == Counter([run.tenants[0], run.tenants[3], "partner"])


@pytest.mark.emulator(mail=MailOptions(rate=6000, rate_window=1.0, daily_recipients=5))
def test_exchange_s_own_daily_limit_stops_cleanly_with_exit_3(tmp_path: Path, emulator: Emulator) -> None:
    run = synthetic_run(tmp_path, 6)
    result = send(tmp_path, emulator, run.folder, "--config", write_config(tmp_path, emulator, run.customers_file))
    assert result.exit_code == 3, result.output
    assert "daily recipient limit" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert result.output.count("daily recipient limit") <= 1  # said once, not for every customer left
    delivered = len(emulator.mail.delivered())
    with sqlite3.connect(tmp_path / "deliveries.sqlite") as db:
        assert db.execute("SELECT count(*) FROM deliveries WHERE state = 'sent'").fetchone() == (delivered,)
        assert db.execute("SELECT count(*) FROM deliveries WHERE state = 'pending'").fetchone() == (0,)


def test_customer_workbooks_swapped_in_the_manifest_are_never_sent(tmp_path: Path, emulator: Emulator) -> None:
    from reporter.manifest import document_bytes, manifest_self_hash

    run = tmp_path / "2026-11"
    args = ["render", str(SAMPLE), "--out", str(run), "--workers", "1", "--customer-workbooks"]
    rendered = CliRunner().invoke(cli, args)
    assert rendered.exit_code == 0, rendered.output
    document = json.loads((run / "manifest.json").read_text())
    books = [e for e in document["files"] if e["kind"] == "customer-workbook"]
    books[0]["tenantId"], books[1]["tenantId"] = books[1]["tenantId"], books[0]["tenantId"]
    document["manifestSha256"] = manifest_self_hash(document)
    (run / "manifest.json").write_bytes(document_bytes(document))
    tenants = sorted(e["tenantId"] for e in books)
    customers = tmp_path / "customers.csv"
    rows = [f"{t},,it@c{i}.example," for i, t in enumerate(tenants)]
    customers.write_text("tenantId,name,to,cc\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = send(tmp_path, emulator, run, "--config", write_config(tmp_path, emulator, customers))
    assert result.exit_code == 2, result.output
    assert result.output.count("is the workbook of") == 2
    delivered = Counter(map(delivery_of, emulator.mail.delivered()))
    assert books[0]["tenantId"] not in delivered
    assert books[1]["tenantId"] not in delivered
    assert sum(delivered.values()) == len(tenants) - 2 + 1
