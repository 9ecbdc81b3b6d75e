"""One configuration file, read the same way by every command; the [run] table; credentials only to collect."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reporter import snapshot as snapshot_io
from reporter.archive import Archive
from reporter.cli import cli
from reporter.config import load_config, run_table
from reporter.errors import ConfigError
from tests.collect_helpers import CLIENT, SECRET, TENANT

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "northwind-partners" / "snapshot.json"
ARCHIVED = "2024-03"
NO_CREDENTIALS: dict[str, str | None] = dict.fromkeys(
    (
        "REPORTER_TENANT_ID",
        "REPORTER_CLIENT_ID",
        "REPORTER_CLIENT_SECRET",
        "REPORTER_CERTIFICATE",
        "REPORTER_GRAPH_URL",
        "REPORTER_AUTHORITY_URL",
    )
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def reporter(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env={**NO_CREDENTIALS, **(env or {})})


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("reporter: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr


# --- item 14: every command refuses the same files ------------------------------------------------

BAD_FILES = {
    "secret": (f'[graph]\nclient_secret = "{SECRET}"\n', "client_secret is not read from the config file"),
    "secret in brand": (f'[brand]\nname = "C"\nclient-secret = "{SECRET}"\n', "is not read from the config file"),
    "passphrase": ('[graph]\ncertificate_password = "hunter2"\n', "REPORTER_CERTIFICATE_PASSWORD"),
    "unknown table": ('[grahp]\ntenant_id = "x"\n', "unknown table or key 'grahp'"),
    "bad sign level": ('[sign]\ncertificate = "sign.pem"\nlevel = "B-Q"\n', "[sign] level must be one of"),
    "sign password": ('[sign]\ncertificate = "sign.pem"\npassword = "hunter2"\n', "REPORTER_SIGN_PASSWORD"),
    "sign without timestamp": ('[sign]\ncertificate = "s.pem"\nlevel = "B-LT"\n', "level B-LT needs a timestamp"),
    "bad graph key": ("[graph]\ntenant = 1\n", "[graph] unknown key 'tenant'"),
    "bad run key": ('[run]\nouput = "x"\n', "[run] unknown key 'ouput'"),
    "bad brand": ('[brand]\nprimary_colour = "red"\n', "is not a #RRGGBB colour"),
    "not TOML": ("[graph\n", "not valid TOML"),
    "bad send key": ('[send]\nsendr = "a@b.example"\n', "[send] unknown key 'sendr'"),
    "bad send transport": ('[send]\ntransport = "pigeon"\n', '[send] transport must be "graph" or "smtp"'),
    "smtp password": ('[send]\ntransport = "smtp"\n[send.smtp]\npassword = "hunter2"\n', "REPORTER_SMTP_PASSWORD"),
    "bad partner address": ('[send]\npartner_to = ["Boss <boss@x.example>"]\n', "is not a plain e-mail address"),
    "smtp table without smtp": ('[send]\n[send.smtp]\nhost = "x"\n', "[send.smtp] is given but transport is"),
}


@pytest.mark.parametrize("text", [text for text, _ in BAD_FILES.values()], ids=list(BAD_FILES))
@pytest.mark.parametrize("command", ["collect", "render", "run", "send"])
def test_every_command_refuses_the_same_config_file(tmp_path: Path, command: str, text: str) -> None:
    message = next(m for t, m in BAD_FILES.values() if t == text)
    config = tmp_path / "reporter.toml"
    config.write_text(text, encoding="utf-8")
    args: dict[str, list[str | Path]] = {
        "collect": ["collect", "--config", config, "--out", tmp_path / "snap.json"],
        "render": ["render", SAMPLE, "--config", config, "--out", tmp_path / "out"],
        "run": ["run", "--config", config, "--out", tmp_path / "out"],
        "send": ["send", tmp_path / "out", "--config", config],
    }
    env: dict[str, str | None] = {"REPORTER_TENANT_ID": TENANT, "REPORTER_CLIENT_ID": CLIENT}
    err = one_line_error(reporter(*args[command], env={**env, "REPORTER_CLIENT_SECRET": SECRET}))
    assert message in err
    assert SECRET not in err
    assert "hunter2" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reporter.toml"]  # nothing written


def test_render_reads_reporter_toml_of_the_working_folder_by_default(tmp_path: Path) -> None:
    (tmp_path / "reporter.toml").write_text(f'[graph]\nclient_secret = "{SECRET}"\n', encoding="utf-8")
    err = one_line_error(reporter("render", SAMPLE, "--out", tmp_path / "out"))
    assert "reporter.toml: [graph] client_secret is not read from the config file" in err


def test_a_secret_in_an_array_of_tables_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "x.toml"
    config.write_text(f'[[brand]]\nsecret = "{SECRET}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not read from the config file") as caught:
        load_config(config)
    assert SECRET not in str(caught.value)


def test_a_brand_file_holding_a_secret_is_refused(tmp_path: Path) -> None:
    brand = tmp_path / "brand.toml"
    brand.write_text(f'name = "Contoso"\nclient_secret = "{SECRET}"\n', encoding="utf-8")
    err = one_line_error(reporter("render", SAMPLE, "--brand", brand, "--out", tmp_path / "out"))
    assert "brand.toml: client_secret is not read from the config file" in err
    assert SECRET not in err


# --- item 23: the [run] table ---------------------------------------------------------------------


def test_the_run_table_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    config = tmp_path / "etc" / "reporter.toml"
    config.write_text('[run]\nout = "../reports"\narchive = "/srv/archive"\n', encoding="utf-8")
    table = run_table(load_config(config))
    assert table.out == tmp_path / "etc" / ".." / "reports"
    assert table.archive == Path("/srv/archive")
    assert run_table(load_config(None)).out is None


@pytest.mark.parametrize("text", ["[run]\nout = 3\n", '[run]\nout = ""\n'])
def test_a_run_folder_must_be_a_path(tmp_path: Path, text: str) -> None:
    config = tmp_path / "reporter.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[run\] out must be a folder path"):
        run_table(load_config(config))


@pytest.fixture
def archived_config(tmp_path: Path) -> Path:
    """etc/reporter.toml whose [run] table names var/out and var/archive, which holds ARCHIVED."""
    (tmp_path / "etc").mkdir()
    Archive(tmp_path / "var" / "archive").put(ARCHIVED, snapshot_io.load(SAMPLE))
    config = tmp_path / "etc" / "reporter.toml"
    config.write_text('[run]\nout = "../var/out"\narchive = "../var/archive"\n', encoding="utf-8")
    return config


def test_run_takes_its_folders_from_the_run_table(tmp_path: Path, archived_config: Path) -> None:
    # item 25 too: re-rendering an archived period needs no tenant id and no credentials
    result = reporter("run", "--config", archived_config, "--period", ARCHIVED, "--no-customer-reports")
    assert result.exit_code == 0, result.output
    assert "snapshot from the archive" in result.stdout
    assert (tmp_path / "var" / "out" / ARCHIVED / "summary.pdf").is_file()
    assert not (tmp_path / "reports").exists()


def test_command_line_folders_win_over_the_run_table(tmp_path: Path, archived_config: Path) -> None:
    out = tmp_path / "elsewhere"
    result = reporter("run", "--config", archived_config, "--period", ARCHIVED, "--out", out, "--no-customer-reports")
    assert result.exit_code == 0, result.output
    assert (out / ARCHIVED / "summary.pdf").is_file()  # the archive still comes from [run]
    assert not (tmp_path / "var" / "out").exists()
    assert not (out / "archive").exists()


# --- item 25: credentials are needed only to collect ---------------------------------------------


def test_collecting_this_month_without_a_tenant_id_asks_for_it(tmp_path: Path, archived_config: Path) -> None:
    this_month = datetime.now(UTC).strftime("%Y-%m")
    err = one_line_error(reporter("run", "--config", archived_config, "--period", this_month))
    assert "the tenant id is missing" in err
    assert not (tmp_path / "var" / "out" / this_month).exists()


def test_an_archived_period_is_rendered_again_without_credentials(tmp_path: Path) -> None:
    Archive(tmp_path / "archive").put(ARCHIVED, snapshot_io.load(SAMPLE))
    config = tmp_path / "empty.toml"
    config.touch()
    args = ["--out", tmp_path / "out", "--archive", tmp_path / "archive", "--no-customer-reports"]
    result = reporter("run", "--config", config, "--period", ARCHIVED, *args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / ARCHIVED / "summary.pdf").is_file()
