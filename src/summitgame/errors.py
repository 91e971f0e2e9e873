"""The exception tree: every error the engine raises on purpose derives from SummitError. Only the command
group (``cli.common.SummitGroup``) turns them into a message and an exit code; tests/test_errors.py checks that
this drawing names every subclass in the package, under its parent.

SummitError
├── RulesError          a rule or card file (or an override) is wrong; carries every Problem
├── DataFileError       a file named by a user or by data that cannot be read safely (safeio.py)
├── WriteError          a file or folder that cannot be written: read-only, full, a folder in the way (safeio.py)
├── ActionSyntaxError   text that is not an action at all
├── IllegalActionError  an action that is not legal in this state, with the reason
├── RecordError         a game record or save that cannot be used with these rules
├── AgentError          an agent spec naming no agent, or a bad parameter (agents/base.py)
├── ProtocolError       a bot program broke the text protocol; it forfeits its game (protocol.py)
├── TournamentError     a match or tournament that cannot run or go on: a bad plan, a busy or foreign
│                       results folder, a corrupt games file (plan.py)
├── ExportError         games that cannot be read into tables (export.py)
├── TuneError           a tune that cannot start or resume; optuna missing (analysis/tune.py)
├── ExploitError        an exploit search that cannot start or resume; optuna missing (analysis/exploit.py)
├── MetagameError       a payoff matrix the equilibrium solver cannot use (analysis/metagame.py)
├── TerminalError       a terminal that cannot host what was asked of it (two players, no way to clear)
└── InitError           ``init`` would overwrite a file, or cannot write one (scaffold.py)
"""

from __future__ import annotations

from dataclasses import dataclass

from .safetext import shorten


class SummitError(Exception):
    """Base of every error the engine raises on purpose."""


MAX_SHOWN = 200  #: characters of a file name or key path shown in a Problem (messages: four times that)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file: where (file, key path, line) and what."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        # file names, key paths and messages quote data: shown printable and cut short, one line each
        name = shorten(self.file, MAX_SHOWN)
        where = name if self.line is None else f"{name}:{self.line}"
        if self.path:
            return f"{where}: {shorten(self.path, MAX_SHOWN)}: {shorten(self.message, 4 * MAX_SHOWN)}"
        return f"{where}: {shorten(self.message, 4 * MAX_SHOWN)}"


MAX_PROBLEMS_SHOWN = 200  #: problems printed for one error; the rest are counted ("... and N more")


class RulesError(SummitError):
    """Rule or card data failed to load; ``problems`` lists every problem found (its message, the first
    ``MAX_PROBLEMS_SHOWN`` of them)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self, limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
        """One line per problem, the first ``limit`` of them, then how many more there are."""
        out = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            out.append(f"... and {len(self.problems) - limit} more")
        return out


class ActionSyntaxError(SummitError):
    """Text that does not parse as an action under these rules."""


class IllegalActionError(SummitError):
    """A well-formed action that is not legal in the current state."""

    def __init__(self, action: str, reason: str) -> None:
        self.action = action
        self.reason = reason
        super().__init__(f"illegal action {action!r}: {reason}")


class RecordError(SummitError):
    """A game record or save that is corrupt or belongs to other rules."""


class TerminalError(SummitError):
    """The terminal cannot do what a command needs, e.g. clear the screen between two players' turns."""
