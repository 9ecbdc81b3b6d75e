"""The ``[send]`` table of ``reporter.toml``: how and to whom reports are sent.

::

    [send]
    transport = "graph"                   # or "smtp" ([send.smtp] below)
    sender = "reports@partner.example"    # graph: the mailbox (UPN or object id) that sends; smtp: the From address
    partner_to = ["security@partner.example"]  # receive the summary PDF and the workbook
    rate_per_minute = 30                  # Exchange Online: 30 messages a minute per mailbox
    daily_recipient_limit = 10000         # Exchange Online: 10,000 recipients a day per mailbox
    ledger = "deliveries.sqlite"          # [default: deliveries.sqlite beside the run folder]
    pending_grace = 600                   # seconds Sent Items is given to show a message before it is resent

    [send.smtp]                           # only with transport = "smtp" (reporter.send.smtp)
    host = "smtp.office365.com"
    port = 587
    security = "starttls"                 # or "tls"; "none" only to a loopback host
    username = "reports@partner.example"  # the password only from REPORTER_SMTP_PASSWORD

Customers' recipients are in the customers file (``to`` and ``cc`` columns, see
``reporter.customers``), named by ``[collect] customers_file``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporter.config import Config
from reporter.customers import PLAIN_ADDRESS, addresses, is_guid
from reporter.errors import ConfigError

TRANSPORTS = ("graph", "smtp")
MAX_RATE = 100_000
MIN_RATE = 0.1
"""Messages a minute: one every ten minutes is the slowest pace accepted."""
"""Messages a minute: far above any mail service's limit (a bigger number is a typo)."""

_KEYS: dict[str, str] = {
    "transport": "a string",
    "sender": "a string",
    "partner_to": "a list of addresses",
    "rate_per_minute": "a number",
    "daily_recipient_limit": "an integer",
    "ledger": "a string",
    "pending_grace": "a number",
    "smtp": "a table",
}


@dataclass(frozen=True)
class SendSettings:
    """The ``[send]`` table, checked (without the environment: the password is read when sending)."""

    transport: str = "graph"
    sender: str | None = None
    partner_to: tuple[str, ...] = ()
    rate_per_minute: float = 30.0
    daily_recipient_limit: int = 10_000
    ledger: Path | None = None
    pending_grace: float = 600.0
    smtp: Mapping[str, Any] = field(default_factory=dict)
    """The ``[send.smtp]`` table as written; ``reporter.send.smtp.smtp_settings`` checks it."""
    customers_file: Path | None = None
    """``[collect] customers_file``: where the recipients are."""
    where: str = "the configuration"


def send_settings(config: Config) -> SendSettings:
    """The ``[send]`` table of ``config``, each key checked."""
    where = config.where
    table = dict(config.table("send") or {})
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{where}: [send] unknown key {key!r}", f"known keys: {', '.join(sorted(_KEYS))}")
    values: dict[str, Any] = {"where": where}
    transport = table.get("transport", "graph")
    if transport not in TRANSPORTS:
        raise ConfigError(f'{where}: [send] transport must be "graph" or "smtp", found {transport!r:.40}')
    values["transport"] = transport
    if "sender" in table:
        values["sender"] = _sender(table["sender"], transport, where)
    if "partner_to" in table:
        given = table["partner_to"]
        if isinstance(given, str):
            given = [given]
        if not isinstance(given, list) or not all(isinstance(a, str) for a in given):
            raise ConfigError(
                f"{where}: [send] partner_to must be a list of addresses, found {given!r:.60}",
                'e.g. partner_to = ["security@partner.example"]',
            )
        values["partner_to"] = addresses(";".join(given), f"{where}: [send] partner_to")
    if "rate_per_minute" in table:
        rate = table["rate_per_minute"]
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not MIN_RATE <= rate <= MAX_RATE:
            raise ConfigError(
                f"{where}: [send] rate_per_minute must be from {MIN_RATE:g} to {MAX_RATE:,}, found {rate!r:.40}",
                "Exchange Online sends at most 30 messages a minute from one mailbox",
            )
        values["rate_per_minute"] = float(rate)
    if "daily_recipient_limit" in table:
        limit = table["daily_recipient_limit"]
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ConfigError(
                f"{where}: [send] daily_recipient_limit must be a whole number above 0, found {limit!r:.40}"
            )
        values["daily_recipient_limit"] = limit
    if "pending_grace" in table:
        grace = table["pending_grace"]
        if (
            isinstance(grace, bool)
            or not isinstance(grace, int | float)
            or not 0 <= grace <= 86_400
            or math.isnan(grace)
        ):
            raise ConfigError(
                f"{where}: [send] pending_grace must be seconds from 0 to 86400, found {grace!r:.40}",
                "how long Sent Items is given to show a message before it is sent again (600 by default)",
            )
        values["pending_grace"] = float(grace)
    if "ledger" in table:
        ledger = table["ledger"]
        if not isinstance(ledger, str) or not ledger.strip():
            raise ConfigError(
                f"{where}: [send] ledger must be a file path, found {ledger!r:.40}",
                'e.g. ledger = "/var/lib/reporter/deliveries.sqlite"',
            )
        values["ledger"] = config.path_of(ledger)
    if "smtp" in table:
        if not isinstance(table["smtp"], dict):
            raise ConfigError(f"{where}: [send.smtp] must be a table", "a line [send.smtp], then host = ...")
        if transport != "smtp":
            raise ConfigError(f"{where}: [send.smtp] is given but transport is {transport!r}", 'set transport = "smtp"')
        values["smtp"] = table["smtp"]
    if transport == "smtp":
        from reporter.send.smtp_config import smtp_settings  # checked now, so every command refuses a bad [send.smtp]

        smtp_settings(values.get("smtp", {}), where)
    customers = (config.table("collect") or {}).get("customers_file")
    if isinstance(customers, str) and customers.strip():
        values["customers_file"] = config.path_of(customers)
    return SendSettings(**values)


def _sender(value: object, transport: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{where}: [send] sender must be a mailbox address, found {value!r:.40}", "e.g. reports@partner.example"
        )
    sender = value.strip()
    if transport == "graph" and is_guid(sender.lower()):
        return sender.lower()
    if not PLAIN_ADDRESS.match(sender):
        what = "a mailbox address (its user principal name) or its object id" if transport == "graph" else "an address"
        raise ConfigError(f"{where}: [send] sender {sender!r:.80} is not {what}", "e.g. reports@partner.example")
    return addresses(sender, f"{where}: [send] sender")[0]
