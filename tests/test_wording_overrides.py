"""``[brand] wording``: a partner's own ``<language>.po`` files replace built-in sentences; a broken one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.errors import ConfigError
from reporter.render.brand_config import read_brand_file
from reporter.view import language

FIRST_ACTION = "Move to a Conditional Access policy that requires MFA for all users."
SINCE = "Since {period}"


def _po(folder: Path, tag: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{tag}.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    path.write_text(header + body, encoding="utf-8")
    return path


def test_an_override_replaces_the_built_in_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    _po(folder, "en", f'msgid "{FIRST_ACTION}"\nmsgstr "Book a call with us: we switch MFA on for you."\n')
    _po(folder, "de", f'msgid "{SINCE}"\nmsgstr "Seit {{period}} (unser Wortlaut)"\n')
    english = language.load("en", folder)
    assert english.gettext(FIRST_ACTION) == "Book a call with us: we switch MFA on for you."
    german = language.load("de", folder)
    assert german.gettext(SINCE) == "Seit {period} (unser Wortlaut)"
    assert german.gettext(FIRST_ACTION) == language.load("de").gettext(FIRST_ACTION)  # the rest stays built in
    with language.use(english):
        from reporter.view import posture, wording

        action = posture.Action(posture.ActionKind.MOVE_TO_CA, "", None, False)
        assert wording.action_text(action) == "Book a call with us: we switch MFA on for you."


def test_an_override_that_breaks_a_placeholder_is_refused_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    path = _po(
        folder, "fr", f'msgid "{FIRST_ACTION}"\nmsgstr "Bien."\n\nmsgid "{SINCE}"\nmsgstr "Depuis {{periode}}"\n'
    )
    with pytest.raises(ConfigError) as caught:
        language.load("fr", folder)
    assert f"{path}:8" in caught.value.message
    assert "placeholders" in caught.value.message
    assert "{period}" in (caught.value.hint or "")


def test_an_override_of_a_sentence_reporter_does_not_have_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    path = _po(folder, "es", 'msgid "Hello there"\nmsgstr "Hola"\n')
    with pytest.raises(ConfigError) as caught:
        language.load("es", folder)
    assert f"{path}:5" in caught.value.message
    assert "not a sentence of reporter" in caught.value.message


def test_a_file_that_is_not_a_catalogue_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    folder.mkdir()
    (folder / "nl.po").write_bytes(b"\xff\xfe not a catalogue")
    with pytest.raises(ConfigError) as caught:
        language.load("nl", folder)
    assert str(folder / "nl.po") in caught.value.message


def test_the_brand_file_checks_its_wording_folder_and_language(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    _po(folder, "ja", f'msgid "{SINCE}"\nmsgstr "{{when}}以降"\n')
    brand_file = tmp_path / "brand.toml"
    brand_file.write_text('name = "Contoso"\nlanguage = "de"\nwording = "wording"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_brand_file(brand_file)
    assert "ja.po" in caught.value.message
    _po(folder, "ja", f'msgid "{SINCE}"\nmsgstr "{{period}}以降"\n')
    brand = read_brand_file(brand_file)
    assert brand.language == "de"
    assert brand.wording == folder.resolve()
    brand_file.write_text('name = "Contoso"\nlanguage = "tlh"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not one reporter writes"):
        read_brand_file(brand_file)
    brand_file.write_text('name = "Contoso"\nlanguage = "de-CH"\n', encoding="utf-8")
    assert read_brand_file(brand_file).language == "de"
