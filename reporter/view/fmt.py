"""Formatting shared by every document: numbers, percentages, dates; and text made safe to print.

The one place numbers become text, so a locale-aware formatter can take its place.
Percentages keep the project's own rounding (half away from zero, never 100% for a shortfall).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import NumberPattern

from reporter.view import language

MISSING = "–"
"""What a figure the data does not give prints as, in every language."""


def _pattern(kind: str, digits: int) -> NumberPattern:
    """The active locale's decimal or percent pattern with exactly ``digits`` decimals."""
    locale = language.active().locale
    source = locale.decimal_formats[None] if kind == "decimal" else locale.percent_formats[None]
    pattern: NumberPattern = copy.copy(source)
    pattern.frac_prec = (digits, digits)
    return pattern


LRI, PDI = "\u2066", "\u2069"
"""Left-to-right isolate and its end: a figure in right-to-left text is set apart between them."""


@contextmanager
def _wide(precision: int = 800) -> Iterator[None]:
    """Decimal arithmetic with room for every digit of any finite float (the default 28 digits are not)."""
    with localcontext() as context:
        context.prec = precision
        context.Emax = MAX_EMAX
        context.Emin = MIN_EMIN
        yield


def _digits(pattern: NumberPattern, value: Decimal) -> str:
    """``value`` in the active locale's digits and separators, without Babel's bidi marks.

    The callers isolate the figure (``isolate``) instead: in Arabic text ``56%`` after a
    letter would read ``%56`` by the bidi algorithm (the PDF templates turn each isolate
    into a left-to-right span; workbooks and e-mails drop it, as they drop every bidi mark).
    """
    with _wide():
        return plain(pattern.apply(value, language.active().locale))


FSI = "\u2068"
"""First-strong isolate: a name in right-to-left text, set apart in its own direction."""
_ISOLATED = re.compile("([\u2066\u2068])([^\u2066-\u2069]*)\u2069")


def isolated_pieces(text: str) -> list[tuple[str, str | None]]:
    """``text`` split around its balanced isolates: (piece, ``None`` outside, ``LRI`` or ``FSI`` inside), each plain."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _ISOLATED.finditer(text):
        pieces.append((plain(text[position : match.start()]), None))
        pieces.append((plain(match.group(2)), match.group(1)))
        position = match.end()
    pieces.append((plain(text[position:]), None))
    return pieces


def plain_keeping_isolates(text: str) -> str:
    """``plain(text)``, but a balanced isolate (a figure or a name in right-to-left text) is kept.

    A balanced isolate can reorder nothing outside itself, whoever wrote it.
    """
    return "".join(f"{kind}{piece}{PDI}" if kind else piece for piece, kind in isolated_pieces(text))


def isolate_name(text: str) -> str:
    """A name (from the data or the brand) set apart in its own direction in right-to-left text."""
    return f"{FSI}{plain(text)}{PDI}" if language.active().rtl else text


def isolate(text: str) -> str:
    """``text`` between a left-to-right isolate and its end when the active language is right to left."""
    return f"{LRI}{text}{PDI}" if language.active().rtl else text


def number(value: float | None, digits: int = 0) -> str:
    """``12345.5`` → ``"12,345.5"`` (English), ``"12.345,5"`` (German); rounded half away from zero."""
    if value is None or not math.isfinite(value):
        return MISSING
    return isolate(_digits(_pattern("decimal", digits), _rounded(value, digits)))


def _rounded(value: float, digits: int) -> Decimal:
    """``value`` rounded to ``digits`` decimals, half away from zero, for any finite float."""
    with _wide():
        return Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def date(value: datetime | None) -> str:
    """A day as the active locale writes it (``Nov 1, 2026``, ``01.11.2026``, ``2026/11/01``)."""
    return format_date(value, "medium", locale=language.active().locale) if value else MISSING


def timestamp(value: datetime | None) -> str:
    """A moment in UTC as the active locale writes it, marked UTC."""
    if value is None:
        return MISSING
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    locale = language.active().locale
    day = format_date(moment, "medium", locale=locale)
    time = format_time(moment, "short", tzinfo=UTC, locale=locale)
    shown = str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)  # CLDR's own joining
    return language.gettext("{moment} UTC").format(moment=plain(shown))


def month(value: datetime) -> str:
    """``November 2026``, ``novembre 2026``, ``2026年11月``."""
    return plain(format_skeleton("yMMMM", value, locale=language.active().locale))


def signed(value: float | None, digits: int = 1) -> str:
    """``+8.0``, ``−3.5`` or ``±0.0``: a change, with its sign always shown."""
    if value is None or not math.isfinite(value):
        return MISSING
    exact = _rounded(value, digits)
    text = _digits(_pattern("decimal", digits), abs(exact))
    sign = "±" if exact == 0 else "+" if exact > 0 else "−"
    return isolate(f"{sign}{text}")  # the sign inside the isolate: "+8.0" reads so in Arabic too


_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 controls but tab, LF and CR; DEL and C1; bidi marks, embeddings, overrides and isolates."""


def plain(text: str) -> str:
    """``text`` without control characters or bidi formatting, so it cannot reorder what surrounds it.

    Every piece of text from the data or the configuration (names, domains, alert
    names, brand strings) passes through this before a document shows it: a
    right-to-left override in a customer's name would otherwise turn the rest of
    its line around, and BEL or ESC would reach the PDF.
    """
    return _INVISIBLE.sub("", text)


def _percent(value: float, exponent: Decimal) -> Decimal:
    """``value`` × 100 rounded to ``exponent``, half away from zero (as Excel rounds), for any finite float.

    Decimal arithmetic with room for every digit: the default 28-digit context
    cannot quantize a large share, and ``value * 100`` as a float can overflow.
    """
    with _wide(400 - min(exponent.adjusted(), 0)):  # a float has at most 309 integer digits
        scaled = value * 100  # as a float first, as the documents always have rounded
        exact = Decimal(repr(scaled)) if math.isfinite(scaled) else Decimal(repr(value)) * 100
        return exact.quantize(exponent, rounding=ROUND_HALF_UP)


def whole_percent(value: float) -> int:
    """``0.125`` → ``13``: a share as the whole percent a document shows (half away from zero)."""
    return int(_percent(value, Decimal(1)))


def format_percent(value: float | None, digits: int = 0) -> str:
    """``0.4567`` → ``"46%"`` (``"46 %"`` in French); never rounds a shortfall up to 100%."""
    if value is None or not math.isfinite(value):
        return MISSING
    exponent = Decimal(1).scaleb(-digits)
    rounded = _percent(value, exponent)
    if value < 1 and rounded >= 100:
        rounded = Decimal(100) - exponent
    return isolate(_digits(_pattern("percent", digits), rounded / 100))
