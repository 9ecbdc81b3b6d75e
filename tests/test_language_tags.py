"""Language tags, from the customers file or ``[brand] language``, to the language a document is written in."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.view import language


@pytest.fixture(scope="module")
def partner() -> language.Language:
    return language.load("fr")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("PT-br", "pt-BR"),
        ("pt-PT", "pt-BR"),
        ("ar-EG", "ar"),
        ("es-419", "es"),
        # Extensions, private use and variants say how, not which language: the language and region decide.
        ("ar-u-nu-arab", "ar"),
        ("de-AT-u-nu-arab", "de"),
        ("pt-BR-x-formal", "pt-BR"),
        ("ja-JP-u-ca-japanese", "ja"),
        ("en-GB-oxendict", "en"),
        ("de-CH-1996", "de"),
        ("nl-NL-u-co-phonebk", "nl"),
        ("de-x-foo", "de"),
        ("en-t-de", "en"),
        # The usual script may be named.
        ("ja-Jpan", "ja"),
        ("ja-Jpan-JP", "ja"),
        ("ar-Arab", "ar"),
        ("de-Latn-CH", "de"),
        # An underscore, as in gettext folders and POSIX locales.
        ("de_DE", "de"),
        ("pt_BR", "pt-BR"),
        (" de-AT ", "de"),
    ],
)
def test_a_tag_resolves_by_its_language_and_region(partner: language.Language, tag: str, expected: str) -> None:
    choice = language.resolve(tag, partner)
    assert not choice.unknown
    assert choice.language.tag == expected
    assert choice.requested == tag


@pytest.mark.parametrize(
    "tag",
    [
        "ar-Latn",  # Arabic in Latin letters: reporter writes Arabic script only
        "ja-Latn",
        "sr-Latn",
        "zh-Hant",
        "zh-Hans-CN",
        "tlh",
        "x-private",
        "i-klingon",
        "en;drop",
        "de-",
        "-de",
        "de--AT",
        "de AT",
        "dé",
        "english",
        "zh-yue-HK",
    ],
)
def test_a_tag_reporter_does_not_write_falls_back_as_unknown(partner: language.Language, tag: str) -> None:
    choice = language.resolve(tag, partner)
    assert choice.unknown
    assert choice.fell_back
    assert choice.language is partner
    assert choice.requested == tag


@pytest.mark.parametrize("tag", [None, "", "   "])
def test_no_tag_asks_for_the_partner_language_and_is_no_fallback(partner: language.Language, tag: str | None) -> None:
    choice = language.resolve(tag, partner)
    assert choice.language is partner
    assert choice.requested == ""
    assert not choice.unknown
    assert not choice.fell_back


@pytest.mark.parametrize(
    ("tag", "fell_back"),
    [("pt-BR", False), ("pt_br", False), ("DE", False), ("de-AT", True), ("ar-u-nu-arab", True), ("pt-PT", True)],
)
def test_a_fallback_is_a_language_other_than_exactly_the_one_asked_for(
    partner: language.Language, tag: str, fell_back: bool
) -> None:
    assert language.resolve(tag, partner).fell_back is fell_back


def test_the_partner_wording_folder_goes_with_the_resolved_language(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    folder.mkdir()
    partner = language.load("en", folder)
    assert language.resolve("de-AT-u-nu-latn", partner).language.overrides == folder
