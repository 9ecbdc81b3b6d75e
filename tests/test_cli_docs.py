"""Every command the CLI offers is in the README's command table."""

from pathlib import Path

import pytest

from reporter.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_in_the_readme(name: str) -> None:
    assert f"`reporter {name}" in README


def test_the_readme_starts_with_the_two_commands() -> None:
    head = README[: README.index("## ")]
    assert "make demo" in head
    assert "make test" in head


def test_the_readme_configuration_example_is_accepted(tmp_path: Path) -> None:
    from reporter.collect.config import load_settings

    example = README.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "reporter.toml"
    path.write_text(example, encoding="utf-8")
    settings = load_settings(path, {"REPORTER_CLIENT_SECRET": "from-the-environment"})
    assert settings.tenant_id == "00000000-0000-0000-0000-000000000000"
