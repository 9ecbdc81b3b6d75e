"""Charts in every language: month names and numbers from the active locale, sentences from its
catalogue, Arabic and Japanese glyphs from the bundled fonts, right-to-left bar charts mirrored.

Real matplotlib throughout. The SVG charts draw text as paths, but matplotlib
writes each text as a comment beside its glyphs (``<!-- Mär -->``) and names
each glyph after its font (``DroidSansFallback-1a2``): the tests read both.
"""

from __future__ import annotations

import gettext
import io
import re

import matplotlib
import pytest
from babel import Locale
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image

from reporter.render import charts
from reporter.view import language
from reporter.view.history import MonthPoint

POINTS = tuple(
    MonthPoint(f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", 40.0 + 2.5 * m, m % 3 == 0) for m in range(7, 22)
)
"""July 2025 to September 2026; the last score is 92.5."""
GREEN, AMBER, RED = "#2E7D32", "#F9A825", "#C62828"


class _Table(gettext.NullTranslations):
    """A catalogue of a few sentences (the built-in ones may not be translated yet)."""

    def __init__(self, table: dict[str, str]) -> None:
        super().__init__()
        self.table = table

    def gettext(self, message: str) -> str:
        return self.table.get(message, message)


def _language(tag: str, table: dict[str, str] | None = None) -> language.Language:
    return language.Language(tag, Locale.parse(language.folder_name(tag)), _Table(table or {}))


ARABIC = _language("ar", {"maximum {value}": "الحد الأقصى {value}"})
JAPANESE = _language("ja", {"maximum {value}": "最大 {value}"})
GERMAN = _language("de", {"maximum {value}": "Höchstwert {value}"})
ENGLISH = _language("en")

ARABIC_BARS = (
    charts.Bar("الوصول المشروط", 17, "17 (43%)", GREEN),
    charts.Bar("الإعدادات الافتراضية للأمان", 10, "10 (25%)", AMBER),
    charts.Bar("لا توجد سياسة", 4, "4 (10%)", RED),
)
JAPANESE_BARS = (
    charts.Bar("条件付きアクセス", 17, "17 (43%)", GREEN),
    charts.Bar("2026年11月 最大", 10, "10 (25%)", AMBER),
    charts.Bar("ポリシーなし", 4, "4 (10%)", RED),
)


def _texts(svg: bytes) -> list[str]:
    """The texts of an SVG chart, as matplotlib notes them (a text of two lines as two)."""
    return re.findall(r"<!-- (.*?) -->", svg.decode("utf-8"), flags=re.S)


def _fonts(svg: bytes) -> set[str]:
    """The fonts the glyphs of an SVG chart come from."""
    return {re.sub(r"-[0-9a-f]+$", "", name) for name in re.findall(r'<path id="([^"]+)"', svg.decode("utf-8"))}


def _glyphs(svg: bytes, text: str) -> list[int]:
    """The glyph indices of one text of an SVG chart, in the order they are drawn from left to right."""
    source = svg.decode("utf-8")
    start = source.index(f"<!-- {text} -->")
    group = source[start : source.index("</g>", source.index("<use", start))]
    placed = []
    for use in re.finditer(r'<use xlink:href="#DejaVuSans-([0-9a-f]+)"(?: transform="translate\(([-\d.e]+) )?', group):
        placed.append((float(use.group(2) or 0), int(use.group(1), 16)))
    return [glyph for _, glyph in sorted(placed, key=lambda p: p[0])]


def _dejavu_glyph(char: str) -> int:
    font = TTFont(f"{matplotlib.get_data_path()}/fonts/ttf/DejaVuSans.ttf", lazy=True)
    try:
        return int(font.getGlyphID(font.getBestCmap()[ord(char)]))
    finally:
        font.close()


@pytest.mark.parametrize(
    ("tag", "march", "january"),
    [
        ("en", "Mar", "Jan\n2026"),
        ("de", "Mär", "Jan\n2026"),
        ("fr", "mars", "janv.\n2026"),
        ("es", "mar", "ene\n2026"),
        ("nl", "mrt", "jan\n2026"),
        ("pt-BR", "mar.", "jan.\n2026"),
        ("ja", "3月", "1月\n2026年"),
        ("ar", "مارس", "يناير\n2026"),
    ],
)
def test_month_labels_are_in_the_active_language_with_the_year_in_january(tag: str, march: str, january: str) -> None:
    with language.use(_language(tag)):
        assert charts.month_label("2026-03") == march
        assert charts.month_label("2026-01") == january
    assert charts.month_label("2026-03") == "Mar"  # English again outside the block


def test_month_labels_carry_no_bidi_marks() -> None:
    with language.use(ARABIC):
        labels = [charts.month_label(f"2026-{m:02d}") for m in range(1, 13)]
    assert not [label for label in labels if re.search("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", label)]


def test_history_chart_writes_months_numbers_and_the_maximum_in_german() -> None:
    with language.use(GERMAN):
        texts = _texts(charts.history_chart(POINTS, 100.0, "#1F3A5F"))
    assert "Höchstwert 100" in texts
    assert "92,5" in texts  # the last score, with a decimal comma
    assert {"Jul", "Sep", "Nov", "Jan", "2026", "Mär", "Mai"} <= set(texts)  # every other month
    assert "maximum 100" not in texts


def test_history_chart_ticks_use_the_locales_decimal_separator() -> None:
    small = (MonthPoint("2026-01", 1.5, True), MonthPoint("2026-02", 2.25, True))
    with language.use(GERMAN):
        texts = _texts(charts.history_chart(small, 3.0, "#1F3A5F"))
    assert {"0,0", "0,5", "1,5", "3,0"} <= set(texts)
    assert "2,3" in texts  # 2.25, rounded half away from zero to one decimal
    assert not [t for t in texts if re.fullmatch(r"\d+\.\d+", t)]


def test_english_charts_read_as_before() -> None:
    texts = _texts(charts.history_chart(POINTS, 100.0, "#1F3A5F"))
    assert {"maximum 100", "92.5", "Jul", "Nov", "Jan", "2026", "Mar"} <= set(texts)


@pytest.mark.parametrize(("lang", "bars"), [(ARABIC, ARABIC_BARS), (JAPANESE, JAPANESE_BARS)])
@pytest.mark.parametrize("image", ["png", "svg"])
def test_arabic_and_japanese_charts_are_the_same_bytes_every_time(
    lang: language.Language, bars: tuple[charts.Bar, ...], image: charts.ImageFormat
) -> None:
    with language.use(lang):
        drawn = [
            (
                charts.bar_chart(bars, width=3.3, height=2.3, fmt=image),
                charts.bar_chart(
                    bars, horizontal=False, highlight=1, highlight_text=bars[1].label, width=3.3, height=1.45, fmt=image
                ),
                charts.history_chart(POINTS, 100.0, "#1F3A5F", fmt=image),
            )
            for _ in range(2)
        ]
    assert drawn[0] == drawn[1]
    if image == "png":
        size = Image.open(io.BytesIO(drawn[0][0])).size
        assert size == (round(3.3 * charts.PNG_DPI), round(2.3 * charts.PNG_DPI))


def test_japanese_glyphs_come_from_droid_sans_fallback_and_latin_from_dejavu() -> None:
    with language.use(JAPANESE):
        svg = charts.bar_chart(JAPANESE_BARS, horizontal=False, highlight=0, highlight_text="あなた")
        history = charts.history_chart(POINTS, 100.0, "#1F3A5F")
    assert "条件付きアクセス" in _texts(svg)
    assert _fonts(svg) <= {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback"}
    assert "DroidSansFallback" in _fonts(svg)
    assert {"最大 100", "1月", "2026年", "9月"} <= set(_texts(history))
    assert "DroidSansFallback" in _fonts(history)
    for chart in (svg, history):
        assert not re.search(rb'<path id="[A-Za-z-]+-0"', chart)  # no .notdef: no missing-glyph box


def test_arabic_is_drawn_with_dejavu_and_what_dejavu_lacks_with_noto_sans_arabic() -> None:
    with language.use(ARABIC):
        svg = charts.bar_chart(ARABIC_BARS)
        rare = charts.bar_chart((charts.Bar("ࢠ ڤ", 1, "1", RED),))  # Arabic Extended-A: not in DejaVu Sans
    assert "الوصول المشروط" in _texts(svg)
    assert _fonts(svg) == {"DejaVuSans"}
    assert "NotoSansArabic-Regular" in _fonts(rare)
    for chart in (svg, rare):
        assert not re.search(rb'<path id="[A-Za-z-]+-0"', chart)


def test_bold_text_in_a_font_without_bold_draws_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with language.use(JAPANESE), caplog.at_level("WARNING", logger="matplotlib"):
        svg = charts.bar_chart(JAPANESE_BARS, horizontal=False, highlight=0, highlight_text="あなた")
    assert "DroidSansFallback" in _fonts(svg)
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]


def test_numbers_in_arabic_sentences_are_isolated_and_read_left_to_right() -> None:
    with language.use(ARABIC):
        history = charts.history_chart(POINTS, 1234.0, "#1F3A5F")
        bars = charts.bar_chart(ARABIC_BARS)
    maximum = f"الحد الأقصى {charts.LRI}1,234{charts.PDI}"
    assert maximum in _texts(history)
    digits = [_dejavu_glyph(c) for c in "1,234"]
    drawn = _glyphs(history, maximum)
    assert any(drawn[i : i + 5] == digits for i in range(len(drawn))), "the number is reversed"
    share = f"{charts.LRI}17 (43%){charts.PDI}"
    assert share in _texts(bars)
    wanted = [_dejavu_glyph(c) for c in "(43%)"]
    drawn = _glyphs(bars, share)
    assert any(drawn[i : i + 5] == wanted for i in range(len(drawn))), "the share is reversed"


def test_matplotlib_keeps_an_isolated_percentage_in_order_and_reverses_a_bare_one() -> None:
    """Why the charts isolate numbers: by the bidi algorithm a bare ``80%`` after Arabic shows as ``%80``."""
    from matplotlib.figure import Figure

    bare, isolated = "النتيجة 80%", f"النتيجة {charts.LRI}80%{charts.PDI}"
    charts.register_fonts()
    with matplotlib.rc_context({"font.family": list(charts.FAMILIES), "svg.fonttype": "path", "svg.hashsalt": "t"}):
        figure = Figure(figsize=(3, 1))
        figure.text(0.9, 0.6, bare, ha="right")
        figure.text(0.9, 0.2, isolated, ha="right")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    percent, eight, zero = (_dejavu_glyph(c) for c in "%80")
    assert [g for g in _glyphs(svg, bare) if g in (percent, eight, zero)] == [percent, eight, zero]
    assert [g for g in _glyphs(svg, isolated) if g in (percent, eight, zero)] == [eight, zero, percent]


def test_left_to_right_languages_get_no_isolates() -> None:
    for lang in (ENGLISH, GERMAN, JAPANESE):
        with language.use(lang):
            texts = _texts(charts.bar_chart(JAPANESE_BARS)) + _texts(charts.history_chart(POINTS, 100.0, "#1F3A5F"))
        assert not [t for t in texts if charts.LRI in t or charts.PDI in t], lang.tag


def _bar_columns(png: bytes, colour: str) -> list[int]:
    """The pixel columns where the bar of ``colour`` is drawn."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    return [x for x in range(width) if any(pixels[x, y] == rgb for y in range(0, height, 2))]


def test_horizontal_bars_are_mirrored_in_arabic_labels_right_bars_growing_left() -> None:
    bars = (charts.Bar("أ", 10, "10", RED),)
    with language.use(ENGLISH):
        ltr = charts.bar_chart(bars, width=3.0, height=1.0, patterns=False, fmt="png")
    with language.use(ARABIC):
        rtl = charts.bar_chart(bars, width=3.0, height=1.0, patterns=False, fmt="png")
    width = Image.open(io.BytesIO(rtl)).size[0]
    left_to_right, right_to_left = _bar_columns(ltr, RED), _bar_columns(rtl, RED)
    assert left_to_right
    assert right_to_left
    # Left to right the bar starts beside the label at the left; mirrored it ends beside the label at the right.
    assert min(left_to_right) < width * 0.2 < width * 0.8 < max(right_to_left)
    assert max(left_to_right) < width * 0.8
    assert min(right_to_left) > width * 0.2


def test_vertical_bars_and_the_time_axis_keep_their_order_in_arabic() -> None:
    bars = (charts.Bar("0–24%", 2, "2", RED), charts.Bar("100%", 9, "9", GREEN))
    with language.use(ARABIC):
        png = charts.bar_chart(bars, horizontal=False, patterns=False, fmt="png")
        months = _texts(charts.history_chart(POINTS, None, "#1F3A5F"))
    assert max(_bar_columns(png, RED)) < min(_bar_columns(png, GREEN))  # the first bucket stays on the left
    ticks = [t for t in months if t in {"يوليو", "سبتمبر", "نوفمبر", "يناير", "2026"}]
    assert ticks[:5] == ["يوليو", "سبتمبر", "نوفمبر", "يناير", "2026"]  # drawn from the left: time runs left to right
