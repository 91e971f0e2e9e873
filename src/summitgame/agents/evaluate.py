"""What packages, answers, passes and gestures are worth, for agents that hold only an ``Observation``.

Every helper here reads the public board, the viewer's own secrets and the rule data; none sees a
``State``. Values are in score points, the unit the game is won in, and come in pairs ``(mine,
theirs)``: the viewer's is exact for the round at hand (its true stakes, the rule file's costs,
reliefs, accept/reject effects and end-of-round drift); the opponent's is an *estimate* from its public
stakes (plus its agenda once revealed), since its secret agenda is unknown.

The valuation is one-step ("if the round ended like this"): points won and lost by stakes, minus the
pressure penalty, plus the tier bonus the board would earn if the summit ended now and a flat worth
per round still to play, both weighed by the risk that a walk-out or breakdown turns it into a failure
before the end (see ``Weights``). Walk-outs and breakdowns this very round are exact: the end-of-round
effects and limits are applied, not guessed. In the last round every value of the viewer's is its
exact final score (less its points so far).

Card effects are priced without building a state by the engine's own interpreter (``effects.run``) on
plain lists: meters and tracks move exactly as in the game, and an ``effects.Tally`` counts the rest
(cards, reveals); tiers are read by ``effects.first_tier``, as ``scoring`` reads them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..engine.observation import Observation
from ..engine.state import EndReason, Phase
from ..rules.actions import Action, ActionKind
from ..rules.effects import IGNORE, Condition, GainedIs, MoveMeter, MoveTrack, RoundIs, Tally, first_tier, run
from ..rules.ruleset import Ruleset

Item = tuple[int, int, int]
"""One package item, as in ``Observation.items``: (giver role index, track index, steps)."""
Package = tuple[Item, ...]
"""A whole package, items in the order they are (or will be) added."""

__all__ = [
    "Appraisal",
    "Item",
    "Offer",
    "Package",
    "Valuer",
    "Weights",
    "candidate_packages",
    "headroom",
    "inferred_stakes",
    "item_action",
    "linear_value",
    "logistic",
    "nash",
    "offers",
    "open_room",
    "pressure_fraction",
    "rounds_left",
    "their_stakes",
    "time_fraction",
]


@dataclass(frozen=True)
class Weights:
    """The knobs of the valuation, in score points or per-round rates. Defaults suit both bundled rule sets."""

    rise: float = 1.0  #: expected rise of a walk-out meter per remaining round (drift and events)
    fall: float = 0.3  #: expected fall of a breakdown meter (e.g. trust) per remaining round
    spread: float = 1.5  #: softness of the walk-out/breakdown risk curve, in meter points
    accept_scale: float = 2.0  #: softness of the acceptance model, in points of the opponent's gain
    card: float = 0.5  #: worth of one gesture card in hand (playing one spends it)
    reveal: float = 1.0  #: worth of seeing the opponent's agenda (and cost of it seeing ours)
    future: float = 1.0  #: worth of each round still to play (deals to come, a chance to recover), lost on an early end
    swing: float = 0.25  #: chance that a shared meter the tiers read (e.g. trust) ends a point higher (and lower)
    lead: float = 0.0  #: weight on the viewer's lead over the other side in ``Appraisal.ev`` and ``Valuer.utility``
    their_lead: float = 0.0  #: the same weight in the other side's utility, as the acceptance model assumes it
    infer: float = 0.0  #: reading the other side's unrevealed agenda from how it bargains (0: public stakes only)


DEFAULT_WEIGHTS = Weights()


def logistic(x: float) -> float:
    """The logistic function, safe for large arguments."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# --- the board at a glance ---------------------------------------------------------------------------


def rounds_left(obs: Observation) -> int:
    """Rounds still to come after the current one (0 in the last round)."""
    return max(0, obs.rules.rounds - obs.round)


def time_fraction(obs: Observation) -> float:
    """How far the summit has run: 0 in the first round, 1 in the last."""
    return (obs.round - 1) / max(1, obs.rules.rounds - 1)


def headroom(obs: Observation, role: int) -> int | None:
    """Meter points ``role`` can still take before it walks out (the least over walk-out meters);
    None if the rules have no walk-outs."""
    rules = obs.rules
    room = [limits[role] - obs.meters[slot + role] for slot, limits in rules.walkouts]
    return min(room) if room else None


def pressure_fraction(obs: Observation, role: int) -> float:
    """How close ``role`` is to walking out, or the talks to breaking down: 0 at the starting level, 1 one
    point from the edge (where a round without gains, or one more rejection, can end the summit)."""
    rules = obs.rules
    worst = 0.0
    for slot, limits in rules.walkouts:
        start = rules.meter_start[slot + role]
        span = max(1, limits[role] - 1 - start)
        worst = max(worst, (obs.meters[slot + role] - start) / span)
    for slot, level in rules.breakdowns:
        span = max(1, rules.meter_start[slot] - level - 1)
        worst = max(worst, (rules.meter_start[slot] - obs.meters[slot]) / span)
    return min(1.0, max(0.0, worst))


def their_stakes(obs: Observation) -> tuple[int, ...]:
    """The opponent's stakes per track as the viewer can know them: public stakes, plus its agenda if revealed."""
    rules = obs.rules
    T = rules.n_tracks
    o = 1 - obs.viewer
    base = obs.public_stakes[o * T : (o + 1) * T]
    if obs.their_agenda is None:
        return tuple(base)
    extra = rules.agenda_stakes[rules.agenda_ids.index(obs.their_agenda)]
    return tuple(b + e for b, e in zip(base, extra, strict=True))


def inferred_stakes(obs: Observation, infer: float) -> tuple[float, ...]:
    """The opponent's expected stakes per track: public stakes plus its agenda's bonus, averaged over the
    agendas it may hold, each weighted by ``exp(infer × evidence)``; the evidence is the agenda's bonus on the
    steps the opponent asked for in its offers, less the bonus on the steps it gave (it asks for what it values
    and gives what is cheap to it). A revealed agenda is known exactly. Only public history is read."""
    rules = obs.rules
    if obs.their_agenda is not None:
        return tuple(float(x) for x in their_stakes(obs))
    T = rules.n_tracks
    o = 1 - obs.viewer
    base = obs.public_stakes[o * T : (o + 1) * T]
    key = (rules, obs.viewer, obs.my_agenda, infer, base, asked_steps(obs))
    hit = _INFERRED.get(key)
    if hit is None:
        if len(_INFERRED) >= _INFERRED_MAX:
            _INFERRED.clear()
        hit = _INFERRED[key] = _inferred(rules, o, rules.agenda_ids.index(obs.my_agenda), infer, base, key[-1])
    return hit


_INFERRED: dict[tuple[object, ...], tuple[float, ...]] = {}
"""``inferred_stakes`` by what it reads (the evidence is a few small counts, so boards repeat across games)."""
_INFERRED_MAX = 8192
"""Estimates kept in ``_INFERRED`` before it is emptied (about half a kilobyte each)."""


def _inferred(
    rules: Ruleset, o: int, mine: int, infer: float, base: tuple[int, ...], weight: tuple[float, ...]
) -> tuple[float, ...]:
    """``inferred_stakes`` from the evidence ``weight`` (per track, net steps asked by opponent ``o``)."""
    T = rules.n_tracks
    cards = [a for a in rules.agenda_allowed[o] if a != mine]
    if not cards:
        return tuple(float(x) for x in base)
    logs = [infer * sum(w * b for w, b in zip(weight, rules.agenda_stakes[a], strict=True)) for a in cards]
    top = max(logs)
    ps = [math.exp(x - top) for x in logs]
    total = sum(ps)
    return tuple(
        base[t] + sum(p * rules.agenda_stakes[a][t] for p, a in zip(ps, cards, strict=True)) / total for t in range(T)
    )


_GIVE, _ASK, _OFFER, _ACCEPT, _REJECT, _COUNTER = 1, 2, 3, 4, 5, 6
_ANSWERS = {_ACCEPT: ActionKind.ACCEPT, _REJECT: ActionKind.REJECT, _COUNTER: ActionKind.COUNTER}


@lru_cache(maxsize=64)
def _decoded(rules: Ruleset) -> tuple[tuple[int, int, int], ...]:
    """Per action code, what ``_tabled`` needs of it: (kind, track index, steps); kind 0 for the rest."""
    kinds = {
        ActionKind.GIVE: _GIVE,
        ActionKind.ASK: _ASK,
        ActionKind.OFFER: _OFFER,
        ActionKind.ACCEPT: _ACCEPT,
        ActionKind.REJECT: _REJECT,
        ActionKind.COUNTER: _COUNTER,
    }
    out = []
    for a in rules.actions.all:
        t = rules.track_ids.index(str(a.track)) if a.track is not None else -1
        out.append((kinds.get(a.kind, 0), t, a.steps))
    return tuple(out)


def _tabled(obs: Observation) -> Iterator[tuple[int, int, Package, int]]:
    """Every package put on the table so far, oldest first, read from the public history: (round, proposer,
    items, answer), the answer an ``_ACCEPT``, ``_REJECT`` or ``_COUNTER`` code, 0 while it is on the table. A
    package offered at once when it filled up (``proposals.auto_offer``) has no "offer" in the history: its
    answer, or the respond phase, tables it."""
    decoded = _decoded(obs.rules)
    rnd = 0
    builder = -1
    items: list[Item] = []
    package: Package = ()  # the package on the table, its round and its proposer (-1: none on the table)
    at, by = 0, -1
    for code in obs.history:
        if code < 0:
            rnd += 1
            builder = obs.initiative if (obs.round - rnd) % 2 == 0 else 1 - obs.initiative
            items = []
            continue
        kind, t, steps = decoded[code]
        if kind == _GIVE:
            items.append((builder, t, steps))
        elif kind == _ASK:
            items.append((1 - builder, t, steps))
        elif kind == _OFFER:
            at, by, package, items = rnd, builder, tuple(items), []
        elif kind:  # an answer
            if items:
                at, by, package, items = rnd, builder, tuple(items), []
            yield at, by, package, kind
            if kind == _COUNTER:
                builder = 1 - by
            by = -1
    if by >= 0:
        yield at, by, package, 0
    elif items and obs.phase == Phase.RESPOND:
        yield rnd, builder, tuple(items), 0


def asked_steps(obs: Observation) -> tuple[float, ...]:
    """Per track, the steps the opponent asked for less those it gave, over its offers so far (``_tabled``,
    auto-offered packages included): the evidence ``inferred_stakes`` (and ``mcts.agenda_odds``) weighs."""
    o = 1 - obs.viewer
    weight = [0.0] * obs.rules.n_tracks
    for _, proposer, items, _ in _tabled(obs):
        if proposer == o:
            for giver, t, n in items:
                weight[t] += -n if giver == o else n
    return tuple(weight)


def linear_value(rules: Ruleset, stakes: Sequence[int], items: Package, role: int) -> int:
    """A package's worth to ``role`` by stakes and pressure alone (gains − losses − cost + relief), board-free.

    Pressure weighs what it costs at the end (the score penalty per point, or 1 if the rules have none).
    For comparing packages across rounds (e.g. how much an opponent conceded), where the board has moved."""
    T = rules.n_tracks
    pen = sum(p for _, p in rules.penalties) or 1
    v = 0
    for giver, t, steps in items:
        if giver == role:
            v -= (stakes[t] + pen * rules.cost[role * T + t]) * steps
        else:
            v += (stakes[t] + pen * rules.relief[role * T + t]) * steps
    return v


# --- packages ----------------------------------------------------------------------------------------


def open_room(obs: Observation) -> tuple[int, ...]:
    """Per track, the most steps one package item may move it now (0: closed, blocked, gated or finished)."""
    rules = obs.rules
    out = []
    top = rules.top_stage
    for t, gate in enumerate(rules.gates):
        if obs.blocked[t] >= obs.round or obs.tracks[t] >= top or (gate is not None and obs.meters[gate[0]] < gate[1]):
            out.append(0)
        else:
            out.append(min(rules.max_steps, top - obs.tracks[t]))
    return tuple(out)


def candidate_packages(obs: Observation) -> tuple[Package, ...]:
    """Every complete package the player to move could offer from here: extending ``obs.items`` while it
    builds one, or a fresh one (a counter-proposal) while it answers.

    Items come in a legal order (the rules constrain counts and totals only, so any order of a valid
    set is legal). Includes the package being built itself, when it is non-empty (offer as it stands)."""
    rules = obs.rules
    fixed = obs.items if obs.phase == Phase.BUILD else ()
    room = list(open_room(obs))
    for _, t, _ in fixed:
        room[t] = 0
    cap = rules.cap_for(obs.meters[rules.cap_slot])
    return _enumerate(tuple(room), cap, rules.max_items, obs.to_move, fixed, rules.two_sided)


@lru_cache(maxsize=4096)
def _enumerate(
    room: tuple[int, ...], cap: int, max_items: int, builder: int, fixed: Package, two_sided: bool = False
) -> tuple[Package, ...]:
    out = _extensions(room, cap, max_items, builder, fixed)
    if two_sided:  # any order of a two-sided set is legal, so filtering the complete packages suffices
        out = tuple(p for p in out if len({g for g, _, _ in p}) == 2)
    return out


def _extensions(room: tuple[int, ...], cap: int, max_items: int, builder: int, fixed: Package) -> tuple[Package, ...]:
    other = 1 - builder
    out: list[Package] = [fixed] if fixed else []
    gives0 = sum(1 for g, _, _ in fixed if g == builder)
    total0 = sum(s for _, _, s in fixed)
    n = len(room)

    def extend(start: int, items: Package, gives: int, asks: int, total: int) -> None:
        for t in range(start, n):
            k = min(room[t], cap - total)
            for s in range(1, k + 1):
                if gives < max_items:
                    new = (*items, (builder, t, s))
                    out.append(new)
                    extend(t + 1, new, gives + 1, asks, total + s)
                if asks < max_items:
                    new = (*items, (other, t, s))
                    out.append(new)
                    extend(t + 1, new, gives, asks + 1, total + s)

    extend(0, fixed, gives0, len(fixed) - gives0, total0)
    return tuple(out)


def item_action(rules: Ruleset, builder: int, item: Item) -> Action:
    """The ``give``/``ask`` action that adds ``item`` to a package built by ``builder``."""
    giver, t, steps = item
    return rules.actions.give(t, steps) if giver == builder else rules.actions.ask(t, steps)


def nash(options: Sequence[Appraisal], base: float) -> float:
    """The viewer's gain over ``base`` in the fair package: the one maximising the product of both sides'
    (estimated) gains, as in the Nash bargaining solution; 0 if no package gains both."""
    best = 0.0
    share = 0.0
    for o in options:
        mine = o.mine - base
        if mine > 0 and o.gain > 0 and mine * o.gain > best:
            best = mine * o.gain
            share = mine
    return share


# --- the public record of offers -------------------------------------------------------------------------


class Offer(NamedTuple):
    """One package put on the table, from the public history."""

    round: int
    proposer: int
    items: Package
    answer: ActionKind | None  #: ACCEPT, REJECT or COUNTER; None while it is on the table


def offers(obs: Observation) -> list[Offer]:
    """Every package offered so far, oldest first, with its answer (read from the public history)."""
    return [Offer(rnd, proposer, items, _ANSWERS.get(answer)) for rnd, proposer, items, answer in _tabled(obs)]


# --- the board, read by the one interpreter ------------------------------------------------------------


def _tier(
    rules: Ruleset, meters: Sequence[int], tracks: Sequence[int], gained: Sequence[bool], rnd: int, end: int
) -> int:
    """``scoring.tier_index`` on plain values."""
    return first_tier(rules.tier_any, rules.tier_all, meters, tracks, gained, rnd, end)


class _Facts(NamedTuple):
    """What the rule conditions can tell apart, worked out once per ruleset (for memoising valuations)."""

    levels: tuple[tuple[int, ...], ...]  #: per track and stage, the band of stages conditions can tell apart
    exact: bool  #: whether bands suffice (accept/end effects do not move tracks themselves)
    tier_slots: tuple[int, ...]  #: meter slots the tier conditions read
    swing_slots: tuple[int, ...]  #: the shared ones among them (they may still move before the end)
    tier_gained: bool  #: whether tier conditions read who gained this round
    plain_drift: bool  #: end-of-round effects only move meters, on conditions that do not read the board
    #: a track's move in a deal's memo key is one digit ``1 + track * move_span + band`` (a stage when not ``exact``)
    move_span: int
    #: the base of those digits: a deal's moves, in item order, read as one number in it (so the key is an int)
    move_base: int


@lru_cache(maxsize=64)
def _facts(rules: Ruleset) -> _Facts:
    """Tier conditions and the ``when`` of accept and end-of-round effects read tracks only through stage
    thresholds, so two boards whose tracks fall in the same bands value the same."""
    tier_conds: list[Condition] = [c for group in (*rules.tier_any, *rules.tier_all) for c in group]
    effects = (*rules.on_accept, *rules.end_effects)
    conds = tier_conds + [c for e in effects for c in e.when]
    T = rules.n_tracks
    marks: list[set[int]] = [set() for _ in range(T)]
    for c in conds:
        for t, stage in c.stage_marks(T):
            marks[t].add(stage)
    levels = tuple(tuple(sum(1 for h in m if x >= h) for x in range(rules.top_stage + 1)) for m in marks)
    slots = {slot for c in tier_conds for slot in c.meter_slots()}
    span = max(rules.top_stage + 1, *(len(m) + 1 for m in marks))
    shared = {slot for slot, per_role in rules.meter_slot.values() if not per_role}
    return _Facts(
        levels=levels,
        exact=not any(isinstance(e, MoveTrack) for e in effects),
        tier_slots=tuple(sorted(slots)),
        swing_slots=tuple(sorted(slots & shared)),
        tier_gained=any(c.reads_gained for c in tier_conds),
        plain_drift=all(
            isinstance(e, MoveMeter) and all(isinstance(c, GainedIs | RoundIs) for c in e.when)
            for e in rules.end_effects
        ),
        move_span=span,
        move_base=T * span + 1,
    )


# --- the valuer ------------------------------------------------------------------------------------------

_Row = tuple[int, int, int, float, float, int]
"""What one package item does, for ``Valuer.accept`` (see ``Valuer._item_row``)."""

_MEMO_MAX = 50_000
"""Board and deal valuations kept per shared table before it is emptied (they are recomputed on demand)."""


class _Tables:
    """Memos of the parts of the valuation that depend only on the ruleset, the weights and the round (not on
    the viewer or the rest of the observation), so every ``Valuer`` of that round shares them."""

    __slots__ = ("boards", "dealt", "drift", "memo", "proj", "risk", "tiers")

    def __init__(self) -> None:
        self.boards: dict[tuple[tuple[int, ...], tuple[int, ...]], dict[int, tuple[float, float]]] = {}
        self.dealt = 0  #: deal valuations stored in ``boards`` since it was last emptied
        self.memo: dict[tuple[object, ...], tuple[float, float]] = {}
        self.tiers: dict[tuple[object, ...], int] = {}
        self.proj: dict[tuple[object, ...], float] = {}
        self.risk: dict[tuple[int, int], float] = {}
        self.drift: dict[tuple[bool, bool], tuple[tuple[int, int], ...]] = {}


_TABLES: dict[tuple[Ruleset, Weights, int], _Tables] = {}


def _tables(rules: Ruleset, weights: Weights, rnd: int) -> _Tables:
    """The shared memos for valuations under ``rules`` and ``weights`` in round ``rnd``."""
    key = (rules, weights, rnd)
    hit = _TABLES.get(key)
    if hit is None:
        if len(_TABLES) >= 256:
            _TABLES.clear()
        hit = _TABLES[key] = _Tables()
    return hit


def _deals(tables: _Tables, meters: tuple[int, ...], tracks: tuple[int, ...]) -> dict[int, tuple[float, float]]:
    """The shared memo of accepted deals' values from a board: its ``meters`` other than the cost slots (the
    deal's key holds the pressures after it) and its ``tracks``, as bands when bands suffice (see ``_Facts``)."""
    boards = tables.boards
    key = (meters, tracks)
    hit = boards.get(key)
    if hit is None:
        if len(boards) >= 4096:
            boards.clear()
        hit = boards[key] = {}
    return hit


class _Tree(NamedTuple):
    """A sequence of packages as a trie of their prefixes, for valuing each from the prefix it extends by one item.

    Prefixes that are not packages themselves (e.g. the one-sided starts of two-sided trades) are nodes too, so
    every node costs one step from its parent, whatever was filtered out of the sequence."""

    parents: tuple[int, ...]  #: per node from 1 (node 0 is the empty package), the node it extends by one item
    added: tuple[int, ...]  #: per node from 1, the index in ``items`` of the item it adds
    items: tuple[Item, ...]  #: the distinct added items
    nodes: tuple[int, ...]  #: per package, its node


_TREES: dict[int, tuple[Sequence[Package], _Tree]] = {}


def _tree(packages: Sequence[Package]) -> _Tree:
    """The ``_Tree`` of ``packages``, memoised by identity for tuples (``candidate_packages`` returns the
    same tuple for the same board)."""
    cacheable = isinstance(packages, tuple)
    if cacheable:
        hit = _TREES.get(id(packages))
        if hit is not None and hit[0] is packages:
            return hit[1]
    index: dict[Package, int] = {(): 0}
    parents: list[int] = []
    added: list[int] = []
    distinct: dict[Item, int] = {}

    def node(items: Package) -> int:
        k = index.get(items)
        if k is None:
            j = node(items[:-1])
            k = index[items] = len(parents) + 1
            parents.append(j)
            added.append(distinct.setdefault(items[-1], len(distinct)))
        return k

    nodes = tuple([node(items) for items in packages])
    tree = _Tree(tuple(parents), tuple(added), tuple(distinct), nodes)
    if cacheable:
        if len(_TREES) >= 4096:
            _TREES.clear()
        _TREES[id(packages)] = (packages, tree)
    return tree


_Walked = tuple[int, int, bool, bool, int, int, float, float]
"""``Valuer._walk``'s running state after a package's items."""


class Appraisal(NamedTuple):
    """A package as the proposer sees it: both sides' values if accepted, the chance it is, and the expectation."""

    items: Package
    mine: float  #: the viewer's value if it is accepted
    theirs: float  #: the opponent's estimated value if it is accepted
    #: the opponent's estimated gain from accepting rather than rejecting: in its value, plus ``Weights.their_lead``
    #: times the change in its lead (with the default 0: in its value alone)
    gain: float
    p: float  #: estimated chance the opponent accepts
    #: the viewer's expected utility: p * u(accepted) + (1 - p) * u(rejected), where ``Valuer.utility`` is the
    #: viewer's value plus ``Weights.lead`` times its lead (with the default lead 0: its expected value)
    ev: float


class Valuer:
    """Values of the ways the current round can end, to the viewer and (estimated) to the opponent.

    Built once per observation. Every value is the round's outcome seen from the end of the round: points
    moved by stakes (as a change from now), minus the pressure penalty, plus the expected tier bonus."""

    __slots__ = (
        "_deals",
        "_drift",
        "_facts",
        "_items",
        "_memo",
        "_proj",
        "_risk",
        "_stakes",
        "_tables",
        "_tiers",
        "me",
        "obs",
        "rules",
        "them",
        "w",
    )

    def __init__(self, obs: Observation, weights: Weights = DEFAULT_WEIGHTS) -> None:
        rules = obs.rules
        self.obs = obs
        self.rules = rules
        self.w = weights
        self.me = obs.viewer
        self.them = 1 - obs.viewer
        self._stakes: tuple[Sequence[float], Sequence[float]] | None = None  # on first use (see ``stakes``)
        self._items: dict[Item, _Row] = {}
        self._facts = _facts(rules)
        self._tables: _Tables | None = None  # fetched on first use (following a plan needs no valuation)
        self._deals: dict[int, tuple[float, float]] | None = None

    @property
    def stakes(self) -> tuple[Sequence[float], Sequence[float]]:
        """Both roles' stakes per track, by role: the viewer's true ones and the opponent's as estimated (read
        from its offers when ``Weights.infer``); worked out on first use, since following a plan needs none."""
        st = self._stakes
        if st is None:
            obs = self.obs
            w = self.w
            theirs: Sequence[float] = inferred_stakes(obs, w.infer) if w.infer else their_stakes(obs)
            st = self._stakes = (obs.my_stakes, theirs) if self.me == 0 else (theirs, obs.my_stakes)
        return st

    def _share(self) -> _Tables:
        """The memos shared by every valuer of this round under the same rules and weights (see ``_Tables``)."""
        tables = self._tables
        if tables is None:
            tables = self._tables = _tables(self.rules, self.w, self.obs.round)
            self._memo = tables.memo
            self._tiers = tables.tiers
            self._proj = tables.proj
            self._risk = tables.risk
            self._drift = tables.drift
        return tables

    def _deal_memo(self) -> dict[int, tuple[float, float]]:
        """The shared memo of accepted deals' values from this board (see ``_deal``)."""
        deals = self._deals
        if deals is None:
            obs = self.obs
            cs = self.rules.cost_slot
            meters = obs.meters
            facts = self._facts
            if facts.exact:
                levels = facts.levels
                board: tuple[int, ...] = tuple([levels[t][x] for t, x in enumerate(obs.tracks)])
            else:
                board = obs.tracks
            deals = self._deals = _deals(self._share(), meters[:cs] + meters[cs + 2 :], board)
        return deals

    # -- round endings --

    def settle(self, meters: Sequence[int], tracks: Sequence[int], gained: tuple[bool, bool]) -> tuple[float, float]:
        """Both roles' values (points aside) of ending the round on this board: drift, walk-outs, tier, risk."""
        if self._tables is None:
            self._share()
        facts = self._facts
        if facts.exact:
            levels = facts.levels
            bands: tuple[int, ...] = tuple([levels[t][x] for t, x in enumerate(tracks)])
        else:
            bands = tuple(tracks)
        key = (tuple(meters), bands, gained)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        rules = self.rules
        rnd = self.obs.round
        m = list(meters)
        tr = list(tracks)
        if facts.plain_drift:
            lo, hi = rules.meter_min, rules.meter_max
            for i, by in self._drift_ops(gained):
                m[i] = min(hi[i], max(lo[i], m[i] + by))
        elif rules.end_effects:
            run(rules.end_effects, m, tr, gained, rnd, 0, 0, IGNORE)
            run(rules.end_effects, m, tr, gained, rnd, 0, 1, IGNORE)
            if not facts.exact:
                bands = tuple(tr)
        walk0 = walk1 = brk = 0.0
        out0 = out1 = 0.0
        for slot, per in rules.penalties:
            out0 -= per * m[slot]
            out1 -= per * m[slot + 1]
        walked0 = walked1 = False
        for slot, limits in rules.walkouts:
            walked0 = walked0 or m[slot] >= limits[0]
            walked1 = walked1 or m[slot + 1] >= limits[1]
        broke = any(m[slot] <= level for slot, level in rules.breakdowns)
        tkey = (tuple([m[s] for s in facts.tier_slots]), bands, gained if facts.tier_gained else None)
        if walked0 or walked1 or broke or rnd >= rules.rounds:
            end = EndReason.WALKOUT if walked0 or walked1 else EndReason.BREAKDOWN if broke else EndReason.LAST_ROUND
            final = rules.tier_bonus[self._tier(m, tr, gained, end, tkey)]
            out = (
                out0 + final - (rules.walkout_penalty if walked0 else 0),
                out1 + final - (rules.walkout_penalty if walked1 else 0),
            )
        else:
            hazard = self._hazard
            for slot, limits in rules.walkouts:
                walk0 = max(walk0, hazard(0, limits[0] - m[slot]))
                walk1 = max(walk1, hazard(0, limits[1] - m[slot + 1]))
            for slot, level in rules.breakdowns:
                brk = max(brk, hazard(1, m[slot] - level))
            survive = (1.0 - walk0) * (1.0 - walk1) * (1.0 - brk)
            bonus = self._projected(m, tr, gained, tkey)
            fail = rules.tier_bonus[self._tier(m, tr, gained, EndReason.WALKOUT, tkey)]
            expected = survive * (bonus + self.w.future * (rules.rounds - rnd)) + (1.0 - survive) * fail
            penalty = rules.walkout_penalty
            out = (out0 + expected - walk0 * penalty, out1 + expected - walk1 * penalty)
        memo = self._memo
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[key] = out
        return out

    def _drift_ops(self, gained: tuple[bool, bool]) -> tuple[tuple[int, int], ...]:
        """The end-of-round meter moves, as (slot, by) in order, when they depend only on who gained."""
        ops = self._drift.get(gained)
        if ops is None:
            out: list[tuple[int, int]] = []
            rnd = self.obs.round
            for me in (0, 1):
                for e in self.rules.end_effects:
                    assert isinstance(e, MoveMeter)  # ``_Facts.plain_drift``: end effects only move meters
                    if all(c.test((), (), gained, rnd, 0, me) for c in e.when):
                        out += [(i, e.by) for i in e.slots(me)]
            ops = self._drift[gained] = tuple(out)
        return ops

    def _hazard(self, kind: int, room: int) -> float:
        """Chance that a meter with ``room`` points left before its limit (kind 0: walk-out, 1: breakdown)
        reaches it in the rounds still to come: a logistic around the expected drift."""
        hit = self._risk.get((kind, room))
        if hit is None:
            w = self.w
            rate = w.rise if kind == 0 else w.fall
            gap = (self.rules.rounds - self.obs.round) * rate - room + 0.5
            hit = self._risk[(kind, room)] = logistic(gap / w.spread)
        return hit

    def _projected(
        self, m: Sequence[int], tr: Sequence[int], gained: tuple[bool, bool], key: tuple[object, ...]
    ) -> float:
        """The tier bonus a continuing summit is heading for: the tier if it ended on this board, with the
        shared meters the tiers read a point higher or lower with chance ``swing`` each (rounds remain)."""
        full = (EndReason.NONE, *key)
        hit = self._proj.get(full)
        if hit is not None:
            return hit
        rules = self.rules
        swing = self.w.swing
        slots = self._facts.swing_slots
        value = 0.0
        for shift, weight in ((0, 1.0 - 2.0 * swing), (-1, swing), (1, swing)) if slots and swing else ((0, 1.0),):
            mm = list(m)
            for s in slots:
                mm[s] = min(rules.meter_max[s], max(rules.meter_min[s], mm[s] + shift))
            value += weight * rules.tier_bonus[_tier(rules, mm, tr, gained, self.obs.round, EndReason.LAST_ROUND)]
        self._proj[full] = value
        return value

    def _tier(
        self, m: Sequence[int], tr: Sequence[int], gained: tuple[bool, bool], end: EndReason, key: tuple[object, ...]
    ) -> int:
        """``scoring.tier_index`` of a hypothetical board, memoised on ``key``: what the tier conditions read."""
        full = (end, *key)
        hit = self._tiers.get(full)
        if hit is None:
            hit = self._tiers[full] = _tier(self.rules, m, tr, gained, self.obs.round, end)
        return hit

    def _mine_first(self, v: tuple[float, float]) -> tuple[float, float]:
        return (v[0], v[1]) if self.me == 0 else (v[1], v[0])

    def accept(self, items: Package, proposer: int) -> tuple[float, float]:
        """(mine, theirs) if ``items``, offered by ``proposer``, is accepted now.

        Points are summed per item; the rest (pressure, trust, tier, risk) depends only on both pressures,
        who gained, and which tracks cross a stage the rules care about, so it is memoised on those."""
        obs = self.obs
        rules = self.rules
        cs = rules.cost_slot
        lo, hi = rules.meter_min[cs], rules.meter_max[cs]
        table = self._items
        p0, p1 = obs.meters[cs], obs.meters[cs + 1]
        g0, g1 = obs.gained
        mine: float = 0
        theirs: float = 0
        moved = 0
        for item in items:
            row = table.get(item)
            if row is None:
                row = self._item_row(item)
            giver, add, sub, dm, dt, move = row
            if giver:
                p1 = min(hi, p1 + add)
                p0 = max(lo, p0 - sub)
                g0 = True
            else:
                p0 = min(hi, p0 + add)
                p1 = max(lo, p1 - sub)
                g1 = True
            mine += dm
            theirs += dt
            if move:
                moved = moved * self._facts.move_base + move
        span = hi - lo + 1
        key = (((moved * span + p0 - lo) * span + p1 - lo) * 2 + g0) * 4 + g1 * 2 + proposer
        v = self._deal_memo().get(key)
        if v is None:
            v = self._deal(items, proposer, p0, p1, (g0, g1), key)
        return (mine + v[self.me], theirs + v[self.them])

    def _deal(
        self, items: Package, proposer: int, p0: int, p1: int, gained: tuple[bool, bool], key: int
    ) -> tuple[float, float]:
        """``settle`` after accepting ``items`` with pressures ``p0``, ``p1`` (memoised on ``key``: see ``accept``)."""
        obs = self.obs
        rules = self.rules
        cs = rules.cost_slot
        m = list(obs.meters)
        m[cs], m[cs + 1] = p0, p1
        tr = list(obs.tracks)
        for _, t, steps in items:
            tr[t] = min(rules.top_stage, tr[t] + steps)
        if rules.on_accept:
            run(rules.on_accept, m, tr, gained, obs.round, 0, proposer, IGNORE)
        v = self.settle(m, tr, gained)
        tables = self._share()
        tables.dealt += 1
        if tables.dealt >= _MEMO_MAX:  # bound the memory: drop every board's memo (a valuer keeps its own)
            tables.boards.clear()
            tables.dealt = 0
        self._deal_memo()[key] = v
        return v

    def _item_row(self, item: Item) -> _Row:
        """What one item does: (giver, giver's pressure added, receiver's relief, my points, their points, and
        0, or a digit coding the track's new band if it crosses one the rules care about: see ``_Facts.move_base``)."""
        rules = self.rules
        T = rules.n_tracks
        giver, t, steps = item
        recv = 1 - giver
        st = self.stakes
        points: list[float] = [0, 0]
        points[recv] += st[recv][t] * steps
        points[giver] -= st[giver][t] * steps
        x = self.obs.tracks[t]
        y = min(rules.top_stage, x + steps)
        facts = self._facts
        levels = facts.levels
        move = 0
        if not facts.exact:
            move = 1 + t * facts.move_span + y
        elif levels[t][y] != levels[t][x]:
            move = 1 + t * facts.move_span + levels[t][y]
        row = (
            giver,
            rules.cost[giver * T + t] * steps,
            rules.relief[recv * T + t] * steps,
            points[self.me],
            points[self.them],
            move,
        )
        self._items[item] = row
        return row

    def _rows(self, items: Sequence[Item]) -> list[_Row]:
        """``_item_row`` of each item, in one loop (the same arithmetic, operation for operation)."""
        table = self._items
        rules = self.rules
        T = rules.n_tracks
        top = rules.top_stage
        cost = rules.cost
        relief = rules.relief
        st = self.stakes
        tracks = self.obs.tracks
        facts = self._facts
        levels = facts.levels
        exact = facts.exact
        span = facts.move_span
        me = self.me
        out: list[_Row] = []
        for item in items:
            row = table.get(item)
            if row is None:
                giver, t, steps = item
                recv = 1 - giver
                gain = 0 + st[recv][t] * steps  # ``_item_row``'s points[recv] and points[giver], from 0
                loss = 0 - st[giver][t] * steps
                x = tracks[t]
                y = min(top, x + steps)
                move = 0
                if not exact:
                    move = 1 + t * span + y
                elif levels[t][y] != levels[t][x]:
                    move = 1 + t * span + levels[t][y]
                row = table[item] = (
                    giver,
                    cost[giver * T + t] * steps,
                    relief[recv * T + t] * steps,
                    gain if me == recv else loss,
                    loss if me == recv else gain,
                    move,
                )
            out.append(row)
        return out

    def board_after(self, items: Package, proposer: int) -> list[int]:
        """The meters at the end of the round if ``items`` is accepted: package, accept effects and drift."""
        obs = self.obs
        rules = self.rules
        T = rules.n_tracks
        cs = rules.cost_slot
        lo, hi = rules.meter_min[cs], rules.meter_max[cs]
        m = list(obs.meters)
        tr = list(obs.tracks)
        g = list(obs.gained)
        for giver, t, steps in items:
            recv = 1 - giver
            tr[t] = min(rules.top_stage, tr[t] + steps)
            m[cs + giver] = min(hi, m[cs + giver] + rules.cost[giver * T + t] * steps)
            m[cs + recv] = max(lo, m[cs + recv] - rules.relief[recv * T + t] * steps)
            g[recv] = True
        gained = (g[0], g[1])
        run(rules.on_accept, m, tr, gained, obs.round, 0, proposer, IGNORE)
        run(rules.end_effects, m, tr, gained, obs.round, 0, 0, IGNORE)
        run(rules.end_effects, m, tr, gained, obs.round, 0, 1, IGNORE)
        return m

    def board_after_reject(self, by: int) -> list[int]:
        """The meters at the end of the round if ``by`` rejects: reject effects and drift."""
        obs = self.obs
        rules = self.rules
        m = list(obs.meters)
        tr = list(obs.tracks)
        run(rules.on_reject, m, tr, obs.gained, obs.round, 0, by, IGNORE)
        run(rules.end_effects, m, tr, obs.gained, obs.round, 0, 0, IGNORE)
        run(rules.end_effects, m, tr, obs.gained, obs.round, 0, 1, IGNORE)
        return m

    def walks_out(self, meters: Sequence[int], role: int) -> bool:
        """Whether ``role`` would walk out with these end-of-round meters."""
        return any(meters[slot + role] >= limits[role] for slot, limits in self.rules.walkouts)

    def breaks_down(self, meters: Sequence[int]) -> bool:
        """Whether the talks would break down with these end-of-round meters."""
        return any(meters[slot] <= level for slot, level in self.rules.breakdowns)

    def reject(self, by: int) -> tuple[float, float]:
        """(mine, theirs) if ``by`` rejects the package on the table (or the one about to be offered)."""
        obs = self.obs
        m = list(obs.meters)
        tr = list(obs.tracks)
        if self.rules.on_reject:
            run(self.rules.on_reject, m, tr, obs.gained, obs.round, 0, by, IGNORE)
        return self._mine_first(self.settle(m, tr, obs.gained))

    def pass_(self) -> tuple[float, float]:
        """(mine, theirs) if the initiative passes now."""
        obs = self.obs
        m = list(obs.meters)
        tr = list(obs.tracks)
        if self.rules.on_pass:
            run(self.rules.on_pass, m, tr, obs.gained, obs.round, 0, obs.initiative, IGNORE)
        return self._mine_first(self.settle(m, tr, obs.gained))

    def utility(self, value: tuple[float, float]) -> float:
        """What a ``(mine, theirs)`` pair is worth to the viewer: its value plus ``Weights.lead`` times its lead
        (the game is won on the lead; the tier bonus both sides share cancels out of it)."""
        lead = self.w.lead
        return (1.0 + lead) * value[0] - lead * value[1]  # as ``appraise`` computes it, so the two compare exactly

    def gesture(self, card: str) -> float:
        """What playing gesture ``card`` now is worth to the viewer, against not playing it."""
        return self.gesture_both(card)[0]

    def gesture_both(self, card: str) -> tuple[float, float]:
        """(mine, theirs): what playing gesture ``card`` now is worth to each side, against not playing it.

        ``mine`` is ``gesture``; ``theirs`` is the opponent's side of the same board (its pressure penalty,
        walk-out risk and tier; the cards it gains, and what each side learns, at the same worths), so an
        agent that plays the score as it is won (relative) can price a gesture by ``mine - theirs``."""
        obs = self.obs
        rules = self.rules
        g = rules.gesture_ids.index(card)
        m = list(obs.meters)
        tr = list(obs.tracks)
        extras = Tally()
        run(rules.gesture_effects[g], m, tr, obs.gained, obs.round, 0, self.me, extras)
        before = self.settle(obs.meters, obs.tracks, obs.gained)
        after = self.settle(m, tr, obs.gained)
        w = self.w
        mine = after[self.me] - before[self.me] + w.card * (extras.cards[self.me] - 1)
        theirs = after[self.them] - before[self.them] + w.card * extras.cards[self.them]
        if extras.revealed[self.them] and obs.their_agenda is None:
            mine += w.reveal
            theirs -= w.reveal
        if extras.revealed[self.me] and not obs.my_agenda_revealed:
            mine -= w.reveal
            theirs += w.reveal
        return mine, theirs

    # -- proposals --

    def _walk(self, packages: Sequence[Package]) -> tuple[list[_Walked], tuple[int, ...]]:
        """``accept``'s running state after each prefix of ``packages`` (see ``_Tree``): pressures, who gained, band
        moves, the deal's memo key less the proposer, and both sides' points, each one step from its parent's by the
        operations ``accept`` makes, in its order; and each package's node in that list."""
        parents, added, distinct, nodes = _tree(packages)
        obs = self.obs
        cs = self.rules.cost_slot
        lo, hi = self.rules.meter_min[cs], self.rules.meter_max[cs]
        span = hi - lo + 1
        base = self._facts.move_base
        rows = self._rows(distinct)
        p0, p1 = obs.meters[cs], obs.meters[cs + 1]
        g0, g1 = obs.gained
        states: list[_Walked] = [(p0, p1, g0, g1, 0, (((p0 - lo) * span + p1 - lo) * 2 + g0) * 4 + g1 * 2, 0, 0)]
        keep = states.append
        for j, k in zip(parents, added, strict=True):
            p0, p1, g0, g1, moved, _, dm, dt = states[j]
            giver, add, sub, rm, rt, move = rows[k]
            if giver:
                p1 += add
                if p1 > hi:
                    p1 = hi
                p0 -= sub
                if p0 < lo:
                    p0 = lo
                g0 = True
            else:
                p0 += add
                if p0 > hi:
                    p0 = hi
                p1 -= sub
                if p1 < lo:
                    p1 = lo
                g1 = True
            if move:
                moved = moved * base + move
            key = (((moved * span + p0 - lo) * span + p1 - lo) * 2 + g0) * 4 + g1 * 2
            keep((p0, p1, g0, g1, moved, key, dm + rm, dt + rt))
        return states, nodes

    def appraise(self, packages: Sequence[Package]) -> list[Appraisal]:
        """Each package the viewer might offer, with both sides' values and the chance it is accepted."""
        me, them = self.me, self.them
        rej_mine, rej_theirs = self.reject(them)
        w = self.w
        scale = w.accept_scale
        lead = w.lead
        own = 1.0 + lead  # utility = own * mine - lead * theirs (exactly mine when lead is 0)
        rej_u = own * rej_mine - lead * rej_theirs
        their_lead = w.their_lead
        their_own = 1.0 + their_lead  # and theirs, as the acceptance model assumes it
        out: list[Appraisal] = []
        append = out.append
        exp = math.exp
        new = tuple.__new__
        states, nodes = self._walk(packages)
        deals = self._deal_memo()
        deal = self._deal
        for items, n in zip(packages, nodes, strict=True):
            st = states[n]
            v = deals.get(st[5] + me)  # the key ``accept`` makes
            if v is None:
                v = deal(items, me, st[0], st[1], (st[2], st[3]), st[5] + me)
            mine = st[6] + v[me]
            theirs = st[7] + v[them]
            gain = their_own * (theirs - rej_theirs) - their_lead * (mine - rej_mine)
            x = gain / scale
            p = 1.0 / (1.0 + exp(-x)) if x > -500 else 0.0
            ev = p * (own * mine - lead * theirs) + (1.0 - p) * rej_u
            append(new(Appraisal, (items, mine, theirs, gain, p, ev)))
        return out

    def best(self, packages: Sequence[Package] | None = None) -> Appraisal | None:
        """The appraisal of highest ``ev`` (the first of equals), as ``max(appraise(packages), key=ev)`` finds it,
        without building the others; None if there are no packages. Default: every package ``options`` values."""
        if packages is None:
            packages = candidate_packages(self.obs)
        if not packages:
            return None
        me, them = self.me, self.them
        rej_mine, rej_theirs = self.reject(them)
        w = self.w
        scale = w.accept_scale
        lead = w.lead
        own = 1.0 + lead
        rej_u = own * rej_mine - lead * rej_theirs
        their_lead = w.their_lead
        their_own = 1.0 + their_lead
        exp = math.exp
        states, nodes = self._walk(packages)
        deals = self._deal_memo()
        deal = self._deal
        top = -1
        top_ev = 0.0
        found = (0.0, 0.0, 0.0, 0.0)
        margin = 1e-9  # relative: many orders of magnitude above the few ulps two products and a sum may round by
        abs_rej = abs(rej_u)
        for i, n in enumerate(nodes):  # the arithmetic of ``appraise``, operation for operation
            st = states[n]
            v = deals.get(st[5] + me)
            if v is None:
                v = deal(packages[i], me, st[0], st[1], (st[2], st[3]), st[5] + me)
            mine = st[6] + v[me]
            theirs = st[7] + v[them]
            u = own * mine - lead * theirs
            # ev lies between u and rej_u (give or take rounding, far inside the margin): a package whose better
            # end is below the best so far cannot replace it, so its chance of acceptance is not worked out
            if top >= 0 and (u if u > rej_u else rej_u) + margin * (abs(u) + abs_rej) < top_ev:
                continue
            gain = their_own * (theirs - rej_theirs) - their_lead * (mine - rej_mine)
            x = gain / scale
            p = 1.0 / (1.0 + exp(-x)) if x > -500 else 0.0
            ev = p * u + (1.0 - p) * rej_u
            if top < 0 or ev > top_ev:
                top, top_ev = i, ev
                found = (mine, theirs, gain, p)
        return Appraisal(packages[top], *found, top_ev)

    def options(self) -> list[Appraisal]:
        """``appraise`` over every package the viewer may offer from here (see ``candidate_packages``)."""
        return self.appraise(candidate_packages(self.obs))

    def on_table(self) -> tuple[float, float]:
        """(mine, theirs) of accepting the package on the table (only in the response phase)."""
        assert self.obs.phase == Phase.RESPOND
        return self.accept(self.obs.items, self.obs.proposer)
