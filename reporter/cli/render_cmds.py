"""`reporter render`."""

from __future__ import annotations
