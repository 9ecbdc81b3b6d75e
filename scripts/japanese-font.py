"""Make assets/fonts/DroidSansJapanese.ttf from DroidSansFallbackFull.ttf (run by hand; the result is committed).

The Japanese documents' font: Droid Sans Fallback (Apache 2.0) cut to what Japanese
text uses (JIS X 0208: kana, 6,355 kanji, punctuation; full-width forms), without
vertical metrics, and with the glyphs of reporter's own Japanese sentences first.
WeasyPrint subsets fonts keeping glyph ids, so an embedded subset is as long as its
highest glyph id: with the common glyphs first, a report embeds a few kilobytes of
font tables instead of a hundred. The full fallback font stays behind it for any
character outside the cut (a Chinese or Korean name).

    python scripts/japanese-font.py
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.reorderGlyphs import reorderGlyphs

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "assets" / "fonts" / "DroidSansFallbackFull.ttf"
TARGET = ROOT / "assets" / "fonts" / "DroidSansJapanese.ttf"
CATALOGUE = ROOT / "reporter" / "locale" / "ja" / "LC_MESSAGES" / "reporter.po"


def jis_x_0208() -> set[int]:
    codes = set()
    for high in range(0xA1, 0xFF):
        for low in range(0xA1, 0xFF):
            try:
                text = bytes([high, low]).decode("euc_jp")
            except UnicodeDecodeError:
                continue
            codes.update(ord(c) for c in text)
    return codes


def catalogue_text() -> str:
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle)
    texts = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        texts.extend(s for s in strings if s)
    return "".join(texts) + "".join(chr(c) for c in range(0x3040, 0x3100)) + "年月日時分"


def main() -> None:
    font = TTFont(SOURCE)
    cmap = font.getBestCmap()
    wanted = (jis_x_0208() | set(range(0x3000, 0x3100)) | set(range(0xFF00, 0xFFF0))) & set(cmap)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["vhea", "vmtx", "VORG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    cmap = font.getBestCmap()
    first = [".notdef"]
    for char in catalogue_text():
        name = cmap.get(ord(char))
        if name and name not in first:
            first.append(name)
    glyf = font["glyf"]
    index = 0
    while index < len(first):  # the parts composite glyphs are built from come first too
        for part in glyf[first[index]].getComponentNames(glyf):
            if part not in first:
                first.append(part)
        index += 1
    chosen = set(first)
    order = first + [g for g in font.getGlyphOrder() if g not in chosen]
    reorderGlyphs(font, order)
    font.save(TARGET)
    print(f"{TARGET.name}: {len(order)} glyphs, the first {len(first)} those of reporter's Japanese and their parts")


if __name__ == "__main__":
    main()
