"""Seeded games replay byte for byte against the stored golden traces (see golden_playthrough.py)."""

from __future__ import annotations

import pytest

from golden_playthrough import CASES, HERE, trace


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_trace_unchanged(name: str) -> None:
    path, seed = CASES[name]
    expected = (HERE / "golden" / f"{name}.txt").read_text(encoding="utf-8")
    assert trace(path, seed) == expected, "behaviour changed: rerun python tests/golden_playthrough.py and review"


def test_trace_is_deterministic() -> None:
    path, seed = CASES["summit_seed11"]
    assert trace(path, seed) == trace(path, seed)
