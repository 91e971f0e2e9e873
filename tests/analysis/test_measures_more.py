"""The measures issue 13 reads: ``margin:TIER`` (is TIER the most common outcome?) and ``forced_share``."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitgame.analysis.measures import measure, readers
from summitgame.analysis.metrics import GameMetrics, game_metrics
from summitgame.engine import apply, legal_actions, new_game
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import record_of


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    return load_rules()


@pytest.fixture(scope="module")
def games(rules: Ruleset) -> list[GameMetrics]:
    out = []
    for seed in range(40):
        s = new_game(rules, seed)
        pick = random.Random(seed).choice
        while s.to_move >= 0:
            s = apply(s, pick(legal_actions(s)))
        out.append(game_metrics(record_of(s), rules, seed))
    return out


def test_every_tier_has_a_margin_and_the_forced_share_is_a_measure(rules: Ruleset) -> None:
    names = readers(rules)
    assert all(f"margin:{t}" in names for t in rules.tier_ids)
    assert "forced_share" in names


@settings(max_examples=40, deadline=None)
@given(tiers=st.lists(st.sampled_from(["failed", "incremental", "symbolic"]), min_size=1, max_size=60))
def test_the_margin_is_the_share_less_the_largest_other_share(
    rules: Ruleset, games: list[GameMetrics], tiers: list[str]
) -> None:
    sample = [dataclasses.replace(games[i % len(games)], tier=t) for i, t in enumerate(tiers)]
    n = len(sample)
    share = {t: tiers.count(t) / n for t in rules.tier_ids}
    got = measure(rules, sample, [f"margin:{t}" for t in rules.tier_ids])
    for t in rules.tier_ids:
        m = got[f"margin:{t}"]
        assert m.value == pytest.approx(share[t] - max(v for u, v in share.items() if u != t))
        assert m.low <= m.value <= m.high and m.n == n
        # positive exactly when t is strictly the most common tier
        assert (m.value > 0) == all(share[t] > v for u, v in share.items() if u != t)


def test_the_forced_share_is_forced_decisions_over_all_decisions(rules: Ruleset, games: list[GameMetrics]) -> None:
    m = measure(rules, games, ["forced_share"])["forced_share"]
    forced = sum(sum(g.forced.values()) for g in games)
    total = sum(g.decisions for g in games)
    assert m.value == pytest.approx(forced / total)
    assert 0.0 <= m.low <= m.value <= m.high <= 1.0
    none = [dataclasses.replace(g, forced={}) for g in games]
    assert measure(rules, none, ["forced_share"])["forced_share"].value == 0.0
