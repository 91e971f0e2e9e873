"""The one match loop: agents take turns on observations until the summit ends.

Each agent gets its own random stream derived from the game seed and its seat, so an agent's
randomness never moves the cards dealt and the same seed replays the same game.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .agents.base import Agent
from .engine import apply, new_game
from .errors import SummitError
from .observation import observe
from .ruleset import Ruleset
from .scoring import Outcome, outcome
from .state import State


def agent_rng(game_seed: int, role: int) -> random.Random:
    """The random stream of the agent in seat ``role`` for the game with ``game_seed``."""
    return random.Random(f"summitgame-agent:{game_seed}:{role}")


@dataclass
class Forfeit:
    """An agent that raised, answered illegally or ran out of time loses the game."""

    role: int
    reason: str


@dataclass
class GameResult:
    """A finished (or forfeited) game: final state, outcome, and time each seat spent deciding."""

    state: State
    outcome: Outcome | None
    forfeit: Forfeit | None = None
    seconds: list[float] = field(default_factory=lambda: [0.0, 0.0])
    decisions: list[int] = field(default_factory=lambda: [0, 0])


def play_game(
    rules: Ruleset,
    agents: Sequence[Agent],
    seed: int,
    move_timeout: float | None = None,
) -> GameResult:
    """Play one game; ``agents[i]`` plays role ``i``. A failing agent forfeits instead of raising."""
    s = new_game(rules, seed)
    for role, agent in enumerate(agents):
        agent.start(rules, role, agent_rng(seed, role))
    result = GameResult(s, None)
    clock = time.perf_counter
    while s.to_move >= 0:
        role = s.to_move
        obs = observe(s, role)
        t0 = clock()
        try:
            action = agents[role].act(obs, obs.legal)
        except Exception as exc:  # any agent bug forfeits the game, it never stops a run
            result.forfeit = Forfeit(role, f"{type(exc).__name__}: {exc}")
            break
        spent = clock() - t0
        result.seconds[role] += spent
        result.decisions[role] += 1
        if move_timeout is not None and spent > move_timeout:
            result.forfeit = Forfeit(role, f"took {spent:.3f} s for a move (limit {move_timeout} s)")
            break
        try:
            s = apply(s, action)
        except SummitError as exc:
            result.forfeit = Forfeit(role, f"illegal action: {exc}")
            break
    result.state = s
    if result.forfeit is None:
        result.outcome = outcome(s)
        for role, agent in enumerate(agents):
            agent.end(observe(s, role), result.outcome)
    return result
