"""The committed samples: current, deterministic, and covering what the reports must handle."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter import snapshot as snapshot_io
from reporter.emulator.samples import LONG_NAME, SAMPLES, snapshot_from_raw, write_all
from reporter.model import AlertSeverity, AlertStatus, ComplianceStatus, RequirementType, Snapshot

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
FOLDERS = [spec.folder for spec in SAMPLES]


def load(folder: str) -> Snapshot:
    return snapshot_io.load(SAMPLES_DIR / folder / "snapshot.json")


def files_under(root: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(root.rglob("*.json")):
        yield str(path.relative_to(root)), path.read_bytes()


@pytest.mark.parametrize("folder", FOLDERS)
def test_snapshot_is_what_the_raw_pages_build(folder: str) -> None:
    committed = (SAMPLES_DIR / folder / "snapshot.json").read_bytes()
    assert snapshot_io.dumps(snapshot_from_raw(SAMPLES_DIR / folder)) == committed


def test_regenerating_the_samples_changes_nothing(tmp_path: Path) -> None:
    write_all(tmp_path)
    for folder in FOLDERS:
        assert dict(files_under(tmp_path / folder)) == dict(files_under(SAMPLES_DIR / folder)), folder


def test_every_sample_folder_is_generated_and_described() -> None:
    on_disk = {path.name for path in SAMPLES_DIR.iterdir() if path.is_dir()}
    assert on_disk == set(FOLDERS)
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for folder in FOLDERS:
        assert f"`{folder}/`" in readme


def test_raw_pages_follow_their_next_links() -> None:
    raw = SAMPLES_DIR / "northwind-partners" / "raw"
    pages = sorted(raw.glob("customerInsights-page-*.json"))
    assert len(pages) == 3
    for number in range(1, len(pages)):
        body = json.loads((raw / f"customerInsights-page-{number}.json").read_text(encoding="utf-8"))
        assert body["@odata.nextLink"].startswith(
            "https://graph.microsoft.com/beta/security/partner/securityScore/customerInsights?$skiptoken="
        )
    last = json.loads(pages[-1].read_text(encoding="utf-8"))
    assert "@odata.nextLink" not in last


def test_every_requirement_type_is_compliant_and_noncompliant_somewhere() -> None:
    seen = {(r.requirement_type, r.compliance_status) for folder in FOLDERS for r in load(folder).requirements}
    for kind in RequirementType:
        if kind is RequirementType.UNKNOWN:
            continue
        assert (kind, ComplianceStatus.COMPLIANT) in seen, kind
        assert (kind, ComplianceStatus.NONCOMPLIANT) in seen, kind


def test_main_sample_is_realistic() -> None:
    snap = load("northwind-partners")
    assert len(snap.customers) == 40
    assert {r.requirement_type for r in snap.requirements} == set(RequirementType) - {RequirementType.UNKNOWN}
    assert {a.severity for a in snap.alerts} == set(AlertSeverity) - {AlertSeverity.UNKNOWN}
    assert {a.status for a in snap.alerts} == set(AlertStatus) - {AlertStatus.UNKNOWN}
    assert any(a.is_test for a in snap.alerts)
    assert all(a.resolved_on_date_time and a.resolved_by and a.resolved_reason for a in snap.alerts if a.resolved_by)
    tenants = {c.tenant_id for c in snap.customers}
    assert {a.customer_tenant_id for a in snap.alerts} <= tenants
    assert 6 <= len(snap.history) <= 12
    assert any(point.score is None for point in snap.history)  # the "NaN" quirk
    users = sorted(c.mfa.total_users_count or 0 for c in snap.customers if c.mfa)
    assert users[0] == 0
    assert users[-1] > 10_000
    assert 1 <= sum(c.display_name is None for c in snap.customers) <= 3  # contracts miss a few


def test_edge_samples_hold_their_edge_cases() -> None:
    assert load("edge-no-customers").customers == ()
    zero = load("edge-zero-users")
    assert any(c.mfa and c.mfa.total_users_count == 0 for c in zero.customers)
    names = {c.display_name for c in load("edge-unicode-names").customers}
    assert {"شركة النخيل للتجارة", "חברת אורן טכנולוגיות בע״מ", LONG_NAME} <= names
    assert len(LONG_NAME) == 200
    hostile = {c.display_name for c in load("edge-injection-names").customers}
    assert {"<script>alert(1)</script>", '=HYPERLINK("http://evil.example","click")', "@SUM(A1)"} <= hostile
    assert {"BellRingers Control Character Inc", "Tabbed Start Ltd"} <= hostile  # control characters removed
    raw = (SAMPLES_DIR / "edge-injection-names" / "raw" / "contracts-page-1.json").read_text(encoding="utf-8")
    assert '"\\tTabbed Start Ltd"' in raw
