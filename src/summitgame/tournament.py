"""Seeded, role-swapped, resumable series of bot games, played on worker processes and streamed to disk.

**The plan.** A plan is the deterministic list of games to play, from one run seed. For every pair of
agents (a match is the one-pair case) there are ``games`` games; games 2k and 2k+1 share a deal seed and
swap seats, so each deal is played from both sides, and every pair sees the same deals. Deal seeds and
the agents' stream seeds are derived from the run seed in separate one-way domains (``rng.deal_seed``,
``rng.agent_seed``, 64 bits each): an agent's stream tells it nothing about the deal. ``run_match`` and
``run_tournament`` draw the run seed at random when none is given. Each planned game has a stable
``game_id``: a hash of the rules fingerprint, the seats, the game's index in its series, its deal seed
and its agent seeds. Adding games or agents to a plan keeps the ids of the games it already had.

**Running.** ``run_plan`` plays the plan in this process, or on K worker processes (``spawn`` start
method, so it behaves the same on every platform). A worker receives the rules, the agent classes and
parameters, and its share of the plan once, then lists of plan indexes to play (about ``CHUNK_SECONDS``
of work each, at most two ahead). It rebuilds both agents for every game, so no memory leaks from one
game into another and a game's result does not depend on which worker played it or in what order: the
same seed gives the same results whatever K is (agents with a wall-clock budget excepted). Results are
reported in plan order. With ``scheduler`` (an address, or a ``distributed.Client``) the games are played on
an existing Dask cluster instead, in chunks, with the same lines as a local run (``cluster``); agent
classes must then be importable on the Dask workers.

**Streaming.** Workers send each finished game back as one JSON line; the parent is the only writer of
``DIR/games.jsonl`` and appends every line as soon as it arrives (it pauses ``BATCH_SECONDS`` after each
batch, so that it wakes for several games at once; then write, flush; ``fsync`` at least every
``FSYNC_INTERVAL`` seconds and on exit: an fsync per game would cost about half the time of a random
game). Killing the run loses only the games in flight (sent to a worker, not yet written); an operating
system crash loses at most the last ``FSYNC_INTERVAL`` seconds too. Each line is a superset of a game
record (``records.record_of``), so it can be replayed as it is.

**A line** of ``games.jsonl`` is one JSON object: ``game_id``; ``index`` (place in the plan); ``pair`` (the
two agents as listed); ``game`` (index in the pair's series); ``agents`` and ``specs`` (role id to agent
label and spec); ``winner`` (an agent label, null for a tie); ``forfeit`` (null, or ``role``, ``agent``,
``error``); ``decisions`` and ``seconds`` per role; ``run_seed``; ``agent_seeds`` (role id to the seed of
that agent's stream: with ``seed``, all it takes to play the game again, ``match.play_game``); maybe
``notes``; then the game record: ``format``, ``version``, ``engine``, ``rules`` (name, fingerprint),
``seed`` (the deal), ``actions`` (notations) and ``outcome`` (tier, reason, walkouts, rounds_played,
scores and winner by role, agendas; absent after a forfeit). The run seed is on disk from the first
game, so a run can be resumed: keep the folder from players while the run is in progress.

**Resuming.** ``resume=True`` reads ``games.jsonl``, drops a torn last line (one whose newline never
reached the disk), skips every planned game whose ``game_id`` is already there (its deal and agent seeds
checked against the plan) and plays the rest, so the finished plan has every game exactly once. Without a
seed, ``run_tournament`` resumes the run seed recorded in the file; with another one it refuses.

**Time limits.** With ``move_timeout`` set, an agent that raises or runs past the limit in a call
forfeits that game (the error goes into its line) and the run goes on. Three layers enforce it: inside
the player, a ``SIGALRM`` interval timer raises ``MoveTimeout`` in the agent's call when the limit is
reached (Unix, main thread; agent creation and the ``start``/``end`` hooks are timed too); ``play_game``
forfeits an agent whose call returned too late anyway (say it swallowed the exception); and the parent's
watchdog kills a worker whose agent is still inside a call ``WATCHDOG_GRACE`` seconds (plus half the
limit) after its deadline (stuck in C code, or ignoring signals), records the forfeit and starts a fresh
worker. A move limit therefore always runs the games on worker processes, even with K = 1; without one
and with K = 1, games run in this process. A worker that dies inside an agent's call (a crash in native
code, ``os._exit``) forfeits that agent's game the same way. On a Dask cluster only the second layer
holds: tasks run in worker threads, where no ``SIGALRM`` can be armed (``_Watch`` then sets no timer), so
a late move still forfeits but an agent stuck in a call cannot be interrupted, and a worker that dies
fails the run rather than forfeiting one game.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from . import __version__
from .actions import Action
from .agents.base import Agent, AgentError, make_agent
from .engine import new_game
from .errors import RecordError, SummitError
from .jsonlines import JsonLines
from .match import Forfeit, GameResult, play_game
from .observation import Observation
from .records import check_shape, record_of, write_atomic
from .rng import agent_seed, draw_run_seed
from .rng import deal_seed as _deal
from .ruleset import Ruleset
from .safeio import DataFileError, loads_json, printable, read_lines, read_text
from .scoring import Outcome
from .stats import bradley_terry, mean_ci, wilson

if TYPE_CHECKING:
    from distributed import Client

GAMES_FILE = "games.jsonl"
SETTINGS_FILE = "tournament.json"
SUMMARY_FILE = "summary.json"
FSYNC_INTERVAL = 0.05  #: seconds between fsyncs of games.jsonl while games stream in (and always on exit)
WATCHDOG_GRACE = 0.5  #: seconds after a call's deadline (plus half the limit) before its worker is killed
CHUNK_SECONDS = 0.05  #: a worker is sent about this much work at a time (at most two chunks ahead)
MAX_CHUNK = 64
BATCH_SECONDS = 0.005  #: the parent's pause after handling results, so that it wakes for batches
RATING_PRIOR = 1.0  #: virtual tied games per pair in the ratings, so a perfect score stays finite

T = TypeVar("T")


class TournamentError(SummitError):
    """A match or tournament that cannot run or continue: a bad plan, a busy or foreign output directory,
    a corrupt games file, or a worker that died outside any agent's call."""


class MoveTimeout(Exception):
    """Raised inside an agent's call when it runs past the per-move time limit."""


class AgentCrash(Exception):
    """An agent tried to end the process (``sys.exit``) or failed in its ``start`` hook."""


# --- agents and the plan ---------------------------------------------------------------------------------


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


# --- playing one planned game ----------------------------------------------------------------------------


class _Watch:
    """Guards agent calls: arms a SIGALRM timer for the move limit, and publishes on a shared board what
    this process is waiting for (``board[3*slot:3*slot+3]`` = the call's deadline on the monotonic clock,
    0 between calls, inf without a limit; the role called; the plan index of the game), so the parent
    can kill a stuck worker and knows whom to blame if the process dies. Off the main thread (a Dask
    worker's task) or without ``setitimer`` it arms no timer: late moves are then only caught on return."""

    def __init__(self, limit: float | None, board: Any = None, slot: int = 0) -> None:
        self.limit = limit
        self.board = board
        self.slot = slot
        self.armed = False
        self.alarm = (
            limit is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        )
        self._previous: Any = None

    def install(self) -> None:
        if self.alarm:
            self._previous = signal.signal(signal.SIGALRM, self._ring)

    def uninstall(self) -> None:
        if self.alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if self._previous is None else self._previous)

    def _ring(self, signum: int, frame: object) -> None:
        if self.armed:
            self.armed = False
            raise MoveTimeout(f"no answer within the {self.limit:g} s move limit")

    def game(self, index: int) -> None:
        """A new game begins (its plan index goes on the board)."""
        if self.board is not None:
            self.board[3 * self.slot + 2] = index

    def call(self, role: int, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` under the limit; ``sys.exit`` inside an agent becomes an ordinary error."""
        if self.board is not None:
            self.board[3 * self.slot + 1] = role
            self.board[3 * self.slot] = math.inf if self.limit is None else time.monotonic() + self.limit
        if self.alarm:
            assert self.limit is not None
            self.armed = True
            signal.setitimer(signal.ITIMER_REAL, self.limit)
        try:
            return fn(*args)
        except SystemExit as exc:
            raise AgentCrash(f"the agent called sys.exit({exc.code!r})") from None
        finally:
            if self.alarm:
                self.armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
            if self.board is not None:
                self.board[3 * self.slot] = 0.0


class _Seat(Agent):
    """Runs one agent's calls under the watch and keeps failures of its ``start`` and ``end`` hooks.

    ``play_game`` turns an exception from ``act`` into a forfeit; a failed ``start`` is raised at the
    agent's first ``act`` (so it forfeits too), and a failed ``end`` is kept as a note on the game."""

    name: ClassVar[str] = "seat"

    def __init__(self, inner: Agent, watch: _Watch) -> None:
        super().__init__()
        self.inner = inner
        self.watch = watch
        self.failure: str | None = None
        self.notes: list[str] = []

    def start(self, rules: Ruleset, role: int, rng: Any) -> None:
        super().start(rules, role, rng)
        self.inner.time_limit = self.time_limit
        try:
            self.watch.call(role, self.inner.start, rules, role, rng)
        except Exception as exc:
            self.failure = f"start failed: {type(exc).__name__}: {exc}"

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        if self.failure is not None:
            raise AgentCrash(self.failure)
        return self.watch.call(self.role, self.inner.act, obs, legal)

    def end(self, obs: Observation, outcome: Outcome) -> None:
        try:
            self.watch.call(self.role, self.inner.end, obs, outcome)
        except Exception as exc:
            self.notes.append(f"{self.rules.roles[self.role] if self.rules else self.role}: end failed: {exc!r}")

    def close(self) -> None:
        try:
            self.inner.close()
        except Exception as exc:
            self.notes.append(f"{self.rules.roles[self.role] if self.rules else self.role}: close failed: {exc!r}")


class _Table:
    """Plays planned games in one process: the rules loaded once, both agents rebuilt per game."""

    def __init__(self, rules: Ruleset, players: Sequence[Entrant], move_timeout: float | None, watch: _Watch):
        self.rules = rules
        self.players = {e.label: e for e in players}
        self.move_timeout = move_timeout
        self.watch = watch

    def play(self, g: PlannedGame) -> str:
        """Play one game; its result line as JSON text (without the newline)."""
        self.watch.game(g.index)
        seats: list[_Seat] = []
        for role, label in enumerate(g.seats):
            try:
                inner = self.watch.call(role, self.players[label].build)
            except Exception as exc:
                why = f"AgentCrash: could not create the agent: {type(exc).__name__}: {exc}"
                return dumps_line(result_line(self.rules, g, self.players, forfeited(self.rules, g, role, why)))
            seats.append(_Seat(inner, self.watch))
        res = play_game(self.rules, seats, g.seed, self.move_timeout, g.agent_seeds, g.mute)
        if res.forfeit is None:
            for role, seat in enumerate(seats):
                if seat.failure is not None:  # failed in start, but never had to move
                    res.forfeit, res.outcome = Forfeit(role, f"AgentCrash: {seat.failure}"), None
                    break
        notes = [n for seat in seats for n in seat.notes]
        return dumps_line(result_line(self.rules, g, self.players, res, notes))


def forfeited(rules: Ruleset, g: PlannedGame, role: int, reason: str) -> GameResult:
    """A game lost by ``role`` before (or without) a record of its moves."""
    return GameResult(new_game(rules, g.seed), None, Forfeit(role, reason))


def result_line(
    rules: Ruleset,
    g: PlannedGame,
    players: Mapping[str, Entrant],
    res: GameResult,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The games.jsonl line of a finished game: plan data, agents by role, winner or forfeit, timings,
    and the game record itself (format, rules, seed, actions, and ``outcome`` unless forfeited)."""
    roles = rules.roles
    record = record_of(res.state)
    forfeit: dict[str, str] | None = None
    if res.forfeit is not None:
        record.pop("outcome", None)
        loser = res.forfeit.role
        winner: str | None = g.seats[1 - loser]
        forfeit = {"role": roles[loser], "agent": g.seats[loser], "error": res.forfeit.reason}
    else:
        assert res.outcome is not None
        winner = None if res.outcome.winner is None else g.seats[roles.index(res.outcome.winner)]
    line: dict[str, Any] = {
        "game_id": g.game_id,
        "index": g.index,
        "pair": list(g.pair),
        "game": g.game,
        "agents": {roles[r]: g.seats[r] for r in (0, 1)},
        "specs": {roles[r]: players[g.seats[r]].spec for r in (0, 1)},
        "winner": winner,
        "forfeit": forfeit,
        "decisions": {roles[r]: res.decisions[r] for r in (0, 1)},
        "seconds": {roles[r]: round(res.seconds[r], 6) for r in (0, 1)},
        "run_seed": g.run_seed,
        "agent_seeds": _streams(rules, g),
    }
    if notes:
        line["notes"] = list(notes)
    line.update(record)
    return line


def _streams(rules: Ruleset, g: PlannedGame) -> dict[str, int]:
    return {rules.roles[r]: g.agent_seeds[r] for r in (0, 1)}


def _check_seeds(rules: Ruleset, g: PlannedGame, line: Mapping[str, Any], path: Path) -> None:
    """Refuse a finished game whose recorded deal or agent seeds are not the plan's (an edited file)."""
    if line.get("seed") != g.seed or line.get("agent_seeds") != _streams(rules, g):
        raise TournamentError(
            f"{path}: game {g.game_id} was recorded with deal seed {line.get('seed')!r} and agent seeds "
            f"{line.get('agent_seeds')!r}, but its plan has {g.seed} and {_streams(rules, g)}; the file was "
            "changed, resume into another folder"
        )


def dumps_line(line: Mapping[str, Any]) -> str:
    """One games.jsonl line (compact JSON, no newline)."""
    return json.dumps(line, separators=(",", ":"))


# --- the games file --------------------------------------------------------------------------------------


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _by_role(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, dict) and all(isinstance(k, str) and check(x) for k, x in v.items())


def _text(v: Any) -> bool:
    return isinstance(v, str)


def _forfeit(v: Any) -> bool:
    return v is None or (isinstance(v, dict) and all(isinstance(v.get(k), str) for k in ("role", "agent", "error")))


#: Each field of a games.jsonl line (besides the record's own), what it must be, and that in words.
LINE_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "game_id": (_text, "text"),
    "index": (_is_int, "a whole number"),
    "pair": (lambda v: isinstance(v, list) and len(v) == 2 and all(map(_text, v)), "a list of two agent labels"),
    "game": (_is_int, "a whole number"),
    "agents": (_by_role(_text), "a table of role id to agent label"),
    "specs": (_by_role(_text), "a table of role id to agent spec"),
    "winner": (lambda v: v is None or _text(v), "an agent label or null"),
    "forfeit": (_forfeit, "null or a table with role, agent and error"),
    "decisions": (_by_role(_is_int), "a table of role id to a whole number"),
    "seconds": (
        _by_role(lambda x: isinstance(x, int | float) and not isinstance(x, bool)),
        "a table of role id to seconds",
    ),
}
OUTCOME_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "tier": (_text, "a tier id"),
    "reason": (_text, "an end reason"),
    "walkouts": (lambda v: isinstance(v, list) and all(map(_text, v)), "a list of role ids"),
    "rounds_played": (_is_int, "a whole number"),
    "scores": (_by_role(_is_int), "a table of role id to a whole number"),
    "winner": (lambda v: v is None or _text(v), "a role id or null"),
}


def _shown(v: Any) -> str:
    return printable(json.dumps(v) if not isinstance(v, str) else repr(v), limit=60)


def line_problem(line: Any, rules: Ruleset | None = None, plan: Mapping[str, PlannedGame] | None = None) -> str | None:
    """What is wrong with a games.jsonl line, or None: a missing field or one of the wrong type (``missing
    field 'agents'``); with the rules, roles, tiers and winners they do not have; with the plan, a line of one
    of its games whose rules, seats, pair or seed are not that game's."""
    if not isinstance(line, dict):
        return "not a game line (a JSON object)"
    for key, (ok, what) in LINE_FIELDS.items():
        if key not in line:
            return f"missing field '{key}'" if key != "game_id" else "not a game line (no game_id)"
        if not ok(line[key]):
            return f"field '{key}' must be {what}, got {_shown(line[key])}"
    try:
        check_shape(line, "line")
    except RecordError as exc:
        return str(exc).removeprefix("line: ")
    if line["forfeit"] is None:
        o = line.get("outcome")
        if not isinstance(o, dict):
            return "missing field 'outcome' (a game not forfeited has one)"
        for key, (ok, what) in OUTCOME_FIELDS.items():
            if key not in o:
                return f"missing field 'outcome.{key}'"
            if not ok(o[key]):
                return f"field 'outcome.{key}' must be {what}, got {_shown(o[key])}"
    if rules is None:
        return None
    roles = set(rules.roles)
    for key in ("agents", "specs", "decisions", "seconds"):
        if set(line[key]) != roles:
            return f"field '{key}' must have the roles {', '.join(rules.roles)}, got {_shown(sorted(line[key]))}"
    f, o = line["forfeit"], line.get("outcome")
    if f is not None and f["role"] not in roles:
        return f"field 'forfeit.role' must be a role id, got {_shown(f['role'])}"
    if f is None and isinstance(o, dict):
        if set(o["scores"]) != roles:
            return f"field 'outcome.scores' must have the roles {', '.join(rules.roles)}"
        if o["winner"] is not None and o["winner"] not in roles:
            return f"field 'outcome.winner' must be a role id or null, got {_shown(o['winner'])}"
        if o["tier"] not in rules.tier_ids:
            return f"field 'outcome.tier' must be one of {', '.join(rules.tier_ids)}, got {_shown(o['tier'])}"
        if not set(o["walkouts"]) <= roles:
            return "field 'outcome.walkouts' must list role ids"
    g = None if plan is None else plan.get(line["game_id"])
    if g is None:
        return None
    seats = {rules.roles[r]: g.seats[r] for r in (0, 1)}
    if line["rules"]["fingerprint"] != rules.fingerprint:
        return f"game {g.index} of this plan, but played under other rules ({_shown(line['rules']['fingerprint'])})"
    wants: dict[str, Any] = {"agents": seats, "pair": list(g.pair), "game": g.game, "seed": g.seed}
    for key, want in wants.items():
        if line[key] != want:
            return f"game {g.index} of this plan, but its {key} is {_shown(line[key])}, not {_shown(want)}"
    if line["winner"] is not None and line["winner"] not in g.seats:
        return f"field 'winner' must be one of the game's agents or null, got {_shown(line['winner'])}"
    if f is not None and f["agent"] != seats[f["role"]]:
        return f"field 'forfeit.agent' is not the agent in the role {_shown(f['role'])}"
    return None


class GameLog(JsonLines):
    """``DIR/games.jsonl``: one finished game per line, appended by the one writer (the parent), fsynced at
    least every ``FSYNC_INTERVAL`` seconds (``jsonlines.JsonLines``). Every line read back is checked
    (``line_problem``; against the rules and plan when given) and a bad one refused as ``FILE:LINE: why``."""

    def __init__(self, path: Path, rules: Ruleset | None = None, plan: Mapping[str, PlannedGame] | None = None) -> None:
        super().__init__(path, TournamentError, lambda line: line_problem(line, rules, plan), FSYNC_INTERVAL)

    def open_games(self, resume: bool) -> list[dict[str, Any]]:
        """The games already in the file (resume), or refuse a file that holds some."""

        def refuse(n: int) -> str:
            return (
                f"{printable(self.path)} already holds {n} game{'s' if n != 1 else ''}; "
                "resume that run (--resume) or choose another output directory"
            )

        return self.open(resume, refuse)


def read_games(path: str | Path, rules: Ruleset | None = None) -> list[dict[str, Any]]:
    """The complete lines of a games.jsonl file (a torn last line is ignored), each checked (``line_problem``);
    TournamentError naming the file and line for one that is not a game line, or a file that cannot be read."""
    name = printable(path)
    out = []
    try:
        for n, raw in read_lines(path, name=name):
            if not raw.strip():
                continue
            try:
                line = loads_json(raw, name)
            except DataFileError as exc:
                raise TournamentError(f"{name}:{n}: {exc.message}; the file is corrupt") from None
            why = line_problem(line, rules)
            if why is not None:
                raise TournamentError(f"{name}:{n}: {why}")
            out.append(line)
    except DataFileError as exc:
        raise TournamentError(str(exc)) from None
    return out


# --- running a plan --------------------------------------------------------------------------------------


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


def run_plan(
    rules: Ruleset,
    players: Sequence[Entrant],
    plan: Sequence[PlannedGame],
    *,
    workers: int = 1,
    move_timeout: float | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    on_game: Callable[[dict[str, Any]], None] | None = None,
    stop_after: int | None = None,
    processes: bool | None = None,
    scheduler: str | Client | None = None,
) -> RunResult:
    """Play a plan; return its finished games in plan order.

    ``out``: a directory for ``games.jsonl`` (streamed, resumable with ``resume=True``). ``on_game``
    sees each new line (with its actions) as it is written. ``stop_after`` ends the run after that many
    new games, as if it were killed (for tests). ``processes`` forces (True) or forbids (False) worker
    processes; by default they are used for K > 1 or a move limit. ``scheduler``: play on the Dask
    cluster at this address (or through this ``distributed.Client``) instead; ``workers`` and
    ``processes`` are then ignored (see ``cluster``)."""
    if workers < 1:
        raise TournamentError(f"workers must be at least 1, got {workers}")
    if move_timeout is not None and move_timeout <= 0:
        raise TournamentError(f"the move timeout must be positive, got {move_timeout}")
    use_processes = (workers > 1 or move_timeout is not None) if processes is None else processes
    plan = list(plan)
    by_id = {g.game_id: g for g in plan}
    if len(by_id) != len(plan):
        raise TournamentError("the plan has duplicate game ids")
    with _backend(scheduler) as client:  # reach the cluster before touching games.jsonl
        result = RunResult(plan, [], workers=workers if use_processes else 0)
        if client is not None:
            from . import cluster

            result.scheduler = cluster.address(client)
            result.workers = cluster.threads(client)
        log = GameLog(Path(out) / GAMES_FILE, rules, by_id) if out is not None else None
        done: dict[int, dict[str, Any]] = {}
        start = time.perf_counter()
        try:
            if log is not None:
                for line in log.open_games(resume):
                    g = by_id.get(line["game_id"])
                    if g is None:
                        result.foreign += 1
                    elif g.index not in done:
                        _check_seeds(rules, g, line, log.path)
                        done[g.index] = {**_slim(line), "index": g.index}  # its place in this plan
                result.resumed = len(done)
                result.torn = log.torn
            todo = [g for g in plan if g.index not in done]
            todo_limit = len(todo) if stop_after is None else max(0, stop_after)
            if progress:
                progress(len(done), len(plan))

            def finished(texts: list[str]) -> bool:
                """Record finished games; True once ``stop_after`` is reached."""
                if log is not None:
                    log.append(texts)
                for text in texts:
                    line = json.loads(text)
                    if on_game:
                        on_game(line)
                    done[line["index"]] = _slim(line)
                    result.played += 1
                if progress:
                    progress(len(done), len(plan))
                return result.played >= todo_limit

            if todo and todo_limit > 0:
                if client is not None:
                    cluster.run_on_cluster(client, rules, players, move_timeout, todo, finished, result.workers)
                elif use_processes:
                    with _Pool(rules, players, todo, move_timeout, min(workers, len(todo))) as pool:
                        pool.run(finished)
                else:
                    _run_here(rules, players, move_timeout, todo, finished)
        finally:
            result.seconds = time.perf_counter() - start
            if log is not None:
                log.close()
    result.lines = [done[i] for i in sorted(done)]
    return result


def _backend(scheduler: str | Client | None) -> contextlib.AbstractContextManager[Client | None]:
    """A Dask client for the run (``cluster.connect``), or None to play on this machine."""
    if scheduler is None:
        return contextlib.nullcontext()
    from .cluster import connect

    return connect(scheduler)


def _slim(line: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in line.items() if k != "actions"}


def _run_here(
    rules: Ruleset,
    players: Sequence[Entrant],
    move_timeout: float | None,
    todo: Sequence[PlannedGame],
    finished: Callable[[list[str]], bool],
) -> None:
    watch = _Watch(move_timeout)
    watch.install()
    try:
        table = _Table(rules, players, move_timeout, watch)
        for g in todo:
            if finished([table.play(g)]):
                return
    finally:
        watch.uninstall()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when its parent dies: an agent stuck in a call would
    otherwise outlive a killed run. Elsewhere a worker notices only when it next talks to the parent."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before we asked
            os._exit(1)


def _worker_main(
    conn: Connection,
    rules: Ruleset,
    players: list[Entrant],
    games: list[PlannedGame],
    move_timeout: float | None,
    board: Any,
    slot: int,
) -> None:
    """A worker process: given the rules, agents and games once, play the lists of plan indexes the
    parent sends (small messages, so neither side can fill the pipe); send back each game's line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    watch = _Watch(move_timeout, board, slot)
    watch.install()
    table = _Table(rules, players, move_timeout, watch)
    by_index = {g.index: g for g in games}
    try:
        while True:
            task = conn.recv()
            if task is None:
                return
            for index in task:
                t0 = time.perf_counter()
                try:
                    text = table.play(by_index[index])
                except Exception:
                    conn.send(("error", index, traceback.format_exc(), 0.0))
                    return
                conn.send(("game", index, text, time.perf_counter() - t0))
    except (EOFError, OSError):  # the parent has gone
        return


@dataclass
class _Worker:
    slot: int
    proc: Any
    conn: Connection
    assigned: deque[PlannedGame] = field(default_factory=deque)  #: sent, not yet reported, in play order


class _Pool:
    """K worker processes fed chunks of planned games; the parent reads results, and replaces a worker
    that is stuck in an agent's call (watchdog) or dies."""

    def __init__(
        self,
        rules: Ruleset,
        players: Sequence[Entrant],
        games: Sequence[PlannedGame],
        move_timeout: float | None,
        k: int,
    ) -> None:
        self.rules = rules
        self.games = list(games)
        self.players = list(players)
        self.labels = {e.label: e for e in players}
        self.move_timeout = move_timeout
        self.k = k
        self.ctx = multiprocessing.get_context("spawn")  # the same behaviour on every platform
        self.board: Any = self.ctx.RawArray("d", 3 * k)
        self.workers: list[_Worker] = []
        self.pending: deque[PlannedGame] = deque()
        self.reported = 0
        self.busy = 0.0  #: seconds the workers spent on the games reported so far
        self.abandon = False

    def __enter__(self) -> _Pool:
        for slot in range(self.k):
            self.workers.append(self._spawn(slot))
        return self

    def __exit__(self, *exc: object) -> None:
        stop = self.abandon or exc[0] is not None
        for w in self.workers:
            if not stop:
                with contextlib.suppress(OSError):
                    w.conn.send(None)
        deadline = time.monotonic() + 2.0
        for w in self.workers:
            if not stop:
                w.proc.join(max(0.0, deadline - time.monotonic()))
            if w.proc.is_alive():
                w.proc.kill()
            w.proc.join()
            w.conn.close()

    def _spawn(self, slot: int) -> _Worker:
        self.board[3 * slot] = 0.0
        self.board[3 * slot + 2] = -1.0  # no game yet
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(
            target=_worker_main,
            args=(child, self.rules, self.players, self.games, self.move_timeout, self.board, slot),
            name=f"summitgame-worker-{slot}",
            daemon=True,
        )
        proc.start()
        child.close()
        return _Worker(slot, proc, parent)

    def _chunk(self) -> int:
        """Games per chunk: about CHUNK_SECONDS of work (by the mean time a worker took per game so far),
        smaller near the end so that the workers finish together."""
        per_game = self.busy / self.reported if self.reported else CHUNK_SECONDS  # one at a time at first
        size = int(CHUNK_SECONDS / max(per_game, 1e-6))
        return max(1, min(MAX_CHUNK, size, len(self.pending) // (2 * self.k)))

    def _feed(self, w: _Worker) -> None:
        while self.pending:
            size = self._chunk()
            if len(w.assigned) >= 2 * size:
                return
            chunk = [self.pending.popleft() for _ in range(min(size, len(self.pending)))]
            w.assigned.extend(chunk)
            w.conn.send([g.index for g in chunk])

    def run(self, finished: Callable[[list[str]], bool]) -> None:
        """Play the games; hand each batch of result lines to ``finished`` (which says when to stop)."""
        self.pending.extend(self.games)
        for w in self.workers:
            self._feed(w)
        while self.pending or any(w.assigned for w in self.workers):
            owner: dict[Any, _Worker] = {}  # connections and process sentinels
            for w in self.workers:
                owner[w.conn] = w
                owner[w.proc.sentinel] = w
            texts: list[str] = []
            trouble: dict[int, tuple[_Worker, float | None]] = {}
            for obj in wait(list(owner), timeout=0.1):
                w = owner[obj]
                if isinstance(obj, int) or not self._drain(w, texts):  # a sentinel: the process ended
                    trouble.setdefault(w.slot, (w, None))
            for w, overrun in self._stuck():
                trouble.setdefault(w.slot, (w, overrun))
            for w, seen in trouble.values():
                texts.extend(self._replace(w, seen))
            if texts and finished(texts):
                self.abandon = True
                return
            for w in self.workers:
                self._feed(w)
            if texts and BATCH_SECONDS:
                time.sleep(BATCH_SECONDS)  # let results gather in the pipes: fewer wake-ups of the parent

    def _drain(self, w: _Worker, texts: list[str]) -> bool:
        """Read every message waiting from a worker; False once its pipe is closed."""
        try:
            while w.conn.poll():
                kind, index, payload, seconds = w.conn.recv()
                if kind == "error":
                    raise TournamentError(f"a worker failed on game {index} (not inside an agent):\n{payload}")
                g = w.assigned.popleft()
                assert g.index == index, (g.index, index)
                texts.append(payload)
                self.reported += 1
                self.busy += seconds
        except (EOFError, OSError):
            return False
        return True

    def _stuck(self) -> list[tuple[_Worker, float]]:
        """Workers whose agent is still inside a call well past its deadline (with that deadline)."""
        if self.move_timeout is None:
            return []
        now = time.monotonic()
        grace = WATCHDOG_GRACE + self.move_timeout / 2
        out = []
        for w in self.workers:
            deadline = float(self.board[3 * w.slot])
            if 0.0 < deadline < math.inf and now > deadline + grace and w.assigned:
                out.append((w, deadline))
        return out

    def _replace(self, w: _Worker, seen: float | None) -> list[str]:
        """Stop a stuck worker (``seen``: the deadline it overran) or bury a dead one; forfeit the game it
        was stuck in or died in, requeue the rest of its games, and start a fresh worker in its slot."""
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join()
        texts: list[str] = []
        self._drain(w, texts)  # results it sent before it stopped
        w.conn.close()
        deadline, role, index = (float(self.board[3 * w.slot + i]) for i in range(3))
        if w.assigned:
            g = w.assigned[0]
            why = None
            if seen is not None:
                if deadline == seen and int(index) == g.index:  # still in the very call that overran
                    assert self.move_timeout is not None
                    why = (
                        f"MoveTimeout: no answer within the {self.move_timeout:g} s move limit (its worker was stopped)"
                    )
            elif deadline != 0.0 and int(index) == g.index:
                why = f"AgentCrash: the worker process died (exit code {w.proc.exitcode}) during the agent's call"
            elif index < 0:
                raise TournamentError(
                    f"worker {w.slot} exited (exit code {w.proc.exitcode}) before playing a game; its error "
                    "output is above (agent classes must be importable by worker processes)"
                )
            else:
                raise TournamentError(
                    f"worker {w.slot} died (exit code {w.proc.exitcode}) while playing game {int(index)}, "
                    "outside any agent's call"
                )
            if why is not None:
                w.assigned.popleft()
                res = forfeited(self.rules, g, int(role), why)
                note = "moves before the forfeit were not recorded (the worker was stopped)"
                texts.append(dumps_line(result_line(self.rules, g, self.labels, res, [note])))
                self.reported += 1
            self.pending.extendleft(reversed(w.assigned))
        self.workers[self.workers.index(w)] = self._spawn(w.slot)
        return texts


# --- summaries -------------------------------------------------------------------------------------------


def _wtl() -> list[int]:
    return [0, 0, 0]


def _rate(wtl: Sequence[int]) -> dict[str, Any]:
    n = sum(wtl)
    return {
        "games": n,
        "wins": wtl[0],
        "ties": wtl[1],
        "losses": wtl[2],
        "win_rate": wilson(wtl[0], n).as_dict(),
        "score_rate": wilson(wtl[0] + wtl[1] / 2, n).as_dict(),
    }


def summarize(
    rules: Ruleset, players: Sequence[Entrant], plan: Sequence[PlannedGame], lines: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Order-independent summary of a plan's finished games (the same lines give the same summary).

    ``score_rate`` is the match-points rate (win 1, tie ½; a forfeit is a loss for the forfeiter and a
    win for its opponent) with its Wilson interval; ``mean_score`` is the in-game score over the games
    not forfeited (mean, 95% t interval); ratings are Bradley–Terry on the Elo scale, mean 0, with
    ``RATING_PRIOR`` virtual tied games per pair."""
    roles = rules.roles
    labels = [e.label for e in players]
    lines = sorted(lines, key=lambda ln: ln["index"])
    overall = {a: _wtl() for a in labels}
    cross = {(a, b): _wtl() for a in labels for b in labels if a != b}
    seat = {r: _wtl() for r in roles}
    per_role = {a: {r: _wtl() for r in roles} for a in labels}
    scores: dict[str, list[float]] = {a: [] for a in labels}
    margins: dict[tuple[str, str], list[float]] = {}
    pair_tiers: dict[tuple[str, str], Counter[str]] = {}
    tiers: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    decisions: list[float] = []
    rounds: list[float] = []
    forfeits: list[dict[str, Any]] = []
    forfeit_count: Counter[str] = Counter()
    for line in lines:
        who = [line["agents"][r] for r in roles]
        pair = (line["pair"][0], line["pair"][1])
        f = line.get("forfeit")
        if f:
            loser = roles.index(f["role"])
            result = [0, 0]
            result[1 - loser] = 1
            reasons["forfeit"] += 1
            forfeit_count[f["agent"]] += 1
            forfeits.append({"game_id": line["game_id"], "index": line["index"], **f})
        else:
            o = line["outcome"]
            win = o["winner"]
            result = [1 if win == r else (0 if win is not None else -1) for r in roles]  # -1: tie
            tiers[o["tier"]] += 1
            pair_tiers.setdefault(pair, Counter())[o["tier"]] += 1
            walk = o.get("walkouts") or []
            reasons[o["reason"] + (f":{','.join(walk)}" if walk else "")] += 1
            decisions.append(sum(line["decisions"].values()))
            rounds.append(o["rounds_played"])
            by_label = {who[i]: o["scores"][roles[i]] for i in (0, 1)}
            for a, sc in by_label.items():
                scores[a].append(sc)
            margins.setdefault(pair, []).append(by_label[pair[0]] - by_label[pair[1]])
        for i in (0, 1):
            col = 0 if result[i] == 1 else (1 if result[i] == -1 else 2)
            me, them = who[i], who[1 - i]
            overall[me][col] += 1
            cross[(me, them)][col] += 1
            per_role[me][roles[i]][col] += 1
            seat[roles[i]][col] += 1

    ratings = None
    played = {(a, b): (float(v[0]), float(v[1]), float(v[2])) for (a, b), v in cross.items() if a < b and any(v)}
    if played and all(any(v) for v in overall.values()):
        with contextlib.suppress(ValueError):  # players that never meet through games: no ratings
            ratings = bradley_terry(played, labels, prior=RATING_PRIOR)

    def standing(a: str) -> dict[str, Any]:
        row: dict[str, Any] = {"agent": a, **_rate(overall[a]), "forfeits": forfeit_count[a]}
        row["rating"] = ratings.estimate(a).as_dict(1) if ratings else None
        row["mean_score"] = mean_ci(scores[a]).as_dict(3)
        return row

    def rank(a: str) -> tuple[float, str]:
        if ratings:
            return (-ratings.rating[a], a)
        n = sum(overall[a])
        return (-(overall[a][0] + overall[a][1] / 2) / n if n else 0.0, a)

    n_games = len(lines)
    n_done = n_games - reasons["forfeit"]
    pairs = []
    for a, b in itertools.combinations(labels, 2):
        v = cross[(a, b)]
        entry: dict[str, Any] = {
            "agents": [a, b],
            "games": sum(v),
            "wins": {a: v[0], b: v[2]},
            "ties": v[1],
            "score_rate": wilson(v[0] + v[1] / 2, sum(v)).as_dict(),
            "margin": mean_ci(margins.get((a, b), [])).as_dict(3),
            "tiers": {t: pair_tiers.get((a, b), Counter())[t] for t in rules.tier_ids},
        }
        if ratings:
            entry["rating_difference"] = ratings.difference(a, b).as_dict(1)
        pairs.append(entry)
    return {
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
        "agents": {e.label: e.spec for e in players},
        "roles": list(roles),
        "games": {"planned": len(plan), "played": n_games, "forfeits": reasons["forfeit"]},
        "standings": [standing(a) for a in sorted(labels, key=rank)],
        "crosstable": {a: {b: _rate(cross[(a, b)]) for b in labels if b != a} for a in labels},
        "pairs": pairs,
        "seats": {r: _rate(seat[r]) for r in roles},
        "per_role": {a: {r: _rate(per_role[a][r]) for r in roles} for a in labels},
        "tiers": {t: tiers[t] for t in rules.tier_ids},
        "tier_shares": {t: round(tiers[t] / n_done, 4) if n_done else None for t in rules.tier_ids},
        "end_reasons": dict(sorted(reasons.items())),
        "mean_decisions": mean_ci(decisions).as_dict(2),
        "mean_rounds": mean_ci(rounds).as_dict(2),
        "ratings": {"scale": "Elo (Bradley–Terry, 400·log10 odds), mean 0", "prior_ties_per_pair": RATING_PRIOR},
        "forfeit_errors": forfeits[:20],
    }


# --- matches and tournaments -----------------------------------------------------------------------------


def run_match(
    rules: Ruleset,
    a: str,
    b: str,
    games: int,
    seed: int | None = None,
    *,
    workers: int = 1,
    move_timeout: float | None = None,
    records: str | Path | None = None,
    progress: Progress | None = None,
    scheduler: str | Client | None = None,
    on_game: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[RunResult, dict[str, Any]]:
    """Play ``a`` against ``b`` for ``games`` games with paired seeds and swapped seats; return the run and
    its summary. ``seed``: the run seed (None: drawn at random; the summary's ``seed`` replays the run);
    ``records``: a directory to save every game record in (``game-00001.json``, …); ``scheduler``: a Dask
    cluster to play on (``run_plan``); ``on_game``: sees each finished game's line, with its actions."""
    seed, source = (draw_run_seed(), "drawn") if seed is None else (seed, "given")
    players = entrants([a, b], allow_repeats=True)
    plan = make_plan([p.label for p in players], games, seed, rules)
    width = max(5, len(str(games)))
    save: Callable[[dict[str, Any]], None] | None = on_game
    if records is not None:
        folder = Path(records)

        def save(line: dict[str, Any]) -> None:
            write_atomic(folder / f"game-{line['index'] + 1:0{width}d}.json", json.dumps(line, indent=1) + "\n")
            if on_game is not None:
                on_game(line)

    run = run_plan(
        rules,
        players,
        plan,
        workers=workers,
        move_timeout=move_timeout,
        progress=progress,
        on_game=save,
        scheduler=scheduler,
    )
    summary = summarize(rules, players, plan, run.lines)
    summary["seed"] = seed
    summary["seed_source"] = source
    summary["games_per_pair"] = games
    return run, summary


def run_seed(folder: Path, seed: int | None, resume: bool) -> tuple[int, str]:
    """The run seed of a tournament in ``folder`` and where it came from: ``seed`` if given ("given"); else,
    on resume, the one its ``games.jsonl`` records ("log"); else one drawn at random ("drawn"). Resuming a
    run under another seed than the one recorded is refused."""
    path = folder / GAMES_FILE
    logged: set[int] = set()
    if resume and path.is_file():
        logged = {x["run_seed"] for x in read_games(path) if type(x.get("run_seed")) is int}
    shown = ", ".join(map(str, sorted(logged)))
    if seed is not None:
        if logged and seed not in logged:
            raise TournamentError(
                f"{folder} holds a run with seed {shown}: resume it without --seed (or with --seed {shown}), "
                f"or play seed {seed} in another folder"
            )
        return seed, "given"
    if len(logged) > 1:
        raise TournamentError(f"{path} holds games of runs with seeds {shown}; give --seed to choose which to resume")
    if logged:
        return logged.pop(), "log"
    return draw_run_seed(), "drawn"


def run_tournament(
    rules: Ruleset,
    specs: Sequence[str],
    games: int,
    out: str | Path,
    seed: int | None = None,
    *,
    workers: int = 1,
    move_timeout: float | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    stop_after: int | None = None,
    processes: bool | None = None,
    scheduler: str | Client | None = None,
) -> tuple[RunResult, dict[str, Any]]:
    """A round robin of ``games`` games per pair, streamed to ``out/games.jsonl``; the summary goes to
    ``out/summary.json`` and the settings to ``out/tournament.json`` (both written atomically);
    ``seed``: the run seed (None: on resume the one in ``games.jsonl``, else drawn at random; ``run_seed``);
    ``scheduler``: a Dask cluster to play on (``run_plan``)."""
    players = entrants(specs)
    folder = Path(out)
    seed, source = run_seed(folder, seed, resume)
    plan = make_plan([p.label for p in players], games, seed, rules)
    settings = {
        "format": "summitgame-tournament",
        "engine": __version__,
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
        "agents": [p.spec for p in players],
        "games_per_pair": games,
        "seed": seed,
        "move_timeout": move_timeout,
        "planned": len(plan),
    }
    previous = folder / SETTINGS_FILE
    if resume and (previous.exists() or previous.is_symlink()):
        name = printable(previous)
        try:
            doc = loads_json(read_text(previous, name=name), name)
        except DataFileError as exc:
            raise TournamentError(f"{exc}; the file is unreadable") from None
        known = doc.get("rules") if isinstance(doc, dict) else None
        fp = known.get("fingerprint") if isinstance(known, dict) else None
        if not isinstance(fp, str):
            raise TournamentError(f"{name}: unreadable (no rules fingerprint)")
        if fp != rules.fingerprint:
            raise TournamentError(
                f"{printable(folder)} was played under rules with fingerprint {printable(fp, limit=40)}, but the "
                f"rules loaded are '{printable(rules.name)}' ({rules.fingerprint}); load the same rules to resume"
            )
    run = run_plan(
        rules,
        players,
        plan,
        workers=workers,
        move_timeout=move_timeout,
        out=folder,
        resume=resume,
        progress=progress,
        stop_after=stop_after,
        processes=processes,
        scheduler=scheduler,
    )
    write_atomic(previous, json.dumps(settings, indent=1) + "\n")
    summary = summarize(rules, players, plan, run.lines)
    summary["seed"] = seed
    summary["seed_source"] = source
    summary["games_per_pair"] = games
    summary["complete"] = run.complete
    write_atomic(folder / SUMMARY_FILE, json.dumps(summary, indent=1) + "\n")
    return run, summary


# --- text reports ----------------------------------------------------------------------------------------


def _pct(e: Mapping[str, Any] | None) -> str:
    if not e or e.get("value") is None:
        return "—"
    lo, hi = e.get("low"), e.get("high")
    ci = f" [{100 * lo:.1f}, {100 * hi:.1f}]" if lo is not None and hi is not None else ""
    return f"{100 * e['value']:.1f}%{ci}"


def _num(e: Mapping[str, Any] | None, fmt: str = "+.2f") -> str:
    if not e or e.get("value") is None:
        return "—"
    lo, hi = e.get("low"), e.get("high")
    ci = f" [{lo:{fmt}}, {hi:{fmt}}]" if lo is not None and hi is not None else ""
    return f"{e['value']:{fmt}}{ci}"


def report_lines(summary: Mapping[str, Any], run: RunResult | None = None) -> Iterator[str]:
    """The summary as text: standings, crosstable (more than two agents), per-role results, tiers,
    game length, end reasons and forfeits. Names from data (rules, agent labels, errors) are made printable."""
    for line in _report(summary, run):
        yield printable(line.rstrip())


def _report(summary: Mapping[str, Any], run: RunResult | None) -> Iterator[str]:
    labels = [row["agent"] for row in summary["standings"]]
    roles = summary["roles"]
    g = summary["games"]
    w = max(12, *(len(a) for a in labels)) + 2
    yield (
        f"{summary['rules']['name']} ({summary['rules']['fingerprint']}): {g['played']} of {g['planned']} games, "
        f"{summary['games_per_pair']} per pair, seats swapped on paired deals from seed {summary['seed']}"
    )
    if summary.get("seed_source") == "drawn":
        yield f"(the seed was drawn at random: --seed {summary['seed']} plays this run again)"
    yield ""
    head = f"{'agent':<{w}} {'rating (Elo, 95% CI)':<24} {'score rate (95% CI)':<22} {'W':>5} {'T':>5} {'L':>5}"
    yield head + "  mean score (95% CI)"
    for row in summary["standings"]:
        yield (
            f"{row['agent']:<{w}} {_num(row['rating'], '+.0f'):<24} {_pct(row['score_rate']):<22} {row['wins']:>5} "
            f"{row['ties']:>5} {row['losses']:>5}  {_num(row['mean_score'])}"
        )
    if len(labels) > 2:
        yield ""
        yield "crosstable (score of the row against the column)"
        cw = max(8, *(len(a) for a in labels)) + 1
        yield f"{'':<{w}}" + "".join(f"{a:>{cw}}" for a in labels)
        for a in labels:
            cells = []
            for b in labels:
                c = summary["crosstable"][a].get(b)
                cells.append(
                    f"{'·':>{cw}}" if c is None or not c["games"] else f"{100 * c['score_rate']['value']:>{cw - 1}.1f}%"
                )
            yield f"{a:<{w}}" + "".join(cells)
    else:
        pair = summary["pairs"][0]
        a, b = pair["agents"]
        diff = pair.get("rating_difference")
        yield ""
        yield f"score margin {a} − {b} per game: {_num(pair['margin'])}"
        if diff:
            yield f"rating difference {a} − {b}: {_num(diff, '+.0f')} Elo"
    yield ""
    yield "win rate by role (95% CI)"
    rw = 24
    yield f"{'':<{w}}" + "".join(f"{'as ' + r:<{rw}}" for r in roles)
    for a in labels:
        yield f"{a:<{w}}" + "".join(f"{_pct(summary['per_role'][a][r]['win_rate']):<{rw}}" for r in roles)
    yield f"{'any agent':<{w}}" + "".join(f"{_pct(summary['seats'][r]['win_rate']):<{rw}}" for r in roles)
    yield ""
    n_done = sum(summary["tiers"].values())
    yield "outcome tier        games   share"
    for t, k in summary["tiers"].items():
        share = k / n_done if n_done else 0.0
        yield f"  {t:<16} {k:>6}  {100 * share:5.1f}%  {'#' * round(30 * share)}"
    yield ""
    length = f"{_num(summary['mean_decisions'], '.1f')} decisions, {_num(summary['mean_rounds'], '.2f')} rounds"
    yield f"mean game length:  {length}"
    yield "how games ended:   " + ", ".join(f"{k} {v}" for k, v in summary["end_reasons"].items())
    if g["forfeits"]:
        yield f"forfeits:          {g['forfeits']}"
        for f in summary["forfeit_errors"][:5]:
            yield f"  game {f['index']}: {f['agent']} as {f['role']}: {f['error']}"
    if run is not None and run.played:
        where = f"{run.workers} worker process{'es' if run.workers != 1 else ''}" if run.workers else "this process"
        if run.scheduler:
            where = f"{run.workers} Dask worker thread{'s' if run.workers != 1 else ''} at {run.scheduler}"
        gps = run.games_per_second or 0.0
        yield f"speed:             {gps:,.1f} games/s on {where} ({run.played} games in {run.seconds:.1f} s)"


__all__ = [
    "Entrant",
    "GameLog",
    "MoveTimeout",
    "PlannedGame",
    "RunResult",
    "TournamentError",
    "agent_seeds",
    "deal_seed",
    "entrants",
    "game_id",
    "line_problem",
    "make_plan",
    "read_games",
    "report_lines",
    "result_line",
    "run_match",
    "run_plan",
    "run_seed",
    "run_tournament",
    "summarize",
]
