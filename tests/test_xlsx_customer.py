"""A customer's own workbook holds that customer's data and nobody else's."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.manifest import ArtifactKind
from reporter.model import AlertSeverity, Customer, PolicyStatus, Snapshot
from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import Brand, build_context, wording
from reporter.view.workbook import WORDS
from tests import factories as f
from tests.test_pdf_reports import pdf_text, squash

BRAND = Brand(name="Fabrikam Partners")
PEOPLE = (
    ("0a1b2c3d-1111-4000-8000-000000000001", "Alpha Widgets Ltd", "alpha-widgets.example"),
    ("0a1b2c3d-2222-4000-8000-000000000002", "Bravo Bakery GmbH", "bravo-bakery.example"),
    ("9f8e7d6c-3333-4000-8000-000000000003", "Charlie Clinics", "charlie-clinics.example"),
)


def snapshot() -> Snapshot:
    customers = [
        f.customer(PEOPLE[0][0], PEOPLE[0][1], domain=PEOPLE[0][2], ca=PolicyStatus.DISABLED),
        f.customer(PEOPLE[1][0], PEOPLE[1][1], domain=PEOPLE[1][2], users=30, non_admins=3),
        Customer(tenant_id=PEOPLE[2][0], display_name=PEOPLE[2][1], default_domain_name=PEOPLE[2][2]),
    ]
    alerts = tuple(f.alert(f"alert-{i}", tenant, AlertSeverity.MEDIUM) for i, (tenant, _, _) in enumerate(PEOPLE))
    return f.snapshot(customers=tuple(customers), alerts=alerts)


def test_one_workbook_per_customer_beside_its_pdf_with_its_tenant(tmp_path: Path) -> None:
    context = build_context(snapshot(), BRAND)
    artifacts = xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    per_customer = [a for a in artifacts if a.kind is ArtifactKind.CUSTOMER_WORKBOOK]
    assert {a.tenant_id for a in per_customer} == {p[0] for p in PEOPLE}
    for row in context.rows:
        assert (tmp_path / "customers" / f"{row.slug}.xlsx").is_file()
    assert xlsx.render(context, tmp_path / "plain", RenderOptions())[0].kind is ArtifactKind.WORKBOOK
    assert not (tmp_path / "plain" / "customers").exists()


def test_a_customer_workbook_never_names_another_customer(tmp_path: Path) -> None:
    context = build_context(snapshot(), BRAND)
    artifacts = xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    for artifact in artifacts:
        if artifact.kind is not ArtifactKind.CUSTOMER_WORKBOOK:
            continue
        own = next(p for p in PEOPLE if p[0] == artifact.tenant_id)
        others = [value for p in PEOPLE if p is not own for value in p]
        path = tmp_path / artifact.path
        with zipfile.ZipFile(path) as archive:
            raw = "\n".join(archive.read(n).decode() for n in archive.namelist()).lower()
        for value in others:
            assert value.lower() not in raw, (path.name, value)
        assert own[1] in raw.replace("&amp;", "&") or own[1].lower() in raw
        workbook = load_workbook(path)
        cells = [str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value]
        props = workbook.properties
        shown = "\n".join([*cells, str(props.title), str(props.creator), str(props.subject), str(props.keywords)])
        for value in others:
            assert value not in shown, (path.name, value)
        assert own[1] in shown


def test_a_customer_workbook_shows_its_pdf_actions_and_no_partner_center_links(tmp_path: Path) -> None:
    context = build_context(snapshot(), BRAND)
    xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    row = next(r for r in context.rows if r.customer.tenant_id == PEOPLE[0][0])
    workbook = load_workbook(tmp_path / "customers" / f"{row.slug}.xlsx")
    assert workbook.sheetnames == ["Overview", "About"]
    assert workbook.properties.title == "Security report for Alpha Widgets Ltd"
    assert workbook.properties.creator == "Fabrikam Partners"
    ws = workbook["Overview"]
    actions = [r for r in ws.iter_rows(min_row=4) if r[0].value == "Recommended action"]
    expected = [wording.action_text(a) for a in context.customer_view(row).actions]
    assert [r[1].value for r in actions] == expected
    assert any(text.startswith("Fabrikam Partners will follow this up") for text in expected)
    for ws in workbook.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                if cell.hyperlink is not None:
                    assert not cell.hyperlink.location, "no link to sheets this workbook does not have"
                    assert "partner.microsoft.com" not in cell.hyperlink.target
    about = {r[0].value: r[1].value for r in workbook["About"].iter_rows(min_row=2)}
    assert "Partner tenant id" not in about
    assert about["Prepared by"] == "Fabrikam Partners"


def test_a_customer_workbook_shows_its_own_changes_and_no_other_customers(tmp_path: Path) -> None:
    previous = f.snapshot(
        provenance=f.provenance(collected_at=f.COLLECTED.replace(month=10)),
        customers=(
            f.customer(PEOPLE[0][0], PEOPLE[0][1], domain=PEOPLE[0][2]),
            f.customer("deadbeef-4444-4000-8000-000000000004", "Delta Dairy", domain="delta-dairy.example"),
        ),
    )
    context = build_context(snapshot(), BRAND, previous=previous)
    xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    for path in sorted((tmp_path / "customers").glob("*.xlsx")):
        with zipfile.ZipFile(path) as archive:
            raw = "\n".join(archive.read(n).decode() for n in archive.namelist())
        assert "Delta Dairy" not in raw
        assert "deadbeef" not in raw
    alpha = next(r for r in context.rows if r.customer.tenant_id == PEOPLE[0][0])
    ws = load_workbook(tmp_path / "customers" / f"{alpha.slug}.xlsx")["Overview"]
    since = [(r[1].value, r[2].value) for r in ws.iter_rows(min_row=4) if r[0].value == "Since 2026-10"]
    assert ("MFA policy", "Conditional Access → No MFA policy") in since
    bravo = next(r for r in context.rows if r.customer.tenant_id == PEOPLE[1][0])
    ws = load_workbook(tmp_path / "customers" / f"{bravo.slug}.xlsx")["Overview"]
    assert [r[1].value for r in ws.iter_rows(min_row=4) if r[0].value == "Since 2026-10"] == [
        "New customer this period"
    ]


def _overview(path: Path) -> list[tuple[object, object, object]]:
    ws = load_workbook(path)["Overview"]
    return [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_row=4)]


def test_a_customer_workbook_hides_the_comparison_exactly_when_its_pdf_does(tmp_path: Path) -> None:
    # Two customers with MFA data: the median and the share below would give away the other's coverage.
    context = build_context(snapshot(), BRAND)
    render_all(snapshot(), tmp_path, BRAND, RenderOptions(customer_workbooks=True, workers=1))
    for row in context.rows:
        view = context.customer_view(row)
        assert not view.comparison.shown
        rows = _overview(tmp_path / "customers" / f"{row.slug}.xlsx")
        comparison = [r for r in rows if r[0] == "Comparison"]
        assert [r[1] for r in comparison] == [WORDS.comparison_hidden]
        assert all(r[2] is None for r in comparison)
        assert "Median share across the partner's customers" not in {r[1] for r in rows}
        pdf = squash(pdf_text(tmp_path / "customers" / f"{row.slug}.pdf"))
        assert squash("Too few customers report MFA data") in pdf
        assert squash("Median of") not in pdf


def test_a_customer_workbook_compares_when_the_base_is_large_enough(tmp_path: Path) -> None:
    customers = tuple(f.customer(f"t{i}-large", f"Large {i}", non_admins=10 * i) for i in range(1, 7))
    snap = f.snapshot(customers=customers)
    context = build_context(snap, BRAND)
    xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    row = next(r for r in context.rows if r.customer.tenant_id == f.tid("t3-large"))
    view = context.customer_view(row)
    assert view.comparison.shown
    rows = {r[1]: r[2] for r in _overview(tmp_path / "customers" / f"{row.slug}.xlsx") if r[0] == "Comparison"}
    assert rows["Median share across the partner's customers"] == pytest.approx(view.comparison.median_coverage_value)
    assert rows["Share of other customers with lower coverage"] == view.comparison.share_below
