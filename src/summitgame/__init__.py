"""summitgame: a tabletop negotiation game engine with rules and cards as data."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .rules.ruleset import Ruleset

from .version import __version__

__all__ = ["__version__", "read_game_rows", "read_games"]


def read_games(
    path: str | os.PathLike[str], per: Literal["game", "agent", "meter"] = "game", rules: Ruleset | None = None
) -> Any:
    """The games of a run as a pandas DataFrame, one row per game (or per agent and role, or per meter reading):
    from a games.jsonl, a tournament folder or a ``--csv`` folder. Needs pandas (``export.read_games``)."""
    from .analysis.export import read_games as read

    return read(path, per, rules)


def read_game_rows(
    path: str | os.PathLike[str], per: Literal["game", "agent", "meter"] = "game", rules: Ruleset | None = None
) -> list[dict[str, Any]]:
    """The rows of ``read_games`` as plain dicts, without pandas (``export.read_game_rows``)."""
    from .analysis.export import read_game_rows as read

    return read(path, per, rules)
