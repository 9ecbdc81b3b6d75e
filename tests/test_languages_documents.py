"""A whole render with the customers file's languages: each customer's PDF, workbook and e-mail in its own.

The sample is rendered once, through ``reporter render --customers-file`` (the real
CLI): one customer in Arabic, one in Japanese, one asking for ``de-AT``, one for a
language reporter does not write, the rest without a language; the partner's
language is German (``[brand] language``).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reporter import snapshot as snapshot_io
from reporter.cli import cli
from tests.test_languages_render import SAMPLE, pdf_text

LRI, PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class Run:
    folder: Path
    tenants: dict[str, str]
    """Tag asked for → tenant id."""
    slugs: dict[str, str]
    """Tenant id → file stem."""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("languages")
    snapshot = snapshot_io.load(SAMPLE)
    tenants = sorted(c.tenant_id for c in snapshot.customers)
    asked = {"ar": tenants[0], "ja": tenants[1], "de-AT": tenants[2], "tlh": tenants[3], "pt-br": tenants[4]}
    lines = ["tenantId,name,language"]
    lines += [f"{tenant},,{tag}" for tag, tenant in asked.items()]
    (root / "customers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "reporter.toml").write_text('[brand]\nname = "Northwind"\nlanguage = "de"\n', encoding="utf-8")
    out = root / "out"
    result = CliRunner().invoke(
        cli,
        [
            "render",
            str(SAMPLE),
            "--out",
            str(out),
            "--config",
            str(root / "reporter.toml"),
            "--customers-file",
            str(root / "customers.csv"),
            "--customer-workbooks",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    slugs = {a["tenantId"]: Path(a["path"]).stem for a in manifest["files"] if a.get("kind") == "customer-pdf"}
    return Run(out, asked, slugs)


def _lang(path: Path) -> str:
    with pikepdf.open(io.BytesIO(path.read_bytes())) as pdf:
        return str(pdf.Root.Lang)


def test_each_customer_pdf_is_in_the_language_it_asked_for(run: Run) -> None:
    expected = {"ar": "ar", "ja": "ja", "de-AT": "de", "tlh": "de", "pt-br": "pt-BR"}
    for tag, tenant in run.tenants.items():
        assert _lang(run.folder / "customers" / f"{run.slugs[tenant]}.pdf") == expected[tag], tag
    assert _lang(run.folder / "summary.pdf") == "de"
    others = set(run.slugs) - set(run.tenants.values())
    assert {_lang(run.folder / "customers" / f"{run.slugs[t]}.pdf") for t in others} == {"de"}


def test_the_summary_lists_the_fallbacks_in_the_partners_language(run: Run, tmp_path: Path) -> None:
    text = " ".join(pdf_text((run.folder / "summary.pdf").read_bytes(), tmp_path).split())
    assert re.search(r"\Wtlh\W", text)
    assert re.search(r"\Wde-AT\W", text)
    assert not re.search(r"\Wpt-br\W", text)  # pt-br is pt-BR, exactly: no fallback to report
    assert "Kunden" in text


def test_an_arabic_workbook_reads_right_to_left_in_arabic(run: Run) -> None:
    book = load_workbook(run.folder / "customers" / f"{run.slugs[run.tenants['ar']]}.xlsx")
    assert all(ws.sheet_view.rightToLeft for ws in book.worksheets)
    assert all(re.search("[\u0600-\u06ff]", ws.title) for ws in book.worksheets)
    japanese = load_workbook(run.folder / "customers" / f"{run.slugs[run.tenants['ja']]}.xlsx")
    assert not any(ws.sheet_view.rightToLeft for ws in japanese.worksheets)
    partner = load_workbook(run.folder / "workbook.xlsx", read_only=True)
    assert "Zusammenfassung" in partner.sheetnames


def test_an_arabic_message_sets_its_figures_left_to_right(run: Run) -> None:
    message = json.loads((run.folder / "messages" / f"{run.slugs[run.tenants['ar']]}.json").read_text("utf-8"))
    assert '<html lang="ar" dir="rtl">' in message["html"]
    assert re.search(r'<span class="ltr" dir="ltr">[0-9.,]+%</span>', message["html"])
    assert re.search(f"{LRI}[0-9.,]+%{PDI}", message["text"])
    assert "<span" not in message["text"]
    assert re.search("[\u0600-\u06ff]{3,}", message["subject"])
    japanese = json.loads((run.folder / "messages" / f"{run.slugs[run.tenants['ja']]}.json").read_text("utf-8"))
    assert LRI not in japanese["text"]
    assert '<html lang="ja" dir="ltr">' in japanese["html"]


def test_a_language_reporter_does_not_write_is_refused_for_the_partner(tmp_path: Path) -> None:
    (tmp_path / "reporter.toml").write_text('[brand]\nlanguage = "tlh"\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["render", str(SAMPLE), "--out", str(tmp_path / "o"), "--config", str(tmp_path / "reporter.toml")]
    )
    assert result.exit_code != 0
    assert "not one reporter writes" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_verify_and_a_dry_run_send_accept_every_language(run: Run, tmp_path: Path) -> None:
    """A translated customer workbook still shows whose it is: verify checks it, send hands it over."""
    verified = CliRunner().invoke(cli, ["verify", str(run.folder)])
    assert verified.exit_code == 0, verified.output
    customers = tmp_path / "customers.csv"
    lines = ["tenantId,name,language,to"]
    lines += [f"{tenant},,{tag},it@{tag.lower()}.example" for tag, tenant in run.tenants.items()]
    customers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "reporter.toml"
    config.write_text('[send]\nsender = "reports@partner.example"\npartner_to = ["boss@partner.example"]\n', "utf-8")
    outbox = tmp_path / "outbox"
    result = CliRunner().invoke(
        cli,
        [
            "send",
            str(run.folder),
            "--config",
            str(config),
            "--customers-file",
            str(customers),
            "--dry-run",
            str(outbox),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "would fail" not in result.output
    written = sorted(outbox.glob("*.eml"))
    assert len(written) == len(run.tenants) + 1  # every asked-for customer, and the partner
    arabic = next(p for p in written if b"it@ar.example" in p.read_bytes())
    assert b"Content-Language: ar" in arabic.read_bytes()


def test_a_partners_wording_is_text_and_its_percent_signs_are_percent_signs(tmp_path: Path) -> None:
    """An override cannot add markup to a PDF, and "100 %" is not a format code."""
    wording = tmp_path / "wording"
    wording.mkdir()
    (wording / "de.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "About this report"\nmsgstr "Zu 100 % sicher <b>fett</b>"\n',
        encoding="utf-8",
    )
    (tmp_path / "reporter.toml").write_text('[brand]\nlanguage = "de"\nwording = "wording"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "render",
            str(SAMPLE),
            "--out",
            str(out),
            "--config",
            str(tmp_path / "reporter.toml"),
            "--no-customer-reports",
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text((out / "summary.pdf").read_bytes(), tmp_path).split())
    assert "Zu 100 % sicher <b>fett</b>" in text


def test_in_arabic_a_latin_name_and_a_signed_figure_keep_their_order() -> None:
    from reporter.render.jinja import finalize
    from reporter.view import fmt, wording
    from reporter.view.language import load, use

    with use(load("ar")):
        title = wording.customer_title("(Brackets) Inc.")
        change = fmt.signed(-5.0)
    assert "\u2068(Brackets) Inc.\u2069" in title
    assert change == "\u2066−5.0\u2069"

    class Autoescape:
        autoescape = True

    shown = str(finalize(Autoescape(), title))  # type: ignore[arg-type]
    assert '<span dir="ltr">(Brackets) Inc.</span>' in shown
    assert '<span class="ltr" dir="ltr">−5.0</span>' in str(finalize(Autoescape(), change))  # type: ignore[arg-type]


def test_arabic_titles_are_plain_text_and_names_in_mail_keep_their_order(run: Run) -> None:
    arabic = run.folder / "customers" / f"{run.slugs[run.tenants['ar']]}.pdf"
    with pikepdf.open(io.BytesIO(arabic.read_bytes())) as pdf:
        title = str(pdf.docinfo["/Title"])
        preferences = pdf.Root.ViewerPreferences
        assert str(preferences.Direction) == "/R2L"
        assert bool(preferences.DisplayDocTitle)
    assert "<" not in title
    assert "\u2068" not in title
    message = json.loads((run.folder / "messages" / f"{run.slugs[run.tenants['ar']]}.json").read_text("utf-8"))
    assert re.search("\u2068[^\u2069]+\u2069", message["subject"])  # the name, isolated
    assert f"{LRI}{run.tenants['ar']}{PDI}" in message["text"]  # the tenant id, left to right
    assert "<title>" in message["html"]
    assert "<span" not in message["html"].split("<title>")[1].split("</title>")[0]


def test_a_doubled_brace_in_the_page_counter_reads_as_one(tmp_path: Path) -> None:
    from reporter.render.pdf_engine import page_counter
    from reporter.view import language

    wording = tmp_path / "wording"
    wording.mkdir()
    (wording / "en.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Page {page} of {pages}"\nmsgstr "{{Page}} {page}/{pages}"\n',
        encoding="utf-8",
    )
    with language.use(language.load("en", wording)):
        assert page_counter() == '"\\7B Page\\7D  " counter(page) "/" counter(pages)'  # one brace each, escaped
