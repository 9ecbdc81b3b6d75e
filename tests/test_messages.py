"""The words of each e-mail, rendered as run artifacts: ``messages/<slug>.json`` and ``messages/summary.json``.

Each message is read back from its file and compared with the view-model the
PDFs are made from: a customer's own figures, "not available" where there is
none, its first action and link, and nothing of any other customer. The HTML is
checked for anything remote or active; hostile names stay text and stay on one
line. Goldens of the main sample's messages: regenerate after an intended change
with ``REPORTER_UPDATE_GOLDEN=1 pytest tests/test_messages.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import SMTP
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from reporter import snapshot as snapshot_io
from reporter.manifest import ArtifactKind, document_bytes, manifest_self_hash
from reporter.message_file import MessageFile, message_bytes, parse_message
from reporter.model import Customer, DataGap, Snapshot
from reporter.render import messages
from reporter.render.brand_config import default_brand
from reporter.render.options import RenderOptions
from reporter.render.run import render_all
from reporter.resources import templates_dir
from reporter.send.message import Delivery, to_mime
from reporter.verify import verify
from reporter.view import Brand, ReportContext, build_context, wording
from reporter.view.message import ENGLISH, SUBJECT_LIMIT, Wording, customer_message, one_line
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("REPORTER_UPDATE_GOLDEN") == "1"
BRAND = Brand(
    name="Contoso Cloud Services",
    primary_colour="#5B2A86",
    accent_colour="#2A9D8F",
    footer="Contoso Cloud Services · Confidential",
    contact="security@contoso.example · +1 555 0100",
)
NA = ENGLISH.not_available


@dataclass(frozen=True)
class Rendered:
    context: ReportContext
    out: Path
    files: dict[str, MessageFile]
    """Each customer's message by tenant id, and the summary's under ``"summary"``."""
    raw: dict[str, bytes]


def render_messages(snapshot: Snapshot, out: Path, options: RenderOptions | None = None) -> Rendered:
    context = build_context(snapshot, BRAND)
    artifacts = messages.render(context, out, options or RenderOptions())
    files, raw = {}, {}
    for artifact in artifacts:
        data = (out / artifact.path).read_bytes()
        key = artifact.tenant_id or "summary"
        assert key not in files, key
        files[key] = parse_message(data, artifact.path.as_posix())
        raw[artifact.path.as_posix()] = data
    return Rendered(context, out, files, raw)


def sample(name: str) -> Snapshot:
    return snapshot_io.load(SAMPLES / name / "snapshot.json")


@pytest.fixture(scope="module")
def main(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render_messages(sample("northwind-partners"), tmp_path_factory.mktemp("messages"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render_messages(sample("edge-injection-names"), tmp_path_factory.mktemp("hostile"))


# --- what a customer's message says -------------------------------------------------------------------


def test_every_customer_gets_one_message_named_like_its_pdf(main: Rendered) -> None:
    rows = main.context.rows
    assert sorted(main.raw) == sorted(["messages/summary.json", *(f"messages/{r.slug}.json" for r in rows)])
    assert len(main.files) == len(rows) + 1


def test_a_customer_message_shows_its_own_figures_as_its_pdf_does(main: Rendered) -> None:
    for row in main.context.rows:
        view = main.context.customer_view(row)
        message = main.files[row.customer.tenant_id]
        assert one_line(view.name) in message.subject
        assert view.period_label in message.subject
        expected = {
            ENGLISH.coverage: view.coverage,
            ENGLISH.users: view.users,
            ENGLISH.admins: view.compliant_admins,
            ENGLISH.policy: view.policy,
        }
        for label, value in expected.items():
            shown = NA if value in ("–", "Unknown") else value
            assert f"- {label}: {shown}\n" in message.text, (row.name, label)
            assert str(escape(shown)) in message.html
        assert f"- {ENGLISH.attention}: {wording.level_label(view.level)}\n" in message.text
        assert view.period_label in message.text
        assert "attached to this e-mail as a PDF" in message.text
        assert view.tenant_id in message.text
        assert BRAND.name in message.text
        assert BRAND.contact in message.text
        assert BRAND.footer in message.text


def test_a_figure_the_data_does_not_give_says_not_available_never_0(tmp_path: Path) -> None:
    silent = Customer(
        tenant_id=factories.tid("silent"), display_name="Silent Ltd", default_domain_name="silent.example"
    )
    empty = factories.customer("empty", "Empty Shell Ltd", users=0, admins=0, non_admins=0)
    rendered = render_messages(factories.snapshot(customers=(silent, empty)), tmp_path)
    text = rendered.files[silent.tenant_id].text
    for label in (ENGLISH.attention, ENGLISH.coverage, ENGLISH.users, ENGLISH.admins, ENGLISH.policy):
        assert f"- {label}: {NA}\n" in text, label
    assert "0%" not in text
    assert ": 0\n" not in text
    assert "Microsoft reported no MFA data for this tenant." in text
    empty_text = rendered.files[empty.tenant_id].text
    assert f"- {ENGLISH.coverage}: {NA}\n" in empty_text  # no users: no share of them
    assert f"- {ENGLISH.users}: 0\n" in empty_text  # a real zero stays a zero


def test_the_first_recommended_action_comes_with_the_link_where_it_is_done(main: Rendered) -> None:
    seen = set()
    for row in main.context.rows:
        view = main.context.customer_view(row)
        message = main.files[row.customer.tenant_id]
        if not view.actions:
            seen.add("none")
            assert ENGLISH.no_action in message.text
            assert "<a " not in message.html
            continue
        first = view.actions[0]
        assert f"{ENGLISH.action_title}\n{wording.action_text(first)}\n" in message.text
        assert str(escape(wording.action_text(first))) in message.html
        links = [u for u in (first.url, first.help_url) if u]
        seen.add("partner" if first.partner_only else "link")
        if first.partner_only:
            assert not links
            assert BRAND.name in wording.action_text(first)
        for url in links:
            assert f": {url}\n" in message.text
            assert f'href="{escape(url)}"' in message.html
        assert hrefs(message.html) == links
    assert seen == {"none", "partner", "link"}  # the sample has each kind


def test_no_customer_message_names_another_customer(main: Rendered, hostile: Rendered) -> None:
    for rendered in (main, hostile):
        customers = rendered.context.snapshot.customers
        for customer in customers:
            message = rendered.files[customer.tenant_id]
            words = "\n".join((message.subject, message.text, message.html))
            own = " ".join(filter(None, (customer.display_name, customer.default_domain_name)))
            for other in customers:
                if other.tenant_id == customer.tenant_id:
                    continue
                assert other.tenant_id not in words, (customer.label, other.tenant_id)
                for value in (other.display_name, other.default_domain_name):
                    if value and value not in own:  # a name inside this customer's own name is its own
                        assert value not in message.text, value
                        assert str(escape(value)) not in message.html, value


def test_a_workbook_is_mentioned_only_when_one_is_written(tmp_path: Path) -> None:
    snap = sample("edge-zero-users")
    plain = render_messages(snap, tmp_path / "plain")
    books = render_messages(snap, tmp_path / "books", RenderOptions(customer_workbooks=True))
    tenant = snap.customers[0].tenant_id
    assert ENGLISH.customer_workbook_attached not in plain.files[tenant].text
    assert ENGLISH.customer_workbook_attached in books.files[tenant].text


def test_without_customer_reports_only_the_summary_message_is_written(tmp_path: Path) -> None:
    rendered = render_messages(sample("edge-zero-users"), tmp_path, RenderOptions(customer_reports=False))
    assert list(rendered.raw) == ["messages/summary.json"]


# --- the partner's summary message ----------------------------------------------------------------------


def test_the_summary_message_leads_with_the_portfolio_and_names_no_customer(main: Rendered) -> None:
    s = main.context.summary
    message = main.files["summary"]
    assert s.period_label in message.subject
    for label, value in (
        (ENGLISH.customers, str(s.customers_total)),
        (ENGLISH.attention_customers, str(s.attention_total)),
        (ENGLISH.median_coverage, s.median_coverage),
        (ENGLISH.open_alerts, s.open_alerts_figure),
        (ENGLISH.score, f"{s.score} / {s.score_max} ({s.score_percent})"),
    ):
        assert f"- {label}: {value}\n" in message.text, label
    assert s.mandatory_verdict in message.text
    assert "attached as a PDF" in message.text
    assert "Excel workbook" in message.text
    words = message.text + message.html
    assert not [c.tenant_id for c in main.context.snapshot.customers if c.tenant_id in words]


def test_a_partner_with_no_customers_has_no_median_and_no_unknown_alerts_as_zero(tmp_path: Path) -> None:
    gap = factories.provenance(data_gaps=(DataGap(source="alerts", reason="403 Forbidden"),))
    rendered = render_messages(factories.snapshot(provenance=gap), tmp_path)
    text = rendered.files["summary"].text
    assert f"- {ENGLISH.median_coverage}: {NA}\n" in text
    assert f"- {ENGLISH.open_alerts}: {NA}\n" in text
    assert "Alert figures are unknown, not zero." in text


# --- safety ---------------------------------------------------------------------------------------------


class Markup(HTMLParser):
    """Every tag and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def parsed(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser


def hrefs(html: str) -> list[str]:
    return [value for tag, name, value in parsed(html).attributes if name == "href"]


ALLOWED_TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "div", "h1", "h2", "p", "b", "a", "span"}


@pytest.mark.parametrize("which", ["main", "hostile"])
def test_html_loads_nothing_runs_nothing_and_links_only_to_https(which: str, request: pytest.FixtureRequest) -> None:
    rendered: Rendered = request.getfixturevalue(which)
    for key, message in rendered.files.items():
        customer = rendered.context.snapshot.customer(key)
        html = message.html
        if customer is not None and customer.display_name:  # a name may say "http:"; it is text, checked below
            html = html.replace(str(escape(one_line(customer.display_name))), "NAME")
        lowered = html.lower()
        for needle in ("<img", "url(", "http:", "<script", "<link", "@import", "<style", "<iframe", "<object"):
            assert needle not in lowered, (key, needle)
        markup = parsed(message.html)
        assert markup.tags <= ALLOWED_TAGS, markup.tags - ALLOWED_TAGS
        for tag, name, value in markup.attributes:
            assert name not in ("src", "srcset", "background", "action"), (tag, name)
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value.startswith("https://"), value
            if name == "style":
                assert not re.search(r"url\(|expression|@", value), value


def test_markup_in_names_is_text_in_html_and_as_it_is_in_plain_text(hostile: Rendered) -> None:
    for customer in hostile.context.snapshot.customers:
        name = one_line(customer.label)
        message = hostile.files[customer.tenant_id]
        assert name in message.subject
        assert f"\n{name}\n" in f"\n{message.text}"  # the plain text says the name as it is
        assert f">{escape(name)}</h1>" in message.html
    script = next(c for c in hostile.context.snapshot.customers if c.display_name == "<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.files[script.tenant_id].html


HOSTILE = "<script>alert(1)</script>\r\nBcc: victim@example.com\u2028X-Evil: 1\n\n<b>body</b>"


def test_a_name_with_line_breaks_stays_on_the_subject_s_one_line(tmp_path: Path) -> None:
    crafted = factories.customer(factories.tid("crafted"), HOSTILE, unchecked=True)
    rendered = render_messages(factories.snapshot(customers=(crafted,)), tmp_path)
    message = rendered.files[crafted.tenant_id]
    assert message.subject == (
        "Security report for <script>alert(1)</script> Bcc: victim@example.com X-Evil: 1 <b>body</b> — November 2026"
    )
    assert "<script" not in message.html
    assert "<b>body" not in message.html
    assert not any(line.startswith(("Bcc:", "X-Evil:")) for line in message.text.splitlines())
    assert "\r" not in message.text
    assert "\u2028" not in message.text
    delivery = Delivery(
        key=crafted.tenant_id,
        period="2026-11",
        sender="reports@partner.example",
        to=("it@customer.example",),
        cc=(),
        subject=message.subject,
        text=message.text,
        html=message.html,
        attachments=(),
        message_id="<2026-11.x@partner.example>",
    )
    sent = message_from_bytes(to_mime(delivery).as_bytes(), policy=SMTP)
    assert sent["Bcc"] is None
    assert sent["X-Evil"] is None
    assert str(sent["Subject"]) == message.subject


def test_a_very_long_name_is_cut_short_in_the_subject_not_the_period(tmp_path: Path) -> None:
    long = factories.customer(factories.tid("long"), "Consolidated " * 40, unchecked=True)
    rendered = render_messages(factories.snapshot(customers=(long,)), tmp_path)
    subject = rendered.files[long.tenant_id].subject
    assert len(subject) <= SUBJECT_LIMIT
    assert subject.startswith("Security report for Consolidated Consolidated")
    assert subject.endswith("… — November 2026")


def test_a_brand_colour_cannot_carry_css_and_stays_readable(tmp_path: Path) -> None:
    brand = Brand(name="Pale Partners", primary_colour="#F4F4F4", accent_colour="red; background: url(https://x)")
    context = build_context(sample("edge-zero-users"), brand)
    message = customer_message(context, context.customer_view(context.rows[0]))
    assert message.brand.accent == Brand().accent_colour  # not a colour: the default
    assert message.brand.on_primary == "#1A1A1A"  # dark text on a pale band
    assert message.brand.ink == "#1A1A1A"  # a pale primary is no colour for headings on white


# --- the files ------------------------------------------------------------------------------------------


def test_message_files_are_the_same_bytes_every_time(main: Rendered, tmp_path: Path) -> None:
    again = render_messages(main.context.snapshot, tmp_path)
    assert again.raw == main.raw
    for name, data in main.raw.items():
        assert data == message_bytes(parse_message(data, name))  # sorted keys, indent 2, UTF-8, final newline
        assert list(json.loads(data)) == ["html", "subject", "text"]
        assert data.decode("utf-8")


def test_templates_hold_no_words_every_sentence_comes_from_the_view() -> None:
    """What a translator changes is ``Wording``: the templates hold markup, expressions and punctuation only."""
    for path in sorted((templates_dir() / "mail").glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
        source = re.sub(r"<!DOCTYPE[^>]*>|<[^>]*>|&[a-z#0-9]+;", " ", source)
        assert not re.search(r"[A-Za-z]{2,}", source), (path.name, re.findall(r"[A-Za-z]{2,}", source))


def test_another_wording_changes_every_sentence_it_names(main: Rendered) -> None:
    marked = Wording(**{f.name: f"«{getattr(ENGLISH, f.name)}»" for f in dataclasses.fields(Wording)})
    row = main.context.rows[0]
    message = customer_message(main.context, main.context.customer_view(row), words=marked)
    assert message.intro.startswith("«")
    assert message.facts[0].label.startswith("«")
    assert message.subject.startswith("«Security report for ")


def golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
        return
    if not path.exists():
        pytest.fail(f"{path} is missing: run with REPORTER_UPDATE_GOLDEN=1 to write it")
    assert data == path.read_bytes(), f"{name} differs: run with REPORTER_UPDATE_GOLDEN=1 and review the diff"


def test_main_sample_messages_match_their_goldens(main: Rendered) -> None:
    first = main.context.rows[0]
    golden("message-northwind-partners-customer.json", main.raw[f"messages/{first.slug}.json"])
    golden("message-northwind-partners-summary.json", main.raw["messages/summary.json"])


# --- in a run folder, and verify ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("run") / "out"
    render_all(sample("edge-zero-users"), folder, default_brand(), RenderOptions(workers=1))
    return folder


@pytest.fixture
def run_folder(rendered_folder: Path, tmp_path: Path) -> Path:
    """A copy of a run folder of the zero-users sample, free to damage."""
    return Path(shutil.copytree(rendered_folder, tmp_path / "out"))


def rewrite_manifest(folder: Path, change: dict[str, bytes]) -> None:
    """Replace files and make the manifest's hashes agree, as someone covering their tracks would."""
    path = folder / "manifest.json"
    document = json.loads(path.read_bytes())
    for entry in document["files"]:
        if entry["path"] in change:
            (folder / entry["path"]).write_bytes(change[entry["path"]])
            entry["sha256"] = hashlib.sha256(change[entry["path"]]).hexdigest()
    document["manifestSha256"] = manifest_self_hash(document)
    path.write_bytes(document_bytes(document))


def message_entries(folder: Path) -> list[dict[str, str]]:
    files = json.loads((folder / "manifest.json").read_bytes())["files"]
    return [e for e in files if e["kind"] in (ArtifactKind.CUSTOMER_MESSAGE, ArtifactKind.SUMMARY_MESSAGE)]


def test_a_run_folder_lists_its_messages_and_verify_checks_them(run_folder: Path) -> None:
    entries = message_entries(run_folder)
    customers = sample("edge-zero-users").customers
    assert {e["tenantId"] for e in entries if e["kind"] == "customer-message"} == {c.tenant_id for c in customers}
    assert [e["path"] for e in entries if e["kind"] == "summary-message"] == ["messages/summary.json"]
    pdfs = {
        e["tenantId"]: e["path"]
        for e in json.loads((run_folder / "manifest.json").read_bytes())["files"]
        if e["kind"] == "customer-pdf"
    }
    for entry in entries:
        if entry["kind"] == "customer-message":
            assert Path(entry["path"]).stem == Path(pdfs[entry["tenantId"]]).stem
    report = verify(run_folder)
    assert report.ok, report.problems
    for entry in entries:
        assert entry["path"] in report.checked
        if entry["kind"] == "customer-message":
            assert f"{entry['path']} (tenant)" in report.checked


def test_verify_finds_a_changed_message(run_folder: Path) -> None:
    entry = next(e for e in message_entries(run_folder) if e["kind"] == "customer-message")
    path = run_folder / entry["path"]
    path.write_bytes(path.read_bytes().replace(b"Attention level", b"Attention levels", 1))
    assert verify(run_folder).problems == [
        f"{entry['path']}: SHA-256 does not match the manifest (the file was changed)"
    ]


def test_verify_finds_a_message_swapped_with_another_customer_s(run_folder: Path) -> None:
    first, second = [e for e in message_entries(run_folder) if e["kind"] == "customer-message"][:2]
    a, b = (run_folder / first["path"]).read_bytes(), (run_folder / second["path"]).read_bytes()
    rewrite_manifest(run_folder, {first["path"]: b, second["path"]: a})

    def swapped(entry: dict[str, str], other: dict[str, str]) -> str:
        tenant, own = other["tenantId"], entry["tenantId"]
        return f"{entry['path']}: names tenant {tenant}, not only tenant {own} the manifest names"

    assert sorted(verify(run_folder).problems) == sorted([swapped(first, second), swapped(second, first)])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not json", "is not valid JSON"),
        (b'{"subject": "s", "text": "t"}\n', "is not a message"),
        (b'{"html": "", "subject": "s", "text": 3}\n', "is not a message"),
        (b'{"html": "", "subject": "a\\r\\nBcc: x@y", "text": ""}\n', "its subject is not one line of plain text"),
    ],
    ids=["text", "two-keys", "number", "two-lines"],
)
def test_verify_finds_a_message_file_that_is_not_one(run_folder: Path, content: bytes, problem: str) -> None:
    rewrite_manifest(run_folder, {"messages/summary.json": content})
    problems = verify(run_folder).problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"messages/summary.json: {problem}"), problems


def test_verify_finds_a_customer_message_that_does_not_name_its_tenant(run_folder: Path) -> None:
    entry = next(e for e in message_entries(run_folder) if e["kind"] == "customer-message")
    message = parse_message((run_folder / entry["path"]).read_bytes(), entry["path"])
    anonymous = MessageFile(
        message.subject, message.text.replace(entry["tenantId"], "-"), message.html.replace(entry["tenantId"], "-")
    )
    rewrite_manifest(run_folder, {entry["path"]: message_bytes(anonymous)})
    assert verify(run_folder).problems == [
        f"{entry['path']}: does not name tenant {entry['tenantId']}, which the manifest names"
    ]
