"""The plan of a match or tournament: who plays whom, in which seat, on which deal, from one run seed.

A plan is the deterministic list of games to play, from one run seed. For every pair of
agents (a match is the one-pair case) there are ``games`` games; games 2k and 2k+1 share a deal seed and
swap seats, so each deal is played from both sides, and every pair sees the same deals. Deal seeds and
the agents' stream seeds are derived from the run seed in separate one-way domains (``rng.deal_seed``,
``rng.agent_seed``, 64 bits each): an agent's stream tells it nothing about the deal. ``run_match`` and
``run_tournament`` draw the run seed at random when none is given. Each planned game has a stable
``game_id``: a hash of the rules fingerprint, the seats, the game's index in its series, its deal seed
and its agent seeds. Adding games or agents to a plan keeps the ids of the games it already had.

``RunResult`` is what became of a plan once run (``tournament.run_plan``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..agents.base import Agent, AgentError, make_agent
from ..errors import SummitError
from ..rng import agent_seed
from ..rng import deal_seed as _deal
from ..rules.ruleset import Ruleset


class TournamentError(SummitError):
    """A match or tournament that cannot run or continue: a bad plan, a busy or foreign output directory,
    a corrupt games file, or a worker that died outside any agent's call."""


@dataclass(frozen=True)
class Entrant:
    """One agent of a match or tournament: its label in results, its spec, and how to rebuild it.

    ``cls`` travels to worker processes by reference (module and name), so any importable agent class
    works there: built-in, from the ``summitgame.agents`` entry-point group, or loaded as ``module:Class``."""

    label: str
    spec: str
    cls: type[Agent]
    params: tuple[tuple[str, Any], ...]

    def build(self) -> Agent:
        """A fresh agent for one game."""
        return self.cls(**dict(self.params))


def entrants(specs: Sequence[str], allow_repeats: bool = False) -> list[Entrant]:
    """Resolve agent specs once (AgentError for an unknown agent or parameter).

    Labels are the canonical specs (``mcts:c=1.2,iterations=400``, parameters sorted, defaults dropped).
    A spec given twice is an error unless ``allow_repeats`` (a mirror match), which labels them ``#1``, ``#2``."""
    built = [make_agent(spec) for spec in specs]
    canon = [a.spec() for a in built]
    counts = Counter(canon)
    seen: Counter[str] = Counter()
    out = []
    for agent, spec in zip(built, canon, strict=True):
        label = spec
        if counts[spec] > 1:
            if not allow_repeats:
                raise AgentError(f"agent {spec!r} is listed {counts[spec]} times; list each agent once")
            seen[spec] += 1
            label = f"{spec}#{seen[spec]}"
        out.append(Entrant(label, spec, type(agent), tuple(sorted(agent.params.items()))))
    return out


@dataclass(frozen=True)
class PlannedGame:
    """One game of a plan: which pair, which game of that pair's series, who sits where, which deal."""

    index: int  #: position in the plan; results are reported in this order
    pair: tuple[str, str]  #: the pair's labels, in the order the agents were listed
    game: int  #: index of this game in the pair's series
    seats: tuple[str, str]  #: labels of the agents playing role 0 and role 1
    seed: int  #: deal seed, shared by games 2k and 2k+1 of a series
    agent_seeds: tuple[int, int]  #: seeds of the random streams of the agents in role 0 and role 1
    game_id: str
    run_seed: int  #: the run seed everything above was derived from
    mute: int = -1  #: a counterfactual replay: the transition whose card does nothing (``match.play_game``)


def deal_seed(seed: int, game: int) -> int:
    """The deal seed of game ``game`` of a series from run seed ``seed`` (games 2k and 2k+1 share it)."""
    return _deal(seed, game // 2)


def agent_seeds(seed: int, game: int) -> tuple[int, int]:
    """The stream seeds of the agents in role 0 and role 1 of game ``game`` of a series from run seed
    ``seed`` (the same for every pair, so paired comparisons share them; unrelated to the deal)."""
    return agent_seed(seed, game, 0), agent_seed(seed, game, 1)


def game_id(
    fingerprint: str, seats: tuple[str, str], game: int, seed: int, streams: Sequence[int], mute: int = -1
) -> str:
    """A stable id for a planned game: the same rules, seats, series index, deal seed and agent seeds (and
    muted transition, for a counterfactual replay) give the same id."""
    parts: list[Any] = [fingerprint, list(seats), game, seed, list(streams)]
    if mute >= 0:
        parts.append(mute)
    blob = json.dumps(parts, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def make_plan(labels: Sequence[str], games: int, seed: int, rules: Ruleset) -> list[PlannedGame]:
    """A round robin of ``games`` games per pair (two labels make a match), ordered deal by deal so a
    partial run covers every pair evenly. Even-numbered games seat the first-listed agent as role 0."""
    if len(labels) < 2:
        raise TournamentError("a match or tournament needs at least two agents")
    if len(set(labels)) != len(labels):
        raise TournamentError("agent labels must be distinct")
    if games < 1:
        raise TournamentError(f"games per pair must be at least 1, got {games}")
    plan: list[PlannedGame] = []
    pairs = list(itertools.combinations(labels, 2))
    for k in range(games):
        s, streams = deal_seed(seed, k), agent_seeds(seed, k)
        for a, b in pairs:
            seats = (a, b) if k % 2 == 0 else (b, a)
            gid = game_id(rules.fingerprint, seats, k, s, streams)
            plan.append(PlannedGame(len(plan), (a, b), k, seats, s, streams, gid, seed))
    return plan


@dataclass
class RunResult:
    """What ``run_plan`` did: the plan's finished games in plan order, and how they came to be."""

    plan: list[PlannedGame]
    lines: list[dict[str, Any]]  #: finished games of the plan, in plan order, without their action lists
    resumed: int = 0  #: games found already finished in games.jsonl
    played: int = 0  #: games played by this run
    foreign: int = 0  #: lines in games.jsonl that belong to no game of this plan (kept, not counted)
    torn: bool = False  #: whether a torn last line was dropped from games.jsonl
    seconds: float = 0.0
    workers: int = 0  #: worker processes used (0: played in this process), or Dask worker threads
    scheduler: str | None = None  #: the Dask scheduler's address, when the games were played on a cluster

    @property
    def complete(self) -> bool:
        """Every planned game has a result."""
        return len(self.lines) == len(self.plan)

    @property
    def games_per_second(self) -> float | None:
        return self.played / self.seconds if self.seconds > 0 and self.played else None


Progress = Callable[[int, int], None]
"""``progress(done, total)``: called when a run starts and as games finish."""
