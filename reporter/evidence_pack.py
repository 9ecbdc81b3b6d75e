"""``reporter evidence``: a zip of a run folder that an auditor can check without reporter.

Two kinds of pack, each one top folder (``evidence-YYYY-MM/``, or
``evidence-YYYY-MM-<customer file name>/`` for a customer) holding:

- the partner pack: every file the run's manifest lists, ``manifest.json`` and
  ``manifest.json.p7s`` exactly as in the run (so they still verify);
- a customer pack: that customer's PDF, its workbook (when the run has customer
  workbooks) and ``customer-data.json``, the data slice attached inside its PDF;
  a new ``manifest.json`` listing only those, signed again (``manifest.json.p7s``)
  with the ``[sign]`` certificate the run was signed with. Nothing in it names or
  holds another customer: not a file name, not the manifest, not ``VERIFY.txt``,
  not the zip comment;

and, in both, ``signer-chain.pem`` (the certificates ``manifest.json.p7s`` carries,
signer first), ``SHA256SUMS`` (the manifest's hashes, as ``sha256sum -c`` reads
them) and ``VERIFY.txt`` (how to check all of it with sha256sum, openssl and a PDF
reader). A run that was not signed gives a pack without a signature, and
``VERIFY.txt`` says so.

The run folder must verify (``reporter.verify.verify_folder``) before it is packed,
and each file is hashed again as it goes into the zip. The zip is the same for the
same run (sorted members, the snapshot's collection time on every member, fixed
permissions), apart from a customer pack's new signature. It is written to a
temporary file beside ``--out`` and linked into place: an existing file is never
replaced.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from reporter.archive import PERIOD
from reporter.atomic import check_output_file, file_mode_mask
from reporter.errors import ConfigError, DataError, OutputError
from reporter.files import read_regular_file
from reporter.manifest import (
    MANIFEST_NAME,
    MANIFEST_SIGNATURE_NAME,
    MAX_MANIFEST_BYTES,
    MAX_MANIFEST_SIGNATURE_BYTES,
    Artifact,
    ArtifactKind,
    document_bytes,
    manifest_bytes,
    read_manifest,
    signed_digest,
)
from reporter.render import evidence
from reporter.render.sign import SigningIdentity, chain_from_p7s, issuers, sign_detached
from reporter.snapshot import MAX_SNAPSHOT_BYTES

CHAIN_NAME = "signer-chain.pem"
SUMS_NAME = "SHA256SUMS"
VERIFY_NAME = "VERIFY.txt"
CUSTOMER_DATA_NAME = evidence.CUSTOMER_ATTACHMENT
MAX_CUSTOMER_FILE_BYTES = 256 << 20
"""A customer's report and workbook are read whole (the report to take its attachment out): far above any of ours."""
FILE_MODE = 0o644
FOLDER_MODE = 0o755
_UNIX = 3
_VERIFY = "run reporter verify on the run folder, then make the pack again"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
"""A part of a member name: no separators, no spaces, nothing a shell or sha256sum would escape."""

Signer = Callable[[], SigningIdentity | None]
"""Reads the ``[sign]`` certificate when a customer pack of a signed run needs it; None when none is configured."""


@dataclass(frozen=True, slots=True)
class Pack:
    """What ``make_pack`` wrote."""

    path: Path
    folder: str
    """The one top folder inside the zip."""
    files: int
    """Files in the zip (folders not counted)."""
    signed: bool
    tenant_id: str | None = None
    """The customer of a customer pack, as the run's manifest spells it."""


@dataclass(frozen=True, slots=True)
class _Member:
    """One file of the pack: its bytes, or a run file to copy (whose SHA-256 must be ``sha256``)."""

    name: str
    """Relative to the pack's top folder, ``/``-separated."""
    data: bytes | None = None
    source: Path | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class _Run:
    folder: Path
    manifest: bytes
    document: dict[str, Any]
    entries: list[dict[str, Any]]
    period: str
    signature: dict[str, Any] | None
    """The manifest's ``signature`` entry, when the run was signed."""
    p7s: bytes | None
    chain: list[x509.Certificate]
    """The certificates of ``manifest.json.p7s``, signer first; empty for an unsigned run."""


def make_pack(run_dir: Path, out: Path, *, customer: str | None = None, signer: Signer | None = None) -> Pack:
    """Write the evidence pack of the run folder ``run_dir`` to the new zip file ``out``.

    ``customer`` (a tenant id, any case) makes the pack of that customer alone;
    ``signer`` gives the identity its manifest is signed with, when the run was signed.
    Raises a ``ReporterError`` in one line, having written nothing, when the run does
    not verify, the customer is not in it, ``out`` exists or cannot be written, or a
    signed run's customer pack has no signer.
    """
    _check_out(out, run_dir)
    run = _read_run(run_dir)
    if customer is None:
        top = f"evidence-{run.period}"
        members = _partner_members(run)
        comment = f"reporter evidence pack, period {run.period}: see {top}/{VERIFY_NAME}"
        tenant = None
        signed = run.signature is not None
        when = _collected_at(_snapshot_bytes(run), run.period)
    else:
        pack = _customer_members(run, customer, signer)
        top, members, tenant, signed = pack.top, pack.members, pack.tenant_id, pack.signed
        comment = f"reporter evidence pack, period {run.period}, tenant {tenant}: see {top}/{VERIFY_NAME}"
        when = _collected_at(pack.data, run.period)
    count = _write_zip(out, top, members, comment, when)
    return Pack(out, top, count, signed, tenant)


# --- the output file ------------------------------------------------------------------------------------------


def _check_out(out: Path, run_dir: Path) -> None:
    if out.exists() or out.is_symlink():
        raise OutputError(f"{out} already exists; nothing was written", "give --out the name of a new file")
    if _inside(out, run_dir):
        raise OutputError(
            f"{out} is inside the run folder {run_dir}, which would then no longer verify",
            "write the pack somewhere else",
        )
    check_output_file(out)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _write_zip(out: Path, top: str, members: Sequence[_Member], comment: str, when: datetime) -> int:
    """Write the zip to a temporary file beside ``out``, then link it into place; return how many files it has."""
    names = {_member_name(top, m.name): m for m in members}
    if len(names) != len(members):
        raise DataError(f"two files of the pack would have the same name in {top}/", "report this as a bug")
    folders = {f"{parent.as_posix()}/" for name in names for parent in PurePosixPath(name).parents}
    folders.discard("./")
    stamp = (max(1980, min(when.year, 2107)), when.month, when.day, when.hour, when.minute, when.second)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    except OSError as exc:
        raise OutputError(f"cannot write to {out.parent}: {_cause(exc)}", "choose a folder you can write to") from None
    try:
        with os.fdopen(fd, "w+b") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~file_mode_mask())  # as an ordinary open() would, not mkstemp's 0600
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
                for name in sorted(folders | names.keys()):
                    member = names.get(name)
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.create_system = _UNIX
                    if member is None:
                        info.external_attr = (0o040000 | FOLDER_MODE) << 16 | 0x10  # a folder, for unix and DOS
                        archive.writestr(info, b"")
                        continue
                    info.external_attr = (0o100000 | FILE_MODE) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    _add(archive, info, member)
                archive.comment = comment.encode()
            handle.flush()
            os.fsync(handle.fileno())
        _place(Path(tmp), out)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {_cause(exc)}", "check the free space and permissions") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return len(names)


def _add(archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: _Member) -> None:
    """Copy one member in; a run file is hashed on the way and must still be what its manifest says."""
    if member.data is not None:
        archive.writestr(info, member.data)
        return
    assert member.source is not None
    digest = hashlib.sha256()
    try:
        source = member.source.open("rb")
    except OSError as exc:
        raise DataError(f"{member.source}: cannot be read ({_cause(exc)}); nothing was written", _VERIFY) from None
    with source, archive.open(info, "w", force_zip64=os.fstat(source.fileno()).st_size > 1 << 31) as target:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            target.write(block)
    if digest.hexdigest() != member.sha256:
        raise DataError(f"{member.source}: changed while it was being packed; nothing was written", _VERIFY)


def _place(tmp: Path, out: Path) -> None:
    """Give ``tmp`` the name ``out`` unless something took that name meanwhile: never replace a file."""
    try:
        os.link(tmp, out)
    except FileExistsError:
        raise OutputError(f"{out} already exists; nothing was written", "give --out the name of a new file") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if out.exists() or out.is_symlink():  # a file system without hard links: check, then rename
            raise OutputError(
                f"{out} already exists; nothing was written", "give --out the name of a new file"
            ) from None
        os.replace(tmp, out)


def _member_name(top: str, name: str) -> str:
    """``top/name``, refused unless every part is a plain name: no absolute path, no ``..``, nothing to escape."""
    parts = name.split("/")
    for part in (top, *parts):
        if part in (".", "..") or not _SAFE_NAME.match(part):
            raise DataError(f"{name!r:.120} cannot be a file of the pack", "render the period again")
    return f"{top}/{name}"


def _cause(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return exc.strerror or str(exc)


# --- the run folder -------------------------------------------------------------------------------------------


def _read_run(folder: Path) -> _Run:
    """The run folder, verified, with its manifest and, when it was signed, the manifest's signature and chain."""
    from reporter.verify import verify_folder  # pypdf: only this command and verify need it

    report = verify_folder(folder)
    raw = _manifest_raw(folder)
    problems = report.problems
    if problems:
        raise DataError(
            f"{folder} does not verify: {problems[0]}; nothing was written",
            f"run reporter verify {folder} to see every problem",
        )
    document = read_manifest(folder)
    if document_bytes(document) != raw:
        raise DataError(f"{folder}: {MANIFEST_NAME} changed while it was read", "make the pack again")
    period = document.get("period")
    if not isinstance(period, str) or not PERIOD.match(period):
        raise DataError(f"{folder}: {MANIFEST_NAME} names no period", "render the period again")
    files = document["files"]
    entries = [e for e in files if isinstance(e, dict)] if isinstance(files, list) else []
    signature = document.get("signature")
    if signature is None:
        return _Run(folder, raw, document, entries, period, None, None, [])
    if not isinstance(signature, dict):
        raise DataError(f"{folder}: {MANIFEST_NAME} has a signature entry reporter did not write", _AGAIN)
    p7s = read_regular_file(
        folder / MANIFEST_SIGNATURE_NAME, "manifest signature", MAX_MANIFEST_SIGNATURE_BYTES, DataError, hint=_AGAIN
    )
    if signed_digest(p7s) != hashlib.sha256(raw).digest():
        raise DataError(f"{folder}: {MANIFEST_SIGNATURE_NAME} is not a signature of its {MANIFEST_NAME}", _AGAIN)
    chain = signer_chain(p7s, str(signature.get("certificateSha256", "")))
    if chain is None:
        raise DataError(
            f"{folder}: {MANIFEST_SIGNATURE_NAME} does not carry the certificate {MANIFEST_NAME} names as its signer",
            _AGAIN,
        )
    return _Run(folder, raw, document, entries, period, signature, p7s, chain)


_AGAIN = "render the period again with [sign] configured"


def _manifest_raw(folder: Path) -> bytes:
    return read_regular_file(folder / MANIFEST_NAME, "manifest", MAX_MANIFEST_BYTES, DataError)


def signer_chain(p7s: bytes, certificate_sha256: str) -> list[x509.Certificate] | None:
    """The certificates of the detached signature ``p7s``, signer first, then its issuers, then any others.

    The signer is the certificate whose SHA-256 is ``certificate_sha256`` (as the
    manifest records it), and its serial number must be the one the signature names;
    None when the signature carries no such certificate.
    """
    from asn1crypto import cms

    try:
        certs = chain_from_p7s(p7s)
        (info,) = cms.ContentInfo.load(p7s)["content"]["signer_infos"]
        sid = info["sid"]
        serial = sid.chosen["serial_number"].native if sid.name == "issuer_and_serial_number" else None
    except (ValueError, TypeError, KeyError):
        return None
    signer = next((c for c in certs if c.fingerprint(hashes.SHA256()).hex() == certificate_sha256.lower()), None)
    if signer is None or serial != signer.serial_number:
        return None
    others = [c for c in certs if c is not signer]
    chain = [signer, *issuers(signer, others)]
    return chain + [c for c in others if c not in chain]


def _chain_pem(chain: Iterable[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)


def _snapshot_bytes(run: _Run) -> bytes | None:
    entry = next((e for e in run.entries if e.get("kind") == ArtifactKind.SNAPSHOT.value), None)
    if entry is None:
        return None
    return read_regular_file(run.folder / str(entry["path"]), "snapshot", MAX_SNAPSHOT_BYTES, DataError)


def _collected_at(data: bytes | None, period: str) -> datetime:
    """When the data was collected (``provenance.collectedAt``), else ``period``'s first day: each member's time."""
    try:
        stamp = json.loads(data or b"null")["provenance"]["collectedAt"]
        return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, TypeError, KeyError, RecursionError):
        return datetime.strptime(f"{period}-01", "%Y-%m-%d").replace(tzinfo=UTC)


# --- the partner pack -----------------------------------------------------------------------------------------


def _partner_members(run: _Run) -> list[_Member]:
    members = [
        _Member(str(e["path"]), source=run.folder / str(e["path"]), sha256=str(e["sha256"])) for e in run.entries
    ]
    members.append(_Member(MANIFEST_NAME, run.manifest))
    if run.p7s is not None:
        members.append(_Member(MANIFEST_SIGNATURE_NAME, run.p7s))
        members.append(_Member(CHAIN_NAME, _chain_pem(run.chain)))
    sizes = {str(e["path"]): (run.folder / str(e["path"])).stat().st_size for e in run.entries}
    members.append(_Member(SUMS_NAME, sha256sums(run.entries)))
    members.append(_Member(VERIFY_NAME, verify_text(run.document, run.manifest, run.chain, sizes, None).encode()))
    return members


def sha256sums(entries: Iterable[Mapping[str, Any]]) -> bytes:
    """``SHA256SUMS``: a ``sha256  path`` line per manifest entry, in the manifest's order (``sha256sum -c``)."""
    return "".join(f"{e['sha256']}  {e['path']}\n" for e in entries).encode()


# --- a customer pack ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CustomerPack:
    top: str
    members: list[_Member]
    tenant_id: str
    signed: bool
    data: bytes
    """``customer-data.json``."""


def _customer_members(run: _Run, customer: str, signer: Signer | None) -> _CustomerPack:
    key = customer.strip().lower()
    own = [e for e in run.entries if str(e.get("tenantId", "")).lower() == key]
    report = next((e for e in own if e.get("kind") == ArtifactKind.CUSTOMER_PDF.value), None)
    if report is None:
        tenants = {str(e["tenantId"]).lower() for e in run.entries if e.get("tenantId")}
        if own:
            raise DataError(
                f"{run.folder} has no report for tenant {customer.strip()!r:.60}",
                "render the period again without --no-customer-reports",
            )
        raise DataError(
            f"{run.folder} has no customer with tenant id {customer.strip()!r:.60} ({len(tenants)} customers)",
            f"their tenant ids are in {run.folder / MANIFEST_NAME}",
        )
    tenant = str(report["tenantId"])
    workbook = next((e for e in own if e.get("kind") == ArtifactKind.CUSTOMER_WORKBOOK.value), None)
    pdf = _read_listed(run, report, MAX_CUSTOMER_FILE_BYTES)
    data = _attached_data(pdf, str(report["path"]))
    identity = None
    if run.signature is not None:
        identity = signer() if signer else None
        _check_signer(identity, run.signature)
    files = [(report, pdf)]
    if workbook is not None:
        files.append((workbook, _read_listed(run, workbook, MAX_CUSTOMER_FILE_BYTES)))
    artifacts = [
        Artifact(
            Path(str(e["path"])),
            ArtifactKind(str(e["kind"])),
            str(e["sha256"]),
            tenant,
            unsigned_sha256=e.get("unsignedSha256"),
            unsigned_size=e.get("unsignedSize"),
        )
        for e, _ in files
    ]
    artifacts.append(
        Artifact(Path(CUSTOMER_DATA_NAME), ArtifactKind.CUSTOMER_DATA, hashlib.sha256(data).hexdigest(), tenant)
    )
    previous = run.document.get("previousSnapshotSha256")
    manifest = manifest_bytes(
        artifacts,
        snapshot_sha256=str(run.document["snapshotSha256"]),
        period=run.period,
        tool_version=str(run.document["toolVersion"]),
        previous_snapshot_sha256=str(previous) if previous else None,
        signature=run.signature,
    )
    document = json.loads(manifest)
    members = [_Member(str(e["path"]), data=content) for e, content in files]
    members.append(_Member(CUSTOMER_DATA_NAME, data))
    members.append(_Member(MANIFEST_NAME, manifest))
    chain: list[x509.Certificate] = []
    if identity is not None:
        p7s = sign_detached(identity, manifest)
        chain = signer_chain(p7s, identity.certificate.fingerprint(hashes.SHA256()).hex()) or []
        members.append(_Member(MANIFEST_SIGNATURE_NAME, p7s))
        members.append(_Member(CHAIN_NAME, _chain_pem(chain)))
    members.append(_Member(SUMS_NAME, sha256sums(document["files"])))
    sizes = {m.name: len(m.data or b"") for m in members}
    members.append(
        _Member(VERIFY_NAME, verify_text(document, manifest, chain, sizes, _customer_of(data, tenant)).encode())
    )
    top = f"evidence-{run.period}-{PurePosixPath(str(report['path'])).stem}"
    return _CustomerPack(top, members, tenant, identity is not None, data)


def _read_listed(run: _Run, entry: Mapping[str, Any], limit: int) -> bytes:
    path = run.folder / str(entry["path"])
    data = read_regular_file(path, "", limit, DataError)
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise DataError(f"{path}: changed since it was verified; nothing was written", "make the pack again")
    return data


def _attached_data(pdf: bytes, name: str) -> bytes:
    """The customer data attached inside the PDF, exactly; its hash must be the one the PDF records."""
    import io

    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(pdf))
        attached = reader.attachments.get(CUSTOMER_DATA_NAME) or []
        metadata: Mapping[str, Any] = reader.metadata or {}
        recorded = metadata.get(f"/{evidence.INFO_ATTACHMENT_SHA256}")
    except Exception as exc:  # a damaged file makes pypdf fail in many ways; verify passed, so this is rare
        raise DataError(f"{name}: cannot be read as a PDF ({type(exc).__name__})", "run reporter verify") from None
    if len(attached) != 1 or hashlib.sha256(attached[0]).hexdigest() != recorded:
        raise DataError(f"{name}: its attached {CUSTOMER_DATA_NAME} is not the one it records", "run reporter verify")
    return bytes(attached[0])


def _check_signer(identity: SigningIdentity | None, signature: Mapping[str, Any]) -> None:
    """A signed run's customer pack is signed by the run's own signer: its manifest says who signed the PDFs too."""
    if identity is None:
        raise ConfigError(
            "the run was signed, so a customer pack's new manifest must be signed too, but no [sign] is configured",
            "give --config the file whose [sign] names the certificate the run was signed with",
        )
    fingerprint = identity.certificate.fingerprint(hashes.SHA256()).hex()
    if fingerprint != str(signature.get("certificateSha256", "")).lower():
        raise ConfigError(
            f"[sign] names the certificate of {identity.name} (SHA-256 {fingerprint[:16]}…), but the run was signed "
            f"with {signature.get('signer', 'another')}'s (SHA-256 {str(signature.get('certificateSha256'))[:16]}…)",
            "configure [sign] with the certificate the run was signed with",
        )


@dataclass(frozen=True, slots=True)
class _Customer:
    tenant_id: str
    name: str | None
    domain: str | None


def _customer_of(data: bytes, tenant: str) -> _Customer:
    """The customer ``customer-data.json`` is about (verify checked that it holds that tenant's data only)."""
    listed = json.loads(data)["customers"]
    customer = next(c for c in listed if str(c.get("tenantId", "")).lower() == tenant.lower())
    name, domain = customer.get("displayName"), customer.get("defaultDomainName")
    return _Customer(str(customer["tenantId"]), str(name) if name else None, str(domain) if domain else None)


# --- VERIFY.txt -----------------------------------------------------------------------------------------------

_KINDS = {
    ArtifactKind.SUMMARY_PDF.value: "the executive summary (PDF)",
    ArtifactKind.CUSTOMER_PDF.value: "a customer's report (PDF)",
    ArtifactKind.WORKBOOK.value: "the partner's workbook (Excel)",
    ArtifactKind.CUSTOMER_WORKBOOK.value: "a customer's workbook (Excel)",
    ArtifactKind.SNAPSHOT.value: "the data every document was made from (JSON)",
    ArtifactKind.CUSTOMER_MESSAGE.value: "the words of a customer's e-mail (JSON)",
    ArtifactKind.SUMMARY_MESSAGE.value: "the words of the partner's e-mail (JSON)",
    ArtifactKind.CUSTOMER_DATA.value: "the data the report was made from, as attached inside it (JSON)",
}
_OWN_KINDS = {
    **_KINDS,
    ArtifactKind.CUSTOMER_PDF.value: "the report (PDF)",
    ArtifactKind.CUSTOMER_WORKBOOK.value: "the report's figures as a workbook (Excel)",
}
_WIDTH = 100
_SUMS_PYTHON = (
    'python3 -c \'import json; [print(f["sha256"] + "  " + f["path"]) '
    'for f in json.load(open("manifest.json"))["files"]]\' | diff - SHA256SUMS'
)
_SUMS_JQ = "jq -r '.files[] | \"\\(.sha256)  \\(.path)\"' manifest.json | diff - SHA256SUMS"
_SHOWN_PDFSIG = 3
"""A partner pack has a PDF per customer: this many ``pdfsig`` lines, then one loop for them all."""


class _Text:
    """Plain text for a reader with no tool but a terminal: wrapped paragraphs, indented commands, numbered checks."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.checks = 0

    def title(self, text: str) -> None:
        self.lines += [text, "=" * len(text), ""]

    def heading(self, text: str, *, check: bool = True) -> None:
        if check:
            self.checks += 1
            text = f"{self.checks}. {text}"
        self.lines += [text, "-" * len(text), ""]

    def para(self, text: str) -> None:
        import textwrap

        self.lines += [*textwrap.wrap(text, _WIDTH, break_long_words=False, break_on_hyphens=False), ""]

    def command(self, *commands: str) -> None:
        self.lines += [*(f"    {c}" for c in commands), ""]

    def table(self, rows: Sequence[tuple[str, ...]], *, right: int | None = None) -> None:
        """Columns padded to their widest cell (the last one not), column ``right`` aligned right (sizes)."""
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for *cells, last in rows:
            padded = [
                f"{c:>{w}}" if i == right else f"{c:<{w}}" for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            self.lines.append("  " + "  ".join([*padded, last]))
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


def verify_text(
    document: Mapping[str, Any],
    manifest: bytes,
    chain: Sequence[x509.Certificate],
    sizes: Mapping[str, int],
    customer: _Customer | None,
) -> str:
    """``VERIFY.txt``: how to check the pack with sha256sum, openssl and a PDF reader, with its real names and numbers.

    ``document`` is the pack's manifest (``manifest`` its bytes), ``chain`` the certificates
    of its signature (empty: not signed), ``sizes`` the size of each file, ``customer``
    whose pack it is (None: the partner's).
    """
    period = str(document["period"])
    files: list[Mapping[str, Any]] = list(document["files"])
    signature = document.get("signature")
    signed = isinstance(signature, Mapping) and bool(chain)
    t = _Text()
    month = datetime.strptime(period, "%Y-%m").strftime("%B %Y")
    if customer is None:
        customers = len({str(f["tenantId"]).lower() for f in files if f.get("tenantId")})
        t.title(f"Evidence pack: the security reports of {month} ({period})")
        about = (
            f"every document of the run for {period} (the executive summary and the reports of {customers} "
            "customers), and what is needed to check them"
        )
    else:
        who = customer.name or f"tenant {customer.tenant_id}"
        domain = f", domain {customer.domain}" if customer.domain else ""
        t.title(f"Evidence pack: the security report of {who} for {month} ({period})")
        about = (
            f"the security report of {who} (tenant id {customer.tenant_id}{domain}) for {period}, and what is "
            "needed to check it; it holds nothing about any other customer"
        )
    if signed:
        tools = "sha256sum (GNU coreutils), openssl, and a PDF reader or pdfsig (poppler-utils)"
    else:
        tools = "sha256sum (GNU coreutils)" + (" and pdfdetach (poppler-utils)" if customer else "")
    t.para(
        f"This folder holds {about}. The checks below need no software from the partner: {tools}. Run each "
        "command in this folder."
    )
    if not signed:
        t.para(
            "THE DOCUMENTS IN THIS PACK ARE NOT SIGNED. Only their hashes can be checked (check 1): they show that "
            "each file is the one manifest.json lists, but nothing shows who made manifest.json, or that it was not "
            "changed together with the files."
        )
    _contents(t, document, manifest, chain, sizes, customer, signed)
    t.heading("Each file is the one the manifest lists")
    t.command("sha256sum -c SHA256SUMS")
    t.para(
        'Every line must end in "OK". SHA256SUMS is only the manifest\'s hashes in the form sha256sum reads; to see '
        "that it is exactly that, make it again from manifest.json and compare (no output means they are the same):"
    )
    t.command(_SUMS_PYTHON)
    t.para("or, with jq:")
    t.command(_SUMS_JQ)
    pdfs = [str(f["path"]) for f in files if str(f["path"]).endswith(".pdf")]
    if signed:
        assert isinstance(signature, Mapping)
        _signature_checks(t, signature, chain, pdfs, files)
    if customer is not None:
        t.heading("The data inside the report")
        t.para(
            "customer-data.json is the file attached inside the PDF (PDF readers list it among its attachments): "
            "the data the report was made from. To compare the two with poppler-utils (no output from cmp means "
            "they are the same):"
        )
        t.command(
            f"pdfdetach -savefile customer-data.json -o attached.json {pdfs[0]} && cmp attached.json customer-data.json"
        )
    return t.text()


def _contents(
    t: _Text,
    document: Mapping[str, Any],
    manifest: bytes,
    chain: Sequence[x509.Certificate],
    sizes: Mapping[str, int],
    customer: _Customer | None,
    signed: bool,
) -> None:
    kinds = _KINDS if customer is None else _OWN_KINDS
    t.heading("What this pack holds", check=False)
    t.table(
        [
            (str(f["path"]), _size(sizes.get(str(f["path"]))), kinds.get(str(f["kind"]), str(f["kind"])))
            for f in document["files"]
        ],
        right=1,
    )
    signature = document.get("signature")
    signer = str(signature.get("signer")) if isinstance(signature, Mapping) else ""
    rows = [
        (MANIFEST_NAME, f"every file above with its SHA-256 (its own SHA-256: {hashlib.sha256(manifest).hexdigest()})")
    ]
    if signed:
        rows += [
            (MANIFEST_SIGNATURE_NAME, f"the signature of manifest.json by {signer} (detached CMS, DER)"),
            (CHAIN_NAME, f"the {len(chain)} certificates that signature carries, signer first (PEM)"),
        ]
    rows += [
        (SUMS_NAME, "the SHA-256 of each file manifest.json lists, copied from it, as sha256sum reads them"),
        (VERIFY_NAME, "this file"),
    ]
    t.table(rows)
    previous = document.get("previousSnapshotSha256")
    made = "The documents were" if customer is None else "The report was"
    t.para(
        f"{made} made by reporter {document.get('toolVersion')} from the partner's data snapshot with "
        f"SHA-256 {document.get('snapshotSha256')}"
        + (f" (changes since the previous month counted from snapshot {previous})" if previous else "")
        + "."
        + (" customer-data.json is this customer's part of it." if customer else "")
    )


def _signature_checks(
    t: _Text,
    signature: Mapping[str, Any],
    chain: Sequence[x509.Certificate],
    pdfs: Sequence[str],
    files: Sequence[Mapping[str, Any]],
) -> None:
    signer = str(signature.get("signer"))
    t.heading(f"The manifest is the one {signer} signed")
    t.command(
        "openssl cms -verify -binary -inform DER -content manifest.json -in manifest.json.p7s "
        "-CAfile TRUSTED-CA.pem -out /dev/null"
    )
    t.para(
        "TRUSTED-CA.pem stands for the certificate of a certification authority you trust, obtained apart from this "
        f"pack (from {signer} through another channel, or your organisation's trust store). "
        '"Verification successful" means that manifest.json is byte for byte what was signed, with a certificate '
        "that authority issued; with check 1, every file it lists is the one that was signed for. If openssl "
        'answers "unsupported certificate purpose", the certificate is for document signing only: add -purpose any.'
    )
    t.para(
        f"The signer's certificate is {signature.get('subject')}, SHA-256 fingerprint "
        f"{signature.get('certificateSha256')} (manifest.json records both). It is the first certificate of "
        "signer-chain.pem:"
    )
    t.command("openssl x509 -in signer-chain.pem -noout -subject -fingerprint -sha256")
    t.lines.append("signer-chain.pem holds the certificates the signature carries:")
    for number, cert in enumerate(chain, 1):
        role = "the signer" if number == 1 else "a root: it issued itself" if cert.issuer == cert.subject else "issuer"
        t.lines.append(f"  {number}. {cert.subject.rfc4514_string()} ({role})")
    t.lines.append("")
    root = chain[-1].issuer == chain[-1].subject
    t.para(
        "Given as -CAfile, that file proves integrity only, not identity: the check then passes when manifest.json "
        "is unchanged since the holder of that key signed it, but anyone can make a certificate, a root too, in any "
        "name. Only a CA you trust shows who signed."
        + ("" if root else " The file holds no root certificate: add -partial_chain to check integrity with it.")
    )
    one = len(pdfs) == 1
    t.heading("The PDF is signed and unchanged" if one else "Each PDF is signed and unchanged")
    t.para(
        f"Open {'the' if one else 'each'} PDF in a PDF reader that shows signatures (in Adobe Acrobat Reader, the "
        "signature panel). It must "
        f"say that it is signed by {signer} and that the document has not been modified since it was signed. "
        "Or, with poppler-utils:"
    )
    t.command(*(f"pdfsig {p}" for p in pdfs[:_SHOWN_PDFSIG]))
    if len(pdfs) > _SHOWN_PDFSIG:
        t.para(f"and so on for all {len(pdfs)} PDFs, or all at once:")
        t.command('for f in $(grep -o \'[^ ]*[.]pdf$\' SHA256SUMS); do echo "$f"; pdfsig "$f"; done')
    t.para(
        'pdfsig must print "Signature Validation: Signature is Valid." and "Total document signed". Its '
        '"Certificate Validation" line depends on whether your system trusts the issuing authority; check 2 settles '
        f"that. {'The PDF is' if one else 'The PDFs are'} signed at level {signature.get('pdfLevel')}."
    )
    t.heading("The report can be made again" if one else "The documents can be made again")
    t.para(
        f"{'The' if one else 'Each'} signed PDF is the unsigned document, byte for byte, with the signature "
        "appended after it. Those first "
        "bytes are what reporter makes from the same data, configuration and version, every time: the partner can "
        "render the period again from its archived snapshot and show the same bytes. manifest.json records how many "
        f"bytes that is (unsignedSize) and their SHA-256 (unsignedSha256). {'The' if one else 'Each'} command must "
        "print the SHA-256 below it:"
    )
    for f in files:
        if "unsignedSize" in f:
            t.command(f"head -c {f['unsignedSize']} {f['path']} | sha256sum", f"{f['unsignedSha256']}  -")


def _size(size: int | None) -> str:
    return "" if size is None else f"{size:,} bytes"
