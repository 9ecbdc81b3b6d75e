"""Helpers for mail tests: deliveries to send, the emulator's mailbox reached over TLS.

emu = emulator_factory(customers=1, mail=MailOptions(rate=600), faults=Faults(mail_drop_at=(1,)))
with graph_mail(emu, tmp_path) as mail:       # the real GraphMailTransport, msal and httpx
    mail.deliver(delivery(attachments=(attachment("report.pdf", 5 * MIB),)))
emu.mail.delivered()                          # what the mailbox delivered, parsed by the email package

with graph_client(emu) as client:             # a plain httpx client holding a token, for raw Graph calls
    client.post(f"/v1.0/users/{emu.mailbox}/sendMail", json={"message": message_json()})
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from reporter.clock import Clock
from reporter.emulator import Emulator
from reporter.graph.retry import RetryPolicy
from reporter.graph.settings import GraphSettings
from reporter.secret import Secret
from reporter.send.graph_mail import GraphMailTransport, open_graph_mail
from reporter.send.message import Attachment, Delivery, message_id

MIB = 1024 * 1024
FAST = RetryPolicy(backoff_base=0.01)
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def attachment(name: str, size: int, content_type: str = "application/pdf") -> Attachment:
    """``size`` bytes that differ from file to file (so a swapped or cut attachment shows)."""
    seed = hashlib.sha256(name.encode()).digest()
    data = (seed * (size // len(seed) + 1))[:size]
    return Attachment(name, content_type, data, hashlib.sha256(data).hexdigest())


def delivery(
    key: str = "0f1e2d3c-4b5a-4697-8877-665544332211",
    *,
    sender: str = "reports@partner.onmicrosoft.com",
    to: tuple[str, ...] = ("it@contoso.example",),
    cc: tuple[str, ...] = ("ciso@contoso.example",),
    attachments: tuple[Attachment, ...] | None = None,
    resend: int = 0,
    **changes: Any,
) -> Delivery:
    """A delivery as the send command builds it, with a deterministic Message-ID."""
    files = attachments if attachments is not None else (attachment(f"{key}.pdf", 40_000),)
    made = Delivery(
        key=key,
        period="2026-10",
        sender=sender,
        to=to,
        cc=cc,
        subject="Your security report for October 2026 — Contoso",
        text="Please find attached your report.",
        html="<p>Please find attached your <b>report</b>.</p>",
        attachments=files,
        message_id=message_id("2026-10", key, to + cc, tuple(a.sha256 for a in files), sender, resend),
        customer="Contoso",
    )
    return replace(made, **changes)


def mail_settings(emu: Emulator, folder: Path, **changes: Any) -> GraphSettings:
    """Settings that reach ``emu`` over TLS, trusting only its CA."""
    ca = emu.write_ca(folder / f"emulator-ca-{emu.port}.pem")
    values: dict[str, Any] = {
        "tenant_id": emu.tenant_id,
        "client_id": emu.client_id,
        "client_secret": Secret(emu.client_secret),
        "graph_url": emu.graph_url,
        "authority_url": emu.authority_url,
        "ca_bundle": ca,
    }
    values.update(changes)
    return GraphSettings(**values)


@contextlib.contextmanager
def graph_mail(
    emu: Emulator,
    folder: Path,
    *,
    sender: str | None = None,
    clock: Clock | None = None,
    budget_seconds: float = 60.0,
    **settings: Any,
) -> Iterator[GraphMailTransport]:
    """The real transport, signed in to ``emu`` as its app, sending as its mailbox (or ``sender``)."""
    transport = open_graph_mail(
        mail_settings(emu, folder, **settings),
        sender if sender is not None else emu.mailbox,
        budget_seconds=budget_seconds,
        clock=clock,
        retry_policy=FAST,
    )
    try:
        yield transport
    finally:
        transport.close()


@contextlib.contextmanager
def graph_client(emu: Emulator) -> Iterator[httpx.Client]:
    """An httpx client for ``emu`` (TLS trusting its CA) whose requests carry a token of its app."""
    with httpx.Client(verify=emu.client_ssl_context(), base_url=emu.graph_url) as client:
        answer = client.post(
            f"/{emu.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": emu.client_id,
                "client_secret": emu.client_secret,
                "scope": GRAPH_SCOPE,
            },
        )
        assert answer.status_code == 200, answer.text
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        yield client


def message_json(**changes: Any) -> dict[str, Any]:
    """A Graph message with one recipient and one small attachment."""
    message: dict[str, Any] = {
        "subject": "Report",
        "body": {"contentType": "HTML", "content": "<p>Hello</p>"},
        "toRecipients": [{"emailAddress": {"address": "it@contoso.example", "name": "IT"}}],
        "ccRecipients": [{"emailAddress": {"address": "ciso@contoso.example"}}],
        "internetMessageId": "<2026-10.test@partner.onmicrosoft.com>",
        "internetMessageHeaders": [{"name": "X-Reporter-Period", "value": "2026-10"}],
        "attachments": [file_attachment("report.pdf", b"%PDF-1.7 report")],
    }
    message.update(changes)
    return message


def file_attachment(name: str, data: bytes, content_type: str = "application/pdf") -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": name,
        "contentType": content_type,
        "contentBytes": base64.b64encode(data).decode(),
    }


def attachments_of(message: EmailMessage) -> dict[str, bytes]:
    """File name to bytes, for every attachment of a parsed message."""
    found: dict[str, bytes] = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        name = part.get_filename()
        payload = part.get_payload(decode=True)
        assert name is not None
        assert isinstance(payload, bytes)
        found[name] = payload
    return found


def by_message_id(emu: Emulator) -> dict[str, int]:
    """How many times each Message-ID was delivered."""
    counts: dict[str, int] = {}
    for record in emu.mail.messages():
        counts[record.internet_message_id] = counts.get(record.internet_message_id, 0) + 1
    return counts
