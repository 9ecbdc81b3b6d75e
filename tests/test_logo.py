"""The brand logo: checked when the configuration is read, made small, the same bytes every run.

Broken, enormous or outward-linking logos are refused in one line naming the
file; large ones reach the PDF scaled down to what the header box needs.
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from reporter.errors import ConfigError
from reporter.render import logo as logos
from reporter.render.brand_config import default_brand, load_brand
from reporter.render.pdf_engine import Engine
from reporter.render.pdf_summary import summary_pdf
from reporter.view import build_context
from tests import factories as f


def _png_bytes(width: int, height: int, mode: str = "RGB") -> bytes:
    image = Image.new(mode, (width, height), "#2A9D8F")
    for x in range(0, width, 7):  # something to scale, not one flat colour
        image.putpixel((x, (x * 3) % height), (200, 30, 30) if mode == "RGB" else 0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _huge_png(side: int) -> bytes:
    """A real, valid 1-bit PNG of ``side`` × ``side`` pixels, all zeros: small on disk, gigantic decoded."""
    row = b"\x00" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return logos.PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def _config(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / name).write_bytes(data)
    config = tmp_path / "reporter.toml"
    config.write_text(f'[brand]\nname = "Contoso"\nlogo = "{name}"\n', encoding="utf-8")
    return config


def _refused(tmp_path: Path, name: str, data: bytes) -> str:
    config = _config(tmp_path, name, data)
    with pytest.raises(ConfigError) as caught:
        load_brand(None, config)
    message = str(caught.value)
    assert "\n" not in message
    assert str(tmp_path / name) in message
    return message


def test_a_png_with_a_broken_body_is_refused_when_the_config_is_read(tmp_path: Path) -> None:
    good = _png_bytes(120, 80)
    broken = good[: len(good) // 2] + b"\x00" * 64 + good[-12:]  # header intact, image data cut
    assert "not a valid PNG" in _refused(tmp_path, "logo.png", broken)


def test_a_png_of_too_many_pixels_is_refused_from_its_header_before_decoding(tmp_path: Path) -> None:
    started = time.monotonic()
    message = _refused(tmp_path, "logo.png", _huge_png(30_000))
    assert "30,000 × 30,000 pixels" in message
    assert "megapixels" in message
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("svg", "reason"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="https://tracker.example/p.png" width="9" height="9"/></svg>',
            "outside the file",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', "outside the file"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(http://x.example/a)"/></svg>', "outside"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "http://x.example/s.css";</style></svg>', "import"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "entities"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ],
)
def test_an_svg_reaching_outside_itself_is_refused(tmp_path: Path, svg: bytes, reason: str) -> None:
    assert reason in _refused(tmp_path, "logo.svg", svg)


def test_an_svg_too_large_is_refused(tmp_path: Path) -> None:
    filler = b"<!-- " + b"x" * logos.MAX_SVG_BYTES + b" -->"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">' + filler + b"</svg>"
    assert "larger than" in _refused(tmp_path, "logo.svg", svg)


def test_an_svg_with_local_references_and_styles_is_accepted(tmp_path: Path) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b"<defs><linearGradient id='g'/><style>.a{fill:url(#g)}</style></defs>"
        b'<rect class="a" style="fill:url(#g)"/><use xlink:href="#g"/></svg>'
    )
    assert load_brand(None, _config(tmp_path, "logo.svg", svg)).logo == (tmp_path / "logo.svg").resolve()


def test_an_8000_pixel_square_logo_is_scaled_down_not_refused(tmp_path: Path) -> None:
    config = _config(tmp_path, "logo.png", _huge_png(8_000))
    brand = load_brand(None, config)
    assert brand.logo is not None
    with Image.open(io.BytesIO(logos.prepare(brand.logo).data)) as small:
        assert small.size == (logos.MAX_SIDE, logos.MAX_SIDE)


def test_a_large_logo_reaches_the_pdf_scaled_down_and_the_same_every_time(tmp_path: Path) -> None:
    config = _config(tmp_path, "logo.png", _png_bytes(3000, 1500))
    brand = load_brand(None, config)
    first, second = logos.prepare(brand.logo), logos.prepare(brand.logo)  # type: ignore[arg-type]
    assert first == second
    with Image.open(io.BytesIO(first.data)) as small:
        assert small.size == (logos.MAX_SIDE, logos.MAX_SIDE // 2)
    context = build_context(f.snapshot(customers=(f.customer("0a1b2c3d-0000-4000-8000-000000000001", "A"),)), brand)
    pdf = summary_pdf(Engine(brand.logo), context.summary)
    sizes = [
        (int(xobject["/Width"]), int(xobject["/Height"]))
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        for xobject in _images(page)
    ]
    assert (logos.MAX_SIDE, logos.MAX_SIDE // 2) in sizes
    assert (3000, 1500) not in sizes, sizes  # the charts are there too; the logo is never at full size
    assert summary_pdf(Engine(brand.logo), context.summary) == pdf


def _images(page: pypdf.PageObject) -> list[pypdf.generic.DictionaryObject]:
    """The image XObjects a page draws, directly or through form XObjects."""
    found = []
    pending = [page.get("/Resources")]
    while pending:
        resources = pending.pop()
        resources = resources.get_object() if resources is not None else None
        for xobject in (resources or {}).get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject)
            elif xobject.get("/Subtype") == "/Form":
                pending.append(xobject.get("/Resources"))
    return found


def test_the_default_logo_passes_its_own_checks() -> None:
    logo = default_brand().logo
    assert logo is not None
    assert logos.prepare(logo).media_type == "image/svg+xml"
