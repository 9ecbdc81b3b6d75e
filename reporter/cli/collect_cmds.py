"""`reporter collect`."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from reporter.atomic import check_output_file, write_bytes
from reporter.cli._base import cli, config_option, translate_errors
from reporter.cli._config import read_config
from reporter.collect.config import settings_from


@cli.command()
@config_option
@click.option(
    "--customers-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV with tenantId,name,domain: names that override and extend those from contracts.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the snapshot (JSON).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each retry and token refresh on stderr.")
@translate_errors
def collect(config_file: Path | None, customers_file: Path | None, out: Path, verbose: bool) -> None:
    """Collect a snapshot of the partner security score from Microsoft Graph.

    Credentials come from the environment: REPORTER_TENANT_ID, REPORTER_CLIENT_ID
    and REPORTER_CLIENT_SECRET (or REPORTER_CERTIFICATE, a PEM or PFX file,
    with REPORTER_CERTIFICATE_PASSWORD), or from the [graph] table of the config
    file (never the secret).

    Exit status: 0 complete; 2 written, but an optional source (alerts, customer
    names) could not be read; 1 failed, and no file was written.
    """
    settings = settings_from(read_config(config_file).collect, os.environ, customers_file=customers_file)
    check_output_file(out)
    # Imported here, not above: commands that do not collect start without httpx, msal and rich.
    from reporter import snapshot as snapshot_io
    from reporter.collect.collector import collect as collect_snapshot
    from reporter.collect.progress import progress_for

    with _verbose_log(verbose), progress_for(sys.stderr) as progress:
        snap = collect_snapshot(settings, progress=progress)
    write_bytes(out, snapshot_io.dumps(snap))
    sources = [gap.source for gap in snap.provenance.data_gaps if gap.source.isalpha()]  # a whole source
    items = len(snap.provenance.data_gaps) - len(sources)  # one item changed or left out (the gap says which)
    gaps = "".join(f"; {source} missing" for source in sources)
    gaps += f"; {items} item{'s' if items > 1 else ''} changed or left out (see the data gaps)" if items else ""
    rows = len(snap.provenance.unmatched_customer_rows)
    gaps += f"; {rows} customers-file row{'s' if rows > 1 else ''} for a tenant Graph did not list" if rows else ""
    score = "unknown" if snap.score.current_score is None else f"{snap.score.current_score:g}"
    click.echo(
        f"{out}: score {score}, {len(snap.requirements)} requirements, {len(snap.customers)} customers, "
        f"{len(snap.alerts)} alerts, {len(snap.provenance.requests)} requests{gaps} "
        f"(sha256 {snapshot_io.sha256(snap)})"
    )
    if snap.provenance.data_gaps:
        sys.exit(2)  # complete, but with data gaps: as `reporter run` says it


@contextmanager
def _verbose_log(verbose: bool) -> Iterator[None]:
    """With ``--verbose``, reporter's own log (never httpx's or msal's) goes to stderr."""
    if not verbose:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("reporter")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
