"""Aggregate per-game metrics into the balance report's figures, each with n and a 95% interval.

Rates get Wilson intervals; means get a seeded percentile bootstrap (the same seed and games give the same
interval; the resampling runs on numpy, which matplotlib already needs, and never inside a game); card
effects compare games with and without the card among games of the same length, with deal-resampled,
t-widened intervals (``cardstats``), and are correlations, not causes (``--ablate`` and ``--impact``, see
``impact``, measure causes). The figures are a plain JSON-ready dict; ``warnings`` reads it and says in
words what a designer should look at first.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..rules.actions import ActionKind
from ..rules.ruleset import Ruleset
from ..runs.stats import Estimate, bootstrap_ci, quantile, wilson
from .cardstats import MIN_DEALS as MIN_CARD_DEALS
from .cardstats import MIN_PLAYS, Units, too_few
from .causes import causes_section
from .metrics import GameMetrics, meter_keys

if TYPE_CHECKING:
    from .schema import (
        Band,
        Cards,
        Decisions,
        FavouredBy,
        Length,
        Level,
        Mean,
        Meters,
        Negotiation,
        Outcomes,
        Rate,
        RoleRecord,
        Roles,
        Sections,
        Share,
    )

RESAMPLES = 1000  #: bootstrap resamples per mean
NEAR_MISS = 1  #: a leader "nearly walked out" when its meter came within this many points of the limit
DEAD_RATE = 0.01  #: a card played (or a track agreed) in fewer games than this is flagged as dead
SAME_END = 0.9  #: games "almost always end the same way" when one ending or tier has this share or more
DOMINANT_SHIFT = 3.0  #: a gesture whose player scores this many points more (significantly) is flagged
FORCED_SHARE = 0.05  #: more decisions than this with one legal choice are chores, not decisions


def rate(k: float, n: int) -> Rate:
    """A count out of n with its Wilson interval."""
    e = wilson(k, n).as_dict()
    return {"count": k, "n": n, "value": e["value"], "low": e["low"], "high": e["high"]}


def _mean(n: int, e: Estimate) -> Mean:
    d = e.as_dict()
    return {"n": n, "value": d["value"], "low": d["low"], "high": d["high"]}


def boot_mean(xs: Sequence[float], seed: int, key: str) -> Mean:
    """The mean of xs with a percentile bootstrap interval, seeded by ``seed`` and the metric's name."""
    n = len(xs)
    if n == 0:
        return {"n": 0, "value": None, "low": None, "high": None}
    m = math.fsum(xs) / n
    if n < 2:
        return _mean(n, Estimate(m, math.nan, math.nan))
    import numpy as np

    data = np.asarray(xs, dtype=float)
    low, high = bootstrap_ci(n, lambda pick: data[pick].mean(axis=1), seed, key, RESAMPLES)
    return _mean(n, Estimate(m, low, high))


def _share(k: int, n: int, g: int, e: Estimate) -> Share:
    d = e.as_dict()
    return {"count": k, "n": n, "games": g, "value": d["value"], "low": d["low"], "high": d["high"]}


def boot_share(counts: Sequence[int], totals: Sequence[int], seed: int, key: str) -> Share:
    """sum(counts) out of sum(totals), one pair per game, with a percentile bootstrap interval that resamples
    whole games (the decisions of one game are not independent, so a Wilson interval over them would be too
    narrow); seeded by ``seed`` and the metric's name."""
    k, n, g = sum(counts), sum(totals), len(totals)
    if n == 0:
        return {"count": k, "n": n, "games": g, "value": None, "low": None, "high": None}
    if g < 2:
        return _share(k, n, g, Estimate(k / n, math.nan, math.nan))
    import numpy as np

    num, den = np.asarray(counts, dtype=float), np.asarray(totals, dtype=float)

    def share(pick: Any) -> Any:
        tops, bottoms = num[pick].sum(axis=1), den[pick].sum(axis=1)
        return np.divide(tops, bottoms, out=np.zeros(len(pick)), where=bottoms > 0)

    low, high = bootstrap_ci(g, share, seed, key, RESAMPLES)
    return _share(k, n, g, Estimate(k / n, low, high))


def decisions_section(games: Sequence[GameMetrics], seed: int) -> Decisions:
    """Decisions: how many per game, and the share with exactly one legal choice (a forced move), overall and
    by the kind of that one choice (the kinds' shares add up to the overall share)."""
    totals = [g.decisions for g in games]
    return {
        "per_game": boot_mean([float(x) for x in totals], seed, "decisions"),
        "forced": boot_share([sum(g.forced.values()) for g in games], totals, seed, "forced"),
        "forced_by_kind": {
            kind.value: boot_share([g.forced.get(kind.value, 0) for g in games], totals, seed, f"forced:{kind.value}")
            for kind in ActionKind
        },
    }


def significant(e: Mapping[str, Any]) -> bool:
    """Whether an interval excludes 0 (for differences) — False when it is missing."""
    lo, hi = e.get("low"), e.get("high")
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def role_verdict(
    r0: str, r1: str, gap: Mapping[str, Any], first_share: Mapping[str, Any]
) -> tuple[str | None, FavouredBy, str]:
    """Which role the games favour, by which measure, in words: (role, 'score', 'wins' or 'both', verdict).

    The favoured role follows the measure that is significant (the score gap's interval excludes 0, or the
    first role's share of decided games excludes one half); when both are and they disagree, no role is
    named (``favoured_by`` is 'conflict')."""
    by_score = significant(gap)
    by_wins = significant(
        {k: (first_share[k] - 0.5 if first_share.get(k) is not None else None) for k in ("low", "high")}
    )
    score_role = (r0 if (gap["value"] or 0) > 0 else r1) if by_score else None
    win_role = (r0 if (first_share["value"] or 0) > 0.5 else r1) if by_wins else None
    gap_text = f"score gap {r0} − {r1} {num_text(gap)}"
    win_text = f"{r0} wins {pct_text(first_share)} of {first_share['n']} decided games"
    if by_score and by_wins:
        if score_role == win_role:
            return score_role, "both", f"{score_role} is favoured on score and wins: {gap_text}, {win_text}"
        return None, "conflict", f"the measures disagree: {gap_text} favours {score_role}, but {win_text}"
    if by_score:
        return score_role, "score", f"{score_role} is favoured on score: {gap_text} (wins not significant: {win_text})"
    if by_wins:
        return win_role, "wins", f"{win_role} is favoured on wins: {win_text} (score gap not significant: {gap_text})"
    return None, None, "no significant role advantage"


def num_text(e: Mapping[str, Any]) -> str:
    """A mean with its interval: ``+1.23 [+0.50, +1.96]``."""
    return _with_interval(e, lambda x: f"{x:+.2f}", "")


def pct_text(e: Mapping[str, Any]) -> str:
    """A share with its interval: ``60.0% [52.1, 67.4]``."""
    return _with_interval(e, lambda x: f"{100 * x:.1f}", "%")


def _with_interval(e: Mapping[str, Any], fmt: Callable[[float], str], unit: str) -> str:
    """``e``'s value as ``fmt`` writes it, then ``unit``, then its interval if it has one; a dash without a value."""
    if e.get("value") is None:
        return "—"
    if e.get("low") is None or e.get("high") is None:
        return fmt(e["value"]) + unit
    return f"{fmt(e['value'])}{unit} [{fmt(e['low'])}, {fmt(e['high'])}]"


def _band(point: str, values: Sequence[int]) -> Band:
    xs = sorted(values)
    return {
        "point": point,
        "n": len(xs),
        "mean": round(statistics.fmean(xs), 4),
        "p10": quantile(xs, 0.1),
        "p90": quantile(xs, 0.9),
    }


def aggregate(rules: Ruleset, games: Sequence[GameMetrics], seed: int = 0) -> Sections:
    """Sections 1–7 of the balance report for these games (section 3, agents, is added by the caller)."""
    games = sorted(games, key=lambda g: g.index)
    n = len(games)
    roles = list(rules.roles)
    r0, r1 = roles

    def mean_of(key: str, f: Callable[[GameMetrics], float]) -> Mean:
        return boot_mean([f(g) for g in games], seed, key)

    # 1. outcomes
    tiers = Counter(g.tier for g in games)
    ends = Counter(g.end for g in games)
    end_keys = ["last_round", "breakdown", *(f"walkout:{r}" for r in roles)]
    end_keys += sorted(k for k in ends if k not in end_keys)
    outcomes: Outcomes = {
        "n": n,
        "tiers": {t: rate(tiers[t], n) for t in rules.tier_ids},
        "endings": {k: rate(ends[k], n) for k in end_keys},
        "walkouts": {r: rate(sum(r in g.walkouts for g in games), n) for r in roles},
        "causes": causes_section(rules, games),
    }

    # 2. role advantage
    wins = Counter(g.winner for g in games)
    gap = mean_of("score_gap", lambda g: g.scores[r0] - g.scores[r1])
    role_rows: dict[str, RoleRecord] = {
        r: {
            "win_rate": rate(wins[r], n),
            "mean_score": mean_of(f"score:{r}", lambda g, r=r: g.scores[r]),  # type: ignore[misc]
        }
        for r in roles
    }
    decisive = wins[r0] + wins[r1]
    first_share = rate(wins[r0], decisive)
    favoured, favoured_by, verdict = role_verdict(r0, r1, gap, first_share)
    imbalance = favoured_by is not None
    role_adv: Roles = {
        "roles": role_rows,
        "ties": rate(wins[None], n),
        "score_gap": gap,
        "first_role_share_of_decided": first_share,
        "significant": imbalance,
        "favoured": favoured,
        "favoured_by": favoured_by,
        "verdict": verdict,
    }

    # 4. length
    lengths = Counter(g.rounds for g in games)
    length: Length = {
        "rounds": {str(k): lengths[k] for k in range(1, rules.rounds + 1)},
        "mean_rounds": mean_of("rounds", lambda g: g.rounds),
        "full_length": rate(sum(g.rounds >= rules.rounds for g in games), n),
    }

    # 5. meters
    keys = meter_keys(rules)
    trajectories: dict[str, list[Band]] = {}
    for k in keys:
        rows = []
        for i in range(rules.rounds):  # start of round i + 1
            vals = [g.series[k][i] for g in games if i < len(g.series[k]) - 1]
            if vals:
                rows.append(_band(f"round {i + 1}", vals))
        finals = [g.series[k][-1] for g in games]
        if finals:
            rows.append(_band("end", finals))
        trajectories[k] = rows
    near: dict[str, Any] = {}
    for slot, limits in rules.walkouts:
        mid = next(m for m in rules.meter_ids if rules.meter_slot[m][0] == slot)
        for i, r in enumerate(roles):
            key = f"{mid}:{r}"
            stayed = [g.peaks[key] for g in games if r not in g.walkouts]
            near[key] = {
                "limit": limits[i],
                "mean_peak_of_non_walkers": boot_mean(stayed, seed, f"peak:{key}"),
                "highest_of_non_walkers": max(stayed) if stayed else None,
                "near_misses": rate(sum(p >= limits[i] - NEAR_MISS for p in stayed), len(stayed)),
            }
    levels: dict[str, Level] = {}
    for slot, level in rules.breakdowns:
        mid = next(m for m in rules.meter_ids if rules.meter_slot[m][0] == slot)
        levels[mid] = {"breakdown_at": level}
    for slot, limits in rules.walkouts:
        mid = next(m for m in rules.meter_ids if rules.meter_slot[m][0] == slot)
        levels.update({f"{mid}:{r}": {"walkout_at": limits[i]} for i, r in enumerate(roles)})
    meters: Meters = {"trajectories": trajectories, "near_misses": near, "levels": levels}

    # 6. negotiation
    offers = sum(g.offers for g in games)
    deal_sizes = [d for g in games for d in g.deals]
    negotiation: Negotiation = {
        "per_game": {
            name: mean_of(f"neg:{name}", lambda g, name=name: getattr(g, name))  # type: ignore[misc]
            for name in ("offers", "accepted", "rejected", "countered", "passes")
        },
        "acceptance": rate(sum(g.accepted for g in games), offers),
        "deal_steps": boot_mean(deal_sizes, seed, "deal_steps"),
        "deal_sizes": {str(k): v for k, v in sorted(Counter(deal_sizes).items())},
        "no_deal_games": rate(sum(not g.deals for g in games), n),
        "tracks": {
            t: {
                "agreed": rate(sum(t in g.tracks_agreed for g in games), n),
                "last_stage": rate(sum(t in g.tracks_top for g in games), n),
            }
            for t in rules.track_ids
        },
    }

    # 7. cards: like with like (games of the same length), intervals over deals (see ``cardstats``)
    gestures: dict[str, Any] = {}
    units = [(g, r) for g in games for r in roles]  # a (game, role) pair: did this role play the card?
    unit_len, unit_deal = [g.rounds for g, _ in units], [g.seed for g, _ in units]
    game_len, game_deal = [g.rounds for g in games], [g.seed for g in games]
    # the units prepared once for every card's shifts (``cardstats.Units``)
    tier_columns = {t: [1.0 if g.tier == t else 0.0 for g in games] for t in rules.tier_ids}
    by_tier = Units(tier_columns, game_len, game_deal, seed)
    by_unit = Units({"": [g.scores[r] for g, r in units]}, unit_len, unit_deal, seed)
    by_score = Units({r: [float(g.scores[r]) for g in games] for r in roles}, game_len, game_deal, seed)

    played, drawn_in = _cards(rules, games)  # (units, gestures) plays, (games, events) drawn
    had = played.reshape(n, len(roles), len(rules.gesture_ids)).any(axis=1)  # (games, gestures): played by either role
    for i, c in enumerate(rules.gesture_ids):
        shift = by_unit.shifts(played[:, i] > 0)[""]
        gestures[c] = {
            "played_in": rate(int(had[:, i].sum()), n),
            "plays": int(played[:, i].sum()),
            "score_shift": shift,
            "tier_shift": by_tier.shifts(had[:, i]),
            "verdict": "too_few" if too_few(shift) else "judged",
            "rank": None,
        }
    events: dict[str, Any] = {}
    for i, c in enumerate(rules.event_ids):
        drawn = drawn_in[:, i]
        shifts = by_score.shifts(drawn)
        events[c] = {
            "drawn_in": rate(int(drawn.sum()), n),
            "score_shift": shifts,
            "tier_shift": by_tier.shifts(drawn),
            "verdict": "too_few" if too_few(shifts[r0]) else "judged",
            "rank": None,
        }
    _rank(gestures, lambda row: abs(row["score_shift"]["value"]))
    _rank(events, lambda row: max(abs(e["value"]) for e in row["score_shift"].values()))
    cards: Cards = {
        "note": "correlations: games with the card against games of the same length without it",
        "min_plays": MIN_PLAYS,
        "min_deals": MIN_CARD_DEALS,
        "gestures": gestures,
        "events": events,
    }
    return {
        "outcomes": outcomes,
        "roles": role_adv,
        "length": length,
        "meters": meters,
        "negotiation": negotiation,
        "decisions": decisions_section(games, seed),
        "cards": cards,
    }


def _cards(rules: Ruleset, games: Sequence[GameMetrics]) -> tuple[Any, Any]:
    """How often each (game, role) played each gesture, (games × roles, gestures), and whether each game drew
    each event, (games, events): one pass over the games for every card's figures."""
    import numpy as np

    gesture_ix = {c: i for i, c in enumerate(rules.gesture_ids)}
    event_ix = {c: i for i, c in enumerate(rules.event_ids)}
    roles = rules.roles
    played = np.zeros((len(games) * len(roles), len(gesture_ix)), dtype=np.int64)
    drawn = np.zeros((len(games), len(event_ix)), dtype=bool)
    for i, g in enumerate(games):
        for j, r in enumerate(roles):
            for c in g.gestures[r]:
                if c in gesture_ix:
                    played[i * len(roles) + j, gesture_ix[c]] += 1
        for c in g.events:
            if c in event_ix:
                drawn[i, event_ix[c]] = True
    return played, drawn


def _rank(rows: Mapping[str, dict[str, Any]], impact: Callable[[Mapping[str, Any]], float]) -> None:
    """Number the judged cards 1, 2, ... by impact, largest first (ties by id); cards too few to judge keep
    no rank."""
    judged = sorted((c for c, row in rows.items() if row["verdict"] == "judged"), key=lambda c: (-impact(rows[c]), c))
    for i, c in enumerate(judged, start=1):
        rows[c]["rank"] = i


def ranked(rows: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any]]]:
    """A card table's rows in report order: the ranked cards by rank, then those too few to judge in rule order."""
    items = list(rows.items())
    judged = sorted((kv for kv in items if kv[1].get("rank") is not None), key=lambda kv: kv[1]["rank"])
    return judged + [kv for kv in items if kv[1].get("rank") is None]


def warnings(rules: Ruleset, report: Mapping[str, Any]) -> list[str]:
    """Plain-English warnings, most important first, from an aggregated report (and its agents section)."""
    out: list[str] = []
    n = report["outcomes"]["n"]
    if n == 0:
        return ["no finished games to report on"]
    ra = report["roles"]
    if ra["significant"]:
        out.append(f"Role imbalance: {ra['verdict']}.")
    agents = report.get("agents")
    if agents:
        for a, row in agents["crosstable"].items():
            if len(row) and all((c["score_rate"]["low"] or 0) > 0.5 for c in row.values()):
                worst = min(c["score_rate"]["value"] for c in row.values())
                out.append(
                    f"Dominant agent: {a} beats every other agent significantly (its worst pairing scores "
                    f"{100 * worst:.1f}%)."
                )
    dead = [c for c, g in report["cards"]["gestures"].items() if n >= 50 and (g["played_in"]["value"] or 0) < DEAD_RATE]
    if dead:
        many = len(dead) > 1
        out.append(
            f"Dead card{'s' if many else ''}: gesture{'s' if many else ''} {', '.join(dead)} "
            f"{'are' if many else 'is'} played in under {100 * DEAD_RATE:g}% of games."
        )
    for c, g in report["cards"]["gestures"].items():
        shift = g["score_shift"]
        big = significant(shift) and (shift["value"] or 0) >= DOMINANT_SHIFT and g.get("verdict") != "too_few"
        if c not in dead and big:
            out.append(
                f"Dominant card: players of {c} score {shift['value']:+.1f} [{shift['low']:+.1f}, "
                f"{shift['high']:+.1f}] more than those who do not play it (correlation; try --ablate {c})."
            )
    for t, row in report["negotiation"]["tracks"].items():
        if n >= 50 and (row["agreed"]["value"] or 0) < DEAD_RATE:
            out.append(
                f"Dead track: {t} is settled in a deal in only {100 * (row['agreed']['value'] or 0):.1f}% of games."
            )
    forced = report.get("decisions", {}).get("forced")
    if n >= 50 and forced and (forced["value"] or 0) > FORCED_SHARE:
        kinds = sorted(report["decisions"]["forced_by_kind"].items(), key=lambda kv: -kv[1]["count"])
        most, row = kinds[0]
        tip = "; proposals.auto_offer = true offers a full package at once" if most == "offer" else ""
        out.append(
            f"Forced decisions: {100 * forced['value']:.1f}% [{100 * forced['low']:.1f}, {100 * forced['high']:.1f}] "
            f"of {forced['n']} decisions have one legal choice, most often '{most}' "
            f"({100 * (row['value'] or 0):.1f}% of decisions){tip}."
        )
    for t, row in report["outcomes"]["tiers"].items():
        if n >= 50 and row["count"] == 0:
            out.append(f"Tier never happens: {t} (0 of {n} games; it occurs in under {100 * row['high']:.1f}%).")
    for what, rows in (("tier", report["outcomes"]["tiers"]), ("ending", report["outcomes"]["endings"])):
        for k, row in rows.items():
            if n >= 50 and (row["value"] or 0) >= SAME_END:
                out.append(f"Games almost always end the same way: {what} {k} in {100 * row['value']:.1f}% of games.")
    return out
