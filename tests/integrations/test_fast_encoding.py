"""The one source of what a player sees (``observation.sight``) and the encoder's two ways into it.

``observe`` is ``sight`` made readable, and the vector is built from a sight: a state's (``Encoder.encode_state``,
the PettingZoo adapter's path) or an observation's (``encode_array`` through ``sight_of``, OpenSpiel's). These
tests make the promises hold from the outside: the two views agree value for value and the two paths bit for
bit (random play of every bundled rule file, both viewers, every state up to the terminal one, with fresh,
shared and tiny memo caches), and neither can see a secret: states re-dealt from what the viewer cannot
see (by hypothesis, ``determinize`` and ``sample_state``) give the same sight and the same vector, and
a state whose secrets are replaced by guards that fail on any use still observes and encodes.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from functools import cache
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BUNDLED_NAMES, FEW, SOAK, bundled
from summitgame import rng as _rng
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import Sight, determinize, observe, sample_state, sight, sight_of
from summitgame.engine.state import State
from summitgame.integrations.encoding import Encoder
from summitgame.integrations.pettingzoo import raw_env
from summitgame.rules.ruleset import Ruleset

SEEDS = st.integers(min_value=-(2**63), max_value=2**64)
RULESETS = pytest.mark.parametrize("name", ["summit", "trade"])

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@cache
def shared(name: str) -> Encoder:
    """One encoder per ruleset kept across examples, so its memo holds runs from many other games."""
    return Encoder(bundled(name))


def reference(s: State, viewer: int) -> bytes:
    """The vector through the ``Observation``: the list encoding of ``observe(s, viewer)``, as float32 bytes."""
    return np.array(Encoder(s.rules).encode(observe(s, viewer)), np.float32).tobytes()


class Secret:
    """Stands in for a value the viewer must not see: any use fails the test, except ``len`` when the
    size is public (the opponent's hand, the gesture deck)."""

    def __init__(self, what: str, size: int | None = None) -> None:
        self.what = what
        self.size = size

    def __len__(self) -> int:
        if self.size is None:
            raise AssertionError(f"read the size of {self.what}")
        return self.size

    def __repr__(self) -> str:
        return f"<secret {self.what}>"

    def _use(self, *args: object) -> Any:
        raise AssertionError(f"read {self.what}")

    __iter__ = __getitem__ = __contains__ = __hash__ = __eq__ = __ne__ = _use
    __lt__ = __le__ = __gt__ = __ge__ = __index__ = __int__ = __float__ = __bool__ = _use
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __mod__ = __rmod__ = __format__ = _use
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = __lshift__ = __rshift__ = __neg__ = _use


def guarded(s: State, viewer: int) -> State:
    """``s`` with every secret from ``viewer`` replaced by a ``Secret``: the opponent's hand, the gesture
    deck, the opponent's agenda unless revealed, the generator state and the deal seed."""
    o = 1 - viewer
    g = s.clone()
    hands: list[Any] = list(s.hands)
    hands[o] = Secret("the opponent's hand", len(s.hands[o]))
    g.hands = cast(Any, tuple(hands))
    g.gdeck = cast(Any, Secret("the gesture deck", len(s.gdeck)))
    if not s.revealed[o]:
        agendas: list[Any] = list(s.agendas)
        agendas[o] = Secret("the opponent's agenda")
        g.agendas = cast(Any, tuple(agendas))
    g.rng = cast(Any, Secret("the generator state"))
    g.seed = cast(Any, Secret("the deal seed"))
    return g


def flatten(value: object) -> list[object]:
    if isinstance(value, tuple | list):
        return [x for v in value for x in flatten(v)]
    return [value]


def redeal(s: State, viewer: int, data: st.DataObject) -> State:
    """``s`` with everything ``viewer`` cannot see re-drawn by hypothesis: which unseen gesture cards the
    opponent holds (the rest are the deck), its agenda unless revealed, the generator state and the seed."""
    rules = s.rules
    o = 1 - viewer
    n = s.clone()
    unseen = data.draw(st.permutations(list(s.gdeck) + list(s.hands[o])), label="unseen cards")
    k = len(s.hands[o])
    hand = tuple(sorted(unseen[:k]))
    n.gdeck = tuple(sorted(unseen[k:]))
    n.hands = (s.hands[0], hand) if o == 1 else (hand, s.hands[1])
    if not s.revealed[o]:
        choices = [a for a in rules.agenda_allowed[o] if a != s.agendas[viewer]]
        agenda = data.draw(st.sampled_from(choices), label="their agenda")
        n.agendas = (s.agendas[0], agenda) if o == 1 else (agenda, s.agendas[1])
    n.rng = _rng.seed_state(data.draw(SEEDS, label="generator"))
    n.seed = data.draw(SEEDS, label="seed")
    return n


@pytest.mark.parametrize("name", BUNDLED_NAMES)
@FEW
@given(seed=SEEDS, data=st.data())
def test_observe_and_sight_are_one_view(name: str, seed: int, data: st.DataObject) -> None:
    """At every state of a random game of every bundled rule file, for both viewers: the observation reads
    back to the sight it was made from, value for value, from its fields alone too (``sight_of``), and is
    the same when every secret of the state sits behind a guard that fails on any use."""
    rules = bundled(name)
    s = new_game(rules, seed)
    while True:
        for r in (0, 1):
            v = sight(s, r)
            obs = observe(s, r)
            assert obs.sight == v and sight_of(obs) == v
            assert sight_of(dataclasses.replace(obs)) == v  # rebuilt from the fields alone
            assert observe(guarded(s, r), r) == obs
            assert obs.legal == (legal_actions(s) if s.to_move == r else ())
        if s.to_move < 0:
            break
        s = apply(s, data.draw(st.sampled_from(legal_actions(s)), label="action"))


@RULESETS
@FEW
@given(seed=SEEDS, data=st.data())
def test_fast_vector_is_the_reference_bit_for_bit(name: str, seed: int, data: st.DataObject) -> None:
    """At every state of a random game (the terminal one too), for both viewers, ``encode_state`` is the
    encoding of ``observe``: a fresh float32 array, equal byte for byte, whatever the memo holds."""
    rules = bundled(name)
    fresh, tiny = Encoder(rules), Encoder(rules)
    tiny.CACHE_LIMIT = 3  # emptied all the time: every run is computed, not just looked up
    s = new_game(rules, seed)
    while True:
        for r in (0, 1):
            want = reference(s, r)
            for enc in (fresh, tiny, shared(name)):
                got = enc.encode_state(s, r)
                assert got.dtype == np.float32 and got.shape == (enc.size,) and got.flags.writeable
                assert got.tobytes() == want
        if s.to_move < 0:
            break
        s = apply(s, data.draw(st.sampled_from(legal_actions(s)), label="action"))


@pytest.mark.parametrize("name", ["summit"])
@FEW
@given(seed=SEEDS, data=st.data())
def test_fast_vector_is_blind_to_the_opponents_secrets(name: str, seed: int, data: st.DataObject) -> None:
    """At every state of a random game, for both viewers: a re-deal of what the viewer cannot see (drawn
    by hypothesis, by ``determinize``, by ``sample_state``) leaves its sight and its vector unchanged,
    and the vector is computed even with every secret behind a guard that fails on any use."""
    rules = bundled(name)
    enc = shared(name)
    rng = random.Random(data.draw(st.integers(0, 2**32), label="re-deal stream"))
    s = new_game(rules, seed)
    while True:
        for r in (0, 1):
            seen = sight(s, r)
            want = enc.encode_state(s, r).tobytes()
            for t in (redeal(s, r, data), determinize(s, r, rng), sample_state(observe(s, r), rng)):
                assert sight(t, r) == seen
                assert enc.encode_state(t, r).tobytes() == want
            g = guarded(s, r)
            assert not any(isinstance(x, Secret) for x in flatten(sight(g, r)))
            assert Encoder(rules).encode_state(g, r).tobytes() == want  # cold: every run computed from g
        if s.to_move < 0:
            break
        s = apply(s, data.draw(st.sampled_from(legal_actions(s)), label="action"))


# --- the same properties with many more examples (slow; CI runs them) -------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED_NAMES)
@SOAK
@given(seed=SEEDS, data=st.data())
def test_soak_observe_and_sight_are_one_view(name: str, seed: int, data: st.DataObject) -> None:
    test_observe_and_sight_are_one_view.hypothesis.inner_test(name, seed, data)


@pytest.mark.slow
@RULESETS
@SOAK
@given(seed=SEEDS, data=st.data())
def test_soak_fast_vector_is_the_reference_bit_for_bit(name: str, seed: int, data: st.DataObject) -> None:
    test_fast_vector_is_the_reference_bit_for_bit.hypothesis.inner_test(name, seed, data)


@pytest.mark.slow
@RULESETS
@SOAK
@given(seed=SEEDS, data=st.data())
def test_soak_fast_vector_is_blind_to_the_opponents_secrets(name: str, seed: int, data: st.DataObject) -> None:
    test_fast_vector_is_blind_to_the_opponents_secrets.hypothesis.inner_test(name, seed, data)


def test_the_guard_catches_a_peek(summit_rules: Ruleset) -> None:
    """The guard is not vacuous: reading any guarded secret fails."""
    s = new_game(summit_rules, 3)
    g = guarded(s, 0)
    assert len(g.hands[1]) == len(s.hands[1]) and len(g.gdeck) == len(s.gdeck)
    peeks: list[Callable[[], object]] = [
        lambda: sorted(g.hands[1]),
        lambda: g.hands[1][0],
        lambda: list(g.gdeck),
        lambda: summit_rules.agenda_ids[g.agendas[1]],
        lambda: g.agendas[1] == s.agendas[1],
        lambda: hash(g.agendas),
        lambda: g.rng + 1,
        lambda: _rng.below(g.rng, 3),
        lambda: g == s,
    ]
    for peek in peeks:
        with pytest.raises(AssertionError, match="read"):
            peek()
    # and the viewer's own side, the public board and the sizes are left readable
    assert sight(g, 0)[9] == s.hands[0]


def test_sight_has_one_value_per_declared_field(summit_rules: Ruleset) -> None:
    """``sight`` returns exactly the fields its type declares (a new field must be reviewed for leaks
    and added to ``Sight`` and to ``guarded`` above if it hides anything)."""
    s = new_game(summit_rules, 1)
    assert len(sight(s, 0)) == len(Sight.__args__)  # type: ignore[attr-defined]


def test_pettingzoo_observations_are_the_reference_encoding(any_rules: Ruleset) -> None:
    """The environment hands out the fast vector, equal to the reference for both agents at every step,
    with the mask of ``observe``'s legal actions."""
    e = raw_env(rules=any_rules)
    for seed in range(20):
        e.reset(seed=seed)
        pick = random.Random(seed).choice
        while True:
            for r, agent in enumerate(e.possible_agents):
                obs = e.observe(agent)
                view = observe(e.game_state, r)
                assert obs["observation"].tobytes() == reference(e.game_state, r)
                assert np.flatnonzero(obs["action_mask"]).tolist() == sorted(view.legal)
            if e.game_state.to_move < 0:
                break
            e.step(pick(legal_actions(e.game_state)))
