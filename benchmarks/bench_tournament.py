"""Tournament throughput with 1 and 2 workers, printed as JSON.

    python benchmarks/bench_tournament.py [--seconds S] [--repeats R] [--agents random,greedy]

For each agent, a mirror match (the agent against itself, paired seeds, seats swapped) is played
through ``tournament.run_plan`` three ways: in this process (what ``--workers 1`` does without a move
limit), on one worker process, and on two worker processes. Timings are end to end (worker start-up and
streaming every game to games.jsonl included, summaries excluded); the start-up time of each configuration
(a two-game run per worker) is also reported, with the throughput once the workers are running. Each
figure is the best of ``--repeats`` runs, since other work on the machine only ever slows a run down. The
CPU time per game (parent and workers together) shows the cost of the worker machinery whatever the load.
The game count per run is calibrated so that one in-process run takes about ``--seconds``.

Target on a 2-core machine: 2 workers >= 1.7x the throughput of 1, for random and greedy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from summitgame import __version__
from summitgame.agents import available
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.options import RunOptions
from summitgame.runs.tournament import entrants, make_plan, run_plan

TARGET = 1.7


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (user + system)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_run(rules: Ruleset, agent: str, games: int, workers: int, processes: bool) -> tuple[float, float]:
    """Wall and CPU seconds (parent and workers) for one run of ``games`` games of ``agent`` against
    itself, streamed to a temporary directory."""
    players = entrants([agent, agent], allow_repeats=True)
    plan = make_plan([p.label for p in players], games, 0, rules)
    with tempfile.TemporaryDirectory() as out:
        c0, t0 = cpu_seconds(), time.perf_counter()
        run = run_plan(rules, players, plan, processes=processes, out=Path(out), backend=RunOptions(workers=workers))
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    assert run.complete
    return seconds, cpu


def calibrate(rules: Ruleset, agent: str, seconds: float) -> int:
    """An even number of games that takes about ``seconds`` in this process."""
    n = 20
    while True:
        took, _ = timed_run(rules, agent, n, 1, False)
        if took > 0.5 or n >= 100_000:
            return max(20, 2 * round(n * seconds / took / 2))
        n *= 4


def bench(rules: Ruleset, agent: str, seconds: float, repeats: int) -> dict[str, Any]:
    """Best-of-``repeats`` throughput of each configuration, end to end and without worker start-up."""
    games = calibrate(rules, agent, seconds)
    configs = {"in_process": (1, False), "workers_1": (1, True), "workers_2": (2, True)}
    run = dict.fromkeys(configs, math.inf)
    start = dict.fromkeys(configs, math.inf)
    cpu = dict.fromkeys(configs, math.inf)
    for _ in range(repeats):
        for name, (k, processes) in configs.items():
            start[name] = min(start[name], timed_run(rules, agent, 2 * k, k, processes)[0])
            wall, used = timed_run(rules, agent, games, k, processes)
            run[name] = min(run[name], wall)
            cpu[name] = min(cpu[name], used)
    end_to_end = {k: games / v for k, v in run.items()}
    steady = {k: games / max(run[k] - start[k], 1e-9) for k in configs}
    return {
        "games_per_run": games,
        "startup_seconds": {k: round(v, 3) for k, v in start.items()},
        "games_per_second": {k: round(v, 1) for k, v in end_to_end.items()},
        "games_per_second_after_startup": {k: round(v, 1) for k, v in steady.items()},
        "cpu_ms_per_game": {k: round(1000 * v / games, 3) for k, v in cpu.items()},
        "speedup_2_vs_1_worker": round(end_to_end["workers_2"] / end_to_end["workers_1"], 2),
        "speedup_2_workers_vs_in_process": round(end_to_end["workers_2"] / end_to_end["in_process"], 2),
        "speedup_2_vs_1_worker_after_startup": round(steady["workers_2"] / steady["workers_1"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="target length of one in-process run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration (the best counts)")
    parser.add_argument("--agents", default=None, help="comma-separated agent specs (default: random, greedy)")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    default = [a for a in ("random", "greedy") if a in available()]
    agents = args.agents.split(",") if args.agents else default
    results = {agent: bench(rules, agent, args.seconds, args.repeats) for agent in agents}
    doc = {
        "benchmark": "tournament throughput",
        "engine": __version__,
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "repeats": args.repeats,
        "target_speedup": TARGET,
        "results": results,
        "meets_target": all(r["speedup_2_vs_1_worker"] >= TARGET for r in results.values()),
    }
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
