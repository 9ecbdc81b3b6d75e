"""`reporter verify` and `reporter history`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reporter.cli._base import cli, translate_errors
from reporter.errors import DataError

DEFAULT_ARCHIVE = Path("reports") / "archive"


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The archive to compare a run folder with [default: archive/ beside it, if there is one].",
)
@click.option(
    "--trust",
    "trust_files",
    type=click.Path(path_type=Path),
    multiple=True,
    help="PEM file of CA certificates to trust for signatures and timestamps (repeatable) [default: none trusted].",
)
@click.option(
    "--require-trust",
    is_flag=True,
    help="Fail on any warning: a signature or timestamp --trust does not vouch for, or a run that is not signed.",
)
@translate_errors
def verify(path: Path, archive_dir: Path | None, trust_files: tuple[Path, ...], require_trust: bool) -> None:
    """Check a run folder (or one PDF) against its manifest, embedded data, signatures and archive.

    Prints one line for each signature, a warning for each signer that --trust does not
    vouch for, and every mismatch; exits 0 only when everything matches.
    """
    from reporter.verify import verify as verify_path  # pypdf, pyHanko: imported by the one command that needs them

    report = verify_path(path, archive_dir, trust_files)
    for item in report.not_checked:
        click.echo(f"NOT CHECKED {item}")
    for item in report.signatures:
        click.echo(f"CHECKED {item}")
    for warning in report.warnings:
        click.echo(f"WARNING {warning}")
    for problem in report.problems:
        click.echo(f"MISMATCH {problem}")
    if report.ok and require_trust and report.warnings:
        click.echo(f"{path}: {len(report.warnings)} warning(s), and --require-trust makes each a failure", err=True)
        sys.exit(1)
    if report.ok:
        warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
        click.echo(f"{path}: OK ({len(report.checked)} checks{warned})")
        return
    click.echo(f"{path}: {len(report.problems)} problem(s) found", err=True)
    sys.exit(1)


@cli.command()
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_ARCHIVE,
    show_default=True,
    help="The archive folder.",
)
@click.option("--rebuild-index", is_flag=True, help="Rebuild index.sqlite from the archived snapshots first.")
@translate_errors
def history(archive_dir: Path, rebuild_index: bool) -> None:
    """List the archived snapshots, one period a line."""
    if not archive_dir.is_dir():
        what = "is not a folder" if archive_dir.exists() else "no such archive folder"
        raise DataError(f"{archive_dir}: {what}", "give --archive the folder reporter run keeps its snapshots in")
    from reporter.archive import Archive  # the model: imported by the commands that use it, not `--help`

    if rebuild_index:
        click.echo(Archive(archive_dir).rebuild_index().summary())
    entries = Archive(archive_dir).entries()
    if not entries:
        click.echo(f"{archive_dir}: no archived snapshots yet")
        return
    click.echo(f"{'period':<8}  {'collected at':<25}  {'customers':>9}  {'gaps':>4}  sha256")
    for e in entries:
        click.echo(f"{e.period:<8}  {e.collected_at:<25}  {e.customers:>9}  {e.data_gaps:>4}  {e.sha256}")
