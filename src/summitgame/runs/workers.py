"""Playing planned games: in this process (``run_here``), or on K worker processes under a watchdog (``Pool``).

``Table`` plays games in one process, the rules loaded once, both agents rebuilt for every game, each call
under a ``Watch``; the Dask backend (``cluster``) runs a ``Table`` on each of its workers too.

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
holds: tasks run in worker threads, where no ``SIGALRM`` can be armed (``Watch`` then sets no timer), so
a late move still forfeits but an agent stuck in a call cannot be interrupted, and a worker that dies
fails the run rather than forfeiting one game.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import select
import selectors
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, ClassVar, TypeVar

from ..agents.base import Agent
from ..engine.observation import Observation
from ..engine.scoring import Outcome
from ..rules.actions import Action
from ..rules.ruleset import Ruleset
from .gameslog import dumps_line, forfeited, result_line
from .match import Forfeit, play_game
from .plan import Entrant, PlannedGame, Todo, TournamentError

WATCHDOG_GRACE = 0.5  #: seconds after a call's deadline (plus half the limit) before its worker is killed
CHUNK_SECONDS = 0.25  #: a worker is sent about this much work at a time (at most two chunks ahead), and
#: reports it in one message
MAX_CHUNK = 64
BATCH_SECONDS = 0.005  #: the parent's pause after handling results, so that it wakes for batches; at least
MAX_PAUSE = 0.025  #: and at most: about half a chunk's work, so a worker never runs out of games meanwhile


T = TypeVar("T")

Measure = Callable[[dict[str, Any], Ruleset], Any]
"""What a run makes of each finished game's line (with its actions) where the game is played: a picklable,
module-level function (it travels to worker processes by reference)."""


class MoveTimeout(Exception):
    """Raised inside an agent's call when it runs past the per-move time limit."""


class AgentCrash(Exception):
    """An agent tried to end the process (``sys.exit``) or failed in its ``start`` hook."""


class Watch:
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


class Seat(Agent):
    """Runs one agent's calls under the watch and keeps failures of its ``start`` and ``end`` hooks.

    ``play_game`` turns an exception from ``act`` into a forfeit; a failed ``start`` is raised at the
    agent's first ``act`` (so it forfeits too), and a failed ``end`` is kept as a note on the game."""

    name: ClassVar[str] = "seat"

    def __init__(self, inner: Agent, watch: Watch) -> None:
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


class Table:
    """Plays planned games in one process: the rules loaded once, both agents rebuilt per game."""

    def __init__(self, rules: Ruleset, players: Sequence[Entrant], move_timeout: float | None, watch: Watch):
        self.rules = rules
        self.players = {e.label: e for e in players}
        self.move_timeout = move_timeout
        self.watch = watch

    def play(self, g: PlannedGame) -> str:
        """Play one game; its result line as JSON text (without the newline)."""
        self.watch.game(g.index)
        seats: list[Seat] = []
        for role, label in enumerate(g.seats):
            try:
                inner = self.watch.call(role, self.players[label].build)
            except Exception as exc:
                why = f"AgentCrash: could not create the agent: {type(exc).__name__}: {exc}"
                return dumps_line(result_line(self.rules, g, self.players, forfeited(self.rules, g, role, why)))
            seats.append(Seat(inner, self.watch))
        res = play_game(self.rules, seats, g.seed, self.move_timeout, g.agent_seeds, g.mute)
        if res.forfeit is None:
            for role, seat in enumerate(seats):
                if seat.failure is not None:  # failed in start, but never had to move
                    res.forfeit, res.outcome = Forfeit(role, f"AgentCrash: {seat.failure}"), None
                    break
        notes = [n for seat in seats for n in seat.notes]
        return dumps_line(result_line(self.rules, g, self.players, res, notes))


Games = Sequence[PlannedGame] | Todo
"""Games to play: a list, or a plan's games still to play (``plan.Todo``, which lists none of them)."""


def lookup(games: Games) -> Callable[[int], PlannedGame]:
    """Finds one of ``games`` by its plan index (what the parent sends a worker)."""
    return games.at if isinstance(games, Todo) else {g.index: g for g in games}.__getitem__


def run_here(
    rules: Ruleset,
    players: Sequence[Entrant],
    move_timeout: float | None,
    todo: Games,
    finished: Callable[[list[str]], bool],
) -> None:
    watch = Watch(move_timeout)
    watch.install()
    try:
        table = Table(rules, players, move_timeout, watch)
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


def _worker_main(conn: Connection, move_timeout: float | None, board: Any, slot: int) -> None:
    """A worker process: given the rules, agents and games once (its first message, sent once it runs, so
    that the parent starts every worker before it waits for any), play the lists of plan indexes the parent
    sends (small messages, so neither side can fill the pipe); send back each game's line, and what
    ``measure`` makes of it (measured here, where the game was played, so the parent never replays it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    watch = Watch(move_timeout, board, slot)
    watch.install()
    try:
        _, rules, players, games, measure = conn.recv()
    except (EOFError, OSError):  # the parent has gone
        return
    table = Table(rules, players, move_timeout, watch)
    game = lookup(games)
    try:
        while True:
            task = conn.recv()
            if task is None:
                return
            if isinstance(task, tuple):  # another plan for this worker (``Pool.load``): one pool, many runs
                _, rules, players, games, measure = task
                table = Table(rules, players, move_timeout, watch)
                game = lookup(games)
                continue
            done: list[tuple[int, str, float, Any]] = []
            for index in task:
                t0 = time.perf_counter()
                try:
                    text = table.play(game(index))
                    measured = measure(json.loads(text), rules) if measure is not None else None
                except Exception:
                    conn.send(("games", done))
                    conn.send(("error", index, traceback.format_exc()))
                    return
                done.append((index, text, time.perf_counter() - t0, measured))
            conn.send(("games", done))  # one message a chunk: fewer wake-ups and reads for the parent
    except (EOFError, OSError):  # the parent has gone
        return


@dataclass
class _Worker:
    slot: int
    proc: Any
    conn: Connection
    assigned: deque[PlannedGame] = field(default_factory=deque)  #: sent, not yet reported, in play order


class Pool:
    """K worker processes fed chunks of planned games; the parent reads results, and replaces a worker
    that is stuck in an agent's call (watchdog) or dies."""

    def __init__(
        self,
        rules: Ruleset,
        players: Sequence[Entrant],
        games: Games,
        move_timeout: float | None,
        k: int,
        measure: Measure | None = None,
    ) -> None:
        self.rules = rules
        self.measure = measure
        self.measured: dict[int, Any] = {}  #: plan index -> what ``measure`` made of the game, until collected
        self.games = games
        self.players = list(players)
        self.labels = {e.label: e for e in players}
        self.move_timeout = move_timeout
        self.k = k
        self.ctx = multiprocessing.get_context("spawn")  # the same behaviour on every platform
        self.board: Any = self.ctx.RawArray("d", 3 * k)
        self.workers: list[_Worker] = []
        self.pending: deque[PlannedGame] = deque()  #: games to play again first (a replaced worker's)
        self.source: Iterator[PlannedGame] = iter(())  #: then the rest of the games, in order
        self.left = 0  #: games not yet sent to a worker (pending and in source)
        self.reported = 0
        self.busy = 0.0  #: seconds the workers spent on the games reported so far
        self.abandon = False

    def load(self, rules: Ruleset, players: Sequence[Entrant], games: Games, measure: Measure | None) -> None:
        """Give the running workers another plan to play (under other rules, say: each point of a sweep), so
        one pool serves a whole series of runs instead of each starting its own processes."""
        self.rules = rules
        self.games = games
        self.players = list(players)
        self.labels = {e.label: e for e in players}
        self.measure = measure
        self.measured = {}
        self.pending.clear()
        self.source, self.left = iter(()), 0
        if any(w.assigned for w in self.workers):  # a run stopped with games in flight: start afresh
            self.abandon = True
            self.__exit__(None, None, None)
            self.workers = [self._spawn(slot) for slot in range(self.k)]
        for w in self.workers:
            self._send_plan(w)
        self.abandon = False

    def __enter__(self) -> Pool:
        for slot in range(self.k):
            self.workers.append(self._spawn(slot))
        for w in self.workers:  # all started first: each boots while the plan goes to the others
            self._send_plan(w)
        return self

    def _send_plan(self, w: _Worker) -> None:
        with contextlib.suppress(OSError):  # it died already: ``run`` finds its sentinel and says why
            w.conn.send(("load", self.rules, self.players, self.games, self.measure))

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
            args=(child, self.move_timeout, self.board, slot),
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
        return max(1, min(MAX_CHUNK, size, self.left // (2 * self.k)))

    def _pause(self) -> float:
        """Seconds the parent rests after handling results: half the work of a chunk as it now stands (each
        worker holds up to two), within BATCH_SECONDS and MAX_PAUSE. Every wake-up costs the parent the same
        (it reads the pipes, checks the watchdog), so the fewer the better, as long as the workers stay busy."""
        per_game = self.busy / self.reported if self.reported else 0.0
        return min(MAX_PAUSE, max(BATCH_SECONDS, self._chunk() * per_game / 2))

    def _next(self) -> PlannedGame:
        self.left -= 1
        return self.pending.popleft() if self.pending else next(self.source)

    def _feed(self, w: _Worker) -> None:
        while self.left:
            size = self._chunk()
            if len(w.assigned) >= 2 * size:
                return
            chunk = [self._next() for _ in range(min(size, self.left))]
            w.assigned.extend(chunk)
            try:
                w.conn.send([g.index for g in chunk])
            except OSError:  # it died: ``run`` finds its sentinel next and plays its games on a fresh worker
                return

    def run(self, finished: Callable[[list[str]], bool]) -> None:
        """Play the games; hand each batch of result lines to ``finished`` (which says when to stop)."""
        self.pending.clear()
        self.source, self.left = iter(self.games), len(self.games)
        for w in self.workers:
            self._feed(w)
        # without a move limit there is no watchdog to run: sleep until a worker reports or ends
        timeout = None if self.move_timeout is None else 0.1
        watched: list[_Worker] = []
        sel = selectors.DefaultSelector()
        try:
            while self.left or any(w.assigned for w in self.workers):
                if watched != self.workers:  # connections and process sentinels, registered once per worker
                    sel.close()  # a replaced worker's pipe is closed already: start a fresh selector
                    sel = selectors.DefaultSelector()
                    watched = list(self.workers)
                    for w in watched:
                        sel.register(w.conn, selectors.EVENT_READ, w)
                        sel.register(w.proc.sentinel, selectors.EVENT_READ, w)
                if self._round(sel, timeout, finished):
                    return
        finally:
            sel.close()

    def _round(self, sel: selectors.BaseSelector, timeout: float | None, finished: Callable[[list[str]], bool]) -> bool:
        """Wait for results (or trouble), hand them on, feed the workers; True once ``finished`` says stop."""
        texts: list[str] = []
        trouble: dict[int, tuple[_Worker, float | None]] = {}
        for key, _ in sel.select(timeout):
            w = key.data
            if isinstance(key.fileobj, int) or not self._drain(w, texts):  # a sentinel: the process ended
                trouble.setdefault(w.slot, (w, None))
        for w, overrun in self._stuck():
            trouble.setdefault(w.slot, (w, overrun))
        for w, seen in trouble.values():
            texts.extend(self._replace(w, seen))
        if texts and finished(texts):
            self.abandon = True
            return True
        for w in self.workers:
            self._feed(w)
        if texts and BATCH_SECONDS:
            time.sleep(self._pause())  # let results gather in the pipes: fewer wake-ups of the parent
        return False

    def _drain(self, w: _Worker, texts: list[str]) -> bool:
        """Read every message waiting from a worker; False once its pipe is closed."""
        try:
            while select.select([w.conn], [], [], 0)[0]:  # Connection.poll builds a selector each call
                message = w.conn.recv()
                if message[0] == "error":
                    _, index, payload = message
                    raise TournamentError(f"a worker failed on game {index} (not inside an agent):\n{payload}")
                for index, payload, seconds, measured in message[1]:
                    g = w.assigned.popleft()
                    assert g.index == index, (g.index, index)
                    texts.append(payload)
                    if self.measure is not None:
                        self.measured[index] = measured
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
            # the game it was in: its chunk's games before it were played but not reported (played again)
            g = next((x for x in w.assigned if x.index == int(index)), w.assigned[0])
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
                w.assigned.remove(g)
                res = forfeited(self.rules, g, int(role), why)
                note = "moves before the forfeit were not recorded (the worker was stopped)"
                texts.append(dumps_line(result_line(self.rules, g, self.labels, res, [note])))
                self.reported += 1
            self.pending.extendleft(reversed(w.assigned))
            self.left += len(w.assigned)
        fresh = self.workers[self.workers.index(w)] = self._spawn(w.slot)
        self._send_plan(fresh)
        return texts
