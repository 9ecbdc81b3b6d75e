"""`reporter evidence`: an audit pack of a run folder, for the partner or for one customer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from reporter.cli._base import cli, config_option, translate_errors
from reporter.cli._config import read_config, signing

if TYPE_CHECKING:
    from reporter.render.sign import SigningIdentity


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The zip to write (a new file).",
)
@click.option("--customer", metavar="TENANT_ID", help="Only this customer's files, in a manifest signed again.")
@config_option
@translate_errors
def evidence(run_dir: Path, out: Path, customer: str | None, config_file: Path | None) -> None:
    """Pack RUN_DIR into a zip an auditor can check without reporter (see VERIFY.txt inside).

    The run folder must verify first. A customer pack of a signed run is signed with the
    [sign] certificate the run was signed with.
    """
    config = read_config(config_file)

    def signer() -> SigningIdentity | None:
        pdf_signing = signing(config)
        return pdf_signing.identity if pdf_signing else None

    from reporter.evidence_pack import make_pack  # pypdf and the verifier: not for `--help`

    pack = make_pack(run_dir, out, customer=customer, signer=signer)
    what = f"tenant {pack.tenant_id}'s" if pack.tenant_id else "the run's"
    signed = "signed" if pack.signed else "NOT signed"
    click.echo(f"{out}: {what} evidence pack, {pack.files} files in {pack.folder}/, {signed}")
