"""What every PDF needs, built once per process: templates, fonts, stylesheet, fetcher.

Parsing the stylesheet and loading the bundled fonts costs more than laying out
a short report, so a process builds one ``Engine`` and renders every document
it is given with it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pydyf  # type: ignore[import-untyped]
from weasyprint import CSS, HTML, Attachment
from weasyprint.css import ColorProfile
from weasyprint.text.fonts import FontConfiguration

from reporter._version import __version__
from reporter.render import evidence as keys
from reporter.render.fetcher import AssetFetcher
from reporter.render.jinja import environment
from reporter.render.logo import prepare
from reporter.resources import assets_dir
from reporter.view import Brand, language, wording

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
    """BCP 47: the PDF's ``/Lang``."""
    dir: str = "ltr"
    """``"rtl"`` lays the document out right to left."""
    page_counter: str = ""
    """The CSS ``content`` of each page's counter (``"Page " counter(page) " of " counter(pages)``), translated."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """The data a PDF was made from, attached to it (PDF/A-3) with its hashes in the metadata."""

    name: str
    data: bytes
    description: str
    period: str
    snapshot_sha256: str
    created: datetime

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def info(self) -> tuple[tuple[str, str], ...]:
        return (
            (keys.INFO_PERIOD, self.period),
            (keys.INFO_SNAPSHOT_SHA256, self.snapshot_sha256),
            (keys.INFO_ATTACHMENT_SHA256, self.sha256),
            (keys.INFO_TOOL_VERSION, __version__),
        )

    def xmp(self) -> bytes:
        """The same four values as XMP, with the extension schema PDF/A asks of custom properties."""
        properties = "".join(
            f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>'
            "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
            "<pdfaProperty:category>external</pdfaProperty:category>"
            f"<pdfaProperty:description>{escape(text)}</pdfaProperty:description></rdf:li>"
            for name, text in _XMP_PROPERTIES
        )
        values = (self.period, self.snapshot_sha256, self.sha256, __version__)
        fields = "".join(
            f"<reporter:{name}>{escape(value)}</reporter:{name}>"
            for (name, _), value in zip(_XMP_PROPERTIES, values, strict=True)
        )
        return (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
            ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
            ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
            '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
            "<pdfaSchema:schema>reporter evidence</pdfaSchema:schema>"
            f"<pdfaSchema:namespaceURI>{XMP_NAMESPACE}</pdfaSchema:namespaceURI>"
            "<pdfaSchema:prefix>reporter</pdfaSchema:prefix>"
            f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
            "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
            f'<rdf:Description rdf:about="" xmlns:reporter="{XMP_NAMESPACE}">{fields}</rdf:Description>'
            "</rdf:RDF>"
        ).encode()

    def finish(self, _document: Any, pdf: Any) -> None:
        """Last touches to the PDF WeasyPrint built: the information entries, one associated file.

        WeasyPrint lower-cases names taken from ``<meta>``, so the entries are set here;
        and it lists the attachment twice in the catalogue's ``/AF``, which must name it once.
        """
        for key, value in self.info():
            pdf.info[key] = pydyf.String(value)
        specs = [o.reference for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Filespec"]
        pdf.catalog["AF"] = pydyf.Array(specs)

    def attachment(self) -> Attachment:
        return Attachment(
            string=self.data,
            name=self.name,
            description=self.description,
            created=self.created,
            modified=self.created,
            relationship="Source",
        )


XMP_NAMESPACE = "https://reporter.invalid/ns/evidence/1.0/"
_XMP_PROPERTIES = (
    ("period", "Month the report covers (YYYY-MM)"),
    ("snapshotSha256", "SHA-256 of the snapshot the report was made from"),
    ("attachmentSha256", "SHA-256 of the data attached to this PDF"),
    ("toolVersion", "Version of reporter that made the PDF"),
)


def css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string that cannot end its string, its rule or the ``<style>`` element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-–—·/()" or ord(c) > 0x7F else f"\\{ord(c):X} " for c in text)
    return f'"{escaped}"'


def page_counter() -> str:
    """The page counter's CSS ``content`` in the active language, from one sentence with two placeholders."""
    sentence = language.gettext("Page {page} of {pages}")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", sentence):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece.replace("{{", "{").replace("}}", "}")))
    return " ".join(parts)


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
        name=wording.brand_name(brand),
        logo_url=brand.logo.resolve().as_uri() if brand.logo else "",
        primary_colour=colour(brand.primary_colour, _DEFAULT.primary_colour),
        accent_colour=colour(brand.accent_colour, _DEFAULT.accent_colour),
        footer=brand.footer,
        contact=brand.contact,
    )


OUTPUT_INTENT = "reporter-srgb"


class _FixedProfile(ColorProfile):  # type: ignore[misc]
    """A colour profile whose bytes in the PDF are the file's own, every time.

    WeasyPrint writes ``ImageCmsProfile.tobytes()``, which LittleCMS re-serialises
    and which changes once the profile has been used; the PDF would then depend on
    what the process rendered before.
    """

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(io.BytesIO(data), name, "relative-colorimetric", (["r"], ["g"], ["b"]))
        self._data = data

    @property
    def content(self) -> bytes:
        return self._data


def _srgb_profile() -> ColorProfile:
    """WeasyPrint's own sRGB profile, read once and closed (its ``output_intent="srgb"`` leaves the file open)."""
    with (resources.files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as handle:
        return _FixedProfile(handle.read(), "sRGB2014.icc")


class Engine:
    """Templates, fonts, the parsed stylesheet and the URL fetcher of one process."""

    def __init__(self, logo: Path | None) -> None:
        assets = assets_dir()
        prepared = prepare(logo) if logo else None  # checked and scaled down once: the bytes every PDF embeds
        self.fetcher = AssetFetcher(
            [assets], [], {logo: (prepared.data, prepared.media_type)} if logo and prepared else {}
        )
        self.fonts = FontConfiguration()
        self.base_url = assets.resolve().as_uri() + "/"
        self.stylesheet = CSS(filename=str(assets / STYLESHEET), url_fetcher=self.fetcher, font_config=self.fonts)
        self.env = environment()
        self.colour_profiles = {OUTPUT_INTENT: _srgb_profile()}

    def html(self, template: str, **values: Any) -> str:
        return self.env.get_template(template).render(**values)

    def pdf(self, html: str, evidence: Evidence | None = None, *, rtl: bool = False) -> bytes:
        """The PDF of ``html``: tagged, and PDF/A-3b with ``evidence`` attached when it is given.

        ``rtl``: a right-to-left document, whose viewer shows facing pages right to left.
        """
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)

        def finish(rendered: Any, pdf: Any) -> None:
            if evidence is not None:
                evidence.finish(rendered, pdf)
            if rtl:
                preferences = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
                preferences["Direction"] = "/R2L"  # beside WeasyPrint's own (DisplayDocTitle)
                pdf.catalog["ViewerPreferences"] = preferences

        if evidence is None:
            plain: bytes = document.write_pdf(
                stylesheets=[self.stylesheet], font_config=self.fonts, pdf_tags=True, finisher=finish
            )
            return plain
        xmp = "data:application/rdf+xml;base64," + base64.b64encode(evidence.xmp()).decode("ascii")
        data: bytes = document.write_pdf(
            stylesheets=[self.stylesheet],
            font_config=self.fonts,
            pdf_tags=True,
            pdf_variant="pdf/a-3b",
            color_profiles=self.colour_profiles,
            output_intent=OUTPUT_INTENT,
            attachments=[evidence.attachment()],
            xmp_metadata=[xmp],
            finisher=finish,
        )
        return data
