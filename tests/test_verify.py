"""`reporter verify` on a run folder: one changed byte anywhere, files added or removed, bad paths.

Each test works on its own copy of the second month from the shared two-month run
(tests/test_run.py). That a fresh folder verifies clean, and the checks of the
data embedded in each PDF, are in tests/test_evidence_pdf.py: they need the
PDF/A evidence in the PDFs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import Result

from reporter.manifest import document_bytes, manifest_self_hash
from reporter.verify import verify
from tests.test_run import SECOND_MONTH, TwoMonths, manifest_files, reporter, two_month_run


@pytest.fixture(scope="session")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> TwoMonths:
    return two_month_run(tmp_path_factory)


@pytest.fixture
def folder(two_months: TwoMonths, tmp_path: Path) -> Path:
    """A copy of the second month's run folder, free to damage."""
    return Path(shutil.copytree(two_months.folder(SECOND_MONTH), tmp_path / SECOND_MONTH))


def mismatches(result: Result) -> set[str]:
    return {line.removeprefix("MISMATCH ") for line in result.output.splitlines() if line.startswith("MISMATCH ")}


def flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def first_customer_pdf(folder: Path) -> str:
    return sorted(p for p in manifest_files(folder) if p.startswith("customers/"))[0]


def first_customer_message(folder: Path) -> str:
    return sorted(p for p, e in manifest_files(folder).items() if e["kind"] == "customer-message")[0]


TARGETS = ["summary.pdf", "customer PDF", "workbook.xlsx", "manifest.json", "snapshot.json"]
MESSAGES = ["customer message", "messages/summary.json"]


@pytest.mark.parametrize("target", TARGETS + MESSAGES)
def test_one_changed_byte_is_a_mismatch_naming_the_file(folder: Path, target: str) -> None:
    pick = {"customer PDF": first_customer_pdf, "customer message": first_customer_message}
    name = pick[target](folder) if target in pick else target
    before = mismatches(reporter("verify", folder))
    flip_middle_byte(folder / name)
    result = reporter("verify", folder)
    assert result.exit_code == 1, result.output
    new = mismatches(result) - before
    assert any(line.startswith(f"{name}: ") for line in new), new
    if name != "manifest.json":  # a changed manifest entry may also make its file mismatch
        assert all(line.startswith(f"{name}: ") for line in new), new
    assert "problem(s) found" in result.output


def test_a_change_the_manifest_s_own_hash_cannot_see_is_still_found(folder: Path) -> None:
    """Indentation is not part of the self-hash, but a changed byte is a changed file."""
    path = folder / "manifest.json"
    before = mismatches(reporter("verify", folder))
    path.write_bytes(path.read_bytes().replace(b'\n  "period"', b'\n \t"period"', 1))
    assert json.loads(path.read_bytes())["manifestSha256"] == manifest_self_hash(json.loads(path.read_bytes()))
    result = reporter("verify", folder)
    assert result.exit_code == 1
    assert mismatches(result) - before == {"manifest.json: not byte for byte as reporter wrote it (it was changed)"}


def test_added_and_removed_files_are_reported(folder: Path) -> None:
    before = mismatches(reporter("verify", folder))
    removed = first_customer_pdf(folder)
    (folder / removed).unlink()
    (folder / "customers" / "extra.pdf").write_bytes(b"%PDF-1.7\n")
    (folder / "notes.txt").write_text("added later")
    result = reporter("verify", folder)
    assert result.exit_code == 1
    assert mismatches(result) - before == {
        f"{removed}: listed in the manifest but missing",
        "customers/extra.pdf: not listed in the manifest",
        "notes.txt: not listed in the manifest",
    }


def test_a_manifest_cannot_send_verify_outside_the_folder(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("not part of the run")
    path = folder / "manifest.json"
    document = json.loads(path.read_bytes())
    document["files"].append({"path": "../outside.txt", "kind": "snapshot", "sha256": "0" * 64})
    document["manifestSha256"] = manifest_self_hash(document)
    path.write_bytes(document_bytes(document))
    problems = verify(folder).problems
    assert "manifest.json: lists '../outside.txt', which is not a file of this folder" in problems


@pytest.mark.parametrize("content", [b"", b"not json", b"[]", b'{"files": 3}'], ids=["empty", "text", "list", "bad"])
def test_a_manifest_that_is_not_one_is_one_mismatch(folder: Path, content: bytes) -> None:
    (folder / "manifest.json").write_bytes(content)
    result = reporter("verify", folder)
    assert result.exit_code == 1
    assert len(mismatches(result)) == 1
    assert next(iter(mismatches(result))).startswith("manifest.json: ")


def damage_positions(data: bytes) -> list[int]:
    """Bytes spread over the file, the header of its first object stream and its tail.

    A changed byte in an object stream's header makes pypdf raise TypeError,
    AssertionError, NotImplementedError or AttributeError, not only its own errors.
    """
    spread = range(0, len(data), max(1, len(data) // 24))
    header = data.find(b"/Type /ObjStm")
    near = range(max(0, header - 20), header + 100, 2) if header >= 0 else range(0)
    tail = range(max(0, len(data) - 60), len(data), 2)
    return sorted({*spread, *near, *tail})


def test_a_damaged_pdf_is_never_a_crash(folder: Path) -> None:
    """On its own a PDF can only be checked against the data it carries (a changed byte elsewhere
    needs the manifest to be seen), but however damaged, checking it reports and never raises."""
    path = folder / first_customer_pdf(folder)
    original = path.read_bytes()
    for position in damage_positions(original):
        damaged = bytearray(original)
        damaged[position] ^= 0x01
        path.write_bytes(bytes(damaged))
        problems = verify(path).problems
        assert all(p.startswith(f"{path.name}: ") for p in problems), problems
    path.write_bytes(original[: len(original) // 3])
    assert [p for p in verify(path).problems if "cannot be read as a PDF" in p or "no embedded data" in p]


@pytest.mark.parametrize("what", ["missing file", "folder without manifest"])
def test_a_bad_path_is_a_one_line_error(tmp_path: Path, what: str) -> None:
    path = tmp_path / "nothing-here.pdf"
    if what == "folder without manifest":
        path = tmp_path / "empty"
        path.mkdir()
    result = reporter("verify", path)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("reporter: error: ")
    assert str(path) in lines[0]


def swap_two(folder: Path, kind: str, *, tenants_too: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """Swap the first two files of ``kind`` and make the manifest's hashes (and, if asked, tenant ids) agree."""
    path = folder / "manifest.json"
    document = json.loads(path.read_bytes())
    first, second = sorted((e for e in document["files"] if e["kind"] == kind), key=lambda e: e["path"])[:2]
    a, b = (folder / first["path"]).read_bytes(), (folder / second["path"]).read_bytes()
    (folder / first["path"]).write_bytes(b)
    (folder / second["path"]).write_bytes(a)
    first["sha256"], second["sha256"] = second["sha256"], first["sha256"]
    if tenants_too:
        first["tenantId"], second["tenantId"] = second["tenantId"], first["tenantId"]
    document["manifestSha256"] = manifest_self_hash(document)
    path.write_bytes(document_bytes(document))
    return dict(first), dict(second)


def test_two_customers_pdfs_swapped_with_consistent_hashes_are_caught(folder: Path) -> None:
    """Only the tenant check can see this: every hash in the manifest and in the PDFs matches."""
    first, second = swap_two(folder, "customer-pdf")
    result = reporter("verify", folder)
    assert result.exit_code == 1, result.output
    assert mismatches(result) == {
        f"{first['path']}: holds the data of {second['tenantId'].lower()}, not of tenant {first['tenantId']} "
        "the manifest names",
        f"{second['path']}: holds the data of {first['tenantId'].lower()}, not of tenant {second['tenantId']} "
        "the manifest names",
    }


def test_two_customers_workbooks_swapped_with_consistent_hashes_are_caught(tmp_path: Path) -> None:
    from reporter import snapshot as snapshot_io
    from reporter.render.brand_config import default_brand
    from reporter.render.options import RenderOptions
    from reporter.render.run import render_all

    snap = snapshot_io.load(Path(__file__).resolve().parent.parent / "samples" / "edge-zero-users" / "snapshot.json")
    folder = tmp_path / "out"
    render_all(snap, folder, default_brand(), RenderOptions(customer_reports=False, customer_workbooks=True))
    assert verify(folder).ok
    first, second = swap_two(folder, "customer-workbook")
    assert set(verify(folder).problems) == {
        f"{first['path']}: is the workbook of {second['tenantId'].lower()}, not of tenant {first['tenantId']}",
        f"{second['path']}: is the workbook of {first['tenantId'].lower()}, not of tenant {second['tenantId']}",
    }


def test_two_customers_messages_swapped_with_consistent_hashes_are_caught(folder: Path) -> None:
    """A message names its tenant: one swapped with another customer's names the other."""
    first, second = swap_two(folder, "customer-message")
    result = reporter("verify", folder)
    assert result.exit_code == 1, result.output
    assert mismatches(result) == {
        f"{first['path']}: names tenant {second['tenantId']}, not only tenant {first['tenantId']} the manifest names",
        f"{second['path']}: names tenant {first['tenantId']}, not only tenant {second['tenantId']} the manifest names",
    }


@pytest.mark.parametrize("kind", ["customer-pdf", "customer-message"])
def test_swapped_files_with_their_tenant_ids_swapped_too_are_caught_by_their_names(folder: Path, kind: str) -> None:
    """Every hash and every tenant id in the manifest agrees with the files: only the names give the swap away."""
    swap_two(folder, kind, tenants_too=True)
    result = reporter("verify", folder)
    assert result.exit_code == 1, result.output
    problems = mismatches(result)
    assert len(problems) == 2, problems
    assert all(" whose file is " in p for p in problems), problems


def test_a_folder_with_no_archive_beside_it_says_the_archive_was_not_checked(folder: Path) -> None:
    result = reporter("verify", folder)
    assert result.exit_code == 0, result.output
    assert "NOT CHECKED no archive beside" in result.output
