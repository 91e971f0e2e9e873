"""Scores have one formula (``scoring.score_parts``): the outcome adds its terms, the end screen shows them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from summitgame.engine import max_decisions, new_game
from summitgame.engine.scoring import outcome, score_parts, scores, tier_index
from summitgame.engine.state import State
from summitgame.play.screen import _score_rows
from summitgame.rules.ruleset import Ruleset


@pytest.mark.parametrize("seed", range(12))
def test_the_outcome_and_the_end_screen_add_up_the_same_parts(
    any_rules: Ruleset, random_game: Callable[..., State], seed: int
) -> None:
    s = random_game(any_rules, seed)
    o = outcome(s)
    tier = tier_index(s)
    for r, row in enumerate(_score_rows(s)):
        parts = score_parts(s, r, tier)
        assert row[1:5] == parts  # deals, bonus, walk-out, pressure: as the outcome counts them
        assert sum(parts) == o.scores[any_rules.roles[r]] == row[5] == scores(s, tier)[r]
        assert parts[2] == (-any_rules.walkout_penalty if r in s.walkouts else 0) and parts[3] <= 0


def test_max_decisions_bounds_random_games_and_is_openspiels_length(
    any_rules: Ruleset, random_game: Callable[..., State]
) -> None:
    longest = max(random_game(any_rules, seed).moves for seed in range(40))
    assert new_game(any_rules, 0).moves == 0 and 0 < longest <= max_decisions(any_rules)
    pytest.importorskip("pyspiel")
    from summitgame.integrations.openspiel import config

    assert config("", (), 1).max_moves == max_decisions(config("", (), 1).rules)
