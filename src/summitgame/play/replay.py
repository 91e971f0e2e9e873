"""Stepping through a recorded game (or a save), and checking that a record still replays.

A record holds the seed and the actions; replaying them under the same rules reproduces every
state. Saves and journals of unfinished games replay too; their seed is not shown (it would give
away the deal). The step-through shows the public board only (a save of an unfinished hot-seat game must not
show either side's hand), then, for a finished game, the end screen with both agendas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.text import Text

from ..engine.observation import observe
from ..engine.scoring import outcome
from ..errors import RecordError
from ..rules.ruleset import Ruleset
from ..runs.records import replay
from .log import entries
from .saves import read_game, replay_all
from .screen import board, end_screen, look_for

__all__ = ["step_through", "verify"]


def verify(path: Path, rules: Ruleset) -> str:
    """Check a record replays under ``rules`` and reproduces its recorded outcome; RecordError if not.

    Returns a one-line report. A record with no outcome (an unfinished game's save) only has to replay."""
    doc = read_game(path)
    replay_all(doc, rules, str(path))  # the fingerprint check, with the rules-options hint
    final = replay(doc, rules, str(path))
    n = len(doc["actions"])
    if final.to_move >= 0:
        return f"{path}: ok — {n} actions replay under {rules.name} ({rules.fingerprint}); the game is unfinished"
    if "outcome" not in doc:
        raise RecordError(f"{path}: the game is over but the record holds no outcome to check")
    o = outcome(final)
    scores = ", ".join(f"{rules.role_names[rules.roles.index(r)]} {v:+d}" for r, v in o.scores.items())
    head = f"{path}: ok — {n} actions replay under {rules.name} ({rules.fingerprint})"
    return f"{head}; outcome {o.tier_name} ({scores}) reproduced"


def step_through(
    path: Path,
    rules: Ruleset,
    *,
    console: Console,
    ask: Callable[[str], str] | None,
) -> int:
    """Show a recorded game step by step; ``ask`` waits between steps (None: print all at once).

    At a step, Enter shows the next one, ``b`` the previous, a number jumps to that step, ``q`` stops.
    Returns the number of the last step shown. End of input stops quietly."""
    doc = read_game(path)
    states = replay_all(doc, rules, str(path))
    if "outcome" in doc:
        replay(doc, rules, str(path))  # refuse a record whose outcome does not match
    log = entries(rules, states)
    look = look_for(console)
    actions = [e for e in log if e.actor >= 0]
    positions = [i for i, e in enumerate(log) if e.actor >= 0]
    last = len(states) - 1
    # the seed would give away both hands and the deck: shown only once the game is over
    seed = f"seed {states[0].seed}" if states[-1].to_move < 0 else "seed hidden until the game is over"
    console.print(Text(f"{path}: {rules.name}, {seed}, {last} actions", style="bold"))
    if ask is None:
        for e in log:
            console.print(Text(("  " if e.actor >= 0 else "") + e.text, style="dim" if e.actor < 0 else ""))
    else:
        k = 0
        while True:
            if not look.plain:
                console.clear()
            upto = positions[k] if k < len(positions) else len(log)  # state k: k actions and the events after
            what = f"step {k} of {last}: {actions[k - 1].text}" if k else f"step 0 of {last}: the deal"
            console.print(Text(what, style="bold cyan"))
            console.print(board(observe(states[k], 0), log[:upto], look, private=False, recent=4))
            if k == last:
                break
            try:
                answer = ask("Enter: next · b: back · N: go to step N · q: quit > ").strip().lower()
            except EOFError:
                return k
            if answer in ("q", "quit"):
                return k
            if answer in ("b", "back"):
                k = max(0, k - 1)
            elif answer.isdigit():
                k = min(last, int(answer))
            else:
                k += 1
    final = states[-1]
    if final.to_move < 0:
        console.print(end_screen(final, log, look))
    else:
        console.print(Text(f"The game is unfinished: round {final.round}, {rules.role_names[final.to_move]} to move."))
    return last
