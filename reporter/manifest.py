"""``manifest.json``: every file of a render with its kind and SHA-256; written by render, read by verify and send."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reporter.atomic import write_bytes
from reporter.errors import DataError, OutputError
from reporter.files import read_regular_file
from reporter.snapshot import canonical_json

MANIFEST_NAME = "manifest.json"
MANIFEST_SIGNATURE_NAME = "manifest.json.p7s"
"""A detached CMS signature (DER) of the manifest, beside it when the run was signed."""
MAX_MANIFEST_SIGNATURE_BYTES = 1 << 20
MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 64 << 20
"""Far above the manifest of a render of many thousand customers; a bigger file is not ours."""


class ArtifactKind(StrEnum):
    SUMMARY_PDF = "summary-pdf"
    CUSTOMER_PDF = "customer-pdf"
    WORKBOOK = "workbook"
    CUSTOMER_WORKBOOK = "customer-workbook"
    SNAPSHOT = "snapshot"
    CUSTOMER_MESSAGE = "customer-message"
    """The words of a customer's e-mail (``messages/<slug>.json``), with its tenant id."""
    SUMMARY_MESSAGE = "summary-message"
    """The words of the partner's e-mail (``messages/summary.json``)."""
    CUSTOMER_DATA = "customer-data"
    """A customer's own data, exactly as attached inside its PDF (``customer-data.json`` of an evidence pack)."""


@dataclass(frozen=True, slots=True)
class Artifact:
    path: Path
    """Relative to the output folder."""
    kind: ArtifactKind
    sha256: str
    tenant_id: str | None = None
    unsigned_sha256: str | None = None
    """A signed PDF: the SHA-256 of the document before its signature was appended (reproducible)."""
    unsigned_size: int | None = None
    """A signed PDF: how many of its first bytes are that unsigned document."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_artifact(
    out_dir: Path, relative: Path, data: bytes, kind: ArtifactKind, tenant_id: str | None = None
) -> Artifact:
    """Write ``data`` atomically under ``out_dir`` and describe it for the manifest."""
    write_bytes(out_dir / relative, data)
    return Artifact(relative, kind, hashlib.sha256(data).hexdigest(), tenant_id)


def write_signed_artifact(
    out_dir: Path,
    relative: Path,
    data: bytes,
    kind: ArtifactKind,
    tenant_id: str | None,
    *,
    unsigned_sha256: str,
    unsigned_size: int,
) -> Artifact:
    """``write_artifact`` for a signed PDF, which also records the unsigned document it begins with."""
    written = write_artifact(out_dir, relative, data, kind, tenant_id)
    return Artifact(
        written.path, kind, written.sha256, tenant_id, unsigned_sha256=unsigned_sha256, unsigned_size=unsigned_size
    )


def manifest_bytes(
    artifacts: Sequence[Artifact],
    *,
    snapshot_sha256: str,
    period: str,
    tool_version: str,
    previous_snapshot_sha256: str | None = None,
    signature: Mapping[str, str] | None = None,
) -> bytes:
    """``tool_version`` is the version that rendered the files; ``previous_snapshot_sha256`` the
    archived snapshot month-over-month changes were counted from (the documents depend on it too);
    ``signature`` who signed the PDFs and this manifest, and how (``reporter.render.sign``)."""
    files = []
    for a in sorted(artifacts, key=lambda a: a.path.as_posix()):
        entry: dict[str, str | int] = {"path": a.path.as_posix(), "kind": a.kind.value, "sha256": a.sha256}
        if a.tenant_id:
            entry["tenantId"] = a.tenant_id
        if a.unsigned_sha256 is not None and a.unsigned_size is not None:
            entry["unsignedSha256"] = a.unsigned_sha256
            entry["unsignedSize"] = a.unsigned_size
        files.append(entry)
    document: dict[str, object] = {
        "manifestVersion": MANIFEST_VERSION,
        "period": period,
        "snapshotSha256": snapshot_sha256,
        "toolVersion": tool_version,
    }
    if previous_snapshot_sha256:
        document["previousSnapshotSha256"] = previous_snapshot_sha256
    if signature:
        document["signature"] = dict(signature)
    document["files"] = files
    document["manifestSha256"] = manifest_self_hash(document)
    return document_bytes(document)


def document_bytes(document: dict[str, object]) -> bytes:
    """The manifest file exactly as it is written: ``reporter verify`` compares it byte for byte,
    so a change the self-hash cannot see (white space, key order, escapes) is still noticed."""
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def manifest_self_hash(document: dict[str, object]) -> str:
    """SHA-256 of the manifest's canonical JSON without its own ``manifestSha256``.

    It lets ``reporter verify`` notice a change to the manifest itself.
    """
    body = {k: v for k, v in document.items() if k != "manifestSha256"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def check_ours(folder: Path) -> None:
    """Raise ``OutputError`` unless ``folder`` may be replaced: it is absent, empty, or provably ours.

    Ours means: ``manifest.json`` is a manifest of this version, its own hash checks
    out, it is byte for byte as reporter writes it, and every entry of the folder
    (hidden ones and subfolders too) is a regular file it lists, or a folder on the
    way to one, or ``manifest.json.p7s`` when that is a signature of this very
    manifest. Anything else is refused and left as it is.
    """
    try:
        entries = sorted(folder.iterdir())
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise OutputError(f"{folder} exists and is not a folder", "give a new folder or one reporter wrote") from None
    except OSError as exc:
        raise OutputError(f"cannot read {folder}: {exc.strerror}", "choose another output folder") from None
    if not entries:
        return
    why = _not_ours(folder)
    if why:
        raise OutputError(
            f"{folder} is not a folder reporter wrote ({why}); nothing was changed",
            "give a new or empty folder, or move its files elsewhere first",
        )


def _not_ours(folder: Path) -> str | None:
    """Why ``folder`` is not provably an earlier render, or None if it is."""
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file() or manifest_path.is_symlink():
        return f"it has no {MANIFEST_NAME}"
    try:
        with manifest_path.open("rb") as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
        document = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return f"its {MANIFEST_NAME} is not one reporter wrote"
    if (
        len(raw) > MAX_MANIFEST_BYTES
        or not isinstance(document, dict)
        or document.get("manifestVersion") != MANIFEST_VERSION
        or not isinstance(document.get("files"), list)
        or document.get("manifestSha256") != manifest_self_hash(document)
        or raw != document_bytes(document)
    ):
        return f"its {MANIFEST_NAME} is not one reporter wrote"
    listed = {MANIFEST_NAME}
    if signs_manifest(folder / MANIFEST_SIGNATURE_NAME, raw):
        listed.add(MANIFEST_SIGNATURE_NAME)
    hashes: dict[str, object] = {}
    for entry in document["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            return f"its {MANIFEST_NAME} is not one reporter wrote"
        listed.add(entry["path"])
        hashes[entry["path"]] = entry.get("sha256")
    folders = {parent.as_posix() for path in listed for parent in Path(path).parents if parent != Path(".")}
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                return f"{relative} is a symbolic link"
            if name in dirs:
                if relative not in folders:
                    return f"{relative}/ is not listed in its {MANIFEST_NAME}"
            elif relative not in listed or not path.is_file():
                return f"{relative} is not listed in its {MANIFEST_NAME}"
    for relative, digest in hashes.items():  # a report someone annotated since is theirs now, not ours to replace
        path = folder / relative
        if path.is_file() and not path.is_symlink() and file_sha256(path) != digest:
            return f"{relative} was changed since reporter wrote it"
    return None


def signed_digest(signature: bytes) -> bytes | None:
    """The SHA-256 a detached CMS signature says it signed (its ``messageDigest``), or None if it is not one."""
    from asn1crypto import (
        cms,  # pyHanko's ASN.1 library: only a signed folder needs it
        tsp,  # noqa: F401  (names its CMS attributes, signing_certificate_v2 among them)
    )

    # asn1crypto builds its table of attribute names on the first CMS it parses; one built
    # before ``asn1crypto.tsp`` (and pyHanko) registered theirs would not know them, and a
    # signature made later in this process would fail.

    try:
        info = cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            return None
        content = info["content"]
        if content["encap_content_info"]["content"].native is not None:
            return None  # not detached
        (signer,) = content["signer_infos"]
        if signer["digest_algorithm"]["algorithm"].native != "sha256":
            return None
        digests = [a["values"][0].native for a in signer["signed_attrs"] if a["type"].native == "message_digest"]
    except (ValueError, TypeError, KeyError):
        return None
    return bytes(digests[0]) if len(digests) == 1 and isinstance(digests[0], bytes) else None


def signs_manifest(path: Path, manifest: bytes) -> bool:
    """``path`` is a regular file holding a detached signature whose digest is that of ``manifest``.

    Whether the signature itself is valid, and by whom, is ``reporter verify``'s question.
    """
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MANIFEST_SIGNATURE_BYTES + 1)
    except OSError:
        return False
    if len(data) > MAX_MANIFEST_SIGNATURE_BYTES:
        return False
    return signed_digest(data) == hashlib.sha256(manifest).digest()


def read_manifest(folder: Path) -> dict[str, object]:
    """The manifest of the run folder ``folder``, checked: ours, its own hash intact, byte for byte as written.

    Raises ``DataError`` naming what is wrong. The files it lists are not read here.
    """
    path = folder / MANIFEST_NAME
    if not path.exists() and not path.is_symlink():
        raise DataError(f"{folder}: has no {MANIFEST_NAME}", "give a run folder that reporter wrote (OUT/YYYY-MM)")
    raw = read_regular_file(path, "manifest", MAX_MANIFEST_BYTES, DataError)
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        document = None
    if (
        not isinstance(document, dict)
        or document.get("manifestVersion") != MANIFEST_VERSION
        or not isinstance(document.get("files"), list)
        or document.get("manifestSha256") != manifest_self_hash(document)
        or raw != document_bytes(document)
    ):
        raise DataError(
            f"{path}: not a manifest reporter wrote, or it was changed since",
            "render the period again, or check the folder with reporter verify",
        )
    return document
