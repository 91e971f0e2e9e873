"""Scale-out: the same ``balance`` on 1, 2, ... N local workers, then on a local Dask cluster of 1, 2, ... N
workers started here, printing games/s and efficiency per step, as JSON.

    python benchmarks/bench_scaleout.py [--games N] [--agents greedy] [--max-workers N] [--steps 1,2,4]
                                        [--no-dask]

Each step plays the games of ``summitgame balance --agents A --games N --workers K`` (each game measured on the
worker that played it; the aggregation is left out, it is the same at every step) and reports the wall time,
games per second, the speedup over the first local step and the efficiency (speedup / K, 1.0 is perfect), the
parent's CPU time per game (the serial share that caps scaling) and the load average before the step (other
work on the machine skews the figures). ``--max-workers`` defaults to ``os.cpu_count()``, so the same command
measures a 2-core laptop or a 64-core server; ``--steps`` picks the worker counts (default: 1, 2, 3, ... up to
8, then doubling, and N). A Dask step starts a ``distributed.LocalCluster`` of K single-thread worker processes,
waits for them, then times the games alone (start-up is reported apart). Every step must measure exactly the
same games (``identical``): the plan, not the workers, decides.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from summitgame import __version__
from summitgame.analysis.balance import Simulation, plan_for, players_for, simulate
from summitgame.rules.loader import load_rules
from summitgame.runs.options import RunOptions


def steps(max_workers: int) -> list[int]:
    """1, 2, ... 8, then doubling, and ``max_workers`` itself."""
    out = list(range(1, min(8, max_workers) + 1))
    k = 16
    while k < max_workers:
        out.append(k)
        k *= 2
    if out[-1] != max_workers:
        out.append(max_workers)
    return out


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def outcome(sim: Simulation) -> tuple[list[dict[str, Any]], list[Any]]:
    """What every step must reproduce: each game's line without timings, and its measures (compared as values:
    their reprs hold sets, whose order differs from process to process)."""
    return [{k: v for k, v in ln.items() if k != "seconds"} for ln in sim.lines], list(sim.games)


def step(where: str, k: int, run: Callable[[], Simulation]) -> tuple[dict[str, Any], Any]:
    """Time one run (``run()`` returns the simulation); its figures and its fingerprint."""
    load = load_average()
    t0, c0 = time.perf_counter(), time.process_time()
    sim = run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    figures = {
        "on": where,
        "workers": k,
        "games": len(sim.games),
        "seconds": round(seconds, 2),
        "games_per_second": round(len(sim.games) / seconds, 1),
        "parent_cpu_ms_per_game": round(cpu / max(1, len(sim.games)) * 1000, 3),
        "load_before": load,
    }
    return figures, outcome(sim)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", type=int, default=10_000)
    parser.add_argument("--agents", default="greedy")
    parser.add_argument("--max-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--steps", default=None, help="worker counts, comma-separated (default: see above)")
    parser.add_argument("--no-dask", action="store_true", help="local worker processes only")
    args = parser.parse_args()
    counts = [int(k) for k in args.steps.split(",") if k] if args.steps else steps(args.max_workers)
    rules = load_rules()
    players = players_for([a for a in args.agents.split(",") if a])
    plan = plan_for(rules, players, args.games, 0)
    results: list[dict[str, Any]] = []
    first: list[Any] = []
    same = True

    def record(figures: dict[str, Any], print_: Any) -> None:
        nonlocal same
        base = results[0]["games_per_second"] if results else figures["games_per_second"]
        figures["speedup"] = round(figures["games_per_second"] / base, 2)
        figures["efficiency"] = round(figures["speedup"] / figures["workers"], 2)
        results.append(figures)
        if not first:
            first.append(print_)
        same = same and print_ == first[0]
        print(json.dumps(figures), flush=True, file=sys.stderr)

    for k in counts:
        record(*step("local", k, functools.partial(simulate, rules, players, plan, backend=RunOptions(k))))
    if not args.no_dask:
        from distributed import Client, LocalCluster

        for k in counts:
            t0 = time.perf_counter()
            with (
                LocalCluster(
                    n_workers=k,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    worker_dashboard_address=None,
                ) as cluster,
                Client(cluster, set_as_default=False) as client,
            ):
                client.wait_for_workers(k)
                started = time.perf_counter() - t0
                figures, print_ = step(
                    "dask", k, functools.partial(simulate, rules, players, plan, backend=RunOptions(scheduler=client))
                )
                figures["cluster_start_seconds"] = round(started, 2)
                record(figures, print_)
    print(
        json.dumps(
            {
                "engine": __version__,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "agents": args.agents,
                "games": args.games,
                "results": results,
                "identical": "yes" if same else "no",
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
