"""Random-vs-random playouts and their outcome distribution (the engine's smoke test for designers)."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..engine.forward import apply_unchecked, legal_actions, new_game
from ..engine.scoring import Outcome, outcome
from ..rng import agent_seed, deal_seed
from ..rules.ruleset import Ruleset

game_seed = deal_seed  #: the deal seed of game ``i`` of a run started with ``seed`` (the old name of ``rng.deal_seed``)


def random_playout(rules: Ruleset, seed: int, chooser_seed: int | None = None) -> tuple[Outcome, int]:
    """Play one game with uniformly random legal actions; return its outcome and decision count.

    The chooser has its own random stream, so it never disturbs the game's chance draws."""
    s = new_game(rules, seed)
    pick = random.Random(seed if chooser_seed is None else chooser_seed).choice
    while s.to_move >= 0:
        s = apply_unchecked(s, pick(legal_actions(s)))
    return outcome(s), s.moves


@dataclass
class Summary:
    """Tallies over many finished games."""

    rules: Ruleset
    games: int = 0
    tiers: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    winners: Counter[str] = field(default_factory=Counter)
    rounds: Counter[int] = field(default_factory=Counter)
    score_sums: Counter[str] = field(default_factory=Counter)
    decisions: int = 0
    seconds: float = 0.0

    def add(self, o: Outcome, decisions: int) -> None:
        self.games += 1
        self.tiers[o.tier] += 1
        reason = o.reason.label + (f":{','.join(o.walkouts)}" if o.walkouts else "")
        self.reasons[reason] += 1
        self.winners[o.winner or "tie"] += 1
        self.rounds[o.rounds_played] += 1
        for role, sc in o.scores.items():
            self.score_sums[role] += sc
        self.decisions += decisions

    def as_dict(self) -> dict[str, Any]:
        n = max(self.games, 1)
        return {
            "rules": {"name": self.rules.name, "fingerprint": self.rules.fingerprint},
            "games": self.games,
            "tiers": {t: self.tiers.get(t, 0) for t in self.rules.tier_ids},
            "tier_shares": {t: round(self.tiers.get(t, 0) / n, 4) for t in self.rules.tier_ids},
            "end_reasons": dict(sorted(self.reasons.items())),
            "winners": {r: self.winners.get(r, 0) for r in (*self.rules.roles, "tie")},
            "mean_score": {r: round(self.score_sums[r] / n, 3) for r in self.rules.roles},
            "rounds_played": {str(k): v for k, v in sorted(self.rounds.items())},
            "mean_decisions": round(self.decisions / n, 2),
            "games_per_second": round(self.games / self.seconds, 1) if self.seconds else None,
        }


def simulate(rules: Ruleset, games: int, seed: int = 0) -> Summary:
    """Play ``games`` random-vs-random games from run seed ``seed``; same arguments, same summary.

    Game ``i`` is deal ``rng.deal_seed(seed, i)``; its chooser (one stream for both seats) has the seat-0
    agent stream of that game, so it is independent of the deal."""
    summary = Summary(rules)
    start = time.perf_counter()
    for i in range(games):
        o, n = random_playout(rules, deal_seed(seed, i), agent_seed(seed, i, 0))
        summary.add(o, n)
    summary.seconds = time.perf_counter() - start
    return summary
