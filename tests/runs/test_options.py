"""``RunOptions``: where a run's games are played, one frozen value from the command down to the runner."""

from __future__ import annotations

import dataclasses

import pytest

from summitgame.runs.options import HERE, RunOptions


def test_the_default_plays_every_game_in_this_process() -> None:
    assert HERE == RunOptions() == RunOptions(1, None, None, None)


def test_it_is_frozen_and_replaced_not_changed() -> None:
    base = RunOptions(workers=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.workers = 4  # type: ignore[misc]
    assert dataclasses.replace(base, move_timeout=2.0) == RunOptions(3, 2.0) and base == RunOptions(3)
