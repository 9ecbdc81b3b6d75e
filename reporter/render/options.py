"""What the caller chooses about a render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporter.render.sign import PdfSigning


@dataclass(frozen=True, slots=True)
class RenderOptions:
    customer_reports: bool = True
    """Write one PDF per customer."""
    customer_workbooks: bool = False
    """Write one workbook per customer beside its PDF."""
    workers: int | None = None
    """Processes for the customer reports; ``None`` uses every core."""
    progress: bool = False
    """Show a progress bar (on a terminal)."""
    languages: Mapping[str, str] = field(default_factory=dict)
    """Each customer's language as the customers file asks for it: lower-case tenant id → BCP 47 tag."""
    signing: PdfSigning | None = None
    """Sign every PDF and the manifest (``[sign]``); None writes them unsigned."""
