"""The PDF renderer: ``summary.pdf`` and one ``customers/<slug>.pdf`` per customer.

Customer reports of a large partner are shared out to a process pool. Each
worker builds its engine (templates, fonts, parsed stylesheet) once, in the
pool initializer, and then receives only the customer views it renders; it
writes each file itself and hands back the small ``Artifact``.

With ``RenderOptions.signing``, each finished PDF is signed (``reporter.render.sign``)
before it is written: a step on the engine's bytes, never inside the layout.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from reporter import snapshot as snapshot_io
from reporter.manifest import Artifact, ArtifactKind, write_artifact, write_signed_artifact
from reporter.model import Customer
from reporter.render import evidence
from reporter.render.options import RenderOptions
from reporter.render.pdf_customer import CustomerRenderer
from reporter.render.pdf_engine import Engine, Evidence
from reporter.render.pdf_progress import progress
from reporter.render.pdf_summary import summary_pdf
from reporter.render.sign import PdfSigning
from reporter.view import CustomerView, ReportContext

SUMMARY = Path("summary.pdf")
CUSTOMERS = Path("customers")
POOL_MINIMUM = 12
"""Below this many customer reports a pool costs more than it saves."""
_PR_SET_PDEATHSIG = 1
CHUNK = 16
"""Most customer reports a worker takes at once (fewer for small partners, to keep both cores busy)."""
SIGNING_THREADS = 4
"""Timestamped signatures a process waits for at once, while it lays out the next reports."""


@dataclass(frozen=True, slots=True)
class CustomerTask:
    relative: Path
    view: CustomerView
    evidence: Evidence


@dataclass(slots=True)
class _Worker:
    renderer: CustomerRenderer
    out_dir: Path
    signing: PdfSigning | None
    threads: ThreadPoolExecutor | None = None
    """Signs and writes while the next report is laid out, when a timestamp authority is to be waited for."""

    def render(self, batch: Sequence[CustomerTask]) -> list[Artifact]:
        """The reports of ``batch``, in order. Waiting for the timestamp authority overlaps the layout."""
        if self.signing is None or not self.signing.timestamped:
            return [_render(self, task) for task in batch]
        if self.threads is None:
            self.threads = ThreadPoolExecutor(SIGNING_THREADS, thread_name_prefix="reporter-sign")
        pending = [
            self.threads.submit(
                write_pdf,
                self.out_dir,
                task.relative,
                self.renderer.pdf(task.view, task.evidence),
                ArtifactKind.CUSTOMER_PDF,
                task.view.tenant_id,
                self.signing,
            )
            for task in batch
        ]
        return [future.result() for future in pending]


_worker: list[_Worker] = []
"""The one per-process slot a pool worker keeps its engine in (set by ``_init_worker``)."""


def render(context: ReportContext, out_dir: Path, options: RenderOptions) -> list[Artifact]:
    engine = Engine(context.brand.logo)
    summary = summary_pdf(engine, context.summary, summary_evidence(context))
    artifacts = [write_pdf(out_dir, SUMMARY, summary, ArtifactKind.SUMMARY_PDF, None, options.signing)]
    if options.customer_reports and context.rows:
        artifacts.extend(render_customers(context, out_dir, options, engine))
    return artifacts


def summary_evidence(context: ReportContext) -> Evidence:
    return Evidence(
        name=evidence.SUMMARY_ATTACHMENT,
        data=snapshot_io.dumps(context.snapshot),
        description="The snapshot this report was made from (canonical JSON)",
        period=context.period,
        snapshot_sha256=context.snapshot_sha256,
        created=context.snapshot.provenance.collected_at,
    )


def customer_evidence(context: ReportContext, customer: Customer) -> Evidence:
    """The customer's own slice of the snapshot (``evidence.customer_slice``).

    Built from the context's per-tenant alerts rather than by scanning every alert
    for every customer, which would grow with the square of a large partner.
    """
    own = evidence.customer_slice(
        context.snapshot,
        customer.tenant_id,
        customer=customer,
        alerts=context.alerts_by_tenant.get(customer.tenant_id.lower(), ()),
    )
    return Evidence(
        name=evidence.CUSTOMER_ATTACHMENT,
        data=snapshot_io.dumps(own),
        description="This customer's own data from the snapshot the report was made from (canonical JSON)",
        period=context.period,
        snapshot_sha256=context.snapshot_sha256,
        created=context.snapshot.provenance.collected_at,
    )


def customer_tasks(context: ReportContext) -> Iterator[CustomerTask]:
    for row in context.rows:
        yield CustomerTask(
            CUSTOMERS / f"{row.slug}.pdf", context.customer_view(row), customer_evidence(context, row.customer)
        )


def render_customers(
    context: ReportContext, out_dir: Path, options: RenderOptions, engine: Engine | None = None
) -> list[Artifact]:
    total = len(context.rows)
    workers = max(1, min(options.workers or os.cpu_count() or 1, total))
    tasks = customer_tasks(context)
    if workers == 1 or total < POOL_MINIMUM:
        state = _Worker(CustomerRenderer(engine or Engine(context.brand.logo)), out_dir, options.signing)
        try:
            return _collect(map(state.render, _batches(tasks, CHUNK)), total, options.progress)
        finally:
            if state.threads is not None:
                state.threads.shutdown(cancel_futures=True)
    chunk = max(1, min(CHUNK, total // (workers * 8)))
    # Workers leave through os._exit, so WeasyPrint never removes the folder it copies the
    # fonts to: they make it inside this one, which goes when the pool is done.
    with (
        tempfile.TemporaryDirectory(prefix="reporter-pdf-") as scratch,
        ProcessPoolExecutor(
            max_workers=workers,
            initializer=_init_worker,
            initargs=(context.brand.logo, out_dir, scratch, os.getpid(), options.signing),
        ) as pool,
    ):
        try:
            return _collect(pool.map(_render_in_worker, _batches(tasks, chunk)), total, options.progress)
        except BaseException:
            pool.shutdown(cancel_futures=True)  # report the failure now, not after every other customer
            raise


def _batches(tasks: Iterator[CustomerTask], size: int) -> Iterator[list[CustomerTask]]:
    while batch := list(islice(tasks, size)):
        yield batch


def _collect(batches: Iterable[list[Artifact]], total: int, show: bool) -> list[Artifact]:
    artifacts = []
    with progress(total, "Customer reports", enabled=show) as advance:
        for batch in batches:
            for artifact in batch:
                artifacts.append(artifact)
                advance()
    return artifacts


def _render(state: _Worker, task: CustomerTask) -> Artifact:
    data = state.renderer.pdf(task.view, task.evidence)
    return write_pdf(state.out_dir, task.relative, data, ArtifactKind.CUSTOMER_PDF, task.view.tenant_id, state.signing)


def write_pdf(
    out_dir: Path, relative: Path, data: bytes, kind: ArtifactKind, tenant_id: str | None, signing: PdfSigning | None
) -> Artifact:
    """Write a finished PDF, signed first when ``signing`` is given (the artifact then names both hashes)."""
    if signing is None:
        return write_artifact(out_dir, relative, data, kind, tenant_id)
    signed = signing.sign(data)
    return write_signed_artifact(
        out_dir,
        relative,
        signed.data,
        kind,
        tenant_id,
        unsigned_sha256=signed.unsigned_sha256,
        unsigned_size=signed.unsigned_size,
    )


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux).

    A pool worker otherwise waits forever for work from a parent that was killed
    (SIGKILL runs no clean-up), and would go on writing into its output folder.
    """
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took hold
        os._exit(1)


def _init_worker(logo: Path | None, out_dir: Path, scratch: str, parent: int, signing: PdfSigning | None) -> None:
    _die_with_parent(parent)
    tempfile.tempdir = scratch  # this process is ours: its temporary files go where the parent cleans up
    _worker.clear()
    _worker.append(_Worker(CustomerRenderer(Engine(logo)), out_dir, signing))
    # What the worker inherited (the whole view-model) and its engine live until it exits:
    # the garbage collector need not scan them again and again. For a partner of 5,000
    # customers that scanning took a sixth of each report's time, and it would also copy
    # the inherited memory pages into every worker.
    gc.freeze()


def _render_in_worker(batch: Sequence[CustomerTask]) -> list[Artifact]:
    return _worker[0].render(batch)
