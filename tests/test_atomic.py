"""Outputs appear whole or not at all, and never replace what is not ours."""

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from reporter.atomic import write_bytes
from reporter.cli import cli
from reporter.errors import OutputError

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "samples" / "northwind-partners" / "snapshot.json"
SMALL = ROOT / "samples" / "edge-zero-users" / "snapshot.json"


def test_a_symbolic_link_or_folder_is_never_replaced_by_a_written_file(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    with pytest.raises(OutputError, match="is not a regular file"):
        write_bytes(link, b"{}")
    assert link.is_symlink()
    assert target.read_text() == "keep me"
    with pytest.raises(OutputError, match="is not a regular file"):
        write_bytes(tmp_path, b"{}")


def test_a_pipe_is_refused_and_collect_checks_its_output_before_signing_in(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(OutputError, match="is not a regular file"):
        write_bytes(pipe, b"{}")
    env = {
        "REPORTER_TENANT_ID": "6f1c7e2a-3b5d-4c8e-9a0f-1d2e3f4a5b6c",
        "REPORTER_CLIENT_ID": "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a",
        "REPORTER_CLIENT_SECRET": "not-used",
        "REPORTER_AUTHORITY_URL": "https://127.0.0.1:9",  # nothing listens: a request would fail otherwise
    }
    result = CliRunner().invoke(cli, ["collect", "--out", str(pipe)], env=env)
    assert result.exit_code == 1
    assert "is not a regular file" in result.output
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


def test_render_replaces_an_earlier_render_whole_leaving_no_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(cli, ["render", str(MAIN), "--out", str(out), "--workers", "1"])
    assert first.exit_code == 0, first.output
    assert len(list((out / "customers").glob("*.pdf"))) > 10
    second = runner.invoke(cli, ["render", str(SMALL), "--out", str(out), "--workers", "1"])
    assert second.exit_code == 0, second.output
    verified = runner.invoke(cli, ["verify", str(out)])
    assert verified.exit_code == 0, verified.output
    assert [p.name for p in tmp_path.glob(".out.*")] == [".out.lock"]  # the lock file stays, no staging


def test_render_refuses_a_folder_holding_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["render", str(SMALL), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a folder reporter wrote (it has no manifest.json)" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_render_stopped_with_sigterm_leaves_nothing_half_made(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "reporter", "render", str(MAIN), "--out", str(out), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while (
        not list(tmp_path.glob(".out.*.partial/customers")) and process.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.glob(".out.*.partial")) == []
    assert not out.exists()


def test_history_of_a_missing_archive_and_a_period_not_begun_are_clear_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["history", "--archive", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1
    assert "no such archive folder" in missing.output
    env = {
        "REPORTER_TENANT_ID": "6f1c7e2a-3b5d-4c8e-9a0f-1d2e3f4a5b6c",
        "REPORTER_CLIENT_ID": "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a",
        "REPORTER_CLIENT_SECRET": "not-used",
    }
    future = runner.invoke(cli, ["run", "--period", "2999-01", "--out", str(tmp_path)], env=env)
    assert future.exit_code == 1
    assert "2999-01" in future.output
    ancient = runner.invoke(cli, ["run", "--period", "0001-01", "--out", str(tmp_path)], env=env)
    assert ancient.exit_code == 1
    assert "YYYY-MM" in ancient.output
    assert not list(tmp_path.iterdir())
