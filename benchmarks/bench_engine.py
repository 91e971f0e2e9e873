"""Random-playout speed of the forward model on the default rules, printed as JSON.

    python benchmarks/bench_engine.py [--games N] [--rules PATH]

Figures: median microseconds per decision (legal_actions + choose + apply + terminal check),
full random games per second on one core, and clone cost. Targets on a 2-core machine:
<= 5 us per decision, >= 5,000 games/s, clone <= 1.5 us.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from pathlib import Path

from summitgame import __version__
from summitgame.engine import apply, apply_unchecked, is_terminal, legal_actions, new_game
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset


def per_decision(rules: Ruleset, games: int) -> list[float]:
    """Time each decision of ``games`` random games separately (with the checked ``apply``)."""
    clock = time.perf_counter_ns
    samples: list[float] = []
    for seed in range(games):
        s = new_game(rules, seed)
        pick = random.Random(seed).choice
        while True:
            t0 = clock()
            s = apply(s, pick(legal_actions(s)))
            done = is_terminal(s)
            samples.append(clock() - t0)
            if done:
                break
    return samples


def games_per_second(rules: Ruleset, games: int, checked: bool) -> tuple[float, float]:
    """Whole random games per second (setup included), and decisions per game."""
    step = apply if checked else apply_unchecked
    decisions = 0
    t0 = time.perf_counter()
    for seed in range(games):
        s = new_game(rules, seed)
        pick = random.Random(seed).choice
        while s.to_move >= 0:
            s = step(s, pick(legal_actions(s)))
        decisions += s.moves
    return games / (time.perf_counter() - t0), decisions / games


def clone_cost(rules: Ruleset, n: int = 200_000) -> float:
    """Median microseconds per clone over several batches, on a mid-game state."""
    s = new_game(rules, 1)
    pick = random.Random(1).choice
    for _ in range(6):
        s = apply(s, pick(legal_actions(s)))
    batches = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n // 5):
            s.clone()
        batches.append((time.perf_counter() - t0) / (n // 5) * 1e6)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", type=int, default=3000, help="games per measurement")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    per_decision(rules, 200)  # warm up
    samples = per_decision(rules, args.games)
    gps_checked, decisions = games_per_second(rules, args.games, checked=True)
    gps_fast, _ = games_per_second(rules, args.games, checked=False)
    result = {
        "engine": __version__,
        "rules": rules.name,
        "fingerprint": rules.fingerprint,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "games": args.games,
        "decisions_per_game": round(decisions, 2),
        "median_us_per_decision": round(statistics.median(samples) / 1000, 3),
        "mean_us_per_decision": round(statistics.fmean(samples) / 1000, 3),
        "p90_us_per_decision": round(statistics.quantiles(samples, n=10)[-1] / 1000, 3),
        "games_per_second": round(gps_checked),
        "games_per_second_unchecked": round(gps_fast),
        "clone_us": round(clone_cost(rules), 3),
        "targets": {"median_us_per_decision": 5.0, "games_per_second": 5000, "clone_us": 1.5},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
