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
    from reporter.demo import DEMO_SEND_RATE, run_demo
    from reporter.render.options import RenderOptions
    from reporter.send import progress as send_progress

    with progress_for(sys.stderr) as progress:
        demo_result = run_demo(
            out_dir,
            options=RenderOptions(progress=sys.stderr.isatty()),
            progress=progress,
            send_progress=send_progress.progress_for(sys.stderr, DEMO_SEND_RATE),
        )
    results = demo_result.runs
    for result in results:
        changes = f", changes since {result.previous_period}" if result.previous_period else ""
        click.echo(f"{result.folder}: {len(result.artifacts)} files{changes} (snapshot {result.snapshot_sha256[:12]})")
    latest = results[-1].folder
    click.echo(f"Open {latest / 'summary.pdf'}, {latest / 'workbook.xlsx'} and {latest / 'customers'}/")
    report = demo_result.sent
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("sent", "already sent", "not sent") if report.count(s))
    click.echo(
        f"Sent through the emulator's Exchange mailbox ({counts}); the delivered mail is in "
        f"{demo_result.mail_folder}/ (recipients from {demo_result.customers_file}; "
        f"reporter send {latest} --status --customers-file {demo_result.customers_file} "
        f"--ledger {out_dir / 'deliveries.sqlite'} lists them)"
    )
