"""The partner's brand as the documents show it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Brand:
    name: str = "Your Microsoft partner"
    logo: Path | None = None
    """A PNG or SVG file; ``None`` shows the name as a word mark."""
    primary_colour: str = "#1F3A5F"
    accent_colour: str = "#2A9D8F"
    footer: str = ""
    contact: str = ""
    language: str = "en"
    """The partner's own documents' language (BCP 47, one of ``language.LANGUAGES``)."""
    wording: Path | None = None
    """A folder of ``<language>.po`` files whose entries replace the built-in sentences."""
