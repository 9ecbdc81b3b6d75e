"""`reporter run`: the monthly job."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reporter.cli._base import cli, config_option, translate_errors
from reporter.cli._config import customer_languages, read_config, signing
from reporter.collect.config import configured_tenant, settings_from

if TYPE_CHECKING:
    from reporter.model import Snapshot

DEFAULT_OUT = Path("reports")


@cli.command()
@config_option
@click.option("--period", help="The month to report, YYYY-MM [default: this month, UTC].")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder that receives OUT/YYYY-MM/ [default: [run] out of the config file, else ./reports].",
)
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Snapshot archive [default: [run] archive of the config file, else OUT/archive].",
)
@click.option("--force", is_flag=True, help="Collect again even if the period is already archived.")
@click.option("--customers-file", type=click.Path(path_type=Path, dir_okay=False), help="CSV of customer names.")
@click.option("--brand", "brand_file", type=click.Path(path_type=Path), help="A TOML file with the [brand] settings.")
@click.option("--no-customer-reports", is_flag=True, help="Write the executive summary only, no customer PDFs.")
@click.option("--customer-workbooks", is_flag=True, help="Also write one workbook per customer.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes for the customer reports [default: every core].")
@click.option("--send", "then_send", is_flag=True, help="Then email each customer its report (see reporter send).")
@translate_errors
def run(
    config_file: Path | None,
    period: str | None,
    out_dir: Path | None,
    archive_dir: Path | None,
    force: bool,
    customers_file: Path | None,
    brand_file: Path | None,
    no_customer_reports: bool,
    customer_workbooks: bool,
    workers: int | None,
    then_send: bool,
) -> None:
    """Collect, archive and render this month's reports into OUT/YYYY-MM/.

    Exit status: 0 complete, 2 complete but with data gaps, 1 failed (nothing of
    the period written). Running a period again reuses its archived snapshot.
    With --send, the reports are then sent as `reporter send OUT/YYYY-MM` does
    (its exit status wins when it is not 0).
    """
    config = read_config(config_file, brand_file)  # every mistake in the file is reported now, before any work
    out_dir = out_dir or config.run.out or DEFAULT_OUT
    archive_dir = archive_dir or config.run.archive or out_dir / "archive"
    from reporter.archive import Archive, check_begun  # the model: not for `--help`

    if then_send:  # a send that cannot start is said now, before collecting and rendering
        from reporter.send.open import check_ready

        check_ready(config.send, config.collect.graph, os.environ, customers_file=customers_file)
    signer = signing(config)  # a certificate that cannot sign is refused now, before collecting and rendering
    this_month = datetime.now(UTC).strftime("%Y-%m")
    period = check_begun(this_month if period is None else period, this_month)  # now, before the renderers are imported
    # Imported here, not above: commands that render nothing start without WeasyPrint and matplotlib.
    from reporter.collect.progress import progress_for
    from reporter.monthly import run_period
    from reporter.render.options import RenderOptions

    options = RenderOptions(
        customer_reports=not no_customer_reports,
        customer_workbooks=customer_workbooks,
        workers=workers,
        progress=sys.stderr.isatty(),
        languages=customer_languages(config, customers_file),
        signing=signer,
    )
    with progress_for(sys.stderr) as progress:

        def collect_now() -> Snapshot:
            # Credentials are needed only to collect: a period re-rendered from the archive asks for none.
            from reporter.collect.collector import collect

            settings = settings_from(config.collect, os.environ, customers_file=customers_file)
            return collect(settings, progress=progress)

        archive = Archive(archive_dir)
        result = run_period(
            period,
            out_dir,
            archive,
            collect_now,
            config.brand,
            options,
            force=force,
            this_month=this_month,
            partner_tenant_id=configured_tenant(config.collect, os.environ),
        )
    how = "collected" if result.collected else "from the archive"
    changes = f", changes since {result.previous_period}" if result.previous_period else ""
    changes += f", trends over {result.trend_months} months" if result.trend_months > 1 else ""
    gaps = f", {result.data_gaps} data gap(s): see the reports" if result.data_gaps else ""
    rows = result.unlisted_rows
    gaps += f", {rows} customers-file row(s) for tenants Graph did not list: see the summary" if rows else ""
    click.echo(f"{result.folder}: {len(result.artifacts)} files, snapshot {how}{changes}{gaps}")
    for why in result.trend_gaps:
        click.echo(f"warning: the trends show {why} (restore it from a backup, or check the archive)", err=True)
    if then_send:
        from reporter.cli.send_cmds import send_folder

        sent = send_folder(result.folder, config, customers_file=customers_file)
        sys.exit(sent or result.exit_code)
    sys.exit(result.exit_code)
