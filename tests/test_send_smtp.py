"""`reporter send` through a real SMTP server (aiosmtpd, STARTTLS and AUTH): who gets what, exactly once."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reporter.cli import cli
from tests.send_helpers import PERIOD, SyntheticRun, synthetic_run
from tests.smtp_helpers import USERNAME, SmtpServer

PARTNER = "security@partner.example"
HOLD_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a")
fcntl.lockf(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def server() -> SmtpServer:
    with SmtpServer("starttls") as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def run(tmp_path: Path) -> SyntheticRun:
    return synthetic_run(tmp_path, 6, silent=1)


def config(tmp_path: Path, run: SyntheticRun, server: SmtpServer, extra: str = "") -> Path:
    path = tmp_path / "reporter.toml"
    path.write_text(
        f'[collect]\ncustomers_file = "{run.customers_file}"\n'
        f'[send]\ntransport = "smtp"\nsender = "{USERNAME}"\npartner_to = ["{PARTNER}"]\nrate_per_minute = 6000\n'
        f"{extra}{server.toml()}",
        encoding="utf-8",
    )
    return path


def send(*args: str | Path, env: dict[str, str]) -> Result:
    return CliRunner().invoke(cli, ["send", *map(str, args)], env=env)


def manifest(run: SyntheticRun) -> dict[str, dict[str, str]]:
    document = json.loads((run.folder / "manifest.json").read_text())
    return {entry["path"]: entry for entry in document["files"]}


def test_each_customer_gets_its_own_report_once_and_the_partner_the_summary(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    toml = config(tmp_path, run, server)
    result = send(run.folder, "--config", toml, env=server.env())
    assert result.exit_code == 0, result.output
    received = server.wait_for(len(run.tenants) + 1)
    files = manifest(run)
    by_tenant = {}
    for got in received:
        message = got.message
        attachments = [(part.get_filename(), part.get_payload(decode=True)) for part in message.iter_attachments()]
        if message["X-Reporter-Delivery"] == "partner":
            assert list(got.rcpt_tos) == [PARTNER]
            assert sorted(name for name, _ in attachments) == [f"summary-{PERIOD}.pdf", f"workbook-{PERIOD}.xlsx"]
            continue
        tenant = message["X-Reporter-Delivery"]
        by_tenant[tenant] = got
        index = int(tenant[-12:])
        assert list(got.rcpt_tos) == [f"it@c{index}.customers.example", f"boss@c{index}.customers.example"]
        assert got.mail_from == USERNAME
        ((name, data),) = attachments  # its PDF, nothing else
        listed = [e for e in files.values() if e.get("tenantId") == tenant and e["kind"] == "customer-pdf"]
        assert len(listed) == 1
        assert hashlib.sha256(data).hexdigest() == listed[0]["sha256"]
        assert data.startswith(b"%PDF")
        assert name.endswith(f"-{PERIOD}.pdf")
        assert message.get_body(("plain",)) is not None
        assert message.get_body(("html",)) is not None
        assert message["Message-ID"].startswith(f"<{PERIOD}.")
    assert sorted(by_tenant) == list(run.tenants)  # the silent customer got nothing
    assert "not sent (no recipient): 1" in result.output

    again = send(run.folder, "--config", toml, env=server.env())
    assert again.exit_code == 0, again.output
    assert "already sent: 6" in again.output
    assert len(server.received) == len(received)

    status = send(run.folder, "--config", toml, "--status", env=server.env())
    assert status.exit_code == 0
    assert status.output.count(" sent ") == 6
    assert f"{run.silent[0]}  Customer 0  not sent: no recipient" in status.output


def test_resend_needs_only_and_then_sends_that_one_again(tmp_path: Path, run: SyntheticRun, server: SmtpServer) -> None:
    toml = config(tmp_path, run, server)
    assert send(run.folder, "--config", toml, env=server.env()).exit_code == 0
    count = len(server.wait_for(len(run.tenants) + 1))
    refused = send(run.folder, "--config", toml, "--resend", env=server.env())
    assert refused.exit_code == 1
    assert "--resend needs --only" in refused.stderr
    target = run.tenants[1]
    again = send(run.folder, "--config", toml, "--resend", "--only", target, env=server.env())
    assert again.exit_code == 0, again.output
    received = server.wait_for(count + 1)
    assert received[-1].message["X-Reporter-Delivery"] == target
    assert received[-1].message["Message-ID"] != next(
        r.message["Message-ID"] for r in received[:-1] if r.message["X-Reporter-Delivery"] == target
    )


def test_a_refused_recipient_fails_that_customer_only(tmp_path: Path, run: SyntheticRun, server: SmtpServer) -> None:
    victim = run.tenants[2]
    server.refuse(f"boss@c{int(victim[-12:])}.customers.example")
    toml = config(tmp_path, run, server)
    result = send(run.folder, "--config", toml, env=server.env())
    assert result.exit_code == 2, result.output
    assert "failed: 1" in result.output
    delivered = {r.message["X-Reporter-Delivery"] for r in server.received}
    assert victim not in delivered
    assert len(delivered) == len(run.tenants)  # the others and the partner
    status = send(run.folder, "--config", toml, "--status", env=server.env()).output
    assert f"{victim}  Customer {int(victim[-12:])}  failed" in status
    assert "Recipient address rejected" in status


def test_a_broken_login_is_one_line_and_nothing_is_recorded_as_sent(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    toml = config(tmp_path, run, server)
    env = {**server.env(), "REPORTER_SMTP_PASSWORD": "wrong-password"}
    result = send(run.folder, "--config", toml, env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("reporter: error: ")
    assert "REPORTER_SMTP_PASSWORD" in result.stderr
    assert "wrong-password" not in result.output + result.stderr
    assert server.received == []
    with sqlite3.connect(tmp_path / "deliveries.sqlite") as db:
        assert db.execute("SELECT count(*) FROM deliveries WHERE state != 'failed'").fetchone() == (0,)
    fixed = send(run.folder, "--config", toml, env=server.env())  # nothing was pending: all go now
    assert fixed.exit_code == 0, fixed.output
    assert len(server.wait_for(len(run.tenants) + 1)) == len(run.tenants) + 1


def test_a_changed_file_is_never_sent(tmp_path: Path, run: SyntheticRun, server: SmtpServer) -> None:
    pdf = next((run.folder / "customers").glob("customer-0003-*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"tampered")
    toml = config(tmp_path, run, server)
    result = send(run.folder, "--config", toml, env=server.env())
    assert result.exit_code == 2
    assert "was changed since it was rendered" in result.output
    assert all(b"tampered" not in r.data for r in server.received)


def test_the_dry_run_writes_the_outbox_and_sends_nothing(tmp_path: Path, run: SyntheticRun, server: SmtpServer) -> None:
    toml = config(tmp_path, run, server)
    outbox = tmp_path / "outbox"
    result = send(run.folder, "--config", toml, "--dry-run", outbox, env=server.env())
    assert result.exit_code == 0, result.output
    assert server.received == []
    assert not (tmp_path / "deliveries.sqlite").exists()
    emls = sorted(outbox.glob("*.eml"))
    assert len(emls) == len(run.tenants) + 1
    index = (outbox / "index.csv").read_text(encoding="utf-8-sig")
    assert "not sent: no recipient" in index
    # an outbox of ours is replaced; a folder of someone else's is not
    assert send(run.folder, "--config", toml, "--dry-run", outbox, env=server.env()).exit_code == 0
    (outbox / "notes.txt").write_text("mine")
    refused = send(run.folder, "--config", toml, "--dry-run", outbox, env=server.env())
    assert refused.exit_code == 1
    assert "not an outbox reporter wrote" in refused.stderr
    assert (outbox / "notes.txt").read_text() == "mine"


def test_messages_swapped_between_customers_are_never_sent(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    from reporter.manifest import document_bytes, manifest_self_hash

    first, second = sorted((run.folder / "messages").glob("customer-000[12]-*.json"))
    one, two = first.read_bytes(), second.read_bytes()
    first.write_bytes(two)
    second.write_bytes(one)
    document = json.loads((run.folder / "manifest.json").read_text())
    for entry in document["files"]:  # the hashes made to agree, as someone covering their tracks would
        if entry["path"] in (f"messages/{first.name}", f"messages/{second.name}"):
            entry["sha256"] = hashlib.sha256((run.folder / entry["path"]).read_bytes()).hexdigest()
    document["manifestSha256"] = manifest_self_hash(document)
    (run.folder / "manifest.json").write_bytes(document_bytes(document))
    result = send(run.folder, "--config", config(tmp_path, run, server), env=server.env())
    assert result.exit_code == 2
    assert result.output.count("is not Customer") == 2
    delivered = {r.message["X-Reporter-Delivery"] for r in server.received}
    assert len(delivered) == len(run.tenants) - 2 + 1


def test_a_failed_resend_leaves_the_earlier_delivery_standing(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    toml = config(tmp_path, run, server)
    assert send(run.folder, "--config", toml, env=server.env()).exit_code == 0
    count = len(server.wait_for(len(run.tenants) + 1))
    target = run.tenants[0]
    server.refuse(f"it@c{int(target[-12:])}.customers.example")
    failed = send(run.folder, "--config", toml, "--resend", "--only", target, env=server.env())
    assert failed.exit_code == 2
    again = send(run.folder, "--config", toml, env=server.env())  # a plain send does not retry the resend
    assert again.exit_code == 0, again.output
    assert "already sent: 6" in again.output
    assert len(server.received) == count


def test_a_delivery_left_pending_by_another_sender_is_not_sent_again(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    from datetime import UTC, datetime

    from reporter.send.ledger import Ledger

    target = run.tenants[0]
    with Ledger(tmp_path / "deliveries.sqlite") as ledger:
        ledger.begin(
            period=PERIOD,
            key=target,
            resend=0,
            message_id="<x@elsewhere.example>",
            transport="graph",
            sender="old@partner.example",
            recipients=["it@c1.customers.example"],
            attachments=[],
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
    result = send(run.folder, "--config", config(tmp_path, run, server), env=server.env())
    assert result.exit_code == 2
    assert "cannot be looked up now, so it is not sent again" in result.output
    assert target not in {r.message["X-Reporter-Delivery"] for r in server.received}


def test_the_ledger_is_locked_however_it_is_named_and_foreign_files_are_refused(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    import subprocess
    import sys

    toml = config(tmp_path, run, server)
    ledger = tmp_path / "deliveries.sqlite"
    alias = tmp_path / "alias.sqlite"
    alias.symlink_to(ledger)
    holder = subprocess.Popen(  # another process holds the real ledger's lock, as a running send does
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path / "deliveries.sqlite.lock")], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"locked\n"
        busy = send(run.folder, "--config", toml, "--ledger", alias, env=server.env())
    finally:
        holder.kill()
        holder.communicate()
    assert busy.exit_code == 1
    assert "another reporter send is using" in busy.stderr
    assert server.received == []

    foreign = tmp_path / "bookmarks.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE bookmarks (url TEXT)")
    before = foreign.read_bytes()
    for args in ((), ("--status",)):
        refused = send(run.folder, "--config", toml, "--ledger", foreign, *args, env=server.env())
        assert refused.exit_code == 1
        assert "not reporter's delivery ledger; nothing was changed" in refused.stderr
    assert foreign.read_bytes() == before
    assert not foreign.with_name("bookmarks.sqlite-wal").exists()

    missing = send(
        run.folder, "--config", toml, "--status", "--ledger", tmp_path / "typo" / "l.sqlite", env=server.env()
    )
    assert missing.exit_code == 1
    assert "no delivery ledger at" in missing.stderr
    assert not (tmp_path / "typo").exists()

    inside = send(run.folder, "--config", toml, "--ledger", run.folder / "deliveries.sqlite", env=server.env())
    assert inside.exit_code == 1
    assert "is inside the run folder" in inside.stderr


def test_customers_file_rows_without_a_report_in_the_run_are_listed(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    extra = "0badc0de-0000-4000-8000-000000000001"
    with run.customers_file.open("a", encoding="utf-8") as handle:
        handle.write(f"{extra},Gone Ltd,gone.example,it@gone.example,\n")
    result = send(run.folder, "--config", config(tmp_path, run, server), env=server.env())
    assert result.exit_code == 0, result.output
    assert "not sent (not in this period's reports): 1" in result.output


def test_damaged_rows_anywhere_and_databases_with_only_a_view_are_one_line(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    toml = config(tmp_path, run, server)
    assert send(run.folder, "--config", toml, "--only", run.tenants[0], env=server.env()).exit_code == 0
    with sqlite3.connect(tmp_path / "deliveries.sqlite") as db:  # a damaged row of another period
        db.execute("UPDATE deliveries SET started_at = 'zzz-garbage', period = '2026-10'")
    damaged = send(run.folder, "--config", toml, env=server.env())
    assert damaged.exit_code == 1
    assert "has a damaged row" in damaged.stderr
    assert len(damaged.stderr.strip().splitlines()) == 1

    view = tmp_path / "view.sqlite"
    with sqlite3.connect(view) as db:
        db.execute("CREATE VIEW v AS SELECT 1")
    before = view.read_bytes()
    refused = send(run.folder, "--config", toml, "--ledger", view, env=server.env())
    assert refused.exit_code == 1
    assert "not reporter's delivery ledger" in refused.stderr
    assert view.read_bytes() == before
    assert not (tmp_path / "view.sqlite.lock").exists()  # not even a lock file beside someone else's file


def test_a_dry_run_outbox_inside_the_run_folder_is_refused(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    toml = config(tmp_path, run, server)
    result = send(run.folder, "--config", toml, "--dry-run", run.folder / "outbox", env=server.env())
    assert result.exit_code == 1
    assert "is inside the run folder" in result.stderr
    assert not (run.folder / "outbox").exists()


def test_a_dry_run_that_would_fail_for_a_customer_exits_2(
    tmp_path: Path, run: SyntheticRun, server: SmtpServer
) -> None:
    toml = config(tmp_path, run, server)
    pdf = next((run.folder / "customers").glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"\n%tampered")
    result = send(run.folder, "--config", toml, "--dry-run", tmp_path / "outbox", env=server.env())
    assert result.exit_code == 2, result.output
    assert "would fail" in result.output
    assert server.received == []
