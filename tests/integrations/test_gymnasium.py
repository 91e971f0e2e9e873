"""The Gymnasium adapter: gymnasium's own checker, registration, seeds that match the engine and the match
loop, seats, masks, rewards and illegal actions."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from importlib.metadata import EntryPoint
from pathlib import Path

import gymnasium
import numpy as np
import pytest
from gymnasium.envs.registration import namespace, registry
from gymnasium.utils.env_checker import check_env

from summitgame.agents.base import Agent
from summitgame.engine import legal_actions, new_game
from summitgame.engine.observation import Observation
from summitgame.engine.scoring import outcome
from summitgame.integrations.encoding import Encoder
from summitgame.integrations.gymnasium import ENV_ID, SummitEnv
from summitgame.integrations.pettingzoo import raw_env
from summitgame.rules.actions import Action
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import play_game

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def play_out(env: SummitEnv, pick: random.Random) -> tuple[float, dict[str, object]]:
    """Play the learner's side with uniformly random legal actions (sorted codes) until the episode ends."""
    while True:
        action = pick.choice(np.flatnonzero(env.action_masks()).tolist())
        _, reward, terminated, truncated, info = env.step(action)
        assert not truncated
        if terminated:
            return float(reward), info
        assert reward == 0.0


class Chooser(Agent):
    """Picks with ``Random(seed).choice`` among the sorted legal codes: the learner of ``play_out``."""

    name = "test-chooser"

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.pick = random.Random(seed)

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return self.pick.choice(sorted(legal))


def test_check_env(any_rules: Ruleset) -> None:
    env = SummitEnv(rules=any_rules, opponent="random")
    check_env(env, skip_render_check=False)
    env.close()


def test_make_by_id_and_check_env() -> None:
    assert ENV_ID in registry
    env = gymnasium.make(ENV_ID, opponent="greedy", render_mode="ansi")
    check_env(env.unwrapped)
    obs, _ = env.reset(seed=3)
    assert obs.shape == env.observation_space.shape and obs.dtype == np.float32
    text = env.render()
    assert isinstance(text, str) and "round 1" in text
    env.close()


def test_make_names_the_module_in_a_fresh_interpreter(summit_rules: Ruleset) -> None:
    """Gymnasium 1.x has no env plugins: ``module:id`` imports this module, which registers the env."""
    code = (
        "import gymnasium\n"
        "e = gymnasium.make('summitgame.integrations.gymnasium:summitgame/Summit-v0', opponent='random')\n"
        "obs, info = e.reset(seed=1)\n"
        "print(e.spec.id, obs.shape[0], info['role'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    size = Encoder(summit_rules).size
    assert out.stdout.split() == [ENV_ID, str(size), "moscow"]


def test_entry_point_registers_the_env_as_gymnasium_0_29_does() -> None:
    """The pyproject's ``gymnasium.envs`` entry point names a function that registers ``summitgame/Summit-v0``
    when called inside the entry point's namespace (what gymnasium 0.26-0.29 do on import)."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    eps = meta["project"]["entry-points"]["gymnasium.envs"]
    assert list(eps) == ["summitgame"]
    ep = EntryPoint("summitgame", eps["summitgame"], "gymnasium.envs")
    saved = registry.pop(ENV_ID)
    try:
        with namespace(ep.name):
            ep.load()()
        assert registry[ENV_ID].entry_point == "summitgame.integrations.gymnasium:SummitEnv"
    finally:
        registry[ENV_ID] = saved
    for extra in ("gymnasium", "test"):
        assert any(dep.startswith("gymnasium") for dep in meta["project"]["optional-dependencies"][extra])


def test_the_same_seed_and_actions_replay_the_match_loops_game(any_rules: Ruleset) -> None:
    """An episode is the game ``match.play_game`` plays on the same deal with the same choices and the
    opponent's usual stream; the observation is the PettingZoo env's vector for the learner's seat."""
    env = SummitEnv(rules=any_rules, opponent="greedy")
    pz = raw_env(rules=any_rules)
    pz.reset(seed=0)
    for seed in range(6):
        obs, info = env.reset(seed=seed)
        role = env.role
        assert role == seed % 2 and info["role"] == any_rules.roles[role]
        pz.game_state = env.game_state
        assert np.array_equal(obs, pz.observe(any_rules.roles[role])["observation"])
        reward, info = play_out(env, random.Random(seed))
        agents: list[Agent] = [Chooser(seed), Chooser(seed)]
        agents[1 - role] = SummitEnv(rules=any_rules, opponent="greedy").opponent
        result = play_game(any_rules, agents, seed)
        assert result.state == env.game_state
        assert result.outcome is not None
        assert reward == result.outcome.scores[any_rules.roles[role]]
        assert info["outcome"] == result.outcome.as_dict()


def test_seats_alternate_and_can_be_chosen(summit_rules: Ruleset) -> None:
    env = SummitEnv(opponent="random")
    seats = []
    for k in range(4):
        env.reset(seed=3 if k == 0 else None)
        seats.append(env.role)
    assert seats == [1, 0, 1, 0]
    env.reset(seed=8, options={"role": "moscow"})
    assert env.role == 1
    fixed = SummitEnv(opponent="random", role="washington")
    for seed in (1, 2, 3):
        _, info = fixed.reset(seed=seed)
        assert info["role"] == "washington" and fixed.game_state.to_move == 0
    with pytest.raises(ValueError, match="role must be one of"):
        SummitEnv(role="paris")
    with pytest.raises(ValueError, match="reward must be one of"):
        SummitEnv(reward="elo")


def test_reset_without_seed_follows_np_random(summit_rules: Ruleset) -> None:
    a, b = SummitEnv(opponent="random"), SummitEnv(opponent="random")
    a.reset(seed=11)
    b.reset(seed=11)
    for _ in range(3):
        oa, _ = a.reset()
        ob, _ = b.reset()
        assert a.game_state == b.game_state and np.array_equal(oa, ob)
    assert a.game_state != new_game(summit_rules, 11)


def test_action_masks_are_the_legal_actions() -> None:
    env = SummitEnv(opponent="random")
    env.reset(seed=2)
    pick = random.Random(2)
    steps = 0
    while True:
        mask = env.action_masks()
        assert mask.dtype == np.bool_ and mask.shape == (env.action_space.n,)
        legal = legal_actions(env.game_state)
        assert env.game_state.to_move == env.role
        assert sorted(np.flatnonzero(mask).tolist()) == sorted(legal)
        _, _, terminated, _, info = env.step(pick.choice(legal))
        steps += 1
        if terminated:
            break
        assert np.array_equal(info["action_mask"], env.action_masks())
    assert steps > 3
    assert not env.action_masks().any()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_illegal_action_ends_the_episode_as_in_pettingzoo() -> None:
    env = SummitEnv(opponent="greedy")
    env.reset(seed=5)
    illegal = int(np.flatnonzero(~env.action_masks())[0])
    before = env.game_state
    _, reward, terminated, truncated, info = env.step(illegal)
    assert (reward, terminated, truncated, info["illegal_action"]) == (-1.0, True, False, True)
    assert env.game_state == before
    env.reset(seed=5)
    assert env.step(env.action_space.n + 3)[1:3] == (-1.0, True)  # out of range: illegal too


def test_result_reward_is_match_points(summit_rules: Ruleset) -> None:
    env = SummitEnv(opponent="random", reward="result")
    seen = set()
    for seed in range(12):
        env.reset(seed=seed)
        reward, _ = play_out(env, random.Random(seed))
        o = outcome(env.game_state)
        me = summit_rules.roles[env.role]
        assert reward == (1.0 if o.winner == me else 0.5 if o.winner is None else 0.0)
        seen.add(reward)
    assert len(seen) > 1


class Spy(Chooser):
    """A chooser that counts the hooks the env calls on it."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.calls: list[str] = []

    def start(self, rules: Ruleset, role: int, rng: random.Random) -> None:
        super().start(rules, role, rng)
        self.calls.append("start")

    def end(self, obs: Observation, outcome: object) -> None:
        self.calls.append("end")

    def close(self) -> None:
        self.calls.append("close")


def test_the_opponent_is_started_ended_and_closed_as_in_a_match() -> None:
    """A game over (or abandoned on an illegal action) closes the opponent, so a program it runs ends."""
    env = SummitEnv(opponent="random")
    spy = env.opponent = Spy(0)
    env.reset(seed=1)
    play_out(env, random.Random(1))
    assert spy.calls == ["start", "end", "close"]
    env.reset(seed=2)
    env.step(int(np.flatnonzero(~env.action_masks())[0]))
    assert spy.calls[3:] == ["start", "close"]
