"""``python -m bench --quick`` runs every benchmark on a few customers, so the benchmarks cannot rot.

No timing target is asserted here: the targets are judged by ``make bench`` on full sizes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = {
    "startup",
    "collect.latency",
    "collect.throttled",
    "pdf.one",
    "pdf.ja",
    "pdf.ar",
    "pdf.many",
    "pdf.many.rss",
    "pdf.summary",
    "sign.rsa.b-b",
    "sign.rsa.b-t",
    "sign.ecdsa.b-b",
    "sign.ecdsa.b-t",
    "workbook",
    "workbook.rss",
    "trends",
    "trends.rss",
    "run",
    "run.rss",
    "run.big",
    "send.graph",
    "send.memory",
    "run.big.rss",
}


@pytest.mark.slow
def test_quick_benchmarks_print_the_table_and_write_every_row(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(results.read_text())
    rows = {row["name"]: row for row in report["rows"]}
    assert set(rows) == ROWS
    for name, row in rows.items():
        assert row["error"] is None, f"{name}: {row['error']}"
        assert len(row["values"]) == 1, name
        assert row["median"] > 0, name
        assert row["title"] in done.stdout, name
    assert rows["collect.latency"]["reference"] > 0
    assert rows["pdf.one"]["ratio"] > 0
    assert rows["run"]["reference"] > 0
    assert "| Figure" in done.stdout
    assert "load average" in done.stdout


def test_only_selects_a_family_or_one_benchmark() -> None:
    from bench.__main__ import select

    assert [b.name for b in select(["pdf"])] == ["pdf.one", "pdf.lang", "pdf.many", "pdf.summary"]
    assert [b.name for b in select(["run"])] == ["run"]
    with pytest.raises(SystemExit, match="no benchmark named"):
        select(["nothing"])
