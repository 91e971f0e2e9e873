"""The forward model: ``new_game``, ``to_move``, ``legal_actions``, ``apply``, ``is_terminal``.

Pure at its boundary: ``apply`` checks legality and returns a new state, leaving its input alone.
Chance (deals, event draws) comes from the generator held in the state, so ``clone`` and replay
are exact. Knows nothing of terminals, files or players.

A round: the event is drawn and applied; the initiative may play gestures, then builds a package
item by item and offers it (or passes); the responder accepts, rejects, or counters (building its
own package, which the initiative then answers); the round ends, pressure drifts, walk-outs and
breakdowns are checked, hands are refilled and the initiative passes. Under ``proposals.auto_offer``
a package that is full (no further item fits) is offered by the action that filled it: no "offer"
action follows, so records hold none and replay the same way.
"""

from __future__ import annotations

import dataclasses
import operator
import struct
import weakref
from collections.abc import Callable
from typing import Any

from .. import rng as _rng
from ..errors import IllegalActionError
from ..rules.actions import Action, ActionKind
from ..rules.effects import (
    Block,
    DiscardCards,
    DrawCards,
    Effect,
    GainedIs,
    MeterIs,
    MoveMeter,
    MoveStake,
    MoveTrack,
    Reveal,
    RoundIs,
    TrackIs,
    TracksReach,
    apply_effects,
    apply_effects_each,
)
from ..rules.ruleset import Ruleset
from .state import EndReason, Phase, State

PASS, OFFER, ACCEPT, REJECT, COUNTER = 0, 1, 2, 3, 4
BUILD, RESPOND, OVER = Phase.BUILD, Phase.RESPOND, Phase.OVER

__all__ = [
    "apply",
    "apply_muted",
    "apply_unchecked",
    "clone",
    "current_role",
    "is_terminal",
    "legal_actions",
    "max_decisions",
    "new_game",
    "new_game_muted",
    "resolve_package",
    "to_move",
    "why_illegal",
]


class _Prepared:
    """What every game under one ruleset starts from, made once (``Ruleset.engine_memo``): a template state holding
    the fixed part of the set-up, the agendas role 1 may be dealt after each of role 0's, round 1's event worked out
    on the opening board, and the decision points seen so far."""

    __slots__ = (
        "agenda_choices",
        "blocked",
        "cap_of",
        "contexts",
        "edeck",
        "edecks",
        "gdeck",
        "heads",
        "histories",
        "item_of",
        "lane_bytes",
        "lane_mask",
        "lane_ones",
        "lane_steps",
        "lane_unpack",
        "memos",
        "net",
        "nodes",
        "pick",
        "reach",
        "room",
        "round1",
        "slots",
        "template",
    )

    def __init__(self, rules: Ruleset) -> None:
        allowed0, allowed1 = rules.agenda_allowed
        self.agenda_choices = {a0: tuple(a for a in allowed1 if a != a0) for a0 in allowed0}
        self.blocked = (0,) * rules.n_tracks
        self.gdeck = tuple(sorted(rules.gesture_pool))
        self.edeck = tuple(sorted(rules.event_pool))
        self.net = (0,) * (2 * rules.n_tracks)
        self.contexts: dict[tuple[int, ...], _Context] = {}
        #: ``rules.cap_for`` of each level of the cap meter, and per stage the most steps an item may move a track
        cs = rules.cap_slot
        self.cap_of = {v: rules.cap_for(v) for v in range(rules.meter_min[cs], rules.meter_max[cs] + 1)}
        self.room = tuple(max(0, min(rules.max_steps, rules.top_stage - x)) for x in range(rules.top_stage + 1))
        self.nodes = 0  #: decision points kept in ``contexts``, and ``heads``
        #: per hand, passing and its distinct gestures: how an opening's legal actions start (see ``_opening``)
        self.heads: dict[tuple[int, ...], tuple[Action, ...]] = {}
        #: per role to move, per action code, the package item it adds: (giver, track, steps); -1s for the others
        self.item_of = tuple(_items_of(rules, b) for b in (0, 1))
        #: per effect list (by tag: ``ON_ACCEPT``...), what it reads and writes of the board (see ``_reach``)
        self.reach = tuple(
            _reach(effects)
            for effects in (
                rules.on_accept,
                rules.on_reject,
                rules.on_pass,
                rules.end_effects,
                *rules.event_effects,
                *rules.gesture_effects,
            )
        )
        #: per effect list, the meter slots it reads or moves (and a getter of them); for one that only moves meters,
        #: a memo of the values it leaves in those slots, by what it reads (see ``_run``)
        lists = (
            rules.on_accept,
            rules.on_reject,
            rules.on_pass,
            rules.end_effects,
            *rules.event_effects,
            *rules.gesture_effects,
        )
        self.slots = tuple(_meter_slots(effects) for effects in lists)
        self.pick: tuple[Callable[[tuple[int, ...]], Any], ...] = tuple(
            operator.itemgetter(*slots) if slots else _nothing for slots in self.slots
        )
        self.memos: tuple[dict[tuple[object, ...], Any] | None, ...] = tuple(
            {} if bits >= 0 and not bits & ~(_GAINED | _ROUND) and slots else None
            for bits, slots in zip(self.reach, self.slots, strict=True)
        )
        #: the most draws a set-up makes (two agendas and a redeal, the initiative, both hands, round 1's event), and
        #: for mixing them all at once (``new_game``) a 128-bit lane each: draw k starts as the generator plus
        #: (k + 1) * GOLDEN; the mixing steps of ``rng.next_u64`` keep each lane below 2**128, masks cut what a shift
        #: moves into its neighbour, and the low 64 bits of each lane are read back in one unpack
        lanes = 5 + 2 * min(rules.hand_size, rules.hand_limit)
        self.lane_ones = sum(1 << (128 * k) for k in range(lanes))
        self.lane_steps = sum((((k + 1) * _GOLDEN) & _MASK) << (128 * k) for k in range(lanes))
        self.lane_mask = _MASK * self.lane_ones
        self.lane_bytes = 16 * lanes
        self.lane_unpack = struct.Struct("<" + "Q8x" * lanes).unpack
        #: the event deck after round 1 draws its i-th card, and the history that draw starts
        self.edecks = tuple(self.edeck[:i] + self.edeck[i + 1 :] for i in range(len(self.edeck)))
        self.histories = {e: (-1 - e,) for e in self.edeck}
        t = self.template = State.__new__(State)
        t.rules = rules
        t.seed = 0
        t.round = 1
        t.initiative = max(0, rules.first_initiative)
        t.phase = BUILD
        t.to_move = t.proposer = t.initiative
        t.meters = rules.meter_start
        t.tracks = rules.track_start
        t.blocked = self.blocked
        t.stakes = rules.stake
        t.agendas = (0, 0)
        t.revealed = (False, False)
        t.hands = ((), ())
        t.gdeck = self.gdeck
        t.edeck = self.edeck
        t.rng = 0
        t.items = ()
        t.counters = t.plays = 0
        t.points = (0, 0)
        t.net = self.net
        t.gained = (False, False)
        t.end = EndReason.NONE
        t.walkouts = ()
        t.history = ()
        t.event = -1
        t.moves = 0
        t._legal = None
        #: per event and initiative, the board (meters, tracks, blocked, stakes, revealed) after the event's effects
        #: on the opening board, or None when they touch hands or the generator (then they are run on the game)
        self.round1: dict[int, tuple[_Opening | None, _Opening | None]] = {}
        for e in self.edeck:
            effects = rules.event_effects[e]
            if any(isinstance(x, DrawCards | DiscardCards) for x in effects):
                self.round1[e] = (None, None)
                continue
            boards: list[_Opening] = []
            for init in (0, 1):
                b = t.clone()
                apply_effects(b, effects, init)
                boards.append((b.meters, b.tracks, b.blocked, b.stakes, b.revealed))
            self.round1[e] = (boards[0], boards[1])


def _items_of(rules: Ruleset, b: int) -> tuple[tuple[int, int, int], ...]:
    """Per action code, the item (giver, track, steps) it adds to a package when role ``b`` builds (-1s if none)."""
    table = rules.actions
    out = [(-1, -1, -1)] * table.give_base
    for a in range(table.give_base, len(table)):
        if a < table.ask_base:
            t, st = divmod(a - table.give_base, rules.max_steps)
            out.append((b, t, st + 1))
        else:
            t, st = divmod(a - table.ask_base, rules.max_steps)
            out.append((1 - b, t, st + 1))
    return tuple(out)


_Opening = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[bool, bool]]
"""What an event's effects may change of the opening board without touching hands: meters, tracks, blocked,
stakes, revealed."""


def _prepare(rules: Ruleset) -> _Prepared:
    prep: _Prepared | None = rules.engine_memo
    if prep is None:
        prep = _Prepared(rules)
        object.__setattr__(rules, "engine_memo", prep)  # a cache on frozen rules (see Ruleset.engine_memo)
    return prep


ON_ACCEPT, ON_REJECT, ON_PASS, END_EFFECTS = 0, 1, 2, 3
"""Tags of a ruleset's effect lists in ``_Prepared.pure`` and the board memo; event ``e`` is ``4 + e``, gesture ``g``
``4 + len(event_effects) + g``."""

_BOARDS_MAX = 1 << 12
"""Boards kept per effect list in its memo (``_run``; about 200 bytes each); past it the memo starts afresh."""


_TRACKS, _GAINED, _ROUND, _STAKES, _BLOCKED, _REVEALED = 1, 2, 4, 8, 16, 32
"""What an effect list reads or writes beyond meters (``_Prepared.reach``): a bit each."""
_UNKNOWN = -1  #: an effect list that draws or discards cards (or has a kind this table does not know): not memoised


def _reach(effects: tuple[Effect, ...]) -> int:
    """The parts of the board ``effects`` read or write beyond meters, as ``_TRACKS``... bits; ``_UNKNOWN`` when
    they touch hands or the generator, or what a condition reads is not known here."""
    bits = 0
    for e in effects:
        for c in e.when:
            if isinstance(c, TrackIs | TracksReach):
                bits |= _TRACKS
            elif isinstance(c, GainedIs):
                bits |= _GAINED
            elif isinstance(c, RoundIs):
                bits |= _ROUND
            elif not isinstance(c, MeterIs):
                return _UNKNOWN  # EndedIs (tiers only) or a new kind
        if isinstance(e, MoveTrack):
            bits |= _TRACKS
        elif isinstance(e, MoveStake):
            bits |= _STAKES
        elif isinstance(e, Block):
            bits |= _BLOCKED | _ROUND
        elif isinstance(e, Reveal):
            bits |= _REVEALED
        elif not isinstance(e, MoveMeter):
            return _UNKNOWN  # draws and discards move the generator and hands
    return bits


def _nothing(meters: tuple[int, ...]) -> tuple[int, ...]:
    """The getter of no meter slots."""
    return ()


def _meter_slots(effects: tuple[Effect, ...]) -> tuple[int, ...]:
    """The meter slots ``effects`` read (conditions) or move, sorted: all of the meters they depend on or change."""
    slots: set[int] = set()
    for e in effects:
        for c in e.when:
            if isinstance(c, MeterIs):
                slots.update((c.slot, c.slot + 1) if c.per_role else (c.slot,))
        if isinstance(e, MoveMeter):
            slots.update((e.slot, e.slot + 1) if e.per_role else (e.slot,))
    return tuple(sorted(slots))


def _run(s: State, prep: _Prepared, tag: int, effects: tuple[Effect, ...], me: int) -> None:
    """``apply_effects(s, effects, me)`` (``me`` -1: ``apply_effects_each``), memoised for the effect lists that only
    move meters, reading at most meters, who gained and the round (``_Prepared.memos``): what they leave of the
    meters they touch is then a function of those meters (and of who gained, or the round, if they read it), which
    key the memo. Other lists (tracks, stakes, cards...) have too many boards to memoise."""
    memo = prep.memos[tag]
    if memo is None:
        if me < 0:
            apply_effects_each(s, effects)
        else:
            apply_effects(s, effects, me)
        return
    pick = prep.pick[tag]
    bits = prep.reach[tag]
    if bits:
        key: tuple[object, ...] = (
            me,
            pick(s.meters),
            s.gained if bits & _GAINED else None,
            s.round if bits & _ROUND else 0,
        )
    else:
        key = (me, pick(s.meters))
    out = memo.get(key)
    if out is None:
        if me < 0:
            apply_effects_each(s, effects)
        else:
            apply_effects(s, effects, me)
        if len(memo) >= _BOARDS_MAX:
            memo.clear()
        memo[key] = pick(s.meters)
        return
    meters = list(s.meters)
    slots = prep.slots[tag]
    if len(slots) == 1:  # ``itemgetter`` of one slot gives the value, not a tuple
        meters[slots[0]] = out
    else:
        for i, v in zip(slots, out, strict=True):
            meters[i] = v
    s.meters = tuple(meters)


_MASK, _GOLDEN, _M1, _M2 = _rng.MASK, _rng.GOLDEN, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_SEED_MUL, _SEED_ADD = 0x2545F4914F6CDD1D, 0x1D8E4E27C47D124F  #: ``rng.seed_state``'s, inlined here


def new_game(rules: Ruleset, seed: int = 0) -> State:
    """Set up a summit: deal agendas and hands, draw round 1's event. Same seed, same game.

    A copy of a template prepared once per ruleset, plus the seeded draws (``rng``'s, inlined); round 1's event
    is applied from a table when it touches only the board."""
    prep: _Prepared | None = rules.engine_memo
    if prep is None:
        prep = _prepare(rules)
    s = prep.template.clone()
    s.seed = seed
    rng = (((seed * _SEED_MUL + _SEED_ADD) & _MASK) + _GOLDEN) & _MASK  # rng.seed_state: a splitmix64 output
    z = ((rng ^ (rng >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    rng = z ^ (z >> 31)
    # splitmix64 is counter-based: the k-th draw from here mixes rng + k * GOLDEN, whatever the draws before it
    # gave, so every draw the set-up may make is mixed at once, lane by lane in one wide int (``_Prepared.lanes``)
    x = (rng * prep.lane_ones + prep.lane_steps) & prep.lane_mask
    x = ((x ^ ((x >> 30) & prep.lane_mask)) * _M1) & prep.lane_mask
    x = ((x ^ ((x >> 27) & prep.lane_mask)) * _M2) & prep.lane_mask
    x ^= (x >> 31) & prep.lane_mask
    out = prep.lane_unpack(x.to_bytes(prep.lane_bytes, "little"))  # the draws' 64 random bits, in order
    allowed0 = rules.agenda_allowed[0]
    a0 = allowed0[(out[0] * len(allowed0)) >> 64]
    k = 1  # draws made
    choices = prep.agenda_choices[a0]
    if not choices:
        # role 0 drew the only agenda role 1 may hold: deal role 0 another (validation guarantees one exists).
        # Only deals that used to fail take this path; every other deal is unchanged, draw for draw.
        others = [a for a in allowed0 if a != a0]
        a0 = others[(out[1] * len(others)) >> 64]
        k = 2
        choices = prep.agenda_choices[a0]
    s.agendas = (a0, choices[(out[k] * len(choices)) >> 64])
    k += 1
    if rules.first_initiative < 0:
        s.initiative = s.to_move = s.proposer = (out[k] * 2) >> 64
        k += 1
    # deal each hand as effects.draw_cards does (the same draws in the same order), without its copies
    deck = list(prep.gdeck)
    dealt = []
    size = min(rules.hand_size, rules.hand_limit)
    for _ in range(2):
        hand = []
        for _ in range(size):
            n = len(deck)
            if not n:
                break
            hand.append(deck.pop((out[k] * n) >> 64))
            k += 1
        hand.sort()
        dealt.append(tuple(hand))
    s.hands = (dealt[0], dealt[1])
    s.gdeck = tuple(deck)
    edeck = prep.edeck
    if not edeck:
        s.rng = (rng + k * _GOLDEN) & _MASK
        _start_round(s)
        return s
    # round 1 as ``_start_round`` plays it: draw the event, then apply it
    if rules.opening_event >= 0:
        i = edeck.index(rules.opening_event)
    else:
        i = (out[k] * len(edeck)) >> 64
        k += 1
    s.rng = (rng + k * _GOLDEN) & _MASK
    e = edeck[i]
    s.edeck = prep.edecks[i]
    s.event = e
    s.history = prep.histories[e]
    board = prep.round1[e][s.initiative]
    if board is None:
        apply_effects(s, rules.event_effects[e], s.initiative)
    else:
        s.meters, s.tracks, s.blocked, s.stakes, s.revealed = board
    return s


def clone(state: State) -> State:
    """A copy of the state (cheap: tuples are shared)."""
    return state.clone()


def to_move(state: State) -> int:
    """Index of the role to act, or -1 once the game is over."""
    return state.to_move


def current_role(state: State) -> str | None:
    """Id of the role to act, or None once the game is over."""
    return None if state.to_move < 0 else state.rules.roles[state.to_move]


def is_terminal(state: State) -> bool:
    """Whether the summit has ended."""
    return state.to_move < 0


def max_decisions(rules: Ruleset) -> int:
    """The most player decisions a game can take under ``rules`` (OpenSpiel's ``max_game_length`` less the
    deal). Per round: the gestures, a package (at most ``max_items`` per side) and its offer, then per counter
    a counter, a package and its offer, then the final answer."""
    package = 2 * rules.max_items + 1
    return rules.rounds * (rules.plays_per_turn + package + rules.max_counters * (package + 1) + 1)


# --- legal actions ------------------------------------------------------------------------------


def _track_open(s: State, t: int) -> bool:
    rules = s.rules
    if s.blocked[t] >= s.round or s.tracks[t] >= rules.top_stage:
        return False
    gate = rules.gates[t]
    return gate is None or s.meters[gate[0]] >= gate[1]


def _any_open(s: State) -> bool:
    return any(_track_open(s, t) for t in range(s.rules.n_tracks))


def _free_tracks(s: State, used: int) -> int:
    """How many tracks are open and not yet in the package (``used``: a bit per track in it)."""
    return sum(1 for t in range(s.rules.n_tracks) if not used >> t & 1 and _track_open(s, t))


def _can_build(s: State) -> bool:
    """Whether a fresh package could be built and offered now (a counter-proposal needs one): a track is
    open, or, under ``two_sided``, two tracks and room for two steps."""
    rules = s.rules
    if not rules.two_sided:
        return _any_open(s)
    if rules.cap_for(s.meters[rules.cap_slot]) < 2:
        return False
    return _free_tracks(s, 0) >= 2


class _Node:
    """One decision point under one ruleset: its legal actions, and (for a package being built) the points each
    item leads to, so a step's legal actions are one dict lookup in ``apply_unchecked``. Shared by every state
    that reaches it; only ``kids`` ever grows."""

    __slots__ = ("ctx", "full", "kids", "legal")

    def __init__(self, legal: tuple[Action, ...], ctx: _Context | None, kids: dict[int, _Node] | None = None) -> None:
        self.legal = legal
        self.full = len(legal) == 1 and legal[0] == OFFER  #: only "offer" is left (auto_offer then makes it)
        self.ctx = ctx
        self.kids: dict[int, _Node] = {} if kids is None else kids


class _Context:
    """The decision points of one turn context (see ``_context_key``): the empty package's (one per hand that may
    still play gestures, and one for a counter-proposal), the answers (one per counters count), and the packages
    built from them (a trie by item code, shared: what an item allows depends only on the context and the items)."""

    __slots__ = ("answers", "empty", "items", "openings", "packages", "prep")

    def __init__(self, prep: _Prepared) -> None:
        self.prep = prep  #: whose budget of decision points this context's count against
        self.openings: dict[tuple[int, ...] | None, _Node] = {}
        self.answers: dict[int, _Node] = {}
        self.items: dict[int, _Node] = {}
        self.empty: tuple[Action, ...] | None = None  #: the items an empty package may take
        self.packages: dict[tuple[int, ...], _Node] = {}  #: by the package's item codes, sorted (any order)


_NODES_MAX = 1 << 15
"""Decision points kept per ruleset (a few hundred bytes each); past it the cache starts afresh, so memory stays
bounded however many games are played."""


def _context_key(s: State, prep: _Prepared) -> tuple[int, ...]:
    """What a turn's legal actions depend on beyond the package, the phase and the hand: the package cap now, and
    for each track the most steps an item on it may hold (0: closed). Effects change it; building, offering and
    countering do not."""
    rules = s.rules
    rnd = s.round
    meters = s.meters
    room = prep.room
    level = meters[rules.cap_slot]
    cap = prep.cap_of.get(level)
    ks = [rules.cap_for(level) if cap is None else cap]
    for gate, b, x in zip(rules.gates, s.blocked, s.tracks, strict=True):
        ks.append(0 if b >= rnd or (gate is not None and meters[gate[0]] < gate[1]) else room[x])
    return tuple(ks)


def _context(s: State) -> _Context:
    rules = s.rules
    prep: _Prepared | None = rules.engine_memo
    if prep is None:
        prep = _prepare(rules)
    key = _context_key(s, prep)
    ctx = prep.contexts.get(key)
    if ctx is None or prep.nodes >= _NODES_MAX:  # checked on every call: old contexts keep growing too
        if prep.nodes >= _NODES_MAX:
            prep.contexts.clear()
            prep.heads.clear()
            prep.nodes = 0
        ctx = prep.contexts[key] = _Context(prep)
    return ctx


def _answer(ctx: _Context, s: State) -> _Node:
    """The decision point of answering an offer in ``s`` (its context ``ctx``)."""
    node = ctx.answers.get(s.counters)
    if node is None:
        node = ctx.answers[s.counters] = _Node(_legal_now(s), ctx)
        ctx.prep.nodes += 1
    return node


def _opening(ctx: _Context, s: State) -> _Node:
    """The decision point of an empty package in ``s``: gestures and passing while the turn allows them.

    Kept per context when no gesture can be played; with gestures in hand, made afresh from the hand's passing and
    gestures (kept per hand, whatever the context) and the context's items, since (context, hand) pairs rarely
    come back."""
    rules = s.rules
    key: tuple[int, ...] | None = None
    if not s.counters:
        key = s.hands[s.to_move] if s.plays < rules.plays_per_turn else ()
    if not key:
        node = ctx.openings.get(key)
        if node is not None:
            return node
    if ctx.empty is None:
        legal = _legal_now(s)
        gbase = rules.actions.give_base
        ctx.empty = tuple(a for a in legal if a >= gbase)  # the items come last, after passing and gestures
    else:  # passing and the gestures in hand, then the context's items: as ``_legal_now`` lists them
        if key is None:
            legal = ctx.empty
        else:
            prep = ctx.prep
            head = prep.heads.get(key)
            if head is None:
                acts = rules.actions.all
                out = [acts[PASS]]
                last = -1
                for g in key:
                    if g != last:
                        out.append(acts[rules.actions.play_base + g])
                        last = g
                head = prep.heads[key] = tuple(out)
                prep.nodes += 1
            legal = (*head, *ctx.empty)
    node = _Node(legal, ctx, ctx.items)
    if not key:
        ctx.openings[key] = node
        ctx.prep.nodes += 1
    return node


def _package(ctx: _Context, s: State) -> _Node:
    """The decision point of the package being built in ``s``, whatever order its items were added in."""
    rules = s.rules
    table = rules.actions
    ms = rules.max_steps
    b = s.to_move
    key = tuple(
        sorted((table.give_base if giver == b else table.ask_base) + t * ms + steps - 1 for giver, t, steps in s.items)
    )
    node = ctx.packages.get(key)
    if node is None:
        node = ctx.packages[key] = _Node(_legal_now(s), ctx)
        ctx.prep.nodes += 1
    return node


def _node(s: State) -> _Node:
    """The decision point of ``s``, found by its context (made and kept on first sight)."""
    phase = s.phase
    if phase == OVER:
        return _Node((), None)
    if phase == BUILD and s.items:
        return _Node(_legal_now(s), None)  # a package half built outside ``apply`` (a sampled state): not kept
    ctx = _context(s)
    return _answer(ctx, s) if phase == RESPOND else _opening(ctx, s)


def legal_actions(state: State) -> tuple[Action, ...]:
    """The actions the player to move may take (simple actions and gestures, then for each open track its
    gives and asks); empty once the game is over."""
    node: _Node | None = state._legal
    if node is None:
        node = state._legal = _node(state)
    return node.legal


def _legal_now(state: State) -> tuple[Action, ...]:
    """The legal actions worked out from the state itself (what a decision point caches)."""
    s = state
    rules = s.rules
    acts = rules.actions.all
    phase = s.phase
    legal: tuple[Action, ...]
    if phase == RESPOND:
        if s.counters < rules.max_counters and _can_build(s):
            legal = (acts[ACCEPT], acts[REJECT], acts[COUNTER])
        else:
            legal = (acts[ACCEPT], acts[REJECT])
    elif phase == BUILD:
        out: list[Action] = []
        b = s.to_move
        items = s.items
        if items:
            if not rules.two_sided or _both_sides(items):
                out.append(acts[OFFER])
        elif s.counters == 0:
            out.append(acts[PASS])
            if s.plays < rules.plays_per_turn and s.hands[b]:
                base = rules.actions.play_base
                last = -1
                for g in s.hands[b]:
                    if g != last:
                        out.append(acts[base + g])
                        last = g
        gives = asks = total = 0
        used = 0
        for giver, t, steps in items:
            if giver == b:
                gives += 1
            else:
                asks += 1
            total += steps
            used |= 1 << t
        room_cap = rules.cap_for(s.meters[rules.cap_slot]) - total
        if room_cap > 0 and (gives < rules.max_items or asks < rules.max_items):
            ms = rules.max_steps
            top = rules.top_stage
            rnd = s.round
            meters = s.meters
            tracks = s.tracks
            blocked = s.blocked
            gbase = rules.actions.give_base
            abase = rules.actions.ask_base
            give_ok = gives < rules.max_items
            ask_ok = asks < rules.max_items
            # under two_sided, the first item of one kind leaves a step and another open track for the other kind
            need_ask = rules.two_sided and not asks
            need_give = rules.two_sided and not gives
            spare = not (need_ask or need_give) or _free_tracks(s, used) >= 2
            for t, gate in enumerate(rules.gates):
                if used >> t & 1 or blocked[t] >= rnd:
                    continue
                if gate is not None and meters[gate[0]] < gate[1]:
                    continue
                k = min(ms, top - tracks[t])
                if k <= 0:
                    continue
                if give_ok and (spare or not need_ask):
                    kg = min(k, room_cap - need_ask)
                    if kg > 0:
                        out.extend(acts[gbase + t * ms : gbase + t * ms + kg])
                if ask_ok and (spare or not need_give):
                    ka = min(k, room_cap - need_give)
                    if ka > 0:
                        out.extend(acts[abase + t * ms : abase + t * ms + ka])
        legal = tuple(out)
    else:
        legal = ()
    return legal


def _both_sides(items: tuple[tuple[int, int, int], ...]) -> bool:
    """Whether a package holds a concession from each side."""
    first = items[0][0]
    return any(giver != first for giver, _, _ in items)


# --- apply --------------------------------------------------------------------------------------


def apply(state: State, action: Action | int) -> State:
    """The state after ``action``; raise IllegalActionError (with the reason) if it is not legal."""
    node: _Node | None = state._legal
    if node is None:
        node = state._legal = _node(state)
    if action in node.legal and action.__class__ is not bool:
        return apply_unchecked(state, int(action))
    raise IllegalActionError(_name(state, action), why_illegal(state, action))


def apply_unchecked(state: State, a: int) -> State:
    """``apply`` without the legality check, for searches that only play legal actions."""
    node: _Node | None = state._legal
    s = state.clone()
    s.history = (*state.history, a)
    s.moves = state.moves + 1
    rules = s.rules
    b = s.to_move
    table = rules.actions
    if a >= table.give_base:
        s.items = (*state.items, (rules.engine_memo or _prepare(rules)).item_of[b][a])
        kid = None
        if node is not None and node.ctx is not None:
            kid = node.kids.get(a)
            if kid is None:
                kid = node.kids[a] = _package(node.ctx, s)
        # full: only "offer" is left, so it is made (under two_sided a lone legal item is not full)
        if rules.auto_offer and (kid.full if kid is not None else _legal_now(s) == (table.all[OFFER],)):
            s.phase = RESPOND
            s.proposer = b
            s.to_move = 1 - b
            if kid is not None:
                kid = _answer(kid.ctx, s)  # type: ignore[arg-type]
        s._legal = kid
    elif a >= table.play_base:
        g = a - table.play_base
        hand = list(state.hands[b])
        hand.remove(g)
        s.hands = (tuple(hand), state.hands[1]) if b == 0 else (state.hands[0], tuple(hand))
        s.gdeck = tuple(sorted((*state.gdeck, g)))
        s.plays = state.plays + 1
        _run(s, rules.engine_memo or _prepare(rules), 4 + len(rules.event_effects) + g, rules.gesture_effects[g], b)
    elif a == OFFER:
        s.phase = RESPOND
        s.proposer = b
        s.to_move = 1 - b
        if node is not None and node.ctx is not None:
            s._legal = _answer(node.ctx, s)
    elif a == ACCEPT:
        resolve_package(s)
        if rules.on_accept:
            _run(s, rules.engine_memo or _prepare(rules), ON_ACCEPT, rules.on_accept, s.proposer)
        _end_round(s)
    elif a == REJECT:
        if rules.on_reject:
            _run(s, rules.engine_memo or _prepare(rules), ON_REJECT, rules.on_reject, b)
        _end_round(s)
    elif a == COUNTER:
        s.counters = state.counters + 1
        s.items = ()
        s.phase = BUILD
        s.proposer = b
        if node is not None and node.ctx is not None:
            s._legal = _opening(node.ctx, s)
    else:  # PASS
        if rules.on_pass:
            _run(s, rules.engine_memo or _prepare(rules), ON_PASS, rules.on_pass, b)
        _end_round(s)
    return s


def resolve_package(s: State) -> None:
    """Carry out the package in ``s.items`` on ``s`` in place (``s`` must be a fresh clone the caller
    owns): tracks advance, the giver's cost meter rises by its cost, the receiver's falls by its
    relief, points move by public stakes. Used by ``apply`` on accept, and by previews."""
    rules = s.rules
    T = rules.n_tracks
    top = rules.top_stage
    cost = rules.cost
    relief = rules.relief
    stakes = s.stakes
    tracks = list(s.tracks)
    net = list(s.net)
    cs = rules.cost_slot
    lo, hi = rules.meter_min[cs], rules.meter_max[cs]
    p = [s.meters[cs], s.meters[cs + 1]]  # only the cost meter's two slots move
    pts = list(s.points)
    g0, g1 = s.gained
    for giver, t, steps in s.items:
        recv = 1 - giver
        x = tracks[t] + steps
        tracks[t] = top if x > top else x
        x = p[giver] + cost[giver * T + t] * steps
        p[giver] = hi if x > hi else x
        x = p[recv] - relief[recv * T + t] * steps
        p[recv] = lo if x < lo else x
        pts[recv] += stakes[recv * T + t] * steps
        pts[giver] -= stakes[giver * T + t] * steps
        net[recv * T + t] += steps
        net[giver * T + t] -= steps
        if recv:
            g1 = True
        else:
            g0 = True
    meters = list(s.meters)
    meters[cs], meters[cs + 1] = p
    s.tracks = tuple(tracks)
    s.meters = tuple(meters)
    s.points = (pts[0], pts[1])
    s.net = tuple(net)
    s.gained = (g0, g1)
    s.items = ()


def _refill(s: State, count: int) -> None:
    """``effects.draw_cards(s, 0, count)`` then ``draw_cards(s, 1, count)``: the same draws in the same order, with one
    copy of the deck (``rng.below`` inlined)."""
    hands = s.hands
    limit = s.rules.hand_limit
    gdeck = s.gdeck
    deck: list[int] | None = None
    rng = s.rng
    out = [hands[0], hands[1]]
    for r in (0, 1):
        hand = hands[r]
        n = min(count, limit - len(hand), len(gdeck) if deck is None else len(deck))
        if n <= 0:  # a full hand or an empty deck: nothing is drawn and the generator does not move
            continue
        if deck is None:
            deck = list(gdeck)
        new = list(hand)
        for _ in range(n):
            rng = (rng + _GOLDEN) & _MASK
            z = ((rng ^ (rng >> 30)) * _M1) & _MASK
            z = ((z ^ (z >> 27)) * _M2) & _MASK
            new.append(deck.pop(((z ^ (z >> 31)) * len(deck)) >> 64))
        new.sort()
        out[r] = tuple(new)
    if deck is not None:
        s.rng = rng
        s.gdeck = tuple(deck)
        s.hands = (out[0], out[1])


def _start_round(s: State) -> None:
    """Draw and apply this round's event; hand the initiative its turn."""
    rules = s.rules
    deck = s.edeck or tuple(sorted(rules.event_pool))
    if s.round == 1 and rules.opening_event >= 0:
        i = deck.index(rules.opening_event)
    else:  # rng.below, inlined
        rng = s.rng = (s.rng + _GOLDEN) & _MASK
        z = ((rng ^ (rng >> 30)) * _M1) & _MASK
        z = ((z ^ (z >> 27)) * _M2) & _MASK
        i = ((z ^ (z >> 31)) * len(deck)) >> 64
    e = deck[i]
    s.edeck = deck[:i] + deck[i + 1 :]
    s.event = e
    s.history = (*s.history, -1 - e)
    s.phase = BUILD
    s.to_move = s.initiative
    s.proposer = s.initiative
    s.items = ()
    s.counters = 0
    s.plays = 0
    s.gained = (False, False)
    _run(s, rules.engine_memo or _prepare(rules), 4 + e, rules.event_effects[e], s.initiative)


_WALKED = ((), (0,), (1,), (0, 1))  #: the roles that walked out, by a bit per role


def _end_round(s: State) -> None:
    """Drift, check walk-outs and breakdowns, then start the next round or end the summit."""
    rules = s.rules
    s.items = ()
    if rules.end_effects:
        _run(s, rules.engine_memo or _prepare(rules), END_EFFECTS, rules.end_effects, -1)
    meters = s.meters
    walked = 0  # a bit per role
    for slot, (lim0, lim1) in rules.walkouts:
        if meters[slot] >= lim0:
            walked |= 1
        if meters[slot + 1] >= lim1:
            walked |= 2
    if walked:
        s.end = EndReason.WALKOUT
        s.walkouts = _WALKED[walked]
    else:
        for slot, level in rules.breakdowns:
            if meters[slot] <= level:
                s.end = EndReason.BREAKDOWN
                break
        else:
            if s.round >= rules.rounds:
                s.end = EndReason.LAST_ROUND
    if s.end:
        s.phase = OVER
        s.to_move = -1
        return
    if rules.draw_per_round:
        _refill(s, rules.draw_per_round)
    s.round += 1
    s.initiative = 1 - s.initiative
    _start_round(s)


# --- counterfactuals: a transition with its card's effects left out ----------------------------

_MUTED: weakref.WeakKeyDictionary[Ruleset, Ruleset] = weakref.WeakKeyDictionary()


def _muted_rules(rules: Ruleset) -> Ruleset:
    """The same rules with every event's and gesture's effects blank (cards are still drawn and played)."""
    muted = _MUTED.get(rules)
    if muted is None:
        muted = _MUTED[rules] = dataclasses.replace(
            rules,
            event_effects=((),) * len(rules.event_effects),
            gesture_effects=((),) * len(rules.gesture_effects),
        )
    return muted


def _unmute(muted: State, real: State) -> State:
    muted.rules = real.rules
    muted.rng = real.rng  # the chance stream moves on as it would have (a blanked "draw" effect drew nothing)
    return muted


def new_game_muted(rules: Ruleset, seed: int = 0) -> State:
    """``new_game`` with round 1's event drawn but its effects left out (counterfactual card impact)."""
    return _unmute(new_game(_muted_rules(rules), seed), new_game(rules, seed))


def apply_muted(state: State, action: Action | int) -> State:
    """``apply`` with the effects of the card this action plays, or of the event it draws by ending a round,
    left out: the card is still played or drawn, and the chance stream moves on as it would have, so later
    draws are the ones the real game would have made (counterfactual card impact)."""
    real = apply(state, action)
    s = state.clone()
    s.rules = _muted_rules(state.rules)
    return _unmute(apply(s, action), real)


# --- reasons ------------------------------------------------------------------------------------


def _name(state: State, action: Action | int) -> str:
    if isinstance(action, Action):
        return action.notation()
    table = state.rules.actions
    return table.all[action].notation() if 0 <= action < len(table) else f"#{action}"


def why_illegal(state: State, action: Action | int) -> str:
    """A sentence saying why ``action`` is not legal now (slow; for messages only)."""
    s = state
    rules = s.rules
    table = rules.actions
    if isinstance(action, bool):
        return "an action is an Action or an int code, not a bool"
    if not 0 <= int(action) < len(table):
        return f"no action has code {int(action)}"
    act = table.all[int(action)]
    if s.to_move < 0:
        return "the summit is over"
    who = rules.role_names[s.to_move]
    kind = act.kind
    if s.phase == RESPOND:
        if kind is ActionKind.COUNTER:
            if s.counters >= rules.max_counters:
                return f"no counter-proposals left this round (at most {rules.max_counters})"
            return "no track is open for a counter-proposal"
        return f"{who} must answer the offer on the table: accept, reject or counter"
    if kind in (ActionKind.ACCEPT, ActionKind.REJECT, ActionKind.COUNTER):
        return "there is no offer on the table to answer"
    if kind is ActionKind.PASS:
        if s.counters:
            return "a counter-proposal cannot pass: build a package and offer it"
        return "a package has been started: offer it"
    if kind is ActionKind.OFFER:
        if s.items and rules.two_sided:
            return "a package is a trade: add a concession from the other side before offering it"
        return "the package is empty: give or ask something first"
    if kind is ActionKind.PLAY:
        g = table.gestures.index(str(act.card))
        if g not in s.hands[s.to_move]:
            return f"{who} holds no {act.card!r} card"
        if s.counters:
            return "gestures are played only by the initiative, before its first package"
        if s.items:
            return "gestures are played before building a package"
        if rules.plays_per_turn == 0:
            return "these rules allow no gestures"
        return f"already played {rules.plays_per_turn} gesture(s) this turn"
    t = rules.track_ids.index(str(act.track))
    tname = rules.track_names[t]
    if any(it[1] == t for it in s.items):
        return f"{tname} is already in this package"
    side = [it for it in s.items if (it[0] == s.to_move) == (kind is ActionKind.GIVE)]
    if len(side) >= rules.max_items:
        return f"a package holds at most {rules.max_items} item(s) per side"
    if s.blocked[t] >= s.round:
        return f"{tname} is off the table until round {s.blocked[t] + 1}"
    gate = rules.gates[t]
    if gate is not None and s.meters[gate[0]] < gate[1]:
        mid = rules.meter_ids[gate[0]]
        return f"{tname} needs {mid} of at least {gate[1]} (it is {s.meters[gate[0]]})"
    room = rules.top_stage - s.tracks[t]
    if room <= 0:
        return f"{tname} has reached its last stage"
    if act.steps > room:
        return f"{tname} has only {room} step(s) left"
    total = sum(it[2] for it in s.items)
    cap = rules.cap_for(s.meters[rules.cap_slot])
    if rules.two_sided and not any((it[0] == s.to_move) != (kind is ActionKind.GIVE) for it in s.items):
        other = "ask" if kind is ActionKind.GIVE else "give"
        room_left = total + act.steps < cap and any(
            u != t and _track_open(s, u) and all(it[1] != u for it in s.items) for u in range(rules.n_tracks)
        )
        if not room_left:
            return (
                f"a package is a trade: this would leave no room (steps or an open track) for the {other} "
                "it still needs"
            )
    return (
        f"the package would total {total + act.steps} steps; at {rules.meter_ids[rules.cap_slot]} "
        f"{s.meters[rules.cap_slot]} a package holds at most {cap}"
    )
