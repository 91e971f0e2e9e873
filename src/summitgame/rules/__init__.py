"""The rules: TOML files -> schema -> cross-checked, compiled, frozen ``Ruleset``; imports nothing above it.

- ``schema``: pydantic models mirroring ``rules/*.toml`` and ``cards/*.toml``.
- ``loader``: read, resolve ``extends`` and ``--set``, validate, cross-check (``crossref``).
- ``ruleset``: the frozen ``Ruleset`` the engine runs on, its ``actions`` table and compiled ``effects``.
- ``effects``: the one interpreter of card effects and conditions (the engine applies them through it).
- ``describe``, ``rulebook``: text generated from the data; ``params``: key paths and parameter grids;
  ``scaffold``: the files ``summitgame init`` writes.
"""

from .loader import load_rules
from .ruleset import Ruleset

__all__ = ["Ruleset", "load_rules"]
