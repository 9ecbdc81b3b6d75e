"""A customers-file row for a tenant Graph does not list is kept in the snapshot and counted in collect's summary."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reporter import snapshot as snapshot_io
from reporter.cli import cli
from reporter.emulator import Emulator, EmulatorOptions
from tests.collect_helpers import emulator_env
from tests.test_pdf_reports import pdf_text, squash

FORMER = "0f0f0f0f-0000-4000-8000-00000000beef"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./reporter.toml from the repository


def test_a_row_for_a_tenant_graph_does_not_list_is_reported(tmp_path: Path) -> None:
    csv = tmp_path / "names.csv"
    csv.write_text(f"tenantId,name,domain\n{FORMER.upper()},Former Customer Ltd,former.example\n")
    with Emulator(EmulatorOptions(customers=5)) as emu:
        result = CliRunner().invoke(
            cli,
            ["collect", "--out", str(tmp_path / "snap.json"), "--customers-file", str(csv)],
            env=emulator_env(emu, tmp_path),
        )
    assert result.exit_code == 0, result.stderr
    assert "1 customers-file row for a tenant Graph did not list" in result.stdout
    snap = snapshot_io.load(tmp_path / "snap.json")
    assert FORMER not in {c.tenant_id for c in snap.customers}
    (row,) = snap.provenance.unmatched_customer_rows
    assert (row.tenant_id, row.display_name, row.default_domain_name) == (
        FORMER,
        "Former Customer Ltd",
        "former.example",
    )


def test_the_summary_lists_the_row_and_no_customer_document_holds_it(tmp_path: Path) -> None:
    """The partner's summary and workbook name the row; a customer's PDF, its data and its workbook do not."""
    csv = tmp_path / "names.csv"
    csv.write_text(f"tenantId,name,domain\n{FORMER},Former Customer Ltd,former.example\n")
    with Emulator(EmulatorOptions(customers=3)) as emu:
        env = emulator_env(emu, tmp_path)
        collected = CliRunner().invoke(cli, ["collect", "--out", "snap.json", "--customers-file", str(csv)], env=env)
    assert collected.exit_code == 0, collected.stderr
    result = CliRunner().invoke(cli, ["render", "snap.json", "--out", "out", "--customer-workbooks", "--workers", "1"])
    assert result.exit_code == 0, result.stderr
    summary = squash(pdf_text(tmp_path / "out" / "summary.pdf"))
    assert squash("Customers file rows Microsoft did not list") in summary
    assert squash("Former Customer Ltd") in summary
    assert FORMER in summary
    partner_book = [str(c.value) for ws in load_workbook(tmp_path / "out" / "workbook.xlsx") for r in ws for c in r]
    assert any("Former Customer Ltd" in v and FORMER in v for v in partner_book)
    customer_files = sorted((tmp_path / "out" / "customers").iterdir())
    assert len(customer_files) == 6  # a PDF and a workbook for each of the three customers
    for path in customer_files:
        if path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                embedded = [spec.get_file().read_bytes().decode() for spec in pdf.attachments.values()]
            texts = [pdf_text(path), *embedded]
        else:
            texts = [str(c.value) for ws in load_workbook(path) for r in ws for c in r]
        for text in texts:
            assert FORMER not in text, path.name
            assert "Former Customer" not in text, path.name


def test_reporter_run_says_how_many_rows_graph_did_not_list(tmp_path: Path) -> None:
    csv = tmp_path / "names.csv"
    csv.write_text(f"tenantId,name,domain\n{FORMER},Former Customer Ltd,former.example\n")
    with Emulator(EmulatorOptions(customers=2)) as emu:
        args = ["run", "--out", "reports", "--customers-file", str(csv), "--no-customer-reports", "--workers", "1"]
        result = CliRunner().invoke(cli, args, env=emulator_env(emu, tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "1 customers-file row(s) for tenants Graph did not list: see the summary" in result.stdout
