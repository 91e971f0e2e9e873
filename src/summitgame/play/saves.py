"""Saved games: a game record (``records.record_of``) plus who sits in each seat and how the rules
were chosen, written atomically. Loading replays the record under the rules given now, so a save
made under other rules, or a damaged file, is refused with a ``RecordError`` that says why.
"""

from __future__ import annotations

import os
import secrets
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from ..engine.state import State
from ..errors import RecordError
from ..rules.ruleset import Ruleset
from ..runs.records import dumps, read_record, record_of, replay_states, write_atomic
from ..safeio import printable

__all__ = [
    "DATA_ENV",
    "Loaded",
    "data_dir",
    "default_path",
    "load_doc",
    "load_save",
    "read_game",
    "replay_all",
    "rules_hint",
    "save_game",
]

DATA_ENV = "SUMMITGAME_DATA"
"""The environment variable naming the folder for games, over the user's data folder (tests set it)."""


def data_dir() -> Path:
    """Where records, saves, autosaves and journals go when no file is named: ``$SUMMITGAME_DATA`` if set,
    else ``games`` in the user's data folder (``~/.local/share/summitgame/games`` on Linux; platformdirs
    knows the place on macOS and Windows), whatever the current directory."""
    env = os.environ.get(DATA_ENV, "")
    if env.strip():
        return Path(env).expanduser()
    return platformdirs.user_data_path("summitgame", appauthor=False) / "games"


def default_path(kind: str, folder: Path | None = None, suffix: str = ".json") -> Path:
    """A fresh file name in ``folder`` (default: ``data_dir()``) such as ``autosave-20250101-120000-3f9a1c.json``.

    A time stamp and a random token, never the seed: the name is shown on the shared screen, and
    the seed would tell a player the whole deal."""
    folder = data_dir() if folder is None else folder
    stamp = time.strftime("%Y%m%d-%H%M%S")
    while True:
        path = folder / f"{kind}-{stamp}-{secrets.token_hex(3)}{suffix}"
        if not path.exists():
            return path


def save_doc(state: State, seats: Sequence[str], rules_args: Sequence[str]) -> dict[str, Any]:
    """The save document: the game record, the seats (``human`` or an agent spec) and the rules options."""
    doc = record_of(state)
    doc["seats"] = {role: spec for role, spec in zip(state.rules.roles, seats, strict=True)}
    doc["rules_options"] = list(rules_args)
    return doc


def save_game(path: Path, state: State, seats: Sequence[str], rules_args: Sequence[str]) -> None:
    """Write a save (or, for a finished game, its record) atomically."""
    write_atomic(path, dumps(save_doc(state, seats, rules_args)))


def rules_hint(doc: dict[str, Any]) -> str:
    """The rules options a save was made with, as command-line text ('' for the default rules)."""
    opts = doc.get("rules_options")
    if isinstance(opts, list) and opts and all(isinstance(o, str) for o in opts):
        return printable(shlex.join(opts))
    return ""


def replay_all(doc: dict[str, Any], rules: Ruleset, where: str) -> list[State]:
    """Every state of a recorded game; a RecordError for other rules names the options it was saved with."""
    try:
        return list(replay_states(doc, rules, where))
    except RecordError as exc:
        hint = rules_hint(doc)
        if hint and "recorded under rules" in str(exc):
            raise RecordError(f"{exc}. It was saved with: {hint}") from None
        raise


@dataclass
class Loaded:
    """A loaded save: every state from the start of the game, the seats and the rules options."""

    states: list[State]
    seats: dict[str, str]
    rules_args: list[str]


def read_game(path: Path) -> dict[str, Any]:
    """A save, a game record or a journal, as a save document; RecordError if it is none of them."""
    from .journal import is_journal, read_journal

    if is_journal(path):
        return read_journal(path)
    return read_record(path)


def load_save(path: Path, rules: Ruleset) -> Loaded:
    """Read a save (or a journal) and replay it under ``rules``; RecordError if it is corrupt or from other rules."""
    return load_doc(read_game(path), rules, str(path))


def load_doc(doc: dict[str, Any], rules: Ruleset, where: str) -> Loaded:
    """Replay a save document under ``rules``; RecordError if it is corrupt, finished or from other rules."""
    seats = doc.get("seats", {})
    if not isinstance(seats, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in seats.items()):
        raise RecordError(f"{where}: 'seats' must map role ids to 'human' or an agent spec")
    unknown = sorted(set(seats) - set(rules.roles))
    if unknown:
        raise RecordError(f"{where}: seat for unknown role {unknown[0]!r}; roles are {', '.join(rules.roles)}")
    states = replay_all(doc, rules, where)
    if states[-1].to_move < 0:
        raise RecordError(f"{where}: this game is already over; step through it with: summitgame replay {where}")
    opts = doc.get("rules_options", [])
    if not isinstance(opts, list) or not all(isinstance(o, str) for o in opts):
        opts = []
    return Loaded(states, dict(seats), list(opts))
