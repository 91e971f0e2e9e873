"""HTML reports of sweeps and sensitivity runs (placeholder until the charts land)."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any


def sweep_html(doc: Mapping[str, Any]) -> str:
    """A minimal page holding the sweep document."""
    return f"<!doctype html><pre>{html.escape(json.dumps(doc, indent=1))}</pre>"


def sensitivity_html(doc: Mapping[str, Any]) -> str:
    """A minimal page holding the sensitivity document."""
    return f"<!doctype html><pre>{html.escape(json.dumps(doc, indent=1))}</pre>"
