"""One delivery: who receives which files with which words, and its deterministic ``Message-ID``.

A delivery is built from a checked run folder (the files' bytes match the
manifest) and the customers file; transports hand it over as it is. The
``Message-ID`` depends only on the period, the customer, the recipients, the
SHA-256 of the attachments and of the message's words (and the resend number), so the same report to the same
people always has the same id: that is what Sent Items is searched for after a
crash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

PARTNER_KEY = "partner"
"""The delivery key of the partner's own documents (the summary PDF and the workbook)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    """The file name the recipient sees (``contoso.pdf``)."""
    content_type: str
    data: bytes
    sha256: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to send."""

    key: str
    """The customer's tenant id (lower case), or ``PARTNER_KEY``."""
    period: str
    sender: str
    """The address the message is from (``[send] sender``)."""
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...]
    message_id: str
    """``<...@domain>``, from ``message_id``."""
    customer: str = ""
    """The customer's name, for progress lines and the status list."""

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc

    @property
    def size(self) -> int:
        """The attachments' bytes: what decides between one Graph request and an upload session."""
        return sum(len(a.data) for a in self.attachments)


def message_id(
    period: str, key: str, recipients: tuple[str, ...], attachment_sha256: tuple[str, ...], sender: str, resend: int = 0
) -> str:
    """The deterministic ``Message-ID`` of a delivery (``resend`` counts deliberate resends)."""
    material = "\n".join(
        [period, key, ";".join(sorted(r.lower() for r in recipients)), ";".join(sorted(attachment_sha256)), str(resend)]
    )
    digest = hashlib.sha256(material.encode()).hexdigest()[:40]
    domain = sender.rsplit("@", 1)[-1].lower() if "@" in sender else "reporter.invalid"
    return f"<{period}.{digest}@{domain}>"


def one_line(text: str) -> str:
    """``text`` with every control character (CR and LF included) made a space: it cannot start a header."""
    return " ".join("".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in text).split())


_HTML_LANG = re.compile(r'<html lang="([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)"')


def content_language(html: str) -> str:
    """The language the message's HTML declares on its root (``<html lang="de">``), or empty."""
    match = _HTML_LANG.search(html[:512])
    return match.group(1) if match else ""


def to_mime(delivery: Delivery, *, date: datetime | None = None) -> EmailMessage:
    """The delivery as an RFC 5322 message: plain text and HTML alternatives, then the attachments."""
    message = EmailMessage(policy=SMTP)
    message["From"] = delivery.sender
    message["To"] = ", ".join(delivery.to)
    if delivery.cc:
        message["Cc"] = ", ".join(delivery.cc)
    message["Subject"] = one_line(delivery.subject)
    message["Message-ID"] = delivery.message_id
    if date is not None:
        message["Date"] = format_datetime(date)
    message["X-Reporter-Period"] = delivery.period
    message["X-Reporter-Delivery"] = delivery.key
    message.set_content(delivery.text)
    message.add_alternative(delivery.html, subtype="html")
    for attachment in delivery.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.name)
    language = content_language(delivery.html)
    if language:  # after the body: setting content clears every Content-* header of the message
        message["Content-Language"] = language
    return message
