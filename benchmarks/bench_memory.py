"""Memory of a long random tournament streamed to disk: peak resident memory at several game counts, as JSON.

    python benchmarks/bench_memory.py [--games 10000,100000,1000000] [--workers K] [--checkpoints C]

For each count in ``--games`` (issue 16 asks for 1,000,000), a fresh process plays ``random`` against
``random`` that many games the way ``summitgame tournament`` does (``tournament.run_plan`` with a lazy
``plan.Plan``, no lines kept, the summary summed as the games pass: ``standings.Standings``), streamed to
``games.jsonl`` in a temporary folder, and samples its resident memory (Linux: ``/proc/self/statm``) at
``--checkpoints`` evenly spaced points, with its peak (``ru_maxrss``) at the end (and the largest worker's, with
``--workers`` above 1). Flat memory: the same peak
whatever the count, and ``growth_kb_per_1000_games`` (the slope between the second and the last checkpoint,
after the warm-up) near 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from summitgame import __version__
from summitgame.rules.loader import load_rules
from summitgame.runs.options import RunOptions
from summitgame.runs.plan import Plan
from summitgame.runs.standings import Standings
from summitgame.runs.tournament import entrants, run_plan


def rss_kb() -> int:
    """This process's resident memory now, in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def one(games: int, workers: int, checkpoints: int) -> dict[str, Any]:
    """Play one run of ``games`` games in this process; its memory figures."""
    rules = load_rules()
    marks = sorted({max(1, games * (i + 1) // checkpoints) for i in range(checkpoints)}, reverse=True)
    samples: list[dict[str, Any]] = []

    def progress(done: int, total: int) -> None:
        if marks and done >= marks[-1]:  # results come in batches: the first report at or past the mark
            while marks and done >= marks[-1]:
                marks.pop()
            samples.append({"games": done, "rss_kb": rss_kb()})

    start_kb = rss_kb()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        players = entrants(["random", "random"], allow_repeats=True)
        plan = Plan([p.label for p in players], games, 0, rules.fingerprint)
        table = Standings(rules, players, len(plan))
        run_plan(
            rules,
            players,
            plan,
            out=folder,
            progress=progress,
            keep_lines=False,
            tally=table.add,
            backend=RunOptions(workers=workers),
        )
        summary = table.summary()
        size = os.path.getsize(os.path.join(folder, "games.jsonl"))
    seconds = time.perf_counter() - t0
    first, last = samples[min(1, len(samples) - 1)], samples[-1]
    span = max(1, last["games"] - first["games"])
    return {
        "games": games,
        "played": summary["games"]["played"],
        "workers": workers,
        "seconds": round(seconds, 1),
        "games_jsonl_mb": round(size / 2**20, 1),
        "rss_kb_at_start": start_kb,
        "checkpoints": samples,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "workers_peak_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if workers > 1 else None,
        "growth_kb_per_1000_games": round((last["rss_kb"] - first["rss_kb"]) / span * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", default="10000,100000,1000000", help="game counts, comma-separated")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (1: in this process)")
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a single count, in this process
    args = parser.parse_args()
    counts = [int(n) for n in args.games.split(",") if n]
    if args.one:
        print(json.dumps(one(counts[0], args.workers, args.checkpoints)))
        return
    runs = []
    for n in counts:  # each count in a fresh process, so that each peak is its own
        cmd = [sys.executable, __file__, "--one", "--games", str(n), "--workers", str(args.workers)]
        out = subprocess.run([*cmd, "--checkpoints", str(args.checkpoints)], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "checkpoints"}), file=sys.stderr)
    print(
        json.dumps(
            {
                "engine": __version__,
                "python": platform.python_version(),
                "load": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
                "runs": runs,
                "peak_rss_kb": {str(r["games"]): r["peak_rss_kb"] for r in runs},
                "target": "flat: the same peak whatever --games; growth near 0 KiB per 1000 games",
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
