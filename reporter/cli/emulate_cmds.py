"""`reporter emulate`."""

from __future__ import annotations
