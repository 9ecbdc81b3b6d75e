"""Output folders: replaced only when provably ours, one writer at a time, and honest about paths that cannot be."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reporter.atomic import check_output_file, write_bytes
from reporter.cli import cli
from reporter.errors import OutputError
from reporter.manifest import document_bytes, manifest_self_hash

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "samples" / "northwind-partners" / "snapshot.json"
SMALL = ROOT / "samples" / "edge-zero-users" / "snapshot.json"


def reporter(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("reporter: error: ")
    return lines[0]


def snapshot_of(folder: Path) -> dict[str, bytes]:
    """Every entry under ``folder`` (hidden ones too) with its bytes; folders map to b"/"."""
    return {
        p.relative_to(folder).as_posix(): (b"/" if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An earlier render of the small sample, summary only (copied by each test that changes it)."""
    out = tmp_path_factory.mktemp("earlier") / "out"
    result = reporter("render", SMALL, "--out", out, "--no-customer-reports")
    assert result.exit_code == 0, result.output
    return out


def copy_of(earlier: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(earlier, tmp_path / "out"))


# --- item 1: a folder is replaced only when provably ours ------------------------------------------


def test_a_web_app_folder_with_a_manifest_json_is_not_wiped(tmp_path: Path) -> None:
    app = tmp_path / "webapp"
    (app / "static").mkdir(parents=True)
    (app / "manifest.json").write_text('{"name": "My PWA", "start_url": "/"}')
    (app / "index.html").write_text("<html></html>")
    (app / "static" / "app.js").write_text("console.log(1)")
    before = snapshot_of(app)
    line = one_line_error(reporter("render", SMALL, "--out", app, "--no-customer-reports"))
    assert "is not a folder reporter wrote" in line
    assert snapshot_of(app) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["webapp"]  # not even a lock file beside it


@pytest.mark.parametrize(
    "extra", [".env", "notes.txt", "customers/notes.txt", "sub/deep/file.bin"], ids=["hidden", "top", "in-ours", "deep"]
)
def test_an_earlier_render_with_one_file_more_is_not_replaced(earlier: Path, tmp_path: Path, extra: str) -> None:
    out = copy_of(earlier, tmp_path)
    (out / extra).parent.mkdir(parents=True, exist_ok=True)
    (out / extra).write_text("the user's own")
    before = snapshot_of(out)
    line = one_line_error(reporter("render", SMALL, "--out", out, "--no-customer-reports"))
    assert "is not a folder reporter wrote" in line
    assert extra.split("/")[0] in line
    assert snapshot_of(out) == before


def test_a_listed_file_changed_since_it_was_written_is_not_replaced(earlier: Path, tmp_path: Path) -> None:
    """A workbook the partner annotated is listed in the manifest, but it is theirs now."""
    out = copy_of(earlier, tmp_path)
    with (out / "workbook.xlsx").open("ab") as handle:
        handle.write(b"the partner's notes")
    before = snapshot_of(out)
    line = one_line_error(reporter("render", SMALL, "--out", out, "--no-customer-reports"))
    assert "workbook.xlsx was changed since reporter wrote it" in line
    assert snapshot_of(out) == before


def test_a_manifest_that_is_not_byte_for_byte_ours_is_not_trusted(earlier: Path, tmp_path: Path) -> None:
    out = copy_of(earlier, tmp_path)
    document = json.loads((out / "manifest.json").read_bytes())
    document["manifestVersion"] = 99  # someone else's schema, with a self-hash that checks out
    document["manifestSha256"] = manifest_self_hash(document)
    (out / "manifest.json").write_bytes(document_bytes(document))
    before = snapshot_of(out)
    assert "is not a folder reporter wrote" in one_line_error(reporter("render", SMALL, "--out", out))
    assert snapshot_of(out) == before
    document["manifestVersion"] = 1
    (out / "manifest.json").write_bytes(document_bytes(document))  # self-hash no longer checks out
    assert "is not a folder reporter wrote" in one_line_error(reporter("render", SMALL, "--out", out))


def test_an_earlier_render_and_an_empty_folder_are_replaced(earlier: Path, tmp_path: Path) -> None:
    out = copy_of(earlier, tmp_path)
    result = reporter("render", SMALL, "--out", out, "--no-customer-reports")
    assert result.exit_code == 0, result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert reporter("render", SMALL, "--out", empty, "--no-customer-reports").exit_code == 0
    assert reporter("verify", empty).exit_code == 0


# --- item 3: one render at a time, each with its own staging folder ---------------------------------


def test_two_renders_into_one_folder_one_refused_and_the_result_verifies(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "reporter", "render", str(MAIN), "--out", str(out), "--workers", "1"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.*.partial/customers/*.pdf")) and time.monotonic() < deadline:
        assert first.poll() is None, first.communicate()
        time.sleep(0.02)
    second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    _first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 1, second.stderr
    assert second.stderr.strip().splitlines() == [
        f"reporter: error: another reporter is writing to {out} (wait for it to finish, or give another --out)"
    ]
    verified = reporter("verify", out)
    assert verified.exit_code == 0, verified.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]  # no staging folder left


def test_a_killed_render_s_staging_is_cleaned_but_not_a_sibling_s(earlier: Path, tmp_path: Path) -> None:
    out = copy_of(earlier, tmp_path)
    ours = tmp_path / ".out.k3x9_q2a.partial"
    (ours / "customers").mkdir(parents=True)
    (ours / "customers" / "half.pdf").write_bytes(b"%PDF-")
    sibling = tmp_path / ".out.x.k3x9_q2a.partial"  # the staging of a folder named "out.x"
    sibling.mkdir()
    user = tmp_path / ".out.partial.keep"
    user.mkdir()
    result = reporter("render", SMALL, "--out", out, "--no-customer-reports")
    assert result.exit_code == 0, result.output
    assert not ours.exists()
    assert sibling.is_dir()
    assert user.is_dir()


# --- item 19: an output path that cannot be written is named for what it is -------------------------


def test_a_kernel_file_is_not_a_place_to_write(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="kernel's proc file system"):
        write_bytes(Path("/proc/version"), b"{}")
    env = {
        "REPORTER_TENANT_ID": "6f1c7e2a-3b5d-4c8e-9a0f-1d2e3f4a5b6c",
        "REPORTER_CLIENT_ID": "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a",
        "REPORTER_CLIENT_SECRET": "not-used",
        "REPORTER_AUTHORITY_URL": "https://127.0.0.1:9",
    }
    collected = CliRunner().invoke(cli, ["collect", "--out", "/proc/version"], env=env)
    line = one_line_error(collected)
    assert "proc file system" in line
    assert "No such file or directory" not in line
    rendered = one_line_error(reporter("render", SMALL, "--out", "/proc/reporter-out"))
    assert "proc file system" in rendered


def test_a_path_under_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OutputError, match=r"inside a file, not a folder \(.*a-file is a file\)"):
        check_output_file(tmp_path / "a-file" / "deeper" / "snapshot.json")
    line = one_line_error(reporter("render", SMALL, "--out", tmp_path / "a-file" / "out"))
    assert "inside a file, not a folder" in line


def test_a_read_only_folder_says_permission_denied(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root may write into a read-only folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(OutputError, match="permission denied"):
        check_output_file(locked / "snapshot.json")
