"""Cross-reference checks that a schema cannot express: names that must exist, values that must fit.

Runs after every file passed its schema; reports every problem, each with its file and key path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import assert_never

from ..errors import Problem
from .effects import WHO, EndReason
from .schema import (
    AgendaDeck,
    BlockTrack,
    ChangeMeter,
    ChangeStake,
    ChangeTrack,
    Condition,
    Discard,
    Draw,
    Effect,
    EndedByCondition,
    EventCard,
    EventDeck,
    GainedCondition,
    GestureCard,
    GestureDeck,
    MeterCondition,
    RevealAgenda,
    RoundCondition,
    RulesFile,
    TierSpec,
    TrackCondition,
    TracksCondition,
)

Where = Callable[[str], tuple[str, int | None]]
DeckWhere = Callable[[str, str], tuple[str, int | None]]

WHO_WORDS = tuple(WHO)  #: what ``who`` may say besides a role id


def listed(names: Sequence[str] | Iterable[str], limit: int = 12) -> str:
    """Known names for a message, as a list, the first ``limit`` of them (a file may define thousands)."""
    items = list(names)
    shown = repr(items[:limit])
    return shown if len(items) <= limit else f"{shown[:-1]}, ... ({len(items)} in all)]"


class Checker:
    """Collects problems while walking a validated rule set and its decks."""

    def __init__(self, spec: RulesFile) -> None:
        self.spec = spec
        self.problems: list[Problem] = []
        self.roles = list(spec.roles)
        self.role_set = set(spec.roles)
        self.stages = list(spec.stages)

    def add(self, where: tuple[str, int | None], path: str, message: str) -> None:
        self.problems.append(Problem(where[0], path, message, where[1]))

    # --- helpers ---------------------------------------------------------------------------------

    def per_role(
        self,
        value: int | dict[str, int],
        at: Callable[[str], tuple[str, int | None]],
        path: str,
        lo: int | None = None,
        hi: int | None = None,
    ) -> None:
        if isinstance(value, dict):
            for role in value:
                if role not in self.role_set:
                    self.add(
                        at(f"{path}.{role}"), f"{path}.{role}", f"unknown role {role!r}; roles are {listed(self.roles)}"
                    )
            # with the wrong number of roles that one problem is reported once, not here per value
            for role in self.roles if len(self.roles) == 2 else ():
                if role not in value:
                    self.add(at(path), path, f"no value for role {role!r}")
            values = list(value.values())
        else:
            values = [value]
        for v in values:
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                self.add(at(path), path, f"{v} is outside {lo}..{hi}")

    def who(self, who: str, at: tuple[str, int | None], path: str) -> None:
        if who not in WHO_WORDS and who not in self.role_set:
            self.add(at, f"{path}.who", f"unknown role {who!r}; use self, other, both or one of {listed(self.roles)}")

    def meter_ref(self, meter: str, at: tuple[str, int | None], path: str) -> bool:
        if meter not in self.spec.meters:
            self.add(at, path, f"unknown meter {meter!r}; meters are {listed(self.spec.meters)}")
            return False
        return True

    def track_ref(self, track: str, at: tuple[str, int | None], path: str) -> bool:
        if track not in self.spec.tracks:
            self.add(at, path, f"unknown track {track!r}; tracks are {listed(self.spec.tracks)}")
            return False
        return True

    def stage_ref(self, stage: str, at: tuple[str, int | None], path: str) -> bool:
        if stage not in self.stages:
            self.add(at, path, f"unknown stage {stage!r}; stages are {self.stages}")
            return False
        return True

    # --- conditions and effects ------------------------------------------------------------------

    def condition(self, c: Condition, at: Callable[[str], tuple[str, int | None]], path: str, in_tier: bool) -> bool:
        """Check one condition; return False when it can never hold."""
        possible = True
        if isinstance(c, MeterCondition):
            if self.meter_ref(c.meter, at(f"{path}.meter"), f"{path}.meter"):
                m = self.spec.meters[c.meter]
                if m.scope == "per_role":
                    self.who(c.who, at(path), path)
                    if c.who == "both":
                        self.add(
                            at(f"{path}.who"),
                            f"{path}.who",
                            "a meter condition reads one role: use self, other or a role id",
                        )
                elif "who" in c.model_fields_set:
                    self.add(at(f"{path}.who"), f"{path}.who", f"meter {c.meter!r} is shared: 'who' has no meaning")
                lo = c.at_least if c.at_least is not None else m.min
                hi = c.at_most if c.at_most is not None else m.max
                if lo > hi or lo > m.max or hi < m.min:
                    possible = False
            if c.at_least is None and c.at_most is None:
                self.add(at(path), path, "give at_least, at_most or both")
        elif isinstance(c, TrackCondition):
            self.track_ref(c.track, at(f"{path}.track"), f"{path}.track")
            for key in ("at_least", "at_most"):
                stage = getattr(c, key)
                if stage is not None:
                    self.stage_ref(stage, at(f"{path}.{key}"), f"{path}.{key}")
            if (
                c.at_least in self.stages
                and c.at_most in self.stages
                and self.stages.index(c.at_least) > self.stages.index(c.at_most)
            ):
                possible = False
        elif isinstance(c, TracksCondition):
            self.stage_ref(c.at_least, at(f"{path}.at_least"), f"{path}.at_least")
            if c.count > len(self.spec.tracks):
                possible = False
        elif isinstance(c, GainedCondition):
            self.who(c.who, at(path), path)
        elif isinstance(c, RoundCondition):
            lo = c.at_least or 1
            # a card for late rounds is fine in a shorter summit; only a tier must be reachable
            if (c.at_most is not None and lo > c.at_most) or (in_tier and lo > self.spec.rounds.count):
                possible = False
        elif isinstance(c, EndedByCondition):
            if not in_tier:
                self.add(at(path), path, "'ended_by' can only be used in outcome tiers")
            reachable = {EndReason.LAST_ROUND.label}
            if any(m.breakdown_at is not None for m in self.spec.meters.values()):
                reachable.add(EndReason.BREAKDOWN.label)
            if any(m.walkout_at is not None for m in self.spec.meters.values()):
                reachable.add(EndReason.WALKOUT.label)
            if not reachable.intersection(c.reasons):
                possible = False
        else:
            assert_never(c)  # mypy proves every condition kind is checked
        return possible

    def effects(self, effects: Sequence[Effect], at: Callable[[str], tuple[str, int | None]], path: str) -> None:
        for i, e in enumerate(effects):
            p = f"{path}[{i}]"
            if isinstance(e, ChangeMeter):
                if self.meter_ref(e.meter, at(f"{p}.meter"), f"{p}.meter"):
                    if self.spec.meters[e.meter].scope == "per_role":
                        self.who(e.who, at(p), p)
                    elif "who" in e.model_fields_set:
                        self.add(at(f"{p}.who"), f"{p}.who", f"meter {e.meter!r} is shared: 'who' has no meaning")
            elif isinstance(e, ChangeTrack | BlockTrack):
                self.track_ref(e.track, at(f"{p}.track"), f"{p}.track")
            elif isinstance(e, ChangeStake):
                self.track_ref(e.track, at(f"{p}.track"), f"{p}.track")
                self.who(e.who, at(p), p)
            elif isinstance(e, Draw | Discard | RevealAgenda):
                self.who(e.who, at(p), p)
            else:
                assert_never(e)  # mypy proves every effect kind is checked
            for j, c in enumerate(e.when):
                if not self.condition(c, at, f"{p}.when[{j}]", in_tier=False):
                    self.add(at(f"{p}.when[{j}]"), f"{p}.when[{j}]", "this condition can never hold")

    # --- the rule file -----------------------------------------------------------------------------

    def rules(self, at: Where) -> None:
        spec = self.spec
        if len(spec.roles) != 2:
            self.add(at("roles"), "roles", f"exactly two roles are needed, found {len(spec.roles)}")
        shared_meters = [k for k, m in spec.meters.items() if m.scope == "shared"]
        for mid, m in spec.meters.items():
            p = f"meters.{mid}"
            if m.scope == "shared":
                if isinstance(m.start, dict):
                    self.add(at(f"{p}.start"), f"{p}.start", "a shared meter has one start value, not one per role")
                elif not m.min <= m.start <= m.max:
                    self.add(
                        at(f"{p}.start"),
                        f"{p}.start",
                        f"start {m.start} is outside the meter's bounds {m.min}..{m.max}",
                    )
                if m.walkout_at is not None:
                    self.add(
                        at(f"{p}.walkout_at"), f"{p}.walkout_at", "walkout_at is for per-role meters; use breakdown_at"
                    )
                if m.score_penalty:
                    self.add(at(f"{p}.score_penalty"), f"{p}.score_penalty", "score_penalty is for per-role meters")
                if m.breakdown_at is not None and not m.min <= m.breakdown_at < m.max:
                    self.add(
                        at(f"{p}.breakdown_at"),
                        f"{p}.breakdown_at",
                        f"{m.breakdown_at} is outside {m.min}..{m.max - 1}: "
                        "the breakdown could never happen or always would",
                    )
                elif isinstance(m.start, int) and m.breakdown_at is not None and m.start <= m.breakdown_at:
                    self.add(
                        at(f"{p}.start"), f"{p}.start", f"start {m.start} is already at breakdown_at ({m.breakdown_at})"
                    )
            else:
                self.per_role(m.start, at, f"{p}.start", m.min, m.max)
                if m.breakdown_at is not None:
                    self.add(
                        at(f"{p}.breakdown_at"),
                        f"{p}.breakdown_at",
                        "breakdown_at is for shared meters; use walkout_at",
                    )
                if m.walkout_at is not None:
                    self.per_role(m.walkout_at, at, f"{p}.walkout_at", m.min + 1, m.max)
                    for r in self.roles if len(self.roles) == 2 else ():  # else reported once, at roles
                        s = m.start if isinstance(m.start, int) else m.start.get(r)
                        w = m.walkout_at if isinstance(m.walkout_at, int) else m.walkout_at.get(r)
                        if s is not None and w is not None and s >= w:
                            self.add(
                                at(f"{p}.start"), f"{p}.start", f"{r} starts at {s}, already at its walkout_at ({w})"
                            )
        for tid, t in spec.tracks.items():
            p = f"tracks.{tid}"
            if t.start is not None:
                self.stage_ref(t.start, at(f"{p}.start"), f"{p}.start")
                if t.start == spec.stages[-1]:
                    self.add(at(f"{p}.start"), f"{p}.start", "a track cannot start at its last stage")
            if t.gate is not None:
                gp = f"{p}.gate.meter"
                if self.meter_ref(t.gate.meter, at(gp), gp):
                    gm = spec.meters[t.gate.meter]
                    if gm.scope != "shared":
                        self.add(at(gp), gp, f"a gate reads a shared meter; {t.gate.meter!r} is per role")
                    elif t.gate.at_least > gm.max:
                        self.add(
                            at(f"{p}.gate.at_least"),
                            f"{p}.gate.at_least",
                            f"{t.gate.at_least} is above the meter's max ({gm.max}): the track could never open",
                        )
            self.per_role(t.stake, at, f"{p}.stake", 0, 20)
            self.per_role(t.cost, at, f"{p}.cost", 0, 20)
            self.per_role(t.relief, at, f"{p}.relief", 0, 20)
        pr = spec.proposals
        if self.meter_ref(pr.cap_meter, at("proposals.cap_meter"), "proposals.cap_meter"):
            cm = spec.meters[pr.cap_meter]
            if cm.scope != "shared":
                self.add(
                    at("proposals.cap_meter"), "proposals.cap_meter", f"must be a shared meter, one of {shared_meters}"
                )
            elif pr.cap[0].at_least > cm.min:
                self.add(
                    at("proposals.cap"),
                    "proposals.cap[0].at_least",
                    f"the first row must start at the meter's min ({cm.min}) so every value has a cap",
                )
        if (
            self.meter_ref(pr.cost_meter, at("proposals.cost_meter"), "proposals.cost_meter")
            and spec.meters[pr.cost_meter].scope != "per_role"
        ):
            self.add(at("proposals.cost_meter"), "proposals.cost_meter", "must be a per-role meter")
        for key in ("on_accept", "on_reject", "on_pass"):
            self.effects(getattr(pr, key), at, f"proposals.{key}")
        self.effects(spec.rounds.end_effects, at, "rounds.end_effects")
        for i, e in enumerate(spec.rounds.end_effects):
            if isinstance(e, ChangeMeter) and e.meter in spec.meters and spec.meters[e.meter].scope == "shared":
                p = f"rounds.end_effects[{i}]"
                self.add(at(p), p, f"end effects apply once per role, so shared meter {e.meter!r} would move twice")
        fi = spec.rounds.first_initiative
        if fi != "random" and fi not in self.role_set:
            self.add(
                at("rounds.first_initiative"),
                "rounds.first_initiative",
                f"unknown role {fi!r}; use 'random' or one of {listed(self.roles)}",
            )
        if spec.hands.size > spec.hands.limit:
            self.add(at("hands.size"), "hands.size", f"{spec.hands.size} is above hands.limit ({spec.hands.limit})")
        self.tiers(at)

    def tiers(self, at: Where) -> None:
        spec = self.spec
        order = spec.outcome.order
        seen: set[str] = set()
        for i, tid in enumerate(order):
            if tid not in spec.tiers:
                self.add(
                    at("outcome.order"), f"outcome.order[{i}]", f"unknown tier {tid!r}; tiers are {listed(spec.tiers)}"
                )
            if tid in seen:
                self.add(at("outcome.order"), f"outcome.order[{i}]", f"tier {tid!r} is listed twice")
            seen.add(tid)
        in_order = set(order)
        for tid in spec.tiers:
            if tid not in in_order:
                self.add(at(f"tiers.{tid}"), f"tiers.{tid}", "tier is not listed in outcome.order")
        always: str | None = None
        checked: list[str] = []  #: the tiers before the current one, in order
        for tid in order:
            tier = spec.tiers.get(tid)
            if tier is None:
                continue
            p = f"tiers.{tid}"
            any_ok = [self.condition(c, at, f"{p}.any[{j}]", True) for j, c in enumerate(tier.any)]
            all_ok = [self.condition(c, at, f"{p}.all[{j}]", True) for j, c in enumerate(tier.all)]
            if always is not None:
                self.add(at(p), p, f"can never be reached: tier {always!r} before it has no conditions")
            elif (tier.any and not any(any_ok)) or not all(all_ok):
                self.add(at(p), p, "can never be reached: its conditions can never hold")
            else:
                earlier = next((e for e in checked if self.tier_implies(tier, spec.tiers[e])), None)
                if earlier is not None:
                    self.add(
                        at(p),
                        p,
                        f"can never be reached: tier {earlier!r} comes before it in outcome.order and holds "
                        "whenever it does; list it before "
                        f"{earlier!r} or make its conditions stricter",
                    )
            if not tier.any and not tier.all and always is None:
                always = tid
            checked.append(tid)
        if order and order[-1] in spec.tiers:
            last = spec.tiers[order[-1]]
            if last.any or last.all:
                p = f"tiers.{order[-1]}"
                self.add(
                    at(p), p, "the last tier in outcome.order must have no conditions, so every game has an outcome"
                )

    # --- shadowed tiers: does one tier's holding imply another's? -------------------------------------

    def _who(self, who: str) -> str:
        """A tier reads its conditions for the first role: 'self' is the first role, 'other' the second."""
        if who == "self":
            return self.roles[0] if self.roles else who
        if who == "other":
            return self.roles[1] if len(self.roles) > 1 else who
        return who

    def implies(self, a: Condition, b: Condition) -> bool:
        """Whether ``a`` holding means ``b`` holds, in any final state (False when that cannot be told)."""
        if isinstance(a, MeterCondition) and isinstance(b, MeterCondition):
            m = self.spec.meters.get(a.meter)
            if m is None or a.meter != b.meter or (m.scope == "per_role" and self._who(a.who) != self._who(b.who)):
                return False
            a_lo, a_hi = (m.min if a.at_least is None else a.at_least), (m.max if a.at_most is None else a.at_most)
            b_lo, b_hi = (m.min if b.at_least is None else b.at_least), (m.max if b.at_most is None else b.at_most)
            return b_lo <= max(a_lo, m.min) and min(a_hi, m.max) <= b_hi
        if isinstance(a, TrackCondition) and isinstance(b, TrackCondition):
            return a.track == b.track and self._stage_span(a.at_least, a.at_most, b.at_least, b.at_most)
        if isinstance(a, TracksCondition) and isinstance(b, TracksCondition):
            return self._stage(a.at_least) >= self._stage(b.at_least) and a.count >= b.count
        if isinstance(a, TrackCondition) and isinstance(b, TracksCondition):  # one track there is a track there
            return b.count <= 1 and a.at_least is not None and self._stage(a.at_least) >= self._stage(b.at_least)
        if isinstance(a, GainedCondition) and isinstance(b, GainedCondition):
            return self._who(a.who) == self._who(b.who) and a.value == b.value
        if isinstance(a, RoundCondition) and isinstance(b, RoundCondition):
            last = self.spec.rounds.count
            a_lo, a_hi = a.at_least or 1, a.at_most or last
            return (b.at_least or 1) <= a_lo and a_hi <= (b.at_most or last)
        if isinstance(a, EndedByCondition) and isinstance(b, EndedByCondition):
            return set(a.reasons) <= set(b.reasons)
        return False

    def _stage(self, stage: str) -> int:
        return self.stages.index(stage) if stage in self.stages else -1

    def _stage_span(self, a_lo: str | None, a_hi: str | None, b_lo: str | None, b_hi: str | None) -> bool:
        last = len(self.stages) - 1
        lo_a = 0 if a_lo is None else self._stage(a_lo)
        hi_a = last if a_hi is None else self._stage(a_hi)
        lo_b = 0 if b_lo is None else self._stage(b_lo)
        hi_b = last if b_hi is None else self._stage(b_hi)
        return min(lo_a, hi_a, lo_b, hi_b) >= 0 and lo_b <= lo_a and hi_a <= hi_b

    def tier_implies(self, later: TierSpec, earlier: TierSpec) -> bool:
        """Whether ``earlier`` holds in every final state where ``later`` holds (so ``later``, checked after it,
        can never be the outcome). Each way ``later`` can hold (one of its ``any`` alternatives with all of
        its ``all``) must meet each of ``earlier``'s ``all`` conditions and one of its ``any``; a condition is
        met when one condition of that way implies it. Conservative: a shadow it cannot prove is not reported."""
        ways = [[c, *later.all] for c in later.any] if later.any else [list(later.all)]

        def meets(way: list[Condition], c: Condition) -> bool:
            return any(self.implies(w, c) for w in way)

        return all(
            all(meets(way, c) for c in earlier.all) and (not earlier.any or any(meets(way, c) for c in earlier.any))
            for way in ways
        )

    # --- decks ---------------------------------------------------------------------------------------

    def deck(self, kind: str, deck: EventDeck | GestureDeck, at: DeckWhere) -> None:
        cards: Sequence[EventCard | GestureCard] = deck.cards

        def where(p: str) -> tuple[str, int | None]:
            return at(kind, p)

        for i, card in enumerate(cards):
            self.effects(card.effects, where, f"cards[{i}].effects")
            if kind == "events":
                for j, e in enumerate(card.effects):
                    if any(isinstance(c, GainedCondition) for c in e.when):
                        p = f"cards[{i}].effects[{j}].when"
                        self.add(at(kind, p), p, "events happen before any deal: a 'gained' condition never holds")

    def opening_event(self, events: EventDeck, at: Where) -> None:
        oe = self.spec.rounds.opening_event
        if oe is not None and oe not in {c.id for c in events.cards}:
            self.add(at("rounds.opening_event"), "rounds.opening_event", f"unknown event card {oe!r}")

    def agendas(self, deck: AgendaDeck, at: DeckWhere) -> None:
        for i, card in enumerate(deck.cards):
            for role in card.roles:
                if role not in self.role_set:
                    self.add(
                        at("agendas", f"cards[{i}].roles"),
                        f"cards[{i}].roles",
                        f"unknown role {role!r}; roles are {listed(self.roles)}",
                    )
            for track in card.stakes:
                self.track_ref(track, at("agendas", f"cards[{i}].stakes.{track}"), f"cards[{i}].stakes.{track}")
        if len(self.roles) == 2:
            self.agenda_deal(deck, at)

    def agenda_deal(self, deck: AgendaDeck, at: DeckWhere) -> None:
        """The engine deals the first role any agenda it may hold, then the second role one of the others it
        may hold (dealing the first role again when it drew the second's only card); that always succeeds
        exactly when some pair of distinct cards fits the two roles, which is checked here in one pass."""
        r0, r1 = self.roles
        allowed = [[c.id for c in deck.cards if not c.roles or role in c.roles] for role in (r0, r1)]
        for role, ids in zip((r0, r1), allowed, strict=True):
            if not ids:
                self.add(
                    at("agendas", "cards"),
                    "cards",
                    f"no agenda can be dealt to {role!r}: every card's roles leave it out",
                )
                return
        if len(allowed[0]) == 1 and allowed[0] == allowed[1]:
            self.add(
                at("agendas", "cards"),
                "cards",
                f"cannot deal one distinct agenda to each of {r0!r} and {r1!r}: both can only be dealt "
                f"{allowed[0][0]!r}",
            )

    def gesture_supply(self, deck: GestureDeck, at: DeckWhere) -> None:
        total = sum(c.copies for c in deck.cards)
        need = 2 * self.spec.hands.size
        if total < need:
            self.add(
                at("gestures", "cards"),
                "cards",
                f"{total} cards cannot fill two starting hands of {self.spec.hands.size}",
            )


def cross_check(
    spec: RulesFile,
    events: EventDeck | None,
    gestures: GestureDeck | None,
    agendas: AgendaDeck | None,
    at: Where,
    deck_at: DeckWhere,
) -> list[Problem]:
    """Every cross-reference problem in a rule set and its (schema-valid) decks."""
    checker = Checker(spec)
    checker.rules(at)
    if events is not None:
        checker.deck("events", events, deck_at)
        checker.opening_event(events, at)
    if gestures is not None:
        checker.deck("gestures", gestures, deck_at)
        checker.gesture_supply(gestures, deck_at)
    if agendas is not None:
        checker.agendas(agendas, deck_at)
    return checker.problems
