"""`reporter collect`."""

from __future__ import annotations
