"""Reading what a player types: a choice number, an action in notation, or a command.

Forgiving by design: case and spacing do not matter, ``give arms`` means one step, a track may be
named by its id, its short label or a unique prefix (``give ukr 2``), and a card by its id or name
(``play photo op``). Anything else becomes a ``Problem`` with a message saying what to type instead;
nothing here raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ActionSyntaxError
from ..rules.actions import Action
from ..rules.ruleset import Ruleset

__all__ = ["Command", "Problem", "interpret"]

COMMANDS = {
    "help": "help",
    "?": "help",
    "h": "help",
    "rules": "rules",
    "rulebook": "rules",
    "undo": "undo",
    "u": "undo",
    "save": "save",
    "quit": "quit",
    "exit": "quit",
    "q": "quit",
    "board": "board",
    "b": "board",
    "look": "board",
    "log": "log",
    "hand": "hand",
    "cards": "hand",
    "history": "log",
}
ACTION_VERBS = ("pass", "offer", "accept", "reject", "counter", "play", "give", "ask")


@dataclass(frozen=True)
class Command:
    """A command or an action. ``name`` is 'act' (with ``action``) or a command name; ``arg`` its argument."""

    name: str
    action: Action | None = None
    arg: str = ""


@dataclass(frozen=True)
class Problem:
    """Input that is neither a command nor an action, with the message to show."""

    message: str


def _match(word: str, names: dict[str, str], what: str) -> str:
    """The id whose name is ``word`` or starts with it (unique); ActionSyntaxError otherwise."""
    if word in names:
        return names[word]
    hits = sorted({v for k, v in names.items() if k.startswith(word)})
    if len(hits) == 1:
        return hits[0]
    known = ", ".join(sorted(set(names.values())))
    if hits:
        raise ActionSyntaxError(f"{word!r} could be {' or '.join(hits)}; type more of the {what} name")
    raise ActionSyntaxError(f"no {what} called {word!r}; {what}s are {known}")


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").replace("&", " ").split())


def _names(ids: Sequence[str], labels: Sequence[Sequence[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, tid in enumerate(ids):
        out[tid] = tid
        for label in labels[i]:
            if label:
                out.setdefault(_key(label), tid)
    return out


def normalize(text: str, rules: Ruleset) -> str:
    """The canonical notation for a forgiving spelling of an action; ActionSyntaxError if none."""
    words = text.strip().lower().split()
    verb = words[0]
    if verb in ("give", "ask"):
        rest = words[1:]
        steps = "1"
        if rest and rest[-1].isdigit():
            steps = rest.pop()
        if not rest:
            raise ActionSyntaxError(f"{text.strip()!r}: say which track, e.g. '{verb} {rules.track_ids[0]} 1'")
        names = _names(rules.track_ids, [(rules.track_short[t], rules.track_names[t]) for t in range(rules.n_tracks)])
        track = _match(_key(" ".join(rest)), names, "track")
        return f"{verb} {track} {steps}"
    if verb == "play":
        if len(words) < 2:
            raise ActionSyntaxError("'play' needs a card, e.g. 'play " + rules.gesture_ids[0] + "'")
        cards = rules.gestures_deck.cards
        names = _names(rules.gesture_ids, [(c.name,) for c in cards])
        return f"play {_match(_key(' '.join(words[1:])), names, 'card')}"
    return " ".join(words)


def interpret(line: str, rules: Ruleset, choices: Sequence[Action]) -> Command | Problem:
    """What a line of input means at a decision with the numbered ``choices``."""
    text = line.strip()
    if not text:
        return Problem("Nothing typed. Type a number from the list, an action such as 'give arms 1', or 'help'.")
    head, _, rest = text.partition(" ")
    word = head.lower()
    if word.isdigit():
        n = int(word)
        if rest.strip():
            return Problem(f"Type just the number ({n}), or an action in full.")
        if not choices:
            return Problem("There is nothing to choose right now.")
        if not 1 <= n <= len(choices):
            return Problem(f"There is no choice {n}: pick a number from 1 to {len(choices)}.")
        return Command("act", choices[n - 1])
    if word in COMMANDS:
        return Command(COMMANDS[word], arg=rest.strip())
    if word not in ACTION_VERBS:
        return Problem(
            f"Unknown command {head!r}. Type a number from the list, an action ({', '.join(ACTION_VERBS)}), or 'help'."
        )
    try:
        return Command("act", rules.parse_action(normalize(text, rules)))
    except ActionSyntaxError as exc:
        return Problem(f"Not an action: {exc}. Type 'help' for how to play.")
