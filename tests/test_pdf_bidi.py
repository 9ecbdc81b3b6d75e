"""Names and free text cannot reorder the text around them, nor carry control characters into a document.

A snapshot whose customer, domain and alert names hold bidi overrides, BEL and
ESC is rendered to real PDFs and a workbook, and read back.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from reporter.model import Alert, AlertSeverity, AlertStatus
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import Brand, fmt
from tests import factories as f
from tests.test_pdf_reports import pdf_text, squash

TENANT = "0a1b2c3d-0000-4000-8000-000000000001"
RLO, PDF_, LRI, PDI, BEL, ESC = "\u202e", "\u202c", "\u2066", "\u2069", "\x07", "\x1b"
HOSTILE = f"Evil {RLO}Corp Ltd{PDF_}{BEL}{ESC}[31m"
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_plain_drops_controls_and_bidi_formatting_and_keeps_the_rest() -> None:
    assert fmt.plain(HOSTILE) == "Evil Corp Ltd[31m"
    assert fmt.plain(f"{LRI}שלום{PDI} World\u0085\x7f") == "שלום World"
    assert fmt.plain("Müller & Söhne\tGmbH\nZürich") == "Müller & Söhne\tGmbH\nZürich"


def test_a_bidi_override_in_a_name_does_not_reorder_the_pdf_and_no_control_reaches_it(tmp_path: Path) -> None:
    customers = (
        f.customer(TENANT, HOSTILE, domain=f"evil{RLO}moc.example{BEL}", unchecked=True),
        *(f.customer(f"0a1b2c3d-0000-4000-8000-00000000000{i}", f"Plain {i}") for i in range(2, 7)),
    )
    alert = Alert.model_construct(
        id="a1",
        display_name=f"Sign-in {RLO}from Tor{PDF_}{ESC}",
        severity=AlertSeverity.HIGH,
        status=AlertStatus.ACTIVE,
        customer_tenant_id=TENANT,
        detected_date_time=f.COLLECTED,
    )
    snap = f.snapshot().model_copy(update={"customers": customers, "alerts": (alert,)})  # as a lax model would pass it
    brand = Brand(name=f"Partner {RLO}Name{PDF_}{BEL}", footer=f"Footer {RLO}text")
    render_all(snap, tmp_path, brand, RenderOptions(workers=1, customer_workbooks=True))
    customer = next((tmp_path / "customers").glob("evil-corp-ltd-*.pdf"))
    for path in (tmp_path / "summary.pdf", customer):
        raw = pdf_text(path)
        assert not CONTROLS.search(raw), (path.name, [hex(ord(c)) for c in CONTROLS.findall(raw)])
        text = squash(raw)
        assert squash("Evil Corp Ltd") in text, path.name
        assert squash("dtL proC") not in text, path.name
        assert squash("Partner Name") in text, path.name
        assert squash("Sign-in from Tor") in text, path.name
    assert squash("Security report for Evil Corp Ltd") in squash(pdf_text(customer))
    assert squash("evilmoc.example") in squash(pdf_text(customer))
    for book in (tmp_path / "workbook.xlsx", next((tmp_path / "customers").glob("evil-corp-ltd-*.xlsx"))):
        workbook = load_workbook(book, read_only=True)
        try:
            for ws in workbook.worksheets:
                for row in ws.iter_rows(values_only=True):
                    for value in row:
                        assert not (isinstance(value, str) and CONTROLS.search(value)), (book.name, ws.title, value)
        finally:
            workbook.close()  # read-only workbooks keep their file open until closed
