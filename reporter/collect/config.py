"""Collector settings: the ``[graph]`` table (``reporter.graph.settings``), the ``[collect]`` table, the environment.

Precedence, lowest first: built-in defaults, the TOML file, ``REPORTER_*``
environment variables, command-line options. The file is read and checked as a
whole by ``reporter.config``. Every key is optional::

    [collect]
    customers_file = "customers.csv"    # or --customers-file: tenantId,name,domain (see reporter.customers)
    page_size = 100                     # a hint (Prefer: odata.maxpagesize); Graph may ignore it
    alerts = true                       # fetch partner security alerts
    contracts = true                    # fetch /v1.0/contracts for customer names
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporter.config import Config, load_config
from reporter.errors import ConfigError
from reporter.files import check_regular_file
from reporter.graph.settings import GraphSettings, graph_table, graph_values, table_values
from reporter.graph.settings import configured_tenant as _configured_tenant


@dataclass(frozen=True)
class Settings(GraphSettings):
    """Everything the collector needs; build it with ``settings_from``."""

    customers_file: Path | None = None
    page_size: int | None = None
    """Sent as ``Prefer: odata.maxpagesize``; a hint Graph may ignore."""
    alerts: bool = True
    contracts: bool = True


_COLLECT_KEYS: dict[str, type | tuple[type, ...]] = {
    "customers_file": str,
    "page_size": int,
    "alerts": bool,
    "contracts": bool,
}


@dataclass(frozen=True)
class FileSettings:
    """The collector's part of the configuration file, checked; ``settings_from`` adds the environment."""

    graph: Mapping[str, Any] = field(default_factory=dict)
    collect: Mapping[str, Any] = field(default_factory=dict)


def file_settings(config: Config) -> FileSettings:
    """The ``[graph]`` and ``[collect]`` tables of ``config``, each key checked; needs no credential."""
    return FileSettings(
        graph_table(config), table_values(config, "collect", _COLLECT_KEYS, frozenset({"customers_file"}))
    )


def configured_tenant(file: FileSettings, env: Mapping[str, str]) -> str | None:
    """The partner tenant id the environment or the file names, if any; nothing else is checked or needed."""
    return _configured_tenant(file.graph, env)


def load_settings(config_file: Path | None, env: Mapping[str, str], *, customers_file: Path | None = None) -> Settings:
    """Read ``config_file`` (or ``./reporter.toml`` if it exists), apply ``env`` and options."""
    return settings_from(file_settings(load_config(config_file)), env, customers_file=customers_file)


def settings_from(file: FileSettings, env: Mapping[str, str], *, customers_file: Path | None = None) -> Settings:
    """The settings from the file's values, then ``env``, then the options: what collecting needs."""
    values = {**graph_values(file.graph, env), **file.collect}
    if customers_file is not None:
        values["customers_file"] = customers_file
    if values.get("customers_file") is not None:
        values["customers_file"] = Path(values["customers_file"])
        check_regular_file(values["customers_file"], "customers file")
    if "page_size" in values and values["page_size"] < 1:
        raise ConfigError("page_size must be at least 1")
    return Settings(**values)
