"""Every language, rendered for real: the sample's summary and one customer's report, read back.

For each language: no English sentence of the English version is left (the
data's own text aside: names, domains, alert titles Microsoft wrote), the PDF's
``/Lang`` is the language, the page count is English's or one more, and no line
of text runs outside the box it was laid out in (checked on WeasyPrint's layout
boxes, not assumed). Arabic reads right to left in logical order with its
figures left to right; Japanese has a glyph for every character.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from reporter import snapshot as snapshot_io
from reporter.render.brand_config import default_brand
from reporter.render.pdf_customer import CustomerRenderer
from reporter.render.pdf_engine import Engine
from reporter.render.pdf_summary import summary_html
from reporter.view import build_context, language
from reporter.view.documents import ReportContext

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"
TOLERANCE = 0.5
"""CSS pixels a line may pass its box by (rounding)."""
SPACE = 4.0
"""What a line's trailing space may pass its box by: a space at the end of a line hangs, as CSS says."""


@dataclass(frozen=True)
class Rendered:
    tag: str
    summary: bytes
    customer: bytes
    summary_html: str
    customer_html: str
    tenant_id: str


def _context(tag: str) -> ReportContext:
    snapshot = snapshot_io.load(SAMPLE)
    brand = default_brand()
    tenants = {c.tenant_id.lower(): tag for c in snapshot.customers}
    return build_context(snapshot, brand, partner_language=language.load(tag), languages=tenants)


def _pick(context: ReportContext) -> Any:
    """The sample's busiest customer: findings, actions and open alerts, so every section shows."""
    return max(context.rows, key=lambda r: (len(r.posture.findings), len(r.posture.actions), r.customer.tenant_id))


_cache: dict[str, Rendered] = {}


def rendered(tag: str) -> Rendered:
    if tag not in _cache:
        engine = Engine(default_brand().logo)
        context = _context(tag)
        row = _pick(context)
        view = context.customer_view(row)
        renderer = CustomerRenderer(engine)
        s_html = summary_html(engine, context.summary)
        c_html = renderer.html(view)
        rtl = context.language.rtl
        _cache[tag] = Rendered(
            tag, engine.pdf(s_html, rtl=rtl), renderer.pdf(view), s_html, c_html, row.customer.tenant_id
        )

    return _cache[tag]


def pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode("utf-8"))


def _words(text: str) -> str:
    return " ".join(text.split())


def _data_strings() -> set[str]:
    """Every text of the sample's data: names, domains, alert titles and descriptions (never translated)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(_words(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(SAMPLE.read_text(encoding="utf-8")))
    return found


_SENTENCE = re.compile(r"[^.!?:;·•\n]+")


def english_sentences(text: str) -> set[str]:
    """Runs of four or more words of the English document, without figures."""
    data = _data_strings()
    found = set()
    for line in text.splitlines():
        for piece in _SENTENCE.findall(line):
            piece = _words(piece)
            if len(piece.split()) >= 4 and not re.search(r"\d", piece) and not any(piece in d for d in data):
                found.add(piece)
    return found


TRANSLATED = [t for t in language.LANGUAGES if t != "en"]


@pytest.mark.parametrize("tag", TRANSLATED)
@pytest.mark.parametrize("document", ["summary", "customer"])
def test_no_english_sentence_is_left(tag: str, document: str, tmp_path: Path) -> None:
    english = pdf_text(getattr(rendered("en"), document), tmp_path)
    other = _words(pdf_text(getattr(rendered(tag), document), tmp_path))
    left = sorted(s for s in english_sentences(english) if s in other)
    assert not left, f"{tag} {document}: English left: {left[:8]}"


@pytest.mark.parametrize("tag", language.LANGUAGES)
@pytest.mark.parametrize("document", ["summary", "customer"])
def test_lang_and_page_count(tag: str, document: str) -> None:
    data = getattr(rendered(tag), document)
    with pikepdf.open(__import__("io").BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == tag
        direction = pdf.Root.get("/ViewerPreferences", {}).get("/Direction")
        assert (str(direction) == "/R2L") if tag == "ar" else direction is None
        pages = len(pdf.pages)
    with pikepdf.open(__import__("io").BytesIO(getattr(rendered("en"), document))) as pdf:
        english_pages = len(pdf.pages)
    assert english_pages <= pages <= english_pages + 1, (tag, document, pages, english_pages)


def _overflows(html: str) -> Iterator[str]:
    engine = Engine(default_brand().logo)
    document = HTML(string=html, base_url=engine.base_url, url_fetcher=engine.fetcher).render(
        stylesheets=[engine.stylesheet], font_config=engine.fonts
    )
    for number, page in enumerate(document.pages, 1):
        yield from _check(page._page_box, number)


def _texts(box: Any) -> Iterator[Any]:
    """The text boxes laid out in ``box``'s lines: floated and positioned boxes are placed apart."""
    for child in getattr(box, "children", ()):
        if child.is_floated() or child.is_absolutely_positioned():
            continue
        if isinstance(child, boxes.TextBox):
            yield child
        else:
            yield from _texts(child)


def _check(box: Any, page: int) -> Iterator[str]:
    """Each line's text lies within the content box of the block that holds the line."""
    if not isinstance(box, boxes.ParentBox):
        return
    left = box.content_box_x()
    right = left + (box.width or 0)
    for child in box.children:
        if isinstance(child, boxes.LineBox):
            for text in _texts(child):
                start, end = text.position_x, text.position_x + text.width
                slack = TOLERANCE + (SPACE if text.text != text.text.rstrip() else 0.0)  # a line's last space hangs
                if text.text.strip() and (end > right + slack or start < left - slack):
                    yield (
                        f"page {page}: {text.text!r} runs outside its box "
                        f"({start:.1f}–{end:.1f} vs {left:.1f}–{right:.1f})"
                    )
        else:
            yield from _check(child, page)


@pytest.mark.parametrize("tag", ["en", "de", "ar", "fr", "ja"])
@pytest.mark.parametrize("document", ["summary", "customer"])
def test_no_text_outside_its_box(tag: str, document: str) -> None:
    html = getattr(rendered(tag), f"{document}_html")
    problems = list(_overflows(html))
    assert not problems, f"{tag} {document}: " + "; ".join(problems[:6])


def test_arabic_reads_in_logical_order_with_ltr_figures(tmp_path: Path) -> None:
    r = rendered("ar")
    text = pdf_text(r.customer, tmp_path)
    # Letters joined and in logical order: extraction gives the words as written, not reversed or isolated forms.
    assert re.search(r"[\u0600-\u06FF]{3,}", text)
    assert not re.search(r"[\uFE70-\uFEFF]", text), "presentation forms: letters were shaped by hand"
    catalog_word = language.load("ar").gettext("Recommended actions")
    assert _words(catalog_word) in _words(text)
    # The tenant id and percentages read left to right.
    assert r.tenant_id in text
    assert re.search(r"\d+(\.\d+)?%", text)


def _bundled_cmap() -> set[int]:
    from fontTools.ttLib import TTCollection, TTFont

    from reporter.resources import assets_dir

    covered: set[int] = set()
    for path in (assets_dir() / "fonts").iterdir():
        if path.suffix.lower() in (".ttf", ".otf"):
            with TTFont(path) as font:
                covered |= set(font.getBestCmap())
        elif path.suffix.lower() == ".ttc":
            with TTCollection(path) as collection:
                for font in collection.fonts:
                    covered |= set(font.getBestCmap())
    return covered


@pytest.mark.parametrize("tag", ["ja", "ar"])
def test_every_character_has_a_glyph(tag: str, tmp_path: Path) -> None:
    """No missing-glyph box: every character of the document is in a bundled font, and the PDF embeds one."""
    r = rendered(tag)
    path = tmp_path / "doc.pdf"
    path.write_bytes(r.customer)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    assert ("Report-Japanese" if tag == "ja" else "Report-Arabic") in fonts
    text = pdf_text(r.customer, tmp_path) + pdf_text(r.summary, tmp_path)
    script = r"[\u3040-\u30FF\u4E00-\u9FFF]{2,}" if tag == "ja" else r"[\u0600-\u06FF]{2,}"
    assert re.search(script, text)
    assert "\ufffd" not in text
    covered = _bundled_cmap()
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in covered and ord(c) >= 0x20})
    assert not missing, f"{tag}: no bundled glyph for {missing[:20]}"


@pytest.mark.parametrize("tag", ["de", "pt-BR", "en"])
def test_a_recommended_action_does_not_break_after_its_first_word(tag: str, tmp_path: Path) -> None:
    """WeasyPrint broke loose text before a block after its first word ("1. Bitten" alone on a line)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(rendered(tag).customer)
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    lonely = [line for line in layout.stdout.splitlines() if re.fullmatch(r"\s*\d\.\s+\S+", line)]
    assert not lonely, lonely
