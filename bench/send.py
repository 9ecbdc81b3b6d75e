"""Sending through the emulator's Exchange mailbox: 2,000 messages at an emulated 6,000 a minute.

The emulator runs in this (the parent) process, like Exchange Online would, enforcing
the rate itself (a token bucket with a one-second window). Each repetition is a fresh
child process that runs ``reporter send``'s library path (read the run folder's
manifest, plan, ledger, Graph mail transport with 4 concurrent requests over TLS) on a
run folder of ``CUSTOMERS`` customers, each with a report-sized PDF, and times the send.

Reference: the rate's floor, ``(messages - 1) x 60 / rate`` (2,001 messages at 6,000 a
minute: 20 s). Target: at most 1.15 times it. Peak RSS is that child's, reported beside.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench._core import Benchmark, Row, Settings, emulator_params, emulator_settings, job, log

RATE = 6000
PDF_BYTES = 60_000
"""About the size of a real customer report."""


def rows(settings: Settings) -> list[Row]:
    customers = settings.size(2000, 100)
    return [
        Row(
            "send.graph",
            f"Send {customers:,} customer reports and the summary through Graph mail at {RATE:,} a minute",
            "s",
            "ratio",
            1.15,
            reference_label="the rate's floor",
        ),
        Row("send.memory", f"Peak RSS of that send ({customers:,} customers)", "MiB", "limit", 300.0),
    ]


def run(settings: Settings, table_rows: list[Row]) -> None:
    from reporter.emulator import Emulator, EmulatorOptions, MailOptions
    from tests.send_helpers import synthetic_run

    customers = settings.size(2000, 100)
    timing, memory = table_rows
    for repetition in range(settings.repeats(3)):
        root = settings.scratch / f"send-{repetition}"
        made = synthetic_run(root, customers, pdf_bytes=PDF_BYTES)
        options = EmulatorOptions(customers=1, mail=MailOptions(rate=RATE, rate_window=1.0))
        with Emulator(options) as emulator:
            params = {
                "folder": str(made.folder),
                "customers_file": str(made.customers_file),
                "ledger": str(root / "deliveries.sqlite"),
                "graph": emulator_params(emulator, root / "emulator-ca.pem"),
                "mailbox": emulator.mailbox,
            }
            measured = job("bench.send:send_once", params, settings.scratch)
            delivered = emulator.mail.counts().get("delivered", 0)
            throttled = emulator.mail.counts().get("throttled", 0)
        result = measured.result
        messages = result["sent"]
        if messages != customers + 1 or delivered != messages:
            raise RuntimeError(f"sent {messages}, delivered {delivered}, of {customers + 1} messages")
        floor = (messages - 1) * 60 / RATE
        timing.add(result["seconds"], floor, messages=messages, throttled=throttled)
        memory.add(measured.peak_tree_mib)
        log(f"send.graph: {result['seconds']:.2f} s for {messages} messages (floor {floor:.1f} s)")


def send_once(
    folder: str,
    customers_file: str,
    ledger: str,
    graph: dict[str, str],
    mailbox: str,
) -> dict[str, Any]:
    """In a child process: one whole send, timed from the first hand-over's planning to the last answer."""
    from reporter.clock import SystemClock
    from reporter.customers import load_customers_file
    from reporter.graph.settings import GraphSettings
    from reporter.send.graph_mail import open_graph_mail
    from reporter.send.ledger import Ledger
    from reporter.send.plan import plan, read_run
    from reporter.send.runner import SENT, SendLimits, send_run

    settings = emulator_settings(graph, GraphSettings)
    clock = SystemClock()
    started = time.perf_counter()
    run = read_run(Path(folder))
    planned = plan(run, load_customers_file(Path(customers_file)), ("security@partner.example",))
    with Ledger(Path(ledger)) as book:
        transport = open_graph_mail(settings, mailbox, budget_seconds=3600, clock=clock)
        try:
            transport.open()
            report = send_run(run, planned, book, transport, mailbox, SendLimits(rate_per_minute=RATE), clock)
        finally:
            transport.close()
    seconds = time.perf_counter() - started
    if report.error is not None:
        raise report.error
    return {"seconds": seconds, "sent": report.count(SENT)}


BENCHMARKS = [Benchmark("send", rows, run)]
