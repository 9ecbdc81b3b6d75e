"""Every PDF of a run is audit evidence: PDF/A-3b with the data it was made from, checked with pikepdf.

They read the shared two-month run of tests/test_run.py and the killed-then-finished
run of tests/test_run_kill.py, and check what the PDF renderer promises
(reporter/render/pdf*): PDF/A-3b claims, output intent, fonts, attachments, metadata,
and that ``reporter verify`` accepts the result.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from reporter._version import __version__
from reporter.verify import verify
from tests.test_run import FIRST_MONTH, SECOND_MONTH, TwoMonths, manifest_files, reporter, two_month_run
from tests.test_run_kill import KilledWhileRendering, killed_while_rendering

SUMMARY_ATTACHMENT = "snapshot.json"
CUSTOMER_ATTACHMENT = "customer-data.json"
PERIODS = (FIRST_MONTH, SECOND_MONTH)


@pytest.fixture(scope="session")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> TwoMonths:
    return two_month_run(tmp_path_factory)


@pytest.fixture(scope="session")
def killed(tmp_path_factory: pytest.TempPathFactory) -> KilledWhileRendering:
    return killed_while_rendering(tmp_path_factory)


def pdfs_of(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(path, manifest entry) of every PDF the manifest lists."""
    return [(path, entry) for path, entry in sorted(manifest_files(folder).items()) if path.endswith(".pdf")]


def every_pdf(two_months: TwoMonths) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    for period in PERIODS:
        folder = two_months.folder(period)
        for path, entry in pdfs_of(folder):
            yield period, folder / path, entry


def attachments(pdf: pikepdf.Pdf) -> dict[str, bytes]:
    return {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}


def xmp_text(pdf: pikepdf.Pdf) -> str:
    return bytes(pdf.Root.Metadata.read_bytes()).decode("utf-8")


# --- PDF/A-3b --------------------------------------------------------------------------------------------


def test_every_pdf_claims_pdf_a_3b_in_its_xmp(two_months: TwoMonths) -> None:
    for _, path, _ in every_pdf(two_months):
        with pikepdf.open(path) as pdf, pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "3", path
            assert meta.get("pdfaid:conformance") == "B", path


def test_every_pdf_has_an_srgb_output_intent(two_months: TwoMonths) -> None:
    for _, path, _ in every_pdf(two_months):
        with pikepdf.open(path) as pdf:
            intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFA1"]
            assert len(intents) == 1, path
            profile = intents[0].DestOutputProfile
            data = profile.read_bytes()
            assert int(profile.get("/N", 0)) == 3, path
            assert data[16:20] == b"RGB ", path  # the ICC profile's colour space
            described = " ".join(str(intents[0].get(key, "")) for key in ("/OutputConditionIdentifier", "/Info"))
            assert "sRGB" in described or b"sRGB" in data, path


def fonts(resources: Any, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """Every font a resource dictionary reaches, through form XObjects and Type 3 fonts too."""
    if resources is None:
        return
    for font in (resources.get("/Font") or {}).values():
        if font.objgen in seen and font.objgen != (0, 0):
            continue
        seen.add(font.objgen)
        yield font
        if font.get("/Subtype") == "/Type3":
            yield from fonts(font.get("/Resources"), seen)
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.objgen in seen and xobject.objgen != (0, 0):
            continue
        seen.add(xobject.objgen)
        if xobject.get("/Subtype") == "/Form":
            yield from fonts(xobject.get("/Resources"), seen)


def font_files(font: Any) -> list[str]:
    """The embedded font programs of ``font`` (a Type 0 font's are in its descendant)."""
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor") or {}
    return [key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor]


def test_every_pdf_embeds_every_font_it_uses(two_months: TwoMonths) -> None:
    for _, path, _ in every_pdf(two_months):
        with pikepdf.open(path) as pdf:
            seen: set[tuple[int, int]] = set()
            used = []
            for page in pdf.pages:
                used += list(fonts(page.obj.get("/Resources"), seen))
                for annotation in page.obj.get("/Annots", []):
                    appearance = (annotation.get("/AP") or {}).get("/N")
                    if isinstance(appearance, pikepdf.Stream):
                        used += list(fonts(appearance.get("/Resources"), seen))
            assert used, path
            for font in used:
                if font.get("/Subtype") != "/Type3":  # glyphs drawn by content streams: nothing to embed
                    assert font_files(font), f"{path}: {font.get('/BaseFont')} is not embedded"


# --- the data each PDF carries ------------------------------------------------------------------------------


def test_the_summary_carries_the_run_s_snapshot(two_months: TwoMonths) -> None:
    for period in PERIODS:
        folder = two_months.folder(period)
        with pikepdf.open(folder / "summary.pdf") as pdf:
            files = attachments(pdf)
            assert list(files) == [SUMMARY_ATTACHMENT]
            assert files[SUMMARY_ATTACHMENT] == (folder / "snapshot.json").read_bytes()
            associated = [spec for spec in pdf.Root.get("/AF", []) if spec.get("/UF") == SUMMARY_ATTACHMENT]
            assert len(associated) == 1  # PDF/A-3: an associated file of the document
            assert str(associated[0].get("/AFRelationship")) in ("/Source", "/Data")


def test_a_customer_pdf_carries_that_customer_s_data_only(two_months: TwoMonths) -> None:
    for period in PERIODS:
        folder = two_months.folder(period)
        snapshot = two_months.snapshots[period]
        customers = {c["tenantId"]: c for c in snapshot["customers"]}
        for path, entry in pdfs_of(folder):
            tenant = entry.get("tenantId")
            if tenant is None:
                continue
            with pikepdf.open(folder / path) as pdf:
                files = attachments(pdf)
            assert list(files) == [CUSTOMER_ATTACHMENT], path
            data = files[CUSTOMER_ATTACHMENT]
            own = json.loads(data)
            assert own["customers"] == [customers[tenant]]
            assert all((a.get("customerTenantId") or "").lower() == tenant.lower() for a in own["alerts"])
            expected_alerts = [
                a for a in snapshot["alerts"] if (a.get("customerTenantId") or "").lower() == tenant.lower()
            ]
            assert own["alerts"] == expected_alerts
            for other in customers:
                if other != tenant:
                    assert other.encode() not in data, f"{path} carries {other}"


def test_info_and_xmp_carry_period_snapshot_hash_and_tool_version(two_months: TwoMonths) -> None:
    for period, path, _ in every_pdf(two_months):
        snapshot = two_months.snapshots[period]
        digest = two_months.digests[period]
        version = __version__  # of the tool that rendered the PDF
        with pikepdf.open(path) as pdf:
            info = pdf.docinfo
            (attached,) = attachments(pdf).values()
            assert str(info["/ReporterPeriod"]) == period
            assert str(info["/ReporterSnapshotSha256"]) == digest
            assert str(info["/ReporterToolVersion"]) == version
            assert str(info["/ReporterAttachmentSha256"]) == hashlib.sha256(attached).hexdigest()
            if "/CreationDate" in info:  # a date, if any, is the collection's, never the render's
                collected = snapshot["provenance"]["collectedAt"]
                assert str(info["/CreationDate"]).startswith("D:" + collected[:10].replace("-", ""))
            xmp = xmp_text(pdf)
        for value in (period, digest, version):
            assert value in xmp, f"{path}: {value} not in the XMP"


# --- reporter verify -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
def test_verify_passes_on_a_fresh_run(two_months: TwoMonths, period: str) -> None:
    result = reporter("verify", two_months.folder(period))
    assert result.exit_code == 0, result.output
    assert "MISMATCH" not in result.output
    assert ": OK (" in result.output


def test_a_run_killed_and_finished_passes_verify(killed: KilledWhileRendering) -> None:
    result = reporter("verify", killed.folder)
    assert result.exit_code == 0, result.output


def test_verify_checks_a_single_pdf_on_its_own(two_months: TwoMonths, tmp_path: Path) -> None:
    folder = two_months.folder(SECOND_MONTH)
    customer = next(path for path, entry in pdfs_of(folder) if entry.get("tenantId"))
    for source in (folder / "summary.pdf", folder / customer):
        alone = Path(shutil.copy(source, tmp_path / source.name))  # no manifest beside it
        report = verify(alone)
        assert report.ok, report.problems
        assert f"{alone.name} (embedded data)" in report.checked
        result = reporter("verify", alone)
        assert result.exit_code == 0, result.output


def test_verify_finds_changed_embedded_data_in_a_single_pdf(two_months: TwoMonths, tmp_path: Path) -> None:
    """The page content is as written, but the data attached is not what the PDF recorded."""
    changed = tmp_path / "summary.pdf"
    with pikepdf.open(two_months.folder(SECOND_MONTH) / "summary.pdf") as pdf:
        spec = pdf.attachments[SUMMARY_ATTACHMENT]
        stream = spec.obj.EF.F
        stream.write(stream.read_bytes().replace(b'"customers"', b'"Customers"', 1))
        pdf.save(changed)
    result = reporter("verify", changed)
    assert result.exit_code == 1
    assert "MISMATCH summary.pdf: the embedded data does not match the hash recorded in the PDF" in result.output
