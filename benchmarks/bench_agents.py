"""Decision time of the heuristic agents, each playing role-swapped games against ``random``, printed as JSON.

    python benchmarks/bench_agents.py [--games N] [--rules PATH] [AGENT ...]

Figures per agent: mean, median and 95th-percentile microseconds of CPU time per decision (the agent's
``act`` only; CPU time, so other processes on the machine do not inflate it). Most decisions follow a
planned package and take a few microseconds; the mean is dominated by the decisions that value every
package (opening a round, answering an offer). Target for greedy and the concession family: a mean
under 200 us.
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
from summitgame.agents import make_agent
from summitgame.engine import apply, new_game
from summitgame.engine.observation import observe
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset

HEURISTICS = ["greedy", "boulware", "linear", "conceder", "titfortat", "hardliner", "appeaser", "persona"]


def decision_times(rules: Ruleset, spec: str, games: int) -> list[float]:
    """CPU seconds of each of ``spec``'s decisions over ``games`` games against random, seats alternating."""
    clock = time.process_time
    samples: list[float] = []
    for i in range(games):
        seat = i % 2
        agent, other = make_agent(spec), make_agent("random")
        agent.start(rules, seat, random.Random(i))
        other.start(rules, 1 - seat, random.Random(-i))
        s = new_game(rules, i // 2)
        while s.to_move >= 0:
            obs = observe(s, s.to_move)
            if s.to_move == seat:
                t0 = clock()
                action = agent.act(obs, obs.legal)
                samples.append(clock() - t0)
            else:
                action = other.act(obs, obs.legal)
            s = apply(s, action)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("agents", nargs="*", default=HEURISTICS, help="agent specs (default: the heuristics)")
    parser.add_argument("--games", type=int, default=200, help="games per agent")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: bundled summit.toml)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    figures = {}
    for spec in args.agents:
        decision_times(rules, spec, 4)  # warm up caches
        samples = sorted(decision_times(rules, spec, args.games))
        figures[spec] = {
            "decisions": len(samples),
            "mean_us": round(statistics.fmean(samples) * 1e6, 1),
            "median_us": round(statistics.median(samples) * 1e6, 1),
            "p95_us": round(samples[int(0.95 * (len(samples) - 1))] * 1e6, 1),
        }
    result = {
        "engine": __version__,
        "rules": rules.name,
        "fingerprint": rules.fingerprint,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "games_per_agent": args.games,
        "agents": figures,
        "targets": {"mean_us": {"greedy": 200, "boulware": 200, "linear": 200, "conceder": 200}},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
