"""reporter: reports on the Microsoft Graph partner security score."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from reporter._version import __version__
from reporter.errors import AuthError, ConfigError, DataError, GraphError, OutputError, ReporterError

if TYPE_CHECKING:
    from reporter.model import SCHEMA_VERSION, Snapshot
    from reporter.snapshot import dumps, load, loads, sha256

# The model (pydantic) is imported on first use, not by `import reporter`: `reporter --help` starts without it.
_LAZY = {
    "SCHEMA_VERSION": "reporter.model",
    "Snapshot": "reporter.model",
    "dumps": "reporter.snapshot",
    "load": "reporter.snapshot",
    "loads": "reporter.snapshot",
    "sha256": "reporter.snapshot",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'reporter' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "SCHEMA_VERSION",
    "AuthError",
    "ConfigError",
    "DataError",
    "GraphError",
    "OutputError",
    "ReporterError",
    "Snapshot",
    "__version__",
    "dumps",
    "load",
    "loads",
    "sha256",
]
