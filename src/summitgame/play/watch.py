"""Watching a summit for learning the game: bots playing each other, or a recorded game, drawn on the
board screen action by action, with the log of what each step changed.

A spectator of both sides sees both hands and both secret agendas, and the screen says so (each player
sees only their own). Nothing else hidden is shown: not the deck, the order of the coming events or
the seed (which would tell them all) until the game is over. A record of an unfinished game (a save of a
game in progress) is shown from the public board only, like ``replay``: its hands are still in play.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.text import Text

from ..agents.base import Agent
from ..engine.forward import apply
from ..engine.observation import observe
from ..engine.state import State
from .log import Entry, EntryKind, first_event, transition
from .screen import Look, board, end_screen, fit, look_for
from .text import agenda_words, gesture_words

__all__ = ["Forfeit", "WatchResult", "pause", "play_out", "spectator_screen", "watch"]


class Forfeit(Exception):
    """A bot failed to move (it raised, or chose an illegal action)."""

    def __init__(self, role: int, state: State, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.role = role
        self.state = state


def play_out(first: State, agents: Sequence[Agent]) -> Iterator[State]:
    """Every state of the game the agents play from ``first``, first to last; Forfeit if one fails."""
    s = first
    yield s
    while s.to_move >= 0:
        role = s.to_move
        obs = observe(s, role)
        try:
            s = apply(s, agents[role].act(obs, obs.legal))
        except Exception as exc:  # a broken bot ends the show, it must not crash it
            raise Forfeit(role, s, exc) from exc
        yield s


def pause(seconds: float) -> None:
    """Wait between two steps (a module function, so tests can replace it)."""
    time.sleep(seconds)


def _hands(s: State, full: bool) -> Text:
    """Both sides' secret agendas, hands (``full``: each card with its effects; else by name) and deal
    points at their true stakes, read from their observations."""
    rules = s.rules
    t = Text()
    t.append(
        "Spectator view: you see both hands and both secret agendas; each player sees only their own.",
        style="bold yellow",
    )
    for r in (0, 1):
        obs = observe(s, r)
        name = rules.role_names[r]
        t.append(f"\n{name}: ", style="bold")
        t.append(agenda_words(rules, obs.my_agenda))
        t.append(f" · deal points {obs.my_points:+d} · hand ({len(obs.my_hand)})", style="dim")
        if not full:
            cards = rules.gestures_deck.cards
            t.append("\n   " + ", ".join(cards[rules.gesture_ids.index(c)].name for c in obs.my_hand))
            continue
        for card in obs.my_hand:
            t.append(f"\n   {gesture_words(rules, card, name)}")
    return t


def spectator_screen(
    states: Sequence[State],
    log: Sequence[Entry],
    last: Sequence[Entry],
    look: Look,
    *,
    hands: bool,
    title: str,
    detail: int = 0,
) -> RenderableType:
    """One step of the show: what just happened (``last``), the public board, and, with ``hands``, both
    sides' agendas and hands. ``detail`` 1 and up lists the hands by name and tightens the board (see
    ``screen.board``), for a short terminal."""
    s = states[-1]
    k = len(states) - 1
    head = Text(f"{title} · step {k}", style="bold cyan")
    happened = Text()
    for i, e in enumerate(last):
        if i:
            happened.append("\n")
        happened.append(f"» {e.text}", style="cyan" if e.actor >= 0 else "magenta")
    parts: list[RenderableType] = [head]
    if happened:
        parts.append(happened)
    parts.append(board(observe(s, 0), log, look, private=False, recent=3, detail=max(0, detail - 1)))
    if hands:
        parts.append(_hands(s, full=detail == 0))
    return Group(*parts)


@dataclass(frozen=True)
class _Screen:
    """One step's screen, drawn at any level of detail (for ``screen.fit``)."""

    states: Sequence[State]
    log: Sequence[Entry]
    last: Sequence[Entry]
    look: Look
    hands: bool
    title: str

    def at(self, detail: int) -> RenderableType:
        return spectator_screen(
            self.states, self.log, self.last, self.look, hands=self.hands, title=self.title, detail=detail
        )


@dataclass
class WatchResult:
    """The end of a show: the last state shown, and whether the game was played to its end."""

    state: State
    finished: bool


def watch(
    states: Iterable[State], *, console: Console, delay: float, hands: bool = True, title: str = "Watching"
) -> WatchResult:
    """Draw each state of a game as it comes (clearing the screen between steps on a terminal), then
    the end screen. Forfeit and KeyboardInterrupt pass through, after the step they interrupt."""
    look = look_for(console)
    seen: list[State] = []
    log: list[Entry] = []
    for s in states:
        last = first_event(s) if not seen else transition(seen[-1], s)
        shown = [e for e in last if e.kind is not EntryKind.EVENT]  # the board shows the event and its changes
        seen.append(s)
        log += last
        if not look.plain:
            console.clear()
        screen = _Screen(list(seen), list(log), shown, look, hands, title)
        console.print(fit(console, screen.at))
        if delay and s.to_move >= 0:
            pause(delay)
    final = seen[-1]
    if final.to_move < 0:
        console.print(end_screen(final, log, look))
    return WatchResult(final, final.to_move < 0)
