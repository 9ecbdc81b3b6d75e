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
    assert not list(tmp_path.glob(".out.*"))


def test_render_refuses_a_folder_holding_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["render", str(SMALL), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "did not write" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
