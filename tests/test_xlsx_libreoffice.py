"""The workbook opens in LibreOffice: a headless conversion succeeds and shows hostile text as text."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter import snapshot as snapshot_io
from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.render.xlsx_cells import clean_text
from reporter.view import Brand, build_context
from tests.test_xlsx import sample_snapshot
from tests.test_xlsx_safety import INJECTIONS, hostile_snapshot

ROOT = Path(__file__).resolve().parent.parent
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui; scripts/system-packages.sh does it)",
)
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
"""Comma-separated UTF-8, one file per sheet (LibreOffice 7.2 and later)."""


def convert(source: Path, target: str, tmp_path: Path) -> tuple[Path, str]:
    """Convert ``source`` with a fresh LibreOffice profile; returns the output folder and LibreOffice's output."""
    assert SOFFICE is not None
    out = tmp_path / "converted"
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Error" not in output, output
    return out, output


def test_libreoffice_converts_the_workbook_to_pdf(tmp_path: Path) -> None:
    xlsx.render(build_context(sample_snapshot(), Brand(name="Fabrikam Partners")), tmp_path, RenderOptions())
    out, _ = convert(tmp_path / "workbook.xlsx", "pdf", tmp_path)
    pdf = out / "workbook.pdf"
    assert pdf.is_file()
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000


def test_libreoffice_reads_every_sheet_and_shows_formula_like_text_literally(tmp_path: Path) -> None:
    context = build_context(hostile_snapshot(), Brand())
    xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    out, _ = convert(tmp_path / "workbook.xlsx", ALL_SHEETS_CSV, tmp_path)
    sheets = {p.name for p in out.glob("*.csv")}
    if "workbook-Customers.csv" not in sheets:
        pytest.skip(f"this LibreOffice writes one sheet per CSV only from 7.2 on (got {sorted(sheets)})")
    assert "workbook-Summary.csv" in sheets
    assert len(sheets) == 6 + len(context.rows)
    with (out / "workbook-Customers.csv").open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    names = [row[0] for row in table[1:]]
    # Each name is shown exactly as written: had any become a formula, LibreOffice would show its result.
    assert sorted(names) == sorted(INJECTIONS)
    customer_book = next((tmp_path / "customers").glob("*.xlsx"))
    convert(customer_book, "pdf", tmp_path / "customer")


EDGE_SAMPLES = [ROOT / "samples" / name / "snapshot.json" for name in ("edge-injection-names", "edge-unicode-names")]


@pytest.mark.parametrize("path", EDGE_SAMPLES, ids=lambda p: p.parent.name)
def test_libreoffice_shows_every_edge_sample_name_as_written(path: Path, tmp_path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} is not in this checkout")
    snap = snapshot_io.load(path)
    xlsx.render(build_context(snap, Brand()), tmp_path, RenderOptions())
    out, _ = convert(tmp_path / "workbook.xlsx", ALL_SHEETS_CSV, tmp_path)
    customers = out / "workbook-Customers.csv"
    if not customers.exists():
        pytest.skip("this LibreOffice writes one sheet per CSV only from 7.2 on")
    with customers.open(newline="", encoding="utf-8") as handle:
        shown = sorted(row[0] for row in list(csv.reader(handle))[1:])
    assert shown == sorted(clean_text(c.label) for c in snap.customers)
    assert len(list(out.glob("*.csv"))) == len(load_workbook(tmp_path / "workbook.xlsx", read_only=True).sheetnames)
