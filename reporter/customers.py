"""The customers file (CSV): who each customer is, in what language it reads, and who receives its report.

Read once here and used by collection (names override contract names), rendering
(the language, once reports are translated) and sending (the recipients)::

    tenantId,name,domain,language,to,cc
    5b2e...,Contoso Ltd,contoso.com,de-AT,it@contoso.com;ceo@contoso.com,account@partner.example

A header row names the columns, in any order and any case: ``tenantId`` and
``name`` are required, ``domain``, ``language``, ``to`` and ``cc`` optional,
others ignored. ``to`` and ``cc`` hold plain addresses separated by ``;``. A
UTF-8 byte order mark (as Excel writes) is tolerated. A row that cannot be
used is a ``ConfigError`` naming the file and line.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import ConfigError
from reporter.files import read_regular_file

CUSTOMERS_FILE_LIMIT = 64 << 20
"""The largest customers file read, in bytes: some 300,000 rows of long names, far above any partner's."""

MAX_RECIPIENTS = 50
"""The most addresses in one customer's ``to`` and ``cc`` together: a report goes to a few people, not a list."""

HEADER_HINT = "the first line is a header: tenantId,name,domain (and optionally language,to,cc)"

_TENANT, _NAME, _DOMAIN, _LANGUAGE, _TO, _CC = "tenantid", "name", "domain", "language", "to", "cc"
_KNOWN = frozenset({_TENANT, _NAME, _DOMAIN, _LANGUAGE, _TO, _CC})
_LANGUAGE_RE = re.compile(r"([A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*|[IiXx]([-_][A-Za-z0-9]{1,8})+)")
"""A BCP 47 tag by its form (``de-AT``, ``ar-u-nu-arab``, ``x-private``; ``_`` for ``-`` as in ``de_DE``)."""
LANGUAGE_TAG_LIMIT = 80
"""The longest language tag accepted: any useful one is far shorter."""
_LANGUAGE_HINT = "write a BCP 47 tag such as de or pt-BR"
PLAIN_ADDRESS = re.compile(  # no names, quotes, commas, brackets or spaces: one bare address
    r"^[^\s<>()\[\],;:\"\\]+@[^\s<>()\[\],;:\"\\@]+$"
)


@dataclass(frozen=True, slots=True)
class CustomerEntry:
    """One row of the customers file."""

    tenant_id: str
    """Lower case."""
    name: str | None
    domain: str | None
    language: str | None = None
    """A BCP 47 tag as written (``de-AT``; ``de_DE`` becomes ``de-DE``), checked for form only."""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    line: int = 0
    """Where the row starts in the file, for messages."""


@dataclass(frozen=True)
class CustomerDirectory(Mapping[str, CustomerEntry]):
    """The rows of one customers file by tenant id (lower case); ``source`` names the file."""

    entries: Mapping[str, CustomerEntry]
    source: str = "the customers file"

    def __getitem__(self, tenant_id: str) -> CustomerEntry:
        return self.entries[tenant_id.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def languages(self) -> dict[str, str]:
        """The language each customer's documents are asked to be in: tenant id → BCP 47 tag, where given."""
        return {tenant: entry.language for tenant, entry in self.entries.items() if entry.language}


def load_customers_file(path: Path) -> CustomerDirectory:
    """The customers of ``path``, each row checked."""
    raw = read_regular_file(path, "customers file", CUSTOMERS_FILE_LIMIT, ConfigError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"customers file {path}: not UTF-8 text", "save it as CSV UTF-8") from None
    return parse_customers_csv(text, str(path))


def parse_customers_csv(text: str, source: str) -> CustomerDirectory:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ConfigError(f"{source}: the customers file is empty", HEADER_HINT) from None
    except csv.Error as exc:
        raise ConfigError(f"{source}:1: {exc}") from None
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        column = name.strip().lower()
        if column in columns and column in _KNOWN:
            raise ConfigError(f"{source}:1: the column {name.strip()!r:.40} appears twice", HEADER_HINT)
        columns.setdefault(column, index)
    if _TENANT not in columns or _NAME not in columns:
        raise ConfigError(
            f"{source}:1: the header needs the columns tenantId and name, found {','.join(header)!r:.80}", HEADER_HINT
        )
    entries: dict[str, CustomerEntry] = {}
    previous = reader.line_num
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num  # where the row starts
            if not any(cell.strip() for cell in row):
                continue
            if any("\n" in cell or "\r" in cell for cell in row):
                raise ConfigError(
                    f"{source}:{line}: a value spans several lines (an unclosed quote?)",
                    "put each customer on one line and close every quote",
                )
            entry = _entry(row, columns, f"{source}:{line}", line)
            if entry.tenant_id in entries:
                raise ConfigError(f"{source}:{line}: tenant {entry.tenant_id} is listed twice")
            entries[entry.tenant_id] = entry
    except csv.Error as exc:
        raise ConfigError(f"{source}:{previous + 1}: {exc}", "close every quote in the customers file") from None
    return CustomerDirectory(entries, source)


def _entry(row: list[str], columns: Mapping[str, int], where: str, line: int) -> CustomerEntry:
    def cell(column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    tenant_id = cell(_TENANT).lower()
    name, domain, language = cell(_NAME), cell(_DOMAIN), cell(_LANGUAGE)
    if not is_guid(tenant_id):
        raise ConfigError(f"{where}: tenantId {tenant_id!r:.60} is not a tenant id (a GUID)")
    if len(language) > LANGUAGE_TAG_LIMIT:
        raise ConfigError(
            f"{where}: language {language[:24]!r}... is longer than {LANGUAGE_TAG_LIMIT} characters",
            "shorten it to the language and region (de-AT, pt-BR)",
        )
    if language and not _LANGUAGE_RE.fullmatch(language):
        raise ConfigError(f"{where}: language {language!r:.40} is not a language tag", _LANGUAGE_HINT)
    language = language.replace("_", "-")
    to = addresses(cell(_TO), f"{where}: to")
    in_to = {address.lower() for address in to}
    cc = tuple(a for a in addresses(cell(_CC), f"{where}: cc") if a.lower() not in in_to)
    if cc and not to:
        raise ConfigError(f"{where}: tenant {tenant_id} has cc addresses but no to", "put the main recipient in to")
    if not (name or domain or language or to):
        raise ConfigError(f"{where}: tenant {tenant_id} has neither a name nor a domain (nor recipients)")
    if len(to) + len(cc) > MAX_RECIPIENTS:
        raise ConfigError(f"{where}: more than {MAX_RECIPIENTS} recipients", "send to a distribution list instead")
    return CustomerEntry(tenant_id, name or None, domain or None, language or None, to, cc, line)


def addresses(text: str, where: str) -> tuple[str, ...]:
    """The addresses of ``text`` (separated by ``;``), each a plain address, checked; duplicates kept once.

    Only plain ``user@domain`` addresses are accepted: no display names, comments,
    quotes, commas, angle brackets or line breaks, so an address can never add a
    recipient or a header to a message.
    """
    found: list[str] = []
    for part in text.split(";"):
        address = part.strip()
        if not address:
            continue
        if not PLAIN_ADDRESS.match(address) or any(ord(c) < 32 or ord(c) == 127 for c in address):
            raise ConfigError(
                f"{where} address {address!r:.80} is not a plain e-mail address",
                "write addresses as name@example.com, separated by ';', without names or quotes",
            )
        from email_validator import EmailNotValidError, validate_email  # 50 ms: only for files with addresses

        try:
            valid = validate_email(address, check_deliverability=False, allow_display_name=False)
        except EmailNotValidError as exc:
            raise ConfigError(f"{where} address {address!r:.80} is not valid: {exc}") from None
        normalized = valid.normalized
        if normalized.lower() not in {f.lower() for f in found}:
            found.append(normalized)
    return tuple(found)


def is_guid(value: str) -> bool:
    """Whether ``value`` is a GUID written the canonical way (lower case, 8-4-4-4-12)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
