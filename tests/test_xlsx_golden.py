"""Golden text dumps of workbooks (values, number formats, links, filters), never XLSX bytes.

Regenerate after an intended change with ``REPORTER_UPDATE_GOLDEN=1 pytest tests/test_xlsx_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reporter import snapshot as snapshot_io
from reporter.model import Snapshot
from reporter.render import xlsx
from reporter.render.options import RenderOptions
from reporter.render.xlsx_dump import dump_workbook
from reporter.view import Brand, build_context
from tests.test_xlsx import sample_snapshot

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("REPORTER_UPDATE_GOLDEN") == "1"
BRAND = Brand(name="Fabrikam Partners")


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path} is missing: run with REPORTER_UPDATE_GOLDEN=1 to write it")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs: run with REPORTER_UPDATE_GOLDEN=1 and review the diff"


def dumps(snapshot: Snapshot, tmp_path: Path) -> tuple[str, str]:
    context = build_context(snapshot, BRAND)
    xlsx.render(context, tmp_path, RenderOptions(customer_workbooks=True))
    first = context.rows[0].slug
    return dump_workbook(tmp_path / "workbook.xlsx"), dump_workbook(tmp_path / "customers" / f"{first}.xlsx")


def test_workbook_matches_its_golden_dump(tmp_path: Path) -> None:
    workbook, customer = dumps(sample_snapshot(), tmp_path)
    check("xlsx-workbook.txt", workbook)
    check("xlsx-customer.txt", customer)


MAIN_SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"
"""The main sample (see samples/README.md); the edge samples are checked for safety elsewhere."""


@pytest.mark.skipif(not MAIN_SAMPLE.exists(), reason="samples/northwind-partners/snapshot.json is not in this checkout")
def test_main_sample_workbook_matches_its_golden_dump(tmp_path: Path) -> None:
    workbook, customer = dumps(snapshot_io.load(MAIN_SAMPLE), tmp_path)
    check("xlsx-sample-northwind-partners.txt", workbook)
    check("xlsx-sample-northwind-partners-customer.txt", customer)
