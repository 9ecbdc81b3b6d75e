"""The PDF renderer: one customer report, a thousand of them on every core, the executive summary.

Every repetition runs in a fresh child process on a snapshot of the emulator's world
generator (``bench._data``); the child times the work itself, the parent measures the
memory of the child and its pool workers.

- One customer report: our whole path (view to HTML through the templates, chart, PDF)
  against WeasyPrint alone turning the same final HTML, with the same parsed stylesheet
  and fonts, into a PDF. Both are timed over the same customers, one after the other for
  each customer, after a warm-up, so the ratio is our overhead over WeasyPrint itself.
- 1,000 customer reports: ``render_customers`` with a worker per core, as ``reporter render``
  runs it (pool start-up included); the figure excludes loading the snapshot and building
  the view-model, which the whole-run benchmarks count.
- Summary: view-model, engine and ``summary.pdf`` for 5,000 customers, from a loaded snapshot.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._core import Benchmark, Row, Settings, job, log
from bench._data import snapshot_file


def _context(snapshot: str) -> Any:
    from reporter import snapshot as snapshot_io
    from reporter.render.brand_config import default_brand
    from reporter.view import build_context

    return build_context(snapshot_io.load(Path(snapshot)), default_brand())


# --- one customer report --------------------------------------------------------------------


def one_report_rows(settings: Settings) -> list[Row]:
    return [
        Row(
            "pdf.one",
            "One customer report PDF",
            "ms",
            "ratio",
            1.25,
            reference_label="WeasyPrint alone, same HTML",
        )
    ]


def one_report_run(settings: Settings, rows: list[Row]) -> None:
    (row,) = rows
    snapshot = snapshot_file(settings, settings.size(1000, 24))
    for _ in range(settings.repeats(5)):
        params = {"snapshot": str(snapshot), "customers": settings.size(20, 4), "rounds": settings.size(2, 1)}
        result = job("bench.pdf:one_report", params, settings.scratch).result
        row.add(result["ours_ms"], result["alone_ms"], reports=result["reports"])
        log(f"{row.name}: {result['ours_ms']:.1f} ms, WeasyPrint alone {result['alone_ms']:.1f} ms")


def one_report(snapshot: str, customers: int, rounds: int) -> dict[str, Any]:
    from weasyprint import HTML

    from reporter.render.pdf_customer import CustomerRenderer
    from reporter.render.pdf_engine import Engine, quiet_weasyprint

    quiet_weasyprint()
    context = _context(snapshot)
    step = max(1, len(context.rows) // customers)
    views = [context.customer_view(row) for row in context.rows[::step][:customers]]
    renderer = CustomerRenderer(Engine(context.brand.logo))
    engine = renderer.engine

    def alone(html: str) -> bytes:
        document = HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher)
        data: bytes = document.write_pdf(stylesheets=[engine.stylesheet], font_config=engine.fonts, pdf_tags=True)
        return data

    for view in views[:2]:  # warm fonts, templates and caches for both paths
        alone(renderer.html(view))
        renderer.pdf(view)
    ours = weasy = 0.0
    for _ in range(rounds):
        for view in views:
            started = time.perf_counter()
            renderer.pdf(view)
            ours += time.perf_counter() - started
            html = renderer.html(view)
            started = time.perf_counter()
            alone(html)
            weasy += time.perf_counter() - started
    reports = rounds * len(views)
    return {"ours_ms": ours / reports * 1000, "alone_ms": weasy / reports * 1000, "reports": reports}


# --- a thousand customer reports ------------------------------------------------------------


def many_rows(settings: Settings) -> list[Row]:
    count = settings.size(1000, 24)
    return [
        Row("pdf.many", f"{count:,} customer report PDFs, all cores: wall", "s", "limit", 60.0),
        Row("pdf.many.rss", f"{count:,} customer report PDFs: peak RSS, all processes", "MiB", "limit", 1024.0),
    ]


def many_run(settings: Settings, rows: list[Row]) -> None:
    wall, rss = rows
    count = settings.size(1000, 24)
    snapshot = snapshot_file(settings, count)
    for _ in range(settings.repeats(3)):
        measured = job("bench.pdf:customer_reports", {"snapshot": str(snapshot)}, settings.scratch)
        result = measured.result
        wall.add(result["seconds"], **result, process_wall=measured.wall)
        rss.add(measured.peak_tree_mib, processes=measured.processes, main_process_mib=measured.peak_child_mib)
        log(
            f"{wall.name}: {result['seconds']:.1f} s on {result['workers']} workers, "
            f"peak RSS {measured.peak_tree_mib:.0f} MiB over {measured.processes} processes"
        )


def customer_reports(snapshot: str) -> dict[str, Any]:
    from reporter.render.options import RenderOptions
    from reporter.render.pdf import render_customers
    from reporter.render.pdf_engine import quiet_weasyprint

    quiet_weasyprint()
    context = _context(snapshot)
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        artifacts = render_customers(context, Path(out), RenderOptions(workers=workers))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "reports": len(artifacts), "workers": workers}


# --- the executive summary ------------------------------------------------------------------


def summary_rows(settings: Settings) -> list[Row]:
    count = settings.size(5000, 24)
    return [Row("pdf.summary", f"Summary PDF, {count:,} customers", "s", "limit", 10.0)]


def summary_run(settings: Settings, rows: list[Row]) -> None:
    (row,) = rows
    snapshot = snapshot_file(settings, settings.size(5000, 24))
    for _ in range(settings.repeats(3)):
        result = job("bench.pdf:summary", {"snapshot": str(snapshot)}, settings.scratch).result
        row.add(result["seconds"], **result)
        log(f"{row.name}: {result['seconds']:.2f} s (view-model {result['view_model']:.2f} s)")


def summary(snapshot: str) -> dict[str, Any]:
    from reporter import snapshot as snapshot_io
    from reporter.render.brand_config import default_brand
    from reporter.render.pdf_engine import Engine, quiet_weasyprint
    from reporter.render.pdf_summary import summary_pdf
    from reporter.view import build_context

    quiet_weasyprint()
    loaded = snapshot_io.load(Path(snapshot))
    started = time.perf_counter()
    context = build_context(loaded, default_brand())
    built = time.perf_counter()
    engine = Engine(context.brand.logo)
    ready = time.perf_counter()
    data = summary_pdf(engine, context.summary)
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "view_model": built - started,
        "engine": ready - built,
        "pdf": done - ready,
        "bytes": len(data),
    }


BENCHMARKS = [
    Benchmark("pdf.one", one_report_rows, one_report_run),
    Benchmark("pdf.many", many_rows, many_run),
    Benchmark("pdf.summary", summary_rows, summary_run),
]
