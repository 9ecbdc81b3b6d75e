"""What an emulator serves and which faults it injects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from reporter.emulator.customers import CustomerOverride, PartnerKind

MalformedPage = Literal["truncated", "missing-tenant-id"]
"""``truncated``: one customerInsights page is cut off mid-JSON (status 200, honest Content-Length);
``missing-tenant-id``: one item on that page has no ``tenantId``. Either way the page is broken on every request."""

MailDenied = Literal["no-mail-send", "out-of-scope"]
"""``no-mail-send``: the app's tokens lack the Mail.Send role (sendMail and send are refused);
``out-of-scope``: an Exchange admin's scope keeps the app out of the mailbox (every mail call is refused)."""

HugeBody = int | Literal["endless"]
"""A body of this many bytes, or one that never ends (bounded only by ``ENDLESS_BODY_BYTES``)."""

ENDLESS_BODY_BYTES = 1 << 40
"""What "endless" means: 1 TiB, more than any client should ever read, yet a loop that ends by itself."""

DEFAULT_TENANT_ID = "6f1c7e2a-3b5d-4c8e-9a0f-1d2e3f4a5b6c"
DEFAULT_CLIENT_ID = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"
DEFAULT_CLIENT_SECRET = "emulator-secret-Q7v~9xT2kLm4"
DEFAULT_AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
DEFAULT_MAILBOX = "reports@partner.onmicrosoft.com"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Quirks:
    """Oddities of the real Graph service, all on by default except the wrapped singleton."""

    noncomplaint: bool = True
    """Non-compliant requirements say ``noncomplaint`` (the published schema's spelling)."""
    numbers_as_strings: bool = True
    """Some Single numbers arrive as strings (``currentScore`` "71.5"), one history score as "NaN"."""
    wrapped_singleton: bool = False
    """``GET securityScore`` answers ``{"value": {...}}`` instead of the bare object."""
    unknown_future_value: bool = True
    """One customer's ``legacyPerUserMfaStatus`` is ``unknownFutureValue``; the score carries an extra property."""


@dataclass(frozen=True)
class Faults:
    """Faults injected into Graph requests. Rates are per request, drawn from ``seed``.

    Transient faults (429, 503, dropped connections) never hit the same URL more than
    ``max_consecutive`` times in a row, so every request eventually succeeds.
    """

    latency_ms: float = 0.0
    """Added to every request (Entra ID and Graph)."""
    rate_429: float = 0.0
    retry_after: float = 1.0
    """Seconds in ``Retry-After`` for 429 answers."""
    retry_after_http_date: bool = False
    """Send ``Retry-After`` as an HTTP date (rounded up to the next whole second) instead of seconds."""
    rate_503: float = 0.0
    drop_rate: float = 0.0
    """Send the headers and part of the body, then close the connection."""
    forbidden: bool = False
    """Every Graph request gets 403 Authorization_RequestDenied."""
    contracts_forbidden: bool = False
    """Only ``/v1.0/contracts`` gets 403."""
    alerts_failing: bool = False
    """``/beta/security/partner/securityAlerts`` always answers 500."""
    malformed_page: MalformedPage | None = None
    repeat_next_link: bool = False
    """One customerInsights page's ``@odata.nextLink`` points back to itself."""
    huge_body: HugeBody | None = None
    """customerInsights answers 200 with this many zero bytes (or ``"endless"`` ones) instead of its page."""
    huge_body_declared: bool = False
    """With ``huge_body``: announce the size in Content-Length (else the body is chunked, of no stated length)."""
    trickle: float | None = None
    """customerInsights pages arrive one byte every this many seconds (headers at once, honest Content-Length)."""
    redirect: str | None = None
    """Every Graph request is answered 302 to this URL with an HTML body, as a proxy or captive portal does."""
    mail_access_denied: MailDenied | None = None
    """Mail calls are answered 403 ``ErrorAccessDenied`` (see ``MailDenied``)."""
    mail_not_enabled: bool = False
    """Every mail call is answered 404 ``MailboxNotEnabledForRESTAPI`` (no Exchange Online mailbox or licence)."""
    mail_refused_recipient: str | None = None
    """A message to this address is refused 400 ``ErrorInvalidRecipients``."""
    mail_throttle_at: tuple[int, ...] = ()
    """The Nth hand-over of a message (sendMail or send, counting every try from 1) is answered 429 with
    ``Retry-After`` (``retry_after`` seconds) and not delivered."""
    mail_drop_at: tuple[int, ...] = ()
    """The Nth hand-over is delivered, then its connection is closed without an answer."""
    max_consecutive: int = 3
    seed: int = 0


@dataclass(frozen=True)
class MailOptions:
    """The one Exchange Online mailbox the emulator sends from, and its limits."""

    mailbox: str = DEFAULT_MAILBOX
    """The sender mailbox (its object id is derived from it); any other user is unknown."""
    folder: Path | None = None
    """Write every delivered message here as an ``.eml`` file."""
    rate: int = 30
    """Messages a minute (Exchange Online: 30)."""
    rate_window: float = 60.0
    """How many seconds' worth of ``rate`` may go at once (``rate * rate_window / 60`` messages; a minute's by
    default); after that the rate is spread evenly. A short window suits a high emulated rate."""
    daily_recipients: int = 10_000
    """Recipients in any 24 hours (Exchange Online: 10,000)."""
    concurrency: int = 4
    """Requests to the mailbox at the same time (Graph: 4 per app and mailbox)."""
    max_message_bytes: int = 35 * MIB
    """The tenant's maximum message size, counted with attachments base64-encoded (35 MB by default)."""
    sent_items_delay: float = 0.0
    """Seconds before a delivered message shows in Sent Items (Exchange files it a little after sending)."""

    def __post_init__(self) -> None:
        if "@" not in self.mailbox:
            raise ValueError("mailbox must be an address")
        if self.rate < 1 or self.daily_recipients < 1 or self.concurrency < 1 or self.max_message_bytes < 1:
            raise ValueError("mail rate, daily_recipients, concurrency and max_message_bytes must be at least 1")
        if not 0 <= self.sent_items_delay <= 86_400:
            raise ValueError("mail sent_items_delay must be a number of seconds from 0 to a day")
        if not 0 < self.rate_window <= 86_400:
            raise ValueError("mail rate_window must be a number of seconds above 0, at most a day")


@dataclass(frozen=True)
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free port."""
    customers: int = 40
    seed: int = 1
    as_of: datetime = DEFAULT_AS_OF
    kind: PartnerKind = "typical"
    overrides: tuple[CustomerOverride, ...] = ()
    """Fixed names, domains or sizes for the customers in the first slots."""
    page_size: int = 100
    tenant_id: str = DEFAULT_TENANT_ID
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    client_certificate_pem: bytes | None = None
    """A PEM certificate registered on the app: client assertions signed by its key are accepted."""
    token_lifetime: float = 3599.0
    """Seconds until an issued access token expires (``expires_in``)."""
    quirks: Quirks = field(default_factory=Quirks)
    faults: Faults = field(default_factory=Faults)
    mail: MailOptions = field(default_factory=MailOptions)

    def __post_init__(self) -> None:
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.customers < 0:
            raise ValueError("customers must be >= 0")
        if self.as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        faults = self.faults
        if isinstance(faults.huge_body, int) and faults.huge_body < 0:
            raise ValueError("huge_body must be a number of bytes >= 0, or 'endless'")
        if faults.trickle is not None and faults.trickle <= 0:
            raise ValueError("trickle must be a positive number of seconds")
        for name in ("rate_429", "rate_503", "drop_rate"):
            rate = getattr(self.faults, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if any(n < 1 for n in (*faults.mail_throttle_at, *faults.mail_drop_at)):
            raise ValueError("mail_throttle_at and mail_drop_at count hand-overs from 1")
