"""Benchmarks with the performance targets, each measured against a reference in the same run.

``python -m bench`` (``make bench``) runs them and prints one table; see ``bench/__main__.py``.
One module per family: ``collect``, ``pdf``, ``workbook``, ``run`` (the whole monthly job).
"""
