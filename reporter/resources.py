"""Where the bundled templates and assets are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    installed = _PACKAGE / name  # wheels carry templates/ and assets/ inside the package
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name  # a source checkout or an editable install


def templates_dir() -> Path:
    return _locate("templates")


def assets_dir() -> Path:
    return _locate("assets")
