"""What every PDF needs, built once per process: templates, fonts, stylesheet, fetcher.

Parsing the stylesheet and loading the bundled fonts costs more than laying out
a short report, so a process builds one ``Engine`` and renders every document
it is given with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reporter._version import __version__
from reporter.render.fetcher import AssetFetcher
from reporter.render.jinja import environment
from reporter.resources import assets_dir
from reporter.view import Brand

STYLESHEET = Path("css") / "report.css"
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_DEFAULT = Brand()


@dataclass(frozen=True, slots=True)
class PdfMeta:
    """The document information every report carries; dates come from the snapshot."""

    title: str
    author: str
    subject: str
    keywords: str
    created: str
    """W3C date-time (``2026-11-01T06:00:00Z``), the moment the snapshot was collected."""
    generator: str = f"reporter {__version__}"
    lang: str = "en"


def w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class BrandStyle:
    """The brand as the templates print it: colours checked again, the logo as a URL."""

    name: str
    logo_url: str
    primary_colour: str
    accent_colour: str
    footer: str
    contact: str


def brand_style(brand: Brand) -> BrandStyle:
    def colour(value: str, fallback: str) -> str:
        return value if _COLOUR.fullmatch(value) else fallback

    return BrandStyle(
        name=brand.name,
        logo_url=brand.logo.resolve().as_uri() if brand.logo else "",
        primary_colour=colour(brand.primary_colour, _DEFAULT.primary_colour),
        accent_colour=colour(brand.accent_colour, _DEFAULT.accent_colour),
        footer=brand.footer,
        contact=brand.contact,
    )


class Engine:
    """Templates, fonts, the parsed stylesheet and the URL fetcher of one process."""

    def __init__(self, logo: Path | None) -> None:
        assets = assets_dir()
        self.fetcher = AssetFetcher([assets], [logo] if logo else [])
        self.fonts = FontConfiguration()
        self.base_url = assets.resolve().as_uri() + "/"
        self.stylesheet = CSS(filename=str(assets / STYLESHEET), url_fetcher=self.fetcher, font_config=self.fonts)
        self.env = environment()

    def html(self, template: str, **values: Any) -> str:
        return self.env.get_template(template).render(**values)

    def pdf(self, html: str) -> bytes:
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        data: bytes = document.write_pdf(
            stylesheets=[self.stylesheet], font_config=self.fonts, pdf_tags=True, uncompressed_pdf=False
        )
        return data
