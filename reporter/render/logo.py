"""The brand logo, checked and made as small as a page needs, once, before any document uses it.

A PNG must decode in full (a broken body used to print a blank box) and its
pixel count, read from the header, is capped before anything is decoded (a
30,000 × 30,000 logo would take gigabytes). A larger logo than the header box
can show is scaled down to ``MAX_SIDE`` pixels on its long side; the result is
the same bytes on every run, as the PDFs it goes into are reproducible.

An SVG is bounded in size and refused when it would reach outside itself
(links to other files or the network, style sheets, scripts, entity
declarations): the documents fetch nothing but bundled assets and the logo.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import ConfigError
from reporter.files import read_regular_file

MAX_PIXELS = 80_000_000
"""Largest PNG accepted, in pixels (width × height), checked from the header before decoding: an
8,000 × 8,000 logo is scaled down (decoded once per process), a 30,000 × 30,000 one refused."""
MAX_SIDE = 600
"""Long side, in pixels, a logo is scaled down to: the header box is a few centimetres wide."""
MAX_PNG_BYTES = 32 * 1024 * 1024
MAX_SVG_BYTES = 1024 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HINT = "use a PNG or SVG of a few hundred pixels, with nothing linked from outside the file"
_LOCAL_REF = re.compile(r"\s*(#|data:)", re.IGNORECASE)
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"]*)", re.IGNORECASE)
_FORBIDDEN_TAGS = frozenset({"script", "foreignobject", "iframe", "object", "embed"})


class LogoError(ConfigError):
    """The logo file cannot be used; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class Logo:
    """The bytes a document embeds for the logo, and their media type."""

    data: bytes
    media_type: str


def prepare(path: Path) -> Logo:
    """The logo at ``path`` as the documents embed it, or ``LogoError`` saying why it cannot be used.

    Prepared once per process and file version: the check when the configuration is read
    and every PDF engine after it (forked PDF workers inherit it) share one decoding.
    """
    try:
        version = path.stat()
    except OSError:
        return _prepare(path)  # says why, in one line
    return _prepared(path.resolve(), version.st_mtime_ns, version.st_size)


@functools.lru_cache(maxsize=4)
def _prepared(path: Path, mtime_ns: int, size: int) -> Logo:
    return _prepare(path)


def _prepare(path: Path) -> Logo:
    kind = path.suffix.lower()
    if kind not in (".png", ".svg"):
        raise LogoError(f"brand logo {path} must be a PNG or SVG file", _HINT)
    limit = MAX_PNG_BYTES if kind == ".png" else MAX_SVG_BYTES
    data = _read(path, limit)
    return _png(data, path) if kind == ".png" else _svg(data, path)


def _read(path: Path, limit: int) -> bytes:
    """A regular file only (a FIFO or a device is refused at once), at most ``limit`` bytes."""
    return read_regular_file(
        path, "brand logo", limit, LogoError, hint="logo paths are relative to the file that names them"
    )


def _png(data: bytes, path: Path) -> Logo:
    from PIL import Image, ImageFile  # Pillow comes with matplotlib; imported here to keep start-up light

    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 24:
        raise LogoError(f"brand logo {path} is not a valid PNG file")
    width, height = struct.unpack(">II", data[16:24])  # from the header, before anything is decoded
    if width * height > MAX_PIXELS:
        raise LogoError(
            f"brand logo {path} is {width:,} × {height:,} pixels, more than {MAX_PIXELS // 1_000_000} megapixels",
            _HINT,
        )
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES  # WeasyPrint turns this on; a logo must decode in full
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            if max(width, height) <= MAX_SIDE and len(data) <= 1024 * 1024:
                return Logo(data, "image/png")
            return Logo(_downscale(image), "image/png")
    except LogoError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise LogoError(f"brand logo {path} is not a valid PNG file ({_reason(exc)})", _HINT) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated


def _downscale(image: object) -> bytes:
    """``image`` at most ``MAX_SIDE`` pixels on its long side, as PNG bytes that are the same on every run."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    work = image if image.mode in ("L", "LA", "RGB", "RGBA") else image.convert("RGBA")
    scale = MAX_SIDE / max(work.size)
    size = (max(1, round(work.width * scale)), max(1, round(work.height * scale))) if scale < 1 else work.size
    small = work.resize(size, Image.Resampling.LANCZOS) if size != work.size else work
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:120] or type(exc).__name__


def _svg(data: bytes, path: Path) -> Logo:
    head = data[:4096]
    if b"<svg" not in head:
        raise LogoError(f"brand logo {path} is not a valid SVG file")
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE) or b"<?xml-stylesheet" in data:
        raise LogoError(f"brand logo {path} declares a document type or entities", _HINT)
    try:
        root = ET.fromstring(data)  # noqa: S314 (no DOCTYPE or entity can be left, checked above)
    except ET.ParseError as exc:
        raise LogoError(f"brand logo {path} is not a valid SVG file ({_reason(exc)})", _HINT) from None
    if _local(root.tag) != "svg":
        raise LogoError(f"brand logo {path} is not a valid SVG file (its root is not <svg>)")
    for element in root.iter():
        tag = _local(element.tag) if isinstance(element.tag, str) else ""
        if tag in _FORBIDDEN_TAGS:
            raise LogoError(f"brand logo {path} holds a <{tag}> element", _HINT)
        texts = [("", element.text or "")] if tag == "style" else []
        for name, value in [*element.attrib.items(), *texts]:
            if _local(name) == "href" and not _LOCAL_REF.match(value):
                raise LogoError(f"brand logo {path} links to {value[:60]!r} outside the file", _HINT)
            for target in _URL.findall(value):
                if not _LOCAL_REF.match(target):
                    raise LogoError(f"brand logo {path} links to {target[:60]!r} outside the file", _HINT)
            if "@import" in value:
                raise LogoError(f"brand logo {path} imports a style sheet", _HINT)
    return Logo(data, "image/svg+xml")


def _local(name: str) -> str:
    """``{namespace}tag`` → ``tag``, lower-case."""
    return name.rsplit("}", 1)[-1].lower()
