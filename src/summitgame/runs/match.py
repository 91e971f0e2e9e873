"""The one match loop: agents take turns on observations until the summit ends.

Each agent gets its own random stream, seeded by an agent seed that a run derives from its run seed
(``rng.agent_seed``), never from the deal: the stream tells the agent nothing about the cards dealt,
its randomness never moves them, and the same deal seed and agent seeds replay the same game.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..agents.base import Agent
from ..engine.forward import apply, apply_muted, new_game, new_game_muted
from ..engine.observation import observe
from ..engine.scoring import Outcome, outcome
from ..engine.state import State
from ..errors import SummitError
from ..rng import deal_agent_seed
from ..rules.ruleset import Ruleset


def agent_stream(agent_seed: int) -> random.Random:
    """The random stream an agent is handed for a game, from its agent seed."""
    return random.Random(agent_seed)


def agent_rng(game_seed: int, role: int) -> random.Random:
    """The random stream of the agent in seat ``role`` of a game played on its own with deal ``game_seed``
    (derived one-way in the agent domain: ``rng.deal_agent_seed``)."""
    return agent_stream(deal_agent_seed(game_seed, role))


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
    agent_seeds: Sequence[int] | None = None,
    mute: int = -1,
) -> GameResult:
    """Play one game on deal ``seed``; ``agents[i]`` plays role ``i`` with the stream of ``agent_seeds[i]``
    (default: derived from the deal seed, ``agent_rng``). A failing agent forfeits instead of raising.
    Each agent is told the move limit (``Agent.time_limit``) before ``start``, and ``close``d at the end.
    ``mute`` >= 0 plays the counterfactual where the card that takes effect at that transition (0: round 1's
    event, at the deal; k: the k-th action's gesture, or the event it draws) does nothing (``engine.apply_muted``)."""
    s = new_game_muted(rules, seed) if mute == 0 else new_game(rules, seed)
    result = GameResult(s, None)
    try:
        for role, agent in enumerate(agents):
            rng = agent_rng(seed, role) if agent_seeds is None else agent_stream(agent_seeds[role])
            agent.time_limit = move_timeout
            agent.start(rules, role, rng)
        _play(agents, s, move_timeout, result, mute)
    finally:
        for agent in agents:  # an agent's program ends with its game, however the game ended
            agent.close()
    return result


def _play(agents: Sequence[Agent], s: State, move_timeout: float | None, result: GameResult, mute: int = -1) -> None:
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
            s = apply_muted(s, action) if s.moves + 1 == mute else apply(s, action)
        except SummitError as exc:
            result.forfeit = Forfeit(role, f"illegal action: {exc}")
            break
    result.state = s
    if result.forfeit is None:
        result.outcome = outcome(s)
        for role, agent in enumerate(agents):
            agent.end(observe(s, role), result.outcome)
