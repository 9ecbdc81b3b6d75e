"""The collector with the real msal and httpx against the emulator over TLS: the issue's done-when list."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from reporter import snapshot as snapshot_io
from reporter.cli import cli
from reporter.collect.collector import collect
from reporter.emulator import Emulator, EmulatorOptions, Faults
from reporter.graph.retry import RetryPolicy
from reporter.secret import Secret
from tests.collect_helpers import CountingProgress, FakeClock, emulator_env, emulator_settings, make_certificate

FAST = RetryPolicy(backoff_base=0.05)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./reporter.toml from the repository


def running(**options: object) -> Emulator:
    return Emulator(EmulatorOptions(**options))  # type: ignore[arg-type]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with running(customers=120) as emu:
        yield emu


def run_cli(env: dict[str, str], out: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["collect", "--out", str(out), *args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_failure(code: int, stderr: str, out: Path, *needles: str) -> str:
    assert code == 1
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))
    error_lines = [line for line in stderr.splitlines() if line.startswith("reporter: error: ")]
    assert len(error_lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in error_lines[0]
    return error_lines[0]


# --- completeness under faults -------------------------------------------------------------


def test_5000_customers_under_429s_and_503s_arrive_exactly_once(tmp_path: Path) -> None:
    faults = Faults(rate_429=0.10, rate_503=0.05, retry_after=0, seed=11)
    with running(customers=5000, page_size=100, faults=faults) as emu:
        progress = CountingProgress()
        snap = collect(emulator_settings(emu, tmp_path), progress=progress, retry_policy=FAST)
    assert progress.items["customerInsights"] == 5000
    assert progress.pages["customerInsights"] == 50
    assert len({c.tenant_id for c in snap.customers}) == len(snap.customers) == 5000
    statuses = [r.status for r in snap.provenance.requests]
    assert 429 in statuses
    assert 503 in statuses
    assert snap.provenance.data_gaps == ()


def test_token_expiry_mid_run_is_recovered(tmp_path: Path) -> None:
    with running(customers=2500, page_size=100, token_lifetime=1.0, faults=Faults(latency_ms=60)) as emu:
        snap = collect(emulator_settings(emu, tmp_path), retry_policy=FAST)
        tokens_issued = emu.stats.tokens_issued
    assert len(snap.customers) == 2500
    assert tokens_issued >= 2


def test_a_token_that_expires_before_we_expect_is_replaced_on_401(tmp_path: Path) -> None:
    # A clock that does not move: the collector never renews early, so Graph's 401 must trigger the refresh.
    with running(customers=2500, page_size=100, token_lifetime=1.0, faults=Faults(latency_ms=60)) as emu:
        snap = collect(emulator_settings(emu, tmp_path), clock=FakeClock())
    assert len(snap.customers) == 2500
    assert 401 in [r.status for r in snap.provenance.requests]


def test_dropped_connections_mid_page_are_recovered(tmp_path: Path) -> None:
    with running(customers=1000, page_size=100, faults=Faults(drop_rate=0.3, seed=5)) as emu:
        progress = CountingProgress()
        snap = collect(emulator_settings(emu, tmp_path), progress=progress, retry_policy=FAST)
        dropped = emu.stats.faults_of("drop")
    assert dropped > 0
    assert len(snap.customers) == 1000
    assert progress.items["customerInsights"] == 1000
    assert any("retrying" in note for note in progress.notes)


def test_retry_after_as_an_http_date_is_honoured(tmp_path: Path) -> None:
    faults = Faults(rate_429=0.3, retry_after=1, retry_after_http_date=True, seed=3)
    with running(customers=300, page_size=100, faults=faults) as emu:
        progress = CountingProgress()
        snap = collect(emulator_settings(emu, tmp_path), progress=progress)
    assert len(snap.customers) == 300
    assert any("HTTP 429" in note for note in progress.notes)


# --- failures: one line, non-zero exit, no file ----------------------------------------------


def test_a_repeated_next_link_fails_the_run(tmp_path: Path) -> None:
    with running(customers=500, faults=Faults(repeat_next_link=True)) as emu:
        code, _, err = run_cli(emulator_env(emu, tmp_path), tmp_path / "snap.json")
    assert_one_line_failure(code, err, tmp_path / "snap.json", "nextLink that was already followed")


def test_a_malformed_page_fails_the_run_naming_url_and_ids(tmp_path: Path) -> None:
    with running(customers=500, faults=Faults(malformed_page="truncated")) as emu:
        code, _, err = run_cli(emulator_env(emu, tmp_path), tmp_path / "snap.json")
    line = assert_one_line_failure(code, err, tmp_path / "snap.json", "customerInsights", "not valid JSON")
    assert "client-request-id " in line
    assert "request-id " in line


def test_a_page_with_an_item_missing_its_tenant_id_fails_the_run(tmp_path: Path) -> None:
    with running(customers=500, faults=Faults(malformed_page="missing-tenant-id")) as emu:
        code, _, err = run_cli(emulator_env(emu, tmp_path), tmp_path / "snap.json")
    assert_one_line_failure(
        code, err, tmp_path / "snap.json", "tenantId", "in the answer to GET ", "client-request-id "
    )


def test_a_wrong_secret_fails_without_showing_either_secret(tmp_path: Path, emulator: Emulator) -> None:
    wrong = "wrong-secret-Zq9~abc"
    env = emulator_env(emulator, tmp_path, REPORTER_CLIENT_SECRET=wrong)
    code, out, err = run_cli(env, tmp_path / "snap.json", "--verbose")
    assert_one_line_failure(code, err, tmp_path / "snap.json", "rejected the client secret", "AADSTS7000215")
    assert wrong not in out + err
    assert emulator.client_secret not in out + err


def test_403_names_the_permission_and_roles(tmp_path: Path) -> None:
    with running(customers=50, faults=Faults(forbidden=True)) as emu:
        code, _, err = run_cli(emulator_env(emu, tmp_path), tmp_path / "snap.json")
    line = assert_one_line_failure(code, err, tmp_path / "snap.json", "HTTP 403", "PartnerSecurity.Read.All")
    assert "Admin Agent" in line
    assert "client-request-id " in line


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_authority_names_the_host(tmp_path: Path, emulator: Emulator) -> None:
    port = closed_port()
    env = emulator_env(emulator, tmp_path, REPORTER_AUTHORITY_URL=f"https://127.0.0.1:{port}")
    code, _, err = run_cli(env, tmp_path / "snap.json")
    assert_one_line_failure(code, err, tmp_path / "snap.json", f"cannot connect to 127.0.0.1:{port}", "sign-in")


def test_an_unreachable_graph_names_the_host(tmp_path: Path, emulator: Emulator) -> None:
    port = closed_port()
    env = emulator_env(emulator, tmp_path, REPORTER_GRAPH_URL=f"https://127.0.0.1:{port}")
    code, _, err = run_cli(env, tmp_path / "snap.json")
    assert_one_line_failure(code, err, tmp_path / "snap.json", f"cannot connect to 127.0.0.1:{port}")


def test_without_its_ca_the_emulator_is_not_trusted(tmp_path: Path, emulator: Emulator) -> None:
    env = emulator_env(emulator, tmp_path, REPORTER_CA_BUNDLE="")
    code, _, err = run_cli(env, tmp_path / "snap.json")
    assert_one_line_failure(code, err, tmp_path / "snap.json", "CERTIFICATE_VERIFY_FAILED")


# --- success through the CLI ----------------------------------------------------------------


def test_collect_writes_the_snapshot_and_the_ca_bundle_beats_requests_ca_bundle(
    tmp_path: Path, emulator: Emulator
) -> None:
    system = "/etc/ssl/certs/ca-certificates.crt"
    env = emulator_env(emulator, tmp_path, REQUESTS_CA_BUNDLE=system, CURL_CA_BUNDLE=system)
    out = tmp_path / "out" / "snapshot.json"
    code, stdout, err = run_cli(env, out, "--verbose")
    assert code == 0, err
    snap = snapshot_io.load(out)
    assert len(snap.customers) == 120
    assert stdout.startswith(f"{out}: score ")
    assert "120 customers" in stdout
    assert f"sha256 {snapshot_io.sha256(snap)}" in stdout
    everything = stdout + err + out.read_text()
    assert emulator.client_secret not in everything


def test_optional_sources_that_fail_are_recorded_as_gaps(tmp_path: Path) -> None:
    with running(customers=60, faults=Faults(contracts_forbidden=True, alerts_failing=True)) as emu:
        out = tmp_path / "snapshot.json"
        code, stdout, err = run_cli(emulator_env(emu, tmp_path), out)
    assert code == 2, err
    snap = snapshot_io.load(out)
    assert sorted(gap.source for gap in snap.provenance.data_gaps) == ["alerts", "contracts"]
    assert "alerts missing; contracts missing" in stdout
    assert all(c.display_name is None for c in snap.customers)
    assert len(snap.customers) == 60


def test_a_customers_file_names_customers(tmp_path: Path, emulator: Emulator) -> None:
    first = CliRunner().invoke(
        cli, ["collect", "--out", str(tmp_path / "a.json")], env=emulator_env(emulator, tmp_path)
    )
    assert first.exit_code == 0, first.stderr
    tenant = snapshot_io.load(tmp_path / "a.json").customers[0].tenant_id
    csv = tmp_path / "names.csv"
    csv.write_text(f"tenantId,name,domain\n{tenant},Renamed Customer,renamed.example\n")
    code, _, err = run_cli(emulator_env(emulator, tmp_path), tmp_path / "b.json", "--customers-file", str(csv))
    assert code == 0, err
    renamed = snapshot_io.load(tmp_path / "b.json").customer(tenant)
    assert renamed is not None
    assert renamed.display_name == "Renamed Customer"


def test_certificate_sign_in_end_to_end(tmp_path: Path) -> None:
    path, cert = make_certificate(tmp_path, password="cert-pass")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    with running(customers=30, client_certificate_pem=cert_pem) as emu:
        env = emulator_env(
            emu,
            tmp_path,
            REPORTER_CLIENT_SECRET="",
            REPORTER_CERTIFICATE=str(path),
            REPORTER_CERTIFICATE_PASSWORD="cert-pass",
        )
        code, _, err = run_cli(env, tmp_path / "snap.json")
    assert code == 0, err
    assert len(snapshot_io.load(tmp_path / "snap.json").customers) == 30


# --- sign-in against the emulator's Entra ID --------------------------------------------------


def test_an_unknown_tenant_is_named(tmp_path: Path, emulator: Emulator) -> None:
    other = "11111111-2222-4333-8444-555555555555"
    code, _, err = run_cli(emulator_env(emulator, tmp_path, REPORTER_TENANT_ID=other), tmp_path / "snap.json")
    assert_one_line_failure(code, err, tmp_path / "snap.json", f"tenant {other}")


def test_an_unknown_client_id_is_named(tmp_path: Path, emulator: Emulator) -> None:
    other = "99999999-2222-4333-8444-555555555555"
    code, _, err = run_cli(emulator_env(emulator, tmp_path, REPORTER_CLIENT_ID=other), tmp_path / "snap.json")
    assert_one_line_failure(code, err, tmp_path / "snap.json", other)


def test_one_token_serves_the_whole_run(tmp_path: Path, emulator: Emulator) -> None:
    before = emulator.stats.tokens_issued
    collect(emulator_settings(emulator, tmp_path))
    assert emulator.stats.tokens_issued == before + 1


def test_pfx_certificate_sign_in_end_to_end(tmp_path: Path) -> None:
    path, cert = make_certificate(tmp_path, password="pfx-pass", pfx=True)
    with running(customers=10, client_certificate_pem=cert.public_bytes(serialization.Encoding.PEM)) as emu:
        settings = emulator_settings(
            emu, tmp_path, client_secret=None, certificate=path, certificate_password=Secret("pfx-pass")
        )
        assert len(collect(settings).customers) == 10


def test_a_real_process_fails_in_one_line_without_the_secret(tmp_path: Path, emulator: Emulator) -> None:
    wrong = "wrong-secret-in-a-process-8Jk~"
    env = {**os.environ, **emulator_env(emulator, tmp_path, REPORTER_CLIENT_SECRET=wrong)}
    out = tmp_path / "snap.json"
    done = subprocess.run(
        [sys.executable, "-m", "reporter", "collect", "--out", str(out), "--verbose"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        line for line in done.stderr.strip().splitlines() if line.startswith("reporter: error: ")
    ]
    assert "AADSTS7000215" in done.stderr
    assert wrong not in done.stdout + done.stderr
    assert not out.exists()
