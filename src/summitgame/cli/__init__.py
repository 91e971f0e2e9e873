"""The ``summitgame`` command: click commands over the library; the only layer that imports click.

- ``commands``: the group and the game, bot and report commands; ``common``: what they share;
  ``explore``: sweep, targets, tune, tunables; ``exploit``: exploit; ``init``: init.
"""

from .commands import cli, main

__all__ = ["cli", "main"]
