"""``reporter demo``: months of the emulator's timeline archived, the last rendered and sent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def reporter(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reporter", *(str(a) for a in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_the_demo_archives_its_months_renders_the_last_and_earlier_ones_render_from_the_archive(
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo"
    done = reporter("demo", "--months", "3", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 months archived, 2026-09 to 2026-11" in done.stdout
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("2026")) == ["2026-11"]
    history = reporter("history", "--archive", out / "archive", cwd=tmp_path)
    assert [line.split()[0] for line in history.stdout.splitlines()[1:]] == ["2026-09", "2026-10", "2026-11"]
    again = reporter("run", "--period", "2026-09", "--out", out, "--archive", out / "archive", cwd=tmp_path)
    assert again.returncode in (0, 2), again.stderr
    assert "snapshot from the archive" in again.stdout
    checked = reporter("verify", out / "2026-09", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("months", ["0", "13"])
def test_the_demo_refuses_months_it_cannot_archive(tmp_path: Path, months: str) -> None:
    done = reporter("demo", "--months", months, "--out", tmp_path / "demo", cwd=tmp_path)
    assert done.returncode == 2
    assert "--months" in done.stderr
    assert not (tmp_path / "demo").exists()
