"""Benchmarks of the PDF renderer, not timed tests: they run only with REPORTER_BENCH=1 and print numbers.

    REPORTER_BENCH=1 pytest -s tests/test_pdf_bench.py

- one customer report against WeasyPrint alone on the same final HTML;
- 1,000 customer reports through the process pool (wall time, peak RSS);
- the executive summary of a partner with 5,000 customers.

The large partners are the main sample's customers repeated under new names
and tenant ids, so postures, alerts and findings keep their real variety.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest

from reporter import snapshot as snapshot_io
from reporter.model import Customer, Snapshot
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.render.pdf import customer_evidence, render_customers, summary_evidence
from reporter.render.pdf_customer import CustomerRenderer
from reporter.render.pdf_engine import Engine
from reporter.render.pdf_summary import summary_pdf
from reporter.view import build_context
from tests.test_pdf_reports import main_snapshot

pytestmark = pytest.mark.skipif(not os.environ.get("REPORTER_BENCH"), reason="benchmarks run with REPORTER_BENCH=1")


def scaled(base: Snapshot, count: int) -> Snapshot:
    customers = []
    alerts = []
    for i in range(count):
        source = base.customers[i % len(base.customers)]
        tenant = f"{i:08x}-5eed-4000-8000-{i:012x}"
        customers.append(
            Customer(
                tenant_id=tenant,
                display_name=f"{source.display_name or 'Customer'} {i:05d}",
                default_domain_name=f"customer{i:05d}.onmicrosoft.com",
                mfa=source.mfa,
            )
        )
        alerts.extend(
            a.model_copy(update={"id": f"{a.id}-{i}", "customer_tenant_id": tenant})
            for a in base.alerts
            if a.customer_tenant_id == source.tenant_id
        )
    return base.model_copy(update={"customers": tuple(customers), "alerts": tuple(alerts)})


def _report(label: str, value: str) -> None:
    print(f"\n[bench] {label}: {value}")


def test_one_customer_report_against_weasyprint_alone() -> None:
    """Ours: view to HTML, chart, evidence and PDF/A; alone: WeasyPrint turning that HTML into the same PDF."""
    context = build_context(main_snapshot(), default_brand())
    renderer = CustomerRenderer(Engine(context.brand.logo))
    engine = renderer.engine
    rows = context.rows
    for row in rows[:3]:
        renderer.pdf(context.customer_view(row), customer_evidence(context, row.customer))  # warm the fonts
    rounds = 3
    start = time.perf_counter()
    for _ in range(rounds):
        for row in rows:
            renderer.pdf(context.customer_view(row), customer_evidence(context, row.customer))
    ours = (time.perf_counter() - start) / (rounds * len(rows))
    pages = [(renderer.html(context.customer_view(r)), customer_evidence(context, r.customer)) for r in rows]
    start = time.perf_counter()
    for _ in range(rounds):
        for page, evidence in pages:
            engine.pdf(page, evidence)  # HTML(...).write_pdf with the parsed stylesheet, fonts and PDF/A options
    alone = (time.perf_counter() - start) / (rounds * len(pages))
    _report("one customer report", f"{ours * 1000:.0f} ms; WeasyPrint alone {alone * 1000:.0f} ms; {ours / alone:.2f}x")


def test_a_thousand_customer_reports(tmp_path: Path) -> None:
    context = build_context(scaled(main_snapshot(), 1000), default_brand())
    start = time.perf_counter()
    artifacts = render_customers(context, tmp_path, RenderOptions(workers=os.cpu_count()))
    wall = time.perf_counter() - start
    assert len(artifacts) == 1000
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = os.cpu_count() or 1
    _report(
        "1,000 customer reports",
        f"{wall:.1f} s wall on {workers} workers; peak RSS parent {parent:.0f} MiB, "
        f"largest worker {child:.0f} MiB (at most {parent + workers * child:.0f} MiB together)",
    )


def test_the_summary_of_five_thousand_customers(tmp_path: Path) -> None:
    snap = scaled(main_snapshot(), 5000)
    start = time.perf_counter()
    context = build_context(snap, default_brand())
    built = time.perf_counter() - start
    data = summary_pdf(Engine(context.brand.logo), context.summary, summary_evidence(context))
    total = time.perf_counter() - start
    (tmp_path / "summary.pdf").write_bytes(data)
    _report("summary for 5,000 customers", f"{total:.2f} s (view-model {built:.2f} s)")
    assert snapshot_io.sha256(snap)
