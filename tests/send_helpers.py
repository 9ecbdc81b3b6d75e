"""Run folders and customers files for the send tests.

``synthetic_run`` writes a run folder the way render does (files, then the manifest
through ``reporter.manifest``) without rendering, so that sends of hundreds of
customers are quick to set up; its PDFs are small real ones carrying their
customer's data as a report does (a blank page, no figures).
Tests about what a real report contains render one instead.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter

from reporter.manifest import MANIFEST_NAME, Artifact, ArtifactKind, manifest_bytes
from reporter.render import evidence
from tests.collect_helpers import customer_id

PERIOD = "2026-11"


@dataclass(frozen=True)
class SyntheticRun:
    folder: Path
    customers_file: Path
    tenants: tuple[str, ...]
    """With a recipient, in tenant order; ``silent`` ones have none."""
    silent: tuple[str, ...]


def customer_pdf(tenant: str, size: int) -> bytes:
    """A small real PDF carrying ``tenant``'s data as a customer report does (``reporter verify`` can check it),
    padded to about ``size`` bytes."""
    data = json.dumps({"customers": [{"tenantId": tenant}], "alerts": []}).encode()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment(evidence.CUSTOMER_ATTACHMENT, data)
    writer.add_attachment("padding.bin", random.Random(tenant).randbytes(max(0, size - 1500)))
    writer.add_metadata({f"/{evidence.INFO_ATTACHMENT_SHA256}": hashlib.sha256(data).hexdigest()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _message(subject: str, body: str) -> bytes:
    words = {"subject": subject, "text": body, "html": f"<p>{body}</p>"}
    return json.dumps(words, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"


def synthetic_run(
    root: Path,
    customers: int,
    *,
    silent: int = 0,
    pdf_bytes: int = 2_000,
    workbook_bytes: int = 5_000,
    domain: str = "customers.example",
) -> SyntheticRun:
    """A run folder of ``customers`` customers (the first ``silent`` without a recipient) and its customers file."""
    folder = root / PERIOD
    folder.mkdir(parents=True)
    artifacts: list[Artifact] = []

    def put(relative: str, data: bytes, kind: ArtifactKind, tenant: str | None = None) -> None:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        artifacts.append(Artifact(Path(relative), kind, hashlib.sha256(data).hexdigest(), tenant))

    put("summary.pdf", b"%PDF-1.7 summary\n" + b"s" * pdf_bytes, ArtifactKind.SUMMARY_PDF)
    put("workbook.xlsx", b"PK workbook\n" + b"w" * workbook_bytes, ArtifactKind.WORKBOOK)
    put(
        "messages/summary.json",
        _message(f"Security reports {PERIOD}", "The summary is attached."),
        ArtifactKind.SUMMARY_MESSAGE,
    )
    rows = ["tenantId,name,domain,to,cc"]
    tenants, quiet = [], []
    for index in range(customers):
        tenant = customer_id(index)
        slug = f"customer-{index:04d}-{tenant[:8]}"
        put(
            f"customers/{slug}.pdf",
            customer_pdf(tenant, pdf_bytes),
            ArtifactKind.CUSTOMER_PDF,
            tenant,
        )
        subject = f"Your security report {PERIOD}: Customer {index}"
        put(
            f"messages/{slug}.json",
            _message(subject, f"Customer {index}: your report (tenant ID {tenant})."),
            ArtifactKind.CUSTOMER_MESSAGE,
            tenant,
        )
        if index < silent:
            rows.append(f"{tenant},Customer {index},c{index}.{domain},,")
            quiet.append(tenant)
        else:
            rows.append(f"{tenant},Customer {index},c{index}.{domain},it@c{index}.{domain},boss@c{index}.{domain}")
            tenants.append(tenant)
    (folder / MANIFEST_NAME).write_bytes(
        manifest_bytes(artifacts, snapshot_sha256="0" * 64, period=PERIOD, tool_version="test")
    )
    customers_file = root / "customers.csv"
    customers_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return SyntheticRun(folder, customers_file, tuple(sorted(tenants)), tuple(sorted(quiet)))
