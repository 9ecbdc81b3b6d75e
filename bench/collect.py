"""Collecting from the emulator: the collector against the latency of the longest paged chain.

The emulator runs in this (the parent) process, like a remote Graph would; each collection
runs in a fresh child process through the real msal and httpx client over TLS, and times
``collect()`` alone.

Reference, measured in the same run from the emulator's counters: the requests of one
paged chain (customerInsights, contracts...) can only be sent one after the other, so a
chain cannot take less than

    requests on the chain x latency + the Retry-After of every 429 on the chain

The reference is the largest of that over every Graph path: the critical path of the
collection. Without faults it is the issue's "pages x latency of the longest chain". With
429s it counts only the throttles that land on the chain that ends up longest (a 429 on a
shorter chain that runs beside it costs no wall time), plus the extra round trip each
retry takes. The 2 sign-in requests before the chains start (OIDC discovery and token) are
not in the reference, so they count against the collector.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from bench._core import Benchmark, Row, Settings, emulator_params, emulator_settings, job, log

PAGE_SIZE = 100
LATENCY_MS = 50.0
RATE_429 = 0.10
RETRY_AFTER = 1.0


def rows(settings: Settings) -> list[Row]:
    customers = settings.size(5000, 300)
    return [
        Row(
            "collect.latency",
            f"Collect {customers:,} customers, page size {PAGE_SIZE}, {LATENCY_MS:.0f} ms latency",
            "s",
            "ratio",
            1.3,
            reference_label="longest chain x latency",
        ),
        Row(
            "collect.throttled",
            f"Collect the same with {RATE_429:.0%} 429s (Retry-After {RETRY_AFTER:.0f} s)",
            "s",
            "ratio",
            1.3,
            reference_label="longest chain incl. its 429 waits",
        ),
    ]


def run(settings: Settings, table_rows: list[Row]) -> None:
    from reporter.emulator import Emulator, EmulatorOptions, Faults

    customers = settings.size(5000, 300)
    plain, throttled = table_rows
    cases = (
        (plain, Faults(latency_ms=LATENCY_MS), settings.repeats(5)),
        (throttled, Faults(latency_ms=LATENCY_MS, rate_429=RATE_429, retry_after=RETRY_AFTER), settings.repeats(3)),
    )
    for row, faults, repeats in cases:
        options = EmulatorOptions(customers=customers, page_size=PAGE_SIZE, faults=faults)
        with Emulator(options) as emulator:
            params = {"graph": emulator_params(emulator, settings.scratch / "emulator-ca.pem")}
            for _ in range(repeats):
                before = emulator.stats
                result = job("bench.collect:collect_once", params, settings.scratch).result
                after = emulator.stats
                reference, chain = critical_path(before, after, faults.latency_ms / 1000, faults.retry_after)
                if result["customers"] != customers:
                    raise RuntimeError(f"collected {result['customers']} customers of {customers}")
                row.add(result["seconds"], reference, chain=chain, **result)
                log(f"{row.name}: {result['seconds']:.2f} s, reference {reference:.2f} s ({chain['path']})")


def critical_path(before: Any, after: Any, latency: float, retry_after: float) -> tuple[float, dict[str, Any]]:
    """The longest chain's least possible time, from the emulator's counters over one collection."""
    best: tuple[float, dict[str, Any]] = (0.0, {"path": "none"})
    for path, count in after.requests.items():
        if not path.startswith(("/beta/", "/v1.0/")):
            continue
        requests = count - before.requests.get(path, 0)
        throttles = after.faults.get(path, {}).get("429", 0) - before.faults.get(path, {}).get("429", 0)
        seconds = requests * latency + throttles * retry_after
        if seconds > best[0]:
            best = (seconds, {"path": path, "requests": requests, "throttled": throttles})
    return best


class _Pages:
    """Counts pages per source (the collector's progress interface)."""

    def __init__(self) -> None:
        self.pages: Counter[str] = Counter()
        self.notes = 0
        self._lock = threading.Lock()

    def start(self, source: str) -> None:
        pass

    def page(self, source: str, items: int) -> None:
        with self._lock:
            self.pages[source] += 1

    def done(self, source: str) -> None:
        pass

    def failed(self, source: str, reason: str) -> None:
        pass

    def note(self, message: str) -> None:
        with self._lock:
            self.notes += 1


def collect_once(graph: dict[str, str]) -> dict[str, Any]:
    """In a child process: one collection, timed."""
    from reporter.collect.collector import collect
    from reporter.collect.config import Settings as CollectSettings

    settings = emulator_settings(graph, CollectSettings)
    progress = _Pages()
    started = time.perf_counter()
    snapshot = collect(settings, progress=progress)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "customers": len(snapshot.customers),
        "pages": dict(progress.pages),
        "retries": progress.notes,
    }


BENCHMARKS = [Benchmark("collect", rows, run)]
