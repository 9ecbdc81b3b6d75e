"""Sheet names Excel and LibreOffice accept: valid, unique ignoring case, stable from run to run.

A customer's sheet is named after the customer with its tenant id prefix
(``Contoso Ltd 1a2b3c4d``), so the same customer keeps the same sheet name
month after month; the rare clash gets `` (2)``, `` (3)``… in the order of the
tenant ids, which does not depend on the order of the snapshot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

MAX_SHEET_NAME = 31
"""Excel's limit, counted in UTF-16 code units."""

_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_ESCAPE_LIKE = re.compile(r"_(?=[xX][0-9A-Fa-f]{4}_)")
"""The ``_`` of an OOXML escape (``_x0041_`` is "A" to LibreOffice and Excel), which a sheet name must not hold:
the reader would rename the sheet and every link to it would break."""
LOOKALIKE_LOW_LINE = "\uff3f"

EXCEL_RESERVED = ("History",)
"""Sheet names Excel keeps for itself."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that fits ``limit`` UTF-16 code units."""
    while utf16_len(text) > limit:
        text = text[:-1]
    return text


def clean_sheet_name(text: str) -> str:
    """``text`` with forbidden characters removed and blanks squeezed; may be empty.

    The ``_`` starting an OOXML escape (``_x0041_``) becomes a full-width low line
    (``＿x0041_``): it looks the same, and no reader decodes it.
    """
    text = unicodedata.normalize("NFC", text)
    text = _FORBIDDEN.sub(" ", text)
    while _ESCAPE_LIKE.search(text):  # replacing one may not expose another, but loop to be sure
        text = _ESCAPE_LIKE.sub(LOOKALIKE_LOW_LINE, text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    return _SPACES.sub(" ", text).strip().strip("'").strip()


def _keys(name: str) -> tuple[str, str]:
    """Two case-blind keys; a name clashes when either is taken (Excel's folding is its own)."""
    return name.lower(), unicodedata.normalize("NFKC", name).casefold()


class SheetNamer:
    """Hands out sheet names, never the same one twice (ignoring case)."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set()
        for name in reserved:
            self._take(name)

    def _free(self, name: str) -> bool:
        return not any(key in self._taken for key in _keys(name))

    def _take(self, name: str) -> str:
        self._taken.update(_keys(name))
        return name

    def name(self, base: str, suffix: str = "", fallback: str = "Sheet") -> str:
        """A free name: ``base`` cut to fit, then ``suffix``, then `` (2)``, `` (3)``… if needed.

        The suffix and the number always survive the cut; only ``base`` is shortened.
        """
        stem = clean_sheet_name(base)
        suffix = clean_sheet_name(suffix)
        if not stem and not suffix:
            stem = fallback
        number = 1
        while True:
            tail = " ".join(p for p in (suffix, f"({number})" if number > 1 else "") if p)
            room = MAX_SHEET_NAME - utf16_len(tail) - (1 if tail else 0)
            head = stem if utf16_len(stem) <= room else _cut(stem, room - 1).rstrip().rstrip("'").rstrip() + "…"
            head = head if room > 1 else ""
            candidate = " ".join(p for p in (head, tail) if p)
            candidate = _cut(candidate, MAX_SHEET_NAME).strip().strip("'").strip() or fallback
            if self._free(candidate):
                return self._take(candidate)
            number += 1


def customer_sheet_names(customers: Sequence[tuple[str, str]], reserved: Iterable[str]) -> list[str]:
    """The sheet name of each ``(tenant_id, label)``, in the order given.

    Names are handed out in the order of the tenant ids, so they do not depend on
    the order of ``customers`` (except between exact duplicates).
    """
    namer = SheetNamer(reserved)
    names = [""] * len(customers)
    order = sorted(range(len(customers)), key=lambda i: (customers[i][0].lower(), customers[i][0], customers[i][1], i))
    for index in order:
        tenant_id, label = customers[index]
        prefix = clean_sheet_name(tenant_id)[:8]
        base = label if label != tenant_id else ""
        names[index] = namer.name(base, prefix, fallback="Customer")
    return names


def sheet_ref(name: str, cell: str = "A1") -> str:
    """An in-workbook link target: ``'My sheet'!A1`` (apostrophes doubled)."""
    return "'{}'!{}".format(name.replace("'", "''"), cell)
