"""Random-playout speed through the PettingZoo and OpenSpiel adapters beside the bare engine, as JSON.

    python benchmarks/bench_adapters.py [--games N] [--rules PATH]

Every figure is whole random games (setup included) divided by the player decisions made, in
microseconds per step; the chooser is ``random.Random(seed).choice`` over the legal codes in each case.

- ``engine``: ``legal_actions`` + choose + ``apply`` (checked), as in ``bench_engine.py``.
- ``engine_observe``: the same plus ``observe(state, to_move)``: the engine-side cost an agent that
  looks at the game through an ``Observation`` pays (OpenSpiel's tensor encodes one; PettingZoo encodes
  the same fields from ``observation.sight`` without building it).
- ``pettingzoo_raw``: ``raw_env.observe`` (vector + action mask) + choose from the mask + ``step``.
- ``pettingzoo_wrapped``: the ordinary AEC loop ``agent_iter`` / ``last`` / ``step`` through ``env()``'s
  wrappers (including the final dead steps).
- ``openspiel``: ``legal_actions`` + choose + ``apply_action`` on a ``pyspiel`` state (no observation).
- ``openspiel_tensor``: the same plus ``observation_tensor`` for the player to move.

Target: an adapter adds no more than 3x per step over ``engine``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyspiel

from summitgame import __version__
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import observe
from summitgame.integrations import openspiel as _openspiel  # noqa: F401  (registers python_summit)
from summitgame.integrations.pettingzoo import env, raw_env
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset


def engine(rules: Ruleset, games: int, look: bool) -> int:
    steps = 0
    for seed in range(games):
        s = new_game(rules, seed)
        pick = random.Random(seed).choice
        while s.to_move >= 0:
            if look:
                observe(s, s.to_move)
            s = apply(s, pick(legal_actions(s)))
            steps += 1
    return steps


def pettingzoo_raw(rules: Ruleset, games: int) -> int:
    e = raw_env(rules=rules)
    steps = 0
    for seed in range(games):
        e.reset(seed=seed)
        pick = random.Random(seed).choice
        while e.game_state.to_move >= 0:
            obs = e.observe(e.agent_selection)
            e.step(pick(np.flatnonzero(obs["action_mask"]).tolist()))
            steps += 1
    return steps


def pettingzoo_wrapped(rules: Ruleset, games: int) -> int:
    e = env(rules=rules)
    steps = 0
    for seed in range(games):
        e.reset(seed=seed)
        pick = random.Random(seed).choice
        for _agent in e.agent_iter():
            obs, _reward, terminated, truncated, _info = e.last()
            if terminated or truncated:
                e.step(None)
                continue
            e.step(pick(np.flatnonzero(obs["action_mask"]).tolist()))
            steps += 1
    return steps


def openspiel(game: Any, games: int, tensor: bool) -> int:
    steps = 0
    for seed in range(games):
        state = game.new_initial_state()
        state.apply_action(seed % game.max_chance_outcomes())
        pick = random.Random(seed).choice
        while not state.is_terminal():
            if tensor:
                state.observation_tensor(state.current_player())
            state.apply_action(pick(state.legal_actions()))
            steps += 1
    return steps


def per_step(run: Callable[[], int], repeats: int = 3) -> float:
    """Best of ``repeats`` runs, in microseconds per step."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        steps = run()
        best = min(best, (time.perf_counter() - t0) / steps * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", type=int, default=300, help="games per measurement")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    game = pyspiel.load_game("python_summit", {"rules": str(args.rules) if args.rules else ""})
    n = args.games
    figures = {
        "engine": per_step(lambda: engine(rules, n, look=False)),
        "engine_observe": per_step(lambda: engine(rules, n, look=True)),
        "pettingzoo_raw": per_step(lambda: pettingzoo_raw(rules, n)),
        "pettingzoo_wrapped": per_step(lambda: pettingzoo_wrapped(rules, n)),
        "openspiel": per_step(lambda: openspiel(game, n, tensor=False)),
        "openspiel_tensor": per_step(lambda: openspiel(game, n, tensor=True)),
    }
    base = figures["engine"]
    result = {
        "engine": __version__,
        "rules": rules.name,
        "fingerprint": rules.fingerprint,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "games": n,
        "us_per_step": {k: round(v, 2) for k, v in figures.items()},
        "steps_per_second": {k: round(1e6 / v) for k, v in figures.items()},
        "x_engine": {k: round(v / base, 2) for k, v in figures.items()},
        "target_x_engine": 3.0,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
