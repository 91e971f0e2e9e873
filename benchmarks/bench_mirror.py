"""Games per second of an agent playing itself on one core (issue 16: ``greedy`` mirror >= 300), as JSON.

    python benchmarks/bench_mirror.py [--games N] [--repeat R] [--rules PATH] [SPEC ...]

Each spec (default: ``greedy``) plays ``--games`` games against itself in this process, on paired deals
from one run seed, the way ``summitgame match SPEC SPEC --workers 1`` plays them (``match.play_game``; a
deterministic agent's mirror plays each deal twice alike, as ``match`` does). The figure is games per
second of this process's CPU time (``time.process_time``, so other work on a loaded machine counts less),
the best of ``--repeat`` batches, after a warm-up batch on other deals (the valuation memos fill as they
would early in a long run). The median batch and the mean decisions per game are printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from summitgame import __version__
from summitgame.agents import make_agent
from summitgame.rng import deal_seed
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import play_game


def batch(rules: Ruleset, spec: str, games: int, run_seed: int) -> tuple[float, int]:
    """CPU seconds and player decisions of ``games`` mirror games of ``spec`` (deal 2k, seats swapped on 2k+1)."""
    decisions = 0
    t0 = time.process_time()
    for g in range(games):
        result = play_game(rules, [make_agent(spec), make_agent(spec)], deal_seed(run_seed, g // 2))
        decisions += result.state.moves
    return time.process_time() - t0, decisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*", default=["greedy"], help="agent specs (default: greedy)")
    parser.add_argument("--games", type=int, default=200, help="games per batch")
    parser.add_argument("--repeat", type=int, default=5, help="batches (the best is the figure)")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    figures = {}
    for spec in args.specs:
        batch(rules, spec, max(2, args.games // 10), 10**9)  # warm up
        rates: list[float] = []
        per_game = 0.0
        for r in range(args.repeat):
            cpu, decisions = batch(rules, spec, args.games, r)
            rates.append(args.games / cpu)
            per_game = decisions / args.games
        figures[spec] = {
            "best_games_per_cpu_second": round(max(rates), 1),
            "median_games_per_cpu_second": round(statistics.median(rates), 1),
            "decisions_per_game": round(per_game, 1),
        }
    result = {
        "engine": __version__,
        "rules": rules.name,
        "fingerprint": rules.fingerprint,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "games_per_batch": args.games,
        "batches": args.repeat,
        "mirrors": figures,
        "target": {"greedy": 300},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
