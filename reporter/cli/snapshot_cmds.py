"""`reporter validate` and `reporter schema`."""

from __future__ import annotations

from pathlib import Path

import click

from reporter.cli._base import cli, translate_errors


@cli.command()
@click.argument("snapshot_path", metavar="SNAPSHOT", type=click.Path(path_type=Path))
@translate_errors
def validate(snapshot_path: Path) -> None:
    """Check that SNAPSHOT is a valid snapshot file and print its identity."""
    from reporter import snapshot as snapshot_io  # the model: imported by the commands that use it, not `--help`

    snap = snapshot_io.load(snapshot_path)
    click.echo(
        f"{snapshot_path}: valid snapshot (schema version {snap.schema_version}, "
        f"{len(snap.customers)} customers, {len(snap.requirements)} requirements, "
        f"sha256 {snapshot_io.sha256(snap)})"
    )


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the snapshot format."""
    from reporter import snapshot as snapshot_io

    click.echo(snapshot_io.json_schema_text(), nl=False)
