"""``RunOptions``: where a run's games are played, one frozen value from the command down to the runner."""

from __future__ import annotations

import dataclasses

import pytest

from summitgame.runs.options import RunOptions


def test_the_keywords_name_only_what_is_set() -> None:
    assert RunOptions().keywords() == {"workers": 1, "move_timeout": None}
    assert RunOptions(2, 1.5, "tcp://host:8786").keywords() == {
        "workers": 2,
        "move_timeout": 1.5,
        "scheduler": "tcp://host:8786",
    }


def test_it_is_frozen_and_replaced_not_changed() -> None:
    base = RunOptions(workers=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.workers = 4  # type: ignore[misc]
    assert dataclasses.replace(base, move_timeout=2.0) == RunOptions(3, 2.0) and base == RunOptions(3)
