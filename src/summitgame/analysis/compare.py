"""``compare``: the same seeds, seats and agents under two rule sets, every metric side by side.

Each metric is a number per game (an indicator for rates: did this game end in a walk-out?). Game i under
rules A and game i under rules B share their deal seed and seats, so the difference is measured on the
pairs: mean of (B − A) with a Student-t interval, and a verdict when the interval excludes 0. With
``until`` set, the games are played in batches and a two-sided sequential probability ratio test
(``stats.sprt_difference``, alpha = beta = 0.05) on the chosen metric's paired differences stops the run
once it is decided: "differ" (by at least delta) or "same" (no difference as large as delta).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from ..rules.ruleset import Ruleset
from ..runs.options import HERE, RunOptions
from ..runs.stats import mean_ci, sprt_bounds, sprt_difference
from .aggregate import boot_mean, rate, significant
from .balance import Progress, Simulation, plan_for, players_for, simulate
from .metrics import GameMetrics, meter_keys

if TYPE_CHECKING:
    from .schema import Batch, CompareReport, CompareRow, CompareVerdict, Mean, Rate, Sequential

FORMAT: Final = "summitgame-compare"
VERSION: Final = 1
DEFAULT_METRIC = "score_gap"
RATE_DELTA = 0.05  #: default smallest difference that matters for a rate (5 percentage points)
SD_DELTA = 0.1  #: default for other metrics: this many standard deviations (of the first batch)

Metric = Callable[[GameMetrics], float]


@dataclass(frozen=True)
class MetricDef:
    """A per-game metric: its name, whether it is a rate (0/1 per game), and how to read it."""

    name: str
    is_rate: bool
    read: Metric


def metric_defs(rules: Ruleset) -> list[MetricDef]:
    """Every per-game metric compare reports, by name (``--metric NAME``)."""
    roles = rules.roles
    out: list[MetricDef] = []

    def add(name: str, is_rate: bool, f: Metric) -> None:
        out.append(MetricDef(name, is_rate, f))

    for t in rules.tier_ids:
        add(f"tier:{t}", True, lambda g, t=t: float(g.tier == t))  # type: ignore[misc]
    add("end:last_round", True, lambda g: float(g.reason == "last_round"))
    add("end:breakdown", True, lambda g: float(g.reason == "breakdown"))
    for r in roles:
        add(f"walkout:{r}", True, lambda g, r=r: float(r in g.walkouts))  # type: ignore[misc]
    for r in roles:
        add(f"win:{r}", True, lambda g, r=r: float(g.winner == r))  # type: ignore[misc]
    add("tie", True, lambda g: float(g.winner is None))
    for r in roles:
        add(f"score:{r}", False, lambda g, r=r: float(g.scores[r]))  # type: ignore[misc]
    r0, r1 = roles
    add("score_gap", False, lambda g: float(g.scores[r0] - g.scores[r1]))
    add("rounds", False, lambda g: float(g.rounds))
    for name in ("offers", "accepted", "rejected", "countered", "passes"):
        add(name, False, lambda g, name=name: float(getattr(g, name)))  # type: ignore[misc]
    add("deal_steps", False, lambda g: float(sum(g.deals)))
    add("gestures", False, lambda g: float(sum(len(v) for v in g.gestures.values())))
    for t in rules.track_ids:
        add(f"track:{t}", True, lambda g, t=t: float(t in g.tracks_agreed))  # type: ignore[misc]
    for k in meter_keys(rules):
        add(f"final:{k}", False, lambda g, k=k: float(g.series[k][-1]))  # type: ignore[misc]
    for slot, _ in rules.walkouts:
        mid = next(m for m in rules.meter_ids if rules.meter_slot[m][0] == slot)
        for r in roles:
            add(f"peak:{mid}:{r}", False, lambda g, k=f"{mid}:{r}": float(g.peaks[k]))  # type: ignore[misc]
    return out


def _side(defn: MetricDef, xs: Sequence[float], seed: int, tag: str) -> Rate | Mean:
    if defn.is_rate:
        return rate(sum(xs), len(xs))
    return boot_mean(xs, seed, f"{tag}:{defn.name}")


def paired(a: Sequence[GameMetrics], b: Sequence[GameMetrics]) -> tuple[list[GameMetrics], list[GameMetrics]]:
    """The games played under both rule sets (same plan index), in plan order."""
    bi = {g.index: g for g in b}
    pa = [g for g in a if g.index in bi]
    return pa, [bi[g.index] for g in pa]


def shared_defs(rules_a: Ruleset, rules_b: Ruleset) -> list[tuple[MetricDef, MetricDef]]:
    """The metrics both rule sets have (same name), each read under its own rules, in A's order."""
    by_name = {d.name: d for d in metric_defs(rules_b)}
    return [(d, by_name[d.name]) for d in metric_defs(rules_a) if d.name in by_name]


def compare_rows(
    defs: Sequence[MetricDef | tuple[MetricDef, MetricDef]],
    a: Sequence[GameMetrics],
    b: Sequence[GameMetrics],
    seed: int,
) -> list[CompareRow]:
    """Every metric under A and under B, the paired difference B − A with its 95% interval, and a verdict.

    A metric is one definition for both sides, or a pair (A's, B's) when the rule sets differ."""
    pa, pb = paired(a, b)
    rows: list[CompareRow] = []
    for item in defs:
        da, db = item if isinstance(item, tuple) else (item, item)
        xa = [da.read(g) for g in pa]
        xb = [db.read(g) for g in pb]
        diffs = [y - x for x, y in zip(xa, xb, strict=True)]
        est = mean_ci(diffs).as_dict()
        if diffs and all(v == 0 for v in diffs):
            est = {"value": 0.0, "low": 0.0, "high": 0.0}
        verdict: CompareVerdict
        if significant(est):
            verdict = "higher under B" if (est["value"] or 0) > 0 else "lower under B"
        else:
            verdict = "no significant difference"
        rows.append(
            {
                "metric": da.name,
                "kind": "rate" if da.is_rate else "mean",
                "a": _side(da, xa, seed, "a"),
                "b": _side(db, xb, seed, "b"),
                "difference": {"n": len(diffs), "value": est["value"], "low": est["low"], "high": est["high"]},
                "significant": significant(est),
                "verdict": verdict,
            }
        )
    return rows


@dataclass
class Comparison:
    """Both simulations, and how the sequential test went (if one ran)."""

    a: Simulation
    b: Simulation
    sequential: Sequential | None


def run_compare(
    rules_a: Ruleset,
    rules_b: Ruleset,
    specs: Sequence[str],
    games: int,
    seed: int = 0,
    *,
    backend: RunOptions = HERE,
    metric: str = DEFAULT_METRIC,
    until: bool = False,
    delta: float | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Play the same plan (seeds, seats, agents) under both rule sets; with ``until``, in batches until the
    sequential test on ``metric`` is decided or ``games`` are played. ValueError for an unknown metric.
    ``backend``: where the games are played (``balance.simulate``)."""
    defs = {da.name: (da, db) for da, db in shared_defs(rules_a, rules_b)}
    if metric not in defs:
        raise ValueError(f"unknown metric {metric!r}; metrics of both rule sets are {', '.join(defs)}")
    players = players_for(specs)
    plan_a = plan_for(rules_a, players, games, seed)
    plan_b = plan_for(rules_b, players, games, seed)
    if not until:
        sa = simulate(rules_a, players, plan_a, backend=backend, progress=progress)
        sb = simulate(rules_b, players, plan_b, backend=backend, progress=progress)
        return Comparison(sa, sb, None)
    unit = 2 * max(1, len(players) * (len(players) - 1) // 2)  # every pair, both seats of a deal
    batch = max(unit, unit * math.ceil(max(40, len(plan_a) // 20) / unit))
    sa = Simulation(rules_a, players, plan_a)
    sb = Simulation(rules_b, players, plan_b)
    da, db = defs[metric]
    fixed_delta = delta
    steps: list[Batch] = []
    decision: Literal["differ", "same"] | None = None
    for start in range(0, len(plan_a), batch):
        for rules, plan, into in ((rules_a, plan_a, sa), (rules_b, plan_b, sb)):
            simulate(
                rules,
                players,
                plan[start : start + batch],
                backend=backend,
                progress=progress,
                into=into,
            )
        pa, pb = paired(sa.games, sb.games)
        diffs = [db.read(y) - da.read(x) for x, y in zip(pa, pb, strict=True)]
        if fixed_delta is None:
            if da.is_rate:
                fixed_delta = RATE_DELTA
            else:
                pooled = [da.read(g) for g in pa] + [db.read(g) for g in pb]
                sd = statistics.stdev(pooled) if len(pooled) > 1 else 0.0
                fixed_delta = SD_DELTA * sd if sd > 0 else 1.0
        test = sprt_difference(diffs, fixed_delta)
        steps.append({"games": len(diffs), "llr_up": round(test.up.llr, 4), "llr_down": round(test.down.llr, 4)})
        decision = test.decision
        if decision is not None:
            break
    assert fixed_delta is not None
    lo, hi = sprt_bounds()
    sequential: Sequential = {
        "metric": metric,
        "delta": round(fixed_delta, 6),
        "alpha": 0.05,
        "beta": 0.05,
        "bounds": [round(lo, 4), round(hi, 4)],
        "decision": decision,
        "games": len(paired(sa.games, sb.games)[0]),
        "max_games": len(plan_a),
        "batches": steps,
    }
    return Comparison(sa, sb, sequential)


def compare_report(
    cmp: Comparison, seed: int, command: str, labels: Mapping[str, str], metric: str = DEFAULT_METRIC
) -> CompareReport:
    """The comparison as a JSON-ready dict: both rule sets, every metric's row, the sequential test."""
    pairs = shared_defs(cmp.a.rules, cmp.b.rules)
    rows = compare_rows(pairs, cmp.a.games, cmp.b.games, seed)
    names_a = [d.name for d in metric_defs(cmp.a.rules)]
    names_b = [d.name for d in metric_defs(cmp.b.rules)]
    sig = [r["metric"] for r in rows if r["significant"]]
    return {
        "format": FORMAT,
        "version": VERSION,
        "a": {"label": labels.get("a", "A"), "name": cmp.a.rules.name, "fingerprint": cmp.a.rules.fingerprint},
        "b": {"label": labels.get("b", "B"), "name": cmp.b.rules.name, "fingerprint": cmp.b.rules.fingerprint},
        "agents": {e.label: e.spec for e in cmp.a.players},
        "seed": seed,
        "games": len(paired(cmp.a.games, cmp.b.games)[0]),
        "metric": metric,
        "metrics": rows,
        "significant": sig,
        "only_in_a": [m for m in names_a if m not in names_b],
        "only_in_b": [m for m in names_b if m not in names_a],
        "sequential": cmp.sequential,
        "command": command,
    }
