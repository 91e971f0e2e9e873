"""Plain-English text for effects and conditions, generated from the data so it never drifts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from .effects import EndReason
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
    RulesFile,
    TrackCondition,
    TracksCondition,
)


def possessive(name: str) -> str:
    """``Moscow's``, but ``Highlands'`` (a name ending in s takes the apostrophe alone)."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


class Describer:
    """Turns effects and conditions into sentences using the names in a rule file."""

    def __init__(self, spec: RulesFile, self_word: str = "you") -> None:
        self.spec = spec
        self.self_word = self_word

    def who(self, who: str) -> str:
        if who == "self":
            return self.self_word
        if who == "other":
            return "the other side"
        if who == "both":
            return "both sides"
        role = self.spec.roles.get(who)
        return role.name if role else who

    def whose(self, who: str) -> str:
        if who == "self":
            return "your" if self.self_word == "you" else possessive(self.self_word)
        if who == "other":
            return "the other side's"
        if who == "both":
            return "each side's"
        return possessive(self.who(who))

    def audience(self, who: str) -> str:
        """Whom a revealed agenda is shown to: the side opposite the one ``who`` names."""
        if who == "self":
            return "the other side"
        if who == "other":
            return self.self_word
        if who == "both":
            return "the other"
        others = [r.name for rid, r in self.spec.roles.items() if rid != who]
        return others[0] if len(others) == 1 else "the other side"

    def meter(self, mid: str) -> str:
        m = self.spec.meters.get(mid)
        return m.name if m else mid

    def track(self, tid: str) -> str:
        t = self.spec.tracks.get(tid)
        return (t.short or t.name) if t else tid

    @staticmethod
    def stage(sid: str) -> str:
        return sid.replace("_", " ")

    @staticmethod
    def plural(n: int) -> str:
        return "" if n == 1 else "s"

    def verb(self, verb: str, who: str) -> str:
        """'draw' or 'draws', agreeing with the subject ``who`` names."""
        plural_subject = who == "both" or (who == "self" and self.self_word == "you")
        return verb if plural_subject else verb + "s"

    @staticmethod
    def signed(n: int) -> str:
        return f"+{n}" if n > 0 else str(n)

    def meter_of(self, meter: str, who: str) -> str:
        """A meter's name, with whose it is for a meter each role has ("Moscow's pressure")."""
        m = self.spec.meters.get(meter)
        name = self.meter(meter)
        if m is not None and m.scope == "per_role":
            name = f"{self.whose(who)} {name.lower()}"
        return name

    def condition(self, c: Condition) -> str:
        if isinstance(c, MeterCondition):
            name = self.meter_of(c.meter, c.who)
            if c.at_least is not None and c.at_most is not None:
                return f"{name} is {c.at_least}–{c.at_most}"
            if c.at_least is not None:
                return f"{name} is at least {c.at_least}"
            return f"{name} is at most {c.at_most}"
        if isinstance(c, TrackCondition):
            parts = []
            if c.at_least:
                parts.append(f"has reached {self.stage(c.at_least)}")
            if c.at_most:
                parts.append(f"is no further than {self.stage(c.at_most)}")
            return f"{self.track(c.track)} {' and '.join(parts)}"
        if isinstance(c, TracksCondition):
            n = "a track has" if c.count == 1 else f"{c.count} tracks have"
            return f"{n} reached {self.stage(c.at_least)}"
        if isinstance(c, GainedCondition):
            subject = self.who(c.who)
            verb = "have" if subject in ("you", "both sides") else "has"
            return f"{subject} {verb} {'gained something' if c.value else 'gained nothing'} this round"
        if isinstance(c, RoundCondition):
            if c.at_least and c.at_most:
                return f"it is round {c.at_least}–{c.at_most}"
            return f"it is round {c.at_least} or later" if c.at_least else f"it is round {c.at_most} or earlier"
        if isinstance(c, EndedByCondition):
            words = {
                EndReason.LAST_ROUND.label: "after the last round",
                EndReason.WALKOUT.label: "in a walk-out",
                EndReason.BREAKDOWN.label: "in a breakdown",
            }
            return "the summit ended " + " or ".join(words[r] for r in c.reasons)
        assert_never(c)  # mypy proves every condition kind has its sentence

    def conditions(self, cs: Sequence[Condition], joiner: str = " and ") -> str:
        return joiner.join(self.condition(c) for c in cs)

    def effect(self, e: Effect) -> str:
        if isinstance(e, ChangeMeter):
            name = self.meter_of(e.meter, e.who)
            text = f"{name} {self.signed(e.by)}"
        elif isinstance(e, ChangeTrack):
            verb = "advances" if e.by > 0 else "falls back"
            text = f"{self.track(e.track)} {verb} {abs(e.by)} stage{self.plural(abs(e.by))}"
        elif isinstance(e, ChangeStake):
            text = f"{self.whose(e.who)} stake in {self.track(e.track)} {self.signed(e.by)}"
        elif isinstance(e, Draw):
            text = f"{self.who(e.who)} {self.verb('draw', e.who)} {e.count} gesture card{self.plural(e.count)}"
        elif isinstance(e, Discard):
            text = f"{self.who(e.who)} {self.verb('discard', e.who)} {e.count} card{self.plural(e.count)} at random"
        elif isinstance(e, BlockTrack):
            text = f"{self.track(e.track)} is off the table for {e.rounds} round{self.plural(e.rounds)}"
        elif isinstance(e, RevealAgenda):
            text = f"{self.whose(e.who)} secret agenda is revealed to {self.audience(e.who)}"
        else:
            assert_never(e)  # mypy proves every effect kind has its sentence
        if e.when:
            text += f" if {self.conditions(e.when)}"
        return text

    def effects(self, es: Sequence[Effect]) -> str:
        return "; ".join(self.effect(e) for e in es) + "." if es else "nothing."
