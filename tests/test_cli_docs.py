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
