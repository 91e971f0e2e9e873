"""Probe agents (``stonewall``, ``taker``, ``pushover``, ``spoiler``): legal whole games on both bundled rule
files, the line each promises, decisions that depend on the observation only, and the same game for the seed.

The registry-wide contract in ``test_agents.py`` covers them too (legal play, replay, the state guard, specs);
here each probe plays many more games, against greedy and random, and its promise is checked move by move.
"""

from __future__ import annotations

import copy
import inspect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_guard import StateGuard, Watched, agent_modules
from conftest import bundled
from summitgame.agents import AgentError, available, make_agent
from summitgame.agents.base import Agent
from summitgame.agents.evaluate import Valuer
from summitgame.agents.probes import NO_DEAL, gives, relative_gesture
from summitgame.cli import cli
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import Observation, determinize, observe
from summitgame.engine.state import Phase, State
from summitgame.rules.actions import Action, ActionKind
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import agent_rng, play_game
from summitgame.runs.records import record_of

PROBES = ["stonewall", "taker", "pushover", "spoiler"]
RULE_FILES = ["summit", "classic", "trade"]
OPPONENTS = ["greedy", "random"]
DEALS = range(12)  # per rule file, opponent and seat: 24 games per probe and opponent


@dataclass
class Move:
    """One decision of the probe: what it saw, what it could do, what it did."""

    obs: Observation
    legal: tuple[Action, ...]
    action: Action


class Recorder(Agent):
    """Wraps an agent and keeps every decision it makes."""

    name = "recorder"
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, inner: Agent) -> None:
        super().__init__()
        self.inner = inner
        self.moves: list[Move] = []

    def start(self, rules: Ruleset, role: int, rng: random.Random) -> None:
        super().start(rules, role, rng)
        self.inner.start(rules, role, rng)

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        action = self.inner.act(obs, legal)
        self.moves.append(Move(obs, tuple(legal), action))
        return action


def games(probe: str) -> list[Move]:
    """Every decision ``probe`` makes in ``DEALS`` on every bundled rule file, both seats, against each opponent; each
    game ends without a forfeit (an illegal action or an exception forfeits)."""
    moves: list[Move] = []
    for rules_name in RULE_FILES:
        rules = bundled(rules_name)
        for opponent in OPPONENTS:
            for seed in DEALS:
                for seat in (0, 1):
                    me = Recorder(make_agent(probe))
                    seats: list[Agent] = [make_agent(opponent), make_agent(opponent)]
                    seats[seat] = me
                    result = play_game(rules, seats, seed)
                    assert result.forfeit is None, (probe, rules_name, opponent, seed, seat, result.forfeit)
                    assert result.outcome is not None and result.state.to_move == -1
                    assert me.moves and all(m.action in m.legal for m in me.moves)
                    moves += me.moves
    return moves


def kinds(moves: list[Move]) -> set[ActionKind]:
    return {m.action.kind for m in moves}


def responses(moves: list[Move]) -> list[Move]:
    return [m for m in moves if m.obs.phase == Phase.RESPOND]


# --- registered and documented ---------------------------------------------------------------------------


@pytest.mark.parametrize("probe", PROBES)
def test_probes_are_ordinary_agents_documented_in_one_line(probe: str) -> None:
    cls = available()[probe]
    assert cls.__module__ == "summitgame.agents.probes"
    doc = inspect.getdoc(cls)
    assert doc and "\n" not in doc and len(doc) > 30
    assert make_agent(probe).spec() == probe


def test_match_stonewall_greedy_works_from_the_command_line() -> None:
    result = CliRunner().invoke(cli, ["match", "stonewall", "greedy", "--games", "4", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "stonewall" in result.output and "greedy" in result.output and "4 of 4 games" in result.output


def test_a_bad_spoiler_threshold_is_an_agent_error() -> None:
    with pytest.raises(AgentError, match="min_gain"):
        make_agent("spoiler:min_gain=-1")
    assert make_agent("spoiler:min_gain=0.5").params["min_gain"] == 0.5


# --- each keeps its promise, over many games --------------------------------------------------------------


def test_stonewall_never_deals_and_plays_no_gesture() -> None:
    moves = games("stonewall")
    assert kinds(moves) == {ActionKind.PASS, ActionKind.REJECT}
    assert len(responses(moves)) > 50  # it was offered deals, and refused them all
    assert any(any(a.kind is ActionKind.PLAY for a in m.legal) for m in moves)  # it could have played a card


def test_spoiler_never_deals_and_plays_the_gesture_that_most_shifts_the_score() -> None:
    moves = games("spoiler")
    assert kinds(moves) == {ActionKind.PASS, ActionKind.REJECT, ActionKind.PLAY}
    assert len(responses(moves)) > 50
    played = 0
    for m in moves:
        cards = [a for a in m.legal if a.kind is ActionKind.PLAY]
        if not cards:
            continue
        val = Valuer(m.obs, NO_DEAL)
        gains = {a: relative_gesture(val, str(a.card)) for a in cards}
        if m.action.kind is ActionKind.PLAY:
            played += 1
            assert gains[m.action] == max(gains.values()) > 0
        else:
            assert m.action.kind is ActionKind.PASS and max(gains.values()) <= 0
    assert played > 20


def forced(rules: Ruleset) -> int:
    """The steps a side must concede in any package it offers: one where every package is a trade, else none."""
    return 1 if rules.two_sided else 0


def test_taker_gives_only_what_the_rules_force_and_accepts_exactly_the_offers_that_ask_no_more() -> None:
    moves = games("taker")
    for m in moves:
        if m.action.kind is ActionKind.GIVE:  # the one step a trade needs, once per package
            assert m.action.steps == forced(m.obs.rules) and not gives(m.obs.items, m.obs.viewer), m.action
    assert ActionKind.GIVE not in kinds([m for m in moves if not m.obs.rules.two_sided])
    assert ActionKind.GIVE in kinds([m for m in moves if m.obs.rules.two_sided])
    assert ActionKind.ASK in kinds(moves) and ActionKind.OFFER in kinds(moves)
    answered = responses(moves)
    for m in answered:
        given = sum(steps for giver, _, steps in m.obs.items if giver == m.obs.viewer)
        assert (m.action.kind is ActionKind.ACCEPT) == (given <= forced(m.obs.rules)), (m.obs.items, m.action)
    assert {m.action.kind for m in answered} >= {ActionKind.ACCEPT, ActionKind.REJECT}


def test_pushover_accepts_every_offer_and_offers_when_it_can() -> None:
    moves = games("pushover")
    answered = responses(moves)
    assert len(answered) > 50 and all(m.action.kind is ActionKind.ACCEPT for m in answered)
    for m in moves:
        if m.action.kind is ActionKind.PASS:  # only when no package can be built
            assert not any(a.kind in (ActionKind.GIVE, ActionKind.ASK) for a in m.legal)
    assert ActionKind.OFFER in kinds(moves)


# --- they see only their observation ------------------------------------------------------------------------


def decide(agent: Agent, hidden: State, me: int) -> Action:
    """What ``agent`` does in ``hidden``, seen from ``me`` (the caller holds no other state)."""
    obs = observe(hidden, me)
    return agent.act(obs, obs.legal)


def redeals_agree(
    rules: Ruleset, probe: Callable[[], Agent], opponent: str, seed: int, seat: int, redeal_seed: int
) -> int:
    """Play one game; at each of the probe's decisions, a copy of the probe (its memory included) must
    choose the same in states where the opponent's hand and agenda, the gesture deck and the chance stream
    are re-dealt. Returns how many re-dealt states differed from the real one in a secret."""
    agents = [make_agent(opponent), make_agent(opponent)]
    agents[seat] = probe()
    for role, agent in enumerate(agents):
        agent.start(rules, role, agent_rng(seed, role))
    rng = random.Random(redeal_seed)
    differed = 0
    s = new_game(rules, seed)
    while s.to_move >= 0:
        me = s.to_move
        if me == seat:
            for _ in range(3):
                other = determinize(s, me, random.Random(rng.getrandbits(32)))
                differed += (other.hands, other.agendas, other.gdeck, other.rng) != (s.hands, s.agendas, s.gdeck, s.rng)
                twin = copy.deepcopy(agents[me])
                assert decide(twin, other, me) == decide(copy.deepcopy(agents[me]), s, me)
        action = decide(agents[me], s, me)
        assert action in legal_actions(s)
        s = apply(s, action)
    return differed


REDEALS = {
    "probe": st.sampled_from(PROBES),
    "rules_name": st.sampled_from(RULE_FILES),
    "opponent": st.sampled_from(OPPONENTS),
    "seed": st.integers(0, 10_000),
    "seat": st.integers(0, 1),
    "redeal_seed": st.integers(0, 2**32 - 1),
}


@settings(max_examples=4)  # a whole game each, three re-deals a decision; the slow twin runs 40
@given(**REDEALS)
def test_a_probe_decides_the_same_whatever_it_cannot_see(
    probe: str, rules_name: str, opponent: str, seed: int, seat: int, redeal_seed: int
) -> None:
    assert redeals_agree(bundled(rules_name), lambda: make_agent(probe), opponent, seed, seat, redeal_seed) > 0


@pytest.mark.slow
@settings(max_examples=40)
@given(**REDEALS)
def test_soak_a_probe_decides_the_same_whatever_it_cannot_see(
    probe: str, rules_name: str, opponent: str, seed: int, seat: int, redeal_seed: int
) -> None:
    test_a_probe_decides_the_same_whatever_it_cannot_see.hypothesis.inner_test(
        probe, rules_name, opponent, seed, seat, redeal_seed
    )


class Peeker(Agent):
    """Cheats: passes or rejects by the parity of the opponent's secret agenda, read from a caller's state."""

    name = "peeker"
    defaults: ClassVar[dict[str, Any]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        frame = inspect.currentframe()
        while frame is not None and not isinstance(frame.f_locals.get("hidden"), State):
            frame = frame.f_back
        assert frame is not None
        secret = frame.f_locals["hidden"].agendas[1 - obs.viewer]
        return legal[secret % 2 if len(legal) > 1 else 0]


def test_the_redeal_check_catches_an_agent_that_peeks() -> None:
    rules = bundled("summit")
    with pytest.raises(AssertionError):
        for seed in range(10):
            redeals_agree(rules, Peeker, "greedy", seed, 0, seed)


@pytest.mark.parametrize("rules_name", RULE_FILES)
@pytest.mark.parametrize("probe", PROBES)
def test_probes_touch_no_state(probe: str, rules_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    guard = StateGuard()
    guard.install(monkeypatch, agent_modules())
    rules = bundled(rules_name)
    for seed, opponent in ((0, "greedy"), (1, "random"), (2, "greedy")):
        for seat in (0, 1):
            me = Watched(make_agent(probe), before=guard.on, after=guard.off)
            seats: list[Agent] = [make_agent(opponent), make_agent(opponent)]
            seats[seat] = me
            result = play_game(rules, seats, seed)
            assert result.forfeit is None, result.forfeit
            assert me.moves > 0
    assert not guard.violations, f"{probe} used states it was not given: {dict(guard.violations)}"


# --- determinism and the shared pricing -------------------------------------------------------------------


@pytest.mark.parametrize("rules_name", RULE_FILES)
@pytest.mark.parametrize("probe", PROBES)
def test_same_seed_same_games(probe: str, rules_name: str) -> None:
    rules = bundled(rules_name)
    for opponent in ("greedy", "random", probe):
        first = [record_of(play_game(rules, [make_agent(probe), make_agent(opponent)], s).state) for s in range(4)]
        again = [record_of(play_game(rules, [make_agent(probe), make_agent(opponent)], s).state) for s in range(4)]
        assert first == again
        assert len({str(r) for r in first}) == 4


@pytest.mark.parametrize("rules_name", RULE_FILES)
def test_gesture_both_agrees_with_gesture_and_prices_the_other_side(rules_name: str) -> None:
    """``Valuer.gesture_both``: its first value is ``gesture``'s; a card that moves only the player's own
    pressure down (down to 0) is worth more to it than to the other side."""
    rules = bundled(rules_name)
    rng = random.Random(7)
    checked = 0
    for seed in range(30):
        s = new_game(rules, seed)
        while s.to_move >= 0:
            obs = observe(s, s.to_move)
            val = Valuer(obs)
            for card in set(obs.my_hand):
                mine, theirs = val.gesture_both(card)
                assert mine == pytest.approx(val.gesture(card))
                checked += 1
            s = apply(s, rng.choice(legal_actions(s)))
    assert checked > 200
    if rules_name == "summit":  # reassure_allies: own pressure -1 (and a stake); nothing else
        s = new_game(rules, 0)
        obs = observe(s, s.to_move)
        mine, theirs = Valuer(obs, NO_DEAL).gesture_both("reassure_allies")
        assert mine > theirs
