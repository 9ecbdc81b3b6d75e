"""The only way a document reaches outside itself: bundled assets, the logo, ``data:``.

WeasyPrint asks its URL fetcher for every stylesheet, font and image a document
names. Ours serves files under the bundled assets folder, the configured logo
file and ``data:`` URIs, and refuses everything else: other local files, the
network, any other scheme. A name that smuggled a URL into a report could
therefore fetch nothing, even if escaping failed.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".ttf": "font/ttf", ".css": "text/css"}


class RefusedURLError(ValueError):
    """The document asked for something outside what reports may use."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves files under ``roots``, the single ``files`` given, and ``data:`` URIs.

    A file in ``prepared`` is served as the bytes given there (the logo, checked
    and scaled down) instead of what the file holds.
    """

    def __init__(
        self,
        roots: Iterable[Path],
        files: Iterable[Path] = (),
        prepared: Mapping[Path, tuple[bytes, str]] | None = None,
    ) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self._roots = tuple(r.resolve() for r in roots)
        self._prepared = {p.resolve(): v for p, v in (prepared or {}).items()}
        self._files = frozenset(f.resolve() for f in files) | frozenset(self._prepared)

    def allows(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved in self._files or any(resolved.is_relative_to(root) for root in self._roots)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURLError(f"refused to fetch {url[:80]}: reports use bundled assets only")
        path = Path(unquote(parts.path))
        if not self.allows(path):
            raise RefusedURLError(f"refused to read {path}: not a bundled asset or the configured logo")
        if path.resolve() in self._prepared:
            body, media_type = self._prepared[path.resolve()]
            return URLFetcherResponse(path.resolve().as_uri(), body, {"Content-Type": media_type})
        data = path.resolve().read_bytes()
        content_type = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        return URLFetcherResponse(
            path.resolve().as_uri(), data, {"Content-Type": content_type or "application/octet-stream"}
        )
