"""``greedy`` plays for the lead: constructed boards where the lead term changes its decision, the bounds of
its parameters, determinism, and the valuation it ranks by (which leaves the other agents' unchanged).

Its strength against the personas and probes is measured, not tested (README, Agents): statistics over
hundreds of games belong in a closing note, not in a test that could fail by chance or take minutes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import bundled
from summitgame.agents import AgentError, make_agent
from summitgame.agents.evaluate import Appraisal, Package, Valuer, Weights, inferred_stakes, their_stakes
from summitgame.agents.greedy import GreedyAgent
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import Observation, observe
from summitgame.engine.state import Phase, State
from summitgame.rules.actions import Action, ActionKind
from summitgame.runs.match import play_game
from summitgame.runs.records import record_of


def step(s: State, notation: str) -> State:
    """``s`` after the legal action written ``notation``."""
    (action,) = [a for a in legal_actions(s) if a.notation() == notation]
    return apply(s, action)


def greedy(spec: str, obs: Observation) -> GreedyAgent:
    """A started ``greedy`` agent for the viewer of ``obs``."""
    agent = make_agent(spec)
    assert isinstance(agent, GreedyAgent)
    agent.start(obs.rules, obs.viewer, random.Random(0))
    return agent


def lopsided_counter() -> State:
    """Round 1 of seed 0 of the first edition (rules/classic.toml): Washington offers Arms; Moscow counters by
    giving Arms 1 but asking Syria 2, a deal that gains Washington a little and Moscow a lot. Washington
    answers, and may not counter again."""
    s = new_game(bundled("classic"), 0)
    assert s.to_move == 0
    for notation in ("give arms 1", "offer", "counter", "give arms 1", "ask syria 2", "offer"):
        s = step(s, notation)
    assert s.phase == Phase.RESPOND and s.to_move == 0
    return s


def test_the_lead_turns_down_a_deal_that_gains_the_other_side_more() -> None:
    """The old greedy took any deal that gained it something; now it weighs what the deal gains the other side."""
    obs = observe(lopsided_counter(), 0)
    assert not any(a.kind is ActionKind.COUNTER for a in obs.legal)
    val = Valuer(obs)
    (on_mine, on_theirs), (rej_mine, rej_theirs) = val.on_table(), val.reject(0)
    mine, theirs = on_mine - rej_mine, on_theirs - rej_theirs
    assert 0 < mine < theirs  # it gains, the other side gains more
    assert greedy("greedy:lead=0", obs).act(obs, obs.legal).kind is ActionKind.ACCEPT
    assert greedy("greedy", obs).act(obs, obs.legal).kind is ActionKind.REJECT
    lead = float(GreedyAgent.defaults["lead"])
    assert mine + lead * (mine - theirs) < 0  # why: its utility of accepting is below that of rejecting


def test_a_gesture_is_priced_by_what_it_does_to_the_lead() -> None:
    """At seed 8's opening (first edition), a joint statement is worth more to Moscow alone, but more still to
    Washington; tough rhetoric is worth a little to Moscow and costs Washington. With the lead counted, it is the
    rhetoric."""
    obs = observe(new_game(bundled("classic"), 8), 1)
    cards = [a for a in obs.legal if a.kind is ActionKind.PLAY]
    names = {str(a.card): a for a in cards}
    assert {"joint_statement", "tough_rhetoric"} <= set(names)
    val = Valuer(obs)
    joint, tough = val.gesture_both("joint_statement"), val.gesture_both("tough_rhetoric")
    assert joint[0] > tough[0] > 0 and joint[1] > joint[0] and tough[1] < 0
    old, new = greedy("greedy:lead=0", obs), greedy("greedy", obs)
    assert old.gesture(obs, Valuer(obs, old.weights()), cards) == names["joint_statement"]
    assert new.gesture(obs, Valuer(obs, new.weights()), cards) == names["tough_rhetoric"]
    assert new.act(obs, obs.legal) == names["tough_rhetoric"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("greedy:lead=-0.5", r"lead must be a number in 0..10, got -0.5"),
        ("greedy:lead=10.5", r"lead must be a number in 0..10, got 10.5"),
        ("greedy:lead=nan", r"lead must be a number in 0..10, got nan"),
        ("greedy:their_lead=inf", r"their_lead must be a number in 0..10, got inf"),
        ("greedy:their_lead=much", r"their_lead must be a number in 0..10, got 'much'"),
    ],
)
def test_the_lead_weights_are_bounded(spec: str, message: str) -> None:
    with pytest.raises(AgentError, match=message):
        make_agent(spec)


def test_the_bounds_are_allowed_and_the_spec_round_trips() -> None:
    for spec in ("greedy:lead=0", "greedy:lead=10.0,their_lead=0.0", "greedy:their_lead=10.0"):
        agent = make_agent(spec)
        assert make_agent(agent.spec()).params == agent.params
    assert make_agent("greedy").spec() == "greedy"
    assert 0.0 < float(GreedyAgent.defaults["lead"]) <= 10.0


@pytest.mark.parametrize("rules_name", ["summit", "trade"])
@pytest.mark.parametrize("spec", ["greedy", "greedy:lead=3.5,their_lead=0.25"])
def test_same_seed_same_game(spec: str, rules_name: str) -> None:
    rules = bundled(rules_name)
    for other in ("random", spec, "persona:name=hawk"):
        first = record_of(play_game(rules, [make_agent(spec), make_agent(other)], 21).state)
        again = record_of(play_game(rules, [make_agent(spec), make_agent(other)], 21).state)
        assert first == again


class OldGreedy(GreedyAgent):
    """``greedy`` as it was before it counted the lead, written out from its old source."""

    name = "old_greedy_for_tests"

    def gesture(self, obs: Observation, val: Valuer, cards: Sequence[Action]) -> Action | None:
        best: Action | None = None
        best_value = 0.0
        for a in cards:
            v = val.gesture(str(a.card))
            if v > best_value:
                best, best_value = a, v
        return best

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        best = max(options, key=lambda o: o.ev)
        return None if can_pass and val.pass_()[0] >= best.ev else best.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        accept = val.on_table()[0]
        reject = val.reject(obs.viewer)[0]
        if can_counter:
            best = max(val.options(), key=lambda o: o.ev, default=None)
            if best is not None and best.ev > max(accept, reject):
                return best.items
        return ActionKind.ACCEPT if accept > reject else ActionKind.REJECT


@pytest.mark.parametrize("rules_name", ["summit", "trade"])
def test_with_both_weights_at_zero_it_is_the_old_greedy(rules_name: str) -> None:
    rules = bundled(rules_name)
    for seed, other in ((1, "random"), (2, "persona:name=hawk"), (3, "greedy:lead=0,their_lead=0,infer=0")):
        now = play_game(rules, [make_agent("greedy:lead=0,their_lead=0,infer=0"), make_agent(other)], seed).state
        old = play_game(rules, [OldGreedy(lead=0.0, their_lead=0.0, infer=0.0), make_agent(other)], seed).state
        assert record_of(now)["actions"] == record_of(old)["actions"]


def random_state(rules_name: str, seed: int, moves: int, phase: Phase) -> State | None:
    """The first state in ``phase`` at or after ``moves`` random moves of game ``seed`` (None if it ends first)."""
    rules = bundled(rules_name)
    pick = random.Random(seed).choice
    s = new_game(rules, seed)
    n = 0
    while s.to_move >= 0:
        if n >= moves and s.phase == phase:
            return s
        s = apply(s, pick(legal_actions(s)))
        n += 1
    return None


@settings(max_examples=40)
@given(
    rules_name=st.sampled_from(["summit", "trade"]),
    seed=st.integers(0, 10_000),
    moves=st.integers(0, 60),
    lead=st.floats(0.0, 10.0),
    their_lead=st.floats(0.0, 10.0),
)
def test_packages_are_ranked_by_expected_utility(
    rules_name: str, seed: int, moves: int, lead: float, their_lead: float
) -> None:
    """``Appraisal.ev`` is the chance-weighted utility of acceptance and rejection, and the acceptance model reads
    the other side's gain with its lead weighted; with both weights 0, exactly the plain values the other
    heuristic agents rank by."""
    s = random_state(rules_name, seed, moves, Phase.BUILD)
    if s is None:
        return
    obs = observe(s, s.to_move)
    for w in (Weights(lead=lead, their_lead=their_lead), Weights()):
        val = Valuer(obs, w)
        rej = val.reject(1 - obs.viewer)
        for o in val.options()[:60]:
            acc = val.accept(o.items, obs.viewer)
            assert (o.mine, o.theirs) == acc
            gain = (1 + w.their_lead) * (acc[1] - rej[1]) - w.their_lead * (acc[0] - rej[0])
            assert o.gain == pytest.approx(gain, abs=1e-9)
            ev = o.p * val.utility(acc) + (1 - o.p) * val.utility(rej)
            assert o.ev == pytest.approx(ev, abs=1e-9)
            if not w.lead and not w.their_lead:  # the other agents' valuation, bit for bit
                assert o.gain == acc[1] - rej[1]
                assert o.ev == o.p * acc[0] + (1 - o.p) * rej[0]
                assert val.utility(acc) == acc[0]


# --- reading the other side's agenda (greedy:infer) ---------------------------------------------------------


def agenda_swapped(s: State, role: int, agenda: int) -> State:
    """``s`` with ``role``'s secret agenda replaced (everything public unchanged)."""
    t = s.clone()
    t.agendas = (agenda, t.agendas[1]) if role == 0 else (t.agendas[0], agenda)
    return t


def test_inferred_stakes_without_offers_are_the_prior_mean_over_the_agendas_it_may_hold() -> None:
    rules = bundled("summit")
    s = new_game(rules, 3)
    obs = observe(s, 0)
    T = rules.n_tracks
    cards = [a for a in rules.agenda_allowed[1] if a != s.agendas[0]]
    expected = [obs.public_stakes[T + t] + sum(rules.agenda_stakes[a][t] for a in cards) / len(cards) for t in range(T)]
    assert inferred_stakes(obs, 1.0) == pytest.approx(expected)
    assert inferred_stakes(obs, 0.0) == pytest.approx(expected)  # no weight on evidence: the prior


def test_asking_for_a_track_raises_its_inferred_stake_and_giving_it_lowers_it() -> None:
    rules = bundled("summit")
    s = new_game(rules, 1)  # Moscow opens
    assert s.to_move == 1 and s.phase == Phase.BUILD
    prior = inferred_stakes(observe(s, 0), 1.0)
    arms = rules.track_ids.index("arms")
    asked = step(step(step(s, "ask energy 1"), "give arms 1"), "offer")
    posterior = inferred_stakes(observe(asked, 0), 1.0)
    energy = rules.track_ids.index("energy")
    assert posterior[energy] > prior[energy]
    assert posterior[arms] < prior[arms]
    assert inferred_stakes(observe(asked, 0), 3.0)[energy] > posterior[energy]  # more weight, more belief


@settings(max_examples=30)
@given(seed=st.integers(0, 10_000), moves=st.integers(0, 60), agenda=st.integers(0, 100))
def test_inferred_stakes_read_only_what_the_viewer_may_see(seed: int, moves: int, agenda: int) -> None:
    """The opponent's true agenda does not move the estimate unless it was revealed (then it is exact)."""
    s = random_state("summit", seed, moves, Phase.BUILD)
    if s is None:
        return
    rules = s.rules
    me = s.to_move
    other_cards = [a for a in rules.agenda_allowed[1 - me] if a != s.agendas[me]]
    t = agenda_swapped(s, 1 - me, other_cards[agenda % len(other_cards)])
    a, b = observe(s, me), observe(t, me)
    if a.their_agenda is None:
        assert inferred_stakes(a, 1.5) == inferred_stakes(b, 1.5)
    else:
        assert inferred_stakes(a, 1.5) == tuple(float(x) for x in their_stakes(a))
