"""The ``mcts`` agent: the agent contract (legal, complete, seeded, observation-only), its budgets, its
opponent model (``opponent=``), and its strength.

Strength is checked with role-swapped games: ``agents[i]`` plays role ``i``, so each seed is played twice
with the seats reversed and a deal favouring one seat favours both agents equally.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence

import pytest

from agent_guard import StateGuard, Watched, agent_modules
from conftest import bundled
from summitgame.agents import AgentError, load_class, make_agent
from summitgame.agents.base import Agent
from summitgame.agents.mcts import (
    GROW_FROM,
    ITERATIONS,
    MctsAgent,
    Node,
    _choices,
    _Dealer,
    _Plan,
    agenda_odds,
    choose,
    leaf,
    opponent_model,
    opponent_value,
    static,
    utilities,
)
from summitgame.engine import apply, apply_unchecked, legal_actions, new_game
from summitgame.engine.observation import Observation, determinize, observe, sample_state
from summitgame.engine.scoring import scores, tier_index
from summitgame.engine.state import Phase, State
from summitgame.rules.actions import Action, ActionKind
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import play_game

load_class("helper_agents:First")  # ``first``: always the first legal action (accepts any offer)

PASS, OFFER, ACCEPT, REJECT, COUNTER = 0, 1, 2, 3, 4  # the engine's fixed codes for the simple actions


def duel(rules: Ruleset, a: Agent, b: Agent, games: int, start: int = 0) -> tuple[float, float]:
    """``a`` against ``b`` over ``games`` role-swapped games: (a's win rate counting ties as half, mean lead)."""
    points = 0.0
    lead = 0.0
    for i in range(games):
        seed = start + i // 2
        seat = i % 2  # a's role this game
        res = play_game(rules, [a, b] if seat == 0 else [b, a], seed)
        assert res.forfeit is None, res.forfeit
        assert res.outcome is not None
        mine, theirs = (res.outcome.scores[rules.roles[r]] for r in (seat, 1 - seat))
        points += 1.0 if mine > theirs else 0.5 if mine == theirs else 0.0
        lead += mine - theirs
    return points / games, lead / games


def wilson_low(rate: float, n: int, z: float = 1.96) -> float:
    """Lower end of the Wilson score interval for a proportion (95% by default)."""
    centre = rate + z * z / (2 * n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n)


def decision_point(rules: Ruleset, seed: int, moves: int) -> State:
    """A state a few random moves into a seeded game where the player to move has a real choice."""
    s = new_game(rules, seed)
    pick = random.Random(seed).choice
    for _ in range(moves):
        s = apply(s, pick(legal_actions(s)))
    while len(legal_actions(s)) < 2:
        s = apply(s, legal_actions(s)[0])
    return s


class Spy(MctsAgent):
    """An ``mcts`` agent that records what it is handed and what it answers."""

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self.seen: list[tuple[object, object]] = []
        self.chosen: list[Action] = []

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        self.seen.append((obs, legal))
        action = super().act(obs, legal)
        self.chosen.append(action)
        return action


# --- the agent contract --------------------------------------------------------------------------------


def test_spec_builds_the_agent() -> None:
    agent = make_agent("mcts:iterations=50,c=0.3,rollout=2")
    assert isinstance(agent, MctsAgent)
    assert agent.params["iterations"] == 50 and agent.params["c"] == 0.3 and agent.params["rollout"] == 2
    assert agent.spec() == "mcts:c=0.3,iterations=50,rollout=2"


@pytest.mark.parametrize("seed", [0, 1])
def test_plays_legal_complete_games(any_rules: Ruleset, seed: int) -> None:
    spy = Spy(iterations=40)
    for agents in ([spy, make_agent("random")], [make_agent("random"), spy]):
        res = play_game(any_rules, agents, seed)
        assert res.forfeit is None, res.forfeit
        assert res.outcome is not None and res.state.to_move == -1
    assert spy.chosen and all(a in legal for (_, legal), a in zip(spy.seen, spy.chosen, strict=True))


def test_plays_itself_with_rollouts(any_rules: Ruleset) -> None:
    res = play_game(any_rules, [MctsAgent(iterations=30, rollout=3), MctsAgent(iterations=30)], 4)
    assert res.forfeit is None and res.outcome is not None


def test_never_receives_a_state(summit_rules: Ruleset) -> None:
    spy = Spy(iterations=20)
    play_game(summit_rules, [spy, make_agent("random")], 2)
    assert spy.seen
    for obs, legal in spy.seen:
        assert isinstance(obs, Observation) and not isinstance(obs, State)
        assert all(type(a) is Action for a in legal)


@pytest.mark.parametrize("opponent", ["", "greedy"])
def test_decision_depends_only_on_the_observation(any_rules: Ruleset, opponent: str) -> None:
    # two states the mover cannot tell apart (other opponent hand and agenda, other chance stream)
    for seed in range(4):
        s = decision_point(any_rules, seed, 3 + seed)
        me = s.to_move
        other = determinize(s, me, random.Random(99))
        view = observe(s, me)
        assert observe(other, me) == view
        assert (other.hands, other.agendas, other.rng) != (s.hands, s.agendas, s.rng)
        answers = []
        for state in (s, other):
            agent = MctsAgent(iterations=60, opponent=opponent)
            agent.start(any_rules, me, random.Random(seed))
            o = observe(state, me)
            answers.append((agent.act(o, o.legal), {a: (k.n, k.w0, k.w1) for a, k in agent.search(o).kids.items()}))
        assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "extra",
    ["", ",opponent=greedy", ",opponent=random", ",opponent=greedy,deals=4", ",grow=1", ",infer=0.5"],
)
def test_same_seed_same_actions(any_rules: Ruleset, extra: str) -> None:
    runs = []
    for _ in range(2):  # a small budget: a nondeterministic search shows at any budget
        a, b = make_agent("mcts:iterations=30" + extra), MctsAgent(iterations=30, c=0.4)
        res = play_game(any_rules, [a, b], 7)
        assert res.forfeit is None, res.forfeit
        runs.append(res.state.history_list())
    assert runs[0] == runs[1]


def test_touches_no_state_but_those_it_samples_with_an_opponent_model(monkeypatch: pytest.MonkeyPatch) -> None:
    # the leak guard of test_agents, on the variant: the model is asked only about sampled states
    guard = StateGuard()
    guard.install(monkeypatch, agent_modules())
    for seat, opponent in ((0, "greedy"), (1, "persona/name=hawk")):
        me = Watched(make_agent(f"mcts:iterations=12,opponent={opponent}"), before=guard.on, after=guard.off)
        seats: list[Agent] = [make_agent("greedy"), make_agent("greedy")]
        seats[seat] = me
        result = play_game(bundled("summit"), seats, 5 + seat)
        assert result.forfeit is None, result.forfeit
    assert guard.allowed and not guard.violations, dict(guard.violations)


@pytest.mark.slow
def test_different_seeds_give_different_games(summit_rules: Ruleset) -> None:
    histories = {
        tuple(play_game(summit_rules, [MctsAgent(iterations=30), MctsAgent()], s).state.history_list())
        for s in range(3)
    }
    assert len(histories) == 3


def test_dealer_redeals_only_what_the_viewer_cannot_see(
    any_rules: Ruleset, check_invariants: Callable[[State], None]
) -> None:
    for seed in range(3):
        s = decision_point(any_rules, seed, 2 * seed)
        me = s.to_move
        view = observe(s, me)
        dealer = _Dealer(sample_state(view, random.Random(seed)), me, random.Random(seed))
        dealt = [dealer.deal() for _ in range(30)]
        for d in dealt:
            check_invariants(d)
            assert observe(d, me) == view
        assert len({(d.hands[1 - me], d.agendas[1 - me]) for d in dealt}) > 5
        assert len({d.rng for d in dealt}) == 30


def opponent_offered(rules: Ruleset, ask_track: str) -> tuple[State, int]:
    """A state a few moves into a seeded game where one side has offered a package asking for steps on
    ``ask_track``, its agenda unrevealed; and the other side (the viewer), to move."""
    for seed in range(200):
        s = new_game(rules, seed)
        builder = s.to_move
        if s.phase != Phase.BUILD or s.revealed[builder]:
            continue
        asks = [a for a in legal_actions(s) if a.kind.value == "ask" and a.track == ask_track]
        if not asks:
            continue
        s = apply(s, asks[0])
        while s.to_move == builder and s.phase == Phase.BUILD:
            s = apply(s, next(a for a in legal_actions(s) if a.kind.value in ("give", "offer")))
        if s.to_move == 1 - builder and s.phase == Phase.RESPOND:
            return s, 1 - builder
    raise AssertionError("no such offer found")


def test_agenda_odds_follow_what_the_opponent_asks_for(summit_rules: Ruleset) -> None:
    s, me = opponent_offered(summit_rules, "cyber")
    view = observe(s, me)
    o = 1 - me
    cards = [a for a in summit_rules.agenda_allowed[o] if a != s.agendas[me]]
    cyber = summit_rules.track_ids.index("cyber")
    assert agenda_odds(view, 0.0) == (1.0,) * len(cards)
    odds = agenda_odds(view, 0.5)
    assert len(odds) == len(cards) and max(odds) == 1.0
    for a, w in zip(cards, odds, strict=True):  # an agenda that values cyber more is likelier
        for b, v in zip(cards, odds, strict=True):
            if summit_rules.agenda_stakes[a][cyber] > summit_rules.agenda_stakes[b][cyber]:
                assert w >= v
    assert min(odds) < max(odds)
    for infer, weighted in ((0.0, False), (0.15, True)):  # the agent deals by these odds unless infer is 0
        agent = MctsAgent(infer=infer)
        agent.start(summit_rules, me, random.Random(0))
        assert bool(agent.dealer(view).cumulative) is weighted


def test_dealer_samples_agendas_by_their_odds(summit_rules: Ruleset) -> None:
    s, me = opponent_offered(summit_rules, "cyber")
    view = observe(s, me)
    cards = [a for a in summit_rules.agenda_allowed[1 - me] if a != s.agendas[me]]
    odds = [0.0] * len(cards)
    odds[1] = 3.0
    odds[2] = 1.0
    dealer = _Dealer(sample_state(view, random.Random(0)), me, random.Random(0), odds)
    drawn = [dealer.deal().agendas[1 - me] for _ in range(400)]
    assert set(drawn) == {cards[1], cards[2]}
    assert 240 < drawn.count(cards[1]) < 360  # three to one
    uniform = _Dealer(sample_state(view, random.Random(0)), me, random.Random(0), [1.0] * len(cards))
    plain = _Dealer(sample_state(view, random.Random(0)), me, random.Random(0))
    assert [uniform.deal().agendas for _ in range(50)] == [plain.deal().agendas for _ in range(50)]


class Fixed(MctsAgent):
    """An ``mcts`` agent whose determinizations are all one given state, counted (a measurement's hook)."""

    def __init__(self, state: State, **params: object) -> None:
        super().__init__(**params)
        self.state = state
        self.dealt = 0

    def dealer(self, obs: Observation) -> _Dealer:
        agent = self

        class One(_Dealer):
            def deal(self) -> State:
                agent.dealt += 1
                return agent.state.clone()

        return One(agent.state, obs.viewer, self.rng)


def test_search_draws_every_determinization_from_its_dealer(summit_rules: Ruleset) -> None:
    # benchmarks/bench_mcts_scaling.py overrides ``dealer`` to search the true state: the search must use it
    s = decision_point(summit_rules, 3, 4)
    me = s.to_move
    other = determinize(s, me, random.Random(7))
    assert (other.hands, other.agendas) != (s.hands, s.agendas)
    view = observe(s, me)
    trees = []
    for state in (s, other):
        agent = Fixed(state, iterations=150)
        agent.start(summit_rules, me, random.Random(0))
        root = agent.search(view)
        assert agent.dealt == agent.iterations_done == 150
        trees.append({a: (k.n, k.w0, k.w1) for a, k in root.kids.items()})
    assert trees[0] != trees[1]  # what it is dealt, not the observation alone, is what it searched


def packages(s: State, choose: Callable[[State], Sequence[int]]) -> set[frozenset[tuple[int, int, int]]]:
    """Every package (as a set of items) the builder can offer from ``s`` adding items as ``choose`` allows."""
    out: set[frozenset[tuple[int, int, int]]] = set()
    if s.phase == Phase.RESPOND or OFFER in legal_actions(s):
        out.add(frozenset(s.items))
    if s.phase != Phase.BUILD:
        return out
    give_base = s.rules.actions.give_base
    for a in choose(s):
        if a >= give_base:
            out |= packages(apply_unchecked(s, a), choose)
    return out


def test_canonical_item_order_reaches_every_package(any_rules: Ruleset) -> None:
    for seed in range(3):
        s = new_game(any_rules, seed)
        assert packages(s, _choices) == packages(s, legal_actions)
        assert len(packages(s, _choices)) > 10


def test_canonical_item_order_never_strands_a_package(summit_rules: Ruleset) -> None:
    # under two_sided a package of gives alone cannot be offered, and in the canonical order (asks first)
    # nothing could follow it: the order must start a trade with an ask, so every path can be offered
    assert summit_rules.two_sided
    give_base, ask_base = summit_rules.actions.give_base, summit_rules.actions.ask_base

    def walk(s: State) -> int:
        if s.phase != Phase.BUILD:
            return 1
        step = _choices(s)
        assert step, f"no way on from {s.items}"
        if not s.items:
            assert not any(give_base <= a < ask_base for a in step)
        return sum(walk(apply_unchecked(s, a)) for a in step if a >= give_base or a == OFFER)

    for seed in range(3):
        assert walk(new_game(summit_rules, seed)) > 10


def test_utility_plays_for_the_lead_and_models_a_rival(
    summit_rules: Ruleset, random_game: Callable[..., State]
) -> None:
    defaults = MctsAgent().params
    assert defaults["their_margin"] == defaults["margin"] == 1.0  # a rival by default, playing to win
    assert defaults["their_win"] == defaults["win"] > 0
    seen = set()
    for seed in range(40):
        s = random_game(summit_rules, seed)
        a, b = scores(s, tier_index(s))
        lead = (a > b) - (a < b)
        seen.add(lead)
        assert utilities(s, (0.0, 0.0, 0.0, 0.0)) == (a, b)
        assert utilities(s, (1.0, 0.0, 1.0, 0.0)) == (2 * a - b, 2 * b - a)
        assert utilities(s, (0.0, 10.0, 0.0, 3.0)) == (a + 10 * lead, b - 3 * lead)
    assert seen == {-1, 0, 1} or seen >= {-1, 1}


def test_static_leaf_sees_past_the_end_now(summit_rules: Ruleset) -> None:
    # a hand-built board: Washington leads by 6 in round 1, pressures at the start
    s = new_game(summit_rules, 0).clone()
    cs = summit_rules.cost_slot
    s.meters = (*s.meters[:cs], 2, 2, *s.meters[cs + 2 :])
    s.points = (6, 0)
    w = (1.0, 100.0, 1.0, 100.0)
    a, b = scores(s, tier_index(s))
    assert a - b == 6
    exact = utilities(s, w)
    assert static(s, w, 0.0, 1.0) == exact  # sigma 0: the old leaf, "if it ended now"
    early = static(s, w, 5.0, 0.0)
    s.round = summit_rules.rounds
    late = static(s, w, 5.0, 0.0)
    # the win term is the chance the lead holds: surer with fewer rounds to come, never the sure 100
    won = [v[0] - (2 * a - b) for v in (early, late)]
    assert 0 < won[0] < won[1] < 100 == exact[0] - (2 * a - b)
    assert early[1] == pytest.approx(2 * b - a - won[0])
    # a leader a point from walking out is worth less by about the penalty and the pressure to come
    limit = summit_rules.walkouts[0][1][0]
    s.meters = (*s.meters[:cs], limit - 1, *s.meters[cs + 1 :])
    safe, risky = static(s, w, 5.0, 0.0), static(s, w, 5.0, 1.0)
    assert risky[0] < safe[0] - summit_rules.walkout_penalty / 2
    assert risky[1] > safe[1]  # its rival gains what it loses, in the lead
    s.to_move = -1  # at the end every leaf is exact
    assert static(s, w, 5.0, 1.0) == utilities(s, w)


def test_leaf_values_a_package_on_the_table_by_its_answer(summit_rules: Ruleset) -> None:
    w = (1.0, 100.0, 1.0, 100.0)
    found = 0
    for seed in range(30):
        s = new_game(summit_rules, seed)
        pick = random.Random(seed).choice
        while s.to_move >= 0 and s.phase != Phase.RESPOND:
            s = apply(s, pick(legal_actions(s)))
        if s.to_move < 0:
            continue
        found += 1
        r = s.to_move
        yes = static(apply_unchecked(s, ACCEPT), w, 5.0, 1.0)
        no = static(apply_unchecked(s, REJECT), w, 5.0, 1.0)
        assert leaf(s, w, 5.0, True, 1.0) == (yes if yes[r] >= no[r] else no)
        assert leaf(s, w, 5.0, False, 1.0) == static(s, w, 5.0, 1.0)
    assert found > 10


def test_width_searches_only_greedys_best_packages(summit_rules: Ruleset) -> None:
    give_base, ask_base = summit_rules.actions.give_base, summit_rules.actions.ask_base
    checked = 0
    for seed in range(12):
        s = decision_point(summit_rules, seed, 0)
        if s.phase != Phase.BUILD or s.items:
            continue
        view = observe(s, s.to_move)
        plan = _Plan(view, 2)
        assert len(plan.packages) == 2
        firsts = {min(p, key=lambda a: (a < ask_base, a)) for p in plan.packages}
        narrow, wide = MctsAgent(iterations=200, width=2), MctsAgent(iterations=200, width=0)
        items = []
        for agent in (narrow, wide):
            agent.start(summit_rules, s.to_move, random.Random(seed))
            items.append({a for a in agent.search(view).kids if a >= give_base})
        assert items[0] and items[0] <= firsts
        assert len(items[1]) > len(firsts)
        checked += 1
    assert checked >= 3


def first_items(root: Node, give_base: int) -> set[int]:
    """The package items the search tried first from ``root`` (its children that are items)."""
    return {a for a in root.kids if a >= give_base}


def test_width_grows_with_the_budget(summit_rules: Ruleset) -> None:
    # grow=1: at 4x the default budget the plan holds 4x width packages; at the default budget or less, width
    give_base, ask_base = summit_rules.actions.give_base, summit_rules.actions.ask_base
    checked = 0
    for seed in range(4):  # each a 400- and a 1600-iteration search; every one of these seeds is checked
        s = decision_point(summit_rules, seed, 0)
        if s.phase != Phase.BUILD or s.items:
            continue
        view = observe(s, s.to_move)
        firsts = [{min(p, key=lambda a: (a < ask_base, a)) for p in _Plan(view, w).packages} for w in (1, 4)]
        if len(firsts[1]) < 2:
            continue
        found = []
        for spec in ("mcts:iterations=100,width=1,grow=1", "mcts:iterations=400,width=1,grow=1"):
            agent = make_agent(spec)
            assert isinstance(agent, MctsAgent)
            agent.start(summit_rules, s.to_move, random.Random(seed))
            found.append(first_items(agent.search(view), give_base))
        assert found[0] == firsts[0]
        assert found[1] == firsts[1]
        checked += 1
    assert checked >= 2


def test_choose_plays_the_better_mean_among_children_visited_enough() -> None:
    # the most visited child (10 visits, mean 1) against one found late (6 visits, mean 3) and a rare one
    # (1 visit, mean 9): pick 1 plays the most visited, 0.5 the better mean of the two visited enough, 0 any mean
    root = Node()
    for code, n, total in ((5, 10, 10.0), (6, 6, 18.0), (7, 1, 9.0)):
        kid = root.kids[code] = Node()
        kid.n, kid.w1 = n, total
    legal = [Action(k, ActionKind.PLAY) for k in (4, 5, 6, 7)]  # 4: legal, never visited
    assert choose(root, legal, 1, 1.0) == 5
    assert choose(root, legal, 1, 0.5) == 6
    assert choose(root, legal, 1, 0.0) == 7
    assert choose(root, legal, 0, 0.5) == 5  # role 0's means are all 0: ties to the most visited
    assert choose(Node(), legal, 1, 0.5) == 4  # nothing searched: the first legal action


# --- the opponent model ----------------------------------------------------------------------------------


def test_opponent_spec_round_trips() -> None:
    agent = make_agent("mcts:opponent=titfortat/punish=2/forgive=3,iterations=50")
    assert isinstance(agent, MctsAgent) and agent.model is not None
    assert agent.model.spec() == "titfortat:forgive=3,punish=2.0"
    assert agent.spec() == "mcts:iterations=50,opponent=titfortat/punish=2/forgive=3"
    assert make_agent(agent.spec()).params == agent.params
    colon = make_agent("mcts:opponent=persona:name=dove")
    assert isinstance(colon, MctsAgent) and colon.model is not None and colon.model.spec() == "persona:name=dove"
    assert opponent_value("persona:name=hawk, accept_scale=3") == "persona/name=hawk/accept_scale=3"
    assert opponent_model(opponent_value("greedy:accept_scale=3")).spec() == "greedy:accept_scale=3.0"  # type: ignore[union-attr]
    assert MctsAgent().model is None and MctsAgent(opponent=" ").model is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("mcts:opponent=mcts", r"opponent=mcts: the opponent model may not be 'mcts' \(a search inside every node"),
        ("mcts:opponent=mcts/iterations=5", r"opponent=mcts/iterations=5: the opponent model may not be 'mcts'"),
        ("mcts:opponent=cmd/python bot.py", r"opponent=cmd/python bot.py: the opponent model may not run a program"),
        ("mcts:opponent=cmd:python bot.py", r"the opponent model may not run a program"),
        ("mcts:opponent=persona/file=hawks.toml", r"the opponent model may not name a file \(file=\)"),
        ("mcts:opponent=nobody", r"opponent: agent spec 'nobody': unknown agent 'nobody'"),
        ("mcts:opponent=greedy/accept_scale=0", r"opponent: agent spec 'greedy:accept_scale=0': accept_scale must be"),
        ("mcts:opponent=greedy/bogus", r"opponent: 'greedy:bogus': expected key=value"),
        ("mcts:opponent=" + "g" * 1001, r"opponent must be text of at most 1000 characters"),
        ("mcts:infer=-1", r"infer must be a number in 0\.\.10, got -1\.0$"),
        ("mcts:grow=2", r"grow must be a number in 0\.\.1, got 2\.0$"),
    ],
)
def test_bad_opponent_specs_are_refused_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(AgentError, match=message) as err:
        make_agent(spec)
    assert str(err.value).startswith(f"agent spec '{spec[:20]}") and "\n" not in str(err.value)


class Recorder(Agent):
    """An opponent model that answers as ``first`` does and records every question it is asked."""

    name = "recorder"

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[Observation] = []

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        assert tuple(legal) == obs.legal
        self.asked.append(obs)
        return legal[0]


ANSWERS = {ACCEPT, REJECT, COUNTER}


def responses_to_offers(node: Node) -> list[set[int]]:
    """For every node below ``node`` where an offer is answered, the codes of its children. Such a node is known
    by its children, all answers (it is not always reached by an ``offer`` edge: under ``proposals.auto_offer`` a
    full package is offered by its last item)."""
    out = [set(node.kids)] if node.kids and set(node.kids) <= ANSWERS else []
    for kid in node.kids.values():
        out += responses_to_offers(kid)
    return out


def offer_decision(rules: Ruleset) -> State:
    """A state where the player to move builds a package at the start of a round (it may offer)."""
    for seed in range(50):
        s = new_game(rules, seed)
        if s.phase == Phase.BUILD and not s.items:
            return s
    raise AssertionError("no build decision found")


def test_the_search_follows_the_model_at_the_opponents_decisions(summit_rules: Ruleset) -> None:
    s = offer_decision(summit_rules)
    me, other = s.to_move, 1 - s.to_move
    obs = observe(s, me)
    plain = MctsAgent(iterations=300)
    plain.start(summit_rules, me, random.Random(3))
    answers = responses_to_offers(plain.search(obs))
    assert answers and any(REJECT in a for a in answers)  # searched as a rival, offers are sometimes refused

    for model_spec, answer in (("first", ACCEPT), ("stonewall", REJECT)):
        agent = make_agent(f"mcts:iterations=300,opponent={model_spec}")
        assert isinstance(agent, MctsAgent)
        agent.start(summit_rules, me, random.Random(3))
        answers = responses_to_offers(agent.search(obs))
        assert answers and all(a == {answer} for a in answers), (model_spec, answers)
        assert agent.model_calls > 0

    spy = MctsAgent(iterations=200, opponent="first")
    recorder = spy.model = Recorder()
    spy.start(summit_rules, me, random.Random(3))
    spy.search(obs)
    assert len(recorder.asked) == spy.model_calls > 0
    assert all(o.viewer == other == o.to_move for o in recorder.asked)
    assert all(o.my_agenda in summit_rules.agenda_ids for o in recorder.asked)
    assert {o.my_hand for o in recorder.asked} != {obs.my_hand}  # it sees sampled hands, not the real one


def test_the_model_is_asked_each_question_once_per_search(summit_rules: Ruleset) -> None:
    s = offer_decision(summit_rules)
    agent = MctsAgent(iterations=300, opponent="first")
    recorder = agent.model = Recorder()
    agent.start(summit_rules, s.to_move, random.Random(0))
    agent.search(observe(s, s.to_move))
    keys = [(o.history, o.my_hand, o.my_agenda) for o in recorder.asked]
    assert len(keys) == len(set(keys)) == agent.model_calls
    assert agent.model_calls < 300 * 4
    reused = MctsAgent(iterations=300, opponent="first", deals=4)  # four deals in turn: far fewer questions
    reused.start(summit_rules, s.to_move, random.Random(0))
    reused.search(observe(s, s.to_move))
    assert 0 < reused.model_calls < agent.model_calls / 2


# --- budgets --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("iterations", [1, 17, 150])
def test_runs_exactly_its_iterations(summit_rules: Ruleset, iterations: int) -> None:
    s = decision_point(summit_rules, 5, 2)
    agent = MctsAgent(iterations=iterations)
    agent.start(summit_rules, s.to_move, random.Random(0))
    obs = observe(s, s.to_move)
    root = agent.search(obs)
    assert agent.iterations_done == iterations
    assert root.n == iterations
    assert sum(kid.n for kid in root.kids.values()) == iterations
    assert agent.act(obs, obs.legal) in obs.legal


def test_the_default_budget_is_the_measured_one(summit_rules: Ruleset) -> None:
    # 35 simulations: the budget the module docstring's figures were measured at (greedy, the probes, 4x it)
    s = decision_point(summit_rules, 5, 2)
    agent = make_agent("mcts")
    assert isinstance(agent, MctsAgent)
    agent.start(summit_rules, s.to_move, random.Random(0))
    agent.search(observe(s, s.to_move))
    assert agent.iterations_done == ITERATIONS == 35


def test_grow_widens_only_past_its_own_base_not_the_default(summit_rules: Ruleset) -> None:
    # grow is anchored at GROW_FROM (100), not at the default budget: from the default up to 100 the plan
    # keeps width packages, so a smaller default does not widen every search that names a budget
    give_base, ask_base = summit_rules.actions.give_base, summit_rules.actions.ask_base
    checked = 0
    for seed in range(4):
        s = decision_point(summit_rules, seed, 0)
        if s.phase != Phase.BUILD or s.items:
            continue
        view = observe(s, s.to_move)
        first = {min(p, key=lambda a: (a < ask_base, a)) for p in _Plan(view, 1).packages}
        if len({min(p, key=lambda a: (a < ask_base, a)) for p in _Plan(view, 4).packages}) < 2:
            continue
        agent = make_agent(f"mcts:iterations={GROW_FROM},width=1,grow=1")
        assert isinstance(agent, MctsAgent) and GROW_FROM > ITERATIONS
        agent.start(summit_rules, s.to_move, random.Random(seed))
        assert first_items(agent.search(view), give_base) == first
        checked += 1
    assert checked >= 2


def test_lone_legal_action_is_played_without_search(summit_rules: Ruleset) -> None:
    agent = MctsAgent(iterations=10_000)
    agent.start(summit_rules, 0, random.Random(0))
    s = decision_point(summit_rules, 1, 0)
    obs = observe(s, s.to_move)
    only = obs.legal[:1]
    assert agent.act(obs, only) == only[0]
    assert agent.iterations_done == 0


def test_time_budget_is_respected(summit_rules: Ruleset) -> None:
    # a generous tolerance: the agent looks at the clock every 16 iterations (well under a millisecond)
    s = decision_point(summit_rules, 3, 1)
    obs = observe(s, s.to_move)
    agent = make_agent("mcts:time=0.05,iterations=1")
    assert isinstance(agent, MctsAgent)
    agent.start(summit_rules, s.to_move, random.Random(0))
    t0 = time.perf_counter()
    action = agent.act(obs, obs.legal)
    spent = time.perf_counter() - t0
    assert action in obs.legal
    assert agent.iterations_done > 1  # the time budget, not the iteration count, ended the search
    assert spent < 0.05 + 0.1


# --- strength ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_beats_random_clearly(summit_rules: Ruleset) -> None:
    rate, lead = duel(summit_rules, MctsAgent(iterations=100), make_agent("random"), 40)
    assert rate >= 0.75, rate
    assert lead > 10, lead


def test_beats_random_on_the_variant(trade_rules: Ruleset) -> None:
    rate, lead = duel(trade_rules, MctsAgent(iterations=100), make_agent("random"), 20)
    assert rate >= 0.75, rate
    assert lead > 10, lead


@pytest.mark.slow
@pytest.mark.parametrize("name", ["summit", "trade"])
def test_ladder_beats_random_with_confidence(summit_rules: Ruleset, trade_rules: Ruleset, name: str) -> None:
    rules = summit_rules if name == "summit" else trade_rules
    games = 200
    rate, lead = duel(rules, MctsAgent(), make_agent("random"), games, start=1000)
    assert wilson_low(rate, games) > 0.5, (rate, lead)
    assert lead > 0
