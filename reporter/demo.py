"""``reporter demo``: the monthly job end to end on built-in data.

A few months of a fictional partner (two by default, up to twelve) are served by
the emulator over HTTPS; the real msal and httpx client collects each, the archive
keeps them all, the last month is rendered with its month-over-month changes and
its trends, and its reports are sent through the emulator's Exchange mailbox (Graph
mail) to each customer of a demo customers file, delivered as ``.eml`` files into
``OUT/mail/``. The earlier months are only archived: ``reporter run --period`` renders
any of them again from the archive.
"""

from __future__ import annotations

import csv
import io
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reporter import snapshot as snapshot_io
from reporter.archive import Archive
from reporter.atomic import write_bytes
from reporter.collect.collector import collect
from reporter.collect.config import Settings
from reporter.collect.progress import CollectProgress, NullProgress
from reporter.emulator.options import EmulatorOptions, MailOptions
from reporter.emulator.server import Emulator
from reporter.emulator.world import World
from reporter.errors import ConfigError, OutputError
from reporter.model import Snapshot
from reporter.monthly import RunResult, run_period
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.secret import Secret
from reporter.send.config import SendSettings
from reporter.send.job import deliver, plan_folder
from reporter.send.ledger import LEDGER_NAME
from reporter.send.runner import SendProgress, SendReport

DEMO_LAST = "2026-11"
"""The month the demo reports on: the emulator's world is as of its first day."""
DEMO_MONTHS = 2
MAX_DEMO_MONTHS = 12
DEMO_PARTNER = "Northwind Cloud Partners"
DEMO_CUSTOMERS = 40
DEMO_SEED = 1
DEMO_SEND_RATE = 6000
"""Messages a minute in the demo (Exchange Online allows 30: 40 customers would take a minute and a half)."""
DEMO_PARTNER_TO = "security@northwind.example"
DEMO_CUSTOMERS_FILE = "demo-customers.csv"


@dataclass(frozen=True)
class DemoResult:
    runs: list[RunResult]
    sent: SendReport
    mail_folder: Path
    customers_file: Path


@dataclass(frozen=True, slots=True)
class CollectionClock:
    """Real waiting, but the collection time of the period being demonstrated."""

    at: datetime

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def now(self) -> datetime:
        return self.at


def period_start(period: str) -> datetime:
    return datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)


def demo_periods(months: int = DEMO_MONTHS, last: str = DEMO_LAST) -> tuple[str, ...]:
    """The ``months`` calendar months ending with ``last``, oldest first."""
    if not 1 <= months <= MAX_DEMO_MONTHS:
        raise ConfigError(f"--months {months}: the demo archives 1 to {MAX_DEMO_MONTHS} months")
    year, month = (int(part) for part in last.split("-"))
    periods = []
    for _ in range(months):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(reversed(periods))


def run_demo(
    out_dir: Path,
    *,
    periods: Sequence[str] | None = None,
    customers: int = DEMO_CUSTOMERS,
    options: RenderOptions | None = None,
    progress: CollectProgress | None = None,
    send_progress: SendProgress | None = None,
) -> DemoResult:
    """Collect and archive each of ``periods`` (by default ``demo_periods()``); render and send the last one.

    The earlier periods are archived only; the last is rendered with the trends they make.
    """
    periods = tuple(periods or demo_periods())
    archive = Archive(out_dir / "archive")
    brand = replace(default_brand(), name=DEMO_PARTNER)
    results = []
    mail_folder = out_dir / "mail"
    mail_folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reporter-demo-") as scratch:
        for period in periods:
            as_of = period_start(period)
            mail = MailOptions(rate=DEMO_SEND_RATE, rate_window=1.0, folder=mail_folder)
            emulator_options = EmulatorOptions(customers=customers, seed=DEMO_SEED, as_of=as_of, mail=mail)
            with Emulator(emulator_options) as emulator:
                settings = Settings(
                    tenant_id=emulator.tenant_id,
                    client_id=emulator.client_id,
                    client_secret=Secret(emulator.client_secret),
                    graph_url=emulator.graph_url,
                    authority_url=emulator.authority_url,
                    ca_bundle=emulator.write_ca(Path(scratch) / "emulator-ca.pem"),
                )
                clock = CollectionClock(as_of + timedelta(hours=6))

                def collect_period(settings: Settings = settings, clock: CollectionClock = clock) -> Snapshot:
                    return collect(settings, clock=clock, progress=progress or NullProgress())

                if period != periods[-1]:  # archived only, as the monthly job would have a month ago
                    archive.assign(period, archive.store(collect_period()))
                    continue
                languages = demo_languages(emulator.world)
                period_options = replace(options or RenderOptions(), languages=languages)
                results.append(
                    run_period(
                        period, out_dir, archive, collect_period, brand, period_options, force=True, this_month=period
                    )
                )
                if period == periods[-1]:
                    customers_file = demo_customers_file(results[-1].folder, out_dir, languages)
                    ca = settings.ca_bundle
                    assert ca is not None
                    sent = send_demo(results[-1].folder, out_dir, customers_file, emulator, ca, send_progress)
    return DemoResult(results, sent, mail_folder, customers_file)


DEMO_LANGUAGES = ("en", "de", "fr", "es", "nl", "pt-BR", "ja", "ar", "de-AT", "en", "tlh")
"""The demo customers' languages, in turn: every language reporter writes, a regional form and one it does not."""


def demo_languages(world: World) -> dict[str, str]:
    """Each demo customer's language, by tenant id: the customers file's ``language`` column."""
    tenants = sorted({str(c["tenantId"]).lower() for c in world.customer_insights})
    return {tenant: DEMO_LANGUAGES[i % len(DEMO_LANGUAGES)] for i, tenant in enumerate(tenants)}


def demo_customers_file(folder: Path, out_dir: Path, languages: Mapping[str, str]) -> Path:
    """A customers file: each demo customer's language, and a recipient at its own domain (every seventh none)."""
    snapshot = snapshot_io.load(folder / "snapshot.json")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["tenantId", "name", "language", "to"])
    for index, customer in enumerate(sorted(snapshot.customers, key=lambda c: c.tenant_id)):
        domain = customer.default_domain_name or f"{customer.tenant_id[:8]}.example"
        to = "" if index % 7 == 6 else f"security@{domain}"
        language = languages.get(customer.tenant_id.lower(), "")
        writer.writerow([customer.tenant_id, customer.display_name or domain, language, to])
    path = out_dir / DEMO_CUSTOMERS_FILE
    data = text.getvalue().encode()
    if (path.exists() or path.is_symlink()) and (not path.is_file() or path.read_bytes() != data):
        raise OutputError(
            f"{path} exists and is not the demo's customers file; nothing was sent",
            "give reporter demo a new --out folder",
        )
    write_bytes(path, data)
    return path


def send_demo(
    folder: Path,
    out_dir: Path,
    customers_file: Path,
    emulator: Emulator,
    ca_bundle: Path,
    progress: SendProgress | None,
) -> SendReport:
    """``reporter send`` of ``folder`` through the emulator's mailbox, with the demo's ledger."""
    settings = SendSettings(
        sender=emulator.mailbox,
        partner_to=(DEMO_PARTNER_TO,),
        rate_per_minute=DEMO_SEND_RATE,
        customers_file=customers_file,
    )
    graph = {
        "tenant_id": emulator.tenant_id,
        "client_id": emulator.client_id,
        "graph_url": emulator.graph_url,
        "authority_url": emulator.authority_url,
        "ca_bundle": ca_bundle,
    }
    run, planned = plan_folder(folder, settings)
    env = {"REPORTER_CLIENT_SECRET": emulator.client_secret}
    return deliver(run, planned, settings, graph, env, out_dir / LEDGER_NAME, progress=progress)
