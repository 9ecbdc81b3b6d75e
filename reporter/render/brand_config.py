"""The partner's brand from configuration: the ``[brand]`` table of a TOML file.

    [brand]
    name = "Contoso Cloud Services"
    logo = "contoso.svg"            # PNG or SVG, relative to this file
    primary_colour = "#1F3A5F"      # #RRGGBB
    accent_colour = "#2A9D8F"
    footer = "Contoso Cloud Services · Confidential"
    contact = "security@contoso.example · +1 555 0100"
    language = "de"                 # the partner's own documents (default en); customers: the customers file
    wording = "wording"             # a folder of <language>.po files replacing built-in sentences

The table comes from ``--brand FILE`` when given (a file holding only the brand
may leave out the ``[brand]`` header), else from the configuration file
(``./reporter.toml`` when it exists). Without either, the default brand.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from reporter.config import Config, load_config, read_toml
from reporter.errors import ConfigError
from reporter.resources import assets_dir
from reporter.view import Brand, language

DEFAULT_LOGO = "default-logo.svg"

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_ALIASES = {"primary_color": "primary_colour", "accent_color": "accent_colour"}
_KEYS = frozenset(f.name for f in fields(Brand))
_HINT = "see the [brand] section in the README"


def default_brand() -> Brand:
    return Brand(logo=assets_dir() / DEFAULT_LOGO)


def load_brand(path: Path | None = None, config: Path | None = None) -> Brand:
    """The brand from ``--brand`` ``path``, else from ``config`` (or ``./reporter.toml``), else the default."""
    if path is not None:
        return read_brand_file(path)
    return brand_from(load_config(config))


def read_brand_file(path: Path) -> Brand:
    """The brand of a ``--brand`` file: its ``[brand]`` table, or the whole file when it has none."""
    data = read_toml(path, "brand file", "give the path of a TOML file with the [brand] settings")
    return _brand(data.get("brand", data), path)


def brand_from(config: Config) -> Brand:
    """The brand of the configuration file's ``[brand]`` table, or the default brand without one."""
    table = config.table("brand")
    if table is None or config.path is None:
        return default_brand()
    return _brand(table, config.path)


def _brand(table: Any, source: Path) -> Brand:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [brand] must be a table", _HINT)
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = _ALIASES.get(raw_key, raw_key)
        if key not in _KEYS:
            raise ConfigError(
                f"{source}: unknown brand setting {raw_key!r}", f"known settings: {', '.join(sorted(_KEYS))}"
            )
        if not isinstance(value, str):
            raise ConfigError(f"{source}: brand {raw_key} must be a string, found {type(value).__name__}", _HINT)
        values[key] = value
    if "name" in values and not values["name"].strip():
        raise ConfigError(f"{source}: brand name is empty", "give the partner's name as readers know it")
    for key in ("primary_colour", "accent_colour"):
        if key in values and not _COLOUR.fullmatch(values[key]):
            raise ConfigError(f"{source}: brand {key} {values[key]!r} is not a #RRGGBB colour", 'e.g. "#1F3A5F"')
        if key in values:
            values[key] = values[key].upper()
    if "logo" in values:
        values["logo"] = _logo(source.parent / values["logo"], source)
    if "wording" in values:
        values["wording"] = _wording(source.parent / values["wording"], source)
    if "language" in values:
        values["language"] = _language(values["language"], source)
    return Brand(**values)


def _language(tag: str, source: Path) -> str:
    """A partner language reporter writes: ``de-CH`` is ``de``; a language it does not write is refused."""
    choice = language.resolve(tag, language.load(language.SOURCE))
    if choice.unknown:
        raise ConfigError(
            f"{source}: brand language {tag!r:.40} is not one reporter writes",
            "use one of " + ", ".join(language.LANGUAGES),
        )
    return choice.language.tag


def _wording(folder: Path, source: Path) -> Path:
    """A folder of ``<language>.po`` overrides, each checked now (file and line of any bad entry)."""
    if not folder.is_dir():
        raise ConfigError(f"{source}: brand wording {folder} is not a folder", "give a folder of <language>.po files")
    folder = folder.resolve()
    language.check_overrides(folder)
    return folder


def _logo(path: Path, source: Path) -> Path:
    """``path`` when it is a logo the documents can show: decodes, small enough, links to nothing outside."""
    from reporter.render.logo import prepare

    try:
        prepare(path)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc.args[0]}", exc.hint) from None
    return path.resolve()
