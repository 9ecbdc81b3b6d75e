"""The PDF reports, read back: score, requirement links, names, no leaks, metadata.

The main sample is rendered once per session (two workers); every test reads
the files it wrote. When ``samples/`` holds no snapshot yet, a hand-made one of
the same shape stands in (built here, with edge names of every kind).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from reporter import snapshot as snapshot_io
from reporter.cli import cli
from reporter.manifest import file_sha256
from reporter.model import (
    AdminsMfaDetails,
    AlertSeverity,
    AlertStatus,
    ComplianceStatus,
    Customer,
    CustomersMfaDetails,
    DataGap,
    PolicyStatus,
    Requirement,
    RequirementState,
    RequirementType,
    ResponseTimeDetails,
    Snapshot,
)
from reporter.render import evidence
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.render.pdf import customer_evidence, summary_evidence
from reporter.render.pdf_customer import CustomerRenderer
from reporter.render.pdf_engine import Engine
from reporter.render.pdf_summary import summary_pdf
from reporter.render.run import render_all
from reporter.view import build_context
from reporter.view.documents import TOP_ALERTS, TOP_ATTENTION
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
MAIN_SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"
ON, OFF = PolicyStatus.ENABLED, PolicyStatus.DISABLED

EDGE_NAMES = (
    "<b>Bold</b> & <script>alert('x')</script> Ltd",
    "</style><style>body{display:none}</style> Style Corp",
    "مؤسسة الخليج للتقنية",
    "חברת הגליל לתוכנה",
    "Extraordinarily Long Name Holdings International " * 4 + "Group",
)


def _requirement(kind: RequirementType, status: ComplianceStatus, score: int, top: int, **kw: object) -> Requirement:
    return Requirement(
        id=kind.value,
        requirement_type=kind,
        requirement_type_name=kind.value,
        compliance_status=status,
        score=score,
        max_score=top,
        state=kw.pop("state", RequirementState.ACTIVE),  # type: ignore[arg-type]
        action_url=f"https://partner.microsoft.com/dashboard/security/{kind.value}",
        help_url=f"https://learn.microsoft.com/partner-center/security/{kind.value.lower()}",
        **kw,  # type: ignore[arg-type]
    )


def built_sample() -> Snapshot:
    """A partner with 24 customers of every posture, edge names, alerts, history and a data gap."""
    customers = [
        f.customer("0a1b2c3d-0000-4000-8000-000000000001", "Northwind Traders", domain="northwindtraders.com"),
        f.customer("0a1b2c3d-0000-4000-8000-000000000002", "Contoso Pharmaceuticals", ca=OFF, sd=OFF, non_admins=20),
        f.customer("0a1b2c3d-0000-4000-8000-000000000003", "Fabrikam Residences", ca=OFF, sd=ON, admins=0),
        f.customer("0a1b2c3d-0000-4000-8000-000000000004", "Tailspin Toys", ca=OFF, per_user=ON, non_admins=60),
        Customer(tenant_id="0a1b2c3d-0000-4000-8000-000000000005", display_name="Woodgrove Bank"),
    ]
    for i, name in enumerate(EDGE_NAMES, start=6):
        customers.append(f.customer(f"0a1b2c3d-0000-4000-8000-{i:012d}", name, domain=f"edge{i}.onmicrosoft.com"))
    for i in range(11, 25):
        customers.append(
            f.customer(
                f"{i:08x}-1111-4000-8000-{i:012d}",
                f"Alpine Client {chr(ord('A') + i)} Holdings",
                domain=f"client{i}.example",
                non_admins=(i * 37) % 98,
                ca=ON if i % 3 else OFF,
                sd=ON if i % 3 == 0 and i % 2 else OFF,
            )
        )
    alerts = [
        f.alert("al1", customers[0].tenant_id, AlertSeverity.HIGH),
        f.alert("al2", customers[1].tenant_id, AlertSeverity.MEDIUM, AlertStatus.INVESTIGATING),
        f.alert("al3", customers[5].tenant_id, AlertSeverity.LOW),
        f.alert("al4", customers[2].tenant_id, AlertSeverity.HIGH, AlertStatus.RESOLVED),
        f.alert("al5", customers[3].tenant_id, AlertSeverity.HIGH, is_test=True),
    ]
    requirements = (
        _requirement(
            RequirementType.MFA_ENFORCED_FOR_ADMINS,
            ComplianceStatus.COMPLIANT,
            30,
            30,
            details=AdminsMfaDetails(total_admins_count=6, mfa_enabled_admins_count=6),
        ),
        _requirement(
            RequirementType.MFA_ENFORCED_FOR_ADMINS_OF_CUSTOMERS,
            ComplianceStatus.NONCOMPLIANT,
            12,
            25,
            details=CustomersMfaDetails(compliant_tenant_count=14, total_tenant_count=24),
        ),
        _requirement(
            RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED,
            ComplianceStatus.NONCOMPLIANT,
            10,
            20,
            details=ResponseTimeDetails(average_response_time_in_hours=31.5),
        ),
        _requirement(RequirementType.SECURITY_CONTACT_PROVIDED, ComplianceStatus.COMPLIANT, 10, 10),
        _requirement(
            RequirementType.SPENDING_BUDGET_SET_FOR_CUSTOMER_AZURE_SUBSCRIPTIONS,
            ComplianceStatus.NONCOMPLIANT,
            5,
            15,
            state=RequirementState.PREVIEW,
        ),
    )
    start = datetime(2025, 12, 3, tzinfo=UTC)
    history = f.history(*((start + timedelta(days=61 * i), 40.0 + 6 * i) for i in range(5)))
    return f.snapshot(
        provenance=f.provenance(
            partner_tenant_id="99999999-8888-4777-8666-555555555555",
            data_gaps=(DataGap(source="contracts", reason="403: names read from customers.csv"),),
        ),
        requirements=requirements,
        history=history,
        customers=tuple(customers),
        alerts=tuple(alerts),
    )


def main_snapshot() -> Snapshot:
    return snapshot_io.load(MAIN_SAMPLE) if MAIN_SAMPLE.is_file() else built_sample()


def pdf_text(path: Path) -> str:
    """Every word a reader could find: page text, metadata, bookmarks and link targets."""
    reader = pypdf.PdfReader(path)
    parts = [page.extract_text() or "" for page in reader.pages]
    parts.extend(str(v) for v in (reader.metadata or {}).values())
    parts.extend(link_uris(reader))
    parts.extend(_outline_titles(reader.outline))
    return "\n".join(parts)


def _outline_titles(outline: list[object]) -> Iterator[str]:
    for item in outline:
        if isinstance(item, list):
            yield from _outline_titles(item)
        else:
            yield str(getattr(item, "title", ""))


def link_uris(reader: pypdf.PdfReader) -> list[str]:
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and action.get("/URI"):
                uris.append(str(action["/URI"]))
    return uris


def squash(text: str) -> str:
    """Text without white space and in NFKC, so wrapped lines and shaped glyphs still compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` is in ``haystack`` (squashed), in logical or visual (reversed) order."""
    n = squash(needle)
    return n in haystack or n[::-1] in haystack


@dataclass(frozen=True)
class Rendered:
    snapshot: Snapshot
    out: Path
    manifest: dict[str, object]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The main sample through ``reporter render`` (or the hand-made one through ``render_all``)."""
    snap = main_snapshot()
    out = tmp_path_factory.mktemp("main-sample")
    if MAIN_SAMPLE.is_file():
        args = ["render", str(MAIN_SAMPLE), "--out", str(out), "--workers", "2"]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    else:
        render_all(snap, out, default_brand(), RenderOptions(workers=2))
    manifest = json.loads((out / "manifest.json").read_text())
    return Rendered(snap, out, manifest)


def customer_files(rendered: Rendered) -> dict[str, Path]:
    files = rendered.manifest["files"]
    assert isinstance(files, list)
    return {e["tenantId"]: rendered.out / e["path"] for e in files if e["kind"] == "customer-pdf"}


def test_summary_shows_the_score_and_its_maximum(rendered: Rendered) -> None:
    text = pypdf.PdfReader(rendered.out / "summary.pdf").pages[0].extract_text()
    view = build_context(rendered.snapshot, default_brand()).summary
    assert view.score in text
    assert f"/ {view.score_max}" in text
    assert view.period_label in text


def test_every_requirement_is_listed_with_a_link_to_its_action_and_help(rendered: Rendered) -> None:
    reader = pypdf.PdfReader(rendered.out / "summary.pdf")
    uris = link_uris(reader)
    text = squash("".join(p.extract_text() for p in reader.pages))
    rows = build_context(rendered.snapshot, default_brand()).summary.requirements
    assert rows
    for row in rows:
        assert squash(row.title) in text
        if row.action_url:
            assert row.action_url in uris, row.title
        if row.help_url:
            assert row.help_url in uris, row.title


def test_summary_metadata_dates_come_from_the_snapshot_not_the_clock(rendered: Rendered) -> None:
    meta = pypdf.PdfReader(rendered.out / "summary.pdf").metadata
    assert meta is not None
    collected = rendered.snapshot.provenance.collected_at
    assert meta.creation_date == collected
    assert meta.modification_date == collected
    assert meta.author == default_brand().name
    assert "Partner security score" in str(meta.title)
    assert meta.subject


def test_summary_is_tagged_has_bookmarks_and_numbered_pages(rendered: Rendered) -> None:
    reader = pypdf.PdfReader(rendered.out / "summary.pdf")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    titles = list(_outline_titles(reader.outline))
    for heading in ("Score and requirements", "Customer posture", "Security alerts", "About this report"):
        assert heading in titles
    pages = len(reader.pages)
    assert f"Page {pages} of {pages}" in reader.pages[-1].extract_text()


def test_summary_provenance_page_names_the_snapshot_digest(rendered: Rendered) -> None:
    text = squash(pdf_text(rendered.out / "summary.pdf"))
    assert snapshot_io.sha256(rendered.snapshot) in text


def test_summary_names_only_the_top_customers_and_the_latest_open_alerts(rendered: Rendered) -> None:
    text = squash(pdf_text(rendered.out / "summary.pdf"))
    named = [c for c in rendered.snapshot.customers if c.display_name and contains(text, c.display_name)]
    assert len(named) <= TOP_ATTENTION + TOP_ALERTS
    view = build_context(rendered.snapshot, default_brand()).summary
    for item in view.open_alert_list:
        assert squash(item.alert.title) in text
        assert contains(text, item.customer)


def test_each_customer_report_names_its_customer_and_no_other(rendered: Rendered) -> None:
    files = customer_files(rendered)
    customers = rendered.snapshot.customers
    assert len(files) == len(customers)
    assert len(set(files.values())) == len(customers), "two customers share a file name"
    for customer in customers:
        text = squash(pdf_text(files[customer.tenant_id]))
        own = squash(" ".join(filter(None, (customer.display_name, customer.default_domain_name))))
        assert contains(text, customer.label), customer.label
        assert squash(customer.tenant_id) in text
        if customer.default_domain_name:
            assert contains(text, customer.default_domain_name)
        for other in customers:
            if other.tenant_id == customer.tenant_id:
                continue
            assert squash(other.tenant_id) not in text, (customer.label, other.tenant_id)
            for value in (other.display_name, other.default_domain_name):
                if value and squash(value) not in own:  # a name inside this customer's own name is its own
                    assert not contains(text, value), (customer.label, value)


def test_html_and_css_in_names_appear_as_literal_text(tmp_path: Path) -> None:
    sample = ROOT / "samples" / "edge-injection-names" / "snapshot.json"
    snap = snapshot_io.load(sample) if sample.is_file() else built_sample()
    context = build_context(snap, default_brand())
    engine = Engine(context.brand.logo)
    summary = tmp_path / "summary.pdf"
    summary.write_bytes(summary_pdf(engine, context.summary))
    summary_text = squash(pdf_text(summary))
    renderer = CustomerRenderer(engine)
    hostile = [r for r in context.rows if r.customer.display_name and re.search(r"<[a-z/]", r.customer.display_name)]
    assert hostile
    for row in hostile:
        path = tmp_path / f"{row.slug}.pdf"
        path.write_bytes(renderer.pdf(context.customer_view(row)))
        assert squash(row.name) in squash(pdf_text(path))
        if row in context.summary.attention:
            assert squash(row.name) in summary_text


def test_documents_use_only_the_bundled_fonts(rendered: Rendered) -> None:
    paths = [rendered.out / "summary.pdf", *list(customer_files(rendered).values())[:5]]
    for path in paths:
        for page in pypdf.PdfReader(path).pages:
            fonts = page["/Resources"].get("/Font") or {}
            for font in fonts.values():
                name = str(font.get_object()["/BaseFont"])
                assert "+Report-" in name, name


def test_customer_report_metadata_and_links(rendered: Rendered) -> None:
    files = customer_files(rendered)
    customer = next(c for c in rendered.snapshot.customers if c.mfa and c.default_domain_name)
    reader = pypdf.PdfReader(files[customer.tenant_id])
    meta = reader.metadata
    assert meta is not None
    assert meta.creation_date == rendered.snapshot.provenance.collected_at
    assert meta.author == default_brand().name
    assert meta.title == f"Security report for {customer.label}"
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    for uri in link_uris(reader):
        assert uri.startswith("https://")


def test_manifest_lists_every_file_with_its_kind_digest_and_tenant(rendered: Rendered) -> None:
    files = rendered.manifest["files"]
    assert isinstance(files, list)
    kinds = {e["kind"] for e in files}
    assert {"summary-pdf", "customer-pdf", "snapshot"} <= kinds
    for entry in files:
        path = rendered.out / entry["path"]
        assert file_sha256(path) == entry["sha256"]
        assert ("tenantId" in entry) == entry["kind"].startswith("customer-")
    slugs = {e["path"] for e in files if e["kind"] == "customer-pdf"}
    rows = build_context(rendered.snapshot, default_brand()).rows
    assert slugs == {f"customers/{r.slug}.pdf" for r in rows}


def test_rendering_is_reproducible(rendered: Rendered, tmp_path: Path) -> None:
    """The same bytes again, in one process, whatever that process rendered before (the run used a pool)."""
    snap = rendered.snapshot
    render_all(snap, tmp_path, default_brand(), RenderOptions(customer_reports=False))
    assert (tmp_path / "summary.pdf").read_bytes() == (rendered.out / "summary.pdf").read_bytes()
    context = build_context(snap, default_brand())
    engine = Engine(context.brand.logo)
    summary_pdf(engine, context.summary, summary_evidence(context))  # use the engine first, as render() does
    renderer = CustomerRenderer(engine)
    files = customer_files(rendered)
    for row in context.rows[:4]:
        again = renderer.pdf(context.customer_view(row), customer_evidence(context, row.customer))
        assert again == files[row.customer.tenant_id].read_bytes(), row.slug


def test_a_large_partner_summary_stays_a_summary() -> None:
    many = tuple(f.customer(f"{i:08x}-2222-4000-8000-000000000000", f"Bulk {i:04d}", ca=OFF) for i in range(1200))
    context = build_context(f.snapshot(customers=many), default_brand())
    data = summary_pdf(Engine(context.brand.logo), context.summary)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) <= 10
    text = "".join(p.extract_text() for p in reader.pages)
    assert "1,185 more customers need attention" in text
    assert "1,200" in text


def _customer_text(snap: Snapshot, tenant_id: str, tmp_path: Path) -> str:
    context = build_context(snap, default_brand())
    row = next(r for r in context.rows if r.customer.tenant_id == f.tid(tenant_id))
    path = tmp_path / f"{row.slug}.pdf"
    path.write_bytes(CustomerRenderer(Engine(context.brand.logo)).pdf(context.customer_view(row)))
    return pdf_text(path)


def test_a_small_customer_base_is_not_compared_against(tmp_path: Path) -> None:
    customers = tuple(f.customer(f"t{i}-small", f"Small {i}", non_admins=10 * i) for i in range(1, 4))
    text = _customer_text(f.snapshot(customers=customers), "t1-small", tmp_path)
    assert "Too few customers report MFA data" in text
    assert "Median of" not in text


def test_a_tenant_without_a_name_is_titled_by_its_id(tmp_path: Path) -> None:
    snap = f.snapshot(customers=(Customer(tenant_id="0f0f0f0f-1111-4222-8333-444444444444"),))
    text = _customer_text(snap, "0f0f0f0f-1111-4222-8333-444444444444", tmp_path)
    assert "Microsoft reported no name for this tenant." in text
    assert "Microsoft reported no MFA data for this tenant." in text


def test_month_over_month_changes_appear_in_the_summary_and_the_customer_report(tmp_path: Path) -> None:
    current = built_sample()
    first, *rest = current.customers
    worse = first.model_copy(update={"mfa": first.mfa.model_copy(update={"compliant_non_admins_count": 5})})
    previous = current.model_copy(
        update={
            "customers": (worse, *rest[:-1]),
            "provenance": current.provenance.model_copy(update={"collected_at": datetime(2026, 10, 1, tzinfo=UTC)}),
        }
    )
    context = build_context(current, default_brand(), previous=previous)
    engine = Engine(context.brand.logo)
    (tmp_path / "summary.pdf").write_bytes(summary_pdf(engine, context.summary))
    summary = squash(pdf_text(tmp_path / "summary.pdf"))
    assert squash("Since October 2026") in summary
    assert squash(first.label) in summary
    assert squash(rest[-1].label) in summary  # new this month
    row = next(r for r in context.rows if r.customer.tenant_id == first.tenant_id)
    (tmp_path / "c.pdf").write_bytes(CustomerRenderer(engine).pdf(context.customer_view(row)))
    text = squash(pdf_text(tmp_path / "c.pdf"))
    assert squash("Since October 2026:") in text
    assert squash("MFA coverage 5%") in text


def test_weasyprint_has_nothing_to_warn_about(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    context = build_context(main_snapshot(), default_brand())
    engine = Engine(context.brand.logo)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        summary_pdf(engine, context.summary)
        renderer = CustomerRenderer(engine)
        for row in context.rows[:3]:
            renderer.pdf(context.customer_view(row))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_each_pdf_carries_its_own_data_as_evidence(rendered: Rendered) -> None:
    context = build_context(rendered.snapshot, default_brand())
    for row in context.rows:
        own = customer_evidence(context, row.customer)
        assert own.data == snapshot_io.dumps(evidence.customer_slice(rendered.snapshot, row.customer.tenant_id))
    files = customer_files(rendered)
    for customer in rendered.snapshot.customers[:5]:
        reader = pypdf.PdfReader(files[customer.tenant_id])
        assert list(reader.attachments) == [evidence.CUSTOMER_ATTACHMENT]
        (data,) = reader.attachments[evidence.CUSTOMER_ATTACHMENT]
        meta = reader.metadata
        assert meta is not None
        assert meta[f"/{evidence.INFO_ATTACHMENT_SHA256}"] == hashlib.sha256(data).hexdigest()
    reader = pypdf.PdfReader(rendered.out / "summary.pdf")
    (data,) = reader.attachments[evidence.SUMMARY_ATTACHMENT]
    assert data == snapshot_io.dumps(rendered.snapshot)
