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
from reporter.files import read_regular_file
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


MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024
"""The largest snapshot file read (512 MiB): one of 10,000 customers is a few tens of MB."""

_BOM = "\ufeff"


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


def loads(raw: bytes | str, source: str = "snapshot") -> Snapshot:
    """Parse and validate snapshot JSON; any problem is a one-line ``DataError``.

    UTF-8 only; a leading byte order mark is ignored. A key given twice in one
    object, nesting deeper than Python can follow and more than
    ``MAX_SNAPSHOT_BYTES`` are refused.
    """
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise DataError(f"{source}: larger than {MAX_SNAPSHOT_BYTES // 2**20} MiB, too large for a snapshot")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{source}: not UTF-8 text (byte {exc.start})", "check that the file is a snapshot written by reporter"
        ) from None
    text = text.removeprefix(_BOM)
    data = _parse_json(text, source)
    if not isinstance(data, dict):
        raise DataError(f"{source}: a snapshot is a JSON object, found {type(data).__name__}")
    version = data.get("schemaVersion")
    if version is None:
        raise DataError(f"{source}: schemaVersion is missing", "this file is not a reporter snapshot")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise DataError(
            f"{source}: schemaVersion {json.dumps(version)[:60]} is not supported "
            f"(reporter {__version__} reads version {SCHEMA_VERSION})",
            "use the reporter version that wrote the file",
        )
    try:
        # Validating the JSON text (not ``data``) keeps strict JSON semantics: dates as strings, enums by value.
        return Snapshot.model_validate_json(text)
    except ValidationError as exc:
        raise DataError(f"{source}: {describe_validation_error(exc)}") from None
    except RecursionError:  # pragma: no cover - json.loads above fails first
        raise DataError(f"{source}: JSON nested too deeply for a snapshot") from None


def _parse_json(text: str, source: str) -> Any:
    hint = "check that the file is a snapshot written by reporter"
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise DataError(f"{source}: not valid JSON ({exc})", hint) from None
    except RecursionError:
        raise DataError(f"{source}: JSON nested too deeply for a snapshot", hint) from None
    except _DuplicateKey as exc:
        key = json.dumps(exc.key)[:60]
        where = _duplicate_place(text, exc.key)
        raise DataError(f"{source}: the key {key} is given twice in {where}", hint) from None


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, in order, repeats kept."""


def _duplicate_place(text: str, key: str) -> str:
    """Where in ``text`` an object first gives ``key`` twice, as a path like ``customers[3]``."""
    path = _find(json.loads(text, object_pairs_hook=_Pairs), key)
    return "the top level" if path == "" else (path or "an object")


def _find(node: Any, key: str, path: str = "") -> str | None:
    if isinstance(node, _Pairs):
        if [name for name, _ in node].count(key) > 1:
            return path
        children: list[tuple[str, Any]] = [(f"{path}.{name}" if path else name, value) for name, value in node]
    elif isinstance(node, list):
        children = [(f"{path}[{index}]", value) for index, value in enumerate(node)]
    else:
        return None
    for inner_path, value in children:
        found = _find(value, key, inner_path)
        if found is not None:
            return found
    return None


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
    """The snapshot in the file ``path``: a regular file (a FIFO or a device is refused, not waited on)."""
    raw = read_regular_file(path, "snapshot", MAX_SNAPSHOT_BYTES, DataError, hint="give the path of a snapshot.json")
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
