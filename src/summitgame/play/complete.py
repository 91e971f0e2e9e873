"""Tab completion at the prompt: the commands, and the actions, tracks and cards valid at this decision.

``completions`` is the whole logic, a pure function of the line typed so far and the player's
``Observation`` (it offers only what that player may do now, so it reveals nothing the board does not).
``Completer`` holds what the current prompt completes and is the hook GNU readline calls on Tab;
``terminal.LineReader`` installs it when it reads from a terminal with readline, and nowhere else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from ..engine.observation import Observation
from ..rules.actions import ActionKind

__all__ = ["COMMAND_WORDS", "Completer", "completions"]

COMMAND_WORDS = ("help", "rules", "board", "hand", "log", "undo", "save", "quit")
"""The commands offered at the start of a line (their short aliases still work, but are not offered)."""


def completions(line: str, obs: Observation) -> list[str]:
    """The words that complete the last (partly typed) word of ``line`` at ``obs``'s decision.

    At the start of a line: the action verbs legal now, then the commands; after ``give``/``ask``: the
    tracks where that is legal now (by id), then the numbers of steps; after ``play``: the cards that may
    be played; after ``undo``: ``all``. Case does not matter; nothing is offered where nothing fits."""
    words = line.lower().split()
    partial = "" if not line or line[-1].isspace() else words.pop()
    legal = obs.legal if obs.to_move == obs.viewer else ()
    options: list[str]
    if not words:
        verbs = [a.kind.value for a in legal]
        options = [*dict.fromkeys(verbs), *COMMAND_WORDS]
    elif words[0] in ("give", "ask") and len(words) in (1, 2):
        kind = ActionKind(words[0])
        acts = [a for a in legal if a.kind is kind]
        if len(words) == 1:
            options = list(dict.fromkeys(str(a.track) for a in acts))
        else:
            options = [str(a.steps) for a in acts if a.track == words[1]]
    elif words[0] == "play" and len(words) == 1:
        options = [str(a.card) for a in legal if a.kind is ActionKind.PLAY]
    elif words[0] in ("undo", "u") and len(words) == 1:
        options = ["all"]
    else:
        options = []
    return [w for w in options if w.startswith(partial)]


class Completer:
    """What Tab completes at the prompt now, and the hook readline calls (``complete(text, state)``).

    ``words`` maps the line typed so far to the words that may end it; None (the default, and at every
    prompt that is not a move: a file name, a yes/no question, the hand-over) offers nothing."""

    def __init__(self) -> None:
        self.words: Callable[[str], list[str]] | None = None
        self.readline: Any = None  #: the readline module, set by the line reader that installs this
        self._matches: list[str] = []

    @contextlib.contextmanager
    def offering(self, obs: Observation) -> Iterator[None]:
        """Complete the moves and commands of ``obs``'s decision while the block runs."""
        self.words = lambda line: completions(line, obs)
        try:
            yield
        finally:
            self.words = None

    def matches(self, line: str) -> list[str]:
        """The completions of ``line``, each ending in a space (readline appends none itself in Python)."""
        if self.words is None:
            return []
        return [w + " " for w in self.words(line)]

    def complete(self, text: str, state: int) -> str | None:
        """readline's completer protocol: the ``state``-th match for the word being typed, or None."""
        if state == 0:
            try:
                rl = self.readline
                line = rl.get_line_buffer()[: rl.get_endidx()] if rl is not None else text
                self._matches = self.matches(line)
            except Exception:  # an error here would be swallowed by readline: offer nothing instead
                self._matches = []
        return self._matches[state] if state < len(self._matches) else None
