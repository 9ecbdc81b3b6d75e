"""The brand from a TOML file: validated, with one-line errors, and a default."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.errors import ConfigError
from reporter.render.brand_config import load_brand
from reporter.resources import assets_dir

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_without_configuration_the_default_brand_has_the_bundled_logo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    brand = load_brand()
    assert brand.logo == assets_dir() / "default-logo.svg"
    assert brand.logo.is_file()


def test_the_brand_section_of_the_config_file_with_a_logo_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "conf" / "art").mkdir(parents=True)
    (tmp_path / "conf" / "art" / "logo.svg").write_bytes(SVG)
    config = write(
        tmp_path / "conf" / "reporter.toml",
        '[collect]\ntenant = "x"\n\n[brand]\nname = "Contoso Cloud"\nlogo = "art/logo.svg"\n'
        'primary_colour = "#112233"\naccent_color = "#a1b2c3"\n'
        'footer = "Confidential"\ncontact = "sec@contoso.example"\n',
    )
    brand = load_brand(None, config)
    assert brand.name == "Contoso Cloud"
    assert brand.logo == (tmp_path / "conf" / "art" / "logo.svg").resolve()
    assert (brand.primary_colour, brand.accent_colour) == ("#112233", "#A1B2C3")
    assert (brand.footer, brand.contact) == ("Confidential", "sec@contoso.example")


def test_reporter_toml_in_the_working_folder_is_read_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "reporter.toml", '[brand]\nname = "Fabrikam IT"\n')
    monkeypatch.chdir(tmp_path)
    brand = load_brand()
    assert brand.name == "Fabrikam IT"
    assert brand.logo is None  # a configured brand without a logo shows its name as a word mark


def test_a_brand_file_wins_and_may_leave_out_the_table_header(tmp_path: Path) -> None:
    config = write(tmp_path / "reporter.toml", '[brand]\nname = "From config"\n')
    brand_file = write(tmp_path / "brand.toml", 'name = "From brand file"\n')
    assert load_brand(brand_file, config).name == "From brand file"


def test_a_config_without_a_brand_section_gives_the_default(tmp_path: Path) -> None:
    config = write(tmp_path / "reporter.toml", '[collect]\ntenant = "x"\n')
    assert load_brand(None, config).logo == assets_dir() / "default-logo.svg"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('primary_colour = "red"', "is not a #RRGGBB colour"),
        ('accent_colour = "#12345"', "is not a #RRGGBB colour"),
        ('logo = "missing.png"', "missing.png: no such file"),
        ('logo = "logo.gif"', "must be a PNG or SVG file"),
        ('logo = "fake.png"', "is not a valid PNG file"),
        ('name = "  "', "brand name is empty"),
        ('colour = "#112233"', "unknown brand setting 'colour'"),
        ("name = 3", "must be a string"),
        ("name = ", "not valid TOML"),
    ],
)
def test_mistakes_are_one_line_config_errors(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "fake.png").write_text("not a png")
    path = write(tmp_path / "brand.toml", f"[brand]\n{body}\n")
    with pytest.raises(ConfigError) as caught:
        load_brand(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_missing_brand_or_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_brand(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="no such file"):
        load_brand(None, tmp_path / "nope.toml")
