"""PettingZoo adapter: the summit as an AEC environment, one agent per role.

    from summitgame.integrations.pettingzoo import env
    e = env(rules="rules/trade.toml", render_mode="ansi")
    e.reset(seed=7)
    for agent in e.agent_iter():
        obs, reward, terminated, truncated, info = e.last()
        action = None if terminated or truncated else e.action_space(agent).sample(obs["action_mask"])
        e.step(action)

**Agents** are the role ids in rule-file order (``washington``, ``moscow`` for the bundled rules).
**Observations** are dicts: ``observation``, a float32 vector of fixed length encoding
``observation.observe(state, role)`` (layout in ``integrations.encoding``; a new array each time; built
by ``Encoder.encode_state`` from ``observation.sight``, the same visible fields without the
``Observation``, and tested equal to the reference encoding bit for bit), and ``action_mask``, an int8
mask over the fixed ``Discrete(len(rules.actions))`` action space (all zeros when the agent is not to
move; read-only, as equal masks are one shared array). **Rewards** are 0
until the summit ends, then each role's final score (general-sum, as in ``scoring.outcome``; not a
difference). The episode ends by termination only (the rules bound its length).
**Seeds**: ``reset(seed=k)`` plays exactly ``engine.new_game(rules, k)``; ``reset()`` without a seed draws
the next 64-bit deal seed from a stream started by ``env(seed=...)`` (the stream is the environment's,
never an agent's).
``game_state`` holds the engine state (full information: for the environment's owner, not for agents).
``render_mode="ansi"`` returns the public board as text; ``"human"`` prints it after every step.

**Parallel API.** ``parallel_env(...)`` is the same game through PettingZoo's ``turn_based_aec_to_parallel``
(the conversion PettingZoo provides for turn-based games; ``aec_to_parallel`` needs every agent to act
once per cycle, and here a builder takes several actions in a row): each ``step(actions)`` applies only
the action of the agent to move, ``infos[agent]["active_agent"]``, and ignores the other's (its mask is
all zeros). Rewards, seeds and the illegal-action rule are the AEC env's.

    from summitgame.integrations.pettingzoo import parallel_env
    p = parallel_env()
    obs, infos = p.reset(seed=7)
    while p.agents:
        actions = {a: p.action_space(a).sample(obs[a]["action_mask"]) for a in p.agents}
        obs, rewards, terminations, truncations, infos = p.step(actions)
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, ClassVar

import gymnasium
import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers
from pettingzoo.utils.conversions import turn_based_aec_to_parallel

from ..engine.forward import apply, legal_actions, new_game
from ..engine.observation import observe
from ..engine.scoring import outcome
from ..engine.state import State
from ..rules.loader import load_rules
from ..rules.ruleset import Ruleset
from .encoding import Encoder, board_text

__all__ = ["env", "parallel_env", "raw_env"]


def env(rules: Ruleset | str | Path | None = None, seed: int | None = None, render_mode: str | None = None) -> Any:
    """The summit environment with PettingZoo's usual wrappers (an illegal action ends the game with
    reward -1 for the offender; out-of-range actions are refused; call order is enforced)."""
    e: Any = raw_env(rules=rules, seed=seed, render_mode=render_mode)
    e = wrappers.TerminateIllegalWrapper(e, illegal_reward=-1)
    e = wrappers.AssertOutOfBoundsWrapper(e)
    e = wrappers.OrderEnforcingWrapper(e)
    return e


def parallel_env(
    rules: Ruleset | str | Path | None = None, seed: int | None = None, render_mode: str | None = None
) -> Any:
    """The summit as a PettingZoo ``ParallelEnv``: ``env(...)`` through ``turn_based_aec_to_parallel`` (only
    the action of the agent to move is applied each step; see the module docstring)."""
    return turn_based_aec_to_parallel(env(rules=rules, seed=seed, render_mode=render_mode))


class raw_env(AECEnv):  # type: ignore[misc]
    """The unwrapped AEC environment (see the module docstring)."""

    metadata: ClassVar[dict[str, Any]] = {
        "render_modes": ["human", "ansi"],
        "name": "summit_v0",
        "is_parallelizable": False,
    }
    MASK_CACHE_LIMIT: ClassVar[int] = 4096
    """Action masks kept (read-only, one per distinct tuple of legal actions; emptied when full)."""

    def __init__(
        self, rules: Ruleset | str | Path | None = None, seed: int | None = None, render_mode: str | None = None
    ) -> None:
        super().__init__()
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None")
        self.rules: Ruleset = rules if isinstance(rules, Ruleset) else load_rules(rules)
        self.render_mode = render_mode
        self.encoder = Encoder(self.rules)
        self.possible_agents: list[str] = list(self.rules.roles)
        self._index = {a: i for i, a in enumerate(self.possible_agents)}
        n_actions = len(self.rules.actions)
        self.action_spaces = {a: spaces.Discrete(n_actions) for a in self.possible_agents}
        self.observation_spaces = {
            a: spaces.Dict(
                {
                    "observation": spaces.Box(-np.inf, np.inf, (self.encoder.size,), np.float32),
                    "action_mask": spaces.Box(0, 1, (n_actions,), np.int8),
                }
            )
            for a in self.possible_agents
        }
        self._seeds: random.Random | int | None = seed  # the deal-seed stream, or the seed it starts from
        self.game_state: State = new_game(self.rules, 0)
        self._masks: dict[tuple[int, ...], np.ndarray[Any, np.dtype[np.int8]]] = {}

    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None:
            # The stream restarts from ``seed``; it is only built when a seedless reset draws from it
            # (seeding a generator costs a third of a new game, and most callers always pass a seed).
            self._seeds = seed
            game_seed = seed
        else:
            if not isinstance(self._seeds, random.Random):
                self._seeds = random.Random(self._seeds)
            game_seed = self._seeds.getrandbits(64)  # a deal space no agent can search
        self.game_state = new_game(self.rules, game_seed)
        self.agents = self.possible_agents[:]
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        self.agent_selection = self.possible_agents[self.game_state.to_move]

    def observe(self, agent: str) -> dict[str, np.ndarray[Any, Any]]:
        s = self.game_state
        r = self._index[agent]
        legal = legal_actions(s) if s.to_move == r else ()  # as ``observe(s, r).legal``
        mask = self._masks.get(legal)
        if mask is None:
            mask = np.zeros(len(self.rules.actions), np.int8)
            if legal:
                mask[list(legal)] = 1
            mask.flags.writeable = False  # shared by every observation with these legal actions
            if len(self._masks) >= self.MASK_CACHE_LIMIT:
                self._masks.clear()
            self._masks[legal] = mask
        return {"observation": self.encoder.encode_state(s, r), "action_mask": mask}

    def step(self, action: int | None) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        assert action is not None
        self._cumulative_rewards[agent] = 0.0
        state = self.game_state = apply(self.game_state, int(action))
        if state.to_move < 0:
            result = outcome(state)
            self.rewards = {a: float(result.scores[a]) for a in self.agents}
            self.terminations = dict.fromkeys(self.agents, True)
            self.infos = {a: {"outcome": result.as_dict()} for a in self.agents}
            self.agent_selection = self.possible_agents[1 - self._index[agent]]
            self._accumulate_rewards()
        else:
            # Rewards are all 0.0 until the summit ends (set so by reset, and the episode is over once
            # they are not), so accumulating them would add nothing: skipped on the per-move path.
            self.agent_selection = self.possible_agents[state.to_move]
        if self.render_mode == "human":
            self.render()

    def render(self) -> str | None:
        """The public board as text (returned for ``"ansi"``, printed for ``"human"``); no hand or agenda."""
        if self.render_mode is None:
            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        text = board_text(observe(self.game_state, 0))
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        pass
