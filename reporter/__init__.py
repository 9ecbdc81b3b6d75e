"""reporter: reports on the Microsoft Graph partner security score."""

from reporter._version import __version__
from reporter.errors import AuthError, ConfigError, DataError, GraphError, OutputError, ReporterError
from reporter.model import SCHEMA_VERSION, Snapshot
from reporter.snapshot import dumps, load, loads, sha256

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
