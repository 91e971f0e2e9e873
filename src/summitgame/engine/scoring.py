"""Outcome tiers and role scores from a final state.

Score = points from deals (by the role's true, agenda-adjusted stakes) + the tier's bonus
− the walk-out penalty (if that role walked out) − per-role meter penalties at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul

from ..errors import SummitError
from ..rules.effects import first_tier
from ..rules.ruleset import Ruleset
from .state import EndReason, State


@dataclass(frozen=True)
class Outcome:
    """How a summit ended: tier, reason, scores and winner (None for a tie)."""

    tier: str
    tier_name: str
    reason: EndReason
    walkouts: tuple[str, ...]
    rounds_played: int
    scores: dict[str, int]
    winner: str | None
    agendas: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form."""
        return {
            "tier": self.tier,
            "reason": self.reason.label,
            "walkouts": list(self.walkouts),
            "rounds_played": self.rounds_played,
            "scores": dict(self.scores),
            "winner": self.winner,
            "agendas": dict(self.agendas),
        }


def tier_index(s: State) -> int:
    """Index (in check order) of the first tier whose conditions hold."""
    rules = s.rules
    return first_tier(rules.tier_any, rules.tier_all, s.meters, s.tracks, s.gained, s.round, s.end)


def true_points(s: State, role: int) -> int:
    """Points from deals so far at the role's true stakes (public stakes plus its secret agenda)."""
    return points_with_agenda(s.rules, role, s.agendas[role], s.points, s.net)


def points_with_agenda(rules: Ruleset, role: int, agenda: int, points: tuple[int, int], net: tuple[int, ...]) -> int:
    """``role``'s deal points at public stakes plus what agenda ``agenda`` adds for its net steps: the
    one formula behind ``true_points`` and what a viewer knows of its own (``observation``)."""
    T = rules.n_tracks
    mine = role * T
    extra: int = sum(map(mul, rules.agenda_stakes[agenda], net[mine : mine + T]))
    return points[role] + extra


def score_parts(s: State, role: int, tier: int) -> tuple[int, int, int, int]:
    """A role's score if the summit ended now in the given tier, term by term (``scores`` adds them up; the
    end screen shows them): deal points at its true stakes, the tier's bonus, minus the walk-out penalty
    (if it walked out), minus its meters' penalties."""
    rules = s.rules
    walkout = rules.walkout_penalty if role in s.walkouts else 0
    pressure = sum(per_point * s.meters[slot + role] for slot, per_point in rules.penalties)
    return true_points(s, role), rules.tier_bonus[tier], -walkout, -pressure


def scores(s: State, tier: int) -> tuple[int, int]:
    """Both roles' scores if the summit ended now in the given tier."""
    return sum(score_parts(s, 0, tier)), sum(score_parts(s, 1, tier))


def outcome(s: State) -> Outcome:
    """The outcome of a finished summit; SummitError if it is still going."""
    if s.to_move >= 0:
        raise SummitError("the summit is not over yet")
    rules = s.rules
    i = tier_index(s)
    sc = scores(s, i)
    winner = None if sc[0] == sc[1] else rules.roles[0 if sc[0] > sc[1] else 1]
    return Outcome(
        tier=rules.tier_ids[i],
        tier_name=rules.tier_names[i],
        reason=s.end,
        walkouts=tuple(rules.roles[r] for r in s.walkouts),
        rounds_played=s.round,
        scores={rules.roles[r]: sc[r] for r in (0, 1)},
        winner=winner,
        agendas={rules.roles[r]: rules.agenda_ids[s.agendas[r]] for r in (0, 1)},
    )
