"""``[brand] wording``: a partner's own ``<language>.po`` files replace built-in sentences; a broken one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# Everything a wording file can get wrong is one ConfigError naming the file and line, never a traceback.

LONG = (
    "Here is the partner security summary for {period}: your partner security score and the MFA posture of your "
    "customers."
)
MORE = ("and {count} more", "and {count} more")
ALERTS = ("{count} open {severity} security alert.", "{count} open {severity} security alerts.")
REPORT = "Security report · %(period)s"
_counter = iter(range(1_000_000))


def _load(tmp_path: Path, tag: str, body: str, *, name: str | None = None) -> language.Language:
    """``tag`` with a wording folder of one file holding ``body`` (after a header), each call a new folder."""
    folder = tmp_path / f"wording{next(_counter)}"
    path = _po(folder, tag, body)
    if name is not None:
        path.rename(folder / name)
    return language.load(tag, folder)


def _refused(tmp_path: Path, tag: str, body: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, tag, body)
    error = caught.value
    assert "\n" not in str(error)
    assert f"{tag}.po:" in error.message
    return error


def _entry(msgid: str, msgstr: str) -> str:
    escape = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"})
    return f'msgid "{msgid.translate(escape)}"\nmsgstr "{msgstr.translate(escape)}"\n'


@pytest.mark.parametrize("tag", [tag for tag in language.LANGUAGES if tag != language.SOURCE])
def test_a_built_in_catalogue_is_a_valid_wording_file_that_changes_nothing(tmp_path: Path, tag: str) -> None:
    """Babel's own output (wrapped lines, plurals, flags, a header) reads as the built-in catalogue reads."""
    folder = tmp_path / "wording"
    folder.mkdir()
    built_in = language.LOCALE_DIR / language.folder_name(tag) / "LC_MESSAGES" / f"{language.DOMAIN}.po"
    (folder / f"{language.folder_name(tag)}.po").write_bytes(built_in.read_bytes())
    language.check_overrides(folder)
    plain, overridden = language.load(tag), language.load(tag, folder)
    for message in language.template():
        if isinstance(message.id, tuple):
            for count in (0, 1, 2, 3, 5, 11, 100):
                assert overridden.ngettext(*message.id, count) == plain.ngettext(*message.id, count)
        elif message.id:
            assert overridden.gettext(message.id) == plain.gettext(message.id)


def test_line_numbers_are_those_of_each_msgid_even_wrapped_or_short(tmp_path: Path) -> None:
    body = (
        'msgid "Open alerts"\nmsgstr "Offene Warnungen"\n\n'  # line 5: "Open" is in it
        'msgid ""\n"Here is the partner security summary for {period}: your partner security score and the MFA "\n'
        '"posture of your customers."\nmsgstr ""\n"Hier ist die Zusammenfassung für {period}."\n\n'  # line 8
        'msgid "Open"\nmsgstr "Offen {x}"\n'  # line 14
    )
    error = _refused(tmp_path, "de", body)
    assert ":14: the wording for 'Open' changes its placeholders" in error.message
    body = body.replace("Offen {x}", "Offen").replace("für {period}", "für {zeitraum}")
    error = _refused(tmp_path, "de", body)
    assert ":8: the wording for 'Here is the partner security summary for {period}: your p...'" in error.message
    german = _load(tmp_path, "de", body.replace("{zeitraum}", "{period}"))
    assert german.gettext(LONG) == "Hier ist die Zusammenfassung für {period}."
    assert german.gettext("Open") == "Offen"


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ('msgid "Summary"\n\nmsgid "About"\nmsgstr "Info"\n', 5, "a msgid without a msgstr after it"),
        ('# a note\nmsgstr "Zusammenfassung"\n', 6, "a msgstr without a msgid before it"),
        ('msgstr "Zusammenfassung"\n', 5, "a second msgstr for the msgid of line 1"),
        ('msgid "Summary"\nmsgstr[x] "Zusammenfassung"\n', 6, "'msgstr[x]' is not a keyword of a .po file"),
        ('msgid "Summary"\nmsgstr "Zusammenfassung\n', 6, "a string without its closing quote"),
        ('msgid Summary\nmsgstr "Zusammenfassung"\n', 5, "'Summary' is outside the quotes"),
        ('msgid "Summary" x\nmsgstr "Zusammenfassung"\n', 5, "'x' is outside the quotes"),
        ('msgid "Summary"\nmsgstr\n', 6, "a keyword without its string"),
        ('msgid "Summary"\nmsgstr "Zusammen"\n# a note\n"fassung"\n', 8, "a string that belongs to no msgid or msgstr"),
        ('msgid "Summary"\nmsgstr "A"\n\nmsgstr "B"\n', 8, "a second msgstr for the msgid of line 5"),
        ('msgid "Summary"\nmsgstr "\\x41"\n', 6, "the escape \\x is not one reporter reads"),
        ('msgid "and {count} more"\nmsgid_plural "and {count} more"\nmsgstr[1] "x"\n', 7, "msgstr[1] where msgstr[0]"),
        ('msgid "and {count} more"\nmsgid_plural "x"\nmsgid_plural "y"\n', 7, "a msgid_plural that does not follow"),
        ('msgid "Summary"\nmsgstr "A"\nmsgstr[1] "B"\n', 7, "msgstr[1] after a plain msgstr"),
        ('msgid[0] "Summary"\nmsgstr "A"\n', 5, "msgid takes no [0]"),
        ('msgctxt "sheet"\n', 5, "a msgctxt without a msgid after it"),
        ('#\nmsgid_plural "Summaries"\nmsgstr "A"\n', 6, "a msgid_plural without a msgid before it"),
        ("Summary = Zusammenfassung\n", 5, "'Summary' is not a keyword of a .po file"),
    ],
)
def test_a_malformed_file_is_refused_at_its_line(tmp_path: Path, body: str, line: int, problem: str) -> None:
    error = _refused(tmp_path, "de", body)
    assert f"de.po:{line}: {problem}" in error.message
    assert error.hint == "fix it, or remove it to use the built-in wording"


def test_a_plural_added_to_a_singular_sentence_is_refused(tmp_path: Path) -> None:
    """Babel's compiler raised AttributeError on this one."""
    body = 'msgid "Summary"\nmsgid_plural "Summaries"\nmsgstr "Zusammenfassung"\n'
    assert ":5: 'Summary' is not a plural sentence" in _refused(tmp_path, "de", body).message
    body = 'msgid "Summary"\nmsgid_plural "Summaries"\nmsgstr[0] "Zusammenfassung"\nmsgstr[1] "Zusammenfassungen"\n'
    assert ":5: 'Summary' is not a plural sentence" in _refused(tmp_path, "de", body).message
    body = 'msgid "Summary"\nmsgstr[0] "Zusammenfassung"\n'
    assert ":5: 'Summary' is not a plural sentence" in _refused(tmp_path, "de", body).message


def _plural(msgid: tuple[str, str], *forms: str) -> str:
    strings = "".join(f'msgstr[{n}] "{form}"\n' for n, form in enumerate(forms))
    return f'msgid "{msgid[0]}"\nmsgid_plural "{msgid[1]}"\n{strings}'


def test_a_plural_sentence_needs_every_form_of_the_built_in_catalogue(tmp_path: Path) -> None:
    # A plain msgstr for a plural sentence once became one plural form per character.
    error = _refused(tmp_path, "en", f'msgid "{MORE[0]}"\nmsgstr "plus {{count}} others"\n')
    assert ":5: 'and {count} more' needs 2 forms, msgstr[0] to msgstr[1]" in error.message
    error = _refused(tmp_path, "en", _plural(MORE, "plus {count} other"))
    assert ":5: 'and {count} more' needs 2 forms, msgstr[0] to msgstr[1], not 1" in error.message
    assert "placeholders" not in error.message
    english = _load(tmp_path, "en", _plural(MORE, "plus {count} other", "plus {count} others"))
    assert english.ngettext(*MORE, 1) == "plus {count} other"
    assert english.ngettext(*MORE, 4) == "plus {count} others"
    assert (
        ":5: 'and {count} more' needs 1 form, msgstr[0], not 2"
        in _refused(tmp_path, "ja", _plural(MORE, "他{count}件", "他{count}件")).message
    )
    assert _load(tmp_path, "ja", _plural(MORE, "ほか{count}件")).ngettext(*MORE, 7) == "ほか{count}件"


def test_the_file_plural_forms_header_is_not_used(tmp_path: Path) -> None:
    header = '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    error = _refused(tmp_path, "ar", header + _plural(ALERTS, "{count} {severity} a", "{count} {severity} b"))
    assert "needs 6 forms, msgstr[0] to msgstr[5], not 2" in error.message
    forms = [f"{{count}} {{severity}} {n}" for n in range(6)]
    arabic = _load(tmp_path, "ar", '"Plural-Forms: nplurals=abc\\n"\n\n' + _plural(ALERTS, *forms))
    assert [arabic.ngettext(*ALERTS, n) for n in (0, 1, 2, 5, 11, 100)] == forms


def test_a_plural_with_another_msgid_plural_is_refused(tmp_path: Path) -> None:
    error = _refused(tmp_path, "de", _plural(("and {count} more", "and {count} others"), "a {count}", "b {count}"))
    assert ":5: the msgid_plural of 'and {count} more' is not reporter's" in error.message


@pytest.mark.parametrize(
    "wording",
    [
        "Seit {}",
        "Seit {0}",
        "Seit {period[0]}",
        "Seit {period.year}",
        "Seit {period!r}",
        "Seit {period:>20}",
        "Seit {period:{width}}",
        "Seit {period",
        "Seit period}",
        "Seit {period} {period}",
        "Seit {zeitraum}",
        "Seit",
        "Seit %(period)s",
        "Seit {period} %s",
        "Seit {period} %d",
    ],
)
def test_a_brace_sentence_keeps_exactly_its_plain_named_placeholders(tmp_path: Path, wording: str) -> None:
    error = _refused(tmp_path, "de", _entry(SINCE, wording))
    assert ":5: the wording for 'Since {period}'" in error.message
    assert error.hint == "keep exactly these placeholders: {period}"


@pytest.mark.parametrize("wording", ["Seit {period} (100 %)", "Seit {{ {period} }}", "{period} – seit 50% d. Zeit"])
def test_a_brace_sentence_may_have_percent_signs_and_doubled_braces(tmp_path: Path, wording: str) -> None:
    assert _load(tmp_path, "de", _entry(SINCE, wording)).gettext(SINCE) == wording


@pytest.mark.parametrize(
    "wording",
    [
        "Bericht · %(period)d",
        "Bericht · %(period)",
        "Bericht · %(zeitraum)s",
        "Bericht · %s",
        "Bericht · %(period)s %(period)s",
        "Bericht · {period}",
        "Bericht",
    ],
)
def test_a_template_sentence_keeps_exactly_its_percent_placeholders(tmp_path: Path, wording: str) -> None:
    error = _refused(tmp_path, "de", _entry(REPORT, wording))
    assert ":5: the wording for 'Security report · %(period)s'" in error.message
    assert error.hint == "keep exactly these placeholders: %(period)s"


@pytest.mark.parametrize(
    "wording", ["Bericht · %(period)s (100 %)", "Bericht %% %(period)s", "Bericht {x} %(period)s", "50% de %(period)s"]
)
def test_a_template_sentence_may_have_percent_signs_and_braces(tmp_path: Path, wording: str) -> None:
    assert _load(tmp_path, "de", _entry(REPORT, wording)).gettext(REPORT) == wording


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('msgid "Summary"\nmsgstr " \\t "\n', "the wording for 'Summary' is empty"),
        (_plural(MORE, "noch {count}", " "), "the wording for 'and {count} more' is empty"),
        ('msgctxt "sheet"\nmsgid "Summary"\nmsgstr "Zusammenfassung"\n', "'Summary' has a msgctxt"),
        (_entry("Summary", "x" * 2001), "the wording for 'Summary' is longer than 2,000 characters"),
        (_entry("Summary", "Bitte \x00 MFA"), "the wording for 'Summary' has a control character"),
        ('msgid "Summary"\nmsgstr "A\\rB"\n', "the wording for 'Summary' has a control character"),
        ('msgid "Hello there"\nmsgstr "Hallo"\n', "'Hello there' is not a sentence of reporter"),
    ],
)
def test_an_empty_contextual_overlong_or_unknown_entry_is_refused(tmp_path: Path, body: str, problem: str) -> None:
    line = 6 if body.startswith("msgctxt") else 5  # the line of the msgid
    assert f":{line}: {problem}" in _refused(tmp_path, "de", body).message


def test_an_entry_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    body = _entry("Summary", "Zusammenfassung") + "\n" + _entry("About", "Info") + "\n" + _entry("Summary", "Übersicht")
    error = _refused(tmp_path, "de", body)
    assert ":11: 'Summary' is given twice, on lines 5 and 11" in error.message


def test_fuzzy_and_obsolete_entries_are_skipped_and_a_long_wording_is_accepted(tmp_path: Path) -> None:
    body = (
        '#, fuzzy\nmsgid "About"\nmsgstr "Über (Entwurf)"\n\n'
        '#, fuzzy\n#~ msgid "Old sentence"\n#~ msgstr "Alter Satz"\n\n'
        + _entry("Summary", "Zusammenfassung (unsere)")
        + _entry(FIRST_ACTION, "x" * 2000)
    )
    german = _load(tmp_path, "de", body)
    assert german.gettext("About") == language.load("de").gettext("About")
    assert german.gettext("Summary") == "Zusammenfassung (unsere)"  # not fuzzy: the obsolete entry's flag
    assert german.gettext(FIRST_ACTION) == "x" * 2000


def test_escapes_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    path = _po(folder, "de", _entry(FIRST_ACTION, 'Sagen Sie "MFA"\\Ja\n\tdanach'))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert language.load("de", folder).gettext(FIRST_ACTION) == 'Sagen Sie "MFA"\\Ja\n\tdanach'


def test_a_file_not_in_utf8_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    folder.mkdir()
    (folder / "fr.po").write_bytes(_entry("Summary", "Synthèse générale").encode("latin-1"))
    with pytest.raises(ConfigError, match=r"fr.po:2: is not UTF-8 text") as caught:
        language.load("fr", folder)
    assert caught.value.hint == "save it as UTF-8"


def test_a_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    folder.mkdir()
    (folder / "fr.po").write_bytes(b"# padding\n" * (language.WORDING_FILE_LIMIT // 10 + 1))
    with pytest.raises(ConfigError, match=r"fr.po: is larger than 4 MiB"):
        language.load("fr", folder)


@pytest.mark.parametrize(
    ("name", "tag"), [("DE.po", "de"), ("pt_BR.po", "pt-BR"), ("pt-br.po", "pt-BR"), ("Ar.PO", "ar"), ("en.po", "en")]
)
def test_a_file_may_be_named_in_any_case_or_as_its_gettext_folder(tmp_path: Path, name: str, tag: str) -> None:
    chosen = _load(tmp_path, tag, _entry("Summary", "Ours"), name=name)
    assert chosen.gettext("Summary") == "Ours"
    assert chosen.overrides is not None
    language.check_overrides(chosen.overrides)


@pytest.mark.parametrize("name", ["xx.po", "klingon.po", "pt.po", "de-AT.po", "de.po.po", "-.po"])
def test_a_file_for_no_language_reporter_writes_is_refused(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "wording"
    folder.mkdir()
    (folder / name).write_text(_entry("Summary", "Ours"), encoding="utf-8")
    (folder / "notes.txt").write_text("not wording", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"is not a language reporter writes") as caught:
        language.check_overrides(folder)
    assert name in caught.value.message
    assert caught.value.hint is not None
    assert "name files like de.po, pt-BR.po" in caught.value.hint


def test_other_files_hidden_files_are_not_looked_at(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    folder.mkdir()
    for name in ("README.md", "de.po~", "de.mo", ".de.po", "._de.po"):
        (folder / name).write_bytes(b"\xff\xfe junk")
    language.check_overrides(folder)


def test_two_files_for_one_language_or_a_folder_named_like_one_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "wording"
    _po(folder, "de", _entry("Summary", "Ours"))
    (folder / "DE.po").write_text(_entry("Summary", "Theirs"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"DE.po and de.po are both for de"):
        language.check_overrides(folder)
    with pytest.raises(ConfigError, match=r"DE.po and de.po are both for de"):
        language.load("de", folder)
    (folder / "DE.po").unlink()
    (folder / "ja.po").mkdir()
    with pytest.raises(ConfigError, match=r"ja.po: is a folder, not a file"):
        language.check_overrides(folder)


@pytest.mark.parametrize(
    ("wording", "problem"),
    [
        ("A" * 32, "is 32 characters long"),
        ("😀" * 16, "is 32 characters long"),
        ("Kurz: Übersicht", "has ':'"),
        ("Ein/Aus", "has '/'"),
        ("Ein\\\\Aus", "has '\\\\'"),
        ("Was?", "has '?'"),
        ("Alle*", "has '*'"),
        ("[Übersicht]", "has '['"),
        ("Zeile\\nzwei", "has '\\n'"),
        ("'Übersicht", "has an apostrophe"),
        ("Übersicht'", "has an apostrophe"),
        ("Verlauf's Sicht", "has an apostrophe"),
        ("History", "is History, a name Excel keeps for itself"),
        ("HISTORY", "is History, a name Excel keeps for itself"),
        ("info", "is the name of the 'About' sheet too"),
    ],
)
def test_a_sheet_name_excel_refuses_is_refused(tmp_path: Path, wording: str, problem: str) -> None:
    error = _refused(tmp_path, "de", f'msgid "Summary"\nmsgstr "{wording}"\n')
    assert ":5: the wording for 'Summary'" in error.message
    assert problem in error.message


@pytest.mark.parametrize("wording", ["Ü" * 31, "Kunden & Co.", "😀" * 15, "Verlauf"])
def test_a_sheet_name_excel_takes_is_accepted(tmp_path: Path, wording: str) -> None:
    assert _load(tmp_path, "de", _entry("Summary", wording)).gettext("Summary") == wording


def test_the_sheet_names_are_sentences_of_reporter() -> None:
    assert {message.id for message in language.template()} >= language.SHEET_NAMES


@pytest.mark.parametrize("tag", language.LANGUAGES)
def test_every_built_in_catalogue_gives_sheet_names_excel_takes(tag: str) -> None:
    chosen = language.load(tag)
    names = [chosen.gettext(msgid) for msgid in sorted(language.SHEET_NAMES)]
    for name in names:
        assert 1 <= len(name.encode("utf-16-le")) // 2 <= 31, name
        assert not set(name) & set(":\\/?*[]"), name
        assert not name.startswith("'"), name
        assert not name.endswith("'"), name
        assert name.casefold() != "history", name
        assert name.isprintable(), name
    assert len({name.casefold() for name in names}) == len(names), names


_PO_PIECES = st.sampled_from(
    [
        "msgid",
        "msgid_plural",
        "msgstr",
        "msgstr[0]",
        "msgstr[1]",
        "msgctxt",
        '"Summary"',
        '"and {count} more"',
        '"Since {period}"',
        '"{period}"',
        '""',
        '"\\',
        '"\\n"',
        "#, fuzzy",
        "#~",
        "#",
        "\n",
        " ",
        "{",
        "%(x)d",
        "\x00",
        "\u2028",
        '"History"',
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_PO_PIECES, max_size=40), tag=st.sampled_from(["en", "de", "ja", "ar"]))
def test_any_file_loads_or_is_refused_with_a_config_error(tmp_path: Path, pieces: list[str], tag: str) -> None:
    error: ConfigError | None = None
    try:
        _load(tmp_path, tag, " ".join(pieces))
    except ConfigError as caught:  # anything else fails the test
        error = caught
    if error is not None:
        assert f"{tag}.po" in error.message
        assert "\n" not in str(error)


def test_an_entry_left_empty_keeps_the_built_in_wording(tmp_path: Path) -> None:
    """A file made from the template leaves most entries empty: they are not translated, not refused."""
    folder = tmp_path / "wording"
    _po(folder, "de", f'msgid "{FIRST_ACTION}"\nmsgstr ""\n\nmsgid "{SINCE}"\nmsgstr "Seit {{period}}!"\n')
    german = language.load("de", folder)
    assert german.gettext(FIRST_ACTION) == language.load("de").gettext(FIRST_ACTION)
    assert german.gettext(SINCE) == "Seit {period}!"
