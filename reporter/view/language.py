"""The language a document is written in: its translations, its locale (CLDR formats) and its direction.

A :class:`Language` is a value like :class:`~reporter.view.brand.Brand`: the
renderer of each document chooses one (the partner's for the partner's own
documents, each customer's for that customer's) and makes it the active one
while the document's view is built and laid out (:func:`use`). The wording
module, the formatter (``fmt``) and the templates ask the active language for
every sentence, number and date; nothing is translated at import time.

The catalogues are gettext ``.po`` files in ``reporter/locale/<language>/LC_MESSAGES``,
made and kept up to date with Babel (``pybabel extract/update``, see ``babel.cfg``).
They are read as text and compiled in memory once per process, so no compiled
``.mo`` file can go stale. A partner's own wording (``[brand] wording``) is a
folder of ``<language>.po`` files whose entries replace the built-in ones
(:func:`load`); an entry that changes a sentence's placeholders is refused.
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
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from reporter.errors import ConfigError

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
    a catalogue, names a sentence reporter does not have, or changes its placeholders.
    """
    if tag not in LANGUAGES:
        raise ConfigError(f"{tag!r} is not a language reporter writes", "use one of " + ", ".join(LANGUAGES))
    catalog = _builtin(tag)
    if overrides is not None:
        _apply_overrides(catalog, tag, overrides)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations: NullTranslations = GNUTranslations(buffer)
    return Language(tag, Locale.parse(folder_name(tag)), translations, overrides)


def _builtin(tag: str) -> Catalog:
    if tag == SOURCE:
        return Catalog(locale="en", domain=DOMAIN)
    path = LOCALE_DIR / folder_name(tag) / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=folder_name(tag), domain=DOMAIN)


def _apply_overrides(catalog: Catalog, tag: str, folder: Path) -> None:
    path = folder / f"{tag}.po"
    if not path.is_file():
        return
    source = template()
    try:
        with path.open("rb") as handle:
            entries = read_po(handle, locale=folder_name(tag), abort_invalid=True)
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, PoFileError, ValueError) as exc:
        raise ConfigError(
            f"the wording file {path} cannot be read: {exc}", "fix it, or remove it to use the built-in wording"
        ) from None
    for entry in entries:
        if not entry.id or not entry.string or entry.fuzzy:
            continue
        where = f"{path}:{_line_of(lines, entry)}"
        known = source.get(entry.id)
        if known is None:
            raise ConfigError(
                f"{where}: {_first(entry)!r} is not a sentence of reporter",
                "copy the msgid exactly from reporter/locale/reporter.pot",
            )
        _check_placeholders(entry, where)
        target = catalog.get(entry.id)
        if target is None:
            catalog.add(entry.id, entry.string, flags=known.flags)
        else:
            target.string = entry.string


def _texts(value: object) -> list[str]:
    """A catalogue entry's id or string as a list (a plural entry has several)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _check_placeholders(entry: Message, where: str) -> None:
    expected = placeholders(_texts(entry.id)[-1])
    for text in _texts(entry.string):
        if placeholders(text) != expected:
            shown = ", ".join(expected) or "none"
            raise ConfigError(
                f"{where}: the wording for {_first(entry)!r} changes its placeholders",
                f"keep exactly these placeholders: {shown}",
            )


def _first(entry: Message) -> str:
    text = _texts(entry.id)[0]
    return text if len(text) <= 60 else text[:57] + "..."


def _line_of(lines: list[str], entry: Message) -> int:
    """The line of ``entry``'s ``msgid`` in its file (Babel keeps source-code lines, not the file's)."""
    first = _first(entry)[:40].replace("\\", "\\\\").replace('"', '\\"')
    for number, line in enumerate(lines, 1):
        if line.startswith("msgid ") and first in line:
            return number
    return 1


@lru_cache(maxsize=1)
def template() -> Catalog:
    """The catalogue template: every sentence reporter can show (``reporter/locale/reporter.pot``)."""
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def check_overrides(folder: Path) -> None:
    """Load every language with ``folder``'s wording, so a bad override fails before anything is written."""
    for tag in LANGUAGES:
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
