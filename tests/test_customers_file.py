"""The customers file: names that override and extend those from contracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.customers import load_customers_file
from reporter.errors import ConfigError
from tests.collect_helpers import customer_id

A, B = customer_id(1), customer_id(2)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "customers.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_names_and_domains_by_tenant_id(tmp_path: Path) -> None:
    path = write(tmp_path, f"tenantId,name,domain,notes\n{A.upper()},Fabrikam,fabrikam.com,vip\n{B},Tailspin,,\n\n")
    names = load_customers_file(path)
    assert list(names) == [A, B]
    assert names[A].name == "Fabrikam"
    assert names[A].domain == "fabrikam.com"
    assert names[B].domain is None


def test_a_byte_order_mark_and_crlf_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, f'TenantId,Name,Domain\r\n{A},"Contoso, Ltd",contoso.com\r\n', encoding="utf-8-sig")
    assert load_customers_file(path)[A].name == "Contoso, Ltd"


def test_the_domain_column_is_optional(tmp_path: Path) -> None:
    path = write(tmp_path, f"name,tenantId\nWoodgrove,{A}\n")
    assert load_customers_file(path)[A].name == "Woodgrove"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"customers.csv: the customers file is empty"),
        ("id,name\n", r"customers.csv:1: the header needs the columns tenantId and name"),
        (f"tenantId,name\n{A},One\nnot-a-guid,Two\n", r"customers.csv:3: tenantId 'not-a-guid' is not a tenant id"),
        (f"tenantId,name,domain\n{A},,\n", r"customers.csv:2: tenant .* has neither a name nor a domain"),
        (f"tenantId,name\n{A},One\n{A.upper()},Again\n", r"customers.csv:3: tenant .* is listed twice"),
        (
            f'tenantId,name\n{A},"Acme, Inc\n11111111-2222-3333-4444-555555555555,Other\n',
            r"customers.csv:2: (a value spans several lines|unexpected end of data)",
        ),
        (f'tenantId,name\n{A},"Acme" Inc\n', r"customers.csv:2: .*"),
    ],
)
def test_bad_rows_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_customers_file(write(tmp_path, text))


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f"tenantId,name\n{A},Café\n", encoding="cp1252")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_customers_file(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.csv: no such file"):
        load_customers_file(tmp_path / "nope.csv")
