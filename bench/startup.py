"""Start-up: ``reporter --help``, which must not import WeasyPrint, matplotlib or the collector.

Each repetition runs ``python -m reporter --help`` as a fresh child process, in an empty
folder; its figure is the wall time from start to exit. Reference, in the same repetition:
``python -c pass``, the interpreter alone, so the ratio shows what reporter adds. Target:
0.3 s on an idle machine (on a busy one the figure follows the cores it got).
"""

from __future__ import annotations

import sys

from bench._core import Benchmark, Row, Settings, bench_env, log, measure


def rows(settings: Settings) -> list[Row]:
    return [Row("startup", "`reporter --help`: wall", "s", "limit", 0.3, reference_label="python alone")]


def run(settings: Settings, rows: list[Row]) -> None:
    (row,) = rows
    folder = settings.scratch / "startup"
    folder.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    for _ in range(settings.repeats(10)):
        bare = measure([sys.executable, "-c", "pass"], env=env, cwd=folder, timeout=60)
        help_ = measure([sys.executable, "-m", "reporter", "--help"], env=env, cwd=folder, timeout=60)
        row.add(help_.wall, bare.wall)
        log(f"startup: reporter --help {help_.wall:.2f} s, python alone {bare.wall:.2f} s")


BENCHMARKS = [Benchmark("startup", rows, run)]
