"""Summit beside OpenSpiel's C++ ``negotiation`` game, in one process, with the same loop: the ratio, as JSON.

    python benchmarks/bench_vs_openspiel.py [--games N] [--rounds R] [--rules PATH] [--game NAME]

The loop is the one issue 16 states, for each side: set up a game, then until it is over take the legal
actions, make a uniform random choice (``random.Random.choice``) and apply it. Set-up is included; chance
nodes of the OpenSpiel game (its deal) are sampled with the same chooser and not counted as decisions.
Summit applies with the checked ``apply``. Each round times a batch of ``--games`` games of each side in
CPU time (``time.process_time``: other work on a loaded machine counts less), the two alternating so drift
hits both; the figures are the best round of each (µs per player decision), and ``ratio`` is Summit's over
OpenSpiel's (target: <= 1.0). Without ``open_spiel`` installed (it is in the test extra) only Summit's side
is printed.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

from summitgame import __version__
from summitgame.engine import apply, legal_actions, new_game
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset


def summit_batch(rules: Ruleset, games: int, seed: int) -> tuple[float, int]:
    """CPU seconds and player decisions of ``games`` random games, set-up included."""
    pick = random.Random(seed).choice
    decisions = 0
    t0 = time.process_time()
    for g in range(games):
        s = new_game(rules, seed * games + g)
        while s.to_move >= 0:
            s = apply(s, pick(legal_actions(s)))
        decisions += s.moves
    return time.process_time() - t0, decisions


def openspiel_batch(game: Any, games: int, seed: int) -> tuple[float, int]:
    """The same loop on a ``pyspiel`` game: chance outcomes sampled by the same chooser, not counted."""
    pick = random.Random(seed).choice
    decisions = 0
    t0 = time.process_time()
    for _ in range(games):
        s = game.new_initial_state()
        while not s.is_terminal():
            if s.is_chance_node():
                s.apply_action(pick([a for a, _ in s.chance_outcomes()]))
            else:
                s.apply_action(pick(s.legal_actions()))
                decisions += 1
    return time.process_time() - t0, decisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", type=int, default=1000, help="games per side per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (best of them is kept)")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    parser.add_argument("--game", default="negotiation", help="OpenSpiel game to compare with")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    try:
        import pyspiel
    except ImportError:
        pyspiel = None
    game = pyspiel.load_game(args.game) if pyspiel is not None else None

    summit_us: list[float] = []
    spiel_us: list[float] = []
    summit_dpg = spiel_dpg = 0.0
    summit_batch(rules, 100, 0)  # warm up both
    if game is not None:
        openspiel_batch(game, 100, 0)
    for r in range(args.rounds):
        cpu, decisions = summit_batch(rules, args.games, r + 1)
        summit_us.append(cpu / decisions * 1e6)
        summit_dpg = decisions / args.games
        if game is not None:
            cpu, decisions = openspiel_batch(game, args.games, r + 1)
            spiel_us.append(cpu / decisions * 1e6)
            spiel_dpg = decisions / args.games
    result: dict[str, Any] = {
        "engine": __version__,
        "rules": rules.name,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "games_per_round": args.games,
        "rounds": args.rounds,
        "summit": {
            "decisions_per_game": round(summit_dpg, 2),
            "best_us_per_decision": round(min(summit_us), 3),
            "median_us_per_decision": round(statistics.median(summit_us), 3),
        },
    }
    if game is None:
        result["openspiel"] = None
        result["note"] = "open_spiel is not installed (pip install 'summitgame[test]'): no ratio"
    else:
        result["openspiel"] = {
            "game": args.game,
            "decisions_per_game": round(spiel_dpg, 2),
            "best_us_per_decision": round(min(spiel_us), 3),
            "median_us_per_decision": round(statistics.median(spiel_us), 3),
        }
        result["ratio"] = round(min(summit_us) / min(spiel_us), 3)
        result["ratio_median_of_rounds"] = round(
            statistics.median(a / b for a, b in zip(summit_us, spiel_us, strict=True)), 3
        )
        result["target_ratio"] = 1.0
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
