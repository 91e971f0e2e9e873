"""The PettingZoo adapter: PettingZoo's own conformance tests, seeds that match the engine, no leaks."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, render_test, seed_test

from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import determinize, observe, sample_state
from summitgame.engine.scoring import outcome
from summitgame.engine.state import State
from summitgame.integrations.encoding import Encoder
from summitgame.integrations.pettingzoo import env, parallel_env, raw_env
from summitgame.rules.ruleset import Ruleset

TRADE = str(Path(__file__).resolve().parents[2] / "rules" / "trade.toml")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def engine_game(rules: Ruleset, seed: int) -> State:
    """A random game on the bare engine: chooser ``Random(seed)`` over the legal codes in ascending order."""
    pick = random.Random(seed).choice
    s = new_game(rules, seed)
    while s.to_move >= 0:
        s = apply(s, pick(sorted(legal_actions(s))))
    return s


def test_api_test(any_rules: Ruleset) -> None:
    api_test(env(rules=any_rules), num_cycles=200)


def test_seed_test(any_rules: Ruleset) -> None:
    seed_test(lambda: env(rules=any_rules), num_cycles=200)


def test_render_test() -> None:
    render_test(lambda render_mode=None: env(render_mode=render_mode))


def test_rules_by_path_and_spaces(trade_rules: Ruleset) -> None:
    e = raw_env(rules=TRADE)
    assert e.possible_agents == list(trade_rules.roles)
    assert e.rules.fingerprint == trade_rules.fingerprint
    e.reset(seed=1)
    agent = e.agent_selection
    obs = e.observe(agent)
    assert obs["observation"].shape == (e.encoder.size,)
    assert obs["observation"].dtype == np.float32
    assert obs["action_mask"].shape == (len(trade_rules.actions),)
    assert e.observation_space(agent).contains(obs)
    other = next(a for a in e.agents if a != agent)
    assert not e.observe(other)["action_mask"].any()


def test_random_agent_matches_the_engine(any_rules: Ruleset) -> None:
    """100 games through the adapter are the engine's games for the same seeds: same tiers, same scores."""
    e = env(rules=any_rules)
    tiers: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    for seed in range(100):
        e.reset(seed=seed)
        pick = random.Random(seed).choice
        returns = dict.fromkeys(e.possible_agents, 0.0)
        for agent in e.agent_iter():
            obs, reward, terminated, truncated, info = e.last()
            returns[agent] += reward
            if terminated or truncated:
                e.step(None)
                continue
            e.step(pick([int(a) for a in np.flatnonzero(obs["action_mask"])]))
        final = engine_game(any_rules, seed)
        o = outcome(final)
        tiers[info["outcome"]["tier"]] += 1
        expected[o.tier] += 1
        assert returns == {r: float(v) for r, v in o.scores.items()}
        assert e.unwrapped.game_state == final
    assert tiers == expected
    assert len(tiers) > 1


def test_observation_vectors_hide_the_opponents_secrets(
    any_rules: Ruleset, random_walk: Callable[..., Iterator[State]]
) -> None:
    """States that differ only in what a role cannot see encode identically for that role."""
    e = raw_env(rules=any_rules)
    e.reset(seed=0)
    rng = random.Random(5)
    differed = sensitive = 0
    for seed in range(6):
        for s in random_walk(any_rules, seed):
            for r, agent in enumerate(e.possible_agents):
                e.game_state = s
                mine = e.observe(agent)
                other = e.observe(e.possible_agents[1 - r])
                for t in (determinize(s, r, rng), sample_state(observe(s, r), rng)):
                    differed += t.hands[1 - r] != s.hands[1 - r] or t.agendas[1 - r] != s.agendas[1 - r]
                    e.game_state = t
                    theirs = e.observe(agent)
                    assert np.array_equal(theirs["observation"], mine["observation"])
                    assert np.array_equal(theirs["action_mask"], mine["action_mask"])
                    # the same change is visible to the opponent, so the encoding does carry secrets
                    sensitive += not np.array_equal(
                        e.observe(e.possible_agents[1 - r])["observation"], other["observation"]
                    )
    assert differed > 100 and sensitive > 100


def test_render_ansi_shows_the_public_board_only(summit_rules: Ruleset) -> None:
    e = env(render_mode="ansi")
    e.reset(seed=3)
    text = e.render()
    assert isinstance(text, str) and "round 1" in text
    s = e.unwrapped.game_state
    for r in (0, 1):
        assert summit_rules.agenda_ids[s.agendas[r]] not in text
        for g in s.hands[r]:
            assert summit_rules.gesture_ids[g] not in text


def test_reset_without_seed_is_reproducible_from_the_env_seed(summit_rules: Ruleset) -> None:
    a, b = raw_env(seed=11), raw_env(seed=11)
    for _ in range(3):
        a.reset()
        b.reset()
        assert a.game_state == b.game_state
    a.reset(seed=4)
    assert a.game_state == new_game(summit_rules, 4)


def test_illegal_action_ends_the_game_for_the_offender() -> None:
    e = env()
    e.reset(seed=2)
    agent = e.agent_selection
    mask = e.last()[0]["action_mask"]
    e.step(int(np.flatnonzero(mask == 0)[0]))
    assert all(e.terminations.values())
    assert e.rewards[agent] == -1


def test_encoding_blocks_read_back_the_observation(
    any_rules: Ruleset, random_walk: Callable[..., Iterator[State]]
) -> None:
    """Each block of the vector holds what the layout in ``integrations.encoding`` says."""
    enc = Encoder(any_rules)
    assert set(enc.offsets) >= {"meters", "my_hand", "events_left"} and enc.size == sum(
        n for _, n in enc.offsets.values()
    )

    def block(v: list[float], name: str) -> list[float]:
        at, n = enc.offsets[name]
        return v[at : at + n]

    for seed in range(4):
        for s in random_walk(any_rules, seed):
            for r in (0, 1):
                o = observe(s, r)
                v = enc.encode(o)
                assert len(v) == enc.size
                assert block(v, "viewer") == [r == 0, r == 1]
                assert block(v, "meters") == list(o.meters)
                assert block(v, "public_stakes") == list(o.public_stakes)
                assert block(v, "net") == list(o.net)
                assert sum(block(v, "tracks")) == any_rules.n_tracks
                hand = block(v, "my_hand")
                assert {any_rules.gesture_ids[i]: n for i, n in enumerate(hand) if n} == Counter(o.my_hand)
                assert sum(block(v, "events_left")) == o.events_left
                assert all(x >= 0 for x in block(v, "events_left"))
                assert sum(block(v, "their_agenda")) == (o.their_agenda is not None)
                assert sum(block(v, "end")) == 1 and sum(block(v, "phase")) == 1 and sum(block(v, "to_move")) == 1


def test_encode_array_is_the_encoding_bit_for_bit(
    any_rules: Ruleset, random_walk: Callable[..., Iterator[State]]
) -> None:
    """The memoized float32 path equals the plain list converted, from cold and tiny caches alike
    (tiny ones are emptied all the time), including re-dealt states the memo has not seen in order."""
    plain = Encoder(any_rules)
    fresh, tiny = Encoder(any_rules), Encoder(any_rules)
    tiny.CACHE_LIMIT = 3
    rng = random.Random(9)
    for seed in range(12):
        for s in random_walk(any_rules, seed):
            for r in (0, 1):
                for t in (s, determinize(s, r, rng)):
                    o = observe(t, r)
                    want = np.array(plain.encode(o), np.float32).tobytes()
                    for enc in (fresh, tiny):
                        got = enc.encode_array(o)
                        assert got.dtype == np.float32 and got.shape == (plain.size,) and got.flags.writeable
                        assert got.tobytes() == want


def test_observations_never_share_a_writable_buffer() -> None:
    """Each observation vector is its own array (a replay buffer may keep and even edit them); masks
    are shared between equal legal sets, so they are read-only."""
    e = raw_env()
    e.reset(seed=4)
    kept = []
    pick = random.Random(4).choice
    while e.game_state.to_move >= 0:
        obs = e.observe(e.agent_selection)
        kept.append((obs["observation"].copy(), obs))
        e.step(pick(np.flatnonzero(obs["action_mask"]).tolist()))
    assert len(kept) > 10
    again = e.observe(e.agent_selection)
    again["observation"][:] = -7
    for before, obs in kept:
        assert np.array_equal(obs["observation"], before)
        assert not np.shares_memory(obs["observation"], again["observation"])
        assert not obs["action_mask"].flags.writeable
    with pytest.raises(ValueError):
        kept[0][1]["action_mask"][0] = 1


def test_parallel_api_test(any_rules: Ruleset) -> None:
    parallel_api_test(parallel_env(rules=any_rules), num_cycles=1000)


def test_parallel_seed_test(summit_rules: Ruleset) -> None:
    parallel_seed_test(lambda: parallel_env(rules=summit_rules), num_cycles=300)


def test_parallel_env_plays_the_engines_game(any_rules: Ruleset) -> None:
    """Only the agent to move acts; the game, rewards and infos are the AEC env's for the same seed."""
    p = parallel_env(rules=any_rules)
    for seed in range(20):
        obs, _ = p.reset(seed=seed)
        pick = random.Random(seed).choice
        returns = dict.fromkeys(p.possible_agents, 0.0)
        while p.agents:
            mover = p.unwrapped.agent_selection
            assert [a for a in p.agents if obs[a]["action_mask"].any()] == [mover]
            legal = [int(a) for a in np.flatnonzero(obs[mover]["action_mask"])]
            # the other agent's action would be illegal for the mover: it is ignored, not applied
            actions = dict.fromkeys(p.agents, int(np.flatnonzero(obs[mover]["action_mask"] == 0)[0]))
            actions[mover] = pick(legal)
            obs, rewards, terminations, _, infos = p.step(actions)
            for a, r in rewards.items():
                returns[a] += r
        final = engine_game(any_rules, seed)
        assert p.unwrapped.game_state == final
        assert returns == {r: float(v) for r, v in outcome(final).scores.items()}
        assert all(terminations.values()) and all("outcome" in i for i in infos.values())


def test_parallel_illegal_action_ends_the_game_for_the_offender() -> None:
    p = parallel_env()
    obs, _ = p.reset(seed=2)
    mover = p.unwrapped.agent_selection
    bad = int(np.flatnonzero(obs[mover]["action_mask"] == 0)[0])
    _, rewards, terminations, _, _ = p.step({a: bad for a in p.agents})
    assert all(terminations.values()) and rewards[mover] == -1 and not p.agents
