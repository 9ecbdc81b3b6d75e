"""``reporter demo``: the monthly job end to end on built-in data.

Two months of a fictional partner are served by the emulator over HTTPS;
the real msal and httpx client collects them, the archive keeps both, and the
second month is rendered with its month-over-month changes.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reporter.archive import Archive
from reporter.collect.collector import collect
from reporter.collect.config import Settings
from reporter.collect.progress import CollectProgress, NullProgress
from reporter.emulator.options import EmulatorOptions
from reporter.emulator.server import Emulator
from reporter.graph.settings import Secret
from reporter.model import Snapshot
from reporter.monthly import RunResult, run_period
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions

DEMO_PERIODS = ("2026-10", "2026-11")
DEMO_PARTNER = "Northwind Cloud Partners"
DEMO_CUSTOMERS = 40
DEMO_SEED = 1


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


def run_demo(
    out_dir: Path,
    *,
    periods: Sequence[str] = DEMO_PERIODS,
    customers: int = DEMO_CUSTOMERS,
    options: RenderOptions | None = None,
    progress: CollectProgress | None = None,
) -> list[RunResult]:
    """Collect and render each of ``periods`` from the emulator into ``out_dir``."""
    archive = Archive(out_dir / "archive")
    brand = replace(default_brand(), name=DEMO_PARTNER)
    results = []
    with tempfile.TemporaryDirectory(prefix="reporter-demo-") as scratch:
        for period in periods:
            as_of = period_start(period)
            emulator_options = EmulatorOptions(customers=customers, seed=DEMO_SEED, as_of=as_of)
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

                results.append(
                    run_period(period, out_dir, archive, collect_period, brand, options, force=True, this_month=period)
                )
    return results
