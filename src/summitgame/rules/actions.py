"""Action values: small ints (the compact code) that carry their meaning and a text notation.

An ``Action`` *is* its int code, so bots and adapters can index arrays with it, and comparing or
hashing one is as cheap as an int. Each ruleset builds its action table once; ``parse`` and
``notation`` round-trip:  ``pass``, ``offer``, ``accept``, ``reject``, ``counter``,
``play photo_op``, ``give arms 2`` (the proposer concedes two steps on arms), ``ask cyber 1``.
"""

from __future__ import annotations

import enum
from typing import Any

from ..errors import ActionSyntaxError


class ActionKind(enum.Enum):
    """What an action does; fixed by the engine, not by rule data."""

    PASS = "pass"  #: the initiative proposes nothing this round
    OFFER = "offer"  #: put the package built so far on the table
    ACCEPT = "accept"  #: take the package on the table
    REJECT = "reject"  #: refuse it; the round ends
    COUNTER = "counter"  #: refuse it and start building a package of one's own
    PLAY = "play"  #: play a gesture card from hand
    GIVE = "give"  #: add to the package: the builder concedes steps on a track
    ASK = "ask"  #: add to the package: the builder asks the other side to concede steps


class Action(int):
    """One action under one ruleset: an int code with ``kind``, ``card``, ``track`` and ``steps``."""

    kind: ActionKind
    card: str | None
    track: str | None
    steps: int

    def __new__(
        cls,
        code: int,
        kind: ActionKind,
        card: str | None = None,
        track: str | None = None,
        steps: int = 0,
    ) -> Action:
        obj = int.__new__(cls, code)
        obj.kind = kind
        obj.card = card
        obj.track = track
        obj.steps = steps
        return obj

    @property
    def code(self) -> int:
        """The compact int code (the action itself, as a plain int)."""
        return int(self)

    def notation(self) -> str:
        """The text form, as typed at the prompt and stored in game records."""
        if self.kind is ActionKind.PLAY:
            return f"play {self.card}"
        if self.kind in (ActionKind.GIVE, ActionKind.ASK):
            return f"{self.kind.value} {self.track} {self.steps}"
        return str(self.kind.value)

    def __str__(self) -> str:
        return self.notation()

    def __repr__(self) -> str:
        return f"Action({self.notation()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Action, (int(self), self.kind, self.card, self.track, self.steps))


SIMPLE = (ActionKind.PASS, ActionKind.OFFER, ActionKind.ACCEPT, ActionKind.REJECT, ActionKind.COUNTER)


class ActionTable:
    """All actions of a ruleset, indexed by code and by notation."""

    def __init__(self, gestures: tuple[str, ...], tracks: tuple[str, ...], max_steps: int) -> None:
        acts: list[Action] = [Action(i, k) for i, k in enumerate(SIMPLE)]
        self.play_base = len(acts)
        acts += [Action(self.play_base + g, ActionKind.PLAY, card=c) for g, c in enumerate(gestures)]
        self.give_base = len(acts)
        for name in tracks:
            for s in range(1, max_steps + 1):
                acts.append(Action(len(acts), ActionKind.GIVE, track=name, steps=s))
        self.ask_base = len(acts)
        for name in tracks:
            for s in range(1, max_steps + 1):
                acts.append(Action(len(acts), ActionKind.ASK, track=name, steps=s))
        self.all: tuple[Action, ...] = tuple(acts)
        self.max_steps = max_steps
        self.by_notation = {a.notation(): a for a in acts}
        self.gestures = gestures
        self.tracks = tracks

    def __len__(self) -> int:
        return len(self.all)

    def give(self, track: int, steps: int) -> Action:
        """The action conceding ``steps`` on track index ``track``."""
        return self.all[self.give_base + track * self.max_steps + steps - 1]

    def ask(self, track: int, steps: int) -> Action:
        """The action asking ``steps`` on track index ``track``."""
        return self.all[self.ask_base + track * self.max_steps + steps - 1]

    def parse(self, text: str) -> Action:
        """Read an action from its notation (case and spacing forgiven); raise ActionSyntaxError."""
        words = text.strip().lower().split()
        if not words:
            raise ActionSyntaxError("empty action")
        if words[0] in ("give", "ask") and len(words) == 2:
            words.append("1")
        key = " ".join(words)
        found = self.by_notation.get(key)
        if found is not None:
            return found
        verb = words[0]
        if verb in ("give", "ask"):
            if len(words) != 3:
                raise ActionSyntaxError(f"{text!r}: expected '{verb} TRACK STEPS'")
            if words[1] not in self.tracks:
                raise ActionSyntaxError(f"{text!r}: unknown track {words[1]!r}; tracks are {', '.join(self.tracks)}")
            raise ActionSyntaxError(f"{text!r}: steps must be a whole number from 1 to {self.max_steps}")
        if verb == "play":
            if len(words) != 2:
                raise ActionSyntaxError(f"{text!r}: expected 'play CARD'")
            raise ActionSyntaxError(f"{text!r}: unknown gesture card {words[1]!r}")
        verbs = [k.value for k in ActionKind]
        raise ActionSyntaxError(f"{text!r}: not an action; actions start with one of {', '.join(verbs)}")

    def decode(self, code: int) -> Action:
        """The action with this int code; raise ActionSyntaxError if there is none."""
        if not 0 <= code < len(self.all):
            raise ActionSyntaxError(f"no action has code {code} (codes are 0..{len(self.all) - 1})")
        return self.all[code]
