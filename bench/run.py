"""The whole monthly job: ``reporter run`` against the emulator, as a partner would run it.

The emulator (page size 100, 50 ms latency) runs in this parent process, standing in for
Graph; ``python -m reporter run --force`` runs as a child process with the credentials in
its environment, in an empty working folder. Its figure is the child's wall time from
start to exit (interpreter start-up, collection, archive, every PDF, the workbook and the
manifest), and its memory the peak summed RSS of the child and its pool workers.

Reference for 1,000 customers: the sum of the run's stages, each run alone as its own
command in the same run: ``reporter collect`` then ``reporter render`` of that snapshot.
A ratio near 1 means the monthly job adds nothing to what its stages cost.
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench._core import Benchmark, Measured, Row, Settings, bench_env, cpu_note, log, measure

PERIOD = datetime.now(UTC).strftime("%Y-%m")
"""The current month: ``reporter run`` collects only for it (a past month comes from the archive)."""
PAGE_SIZE = 100
LATENCY_MS = 50.0


def small_rows(settings: Settings) -> list[Row]:
    count = settings.size(1000, 12)
    return [
        Row(
            "run",
            f"Whole `reporter run`, {count:,} customers: wall",
            "s",
            "limit",
            90.0,
            reference_label="collect + render alone",
        ),
        Row("run.rss", f"Whole `reporter run`, {count:,} customers: peak RSS", "MiB", "limit", 2048.0),
    ]


def big_rows(settings: Settings) -> list[Row]:
    count = settings.size(10000, 16)
    return [
        Row("run.big", f"Whole `reporter run`, {count:,} customers: wall", "s", "limit", 900.0),
        Row("run.big.rss", f"Whole `reporter run`, {count:,} customers: peak RSS", "MiB", "limit", 2048.0),
    ]


def small_run(settings: Settings, rows: list[Row]) -> None:
    _runs(settings, rows, settings.size(1000, 12), settings.repeats(2), stages=True)


def big_run(settings: Settings, rows: list[Row]) -> None:
    _runs(settings, rows, settings.size(10000, 16), settings.repeats(1), stages=False)


def _runs(settings: Settings, rows: list[Row], customers: int, repeats: int, *, stages: bool) -> None:
    from reporter.emulator import Emulator, EmulatorOptions, Faults

    wall, rss = rows
    options = EmulatorOptions(customers=customers, page_size=PAGE_SIZE, faults=Faults(latency_ms=LATENCY_MS))
    with Emulator(options) as emulator:
        folder = settings.scratch / f"run-{customers}"
        folder.mkdir(parents=True, exist_ok=True)
        env = bench_env() | {
            "REPORTER_TENANT_ID": emulator.tenant_id,
            "REPORTER_CLIENT_ID": emulator.client_id,
            "REPORTER_CLIENT_SECRET": emulator.client_secret,
            "REPORTER_GRAPH_URL": emulator.graph_url,
            "REPORTER_AUTHORITY_URL": emulator.authority_url,
            "REPORTER_CA_BUNDLE": str(emulator.write_ca(folder / "emulator-ca.pem")),
        }

        def reporter(*args: str | Path) -> Measured:
            return measure([sys.executable, "-m", "reporter", *map(str, args)], env=env, cwd=folder, timeout=3600)

        for _ in range(repeats):
            whole = reporter("run", "--period", PERIOD, "--out", folder / "out", "--force")
            files = sum(1 for _ in (folder / "out" / PERIOD).rglob("*.pdf"))
            shutil.rmtree(folder / "out")
            reference = None
            details: dict[str, float] = cpu_note(whole)
            if stages:
                collected = reporter("collect", "--out", folder / "snapshot.json")
                rendered = reporter("render", folder / "snapshot.json", "--out", folder / "rendered")
                shutil.rmtree(folder / "rendered")
                reference = collected.wall + rendered.wall
                details |= {"collect_alone": collected.wall, "render_alone": rendered.wall}
            wall.add(whole.wall, reference, pdfs=files, **details)
            rss.add(whole.peak_tree_mib, processes=whole.processes, main_process_mib=whole.peak_child_mib)
            stage_text = f", stages alone {reference:.1f} s" if reference is not None else ""
            log(
                f"{wall.name}: {whole.wall:.1f} s{stage_text}, {files} PDFs, "
                f"peak RSS {whole.peak_tree_mib:.0f} MiB over {whole.processes} processes; "
                f"{details['cores_used']:.2f} cores ours, {details['cores_used_by_others']:.2f} others'"
            )
        shutil.rmtree(folder, ignore_errors=True)


BENCHMARKS = [Benchmark("run", small_rows, small_run), Benchmark("run.big", big_rows, big_run)]
