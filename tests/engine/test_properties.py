"""Hypothesis playthroughs of every bundled ruleset, checking the forward model's invariants at every step.

Each example deals a game from a random seed and picks every action with hypothesis (so a failure
shrinks to a short game). At every step: the structural invariants (``conftest.check_state``),
purity of ``apply`` and ``clone``, that every listed action is accepted and every other refused,
and that observations (and the encoder's fast-path view, ``sight``) show exactly what the viewer may
see. At the end: the end reason, the tier and the scores are recomputed here from the rule data, and
the record replays to the same state.
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from conftest import BUNDLED_NAMES, FEW, SOAK, bundled, check_final, check_state, deal_points
from summitgame.engine import apply, is_terminal, legal_actions, max_decisions, new_game
from summitgame.engine.observation import Observation, determinize, observe, sample_state, sight
from summitgame.engine.scoring import outcome
from summitgame.engine.state import State
from summitgame.errors import IllegalActionError
from summitgame.rules.actions import ActionKind
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import dumps, record_of, replay

SEEDS = st.integers(min_value=-(2**63), max_value=2**64)

#: Everything an observation may hold. A new field must be reviewed for leaks before it is added here.
OBSERVATION_FIELDS = {
    "rules",
    "viewer",
    "round",
    "initiative",
    "phase",
    "to_move",
    "meters",
    "tracks",
    "blocked",
    "public_stakes",
    "my_stakes",
    "my_hand",
    "their_hand_size",
    "my_agenda",
    "their_agenda",
    "my_agenda_revealed",
    "items",
    "proposer",
    "counters",
    "plays",
    "my_points",
    "public_points",
    "net",
    "gained",
    "end",
    "walkouts",
    "history",
    "event",
    "events_left",
    "gesture_deck_size",
    "legal",
}


# --- observations ------------------------------------------------------------------------------------------


def flatten(value: Any) -> list[Any]:
    if isinstance(value, tuple | list):
        return [x for v in value for x in flatten(v)]
    return [value]


def check_observation(s: State, r: int, rng: random.Random) -> None:
    rules = s.rules
    o = 1 - r
    obs = observe(s, r)
    assert observe(s, rules.roles[r]) == obs
    assert {f.name for f in dataclasses.fields(Observation)} == OBSERVATION_FIELDS
    assert obs.viewer == r and obs.role == rules.roles[r]
    assert obs.my_hand == tuple(rules.gesture_ids[g] for g in s.hands[r])
    assert obs.their_hand_size == len(s.hands[o])
    assert obs.my_agenda == rules.agenda_ids[s.agendas[r]]
    assert obs.their_agenda == (rules.agenda_ids[s.agendas[o]] if s.revealed[o] else None)
    assert obs.my_agenda_revealed == s.revealed[r]
    assert obs.legal == (legal_actions(s) if s.to_move == r else ())
    assert (obs.round, obs.meters, obs.tracks, obs.items) == (s.round, s.meters, s.tracks, s.items)
    assert obs.gesture_deck_size == len(s.gdeck)
    assert len(obs.log) == len(s.history_list())
    # no value in the observation is the generator state or an unrevealed opponent agenda
    values = [flatten(getattr(obs, f)) for f in OBSERVATION_FIELDS - {"rules"}]
    flat = [x for vs in values for x in vs]
    assert s.rng not in flat
    assert not any(isinstance(x, State) for x in flat)
    if not s.revealed[o]:
        secret = rules.agenda_ids[s.agendas[o]]
        assert not any(isinstance(x, str) and secret in x for x in flat)
    # a state that differs only in what the viewer cannot see looks the same to it
    before = s.key()
    d = determinize(s, r, rng)
    assert s.key() == before
    check_state(d)
    assert observe(d, r) == obs
    assert sight(d, r) == sight(s, r)  # the fast path's view, too
    assert d.hands[r] == s.hands[r] and d.agendas[r] == s.agendas[r]
    assert len(d.hands[o]) == len(s.hands[o])
    if s.revealed[o]:
        assert d.agendas[o] == s.agendas[o]
    assert (d.meters, d.tracks, d.history, d.edeck, d.stakes) == (s.meters, s.tracks, s.history, s.edeck, s.stakes)
    # a full state rebuilt from the observation alone is a sound state that looks the same
    sampled = sample_state(obs, rng)
    check_state(sampled)
    assert observe(sampled, r) == obs
    assert sight(sampled, r) == sight(s, r)


# --- the playthrough ------------------------------------------------------------------------------------------


def check_step(s: State, a: int) -> State:
    """Apply ``a`` to ``s`` and check purity: input unchanged, clone equal, independent and deterministic."""
    before = s.key()
    c = s.clone()
    assert c == s and hash(c) == hash(s)
    nxt = apply(s, a)
    assert s.key() == before, "apply changed its input"
    assert c == s
    assert apply(c, a) == nxt, "apply is not deterministic"
    assert c == s
    assert nxt.moves == s.moves + 1
    return nxt


def check_every_code(s: State) -> None:
    """Every listed action applies; every other code is refused with a reason; none changes ``s``."""
    before = s.key()
    legal = set(legal_actions(s))
    for a in s.rules.actions.all:
        if a in legal:
            apply(s, a)
        else:
            with pytest.raises(IllegalActionError) as info:
                apply(s, a)
            assert info.value.reason
    assert s.key() == before


def playthrough(rules: Ruleset, seed: int, data: st.DataObject) -> State:
    s = new_game(rules, seed)
    rng = random.Random(seed)
    points = [0, 0]
    limit = max_decisions(rules)
    for _ in range(limit + 1):
        check_state(s)
        for r in (0, 1):
            check_observation(s, r, rng)
        if is_terminal(s):
            break
        legal = legal_actions(s)
        check_every_code(s)
        a = data.draw(st.sampled_from(legal), label="action")
        if a.kind is ActionKind.ACCEPT:
            for r, p in enumerate(deal_points(s)):
                points[r] += p
        s = check_step(s, a)
    assert is_terminal(s), "the game did not end within its round limit"
    assert s.round <= rules.rounds
    check_final(s, points)
    event(f"{outcome(s).tier} by {s.end.label}")
    # the engine's own point keeping agrees with the deals we saw
    T = rules.n_tracks
    for r in (0, 1):
        extra = rules.agenda_stakes[s.agendas[r]]
        assert s.points[r] + sum(extra[t] * s.net[r * T + t] for t in range(T)) == points[r]
    return s


RULESETS = pytest.mark.parametrize("name", BUNDLED_NAMES)


@pytest.mark.parametrize("name", ["summit"])
@FEW
@given(seed=SEEDS, data=st.data())
def test_playthrough(name: str, seed: int, data: st.DataObject) -> None:
    playthrough(bundled(name), seed, data)


@pytest.mark.slow
@RULESETS
@SOAK
@given(seed=SEEDS, data=st.data())
def test_soak_playthrough(name: str, seed: int, data: st.DataObject) -> None:
    """``test_playthrough`` with more examples, on every bundled rule file."""
    playthrough(bundled(name), seed, data)


@RULESETS
@FEW
@given(seed=SEEDS, chooser=st.integers(0, 2**32), cut=st.floats(0, 1))
def test_record_replays_to_an_equal_state(name: str, seed: int, chooser: int, cut: float) -> None:
    rules = bundled(name)
    pick = random.Random(chooser).choice
    states = [new_game(rules, seed)]
    while not is_terminal(states[-1]):
        states.append(apply(states[-1], pick(legal_actions(states[-1]))))
    for s in (states[int(cut * (len(states) - 1))], states[-1]):
        doc = json.loads(dumps(record_of(s)))
        again = replay(doc, rules)
        assert again == s
        assert again.key() == s.key()
        assert legal_actions(again) == legal_actions(s)


@RULESETS
@FEW
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_determinize_plays_on_soundly(name: str, seed: int, chooser: int) -> None:
    """A determinized state is a real game: it plays to the end with every invariant intact."""
    rules = bundled(name)
    rng = random.Random(chooser)
    s = new_game(rules, seed)
    for _ in range(rng.randrange(0, 12)):
        if is_terminal(s):
            break
        s = apply(s, rng.choice(legal_actions(s)))
    viewer = rng.randrange(2)
    d = determinize(s, viewer, rng)
    while not is_terminal(d):
        check_state(d)
        d = apply(d, rng.choice(legal_actions(d)))
    check_state(d)
    assert outcome(d).tier in rules.tier_ids


@pytest.mark.slow
@RULESETS
@SOAK
@given(seed=SEEDS, chooser=st.integers(0, 2**32), cut=st.floats(0, 1))
def test_soak_record_replays_to_an_equal_state(name: str, seed: int, chooser: int, cut: float) -> None:
    test_record_replays_to_an_equal_state.hypothesis.inner_test(name, seed, chooser, cut)


@pytest.mark.slow
@RULESETS
@SOAK
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_soak_determinize_plays_on_soundly(name: str, seed: int, chooser: int) -> None:
    test_determinize_plays_on_soundly.hypothesis.inner_test(name, seed, chooser)


def test_determinize_does_change_the_hidden_parts(summit_rules: Ruleset) -> None:
    s = new_game(summit_rules, 21)
    rng = random.Random(0)
    ds = [determinize(s, 0, rng) for _ in range(30)]
    assert len({d.hands[1] for d in ds}) > 1
    assert len({d.agendas[1] for d in ds}) > 1
    assert len({d.rng for d in ds}) == 30
    assert all(d.hands[0] == s.hands[0] and d.agendas[0] == s.agendas[0] for d in ds)
    # and it draws only from its own stream: the same stream gives the same re-deal
    assert determinize(s, 0, random.Random(5)) == determinize(s, 0, random.Random(5))


# --- a state machine over whole action sequences -------------------------------------------------------------


class Summit(RuleBasedStateMachine):
    """Legal and illegal actions in any order; invariants after each; records replay at any point."""

    def __init__(self) -> None:
        super().__init__()
        self.s: State | None = None

    @property
    def state(self) -> State:
        assert self.s is not None
        return self.s

    @initialize(name=st.sampled_from(BUNDLED_NAMES), seed=SEEDS)
    def deal(self, name: str, seed: int) -> None:
        self.s = new_game(bundled(name), seed)

    @precondition(lambda self: self.s is not None and not is_terminal(self.s))
    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        a = data.draw(st.sampled_from(legal_actions(self.state)))
        self.s = check_step(self.state, a)

    @rule(code=st.integers(-3, 80))
    def illegal(self, code: int) -> None:
        s = self.state
        if code in legal_actions(s):
            return
        before = s.key()
        with pytest.raises(IllegalActionError):
            apply(s, code)
        assert s.key() == before

    @rule()
    def replay_record(self) -> None:
        s = self.state
        assert replay(json.loads(dumps(record_of(s))), s.rules) == s

    @invariant()
    def holds(self) -> None:
        if self.s is not None:
            check_state(self.s)


TestSummitMachine = Summit.TestCase
TestSummitMachine.settings = settings(settings.default, max_examples=25, stateful_step_count=60)
