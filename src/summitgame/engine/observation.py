"""What one role may see, and a determinizer that re-deals what it may not.

An ``Observation`` holds the public board and log plus the viewer's own hand, agenda and score,
and nothing else: never the opponent's hand or agenda (unless revealed to the viewer), the
gesture deck, or the generator state. Two states that differ only in those observe the same.
``sight`` is the one place that reads a state for a viewer: ``observe`` is its readable form, the
encoder's vector is built from it, and ``sight_of`` reads it back from an ``Observation``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from operator import add
from typing import Any

from .. import rng as _rng
from ..rules.actions import Action
from ..rules.ruleset import Ruleset
from .forward import legal_actions
from .scoring import points_with_agenda
from .state import EndReason, Phase, State


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
    public_points: tuple[int, int]  #: both roles' points at public stakes (agendas excluded)
    net: tuple[int, ...]  #: role * n_tracks + track: steps gained minus given in accepted deals
    gained: tuple[bool, bool]  #: whether each role gained in a deal this round
    end: EndReason
    walkouts: tuple[int, ...]
    history: tuple[int, ...]  #: public history as codes: actions (>= 0) and events (-1 - index)
    event: str | None  #: this round's event card id
    events_left: int  #: event cards left before the deck is reshuffled
    gesture_deck_size: int
    legal: tuple[Action, ...]  #: the viewer's legal actions (empty when it is not to move)

    @property
    def role(self) -> str:
        """The viewer's role id."""
        return self.rules.roles[self.viewer]

    @cached_property
    def sight(self) -> Sight:
        """The raw values this observation shows (``observation.sight``, as ``sight_of`` reads them back; set
        by ``observe``): what the encoder reads."""
        return sight_of(self)

    @cached_property
    def log(self) -> tuple[str, ...]:
        """The public history as text, oldest first: 'event ID' and action notations (built on demand:
        most bots never read it)."""
        return _log_text(self.rules, list(self.history))


def to_json(obs: Observation) -> dict[str, Any]:
    """``obs`` as plain JSON values, field by field and nothing more: what a program that plays over the text
    protocol sees (``protocol``, docs/protocol.md). Ids stay ids, ``phase`` and ``end`` become lower-case
    names, ``legal`` holds action codes; ``rules`` is left out (a program gets them once, in ``hello``) and
    two fields derived from the others are added: ``role`` (the viewer's id) and ``log`` (the history as text)."""
    return {
        "viewer": obs.viewer,
        "role": obs.role,
        "round": obs.round,
        "initiative": obs.initiative,
        "phase": obs.phase.name.lower(),
        "to_move": obs.to_move,
        "meters": list(obs.meters),
        "tracks": list(obs.tracks),
        "blocked": list(obs.blocked),
        "public_stakes": list(obs.public_stakes),
        "my_stakes": list(obs.my_stakes),
        "my_hand": list(obs.my_hand),
        "their_hand_size": obs.their_hand_size,
        "my_agenda": obs.my_agenda,
        "their_agenda": obs.their_agenda,
        "my_agenda_revealed": obs.my_agenda_revealed,
        "items": [list(item) for item in obs.items],
        "proposer": obs.proposer,
        "counters": obs.counters,
        "plays": obs.plays,
        "my_points": obs.my_points,
        "public_points": list(obs.public_points),
        "net": list(obs.net),
        "gained": list(obs.gained),
        "end": obs.end.label,
        "walkouts": list(obs.walkouts),
        "history": list(obs.history),
        "log": list(obs.log),
        "event": obs.event,
        "events_left": obs.events_left,
        "gesture_deck_size": obs.gesture_deck_size,
        "legal": [int(a) for a in obs.legal],
    }


def public_log(s: State) -> tuple[str, ...]:
    """The public history as text, oldest first."""
    return _log_text(s.rules, s.history_list())


def _log_text(rules: Ruleset, codes: list[int]) -> tuple[str, ...]:
    table = rules.actions.all
    return tuple(f"event {rules.event_ids[-1 - c]}" if c < 0 else table[c].notation() for c in codes)


Sight = tuple[
    int,  # viewer: role index of the viewer
    int,  # to_move
    int,  # round
    int,  # initiative
    Phase,  # phase
    tuple[int, ...],  # meters
    tuple[int, ...],  # tracks
    tuple[int, ...],  # blocked
    tuple[int, ...],  # stakes: public stakes
    tuple[int, ...],  # my_hand: the viewer's gesture indexes, sorted
    int,  # their_hand_size
    int,  # gesture_deck_size
    int,  # my_agenda: agenda index
    int,  # their_agenda: agenda index once revealed to the viewer, else -1
    bool,  # my_agenda_revealed
    tuple[tuple[int, int, int], ...],  # items
    int,  # proposer
    int,  # counters
    int,  # plays
    tuple[int, int],  # points: public points
    tuple[int, ...],  # net
    tuple[bool, bool],  # gained
    EndReason,  # end
    tuple[int, ...],  # walkouts
    int,  # event: event index, -1 before any
    tuple[int, ...],  # edeck: event cards left this cycle, sorted
    tuple[int, ...],  # history: the public history as codes
]
"""What ``sight`` returns: a flat tuple of the state fields one role may see, in this order."""


def sight(s: State, role: int) -> Sight:
    """What ``role`` may see of ``s`` as raw state values: the one place that decides it. ``observe`` is
    this made readable (ids, derived fields, legal actions); the encoder's vector is built from it.
    Each field and why the viewer may see it:

    - ``to_move, round, initiative, phase, meters, tracks, blocked, stakes, items, proposer, counters,
      plays, points, net, gained, end, walkouts, event, history``: the public board and log.
    - ``edeck``: the events still to come this deck cycle, sorted (no order): the full deck less the
      draws since the last reshuffle, all of which are in the public history.
    - ``hands[role]``, ``agendas[role]``: the viewer's own cards; ``revealed``: whether each agenda was
      shown to the other side (by a gesture's or event's effect, in the open).
    - the opponent's hand and the gesture deck: their sizes only (public counts).
    - ``agendas[other]``: only once ``revealed[other]``, else -1.

    Never read: the opponent's hand, the gesture deck's contents, an unrevealed opponent agenda, the
    generator state ``rng``, the deal seed. Two states ``determinize`` cannot tell apart for ``role``
    give equal sights (tested, and read through a guard that fails on any secret)."""
    o = 1 - role
    revealed = s.revealed
    hands = s.hands
    return (
        role,
        s.to_move,
        s.round,
        s.initiative,
        s.phase,
        s.meters,
        s.tracks,
        s.blocked,
        s.stakes,
        hands[role],
        len(hands[o]),
        len(s.gdeck),
        s.agendas[role],
        s.agendas[o] if revealed[o] else -1,
        revealed[role],
        s.items,
        s.proposer,
        s.counters,
        s.plays,
        s.points,
        s.net,
        s.gained,
        s.end,
        s.walkouts,
        s.event,
        s.edeck,
        s.history,
    )


def observe(s: State, role: int | str) -> Observation:
    """What ``role`` may see of ``s``: its ``sight`` made readable (ids for indexes, plus what follows from
    them: the viewer's true stakes and points, the events left) and its legal actions when it is to move."""
    rules = s.rules
    r = rules.role_index(role) if isinstance(role, str) else role
    v = sight(s, r)
    (_, to_move, rnd, initiative, phase, meters, tracks, blocked, stakes, hand, their_hand_size, deck_size,
     my_agenda, their_agenda, shown, items, proposer, counters, plays, points, net, gained, end, walkouts,
     event, edeck, history) = v  # fmt: skip
    T = rules.n_tracks
    mine = r * T
    # A frozen dataclass's __init__ sets ~35 fields one by one through object.__setattr__; filling
    # the instance dict directly builds the same value about four times faster (observe runs per move).
    obs = object.__new__(Observation)
    obs.__dict__.update(
        rules=rules,
        viewer=r,
        round=rnd,
        initiative=initiative,
        phase=phase,
        to_move=to_move,
        meters=meters,
        tracks=tracks,
        blocked=blocked,
        public_stakes=stakes,
        my_stakes=tuple(map(add, stakes[mine : mine + T], rules.agenda_stakes[my_agenda])),
        my_hand=tuple(map(rules.gesture_ids.__getitem__, hand)),
        their_hand_size=their_hand_size,
        my_agenda=rules.agenda_ids[my_agenda],
        their_agenda=rules.agenda_ids[their_agenda] if their_agenda >= 0 else None,
        my_agenda_revealed=shown,
        items=items,
        proposer=proposer,
        counters=counters,
        plays=plays,
        my_points=points_with_agenda(rules, r, my_agenda, points, net),
        public_points=points,
        net=net,
        gained=gained,
        end=end,
        walkouts=walkouts,
        history=history,
        event=rules.event_ids[event] if event >= 0 else None,
        events_left=len(edeck),
        gesture_deck_size=deck_size,
        legal=legal_actions(s) if to_move == r else (),
        sight=v,  # ``Observation.sight``, known already: the encoder reads it per move
    )
    return obs


def sight_of(obs: Observation) -> Sight:
    """The sight ``obs`` shows, back from its ids (``sight_of(observe(s, r)) == sight(s, r)``, tested): an
    observation's ``sight`` when ``observe`` did not set it, and what ``sample_state`` keeps of one. The events still
    to come are the full deck less the latest draws of the public history since the last reshuffle."""
    rules = obs.rules
    history = obs.history
    in_cycle = len(rules.event_pool) - obs.events_left
    if in_cycle:
        drawn = [-1 - c for c in history if c < 0]
        edeck = tuple(sorted(_multiset_minus(rules.event_pool, drawn[len(drawn) - in_cycle :])))
    else:
        edeck = tuple(sorted(rules.event_pool))
    return (
        obs.viewer,
        obs.to_move,
        obs.round,
        obs.initiative,
        obs.phase,
        obs.meters,
        obs.tracks,
        obs.blocked,
        obs.public_stakes,
        tuple(sorted(map(rules.gesture_ids.index, obs.my_hand))),
        obs.their_hand_size,
        obs.gesture_deck_size,
        rules.agenda_ids.index(obs.my_agenda),
        rules.agenda_ids.index(obs.their_agenda) if obs.their_agenda is not None else -1,
        obs.my_agenda_revealed,
        obs.items,
        obs.proposer,
        obs.counters,
        obs.plays,
        obs.public_points,
        obs.net,
        obs.gained,
        obs.end,
        obs.walkouts,
        rules.event_ids.index(obs.event) if obs.event is not None else -1,
        edeck,
        history,
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


def _multiset_minus(pool: tuple[int, ...], remove: list[int]) -> list[int]:
    left = list(pool)
    for x in remove:
        left.remove(x)
    return left


def sample_state(obs: Observation, rng: random.Random) -> State:
    """A full state consistent with everything in ``obs``: what the viewer cannot see (the
    opponent's hand and unrevealed agenda, the gesture deck, future draws) is sampled from
    ``rng``, the rest is its ``sight``. This is how a bot that holds only observations searches
    (information-set sampling)."""
    rules = obs.rules
    (r, to_move, rnd, initiative, phase, meters, tracks, blocked, stakes, my_hand, their_hand_size, _,
     my_agenda, their_agenda, they_know, items, proposer, counters, plays, points, net, gained, end, walkouts,
     event, edeck, history) = obs.sight  # fmt: skip
    o = 1 - r
    s = State.__new__(State)
    s.rules = rules
    s.seed = 0
    s.round = rnd
    s.initiative = initiative
    s.phase = phase
    s.to_move = to_move
    s.meters = meters
    s.tracks = tracks
    s.blocked = blocked
    s.stakes = stakes
    unseen = _multiset_minus(rules.gesture_pool, list(my_hand))
    rng.shuffle(unseen)
    their_hand = tuple(sorted(unseen[:their_hand_size]))
    s.gdeck = tuple(sorted(unseen[their_hand_size:]))
    s.hands = (my_hand, their_hand) if r == 0 else (their_hand, my_hand)
    i_know = their_agenda >= 0
    if not i_know:
        their_agenda = rng.choice([a for a in rules.agenda_allowed[o] if a != my_agenda])
    s.agendas = (my_agenda, their_agenda) if r == 0 else (their_agenda, my_agenda)
    s.revealed = (they_know, i_know) if r == 0 else (i_know, they_know)
    s.edeck = edeck
    s.rng = _rng.seed_state(rng.getrandbits(64))
    s.items = items
    s.proposer = proposer
    s.counters = counters
    s.plays = plays
    s.points = points
    s.net = net
    s.gained = gained
    s.end = end
    s.walkouts = walkouts
    s.history = history
    s.event = event
    s.moves = sum(1 for c in history if c >= 0)
    s._legal = None
    return s
