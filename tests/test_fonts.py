"""The bundled fonts: present, licensed, allowed in a PDF, and covering the scripts the documents are written in.

The stylesheet draws Latin, Greek and Cyrillic from DejaVu Sans, Arabic from
Noto Sans Arabic (its ``unicode-range`` leaves Latin letters and digits to
DejaVu), Chinese, Japanese and Korean from Droid Sans Fallback and symbols from
Symbola. Fonts are read with fontTools; one Arabic line is laid out by
WeasyPrint with the real stylesheet and read back from the PDF.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reporter.render import charts
from reporter.resources import assets_dir
from reporter.view import language

FONTS = assets_dir() / "fonts"
STYLESHEET = assets_dir() / "css" / "report.css"
LOCALES = Path(language.__file__).resolve().parent.parent / "locale"
NOTO = ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf")
ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
"""Hamza to ghain, and feh to yeh: every letter of Arabic, with alef, waw and yeh's hamza and madda forms."""
ARABIC_MARKS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670"]
"""The short vowels, tanwin, shadda and sukun; superscript alef."""
ARABIC_SIGNS = ["\u060c", "\u061b", "\u061f", "\u0640", "\u066a", "\u066b", "\u066c", "\u200c", "\u200d"] + [
    chr(c) for c in range(0x0660, 0x066A)
]
"""Comma, semicolon, question mark, tatweel, percent, decimal and thousands separators, ZWNJ, ZWJ; Arabic digits."""
SAMPLE = "المستخدمين 56% tenant 1234abcd — الإجراءات الموصى بها، لا يوجد؟"


def _cmap(name: str) -> set[int]:
    font = TTFont(FONTS / name, lazy=True)
    try:
        return set(font.getBestCmap())
    finally:
        font.close()


def _font_faces() -> list[tuple[str, str]]:
    """Every ``@font-face`` of the stylesheet: its family and file."""
    css = STYLESHEET.read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\s*\{([^}]*)\}", css)
    out = []
    for face in faces:
        family = re.search(r'font-family:\s*"([^"]+)"', face)
        src = re.search(r"src:\s*url\(\.\./fonts/([^)]+)\)", face)
        assert family, face
        assert src, face
        out.append((family.group(1), src.group(1)))
    return out


def _unicode_range(family: str) -> list[tuple[int, int]]:
    css = STYLESHEET.read_text(encoding="utf-8")
    ranges: set[tuple[int, int]] = set()
    for face in re.findall(r"@font-face\s*\{([^}]*)\}", css):
        if f'"{family}"' not in face:
            continue
        found = re.search(r"unicode-range:\s*([^;]+);", face)
        assert found, f"{family} has no unicode-range"
        for part in found.group(1).split(","):
            first, _, last = part.strip().removeprefix("U+").partition("-")
            ranges.add((int(first, 16), int(last or first, 16)))
    return sorted(ranges)


def _catalogue_text(tag: str) -> str:
    """Every translated sentence of a language's built-in catalogue (empty while it has none)."""
    path = LOCALES / language.folder_name(tag) / "LC_MESSAGES" / f"{language.DOMAIN}.po"
    if not path.is_file():
        return ""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    parts: list[str] = []
    for message in catalog:
        strings = message.string if isinstance(message.string, list | tuple) else [message.string]
        parts.extend(s for s in strings if s)
    return "".join(parts)


def _drawn(text: str) -> set[str]:
    """The characters of ``text`` that need a glyph (not spaces, controls or format characters)."""
    return {c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")}


def test_every_font_the_stylesheet_names_is_bundled() -> None:
    faces = _font_faces()
    families = {family for family, _ in faces}
    assert {"Report Sans", "Report Mono", "Report CJK", "Report Symbols", "Report Arabic"} <= families
    for family, name in faces:
        assert (FONTS / name).is_file(), (family, name)
    for name in charts.FONT_FILES:
        assert (FONTS / name).is_file(), name


def test_every_bundled_font_has_a_licence_that_names_it() -> None:
    licences = {path.name: path.read_text(encoding="utf-8") for path in FONTS.glob("LICENSE-*.txt")}
    fonts = sorted(p.name for p in FONTS.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc"))
    assert fonts
    for name in fonts:
        assert any(name in text for text in licences.values()), f"no LICENSE-*.txt names {name}"


def test_noto_sans_arabic_is_the_unmodified_ofl_font_with_its_notice() -> None:
    licence = (FONTS / "LICENSE-NotoSansArabic.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence
    assert "Version 1.1 - 26 February 2007" in licence
    for clause in ("PERMISSION & CONDITIONS", "TERMINATION", "DISCLAIMER", "Reserved Font Name"):
        assert clause in licence, clause
    for name, weight in zip(NOTO, (400, 700), strict=True):
        font = TTFont(FONTS / name, lazy=True)
        try:
            names = font["name"]
            assert names.getDebugName(1) == "Noto Sans Arabic"
            assert font["OS/2"].usWeightClass == weight
            assert str(names.getDebugName(0)) in licence  # the copyright notice, word for word
            assert "Open Font License" in str(names.getDebugName(13))
        finally:
            font.close()


@pytest.mark.parametrize("name", sorted(p.name for p in FONTS.glob("*.ttf")))
def test_bundled_fonts_may_be_embedded_and_subset(name: str) -> None:
    font = TTFont(FONTS / name, lazy=True)
    try:
        fs_type = font["OS/2"].fsType
    finally:
        font.close()
    assert not fs_type & 0x0002, "restricted licence embedding"
    assert not fs_type & 0x0100, "no subsetting"
    assert not fs_type & 0x0200, "bitmap embedding only"


@pytest.mark.parametrize("name", NOTO)
def test_noto_sans_arabic_covers_arabic_letters_marks_and_signs(name: str) -> None:
    cmap = _cmap(name)
    missing = [f"U+{ord(c):04X}" for c in ARABIC_LETTERS + ARABIC_MARKS + ARABIC_SIGNS if ord(c) not in cmap]
    assert not missing
    assert ord("A") not in cmap  # no Latin letters: they must come from DejaVu Sans


def test_the_arabic_catalogue_is_covered_by_noto_within_its_unicode_range() -> None:
    ranges = _unicode_range("Report Arabic")
    regular, bold = _cmap(NOTO[0]), _cmap(NOTO[1])
    dejavu = _cmap("DejaVuSans.ttf")
    text = _catalogue_text("ar") + "".join(ARABIC_LETTERS) + SAMPLE
    for char in sorted(_drawn(text)):
        code = ord(char)
        if any(first <= code <= last for first, last in ranges):
            assert code in regular, f"Noto Sans Arabic has no {char!r} (U+{code:04X})"
            assert code in bold, f"Noto Sans Arabic Bold has no {char!r} (U+{code:04X})"
        else:
            assert "ARABIC" not in unicodedata.name(char, ""), f"{char!r} (U+{code:04X}) is outside the range"
            assert code in dejavu, f"DejaVu Sans has no {char!r} (U+{code:04X})"


@pytest.mark.parametrize("tag", language.LANGUAGES)
def test_every_character_of_every_catalogue_has_a_glyph_in_the_font_list(tag: str) -> None:
    fonts = ["DejaVuSans.ttf", *NOTO, "DroidSansFallbackFull.ttf", "Symbola_hint.ttf"]
    covered = set().union(*(_cmap(name) for name in fonts))
    extra = {"ja": "セキュリティレポート 2026年11月 多要素認証、「概要」。", "ar": SAMPLE}.get(tag, "")
    missing = sorted(c for c in _drawn(_catalogue_text(tag) + extra) if ord(c) not in covered)
    assert not missing, [f"{c!r} U+{ord(c):04X}" for c in missing]


def test_arabic_text_is_set_in_noto_and_latin_and_digits_in_dejavu() -> None:
    html = (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"></head><body>'
        f"<p>{SAMPLE}</p><p><b>نظرة سريعة Overview 2026</b></p></body></html>"
    )
    fonts = FontConfiguration()
    sheet = CSS(filename=str(STYLESHEET), font_config=fonts)
    pdf = HTML(string=html, base_url=assets_dir().as_uri() + "/").write_pdf(stylesheets=[sheet], font_config=fonts)
    used: dict[str, set[str]] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for char in document.pages[0].chars:
            face = str(char["fontname"]).split("+")[-1]
            for c in str(char["text"]):
                used.setdefault(face, set()).add(c)
    text = SAMPLE + "نظرة سريعة Overview 2026"
    arabic = {c for c in text if "ARABIC" in unicodedata.name(c, "") and not unicodedata.combining(c)}
    latin_and_digits = {c for c in text if c.isascii() and c.isalnum()}
    in_noto = used.get("Report-Arabic", set()) | used.get("Report-Arabic-Bold", set())
    in_dejavu = used.get("Report-Sans", set()) | used.get("Report-Sans-Bold", set())
    assert arabic <= in_noto
    assert latin_and_digits <= in_dejavu
    assert not in_noto & latin_and_digits
    assert not {c for c in in_dejavu if "ARABIC" in unicodedata.name(c, "")}
