"""``metagame`` end to end, and ``balance`` with and without its exploits section, as JSON.

    python benchmarks/bench_metagame.py [--games N] [--workers K] [--skip-balance]

The meta-game: 8 heuristic agents and probes (random greedy boulware titfortat hardliner stonewall taker
spoiler) at N games per pair on K workers: the round robin, the equilibrium and its 200 resamples, the
HTML page. Target on a 2-core machine: 100 games per pair in at most 60 s on 2 workers. The balance
figures time the default command (400 games, one process) with ``--probe-games 0`` and with the default
exploits section, so the cost of the section is measured, not guessed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from summitgame import __version__
from summitgame.cli import cli

AGENTS = ("random", "greedy", "boulware", "titfortat", "hardliner", "stonewall", "taker", "spoiler")
TARGET_SECONDS = 60.0


def timed(args: list[str]) -> float:
    """Wall time of one command through the CLI (its exit status checked)."""
    t0 = time.perf_counter()
    res = CliRunner().invoke(cli, args)
    seconds = time.perf_counter() - t0
    if res.exit_code != 0:
        sys.exit(f"{' '.join(args)} failed: {res.output}")
    return round(seconds, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--games", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-balance", action="store_true")
    args = parser.parse_args()
    out: dict[str, Any] = {
        "engine": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as tmp:
        page = str(Path(tmp) / "metagame.html")
        mg = ["metagame", *AGENTS, "--games", str(args.games), "--workers", str(args.workers), "--html", page]
        seconds = timed(mg)
    out["metagame"] = {"agents": len(AGENTS), "games_per_pair": args.games, "workers": args.workers}
    out["metagame"]["seconds"] = seconds
    out["target"] = f"{len(AGENTS)} agents, {args.games} games per pair in <= {TARGET_SECONDS:g} s"
    out["meets_target"] = seconds <= TARGET_SECONDS
    if not args.skip_balance:
        out["balance_default"] = {
            "without_exploits_seconds": timed(["balance", "--probe-games", "0"]),
            "with_exploits_seconds": timed(["balance"]),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
