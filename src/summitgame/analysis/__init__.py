"""Designer reports: balance metrics from simulated and recorded games, rule-file comparisons, charts.

- ``metrics``: per-game metrics, measured by replaying each game's record.
- ``aggregate``: the figures of the balance report with n and 95% intervals, and its warnings.
- ``balance``: play paired, role-swapped games through the tournament runner and assemble the report.
- ``compare``: the same seeds under two rule sets, metric by metric, with a sequential stopping test.
- ``text``: the reports as terminal text.
- ``schema``: the ``--json`` reports as typed models, and their generated JSON Schemas.

Nothing here imports click; ``cli`` is the only layer that talks to the terminal.
"""

from __future__ import annotations

from .aggregate import aggregate, warnings
from .balance import DEFAULT_AGENTS, Simulation, balance_report, plan_for, players_for, simulate
from .compare import compare_report, compare_rows, metric_defs, run_compare
from .metrics import GameMetrics, game_metrics, read_recorded

__all__ = [
    "DEFAULT_AGENTS",
    "GameMetrics",
    "Simulation",
    "aggregate",
    "balance_report",
    "compare_report",
    "compare_rows",
    "game_metrics",
    "metric_defs",
    "plan_for",
    "players_for",
    "read_recorded",
    "run_compare",
    "simulate",
    "warnings",
]
