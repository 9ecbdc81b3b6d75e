"""The ``[sign]`` table of the configuration file: who signs the documents, and how.

    [sign]
    certificate = "signing.pem"             # PEM (key and chain) or PFX, relative to this file
    tsa_url = "https://timestamp.example"   # optional: an RFC 3161 timestamp on each signature
    level = "B-T"                           # B-B (no timestamp), B-T (default with tsa_url), B-LT

The passphrase of the key comes only from ``REPORTER_SIGN_PASSWORD``. Without the
table, documents are not signed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from reporter.config import Config
from reporter.errors import ConfigError
from reporter.render.sign import Level, SignSettings

_KEYS = ("certificate", "level", "tsa_url")
_HINT = "see the [sign] section in the README"


def sign_settings(config: Config) -> SignSettings | None:
    """The ``[sign]`` table of ``config``, checked; None without one (documents are not signed)."""
    table = config.table("sign")
    if table is None:
        return None
    where = f"{config.where}: [sign]"
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{where} unknown key {key!r}", f"known keys: {', '.join(_KEYS)}")
    certificate = table.get("certificate")
    if not isinstance(certificate, str) or not certificate.strip():
        raise ConfigError(f"{where} certificate must name a PEM or PFX file", _HINT)
    tsa_url = table.get("tsa_url")
    if tsa_url is not None:
        tsa_url = _url(tsa_url, where)
    default = Level.B_T if tsa_url else Level.B_B
    written = table.get("level", default.value)
    try:
        level = Level(str(written).upper()) if isinstance(written, str) else None
    except ValueError:
        level = None
    if level is None:
        raise ConfigError(f"{where} level must be one of B-B, B-T, B-LT, found {written!r:.40}", _HINT)
    if level is not Level.B_B and not tsa_url:
        raise ConfigError(f"{where} level {level.value} needs a timestamp", 'set tsa_url, or level = "B-B"')
    if level is Level.B_B and tsa_url:
        raise ConfigError(
            f"{where} level B-B has no timestamp, but tsa_url is set", 'remove tsa_url, or set level = "B-T"'
        )
    return SignSettings(certificate=config.path_of(certificate), level=level, tsa_url=tsa_url)


def _url(value: object, where: str) -> str:
    """An http(s) URL with a host and no credentials in it (they would end up in logs and messages)."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} tsa_url must be a URL (a string)", _HINT)
    url = value.strip()
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # a port that is not a number is refused here
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(f"{where} tsa_url {url!r:.80} is not an http(s) URL", _HINT)
    if parts.username or parts.password:
        raise ConfigError(f"{where} tsa_url must not carry a user name or password", _HINT)
    return url
