"""The one interpreter of card effects and conditions: their typed compiled values, and how each applies.

``ruleset.compile_effect`` and ``ruleset.compile_condition`` turn the schema's effects into these values
(ids resolved to indexes, ``who`` to a role index or SELF / OTHER / BOTH); this module gives them meaning.
The interpreter (``run``) works on a bare board: meters and tracks as lists it moves in place, conditions
read from them, and the rest of the board (stakes, hands, blocks, reveals) handed to a ``Sink``. The engine
applies effects to a state through ``apply_effects`` (its sink changes the state, drawing cards from the
state's generator); an agent pricing a card runs the very same code with a ``Tally`` as its sink, which
counts cards and reveals, so the agents' fast path cannot drift from the rules.

Adding an effect kind is one schema class, one class here (its fields and ``apply``), and a branch each in
``ruleset.compile_effect``, ``describe.Describer.effect`` and ``crossref.Checker.effects`` (mypy fails until
all three handle it; ``tests/rules/test_effects.py`` checks every schema kind has its class here). This module imports
nothing of the engine's but ``rng``, so the rules side (compiling) and the engine side (applying) both sit on it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from .. import rng as _rng

SELF, OTHER, BOTH = -1, -2, -3
WHO = {"self": SELF, "other": OTHER, "both": BOTH}


class EndReason(enum.IntEnum):
    """Why a summit ended; engine-defined (tiers, which are data, are decided from it)."""

    NONE = 0  #: not ended yet
    LAST_ROUND = 1  #: the last round was played out
    WALKOUT = 2  #: a leader's per-role meter reached its walk-out limit
    BREAKDOWN = 3  #: a shared meter fell to its breakdown level

    @property
    def label(self) -> str:
        """The name used in rule data and reports ('last_round', 'walkout', 'breakdown')."""
        return self.name.lower()


def targets(who: int, me: int) -> tuple[int, ...]:
    """The role indexes ``who`` denotes when ``me`` is acting."""
    if who == SELF:
        return (me,)
    if who == OTHER:
        return (1 - me,)
    if who == BOTH:
        return (0, 1)
    return (who,)


def _one(who: int, me: int) -> int:
    """The one role a condition reads: ``targets(who, me)[0]``, without building the tuple."""
    if who == SELF:
        return me
    if who == OTHER:
        return 1 - me
    if who == BOTH:
        return 0
    return who


# --- conditions ----------------------------------------------------------------------------------------


class Condition:
    """A compiled condition. ``test`` reads a board (meters, tracks, who gained this round, the round and why
    the summit ended) for acting role ``me``; tiers are read for role 0."""

    __slots__ = ()
    kind: ClassVar[str]  #: the schema's ``kind`` this compiles
    reads_gained: ClassVar[bool] = False  #: whether ``test`` reads who gained this round

    def test(
        self, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int, me: int
    ) -> bool:
        """Whether the condition holds on this board."""
        raise NotImplementedError

    def stage_marks(self, n_tracks: int) -> tuple[tuple[int, int], ...]:
        """(track, stage) pairs where ``test`` may change as that track reaches that stage (for memoising)."""
        return ()

    def meter_slots(self) -> tuple[int, ...]:
        """The meter slots ``test`` may read."""
        return ()


@dataclass(frozen=True, slots=True)
class MeterIs(Condition):
    """A meter lies in ``lo..hi`` (a per-role meter read for the role ``who`` names)."""

    kind: ClassVar[str] = "meter"
    slot: int  #: first meter slot
    per_role: bool
    who: int
    lo: int
    hi: int

    def test(
        self, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int, me: int
    ) -> bool:
        value = meters[self.slot + _one(self.who, me)] if self.per_role else meters[self.slot]
        return self.lo <= value <= self.hi

    def meter_slots(self) -> tuple[int, ...]:
        return (self.slot, self.slot + 1) if self.per_role else (self.slot,)


@dataclass(frozen=True, slots=True)
class TrackIs(Condition):
    """A track's stage index lies in ``lo..hi``."""

    kind: ClassVar[str] = "track"
    track: int
    lo: int
    hi: int

    def test(
        self, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int, me: int
    ) -> bool:
        return self.lo <= tracks[self.track] <= self.hi

    def stage_marks(self, n_tracks: int) -> tuple[tuple[int, int], ...]:
        return ((self.track, self.lo), (self.track, self.hi + 1))


@dataclass(frozen=True, slots=True)
class TracksReach(Condition):
    """At least ``count`` tracks have reached stage index ``stage``."""

    kind: ClassVar[str] = "tracks"
    stage: int
    count: int

    def test(
        self, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int, me: int
    ) -> bool:
        stage = self.stage
        return sum(1 for x in tracks if x >= stage) >= self.count

    def stage_marks(self, n_tracks: int) -> tuple[tuple[int, int], ...]:
        return tuple((t, self.stage) for t in range(n_tracks))


@dataclass(frozen=True, slots=True)
class GainedIs(Condition):
    """Whether the role ``who`` names gained in a deal this round is ``value``."""

    kind: ClassVar[str] = "gained"
    reads_gained: ClassVar[bool] = True
    who: int
    value: bool

    def test(
        self, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int, me: int
    ) -> bool:
        return gained[_one(self.who, me)] == self.value


@dataclass(frozen=True, slots=True)
class RoundIs(Condition):
    """The round lies in ``lo..hi``."""

    kind: ClassVar[str] = "round"
    lo: int
    hi: int

    def test(
        self, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int, me: int
    ) -> bool:
        return self.lo <= rnd <= self.hi


@dataclass(frozen=True, slots=True)
class EndedIs(Condition):
    """The summit ended for one of ``reasons`` (read by tiers only)."""

    kind: ClassVar[str] = "ended_by"
    reasons: frozenset[EndReason]

    def test(
        self, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int, me: int
    ) -> bool:
        return end in self.reasons


CONDITIONS: tuple[type[Condition], ...] = (MeterIs, TrackIs, TracksReach, GainedIs, RoundIs, EndedIs)
"""Every condition kind, one class each."""


# --- effects --------------------------------------------------------------------------------------------


class Sink(Protocol):
    """Where ``run`` sends what effects do beyond meters and tracks."""

    def stake(self, role: int, track: int, by: int) -> None:
        """Change ``role``'s public stake in ``track`` by ``by`` (never below 0)."""

    def draw(self, role: int, count: int) -> None:
        """``role`` draws up to ``count`` gesture cards."""

    def discard(self, role: int, count: int) -> None:
        """``role`` discards up to ``count`` cards at random."""

    def block(self, track: int, rounds: int) -> None:
        """Take ``track`` off the table for ``rounds`` rounds, this one included."""

    def reveal(self, role: int) -> None:
        """Show ``role``'s agenda to the other side."""


@dataclass(frozen=True, slots=True)
class Effect:
    """A compiled effect: applies when every condition in ``when`` holds (checked as it comes to apply)."""

    kind: ClassVar[str]  #: the schema's ``kind`` this compiles
    when: tuple[Condition, ...]

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        """Apply for acting role ``me``: move ``meters`` and ``tracks`` in place, the rest through ``sink``."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class MoveMeter(Effect):
    """Change a meter by ``by``, kept within its bounds ``lo..hi`` (a per-role meter for the roles ``who`` names)."""

    kind: ClassVar[str] = "change_meter"
    slot: int  #: first meter slot
    per_role: bool
    who: int
    by: int
    lo: int
    hi: int

    def slots(self, me: int) -> tuple[int, ...]:
        """The meter slots this effect moves when ``me`` acts, in the order it moves them."""
        return tuple(self.slot + r for r in targets(self.who, me)) if self.per_role else (self.slot,)

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        lo, hi, by, slot = self.lo, self.hi, self.by, self.slot
        if not self.per_role:
            meters[slot] = min(hi, max(lo, meters[slot] + by))
        elif self.who == BOTH:  # as ``slots`` says, without building the tuple
            meters[slot] = min(hi, max(lo, meters[slot] + by))
            meters[slot + 1] = min(hi, max(lo, meters[slot + 1] + by))
        else:
            slot += _one(self.who, me)
            meters[slot] = min(hi, max(lo, meters[slot] + by))


@dataclass(frozen=True, slots=True)
class MoveTrack(Effect):
    """Move a track by ``by`` stages, kept within ``0..top``."""

    kind: ClassVar[str] = "change_track"
    track: int
    by: int
    top: int  #: the last stage index

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        t = self.track
        tracks[t] = min(self.top, max(0, tracks[t] + self.by))


@dataclass(frozen=True, slots=True)
class MoveStake(Effect):
    """Change the public stake in a track of the roles ``who`` names by ``by``."""

    kind: ClassVar[str] = "change_stake"
    track: int
    who: int
    by: int

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        for r in targets(self.who, me):
            sink.stake(r, self.track, self.by)


@dataclass(frozen=True, slots=True)
class DrawCards(Effect):
    """The roles ``who`` names draw ``count`` gesture cards each."""

    kind: ClassVar[str] = "draw"
    who: int
    count: int

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        for r in targets(self.who, me):
            sink.draw(r, self.count)


@dataclass(frozen=True, slots=True)
class DiscardCards(Effect):
    """The roles ``who`` names discard ``count`` cards each at random."""

    kind: ClassVar[str] = "discard"
    who: int
    count: int

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        for r in targets(self.who, me):
            sink.discard(r, self.count)


@dataclass(frozen=True, slots=True)
class Block(Effect):
    """Take a track off the table for ``rounds`` rounds."""

    kind: ClassVar[str] = "block_track"
    track: int
    rounds: int

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        sink.block(self.track, self.rounds)


@dataclass(frozen=True, slots=True)
class Reveal(Effect):
    """Show the agendas of the roles ``who`` names to their opponents."""

    kind: ClassVar[str] = "reveal_agenda"
    who: int

    def apply(self, meters: list[int], tracks: list[int], me: int, sink: Sink) -> None:
        for r in targets(self.who, me):
            sink.reveal(r)


EFFECTS: tuple[type[Effect], ...] = (MoveMeter, MoveTrack, MoveStake, DrawCards, DiscardCards, Block, Reveal)
"""Every effect kind, one class each."""


# --- the interpreter ------------------------------------------------------------------------------------


def run(
    effects: Sequence[Effect],
    meters: list[int],
    tracks: list[int],
    gained: Sequence[bool],
    rnd: int,
    end: int,
    me: int,
    sink: Sink,
) -> None:
    """Apply ``effects`` in order for acting role ``me``, each only if its conditions hold on the board as the
    effects before it left it."""
    for e in effects:
        for c in e.when:  # loops, not all(...): this is the engine's and the agents' inner loop
            if not c.test(meters, tracks, gained, rnd, end, me):
                break
        else:
            e.apply(meters, tracks, me, sink)


def first_tier(
    tier_any: Sequence[Sequence[Condition]],
    tier_all: Sequence[Sequence[Condition]],
    meters: Sequence[int],
    tracks: Sequence[int],
    gained: Sequence[bool],
    rnd: int,
    end: int,
) -> int:
    """Index (in check order) of the first tier whose conditions hold on this board: one of its ``any`` (if it
    has some) and all of its ``all``, read for role 0. The last tier when none does (validated rules end with a
    tier without conditions)."""
    for i, any_ in enumerate(tier_any):
        if any_:
            for c in any_:
                if c.test(meters, tracks, gained, rnd, end, 0):
                    break
            else:
                continue
        for c in tier_all[i]:
            if not c.test(meters, tracks, gained, rnd, end, 0):
                break
        else:
            return i
    return len(tier_any) - 1


class _Ignore:
    """A sink that drops everything but meters and tracks."""

    __slots__ = ()

    def stake(self, role: int, track: int, by: int) -> None:
        pass

    def draw(self, role: int, count: int) -> None:
        pass

    def discard(self, role: int, count: int) -> None:
        pass

    def block(self, track: int, rounds: int) -> None:
        pass

    def reveal(self, role: int) -> None:
        pass


class Tally(_Ignore):
    """A sink for pricing effects without a state: cards gained (drawn less discarded, before any hand limit) and
    agendas revealed, per role. Stakes and blocks shape later rounds only, so they are not counted."""

    __slots__ = ("cards", "revealed")

    def __init__(self) -> None:
        self.cards = [0, 0]
        self.revealed = [False, False]

    def draw(self, role: int, count: int) -> None:
        self.cards[role] += count

    def discard(self, role: int, count: int) -> None:
        self.cards[role] -= count

    def reveal(self, role: int) -> None:
        self.revealed[role] = True


IGNORE: Sink = _Ignore()
"""The sink for a board-only run: meters and tracks move, nothing else is kept."""


# --- on a game state ------------------------------------------------------------------------------------


class Limits(Protocol):
    """What applying effects to a state reads of its rules (``ruleset.Ruleset`` is one)."""

    @property
    def hand_limit(self) -> int: ...

    @property
    def n_tracks(self) -> int: ...


class Board(Protocol):
    """What applying effects reads and writes of a game state (``state.State`` is one)."""

    @property
    def rules(self) -> Limits: ...

    round: int
    end: EndReason
    gained: tuple[bool, bool]
    meters: tuple[int, ...]
    tracks: tuple[int, ...]
    blocked: tuple[int, ...]
    stakes: tuple[int, ...]
    revealed: tuple[bool, bool]
    hands: tuple[tuple[int, ...], tuple[int, ...]]
    gdeck: tuple[int, ...]
    rng: int


def holds(c: Condition, s: Board, me: int) -> bool:
    """Whether a compiled condition holds in state ``s`` for acting role ``me``."""
    return c.test(s.meters, s.tracks, s.gained, s.round, s.end, me)


def draw_cards(s: Board, role: int, count: int) -> None:
    """Move up to ``count`` random cards from the gesture deck to a hand (hand limit applies)."""
    hand = s.hands[role]
    n = min(count, s.rules.hand_limit - len(hand), len(s.gdeck))
    if n <= 0:  # a full hand or an empty deck: nothing is drawn and the generator does not move
        return
    new = list(hand)
    deck = list(s.gdeck)
    rng = s.rng
    for _ in range(n):
        rng, i = _rng.below(rng, len(deck))
        new.append(deck.pop(i))
    new.sort()
    s.rng = rng
    s.gdeck = tuple(deck)
    s.hands = (tuple(new), s.hands[1]) if role == 0 else (s.hands[0], tuple(new))


class _OnState:
    """The engine's sink: stakes, hands, blocks and reveals change on the state (cards drawn by its generator)."""

    __slots__ = ("s",)

    def __init__(self, s: Board) -> None:
        self.s = s

    def stake(self, role: int, track: int, by: int) -> None:
        s = self.s
        st = list(s.stakes)
        i = role * s.rules.n_tracks + track
        st[i] = max(0, st[i] + by)
        s.stakes = tuple(st)

    def draw(self, role: int, count: int) -> None:
        draw_cards(self.s, role, count)

    def discard(self, role: int, count: int) -> None:
        s = self.s
        hand = list(s.hands[role])
        deck = list(s.gdeck)
        for _ in range(count):
            if not hand:
                break
            s.rng, i = _rng.below(s.rng, len(hand))
            deck.append(hand.pop(i))
        deck.sort()
        s.gdeck = tuple(deck)
        s.hands = (tuple(hand), s.hands[1]) if role == 0 else (s.hands[0], tuple(hand))

    def block(self, track: int, rounds: int) -> None:
        s = self.s
        b = list(s.blocked)
        b[track] = max(b[track], s.round + rounds - 1)
        s.blocked = tuple(b)

    def reveal(self, role: int) -> None:
        s = self.s
        rev = list(s.revealed)
        rev[role] = True
        s.revealed = (rev[0], rev[1])


def apply_effects(s: Board, effects: Sequence[Effect], me: int) -> None:
    """Apply compiled effects to ``s`` in place (``s`` must be a fresh clone the caller owns)."""
    if not effects:
        return
    meters = list(s.meters)
    tracks = list(s.tracks)
    run(effects, meters, tracks, s.gained, s.round, s.end, me, _OnState(s))
    s.meters = tuple(meters)
    s.tracks = tuple(tracks)


def apply_effects_each(s: Board, effects: Sequence[Effect]) -> None:
    """``apply_effects(s, effects, 0)`` then ``apply_effects(s, effects, 1)`` (end-of-round effects), with one copy
    of the board: the second run reads the board as the first left it, exactly as two calls would."""
    if not effects:
        return
    meters = list(s.meters)
    tracks = list(s.tracks)
    sink = _OnState(s)
    run(effects, meters, tracks, s.gained, s.round, s.end, 0, sink)
    run(effects, meters, tracks, s.gained, s.round, s.end, 1, sink)
    s.meters = tuple(meters)
    s.tracks = tuple(tracks)
