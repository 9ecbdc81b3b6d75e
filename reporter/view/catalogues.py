"""reporter's built-in catalogues, as data: the languages, where their ``.po`` files are, and reading them.

The catalogues are gettext ``.po`` files in ``reporter/locale/<language>/LC_MESSAGES``,
made and kept up to date with Babel (``pybabel extract/update``, see ``babel.cfg``);
``reporter/locale/reporter.pot`` is their template, every sentence reporter can show.
This module only finds and reads them: :mod:`reporter.view.wording_files` puts a
partner's wording over one, and :mod:`reporter.view.language` compiles it for a document.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

SOURCE = "en"
"""The language the sentences are written in (no catalogue of its own)."""

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "nl", "pt-BR", "ja", "ar")
"""Every language the documents can be written in, as BCP 47 tags."""

DOMAIN = "reporter"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")


def placeholders(text: str) -> list[str]:
    """The named placeholders of a sentence (``{name}`` or ``%(name)s``), sorted, with repeats."""
    return sorted(_PLACEHOLDER.findall(text))


def folder_name(tag: str) -> str:
    """``"pt-BR"`` → ``"pt_BR"``: the folder of a language's catalogue."""
    return tag.replace("-", "_")


def builtin(tag: str) -> Catalog:
    """``tag``'s built-in catalogue, freshly read (the caller may change it); English has no entries."""
    if tag == SOURCE:
        return Catalog(locale="en", domain=DOMAIN)  # no entries; Babel knows English has two plural forms
    path = LOCALE_DIR / folder_name(tag) / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=folder_name(tag), domain=DOMAIN)


@lru_cache(maxsize=1)
def template() -> Catalog:
    """The catalogue template: every sentence reporter can show (``reporter/locale/reporter.pot``)."""
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)
