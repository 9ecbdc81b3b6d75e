"""Hostile text in the snapshot stays inert text in the workbook; sheet names are always valid."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from reporter import snapshot as snapshot_io
from reporter.model import Alert, AlertSeverity, AlertStatus, DataGap, Snapshot
from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.render.xlsx_cells import (
    FORMULA_TRIGGERS,
    MAX_CELL_CHARS,
    TRUNCATION_MARKER,
    clean_text,
    http_url,
    unescape_text,
)
from reporter.render.xlsx_names import MAX_SHEET_NAME, SheetNamer, customer_sheet_names, utf16_len
from reporter.render.xlsx_sheets import FIXED_SHEETS
from reporter.view import Brand, build_context
from tests import factories as f
from tests.test_xlsx import FORMULA, sheet_xml

ROOT = Path(__file__).resolve().parent.parent
INJECTIONS = (
    '=HYPERLINK("http://x","y")',
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    "\nLF",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "=1+1",
)


def hostile_snapshot() -> Snapshot:
    customers = tuple(
        f.customer(f"{i:08x}-dead-beef", text, domain=f"{text}.example", unchecked=True)
        for i, text in enumerate(INJECTIONS)
    )
    alerts = tuple(
        Alert.model_construct(  # the model refuses control characters: this tests the workbook's own defence
            id=f"alert-{i}",
            display_name=text,
            description=text,
            alert_type=text,
            severity=AlertSeverity.HIGH,
            status=AlertStatus.ACTIVE,
            customer_tenant_id=c.tenant_id,
            resolved_by=text,
            detected_date_time=f.COLLECTED,
        )
        for i, (text, c) in enumerate(zip(INJECTIONS, customers, strict=True))
    )
    gaps = tuple(DataGap(source=text, reason=text) for text in INJECTIONS)
    return f.snapshot(customers=customers, alerts=alerts, provenance=f.provenance(data_gaps=gaps))


def all_cells(path: Path) -> list[tuple[str, Any]]:
    workbook = load_workbook(path)
    return [(ws.title, cell) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]


def assert_inert(path: Path) -> list[str]:
    """No formula anywhere; every formula-like string is a text cell with the quote prefix. Returns the texts."""
    for name, xml in sheet_xml(path):
        assert not FORMULA.search(xml), f"{path.name}:{name} holds a formula"
    texts = []
    for title, cell in all_cells(path):
        if isinstance(cell.value, str):
            texts.append(cell.value)
            if cell.value.startswith(FORMULA_TRIGGERS):
                assert cell.data_type == "s", (title, cell.coordinate, cell.value)
                assert cell.quotePrefix, (title, cell.coordinate, cell.value)
        elif cell.value is not None:
            assert cell.data_type in ("n", "d"), (title, cell.coordinate, cell.data_type)
    return texts


def test_formula_like_text_is_stored_as_text_never_as_a_formula(tmp_path: Path) -> None:
    context = build_context(hostile_snapshot(), Brand(name="=Partner()"))
    xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    texts = assert_inert(tmp_path / "workbook.xlsx")
    for text in INJECTIONS:
        assert texts.count(text) >= 4, text  # customer, alert title, description, data gap...
    for path in (tmp_path / "customers").glob("*.xlsx"):
        assert_inert(path)
    props = load_workbook(tmp_path / "workbook.xlsx").properties
    assert props.creator == "=Partner()"


def test_every_hyperlink_is_http_or_a_place_in_the_workbook(tmp_path: Path) -> None:
    context = build_context(hostile_snapshot(), Brand())
    xlsx.render(context, tmp_path, RenderOptions())
    for _, cell in all_cells(tmp_path / "workbook.xlsx"):
        link = cell.hyperlink
        if link is None:
            continue
        if link.target:
            assert link.target.startswith(("https://", "http://")), link.target
        else:
            assert link.location.startswith("'"), link.location


def test_control_characters_are_removed_and_long_text_is_cut_visibly(tmp_path: Path) -> None:
    long = "x" * 40_000
    snap = f.snapshot(
        customers=(f.customer("t1", "Bad\x00\x07Name\x1f\x0b", unchecked=True),),
        alerts=(
            Alert.model_construct(  # longer than the model allows: the workbook cuts it visibly all the same
                id="a",
                description=long,
                severity=AlertSeverity.LOW,
                status=AlertStatus.ACTIVE,
                customer_tenant_id=f.tid("t1"),
            ),
        ),
    )
    xlsx.render(build_context(snap, Brand()), tmp_path, RenderOptions())
    texts = [c.value for _, c in all_cells(tmp_path / "workbook.xlsx") if isinstance(c.value, str)]
    assert "BadName" in texts
    cut = [t for t in texts if t.startswith("xxx")]
    assert cut
    assert all(len(t) == MAX_CELL_CHARS and t.endswith(TRUNCATION_MARKER) for t in cut)


def test_clean_text_unit_cases() -> None:
    assert clean_text("a\x00b\ud800c\ufffe") == "abc"
    assert clean_text("tab\tcr\rlf\n") == "tab\tcr\rlf\n"
    assert clean_text("_x0041_") == "_x005F_x0041_"  # Excel would show "A" otherwise
    assert unescape_text(clean_text("_x0041_ and _x00")) == "_x0041_ and _x00"
    assert len(clean_text("é" * 40_000)) == MAX_CELL_CHARS


def test_escape_like_text_round_trips_as_excel_shows_it(tmp_path: Path) -> None:
    snap = f.snapshot(customers=(f.customer("t1", "Acme _x0041_ Ltd"),))
    xlsx.render(build_context(snap, Brand()), tmp_path, RenderOptions())
    texts = [c.value for _, c in all_cells(tmp_path / "workbook.xlsx") if isinstance(c.value, str)]
    assert "Acme _x005F_x0041_ Ltd" in texts  # Excel unescapes this to the original name


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://portal.azure.com/#@t/view", True),
        ("HTTP://example.com/a", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ('=HYPERLINK("http://x")', False),
        ("https://exa mple.com", False),
        ("https://example.com/\x00", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_are_linked(url: str | None, linked: bool) -> None:
    assert (http_url(url) is not None) is linked


def sample_snapshots() -> list[Any]:
    found = sorted((ROOT / "samples").glob("**/snapshot.json"))
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no samples/**/snapshot.json in this checkout"))]
    return [pytest.param(p, id=p.parent.name) for p in found]


@pytest.mark.parametrize("path", sample_snapshots())
def test_every_sample_renders_to_an_inert_workbook(path: Path, tmp_path: Path) -> None:
    snap = snapshot_io.load(path)
    xlsx.render(build_context(snap, Brand()), tmp_path, RenderOptions(customer_workbooks=True))
    texts = set(assert_inert(tmp_path / "workbook.xlsx"))
    for customer in snap.customers:
        if customer.display_name:
            assert unescape_text(clean_text(customer.display_name)) in {unescape_text(t) for t in texts}
    for workbook in sorted((tmp_path / "customers").glob("*.xlsx"))[:50]:
        assert_inert(workbook)


def test_the_injection_cases_are_covered_even_before_samples_exist() -> None:
    """The samples are optional; the hand-made hostile snapshot always runs (see above)."""
    assert {"=", "+", "-", "@", "\t", "\r", "\n"} == {t[0] for t in INJECTIONS if t[0] in FORMULA_TRIGGERS}


# --- Sheet names -------------------------------------------------------------------

FORBIDDEN = set("[]:*?/\\")
customers = st.lists(
    st.tuples(st.text(min_size=0, max_size=12), st.text(min_size=0, max_size=60)),
    min_size=1,
    max_size=25,
    unique_by=lambda c: c[0],
)


def assert_valid(names: list[str]) -> None:
    seen_lower: set[str] = {n.lower() for n in FIXED_SHEETS}
    seen_fold: set[str] = {n.casefold() for n in FIXED_SHEETS}
    for name in names:
        assert 1 <= utf16_len(name) <= MAX_SHEET_NAME, name
        assert not FORBIDDEN & set(name), name
        assert not name.startswith("'"), name
        assert not name.endswith("'"), name
        assert name == name.strip(), name
        assert all(c.isprintable() for c in name), name
        assert name.lower() not in seen_lower, name
        assert name.casefold() not in seen_fold, name
        seen_lower.add(name.lower())
        seen_fold.add(name.casefold())


@settings(max_examples=200, deadline=None)
@given(customers)
def test_sheet_names_are_valid_unique_ignoring_case_and_independent_of_order(pairs: list[tuple[str, str]]) -> None:
    names = customer_sheet_names(pairs, FIXED_SHEETS)
    assert_valid(names)
    shuffled = list(zip(pairs, names, strict=True))
    random.Random(len(pairs)).shuffle(shuffled)
    again = customer_sheet_names([p for p, _ in shuffled], FIXED_SHEETS)
    assert again == [n for _, n in shuffled]
    workbook = Workbook(write_only=True)
    for name in names:
        assert workbook.create_sheet(name).title == name  # openpyxl would rename a clash


def test_clashing_names_get_numbered_in_tenant_order() -> None:
    long = "A" * 40
    pairs = [("bbbbbbbb-2", long), ("bbbbbbbb-1", long), ("x", "summary"), ("about", "about")]
    names = customer_sheet_names(pairs, FIXED_SHEETS)
    assert names[1] == "AAAAAAAAAAAAAAAAAAAAA… bbbbbbbb"  # a cut name says so
    assert names[0] == "AAAAAAAAAAAAAAAAA… bbbbbbbb (2)"
    assert names[2] == "summary x"
    assert names[3] == "about (2)"  # a customer known only by its tenant id "about"
    assert_valid(names)


def test_a_namer_never_hands_out_a_reserved_name() -> None:
    namer = SheetNamer(["Summary"])
    assert namer.name("SUMMARY") == "SUMMARY (2)"
    assert namer.name("") == "Sheet"
    assert namer.name("'''") == "Sheet (2)"


def test_customer_workbooks_keep_their_bytes_in_the_zip_format(tmp_path: Path) -> None:
    context = build_context(hostile_snapshot(), Brand())
    for artifact in xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True)):
        with zipfile.ZipFile(tmp_path / artifact.path) as archive:
            assert archive.testzip() is None
