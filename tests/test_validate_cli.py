"""`reporter validate`: exit 0 on a snapshot, else non-zero with one line naming the problem and no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reporter.model import (
    ComplianceStatus,
    Customer,
    MfaInsight,
    PartnerScore,
    Provenance,
    Requirement,
    RequirementState,
    RequirementType,
    SecurityContactDetails,
    Snapshot,
)
from reporter.snapshot import dumps, sha256

ROOT = Path(__file__).resolve().parent.parent


def good_snapshot() -> Snapshot:
    return Snapshot(
        provenance=Provenance(
            collected_at=datetime(2025, 3, 15, 6, 0, tzinfo=UTC),
            api_base="https://graph.microsoft.com",
            api_version="beta",
            tool_version="0.1.0",
            data_gaps=(),
        ),
        score=PartnerScore(current_score=62.5, max_score=100.0),
        requirements=(
            Requirement(
                id="securityContactProvided",
                requirement_type=RequirementType.SECURITY_CONTACT_PROVIDED,
                requirement_type_name="securityContactProvided",
                compliance_status=ComplianceStatus.COMPLIANT,
                score=20,
                max_score=20,
                state=RequirementState.ACTIVE,
                details=SecurityContactDetails(),
            ),
        ),
        customers=(
            Customer(
                tenant_id="5f6a7b8c-1d2e-4f30-8a9b-0c1d2e3f4a5b",
                display_name="Contoso",
                mfa=MfaInsight(total_users_count=3),
            ),
        ),
        history=(),
        alerts=(),
    )


def good_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dumps(good_snapshot()))
    return data


def edited(edit: Callable[[dict[str, Any]], None]) -> bytes:
    data = good_data()
    edit(data)
    return json.dumps(data).encode()


def drop_collected_at(data: dict[str, Any]) -> None:
    del data["provenance"]["collectedAt"]


def drop_schema_version(data: dict[str, Any]) -> None:
    del data["schemaVersion"]


def add_history_point(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["history"] = [{"id": "h1", "createdDateTime": "2025-03-01T00:00:00Z", "score": 50.0, **fields}]

    return edit


def duplicate_customer(data: dict[str, Any]) -> None:
    twin = {**data["customers"][0], "tenantId": data["customers"][0]["tenantId"].upper(), "displayName": "Twin"}
    data["customers"].append(twin)


# name -> (file content, or None for "no file"; words the one-line message must contain)
BAD_INPUTS: dict[str, tuple[bytes | None, list[str]]] = {
    "invalid JSON": (b'{"schemaVersion": 1, "score": ', ["not valid JSON"]),
    "not UTF-8": (b"\xff\xfe{}", ["not UTF-8 text"]),
    "empty file": (b"", ["not valid JSON"]),
    "JSON array": (b"[1, 2]", ["JSON object", "list"]),
    "wrong schemaVersion": (edited(lambda d: d.update(schemaVersion=2)), ["schemaVersion 2", "not supported"]),
    "schemaVersion as text": (edited(lambda d: d.update(schemaVersion="1")), ['schemaVersion "1"', "not supported"]),
    "missing schemaVersion": (edited(drop_schema_version), ["schemaVersion is missing"]),
    "missing required field": (edited(drop_collected_at), ["provenance.collectedAt", "missing"]),
    "missing score": (edited(lambda d: d.pop("score")), ["score", "missing"]),
    "non-numeric score": (edited(lambda d: d["score"].update(currentScore="high")), ["score.currentScore", "'high'"]),
    "NaN score": (edited(lambda d: d["score"].update(currentScore=float("nan"))), ["score.currentScore"]),
    "negative count": (
        edited(lambda d: d["customers"][0]["mfa"].update(totalUsersCount=-1)),
        ["customers[0].mfa.totalUsersCount"],
    ),
    "unknown enum value": (
        edited(lambda d: d["requirements"][0].update(complianceStatus="sortOf")),
        ["requirements[0].complianceStatus", "'sortOf'"],
    ),
    "extra property": (edited(lambda d: d["score"].update(bonus=1)), ["score.bonus"]),
    # Values that once validated but crashed rendering.
    "huge score": (edited(lambda d: d["score"].update(currentScore=1e308)), ["score.currentScore", "1e+308"]),
    "huge max score": (edited(lambda d: d["score"].update(maxScore=-1e308)), ["score.maxScore"]),
    "huge history score": (edited(add_history_point(score=1e308)), ["history[0].score"]),
    "year 9999": (
        edited(lambda d: d["provenance"].update(collectedAt="9999-12-31T23:59:59Z")),
        ["provenance.collectedAt", "2000-01-01 to 2100-12-31"],
    ),
    "year 2108": (
        edited(add_history_point(createdDateTime="2108-06-01T00:00:00Z")),
        ["history[0].createdDateTime", "2000-01-01 to 2100-12-31"],
    ),
    "year 0001": (
        edited(lambda d: d["score"].update(updatedDateTime="0001-01-01T00:00:00Z")),
        ["score.updatedDateTime", "2000-01-01 to 2100-12-31"],
    ),
    "count beyond 10^12": (
        edited(lambda d: d["customers"][0]["mfa"].update(totalUsersCount=10**13)),
        ["customers[0].mfa.totalUsersCount"],
    ),
    "duplicate tenant id": (edited(duplicate_customer), ["customers", "listed twice", "5f6a7b8c"]),
    "empty tenant id": (edited(lambda d: d["customers"][0].update(tenantId="")), ["customers[0].tenantId"]),
    "missing file": (None, ["no such file"]),
}


def write_case(folder: Path, name: str) -> Path:
    content, _ = BAD_INPUTS[name]
    path = folder / "snapshot.json"
    if content is not None:
        path.write_bytes(content)
    return path


def assert_one_line_naming(stderr: str, words: list[str]) -> None:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("reporter: error: ")
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"


# --- Through click's runner ---------------------------------------------------------------


def invoke(*args: str) -> Any:
    from reporter.cli import cli

    return CliRunner().invoke(cli, ["validate", *args])


def test_valid_snapshot_exits_zero_and_prints_identity(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(dumps(good_snapshot()))
    result = invoke(str(path))
    assert result.exit_code == 0, result.output
    assert sha256(good_snapshot()) in result.stdout
    assert "1 customers" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_non_zero_with_one_line(tmp_path: Path, name: str) -> None:
    path = write_case(tmp_path, name)
    result = invoke(str(path))
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert_one_line_naming(result.stderr, BAD_INPUTS[name][1])
    assert str(path) in result.stderr


def test_folder_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    result = invoke(str(tmp_path))
    assert result.exit_code != 0
    assert_one_line_naming(result.stderr, ["is a folder"])


def test_missing_argument_is_a_usage_error() -> None:
    result = invoke()
    assert result.exit_code == 2
    assert "SNAPSHOT" in result.stderr


# --- Through a real process: what a user sees --------------------------------------------------


def run_validate(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reporter", "validate", str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_process_valid_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(dumps(good_snapshot()))
    done = run_validate(path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert sha256(good_snapshot()) in done.stdout


@pytest.mark.parametrize(
    "name",
    [
        "invalid JSON",
        "wrong schemaVersion",
        "missing schemaVersion",
        "missing required field",
        "non-numeric score",
        "missing file",
    ],
)
def test_process_bad_input(tmp_path: Path, name: str) -> None:
    path = write_case(tmp_path, name)
    done = run_validate(path, tmp_path)
    assert done.returncode != 0
    assert done.stdout == ""
    assert_one_line_naming(done.stderr, BAD_INPUTS[name][1])


def test_process_folder(tmp_path: Path) -> None:
    done = run_validate(tmp_path, tmp_path)
    assert done.returncode != 0
    assert_one_line_naming(done.stderr, ["is a folder"])
