"""``reporter verify``: does a run folder, or one PDF, still hold what was written?

Checks every manifest hash (and the manifest's own), files that appeared or went
missing, in every PDF the embedded data against the hash recorded for it, that
each customer's PDF (and workbook) holds the data of the tenant the manifest names,
that each message file is one (three strings, a one-line subject) and a customer's
names its tenant and no other, and, when the run's archive is found, that it names the same snapshot for the period.

Every signature of every PDF, and in a signed run the manifest's own signature and
what the manifest says of the signer, are checked by ``reporter.verify_signatures``.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from reporter import snapshot as snapshot_io
from reporter.archive import INDEX_NAME, PERIOD, Archive
from reporter.errors import DataError
from reporter.files import check_regular_file, read_regular_file
from reporter.manifest import (
    MANIFEST_NAME,
    MANIFEST_SIGNATURE_NAME,
    MAX_MANIFEST_BYTES,
    MAX_MANIFEST_SIGNATURE_BYTES,
    document_bytes,
    file_sha256,
    manifest_self_hash,
)
from reporter.message_file import MAX_MESSAGE_BYTES, parse_message, tenant_problem
from reporter.render import evidence
from reporter.verify_signatures import SignatureChecks, Trust, Unsigned, load_trust
from reporter.view.customers import customer_slugs


@dataclass
class Report:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    """What could not be compared (no archive found, say): neither a check passed nor a problem."""
    signatures: list[str] = field(default_factory=list)
    """One line for each signature that holds: the file, who signed it, when, and what it covers."""
    warnings: list[str] = field(default_factory=list)
    """What holds but is not shown to be trusted (a signer no ``--trust`` root vouches for): not a problem."""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path, archive: Path | None = None, trust: Sequence[Path] = ()) -> Report:
    """``archive``: the snapshot archive to compare a run folder with [default: ``archive/`` beside it, if any];
    ``trust``: PEM files of the roots a signer's chain must reach (none: every signature is untrusted)."""
    if archive is not None and not (archive / INDEX_NAME).is_file():
        raise DataError(
            f"{archive}: no archive index there", "give --archive the folder reporter run keeps snapshots in"
        )
    roots = load_trust(trust)
    if path.is_dir():
        return verify_folder(path, archive, roots)
    check_regular_file(path, "", DataError, hint="give a run folder or a PDF")  # a FIFO is named, not "no such file"
    if path.is_file():
        report = Report()
        checks = SignatureChecks(roots)
        data = _read_pdf(path, path.name, report)
        if data is not None:
            _check_pdf(io.BytesIO(data), path.name, report, expected_snapshot=None)
            if not checks.check_pdf(data, path.name, report):
                if roots.files:  # asked who made it: an unsigned PDF cannot say
                    report.warnings.append(f"{path.name}: not signed: nothing shows who made it")
                else:
                    report.not_checked.append(f"{path.name}: not signed, so no signature was checked")
        report.warnings.extend(checks.warnings())
        return report
    raise DataError(f"{path}: no such file or folder", "give a run folder or a PDF")


def verify_folder(folder: Path, archive: Path | None = None, trust: Trust | None = None) -> Report:
    report = Report()
    checks = SignatureChecks(trust or Trust())
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.exists() and not manifest_path.is_symlink():
        raise DataError(f"{folder}: has no {MANIFEST_NAME}", "give the folder that reporter wrote")
    raw = read_regular_file(manifest_path, "manifest", MAX_MANIFEST_BYTES, DataError)  # a FIFO is refused, not read
    try:
        manifest = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        report.problems.append(f"{MANIFEST_NAME}: not valid JSON (it was changed)")
        return report
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        report.problems.append(f"{MANIFEST_NAME}: not a reporter manifest")
        return report
    if manifest.get("manifestSha256") != manifest_self_hash(manifest):
        report.problems.append(f"{MANIFEST_NAME}: its content does not match its own hash (it was changed)")
    elif raw != document_bytes(manifest):
        report.problems.append(f"{MANIFEST_NAME}: not byte for byte as reporter wrote it (it was changed)")
    report.checked.append(MANIFEST_NAME)
    signed = "signature" in manifest
    certificate = _signer_certificate(manifest, report) if signed else None
    listed = set()
    snapshot_sha = manifest.get("snapshotSha256")
    for entry in manifest["files"]:
        relative = str(entry.get("path", "")) if isinstance(entry, dict) else ""
        if not _inside(relative):
            report.problems.append(f"{MANIFEST_NAME}: lists {relative!r}, which is not a file of this folder")
            continue
        listed.add(relative)
        target = folder / relative
        if not target.is_file():
            gone = not target.exists() and not target.is_symlink()
            report.problems.append(
                f"{relative}: listed in the manifest but {'missing' if gone else 'not a regular file'}"
            )
            continue
        pdf = _read_pdf(target, relative, report) if relative.endswith(".pdf") else None
        digest = hashlib.sha256(pdf).hexdigest() if pdf is not None else file_sha256(target)
        if digest != entry.get("sha256"):
            report.problems.append(f"{relative}: SHA-256 does not match the manifest (the file was changed)")
        report.checked.append(relative)
        if entry.get("kind") == "snapshot" and entry.get("sha256") != snapshot_sha:
            report.problems.append(f"{relative}: is not the snapshot the manifest names")
        tenant = entry.get("tenantId")
        if pdf is not None:
            data = _check_pdf(io.BytesIO(pdf), relative, report, expected_snapshot=snapshot_sha)
            if entry.get("kind") == "customer-pdf":
                _check_customer_data(data, relative, str(tenant or ""), report)
            unsigned = _unsigned(entry, relative, report) if signed else None
            checks.check_pdf(pdf, relative, report, certificate_sha256=certificate, unsigned=unsigned, required=signed)
        elif entry.get("kind") == "customer-workbook":
            _check_customer_workbook(target, relative, str(tenant or ""), report)
        elif entry.get("kind") in ("customer-message", "summary-message"):
            _check_message(target, relative, str(tenant or "") if entry["kind"] == "customer-message" else None, report)
    _check_manifest_signature(folder, raw, signed, certificate, checks, report)
    _check_file_names(folder, manifest, report)
    _check_archive(folder, manifest, archive, report)
    for extra in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = extra.relative_to(folder).as_posix()
        if relative not in (MANIFEST_NAME, MANIFEST_SIGNATURE_NAME) and relative not in listed:
            report.problems.append(f"{relative}: not listed in the manifest")
    report.warnings.extend(checks.warnings())
    if not signed and checks.trust.files:  # asked who made it: an unsigned run cannot say
        report.warnings.append(f"{folder}: not signed: its files match its manifest, but nothing shows who made them")
    return report


def _read_pdf(path: Path, name: str, report: Report) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        report.problems.append(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})")
        return None


def _signer_certificate(manifest: dict[str, Any], report: Report) -> str | None:
    """The SHA-256 of the certificate that signed the run, as the manifest's ``signature`` entry names it."""
    entry = manifest["signature"]
    certificate = entry.get("certificateSha256") if isinstance(entry, dict) else None
    if not isinstance(certificate, str) or len(certificate) != 64:
        report.problems.append(f"{MANIFEST_NAME}: its signature entry names no signing certificate")
        return None
    if entry.get("manifestSignature") != MANIFEST_SIGNATURE_NAME:
        report.problems.append(f"{MANIFEST_NAME}: its signature entry does not name {MANIFEST_SIGNATURE_NAME}")
    return certificate


def _unsigned(entry: dict[str, Any], name: str, report: Report) -> Unsigned | None:
    """What the manifest records of the unsigned document a signed PDF begins with."""
    size, sha256 = entry.get("unsignedSize"), entry.get("unsignedSha256")
    if isinstance(size, int) and not isinstance(size, bool) and isinstance(sha256, str):
        return Unsigned(size, sha256)
    report.problems.append(f"{name}: the manifest records no unsigned size and SHA-256 for this signed PDF")
    return None


def _check_manifest_signature(
    folder: Path, raw: bytes, signed: bool, certificate: str | None, checks: SignatureChecks, report: Report
) -> None:
    """A signed run's manifest is signed by the run's certificate; an unsigned run has no manifest signature."""
    path = folder / MANIFEST_SIGNATURE_NAME
    present = path.exists() or path.is_symlink()
    if not signed:
        if present:
            report.problems.append(
                f"{MANIFEST_SIGNATURE_NAME}: a manifest signature, but the manifest names none (not reporter's)"
            )
        return
    if not present:
        report.problems.append(f"{MANIFEST_SIGNATURE_NAME}: missing, but the manifest says this run was signed")
        return
    try:
        signature = read_regular_file(path, "", MAX_MANIFEST_SIGNATURE_BYTES, DataError)
    except DataError as exc:
        report.problems.append(f"{MANIFEST_SIGNATURE_NAME}: cannot be read ({exc.message})")
        return
    if certificate is not None:
        checks.check_detached(
            raw, signature, MANIFEST_SIGNATURE_NAME, MANIFEST_NAME, report, certificate_sha256=certificate
        )


def _inside(relative: str) -> bool:
    """A manifest path names a file in the folder: relative, no ``..``, not the manifest itself."""
    parts = Path(relative).parts
    return bool(parts) and not Path(relative).is_absolute() and ".." not in parts and relative != MANIFEST_NAME


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs every repair it makes to a damaged file; the report says it once, in one line."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_archive(folder: Path, manifest: dict[str, Any], archive: Path | None, report: Report) -> None:
    """The archive's entry for the manifest's period must be the manifest's snapshot."""
    root = archive or folder.resolve().parent / "archive"
    if archive is None and not (root / INDEX_NAME).is_file():  # a folder rendered on its own, or archived elsewhere
        report.not_checked.append(f"no archive beside {folder} to compare with (give --archive DIR if it has one)")
        return
    period, snapshot_sha = manifest.get("period"), manifest.get("snapshotSha256")
    if not isinstance(period, str) or not PERIOD.match(period):
        report.problems.append(f"{MANIFEST_NAME}: names no period to compare with the archive {root}")
        return
    entry = Archive(root).entry(period)
    again = f"run reporter run --period {period} --out {folder.parent} --archive {root} to render it from the archive"
    if entry is None:
        report.problems.append(f"{MANIFEST_NAME}: the archive {root} has no snapshot for {period}")
    elif entry.sha256 != snapshot_sha:
        report.problems.append(
            f"{MANIFEST_NAME}: the archive {root} names snapshot {entry.sha256} for {period}, "
            f"but this folder was made from {snapshot_sha} ({again})"
        )
    else:
        report.checked.append(f"archive entry for {period}")


def _check_file_names(folder: Path, manifest: dict[str, Any], report: Report) -> None:
    """Each customer file has the name its tenant's customer gets from the snapshot beside it.

    The tenant a manifest entry names decides whose file it is; the snapshot (checked
    against the manifest above) decides what that tenant's file is called. A manifest
    whose tenant ids were swapped between two files names each file for the wrong tenant.
    """
    entries = [e for e in manifest["files"] if isinstance(e, dict) and e.get("tenantId")]
    snapshot_file = folder / "snapshot.json"
    if not entries or not snapshot_file.is_file():
        return
    try:
        snapshot = snapshot_io.load(snapshot_file)
    except DataError as exc:
        report.problems.append(f"snapshot.json: cannot be read to check the customer file names ({exc})")
        return
    stems = {
        c.tenant_id.lower(): stem
        for c, stem in zip(snapshot.customers, customer_slugs(snapshot.customers), strict=True)
    }
    for entry in entries:
        relative, tenant = str(entry.get("path", "")), str(entry["tenantId"]).lower()
        stem = stems.get(tenant)
        if stem is None:
            report.problems.append(f"{relative}: the manifest names tenant {tenant}, which the snapshot does not list")
        elif Path(relative).stem != stem:
            report.problems.append(
                f"{relative}: the manifest names tenant {tenant}, whose file is {stem}{Path(relative).suffix}"
            )
        else:
            report.checked.append(f"{relative} (file name)")


def customer_pdf_problems(data: bytes, name: str, tenant: str) -> list[str]:
    """Why the customer PDF ``data`` (the file ``name``) is not ``tenant``'s own report, or nothing."""
    report = Report()
    _check_customer_data(_check_pdf(io.BytesIO(data), name, report, expected_snapshot=None), name, tenant, report)
    return report.problems


def _check_customer_data(data: bytes | None, name: str, tenant: str, report: Report) -> None:
    """The customer data embedded in a customer's PDF is of the one tenant the manifest names, and no other."""
    if data is None:
        return  # already reported: no embedded data
    if not tenant:
        report.problems.append(f"{name}: the manifest names no tenant for this customer report")
        return
    try:
        document = json.loads(data)
        customers = {str(c.get("tenantId", "")).lower() for c in document.get("customers", [])}
        alerts = {str(a.get("customerTenantId", "")).lower() for a in document.get("alerts", [])}
    except (ValueError, RecursionError, AttributeError, TypeError):
        report.problems.append(f"{name}: the embedded customer data cannot be read")
        return
    if customers != {tenant.lower()} or not alerts <= {tenant.lower()}:
        found = ", ".join(sorted(customers | alerts)) or "no tenant"
        report.problems.append(f"{name}: holds the data of {found}, not of tenant {tenant} the manifest names")
    else:
        report.checked.append(f"{name} (tenant)")


def _check_message(path: Path, name: str, tenant: str | None, report: Report) -> None:
    """A message file is one; a customer's (``tenant`` given) names that tenant and no other tenant id.

    The tenant check is ``message_file.tenant_problem``, which send applies too.
    """
    try:
        data = read_regular_file(path, "message", MAX_MESSAGE_BYTES, DataError)
    except DataError as exc:
        report.problems.append(f"{name}: cannot be read as a message ({exc.message})")
        return
    try:
        message = parse_message(data, name)
    except DataError as exc:
        report.problems.append(exc.message)
        return
    if tenant is None:
        return
    if not tenant:
        report.problems.append(f"{name}: the manifest names no tenant for this customer message")
        return
    problem = tenant_problem(message, name, tenant)
    if problem:
        report.problems.append(problem)
    else:
        report.checked.append(f"{name} (tenant)")


def customer_workbook_problems(data: bytes, name: str, tenant: str) -> list[str]:
    """Why the customer workbook ``data`` (the file ``name``) is not ``tenant``'s own, or nothing.

    Stricter than ``verify``: a workbook that names no tenant at all is not taken for anyone's.
    """
    report = Report()
    _check_customer_workbook(io.BytesIO(data), name, tenant, report)
    if not report.problems and not report.checked:
        report.problems.append(f"{name}: names no tenant, so it cannot be shown to be {tenant}'s")
    return report.problems


def _tenant_labels() -> frozenset[str]:
    """How the overview sheet labels the tenant id, in every language reporter writes (built-in wording)."""
    from reporter.view import language

    return frozenset(language.load(tag).gettext("Tenant id") for tag in language.LANGUAGES)


def _check_customer_workbook(path: Path | BinaryIO, name: str, tenant: str, report: Report) -> None:
    """A customer's own workbook names its tenant on its overview sheet: it must be the manifest's."""
    import openpyxl  # only a run folder with customer workbooks needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # a damaged file makes openpyxl fail in many ways: a finding here
        report.problems.append(f"{name}: cannot be read as a workbook ({type(exc).__name__})")
        return
    labels = _tenant_labels()
    try:
        named = {
            str(row[2]).lower()
            for sheet in book.worksheets
            for row in sheet.iter_rows(max_col=3, values_only=True)
            if len(row) >= 3 and row[1] in labels and row[2]
        }
        if book.properties.identifier:
            named.add(str(book.properties.identifier).lower())
    finally:
        book.close()
    if not named:
        return  # nothing to read back: not claimed as checked
    if named != {tenant.lower()}:
        report.problems.append(f"{name}: is the workbook of {', '.join(sorted(named))}, not of tenant {tenant}")
    else:
        report.checked.append(f"{name} (tenant)")


def _check_pdf(path: Path | BinaryIO, name: str, report: Report, expected_snapshot: str | None) -> bytes | None:
    """Check the embedded data of one PDF; return it (None if there is none to read)."""
    try:
        with _quiet_pypdf():
            reader = PdfReader(path)
            info: Mapping[str, Any] = reader.metadata or {}
            attachments = {key: value[0] for key, value in reader.attachments.items() if value}
    except (PdfReadError, OSError) as exc:
        report.problems.append(f"{name}: cannot be read as a PDF ({exc})")
        return None
    except Exception as exc:  # a damaged file makes pypdf fail in many ways (AttributeError...): a finding here
        report.problems.append(f"{name}: cannot be read as a PDF ({type(exc).__name__}: {exc})")
        return None
    recorded = info.get(f"/{evidence.INFO_ATTACHMENT_SHA256}")
    snapshot_sha = info.get(f"/{evidence.INFO_SNAPSHOT_SHA256}")
    names = [n for n in (evidence.SUMMARY_ATTACHMENT, evidence.CUSTOMER_ATTACHMENT) if n in attachments]
    if not names or not recorded:
        report.problems.append(f"{name}: carries no embedded data to check")
        return None
    data = attachments[names[0]]
    if hashlib.sha256(data).hexdigest() != recorded:
        report.problems.append(f"{name}: the embedded data does not match the hash recorded in the PDF")
    if expected_snapshot and snapshot_sha != expected_snapshot:
        report.problems.append(f"{name}: was made from another snapshot than the manifest names")
    if names[0] == evidence.SUMMARY_ATTACHMENT and recorded != snapshot_sha:
        report.problems.append(f"{name}: the embedded snapshot is not the one its metadata names")
    report.checked.append(f"{name} (embedded data)")
    return bytes(data)
