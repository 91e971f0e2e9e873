"""Seeded games replay byte for byte against the stored golden traces (see golden_playthrough.py)."""

from __future__ import annotations

import pytest

from conftest import CLASSIC_FINGERPRINT
from golden_playthrough import CASES, HERE, trace


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_trace_unchanged(name: str) -> None:
    path, seed = CASES[name]
    expected = (HERE / "golden" / f"{name}.txt").read_text(encoding="utf-8")
    assert trace(path, seed) == expected, "behaviour changed: rerun python tests/golden_playthrough.py and review"


def test_trace_is_deterministic() -> None:
    path, seed = CASES["summit_seed11"]
    assert trace(path, seed) == trace(path, seed)


def test_the_classic_trace_is_the_first_edition() -> None:
    """The classic trace plays rules/classic.toml under the first edition's fingerprint, which never changes."""
    path, seed = CASES["classic_seed11"]
    assert path == "rules/classic.toml"
    head = (HERE / "golden" / "classic_seed11.txt").read_text(encoding="utf-8").splitlines()[0]
    assert head == f"rules Summit {CLASSIC_FINGERPRINT} seed {seed}"
