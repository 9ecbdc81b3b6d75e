"""Odd command-line input gets a one-line answer: an empty period, a FIFO where a PDF or an archive should be."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reporter.cli import cli


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("REPORTER_")]:
        monkeypatch.delenv(name)


def one_line_error(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 1, stderr  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return str(lines[0])


def test_an_empty_period_is_not_taken_for_this_month(tmp_path: Path) -> None:
    line = one_line_error(CliRunner().invoke(cli, ["run", "--period", "", "--out", "out"]))
    assert "period '' is not a month of the form YYYY-MM" in line
    assert not (tmp_path / "out").exists()


def test_a_fifo_given_to_verify_or_history_is_named(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "report.pdf")
    assert "report.pdf: is a FIFO (named pipe), not a file" in one_line_error(
        CliRunner().invoke(cli, ["verify", "report.pdf"])
    )
    assert "report.pdf: is not a folder" in one_line_error(
        CliRunner().invoke(cli, ["history", "--archive", "report.pdf"])
    )
