"""`reporter collect` failures that happen before any request: one line, exit 1, no file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reporter.cli import cli
from tests.collect_helpers import CLIENT, SECRET, TENANT

ENV = {"REPORTER_TENANT_ID": TENANT, "REPORTER_CLIENT_ID": CLIENT, "REPORTER_CLIENT_SECRET": SECRET}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def invoke(tmp_path: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["collect", "--out", str(tmp_path / "snap.json"), *args], env=env or ENV)
    assert isinstance(result.exception, SystemExit | None)
    assert not (tmp_path / "snap.json").exists()
    return result.exit_code, result.stderr


def test_a_secret_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "reporter.toml"
    config.write_text(f'[graph]\nclient_secret = "{SECRET}"\n')
    code, err = invoke(tmp_path, "--config", str(config))
    assert code == 1
    assert err.startswith("reporter: error: ")
    assert "REPORTER_CLIENT_SECRET" in err
    assert SECRET not in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_config_file(tmp_path: Path) -> None:
    code, err = invoke(tmp_path, "--config", "nope.toml")
    assert code == 1
    assert "config file nope.toml: no such file" in err


def test_a_bad_customers_file_fails_before_any_request(tmp_path: Path) -> None:
    csv = tmp_path / "customers.csv"
    csv.write_text("tenantId,name\nnot-a-guid,Someone\n")
    env: dict[str, str | None] = {**ENV, "REPORTER_GRAPH_URL": "https://127.0.0.1:9", "REPORTER_AUTHORITY_URL": None}
    code, err = invoke(tmp_path, "--customers-file", str(csv), env=env)
    assert code == 1
    assert "customers.csv:2: tenantId 'not-a-guid' is not a tenant id" in err


def test_the_tenant_common_is_refused(tmp_path: Path) -> None:
    code, err = invoke(tmp_path, env={**ENV, "REPORTER_TENANT_ID": "common"})
    assert code == 1
    assert "tenant id 'common' is not a tenant" in err


def test_out_is_required(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["collect"], env=ENV)
    assert result.exit_code == 2
    assert "--out" in result.stderr


def test_collect_is_documented() -> None:
    result = CliRunner().invoke(cli, ["collect", "--help"])
    assert result.exit_code == 0
    for option in ("--config", "--customers-file", "--out", "--verbose", "REPORTER_CLIENT_SECRET"):
        assert option in result.output
