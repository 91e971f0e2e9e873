"""``sweep`` end to end: a 5-point sweep × 2,000 greedy games per point, on 1 and on 2 local workers.

    python benchmarks/bench_sweep.py [--param meters.trust.start=1..5] [--games N] [--agents greedy]

Each run covers what ``summitgame sweep --param P --agents A --games N --workers K`` does after loading the
rules: every point's games on K worker processes (one pool for the whole sweep), each measured on the worker
that played it, then each point's measures. Prints the wall time of each run, games per second, the scaling
(2-worker speed / 1-worker speed) and whether both runs measured exactly the same (they must: the plan, not
the workers, decides).
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
from summitgame.analysis.balance import players_for
from summitgame.analysis.measures import default_names
from summitgame.analysis.sweep import Sweep, grid, load_points, run_sweep
from summitgame.rules.params import parse_grid
from summitgame.runs.options import RunOptions


def bench(param: str, agents: list[str], games: int, workers: int) -> tuple[dict[str, Any], list[Any]]:
    """Time one sweep on ``workers`` local processes; its figures and every point's measures."""
    params = [parse_grid(param)]
    players = players_for(agents)
    points = load_points(None, [], grid(params))
    names = default_names(points[0].rules)
    load = load_average()
    t0, c0, k0 = time.perf_counter(), time.process_time(), children_cpu()
    run_sweep(points, Sweep(players, games, 0, names, RunOptions(workers)))
    seconds, cpu, workers_cpu = time.perf_counter() - t0, time.process_time() - c0, children_cpu() - k0
    played = sum(len(p.games) for p in points)
    measures = [{n: p.measures[n].as_dict() for n in names} for p in points]
    figures = {
        "workers": workers,
        "points": len(points),
        "games": played,
        "seconds": round(seconds, 2),
        "games_per_second": round(played / seconds, 1),
        "parent_cpu_ms_per_game": round(cpu / max(1, played) * 1000, 3),  # the serial share that caps scaling
        "workers_cpu_ms_per_game": round(workers_cpu / max(1, played) * 1000, 3),  # 0: played in this process
        "load_before": load,
    }
    return figures, measures


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the workers, once their pool is closed)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (other work on the machine skews the figures)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--param", default="meters.trust.start=1..5")
    parser.add_argument("--games", type=int, default=2_000, help="games at each point")
    parser.add_argument("--agents", default="greedy")
    args = parser.parse_args()
    agents = [a for a in args.agents.split(",") if a]
    load_before = load_average()
    one, m1 = bench(args.param, agents, args.games, 1)
    two, m2 = bench(args.param, agents, args.games, 2)
    out = {
        "engine": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "param": args.param,
        "agents": agents,
        "load_before": load_before,
        "load_after": load_average(),
        "results": [one, two],
        "scaling": round(two["games_per_second"] / one["games_per_second"], 2),
        "identical": "yes" if m1 == m2 else "no",
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
