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
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

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
    return list(Plan(labels, games, seed, rules.fingerprint))


class Plan(Sequence[PlannedGame]):
    """The plan ``make_plan`` lists, worked out game by game when asked for: a million-game run holds a few
    numbers here instead of a million games (and pickles small, for worker processes)."""

    def __init__(self, labels: Sequence[str], games: int, seed: int, fingerprint: str) -> None:
        if len(labels) < 2:
            raise TournamentError("a match or tournament needs at least two agents")
        if len(set(labels)) != len(labels):
            raise TournamentError("agent labels must be distinct")
        if games < 1:
            raise TournamentError(f"games per pair must be at least 1, got {games}")
        self.labels = tuple(labels)
        self.games = games
        self.seed = seed
        self.fingerprint = fingerprint
        self.pairs = tuple(itertools.combinations(self.labels, 2))
        # game_id's JSON blob, its fixed parts encoded once: (fingerprint, seats), then k, deal seed, streams
        fp = json.dumps(fingerprint)
        self._heads = tuple(
            tuple(f"[{fp},{json.dumps(list(seats), separators=(',', ':'))}," for seats in (p, p[::-1]))
            for p in self.pairs
        )
        self._deal: tuple[int, int, tuple[int, int]] = (-1, 0, (0, 0))  # the last deal's seeds, shared by its pairs

    def __len__(self) -> int:
        return self.games * len(self.pairs)

    def game(self, index: int) -> PlannedGame:
        """The planned game at ``index`` (0 <= index < len)."""
        k, p = divmod(index, len(self.pairs))
        a, b = self.pairs[p]
        if self._deal[0] != k:
            self._deal = (k, deal_seed(self.seed, k), agent_seeds(self.seed, k))
        _, s, streams = self._deal
        seats = (a, b) if k % 2 == 0 else (b, a)
        blob = f"{self._heads[p][k % 2]}{k},{s},[{streams[0]},{streams[1]}]]"  # as game_id writes it
        gid = hashlib.sha256(blob.encode()).hexdigest()[:16]
        return PlannedGame(index, (a, b), k, seats, s, streams, gid, self.seed)

    @overload
    def __getitem__(self, index: int) -> PlannedGame: ...

    @overload
    def __getitem__(self, index: slice) -> list[PlannedGame]: ...

    def __getitem__(self, index: int | slice) -> PlannedGame | list[PlannedGame]:
        if isinstance(index, slice):
            return [self.game(i) for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError("plan index out of range")
        return self.game(index % n)

    def __iter__(self) -> Iterator[PlannedGame]:
        return map(self.game, range(len(self)))


class Marks(Collection[int]):
    """A set of plan indexes in ``range(size)`` as one byte each (a million-game plan: 1 MB, where a set of ints
    takes about 60): the games a resumed run found finished."""

    def __init__(self, size: int) -> None:
        self.flags = bytearray(size)
        self.count = 0

    def add(self, index: int) -> None:
        if not self.flags[index]:
            self.flags[index] = 1
            self.count += 1

    def __contains__(self, index: object) -> bool:
        return type(index) is int and 0 <= index < len(self.flags) and self.flags[index] == 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[int]:
        return (i for i, f in enumerate(self.flags) if f)


class Todo:
    """The games of a plan still to play, in plan order, without listing them: the plan and the indexes of
    its games already finished (``skip``). ``at`` finds a game by its plan index (what workers are sent)."""

    def __init__(self, plan: Sequence[PlannedGame], skip: Collection[int] = ()) -> None:
        self.plan = plan
        self.skip: Collection[int] = skip if isinstance(skip, Marks) else frozenset(skip)
        if isinstance(plan, Plan) and isinstance(skip, Marks) and len(skip.flags) == len(plan):
            self.count = len(plan) - len(skip)
        elif isinstance(plan, Plan):
            self.count = len(plan) - sum(1 for i in self.skip if 0 <= i < len(plan))
        else:
            self.count = sum(1 for g in plan if g.index not in self.skip)
        self._by_index: dict[int, PlannedGame] | None = None

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[PlannedGame]:
        if isinstance(self.plan, Plan):
            return map(self.plan.game, (i for i in range(len(self.plan)) if i not in self.skip))
        return (g for g in self.plan if g.index not in self.skip)

    def at(self, index: int) -> PlannedGame:
        """The planned game with this plan index."""
        if isinstance(self.plan, Plan):
            return self.plan.game(index)
        if self._by_index is None:
            self._by_index = {g.index: g for g in self.plan}
        return self._by_index[index]

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_by_index": None}  # rebuilt where needed, not sent


@dataclass
class RunResult:
    """What ``run_plan`` did: the plan's finished games in plan order, and how they came to be."""

    plan: Sequence[PlannedGame]
    lines: list[dict[str, Any]]  #: finished games of the plan, in plan order, without their action lists
    resumed: int = 0  #: games found already finished in games.jsonl
    played: int = 0  #: games played by this run
    foreign: int = 0  #: lines in games.jsonl that belong to no game of this plan (kept, not counted)
    torn: bool = False  #: whether a torn last line was dropped from games.jsonl
    seconds: float = 0.0
    workers: int = 0  #: worker processes used (0: played in this process), or Dask worker threads
    scheduler: str | None = None  #: the Dask scheduler's address, when the games were played on a cluster
    finished: int | None = None  #: finished games of the plan, when ``lines`` were not kept (``run_plan``)

    @property
    def complete(self) -> bool:
        """Every planned game has a result."""
        return (len(self.lines) if self.finished is None else self.finished) == len(self.plan)

    @property
    def games_per_second(self) -> float | None:
        return self.played / self.seconds if self.seconds > 0 and self.played else None


Progress = Callable[[int, int], None]
"""``progress(done, total)``: called when a run starts and as games finish."""
