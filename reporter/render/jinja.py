"""The template environment: autoescaped, and loud about any name it does not know."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reporter.resources import templates_dir


def environment(folder: Path | None = None) -> Environment:
    """Templates only loop and print; everything they show comes from the view-model."""
    return Environment(
        loader=FileSystemLoader(folder or templates_dir()),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
