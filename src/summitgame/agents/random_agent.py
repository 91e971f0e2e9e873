"""``random``: a uniformly random legal action (the baseline every other agent must beat)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..engine.observation import Observation
from ..rules.actions import Action
from .base import Agent, register


@register
class RandomAgent(Agent):
    """Picks uniformly among the legal actions, from its own random stream."""

    name = "random"
    defaults: ClassVar[dict[str, Any]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return legal[self.rng.randrange(len(legal))]
