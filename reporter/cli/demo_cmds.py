"""`reporter demo`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reporter.cli._base import cli, translate_errors


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports") / "demo",
    show_default=True,
    help="Folder for the demo's periods and archive.",
)
@translate_errors
def demo(out_dir: Path) -> None:
    """Run the monthly job on built-in data: emulator, real client, archive, every document."""
    # Imported here, not above: `reporter --help` and the other commands start without them.
    from reporter.collect.progress import progress_for
    from reporter.demo import run_demo
    from reporter.render.options import RenderOptions

    with progress_for(sys.stderr) as progress:
        results = run_demo(out_dir, options=RenderOptions(progress=sys.stderr.isatty()), progress=progress)
    for result in results:
        changes = f", changes since {result.previous_period}" if result.previous_period else ""
        click.echo(f"{result.folder}: {len(result.artifacts)} files{changes} (snapshot {result.snapshot_sha256[:12]})")
    latest = results[-1].folder
    click.echo(f"Open {latest / 'summary.pdf'}, {latest / 'workbook.xlsx'} and {latest / 'customers'}/")
