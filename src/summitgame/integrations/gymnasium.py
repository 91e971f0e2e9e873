"""Gymnasium adapter: the summit as a single-agent environment, the learner against a fixed opponent.

    import gymnasium
    import summitgame.integrations.gymnasium  # registers summitgame/Summit-v0 (gymnasium 1.x)
    env = gymnasium.make("summitgame/Summit-v0", opponent="greedy")
    obs, info = env.reset(seed=7)
    while True:
        action = env.action_space.sample(env.unwrapped.action_masks().astype(np.int8))
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            break

**The learner** plays one role; the **opponent** is any agent spec (``"greedy"``, ``"mcts:iterations=200"``,
``"cmd:PROGRAM"``…), which moves inside ``reset`` and ``step`` until the learner is to move again.
**Seats**: ``role="washington"`` (or an index) fixes the learner's seat; with ``role=None`` it alternates
from one reset to the next, starting at a seeded ``reset(seed=k)`` from seat ``k % 2``; ``reset(options=
{"role": ...})`` chooses it for one episode.
**Observations** are the PettingZoo env's vector (``integrations.encoding``, ``Encoder.encode_state``): a
float32 array of fixed length holding only what the learner's role may see. **Actions** are the codes of
``Discrete(len(rules.actions))``; ``action_masks()`` is the bool array over them that sb3-contrib's
``MaskablePPO`` reads (also in ``info["action_mask"]``).
**Rewards** are 0 until the summit ends, then, with ``reward="score"`` (the default), the learner's final
game score, the same number the PettingZoo env pays (general-sum: the opponent's score is not
subtracted, so a deal that helps both is worth its gain); ``reward="result"`` pays the match points
instead: 1 for a win, 0.5 for a tie, 0 for a loss (the score rate ``summitgame match`` counts).
**An illegal action** ends the episode with reward ``illegal_reward`` (-1, as PettingZoo's
``TerminateIllegalWrapper`` in ``integrations.pettingzoo.env``) and ``info["illegal_action"]`` set.
**Seeds**: ``reset(seed=k)`` deals exactly ``engine.new_game(rules, k)`` and seeds ``np_random``; a reset
without a seed deals the next 64-bit seed drawn from ``np_random``. The opponent's random stream comes
from the deal seed and its seat (``match.agent_rng``), as in a game played with ``match.play_game``, so
the same seeds and the same learner actions replay the same game. Episodes end by termination only
(the rules bound their length). ``render_mode="ansi"`` returns the public board as text; ``"human"``
prints it.

**Registration.** Importing this module registers ``summitgame/Summit-v0`` (``register_envs``). Gymnasium
0.26 to 0.29 also find it through the ``gymnasium.envs`` entry point in summitgame's metadata, so there
``gymnasium.make("summitgame/Summit-v0")`` works with no import; gymnasium 1.0 dropped entry-point
plugins, so there import this module first or name it in the id:
``gymnasium.make("summitgame.integrations.gymnasium:summitgame/Summit-v0")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, SupportsFloat

import gymnasium
import numpy as np
from gymnasium import spaces

from ..agents.base import Agent, make_agent
from ..engine.forward import apply, legal_actions, new_game
from ..engine.observation import observe
from ..engine.scoring import outcome
from ..engine.state import State
from ..rules.loader import load_rules
from ..rules.ruleset import Ruleset
from ..runs.match import agent_rng
from . import register_gymnasium_envs as register_envs
from .encoding import Encoder, board_text

__all__ = ["ENV_ID", "SummitEnv", "register_envs"]

ENV_ID = "summitgame/Summit-v0"
MAX_REDEALS = 100  #: deals tried in a row at reset before giving up (one where the learner never moves is skipped)

Obs = np.ndarray[Any, np.dtype[np.float32]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]


class SummitEnv(gymnasium.Env[Obs, np.int64]):
    """The learner's side of a summit against an agent spec (see the module docstring)."""

    metadata: dict[str, Any] = {"render_modes": ["human", "ansi"], "render_fps": 1}  # noqa: RUF012 (an instance variable in gymnasium.Env)
    REWARDS: ClassVar[tuple[str, ...]] = ("score", "result")

    def __init__(
        self,
        rules: Ruleset | str | Path | None = None,
        opponent: str = "greedy",
        role: int | str | None = None,
        reward: str = "score",
        illegal_reward: float = -1.0,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None")
        if reward not in self.REWARDS:
            raise ValueError(f"reward must be one of {', '.join(self.REWARDS)}, got {reward!r}")
        self.rules: Ruleset = rules if isinstance(rules, Ruleset) else load_rules(rules)
        self.render_mode = render_mode
        self.reward_kind = reward
        self.illegal_reward = float(illegal_reward)
        self.fixed_role = None if role is None else self._role_index(role)
        self.opponent_spec = opponent
        self.opponent: Agent = make_agent(opponent)
        self.encoder = Encoder(self.rules)
        self.observation_space = spaces.Box(-np.inf, np.inf, (self.encoder.size,), np.float32)
        self.n_actions = len(self.rules.actions)
        self.action_space = spaces.Discrete(self.n_actions)
        self.game_state: State = new_game(self.rules, 0)
        """The engine state (full information: for the environment's owner, never for the learner)."""
        self.role = 0  #: the learner's seat this episode
        self._next_seat = 0
        self._done = True

    def _role_index(self, role: int | str) -> int:
        """A role given by index or id, checked."""
        roles = self.rules.roles
        if isinstance(role, str) and role in roles:
            return roles.index(role)
        if isinstance(role, int) and not isinstance(role, bool) and 0 <= role < len(roles):
            return role
        raise ValueError(f"role must be one of {', '.join(roles)} (or 0, 1), got {role!r}")

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Obs, dict[str, Any]]:
        super().reset(seed=seed)
        if seed is not None:
            self._next_seat = seed % 2
        chosen = (options or {}).get("role")
        if chosen is not None:
            self.role = self._role_index(chosen)
        elif self.fixed_role is not None:
            self.role = self.fixed_role
        else:
            self.role = self._next_seat
            self._next_seat = 1 - self._next_seat
        deal = seed
        for _ in range(MAX_REDEALS):
            if deal is None:
                deal = int(self.np_random.integers(2**64, dtype=np.uint64))
            self.game_state = new_game(self.rules, deal)
            self.opponent.start(self.rules, 1 - self.role, agent_rng(deal, 1 - self.role))
            self._done = False
            self._opponent_moves()
            if not self._done:
                break
            deal = None  # the summit ended before the learner's first decision: deal again
        else:
            raise RuntimeError(f"{MAX_REDEALS} deals in a row ended before the learner could move")
        if self.render_mode == "human":
            self.render()
        return self._obs(), self._info()

    def _opponent_moves(self) -> None:
        """Let the opponent act until the learner is to move or the summit is over."""
        s = self.game_state
        while s.to_move >= 0 and s.to_move != self.role:
            o = observe(s, s.to_move)
            s = apply(s, self.opponent.act(o, o.legal))
        self.game_state = s
        if s.to_move < 0:
            self._done = True
            self.opponent.end(observe(s, 1 - self.role), outcome(s))
            self.opponent.close()  # as after a match game: a program the opponent runs ends with it

    def step(self, action: Any) -> tuple[Obs, SupportsFloat, bool, bool, dict[str, Any]]:
        if self._done:
            raise RuntimeError("the summit is over: call reset() before step()")
        code = int(action)
        if code not in legal_actions(self.game_state):
            self._done = True
            self.opponent.close()
            info = {**self._info(), "illegal_action": True}
            return self._obs(), self.illegal_reward, True, False, info
        self.game_state = apply(self.game_state, code)
        self._opponent_moves()
        if self.render_mode == "human":
            self.render()
        if not self._done:
            return self._obs(), 0.0, False, False, self._info()
        result = outcome(self.game_state)
        me = self.rules.roles[self.role]
        if self.reward_kind == "score":
            reward = float(result.scores[me])
        else:
            reward = 1.0 if result.winner == me else (0.5 if result.winner is None else 0.0)
        return self._obs(), reward, True, False, {**self._info(), "outcome": result.as_dict()}

    def action_masks(self) -> Mask:
        """The legal actions as a bool array over the action space (what sb3-contrib's MaskablePPO reads);
        all False once the summit is over."""
        mask = np.zeros(self.n_actions, np.bool_)
        s = self.game_state
        if not self._done and s.to_move == self.role:
            mask[list(legal_actions(s))] = True
        return mask

    def _obs(self) -> Obs:
        return self.encoder.encode_state(self.game_state, self.role)

    def _info(self) -> dict[str, Any]:
        return {"role": self.rules.roles[self.role], "action_mask": self.action_masks()}

    def render(self) -> str | None:
        """The public board as text (returned for ``"ansi"``, printed for ``"human"``); no hand or agenda."""
        if self.render_mode is None:
            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        text = board_text(observe(self.game_state, self.role))
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        self.opponent.close()


if ENV_ID not in gymnasium.envs.registry:  # gymnasium 0.x may already have it through the entry point
    register_envs()
