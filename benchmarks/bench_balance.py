"""``balance`` end to end: 10,000 games with greedy agents (and with random agents) on 2 workers, as JSON.

    python benchmarks/bench_balance.py [--games N] [--workers K] [--agents greedy,random] [--probes]

Each figure covers what ``summitgame balance --agents A --games N --workers K --probe-games 0`` does: the plan,
the games on worker processes, each measured on the worker that played it, and the aggregation with its
bootstrap intervals (reported apart as ``aggregate_seconds``). That is the run the issue's figure means (target on
a 2-core machine, issue 16: 10,000 greedy games in at most 12 s). ``--probes`` adds what the command does by
default besides: each probe agent (stonewall, taker, pushover, spoiler) plays each agent as many games as a pair
of agents plays, so 4 more games for every game of a one-agent run (``probe_seconds``). ``--workers 1,2`` runs
each count in turn and prints the scaling (target >= 1.9x). The machine may be shared: each figure comes with the
load average before and after it and the CPU seconds of the parent (this process: the serial share that caps
scaling), of the workers and of the aggregation, so a figure taken under load can still be read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from typing import Any

from summitgame import __version__
from summitgame.analysis.balance import (
    balance_report,
    games_per_pair,
    plan_for,
    play_exploits,
    players_for,
    probe_entrants,
    simulate,
    skilled,
)
from summitgame.rules.loader import load_rules
from summitgame.runs.options import RunOptions

TARGET_SECONDS = 12.0


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the workers, once their pool is closed)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench(agent: str, games: int, workers: int, probes: bool = False) -> dict[str, Any]:
    """Time one balance run of ``agent`` against itself (and its probe games, with ``probes``)."""
    rules = load_rules()
    players = players_for([agent])
    plan = plan_for(rules, players, games, 0)
    load = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    c0, k0 = time.process_time(), children_cpu()
    sim = simulate(rules, players, plan, backend=RunOptions(workers=workers))
    parent_cpu, workers_cpu = time.process_time() - c0, children_cpu() - k0
    t1 = time.perf_counter()
    exploits = None
    if probes:
        per_pairing = games_per_pair(games, len(players))  # the command's default --probe-games
        exploits = play_exploits(
            rules, probe_entrants(), skilled(players), per_pairing, 0, backend=RunOptions(workers=workers)
        )
    t2 = time.perf_counter()
    c2 = time.process_time()
    doc = balance_report(sim, 0, "bench", games, exploits=exploits)
    aggregate_cpu = time.process_time() - c2
    t3 = time.perf_counter()
    n = max(1, len(sim.games))
    return {
        "agent": agent,
        "games": len(sim.games),
        "workers": workers,
        "seconds": round(t3 - t0 - (t2 - t1), 2),  # the games and their report, without the probes
        "play_and_measure_seconds": round(t1 - t0, 2),
        "aggregate_seconds": round(t3 - t2, 2),
        "aggregate_cpu_seconds": round(aggregate_cpu, 2),
        # CPU time of this process while the games were played: on workers, the serial share that caps scaling
        "parent_cpu_seconds": round(parent_cpu, 2),
        "parent_cpu_ms_per_game": round(parent_cpu / n * 1000, 3),
        # and of the worker processes (0 with one worker: the games are played in this process)
        "workers_cpu_seconds": round(workers_cpu, 2),
        "workers_cpu_ms_per_game": round(workers_cpu / n * 1000, 3),
        "probe_games": exploits.played if exploits else 0,
        "probe_seconds": round(t2 - t1, 2) if exploits else None,
        "with_probes_seconds": round(t3 - t0, 2) if exploits else None,
        "load_before": load,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "games_per_second": round(len(sim.games) / (t3 - t0 - (t2 - t1)), 1),
        "warnings": len(doc["warnings"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=10_000)
    parser.add_argument("--workers", default="2", help="worker counts, comma-separated (e.g. 1,2)")
    parser.add_argument("--agents", default="greedy,random")
    parser.add_argument("--probes", action="store_true", help="also play the probe games balance plays by default")
    args = parser.parse_args()
    counts = [int(k) for k in args.workers.split(",") if k]
    results = [bench(a, args.games, k, args.probes) for a in args.agents.split(",") if a for k in counts]
    greedy = next((r for r in results if r["agent"] == "greedy" and r["workers"] == counts[-1]), None)
    out: dict[str, Any] = {
        "engine": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "results": results,
        "target": f"{args.games} greedy games in <= {TARGET_SECONDS:g} s on {counts[-1]} workers",
        "meets_target": None if greedy is None else greedy["seconds"] <= TARGET_SECONDS,
    }
    if len(counts) > 1:
        out["scaling"] = {
            r["agent"]: round(r["games_per_second"] / base["games_per_second"], 2)
            for base in results
            if base["workers"] == counts[0]
            for r in results
            if r["agent"] == base["agent"] and r["workers"] == counts[-1]
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
