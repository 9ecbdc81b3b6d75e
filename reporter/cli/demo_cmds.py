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
@click.option(
    "--months",
    type=click.IntRange(1, 12),
    default=2,
    show_default=True,
    help="Months of the emulator's timeline to archive; the last is rendered with their trends.",
)
@translate_errors
def demo(out_dir: Path, months: int) -> None:
    """Run the monthly job on built-in data: emulator, real client, archive, every document.

    Earlier months are archived only; `reporter run --period YYYY-MM --out OUT --archive OUT/archive`
    renders any of them again.
    """
    # Imported here, not above: `reporter --help` and the other commands start without them.
    from reporter.collect.progress import progress_for
    from reporter.demo import DEMO_SEND_RATE, demo_periods, run_demo
    from reporter.render.options import RenderOptions
    from reporter.send import progress as send_progress

    with progress_for(sys.stderr) as progress:
        periods = demo_periods(months)
        demo_result = run_demo(
            out_dir,
            periods=periods,
            options=RenderOptions(progress=sys.stderr.isatty()),
            progress=progress,
            send_progress=send_progress.progress_for(sys.stderr, DEMO_SEND_RATE),
        )
    results = demo_result.runs
    if len(periods) > 1:
        click.echo(f"{out_dir / 'archive'}: {len(periods)} months archived, {periods[0]} to {periods[-1]}")
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
