"""The published JSON Schema is current, and every sample and generated snapshot conforms to it."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from reporter.cli import cli
from reporter.model import Snapshot
from reporter.snapshot import dumps, json_schema
from tests import strategies

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_SCHEMA = ROOT / "docs" / "snapshot.schema.json"
SAMPLES = ROOT / "samples"


def sample_snapshots() -> list[Path]:
    """Every snapshot in samples/: any snapshot.json below it, and top-level JSON files with a schemaVersion."""
    found = set(SAMPLES.glob("**/snapshot.json"))
    for path in SAMPLES.glob("*.json"):
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "schemaVersion" in data:
            found.add(path)
    return sorted(found)


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(COMMITTED_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_conforms(data: Any) -> None:
    errors = sorted(validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def assert_reporter_validates(path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid snapshot" in result.output


def test_committed_schema_is_current() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert result.output == COMMITTED_SCHEMA.read_text(encoding="utf-8"), (
        "docs/snapshot.schema.json is stale: run `make schema` and commit it"
    )


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(COMMITTED_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == json_schema()


def test_schema_rejects_what_the_model_rejects() -> None:
    v = validator()
    assert not v.is_valid({"schemaVersion": 1})  # provenance and score are required
    assert not v.is_valid({"schemaVersion": 2, "provenance": {}, "score": {}})


@pytest.mark.parametrize("path", sample_snapshots(), ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample_conforms_to_schema_and_validates(path: Path) -> None:
    assert_conforms(json.loads(path.read_bytes()))
    assert_reporter_validates(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.snapshots)
def test_generated_snapshot_conforms_to_schema(snap: Snapshot) -> None:
    assert_conforms(json.loads(dumps(snap)))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.snapshots)
def test_generated_snapshot_file_conforms_and_validates(snap: Snapshot) -> None:
    # Always checked, whether or not samples/ holds any snapshot yet.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "snapshot.json"
        path.write_bytes(dumps(snap))
        assert_conforms(json.loads(path.read_bytes()))
        assert_reporter_validates(path)
