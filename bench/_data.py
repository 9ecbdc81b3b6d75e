"""Generated snapshots for the render benchmarks, written once per ``make bench`` and shared.

A snapshot is the emulator world of a partner with N customers, turned into raw Graph
pages and parsed as a collection would parse them, so postures, alerts and findings have
the generator's realistic variety. It is written by a child process, so the memory and
time of generating it never count towards a benchmark.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench._core import Settings, job, log

SEED = 5000


def snapshot_file(settings: Settings, customers: int) -> Path:
    path = settings.scratch / f"snapshot-{customers}.json"
    if not path.exists():
        log(f"generating a snapshot of {customers} customers")
        job("bench._data:write_snapshot", {"customers": customers, "path": str(path)}, settings.scratch)
    return path


def world_snapshot(customers: int, folder: Path) -> Any:
    """A snapshot of a generated partner, built from raw Graph pages as a collection would."""
    from reporter.emulator.samples import SampleSpec, snapshot_from_raw, write_sample

    spec = SampleSpec("bench", "Benchmark Partner", "benchmark", seed=SEED, customers=customers, page_size=1000)
    return snapshot_from_raw(write_sample(spec, folder))


def write_snapshot(customers: int, path: str) -> dict[str, Any]:
    from reporter import snapshot as snapshot_io

    with tempfile.TemporaryDirectory() as tmp:
        snapshot = world_snapshot(customers, Path(tmp))
    Path(path).write_bytes(snapshot_io.dumps(snapshot))
    return {"customers": len(snapshot.customers), "alerts": len(snapshot.alerts)}
