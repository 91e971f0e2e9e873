"""What one role may see, and a determinizer that re-deals what it may not.

An ``Observation`` holds the public board and log plus the viewer's own hand, agenda and score,
and nothing else: never the opponent's hand or agenda (unless revealed to the viewer), the
gesture deck, or the generator state. Two states that differ only in those observe the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import rng as _rng
from .actions import Action
from .engine import legal_actions
from .ruleset import Ruleset
from .scoring import true_points
from .state import Phase, State


@dataclass(frozen=True)
class Observation:
    """One role's view of a summit in progress (ids are rule-data ids; numbers are indexes/values)."""

    rules: Ruleset
    viewer: int  #: role index of the viewer
    round: int
    initiative: int
    phase: Phase
    to_move: int  #: -1 once the game is over
    meters: tuple[int, ...]  #: all meter slots (all public)
    tracks: tuple[int, ...]  #: stage index per track
    blocked: tuple[int, ...]  #: per track, last round it is blocked
    public_stakes: tuple[int, ...]  #: role * n_tracks + track, without agendas
    my_stakes: tuple[int, ...]  #: the viewer's true stakes per track (with its agenda)
    my_hand: tuple[str, ...]  #: gesture card ids, sorted
    their_hand_size: int
    my_agenda: str
    their_agenda: str | None  #: only if it was revealed to the viewer
    my_agenda_revealed: bool  #: whether the opponent has seen the viewer's agenda
    items: tuple[tuple[int, int, int], ...]  #: package being built or on the table: (giver, track, steps)
    proposer: int
    counters: int
    plays: int
    my_points: int  #: the viewer's points from deals so far, at its true stakes
    event: str | None  #: this round's event card id
    events_left: int  #: event cards left before the deck is reshuffled
    gesture_deck_size: int
    log: tuple[str, ...]  #: public history: 'event ID' and action notations, oldest first
    legal: tuple[Action, ...]  #: the viewer's legal actions (empty when it is not to move)

    @property
    def role(self) -> str:
        """The viewer's role id."""
        return self.rules.roles[self.viewer]


def public_log(s: State) -> tuple[str, ...]:
    """The public history as text, oldest first."""
    rules = s.rules
    table = rules.actions.all
    return tuple(f"event {rules.event_ids[-1 - c]}" if c < 0 else table[c].notation() for c in s.history_list())


def observe(s: State, role: int | str) -> Observation:
    """What ``role`` may see of ``s``."""
    rules = s.rules
    r = rules.role_index(role) if isinstance(role, str) else role
    o = 1 - r
    T = rules.n_tracks
    extra = rules.agenda_stakes[s.agendas[r]]
    return Observation(
        rules=rules,
        viewer=r,
        round=s.round,
        initiative=s.initiative,
        phase=s.phase,
        to_move=s.to_move,
        meters=s.meters,
        tracks=s.tracks,
        blocked=s.blocked,
        public_stakes=s.stakes,
        my_stakes=tuple(max(0, s.stakes[r * T + t]) + extra[t] for t in range(T)),
        my_hand=tuple(rules.gesture_ids[g] for g in s.hands[r]),
        their_hand_size=len(s.hands[o]),
        my_agenda=rules.agenda_ids[s.agendas[r]],
        their_agenda=rules.agenda_ids[s.agendas[o]] if s.revealed[o] else None,
        my_agenda_revealed=s.revealed[r],
        items=s.items,
        proposer=s.proposer,
        counters=s.counters,
        plays=s.plays,
        my_points=true_points(s, r),
        event=rules.event_ids[s.event] if s.event >= 0 else None,
        events_left=len(s.edeck),
        gesture_deck_size=len(s.gdeck),
        log=public_log(s),
        legal=legal_actions(s) if s.to_move == r else (),
    )


def determinize(s: State, role: int | str, rng: random.Random) -> State:
    """A state ``role`` cannot tell from ``s``: the opponent's hand and (unrevealed) agenda are
    re-dealt from what ``role`` cannot see, and the chance generator is reseeded, all from ``rng``
    (the caller's own stream), so a search neither peeks nor shifts the real draws."""
    rules = s.rules
    r = rules.role_index(role) if isinstance(role, str) else role
    o = 1 - r
    n = s.clone()
    unseen = list(s.gdeck) + list(s.hands[o])
    rng.shuffle(unseen)
    k = len(s.hands[o])
    hand = tuple(sorted(unseen[:k]))
    n.gdeck = tuple(sorted(unseen[k:]))
    n.hands = (s.hands[0], hand) if o == 1 else (hand, s.hands[1])
    if not s.revealed[o]:
        choices = [a for a in rules.agenda_allowed[o] if a != s.agendas[r]]
        agenda = rng.choice(choices)
        n.agendas = (s.agendas[0], agenda) if o == 1 else (agenda, s.agendas[1])
    n.rng = _rng.seed_state(rng.getrandbits(64))
    return n
