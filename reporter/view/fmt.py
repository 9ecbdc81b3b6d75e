"""Formatting shared by every document: numbers, percentages, dates; and text made safe to print.

The one place numbers become text, so a locale-aware formatter can take its place.
Percentages keep the project's own rounding (half away from zero, never 100% for a shortfall).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals and no grouping (``1234.5`` → ``"1234.5"``)."""
    return f"{value:.{digits}f}"


def date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "–"


def timestamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def month(value: datetime) -> str:
    return value.strftime("%B %Y")


def signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if round(value, digits) == 0:
        return f"±{0:.{digits}f}"
    return f"{value:+.{digits}f}"


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
    with localcontext() as context:
        context.prec = 400 - min(exponent.adjusted(), 0)  # a float has at most 309 integer digits
        context.Emax = MAX_EMAX
        context.Emin = MIN_EMIN
        scaled = value * 100  # as a float first, as the documents always have rounded
        exact = Decimal(repr(scaled)) if math.isfinite(scaled) else Decimal(repr(value)) * 100
        return exact.quantize(exponent, rounding=ROUND_HALF_UP)


def whole_percent(value: float) -> int:
    """``0.125`` → ``13``: a share as the whole percent a document shows (half away from zero)."""
    return int(_percent(value, Decimal(1)))


def format_percent(value: float | None, digits: int = 0) -> str:
    """``0.4567`` → ``"46%"``; never rounds a shortfall up to 100%."""
    if value is None:
        return "–"
    if not math.isfinite(value):
        return "–"
    text = str(_percent(value, Decimal(1).scaleb(-digits)))
    if value < 1 and float(text) >= 100:
        text = f"{99.9 if digits else 99:.{digits}f}"
    return f"{text}%"
