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


def test_recipients_and_language_are_read(tmp_path: Path) -> None:
    text = (
        "tenantId,name,domain,language,to,cc\n"
        f"{A},Fabrikam,fabrikam.com,de-AT, it@fabrikam.com ; ceo@fabrikam.com;IT@fabrikam.com ,am@partner.example\n"
        f"{B},,,,ops@tailspin.example,\n"
    )
    directory = load_customers_file(write(tmp_path, text))
    assert directory[A].language == "de-AT"
    assert directory[A].to == ("it@fabrikam.com", "ceo@fabrikam.com")  # a repeat (any case) is kept once
    assert directory[A].cc == ("am@partner.example",)
    assert directory[A].line == 2
    assert directory[B].name is None  # a row may only give recipients
    assert directory[B].to == ("ops@tailspin.example",)


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ('"Boss <boss@x.example>"', "is not a plain e-mail address"),
        ('"a@x.example, b@x.example"', "is not a plain e-mail address"),
        ('"""a""@x.example"', "is not a plain e-mail address"),
        ('"a@x.example\rBcc: evil@y.example"', "a value spans several lines"),
        ("no-at-sign", "is not a plain e-mail address"),
        ("a@localhost", "is not valid"),
        ("a@@x.example", "is not valid"),
    ],
)
def test_an_address_with_a_name_quotes_commas_or_line_breaks_is_refused_with_its_line(
    tmp_path: Path, cell: str, why: str
) -> None:
    text = f"tenantId,name,to\n{B},Other,ok@x.example\n{A},Fabrikam,{cell}\n"
    with pytest.raises(ConfigError, match=rf"customers.csv:3: (to address .*)?{why}"):
        load_customers_file(write(tmp_path, text))


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (f"{A},Fabrikam,,cc@x.example,en", "has cc addresses but no to"),
        (f"{A},Fabrikam,,,english!", "is not a language tag"),
    ],
)
def test_cc_without_to_and_a_bad_language_are_refused(tmp_path: Path, row: str, why: str) -> None:
    with pytest.raises(ConfigError, match=rf"customers.csv:2: .*{why}"):
        load_customers_file(write(tmp_path, f"tenantId,name,to,cc,language\n{row}\n"))


@pytest.mark.parametrize(
    ("cell", "kept"),
    [
        ("de-AT", "de-AT"),
        ("ar-u-nu-arab", "ar-u-nu-arab"),
        ("pt-BR-x-formal", "pt-BR-x-formal"),
        ("en-GB-oxendict", "en-GB-oxendict"),
        ("x-private", "x-private"),
        ("i-klingon", "i-klingon"),
        ("de_DE", "de-DE"),
        ("ja-Latn", "ja-Latn"),
    ],
)
def test_any_well_formed_language_tag_is_read(tmp_path: Path, cell: str, kept: str) -> None:
    """Extensions, private use and grandfathered tags are kept; which language they get is the renderer's choice."""
    directory = load_customers_file(write(tmp_path, f"tenantId,name,language\n{A},Fabrikam,{cell}\n"))
    assert directory[A].language == kept
    assert directory.languages() == {A: kept}


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        ("en;drop", "is not a language tag"),
        ("de AT", "is not a language tag"),
        ("dé", "is not a language tag"),
        ("de-", "is not a language tag"),
        ("de--AT", "is not a language tag"),
        ("x", "is not a language tag"),
        ("german", "is not a language tag"),
        ("de-" + "-".join(["abcdefgh"] * 9), "is longer than 80 characters"),
    ],
)
def test_a_malformed_or_overlong_language_tag_is_refused_with_its_line(tmp_path: Path, cell: str, why: str) -> None:
    text = f"tenantId,name,language\n{B},Other,de\n{A},Fabrikam,{cell}\n"
    with pytest.raises(ConfigError, match=rf"customers.csv:3: language .*{why}") as caught:
        load_customers_file(write(tmp_path, text))
    expected = "shorten it to the language and region" if "longer" in why else "write a BCP 47 tag such as de or pt-BR"
    assert (caught.value.hint or "").startswith(expected)
    assert "\n" not in str(caught.value)
