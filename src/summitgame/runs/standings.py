"""The standings of a run: an order-independent summary of its finished games (rates, ratings, tiers)."""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ..rules.ruleset import Ruleset
from .plan import Entrant, PlannedGame
from .stats import bradley_terry, mean_ci_counts, wilson

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


FORFEITS_SHOWN = 20  #: forfeits listed in a summary (the first in plan order)


def summarize(
    rules: Ruleset, players: Sequence[Entrant], plan: Sequence[PlannedGame], lines: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """Order-independent summary of a plan's finished games (the same lines give the same summary); see
    ``Standings``, which makes it from lines seen one at a time."""
    table = Standings(rules, players, len(plan))
    for line in lines:
        table.add(line)
    return table.summary()


class Standings:
    """The summary of a run, kept as running sums while its lines stream past, so that a run of any length
    needs no line in memory: win/tie/loss counts, tier and end-reason counts, and for each mean with a t
    interval (scores, margins, decisions, rounds) a count of each value seen (``stats.mean_ci_counts``, the
    same figures to the last bit as the list of values). No interval of the summary needs more per game.

    ``score_rate`` is the match-points rate (win 1, tie ½; a forfeit is a loss for the forfeiter and a
    win for its opponent) with its Wilson interval; ``mean_score`` is the in-game score over the games
    not forfeited (mean, 95% t interval); ratings are Bradley–Terry on the Elo scale, mean 0, with
    ``RATING_PRIOR`` virtual tied games per pair."""

    def __init__(self, rules: Ruleset, players: Sequence[Entrant], planned: int) -> None:
        self.rules = rules
        self.players = list(players)
        self.planned = planned
        roles = rules.roles
        labels = [e.label for e in players]
        self.games = 0
        self.overall = {a: _wtl() for a in labels}
        self.cross = {(a, b): _wtl() for a in labels for b in labels if a != b}
        self.seat = {r: _wtl() for r in roles}
        self.per_role = {a: {r: _wtl() for r in roles} for a in labels}
        self.scores: dict[str, Counter[float]] = {a: Counter() for a in labels}
        self.margins: dict[tuple[str, str], Counter[float]] = {}
        self.pair_tiers: dict[tuple[str, str], Counter[str]] = {}
        self.tiers: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.decisions: Counter[float] = Counter()
        self.rounds: Counter[float] = Counter()
        #: the first forfeits by plan index (then as added), as a heap of (-index, -order, forfeit)
        self.forfeits: list[tuple[int, int, dict[str, Any]]] = []
        self.forfeit_count: Counter[str] = Counter()

    def add(self, line: dict[str, Any]) -> None:
        """Count one finished game's line (with or without its actions)."""
        roles = self.rules.roles
        self.games += 1
        who = [line["agents"][r] for r in roles]
        pair = (line["pair"][0], line["pair"][1])
        f = line.get("forfeit")
        if f:
            loser = roles.index(f["role"])
            result = [0, 0]
            result[1 - loser] = 1
            self.reasons["forfeit"] += 1
            self.forfeit_count[f["agent"]] += 1
            entry = (-line["index"], -self.games, {"game_id": line["game_id"], "index": line["index"], **f})
            if len(self.forfeits) < FORFEITS_SHOWN:
                heapq.heappush(self.forfeits, entry)
            elif entry[:2] > self.forfeits[0][:2]:
                heapq.heapreplace(self.forfeits, entry)
        else:
            o = line["outcome"]
            win = o["winner"]
            result = [1 if win == r else (0 if win is not None else -1) for r in roles]  # -1: tie
            self.tiers[o["tier"]] += 1
            self.pair_tiers.setdefault(pair, Counter())[o["tier"]] += 1
            walk = o.get("walkouts") or []
            self.reasons[o["reason"] + (f":{','.join(walk)}" if walk else "")] += 1
            self.decisions[sum(line["decisions"].values())] += 1
            self.rounds[o["rounds_played"]] += 1
            by_label = {who[i]: o["scores"][roles[i]] for i in (0, 1)}
            for a, sc in by_label.items():
                self.scores[a][sc] += 1
            self.margins.setdefault(pair, Counter())[by_label[pair[0]] - by_label[pair[1]]] += 1
        for i in (0, 1):
            col = 0 if result[i] == 1 else (1 if result[i] == -1 else 2)
            me, them = who[i], who[1 - i]
            self.overall[me][col] += 1
            self.cross[(me, them)][col] += 1
            self.per_role[me][roles[i]][col] += 1
            self.seat[roles[i]][col] += 1

    def summary(self) -> dict[str, Any]:
        """The summary of the lines added so far (``summarize``)."""
        rules, roles = self.rules, self.rules.roles
        labels = [e.label for e in self.players]
        overall, cross, reasons = self.overall, self.cross, self.reasons
        ratings = None
        played = {(a, b): (float(v[0]), float(v[1]), float(v[2])) for (a, b), v in cross.items() if a < b and any(v)}
        if played and all(any(v) for v in overall.values()):
            with contextlib.suppress(ValueError):  # players that never meet through games: no ratings
                ratings = bradley_terry(played, labels, prior=RATING_PRIOR)

        def standing(a: str) -> dict[str, Any]:
            row: dict[str, Any] = {"agent": a, **_rate(overall[a]), "forfeits": self.forfeit_count[a]}
            row["rating"] = ratings.estimate(a).as_dict(1) if ratings else None
            row["mean_score"] = mean_ci_counts(self.scores[a]).as_dict(3)
            return row

        def rank(a: str) -> tuple[float, str]:
            if ratings:
                return (-ratings.rating[a], a)
            n = sum(overall[a])
            return (-(overall[a][0] + overall[a][1] / 2) / n if n else 0.0, a)

        n_done = self.games - reasons["forfeit"]
        pairs = []
        for a, b in itertools.combinations(labels, 2):
            v = cross[(a, b)]
            entry: dict[str, Any] = {
                "agents": [a, b],
                "games": sum(v),
                "wins": {a: v[0], b: v[2]},
                "ties": v[1],
                "score_rate": wilson(v[0] + v[1] / 2, sum(v)).as_dict(),
                "margin": mean_ci_counts(self.margins.get((a, b), Counter())).as_dict(3),
                "tiers": {t: self.pair_tiers.get((a, b), Counter())[t] for t in rules.tier_ids},
            }
            if ratings:
                entry["rating_difference"] = ratings.difference(a, b).as_dict(1)
            pairs.append(entry)
        return {
            "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
            "agents": {e.label: e.spec for e in self.players},
            "roles": list(roles),
            "games": {"planned": self.planned, "played": self.games, "forfeits": reasons["forfeit"]},
            "standings": [standing(a) for a in sorted(labels, key=rank)],
            "crosstable": {a: {b: _rate(cross[(a, b)]) for b in labels if b != a} for a in labels},
            "pairs": pairs,
            "seats": {r: _rate(self.seat[r]) for r in roles},
            "per_role": {a: {r: _rate(self.per_role[a][r]) for r in roles} for a in labels},
            "tiers": {t: self.tiers[t] for t in rules.tier_ids},
            "tier_shares": {t: round(self.tiers[t] / n_done, 4) if n_done else None for t in rules.tier_ids},
            "end_reasons": dict(sorted(reasons.items())),
            "mean_decisions": mean_ci_counts(self.decisions).as_dict(2),
            "mean_rounds": mean_ci_counts(self.rounds).as_dict(2),
            "ratings": {"scale": "Elo (Bradley–Terry, 400·log10 odds), mean 0", "prior_ties_per_pair": RATING_PRIOR},
            "forfeit_errors": [f for *_, f in sorted(self.forfeits, key=lambda e: e[:2], reverse=True)],
        }
