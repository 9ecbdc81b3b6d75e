"""The process pool of customer reports: no worker outlives a render that is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_run_kill import processes_naming

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"


@pytest.mark.skipif(not SAMPLE.is_file() or sys.platform != "linux", reason="needs the main sample, on Linux")
def test_workers_die_with_a_render_killed_by_sigkill(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "reporter", "render", str(SAMPLE), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "customers").glob("*.pdf"))) < 2:
            assert process.poll() is None, "the render ended before the pool got going"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 1.5
        while (left := processes_naming(str(out))) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == []
    finally:
        if process.poll() is None:
            process.kill()
        for pid in processes_naming(str(out)):  # orphans of the render this test started
            os.kill(pid, signal.SIGKILL)
