"""``manifest.json``: every file of a render with its kind and SHA-256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from reporter.atomic import write_bytes
from reporter.render.artifact import Artifact, ArtifactKind
from reporter.snapshot import canonical_json

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


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


def manifest_bytes(
    artifacts: Sequence[Artifact],
    *,
    snapshot_sha256: str,
    period: str,
    tool_version: str,
    previous_snapshot_sha256: str | None = None,
) -> bytes:
    """``tool_version`` is the version that rendered the files; ``previous_snapshot_sha256`` the
    archived snapshot month-over-month changes were counted from (the documents depend on it too)."""
    files = []
    for a in sorted(artifacts, key=lambda a: a.path.as_posix()):
        entry: dict[str, str] = {"path": a.path.as_posix(), "kind": a.kind.value, "sha256": a.sha256}
        if a.tenant_id:
            entry["tenantId"] = a.tenant_id
        files.append(entry)
    document: dict[str, object] = {
        "manifestVersion": MANIFEST_VERSION,
        "period": period,
        "snapshotSha256": snapshot_sha256,
        "toolVersion": tool_version,
    }
    if previous_snapshot_sha256:
        document["previousSnapshotSha256"] = previous_snapshot_sha256
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
