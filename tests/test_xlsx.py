"""The partner workbook, read back with openpyxl: sheets, values, formats, links, properties."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from reporter.manifest import Artifact, ArtifactKind
from reporter.model import (
    AlertSeverity,
    AlertStatus,
    ComplianceStatus,
    PolicyStatus,
    Requirement,
    RequirementState,
    RequirementType,
    ResponseTimeDetails,
    Snapshot,
)
from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import Brand, build_context
from tests import factories as f

BRAND = Brand(name="Fabrikam Partners")
OFF = PolicyStatus.DISABLED
ON = PolicyStatus.ENABLED


def requirement(kind: RequirementType, status: ComplianceStatus, **kw: Any) -> Requirement:
    return Requirement(
        **{
            "id": kind.value,
            "requirement_type": kind,
            "requirement_type_name": kind.value,
            "compliance_status": status,
            "score": 10,
            "max_score": 20,
            "state": RequirementState.ACTIVE,
            **kw,
        }
    )


def sample_snapshot() -> Snapshot:
    """A small partner: three customers at different levels, alerts (one a test), sparse history."""
    return f.snapshot(
        customers=(
            f.customer(
                "aaaaaaaa-0000-4000-8000-000000000001",
                "Contoso Ltd",
                domain="contoso.example",
                users=40,
                admins=0,
                non_admins=5,
            ),
            f.customer(
                "bbbbbbbb-0000-4000-8000-000000000002", "Northwind Traders", domain="northwind.example", ca=OFF, sd=OFF
            ),
            f.customer(
                "cccccccc-0000-4000-8000-000000000003",
                "Woodgrove Bank",
                domain="woodgrove.example",
                users=10,
                non_admins=8,
            ),
        ),
        alerts=(
            f.alert("al-1", "aaaaaaaa-0000-4000-8000-000000000001", AlertSeverity.MEDIUM),
            f.alert("al-2", "bbbbbbbb-0000-4000-8000-000000000002", AlertSeverity.LOW, AlertStatus.RESOLVED),
            f.alert("al-3", "cccccccc-0000-4000-8000-000000000003", is_test=True),
        ),
        history=f.history(
            (datetime(2026, 7, 3, tzinfo=UTC), 50.0),
            (datetime(2026, 9, 20, tzinfo=UTC), 64.0),
        ),
        requirements=(
            requirement(
                RequirementType.MFA_ENFORCED_FOR_ADMINS,
                ComplianceStatus.COMPLIANT,
                action_url="https://partner.microsoft.com/dashboard/v2/security",
                help_url="javascript:alert(1)",
                updated_date_time=datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
            ),
            requirement(
                RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED,
                ComplianceStatus.NONCOMPLIANT,
                details=ResponseTimeDetails(average_response_time_in_hours=30.25),
            ),
        ),
    )


def render(tmp_path: Path, snapshot: Snapshot | None = None, *, customer_workbooks: bool = False) -> list[Artifact]:
    context = build_context(snapshot or sample_snapshot(), BRAND)
    return xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=customer_workbooks))


FORMULA = re.compile(r"<(\w+:)?f[ >/]")
"""A formula element in sheet XML, with or without a namespace prefix."""


def sheet_xml(path: Path) -> Iterator[tuple[str, str]]:
    """Name and text of every XML part of the workbook's worksheets."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                yield name, archive.read(name).decode()


def rows(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def column(ws: Any, header: str, header_row: int = 1) -> list[Any]:
    headers = [c.value for c in ws[header_row]]
    index = headers.index(header)
    return [row[index] for row in ws.iter_rows(min_row=header_row + 1)]


@pytest.fixture
def workbook(tmp_path: Path) -> Any:
    render(tmp_path)
    return load_workbook(tmp_path / "workbook.xlsx")


def test_render_writes_the_workbook_and_describes_it_for_the_manifest(tmp_path: Path) -> None:
    artifacts = render(tmp_path)
    assert [(a.path, a.kind, a.tenant_id) for a in artifacts] == [(Path("workbook.xlsx"), ArtifactKind.WORKBOOK, None)]
    assert artifacts[0].sha256 == hashlib.sha256((tmp_path / "workbook.xlsx").read_bytes()).hexdigest()
    assert not list(tmp_path.glob(".*tmp"))


def test_sheets_come_in_reading_order_then_one_per_customer_most_urgent_first(workbook: Any) -> None:
    assert workbook.sheetnames == [
        "Summary",
        "Requirements",
        "Score history",
        "Customers",
        "Alerts",
        "About",
        "Northwind Traders bbbbbbbb",
        "Contoso Ltd aaaaaaaa",
        "Woodgrove Bank cccccccc",
    ]


def test_customers_sheet_has_one_typed_row_per_customer_linked_to_its_sheet(workbook: Any) -> None:
    ws = workbook["Customers"]
    assert [c.value for c in ws[1]][:4] == ["Customer", "Domain", "Tenant id", "Users"]
    first = {h.value: c for h, c in zip(ws[1], ws[2], strict=True)}
    assert first["Customer"].value == "Northwind Traders"
    assert first["Attention level"].value == "Critical"
    assert first["Security defaults"].value == "Off"
    assert "No MFA policy is switched on" in first["Reasons"].value
    contoso = {h.value: c for h, c in zip(ws[1], ws[3], strict=True)}
    assert contoso["Users"].value == 40
    assert contoso["Users"].number_format == "#,##0"
    assert contoso["Non-admin coverage"].value == pytest.approx(5 / 40)
    assert contoso["Non-admin coverage"].number_format == "0%"
    assert contoso["Open alerts"].value == 1
    for cell in column(ws, "Sheet"):
        link = cell.hyperlink
        assert link.target is None
        assert link.location == f"'{cell.value}'!A1"
        assert cell.value in workbook.sheetnames
        back = workbook[cell.value]["A1"]
        assert back.hyperlink.location == "'Customers'!A1"


def test_every_table_is_filtered_with_a_frozen_header_and_fitted_columns(workbook: Any) -> None:
    for ws in workbook.worksheets:
        assert ws.auto_filter.ref, ws.title
        header_row = int(ws.auto_filter.ref.split(":")[0][1:])
        assert ws.freeze_panes == f"A{header_row + 1}", ws.title
        widths = [ws.column_dimensions[c].width for c in "AB"]
        assert all(8 <= w <= 60 for w in widths), (ws.title, widths)


def test_attention_levels_are_coloured_by_conditional_formatting_on_the_customers_sheet(workbook: Any) -> None:
    ws = workbook["Customers"]
    ranges = list(ws.conditional_formatting)
    assert [str(r.sqref) for r in ranges] == ["M2:M4"]
    formulas = {rule.formula[0] for r in ranges for rule in r.rules}
    assert formulas == {'"Critical"', '"High"', '"Medium"', '"Low"', '"No data"', '"OK"'}


def test_requirements_show_scores_flags_details_and_only_http_links(workbook: Any) -> None:
    ws = workbook["Requirements"]
    admins = {h.value: c for h, c in zip(ws[1], ws[2], strict=True)}
    assert admins["Status"].value == "Compliant"
    assert (admins["Score"].value, admins["Max score"].value) == (10, 20)
    assert admins["Mandatory for CSP"].value == "Yes"
    assert admins["Action link"].hyperlink.target == "https://partner.microsoft.com/dashboard/v2/security"
    assert admins["Help link"].value is None  # a javascript: URL is neither linked nor shown
    assert admins["Updated"].value == datetime(2026, 10, 30, 12, 0)
    assert admins["Updated"].number_format == "yyyy-mm-dd"
    response = {h.value: c for h, c in zip(ws[1], ws[3], strict=True)}
    assert response["Details"].value == "Average response time (last 30 days): 30.3 h"  # 30.25, half away from zero
    for row in ws.iter_rows():
        for cell in row:
            if cell.hyperlink is not None:
                assert cell.hyperlink.target.startswith(("https://", "http://"))


def test_history_is_monthly_forward_filled_with_a_native_chart(workbook: Any, tmp_path: Path) -> None:
    ws = workbook["Score history"]
    assert rows(ws)[1:] == [
        [datetime(2026, 7, 1), 50.0, "Yes"],
        [datetime(2026, 8, 1), 50.0, "No"],
        [datetime(2026, 9, 1), 64.0, "Yes"],
        [datetime(2026, 10, 1), 64.0, "No"],
        [datetime(2026, 11, 1), 70.0, "Yes"],
    ]
    assert ws["A2"].number_format == "yyyy-mm"
    with zipfile.ZipFile(tmp_path / "workbook.xlsx") as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2  # one on the history sheet, one on the summary
        chart = archive.read(charts[0]).decode()
    assert "<lineChart>" in chart
    assert "'Score history'!$B$2:$B$6" in chart


def test_summary_key_figures_are_numbers_with_formats(workbook: Any) -> None:
    ws = workbook["Summary"]
    figures = {r[0].value: r[1] for r in ws.iter_rows(min_row=4)}
    assert figures["Partner"].value == "Fabrikam Partners"
    assert figures["Partner security score"].value == 70
    assert figures["Change since the previous score"].value == pytest.approx(6.0)
    assert figures["Customers"].value == 3
    assert figures["Median share of non-admin users with MFA"].number_format == "0%"
    assert figures["Customers at attention level Critical"].value == 1
    assert figures["Open security alerts (test alerts left out)"].value == 1
    assert figures["Test alerts (not counted)"].value == 1
    assert figures["Data collected at (UTC)"].value == datetime(2026, 11, 1, 6, 0)
    assert figures["Data collected at (UTC)"].number_format == "yyyy-mm-dd hh:mm"


def test_alerts_sheet_lists_every_alert_and_flags_test_alerts(workbook: Any) -> None:
    ws = workbook["Alerts"]
    assert "flagged" in ws["A1"].value
    ids = column(ws, "Alert id", header_row=3)
    assert [c.value for c in ids] == ["al-1", "al-2", "al-3"]  # real before test, open before resolved
    tests = [c.value for c in column(ws, "Test alert", header_row=3)]
    assert tests == ["No", "No", "Yes"]
    customers = [c.value for c in column(ws, "Customer", header_row=3)]
    assert customers == ["Contoso Ltd", "Northwind Traders", "Woodgrove Bank"]
    detected = column(ws, "Detected (UTC)", header_row=3)[0]
    assert detected.value == datetime(2026, 11, 1, 6, 0)
    assert detected.number_format == "yyyy-mm-dd hh:mm"


def test_no_alerts_means_no_alerts_sheet(tmp_path: Path) -> None:
    render(tmp_path, f.snapshot(customers=(f.customer("t1", "Only"),)))
    assert "Alerts" not in load_workbook(tmp_path / "workbook.xlsx").sheetnames


def test_customer_sheet_shows_figures_policies_findings_actions_and_alerts(workbook: Any) -> None:
    ws = workbook["Contoso Ltd aaaaaaaa"]
    assert ws["B1"].value == "Security report for Contoso Ltd"
    items = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=4)}
    level = items[("Customer", "Attention level")][2]
    assert level.value == "High"
    assert level.fill.fgColor.rgb.endswith("C62828")
    assert items[("MFA", "Share of non-admin users with MFA")][2].number_format == "0%"
    assert items[("Policy", "Security defaults")][2].value == "Off"
    actions = [r for (section, _), r in items.items() if section == "Recommended action"]
    assert actions
    links = [r[4].hyperlink.target for r in actions if r[4].hyperlink is not None]
    assert any(link.startswith("https://portal.azure.com/#@contoso.example/") for link in links)
    # The partner's own workbook keeps the Partner Center links a customer's copy leaves out.
    assert "https://partner.microsoft.com/dashboard/v2/security/alerts" in links
    alert = next(r for (section, _), r in items.items() if section == "Open alert")
    assert (alert[1].value, alert[2].value) == ("Alert al-1", "Medium")
    assert alert[3].number_format == "yyyy-mm-dd hh:mm"


def test_workbook_properties_name_the_partner_and_the_snapshot_time_not_the_clock(workbook: Any) -> None:
    props = workbook.properties
    assert props.creator == "Fabrikam Partners"
    assert props.title == "Partner security score — November 2026"
    assert props.created == datetime(2026, 11, 1, 6, 0)
    assert props.modified == datetime(2026, 11, 1, 6, 0)


def test_the_same_snapshot_gives_the_same_bytes(tmp_path: Path) -> None:
    first = render(tmp_path / "one", customer_workbooks=True)
    second = render(tmp_path / "two", customer_workbooks=True)
    assert [a.sha256 for a in first] == [a.sha256 for a in second]
    with zipfile.ZipFile(tmp_path / "one" / "workbook.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 1, 6, 0, 0)}


def test_strings_are_inline_text_and_no_sheet_holds_a_formula(tmp_path: Path) -> None:
    render(tmp_path)
    for name, xml in sheet_xml(tmp_path / "workbook.xlsx"):
        assert not FORMULA.search(xml), name
        assert 't="inlineStr"' in xml, name


def test_render_all_lists_the_workbooks_in_the_manifest(tmp_path: Path) -> None:
    options = RenderOptions(customer_reports=False, customer_workbooks=True)
    render_all(sample_snapshot(), tmp_path, BRAND, options)
    files = json.loads((tmp_path / "manifest.json").read_text())["files"]
    workbooks = {e["path"]: e for e in files if e["kind"] in ("workbook", "customer-workbook")}
    assert set(workbooks) == {
        "workbook.xlsx",
        "customers/contoso-ltd-aaaaaaaa.xlsx",
        "customers/northwind-traders-bbbbbbbb.xlsx",
        "customers/woodgrove-bank-cccccccc.xlsx",
    }
    for path, entry in workbooks.items():
        assert entry["sha256"] == hashlib.sha256((tmp_path / path).read_bytes()).hexdigest()
    assert workbooks["customers/contoso-ltd-aaaaaaaa.xlsx"]["tenantId"] == "aaaaaaaa-0000-4000-8000-000000000001"


def previous_snapshot() -> Snapshot:
    """Last month: Contoso had better coverage, Northwind used security defaults, Woodgrove was not there yet."""
    return f.snapshot(
        provenance=f.provenance(collected_at=datetime(2026, 10, 1, 6, 0, tzinfo=UTC)),
        customers=(
            f.customer(
                "aaaaaaaa-0000-4000-8000-000000000001",
                "Contoso Ltd",
                domain="contoso.example",
                users=40,
                admins=0,
                non_admins=30,
            ),
            f.customer(
                "bbbbbbbb-0000-4000-8000-000000000002", "Northwind Traders", domain="northwind.example", ca=OFF, sd=ON
            ),
            f.customer("dddddddd-0000-4000-8000-000000000004", "Delta Dairy", domain="delta.example"),
        ),
    )


def test_changes_sheet_lists_what_moved_since_the_previous_period(tmp_path: Path) -> None:
    context = build_context(sample_snapshot(), BRAND, previous=previous_snapshot())
    xlsx.render(context, tmp_path, RenderOptions())
    workbook = load_workbook(tmp_path / "workbook.xlsx")
    assert workbook.sheetnames[:6] == ["Summary", "Requirements", "Score history", "Customers", "Changes", "Alerts"]
    ws = workbook["Changes"]
    assert ws["A1"].value == "Changes since 2026-10"
    table = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=4)}
    assert ("New customer", "Woodgrove Bank") in table
    assert ("Customer gone", "Delta Dairy") in table
    northwind = table[("Customer changed", "Northwind Traders")]
    assert (northwind[3].value, northwind[4].value) == ("OK", "Critical")
    assert "Security defaults: On → Off" in northwind[7].value
    contoso = table[("Customer changed", "Contoso Ltd")]
    assert contoso[5].value == pytest.approx(30 / 40)
    assert contoso[5].number_format == "0%"
    summary = {r[0].value: r[1].value for r in workbook["Summary"].iter_rows(min_row=4)}
    assert summary["Compared with the period"] == "2026-10"
    assert summary["New customers since that period"] == 1
    sheet = {(r[0].value, r[1].value): r for r in workbook["Contoso Ltd aaaaaaaa"].iter_rows(min_row=4)}
    assert (
        sheet[("Since 2026-10", "Share of non-admin users with MFA")][2].value == "75% → 13% (−62 pts)"
    )  # the text the PDFs show


@pytest.mark.parametrize(("colour", "expected"), [("#AA3300", "AA3300"), ("red", "1F3A5F")])
def test_table_headers_take_the_brand_colour_when_it_is_a_hex_colour(
    tmp_path: Path, colour: str, expected: str
) -> None:
    context = build_context(sample_snapshot(), Brand(name="P", primary_colour=colour))
    xlsx.render(context, tmp_path, RenderOptions())
    header = load_workbook(tmp_path / "workbook.xlsx")["Customers"]["A1"]
    assert header.fill.fgColor.rgb.endswith(expected)


def test_the_bytes_do_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from reporter.render import xlsx; "
        "from reporter.render.options import RenderOptions; from reporter.view import Brand, build_context; "
        "from tests.test_xlsx import sample_snapshot; "
        "a = xlsx.render(build_context(sample_snapshot(), Brand()), Path(sys.argv[1]), RenderOptions()); "
        "print(a[0].sha256)"
    )
    root = Path(__file__).resolve().parent.parent
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / seed)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1
