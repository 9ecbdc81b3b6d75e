"""`reporter render` on every sample, and its one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from reporter import snapshot as snapshot_io
from reporter.cli import cli
from tests.test_pdf_reports import built_sample, contains, pdf_text, squash

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "samples" / "northwind-partners" / "snapshot.json"
SAMPLES = sorted(p for p in (ROOT / "samples").glob("*/snapshot.json") if p != MAIN)
"""Every sample but the main one, which tests/test_pdf_reports.py renders through the CLI once per session."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("built") / "snapshot.json"
    path.write_bytes(snapshot_io.dumps(built_sample()))
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("reporter: error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.parent.name for p in SAMPLES])
def test_render_writes_every_document_for_each_sample(sample: Path, tmp_path: Path) -> None:
    snap = snapshot_io.load(sample)
    result = run("render", sample, "--out", tmp_path, "--workers", "2")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    kinds = [e["kind"] for e in manifest["files"]]
    assert kinds.count("summary-pdf") == 1
    assert kinds.count("snapshot") == 1
    assert kinds.count("customer-pdf") == len(snap.customers)
    assert (tmp_path / "snapshot.json").read_bytes() == snapshot_io.dumps(snap)
    assert pypdf.PdfReader(tmp_path / "summary.pdf").pages
    files = {e["tenantId"]: tmp_path / e["path"] for e in manifest["files"] if e["kind"] == "customer-pdf"}
    for customer in snap.customers:
        text = squash(pdf_text(files[customer.tenant_id]))
        assert squash(customer.tenant_id) in text
        if customer.display_name and customer.display_name.isprintable():
            # markup, quotes and formula-like names print as they are
            assert contains(text, customer.display_name), customer.display_name


def test_render_of_a_hand_made_snapshot_writes_summary_customers_and_manifest(built: Path, tmp_path: Path) -> None:
    result = run("render", built, "--out", tmp_path, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "manifest.json" in result.output
    assert (tmp_path / "summary.pdf").is_file()
    assert len(list((tmp_path / "customers").glob("*.pdf"))) == len(snapshot_io.load(built).customers)


def test_no_customer_reports_writes_the_summary_only(built: Path, tmp_path: Path) -> None:
    result = run("render", built, "--out", tmp_path, "--no-customer-reports")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "customers").exists() or not any((tmp_path / "customers").glob("*.pdf"))
    kinds = {e["kind"] for e in json.loads((tmp_path / "manifest.json").read_text())["files"]}
    assert "customer-pdf" not in kinds
    assert "summary-pdf" in kinds


def test_a_brand_file_brands_the_documents(built: Path, tmp_path: Path) -> None:
    brand = tmp_path / "brand.toml"
    brand.write_text('[brand]\nname = "Contoso Cloud Services"\nprimary_colour = "#5B2A86"\n')
    result = run("render", built, "--out", tmp_path / "out", "--brand", brand, "--no-customer-reports")
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(tmp_path / "out" / "summary.pdf")
    assert reader.metadata is not None
    assert reader.metadata.author == "Contoso Cloud Services"
    assert "Contoso Cloud Services" in reader.pages[0].extract_text()


def test_an_output_folder_that_cannot_be_made_is_a_one_line_error(built: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    line = one_line_error(run("render", built, "--out", blocker / "out"))
    assert "cannot write" in line


def test_a_missing_snapshot_is_a_one_line_error(tmp_path: Path) -> None:
    line = one_line_error(run("render", tmp_path / "nope.json", "--out", tmp_path / "out"))
    assert "no such file" in line
    assert not (tmp_path / "out").exists()


def test_a_bad_brand_is_a_one_line_error(built: Path, tmp_path: Path) -> None:
    brand = tmp_path / "brand.toml"
    brand.write_text('[brand]\nprimary_colour = "blue"\n')
    line = one_line_error(run("render", built, "--out", tmp_path / "out", "--brand", brand))
    assert "#RRGGBB" in line


def test_workers_must_be_positive(built: Path, tmp_path: Path) -> None:
    result = run("render", built, "--out", tmp_path, "--workers", "0")
    assert result.exit_code == 2


def test_help_documents_every_option() -> None:
    result = run("render", "--help")
    for option in ("--out", "--brand", "--config", "--no-customer-reports", "--customer-workbooks", "--workers"):
        assert option in result.output


def test_a_logo_that_points_elsewhere_is_refused_and_fetches_nothing(built: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    Image.new("RGB", (7, 3), "#FF0000").save(secret)  # a size no chart or logo of ours has
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
        f'<image href="{secret.as_uri()}" width="10" height="10"/>'
        '<image xlink:href="http://127.0.0.1:9/tracker.png" width="10" height="10"/>'
        '<rect width="10" height="4" fill="#123456"/></svg>'
    )
    brand = tmp_path / "brand.toml"
    brand.write_text('[brand]\nname = "Logo Test"\nlogo = "logo.svg"\n')
    result = run("render", built, "--out", tmp_path / "out", "--brand", brand, "--no-customer-reports")
    assert result.exit_code == 1  # refused when the brand is read, before anything is rendered or fetched
    assert "logo.svg links to" in result.output
    assert "outside the file" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_render_leaves_no_temporary_files_behind(built: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "reporter", "render", str(built), "--out", str(tmp_path / "out"), "--workers", "2"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "out" / "customers").glob("*.pdf"))) >= 12  # enough for the process pool
    assert list(scratch.iterdir()) == []


def test_a_worker_that_cannot_write_is_a_one_line_error(built: Path, tmp_path: Path) -> None:
    # `reporter render` renders into a fresh folder of its own, so the library is asked directly.
    from reporter import snapshot as snapshot_io
    from reporter.errors import OutputError
    from reporter.render.brand_config import default_brand
    from reporter.render.options import RenderOptions
    from reporter.render.run import render_all

    out = tmp_path / "out"
    out.mkdir()
    (out / "customers").write_text("a file where the customers folder should be")
    with pytest.raises(OutputError) as caught:
        render_all(snapshot_io.load(built), out, default_brand(), RenderOptions(workers=2))
    line = str(caught.value)
    assert "\n" not in line
    assert "cannot write" in line
    assert "customers" in line
