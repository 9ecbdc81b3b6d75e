"""The wheel carries templates/ and assets/, and an installed copy finds them from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reporter import __version__

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out), str(ROOT)], cwd=out)
    (built,) = out.glob("reporter-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run([*pip, "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)], cwd=target)
    return target


def elsewhere_env(target: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(target)  # ahead of the development install in the virtualenv
    return env


def test_wheel_carries_templates_and_assets(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("reporter/templates/") for n in names), names
    assert any(n.startswith("reporter/assets/") for n in names), names
    assert "reporter/__main__.py" in names
    assert "reporter/collect/parse.py" in names


def test_wheel_declares_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(entry_points).decode()
    assert "reporter = reporter.cli:main" in text


def test_installed_package_finds_its_resources_from_another_folder(installed: Path, tmp_path: Path) -> None:
    code = (
        "import json, reporter, reporter.resources as r;"
        "print(json.dumps({'file': reporter.__file__, 'templates': str(r.templates_dir()),"
        " 'assets': str(r.assets_dir()), 'ok': r.templates_dir().is_dir() and r.assets_dir().is_dir()}))"
    )
    done = run([sys.executable, "-c", code], cwd=tmp_path, env=elsewhere_env(installed))
    found = json.loads(done.stdout)
    assert Path(found["file"]).is_relative_to(installed)
    assert Path(found["templates"]) == installed / "reporter" / "templates"
    assert Path(found["assets"]) == installed / "reporter" / "assets"
    assert found["ok"] is True


def test_installed_python_dash_m_reporter_version(installed: Path, tmp_path: Path) -> None:
    done = run([sys.executable, "-m", "reporter", "--version"], cwd=tmp_path, env=elsewhere_env(installed))
    assert done.stdout.strip() == f"reporter {__version__}"


def test_installed_console_script_version(installed: Path, tmp_path: Path) -> None:
    script = installed / "bin" / "reporter"
    assert script.is_file()
    done = run([str(script), "--version"], cwd=tmp_path, env=elsewhere_env(installed))
    assert done.stdout.strip() == f"reporter {__version__}"
