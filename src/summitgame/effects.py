"""The closed vocabulary of card effects and conditions: compiled from the schema, applied to a state.

Adding an effect kind is one schema class, one compile branch and one apply branch here.
Compiled forms are plain tuples ``(opcode, conditions, *params)`` so applying them is cheap.
``who`` is compiled to a role index, or SELF / OTHER / BOTH resolved against the acting role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import rng as _rng
from .schema import (
    BlockTrack,
    ChangeMeter,
    ChangeStake,
    ChangeTrack,
    Condition,
    Discard,
    Draw,
    Effect,
    EndedByCondition,
    GainedCondition,
    MeterCondition,
    RevealAgenda,
    RoundCondition,
    TrackCondition,
    TracksCondition,
)

if TYPE_CHECKING:
    from .state import State

SELF, OTHER, BOTH = -1, -2, -3
WHO = {"self": SELF, "other": OTHER, "both": BOTH}

# effect opcodes
METER, TRACK, STAKE, DRAW, DISCARD, BLOCK, REVEAL = range(7)
# condition opcodes
C_METER, C_TRACK, C_TRACKS, C_GAINED, C_ROUND, C_ENDED = range(6)

Compiled = tuple[Any, ...]


class Names:
    """Id → index lookups the compiler needs."""

    def __init__(
        self,
        roles: Sequence[str],
        tracks: Sequence[str],
        stages: Sequence[str],
        meter_slot: Mapping[str, tuple[int, bool]],
        meter_bounds: Mapping[str, tuple[int, int]],
        rounds: int,
    ) -> None:
        self.roles = {r: i for i, r in enumerate(roles)}
        self.tracks = {t: i for i, t in enumerate(tracks)}
        self.stages = {s: i for i, s in enumerate(stages)}
        self.meter_slot = meter_slot
        self.meter_bounds = meter_bounds
        self.rounds = rounds
        self.n_stages = len(stages)

    def who(self, who: str) -> int:
        return WHO[who] if who in WHO else self.roles[who]


def compile_condition(c: Condition, n: Names) -> Compiled:
    """A condition as a tuple the engine can evaluate quickly."""
    if isinstance(c, MeterCondition):
        slot, per_role = n.meter_slot[c.meter]
        lo, hi = n.meter_bounds[c.meter]
        return (
            C_METER,
            slot,
            per_role,
            n.who(c.who),
            lo if c.at_least is None else c.at_least,
            hi if c.at_most is None else c.at_most,
        )
    if isinstance(c, TrackCondition):
        lo = 0 if c.at_least is None else n.stages[c.at_least]
        hi = n.n_stages - 1 if c.at_most is None else n.stages[c.at_most]
        return (C_TRACK, n.tracks[c.track], lo, hi)
    if isinstance(c, TracksCondition):
        return (C_TRACKS, n.stages[c.at_least], c.count)
    if isinstance(c, GainedCondition):
        return (C_GAINED, n.who(c.who), c.value)
    if isinstance(c, RoundCondition):
        return (C_ROUND, c.at_least or 1, c.at_most or n.rounds)
    if isinstance(c, EndedByCondition):
        from .state import EndReason

        return (C_ENDED, frozenset(EndReason[r.upper()] for r in c.reasons))
    raise AssertionError(f"unhandled condition {c!r}")


def compile_effect(e: Effect, n: Names) -> Compiled:
    """An effect as a tuple the engine can apply quickly."""
    when = tuple(compile_condition(c, n) for c in e.when)
    if isinstance(e, ChangeMeter):
        slot, per_role = n.meter_slot[e.meter]
        return (METER, when, slot, per_role, n.who(e.who), e.by)
    if isinstance(e, ChangeTrack):
        return (TRACK, when, n.tracks[e.track], e.by)
    if isinstance(e, ChangeStake):
        return (STAKE, when, n.tracks[e.track], n.who(e.who), e.by)
    if isinstance(e, Draw):
        return (DRAW, when, n.who(e.who), e.count)
    if isinstance(e, Discard):
        return (DISCARD, when, n.who(e.who), e.count)
    if isinstance(e, BlockTrack):
        return (BLOCK, when, n.tracks[e.track], e.rounds)
    if isinstance(e, RevealAgenda):
        return (REVEAL, when, n.who(e.who))
    raise AssertionError(f"unhandled effect {e!r}")


def targets(who: int, me: int) -> tuple[int, ...]:
    """The role indexes ``who`` denotes when ``me`` is acting."""
    if who == SELF:
        return (me,)
    if who == OTHER:
        return (1 - me,)
    if who == BOTH:
        return (0, 1)
    return (who,)


def holds(c: Compiled, s: State, me: int) -> bool:
    """Whether a compiled condition holds in state ``s`` for acting role ``me``."""
    op = c[0]
    if op == C_METER:
        _, slot, per_role, who, lo, hi = c
        value = s.meters[slot + targets(who, me)[0]] if per_role else s.meters[slot]
        return bool(lo <= value <= hi)
    if op == C_TRACK:
        return bool(c[2] <= s.tracks[c[1]] <= c[3])
    if op == C_TRACKS:
        stage = c[1]
        return bool(sum(1 for x in s.tracks if x >= stage) >= c[2])
    if op == C_GAINED:
        return bool(s.gained[targets(c[1], me)[0]] == c[2])
    if op == C_ROUND:
        return bool(c[1] <= s.round <= c[2])
    if op == C_ENDED:
        return s.end in c[1]
    raise AssertionError(f"unknown condition opcode {op}")


def draw_cards(s: State, role: int, count: int) -> None:
    """Move up to ``count`` random cards from the gesture deck to a hand (hand limit applies)."""
    hand = list(s.hands[role])
    deck = list(s.gdeck)
    rng = s.rng
    limit = s.rules.hand_limit
    for _ in range(count):
        if not deck or len(hand) >= limit:
            break
        rng, i = _rng.below(rng, len(deck))
        hand.append(deck.pop(i))
    hand.sort()
    s.rng = rng
    s.gdeck = tuple(deck)
    s.hands = (tuple(hand), s.hands[1]) if role == 0 else (s.hands[0], tuple(hand))


def apply_effects(s: State, effects: Sequence[Compiled], me: int) -> None:
    """Apply compiled effects to ``s`` in place (``s`` must be a fresh clone the caller owns)."""
    rules = s.rules
    for e in effects:
        when = e[1]
        if when and not all(holds(c, s, me) for c in when):
            continue
        op = e[0]
        if op == METER:
            _, _, slot, per_role, who, by = e
            m = list(s.meters)
            for i in (slot + r for r in targets(who, me)) if per_role else (slot,):
                m[i] = min(rules.meter_max[i], max(rules.meter_min[i], m[i] + by))
            s.meters = tuple(m)
        elif op == TRACK:
            _, _, t, by = e
            tr = list(s.tracks)
            tr[t] = min(rules.top_stage, max(0, tr[t] + by))
            s.tracks = tuple(tr)
        elif op == STAKE:
            _, _, t, who, by = e
            st = list(s.stakes)
            for r in targets(who, me):
                i = r * rules.n_tracks + t
                st[i] = max(0, st[i] + by)
            s.stakes = tuple(st)
        elif op == DRAW:
            for r in targets(e[2], me):
                draw_cards(s, r, e[3])
        elif op == DISCARD:
            for r in targets(e[2], me):
                hand = list(s.hands[r])
                deck = list(s.gdeck)
                for _ in range(e[3]):
                    if not hand:
                        break
                    s.rng, i = _rng.below(s.rng, len(hand))
                    deck.append(hand.pop(i))
                deck.sort()
                s.gdeck = tuple(deck)
                s.hands = (tuple(hand), s.hands[1]) if r == 0 else (s.hands[0], tuple(hand))
        elif op == BLOCK:
            _, _, t, rounds = e
            b = list(s.blocked)
            b[t] = max(b[t], s.round + rounds - 1)
            s.blocked = tuple(b)
        elif op == REVEAL:
            rev = list(s.revealed)
            for r in targets(e[2], me):
                rev[r] = True
            s.revealed = (rev[0], rev[1])
        else:
            raise AssertionError(f"unknown effect opcode {op}")
