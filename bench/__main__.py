"""``python -m bench`` (``make bench``): every benchmark, one table, ``bench/results.json``.

    python -m bench                 # all of them, each several times (about half an hour)
    python -m bench --quick         # a few customers, one run each: checks that they work
    python -m bench --only pdf      # a family (startup, collect, pdf, sign, workbook, trends, run, send)
                                    # or one benchmark (pdf.one)
    python -m bench --repeat 5      # runs of every benchmark instead of each one's default

Progress goes to stderr, the table to stdout. The figures only mean something next to the
machine's load, which the table's footer and the JSON record.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import collect, pdf, run, send, sign, startup, trends, workbook
from bench._core import Benchmark, Row, Settings, log, table

BENCHMARKS: list[Benchmark] = [
    *startup.BENCHMARKS,
    *collect.BENCHMARKS,
    *pdf.BENCHMARKS,
    *sign.BENCHMARKS,
    *workbook.BENCHMARKS,
    *trends.BENCHMARKS,
    *run.BENCHMARKS,
    *send.BENCHMARKS,
]
RESULTS = Path(__file__).resolve().parent / "results.json"


def select(only: Sequence[str]) -> list[Benchmark]:
    if not only:
        return BENCHMARKS
    chosen = []
    for name in only:
        exact = [b for b in BENCHMARKS if b.name == name]
        family = [b for b in BENCHMARKS if b.name.startswith(f"{name}.")]
        found = exact or family
        if not found:
            names = ", ".join(b.name for b in BENCHMARKS)
            raise SystemExit(f"no benchmark named {name!r}; choose from {names}")
        chosen += [b for b in found if b not in chosen]
    return chosen


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few customers and one run of each benchmark")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these (repeatable)")
    parser.add_argument("--repeat", type=int, default=None, metavar="N", help="runs of each benchmark")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where to write the results [{RESULTS}]")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    chosen = select(args.only)
    started = time.time()
    before = machine()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="reporter-bench-") as scratch:
        settings = Settings(quick=args.quick, repeat=args.repeat, scratch=Path(scratch))
        for benchmark in chosen:
            own = benchmark.rows(settings)
            rows += own
            log(f"{benchmark.name}: starting (load average {os.getloadavg()[0]:.2f})")
            try:
                benchmark.run(settings, own)
            except Exception as exc:  # a broken benchmark is a row in the table, not the end of the others
                traceback.print_exc()
                for row in own:
                    row.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    after = machine()
    loads = "/".join(f"{x:.2f}" for x in before["load_average"]), "/".join(f"{x:.2f}" for x in after["load_average"])
    print(table(rows))
    print(
        f"\n{after['cpus']} CPUs; load average (1/5/15 min) {loads[0]} at the start, {loads[1]} at the end; "
        f"{time.time() - started:.0f} s in all{'; quick run, figures are not comparable' if args.quick else ''}"
    )
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": time.time() - started,
        "quick": args.quick,
        "machine_before": before,
        "machine_after": after,
        "rows": [row.as_json() for row in rows],
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(row.passed for row in rows) or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
