"""The one effect interpreter (``effects.py``): typed compiled values, and the agents' board-only path held to
the engine's on every card of every bundled rule file.

The engine applies effects to a state through ``effects.apply_effects``; an agent pricing a card runs the same
``effects.run`` on bare lists with a ``Tally`` as its sink. Hypothesis deals random states (random play, then
a random board: meters, tracks, who gained, the round) and checks, for every event, every gesture and every
proposal or end-of-round effect list, both acting roles: the meters and tracks agree exactly, and the tally's
cards and reveals agree with the state's hands and reveals wherever no limit binds.
"""

from __future__ import annotations

import dataclasses
import random
import typing
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BUNDLED_NAMES, bundled, walk
from summitgame.agents.evaluate import Valuer, _tier
from summitgame.engine.observation import observe
from summitgame.engine.scoring import tier_index
from summitgame.engine.state import State
from summitgame.rules import effects as fx
from summitgame.rules import schema
from summitgame.rules.describe import Describer
from summitgame.rules.effects import EndReason, Tally, apply_effects, first_tier, run
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset


def effect_lists(rules: Ruleset) -> Iterator[tuple[str, tuple[fx.Effect, ...]]]:
    """Every compiled effect list of a ruleset, named: each event's and gesture's, the answers', the drift's."""
    for i, effects in enumerate(rules.event_effects):
        yield f"event {rules.event_ids[i]}", effects
    for i, effects in enumerate(rules.gesture_effects):
        yield f"gesture {rules.gesture_ids[i]}", effects
    for name in ("on_accept", "on_reject", "on_pass", "end_effects"):
        yield name, getattr(rules, name)


def kinds(union: object) -> set[str]:
    """The ``kind`` literals of a schema union (``schema.Effect`` or ``schema.Condition``)."""
    out: set[str] = set()
    for member in typing.get_args(typing.get_args(union)[0]):
        (literal,) = typing.get_args(member.model_fields["kind"].annotation)
        out.add(literal)
    return out


# --- the vocabulary ------------------------------------------------------------------------------------


def test_every_schema_kind_has_exactly_one_class() -> None:
    """Each effect and condition kind a rule file may name compiles to exactly one class here."""
    assert sorted(c.kind for c in fx.EFFECTS) == sorted(kinds(schema.Effect))
    assert sorted(c.kind for c in fx.CONDITIONS) == sorted(kinds(schema.Condition))


def test_compiled_values_are_typed_frozen_and_slotted() -> None:
    """Every card of every bundled rule file compiles to typed values (no opcode tuples), immutable and small."""
    for name in BUNDLED_NAMES:
        rules = bundled(name)
        conditions = [c for tier in (*rules.tier_any, *rules.tier_all) for c in tier]
        for _, effects in effect_lists(rules):
            for e in effects:
                assert isinstance(e, fx.EFFECTS)
                assert not hasattr(e, "__dict__")
                with pytest.raises(dataclasses.FrozenInstanceError):
                    e.when = ()  # type: ignore[misc]
                conditions += e.when
        assert conditions
        for c in conditions:
            assert isinstance(c, fx.CONDITIONS)
            assert not hasattr(c, "__dict__")


def test_each_kind_is_compiled_from_a_rule_file() -> None:
    """One effect of each kind, with a condition of each kind allowed on it, compiles and applies as its rule
    data says (a check on the compiler and the interpreter together, independent of the bundled cards)."""
    rules = load_rules(
        None,
        [
            "rounds.end_effects=[]",
            "proposals.on_accept=["
            "{kind='change_meter',meter='trust',by=2,when=[{kind='round',at_most=1}]},"
            "{kind='change_track',track='arms',by=1,when=[{kind='tracks',at_least='talks',count=1}]},"
            "{kind='change_stake',track='arms',who='both',by=3,when=[{kind='gained',who='self',value=false}]},"
            "{kind='draw',who='self',count=1,when=[{kind='meter',meter='trust',at_least=0}]},"
            "{kind='discard',who='other',count=1},"
            "{kind='block_track',track='syria',rounds=2,when=[{kind='track',track='arms',at_least='talks'}]},"
            "{kind='reveal_agenda',who='other'}]",
        ],
    )
    assert [type(e) for e in rules.on_accept] == [
        fx.MoveMeter,
        fx.MoveTrack,
        fx.MoveStake,
        fx.DrawCards,
        fx.DiscardCards,
        fx.Block,
        fx.Reveal,
    ]
    text = Describer(rules.spec).effects(rules.spec.proposals.on_accept)
    assert len(text.split("; ")) == 7 and "if it is round 1 or earlier" in text  # one sentence a kind
    s = next(walk(rules, 3)).clone()
    before = s.clone()
    apply_effects(s, rules.on_accept, 0)
    trust = rules.meter_slot["trust"][0]
    arms = rules.track_ids.index("arms")
    syria = rules.track_ids.index("syria")
    assert s.meters[trust] == min(rules.meter_max[trust], before.meters[trust] + 2)
    assert s.tracks[arms] == before.tracks[arms] + 1  # arms starts at talks: the condition holds
    T = rules.n_tracks
    assert [s.stakes[r * T + arms] - before.stakes[r * T + arms] for r in (0, 1)] == [3, 3]
    assert len(s.hands[0]) == len(before.hands[0]) + 1
    assert len(s.hands[1]) == len(before.hands[1]) - 1
    assert s.blocked[syria] == s.round + 1
    assert s.revealed == (before.revealed[0], True)


# --- the agents' path against the engine's, on random states -----------------------------------------


def random_state(rules: Ruleset, seed: int, steps: int, data: st.DataObject) -> State:
    """A state from random play, then a random board: any meters within bounds, tracks, gains and round."""
    s = next(walk(rules, seed))
    for k, t in enumerate(walk(rules, seed)):
        s = t
        if k >= steps or t.to_move < 0:
            break
    s = s.clone()
    if data.draw(st.booleans(), label="random board"):
        s.meters = tuple(
            data.draw(st.integers(lo, hi), label=f"meter slot {i}")
            for i, (lo, hi) in enumerate(zip(rules.meter_min, rules.meter_max, strict=True))
        )
        s.tracks = tuple(data.draw(st.integers(0, rules.top_stage), label=f"track {t}") for t in range(rules.n_tracks))
        s.gained = (data.draw(st.booleans(), label="gained 0"), data.draw(st.booleans(), label="gained 1"))
        s.round = data.draw(st.integers(1, rules.rounds), label="round")
    return s


class Recorder(Tally):
    """A tally that also keeps the cards asked to be drawn and discarded per role, to tell when a limit binds."""

    __slots__ = ("discards", "draws")

    def __init__(self) -> None:
        super().__init__()
        self.draws = [0, 0]
        self.discards = [0, 0]

    def draw(self, role: int, count: int) -> None:
        super().draw(role, count)
        self.draws[role] += count

    def discard(self, role: int, count: int) -> None:
        super().discard(role, count)
        self.discards[role] += count


@given(
    name=st.sampled_from(BUNDLED_NAMES),
    seed=st.integers(0, 2**32),
    steps=st.integers(0, 80),
    data=st.data(),
)
def test_the_board_path_is_the_engines_on_every_card(name: str, seed: int, steps: int, data: st.DataObject) -> None:
    """For every effect list of the rule file and both acting roles, ``run`` on bare lists with a tally (what
    agents price cards with) moves meters and tracks exactly as the engine moves the state, and counts the
    cards and reveals the state shows, wherever no hand limit, empty deck or empty hand binds."""
    rules = bundled(name)
    s = random_state(rules, seed, steps, data)
    for label, effects in effect_lists(rules):
        for me in (0, 1):
            after = s.clone()
            apply_effects(after, effects, me)
            meters, tracks = list(s.meters), list(s.tracks)
            tally = Recorder()
            run(effects, meters, tracks, s.gained, s.round, 0, me, tally)
            assert (tuple(meters), tuple(tracks)) == (after.meters, after.tracks), (label, me)
            drawn = tally.draws[0] + tally.draws[1]
            for r in (0, 1):
                hand, new = len(s.hands[r]), len(after.hands[r])
                free = (
                    hand - tally.discards[r] >= 0
                    and hand + tally.draws[r] <= rules.hand_limit
                    and len(s.gdeck) >= drawn
                    and not (tally.draws[r] and tally.discards[r])  # order matters when both happen
                )
                if free:
                    assert new - hand == tally.cards[r], (label, me, r)
                else:
                    assert new - hand <= max(tally.draws[r], 0), (label, me, r)
                assert after.revealed[r] == (s.revealed[r] or tally.revealed[r]), (label, me, r)


@given(
    name=st.sampled_from(BUNDLED_NAMES),
    seed=st.integers(0, 2**32),
    steps=st.integers(0, 200),
    end=st.sampled_from(list(EndReason)),
    data=st.data(),
)
def test_the_agents_tier_is_the_scorers(name: str, seed: int, steps: int, end: EndReason, data: st.DataObject) -> None:
    """The tier agents read from a bare board is the one ``scoring`` gives the state, for any end reason."""
    rules = bundled(name)
    s = random_state(rules, seed, steps, data)
    s.end = end
    tier = tier_index(s)
    assert _tier(rules, list(s.meters), list(s.tracks), s.gained, s.round, end) == tier
    assert first_tier(rules.tier_any, rules.tier_all, s.meters, s.tracks, s.gained, s.round, end) == tier


@given(
    name=st.sampled_from(BUNDLED_NAMES),
    seed=st.integers(0, 2**32),
    steps=st.integers(0, 80),
    gained=st.tuples(st.booleans(), st.booleans()),
    data=st.data(),
)
def test_the_agents_drift_is_the_engines(
    name: str, seed: int, steps: int, gained: tuple[bool, bool], data: st.DataObject
) -> None:
    """Where end-of-round effects only move meters on who gained and the round, agents precompute them as meter
    moves (``Valuer._drift_ops``); applied with the meters' bounds they give the engine's end of round."""
    rules = bundled(name)
    s = random_state(rules, seed, steps, data)
    if s.to_move < 0:
        return
    s.gained = gained
    valuer = Valuer(observe(s, s.to_move))
    if not valuer._facts.plain_drift:
        return
    valuer._share()
    m = list(s.meters)
    for i, by in valuer._drift_ops(gained):
        m[i] = min(rules.meter_max[i], max(rules.meter_min[i], m[i] + by))
    after = s.clone()
    apply_effects(after, rules.end_effects, 0)
    apply_effects(after, rules.end_effects, 1)
    assert tuple(m) == after.meters


def test_some_bundled_rules_drift_plainly() -> None:
    """The drift test above is not vacuous: the default rules' end-of-round effects take the fast path."""
    s = next(walk(bundled("summit"), 0))
    assert Valuer(observe(s, s.to_move))._facts.plain_drift


def test_the_engine_path_draws_from_the_states_generator() -> None:
    """Applying a draw through the engine consumes the state's generator exactly as dealing does: the same
    state, the same effects, the same cards (determinism), and a different generator state, different cards."""
    rules = bundled("summit")
    draw = (fx.DrawCards((), fx.SELF, 2),)
    s = next(walk(rules, 5)).clone()
    a, b, c = s.clone(), s.clone(), s.clone()
    apply_effects(a, draw, 0)
    apply_effects(b, draw, 0)
    c.rng = random.Random(1).getrandbits(64)
    apply_effects(c, draw, 0)
    assert a == b
    assert a.rng != s.rng and len(a.hands[0]) == min(rules.hand_limit, len(s.hands[0]) + 2)
    assert c.rng != a.rng
