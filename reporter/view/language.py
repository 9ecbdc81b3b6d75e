"""The language a document is written in: its translations, its locale (CLDR formats) and its direction.

A :class:`Language` is a value like :class:`~reporter.view.brand.Brand`: the
renderer of each document chooses one (the partner's for the partner's own
documents, each customer's for that customer's) and makes it the active one
while the document's view is built and laid out (:func:`use`). The wording
module, the formatter (``fmt``) and the templates ask the active language for
every sentence, number and date; nothing is translated at import time.

A language's sentences are its built-in catalogue (:mod:`reporter.view.catalogues`)
with a partner's own wording over it (``[brand] wording``: a folder of
``<language>.po`` files, read strictly by :mod:`reporter.view.wording_files`;
:func:`check_overrides` lists everything refused). :func:`load` compiles them in
memory, once per process, so no compiled ``.mo`` file can go stale. :func:`resolve`
finds the language a customers-file tag asks for.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale
from babel.core import get_global, parse_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from reporter.errors import ConfigError
from reporter.view import catalogues, wording_files

# Re-exported: other modules and the tests name these ``language.LANGUAGES`` and so on.
from reporter.view.catalogues import DOMAIN as DOMAIN
from reporter.view.catalogues import LANGUAGES as LANGUAGES
from reporter.view.catalogues import LOCALE_DIR as LOCALE_DIR
from reporter.view.catalogues import SOURCE as SOURCE
from reporter.view.catalogues import folder_name as folder_name
from reporter.view.catalogues import placeholders as placeholders
from reporter.view.catalogues import template as template
from reporter.view.wording_files import SHEET_NAMES as SHEET_NAMES
from reporter.view.wording_files import WORDING_FILE_LIMIT as WORDING_FILE_LIMIT


@dataclass(frozen=True, eq=False)
class Language:
    """A document's language: gettext translations, a Babel locale and a direction."""

    tag: str
    """The BCP 47 tag the documents carry (``pt-BR``)."""
    locale: Locale
    translations: NullTranslations = field(repr=False)
    overrides: Path | None = None
    """The partner's wording folder this language was loaded with, if any."""

    @property
    def rtl(self) -> bool:
        return self.locale.character_order == "right-to-left"

    @property
    def direction(self) -> str:
        """``"rtl"`` or ``"ltr"``, as HTML's ``dir`` attribute takes it."""
        return "rtl" if self.rtl else "ltr"

    @property
    def name(self) -> str:
        """The language's own name for itself (``Deutsch``)."""
        return self.locale.get_display_name(self.locale) or self.tag

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def __reduce__(self) -> tuple[object, tuple[str, Path | None]]:
        """Sent to a worker process as its tag and wording folder, and loaded again there (once)."""
        return (load, (self.tag, self.overrides))


@lru_cache(maxsize=64)
def load(tag: str, overrides: Path | None = None) -> Language:
    """One of :data:`LANGUAGES`, with the partner's own wording (``<overrides>/<tag>.po``) over the built-in.

    Raises ``ConfigError`` (with the file and line) for an override file that is not
    a catalogue, names a sentence reporter does not have, or changes its placeholders
    (see :func:`check_overrides` for everything refused).
    """
    if tag not in LANGUAGES:
        raise ConfigError(f"{tag!r} is not a language reporter writes", "use one of " + ", ".join(LANGUAGES))
    catalog = catalogues.builtin(tag)
    path = wording_files.wording_file(overrides, tag) if overrides is not None else None
    if path is not None:
        wording_files.apply(catalog, path)
    return Language(tag, Locale.parse(folder_name(tag)), _compiled(catalog, path), overrides)


def _compiled(catalog: Catalog, path: Path | None) -> NullTranslations:
    """``catalog`` as gettext reads it (compiled in memory); a wording file it cannot take is a ``ConfigError``."""
    buffer = io.BytesIO()
    try:
        write_mo(buffer, catalog)
        buffer.seek(0)
        return GNUTranslations(buffer)
    except Exception as exc:
        if path is None:  # the built-in catalogues are checked by the tests: a failure here is a bug
            raise
        raise wording_files.unusable(path, exc) from None


def check_overrides(folder: Path) -> None:
    """Check a partner's wording folder, so a bad override fails before anything is written.

    Each ``.po`` file must be named after a language reporter writes (``de.po``,
    ``pt-BR.po``; any case, ``_`` for ``-``), one file per language; files whose
    names start with a dot and files of other kinds are not looked at. Then every
    language is loaded with the folder's wording, which refuses, with the file and
    line, an override that is not UTF-8 text, larger than :data:`WORDING_FILE_LIMIT`,
    not a well-formed ``.po`` file, has an entry given twice or with a ``msgctxt``,
    names a sentence reporter does not have, is empty or longer than
    :data:`~reporter.view.wording_files.LONGEST_WORDING`, changes the sentence's
    placeholders, gives the wrong number of plural forms, or is no usable Excel sheet
    name (:data:`SHEET_NAMES`).
    """
    wording_files.check_file_names(folder)
    for tag in LANGUAGES:  # each also refuses two files for its language
        load(tag, folder)


@dataclass(frozen=True, slots=True)
class Choice:
    """The language a customers-file tag resolves to."""

    language: Language
    requested: str
    unknown: bool
    """``requested`` names no language reporter writes: the partner's language is used."""

    @property
    def fell_back(self) -> bool:
        """The report is not in exactly the language asked for (``de-AT`` → ``de``, or unknown)."""
        asked = self.requested.strip().replace("_", "-").lower()
        return bool(asked) and asked != self.language.tag.lower()


def resolve(tag: str | None, default: Language) -> Choice:
    """A BCP 47 tag to a language: ``de-AT`` → ``de``, ``pt-br`` → ``pt-BR``, ``pt-PT`` → ``pt-BR``,
    ``de_DE`` → ``de``, ``ar-u-nu-arab`` → ``ar`` (extensions and private use are ignored); anything
    else → ``default``, as unknown (``ar-Latn``: not the script reporter writes it in; ``x-private``).
    An empty tag asks for the partner's language.
    """
    if not tag or not tag.strip():
        return Choice(default, "", False)
    known = _known(tag.strip())
    if known is None:
        return Choice(default, tag, True)
    return Choice(load(known, default.overrides), tag, False)


_PRIMARY = re.compile(r"[A-Za-z]{2,3}")
_SCRIPT = re.compile(r"[A-Za-z]{4}")
_REGION = re.compile(r"[A-Za-z]{2}|[0-9]{3}")
_VARIANT = re.compile(r"[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}")


def _known(tag: str) -> str | None:
    """The one of :data:`LANGUAGES` that ``tag`` asks for, by its language, script and region, or ``None``."""
    parts = tag.replace("_", "-").split("-")
    for index, part in enumerate(parts):
        if len(part) == 1:  # a singleton: an extension (-u-, -t-) or private use (-x-) follows; x-… and i-… know none
            parts = parts[:index]
            break
    if not parts or not _PRIMARY.fullmatch(parts[0]):
        return None
    language, rest = parts[0].lower(), parts[1:]
    script = region = None
    if rest and _SCRIPT.fullmatch(rest[0]):
        script, rest = rest[0].title(), rest[1:]
    if rest and _REGION.fullmatch(rest[0]):
        region, rest = rest[0].upper(), rest[1:]
    if not all(_VARIANT.fullmatch(part) for part in rest):  # an extended language subtag (zh-yue), or no BCP 47
        return None
    if script is not None and script != _usual_script(language):
        return None
    by_lower = {known.lower(): known for known in LANGUAGES}
    full = f"{language}-{region}".lower() if region else ""
    return by_lower.get(full) or by_lower.get(language) or ("pt-BR" if language == "pt" else None)


@lru_cache(maxsize=32)
def _usual_script(language: str) -> str | None:
    """The script ``language`` is written in unless a tag says otherwise (CLDR's likely subtags): ``ar`` → ``Arab``."""
    likely = get_global("likely_subtags").get(language)
    if not likely:
        return None
    try:
        return parse_locale(likely)[2]
    except ValueError:
        return None


_active: ContextVar[Language | None] = ContextVar("reporter_language", default=None)


def active() -> Language:
    """The language of the document being made (English when none was chosen)."""
    return _active.get() or load(SOURCE)


@contextmanager
def use(language: Language) -> Iterator[Language]:
    """Make ``language`` the active one for the ``with`` block (nested uses restore the outer one)."""
    token = _active.set(language)
    try:
        yield language
    finally:
        _active.reset(token)


def gettext(message: str) -> str:
    """``message`` in the active language."""
    return active().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message that agrees with ``count``, in the active language."""
    return active().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it (translated where it is shown)."""
    return message


_Wording = TypeVar("_Wording")


def translated(words: _Wording) -> _Wording:
    """A frozen dataclass of sentences (``N_``-marked defaults) with each one in the active language."""
    changes: dict[str, Any] = {}
    for item in fields(words):  # type: ignore[arg-type]
        value = getattr(words, item.name)
        if isinstance(value, str):
            changes[item.name] = gettext(value) if value else value
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changes[item.name] = tuple(gettext(v) if v else v for v in value)
    return replace(words, **changes)  # type: ignore[type-var]
