"""The engine: the game state, the forward model, scoring and what one role may see; pure, and below the players.

- ``state``: the small flat game state; ``forward``: ``new_game``, ``legal_actions``, ``apply``, ...;
  ``scoring``: outcome tiers and role scores; ``observation``: ``observe`` and the determinizer.

It imports the rules (and the shared leaves: errors, rng) and nothing above: no agents, runs, analysis,
play or cli (tests/test_imports.py checks it).
"""

from . import forward
from .forward import *  # noqa: F403  (the forward model's names are the engine's)

__all__ = forward.__all__
