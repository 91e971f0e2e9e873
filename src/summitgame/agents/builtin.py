"""Imports every shipped agent module so that each registers itself."""

from __future__ import annotations

from . import cmd, concession, greedy, persona, probes, random_agent, stance, strategy, titfortat  # noqa: F401
from .mcts import MctsAgent  # noqa: F401
