"""A customers-file row for a tenant Graph does not list is kept in the snapshot and counted in collect's summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reporter import snapshot as snapshot_io
from reporter.cli import cli
from reporter.emulator import Emulator, EmulatorOptions
from tests.collect_helpers import emulator_env

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
