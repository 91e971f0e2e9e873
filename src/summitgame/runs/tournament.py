"""Seeded, role-swapped, resumable series of bot games, played on worker processes and streamed to disk.

The jobs live beside this module: ``plan`` (the games to play, from one seed), ``workers`` (this process,
or a pool of worker processes under a watchdog), ``cluster`` (a Dask cluster), ``gameslog`` (games.jsonl),
``standings`` (the summary) and ``report`` (its text). Here are the entry points: ``run_plan``,
``run_match`` and ``run_tournament``.

**Running.** ``run_plan`` plays the plan in this process, or on K worker processes (``spawn`` start
method, so it behaves the same on every platform). A worker receives the rules, the agent classes and
parameters, and its share of the plan once, then lists of plan indexes to play (about ``CHUNK_SECONDS``
of work each, at most two ahead). It rebuilds both agents for every game, so no memory leaks from one
game into another and a game's result does not depend on which worker played it or in what order: the
same seed gives the same results whatever K is (agents with a wall-clock budget excepted). Results are
reported in plan order. With ``scheduler`` (an address, or a ``distributed.Client``) the games are played on
an existing Dask cluster instead, in chunks, with the same lines as a local run (``cluster``); agent
classes must then be importable on the Dask workers.

**Resuming.** ``resume=True`` reads ``games.jsonl``, drops a torn last line (one whose newline never
reached the disk), skips every planned game whose ``game_id`` is already there (its deal and agent seeds
checked against the plan) and plays the rest, so the finished plan has every game exactly once. Without a
seed, ``run_tournament`` resumes the run seed recorded in the file; with another one it refuses.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..rng import draw_run_seed
from ..rules.ruleset import Ruleset
from ..safeio import DataFileError, loads_json, printable, read_text
from ..version import __version__
from .gameslog import GAMES_FILE, GameLog, check_seeds, iter_games, line_problem, read_games, result_line
from .options import HERE, RunOptions
from .plan import (
    Entrant,
    Marks,
    Plan,
    PlannedGame,
    Progress,
    RunResult,
    Todo,
    TournamentError,
    agent_seeds,
    deal_seed,
    entrants,
    game_id,
    make_plan,
)
from .records import write_atomic
from .report import report_lines
from .standings import Standings, summarize
from .workers import Measure, MoveTimeout, Pool, run_here

if TYPE_CHECKING:
    from distributed import Client

SETTINGS_FILE = "tournament.json"
SUMMARY_FILE = "summary.json"


def run_plan(
    rules: Ruleset,
    players: Sequence[Entrant],
    plan: Sequence[PlannedGame],
    *,
    backend: RunOptions = HERE,
    out: str | Path | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    on_game: Callable[[dict[str, Any]], None] | None = None,
    stop_after: int | None = None,
    processes: bool | None = None,
    measure: Measure | None = None,
    keep_lines: bool = True,
    tally: Callable[[dict[str, Any]], None] | None = None,
) -> RunResult:
    """Play a plan; return its finished games in plan order.

    ``backend``: where the games are played (``options.RunOptions``): in this process, on K worker processes
    (by default for K > 1 or a move limit; ``processes`` forces (True) or forbids (False) them), on its running
    ``workers.Pool`` (one pool for many runs, as a sweep's points), or on the Dask cluster at its ``scheduler``
    address or through that ``distributed.Client`` (see ``cluster``; ``workers`` and ``processes`` are then
    ignored). ``out``: a directory for ``games.jsonl`` (streamed, resumable with ``resume=True``). ``on_game``
    sees each new line (with its actions) as it is written. ``stop_after`` ends the run after that many new
    games, as if it were killed (for tests). ``measure``: a module-level function of a finished game's line
    (with its actions) and the rules, run on the worker that played the game (in this process when the games
    are); ``on_game`` then finds its answer under the line's ``measured`` key, which no stored line keeps.

    Memory: ``keep_lines=False`` keeps no line (``RunResult.lines`` stays empty, ``finished`` counts them) and
    ``tally`` sees every finished line of the plan instead (resumed or new, without actions, in no particular
    order): with a ``plan.Plan``, which works its games out when asked, a run of any length then holds a
    fixed amount (``standings.Standings`` sums the lines as they pass)."""
    workers, move_timeout, pool = backend.workers, backend.move_timeout, backend.pool
    if workers < 1:
        raise TournamentError(f"workers must be at least 1, got {workers}")
    if move_timeout is not None and move_timeout <= 0:
        raise TournamentError(f"the move timeout must be positive, got {move_timeout}")
    use_processes = (workers > 1 or move_timeout is not None) if processes is None else processes
    if pool is not None:
        use_processes, workers = True, pool.k
    if not isinstance(plan, Plan):  # a Plan's ids are distinct by construction
        plan = list(plan)
        if len({g.game_id for g in plan}) != len(plan):
            raise TournamentError("the plan has duplicate game ids")
    find = _Finder(plan)
    with _backend(backend.scheduler) as client:  # reach the cluster before touching games.jsonl
        result = RunResult(plan, [], workers=workers if use_processes else 0)
        if client is not None:
            from . import cluster

            result.scheduler = cluster.address(client)
            result.workers = cluster.threads(client)
        log = GameLog(Path(out) / GAMES_FILE, rules, find=find) if out is not None else None
        kept: dict[int, dict[str, Any]] = {}
        resumed = Marks(len(plan))
        start = time.perf_counter()

        def keep(line: dict[str, Any]) -> None:
            if keep_lines:
                kept[line["index"]] = line
            if tally is not None:
                tally(line)

        try:
            if log is not None:
                # the file is read as it streams: games found at their own plan index first, then (a second
                # pass, only if some were not) those of a plan that grew, found by a walk through the plan
                lines = log.stream_games(resume)
                elsewhere: dict[str, int] = {}  # the ids of lines not at their index, and how many lines each
                for line in lines():
                    g = find(line)
                    if g is None:
                        elsewhere[line["game_id"]] = elsewhere.get(line["game_id"], 0) + 1
                    elif g.index not in resumed:
                        check_seeds(rules, g, line, log.path)
                        resumed.add(g.index)
                        keep({**_slim(line), "index": g.index})  # its place in this plan
                if elsewhere:
                    found = find.resolve(set(elsewhere))
                    for line in lines() if found else ():
                        if line["game_id"] in found and (g := find(line)) is not None and g.index not in resumed:
                            check_seeds(rules, g, line, log.path)
                            resumed.add(g.index)
                            keep({**_slim(line), "index": g.index})
                    result.foreign = sum(n for gid, n in elsewhere.items() if gid not in found)
                result.resumed = len(resumed)
                result.torn = log.torn
            todo = Todo(plan, resumed)
            total = len(plan)
            todo_limit = len(todo) if stop_after is None else max(0, stop_after)
            measured: dict[int, Any] = {}  # a pool's or cluster's answers to ``measure``, by plan index
            parse = keep_lines or tally is not None or on_game is not None
            if progress:
                progress(len(resumed), total)

            def finished(texts: list[str]) -> bool:
                """Record finished games; True once ``stop_after`` is reached."""
                if log is not None:
                    log.append(texts)
                for text in texts:
                    result.played += 1
                    if not parse:
                        continue
                    line = json.loads(text)
                    if measure is not None:
                        index = line["index"]
                        line["measured"] = measured.pop(index) if index in measured else measure(line, rules)
                    if on_game:
                        on_game(line)
                    keep(_slim(line))
                if progress:
                    progress(len(resumed) + result.played, total)
                return result.played >= todo_limit

            if todo and todo_limit > 0:
                if client is not None:
                    cluster.run_on_cluster(
                        client, rules, players, move_timeout, todo, finished, result.workers, measure, measured
                    )
                elif pool is not None:
                    pool.load(rules, players, todo, measure)
                    measured = pool.measured
                    pool.run(finished)
                elif use_processes:
                    with Pool(rules, players, todo, move_timeout, min(workers, len(todo)), measure) as own:
                        measured = own.measured
                        own.run(finished)
                else:
                    run_here(rules, players, move_timeout, todo, finished)
        finally:
            result.seconds = time.perf_counter() - start
            if log is not None:
                log.close()
    result.lines = [kept[i] for i in sorted(kept)]
    result.finished = None if keep_lines else len(resumed) + result.played
    return result


class _Finder:
    """Which planned game a games.jsonl line is, holding no table of the plan's ids: the game at the line's own
    plan index, when its id is the line's (a resumed run's lines are); else one of the ids a walk through the
    plan found (``resolve``: a plan that grew, with more games per pair or more agents, moves its games)."""

    def __init__(self, plan: Sequence[PlannedGame]) -> None:
        self.plan = plan
        self.moved: dict[str, int] = {}  #: game id -> plan position, for the ids ``resolve`` was asked for

    def __call__(self, line: Mapping[str, Any]) -> PlannedGame | None:
        i, gid = line.get("index"), line.get("game_id")
        if type(i) is int and 0 <= i < len(self.plan):
            g = self.plan[i]
            if g.game_id == gid:
                return g
        at = self.moved.get(gid) if isinstance(gid, str) else None
        return None if at is None else self.plan[at]

    def resolve(self, ids: set[str]) -> set[str]:
        """Find these ids in the plan (one walk through it); the ids found."""
        for at, g in enumerate(self.plan):
            if g.game_id in ids:
                self.moved[g.game_id] = at
        return ids & self.moved.keys()


def _backend(scheduler: str | Client | None) -> contextlib.AbstractContextManager[Client | None]:
    """A Dask client for the run (``cluster.connect``), or None to play on this machine."""
    if scheduler is None:
        return contextlib.nullcontext()
    from .cluster import connect

    return connect(scheduler)


def _slim(line: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in line.items() if k not in ("actions", "measured")}


def run_match(
    rules: Ruleset,
    a: str,
    b: str,
    games: int,
    seed: int | None = None,
    *,
    backend: RunOptions = HERE,
    records: str | Path | None = None,
    progress: Progress | None = None,
    on_game: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[RunResult, dict[str, Any]]:
    """Play ``a`` against ``b`` for ``games`` games with paired seeds and swapped seats; return the run and
    its summary. ``seed``: the run seed (None: drawn at random; the summary's ``seed`` replays the run);
    ``records``: a directory to save every game record in (``game-00001.json``, …); ``backend``: where the
    games are played (``run_plan``); ``on_game``: sees each finished game's line, with its actions."""
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

    run = run_plan(rules, players, plan, backend=backend, progress=progress, on_game=save)
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
        logged = {x["run_seed"] for x in iter_games(path) if type(x.get("run_seed")) is int}
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
    backend: RunOptions = HERE,
    resume: bool = False,
    progress: Progress | None = None,
    stop_after: int | None = None,
    processes: bool | None = None,
    keep_lines: bool = True,
) -> tuple[RunResult, dict[str, Any]]:
    """A round robin of ``games`` games per pair, streamed to ``out/games.jsonl``; the summary goes to
    ``out/summary.json`` and the settings to ``out/tournament.json`` (both written atomically);
    ``seed``: the run seed (None: on resume the one in ``games.jsonl``, else drawn at random; ``run_seed``);
    ``backend``: where the games are played (``run_plan``). The plan is worked out game by game and the
    summary summed as the games finish (``standings.Standings``); with ``keep_lines=False`` no line stays in
    memory either (``RunResult.lines`` is then empty), so memory stays flat however many games are played."""
    players = entrants(specs)
    folder = Path(out)
    seed, source = run_seed(folder, seed, resume)
    plan = Plan([p.label for p in players], games, seed, rules.fingerprint)
    table = Standings(rules, players, len(plan))
    settings = {
        "format": "summitgame-tournament",
        "engine": __version__,
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
        "agents": [p.spec for p in players],
        "games_per_pair": games,
        "seed": seed,
        "move_timeout": backend.move_timeout,
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
        backend=backend,
        out=folder,
        resume=resume,
        progress=progress,
        stop_after=stop_after,
        processes=processes,
        keep_lines=keep_lines,
        tally=table.add,
    )
    write_atomic(previous, json.dumps(settings, indent=1) + "\n")
    summary = table.summary()
    summary["seed"] = seed
    summary["seed_source"] = source
    summary["games_per_pair"] = games
    summary["complete"] = run.complete
    write_atomic(folder / SUMMARY_FILE, json.dumps(summary, indent=1) + "\n")
    return run, summary


__all__ = [
    "GAMES_FILE",
    "SETTINGS_FILE",
    "SUMMARY_FILE",
    "Entrant",
    "GameLog",
    "MoveTimeout",
    "PlannedGame",
    "Progress",
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
