"""`reporter evidence`: audit packs that sha256sum, openssl and pdfsig check without reporter.

One signed render of the northwind sample (ECDSA, PAdES-B-B, customer workbooks) is
shared by every test, across workers; the packs are made with the real command and
checked with the real tools.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pypdf import PdfReader

from reporter.cli import cli
from reporter.manifest import document_bytes, manifest_self_hash
from tests.sign_helpers import SAMPLE, make_pki, signed_render

SAMPLES = SAMPLE.parent.parent
CUSTOMER = "C65AF240-51B1-4248-903D-BA5F902037FA"
"""Lanternfish Media Group, the customer with the most alerts; given in upper case on purpose."""
COLLECTED = (2026, 11, 1, 0, 0, 0)
"""The sample's collection time: the time of every member of its packs."""


@dataclass(frozen=True)
class SignedRun:
    folder: Path
    ca_file: Path
    config: Path
    """A reporter.toml whose [sign] names the certificate the run was signed with."""
    other_config: Path
    """A reporter.toml whose [sign] names another certificate of the same CA."""


@pytest.fixture(scope="session")
def signed_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> SignedRun:
    """The signed run folder, made once for all workers (a lock in the session's shared temporary folder)."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    base = shared / "evidence-pack"
    with (shared / "evidence-pack.lock").open("a") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        if not (base / "done").exists():
            shutil.rmtree(base, ignore_errors=True)
            (base / "run").mkdir(parents=True)
            pki = make_pki(base / "pki")
            signed_render(base / "run" / "2026-11", pki.ecdsa)
            for name, certificate in (("sign.toml", pki.ecdsa), ("other.toml", pki.rsa)):
                (base / name).write_text(f"[sign]\ncertificate = {str(certificate)!r}\n", encoding="utf-8")
            (base / "done").touch()
    return SignedRun(base / "run" / "2026-11", base / "pki" / "ca.pem", base / "sign.toml", base / "other.toml")


def evidence(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["evidence", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@dataclass(frozen=True)
class Pack:
    zip_file: Path
    folder: Path
    """The unzipped top folder."""


def make_pack(out: Path, run: Path, *args: str) -> Pack:
    code, stdout, stderr = evidence(str(run), "--out", str(out), *args)
    assert code == 0, stderr
    assert str(out) in stdout
    unzipped = out.parent / f"{out.stem}-unzipped"
    subprocess.run(["unzip", "-q", str(out), "-d", str(unzipped)], check=True)
    (top,) = unzipped.iterdir()
    return Pack(out, top)


@pytest.fixture(scope="session")
def partner_pack(signed_run: SignedRun, tmp_path_factory: pytest.TempPathFactory) -> Pack:
    return make_pack(tmp_path_factory.mktemp("partner") / "partner.zip", signed_run.folder)


@pytest.fixture(scope="session")
def customer_pack(signed_run: SignedRun, tmp_path_factory: pytest.TempPathFactory) -> Pack:
    out = tmp_path_factory.mktemp("customer") / "customer.zip"
    return make_pack(out, signed_run.folder, "--customer", CUSTOMER, "--config", str(signed_run.config))


@pytest.fixture(params=["partner", "customer"])
def pack(request: pytest.FixtureRequest) -> Pack:
    return request.getfixturevalue(f"{request.param}_pack")  # type: ignore[no-any-return]


def manifest_of(folder: Path) -> dict[str, object]:
    return json.loads((folder / "manifest.json").read_bytes())  # type: ignore[no-any-return]


def files_of(folder: Path) -> list[dict[str, object]]:
    return manifest_of(folder)["files"]  # type: ignore[return-value]


# --- what any auditor runs ---------------------------------------------------------------------------------------


def test_sha256sum_checks_every_file_and_its_lines_are_the_manifests(pack: Pack) -> None:
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=pack.folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = "".join(f"{e['sha256']}  {e['path']}\n" for e in files_of(pack.folder))
    assert (pack.folder / "SHA256SUMS").read_text(encoding="utf-8") == expected
    assert result.stdout.count(": OK\n") == len(files_of(pack.folder))


def test_openssl_verifies_the_manifest_signature_with_the_ca(pack: Pack, signed_run: SignedRun) -> None:
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content", "manifest.json"]
    command += ["-in", "manifest.json.p7s", "-CAfile", str(signed_run.ca_file), "-out", "/dev/null"]
    result = subprocess.run(command, cwd=pack.folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_the_chain_names_the_manifests_signer_first_then_the_root(pack: Pack, signed_run: SignedRun) -> None:
    chain = x509.load_pem_x509_certificates((pack.folder / "signer-chain.pem").read_bytes())
    signature = manifest_of(pack.folder)["signature"]
    assert isinstance(signature, dict)
    assert chain[0].fingerprint(hashes.SHA256()).hex() == signature["certificateSha256"]
    assert chain[-1] == x509.load_pem_x509_certificate(signed_run.ca_file.read_bytes())


def test_the_commands_of_verify_txt_pass_as_written(pack: Pack, signed_run: SignedRun, tmp_path: Path) -> None:
    """Every command VERIFY.txt gives runs in (a copy of) the pack, TRUSTED-CA.pem being the test CA: each passes."""
    folder = shutil.copytree(pack.folder, tmp_path / pack.folder.name)
    lines = (folder / "VERIFY.txt").read_text(encoding="utf-8").splitlines()
    tools = ("sha256sum", "python3", "jq", "openssl", "pdfsig", "head", "for", "pdfdetach")
    ran = []
    for number, line in enumerate(lines):
        if not line.startswith("    ") or line.split()[0] not in tools:
            continue
        command = line[4:].replace("TRUSTED-CA.pem", str(signed_run.ca_file)).replace("python3", sys.executable)
        result = subprocess.run(["sh", "-c", command], cwd=folder, capture_output=True, text=True)
        assert result.returncode == 0, (command, result.stderr)
        assert "FAILED" not in result.stdout
        assert "Signature is Valid" in result.stdout if "pdfsig" in command else True
        if command.startswith("head -c"):  # the line after it is what it must print
            assert result.stdout.strip() == lines[number + 1].strip()
        ran.append(line.split()[0])
    assert {"sha256sum", "openssl", "pdfsig", "head"} <= set(ran)


# --- the partner pack ----------------------------------------------------------------------------------------


def test_the_partner_pack_is_the_run_as_it_is(partner_pack: Pack, signed_run: SignedRun) -> None:
    assert partner_pack.folder.name == "evidence-2026-11"
    listed = {str(e["path"]) for e in files_of(signed_run.folder)}
    for name in (*listed, "manifest.json", "manifest.json.p7s"):
        assert (partner_pack.folder / name).read_bytes() == (signed_run.folder / name).read_bytes(), name
    packed = {p.relative_to(partner_pack.folder).as_posix() for p in partner_pack.folder.rglob("*") if p.is_file()}
    extras = {"manifest.json", "manifest.json.p7s", "signer-chain.pem", "SHA256SUMS", "VERIFY.txt"}
    assert packed == listed | extras


def test_the_same_run_gives_the_same_partner_pack(partner_pack: Pack, signed_run: SignedRun, tmp_path: Path) -> None:
    again = make_pack(tmp_path / "again.zip", signed_run.folder)
    assert again.zip_file.read_bytes() == partner_pack.zip_file.read_bytes()
    with zipfile.ZipFile(partner_pack.zip_file) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {COLLECTED}
    assert {i.external_attr >> 16 for i in infos if not i.is_dir()} == {0o100644}


# --- a customer pack -------------------------------------------------------------------------------------------


def test_pdfsig_says_the_customer_report_in_the_pack_is_valid(customer_pack: Pack) -> None:
    (report,) = customer_pack.folder.glob("customers/*.pdf")
    result = subprocess.run(["pdfsig", str(report)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Signature Validation: Signature is Valid." in result.stdout
    assert "Total document signed" in result.stdout


def test_a_customer_pack_is_that_customers_files_in_a_new_signed_manifest(customer_pack: Pack) -> None:
    folder = customer_pack.folder
    assert folder.name == "evidence-2026-11-lanternfish-media-group-c65af240"
    packed = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    stem = "customers/lanternfish-media-group-c65af240"
    assert packed == {
        f"{stem}.pdf",
        f"{stem}.xlsx",
        "customer-data.json",
        "manifest.json",
        "manifest.json.p7s",
        "signer-chain.pem",
        "SHA256SUMS",
        "VERIFY.txt",
    }
    manifest = manifest_of(folder)
    assert (folder / "manifest.json").read_bytes() == document_bytes(manifest)
    assert manifest["manifestSha256"] == manifest_self_hash(manifest)
    kinds = {str(e["path"]): (e["kind"], e["tenantId"]) for e in files_of(folder)}
    tenant = CUSTOMER.lower()
    assert kinds == {
        f"{stem}.pdf": ("customer-pdf", tenant),
        f"{stem}.xlsx": ("customer-workbook", tenant),
        "customer-data.json": ("customer-data", tenant),
    }
    reader = PdfReader(folder / f"{stem}.pdf")
    (attached,) = reader.attachments["customer-data.json"]
    assert (folder / "customer-data.json").read_bytes() == attached
    assert reader.metadata is not None
    assert hashlib.sha256(attached).hexdigest() == reader.metadata["/ReporterAttachmentSha256"]


def test_nothing_in_a_customer_pack_names_another_customer(customer_pack: Pack) -> None:
    snapshot = json.loads(SAMPLE.read_bytes())
    others = [c for c in snapshot["customers"] if c["tenantId"].lower() != CUSTOMER.lower()]
    assert len(others) == 39
    needles = {c["tenantId"].lower() for c in others}
    needles |= {str(c[key]).lower() for c in others for key in ("displayName", "defaultDomainName") if c.get(key)}
    texts = {"zip comment and member names": _zip_text(customer_pack.zip_file)}
    for path in sorted(p for p in customer_pack.folder.rglob("*") if p.is_file()):
        texts[path.name] = _readable_text(path)
    own = texts["customer-data.json"].lower()
    assert "lanternfish media group" in own  # the reading works: its own name is found
    assert "lanternfish media group" in texts["lanternfish-media-group-c65af240.pdf"].lower()
    assert CUSTOMER.lower() in texts["lanternfish-media-group-c65af240.xlsx"].lower()
    for name, text in texts.items():
        found = sorted(n for n in needles if n in text.lower())
        assert not found, f"{name} names {found}"


def _zip_text(zip_file: Path) -> str:
    with zipfile.ZipFile(zip_file) as archive:
        return archive.comment.decode() + "\n" + "\n".join(archive.namelist())


def _readable_text(path: Path) -> str:
    """Everything a reader of ``path`` can see: a PDF's text, metadata and attachments, every workbook cell."""
    if path.suffix == ".pdf":
        reader = PdfReader(path)
        parts = [page.extract_text() for page in reader.pages]
        parts += [str(v) for v in (reader.metadata or {}).values()]
        parts += [data.decode() for values in reader.attachments.values() for data in values]
        parts += list(reader.attachments)
        return "\n".join(parts)
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        parts = [sheet.title for sheet in book.worksheets]
        parts += [str(v) for v in vars(book.properties).values() if v]
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    parts += [str(cell.value or ""), str(cell.hyperlink.target if cell.hyperlink else "")]
        for name in book.defined_names:
            parts.append(name)
        return "\n".join(parts)
    return path.read_bytes().decode("utf-8", errors="replace")


def test_the_customer_pack_is_the_same_twice_but_for_its_new_signature(
    customer_pack: Pack, signed_run: SignedRun, tmp_path: Path
) -> None:
    again = make_pack(
        tmp_path / "again.zip", signed_run.folder, "--customer", CUSTOMER.lower(), "--config", str(signed_run.config)
    )
    with zipfile.ZipFile(customer_pack.zip_file) as first, zipfile.ZipFile(again.zip_file) as second:
        assert first.namelist() == second.namelist()
        assert first.comment == second.comment
        for info in first.infolist():
            assert info.date_time == COLLECTED
            if not info.filename.endswith(".p7s"):
                assert first.read(info) == second.read(info.filename), info.filename


def test_verify_txt_of_a_customer_pack_gives_its_real_numbers(customer_pack: Pack) -> None:
    text = (customer_pack.folder / "VERIFY.txt").read_text(encoding="utf-8")
    (entry,) = (e for e in files_of(customer_pack.folder) if e["kind"] == "customer-pdf")
    assert f"head -c {entry['unsignedSize']} {entry['path']} | sha256sum\n    {entry['unsignedSha256']}  -" in text
    assert "Lanternfish Media Group" in text
    assert "Northwind Cloud Partners" in text
    assert "proves integrity only, not identity" in text
    assert "NOT SIGNED" not in text


# --- refusals --------------------------------------------------------------------------------------------------


def assert_refused(code: int, stderr: str, out: Path, *needles: str) -> None:
    assert code == 1
    assert stderr.startswith("reporter: error: ")
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr, stderr
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]


def test_an_unknown_tenant_is_refused_saying_how_many_the_run_has(signed_run: SignedRun, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    code, _, stderr = evidence(str(signed_run.folder), "--out", str(out), "--customer", "not-a-tenant")
    assert_refused(code, stderr, out, "'not-a-tenant'", "40 customers", "manifest.json")
    assert "lanternfish" not in stderr.lower()


def test_an_existing_out_file_is_never_replaced(signed_run: SignedRun, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    out.write_bytes(b"someone else's file")
    code, _, stderr = evidence(str(signed_run.folder), "--out", str(out))
    assert code == 1
    assert "already exists" in stderr
    assert stderr.count("\n") == 1
    assert out.read_bytes() == b"someone else's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.zip"]


def test_an_out_file_that_cannot_be_written_is_refused(signed_run: SignedRun, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "pack.zip"
    code, _, stderr = evidence(str(signed_run.folder), "--out", str(out))
    assert code == 1
    assert "inside a file" in stderr
    assert stderr.count("\n") == 1


def test_a_pack_inside_the_run_folder_is_refused(signed_run: SignedRun) -> None:
    out = signed_run.folder / "pack.zip"
    code, _, stderr = evidence(str(signed_run.folder), "--out", str(out))
    assert_refused(code, stderr, out, "inside the run folder")


def test_a_tampered_run_folder_is_refused_naming_the_problem(signed_run: SignedRun, tmp_path: Path) -> None:
    run = tmp_path / "2026-11"
    shutil.copytree(signed_run.folder, run)
    workbook = run / "customers" / "lanternfish-media-group-c65af240.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"\0")
    out = tmp_path / "pack.zip"
    code, _, stderr = evidence(str(run), "--out", str(out))
    assert_refused(code, stderr, out, "does not verify", "lanternfish-media-group-c65af240.xlsx", "reporter verify")


def test_a_signed_runs_customer_pack_needs_the_sign_table(signed_run: SignedRun, tmp_path: Path) -> None:
    empty = tmp_path / "reporter.toml"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "pack.zip"
    args = ("--out", str(out), "--customer", CUSTOMER, "--config", str(empty))
    code, _, stderr = evidence(str(signed_run.folder), *args)
    assert_refused(code, stderr, out, "[sign]")


def test_a_customer_pack_is_signed_only_by_the_runs_signer(signed_run: SignedRun, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    args = ("--out", str(out), "--customer", CUSTOMER, "--config", str(signed_run.other_config))
    code, _, stderr = evidence(str(signed_run.folder), *args)
    assert_refused(code, stderr, out, "the run was signed with")


# --- an unsigned run -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unsigned_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("unsigned") / "2026-11"
    snapshot = SAMPLES / "summit-secure-partners" / "snapshot.json"
    command = [sys.executable, "-m", "reporter", "render", str(snapshot), "--out", str(out), "--customer-workbooks"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return out


def test_an_unsigned_run_gives_packs_that_say_so(unsigned_run: Path, tmp_path: Path) -> None:
    tenant = next(str(e["tenantId"]) for e in files_of(unsigned_run) if e["kind"] == "customer-pdf")
    packs = [make_pack(tmp_path / "partner.zip", unsigned_run)]
    packs.append(make_pack(tmp_path / "customer.zip", unsigned_run, "--customer", tenant))  # no [sign] needed
    for pack in packs:
        names = {p.name for p in pack.folder.iterdir()}
        assert "manifest.json.p7s" not in names
        assert "signer-chain.pem" not in names
        assert "signature" not in manifest_of(pack.folder)
        text = (pack.folder / "VERIFY.txt").read_text(encoding="utf-8")
        assert "THE DOCUMENTS IN THIS PACK ARE NOT SIGNED. Only their hashes can be checked" in text
        assert "openssl" not in text
        assert "pdfsig" not in text
        result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=pack.folder, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout
