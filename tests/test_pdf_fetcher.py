"""The URL fetcher serves bundled assets, the logo and data: URIs, and nothing else."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdf
import pytest

from reporter.render.fetcher import AssetFetcher, RefusedURLError
from reporter.render.pdf_engine import Engine
from reporter.resources import assets_dir

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def logo(tmp_path: Path) -> Path:
    path = tmp_path / "brand" / "logo.png"
    path.parent.mkdir()
    path.write_bytes(PNG)
    return path


@pytest.fixture
def fetcher(logo: Path) -> AssetFetcher:
    return AssetFetcher([assets_dir()], [logo])


def test_serves_bundled_assets_with_their_type(fetcher: AssetFetcher) -> None:
    response = fetcher.fetch((assets_dir() / "fonts" / "DejaVuSans.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"
    svg = fetcher.fetch((assets_dir() / "default-logo.svg").as_uri())
    assert svg.content_type == "image/svg+xml"


def test_serves_the_configured_logo_and_data_uris(fetcher: AssetFetcher, logo: Path) -> None:
    assert fetcher.fetch(logo.as_uri()).read() == PNG
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        "gopher://example.com/",
    ],
)
def test_refuses_the_network_and_foreign_files(fetcher: AssetFetcher, url: str) -> None:
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)


def test_refuses_files_beside_the_logo_and_escapes_from_assets(fetcher: AssetFetcher, logo: Path) -> None:
    secret = logo.parent / "secret.png"
    secret.write_bytes(PNG)
    with pytest.raises(RefusedURLError):
        fetcher.fetch(secret.as_uri())
    escape = assets_dir().as_uri() + "/../pyproject.toml"
    with pytest.raises(RefusedURLError):
        fetcher.fetch(escape)


def test_a_link_inside_the_assets_that_points_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "assets"
    root.mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    (root / "inside.txt").write_text("fine")
    (root / "link.txt").symlink_to(tmp_path / "outside.txt")
    fetcher = AssetFetcher([root])
    assert fetcher.fetch((root / "inside.txt").as_uri()).read() == b"fine"
    with pytest.raises(RefusedURLError):
        fetcher.fetch((root / "link.txt").as_uri())


def test_a_document_cannot_pull_in_a_foreign_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    engine = Engine(None)
    html = f'<p>before</p><img src="{secret.as_uri()}"><img src="http://127.0.0.1:9/x.png"><p>after</p>'
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        data = engine.pdf(html)
    reader = pypdf.PdfReader(io.BytesIO(data))
    resources = reader.pages[0]["/Resources"]
    assert "/XObject" not in resources or not resources["/XObject"]
    assert "after" in reader.pages[0].extract_text()
