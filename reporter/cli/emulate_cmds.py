"""`reporter emulate`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import click

from reporter.atomic import write_bytes
from reporter.cli._base import cli, translate_errors
from reporter.emulator import Emulator, EmulatorOptions, Faults, Quirks
from reporter.emulator.customers import PartnerKind
from reporter.emulator.options import (
    DEFAULT_AS_OF,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_MAILBOX,
    DEFAULT_TENANT_ID,
    MIB,
    HugeBody,
    MailDenied,
    MailOptions,
    MalformedPage,
)
from reporter.errors import ConfigError

_RATE = click.FloatRange(0.0, 1.0)
_PORTAL = "https://portal.example.net/login"


def _huge_body(ctx: click.Context, param: click.Parameter, value: str | None) -> HugeBody | None:
    if value is None:
        return None
    if value == "endless":
        return "endless"
    if value.strip().isdigit():
        return int(value)
    raise click.BadParameter(f"{value!r} is neither a number of bytes nor 'endless'")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: a free one).")
@click.option("--customers", type=click.IntRange(0), default=40, show_default=True, help="Number of customers.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated partner.")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=DEFAULT_AS_OF.strftime("%Y-%m-%d"),
    show_default=True,
    help="The moment the data describes (UTC).",
)
@click.option(
    "--kind",
    type=click.Choice(get_args(PartnerKind)),
    default="typical",
    show_default=True,
    help="How well the partner meets the requirements.",
)
@click.option("--page-size", type=click.IntRange(1), default=100, show_default=True, help="Items per page.")
@click.option("--tenant-id", default=DEFAULT_TENANT_ID, show_default=True, help="The partner tenant id accepted.")
@click.option("--client-id", default=DEFAULT_CLIENT_ID, show_default=True, help="The app (client) id accepted.")
@click.option("--client-secret", default=DEFAULT_CLIENT_SECRET, help="The client secret accepted.")
@click.option(
    "--client-certificate",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A PEM certificate registered on the app: client assertions signed with its key are accepted.",
)
@click.option("--ca-file", type=click.Path(dir_okay=False, path_type=Path), help="Write the CA certificate (PEM) here.")
@click.option("--token-lifetime", type=click.FloatRange(0), default=3599, show_default=True, help="Token seconds.")
@click.option("--latency-ms", type=click.FloatRange(0), default=0, help="Delay added to every request.")
@click.option("--rate-429", type=_RATE, default=0, help="Share of Graph requests answered 429.")
@click.option("--retry-after", type=click.FloatRange(0), default=1, show_default=True, help="Retry-After seconds.")
@click.option("--retry-after-date", is_flag=True, help="Send Retry-After as an HTTP date.")
@click.option("--rate-503", type=_RATE, default=0, help="Share of Graph requests answered 503.")
@click.option("--drop-rate", type=_RATE, default=0, help="Share of Graph answers cut off mid-body.")
@click.option("--forbidden", is_flag=True, help="Answer every Graph request 403 Authorization_RequestDenied.")
@click.option("--contracts-forbidden", is_flag=True, help="Answer /v1.0/contracts 403.")
@click.option("--alerts-failing", is_flag=True, help="Answer securityAlerts 500.")
@click.option(
    "--malformed-page",
    type=click.Choice(get_args(MalformedPage)),
    is_flag=False,
    flag_value="truncated",
    help="Break one customerInsights page: cut-off JSON (the default) or an item without tenantId.",
)
@click.option("--repeat-next-link", is_flag=True, help="One customerInsights page links back to itself.")
@click.option(
    "--huge-body",
    metavar="BYTES|endless",
    callback=_huge_body,
    is_flag=False,
    flag_value="endless",
    help="customerInsights answers with zero bytes: endless (the default) or this many bytes.",
)
@click.option("--huge-body-declared", is_flag=True, help="Announce --huge-body's size in Content-Length.")
@click.option(
    "--trickle", type=click.FloatRange(0, min_open=True), help="customerInsights pages: one byte per SECONDS."
)
@click.option(
    "--redirect", metavar="URL", is_flag=False, flag_value=_PORTAL, help=f"Answer Graph 302 to this URL [{_PORTAL}]."
)
@click.option("--wrapped-singleton", is_flag=True, help='Answer securityScore as {"value": {...}}.')
@click.option("--fault-seed", type=int, default=0, help="Seed of the injected faults.")
@click.option("--mailbox", default=DEFAULT_MAILBOX, show_default=True, help="The one mailbox that can send.")
@click.option(
    "--mail-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every delivered message here as an .eml file.",
)
@click.option("--mail-rate", type=click.IntRange(1), default=30, show_default=True, help="Messages a minute.")
@click.option(
    "--mail-rate-window",
    type=click.FloatRange(0, 86_400, min_open=True),
    default=60,
    show_default=True,
    help="Seconds' worth of --mail-rate that may go at once (then it is spread evenly).",
)
@click.option(
    "--mail-daily-recipients", type=click.IntRange(1), default=10_000, show_default=True, help="Recipients a day."
)
@click.option(
    "--mail-max-message-mb",
    type=click.FloatRange(0, min_open=True),
    default=35,
    show_default=True,
    help="The tenant's maximum message size (MiB, attachments base64-encoded).",
)
@click.option(
    "--mail-sent-items-delay",
    type=click.FloatRange(0, 86_400),
    default=0,
    help="Seconds before a sent message shows in Sent Items.",
)
@click.option(
    "--mail-access-denied",
    type=click.Choice(get_args(MailDenied)),
    is_flag=False,
    flag_value="no-mail-send",
    help="Answer mail calls 403 ErrorAccessDenied: tokens without Mail.Send (the default) or the app out of scope.",
)
@click.option("--mail-not-enabled", is_flag=True, help="Answer mail calls 404 MailboxNotEnabledForRESTAPI.")
@click.option("--mail-refuse-recipient", metavar="ADDRESS", help="Refuse messages to ADDRESS (ErrorInvalidRecipients).")
@click.option(
    "--mail-throttle-at", metavar="N", type=click.IntRange(1), multiple=True, help="Answer the Nth hand-over 429."
)
@click.option(
    "--mail-drop-at",
    metavar="N",
    type=click.IntRange(1),
    multiple=True,
    help="Deliver the Nth hand-over, then close the connection without an answer.",
)
@translate_errors
def emulate(
    host: str,
    port: int,
    customers: int,
    seed: int,
    as_of: datetime,
    kind: PartnerKind,
    page_size: int,
    tenant_id: str,
    client_id: str,
    client_secret: str,
    client_certificate: Path | None,
    ca_file: Path | None,
    token_lifetime: float,
    latency_ms: float,
    rate_429: float,
    retry_after: float,
    retry_after_date: bool,
    rate_503: float,
    drop_rate: float,
    forbidden: bool,
    contracts_forbidden: bool,
    alerts_failing: bool,
    malformed_page: MalformedPage | None,
    repeat_next_link: bool,
    huge_body: HugeBody | None,
    huge_body_declared: bool,
    trickle: float | None,
    redirect: str | None,
    wrapped_singleton: bool,
    fault_seed: int,
    mailbox: str,
    mail_dir: Path | None,
    mail_rate: int,
    mail_rate_window: float,
    mail_daily_recipients: int,
    mail_max_message_mb: float,
    mail_sent_items_delay: float,
    mail_access_denied: MailDenied | None,
    mail_not_enabled: bool,
    mail_refuse_recipient: str | None,
    mail_throttle_at: tuple[int, ...],
    mail_drop_at: tuple[int, ...],
) -> None:
    """Serve an emulated Entra ID and Graph, Exchange Online mail included, over HTTPS until Ctrl-C."""
    if "@" not in mailbox:
        raise click.BadParameter(f"{mailbox!r} is not an address", param_hint="--mailbox")
    options = EmulatorOptions(
        host=host,
        port=port,
        customers=customers,
        seed=seed,
        as_of=as_of.replace(tzinfo=UTC),
        kind=kind,
        page_size=page_size,
        tenant_id=tenant_id,
        client_id=client_id,
        client_secret=client_secret,
        client_certificate_pem=client_certificate.read_bytes() if client_certificate else None,
        token_lifetime=token_lifetime,
        quirks=Quirks(wrapped_singleton=wrapped_singleton),
        faults=Faults(
            latency_ms=latency_ms,
            rate_429=rate_429,
            retry_after=retry_after,
            retry_after_http_date=retry_after_date,
            rate_503=rate_503,
            drop_rate=drop_rate,
            forbidden=forbidden,
            contracts_forbidden=contracts_forbidden,
            alerts_failing=alerts_failing,
            malformed_page=malformed_page,
            repeat_next_link=repeat_next_link,
            huge_body=huge_body,
            huge_body_declared=huge_body_declared,
            trickle=trickle,
            redirect=redirect,
            mail_access_denied=mail_access_denied,
            mail_not_enabled=mail_not_enabled,
            mail_refused_recipient=mail_refuse_recipient,
            mail_throttle_at=mail_throttle_at,
            mail_drop_at=mail_drop_at,
            seed=fault_seed,
        ),
        mail=MailOptions(
            mailbox=mailbox,
            folder=mail_dir,
            rate=mail_rate,
            rate_window=mail_rate_window,
            daily_recipients=mail_daily_recipients,
            max_message_bytes=max(1, round(mail_max_message_mb * MIB)),
            sent_items_delay=mail_sent_items_delay,
        ),
    )
    try:
        emulator = Emulator(options)
    except OSError as exc:
        raise ConfigError(
            f"cannot use --mail-dir {mail_dir}: {exc.strerror}", "give a folder you can write to"
        ) from None
    try:
        emulator.start()
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror}", "choose another --port, or a local --host"
        ) from None

    try:
        if ca_file is not None:
            write_bytes(ca_file, emulator.ca_pem)
        click.echo(f"Graph URL:      {emulator.graph_url}")
        click.echo(f"Authority URL:  {emulator.authority_url}")
        click.echo(f"Tenant id:      {emulator.tenant_id}")
        click.echo(f"Client id:      {emulator.client_id}")
        click.echo(f"Client secret:  {emulator.client_secret}")
        click.echo(f"CA certificate: {ca_file if ca_file else '(not written; use --ca-file PATH)'}")
        click.echo(f"Mailbox:        {emulator.mailbox} (object id {emulator.mailbox_id})")
        click.echo(f"Mail folder:    {mail_dir if mail_dir else '(messages kept in memory; use --mail-dir DIR)'}")
        click.echo(f"Serving {customers} customers as of {options.as_of:%Y-%m-%d}. Press Ctrl-C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("Stopped.")
    finally:
        emulator.stop()
