"""Trends: reading twelve archived months of a large partner for one period's documents.

A child process builds an archive of 5,000 customers over twelve months (the same
world, each month's snapshot a little different, as collections are), then times
``monthly.read_past`` for the last month: the index query, the eleven earlier
snapshots read one at a time and cut down to what the trends need, the previous
month kept whole for month-over-month changes, and the trends lined up. Its peak
memory is compared with the same reading of an archive of two months (the period and
the one before, which any render with changes holds anyway): twelve months should
cost about what two do.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench._core import Benchmark, Row, Settings, job, log
from bench._data import snapshot_file

MONTHS = 12
LAST = "2026-11"


def trend_rows(settings: Settings) -> list[Row]:
    count = settings.size(5000, 24)
    return [
        Row("trends", f"Trends of {MONTHS} archived months, {count:,} customers", "s", "limit", 2.0),
        Row(
            "trends.rss",
            f"Trends of {MONTHS} archived months, {count:,} customers: peak RSS",
            "MiB",
            "ratio",
            1.25,
            reference_label="two months archived",
        ),
    ]


def trend_run(settings: Settings, rows: list[Row]) -> None:
    seconds, rss = rows
    snapshot = snapshot_file(settings, settings.size(5000, 24))
    with tempfile.TemporaryDirectory(dir=settings.scratch) as folder:
        archive, short = Path(folder) / "archive", Path(folder) / "two-months"
        job("bench.trends:build_archive", {"snapshot": str(snapshot), "archive": str(archive)}, settings.scratch)
        params = {"snapshot": str(snapshot), "archive": str(short), "months": 2}
        job("bench.trends:build_archive", params, settings.scratch)
        for _ in range(settings.repeats(3)):
            measured = job("bench.trends:read_trends", {"archive": str(archive)}, settings.scratch)
            baseline = job("bench.trends:read_trends", {"archive": str(short)}, settings.scratch)
            result = measured.result
            seconds.add(result["seconds"], months=result["months"], customers=result["customers"])
            rss.add(measured.peak_child_mib, baseline.peak_child_mib)
            log(
                f"{seconds.name}: {result['seconds']:.2f} s for {result['months']} months; peak RSS "
                f"{measured.peak_child_mib:.0f} MiB, two months archived {baseline.peak_child_mib:.0f} MiB"
            )


def _months(count: int = MONTHS) -> list[str]:
    from reporter.view.trends import month_range, shift_month

    return list(month_range(shift_month(LAST, -(count - 1)), LAST))


def build_archive(snapshot: str, archive: str, months: int = MONTHS) -> dict[str, Any]:
    """Twelve months of one world: each month's collection an hour later, and its coverage figures moved a little."""
    from datetime import timedelta

    from reporter import snapshot as snapshot_io
    from reporter.archive import Archive

    base = snapshot_io.load(Path(snapshot))
    store = Archive(Path(archive))
    for index, period in enumerate(_months(months)):
        customers = []
        for number, customer in enumerate(base.customers):
            mfa = customer.mfa
            if mfa is not None and mfa.compliant_non_admins_count is not None and (number + index) % 3 == 0:
                room = (mfa.total_users_count or 0) - (mfa.compliant_admins_count or 0)
                moved = max(0, min(room, mfa.compliant_non_admins_count + index))
                update = {"mfa": mfa.model_copy(update={"compliant_non_admins_count": moved})}
                customer = customer.model_copy(update=update)
            customers.append(customer)
        provenance = base.provenance.model_copy(
            update={"collected_at": base.provenance.collected_at - timedelta(days=31 * (months - 1 - index))}
        )
        month = base.model_copy(update={"customers": tuple(customers), "provenance": provenance})
        store.assign(period, store.store(month))
    return {"months": months}


def read_trends(archive: str) -> dict[str, Any]:
    from reporter.archive import Archive
    from reporter.monthly import read_past

    store = Archive(Path(archive))
    entry = store.entry(LAST)
    assert entry is not None
    snapshot = store.get(entry.sha256)
    started = time.perf_counter()
    past = read_past(store, LAST, snapshot)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "months": len(past.periods.months), "customers": len(past.trends.customers)}


BENCHMARKS = [Benchmark("trends", trend_rows, trend_run)]
