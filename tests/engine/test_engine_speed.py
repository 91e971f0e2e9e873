"""The engine's fast paths give the answers of the plain ones: the set-up template, the cached decision points
(legal actions looked up, not worked out), and the checked ``apply`` on its frozen set of codes (issue 16)."""

from __future__ import annotations

import dataclasses
import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BUNDLED_NAMES, bundled
from summitgame import rng as _rng
from summitgame.engine import apply, apply_unchecked, legal_actions, new_game
from summitgame.engine import forward as engine
from summitgame.engine.observation import observe, sample_state
from summitgame.engine.state import EndReason, State
from summitgame.errors import IllegalActionError
from summitgame.rules.effects import draw_cards
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset

SEEDS = st.integers(min_value=-(2**63), max_value=2**64)


def reference_new_game(rules: Ruleset, seed: int) -> State:
    """``new_game`` as it was written before the template: every field worked out, hands dealt by draw_cards."""
    s = State.__new__(State)
    s.rules = rules
    s.seed = seed
    rng = _rng.seed_state(seed)
    s.round = 1
    s.meters = rules.meter_start
    s.tracks = rules.track_start
    s.blocked = (0,) * rules.n_tracks
    s.stakes = rules.stake
    rng, i = _rng.below(rng, len(rules.agenda_allowed[0]))
    a0 = rules.agenda_allowed[0][i]
    choices = [a for a in rules.agenda_allowed[1] if a != a0]
    if not choices:
        others = [a for a in rules.agenda_allowed[0] if a != a0]
        rng, i = _rng.below(rng, len(others))
        a0 = others[i]
        choices = [a for a in rules.agenda_allowed[1] if a != a0]
    rng, i = _rng.below(rng, len(choices))
    s.agendas = (a0, choices[i])
    s.revealed = (False, False)
    if rules.first_initiative >= 0:
        s.initiative = rules.first_initiative
    else:
        rng, s.initiative = _rng.below(rng, 2)
    s.rng = rng
    s.hands = ((), ())
    s.gdeck = tuple(sorted(rules.gesture_pool))
    draw_cards(s, 0, rules.hand_size)
    draw_cards(s, 1, rules.hand_size)
    s.edeck = tuple(sorted(rules.event_pool))
    s.points = (0, 0)
    s.net = (0,) * (2 * rules.n_tracks)
    s.end = EndReason.NONE
    s.walkouts = ()
    s.history = ()
    s.event = -1
    s.moves = 0
    s._legal = None
    engine._start_round(s)
    return s


@pytest.mark.parametrize("name", BUNDLED_NAMES)
@settings(max_examples=60, deadline=None)
@given(seed=SEEDS)
def test_new_game_from_the_template_deals_as_before(name: str, seed: int) -> None:
    rules = bundled(name)
    assert new_game(rules, seed).key() == reference_new_game(rules, seed).key()


@pytest.mark.parametrize(
    "overrides",
    [
        ["rounds.first_initiative=moscow"],
        ["rounds.opening_event=hypersonic_missile_test"],
        ["rounds.opening_event=OPENING_DRAW", "rounds.first_initiative=washington"],
    ],
)
@settings(max_examples=20, deadline=None)
@given(seed=SEEDS)
def test_new_game_with_a_fixed_initiative_or_opening_event_deals_as_before(overrides: list[str], seed: int) -> None:
    """Round 1's event is applied from a table worked out on the opening board, per initiative; an event that draws
    cards is run on the game instead. Both give the state the plain set-up gives."""
    rules = _overridden(tuple(o.replace("OPENING_DRAW", OPENING_DRAW) for o in overrides))
    assert new_game(rules, seed).key() == reference_new_game(rules, seed).key()


OPENING_DRAW = "g20_sidelines"
"""An event of the default deck whose effects draw cards (so round 1 runs them on the game, not from the table)."""

_RULES: dict[tuple[str, ...], Ruleset] = {}


def _overridden(overrides: tuple[str, ...]) -> Ruleset:
    if overrides not in _RULES:
        _RULES[overrides] = load_rules(None, overrides)
    return _RULES[overrides]


@pytest.mark.parametrize("name", BUNDLED_NAMES)
@settings(max_examples=25, deadline=None)
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_cached_legal_actions_are_the_worked_out_ones(name: str, seed: int, chooser: int) -> None:
    rules = bundled(name)
    pick = random.Random(chooser)
    s = new_game(rules, seed)
    while True:
        legal = legal_actions(s)
        assert legal == engine._legal_now(s)
        fresh = s.clone()  # no decision point: found again from its context
        assert legal_actions(fresh) == legal
        if s.to_move >= 0:
            # a state rebuilt from an observation (mid-package too) has no path into the cache
            sampled = sample_state(observe(s, s.to_move), random.Random(chooser))
            assert legal_actions(sampled) == legal
        if not legal:
            break
        a = pick.choice(legal)
        nxt = apply(s, a)
        assert nxt.key() == apply_unchecked(s.clone(), int(a)).key()  # with and without a decision point
        s = nxt


def test_apply_checks_codes_as_before(summit_rules: Ruleset) -> None:
    s = new_game(summit_rules, 3)
    for bad in (True, 10**6, -1, int(summit_rules.actions.all[engine.ACCEPT])):
        with pytest.raises(IllegalActionError):
            apply(s, bad)
    legal = legal_actions(s)
    assert apply(s, int(legal[-1])).key() == apply(s, legal[-1]).key()


def test_the_engine_cache_is_not_pickled_and_rebuilds(summit_rules: Ruleset) -> None:
    new_game(summit_rules, 1)
    assert summit_rules.engine_memo is not None
    copy = pickle.loads(pickle.dumps(summit_rules))
    assert copy.engine_memo is None
    assert new_game(copy, 5).key() == new_game(summit_rules, 5).key()
    assert copy.engine_memo is not None


def test_the_decision_points_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = load_rules()  # fresh rules, so a fresh cache
    monkeypatch.setattr(engine, "_NODES_MAX", 40)
    seen = 0
    for seed in range(40):
        s = new_game(rules, seed)
        pick = random.Random(seed)
        while s.to_move >= 0:
            assert legal_actions(s) == engine._legal_now(s)  # a cache started afresh answers the same
            s = apply(s, pick.choice(legal_actions(s)))
            seen = max(seen, rules.engine_memo.nodes)
    assert 0 < seen < 40 + 30  # at most a turn's worth past the budget before it starts afresh
    prep = rules.engine_memo
    kept = len(prep.heads) + sum(len(c.packages) + len(c.openings) + len(c.answers) for c in prep.contexts.values())
    assert kept == rules.engine_memo.nodes


_PLAIN: dict[str, Ruleset] = {}


def _unmemoised(name: str) -> Ruleset:
    """The bundled rules with the engine's effect memos turned off (a copy: its own engine tables)."""
    if name not in _PLAIN:
        plain = _PLAIN[name] = dataclasses.replace(bundled(name))
        prep = engine._prepare(plain)
        prep.memos = (None,) * len(prep.memos)
    return _PLAIN[name]


@pytest.mark.parametrize("name", BUNDLED_NAMES)
@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_memoised_effects_leave_what_running_them_leaves(name: str, seed: int, chooser: int) -> None:
    rules = bundled(name)  # shared across examples, so its memos fill and are hit
    assert any(m is not None for m in engine._prepare(rules).memos)
    pick = random.Random(chooser)
    s, plain = new_game(rules, seed), new_game(_unmemoised(name), seed)
    while s.to_move >= 0:
        assert s.key() == plain.key()
        a = pick.choice(legal_actions(s))
        s, plain = apply(s, a), apply(plain, a)
    assert s.key() == plain.key()


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS)
def test_new_game_redeals_role_0_as_before_when_it_drew_role_1s_only_agenda(seed: int) -> None:
    """The draw that redeals role 0 shifts every later draw by one: the set-up's draws mixed at once (lanes) must
    still be taken in order."""
    base = bundled("summit")
    a, b = base.agenda_allowed[0][:2]
    rules = dataclasses.replace(base, agenda_allowed=((a, b), (a,)))  # role 0 drawing ``a`` leaves role 1 nothing
    s = new_game(rules, seed)
    assert s.key() == reference_new_game(rules, seed).key()
    assert s.agendas == (b, a)
