"""The transport ``[send] transport`` names, with its credentials from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reporter.clock import Clock
from reporter.errors import ConfigError
from reporter.graph.settings import graph_settings
from reporter.send.config import SendSettings
from reporter.send.transport import MailTransport


def open_transport(
    settings: SendSettings,
    graph_table: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    budget_seconds: float,
    clock: Clock,
) -> MailTransport:
    """Graph mail with the collection's app registration, or SMTP with ``REPORTER_SMTP_PASSWORD``."""
    sender = require_sender(settings)
    if settings.transport == "smtp":
        return _smtp_transport(settings, graph_table, env, sender)
    from reporter.send.graph_mail import open_graph_mail

    return open_graph_mail(graph_settings(graph_table, env), sender, budget_seconds=budget_seconds, clock=clock)


def check_ready(
    settings: SendSettings,
    graph_table: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    customers_file: Path | None = None,
) -> None:
    """Everything a send needs that can be checked without the network: before a run collects and renders."""
    sender = require_sender(settings)
    require_recipients(settings, customers_file or settings.customers_file)
    if settings.transport == "smtp":
        _smtp_transport(settings, graph_table, env, sender)  # checks settings, password and CA; connects not yet
    else:
        graph_settings(graph_table, env)


def _smtp_transport(
    settings: SendSettings, graph_table: Mapping[str, Any], env: Mapping[str, str], sender: str
) -> MailTransport:
    """The SMTP transport of ``[send.smtp]``, its password from the environment (it connects on ``open()``)."""
    from reporter.send.smtp import SmtpTransport
    from reporter.send.smtp_config import smtp_password, smtp_settings

    smtp = smtp_settings(settings.smtp, settings.where)
    ca_bundle = env.get("REPORTER_CA_BUNDLE") or graph_table.get("ca_bundle")
    return SmtpTransport(smtp, smtp_password(env), ca_bundle=Path(ca_bundle) if ca_bundle else None, sender=sender)


def require_recipients(settings: SendSettings, customers_file: Path | None) -> None:
    """A send needs someone to send to: a customers file (its to and cc columns), or ``[send] partner_to``."""
    if customers_file is None and not settings.partner_to:
        raise ConfigError(
            "nobody to send to: no customers file and no [send] partner_to",
            "name the customers file (with to and cc columns) in [collect] customers_file or --customers-file",
        )


def require_sender(settings: SendSettings) -> str:
    if settings.sender is None:
        what = "the mailbox that sends (its address)" if settings.transport == "graph" else "the From address"
        raise ConfigError(f"{settings.where}: [send] sender is missing", f"set sender to {what}")
    return settings.sender
