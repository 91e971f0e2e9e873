"""Words for the table: package items, actions, stages and cards, all from rule data.

Everything here reads only public information (rule data, the public history), except the helpers
that take a viewer's own hand or agenda, which the caller shows to that viewer alone. The log built
from these words is in ``log``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..rules.actions import Action, ActionKind
from ..rules.describe import Describer
from ..rules.ruleset import Ruleset

__all__ = [
    "action_words",
    "agenda_words",
    "compact",
    "event_words",
    "gesture_words",
    "item_words",
    "package_words",
    "stage_name",
    "track_label",
]

_COMPACT = (
    (re.compile(r"\bis at least (\d+)"), r"≥ \1"),
    (re.compile(r"\bis at most (\d+)"), r"≤ \1"),
    (re.compile(r"domestic pressure"), "pressure"),
    (re.compile(r"the other side's secret agenda is revealed to their opponent"), "you see their secret agenda"),
    (re.compile(r"each side's secret agenda is revealed to their opponent"), "both secret agendas are revealed"),
    (re.compile(r"your secret agenda is revealed to their opponent"), "they see your secret agenda"),
    (re.compile(r"the other side's"), "their"),
    (re.compile(r"\bgesture card"), "card"),
    (re.compile(r"if it is round (\d+) or later"), r"from round \1"),
    (re.compile(r"is off the table for"), "off the table for"),
)


def compact(text: str) -> str:
    """Shorten generated effect text for the board ('Trust is at least 4' → 'Trust ≥ 4')."""
    for pattern, repl in _COMPACT:
        text = pattern.sub(repl, text)
    return text


def stage_name(rules: Ruleset, stage: int) -> str:
    """A stage's display name ('working_group' → 'working group')."""
    return rules.stages[stage].replace("_", " ")


def track_label(rules: Ruleset, track: int) -> str:
    """A track's short label for the board ('Arms'), falling back to its id."""
    return rules.track_short[track] or rules.track_ids[track]


def item_words(rules: Ruleset, giver: int, track: int, steps: int) -> str:
    """One package item in words: 'Moscow concedes 2 on Energy'."""
    return f"{rules.role_names[giver]} concedes {steps} on {track_label(rules, track)}"


def package_words(rules: Ruleset, items: Sequence[tuple[int, int, int]]) -> str:
    """A whole package in words, items joined by semicolons."""
    return "; ".join(item_words(rules, g, t, n) for g, t, n in items) if items else "nothing yet"


def gesture_words(rules: Ruleset, card: str | int, who: str = "you") -> str:
    """A gesture card's name and effects, with 'self' read as ``who`` ('you' or a role name)."""
    g = rules.gesture_ids.index(card) if isinstance(card, str) else card
    spec = rules.gestures_deck.cards[g]
    return f"{spec.name}: {compact(Describer(rules.spec, who).effects(spec.effects))}"


def event_words(rules: Ruleset, event: int, initiative: int) -> str:
    """An event card's effects in words ('self' on an event is the initiative)."""
    spec = rules.events_deck.cards[event]
    return compact(Describer(rules.spec, rules.role_names[initiative]).effects(spec.effects))


def agenda_words(rules: Ruleset, agenda: str | int) -> str:
    """An agenda card's name and the stakes it adds: 'Election year (Cyber +3)'."""
    a = rules.agenda_ids.index(agenda) if isinstance(agenda, str) else agenda
    card = rules.agendas_deck.cards[a]
    adds = ", ".join(
        f"{track_label(rules, rules.track_ids.index(t))} {n:+d}" for t, n in card.stakes.items() if t in rules.track_ids
    )
    return f"{card.name} ({adds})"


#: What an action without an item or a card says, after the actor's name.
_SAYS = {
    ActionKind.PASS: "passes: no proposal this round",
    ActionKind.OFFER: "offers the package",
    ActionKind.ACCEPT: "accepts the package",
    ActionKind.REJECT: "rejects the package",
    ActionKind.COUNTER: "rejects the package and counters",
}


def action_words(rules: Ruleset, actor: int, action: Action) -> str:
    """What an action did, in words, naming the actor: 'Moscow adds: Washington concedes 1 on Cyber'."""
    who = rules.role_names[actor]
    kind = action.kind
    if kind in _SAYS:
        return f"{who} {_SAYS[kind]}"
    if kind is ActionKind.PLAY:
        return f"{who} plays {gesture_words(rules, str(action.card), who)}"
    t = rules.track_ids.index(str(action.track))
    giver = actor if kind is ActionKind.GIVE else 1 - actor
    return f"{who} adds: {item_words(rules, giver, t, action.steps)}"
