#!/usr/bin/env python3
"""Load a match's or tournament's games.jsonl into pandas, and plot each agent's results.

    summitgame tournament greedy boulware random -n 40 --seed 1 --out run1
    python examples/games_to_pandas.py run1/games.jsonl --plot results.png

``game_rows`` and ``agent_rows`` need only summitgame (the file is read and checked by
``summitgame.runs.tournament.read_games``); ``main`` needs pandas (``pip install pandas``) and, for
``--plot``, matplotlib (a summitgame dependency).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summitgame.runs.tournament import read_games


def game_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """One flat row per game: ids and seeds, the agent, score and decisions of each role, how it ended."""
    for line in read_games(path):
        roles = list(line["agents"])
        outcome = line.get("outcome") or {}
        forfeit = line.get("forfeit") or {}
        row: dict[str, Any] = {
            "game_id": line["game_id"],
            "index": line["index"],
            "seed": line["seed"],
            "winner": line["winner"],  # an agent label; None for a tie
            "tier": outcome.get("tier"),  # None after a forfeit
            "reason": "forfeit" if forfeit else outcome.get("reason"),
            "rounds": outcome.get("rounds_played"),
            "moves": len(line.get("actions", [])),
            "forfeit_by": forfeit.get("agent"),
        }
        for role in roles:
            row[f"{role}_agent"] = line["agents"][role]
            row[f"{role}_score"] = (outcome.get("scores") or {}).get(role)
            row[f"{role}_decisions"] = line["decisions"][role]
        yield row


def agent_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """One row per agent per game (the shape ``groupby`` likes): agent, role, opponent, match points (win 1,
    tie 0.5, loss or forfeit 0), game score (None after a forfeit) and the tier."""
    for line in read_games(path):
        outcome = line.get("outcome") or {}
        seats = line["agents"]
        for role, agent in seats.items():
            (opponent,) = (a for r, a in seats.items() if r != role)
            yield {
                "game_id": line["game_id"],
                "agent": agent,
                "role": role,
                "opponent": opponent,
                "points": 0.5 if line["winner"] is None else float(line["winner"] == agent),
                "score": (outcome.get("scores") or {}).get(role),
                "tier": outcome.get("tier"),
            }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("games", help="a games.jsonl file (summitgame tournament --out DIR writes DIR/games.jsonl)")
    parser.add_argument("--plot", metavar="FILE", help="save a chart of each agent's score rate by role")
    args = parser.parse_args(argv)
    import pandas as pd

    games = pd.DataFrame(game_rows(args.games))
    agents = pd.DataFrame(agent_rows(args.games))
    print(f"{len(games)} games")
    print(games["tier"].value_counts(dropna=False).to_string())
    table = agents.groupby("agent").agg(
        games=("points", "size"), score_rate=("points", "mean"), mean_score=("score", "mean")
    )
    print(table.sort_values("score_rate", ascending=False).round(3).to_string())
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        by_role = agents.pivot_table(index="agent", columns="role", values="points", aggfunc="mean")
        ax = by_role.plot.bar(ylim=(0, 1), ylabel="score rate", title="score rate by role")
        ax.figure.tight_layout()
        ax.figure.savefig(args.plot)
        print(f"chart: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
