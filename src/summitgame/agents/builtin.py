"""Imports every shipped agent module so that each registers itself."""

from __future__ import annotations

from . import random_agent  # noqa: F401
