"""Customer names from a customers file (CSV), which override and extend those from contracts.

The file has a header row with at least ``tenantId`` and ``name``; ``domain``
is optional and other columns are ignored. A UTF-8 byte order mark (as Excel
writes) is tolerated. A row that cannot be used is a ``ConfigError`` naming the
file and line. Merging with contract names happens in ``parse.build_snapshot``.
"""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

from reporter.collect.parse import CustomerName
from reporter.errors import ConfigError
from reporter.files import read_regular_file
from reporter.model import NameSource

_TENANT = "tenantid"
_NAME = "name"
_DOMAIN = "domain"

CUSTOMERS_FILE_LIMIT = 64 << 20
"""The largest customers file read, in bytes: some 300,000 rows of long names, far above any partner's."""


def load_customers_file(path: Path) -> dict[str, CustomerName]:
    """Names by tenant id (lower case) from ``path``."""
    raw = read_regular_file(path, "customers file", CUSTOMERS_FILE_LIMIT, ConfigError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"customers file {path}: not UTF-8 text", "save it as CSV UTF-8") from None
    return parse_customers_csv(text, str(path))


def parse_customers_csv(text: str, source: str) -> dict[str, CustomerName]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ConfigError(
            f"{source}: the customers file is empty", "the first line is a header: tenantId,name,domain"
        ) from None
    except csv.Error as exc:
        raise ConfigError(f"{source}:1: {exc}") from None
    columns = {name.strip().lower(): index for index, name in enumerate(header)}
    if _TENANT not in columns or _NAME not in columns:
        raise ConfigError(
            f"{source}:1: the header needs the columns tenantId and name, found {','.join(header)!r:.80}",
            "the first line is a header: tenantId,name,domain",
        )
    names: dict[str, CustomerName] = {}
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
            tenant_id = _cell(row, columns[_TENANT]).lower()
            name = _cell(row, columns[_NAME])
            domain = _cell(row, columns[_DOMAIN]) if _DOMAIN in columns else ""
            if not _is_guid(tenant_id):
                raise ConfigError(f"{source}:{line}: tenantId {tenant_id!r:.60} is not a tenant id (a GUID)")
            if not name and not domain:
                raise ConfigError(f"{source}:{line}: tenant {tenant_id} has neither a name nor a domain")
            if tenant_id in names:
                raise ConfigError(f"{source}:{line}: tenant {tenant_id} is listed twice")
            names[tenant_id] = CustomerName(
                tenant_id=tenant_id,
                display_name=name or None,
                default_domain_name=domain or None,
                source=NameSource.CUSTOMERS_FILE,
            )
    except csv.Error as exc:
        raise ConfigError(f"{source}:{previous + 1}: {exc}", "close every quote in the customers file") from None
    return names


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _is_guid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
