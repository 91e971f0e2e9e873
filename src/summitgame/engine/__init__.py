"""The engine: the game state, the forward model, scoring and what one role may see; pure, and below the players.

- ``state``: the small flat game state; ``forward``: ``new_game``, ``legal_actions``, ``apply``, ...;
  ``scoring``: outcome tiers and role scores; ``observation``: ``observe`` and the determinizer.

It imports the rules (and the shared leaves: errors, rng) and nothing above: no agents, runs, analysis,
play or cli (tests/test_imports.py checks it).
"""

from .forward import (
    apply,
    apply_muted,
    apply_unchecked,
    clone,
    current_role,
    is_terminal,
    legal_actions,
    max_decisions,
    new_game,
    new_game_muted,
    to_move,
    why_illegal,
)

__all__ = [
    "apply",
    "apply_muted",
    "apply_unchecked",
    "clone",
    "current_role",
    "is_terminal",
    "legal_actions",
    "max_decisions",
    "new_game",
    "new_game_muted",
    "to_move",
    "why_illegal",
]
