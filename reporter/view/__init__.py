"""The view-model: a pure layer from the snapshot to exactly what the documents show.

Percentages, rankings, deltas, labels, colours, attention levels and their
reasons are decided here, once; templates and sheets only lay them out.
"""

from reporter.view import language
from reporter.view.brand import Brand
from reporter.view.documents import CustomerView, ReportContext, SummaryView, build_context, period_of
from reporter.view.language import Language

__all__ = [
    "Brand",
    "CustomerView",
    "Language",
    "ReportContext",
    "SummaryView",
    "build_context",
    "language",
    "period_of",
]
