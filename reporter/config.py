"""The configuration file, ``reporter.toml``: read once, checked as a whole, handed out by table.

Every command that reads it (``collect``, ``render``, ``run``, ``send``) reads it here, so a
file is accepted or refused the same way whichever command reads it:

- ``--config FILE``, else ``./reporter.toml`` when it exists, else no file;
- a regular file of at most 1 MiB of UTF-8 TOML (a FIFO or a folder is refused at once);
- no secret anywhere: a ``client_secret`` (any spelling) or a certificate password
  in any table is refused without showing it; secrets come from the environment;
- only the known tables, each a table: ``[graph]`` (``reporter.graph.settings``),
  ``[collect]`` (``reporter.collect.config``), ``[brand]`` (``reporter.render.brand_config``),
  ``[run]`` (the monthly job, below), ``[send]`` (``reporter.send.config``) and ``[sign]``
  (``reporter.render.sign_config``).

Each owner checks the keys of its own tables. Relative paths in the file are
relative to the file's folder (``Config.path_of``).

The ``[run]`` table gives ``reporter run`` its folders, so that the monthly job
is ``reporter run --config FILE``; command-line options win over it::

    [run]
    out = "/var/lib/reporter"        # --out: the folder that receives OUT/YYYY-MM/
    archive = "/var/lib/reporter/archive"  # --archive [default: OUT/archive]
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporter.errors import ConfigError
from reporter.files import read_regular_file

DEFAULT_CONFIG_FILE = Path("reporter.toml")
CONFIG_LIMIT = 1 << 20
"""The largest configuration (or brand) file read, in bytes: far above any real one."""

KNOWN_TABLES = frozenset({"graph", "collect", "brand", "run", "send", "sign"})
"""Top-level tables of reporter.toml."""

_SECRET_KEYS = {
    "client_secret": "REPORTER_CLIENT_SECRET",
    "clientsecret": "REPORTER_CLIENT_SECRET",
    "secret": "REPORTER_CLIENT_SECRET",
    "certificate_password": "REPORTER_CERTIFICATE_PASSWORD (or the variable certificate_password_env names)",
    "password": "REPORTER_CERTIFICATE_PASSWORD (or the variable certificate_password_env names)",
}


@dataclass(frozen=True)
class Config:
    """The checked tables of one configuration file (``path`` is None when there is none)."""

    path: Path | None = None
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def table(self, name: str) -> Mapping[str, Any] | None:
        """The table ``name`` as written, or None when the file has none."""
        return self.tables.get(name)

    def path_of(self, value: str) -> Path:
        """A path given in the file: relative paths are relative to the file's folder."""
        return self.path.parent / value if self.path is not None else Path(value)

    @property
    def where(self) -> str:
        """The file's name for messages."""
        return str(self.path) if self.path is not None else "the configuration"


def load_config(path: Path | None = None) -> Config:
    """Read and check ``path``, else ``./reporter.toml`` when it exists; without either, an empty config."""
    if path is None:
        if not (DEFAULT_CONFIG_FILE.exists() or DEFAULT_CONFIG_FILE.is_symlink()):
            return Config()
        path = DEFAULT_CONFIG_FILE
    data = read_toml(path, "config file")
    unknown = sorted(set(data) - KNOWN_TABLES)
    if unknown:
        raise ConfigError(
            f"{path}: unknown table or key {unknown[0]!r}", f"the tables are {', '.join(sorted(KNOWN_TABLES))}"
        )
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table", f"a line [{name}], then its key = value lines")
    return Config(path=path, tables=data)


def read_toml(path: Path, what: str, hint: str = "give the path of a reporter.toml") -> dict[str, Any]:
    """The TOML file ``path`` as a dict, with every secret in it refused."""
    raw = read_regular_file(path, what, CONFIG_LIMIT, ConfigError, hint=hint)
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", "save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (nested too deeply)") from None
    refuse_secrets(data, path)
    return data


def refuse_secrets(data: Mapping[str, Any], path: Path, where: str = "") -> None:
    """A secret anywhere in the file (any table, any spelling) is refused, without showing it."""
    for key, value in data.items():
        variable = _SECRET_KEYS.get(key.replace("-", "_").lower())
        if variable is not None and where.startswith(("[send", "[smtp")):
            variable = "REPORTER_SMTP_PASSWORD"
        if variable is not None and where.startswith("[sign"):
            variable = "REPORTER_SIGN_PASSWORD"
        if variable is not None:
            raise ConfigError(
                f"{path}: {where}{key} is not read from the config file",
                f"put the secret in the environment variable {variable} instead",
            )
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, dict):
                refuse_secrets(item, path, f"[{where.strip('[] ')}.{key}] " if where else f"[{key}] ")


@dataclass(frozen=True)
class RunTable:
    """The ``[run]`` table: the folders of ``reporter run`` (None when not given)."""

    out: Path | None = None
    archive: Path | None = None


def run_table(config: Config) -> RunTable:
    """The ``[run]`` table of ``config``, checked; paths relative to the file's folder."""
    table = config.table("run") or {}
    values: dict[str, Path] = {}
    for key, value in table.items():
        if key not in ("out", "archive"):
            raise ConfigError(f"{config.where}: [run] unknown key {key!r}", "known keys: archive, out")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{config.where}: [run] {key} must be a folder path (a string), found {value!r:.40}")
        values[key] = config.path_of(value)
    return RunTable(**values)
