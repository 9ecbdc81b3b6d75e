"""`reporter render`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reporter.cli._base import cli, translate_errors
from reporter.cli._config import customer_languages, read_config, signing


@cli.command()
@click.argument("snapshot_path", metavar="SNAPSHOT", type=click.Path(path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder to write the documents to."
)
@click.option("--brand", "brand_file", type=click.Path(path_type=Path), help="A TOML file with the [brand] settings.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="Configuration file, checked whole; its [brand] table is used (default: ./reporter.toml if it exists).",
)
@click.option(
    "--customers-file",
    type=click.Path(path_type=Path),
    help="CSV with each customer's language [default: [collect] customers_file].",
)
@click.option("--no-customer-reports", is_flag=True, help="Write the executive summary only, no customer PDFs.")
@click.option("--customer-workbooks", is_flag=True, help="Also write one workbook per customer.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes for the customer reports (default: every core).")
@translate_errors
def render(
    snapshot_path: Path,
    out_dir: Path,
    brand_file: Path | None,
    config_file: Path | None,
    customers_file: Path | None,
    no_customer_reports: bool,
    customer_workbooks: bool,
    workers: int | None,
) -> None:
    """Write the PDF reports, workbooks, snapshot copy and manifest for SNAPSHOT into --out."""
    config = read_config(config_file, brand_file)
    brand = config.brand
    languages = customer_languages(config, customers_file)
    signer = signing(config)  # a certificate that cannot sign is refused now, before any rendering
    from reporter import snapshot as snapshot_io

    snap = snapshot_io.load(snapshot_path)  # a bad snapshot is told before the renderers are even loaded
    # Imported here, not above: commands that render nothing start without WeasyPrint and matplotlib.
    from reporter.render.options import RenderOptions
    from reporter.render.run import render_folder

    options = RenderOptions(
        customer_reports=not no_customer_reports,
        customer_workbooks=customer_workbooks,
        workers=workers,
        progress=sys.stderr.isatty(),
        languages=languages,
        signing=signer,
    )
    artifacts = render_folder(snap, out_dir, brand, options)
    click.echo(f"{out_dir}: wrote {len(artifacts) + 1} files (manifest.json lists them)")
