"""Placeholder until the pdf renderer lands."""

from __future__ import annotations

from pathlib import Path

from reporter.render.artifact import Artifact
from reporter.render.options import RenderOptions
from reporter.view import ReportContext


def render(context: ReportContext, out_dir: Path, options: RenderOptions) -> list[Artifact]:
    return []
