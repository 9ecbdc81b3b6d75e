"""Renderers: each output format is a module with ``render(context, out_dir) -> list[Artifact]``."""
