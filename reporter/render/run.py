"""``render(snapshot, out_dir)``: every document of one snapshot, and the manifest."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import hashes

from reporter import snapshot as snapshot_io
from reporter._version import __version__
from reporter.atomic import replace_folder, write_bytes
from reporter.manifest import (
    MANIFEST_NAME,
    MANIFEST_SIGNATURE_NAME,
    Artifact,
    ArtifactKind,
    check_ours,
    manifest_bytes,
    write_artifact,
)
from reporter.model import Snapshot
from reporter.render import messages, pdf, xlsx
from reporter.render.options import RenderOptions
from reporter.render.sign import PdfSigning, sign_detached
from reporter.view import Brand, build_context
from reporter.view.trends import Periods, Trends


def render_all(
    snapshot: Snapshot,
    out_dir: Path,
    brand: Brand,
    options: RenderOptions | None = None,
    *,
    periods: Periods | None = None,
    previous: Snapshot | None = None,
    trends: Trends | None = None,
) -> list[Artifact]:
    """Write the summary PDF, customer PDFs, workbooks, the words of each e-mail, the snapshot and ``manifest.json``.

    The manifest names the version of reporter that rendered the files (the snapshot
    keeps the one that collected it) and, with ``previous``, that snapshot's SHA-256.

    ``periods`` says which month the documents report on (by default the month the
    snapshot was collected, or ``trends.periods``) and which archived month came before;
    ``previous`` (the snapshot of ``periods.previous``) adds month-over-month changes,
    ``trends`` (``monthly.read_past``) each customer's progress and the portfolio's.
    """
    options = options or RenderOptions()
    signing = options.signing
    context = build_context(
        snapshot,
        brand,
        periods=periods,
        previous=previous,
        languages=options.languages,
        signed_by=signing.identity.name if signing else None,
        trends=trends,
    )
    artifacts = [write_artifact(out_dir, Path("snapshot.json"), snapshot_io.dumps(snapshot), ArtifactKind.SNAPSHOT)]
    for renderer in (pdf.render, xlsx.render, messages.render):
        artifacts.extend(renderer(context, out_dir, options))
    manifest = manifest_bytes(
        artifacts,
        snapshot_sha256=context.snapshot_sha256,
        period=context.period,
        tool_version=__version__,
        previous_snapshot_sha256=context.changes.previous_sha256 if context.changes else None,
        signature=signature_entry(signing) if signing else None,
    )
    write_bytes(out_dir / MANIFEST_NAME, manifest)
    if signing:  # the workbook and the snapshot carry no signature of their own: the manifest's covers them
        write_bytes(out_dir / MANIFEST_SIGNATURE_NAME, sign_detached(signing.identity, manifest))
    return artifacts


def signature_entry(signing: PdfSigning) -> dict[str, str]:
    """What the manifest says of its signer: name, certificate, PAdES level, and the file signing the manifest."""
    cert = signing.identity.certificate
    return {
        "signer": signing.identity.name,
        "subject": cert.subject.rfc4514_string(),
        "certificateSha256": cert.fingerprint(hashes.SHA256()).hex(),
        "pdfLevel": f"PAdES-{signing.level.value}",
        "manifestSignature": MANIFEST_SIGNATURE_NAME,
    }


def render_folder(
    snapshot: Snapshot, out_dir: Path, brand: Brand, options: RenderOptions | None = None
) -> list[Artifact]:
    """``render_all`` into ``out_dir`` as a whole: it appears complete, or stays as it was.

    ``out_dir`` may be new, empty, or an earlier render that is provably ours
    (``check_ours``), which is replaced; any other folder is refused, untouched.
    One render at a time writes to ``out_dir``: a second one fails at once.
    """
    return replace_folder(out_dir, lambda staging: render_all(snapshot, staging, brand, options), check=check_ours)
