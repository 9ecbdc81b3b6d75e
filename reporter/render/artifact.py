"""What a renderer hands back: one file it wrote, for the manifest."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class ArtifactKind(StrEnum):
    SUMMARY_PDF = "summary-pdf"
    CUSTOMER_PDF = "customer-pdf"
    WORKBOOK = "workbook"
    CUSTOMER_WORKBOOK = "customer-workbook"
    SNAPSHOT = "snapshot"


@dataclass(frozen=True, slots=True)
class Artifact:
    path: Path
    """Relative to the output folder."""
    kind: ArtifactKind
    sha256: str
    tenant_id: str | None = None
