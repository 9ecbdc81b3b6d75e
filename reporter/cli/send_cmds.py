"""`reporter send`: each customer its own report, exactly once."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reporter.cli._base import cli, translate_errors
from reporter.cli._config import CommandConfig, read_config

if TYPE_CHECKING:
    from reporter.send.runner import Outcome, SendReport


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file [default: ./reporter.toml if it exists].",
)
@click.option(
    "--customers-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV with the recipients (to, cc) [default: [collect] customers_file].",
)
@click.option(
    "--dry-run",
    "outbox",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write every message as .eml into this folder instead of sending.",
)
@click.option("--only", multiple=True, metavar="TENANT_ID", help="Send only to this customer ('partner': the summary).")
@click.option("--resend", is_flag=True, help="Send again what was already sent (needs --only).")
@click.option("--status", "show_status", is_flag=True, help="List what was sent, is pending or failed, and why.")
@click.option(
    "--ledger",
    "ledger_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Delivery ledger [default: [send] ledger, else deliveries.sqlite beside RUN_DIR].",
)
@translate_errors
def send(
    run_dir: Path,
    config_file: Path | None,
    customers_file: Path | None,
    outbox: Path | None,
    only: tuple[str, ...],
    resend: bool,
    show_status: bool,
    ledger_file: Path | None,
) -> None:
    """Email each customer its own report from RUN_DIR, and the partner the summary.

    Recipients come from the customers file (columns to and cc). Every file is
    checked against the run's manifest first, and every delivery is recorded in
    the ledger, so running send again sends only what has not gone yet.

    Exit status: 0 done, 1 stopped by an error, 2 some deliveries failed or are
    unsettled (see --status), 3 the daily recipient limit was reached (run send
    again later to continue).
    """
    config = read_config(config_file)
    code = send_folder(
        run_dir,
        config,
        customers_file=customers_file,
        outbox=outbox,
        only=only,
        resend=resend,
        show_status=show_status,
        ledger_file=ledger_file,
    )
    sys.exit(code)


def send_folder(
    run_dir: Path,
    config: CommandConfig,
    *,
    customers_file: Path | None = None,
    outbox: Path | None = None,
    only: tuple[str, ...] = (),
    resend: bool = False,
    show_status: bool = False,
    ledger_file: Path | None = None,
) -> int:
    """Send (or list, or write as an outbox) the deliveries of ``run_dir``; the exit code."""
    from datetime import UTC, datetime

    from reporter.atomic import exclusive_lock
    from reporter.customers import load_customers_file
    from reporter.errors import ConfigError, OutputError
    from reporter.graph.retry import SystemClock
    from reporter.send.ledger import LEDGER_NAME, Ledger
    from reporter.send.open import open_transport, require_sender
    from reporter.send.outbox import write_outbox
    from reporter.send.pace import Pacer
    from reporter.send.plan import plan, read_run
    from reporter.send.progress import progress_for
    from reporter.send.runner import SendLimits, send_run, status

    settings = config.send
    if resend and not only:
        raise ConfigError("--resend needs --only", "name each customer to send again with --only TENANT_ID")
    run = read_run(run_dir)
    customers = customers_file or settings.customers_file
    directory = load_customers_file(customers) if customers is not None else None
    planned = plan(run, directory, settings.partner_to, only=only)
    if outbox is not None:
        sender = settings.sender or "reports@reporter.invalid"
        written = write_outbox(outbox, run, planned, sender, datetime.now(UTC))
        files = sum(1 for _, what in written if what.endswith(".eml"))
        click.echo(f"{outbox}: {files} message(s) written, nothing sent; the list is in {outbox / 'index.csv'}")
        for item, what in written:
            if not what.endswith(".eml"):
                click.echo(f"  {item.customer}: {what}")
        return 0
    ledger = Ledger(ledger_file or settings.ledger or run_dir.resolve().parent / LEDGER_NAME)
    if show_status:
        with ledger:
            _print(status(run, planned, ledger))
        return 0
    if directory is None and settings.partner_to == ():
        raise ConfigError(
            "nobody to send to: no customers file and no [send] partner_to",
            "name the customers file (with to and cc columns) in [collect] customers_file or --customers-file",
        )
    sender = require_sender(settings)
    clock = SystemClock()
    limits = SendLimits(settings.rate_per_minute, settings.daily_recipient_limit, settings.pending_grace)
    busy = OutputError(f"another reporter send is using {ledger.path}", "wait for it to finish")
    due = sum(1 for p in planned if p.not_sent is None)
    budget = Pacer(limits.rate_per_minute, clock).seconds_for(due) + 1800.0
    with exclusive_lock(ledger.lock_file, busy), ledger:
        transport = open_transport(settings, config.collect.graph, os.environ, budget_seconds=budget, clock=clock)
        try:
            transport.open()
            report = send_run(
                run,
                planned,
                ledger,
                transport,
                sender,
                limits,
                clock,
                resend=resend,
                progress=progress_for(sys.stderr, limits.rate_per_minute),
            )
        finally:
            transport.close()
    _summary(report)
    if report.error is not None:
        raise report.error
    return report.exit_code


def _print(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        when = f" {outcome.when:%Y-%m-%d %H:%M} UTC" if outcome.when else ""
        message = f" {outcome.message_id}" if outcome.message_id and outcome.status == "sent" else ""
        detail = f": {outcome.detail}" if outcome.detail else ""
        click.echo(f"{outcome.key}  {outcome.customer}  {outcome.status}{when}{message}{detail}")


def _summary(report: SendReport) -> None:
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        label = outcome.status if outcome.status != "not sent" else f"not sent ({outcome.detail})"
        counts[label] = counts.get(label, 0) + 1
    click.echo(", ".join(f"{label}: {count}" for label, count in sorted(counts.items())) or "nothing to send")
    if report.stopped:
        click.echo(f"stopped: {report.stopped}", err=True)
