"""Why each tier happened: the balance report's breakdown of every tier and every ending by its cause.

For each tier, over the games that ended in it: which of its ``any`` conditions held (each alternative
and how often it held alone: a walk-out, a breakdown or trust at 1 or less for a tier like 'failed'),
which condition of each tier checked before it failed (why a game that reached an accord is still only
'symbolic': a leader's pressure too high to sell it),
how those games ended (walk-out by whom, at which meter and in which round; breakdown at which meter;
the last round) and which tracks reached accord (their last stage). For each ending, the same by meter
and round. Every count is out of the games of its tier or ending, with a Wilson 95% interval; all is
read from ``GameMetrics`` (measured once per game as it arrives), so this costs a few passes over them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..rules.describe import Describer
from ..rules.ruleset import Ruleset
from ..runs.stats import wilson
from .metrics import GameMetrics

if TYPE_CHECKING:
    from .schema import Causes


def _rate(k: int, n: int) -> dict[str, Any]:
    return {"count": k, "n": n, **wilson(k, n).as_dict()}


def _rounds(games: Sequence[GameMetrics]) -> dict[str, int]:
    """Games by the round they ended in (a walk-out or breakdown comes at the end of that round)."""
    return {str(r): k for r, k in sorted(Counter(g.rounds for g in games).items())}


def _endings(games: Sequence[GameMetrics]) -> dict[str, Any]:
    """Each ending of these games (last round, breakdown, walk-out by whom) with its share, the meters that
    caused it and the rounds it came in."""
    n = len(games)
    out: dict[str, Any] = {}
    for end in sorted({g.end for g in games}, key=lambda e: (e != "last_round", e)):
        these = [g for g in games if g.end == end]
        row: dict[str, Any] = {"share": _rate(len(these), n)}
        if end == "breakdown":
            meters = Counter(m for g in these for m in g.broke)
            row["meters"] = {m: _rate(k, len(these)) for m, k in sorted(meters.items())}
        elif end.startswith("walkout"):
            meters = Counter(m for g in these for m in g.walked)
            row["meters"] = {m: _rate(k, len(these)) for m, k in sorted(meters.items())}
        if end != "last_round":
            row["rounds"] = _rounds(these)
        out[end] = row
    return out


def causes_section(rules: Ruleset, games: Sequence[GameMetrics]) -> Causes:
    """The causes of each tier and of each ending, as a JSON-ready dict (``schema.Causes``)."""
    spec = rules.spec
    says = Describer(spec, rules.role_names[0])  # a tier reads 'self' as the first role
    tiers: dict[str, Any] = {}
    for t in rules.tier_ids:
        these = [g for g in games if g.tier == t]
        n = len(these)
        tier = spec.tiers[t]
        alternatives = []
        for j, c in enumerate(tier.any):
            held = sum(j in g.alternatives for g in these)
            alone = sum(g.alternatives == (j,) for g in these)
            alternatives.append(
                {"condition": f"any[{j}]", "text": says.condition(c), "held": _rate(held, n), "alone": _rate(alone, n)}
            )
        missed: dict[str, Any] = {}
        for before in rules.tier_ids[: rules.tier_ids.index(t)]:
            other = spec.tiers[before]
            failed = Counter(j for g in these for j in g.missed.get(before, ()))
            rows = []
            if other.any:
                rows.append({"text": "none of: " + says.conditions(other.any, " / "), "failed": _rate(failed[-1], n)})
            rows += [{"text": says.condition(c), "failed": _rate(failed[j], n)} for j, c in enumerate(other.all)]
            missed[before] = rows
        tiers[t] = {
            "n": n,
            "conditions": [says.condition(c) for c in tier.all],
            "alternatives": alternatives,
            "missed": missed,
            "endings": _endings(these),
            "accords": {tr: _rate(sum(tr in g.tracks_top for g in these), n) for tr in rules.track_ids},
        }
    return {"tiers": tiers, "endings": _endings(games)}
