"""Another partner's archive is never rendered as this partner's reports, even when nothing is collected."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.archive import Archive
from reporter.errors import ConfigError
from reporter.model import Snapshot
from reporter.monthly import run_period
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from tests import factories as f

PARTNER = "6f1c7e2a-0000-4000-8000-000000000001"
OTHER = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def never_collect() -> Snapshot:
    raise AssertionError("nothing is collected for an archived period")


def test_a_configured_tenant_other_than_the_archive_s_is_refused_before_rendering(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.put("2026-11", f.snapshot(provenance=f.provenance(partner_tenant_id=PARTNER)))
    with pytest.raises(ConfigError, match=f"holds the snapshots of partner tenant {PARTNER}, not of the configured"):
        run_period(
            "2026-11",
            tmp_path / "out",
            archive,
            never_collect,
            default_brand(),
            this_month="2026-12",
            partner_tenant_id=OTHER,
        )
    assert not (tmp_path / "out" / "2026-11").exists()


def test_the_archive_s_own_tenant_or_none_configured_renders_from_the_archive(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.put("2026-11", f.snapshot(provenance=f.provenance(partner_tenant_id=PARTNER)))
    options = RenderOptions(customer_reports=False, workers=1)
    for tenant in (PARTNER.upper(), None):
        result = run_period(
            "2026-11",
            tmp_path / "out",
            archive,
            never_collect,
            default_brand(),
            options,
            this_month="2026-12",
            partner_tenant_id=tenant,
        )
        assert not result.collected
        assert (result.folder / "summary.pdf").is_file()
