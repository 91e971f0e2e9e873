"""The valuation's shortcuts equal what they stand for (issue 16): the opponent's agenda evidence read in one pass
over the history equals the offers it comes from, and ``appraise``'s prefix trie (with the prefixes a two-sided
trade filters out) values every package exactly as ``accept`` does, item by item, whatever the order asked."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import bundled
from summitgame.agents.evaluate import Valuer, Weights, candidate_packages, inferred_stakes, offers, their_stakes
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import Observation, observe
from summitgame.engine.state import Phase

RULES = ["summit", "classic", "trade"]


def random_view(rules_name: str, seed: int, moves: int) -> Observation | None:
    """The observation of the player to move after ``moves`` random moves of game ``seed`` (None if it ends)."""
    rules = bundled(rules_name)
    pick = random.Random(seed).choice
    s = new_game(rules, seed)
    for _ in range(moves):
        s = apply(s, pick(legal_actions(s)))
        if s.to_move < 0:
            return None
    return observe(s, s.to_move)


def inferred_by_offers(obs: Observation, infer: float) -> tuple[float, ...]:
    """``inferred_stakes`` as first written: the evidence summed over ``offers``, the mean taken afresh."""
    rules = obs.rules
    if obs.their_agenda is not None:
        return tuple(float(x) for x in their_stakes(obs))
    T = rules.n_tracks
    o = 1 - obs.viewer
    mine = rules.agenda_ids.index(obs.my_agenda)
    cards = [a for a in rules.agenda_allowed[o] if a != mine]
    if not cards:
        return tuple(float(x) for x in obs.public_stakes[o * T : (o + 1) * T])
    weight = [0.0] * T
    for offer in offers(obs):
        if offer.proposer == o:
            for giver, t, steps in offer.items:
                weight[t] += -steps if giver == o else steps
    logs = [infer * sum(w * b for w, b in zip(weight, rules.agenda_stakes[a], strict=True)) for a in cards]
    top = max(logs)
    ps = [math.exp(x - top) for x in logs]
    total = sum(ps)
    base = obs.public_stakes[o * T : (o + 1) * T]
    return tuple(
        base[t] + sum(p * rules.agenda_stakes[a][t] for p, a in zip(ps, cards, strict=True)) / total for t in range(T)
    )


@settings(max_examples=60, deadline=None)
@given(
    rules_name=st.sampled_from(RULES),
    seed=st.integers(0, 10_000),
    moves=st.integers(0, 80),
    infer=st.floats(0.0, 10.0),
)
def test_the_agenda_evidence_read_in_one_pass_equals_the_offers_it_comes_from(
    rules_name: str, seed: int, moves: int, infer: float
) -> None:
    """Bit for bit, twice (the second answer comes from the memo), for the player to move and the other side."""
    obs = random_view(rules_name, seed, moves)
    if obs is None:
        return
    other = observe_other(obs, rules_name, seed, moves)
    for view in (obs, other):
        assert inferred_stakes(view, infer) == inferred_by_offers(view, infer)
        assert inferred_stakes(view, infer) == inferred_by_offers(view, infer)


def observe_other(obs: Observation, rules_name: str, seed: int, moves: int) -> Observation:
    """The same position seen by the side not to move."""
    rules = bundled(rules_name)
    pick = random.Random(seed).choice
    s = new_game(rules, seed)
    for _ in range(moves):
        s = apply(s, pick(legal_actions(s)))
    return observe(s, 1 - obs.viewer)


@settings(max_examples=60, deadline=None)
@given(
    rules_name=st.sampled_from(RULES),
    seed=st.integers(0, 10_000),
    moves=st.integers(0, 80),
    lead=st.floats(0.0, 10.0),
    order=st.randoms(use_true_random=False),
)
def test_appraise_values_every_package_as_accept_does(
    rules_name: str, seed: int, moves: int, lead: float, order: random.Random
) -> None:
    """Every candidate package (two-sided trades included, whose one-sided prefixes are not candidates), and the
    same packages shuffled into a list, get exactly ``accept``'s values; a fresh valuer agrees (no stale memo)."""
    obs = random_view(rules_name, seed, moves)
    if obs is None or obs.phase not in (Phase.BUILD, Phase.RESPOND):
        return
    w = Weights(lead=lead, their_lead=1.0, infer=1.0)
    packages = candidate_packages(obs)
    val = Valuer(obs, w)
    ranked = val.appraise(packages)
    assert [a.items for a in ranked] == list(packages)
    fresh = Valuer(obs, w)
    for a in ranked:
        assert (a.mine, a.theirs) == fresh.accept(a.items, obs.viewer)
    shuffled = list(packages)
    order.shuffle(shuffled)
    again = {a.items: a for a in Valuer(obs, w).appraise(shuffled)}
    assert all(again[a.items] == a for a in ranked)


def test_a_valuer_reads_the_other_sides_stakes_only_when_it_values_a_deal() -> None:
    """Following a plan needs no valuation, so a valuer works the estimate out on first use, as it was defined."""
    obs = random_view("summit", 3, 5)
    assert obs is not None
    val = Valuer(obs, Weights(infer=1.0))
    assert val._stakes is None
    theirs = inferred_stakes(obs, 1.0)
    assert val.stakes == ((obs.my_stakes, theirs) if obs.viewer == 0 else (theirs, obs.my_stakes))
    assert Valuer(obs).stakes[1 - obs.viewer] == their_stakes(obs)


@settings(max_examples=60, deadline=None)
@given(
    rules_name=st.sampled_from(RULES),
    seed=st.integers(0, 10_000),
    moves=st.integers(0, 80),
    lead=st.floats(0.0, 10.0),
    their_lead=st.floats(0.0, 10.0),
)
def test_best_is_the_first_package_of_highest_ev(
    rules_name: str, seed: int, moves: int, lead: float, their_lead: float
) -> None:
    """``Valuer.best`` (what ``greedy`` asks for) is ``max(options(), key=ev)``, the same appraisal to the bit; a
    board with a tie takes the first, as ``max`` does."""
    obs = random_view(rules_name, seed, moves)
    if obs is None:
        return
    w = Weights(lead=lead, their_lead=their_lead, infer=1.0)
    options = Valuer(obs, w).options()
    assert Valuer(obs, w).best() == max(options, key=lambda o: o.ev, default=None)
    if options:
        twice = (options[-1].items, *candidate_packages(obs))  # the last package first, and again later: a tie
        found = Valuer(obs, w).best(twice)
        assert found == max(Valuer(obs, w).appraise(twice), key=lambda o: o.ev)
        # with the empty package among them (valued from the walk, not in one pass over the trie), and as a list
        odd = [*candidate_packages(obs)[::-1], ()]
        assert Valuer(obs, w).best(odd) == max(Valuer(obs, w).appraise(odd), key=lambda o: o.ev)
    assert Valuer(obs, w).best(()) is None


@settings(max_examples=40, deadline=None)
@given(rules_name=st.sampled_from(RULES), seed=st.integers(0, 10_000), moves=st.integers(0, 80))
def test_rows_in_one_loop_are_the_item_rows(rules_name: str, seed: int, moves: int) -> None:
    """``Valuer._rows`` (what the walk over the trie reads) gives each item's ``_item_row``, to the bit."""
    obs = random_view(rules_name, seed, moves)
    if obs is None:
        return
    items = list(dict.fromkeys(item for package in candidate_packages(obs) for item in package))
    w = Weights(infer=1.0)
    batch = Valuer(obs, w)._rows(items)
    one = Valuer(obs, w)
    expected = [one._item_row(item) for item in items]
    assert [tuple(map(repr, row)) for row in batch] == [tuple(map(repr, row)) for row in expected]
