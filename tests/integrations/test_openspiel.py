"""The OpenSpiel adapter: OpenSpiel's own random-simulation test, its bots, seeds that match the engine, no leaks."""

from __future__ import annotations

import pickle
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pyspiel
import pytest
from open_spiel.python.algorithms import ismcts, mcts

from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import determinize, observe
from summitgame.engine.scoring import outcome
from summitgame.engine.state import State
from summitgame.integrations import openspiel as adapter
from summitgame.rules.ruleset import Ruleset

TRADE = str(Path(__file__).resolve().parents[2] / "rules" / "trade.toml")
PARAMS = {"summit": {}, "trade": {"rules": TRADE}}


@pytest.fixture(params=sorted(PARAMS))
def game(request: pytest.FixtureRequest) -> pyspiel.Game:
    return pyspiel.load_game("python_summit", PARAMS[request.param])


def engine_game(rules: Ruleset, seed: int) -> State:
    """A random game on the bare engine: chooser ``Random(seed)`` over the legal codes in ascending order."""
    pick = random.Random(seed).choice
    s = new_game(rules, seed)
    while s.to_move >= 0:
        s = apply(s, pick(sorted(legal_actions(s))))
    return s


def test_game_declares_its_facts(game: pyspiel.Game) -> None:
    t = game.get_type()
    assert t.information == pyspiel.GameType.Information.IMPERFECT_INFORMATION
    assert t.chance_mode == pyspiel.GameType.ChanceMode.EXPLICIT_STOCHASTIC
    assert t.utility == pyspiel.GameType.Utility.GENERAL_SUM
    rules = game.cfg.rules
    assert game.num_distinct_actions() == len(rules.actions)
    assert game.max_chance_outcomes() == adapter.DEFAULT_SEEDS
    s = game.new_initial_state()
    assert s.is_chance_node()
    outcomes = s.chance_outcomes()
    assert [a for a, _ in outcomes] == list(range(adapter.DEFAULT_SEEDS))
    assert sum(p for _, p in outcomes) == pytest.approx(1.0)


def test_random_sim_test_with_serialization(game: pyspiel.Game) -> None:
    pyspiel.random_sim_test(game, num_sims=10, serialize=True, verbose=False)


def test_parameters_pick_rules_overrides_and_seed_range() -> None:
    game = pyspiel.load_game(
        "python_summit", {"rules": TRADE, "overrides": "rounds.count=3; meters.trust.start=4", "seeds": 7}
    )
    rules = game.cfg.rules
    assert rules.rounds == 3 and rules.roles == adapter.config(TRADE, (), 1).rules.roles
    assert len(game.new_initial_state().chance_outcomes()) == 7
    pyspiel.random_sim_test(game, num_sims=2, serialize=True, verbose=False)


def test_random_agent_matches_the_engine(game: pyspiel.Game) -> None:
    """Chance outcome k is engine seed k: 100 random games give the engine's games, tiers and scores."""
    rules = game.cfg.rules
    tiers: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    for seed in range(100):
        state = game.new_initial_state()
        state.apply_action(seed)
        pick = random.Random(seed).choice
        while not state.is_terminal():
            state.apply_action(pick(state.legal_actions()))
        final = engine_game(rules, seed)
        assert state.engine_state == final
        o = outcome(final)
        tiers[outcome(state.engine_state).tier] += 1
        expected[o.tier] += 1
        assert state.returns() == [float(o.scores[r]) for r in rules.roles]
    assert tiers == expected
    assert len(tiers) > 1


def walk(game: pyspiel.Game, seed: int) -> list[pyspiel.State]:
    state = game.new_initial_state()
    state.apply_action(seed)
    pick = random.Random(seed).choice
    out = [state.clone()]
    while not state.is_terminal():
        state.apply_action(pick(state.legal_actions()))
        out.append(state.clone())
    return out


def views(state: pyspiel.State, player: int) -> tuple[object, ...]:
    return (
        state.observation_string(player),
        state.information_state_string(player),
        tuple(state.observation_tensor(player)),
        tuple(state.information_state_tensor(player)),
    )


def test_views_hide_the_opponents_secrets(game: pyspiel.Game) -> None:
    """A state re-dealt from what a player cannot see (determinize, resample) looks the same to that player."""
    rng = random.Random(3)
    sampler = pyspiel.UniformProbabilitySampler(0.0, 1.0)
    differed = 0
    for seed in range(3):
        for state in walk(game, seed):
            s = state.engine_state
            for p in (0, 1):
                mine = views(state, p)
                other = state.clone()
                t = determinize(s, p, rng)
                other._box = adapter.Box(state._box.cfg, t, state._box.trails)
                resampled = state.resample_from_infostate(p, sampler)
                for u in (other, resampled):
                    assert views(u, p) == mine
                    differed += u.engine_state.hands[1 - p] != s.hands[1 - p]
                assert observe(resampled.engine_state, p) == observe(s, p)
    assert differed > 20


def test_serialize_round_trips_every_state(game: pyspiel.Game) -> None:
    for state in walk(game, 5)[::4]:
        back = game.deserialize_state(state.serialize())
        assert back.engine_state == state.engine_state
        assert str(back) == str(state)
        assert [views(back, p) for p in (0, 1)] == [views(state, p) for p in (0, 1)]
    box = walk(game, 6)[3]._box
    assert pickle.loads(pickle.dumps(box)).s == box.s


def test_state_string_shows_no_secrets() -> None:
    game = pyspiel.load_game("python_summit")
    state = walk(game, 2)[1]
    rules, s = game.cfg.rules, state.engine_state
    text = str(state)
    for r in (0, 1):
        assert rules.agenda_ids[s.agendas[r]] not in text
        assert not any(rules.gesture_ids[g] in text for g in s.hands[r])


def test_mcts_and_ismcts_bots_play_full_games() -> None:
    game = pyspiel.load_game("python_summit")
    rng = np.random.RandomState(0)
    evaluator = mcts.RandomRolloutEvaluator(1, rng)
    for make in (
        lambda: mcts.MCTSBot(game, 2.0, 10, evaluator, random_state=rng),
        lambda: ismcts.ISMCTSBot(game, evaluator, 2.0, 10, random_state=rng),
    ):
        bots = [make(), make()]
        state = game.new_initial_state()
        state.apply_action(int(rng.randint(adapter.DEFAULT_SEEDS)))
        while not state.is_terminal():
            state.apply_action(bots[state.current_player()].step(state))
        assert state.engine_state.to_move < 0
        lo, hi = game.min_utility(), game.max_utility()
        assert all(lo <= r <= hi for r in state.returns())
