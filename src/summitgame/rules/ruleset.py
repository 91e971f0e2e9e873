"""The frozen, resolved ``Ruleset`` the engine runs on: ids turned into indexes, effects compiled.

Compiling turns the schema's effects and conditions into the typed values of ``effects.py`` (which alone
says what they do); this module only resolves their ids.

Built once per rule file by ``loader.load_rules``; immutable afterwards and shared by every state.
Its ``fingerprint`` is a hash of the resolved content (rules and decks), so a record or save can
prove which rules it was played under.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from . import effects as fx
from . import schema as sc
from .actions import Action, ActionTable
from .schema import AgendaDeck, EventDeck, GestureDeck, RulesFile

FORMAT = 1  # bump when the meaning of rule data changes, so fingerprints change with it
OPTIONAL_KEYS = (("proposals", "auto_offer"), ("proposals", "two_sided"))
"""Rule options added after FORMAT 1 whose default (false) plays as before: the fingerprint leaves them out
at that default, so the records and saves of rule files that do not set them still replay."""


@dataclass(frozen=True, eq=False)
class Ruleset:
    """Everything the engine needs, as tuples and indexes. Roles are 0 and 1 in file order."""

    name: str
    source: str
    fingerprint: str
    spec: RulesFile
    events_deck: EventDeck
    gestures_deck: GestureDeck
    agendas_deck: AgendaDeck

    roles: tuple[str, ...]
    role_names: tuple[str, ...]

    meter_ids: tuple[str, ...]
    meter_slot: dict[str, tuple[int, bool]]  #: meter id → (first slot, per_role)
    meter_min: tuple[int, ...]
    meter_max: tuple[int, ...]
    meter_start: tuple[int, ...]
    breakdowns: tuple[tuple[int, int], ...]  #: (slot, level) for shared meters that can break talks
    walkouts: tuple[tuple[int, tuple[int, int]], ...]  #: (first slot, limit per role)
    penalties: tuple[tuple[int, int], ...]  #: (first slot, points per unit at the end)

    stages: tuple[str, ...]
    top_stage: int
    track_ids: tuple[str, ...]
    track_names: tuple[str, ...]
    track_short: tuple[str, ...]
    n_tracks: int
    track_start: tuple[int, ...]
    gates: tuple[tuple[int, int] | None, ...]  #: per track: (meter slot, at least) or None
    stake: tuple[int, ...]  #: base stake, role * n_tracks + track
    cost: tuple[int, ...]
    relief: tuple[int, ...]

    cap_slot: int
    cap: tuple[tuple[int, int], ...]  #: (at_least, steps), highest at_least first
    cost_slot: int
    max_items: int
    max_steps: int
    max_counters: int
    two_sided: bool  #: an offer needs an item from each side
    auto_offer: bool  #: a full package is offered at once (``proposals.auto_offer``)
    on_accept: tuple[fx.Effect, ...]
    on_reject: tuple[fx.Effect, ...]
    on_pass: tuple[fx.Effect, ...]
    end_effects: tuple[fx.Effect, ...]

    hand_size: int
    hand_limit: int
    draw_per_round: int
    plays_per_turn: int
    rounds: int
    first_initiative: int  #: role index, or -1 for random
    opening_event: int  #: event index that opens round 1, or -1 for a random draw

    event_ids: tuple[str, ...]
    event_effects: tuple[tuple[fx.Effect, ...], ...]
    event_pool: tuple[int, ...]  #: the full event deck, one entry per copy
    gesture_ids: tuple[str, ...]
    gesture_effects: tuple[tuple[fx.Effect, ...], ...]
    gesture_pool: tuple[int, ...]
    agenda_ids: tuple[str, ...]
    agenda_stakes: tuple[tuple[int, ...], ...]  #: per agenda, stake added per track
    agenda_allowed: tuple[tuple[int, ...], ...]  #: per role, the agenda indexes it may be dealt

    tier_ids: tuple[str, ...]  #: in the order they are checked
    tier_names: tuple[str, ...]
    tier_bonus: tuple[int, ...]
    tier_any: tuple[tuple[fx.Condition, ...], ...]
    tier_all: tuple[tuple[fx.Condition, ...], ...]
    walkout_penalty: int

    actions: ActionTable
    engine_memo: Any = field(default=None, init=False, repr=False, compare=False)
    """The engine's prepared tables for these rules (set-up template, decision points), made on first use by
    ``engine``; never part of the rules' value, not pickled, and fresh in a ``dataclasses.replace`` copy."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["engine_memo"] = None  # a cache: rebuilt on first use where the rules are unpickled
        return state

    def __repr__(self) -> str:
        return f"<Ruleset {self.name!r} {self.fingerprint}>"

    def values(self) -> dict[str, Any]:
        """Every value a key path names (``--set``, ``[tunable]``, ``sweep``, ``tune``): the rule data with its
        defaults, and the decks under ``cards`` (``cards.gestures.photo_op.copies``)."""
        return {
            **self.spec.model_dump(mode="python"),
            "cards": card_values(self.events_deck, self.gestures_deck, self.agendas_deck),
        }

    def role_index(self, role: str) -> int:
        """Index of a role id; ValueError names the known roles."""
        try:
            return self.roles.index(role)
        except ValueError:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(self.roles)}") from None

    def parse_action(self, text: str) -> Action:
        """The action written as ``text`` (see ``actions.ActionTable.parse``)."""
        return self.actions.parse(text)

    def meter(self, values: tuple[int, ...], meter: str, role: int = 0) -> int:
        """Read one meter from a state's meter slots."""
        slot, per_role = self.meter_slot[meter]
        return values[slot + role] if per_role else values[slot]

    def cap_for(self, level: int) -> int:
        """Largest package size (total steps) at this level of the cap meter."""
        for at_least, steps in self.cap:
            if level >= at_least:
                return steps
        return self.cap[-1][1]


def _per_role(value: int | dict[str, int], roles: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(value[r] if isinstance(value, dict) else value for r in roles)


def card_values(
    events: EventDeck, gestures: GestureDeck, agendas: AgendaDeck, *, as_written: bool = False
) -> dict[str, dict[str, dict[str, Any]]]:
    """The decks as key paths see them: deck → card id → the card's fields (defaults included, id left out);
    ``as_written``: only the fields the data sets (to write them back as TOML)."""
    return {
        kind: {c.id: c.model_dump(mode="python", exclude={"id"}, exclude_unset=as_written) for c in deck.cards}
        for kind, deck in (("events", events), ("gestures", gestures), ("agendas", agendas))
    }


def content_fingerprint(spec: RulesFile, events: EventDeck, gestures: GestureDeck, agendas: AgendaDeck) -> str:
    """A stable hash of the resolved rules and decks (independent of file layout and comments, and of the
    ``tunable`` ranges, which bound what a designer may change but not how the game plays; a rule file's
    ``remove`` and ``[cards]`` changes are hashed as the decks they make)."""
    rules = spec.model_dump(mode="json", exclude={"extends", "decks", "tunable", "remove", "cards"})
    for section, key in OPTIONAL_KEYS:  # left out at their default, so older fingerprints stay valid
        if rules[section][key] is False:
            del rules[section][key]
    doc: dict[str, Any] = {
        "format": FORMAT,
        "rules": rules,
        "events": events.model_dump(mode="json", exclude={"tunable"}),
        "gestures": gestures.model_dump(mode="json", exclude={"tunable"}),
        "agendas": agendas.model_dump(mode="json", exclude={"tunable"}),
    }
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --- compiling effects and conditions: ids resolved to indexes ------------------------------------------


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
        return fx.WHO[who] if who in fx.WHO else self.roles[who]


def compile_condition(c: sc.Condition, n: Names) -> fx.Condition:
    """A schema condition as the typed value ``effects.py`` evaluates."""
    if isinstance(c, sc.MeterCondition):
        slot, per_role = n.meter_slot[c.meter]
        lo, hi = n.meter_bounds[c.meter]
        return fx.MeterIs(
            slot,
            per_role,
            n.who(c.who),
            lo if c.at_least is None else c.at_least,
            hi if c.at_most is None else c.at_most,
        )
    if isinstance(c, sc.TrackCondition):
        lo = 0 if c.at_least is None else n.stages[c.at_least]
        hi = n.n_stages - 1 if c.at_most is None else n.stages[c.at_most]
        return fx.TrackIs(n.tracks[c.track], lo, hi)
    if isinstance(c, sc.TracksCondition):
        return fx.TracksReach(n.stages[c.at_least], c.count)
    if isinstance(c, sc.GainedCondition):
        return fx.GainedIs(n.who(c.who), c.value)
    if isinstance(c, sc.RoundCondition):
        return fx.RoundIs(c.at_least or 1, c.at_most or n.rounds)
    if isinstance(c, sc.EndedByCondition):
        return fx.EndedIs(frozenset(fx.EndReason[r.upper()] for r in c.reasons))
    assert_never(c)  # mypy proves every kind is compiled


def compile_effect(e: sc.Effect, n: Names) -> fx.Effect:
    """A schema effect as the typed value ``effects.py`` applies (meter bounds and the last stage resolved)."""
    when = tuple(compile_condition(c, n) for c in e.when)
    if isinstance(e, sc.ChangeMeter):
        slot, per_role = n.meter_slot[e.meter]
        lo, hi = n.meter_bounds[e.meter]
        return fx.MoveMeter(when, slot, per_role, n.who(e.who), e.by, lo, hi)
    if isinstance(e, sc.ChangeTrack):
        return fx.MoveTrack(when, n.tracks[e.track], e.by, n.n_stages - 1)
    if isinstance(e, sc.ChangeStake):
        return fx.MoveStake(when, n.tracks[e.track], n.who(e.who), e.by)
    if isinstance(e, sc.Draw):
        return fx.DrawCards(when, n.who(e.who), e.count)
    if isinstance(e, sc.Discard):
        return fx.DiscardCards(when, n.who(e.who), e.count)
    if isinstance(e, sc.BlockTrack):
        return fx.Block(when, n.tracks[e.track], e.rounds)
    if isinstance(e, sc.RevealAgenda):
        return fx.Reveal(when, n.who(e.who))
    assert_never(e)


def compile_ruleset(
    spec: RulesFile, events: EventDeck, gestures: GestureDeck, agendas: AgendaDeck, source: str = ""
) -> Ruleset:
    """Resolve a validated, cross-checked rule set into a Ruleset."""
    roles = tuple(spec.roles)
    slot_of: dict[str, tuple[int, bool]] = {}
    mins: list[int] = []
    maxs: list[int] = []
    starts: list[int] = []
    bounds: dict[str, tuple[int, int]] = {}
    breakdowns: list[tuple[int, int]] = []
    walkouts: list[tuple[int, tuple[int, int]]] = []
    penalties: list[tuple[int, int]] = []
    ordered = [k for k, m in spec.meters.items() if m.scope == "shared"] + [
        k for k, m in spec.meters.items() if m.scope == "per_role"
    ]
    for mid in ordered:
        m = spec.meters[mid]
        bounds[mid] = (m.min, m.max)
        slot = len(mins)
        if m.scope == "shared":
            slot_of[mid] = (slot, False)
            mins.append(m.min)
            maxs.append(m.max)
            assert isinstance(m.start, int)
            starts.append(m.start)
            if m.breakdown_at is not None:
                breakdowns.append((slot, m.breakdown_at))
        else:
            slot_of[mid] = (slot, True)
            per = _per_role(m.start, roles)
            for r in range(2):
                mins.append(m.min)
                maxs.append(m.max)
                starts.append(per[r])
            if m.walkout_at is not None:
                w = _per_role(m.walkout_at, roles)
                walkouts.append((slot, (w[0], w[1])))
            if m.score_penalty:
                penalties.append((slot, m.score_penalty))

    stages = tuple(spec.stages)
    track_ids = tuple(spec.tracks)
    names = Names(roles, track_ids, stages, slot_of, bounds, spec.rounds.count)
    tracks = list(spec.tracks.values())
    T = len(tracks)

    def table(attr: str) -> tuple[int, ...]:
        out = [0] * (2 * T)
        for t, tr in enumerate(tracks):
            for r, v in enumerate(_per_role(getattr(tr, attr), roles)):
                out[r * T + t] = v
        return tuple(out)

    def effs(items: list[Any]) -> tuple[fx.Effect, ...]:
        return tuple(compile_effect(e, names) for e in items)

    def pool(cards: list[Any]) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(cards) for _ in range(c.copies))

    pr = spec.proposals
    agenda_stakes = tuple(tuple(card.stakes.get(t, 0) for t in track_ids) for card in agendas.cards)
    allowed = tuple(
        tuple(i for i, card in enumerate(agendas.cards) if not card.roles or role in card.roles) for role in roles
    )
    order = spec.outcome.order
    gesture_ids = tuple(c.id for c in gestures.cards)
    fi = spec.rounds.first_initiative
    return Ruleset(
        name=spec.name,
        source=source,
        fingerprint=content_fingerprint(spec, events, gestures, agendas),
        spec=spec,
        events_deck=events,
        gestures_deck=gestures,
        agendas_deck=agendas,
        roles=roles,
        role_names=tuple(r.name for r in spec.roles.values()),
        meter_ids=tuple(ordered),
        meter_slot=slot_of,
        meter_min=tuple(mins),
        meter_max=tuple(maxs),
        meter_start=tuple(starts),
        breakdowns=tuple(breakdowns),
        walkouts=tuple(walkouts),
        penalties=tuple(penalties),
        stages=stages,
        top_stage=len(stages) - 1,
        track_ids=track_ids,
        track_names=tuple(t.name for t in tracks),
        track_short=tuple(t.short or tid for tid, t in spec.tracks.items()),
        n_tracks=T,
        track_start=tuple(stages.index(t.start) if t.start else 0 for t in tracks),
        gates=tuple((slot_of[t.gate.meter][0], t.gate.at_least) if t.gate is not None else None for t in tracks),
        stake=table("stake"),
        cost=table("cost"),
        relief=table("relief"),
        cap_slot=slot_of[pr.cap_meter][0],
        cap=tuple((row.at_least, row.steps) for row in reversed(pr.cap)),
        cost_slot=slot_of[pr.cost_meter][0],
        max_items=pr.max_items_per_side,
        max_steps=pr.max_steps_per_item,
        max_counters=pr.max_counters,
        two_sided=pr.two_sided,
        auto_offer=pr.auto_offer,
        on_accept=effs(pr.on_accept),
        on_reject=effs(pr.on_reject),
        on_pass=effs(pr.on_pass),
        end_effects=effs(spec.rounds.end_effects),
        hand_size=spec.hands.size,
        hand_limit=spec.hands.limit,
        draw_per_round=spec.hands.draw_per_round,
        plays_per_turn=spec.hands.plays_per_turn,
        rounds=spec.rounds.count,
        first_initiative=-1 if fi == "random" else roles.index(fi),
        opening_event=-1
        if spec.rounds.opening_event is None
        else [c.id for c in events.cards].index(spec.rounds.opening_event),
        event_ids=tuple(c.id for c in events.cards),
        event_effects=tuple(effs(c.effects) for c in events.cards),
        event_pool=pool(events.cards),
        gesture_ids=gesture_ids,
        gesture_effects=tuple(effs(c.effects) for c in gestures.cards),
        gesture_pool=pool(gestures.cards),
        agenda_ids=tuple(c.id for c in agendas.cards),
        agenda_stakes=agenda_stakes,
        agenda_allowed=allowed,
        tier_ids=tuple(order),
        tier_names=tuple(spec.tiers[t].name for t in order),
        tier_bonus=tuple(spec.tiers[t].bonus for t in order),
        tier_any=tuple(tuple(compile_condition(c, names) for c in spec.tiers[t].any) for t in order),
        tier_all=tuple(tuple(compile_condition(c, names) for c in spec.tiers[t].all) for t in order),
        walkout_penalty=spec.outcome.walkout_penalty,
        actions=ActionTable(gesture_ids, track_ids, pr.max_steps_per_item),
    )
