"""Reading and writing snapshots: canonical JSON, SHA-256 identity, JSON Schema.

The canonical form is UTF-8 JSON with sorted keys and no insignificant white
space; a snapshot file holds exactly those bytes, so ``sha256sum snapshot.json``
prints the snapshot's identity.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reporter._version import __version__
from reporter.errors import DataError
from reporter.model import SCHEMA_VERSION, Snapshot

SCHEMA_ID = f"https://reporter.invalid/schema/snapshot-v{SCHEMA_VERSION}.json"


def dumps(snapshot: Snapshot) -> bytes:
    """The canonical JSON bytes of ``snapshot``."""
    data = snapshot.model_dump(mode="json", by_alias=True)
    return canonical_json(data)


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256(snapshot: Snapshot) -> str:
    """The snapshot's identity: SHA-256 of its canonical JSON, as hex."""
    return hashlib.sha256(dumps(snapshot)).hexdigest()


def loads(raw: bytes | str, source: str = "snapshot") -> Snapshot:
    """Parse and validate snapshot JSON; any problem is a one-line ``DataError``."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(
            f"{source}: not valid JSON ({exc})", "check that the file is a snapshot written by reporter"
        ) from None
    if not isinstance(data, dict):
        raise DataError(f"{source}: a snapshot is a JSON object, found {type(data).__name__}")
    version = data.get("schemaVersion")
    if version is None:
        raise DataError(f"{source}: schemaVersion is missing", "this file is not a reporter snapshot")
    if version != SCHEMA_VERSION:
        raise DataError(
            f"{source}: schemaVersion {version!r} is not supported "
            f"(reporter {__version__} reads version {SCHEMA_VERSION})",
            "use the reporter version that wrote the file",
        )
    try:
        return Snapshot.model_validate_json(raw)
    except ValidationError as exc:
        raise DataError(f"{source}: {describe_validation_error(exc)}") from None


def describe_validation_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = format_location(first["loc"])
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    value = first.get("input")
    shown = "" if first["type"] == "missing" or isinstance(value, dict | list | tuple) else f", got {value!r:.60}"
    message = str(first["msg"]).rstrip(".").replace("Field required", "required field is missing")
    return f"{where}: {message}{shown}{more}"


def format_location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in {"adminsMfa", "customersMfa", "spendingBudget", "responseTime", "securityContact"}:
            continue  # the discriminator tag pydantic adds to the path
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def load(path: Path) -> Snapshot:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file", "give the path of a snapshot.json") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a snapshot file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    return loads(raw, source=str(path))


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the snapshot format."""
    schema = Snapshot.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": f"reporter snapshot, schema version {SCHEMA_VERSION}",
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
