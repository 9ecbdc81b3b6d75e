"""Files the user names are regular files: a FIFO, a folder, a device or a socket is refused at once, by kind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.errors import ConfigError, DataError
from reporter.files import check_regular_file, read_regular_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"
TIMEOUT = 60
"""Seconds a command may take to refuse a path; one that blocks on a FIFO never ends by itself."""


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        yield path


def reporter(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``reporter ARGS`` in a subprocess: if it blocked, the timeout ends the test instead of hanging it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REPORTER_")}
    return subprocess.run(
        [sys.executable, "-m", "reporter", *(str(a) for a in args)],
        cwd=cwd,
        env={**clean, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_a_regular_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"x = 1\n")
    assert read_regular_file(path, "config file", 100) == b"x = 1\n"
    link = tmp_path / "link.toml"
    link.symlink_to(path)
    assert read_regular_file(link, "config file", 100) == b"x = 1\n"


def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo: Path) -> None:
    with pytest.raises(ConfigError, match=r"^config file .*pipe.toml: is a FIFO \(named pipe\), not a file"):
        read_regular_file(fifo, "config file", 100)
    link = fifo.parent / "link.toml"
    link.symlink_to(fifo)
    with pytest.raises(ConfigError, match="is a FIFO"):
        read_regular_file(link, "config file", 100)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "is a folder, not a file"),
        (lambda tmp: Path("/dev/null"), "is a device, not a file"),
        (lambda tmp: Path("/dev/zero"), "is a device, not a file"),
        (lambda tmp: tmp / "missing.toml", "no such file"),
        (lambda tmp: tmp / "missing" / "x.toml", "no such file"),
    ],
)
def test_each_kind_is_named(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(DataError, match=message) as caught:
        read_regular_file(path, "snapshot", 100, DataError)
    assert str(caught.value).startswith(f"snapshot {path}: ")
    with pytest.raises(DataError, match=message):
        check_regular_file(path, "snapshot", DataError)


def test_a_socket_is_named(unix_socket: Path) -> None:
    with pytest.raises(ConfigError, match="is a socket, not a file"):
        read_regular_file(unix_socket, "customers file", 100)


def test_the_size_read_is_capped_and_the_limit_named(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2049)
    with pytest.raises(ConfigError, match=r"customers file .*big.csv: is larger than 2 KiB"):
        read_regular_file(path, "customers file", 2048)
    path.write_bytes(b"x" * 2048)
    assert len(read_regular_file(path, "customers file", 2048)) == 2048


@pytest.mark.parametrize(
    "args",
    [
        ["collect", "--config", "pipe.toml", "--out", "snap.json"],
        ["render", SAMPLE, "--out", "out", "--config", "pipe.toml"],
        ["render", SAMPLE, "--out", "out", "--brand", "pipe.toml"],
        ["run", "--config", "pipe.toml"],
        ["collect", "--customers-file", "pipe.toml", "--out", "snap.json"],
    ],
    ids=["collect-config", "render-config", "render-brand", "run-config", "customers-file"],
)
def test_commands_refuse_a_fifo_at_once(fifo: Path, args: list[str | Path]) -> None:
    env = {"REPORTER_TENANT_ID": "contoso.onmicrosoft.com", "REPORTER_CLIENT_ID": "x", "REPORTER_CLIENT_SECRET": "y"}
    done = reporter(*args, cwd=fifo.parent, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("reporter: error: "), done.stderr
    assert "pipe.toml: is a FIFO (named pipe), not a file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in fifo.parent.iterdir()) == ["pipe.toml"]  # nothing written


def test_a_folder_as_customers_file_is_not_called_missing(tmp_path: Path) -> None:
    (tmp_path / "names.csv").mkdir()
    env = {"REPORTER_TENANT_ID": "contoso.onmicrosoft.com", "REPORTER_CLIENT_ID": "x", "REPORTER_CLIENT_SECRET": "y"}
    done = reporter("collect", "--customers-file", "names.csv", "--out", "snap.json", cwd=tmp_path, env=env)
    assert done.returncode != 0
    assert "names.csv" in done.stderr
    assert "no such file" not in done.stderr


def test_a_fifo_as_snapshot_manifest_or_logo_is_refused_at_once(tmp_path: Path) -> None:
    """The files other than configuration: a snapshot (validate, render), a run folder's manifest (verify), a logo."""
    os.mkfifo(tmp_path / "snapshot.json")
    for args in (["validate", "snapshot.json"], ["render", "snapshot.json", "--out", "out"]):
        done = reporter(*args, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert "snapshot.json: is a FIFO (named pipe), not a file" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    run = tmp_path / "run"
    run.mkdir()
    os.mkfifo(run / "manifest.json")
    done = reporter("verify", run, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "manifest.json: is a FIFO (named pipe), not a file" in done.stderr
    os.mkfifo(tmp_path / "logo.png")
    (tmp_path / "brand.toml").write_text('[brand]\nlogo = "logo.png"\n', encoding="utf-8")
    done = reporter("render", SAMPLE, "--out", "out", "--brand", "brand.toml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "logo.png: is a FIFO (named pipe), not a file" in done.stderr
    assert not (tmp_path / "out").exists()
