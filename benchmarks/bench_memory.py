"""Memory of a long random tournament streamed to disk: resident memory as the games go by, as JSON.

    python benchmarks/bench_memory.py [--games N] [--workers K] [--checkpoints C]

Plays ``random`` against ``random`` for ``--games`` games (issue 16 asks for 1,000,000) through
``tournament.run_plan`` (what a tournament runs), streamed to ``games.jsonl`` in a temporary folder, and
samples this process's resident memory (Linux: ``/proc/self/statm``) at ``--checkpoints`` evenly spaced
points, with the peak (``ru_maxrss``) at the end. ``growth_kb_per_1000_games`` is the slope between the first
and the last checkpoint: flat memory is a slope near 0 whatever the number of games (the target); a slope that
stays the same as ``--games`` grows means something is kept per game.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from typing import Any

from summitgame import __version__
from summitgame.rules.loader import load_rules
from summitgame.runs.tournament import entrants, make_plan, run_plan


def rss_kb() -> int:
    """This process's resident memory now, in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", type=int, default=1_000_000, help="games in all")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (1: in this process)")
    parser.add_argument("--checkpoints", type=int, default=10)
    args = parser.parse_args()
    rules = load_rules()
    marks = {max(1, args.games * (i + 1) // args.checkpoints) for i in range(args.checkpoints)}
    samples: list[dict[str, Any]] = []

    def progress(done: int, total: int) -> None:
        if done in marks and (not samples or samples[-1]["games"] != done):
            samples.append({"games": done, "rss_kb": rss_kb()})

    start_kb = rss_kb()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        players = entrants(["random", "random"], allow_repeats=True)
        plan = make_plan([p.label for p in players], args.games, 0, rules)
        run_plan(rules, players, plan, workers=args.workers, out=folder, progress=progress)
        size = os.path.getsize(os.path.join(folder, "games.jsonl"))
    seconds = time.perf_counter() - t0
    first, last = samples[0], samples[-1]
    span = max(1, last["games"] - first["games"])
    print(
        json.dumps(
            {
                "engine": __version__,
                "python": platform.python_version(),
                "games": args.games,
                "workers": args.workers,
                "seconds": round(seconds, 1),
                "games_jsonl_mb": round(size / 2**20, 1),
                "rss_kb_at_start": start_kb,
                "checkpoints": samples,
                "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "growth_kb_per_1000_games": round((last["rss_kb"] - first["rss_kb"]) / span * 1000, 1),
                "target": "flat: growth near 0 KiB per 1000 games, whatever --games",
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
