"""Alerts that could not be collected are unknown, never "0 open alerts", in every document."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.model import DataGap, PolicyStatus, Snapshot
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import build_context
from reporter.view.documents import ALERTS_SOURCE
from tests import factories as f
from tests.test_pdf_reports import pdf_text, squash

ALERTS_UNKNOWN = "Not available"  # what an unknown alert figure reads, in English

ALERTS_GAP = DataGap(source=ALERTS_SOURCE, reason="Microsoft Graph answered 403 Forbidden")
CONTRACTS_GAP = DataGap(source="contracts", reason="Microsoft Graph answered 403 Forbidden")


def gap_snapshot(*gaps: DataGap) -> Snapshot:
    customers = (
        f.customer("aaaaaaaa-0000-4000-8000-000000000001", "Adatum Fine Foods"),  # nothing wrong with MFA
        f.customer("aaaaaaaa-0000-4000-8000-000000000002", "Bellows Hardware", ca=PolicyStatus.DISABLED),
        *(f.customer(f"bbbbbbbb-0000-4000-8000-00000000000{i}", f"Client {i}") for i in range(3, 7)),
    )
    return f.snapshot(customers=customers, provenance=f.provenance(data_gaps=gaps))


def test_the_collector_names_the_alerts_source_as_the_view_expects() -> None:
    from reporter.collect.collector import SOURCES

    assert ALERTS_SOURCE in {s.name for s in SOURCES if not s.required}


def test_the_view_decides_once_whether_alerts_are_available() -> None:
    brand = default_brand()
    ok = build_context(gap_snapshot(CONTRACTS_GAP), brand)
    assert ok.summary.alerts_available
    assert ok.summary.open_alerts_figure == "0"
    assert all(ok.customer_view(r).alerts_available for r in ok.rows)
    gap = build_context(gap_snapshot(CONTRACTS_GAP, ALERTS_GAP), brand)
    assert not gap.summary.alerts_available
    assert gap.summary.alerts_gap_reason == ALERTS_GAP.reason
    assert gap.summary.open_alerts_figure == ALERTS_UNKNOWN
    assert ALERTS_GAP.reason in gap.summary.alerts_note
    for row in gap.rows:
        view = gap.customer_view(row)
        assert not view.alerts_available
        assert "could not be checked" in view.alerts_note
        assert "no open security alerts" not in view.nothing_found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("alerts-gap")
    render_all(gap_snapshot(ALERTS_GAP), out, default_brand(), RenderOptions(customer_workbooks=True, workers=1))
    return out


def test_the_summary_says_alerts_are_not_available_instead_of_zero(rendered: Path) -> None:
    text = squash(pdf_text(rendered / "summary.pdf"))
    assert squash("Security alerts are not available this time") in text
    assert squash(ALERTS_GAP.reason) in text
    assert squash(f"{ALERTS_UNKNOWN} open security alerts") in text  # the cover's key figure
    assert squash("0 open security alerts") not in text
    assert squash("0 open alerts") not in text
    assert squash("Attention levels reflect MFA only") in text


def test_each_customer_report_says_its_alerts_could_not_be_checked(rendered: Path) -> None:
    pdfs = sorted((rendered / "customers").glob("*.pdf"))
    assert len(pdfs) == 6
    for path in pdfs:
        text = squash(pdf_text(path))
        assert squash("Security alerts could not be checked this time") in text, path.name
        assert squash("No open security alerts.") not in text, path.name
        assert squash("there are no open security alerts") not in text, path.name
    adatum = squash(pdf_text(next(p for p in pdfs if p.name.startswith("adatum"))))
    assert squash("Nothing in the MFA data needs attention") in adatum


def test_the_workbook_shows_alert_counts_as_unknown(rendered: Path) -> None:
    book = load_workbook(rendered / "workbook.xlsx")
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=3)}
    assert summary["Open security alerts (test alerts left out)"] == ALERTS_UNKNOWN
    assert summary["Open high alerts"] == ALERTS_UNKNOWN
    assert summary["Test alerts (not counted)"] == ALERTS_UNKNOWN
    assert "not available this time" in str(summary["Security alerts"])
    assert "Alerts" in book.sheetnames
    assert "not available this time" in str(book["Alerts"]["A1"].value)
    customers = book["Customers"]
    headers = [c.value for c in next(customers.iter_rows(max_row=1))]
    column = headers.index("Open alerts")
    reasons = headers.index("Reasons")
    for line in customers.iter_rows(min_row=2):
        assert line[column].value == ALERTS_UNKNOWN
        assert "Security alerts could not be checked" in str(line[reasons].value)
    for name in book.sheetnames[-6:]:
        rows = [(r[0].value, r[1].value, r[2].value) for r in book[name].iter_rows(min_row=4)]
        assert ("Open alert", "No open security alerts", None) not in rows, name
        assert any(r[0] == "Open alert" and r[2] == ALERTS_UNKNOWN for r in rows), name
        assert any(r[0] == "Attention" and "could not be checked" in str(r[1]) for r in rows), name


def test_each_customer_workbook_shows_its_alerts_as_unknown(rendered: Path) -> None:
    books = sorted((rendered / "customers").glob("*.xlsx"))
    assert len(books) == 6
    for path in books:
        rows = [(r[0].value, r[1].value, r[2].value) for r in load_workbook(path)["Overview"].iter_rows(min_row=4)]
        assert ("Open alert", "No open security alerts", None) not in rows, path.name
        assert ("Open alert", "Not available this time (data gap)", ALERTS_UNKNOWN) in rows, path.name
        assert any(r[0] == "Attention" and "could not be checked" in str(r[1]) for r in rows), path.name
