"""The configuration file as the commands see it: read once, every table checked, whatever the command.

``collect``, ``render``, ``run`` and ``send`` all call ``read_config``, so a file with a
secret, an unknown table or a bad key is refused by each of them, before any
work, even when the command does not use the table at fault. Credentials are
not looked at here: ``settings_from(config.collect, os.environ)`` does that,
and only a command about to collect calls it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.collect.config import FileSettings, file_settings
from reporter.config import RunTable, load_config, run_table
from reporter.send.config import SendSettings, send_settings

if TYPE_CHECKING:
    from reporter.render.sign import PdfSigning, SignSettings
    from reporter.view import Brand


@dataclass(frozen=True)
class CommandConfig:
    """Each table of the configuration file, checked by its owner."""

    collect: FileSettings
    """``[graph]`` and ``[collect]``, without the environment."""
    brand: Brand
    """``[brand]``, or the default brand."""
    run: RunTable
    send: SendSettings
    """``[send]`` (and ``[send.smtp]`` as written), without the environment."""
    sign: SignSettings | None = None
    """``[sign]``: None when documents are not signed. The certificate is read by ``signing``."""


def read_config(config_file: Path | None, brand_file: Path | None = None) -> CommandConfig:
    """``--config FILE`` (or ``./reporter.toml``), with the brand of ``--brand FILE`` when given."""
    from reporter.render.brand_config import brand_from, read_brand_file  # the views: not for `--help`
    from reporter.render.sign_config import sign_settings

    config = load_config(config_file)
    collect = file_settings(config)
    brand = brand_from(config)
    run = run_table(config)
    send = send_settings(config)
    sign = sign_settings(config)
    if brand_file is not None:
        brand = read_brand_file(brand_file)
    return CommandConfig(collect=collect, brand=brand, run=run, send=send, sign=sign)


def customer_languages(config: CommandConfig, customers_file: Path | None) -> dict[str, str]:
    """Each customer's language from ``--customers-file`` (or ``[collect] customers_file``): tenant id → tag."""
    path = customers_file or config.send.customers_file
    if path is None:
        return {}
    from reporter.customers import load_customers_file

    return load_customers_file(path).languages()


def signing(config: CommandConfig) -> PdfSigning | None:
    """The signer ``[sign]`` names, its certificate read and checked now, before any rendering; None unsigned."""
    if config.sign is None:
        return None
    from reporter.render.sign import PdfSigning, signing_identity

    return PdfSigning(signing_identity(config.sign, os.environ))
