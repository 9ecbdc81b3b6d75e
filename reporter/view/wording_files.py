"""A partner's own wording (``[brand] wording``): a folder of ``<language>.po`` files over the built-in catalogues.

Each file is named after a language reporter writes (``de.po``, ``pt-BR.po``; any
case, ``_`` for ``-``), one file per language; files whose names start with a dot
and files of other kinds are not looked at. Its entries replace the built-in
sentences of its language. The files are read here, strictly, so that every mistake
in one is a ``ConfigError`` naming the file and line: an entry that is not a
sentence of reporter, changes its placeholders or its number of plural forms, or
would make a sheet name Excel refuses.

:func:`wording_file` finds a language's file in a folder, :func:`apply` puts it over
that language's built-in catalogue (:mod:`reporter.view.catalogues`), and
:func:`check_file_names` refuses a file named after no language;
:mod:`reporter.view.language` loads languages with them.
"""

from __future__ import annotations

import codecs
import os
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from babel.messages.catalog import Catalog, Message

from reporter.errors import ConfigError
from reporter.files import read_regular_file
from reporter.view.catalogues import LANGUAGES, placeholders, template

WORDING_FILE_LIMIT = 4 << 20
"""The largest wording file read, in bytes: a whole catalogue is some 40 KiB."""

LONGEST_WORDING = 2000
"""The most characters one override may have: it replaces a sentence, not a document."""

SHEET_NAMES: frozenset[str] = frozenset(
    {"Summary", "Requirements", "Score history", "Customers", "Trends", "Changes", "Alerts", "About", "Overview"}
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


def wording_file(folder: Path, tag: str) -> Path | None:
    """The file of ``folder`` that holds ``tag``'s wording, if any."""
    paths = _wording_files(folder).get(tag, [])
    if len(paths) > 1:
        raise ConfigError(
            f"wording folder {folder}: {paths[0].name} and {paths[1].name} are both for {tag}",
            "keep one file per language",
        )
    return paths[0] if paths else None


def check_file_names(folder: Path) -> None:
    """Each ``.po`` file of ``folder`` is named after a language reporter writes (``de.po``, ``pt-BR.po``)."""
    unknown = _wording_files(folder).get(None)
    if unknown:
        raise ConfigError(
            f"wording file {unknown[0]}: {unknown[0].name[:-3]!r:.40} is not a language reporter writes",
            "name files like de.po, pt-BR.po; the languages are " + ", ".join(LANGUAGES),
        )


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


def apply(catalog: Catalog, path: Path) -> None:
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


def unusable(path: Path, problem: Exception) -> ConfigError:
    """The error for a wording file gettext cannot take once applied (``problem``: why the catalogue failed)."""
    return ConfigError(f"wording file {path}: cannot be used ({problem})", _FIX_HINT)


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
    if "'" in name:  # Excel allows one inside, but the workbook's chart formulas could not name the sheet
        return "has an apostrophe; write ’ (a typographic apostrophe) instead"
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
