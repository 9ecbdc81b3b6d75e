"""Sheet names never hold OOXML's ``_xHHHH_`` escape, so no reader renames a sheet and breaks the links to it.

Cell text with the pattern is escaped (``_x005F_``) and reads back as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.render.xlsx_cells import unescape_text
from reporter.render.xlsx_names import clean_sheet_name, customer_sheet_names
from reporter.view import Brand, build_context
from tests import factories as f
from tests.test_xlsx_libreoffice import ALL_SHEETS_CSV, SOFFICE, convert

ESCAPE = re.compile(r"_[xX][0-9A-Fa-f]{4}_")
NAMES = ("_x0041_ escape", "Acme _X00e9_ Ltd", "__x0042__x0043_", "_x005F_x0041_")


@pytest.mark.parametrize("name", NAMES)
def test_a_sheet_name_never_holds_the_escape_pattern(name: str) -> None:
    cleaned = clean_sheet_name(name)
    assert not ESCAPE.search(cleaned), cleaned
    (sheet,) = customer_sheet_names([("0a1b2c3d-0000-4000-8000-000000000001", name)], ())
    assert not ESCAPE.search(sheet), sheet


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    customers = tuple(f.customer(f"0a1b2c3d-0000-4000-8000-00000000000{i}", n) for i, n in enumerate(NAMES, 1))
    xlsx.render(
        build_context(f.snapshot(customers=customers), Brand(name="_x0041_ Partner")), tmp_path, RenderOptions()
    )
    return tmp_path / "workbook.xlsx"


def test_every_link_to_a_customer_sheet_finds_it_and_names_read_back_as_written(workbook: Path) -> None:
    book = load_workbook(workbook)
    titles = set(book.sheetnames)
    assert not any(ESCAPE.search(t) for t in titles), titles
    links = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.hyperlink is not None and cell.hyperlink.location:
                    target = cell.hyperlink.location.rsplit("!", 1)[0].strip("'").replace("''", "'")
                    assert target in titles, (ws.title, cell.hyperlink.location)
                    links += 1
    assert links >= 2 * len(NAMES)  # to each customer's sheet and back
    shown = {unescape_text(c.value) for c in book["Customers"]["A"] if isinstance(c.value, str)}
    assert set(NAMES) <= shown
    partner = next(row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0] == "Partner")
    assert unescape_text(str(partner)) == "_x0041_ Partner"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_keeps_every_sheet_name(workbook: Path, tmp_path: Path) -> None:
    out, _ = convert(workbook, ALL_SHEETS_CSV, tmp_path)
    written = set(load_workbook(workbook, read_only=True).sheetnames)
    shown = {p.name.removeprefix("workbook-").removesuffix(".csv") for p in out.glob("*.csv")}
    assert shown == written
