"""The standings of a run: an order-independent summary of its finished games (rates, ratings, tiers)."""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..rules.ruleset import Ruleset
from .plan import Entrant, PlannedGame
from .stats import bradley_terry, mean_ci, wilson

RATING_PRIOR = 1.0  #: virtual tied games per pair in the ratings, so a perfect score stays finite


def _wtl() -> list[int]:
    return [0, 0, 0]


def _rate(wtl: Sequence[int]) -> dict[str, Any]:
    n = sum(wtl)
    return {
        "games": n,
        "wins": wtl[0],
        "ties": wtl[1],
        "losses": wtl[2],
        "win_rate": wilson(wtl[0], n).as_dict(),
        "score_rate": wilson(wtl[0] + wtl[1] / 2, n).as_dict(),
    }


def summarize(
    rules: Ruleset, players: Sequence[Entrant], plan: Sequence[PlannedGame], lines: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Order-independent summary of a plan's finished games (the same lines give the same summary).

    ``score_rate`` is the match-points rate (win 1, tie ½; a forfeit is a loss for the forfeiter and a
    win for its opponent) with its Wilson interval; ``mean_score`` is the in-game score over the games
    not forfeited (mean, 95% t interval); ratings are Bradley–Terry on the Elo scale, mean 0, with
    ``RATING_PRIOR`` virtual tied games per pair."""
    roles = rules.roles
    labels = [e.label for e in players]
    lines = sorted(lines, key=lambda ln: ln["index"])
    overall = {a: _wtl() for a in labels}
    cross = {(a, b): _wtl() for a in labels for b in labels if a != b}
    seat = {r: _wtl() for r in roles}
    per_role = {a: {r: _wtl() for r in roles} for a in labels}
    scores: dict[str, list[float]] = {a: [] for a in labels}
    margins: dict[tuple[str, str], list[float]] = {}
    pair_tiers: dict[tuple[str, str], Counter[str]] = {}
    tiers: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    decisions: list[float] = []
    rounds: list[float] = []
    forfeits: list[dict[str, Any]] = []
    forfeit_count: Counter[str] = Counter()
    for line in lines:
        who = [line["agents"][r] for r in roles]
        pair = (line["pair"][0], line["pair"][1])
        f = line.get("forfeit")
        if f:
            loser = roles.index(f["role"])
            result = [0, 0]
            result[1 - loser] = 1
            reasons["forfeit"] += 1
            forfeit_count[f["agent"]] += 1
            forfeits.append({"game_id": line["game_id"], "index": line["index"], **f})
        else:
            o = line["outcome"]
            win = o["winner"]
            result = [1 if win == r else (0 if win is not None else -1) for r in roles]  # -1: tie
            tiers[o["tier"]] += 1
            pair_tiers.setdefault(pair, Counter())[o["tier"]] += 1
            walk = o.get("walkouts") or []
            reasons[o["reason"] + (f":{','.join(walk)}" if walk else "")] += 1
            decisions.append(sum(line["decisions"].values()))
            rounds.append(o["rounds_played"])
            by_label = {who[i]: o["scores"][roles[i]] for i in (0, 1)}
            for a, sc in by_label.items():
                scores[a].append(sc)
            margins.setdefault(pair, []).append(by_label[pair[0]] - by_label[pair[1]])
        for i in (0, 1):
            col = 0 if result[i] == 1 else (1 if result[i] == -1 else 2)
            me, them = who[i], who[1 - i]
            overall[me][col] += 1
            cross[(me, them)][col] += 1
            per_role[me][roles[i]][col] += 1
            seat[roles[i]][col] += 1

    ratings = None
    played = {(a, b): (float(v[0]), float(v[1]), float(v[2])) for (a, b), v in cross.items() if a < b and any(v)}
    if played and all(any(v) for v in overall.values()):
        with contextlib.suppress(ValueError):  # players that never meet through games: no ratings
            ratings = bradley_terry(played, labels, prior=RATING_PRIOR)

    def standing(a: str) -> dict[str, Any]:
        row: dict[str, Any] = {"agent": a, **_rate(overall[a]), "forfeits": forfeit_count[a]}
        row["rating"] = ratings.estimate(a).as_dict(1) if ratings else None
        row["mean_score"] = mean_ci(scores[a]).as_dict(3)
        return row

    def rank(a: str) -> tuple[float, str]:
        if ratings:
            return (-ratings.rating[a], a)
        n = sum(overall[a])
        return (-(overall[a][0] + overall[a][1] / 2) / n if n else 0.0, a)

    n_games = len(lines)
    n_done = n_games - reasons["forfeit"]
    pairs = []
    for a, b in itertools.combinations(labels, 2):
        v = cross[(a, b)]
        entry: dict[str, Any] = {
            "agents": [a, b],
            "games": sum(v),
            "wins": {a: v[0], b: v[2]},
            "ties": v[1],
            "score_rate": wilson(v[0] + v[1] / 2, sum(v)).as_dict(),
            "margin": mean_ci(margins.get((a, b), [])).as_dict(3),
            "tiers": {t: pair_tiers.get((a, b), Counter())[t] for t in rules.tier_ids},
        }
        if ratings:
            entry["rating_difference"] = ratings.difference(a, b).as_dict(1)
        pairs.append(entry)
    return {
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
        "agents": {e.label: e.spec for e in players},
        "roles": list(roles),
        "games": {"planned": len(plan), "played": n_games, "forfeits": reasons["forfeit"]},
        "standings": [standing(a) for a in sorted(labels, key=rank)],
        "crosstable": {a: {b: _rate(cross[(a, b)]) for b in labels if b != a} for a in labels},
        "pairs": pairs,
        "seats": {r: _rate(seat[r]) for r in roles},
        "per_role": {a: {r: _rate(per_role[a][r]) for r in roles} for a in labels},
        "tiers": {t: tiers[t] for t in rules.tier_ids},
        "tier_shares": {t: round(tiers[t] / n_done, 4) if n_done else None for t in rules.tier_ids},
        "end_reasons": dict(sorted(reasons.items())),
        "mean_decisions": mean_ci(decisions).as_dict(2),
        "mean_rounds": mean_ci(rounds).as_dict(2),
        "ratings": {"scale": "Elo (Bradley–Terry, 400·log10 odds), mean 0", "prior_ties_per_pair": RATING_PRIOR},
        "forfeit_errors": forfeits[:20],
    }
