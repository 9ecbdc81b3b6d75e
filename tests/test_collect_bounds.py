"""Every byte and every wait of a collection is bounded: huge bodies, trickling bodies and redirects.

The real msal and httpx against the emulator over TLS.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import pytest

from reporter.collect.collector import collect
from reporter.emulator import Emulator, EmulatorOptions, Faults
from reporter.errors import GraphError
from reporter.graph.bounded import MAX_GRAPH_RESPONSE_BYTES
from reporter.graph.retry import RetryPolicy
from tests.collect_helpers import emulator_env, emulator_settings

INSIGHTS = "/beta/security/partner/securityScore/customerInsights"
FAST = RetryPolicy(backoff_base=0.05)
MIB = 1024 * 1024
SOCKET_BUFFERS = 32 * MIB
"""More than the kernel's socket buffers and the emulator's own can hold between its writes and our reads."""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./reporter.toml from the repository


def graph_error(emu: Emulator, tmp_path: Path, **settings: object) -> GraphError:
    with pytest.raises(GraphError) as caught:
        collect(emulator_settings(emu, tmp_path, **settings), retry_policy=FAST)
    return caught.value


# --- item 5: the size of an answer ---------------------------------------------------------------


def test_a_body_past_the_cap_fails_after_reading_at_most_the_cap(tmp_path: Path) -> None:
    size = MAX_GRAPH_RESPONSE_BYTES + 100 * MIB  # no Content-Length: only counting the bytes can stop it
    with Emulator(EmulatorOptions(customers=5, faults=Faults(huge_body=size))) as emu:
        error = graph_error(emu, tmp_path)
        sent = emu.stats.body_bytes[INSIGHTS]
    text = str(error)
    assert len(text.splitlines()) == 1
    assert f"GET {INSIGHTS}" in text
    assert "larger than 64 MiB" in text
    assert "client-request-id " in text
    assert "request-id " in text
    assert sent <= MAX_GRAPH_RESPONSE_BYTES + SOCKET_BUFFERS < size


def test_a_declared_length_above_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    faults = Faults(huge_body=MAX_GRAPH_RESPONSE_BYTES + 1, huge_body_declared=True)
    with Emulator(EmulatorOptions(customers=5, faults=faults)) as emu:
        error = graph_error(emu, tmp_path)
        sent = emu.stats.body_bytes[INSIGHTS]
    assert f"GET {INSIGHTS}" in str(error)
    assert f"announced {MAX_GRAPH_RESPONSE_BYTES + 1} bytes" in str(error)
    assert "64 MiB" in str(error)
    assert sent <= SOCKET_BUFFERS  # what the server could write before we hung up, none of it read


_MEASURED = """
import sys
from pathlib import Path
from reporter.cli import main
try:
    main()
finally:
    peak = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    print(f"maxrss-kib={peak.split()[1]}", file=sys.stderr)
"""
"""The process's own peak: VmHWM starts afresh at exec, while ru_maxrss keeps the peak of the forked parent
(a test worker grown to several hundred MiB)."""


def test_an_endless_body_ends_the_process_in_one_line_with_bounded_memory(tmp_path: Path) -> None:
    with Emulator(EmulatorOptions(customers=5, faults=Faults(huge_body="endless"))) as emu:
        env = {**os.environ, **emulator_env(emu, tmp_path)}
        out = tmp_path / "snap.json"
        done = subprocess.run(
            [sys.executable, "-c", _MEASURED, "collect", "--out", str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    lines = done.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("reporter: error: ")]
    assert done.returncode == 1, done.stderr
    assert len(errors) == 1, done.stderr
    assert "larger than 64 MiB" in errors[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()
    peak_mib = int(lines[-1].removeprefix("maxrss-kib=")) / 1024
    # The interpreter and its libraries take about 100 MiB; the cap adds at most 64 MiB.
    assert peak_mib < 400, f"{peak_mib:.0f} MiB"


# --- item 6: the time budget covers whole answers ---------------------------------------------------


@pytest.mark.parametrize(
    "interval",
    [
        pytest.param(0.5, id="each-read-is-quick"),  # the deadline checked between chunks
        pytest.param(30.0, id="one-read-outlasts-the-budget"),  # each read's timeout clipped to the time left
    ],
)
def test_a_trickling_body_ends_the_run_within_its_time_budget(tmp_path: Path, interval: float) -> None:
    budget, slack = 2.0, 1.5
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        with Emulator(EmulatorOptions(customers=12, faults=Faults(trickle=interval))) as emu:
            settings = emulator_settings(emu, tmp_path, time_budget=budget)
            started = time.monotonic()
            running = pool.submit(collect, settings, retry_policy=FAST)
            try:
                error = running.exception(timeout=budget + slack)
            except FutureTimeout:
                pytest.fail(f"the run was still going {budget + slack} s into a time budget of {budget} s")
            elapsed = time.monotonic() - started
    finally:
        pool.shutdown()  # once the emulator has stopped, which ends any trickle
    # The trickle would take several minutes: the budget stopped it, not the end of the body.
    assert elapsed < budget + slack
    assert isinstance(error, GraphError), error
    text = str(error)
    assert f"GET {INSIGHTS}" in text
    assert "time budget of 2 s ran out" in text
    assert "client-request-id " in text
    assert "request-id none" not in text  # the answer had begun: its id is known
    assert "read_timeout" not in text
    assert "raise [graph] time_budget" in text


# --- item 19: a redirect is not "invalid JSON" ------------------------------------------------------


def test_a_redirect_is_named_with_where_it_points(tmp_path: Path) -> None:
    faults = Faults(redirect="https://portal.example.net/login?from=graph")
    with Emulator(EmulatorOptions(customers=5, faults=faults)) as emu:
        error = graph_error(emu, tmp_path)
    text = str(error)
    assert "Graph answered with a redirect (HTTP 302 to portal.example.net/login" in text
    assert "JSON" not in text
    assert error.hint is not None
    assert "graph_url" in error.hint
    assert "proxy" in error.hint
    assert "client-request-id " in text


# --- a stopped run stops, even while a server trickles ---------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_collect_while_a_server_trickles(tmp_path: Path, signum: int) -> None:
    """Unwinding waits for the collection threads; the grace period ends a read that never would."""
    from reporter.cli import STOP_GRACE

    with Emulator(EmulatorOptions(customers=12, faults=Faults(trickle=3.0))) as emu:
        env = {**os.environ, **emulator_env(emu, tmp_path)}
        out = tmp_path / "snap.json"
        process = subprocess.Popen(
            [sys.executable, "-m", "reporter", "collect", "--out", str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not emu.stats.body_bytes.get(INSIGHTS) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert emu.stats.body_bytes.get(INSIGHTS), "the trickle never began"
            stopped = time.monotonic()
            process.send_signal(signum)
            try:
                _, stderr = process.communicate(timeout=STOP_GRACE + 20)
            except subprocess.TimeoutExpired:
                pytest.fail(f"collect was still running {STOP_GRACE + 20:g} s after {signal.Signals(signum).name}")
            elapsed = time.monotonic() - stopped
        finally:
            process.kill()
            process.communicate()
    assert process.returncode != 0
    assert elapsed < STOP_GRACE + 10, elapsed  # the trickle alone would go on for minutes
    assert "Traceback" not in stderr
    assert not out.exists()
