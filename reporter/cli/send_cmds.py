"""`reporter send`: each customer its own report, exactly once."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reporter.cli._base import cli, config_option, translate_errors
from reporter.cli._config import CommandConfig, read_config

if TYPE_CHECKING:
    from reporter.send.runner import Outcome, SendReport


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@config_option
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

    from reporter.errors import ConfigError
    from reporter.send.job import check_outbox, deliver, ledger_path, ledger_status, plan_folder
    from reporter.send.outbox import write_outbox
    from reporter.send.progress import progress_for

    settings = config.send
    if resend and not only:
        raise ConfigError("--resend needs --only", "name each customer to send again with --only TENANT_ID")
    run, planned = plan_folder(run_dir, settings, customers_file=customers_file, only=only)
    ledger = ledger_path(run_dir, settings, ledger_file)
    if show_status:
        _print(ledger_status(run, planned, ledger))
        return 0
    if outbox is not None:
        check_outbox(run, outbox)
        sender = settings.sender or "reports@reporter.invalid"
        written = write_outbox(outbox, run, planned, sender, datetime.now(UTC))
        files = sum(1 for _, what in written if what.endswith(".eml"))
        click.echo(f"{outbox}: {files} message(s) written, nothing sent; the list is in {outbox / 'index.csv'}")
        for item, what in written:
            if not what.endswith(".eml"):
                click.echo(f"  {item.customer}: {what}")
        return 2 if any(what.startswith("would fail") for _, what in written) else 0  # as a send with failures
    progress = progress_for(sys.stderr, settings.rate_per_minute)
    report = deliver(run, planned, settings, config.collect.graph, os.environ, ledger, resend=resend, progress=progress)
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
        label = outcome.status
        if outcome.status == "not sent":
            label = f"not sent ({outcome.detail})" if outcome.detail in _PLAIN_REASONS else "not sent"
        counts[label] = counts.get(label, 0) + 1
    click.echo(", ".join(f"{label}: {count}" for label, count in sorted(counts.items())) or "nothing to send")
    if report.stopped:
        click.echo(f"stopped: {report.stopped}", err=True)


_PLAIN_REASONS = frozenset({"no recipient", "no recipient ([send] partner_to)", "not in this period's reports"})
