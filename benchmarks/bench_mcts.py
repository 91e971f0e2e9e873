"""Speed of the ``mcts`` agent on the default rules, on one core, printed as JSON.

    python benchmarks/bench_mcts.py [--positions N] [--iterations N] [--rules PATH] [--opponent SPEC]

Figures: MCTS simulations (iterations) per second over a fixed set of real positions, and whole
decisions per second at 100 simulations (observation to chosen action, the sampling included), each
the best of ``--repeat`` runs, by the wall clock and by this process's CPU time (the CPU figure is
the one-core rate even when other work shares the machine; the load average is printed to judge).
The positions come from seeded random games, so every run measures the same work. Target on a
2-core machine (issue 4): >= 10,000 simulations per second on one core. ``--opponent greedy`` measures
``mcts:opponent=greedy`` instead (the search against a model, issue 12), with the questions put to the
model per decision.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from pathlib import Path

from summitgame import __version__
from summitgame.agents.mcts import MctsAgent
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import Observation, observe
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset


def positions(rules: Ruleset, count: int) -> list[Observation]:
    """Observations of the player to move at ``count`` decisions with a choice, from seeded random games."""
    out: list[Observation] = []
    seed = 0
    while len(out) < count:
        s = new_game(rules, seed)
        pick = random.Random(seed).choice
        while s.to_move >= 0 and len(out) < count:
            if len(legal_actions(s)) > 1:
                out.append(observe(s, s.to_move))
            s = apply(s, pick(legal_actions(s)))
        seed += 1
    return out


MODEL_CALLS: list[int] = []  #: questions put to the opponent model, per decision measured


def run(
    rules: Ruleset, views: list[Observation], iterations: int, repeat: int, opponent: str = ""
) -> tuple[float, float]:
    """Seconds (wall clock, and this process's CPU time) to decide every position in ``views`` at
    ``iterations`` simulations each: the best of ``repeat`` runs, as ``timeit`` does, since other load
    on the machine can only slow a run down."""
    walls, cpus = [], []
    for _ in range(repeat):
        agent = MctsAgent(iterations=iterations, opponent=opponent)
        agent.start(rules, 0, random.Random(0))
        t0, c0 = time.perf_counter(), time.process_time()
        for view in views:
            agent.act(view, view.legal)
            MODEL_CALLS.append(agent.model_calls)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--positions", type=int, default=200, help="positions decided per measurement")
    parser.add_argument("--iterations", type=int, default=400, help="simulations per decision for the rate")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the best counts)")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    parser.add_argument("--opponent", default="", help="measure mcts:opponent=SPEC (default: no opponent model)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    views = positions(rules, args.positions)
    run(rules, views[:20], 100, 1, args.opponent)  # warm up
    MODEL_CALLS.clear()
    spent, cpu = run(rules, views, args.iterations, args.repeat, args.opponent)
    calls = sum(MODEL_CALLS) / max(1, len(MODEL_CALLS))
    sims = args.iterations * len(views)
    spent_100, cpu_100 = run(rules, views, 100, args.repeat, args.opponent)
    result = {
        "engine": __version__,
        "rules": rules.name,
        "fingerprint": rules.fingerprint,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "agent": MctsAgent(iterations=args.iterations, opponent=args.opponent).spec(),
        "positions": len(views),
        "simulations_per_decision": args.iterations,
        "simulations_per_second": round(sims / spent),
        "simulations_per_cpu_second": round(sims / cpu),
        "us_per_simulation": round(spent / sims * 1e6, 2),
        "ms_per_decision": round(spent / len(views) * 1000, 3),
        "model_questions_per_decision": round(calls, 1),
        "decisions_per_second_at_100": round(len(views) / spent_100, 1),
        "decisions_per_cpu_second_at_100": round(len(views) / cpu_100, 1),
        "ms_per_decision_at_100": round(spent_100 / len(views) * 1000, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "targets": {"simulations_per_second": 10000},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
