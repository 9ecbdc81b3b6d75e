"""Snapshot files that must be refused in one line, or accepted: every section, GUID tenant ids, no duplicate keys,
no deep nesting, bounded text without control characters, possible figures only, and a UTF-8 byte order mark."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reporter.cli import cli
from reporter.errors import DataError
from reporter.model import NAME_LIMIT, TEXT_LIMIT, URL_LIMIT
from reporter.snapshot import dumps, loads
from tests import factories as f

T1 = "0a1b2c3d-0000-4000-8000-000000000001"
T2 = "0a1b2c3d-0000-4000-8000-000000000002"


def good() -> dict[str, Any]:
    snap = f.snapshot(
        customers=(f.customer(T1, "Contoso"), f.customer(T2, "Fabrikam")),
        alerts=(f.alert("a1", T1), f.alert("a2", T2)),
    )
    data: dict[str, Any] = json.loads(dumps(snap))
    data["requirements"] = [
        {
            "id": "securityContactProvided",
            "requirementType": "securityContactProvided",
            "requirementTypeName": "securityContactProvided",
            "complianceStatus": "compliant",
            "score": 20,
            "maxScore": 20,
            "state": "active",
        }
    ]
    data["history"] = [{"id": "h1", "createdDateTime": "2026-10-01T00:00:00Z", "score": 50.0}]
    return data


def refused(edit: Callable[[dict[str, Any]], object]) -> str:
    data = good()
    edit(data)
    with pytest.raises(DataError) as excinfo:
        loads(json.dumps(data))
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_the_good_snapshot_loads() -> None:
    snap = loads(json.dumps(good()))
    assert len(snap.requirements) == 1
    assert len(snap.history) == 1


# --- 7: every section, no duplicate keys ------------------------------------------------------


@pytest.mark.parametrize("section", ["requirements", "history", "customers", "alerts"])
def test_a_missing_section_is_refused(section: str) -> None:
    message = refused(lambda d: d.pop(section))
    assert message == f"snapshot: {section}: required field is missing"


def test_a_missing_data_gaps_list_is_refused() -> None:
    assert (
        refused(lambda d: d["provenance"].pop("dataGaps")) == "snapshot: provenance.dataGaps: required field is missing"
    )


def test_empty_sections_are_fine() -> None:
    data = good()
    for section in ("requirements", "history", "customers", "alerts"):
        data[section] = []
    assert loads(json.dumps(data)).customers == ()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"schemaVersion": 1, "schemaVersion": 1}', "the top level"),
        ('{"schemaVersion": 1, "customers": [{"tenantId": "a", "displayName": "x", "tenantId": "b"}]}', "customers[0]"),
        ('{"schemaVersion": 1, "provenance": {"x": {"k": 1, "k": 2}}}', "provenance.x"),
    ],
)
def test_a_duplicated_key_is_refused_naming_the_key_and_where(text: str, where: str) -> None:
    with pytest.raises(DataError) as excinfo:
        loads(text)
    message = str(excinfo.value)
    assert "is given twice" in message, message
    assert where in message
    assert "\n" not in message


# --- 8: tenant ids are GUIDs ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["t1", "", " ", "../x", "0a1b2c3d00004000800000000000000a", "{" + T1 + "}", T1 + "x"])
def test_a_tenant_id_that_is_not_a_guid_is_refused(bad: str) -> None:
    message = refused(lambda d: d["customers"][0].update(tenantId=bad))
    assert message.startswith("snapshot: customers[0].tenantId: expected a tenant id (a GUID"), message
    message = refused(lambda d: d["alerts"][0].update(customerTenantId=bad))
    assert message.startswith("snapshot: alerts[0].customerTenantId: expected a tenant id (a GUID"), message


def test_an_upper_case_tenant_id_is_stored_in_lower_case() -> None:
    data = good()
    data["customers"][0]["tenantId"] = T1.upper()
    snap = loads(json.dumps(data))
    assert snap.customers[0].tenant_id == T1


def test_the_partner_tenant_is_a_guid_or_a_domain() -> None:
    for value in (T1, "contoso.onmicrosoft.com"):
        data = good()
        data["provenance"]["partnerTenantId"] = value
        assert loads(json.dumps(data)).provenance.partner_tenant_id == value
    message = refused(lambda d: d["provenance"].update(partnerTenantId="../evil"))
    assert message.startswith("snapshot: provenance.partnerTenantId: expected")


# --- 9: nesting and size -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["[" * 100_000, '{"a":' * 100_000, '{"schemaVersion": 1, "x": ' + "[" * 5000 + "]" * 5000 + "}"]
)
def test_deeply_nested_json_is_one_line(text: str) -> None:
    with pytest.raises(DataError) as excinfo:
        loads(text)
    assert "nested too deeply" in str(excinfo.value) or "not valid JSON" in str(excinfo.value)


def test_validate_of_deeply_nested_json_is_one_line_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code != 0
    assert "nested too deeply" in result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)


# --- 11: text lengths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        (("customers", 0, "displayName"), NAME_LIMIT),
        (("customers", 0, "defaultDomainName"), NAME_LIMIT),
        (("alerts", 0, "displayName"), NAME_LIMIT),
        (("alerts", 0, "description"), TEXT_LIMIT),
        (("requirements", 0, "requirementTypeName"), NAME_LIMIT),
        (("requirements", 0, "actionUrl"), URL_LIMIT),
    ],
)
def test_text_longer_than_its_limit_is_refused_naming_field_and_limit(path: tuple[Any, ...], limit: int) -> None:
    def edit(data: dict[str, Any], size: int) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = "x" * size

    data = good()
    edit(data, limit)
    loads(json.dumps(data))  # at the limit: fine
    message = refused(lambda d: edit(d, limit + 1))
    where = ".".join(str(p) for p in path).replace(".0.", "[0].")
    assert message.startswith(f"snapshot: {where}: "), message
    assert f"at most {limit} characters" in message


# --- 13: duplicates and impossible figures --------------------------------------------------------


def test_duplicate_alert_ids_are_refused() -> None:
    message = refused(lambda d: d["alerts"][1].update(id="a1"))
    assert message.startswith("snapshot: alerts: alert id 'a1' is listed twice, at alerts[0] and alerts[1]"), message


def test_duplicate_requirement_ids_are_refused() -> None:
    message = refused(lambda d: d["requirements"].append(dict(d["requirements"][0])))
    assert "requirement id 'securityContactProvided' is listed twice" in message


def test_duplicate_history_ids_are_refused() -> None:
    message = refused(lambda d: d["history"].append({**d["history"][0], "createdDateTime": "2026-10-02T00:00:00Z"}))
    assert "history point id 'h1' is listed twice" in message


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (lambda d: d["customers"][0]["mfa"].update(compliantAdminsCount=101), "customers[0].mfa", "totalUsersCount"),
        (lambda d: d["customers"][0]["mfa"].update(compliantNonAdminsCount=99), "customers[0].mfa", "totalUsersCount"),
        (lambda d: d["requirements"][0].update(score=21), "requirements[0]", "maxScore"),
        (lambda d: d["score"].update(currentScore=100.5), "score", "maxScore"),
        (
            lambda d: d["history"][0].update(compliantRequirementsCount=3, totalRequirementsCount=2),
            "history[0]",
            "total",
        ),
    ],
)
def test_impossible_figures_are_refused_with_the_reason(
    edit: Callable[[dict[str, Any]], object], where: str, words: str
) -> None:
    message = refused(edit)
    assert message.startswith(f"snapshot: {where}: impossible figures: "), message
    assert words in message


def test_impossible_requirement_details_are_refused() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["requirements"][0].update(
            requirementType="mfaEnforcedForAdminsOfCustomers",
            details={"kind": "customersMfa", "compliantTenantCount": 5, "totalTenantCount": 4},
        )

    assert refused(edit).startswith("snapshot: requirements[0].details: impossible figures: compliantTenantCount")


@pytest.mark.parametrize("version", [True, 1.0, "1"])
def test_schema_version_must_be_the_integer_one(version: object) -> None:
    message = refused(lambda d: d.update(schemaVersion=version))
    assert "schemaVersion" in message
    assert "not supported" in message


# --- 18: control characters -----------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x00", "\t", "\n", "\x85", "\u202e", "\u2066", "\u2069"])
def test_control_and_bidi_characters_in_names_are_refused(char: str) -> None:
    message = refused(lambda d: d["customers"][0].update(displayName=f"Evil{char}Corp"))
    assert message.startswith(
        f"snapshot: customers[0].displayName: must not hold control characters (U+{ord(char):04X})"
    )
    message = refused(lambda d: d["alerts"][0].update(description=f"x{char}y"))
    assert message.startswith("snapshot: alerts[0].description: must not hold control characters")


def test_marks_and_ordinary_unicode_are_kept() -> None:
    data = good()
    data["customers"][0]["displayName"] = "شركة\u200f (Cedar) \u200e Ltd 🚀"
    assert loads(json.dumps(data)).customers[0].display_name == "شركة\u200f (Cedar) \u200e Ltd 🚀"


# --- 19: byte order mark ----------------------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    raw = json.dumps(good()).encode()
    assert loads(b"\xef\xbb\xbf" + raw) == loads(raw)
    assert loads("\ufeff" + raw.decode()) == loads(raw)
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + raw)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_text_that_is_not_utf8_says_so() -> None:
    with pytest.raises(DataError, match="not UTF-8"):
        loads(json.dumps(good()).encode("utf-16"))
