"""The session loop: humans and bots take turns at one terminal until the summit ends.

The loop keeps the list of every state of the game (``states[k]`` is the state after ``k``
actions); the engine is pure, so taking an action back is dropping states. A human sees the board
from their own ``Observation`` only. Between two humans' turns a hand-over screen clears the board
and waits; against a bot there is none, and the bot's moves are shown as they happen. A game between
two humans is played in the terminal's alternate screen, which keeps no scrollback; the intro before
it and the end screen after it stay on the normal screen.

Input and output are injected (``ask`` reads a line after a prompt, ``console`` draws: give it a
``terminal.SafeConsole``, which prints rule data and saves without their escape sequences), so tests
drive a whole game without a terminal. End-of-input and Ctrl-C save the game before leaving.

With a ``journal`` every action (and every undo) is on disk before the next prompt, so a game
survives even a process that is killed; the journal is removed once the game is finished or saved on
leaving. The seed is never shown during play: it would tell a player the whole deal.

Undo takes back the player's own actions within the current turn. A turn's actions become final
once the move passes to the other side, a new round starts, or an action draws a card or reveals an
agenda (taking it back would let a player peek at chance or secrets for free).
"""

from __future__ import annotations

import contextlib
import enum
import shlex
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from ..agents.base import Agent, make_agent
from ..engine.forward import apply
from ..engine.observation import Observation, observe
from ..engine.state import State
from ..errors import IllegalActionError, SummitError
from ..rules.actions import Action
from ..rules.rulebook import rulebook
from ..rules.ruleset import Ruleset
from ..runs.match import agent_rng
from ..safeio import WriteError, write_reason
from .commands import Problem, interpret
from .complete import Completer
from .journal import Journal
from .log import Entry, EntryKind, entries, transition
from .saves import data_dir, default_path, save_game
from .screen import Look, board, choice_list, end_screen, fit, hand_text, handover, help_text, look_for
from .text import package_words

__all__ = ["Ending", "Seat", "Session", "SessionResult", "make_seats", "parse_players"]

HUMAN = "human"


class Ending(enum.Enum):
    """How a session ended."""

    FINISHED = "finished"  #: the summit was played to its end; the record was saved
    QUIT = "quit"  #: a player typed quit (and saved, or chose not to)
    EOF = "eof"  #: input ended; the game was autosaved
    INTERRUPTED = "interrupted"  #: Ctrl-C; the game was autosaved
    FORFEIT = "forfeit"  #: a bot failed to move; the game was autosaved


@dataclass
class SessionResult:
    """The end of a session: how, the last state, and the file written (record, save or autosave)."""

    ending: Ending
    state: State
    path: Path | None = None


@dataclass
class Seat:
    """Who plays a role: a human at the keyboard, or a bot built from an agent spec."""

    spec: str  #: 'human' or an agent spec such as 'random' or 'mcts:iterations=400'
    agent: Agent | None = None

    @property
    def human(self) -> bool:
        return self.agent is None


def parse_players(rules: Ruleset, players: Sequence[str]) -> dict[str, str]:
    """``ROLE=AGENT`` options as {role id: spec}; a role may be named by id or display name.

    Raises ValueError with a message naming the roles, for the CLI to report as bad usage."""
    out: dict[str, str] = {}
    lookup = {r.lower(): r for r in rules.roles} | {
        n.lower(): r for n, r in zip(rules.role_names, rules.roles, strict=True)
    }
    for text in players:
        role, eq, spec = text.partition("=")
        if not eq or not spec.strip():
            raise ValueError(f"{text!r}: expected ROLE=AGENT, e.g. {rules.roles[1]}=random")
        rid = lookup.get(role.strip().lower())
        if rid is None:
            raise ValueError(f"{text!r}: unknown role {role.strip()!r}; roles are {', '.join(rules.roles)}")
        out[rid] = spec.strip()
    return out


def make_seats(
    rules: Ruleset, specs: dict[str, str], seed: int, base_dirs: Mapping[str, Path] | None = None
) -> list[Seat]:
    """One seat per role: 'human' (the default) or a bot started with its own random stream.

    ``base_dirs``: for seats read from a save, the save's folder, against which a file the spec names is
    resolved (files named by data are relative to that data, never to the working directory)."""
    seats = []
    for r, rid in enumerate(rules.roles):
        spec = specs.get(rid, HUMAN)
        if spec.lower() == HUMAN:
            seats.append(Seat(HUMAN))
            continue
        agent = make_agent(spec, base_dir=(base_dirs or {}).get(rid))
        agent.start(rules, r, agent_rng(seed, r))
        seats.append(Seat(agent.spec(), agent))
    return seats


def _reason(exc: BaseException) -> str:
    """Why a write failed, without repeating the file name a WriteError starts with."""
    if isinstance(exc, WriteError):
        return exc.message
    if isinstance(exc, OSError):
        return write_reason(exc)
    return str(exc)


class _Quit(Exception):
    """A player chose to quit."""

    def __init__(self, path: Path | None) -> None:
        self.path = path


@dataclass
class Session:
    """One game at one terminal. Build it, then ``run()``."""

    rules: Ruleset
    seats: list[Seat]
    states: list[State]
    ask: Callable[[str], str]  #: print a prompt, return the line typed (EOFError / KeyboardInterrupt pass through)
    console: Console
    rules_args: Sequence[str] = ()  #: the --rules/--set options, repeated in resume hints and saves
    record_path: Path | None = None  #: where the finished game's record goes (default: a new file in save_dir)
    save_dir: Path = field(default_factory=data_dir)  #: where saves, autosaves and records go by default
    delay: float = 0.0  #: seconds to pause after each bot move
    sleep: Callable[[float], None] = time.sleep
    resumed_from: Path | None = None
    journal: Journal | None = None  #: where each action is appended as it is made (None: no journal)
    completer: Completer | None = None  #: told what Tab completes at each move (the line reader's)
    viewer: int | None = field(default=None, init=False)
    turn_start: int = field(default=0, init=False)
    notice: str = field(default="", init=False)
    in_private: bool = field(default=False, init=False)
    look: Look = field(init=False)
    humans: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.look = look_for(self.console)
        self.humans = [r for r, seat in enumerate(self.seats) if seat.human]
        self.turn_start = len(self.states) - 1

    # --- small helpers ------------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self.states[-1]

    def say(self, message: str | RenderableType, style: str = "") -> None:
        """Print a message (text is never read as rich markup)."""
        self.console.print(Text(message, style=style) if isinstance(message, str) else message)

    def clear(self) -> None:
        """Clear the screen and the scrollback (on a terminal only), so a secret cannot be scrolled back to."""
        if not self.look.plain:
            self.console.clear()
            self.console.file.write("\x1b[3J")
            self.console.file.flush()

    def private_screen(self, on: bool) -> bool:
        """Enter (or leave) the terminal's alternate screen for a game between two humans: it keeps no
        scrollback, so no board can be scrolled back to, even where the scrollback erase is not
        understood. Returns whether the screen changed."""
        if len(self.humans) < 2 or self.look.plain or self.in_private == on:
            return False
        self.console.set_alt_screen(on)
        self.in_private = on
        return True

    def seat_label(self, r: int) -> str:
        seat = self.seats[r]
        return f"{self.rules.role_names[r]} ({'human' if seat.human else seat.spec})"

    def log(self) -> list[Entry]:
        return entries(self.rules, self.states)

    def rules_hint(self) -> str:
        return (" " + shlex.join(self.rules_args)) if self.rules_args else ""

    def resume_hint(self, path: Path) -> str:
        """The command that goes on with this game. A seat that runs a program is named again (``--player
        ROLE=cmd:...``): a save cannot start a program, so the command must, and this one came from our own
        command line."""
        programs = "".join(
            f" --player {shlex.quote(f'{rid}={seat.spec}')}"
            for rid, seat in zip(self.rules.roles, self.seats, strict=True)
            if seat.agent is not None and seat.agent.runs_program
        )
        return f"summitgame play --load {shlex.quote(str(path))}{self.rules_hint()}{programs}"

    def journal_step(self, n: int, notation: str | None) -> None:
        """Append an action (or, with ``notation`` None, an undo back to ``n`` actions) to the journal.

        If the disk refuses, say so once and play on without one."""
        if self.journal is None:
            return
        try:
            if notation is None:
                self.journal.undo_to(n)
            else:
                self.journal.action(n, notation)
        except (OSError, SummitError) as exc:  # the journal's own error names the file and the reason
            self.say(
                f"Could not write to the journal {self.journal.path} ({_reason(exc)}); from now on only "
                "'save' keeps this game.",
                "bold red",
            )
            with contextlib.suppress(OSError, SummitError):
                self.journal.close()
            self.journal = None

    def drop_journal(self) -> None:
        """The game is finished or saved elsewhere: the journal is no longer needed."""
        if self.journal is not None:
            with contextlib.suppress(OSError):
                self.journal.remove()
            self.journal = None

    def push(self, nxt: State, action: Action) -> None:
        """A new state: journaled first (so a kill right after loses nothing), then kept."""
        self.journal_step(len(self.states) - 1, action.notation())
        self.states.append(nxt)

    # --- the loop -----------------------------------------------------------------------------

    def run(self) -> SessionResult:
        """Play until the summit ends or a player leaves; never raises for anything a player types."""
        try:
            self.intro()
            self.private_screen(True)
            if not self.humans:
                self.say(f"» {[e for e in self.log() if e.kind is EntryKind.EVENT][-1].text}", "magenta")
            while self.state.to_move >= 0:
                seat = self.seats[self.state.to_move]
                if seat.agent is None:
                    self.human_move()
                elif not self.bot_move(seat.agent):
                    return SessionResult(Ending.FORFEIT, self.state, self.autosave())
            self.private_screen(False)
            return self.finish()
        except _Quit as q:
            if self.private_screen(False) and q.path is not None:
                self.say(f"Saved to {q.path}. Resume with: {self.resume_hint(q.path)}", "green")
            self.drop_journal()  # saved, or the player chose not to keep the game
            return SessionResult(Ending.QUIT, self.state, q.path)
        except EOFError:
            self.private_screen(False)
            self.say("")
            self.say("Input ended.", "bold")
            return SessionResult(Ending.EOF, self.state, self.autosave())
        except KeyboardInterrupt:
            self.private_screen(False)
            self.say("")
            self.say("Interrupted.", "bold")
            return SessionResult(Ending.INTERRUPTED, self.state, self.autosave())
        finally:
            self.private_screen(False)
            if self.journal is not None:
                with contextlib.suppress(OSError):
                    self.journal.close()
            for seat in self.seats:  # a bot's program ends with the session
                if seat.agent is not None:
                    seat.agent.close()

    def intro(self) -> None:
        rules = self.rules
        body = Text()
        body.append(f"{self.seat_label(0)} vs {self.seat_label(1)}\n", style="bold")
        body.append(f"{rules.rounds} rounds")
        if self.rules_args:
            body.append(f" · rules: {shlex.join(self.rules_args)}")
        if self.resumed_from is not None:
            body.append(f"\nResumed from {self.resumed_from} at round {self.state.round}.")
        body.append("\nType a choice's number or an action; 'help' explains each decision, 'rules' shows the rulebook.")
        if self.record_path is not None:
            body.append(f"\nThe game's record will be written to {self.record_path}.", style="dim")
        else:
            body.append(f"\nSaves and the game's record go to {self.save_dir}.", style="dim")
        if self.journal is not None:
            body.append(f"\nEvery move is kept in {self.journal.path}; if this stops, resume with: ", style="dim")
            body.append(self.resume_hint(self.journal.path), style="dim")
        self.say(Panel(body, box=self.look.box, title=Text(rules.name), expand=False))

    def observation(self) -> Observation:
        viewer = self.viewer if self.viewer is not None else (self.humans[0] if self.humans else 0)
        return observe(self.state, viewer)

    def show_board(self) -> None:
        """Draw the board for the current viewer (private parts included)."""
        self.clear()
        obs = self.observation()
        log = self.log()
        # the viewer's own last action and everything since (the other side's moves, the game's own steps),
        # at least 3 lines and at most 8
        since = next((i for i in range(len(log) - 1, -1, -1) if log[i].actor == obs.viewer), 0)
        recent = max(3, min(8, len(log) - since))
        notice = self.notice
        self.say(
            fit(
                self.console,
                lambda detail: board(obs, log, self.look, private=True, notice=notice, recent=recent, detail=detail),
            )
        )
        self.notice = ""

    def human_move(self) -> None:
        """One decision by the human to move: hand-over if needed, the board, then commands until an action."""
        role = self.state.to_move
        if len(self.humans) == 2 and self.viewer != role:
            self.hand_over(role)
        self.viewer = role
        self.show_board()
        name = self.rules.role_names[role]
        while True:
            obs = self.observation()
            with self.completer.offering(obs) if self.completer is not None else contextlib.nullcontext():
                line = self.ask(f"{name}> ")
            cmd = interpret(line, self.rules, choice_list(obs))
            if isinstance(cmd, Problem):
                self.say(cmd.message, "red")
                continue
            if cmd.name == "act":
                assert cmd.action is not None
                if self.act(cmd.action):
                    return
            elif cmd.name == "help":
                self.say(help_text(obs))
            elif cmd.name == "rules":
                self.show_rules()
            elif cmd.name == "board":
                self.show_board()
            elif cmd.name == "hand":
                self.say(hand_text(obs))
            elif cmd.name == "log":
                for e in self.log():
                    self.say(f"  {e.text}", "dim" if e.actor < 0 else "")
            elif cmd.name == "undo":
                if self.undo(cmd.arg):
                    return
            elif cmd.name == "save":
                self.save(cmd.arg)
            elif cmd.name == "quit":
                self.quit()

    def act(self, action: Action) -> bool:
        """Apply a human's action; on an illegal one say why and return False."""
        prev = self.state
        try:
            nxt = apply(prev, action)
        except IllegalActionError as exc:
            self.say(f"You cannot {exc.action} now: {exc.reason}.", "red")
            return False
        self.push(nxt, action)
        if self.final(prev, nxt):
            self.turn_start = len(self.states) - 1
            if nxt.to_move == prev.to_move and nxt.round == prev.round:
                self.notice = "That cannot be undone: it drew a card or revealed an agenda."
        return True

    @staticmethod
    def final(prev: State, nxt: State) -> bool:
        """Whether an action closes the turn for undo (see the module docstring)."""
        return (
            nxt.to_move != prev.to_move
            or nxt.round != prev.round
            or nxt.rng != prev.rng
            or nxt.revealed != prev.revealed
            or len(nxt.hands[prev.to_move]) > len(prev.hands[prev.to_move])
        )

    def undo(self, arg: str) -> bool:
        """Take back the player's own last action(s) this turn ('undo', 'undo 2', 'undo all')."""
        available = len(self.states) - 1 - self.turn_start
        if available <= 0:
            self.say(
                "Nothing to undo this turn: actions that passed the move, started a new round, drew a card or "
                "revealed an agenda are final.",
                "red",
            )
            return False
        if arg.lower() == "all":
            n = available
        elif not arg:
            n = 1
        elif arg.isdigit() and int(arg) > 0:
            n = min(int(arg), available)
        else:
            self.say("Type 'undo', 'undo N' or 'undo all'.", "red")
            return False
        log = self.log()
        taken = [e.notation for e in log if e.actor >= 0][-n:]
        del self.states[-n:]
        self.journal_step(len(self.states) - 1, None)
        self.notice = "Took back: " + ", ".join(taken)
        return True

    def hand_over(self, role: int) -> None:
        """Clear the board and wait until the next human is at the keyboard."""
        self.clear()
        obs = observe(self.state, role)
        last = ""
        log = self.log()
        if log:
            last = log[-1].text
            if obs.phase.name == "RESPOND":
                last = f"{self.rules.role_names[obs.proposer]} offers: {package_words(self.rules, obs.items)}"
        self.say(handover(obs, self.look, last))
        self.ask("[Enter] ")
        self.clear()

    def bot_move(self, agent: Agent) -> bool:
        """Let a bot choose and show what it did; False if it failed (it forfeits)."""
        prev = self.state
        role = prev.to_move
        obs = observe(prev, role)
        try:
            with self.thinking(role):
                action = agent.act(obs, obs.legal)
            nxt = apply(prev, action)
        except Exception as exc:  # a broken bot (or an illegal choice) must never crash a human's game
            self.say(f"{self.seat_label(role)} failed to move ({type(exc).__name__}: {exc}) and forfeits.", "bold red")
            return False
        self.push(nxt, action)
        self.turn_start = len(self.states) - 1
        for e in transition(prev, nxt):  # the move, and the steps of the game it set off
            self.say(f"» {e.text}", "cyan" if e.actor >= 0 else "magenta")
        if self.delay:
            self.sleep(self.delay)
        return True

    @contextlib.contextmanager
    def thinking(self, role: int) -> Iterator[None]:
        if self.look.plain:
            yield
            return
        with self.console.status(f"{self.rules.role_names[role]} is thinking…"):
            yield

    def show_rules(self) -> None:
        text = rulebook(self.rules)
        if self.look.plain:
            self.say(text)
            return
        with self.console.pager(styles=True):
            self.console.print(Markdown(text, hyperlinks=False))
        if self.in_private:  # a pager leaves the alternate screen on its way out: go back to it
            self.in_private = False
            self.private_screen(True)
            self.show_board()

    # --- saving and leaving -------------------------------------------------------------------

    def write(self, path: Path) -> bool:
        try:
            save_game(path, self.state, [s.spec for s in self.seats], self.rules_args)
        except (OSError, SummitError) as exc:  # write_atomic raises WriteError: a full disk, a file in the way
            self.say(f"Could not save to {path}: {_reason(exc)}.", "bold red")
            return False
        return True

    def save(self, arg: str) -> Path | None:
        path = Path(arg).expanduser() if arg else default_path("save", self.save_dir)
        if not self.write(path):
            return None
        self.say(f"Saved to {path}. Resume with: {self.resume_hint(path)}", "green")
        return path

    def autosave(self) -> Path | None:
        path = default_path("autosave", self.save_dir)
        if not self.write(path):
            if self.journal is not None:
                self.say(f"The game is still in its journal. Resume with: {self.resume_hint(self.journal.path)}")
            return None
        self.drop_journal()
        self.say(f"The game was saved to {path}. Resume with: {self.resume_hint(path)}", "green")
        return path

    def quit(self) -> None:
        """Ask whether to save, then leave (or go back to the game)."""
        while True:
            answer = self.ask("Save the game before quitting? (y = save, n = quit without saving, c = keep playing) ")
            a = answer.strip().lower()
            if a in ("y", "yes"):
                default = default_path("save", self.save_dir)
                name = self.ask(f"Save to file [{default}]: ").strip()
                path = self.save(name)
                if path is not None:
                    raise _Quit(path)
            elif a in ("n", "no"):
                self.say("Quit without saving.")
                raise _Quit(None)
            elif a in ("c", "cancel"):
                self.say("Back to the game.")
                return
            else:
                self.say("Please answer y, n or c.", "red")

    def finish(self) -> SessionResult:
        """The end screen, and the game record saved."""
        final = self.state
        if len(self.states) > 1 and self.seats[self.states[-2].to_move].human:  # a bot's last move was shown
            for e in transition(self.states[-2], final):  # how it ended: the last action and the last checks
                self.say(f"» {e.text}", "cyan" if e.actor >= 0 else "magenta")
        self.say(end_screen(final, self.log(), self.look))
        path = self.record_path or default_path("game", self.save_dir)
        if not self.write(path):
            if self.journal is not None:
                self.say(f"The game is still in its journal {self.journal.path}.")
            return SessionResult(Ending.FINISHED, final, None)
        self.drop_journal()
        replay = f"summitgame replay {shlex.quote(str(path))}{self.rules_hint()}"
        self.say(f"Game record saved to {path}. Step through it with: {replay}")
        return SessionResult(Ending.FINISHED, final, path)
