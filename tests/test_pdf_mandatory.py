"""A claim of CSP compliance needs every mandatory requirement reported and compliant, in every document.

Snapshots with requirements removed or changed are rendered to real PDFs and a
workbook, and read back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.model import ComplianceStatus, RequirementType, Snapshot
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.view import build_context, wording
from tests.test_pdf_reports import _requirement, built_sample, pdf_text, squash

MANDATORY_MET = wording.mandatory_met()
NOT_REPORTED = wording.not_reported_by_microsoft()
MET = squash(MANDATORY_MET)
ADMINS = "MFA for the partner's own admins"
CONTACT = "Security contact provided"
ALERTS = "Security alerts resolved promptly"


def _with(requirements: tuple[object, ...], **kw: object) -> Snapshot:
    sample = built_sample()
    update = {"customers": sample.customers[:3], "alerts": sample.alerts[:2], "requirements": requirements, **kw}
    return sample.model_copy(update=update)


def _all_compliant() -> tuple[object, ...]:
    return tuple(
        _requirement(kind, ComplianceStatus.COMPLIANT, 10, 10)
        for kind in (
            RequirementType.MFA_ENFORCED_FOR_ADMINS,
            RequirementType.SECURITY_CONTACT_PROVIDED,
            RequirementType.SECURITY_ALERTS_PROMPTLY_RESOLVED,
        )
    )


def _render(snap: Snapshot, out: Path) -> tuple[str, list[tuple[object, ...]]]:
    render_all(snap, out, default_brand(), RenderOptions(workers=1))
    text = squash(pdf_text(out / "summary.pdf"))
    ws = load_workbook(next(out.glob("*.xlsx")), read_only=True)["Summary"]
    return text, [tuple(c.value for c in row) for row in ws.iter_rows()]


def _figure(rows: list[tuple[object, ...]], label: str) -> object:
    return next(row[1] for row in rows if row and row[0] == label)


def test_no_requirements_at_all_is_not_a_claim_of_compliance(tmp_path: Path) -> None:
    text, rows = _render(_with(()), tmp_path)
    assert MET not in text
    assert squash("not reported by Microsoft") in text
    for title in (ADMINS, CONTACT, ALERTS):
        assert squash(title) in text
    assert squash("Whether they are all met is unknown.") in text
    assert squash(NOT_REPORTED) in text  # the "at a glance" rows say which are unknown
    verdict = _figure(rows, "Mandatory requirements for CSP authorization")
    assert isinstance(verdict, str)
    assert "not reported by Microsoft" in verdict
    assert MANDATORY_MET not in verdict
    assert _figure(rows, "Mandatory requirements not reported by Microsoft") == 3
    assert MANDATORY_MET not in {str(c) for row in rows for c in row}


def test_one_mandatory_requirement_missing_is_named(tmp_path: Path) -> None:
    reqs = tuple(r for r in _all_compliant() if r.requirement_type is not RequirementType.SECURITY_CONTACT_PROVIDED)  # type: ignore[attr-defined]
    text, rows = _render(_with(reqs), tmp_path)
    assert MET not in text
    assert squash(f"not reported by Microsoft: {CONTACT}") in text
    assert _figure(rows, "Not reported by Microsoft (mandatory for CSP)") == CONTACT


def test_an_unknown_status_reads_unknown(tmp_path: Path) -> None:
    reqs = list(_all_compliant())
    reqs[0] = _requirement(RequirementType.MFA_ENFORCED_FOR_ADMINS, ComplianceStatus.UNKNOWN, 0, 10)
    text, rows = _render(_with(tuple(reqs)), tmp_path)
    assert MET not in text
    assert squash(f"status unknown: {ADMINS}") in text
    assert _figure(rows, "Mandatory requirements with unknown status") == 1


def test_all_mandatory_requirements_compliant_is_said(tmp_path: Path) -> None:
    text, rows = _render(_with(_all_compliant()), tmp_path)
    assert MET in text
    assert _figure(rows, "Mandatory requirements for CSP authorization") == MANDATORY_MET


def test_no_customer_data_is_not_no_customer_needing_attention(tmp_path: Path) -> None:
    from reporter.model import Customer

    customers = (Customer(tenant_id="0f0f0f0f-1111-4222-8333-444444444444", display_name="Quiet Ltd"),)
    text, _ = _render(_with(_all_compliant(), customers=customers, alerts=()), tmp_path)
    assert squash("No customer needs attention this month.") not in text
    assert squash("1 customer reported no MFA data") in text


@pytest.mark.parametrize("status", [ComplianceStatus.NONCOMPLIANT, ComplianceStatus.UNKNOWN])
def test_the_view_never_calls_a_failing_or_unknown_mandatory_requirement_met(status: ComplianceStatus) -> None:
    reqs = list(_all_compliant())
    reqs[1] = _requirement(RequirementType.SECURITY_CONTACT_PROVIDED, status, 0, 10)
    summary = build_context(_with(tuple(reqs)), default_brand()).summary
    assert not summary.mandatory_met
    assert MANDATORY_MET not in summary.mandatory_verdict
