"""Summary measures of a set of games, by name: what sweeps tabulate, targets check and tunes optimise.

Every per-game metric of ``compare`` (``tier:failed``, ``rounds``, ``peak:pressure:moscow``, ...) becomes a
measure: a rate for 0/1 metrics (Wilson interval), a mean otherwise (Student-t interval). On top of those:
each tier by its bare id (``failed`` = ``tier:failed``), ``margin:TIER`` (TIER's share less the most
common other tier's: above 0 when TIER is the most common), ``forced_share`` (the share of decisions with
one legal choice), ``role_gap`` (how far apart the roles' mean scores
are, in points), ``win_gap`` (how far apart their win rates are), ``median:NAME`` for any mean metric,
and ``median_end_round`` / ``end_round`` for the length of a summit.

Two measures need games of their own, played only when asked for (``exploit_measure``): how well the
cheap lines do against the run's agents (``probe_score_rate``, ``exploitability:AGENT``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..rules.ruleset import Ruleset
from ..runs.stats import Estimate, mean_ci, wilson, z_value
from .compare import MetricDef, metric_defs
from .metrics import GameMetrics

if TYPE_CHECKING:
    from .schema import Measure as MeasureDoc


@dataclass(frozen=True)
class Measure:
    """One summary number with its 95% interval, and how to read it."""

    name: str
    value: float
    low: float
    high: float
    n: int
    kind: Literal["rate", "number"]  #: 'rate' (a share of games, 0..1) or 'number'
    unit: str  #: 'points', 'rounds' or '' (a rate's unit is the share itself)

    def as_dict(self) -> MeasureDoc:
        """JSON-ready form (non-finite numbers become ``None``)."""

        def num(x: float) -> float | None:
            return round(x, 6) if math.isfinite(x) else None

        return {
            "value": num(self.value),
            "low": num(self.low),
            "high": num(self.high),
            "n": self.n,
            "kind": self.kind,
            "unit": self.unit,
        }

    def show(self) -> str:
        """The value as a designer reads it: 23.4% for rates, 4.81 otherwise."""
        if not math.isfinite(self.value):
            return "-"
        return f"{100 * self.value:.1f}%" if self.kind == "rate" else f"{self.value:.2f}"


Reader = Callable[[Sequence[GameMetrics]], Measure]


def _unit(name: str) -> str:
    if name.startswith(("score", "role_gap")) or name == "score_gap":
        return "points"
    if name in ("rounds", "end_round", "median_end_round", "median:rounds"):
        return "rounds"
    return ""


def _from_def(d: MetricDef) -> Reader:
    def read(games: Sequence[GameMetrics]) -> Measure:
        xs = [d.read(g) for g in games]
        if d.is_rate:
            e = wilson(math.fsum(xs), len(xs))
            return Measure(d.name, e.value, e.low, e.high, len(xs), "rate", "")
        e = mean_ci(xs)
        return Measure(d.name, e.value, e.low, e.high, len(xs), "number", _unit(d.name))

    return read


def median_ci(xs: Sequence[float], confidence: float = 0.95) -> Estimate:
    """The median with a distribution-free interval (order statistics, normal approximation to the binomial)."""
    n = len(xs)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    s = sorted(xs)
    med = statistics.median(s)
    if n < 2:
        return Estimate(med, math.nan, math.nan)
    half = z_value(confidence) * math.sqrt(n) / 2
    lo = max(0, math.floor(n / 2 - half) - 1)
    hi = min(n - 1, math.ceil(n / 2 + half))
    return Estimate(med, s[lo], s[hi])


def _median(name: str, d: MetricDef) -> Reader:
    def read(games: Sequence[GameMetrics]) -> Measure:
        e = median_ci([d.read(g) for g in games])
        return Measure(name, e.value, e.low, e.high, len(games), "number", _unit(name))

    return read


def _abs_gap(name: str, f: Callable[[GameMetrics], float], unit: str, kind: Literal["rate", "number"]) -> Reader:
    """|mean of f| with its interval folded at 0 (the gap's size, whichever side is ahead)."""

    def read(games: Sequence[GameMetrics]) -> Measure:
        e = mean_ci([f(g) for g in games])
        lo, hi = sorted((abs(e.low), abs(e.high))) if math.isfinite(e.low) else (math.nan, math.nan)
        if math.isfinite(e.low) and e.low <= 0 <= e.high:
            lo = 0.0
        return Measure(name, abs(e.value), lo, hi, len(games), kind, unit)

    return read


def _tier_margin(name: str, tier: str, tiers: Sequence[str]) -> Reader:
    """TIER's share less the largest share of any other tier: above 0 when TIER is the most common outcome.
    The interval is the normal one for a difference of two shares of one multinomial sample."""

    def read(games: Sequence[GameMetrics]) -> Measure:
        n = len(games)
        if not n:
            return Measure(name, math.nan, math.nan, math.nan, 0, "rate", "")
        counts = {t: 0 for t in tiers}
        for g in games:
            counts[g.tier] = counts.get(g.tier, 0) + 1
        p1 = counts[tier] / n
        p2 = max((c / n for t, c in counts.items() if t != tier), default=0.0)
        d = p1 - p2
        half = z_value(0.95) * math.sqrt(max(0.0, p1 + p2 - d * d) / n)
        return Measure(name, d, d - half, d + half, n, "rate", "")

    return read


def _forced_share(games: Sequence[GameMetrics]) -> Measure:
    """The share of decisions with one legal choice (a forced step), with an interval clustered by game
    (the decisions of one game are not independent)."""
    n = len(games)
    total = sum(g.decisions for g in games)
    if not n or not total:
        return Measure(FORCED_SHARE, math.nan, math.nan, math.nan, n, "rate", "")
    forced = [sum(g.forced.values()) for g in games]
    r = sum(forced) / total
    if n < 2:
        return Measure(FORCED_SHARE, r, math.nan, math.nan, n, "rate", "")
    resid = math.fsum((f - r * g.decisions) ** 2 for f, g in zip(forced, games, strict=True))
    half = z_value(0.95) * math.sqrt(resid * n / (n - 1)) / total
    return Measure(FORCED_SHARE, r, max(0.0, r - half), min(1.0, r + half), n, "rate", "")


FORCED_SHARE = "forced_share"
"""The share of all decisions that had one legal choice (issue 13: a forced step is a chore, not a decision)."""
MARGIN = "margin:"
"""``margin:TIER``: TIER's share less the most common other tier's (``> 0%``: TIER is the most common)."""


def readers(rules: Ruleset) -> dict[str, Reader]:
    """Every measure of these rules, by name, in a stable order."""
    defs = metric_defs(rules)
    out: dict[str, Reader] = {}
    by_name = {d.name: d for d in defs}
    for t in rules.tier_ids:
        out[t] = _renamed(t, _from_def(by_name[f"tier:{t}"]))
    r0, r1 = rules.roles
    out["role_gap"] = _abs_gap("role_gap", lambda g: float(g.scores[r0] - g.scores[r1]), "points", "number")
    out["win_gap"] = _abs_gap("win_gap", lambda g: float(g.winner == r0) - float(g.winner == r1), "", "rate")
    out["median_end_round"] = _median("median_end_round", by_name["rounds"])
    out["end_round"] = _renamed("end_round", _from_def(by_name["rounds"]))
    for t in rules.tier_ids:
        out[f"{MARGIN}{t}"] = _tier_margin(f"{MARGIN}{t}", t, rules.tier_ids)
    out[FORCED_SHARE] = _forced_share
    for d in defs:
        out[d.name] = _from_def(d)
    for d in defs:
        if not d.is_rate:
            out[f"median:{d.name}"] = _median(f"median:{d.name}", d)
    return out


def _renamed(name: str, read: Reader) -> Reader:
    def renamed(games: Sequence[GameMetrics]) -> Measure:
        m = read(games)
        return Measure(name, m.value, m.low, m.high, m.n, m.kind, m.unit or _unit(name))

    return renamed


HEADLINE = ("role_gap", "win_gap", "median_end_round")
"""Measures shown by default after the tiers when a sweep is not told which to show."""


def default_names(rules: Ruleset) -> list[str]:
    """What a sweep shows unless told otherwise: each tier's rate, the role gaps and the length."""
    return [*rules.tier_ids, *HEADLINE]


def measure(rules: Ruleset, games: Sequence[GameMetrics], names: Sequence[str]) -> dict[str, Measure]:
    """The named measures of a set of games (KeyError for an unknown name: check with ``readers`` first)."""
    table = readers(rules)
    return {n: table[n](games) for n in names}


# --- exploit measures: the probes against the run's agents --------------------------------------------------

PROBE_SCORE_RATE = "probe_score_rate"
"""The best score rate any probe reaches against any one of the run's agents (see ``exploit_measure``)."""
EXPLOITABILITY = "exploitability:"
"""``exploitability:AGENT``: the best score rate any probe reaches against AGENT (see ``exploit_measure``)."""


def is_exploit_measure(name: str) -> bool:
    """Whether a measure needs the probe games (``probe_score_rate``, ``exploitability:AGENT``)."""
    return name == PROBE_SCORE_RATE or (name.startswith(EXPLOITABILITY) and len(name) > len(EXPLOITABILITY))


def exploited(name: str) -> str | None:
    """The agent an ``exploitability:AGENT`` measure names, as its canonical spec (as written if it is no
    agent spec), or None for any other measure."""
    from ..agents.base import AgentError, make_agent

    if not name.startswith(EXPLOITABILITY):
        return None
    spec = name[len(EXPLOITABILITY) :]
    try:
        return make_agent(spec).spec()
    except AgentError:
        return spec


def exploit_measure(name: str, pairings: Sequence[Mapping[str, Any]], agent: str | None = None) -> Measure:
    """The best score rate of a probe against an agent, over role-swapped paired games.

    Each *pairing* is one probe (a built-in probe agent, or an exploiter the targets file lists) against
    one of the run's agents that is not itself a probe, on the run's deals, seats swapped; its score rate
    is the probe's match points (win 1, tie ½, a forfeit 0) over its games. ``probe_score_rate`` is the
    highest score rate over every pairing against a skilled agent (not ``random``: any probe beats it);
    ``exploitability:AGENT`` (``agent``: its canonical spec) the
    highest over the pairings against AGENT. The interval is the 95% Wilson interval of that pairing
    (the maximum of several rates leans high: a probe at 50% among many may show a little above it).
    ``pairings`` are the rows of ``balance.pairing_rows``."""
    from .balance import is_skilled

    rows = [r for r in pairings if (r["agent"] == agent if agent is not None else is_skilled(r["agent"]))]
    best: Measure | None = None
    for r in rows:
        games = int(r["games"])
        e = wilson(r["wins"] + r["ties"] / 2, games)
        if games and (best is None or e.value > best.value):
            best = Measure(name, e.value, e.low, e.high, games, "rate", "")
    return best if best is not None else Measure(name, math.nan, math.nan, math.nan, 0, "rate", "")
