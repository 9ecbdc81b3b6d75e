"""One ``reporter send`` as a library call: plan a run folder, then send it (or list it, or write an outbox).

The command line, ``reporter run --send`` and the demo all send through ``deliver``,
so the ledger's place, its lock, the transport's set-up and the time budget are
decided once, here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from reporter.atomic import exclusive_lock
from reporter.clock import Clock, SystemClock
from reporter.customers import load_customers_file
from reporter.errors import ConfigError, OutputError
from reporter.send.config import SendSettings
from reporter.send.ledger import LEDGER_NAME, Ledger
from reporter.send.open import open_transport, require_recipients, require_sender
from reporter.send.pace import Pacer
from reporter.send.plan import Planned, RunFolder, plan, read_run
from reporter.send.runner import Outcome, SendLimits, SendProgress, SendReport, send_run, status

EXTRA_BUDGET = 1800.0
"""Seconds a send may take beyond its paced estimate (throttling, slow answers) before it gives up."""


def plan_folder(
    run_dir: Path, settings: SendSettings, *, customers_file: Path | None = None, only: Collection[str] = ()
) -> tuple[RunFolder, list[Planned]]:
    """The run folder, checked against its manifest, and who gets what from it."""
    run = read_run(run_dir)
    customers = customers_file or settings.customers_file
    require_recipients(settings, customers)
    directory = load_customers_file(customers) if customers is not None else None
    return run, plan(run, directory, settings.partner_to, only=only)


def check_outbox(run: RunFolder, outbox: Path) -> None:
    """A dry run's outbox is never inside the run folder (it would no longer be a render of ours)."""
    if outbox.resolve().is_relative_to(run.folder.resolve()):
        raise ConfigError(
            f"the outbox {outbox} is inside the run folder {run.folder}", "give --dry-run a folder outside it"
        )


def ledger_path(run_dir: Path, settings: SendSettings, ledger_file: Path | None = None) -> Path:
    """``--ledger``, else ``[send] ledger``, else ``deliveries.sqlite`` beside the run folder."""
    return ledger_file or settings.ledger or run_dir.resolve().parent / LEDGER_NAME


def deliver(
    run: RunFolder,
    planned: Sequence[Planned],
    settings: SendSettings,
    graph_table: Mapping[str, Any],
    env: Mapping[str, str],
    ledger_file: Path,
    *,
    resend: bool = False,
    progress: SendProgress | None = None,
    clock: Clock | None = None,
) -> SendReport:
    """Send what is due of ``planned``, one send at a time per ledger; the report says what became of each."""
    sender = require_sender(settings)
    clock = clock or SystemClock()
    limits = SendLimits(settings.rate_per_minute, settings.daily_recipient_limit, settings.pending_grace)
    due = sum(1 for item in planned if item.not_sent is None)
    budget = Pacer(limits.rate_per_minute, clock).seconds_for(due) + EXTRA_BUDGET
    ledger = Ledger(ledger_file)
    if ledger.path.is_relative_to(run.folder.resolve()):
        raise ConfigError(
            f"the delivery ledger {ledger_file} is inside the run folder {run.folder}",
            "keep it beside the run folders (the default), where re-rendering a period cannot meet it",
        )
    ledger.check_ours()  # before a lock file is made beside it
    busy = OutputError(f"another reporter send is using {ledger.path}", "wait for it to finish")
    with exclusive_lock(ledger.lock_file, busy), ledger:
        transport = open_transport(settings, graph_table, env, budget_seconds=budget, clock=clock)
        try:
            transport.open()
            return send_run(run, planned, ledger, transport, sender, limits, clock, resend=resend, progress=progress)
        finally:
            transport.close()


def ledger_status(run: RunFolder, planned: Sequence[Planned], ledger_file: Path) -> list[Outcome]:
    """What the ledger says of every planned delivery: the ledger is only read, the mail service not asked."""
    ledger = Ledger(ledger_file).open(read_only=True)
    try:
        return status(run, planned, ledger)
    finally:
        ledger.close()
