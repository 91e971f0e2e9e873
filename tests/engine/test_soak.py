"""Soak tests: thousands of random games on both rulesets, invariants at every step (slow; ``-m 'not slow'``
leaves them out)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest

from conftest import check_final, check_state, deal_points
from summitgame.engine import apply, is_terminal, legal_actions, new_game
from summitgame.engine.observation import determinize, observe
from summitgame.engine.scoring import outcome
from summitgame.engine.state import State
from summitgame.rng import agent_seed
from summitgame.rules.actions import ActionKind
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.simulate import game_seed, simulate

pytestmark = pytest.mark.slow

GAMES = 4000


def soak(rules: Ruleset, seed0: int, games: int) -> Counter[str]:
    """Play ``games`` random games checking every state and every outcome; every 10th game also checks
    that determinizing never changes what a player observes."""
    tiers: Counter[str] = Counter()
    for i in range(games):
        seed = seed0 + i
        pick = random.Random(seed).choice
        rng = random.Random(-seed)
        s = new_game(rules, seed)
        deep = i % 10 == 0
        points = [0, 0]
        while True:
            check_state(s)
            if deep:
                for r in (0, 1):
                    assert observe(determinize(s, r, rng), r) == observe(s, r)
            if is_terminal(s):
                break
            a = pick(legal_actions(s))
            if a.kind is ActionKind.ACCEPT:
                points = [p + q for p, q in zip(points, deal_points(s), strict=True)]
            before = s.key()
            nxt = apply(s, a)
            assert s.key() == before
            s = nxt
        assert s.round <= rules.rounds
        check_final(s, points)
        o = outcome(s)
        assert o.tier in rules.tier_ids
        tiers[o.tier] += 1
    return tiers


def test_soak_default_rules(summit_rules: Ruleset) -> None:
    tiers = soak(summit_rules, 10_000, GAMES)
    assert sum(tiers.values()) == GAMES
    missing = [t for t in summit_rules.tier_ids if not tiers[t]]
    assert not missing, f"default tiers never reached: {missing}; distribution {dict(tiers)}"


def test_soak_trade_rules(trade_rules: Ruleset) -> None:
    tiers = soak(trade_rules, 20_000, GAMES)
    assert sum(tiers.values()) == GAMES


@pytest.mark.parametrize("which", ["summit", "trade"])
def test_simulate_agrees_with_checked_play(
    which: str, summit_rules: Ruleset, trade_rules: Ruleset, random_game: Callable[..., State]
) -> None:
    """``simulate`` (unchecked fast path) tallies exactly what checked play of the same seeds gives."""
    rules = summit_rules if which == "summit" else trade_rules
    summary = simulate(rules, 1000, seed=3)
    tiers: Counter[str] = Counter()
    decisions = 0
    for i in range(1000):
        s = random_game(rules, game_seed(3, i), agent_seed(3, i, 0))  # the chooser simulate gives game i
        tiers[outcome(s).tier] += 1
        decisions += s.moves
    assert summary.games == 1000
    assert dict(summary.tiers) == dict(tiers)
    assert summary.decisions == decisions
