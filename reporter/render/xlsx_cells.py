"""Text as a spreadsheet may hold it: no formulas, no forbidden characters, no overlong cells.

Every string the workbook shows passes through :func:`clean_text`. A string whose
first character could make Excel or LibreOffice read it as a formula (``=``,
``+``, ``-``, ``@``, tab, CR, LF) is still written as a plain string cell
(``t="inlineStr"``, never ``<f>``) and also gets the *quote prefix* style, so
editing the cell later keeps it text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from reporter.view.fmt import plain

MAX_CELL_CHARS = 32_767
"""Excel's limit on the characters of one cell."""

TRUNCATION_MARKER = " … [cut: longer than a spreadsheet cell holds]"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that spreadsheet programs may read as the start of a formula."""

# XML 1.0 forbids C0 controls other than tab, LF and CR, lone surrogates and U+FFFE/U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNSAFE_IN_URL = re.compile(r'[\s"<>\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]')
# Excel reads ``_xHHHH_`` in a string as an escaped character; a literal one is escaped as ``_x005F_``.
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def clean_text(value: str) -> str:
    """``value`` without characters XLSX forbids, controls or bidi formatting, cut to fit one cell with a marker."""
    text = _FORBIDDEN.sub("", plain(value))
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER
    return text


def unescape_text(value: str) -> str:
    """What Excel shows for a string :func:`clean_text` wrote (the inverse of its escaping)."""
    return value.replace("_x005F_", "_")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def http_url(value: str | None) -> str | None:
    """``value`` when it is an absolute http(s) URL that is safe to link, else ``None``."""
    if not value:
        return None
    url = value.strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) > 2_000:
        return None
    if _UNSAFE_IN_URL.search(url):
        return None
    return url


def excel_datetime(value: datetime | None) -> datetime | None:
    """A timestamp as Excel stores it: naive, in UTC (Excel has no time zones)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
