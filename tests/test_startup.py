"""Commands that render nothing start without the heavy libraries (a structural test, not a timed one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"
HEAVY = ("weasyprint", "matplotlib", "openpyxl", "msal", "httpx", "pypdf", "jinja2", "rich")
"""Imported only by the commands that collect, render or check PDFs."""

# Runs the command as `reporter` would, then prints which heavy libraries it imported.
PROBE = """
import json, sys
from reporter.cli import cli
try:
    cli(sys.argv[1:], prog_name="reporter")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def imported(args: list[str | Path], cwd: Path, modules: tuple[str, ...] = HEAVY) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTER_")}
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=modules), *(str(a) for a in args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["validate", SAMPLE],
        ["schema"],
        ["history", "--archive", "."],
        ["collect", "--config", "bad.toml", "--out", "snap.json"],
        ["render", SAMPLE, "--config", "bad.toml", "--out", "out"],
        ["run", "--config", "bad.toml"],
        ["run", "--period", "2999-01"],
        ["render", SAMPLE],
    ],
    ids=lambda args: " ".join(str(a) for a in args).replace(str(SAMPLE), "SAMPLE"),
)
def test_commands_that_render_nothing_import_no_heavy_library(tmp_path: Path, args: list[str | Path]) -> None:
    (tmp_path / "bad.toml").write_text("[grahp]\n", encoding="utf-8")
    assert imported(args, tmp_path) == []


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The test above could fail: `reporter verify` does import pypdf."""
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7\n")
    assert "pypdf" in imported(["verify", tmp_path / "x.pdf"], tmp_path)


def test_reporter_help_lists_emulate_without_importing_the_emulator(tmp_path: Path) -> None:
    assert "reporter.emulator" not in imported(["--help"], tmp_path, modules=("reporter.emulator",))


def test_the_emulate_command_is_the_real_one_when_it_runs() -> None:
    from click.testing import CliRunner

    from reporter.cli import EMULATE_HELP, cli
    from reporter.cli._base import LazyCommand

    stub = cli.commands["emulate"]
    real = stub.real() if isinstance(stub, LazyCommand) else stub
    assert real.get_short_help_str(200) == EMULATE_HELP  # the listing says what the command says
    result = CliRunner().invoke(cli, ["emulate", "--help"])
    assert result.exit_code == 0, result.output
    assert "--rate-429" in result.output
    result = CliRunner().invoke(cli, ["emulate", "--port", "99999"])
    assert result.exit_code == 2
    assert "99999" in result.output
