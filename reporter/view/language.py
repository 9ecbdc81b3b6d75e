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
(:func:`load`). Those files are read here, strictly, so that every mistake in one
is a ``ConfigError`` naming the file and line: an entry that is not a sentence of
reporter, changes its placeholders or its number of plural forms, or would make a
sheet name Excel refuses (:func:`check_overrides` lists everything refused).
"""

from __future__ import annotations

import codecs
import io
import os
import re
import string
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from babel import Locale
from babel.core import get_global, parse_locale
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from reporter.errors import ConfigError
from reporter.files import read_regular_file

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
    a catalogue, names a sentence reporter does not have, or changes its placeholders
    (see :func:`check_overrides` for everything refused).
    """
    if tag not in LANGUAGES:
        raise ConfigError(f"{tag!r} is not a language reporter writes", "use one of " + ", ".join(LANGUAGES))
    catalog = _builtin(tag)
    path = _wording_file(overrides, tag) if overrides is not None else None
    if path is not None:
        _apply_overrides(catalog, path)
    return Language(tag, Locale.parse(folder_name(tag)), _compiled(catalog, path), overrides)


def _builtin(tag: str) -> Catalog:
    if tag == SOURCE:
        return Catalog(locale="en", domain=DOMAIN)  # no entries; Babel knows English has two plural forms
    path = LOCALE_DIR / folder_name(tag) / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=folder_name(tag), domain=DOMAIN)


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
        raise ConfigError(f"wording file {path}: cannot be used ({exc})", _FIX_HINT) from None


@lru_cache(maxsize=1)
def template() -> Catalog:
    """The catalogue template: every sentence reporter can show (``reporter/locale/reporter.pot``)."""
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def check_overrides(folder: Path) -> None:
    """Check a partner's wording folder, so a bad override fails before anything is written.

    Each ``.po`` file must be named after a language reporter writes (``de.po``,
    ``pt-BR.po``; any case, ``_`` for ``-``), one file per language; files whose
    names start with a dot and files of other kinds are not looked at. Then every
    language is loaded with the folder's wording, which refuses, with the file and
    line, an override that is not UTF-8 text, larger than :data:`WORDING_FILE_LIMIT`,
    not a well-formed ``.po`` file, has an entry given twice or with a ``msgctxt``,
    names a sentence reporter does not have, is empty or longer than
    :data:`LONGEST_WORDING`, changes the sentence's placeholders, gives the wrong
    number of plural forms, or is no usable Excel sheet name (:data:`SHEET_NAMES`).
    """
    unknown = _wording_files(folder).get(None)
    if unknown:
        raise ConfigError(
            f"wording file {unknown[0]}: {unknown[0].name[:-3]!r:.40} is not a language reporter writes",
            "name files like de.po, pt-BR.po; the languages are " + ", ".join(LANGUAGES),
        )
    for tag in LANGUAGES:  # each also refuses two files for its language
        load(tag, folder)


# A partner's wording: the files of its folder.

WORDING_FILE_LIMIT = 4 << 20
"""The largest wording file read, in bytes: a whole catalogue is some 40 KiB."""

LONGEST_WORDING = 2000
"""The most characters one override may have: it replaces a sentence, not a document."""

SHEET_NAMES: frozenset[str] = frozenset(
    {"Summary", "Requirements", "Score history", "Customers", "Changes", "Alerts", "About", "Overview"}
)
"""The sentences that name a worksheet: their wording must be a name Excel takes for a sheet."""

_FIX_HINT = "fix it, or remove it to use the built-in wording"
_TEMPLATE_HINT = "copy the msgid exactly from reporter/locale/reporter.pot"
_SHEET_HINT = (
    "a sheet name has 1 to 31 characters, none of : \\ / ? * [ ], no apostrophe first or last, and is not History"
)


def _wording_files(folder: Path) -> dict[str | None, list[Path]]:
    """The ``.po`` files of ``folder`` by the language their names give (``None``: no language reporter writes)."""
    try:
        with os.scandir(folder) as found:
            names = sorted(entry.name for entry in found)
    except OSError as exc:
        raise ConfigError(
            f"wording folder {folder}: cannot be read ({exc.strerror or exc})", "give a folder of <language>.po files"
        ) from None
    by_lower = {known.lower(): known for known in LANGUAGES}
    files: dict[str | None, list[Path]] = {}
    for name in names:
        if name.startswith(".") or not name.lower().endswith(".po"):
            continue  # hidden files (a copy's ._de.po), notes, backups
        tag = by_lower.get(name[:-3].replace("_", "-").lower())
        files.setdefault(tag, []).append(folder / name)
    return files


def _wording_file(folder: Path, tag: str) -> Path | None:
    """The file of ``folder`` that holds ``tag``'s wording, if any."""
    paths = _wording_files(folder).get(tag, [])
    if len(paths) > 1:
        raise ConfigError(
            f"wording folder {folder}: {paths[0].name} and {paths[1].name} are both for {tag}",
            "keep one file per language",
        )
    return paths[0] if paths else None


def _read_wording(path: Path) -> str:
    """The text of a wording file: UTF-8 (a byte order mark is tolerated), at most :data:`WORDING_FILE_LIMIT`."""
    raw = read_regular_file(path, "wording file", WORDING_FILE_LIMIT, ConfigError).removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"wording file {path}:{line}: is not UTF-8 text", "save it as UTF-8") from None


@dataclass
class _Entry:
    """One entry of a wording file, as written."""

    line: int
    """Where its ``msgid`` is (its ``msgctxt``, until the ``msgid`` is read)."""
    fuzzy: bool
    context: list[str] | None = None
    msgid: list[str] | None = None
    plural: list[str] | None = None
    strings: list[list[str]] = field(default_factory=list)
    """Each ``msgstr`` (or ``msgstr[n]``, in order) as its pieces."""
    indexed: bool = False
    """The strings are ``msgstr[n]``, not a plain ``msgstr``."""

    @property
    def id(self) -> str:
        return "".join(self.msgid or ())

    @property
    def texts(self) -> list[str]:
        return ["".join(pieces) for pieces in self.strings]


_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[([0-9]{1,2})\])?(?![\w\[])\s*(.*)")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"\s*')
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"'}


def _entries(text: str, path: Path) -> list[_Entry]:
    """The entries of a ``.po`` file's ``text``, each with the line of its ``msgid``; malformed lines refused.

    The gettext format, read strictly: comments (``#,`` flags say which entries are
    fuzzy; ``#~`` obsolete entries are comments too), then ``[msgctxt] msgid
    [msgid_plural] msgstr | msgstr[0] msgstr[1] ...``, each followed by any number of
    continuation strings, each string in double quotes with C escapes.
    """
    entries: list[_Entry] = []
    current: _Entry | None = None
    pieces: list[str] | None = None  # where a continuation string goes
    flags: set[str] = set()

    def fail(line: int, problem: str) -> NoReturn:
        raise ConfigError(f"wording file {path}:{line}: {problem}", _FIX_HINT)

    def finish() -> None:
        nonlocal current, pieces
        if current is not None:
            if current.msgid is None:
                fail(current.line, "a msgctxt without a msgid after it")
            if not current.strings:
                fail(current.line, "a msgid without a msgstr after it")
            entries.append(current)
        current, pieces = None, None

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            finish()
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#~"):
                flags = set()  # the flags were the obsolete entry's
            continue
        if line.startswith('"'):
            if pieces is None:
                fail(number, "a string that belongs to no msgid or msgstr")
            pieces.append(_string(line, number, fail))
            continue
        match = _KEYWORD.fullmatch(line)
        if match is None:
            fail(number, f"{line.split()[0]!r:.40} is not a keyword of a .po file (msgid, msgstr, ...)")
        keyword, index, rest = match.groups()
        if index is not None and keyword != "msgstr":
            fail(number, f"{keyword} takes no [{index}]")
        value = [_string(rest, number, fail)]
        if keyword == "msgctxt":
            finish()
            current = _Entry(number, "fuzzy" in flags, context=value)
            pieces, flags = value, set()
        elif keyword == "msgid":
            if current is None or current.msgid is not None:  # else it follows its msgctxt
                finish()
                current = _Entry(number, "fuzzy" in flags)
                flags = set()
            current.line, current.msgid = number, value
            pieces = value
        elif current is None or current.msgid is None:
            fail(number, f"a {keyword} without a msgid before it")
        elif keyword == "msgid_plural":
            if current.plural is not None or current.strings:
                fail(number, "a msgid_plural that does not follow its msgid")
            current.plural = pieces = value
        elif index is None:
            if current.strings:
                fail(number, f"a second msgstr for the msgid of line {current.line}")
            current.strings.append(value)
            pieces = value
        else:
            if current.strings and not current.indexed:
                fail(number, f"msgstr[{index}] after a plain msgstr")
            if int(index) != len(current.strings):
                fail(number, f"msgstr[{index}] where msgstr[{len(current.strings)}] comes next")
            current.indexed = True
            current.strings.append(value)
            pieces = value
    finish()
    return entries


def _string(text: str, line: int, fail: Callable[[int, str], NoReturn]) -> str:
    """One or more quoted strings (``"Say \\"hi\\""``) as the text they mean."""
    position, parts = 0, []
    while position < len(text):
        match = _STRING.match(text, position)
        if match is None:
            if text[position] == '"':
                fail(line, "a string without its closing quote")
            fail(line, f"{text[position:]!r:.40} is outside the quotes")
        for escape in _ESCAPE.finditer(match.group(1)):
            if escape.group(1) not in _ESCAPES:
                fail(line, f'the escape \\{escape.group(1)} is not one reporter reads (\\n, \\t, \\", \\\\)')
        parts.append(_ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], match.group(1)))
        position = match.end()
    if not parts:
        fail(line, 'a keyword without its string (write "" for none)')
    return "".join(parts)


def _apply_overrides(catalog: Catalog, path: Path) -> None:
    """Put the wording of ``path`` over ``catalog`` (the built-in one of its language), each entry checked first."""
    entries = _entries(_read_wording(path), path)
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        key = ("".join(entry.context) if entry.context is not None else None, entry.id)
        if key in seen:
            raise ConfigError(
                f"wording file {path}:{entry.line}: {_shown(entry.id)!r} is given twice, on lines {seen[key]} and "
                f"{entry.line}",
                "keep one of them",
            )
        seen[key] = entry.line
    source, forms = template(), catalog.num_plurals
    sheets: dict[str, tuple[str, str]] = {}  # a sheet's msgid → its new name, where its wording is
    for entry in entries:
        if entry.fuzzy or (not entry.id and entry.context is None and entry.plural is None):
            continue  # gettext skips fuzzy entries; the header's fields are the built-in catalogue's
        if entry.id and entry.texts and all(text == "" for text in entry.texts):
            continue  # left untranslated (a file made from the .pot): the built-in wording stays
        where = f"wording file {path}:{entry.line}"
        known = _known_entry(entry, source, forms, where)
        texts = entry.texts
        for text in texts:
            _check_wording(known, text, where)
        if known.id in SHEET_NAMES:
            sheets[entry.id] = (texts[0], where)
        wording: str | tuple[str, ...] = tuple(texts) if known.pluralizable else texts[0]
        target = catalog.get(entry.id)
        if target is None:
            catalog.add(known.id, wording, flags=known.flags)
        else:
            target.string = wording
    _check_sheet_names(catalog, sheets)


def _known_entry(entry: _Entry, source: Catalog, forms: int, where: str) -> Message:
    """The template's entry that ``entry`` overrides, written in the same shape (singular, or ``forms`` forms)."""
    if entry.context is not None:
        raise ConfigError(f"{where}: {_shown(entry.id)!r} has a msgctxt; reporter's sentences have none", _FIX_HINT)
    known = source.get(entry.id)
    if known is None:
        raise ConfigError(f"{where}: {_shown(entry.id)!r} is not a sentence of reporter", _TEMPLATE_HINT)
    if not known.pluralizable:
        if entry.plural is not None or entry.indexed:
            raise ConfigError(
                f"{where}: {_shown(entry.id)!r} is not a plural sentence", "remove msgid_plural and give one msgstr"
            )
        return known
    english_plural = _texts(known.id)[-1]
    needs = f"{_shown(entry.id)!r} needs {forms} form{'s' if forms != 1 else ''}, " + (
        f"msgstr[0] to msgstr[{forms - 1}]" if forms > 1 else "msgstr[0]"
    )
    if entry.plural is None or not entry.indexed:
        raise ConfigError(f"{where}: {needs}", f'write msgid_plural "{_shown(english_plural)}" and the {forms} forms')
    if "".join(entry.plural) != english_plural:
        raise ConfigError(f"{where}: the msgid_plural of {_shown(entry.id)!r} is not reporter's", _TEMPLATE_HINT)
    if len(entry.strings) != forms:
        raise ConfigError(
            f"{where}: {needs}, not {len(entry.strings)}",
            f"the built-in catalogue has {forms} plural forms (a Plural-Forms header of the file is not used)",
        )
    return known


def _check_wording(known: Message, text: str, where: str) -> None:
    """``text`` can stand for ``known``'s English: not empty, a sentence long, the same placeholders."""
    shown = _shown(_texts(known.id)[0])
    if not text.strip():
        raise ConfigError(f"{where}: the wording for {shown!r} is empty", _FIX_HINT)
    if len(text) > LONGEST_WORDING:
        raise ConfigError(
            f"{where}: the wording for {shown!r} is longer than {LONGEST_WORDING:,} characters",
            "an override replaces one sentence",
        )
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text):
        raise ConfigError(f"{where}: the wording for {shown!r} has a control character", _FIX_HINT)
    english = _texts(known.id)[-1]
    problem = _placeholder_problem(english, text, "python-format" in known.flags)
    if problem is not None:
        expected = ", ".join(placeholders(english)) or "none"
        raise ConfigError(
            f"{where}: the wording for {shown!r} {problem}", f"keep exactly these placeholders: {expected}"
        )


_PERCENT = re.compile(
    r"%(?:%|\((?P<name>[^)]*)\)(?P<conversion>[-#0 +]*[0-9*]*(?:\.[0-9*]*)?[A-Za-z]?)"
    r"|(?P<bare>[-#0+]*[0-9*]*(?:\.[0-9*]*)?[diouxXeEfFgGcrsa]))"
)


def _placeholder_problem(english: str, text: str, percent_style: bool) -> str | None:
    """What is wrong with ``text``'s placeholders, as a translation of ``english``; ``None`` when nothing.

    ``{name}`` (``str.format``): each a plain name, no ``{}``, ``{0}``, ``{a.b}``, ``{a[0]}``,
    format spec or conversion, braces in pairs (``{{`` for a brace itself). ``%(name)s``
    (the templates): that form only, no ``%d`` or ``%s``; a lone ``%`` is a percent sign.
    Either way the names, with repeats, are the English's. A sentence of the templates
    (``percent_style``) is never formatted with ``str.format``: braces are just text there.
    """
    wanted, found = _percent_names(english), []
    for match in _PERCENT.finditer(text):
        if match.group("bare") is not None:
            return f"has {match.group(0)!r}, which reporter does not fill in"
        name = match.group("name")
        if name is not None:
            if match.group("conversion") != "s" or not name.isidentifier():
                return f"has {match.group(0)!r}, where reporter fills in only %(name)s"
            found.append(name)
    if sorted(found) != wanted:
        return "changes its placeholders"
    if percent_style:
        return None
    fields = _brace_fields(text)
    if isinstance(fields, str):
        return fields
    return None if sorted(fields) == sorted(_brace_names(english)) else "changes its placeholders"


def _percent_names(english: str) -> list[str]:
    return sorted(m.group("name") for m in _PERCENT.finditer(english) if m.group("name") is not None)


def _brace_names(english: str) -> list[str]:
    fields = _brace_fields(english)
    return fields if isinstance(fields, list) else []


def _brace_fields(text: str) -> list[str] | str:
    """The names of ``text``'s ``{name}`` fields, or what is wrong with them."""
    names = []
    try:
        for _literal, name, spec, conversion in string.Formatter().parse(text):
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
                return f"has the placeholder {written}, where reporter fills in only plain names"
            names.append(name)
    except ValueError:
        return "has a { or } without its pair (write {{ or }} for a brace itself)"
    return names


def _check_sheet_names(catalog: Catalog, overridden: dict[str, tuple[str, str]]) -> None:
    """Each sheet's new name is one Excel takes, and no other sheet has it (Excel ignores case)."""
    final = {}
    for msgid in SHEET_NAMES:
        entry = catalog.get(msgid)
        final[msgid] = str(entry.string) if entry is not None and entry.string else msgid
    for msgid, (name, where) in overridden.items():
        problem = _sheet_name_problem(name)
        if problem is not None:
            raise ConfigError(f"{where}: the wording for {msgid!r} names a sheet and {problem}", _SHEET_HINT)
        for other in sorted(SHEET_NAMES - {msgid}):
            if final[other].casefold() == name.casefold():
                raise ConfigError(
                    f"{where}: the wording for {msgid!r}, {name!r}, is the name of the {other!r} sheet too",
                    "give each sheet its own name",
                )


def _sheet_name_problem(name: str) -> str | None:
    """Why Excel would refuse ``name`` for a worksheet, or ``None``."""
    length = len(name.encode("utf-16-le")) // 2  # Excel counts UTF-16 units
    if not 1 <= length <= 31:
        return f"is {length} characters long; a sheet name has 1 to 31"
    for char in name:
        if char in ":\\/?*[]" or unicodedata.category(char) == "Cc":
            return f"has {char!r}, which a sheet name cannot have"
    if name.startswith("'") or name.endswith("'"):
        return "starts or ends with an apostrophe, which a sheet name cannot"
    if name.casefold() == "history":
        return "is History, a name Excel keeps for itself"
    return None


def _texts(value: object) -> list[str]:
    """A catalogue entry's id or string as a list (a plural entry has several)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _shown(text: str) -> str:
    """A sentence as a message names it: its first 60 characters."""
    return text if len(text) <= 60 else text[:57] + "..."


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
