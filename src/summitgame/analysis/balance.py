"""``balance``: play paired, role-swapped games between agents and report how the rules play.

Games come from the tournament plan and runner (``tournament.make_plan`` / ``run_plan``): every pair of
agents plays the same deals from both seats, so a role's advantage is not an agent's. Each finished game
is replayed and measured (``metrics.game_metrics``) on the worker that played it (``measure_line``), and the
report is assembled in plan order, so the same command and seed give the same numbers whatever the worker
count. Timing is kept in a separate ``speed`` block for that reason.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..agents.base import make_agent
from ..agents.probes import CHEAP_LINES
from ..rules.ruleset import Ruleset
from ..runs.options import HERE, RunOptions
from ..runs.stats import wilson
from ..runs.tournament import (
    Entrant,
    PlannedGame,
    RunResult,
    agent_seeds,
    deal_seed,
    entrants,
    game_id,
    make_plan,
    run_plan,
    summarize,
)
from ..version import __version__
from .aggregate import aggregate, warnings
from .impact import Replays, impact_section, impact_warnings
from .metrics import GameMetrics, Recorded, game_metrics

if TYPE_CHECKING:
    from .schema import Ablation, Agents, BalanceReport, ProbePairing, Provenance, Speed
    from .schema import Exploits as ExploitsDoc
    from .schema import Recorded as RecordedDoc

DEFAULT_AGENTS = ("greedy", "boulware", "titfortat", "linear")
"""Skilled, fast agents of different styles (greedy, time-dependent concession, reciprocity); mcts is
left out by default because it is about a hundred times slower per game."""

FORMAT: Final = "summitgame-balance"
VERSION: Final = 1

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
    actions: dict[int, list[str]] = field(default_factory=dict)  #: plan index -> moves (``keep_actions``)


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


def measure_line(line: dict[str, Any], rules: Ruleset) -> GameMetrics | None:
    """A finished game's measures (``metrics.game_metrics``), taken on the worker that played it; None for a
    forfeit, which is not measured."""
    if line.get("forfeit"):
        return None
    return game_metrics(line, rules, line["index"], f"game {line['index']}")


def simulate(
    rules: Ruleset,
    players: Sequence[Entrant],
    plan: Sequence[PlannedGame],
    *,
    backend: RunOptions = HERE,
    progress: Progress | None = None,
    into: Simulation | None = None,
    keep_actions: bool = False,
) -> Simulation:
    """Play (part of) a plan and measure every game; ``into`` extends an earlier part of the same plan.
    ``backend``: where the games are played, here or on a pool or a Dask cluster (``tournament.run_plan``).
    ``keep_actions``: keep each finished game's moves in ``sim.actions`` (the impact replays need them)."""
    sim = into if into is not None else Simulation(rules, list(players), list(plan))
    measured: dict[int, GameMetrics] = {}

    def on_game(line: dict[str, Any]) -> None:
        if not line.get("forfeit"):
            measured[line["index"]] = line["measured"]
            if keep_actions:
                sim.actions[line["index"]] = list(line["actions"])

    run: RunResult = run_plan(
        rules, players, plan, backend=backend, progress=progress, on_game=on_game, measure=measure_line
    )
    sim.games.extend(measured[i] for i in sorted(measured))
    sim.lines.extend(run.lines)
    sim.forfeits += sum(1 for ln in run.lines if ln.get("forfeit"))
    sim.seconds += run.seconds
    sim.played += run.played
    sim.workers = run.workers
    sim.scheduler = run.scheduler
    return sim


def agents_section(sim: Simulation) -> Agents:
    """Section 3: standings, crosstable and per-role results of the agents (from the tournament summary)."""
    s = summarize(sim.rules, sim.players, sim.plan, sim.lines)
    return {
        "standings": [
            {
                "agent": row["agent"],
                "games": row["games"],
                "wins": row["wins"],
                "ties": row["ties"],
                "losses": row["losses"],
                "score_rate": row["score_rate"],
                "win_rate": row["win_rate"],
                "mean_score": row["mean_score"],
                "rating": row["rating"],
            }
            for row in s["standings"]
        ],
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


def provenance(sim: Simulation, seed: int, command: str, requested: int) -> Provenance:
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


def labels(rules: Ruleset) -> dict[str, dict[str, str]]:
    """The display names of the rule data's ids (roles, tiers, tracks, meter series keys, cards), for charts
    and tables; a per-role meter's key ``pressure:moscow`` reads "Domestic pressure (Moscow)"."""
    role = dict(zip(rules.roles, rules.role_names, strict=True))
    meters: dict[str, str] = {}
    for mid in rules.meter_ids:
        name = rules.spec.meters[mid].name
        if rules.meter_slot[mid][1]:
            meters.update({f"{mid}:{r}": f"{name} ({role[r]})" for r in rules.roles})
        else:
            meters[mid] = name
    return {
        "roles": role,
        "tiers": dict(zip(rules.tier_ids, rules.tier_names, strict=True)),
        "tracks": dict(zip(rules.track_ids, rules.track_names, strict=True)),
        "meters": meters,
        "events": {c.id: c.name for c in rules.events_deck.cards},
        "gestures": {c.id: c.name for c in rules.gestures_deck.cards},
    }


def speed(sim: Simulation, exploits: Exploits | None = None, replays: Replays | None = None) -> Speed:
    """How fast the run went, probe games and impact replays included (kept apart: the results do not depend
    on it)."""
    played = sim.played + (exploits.played if exploits else 0) + (replays.played if replays else 0)
    seconds = sim.seconds + (exploits.seconds if exploits else 0.0) + (replays.seconds if replays else 0.0)
    gps = played / seconds if seconds > 0 and played else None
    doc: Speed = {
        "workers": sim.workers,
        "played": played,
        "seconds": round(seconds, 3),
        "games_per_second": round(gps, 1) if gps else None,
    }
    if sim.scheduler is not None:
        doc["scheduler"] = sim.scheduler
    return doc


def recorded_section(rules: Ruleset, rec: Recorded, folder: str | Path, seed: int) -> RecordedDoc:
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
    recorded: RecordedDoc | None = None,
    ablations: Sequence[Ablation] = (),
    exploits: Exploits | None = None,
    replays: Replays | None = None,
) -> BalanceReport:
    """The whole balance report as a JSON-ready dict (``schema.BalanceReport``); the warnings of the
    exploits section, if played, come first, and those of the impact section, if played, last.

    ``ablations`` are ``ablation.ablation_entry`` rows; ``ablation`` repeats the first one played (for readers
    of the single-ablation report)."""
    body = aggregate(sim.rules, sim.games, seed)
    agents = agents_section(sim)
    section = exploits_section(exploits) if exploits is not None else None
    cheap = exploit_warnings(section) if section is not None else []
    impact = impact_section(sim.rules, sim.games, replays) if replays is not None else None
    late = impact_warnings(impact) if impact is not None else []
    return {
        "format": FORMAT,
        "version": VERSION,
        "warnings": cheap + warnings(sim.rules, {**body, "agents": agents}) + late,
        "outcomes": body["outcomes"],
        "roles": body["roles"],
        "length": body["length"],
        "meters": body["meters"],
        "negotiation": body["negotiation"],
        "decisions": body["decisions"],
        "cards": body["cards"],
        "agents": agents,
        "exploits": section,
        "impact": impact,
        "recorded": recorded.copy() if recorded is not None else None,
        "ablation": next((a.copy() for a in ablations if a["rules"] is not None), None),
        "ablations": [a.copy() for a in ablations] or None,
        "labels": labels(sim.rules),
        "provenance": provenance(sim, seed, command, requested),
    }


# --- exploits: the probe agents against the report's agents ----------------------------------------------


def is_probe(e: Entrant) -> bool:
    """Whether an entrant is one of the built-in probe agents (``agents.probes``), whatever its parameters."""
    return getattr(e.cls, "name", None) in CHEAP_LINES


def skilled(players: Sequence[Entrant]) -> list[Entrant]:
    """The agents a probe is played against: the run's agents that are not probes, each spec once (the
    two seats of a mirror match are one agent), labelled by their canonical spec."""
    out: dict[str, Entrant] = {}
    for e in players:
        if not is_probe(e) and e.spec not in out:
            out[e.spec] = Entrant(e.spec, e.spec, e.cls, e.params)
    return list(out.values())


def probe_entrants(extra: Sequence[str] = ()) -> list[Entrant]:
    """The probes (every agent of ``CHEAP_LINES``) and then each ``extra`` exploiter spec, each canonical
    spec once (AgentError for a bad spec)."""
    specs: list[str] = []
    for spec in (*CHEAP_LINES, *extra):
        canon = make_agent(spec).spec()
        if canon not in specs:
            specs.append(canon)
    return entrants(specs)


def probe_line(label: str) -> str:
    """The cheap line a probe plays, in words (an exploiter that is no probe: its spec)."""
    return CHEAP_LINES.get(label.split(":")[0], label)


def exploit_plan(
    rules: Ruleset, probes: Sequence[Entrant], opponents: Sequence[Entrant], games: int, seed: int
) -> list[PlannedGame]:
    """Every probe against every opponent, ``games`` games each (rounded up to whole paired deals), on the
    report's deals: game ``k`` of every pairing is deal ``tournament.deal_seed(seed, k)``, the probe in the
    first role when ``k`` is even; a probe does not play an agent with its own spec."""
    games += games % 2
    pairs = [(p.label, o.label) for p in probes for o in opponents if p.label != o.label]
    plan: list[PlannedGame] = []
    for k in range(games):
        s, streams = deal_seed(seed, k), agent_seeds(seed, k)
        for a, b in pairs:
            seats = (a, b) if k % 2 == 0 else (b, a)
            plan.append(
                PlannedGame(
                    len(plan), (a, b), k, seats, s, streams, game_id(rules.fingerprint, seats, k, s, streams), seed
                )
            )
    return plan


@dataclass
class Exploits:
    """Probe games played: who played whom, the plan and its finished games."""

    probes: list[Entrant]
    opponents: list[Entrant]
    games: int  #: games per pairing
    plan: list[PlannedGame]
    lines: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    played: int = 0


def play_exploits(
    rules: Ruleset,
    probes: Sequence[Entrant],
    opponents: Sequence[Entrant],
    games: int,
    seed: int,
    *,
    backend: RunOptions = HERE,
    progress: Progress | None = None,
) -> Exploits:
    """Play each probe against each opponent on the report's deals (``exploit_plan``); the same games
    whatever the worker count. ``pool``: a running ``workers.Pool`` to play on (``tournament.run_plan``)."""
    plan = exploit_plan(rules, probes, opponents, games, seed)
    ex = Exploits(list(probes), list(opponents), games + games % 2, plan)
    if not plan:
        return ex
    by_label = {e.label: e for e in (*probes, *opponents)}
    run = run_plan(rules, list(by_label.values()), plan, backend=backend, progress=progress)
    ex.lines, ex.seconds, ex.played = run.lines, run.seconds, run.played
    return ex


def pairing_rows(ex: Exploits) -> list[ProbePairing]:
    """Each pairing from the probe's side: wins, ties, losses (a forfeit loses) and its score rate (win 1,
    tie ½) with a 95% Wilson interval; ``beats`` when the interval's low end is above one half."""
    tally: dict[tuple[str, str], list[int]] = {}
    for g in ex.plan:
        tally.setdefault(g.pair, [0, 0, 0])
    for line in ex.lines:
        probe = line["pair"][0]
        col = 0 if line["winner"] == probe else (1 if line["winner"] is None and not line.get("forfeit") else 2)
        tally[(line["pair"][0], line["pair"][1])][col] += 1
    rows: list[ProbePairing] = []
    for (probe, agent), (w, t, lost) in tally.items():
        n = w + t + lost
        rate = wilson(w + t / 2, n).as_dict()
        rows.append(
            {
                "probe": probe,
                "agent": agent,
                "line": probe_line(probe),
                "games": n,
                "wins": w,
                "ties": t,
                "losses": lost,
                "score_rate": {"value": rate["value"], "low": rate["low"], "high": rate["high"]},
                "beats": n > 0 and rate["low"] is not None and rate["low"] > 0.5,
            }
        )
    return rows


def exploits_section(ex: Exploits) -> ExploitsDoc:
    """The exploits section: every probe against every agent of the report, and how many games each."""
    return {
        "games_per_pairing": ex.games,
        "probes": {p.label: probe_line(p.label) for p in ex.probes},
        "agents": [o.label for o in ex.opponents],
        "pairings": pairing_rows(ex),
        "forfeits": sum(1 for ln in ex.lines if ln.get("forfeit")),
        "played": len(ex.lines),
    }


UNSKILLED = frozenset({"random"})
"""Agents whose defeat by a probe is no warning (the table still shows it): beating a player that moves at
random proves nothing about the rules."""


def is_skilled(label: str) -> bool:
    """Whether a probe beating the agent of this canonical spec shows a cheap win (not one of ``UNSKILLED``)."""
    return label.split(":", 1)[0] not in UNSKILLED


def exploit_warnings(section: Mapping[str, Any]) -> list[str]:
    """One warning per probe that wins a pairing against a skilled agent at 95%, in words, strongest probe
    first: "refusing to negotiate beats greedy: 64% [59, 69] of 400 games (probe stonewall)"."""
    won: dict[str, list[dict[str, Any]]] = {}
    for r in section["pairings"]:
        if r["beats"] and is_skilled(r["agent"]):
            won.setdefault(r["probe"], []).append(r)
    out = []
    for rows in sorted(won.values(), key=lambda rs: (-max(r["score_rate"]["low"] for r in rs), rs[0]["probe"])):
        rows.sort(key=lambda r: (-r["score_rate"]["low"], r["agent"]))
        cells = [
            f"{r['agent']}: {100 * r['score_rate']['value']:.0f}% [{100 * r['score_rate']['low']:.0f}, "
            f"{100 * r['score_rate']['high']:.0f}]"
            for r in rows
        ]
        listed = cells[0] if len(cells) == 1 else ", ".join(cells[:-1]) + " and " + cells[-1]
        counts = sorted({r["games"] for r in rows})
        games = f"of {counts[0]} games{' each' if len(rows) > 1 else ''}" if len(counts) == 1 else "of its games"
        out.append(f"Cheap win: {rows[0]['line']} beats {listed} {games} (probe {rows[0]['probe']}).")
    return out
