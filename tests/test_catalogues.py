"""The translation catalogues are data, checked here: complete, placeholders intact, up to date with the source.

A new English sentence in the view-model or a template fails this file until
``pybabel extract`` and ``pybabel update`` have been run and every language has
translated it (see CONTRIBUTING in the README).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from reporter.view import language

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [tag for tag in language.LANGUAGES if tag != language.SOURCE]


def _po(tag: str) -> Path:
    return language.LOCALE_DIR / language.folder_name(tag) / "LC_MESSAGES" / f"{language.DOMAIN}.po"


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _texts(value: object) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[attr-defined]


def _keys(catalog: Catalog) -> set[tuple[str, ...]]:
    return {tuple(_texts(m.id)) for m in catalog if m.id}


def test_every_language_has_a_catalogue() -> None:
    assert sorted(TRANSLATED) == sorted(["de", "fr", "es", "nl", "pt-BR", "ja", "ar"])
    for tag in TRANSLATED:
        assert _po(tag).is_file(), tag


@pytest.mark.parametrize("tag", TRANSLATED)
def test_catalogue_is_complete_and_not_fuzzy(tag: str) -> None:
    template = _read(language.LOCALE_DIR / f"{language.DOMAIN}.pot")
    catalog = _read(_po(tag))
    missing = _keys(template) - _keys(catalog)
    assert not missing, f"{tag}: not in the catalogue (run pybabel update): {sorted(missing)[:5]}"
    stale = _keys(catalog) - _keys(template)
    assert not stale, f"{tag}: no longer in the source (run pybabel update): {sorted(stale)[:5]}"
    assert not catalog.obsolete, f"{tag}: obsolete entries left: {list(catalog.obsolete)[:5]}"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{tag}: fuzzy: {message.id!r}"
        strings = _texts(message.string)
        assert strings, f"{tag}: untranslated: {message.id!r}"
        assert all(s.strip() for s in strings), f"{tag}: untranslated: {message.id!r}"
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, f"{tag}: plural forms of {message.id!r}"


@pytest.mark.parametrize("tag", TRANSLATED)
def test_placeholders_are_those_of_the_english(tag: str) -> None:
    for message in _read(_po(tag)):
        if not message.id:
            continue
        source = _texts(message.id)
        expected = language.placeholders(source[-1])
        assert language.placeholders(source[0]) == expected or len(source) > 1, message.id
        for text in _texts(message.string):
            assert language.placeholders(text) == expected, f"{tag}: {message.id!r} → {text!r}"


@pytest.mark.parametrize("tag", TRANSLATED)
def test_babel_checkers_find_nothing(tag: str) -> None:
    catalog = _read(_po(tag))
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check() if errors]
    assert not problems, f"{tag}: {problems[:5]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("tag", TRANSLATED)
def test_msgfmt_accepts_the_catalogue(tag: str, tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(_po(tag))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_template_is_up_to_date_with_the_source(tmp_path: Path) -> None:
    """``pybabel extract`` now finds exactly the sentences the committed template holds."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = _keys(_read(language.LOCALE_DIR / f"{language.DOMAIN}.pot"))
    found = _keys(_read(fresh))
    assert found - committed == set(), "new sentences: run pybabel extract and update (see the README)"
    assert committed - found == set(), "sentences no longer used: run pybabel extract and update"


@pytest.mark.parametrize("tag", TRANSLATED)
def test_each_catalogue_translates_the_first_action(tag: str) -> None:
    """A real lookup through the loaded language: not the English back."""
    chosen = language.load(tag)
    english = "Move to a Conditional Access policy that requires MFA for all users."
    assert chosen.gettext(english) != english
