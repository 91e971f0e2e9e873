"""The game state: small, flat and cheap to copy (ints and tuples in ``__slots__``).

The state is plain data; the rules of play live in ``forward.py``. Tuples are never mutated, so a
clone shares them safely and costs one object and a handful of pointer copies.
Roles are indexes 0 and 1 (in rule-file order); meters are flattened into one tuple of slots
(see ``Ruleset.meter_slot``).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from ..rules.effects import EndReason as EndReason  # re-exported: where the engine's modules look for it

if TYPE_CHECKING:
    from ..rules.ruleset import Ruleset


class Phase(enum.IntEnum):
    """Where the round stands."""

    BUILD = 0  #: the player to move builds a package (or, as initiative, plays a gesture or passes)
    RESPOND = 1  #: the player to move answers the package on the table
    OVER = 2  #: the summit has ended


History = tuple[int, ...]
"""Everything that happened, oldest first: action codes (>= 0) and event draws (``-1 - event index``).
A tuple (copied on append, in C) so an observation can hand it on without walking a linked list."""


SLOTS = (
    "rules",
    "seed",
    "round",
    "initiative",
    "phase",
    "to_move",
    "meters",
    "tracks",
    "blocked",
    "stakes",
    "agendas",
    "revealed",
    "hands",
    "gdeck",
    "edeck",
    "rng",
    "items",
    "proposer",
    "counters",
    "plays",
    "points",
    "net",
    "gained",
    "end",
    "walkouts",
    "history",
    "event",
    "moves",
    "_legal",
)


class State:
    """Everything about one summit in progress. Treat as immutable; ``engine.apply`` returns a new one."""

    __slots__ = SLOTS

    rules: Ruleset
    seed: int  #: the seed the game was created with (for records)
    round: int  #: current round, from 1
    initiative: int  #: role index holding the initiative this round
    phase: Phase
    to_move: int  #: role index to act, or -1 when the game is over
    meters: tuple[int, ...]  #: meter slots (shared meters, then two slots per per-role meter)
    tracks: tuple[int, ...]  #: stage index of each track
    blocked: tuple[int, ...]  #: per track, the last round it is blocked (0: open)
    stakes: tuple[int, ...]  #: public stakes, role * n_tracks + track (agendas add privately)
    agendas: tuple[int, int]  #: agenda card index per role (secret)
    revealed: tuple[bool, bool]  #: whether each role's agenda has been shown to the other
    hands: tuple[tuple[int, ...], tuple[int, ...]]  #: gesture card indexes per role, sorted (secret)
    gdeck: tuple[int, ...]  #: gesture cards left to draw, sorted (secret)
    edeck: tuple[int, ...]  #: event cards not yet drawn this cycle, sorted
    rng: int  #: chance generator state (secret)
    items: tuple[tuple[int, int, int], ...]  #: package being built or on the table: (giver, track, steps)
    proposer: int  #: who built the package in ``items``
    counters: int  #: counter-proposals made this round
    plays: int  #: gestures played this turn
    points: tuple[int, int]  #: points from deals at public stakes (the agenda part comes from ``net``)
    net: tuple[int, ...]  #: per role * n_tracks + track: steps gained minus steps given
    gained: tuple[bool, bool]  #: whether each role gained in a deal this round
    end: EndReason
    walkouts: tuple[int, ...]  #: roles that walked out
    history: History
    event: int  #: index of the event drawn this round (-1 before any)
    moves: int  #: player actions taken so far
    _legal: Any  #: cached legal actions (not part of the state's value)

    def clone(self) -> State:
        """A copy to modify; tuples are shared because they are never mutated."""
        c = State.__new__(State)
        c.rules = self.rules
        c.seed = self.seed
        c.round = self.round
        c.initiative = self.initiative
        c.phase = self.phase
        c.to_move = self.to_move
        c.meters = self.meters
        c.tracks = self.tracks
        c.blocked = self.blocked
        c.stakes = self.stakes
        c.agendas = self.agendas
        c.revealed = self.revealed
        c.hands = self.hands
        c.gdeck = self.gdeck
        c.edeck = self.edeck
        c.rng = self.rng
        c.items = self.items
        c.proposer = self.proposer
        c.counters = self.counters
        c.plays = self.plays
        c.points = self.points
        c.net = self.net
        c.gained = self.gained
        c.end = self.end
        c.walkouts = self.walkouts
        c.history = self.history
        c.event = self.event
        c.moves = self.moves
        c._legal = None
        return c

    def key(self) -> tuple[Any, ...]:
        """The state's full value as a tuple (for equality, hashing and tests)."""
        return (
            self.rules.fingerprint,
            self.seed,
            self.round,
            self.initiative,
            int(self.phase),
            self.to_move,
            self.meters,
            self.tracks,
            self.blocked,
            self.stakes,
            self.agendas,
            self.revealed,
            self.hands,
            self.gdeck,
            self.edeck,
            self.rng,
            self.items,
            self.proposer,
            self.counters,
            self.plays,
            self.points,
            self.net,
            self.gained,
            int(self.end),
            self.walkouts,
            self.history,
            self.event,
            self.moves,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, State) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        # Deliberately shows no secrets (hands, agendas, RNG): a repr in a log must not leak.
        return (
            f"<State {self.rules.name!r} round {self.round} phase {self.phase.name}"
            f" to_move {self.to_move} moves {self.moves}>"
        )

    def history_list(self) -> list[int]:
        """The history, oldest first."""
        return list(self.history)
