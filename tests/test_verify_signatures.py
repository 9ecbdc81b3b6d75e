"""`reporter verify` checks every signature: in each PDF, and the manifest's own (manifest.json.p7s).

Two signed runs of a small sample, made once per session: ECDSA at PAdES B-B, and
RSA at B-T with a local timestamp authority. They are checked by real verifiers too
(poppler's ``pdfsig``, ``openssl cms -verify``); then every test damages its own copy.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from cryptography.hazmat.primitives.serialization import Encoding

from reporter.manifest import document_bytes, manifest_self_hash
from reporter.render.sign import Level, PdfSigning, SignSettings, signing_identity
from reporter.verify import verify
from tests.sign_helpers import (
    SAMPLE,
    SIGNER,
    make_pki,
    root_authority,
    signed_render,
    timestamp_authority,
    write_pem,
)
from tests.test_run import manifest_files, once_per_session, reporter

SNAPSHOT = SAMPLE.parent.parent / "summit-secure-partners" / "snapshot.json"
"""Six customers: seven signed PDFs a run, rendered in a few seconds."""


@dataclass(frozen=True)
class Run:
    folder: Path
    trust: tuple[Path, ...]
    """The --trust files under which every signature of the run is trusted."""
    ca: Path
    other_ca: Path
    timestamped: bool

    def trust_args(self) -> list[str | Path]:
        return [arg for path in self.trust for arg in ("--trust", path)]


def make_runs(folder: Path) -> dict[str, str]:
    """The PKI, another CA, and both signed runs, rendered side by side (each render is one process)."""
    pki = make_pki(folder / "pki")
    other = folder / "other-ca.pem"
    other.write_bytes(root_authority("Another Root CA").pem())
    with timestamp_authority(folder / "tsa") as tsa, ThreadPoolExecutor(2) as pool:
        renders = [
            pool.submit(signed_render, folder / "ecdsa", pki.ecdsa, snapshot=SNAPSHOT),
            pool.submit(signed_render, folder / "rsa", pki.rsa, tsa_url=tsa.url, snapshot=SNAPSHOT),
        ]
        for render in renders:
            render.result()
    return {"ca": str(pki.ca_file), "other": str(other), "tsa_ca": str(tsa.ca_file)}


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    return once_per_session(tmp_path_factory, "verify-signatures", make_runs)


def signed_run(kind: str, runs: tuple[Path, dict[str, str]]) -> Run:
    """``kind`` "ecdsa": signed at B-B; "rsa": at B-T, with the local timestamp authority."""
    folder, files = runs
    ca, timestamped = Path(files["ca"]), kind == "rsa"
    trust = (ca, Path(files["tsa_ca"])) if timestamped else (ca,)
    return Run(folder / kind, trust, ca, Path(files["other"]), timestamped)


@pytest.fixture(scope="session", params=["ecdsa B-B", "rsa B-T"])
def run(request: pytest.FixtureRequest, runs: tuple[Path, dict[str, str]]) -> Run:
    return signed_run(str(request.param).split()[0], runs)


@pytest.fixture(scope="session")
def timestamped_run(runs: tuple[Path, dict[str, str]]) -> Run:
    return signed_run("rsa", runs)


@pytest.fixture
def copy(run: Run, tmp_path: Path) -> Path:
    """A copy of the run folder, free to damage."""
    return Path(shutil.copytree(run.folder, tmp_path / "run"))


def pdfs(folder: Path) -> list[str]:
    return sorted(path for path in manifest_files(folder) if path.endswith(".pdf"))


def customer_pdf(folder: Path) -> str:
    """The first customer's PDF: a fifth of the summary's size, so quicker to check again and again."""
    return next(path for path in pdfs(folder) if path.startswith("customers/"))


def lines(result: Result, prefix: str) -> list[str]:
    return [line.removeprefix(prefix) for line in result.output.splitlines() if line.startswith(prefix)]


def byte_range(path: Path) -> tuple[int, int, int, int]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", path.read_bytes())
    assert len(found) == 1, found
    first, length, second, rest = (int(n) for n in found[0])
    return first, length, second, rest


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def rewrite_manifest(folder: Path, change: Any) -> None:
    """Change the manifest as reporter would have written it: its own hash and its bytes consistent."""
    document = json.loads((folder / "manifest.json").read_bytes())
    change(document)
    document["manifestSha256"] = manifest_self_hash(document)
    (folder / "manifest.json").write_bytes(document_bytes(document))


# --- a signed run as written --------------------------------------------------------------------------------------


def test_pdfsig_finds_every_pdf_validly_signed_over_the_whole_document(run: Run) -> None:
    for name in pdfs(run.folder):
        result = subprocess.run(["pdfsig", str(run.folder / name)], capture_output=True, text=True, check=False)
        signatures = result.stdout.split("Signature #")[1:]
        assert len(signatures) == 1, (name, result.stdout, result.stderr)
        assert "Signature Validation: Signature is Valid." in signatures[0], (name, result.stdout)
        assert "- Total document signed" in signatures[0], (name, result.stdout)
        assert f"Signer Certificate Common Name: {SIGNER}" in signatures[0], (name, result.stdout)


def test_openssl_verifies_the_manifest_signature_against_the_ca(run: Run) -> None:
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content", "manifest.json"]
    result = subprocess.run(
        [*command, "-in", "manifest.json.p7s", "-CAfile", str(run.ca), "-out", "/dev/null"],
        cwd=run.folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_signed_run_verifies_under_its_roots_without_a_warning(run: Run) -> None:
    result = reporter("verify", run.folder, *run.trust_args())
    assert result.exit_code == 0, result.output
    assert not lines(result, "WARNING "), result.output
    assert not lines(result, "MISMATCH "), result.output
    signed = lines(result, "CHECKED ")
    for name in pdfs(run.folder):
        (line,) = [line for line in signed if line.startswith(f"{name} (signature: ")]
        assert re.fullmatch(
            rf"{re.escape(name)} \(signature: {SIGNER}, \d{{4}}-\d\d-\d\d \d\d:\d\d UTC, "
            rf"{'timestamped, ' if run.timestamped else ''}covers the whole file\)",
            line,
        ), line
    assert any(line.startswith(f"manifest.json.p7s (signature of manifest.json: {SIGNER}, ") for line in signed)
    report = verify(run.folder, trust=run.trust)
    for name in pdfs(run.folder):
        assert f"{name} (unsigned revision is the reproducible document)" in report.checked
    assert "manifest.json.p7s (signature)" in report.checked


def test_without_trust_one_warning_names_the_signer_untrusted_and_the_count(run: Run) -> None:
    result = reporter("verify", run.folder)
    assert result.exit_code == 0, result.output
    warnings = lines(result, "WARNING ")
    assert len(warnings) == (2 if run.timestamped else 1), warnings  # the signer's, and the timestamp authority's
    signed = len(pdfs(run.folder)) + 1  # and the manifest
    assert warnings[0].startswith(f"{signed} files ("), warnings
    assert f"signed by {SIGNER}, untrusted: no --trust file was given" in warnings[0]
    assert result.output.splitlines()[-1].endswith("warning(s))"), result.output


def test_another_ca_s_roots_leave_the_signature_untrusted(run: Run) -> None:
    result = reporter("verify", run.folder, "--trust", run.other_ca)
    assert result.exit_code == 0, result.output
    (warning, *_) = lines(result, "WARNING ")
    assert f"signed by {SIGNER}, untrusted: its certificate does not chain to a root in {run.other_ca}" in warning


def test_the_timestamp_authority_s_root_is_needed_to_trust_the_timestamp(timestamped_run: Run) -> None:
    run = timestamped_run
    result = reporter("verify", run.folder, "--trust", run.ca)
    assert result.exit_code == 0, result.output
    (warning,) = lines(result, "WARNING ")
    assert "timestamped by Test Timestamp Authority, untrusted" in warning
    assert warning.startswith(f"{len(pdfs(run.folder))} files (")


# --- one changed byte ---------------------------------------------------------------------------------------------


def in_signed_range(path: Path) -> int:
    return byte_range(path)[1] // 2


def in_signature(path: Path) -> int:
    return byte_range(path)[1] + 1 + 200  # a hex digit of the DER signature in /Contents


def in_padding(path: Path) -> int:
    _, _, second, _ = byte_range(path)
    return second - 10  # a zero of the padding after the signature, in /Contents


PDF_PLACES = {"signed range": in_signed_range, "signature": in_signature, "padding": in_padding}


@pytest.mark.parametrize(
    ("which", "place"), [*(("summary.pdf", place) for place in sorted(PDF_PLACES)), ("customer PDF", "signed range")]
)
def test_a_changed_byte_in_a_pdf_is_found_in_the_folder_and_in_the_file_alone(
    run: Run, copy: Path, tmp_path: Path, which: str, place: str
) -> None:
    name = which if which == "summary.pdf" else customer_pdf(copy)
    flip(copy / name, PDF_PLACES[place](copy / name))
    result = reporter("verify", copy, *run.trust_args())
    assert result.exit_code == 1, result.output
    mismatches = lines(result, "MISMATCH ")
    assert mismatches, result.output
    assert all(m.startswith(f"{name}: ") for m in mismatches), mismatches
    alone = Path(shutil.copy(copy / name, tmp_path / Path(name).name))  # no manifest: the signature alone
    single = reporter("verify", alone, *run.trust_args())
    assert single.exit_code == 1, single.output
    assert any(m.startswith(f"{alone.name}: ") for m in lines(single, "MISMATCH ")), single.output
    assert not lines(single, "CHECKED "), single.output


@pytest.mark.parametrize("name", ["workbook.xlsx", "snapshot.json", "manifest.json", "manifest.json.p7s"])
def test_a_changed_byte_elsewhere_is_found_and_names_the_file(run: Run, copy: Path, name: str) -> None:
    flip(copy / name, (copy / name).stat().st_size // 2)
    result = reporter("verify", copy, *run.trust_args())
    assert result.exit_code == 1, result.output
    assert any(m.startswith(f"{name}: ") for m in lines(result, "MISMATCH ")), result.output


def test_a_signed_pdf_verifies_on_its_own(run: Run, tmp_path: Path) -> None:
    alone = Path(shutil.copy(run.folder / "summary.pdf", tmp_path / "summary.pdf"))
    result = reporter("verify", alone, *run.trust_args())
    assert result.exit_code == 0, result.output
    (line,) = lines(result, "CHECKED ")
    assert line.startswith(f"summary.pdf (signature: {SIGNER}, "), line
    assert not lines(result, "WARNING ")


# --- replaced, rewritten, added to ---------------------------------------------------------------------------------


def test_a_pdf_replaced_by_its_unsigned_document_is_caught_though_the_manifest_agrees(run: Run, copy: Path) -> None:
    entry = manifest_files(copy)["summary.pdf"]
    unsigned = (copy / "summary.pdf").read_bytes()[: entry["unsignedSize"]]
    assert hashlib.sha256(unsigned).hexdigest() == entry["unsignedSha256"]
    (copy / "summary.pdf").write_bytes(unsigned)

    def fix(document: dict[str, Any]) -> None:
        for file in document["files"]:
            if file["path"] == "summary.pdf":
                file["sha256"] = hashlib.sha256(unsigned).hexdigest()

    rewrite_manifest(copy, fix)
    result = reporter("verify", copy, *run.trust_args())
    assert result.exit_code == 1, result.output
    mismatches = lines(result, "MISMATCH ")
    assert "summary.pdf: not signed, but the manifest says every PDF of this run is" in mismatches, mismatches
    assert any(m.startswith("manifest.json.p7s: does not match manifest.json") for m in mismatches), mismatches


def test_a_pdf_signed_by_another_certificate_is_caught(run: Run, copy: Path, tmp_path: Path) -> None:
    """A PDF of the run signed again by another certificate, the manifest made to agree: not the run's signer."""
    other = root_authority("Another Root CA")
    pem = write_pem(tmp_path / "other.pem", *other.issue(), other.cert)  # another CA, a signer of the same name
    entry = manifest_files(copy)["summary.pdf"]
    unsigned = (copy / "summary.pdf").read_bytes()[: entry["unsignedSize"]]
    signed = PdfSigning(signing_identity(SignSettings(pem, Level.B_B), {})).sign(unsigned).data
    (copy / "summary.pdf").write_bytes(signed)

    def fix(document: dict[str, Any]) -> None:
        for file in document["files"]:
            if file["path"] == "summary.pdf":
                file["sha256"] = hashlib.sha256(signed).hexdigest()

    rewrite_manifest(copy, fix)
    result = reporter("verify", copy, *run.trust_args())
    assert result.exit_code == 1, result.output
    mismatches = lines(result, "MISMATCH ")
    assert any(m.startswith(f"summary.pdf: signed by {SIGNER} (certificate SHA-256 ") for m in mismatches), mismatches
    assert any(m.startswith("manifest.json.p7s: ") for m in mismatches), mismatches


def test_a_manifest_signature_beside_a_manifest_that_names_none_is_not_ours(run: Run, copy: Path) -> None:
    def unsign(document: dict[str, Any]) -> None:
        del document["signature"]

    rewrite_manifest(copy, unsign)
    result = reporter("verify", copy, *run.trust_args())
    assert result.exit_code == 1, result.output
    mismatches = lines(result, "MISMATCH ")
    assert [m for m in mismatches if m.startswith("manifest.json.p7s: ")] == [
        "manifest.json.p7s: a manifest signature, but the manifest names none (not reporter's)"
    ]


def test_a_missing_manifest_signature_is_a_mismatch(run: Run, copy: Path) -> None:
    (copy / "manifest.json.p7s").unlink()
    result = reporter("verify", copy, *run.trust_args())
    assert result.exit_code == 1
    assert lines(result, "MISMATCH ") == ["manifest.json.p7s: missing, but the manifest says this run was signed"]


def test_validation_data_added_after_the_signature_is_accepted_and_said(run: Run, tmp_path: Path) -> None:
    """A DSS update (what a long-term archive adds) after the signature: covered up to its revision, and said so."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import DocumentSecurityStore

    stream = io.BytesIO((run.folder / customer_pdf(run.folder)).read_bytes())
    root = asn1_x509.Certificate.load(root_authority().cert.public_bytes(Encoding.DER))
    DocumentSecurityStore.add_dss(stream, None, certs=[root], force_write=True)
    path = tmp_path / "customer.pdf"
    path.write_bytes(stream.getvalue())
    result = reporter("verify", path, *run.trust_args())
    assert result.exit_code == 0, result.output
    (line,) = lines(result, "CHECKED ")
    assert line.endswith("covers its revision; only validation data (DSS) was added after it)"), line


def test_an_update_after_the_signature_that_is_not_validation_data_is_a_mismatch(run: Run, tmp_path: Path) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    stream = io.BytesIO((run.folder / customer_pdf(run.folder)).read_bytes())
    writer = IncrementalPdfFileWriter(stream)
    writer.root["/PageLabels"] = generic.DictionaryObject({generic.NameObject("/Nums"): generic.ArrayObject()})
    writer.update_root()
    writer.write_in_place()
    path = tmp_path / "customer.pdf"
    path.write_bytes(stream.getvalue())
    result = reporter("verify", path, *run.trust_args())
    assert result.exit_code == 1, result.output
    assert any("was changed after it was signed" in m for m in lines(result, "MISMATCH ")), result.output


def test_bytes_appended_to_a_signed_pdf_are_a_mismatch(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "customer.pdf"
    path.write_bytes((run.folder / customer_pdf(run.folder)).read_bytes() + b"\n")
    result = reporter("verify", path, *run.trust_args())
    assert result.exit_code == 1, result.output
    assert lines(result, "MISMATCH ") == [
        "customer.pdf: it was changed after it was signed (bytes or an update that is not validation data follow it)"
    ]


# --- the --trust option ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", ["missing", "not PEM"])
def test_a_trust_file_that_is_missing_or_not_pem_is_a_one_line_error(run: Run, tmp_path: Path, problem: str) -> None:
    path = tmp_path / "trust.pem"
    if problem == "not PEM":
        path.write_bytes(b"certificates, honestly\n")
    result = reporter("verify", run.folder, "--trust", path)
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"reporter: error: trust file {path}: "), line
    assert ("no such file" if problem == "missing" else "holds no PEM certificate") in line


def test_require_trust_turns_an_untrusted_signer_into_a_failure(run: Run) -> None:
    result = reporter("verify", run.folder, "--trust", run.other_ca, "--require-trust")
    assert result.exit_code == 1, result.output
    assert lines(result, "WARNING "), result.output
    assert "--require-trust makes each a failure" in result.output
    trusted = reporter("verify", run.folder, *run.trust_args(), "--require-trust")
    assert trusted.exit_code == 0, trusted.output


def test_asked_to_trust_an_unsigned_run_or_pdf_says_it_is_not_signed(run: Run, tmp_path: Path) -> None:
    """Stripped of its signatures (each PDF cut back to its unsigned document, a consistent manifest), a run
    still matches its manifest; with --trust given, verify says nothing shows who made it."""
    folder = tmp_path / "stripped"
    shutil.copytree(run.folder, folder)
    (folder / "manifest.json.p7s").unlink()
    document = json.loads((folder / "manifest.json").read_bytes())
    del document["signature"]
    for entry in document["files"]:
        if "unsignedSize" in entry:
            path = folder / entry["path"]
            path.write_bytes(path.read_bytes()[: entry.pop("unsignedSize")])
            entry["sha256"] = entry.pop("unsignedSha256")
    document["manifestSha256"] = manifest_self_hash(document)
    (folder / "manifest.json").write_bytes(document_bytes(document))
    plain = reporter("verify", folder)
    assert plain.exit_code == 0, plain.output
    assert not lines(plain, "WARNING "), plain.output
    asked = reporter("verify", folder, *run.trust_args())
    assert asked.exit_code == 0, asked.output
    assert any(
        "not signed: its files match its manifest, but nothing shows who made them" in w
        for w in lines(asked, "WARNING ")
    )
    assert reporter("verify", folder, *run.trust_args(), "--require-trust").exit_code == 1
    single = reporter("verify", folder / "summary.pdf", *run.trust_args())
    assert "summary.pdf: not signed: nothing shows who made it" in single.output
