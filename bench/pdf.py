"""The PDF renderer: one customer report, a thousand of them on every core, the executive summary.

Every repetition runs in a fresh child process on a snapshot of the emulator's world
generator (``bench._data``); the child times the work itself, the parent measures the
memory of the child and its pool workers.

- One customer report: our whole path (view to HTML through the templates, chart, evidence,
  PDF) against the time WeasyPrint itself spent in it, turning the same final HTML into a
  PDF with the very arguments our engine gave it (parsed stylesheet, fonts, PDF/A variant,
  attachment); after a warm-up, over customers spread across the partner. The ratio is our
  overhead over WeasyPrint alone.
- 1,000 customer reports: ``render_customers`` with a worker per core, as ``reporter render``
  runs it (pool start-up included); the figure excludes loading the snapshot and building
  the view-model, which the whole-run benchmarks count.
- Summary: view-model and ``summary.pdf`` (the PDF renderer with customer reports off, engine
  included) for 5,000 customers, from a loaded snapshot.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._core import Benchmark, Row, Settings, cpu_note, job, log
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
    """Our path for a few customers, and the part of it that WeasyPrint itself spent.

    WeasyPrint's part is timed around ``HTML(...)`` and ``HTML.write_pdf(...)`` as our engine
    calls them (same final HTML, same stylesheet, fonts, PDF variant and attachment), less
    the time of our own finishing callback, which WeasyPrint calls from inside
    ``write_pdf``. Timing the calls in place rather than replaying them keeps the reference
    exact whatever arguments the engine passes (an attachment can be written only once).
    """
    from weasyprint import HTML

    from reporter.render.pdf import customer_tasks
    from reporter.render.pdf_customer import CustomerRenderer
    from reporter.render.pdf_engine import Engine

    context = _context(snapshot)
    step = max(1, len(context.rows) // customers)
    wanted = {row.customer.tenant_id for row in context.rows[::step][:customers]}
    tasks = [task for task in customer_tasks(context) if task.view.tenant_id in wanted]
    renderer = CustomerRenderer(Engine(context.brand.logo))
    inside = [0.0]
    init, write_pdf = HTML.__init__, HTML.write_pdf

    def timed_init(self: Any, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            init(self, *args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - started

    def timed_write_pdf(self: Any, *args: Any, finisher: Any = None, **kwargs: Any) -> Any:
        finishing = [0.0]

        def timed_finisher(*finisher_args: Any) -> None:
            started = time.perf_counter()
            finisher(*finisher_args)
            finishing[0] += time.perf_counter() - started

        started = time.perf_counter()
        try:
            return write_pdf(self, *args, finisher=timed_finisher if finisher else None, **kwargs)
        finally:
            inside[0] += time.perf_counter() - started - finishing[0]

    def ours(task: Any) -> None:
        renderer.pdf(task.view, getattr(task, "evidence", None))

    for task in tasks:  # warm fonts and templates, and draw each comparison chart once, as a long run would
        ours(task)
    HTML.__init__ = timed_init
    HTML.write_pdf = timed_write_pdf
    try:
        total = 0.0
        for _ in range(rounds):
            for task in tasks:
                started = time.perf_counter()
                ours(task)
                total += time.perf_counter() - started
    finally:
        HTML.__init__ = init
        HTML.write_pdf = write_pdf
    reports = rounds * len(tasks)
    return {"ours_ms": total / reports * 1000, "alone_ms": inside[0] / reports * 1000, "reports": reports}


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
        cpu = cpu_note(measured)
        wall.add(result["seconds"], **result, process_wall=measured.wall, **cpu)
        rss.add(measured.peak_tree_mib, processes=measured.processes, main_process_mib=measured.peak_child_mib)
        log(
            f"{wall.name}: {result['seconds']:.1f} s on {result['workers']} workers, "
            f"peak RSS {measured.peak_tree_mib:.0f} MiB over {measured.processes} processes; "
            f"{cpu['cores_used']:.2f} cores ours, {cpu['cores_used_by_others']:.2f} others'"
        )


def customer_reports(snapshot: str) -> dict[str, Any]:
    from reporter.render.options import RenderOptions
    from reporter.render.pdf import render_customers

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
    """The view-model, then the PDF renderer with customer reports off: ``summary.pdf`` as a run writes it."""
    from reporter import snapshot as snapshot_io
    from reporter.render import pdf
    from reporter.render.brand_config import default_brand
    from reporter.render.options import RenderOptions
    from reporter.view import build_context

    loaded = snapshot_io.load(Path(snapshot))
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        context = build_context(loaded, default_brand())
        built = time.perf_counter()
        artifacts = pdf.render(context, Path(out), RenderOptions(customer_reports=False))
        done = time.perf_counter()
        size = sum((Path(out) / a.path).stat().st_size for a in artifacts)
    return {"seconds": done - started, "view_model": built - started, "pdf": done - built, "bytes": size}


# --- one customer report in Japanese and in Arabic ------------------------------------------


LANGUAGE_TARGET = 1.15
"""A Japanese or Arabic report may take at most this much longer than the same report in English."""


def language_rows(settings: Settings) -> list[Row]:
    return [
        Row(
            f"pdf.{tag}",
            f"One customer report PDF in {name}",
            "ms",
            "ratio",
            LANGUAGE_TARGET,
            reference_label="English",
        )
        for tag, name in (("ja", "Japanese"), ("ar", "Arabic"))
    ]


def language_run(settings: Settings, rows: list[Row]) -> None:
    snapshot = snapshot_file(settings, settings.size(1000, 24))
    for row, tag in zip(rows, ("ja", "ar"), strict=True):
        for _ in range(settings.repeats(5)):
            params = {"snapshot": str(snapshot), "customers": settings.size(12, 3), "rounds": settings.size(2, 1)}
            result = job("bench.pdf:language_report", {**params, "tag": tag}, settings.scratch).result
            row.add(result["ms"], result["english_ms"], reports=result["reports"])
            log(f"{row.name}: {result['ms']:.1f} ms, English {result['english_ms']:.1f} ms")


def language_report(snapshot: str, customers: int, rounds: int, tag: str) -> dict[str, Any]:
    """The same customers' reports (evidence attached, as ``render`` writes them) in ``tag`` and in English.

    Both languages are warmed up first (fonts, templates, catalogues, charts); then the two
    alternate report by report, so the machine's load falls on both alike.
    """
    from reporter.render.pdf import customer_evidence
    from reporter.render.pdf_customer import CustomerRenderer
    from reporter.render.pdf_engine import Engine
    from reporter.view import language

    context = _context(snapshot)
    step = max(1, len(context.rows) // customers)
    rows = context.rows[::step][:customers]
    renderer = CustomerRenderer(Engine(context.brand.logo))
    evidence = {row.customer.tenant_id: customer_evidence(context, row.customer) for row in rows}
    views = {name: [context.customer_view(row, language.load(name)) for row in rows] for name in (tag, language.SOURCE)}
    for name in views:  # warm-up
        for view in views[name]:
            renderer.pdf(view, evidence[view.tenant_id])
    spent = dict.fromkeys(views, 0.0)
    for _ in range(rounds):
        for index in range(len(rows)):
            for name in views:
                view = views[name][index]
                started = time.perf_counter()
                renderer.pdf(view, evidence[view.tenant_id])
                spent[name] += time.perf_counter() - started
    reports = rounds * len(rows)
    return {
        "ms": spent[tag] / reports * 1000,
        "english_ms": spent[language.SOURCE] / reports * 1000,
        "reports": reports,
    }


BENCHMARKS = [
    Benchmark("pdf.one", one_report_rows, one_report_run),
    Benchmark("pdf.lang", language_rows, language_run),
    Benchmark("pdf.many", many_rows, many_run),
    Benchmark("pdf.summary", summary_rows, summary_run),
]
