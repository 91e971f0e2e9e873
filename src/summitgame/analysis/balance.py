"""``balance``: play paired, role-swapped games between agents and report how the rules play.

Games come from the tournament plan and runner (``tournament.make_plan`` / ``run_plan``): every pair of
agents plays the same deals from both seats, so a role's advantage is not an agent's. Each finished game
is replayed and measured (``metrics.game_metrics``) as it arrives, and the report is assembled in plan
order, so the same command and seed give the same numbers whatever the worker count. Timing is kept in
a separate ``speed`` block for that reason.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..ruleset import Ruleset
from ..tournament import Entrant, PlannedGame, RunResult, entrants, make_plan, run_plan, summarize
from .aggregate import aggregate, warnings
from .metrics import GameMetrics, Recorded, game_metrics

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_AGENTS = ("greedy", "boulware", "titfortat", "linear")
"""Skilled, fast agents of different styles (greedy, time-dependent concession, reciprocity); mcts is
left out by default because it is about a hundred times slower per game."""

FORMAT = "summitgame-balance"
VERSION = 1

Progress = Callable[[int, int], None]


@dataclass
class Simulation:
    """A finished (or partly finished) simulated run: the plan, the run, and each game measured."""

    rules: Ruleset
    players: list[Entrant]
    plan: list[PlannedGame]
    games: list[GameMetrics] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    forfeits: int = 0
    seconds: float = 0.0
    played: int = 0
    workers: int = 0
    scheduler: str | None = None  #: the Dask scheduler's address, when played on a cluster


def players_for(specs: Sequence[str]) -> list[Entrant]:
    """The entrants for a list of agent specs; one spec plays itself (a mirror match)."""
    if not specs:
        specs = DEFAULT_AGENTS
    return entrants([specs[0], specs[0]] if len(specs) == 1 else list(specs), allow_repeats=len(specs) == 1)


def games_per_pair(games: int, n_agents: int) -> int:
    """Games per pair so that all pairs together play at least ``games``, rounded up to an even number
    (each deal is played from both seats)."""
    pairs = max(1, n_agents * (n_agents - 1) // 2)
    per = max(2, math.ceil(games / pairs))
    return per + per % 2


def plan_for(rules: Ruleset, players: Sequence[Entrant], games: int, seed: int) -> list[PlannedGame]:
    """The plan of a balance run: ``games`` games in all (rounded up), paired deals, seats swapped."""
    return make_plan([p.label for p in players], games_per_pair(games, len(players)), seed, rules)


def simulate(
    rules: Ruleset,
    players: Sequence[Entrant],
    plan: Sequence[PlannedGame],
    *,
    workers: int = 1,
    move_timeout: float | None = None,
    progress: Progress | None = None,
    into: Simulation | None = None,
    scheduler: str | Client | None = None,
) -> Simulation:
    """Play (part of) a plan and measure every game; ``into`` extends an earlier part of the same plan.
    ``scheduler``: play on the Dask cluster at this address, or through this client (``tournament.run_plan``)."""
    sim = into if into is not None else Simulation(rules, list(players), list(plan))
    measured: dict[int, GameMetrics] = {}

    def on_game(line: dict[str, Any]) -> None:
        if not line.get("forfeit"):
            measured[line["index"]] = game_metrics(line, rules, line["index"], f"game {line['index']}")

    run: RunResult = run_plan(
        rules,
        players,
        plan,
        workers=workers,
        move_timeout=move_timeout,
        progress=progress,
        on_game=on_game,
        scheduler=scheduler,
    )
    sim.games.extend(measured[i] for i in sorted(measured))
    sim.lines.extend(run.lines)
    sim.forfeits += sum(1 for ln in run.lines if ln.get("forfeit"))
    sim.seconds += run.seconds
    sim.played += run.played
    sim.workers = run.workers
    sim.scheduler = run.scheduler
    return sim


def agents_section(sim: Simulation) -> dict[str, Any]:
    """Section 3: standings, crosstable and per-role results of the agents (from the tournament summary)."""
    s = summarize(sim.rules, sim.players, sim.plan, sim.lines)
    keep = ("agent", "games", "wins", "ties", "losses", "score_rate", "win_rate", "mean_score", "rating")
    return {
        "standings": [{k: row[k] for k in keep} for row in s["standings"]],
        "crosstable": {
            a: {b: {"games": c["games"], "score_rate": c["score_rate"]} for b, c in row.items()}
            for a, row in s["crosstable"].items()
        },
        "per_role": {a: {r: c["win_rate"] for r, c in row.items()} for a, row in s["per_role"].items()},
    }


def command_line(
    name: str,
    rules_path: str | Path | None,
    overrides: Sequence[str],
    options: Sequence[tuple[str, Any]],
    args: Sequence[str] = (),
) -> str:
    """The ``summitgame`` command that reproduces a run (worker count, scheduler and output options left out:
    the results do not depend on them)."""
    parts = ["summitgame", name, *args]
    if rules_path is not None:
        parts += ["--rules", str(rules_path)]
    for o in overrides:
        parts += ["--set", o]
    for opt, value in options:
        if value is None or value is False:
            continue
        parts += [opt] if value is True else [opt, str(value)]
    return shlex.join(parts)


def provenance(sim: Simulation, seed: int, command: str, requested: int) -> dict[str, Any]:
    """Section 8: what was run, so it can be run again."""
    rules = sim.rules
    return {
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint, "source": rules.source},
        "engine": __version__,
        "agents": {e.label: e.spec for e in sim.players},
        "seed": seed,
        "games_requested": requested,
        "games_per_pair": sim.plan[-1].game + 1 if sim.plan else 0,
        "games_planned": len(sim.plan),
        "games_measured": len(sim.games),
        "forfeits": sim.forfeits,
        "command": command,
    }


def speed(sim: Simulation) -> dict[str, Any]:
    """How fast the run went (kept apart: the results do not depend on it)."""
    gps = sim.played / sim.seconds if sim.seconds > 0 and sim.played else None
    doc: dict[str, Any] = {
        "workers": sim.workers,
        "played": sim.played,
        "seconds": round(sim.seconds, 3),
        "games_per_second": round(gps, 1) if gps else None,
    }
    if sim.scheduler is not None:
        doc["scheduler"] = sim.scheduler
    return doc


def recorded_section(rules: Ruleset, rec: Recorded, folder: str | Path, seed: int) -> dict[str, Any]:
    """The report on recorded games (sections 1, 2 and 4–7), with what was skipped and why."""
    return {
        "folder": str(folder),
        "files": rec.files,
        "games": len(rec.games),
        "skipped": [{"where": w, "why": why} for w, why in rec.skipped[:50]],
        "skipped_count": len(rec.skipped),
        **aggregate(rules, rec.games, seed),
    }


def balance_report(
    sim: Simulation,
    seed: int,
    command: str,
    requested: int,
    recorded: Mapping[str, Any] | None = None,
    ablation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole balance report as a JSON-ready dict (see ``schema.BALANCE_SCHEMA``)."""
    body = aggregate(sim.rules, sim.games, seed)
    body["agents"] = agents_section(sim)
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "warnings": warnings(sim.rules, body)}
    doc.update(body)
    doc["recorded"] = dict(recorded) if recorded is not None else None
    doc["ablation"] = dict(ablation) if ablation is not None else None
    doc["provenance"] = provenance(sim, seed, command, requested)
    return doc
