"""Information-set sampling: a state rebuilt from one role's observation looks the same to that role."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitgame.engine import apply, is_terminal, legal_actions, new_game
from summitgame.engine.observation import observe, sample_state
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset

RULES = {"summit": load_rules(), "trade": load_rules("rules/trade.toml")}


@pytest.mark.parametrize("name", sorted(RULES))
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), sampler=st.integers(0, 2**32))
def test_sampled_state_is_indistinguishable_to_the_viewer(name: str, seed: int, sampler: int) -> None:
    rules: Ruleset = RULES[name]
    s = new_game(rules, seed)
    pick = random.Random(seed).choice
    while not is_terminal(s):
        for role in (0, 1):
            view = observe(s, role)
            t = sample_state(view, random.Random(sampler))
            assert observe(t, role) == view
            assert t.edeck == s.edeck  # the event deck's make-up is public
            assert sorted(t.gdeck + t.hands[1 - role]) == sorted(s.gdeck + s.hands[1 - role])
            if role == s.to_move:
                assert legal_actions(t) == legal_actions(s)
        s = apply(s, pick(legal_actions(s)))


def test_sampling_varies_what_the_viewer_cannot_see() -> None:
    rules = RULES["summit"]
    s = new_game(rules, 3)
    view = observe(s, 0)
    samples = {(t.hands[1], t.agendas[1]) for t in (sample_state(view, random.Random(i)) for i in range(40))}
    assert len(samples) > 10
    assert all(t.agendas[0] == s.agendas[0] for t in (sample_state(view, random.Random(i)) for i in range(5)))


def test_observe_fills_every_field_and_nothing_else() -> None:
    import dataclasses

    from summitgame.engine.observation import Observation

    view = observe(new_game(RULES["summit"], 1), 0)
    names = {f.name for f in dataclasses.fields(Observation)}
    assert set(vars(view)) == names | {"sight"}  # and the cached ``sight`` it was made from
    rebuilt = dataclasses.replace(view)
    assert rebuilt == view and "sight" not in vars(rebuilt) and rebuilt.sight == view.sight
