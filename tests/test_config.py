"""Collector settings: reporter.toml, then REPORTER_* environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.collect.config import Settings, load_settings
from reporter.errors import ConfigError
from reporter.secret import Secret
from tests.collect_helpers import CLIENT, SECRET, TENANT

ENV = {"REPORTER_TENANT_ID": TENANT, "REPORTER_CLIENT_ID": CLIENT, "REPORTER_CLIENT_SECRET": SECRET}


def write_config(folder: Path, text: str) -> Path:
    path = folder / "reporter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_alone_is_enough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, ENV)
    assert settings.tenant_id == TENANT
    assert settings.client_id == CLIENT
    assert settings.client_secret == Secret(SECRET)
    assert settings.graph_url == "https://graph.microsoft.com"
    assert settings.authority == f"https://login.microsoftonline.com/{TENANT}"
    assert settings.ca_bundle is None


def test_the_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x")
    (tmp_path / "customers.csv").write_text("tenantId,name\n")
    path = write_config(
        tmp_path,
        f"""
        [graph]
        tenant_id = "contoso.onmicrosoft.com"
        client_id = "{CLIENT}"
        graph_url = "https://graph.example/"
        authority_url = "https://login.example"
        ca_bundle = "ca.pem"
        read_timeout = 30
        time_budget = 600.5
        max_connections = 8

        [collect]
        customers_file = "customers.csv"
        page_size = 100
        alerts = false

        [brand]
        name = "Contoso Security"
        anything = ["else"]
        """,
    )
    settings = load_settings(path, {**ENV, "REPORTER_GRAPH_URL": "https://graph.override"})
    assert settings.tenant_id == TENANT
    assert settings.graph_url == "https://graph.override"
    assert settings.authority == f"https://login.example/{TENANT}"
    assert settings.ca_bundle == tmp_path / "ca.pem"
    assert settings.customers_file == tmp_path / "customers.csv"
    assert (settings.read_timeout, settings.time_budget, settings.max_connections) == (30.0, 600.5, 8)
    assert settings.page_size == 100
    assert settings.alerts is False
    assert settings.contracts is True


def test_the_default_file_is_reporter_toml_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, f'[graph]\ntenant_id = "{TENANT}"\nclient_id = "{CLIENT}"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, {"REPORTER_CLIENT_SECRET": SECRET})
    assert settings.tenant_id == TENANT


def test_a_client_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[graph]\nclient_secret = "oops"\n')
    with pytest.raises(ConfigError, match=r"client_secret is not read from the config file.*REPORTER_CLIENT_SECRET"):
        load_settings(path, ENV)


def test_the_secret_never_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, ENV)
    for text in (repr(settings), str(settings), f"{settings.client_secret}", repr(settings.client_secret)):
        assert SECRET not in text
    assert settings.client_secret is not None
    assert settings.client_secret.reveal() == SECRET


def test_the_certificate_passphrase_variable_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "app.pem").write_text("x")
    path = write_config(tmp_path, '[graph]\ncertificate = "app.pem"\ncertificate_password_env = "MY_PASS"\n')
    env = {"REPORTER_TENANT_ID": TENANT, "REPORTER_CLIENT_ID": CLIENT, "MY_PASS": "pw"}
    settings = load_settings(path, env)
    assert settings.certificate == tmp_path / "app.pem"
    assert settings.certificate_password == Secret("pw")
    assert "pw" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[graph]\ntenant = 1\n", ENV, r"\[graph\] unknown key 'tenant' \(known keys: authority_url, ca_bundle, "),
        ("[collect]\npage_size = '100'\n", ENV, r"\[collect\] page_size must be an integer, found '100'"),
        ("[collect]\nalerts = 1\n", ENV, r"alerts must be true or false"),
        ("[graph]\nread_timeout = true\n", ENV, r"read_timeout must be a number"),
        ("[graph]\nread_timeout = -1\n", ENV, r"read_timeout must be a number of seconds above 0"),
        ("[graph]\ntime_budget = nan\n", ENV, r"time_budget must be a number of seconds above 0 .*found nan"),
        ("[graph]\ntime_budget = inf\n", ENV, r"time_budget must be a number of seconds above 0 .*found inf"),
        ("[graph]\nconnect_timeout = 1e400\n", ENV, r"connect_timeout must be a number of seconds above 0"),
        ("graph = 3\n", ENV, r"\[graph\] must be a table"),
        ("[graph\n", ENV, r"not valid TOML"),
        ("", {**ENV, "REPORTER_TENANT_ID": ""}, r"tenant id is missing"),
        ("", {**ENV, "REPORTER_CLIENT_ID": ""}, r"client id is missing"),
        ("", {**ENV, "REPORTER_TENANT_ID": "common"}, r"tenant id 'common' is not a tenant"),
        ("", {**ENV, "REPORTER_TENANT_ID": "Organizations"}, r"is not a tenant"),
        ("", {**ENV, "REPORTER_TENANT_ID": "a b"}, r"not a tenant GUID or domain"),
        ("", {**ENV, "REPORTER_GRAPH_URL": "http://graph.test"}, r"graph URL 'http://graph.test' is not an https URL"),
        ("", {**ENV, "REPORTER_AUTHORITY_URL": "login.test"}, r"authority URL 'login.test' is not an https URL"),
        ("", {**ENV, "REPORTER_GRAPH_URL": "https://graph.test/beta"}, r"includes an API version"),
        ("", {**ENV, "REPORTER_GRAPH_URL": "https://u:pw@graph.test"}, r"^graph URL carries a user name or password"),
        ("", {**ENV, "REPORTER_CLIENT_SECRET": ""}, r"no credential configured"),
        ("", {**ENV, "REPORTER_CA_BUNDLE": "/nonexistent/ca.pem"}, r"ca bundle /nonexistent/ca.pem: no such file"),
    ],
)
def test_bad_settings_are_one_line_config_errors(tmp_path: Path, text: str, env: dict[str, str], message: str) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(path, env)
    assert "\n" not in str(caught.value)


def test_a_secret_and_a_certificate_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "app.pem").write_text("x")
    path = write_config(tmp_path, '[graph]\ncertificate = "app.pem"\n')
    with pytest.raises(ConfigError, match="both a client secret and a certificate"):
        load_settings(path, ENV)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file \S*missing.toml: no such file"):
        load_settings(tmp_path / "missing.toml", ENV)


def test_the_customers_file_option_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    csv = tmp_path / "names.csv"
    csv.write_text("tenantId,name\n")
    assert load_settings(None, ENV, customers_file=csv).customers_file == csv


def test_settings_are_frozen() -> None:
    settings = Settings(tenant_id=TENANT, client_id=CLIENT)
    with pytest.raises(AttributeError):
        settings.tenant_id = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    ['client_secret = "s3cr3t"\n', '[Graph]\nclient_secret = "s3cr3t"\n', '[collect]\nclientSecret = "s3cr3t"\n'],
)
def test_a_secret_anywhere_in_the_file_is_refused_without_showing_it(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="not read from the config file") as caught:
        load_settings(write_config(tmp_path, text), {"REPORTER_TENANT_ID": TENANT, "REPORTER_CLIENT_ID": CLIENT})
    assert "s3cr3t" not in str(caught.value)


def test_a_misspelt_table_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown table or key 'grahp'"):
        load_settings(write_config(tmp_path, "[grahp]\ntenant_id = 'x'\n"), {})
