"""A summitgame agent in its own package, found through the ``summitgame.agents`` entry point.

pip install ./examples/plugin_agent && summitgame match cautious greedy   (or: cautious:margin=3)
"""

from collections.abc import Sequence
from typing import ClassVar

from summitgame.agents.base import Agent, Param
from summitgame.engine.observation import Observation
from summitgame.rules.actions import Action, ActionKind


class Cautious(Agent):
    """Takes a package worth more than ``margin`` points by its true stakes; never builds one of its own."""

    name = "cautious"
    parameters: ClassVar[dict[str, Param]] = {"margin": Param(0, low=-50, high=50, help="least gain to accept")}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        by_kind = {a.kind: a for a in legal}
        if ActionKind.ACCEPT in by_kind:  # a package is on the table: what would it bring me?
            gain = sum(obs.my_stakes[t] * (-s if giver == obs.viewer else s) for giver, t, s in obs.items)
            yes = gain > self.params["margin"] or ActionKind.REJECT not in by_kind
            return by_kind[ActionKind.ACCEPT if yes else ActionKind.REJECT]
        for kind in (ActionKind.PASS, ActionKind.OFFER):  # my turn to build: I do not
            if kind in by_kind:
                return by_kind[kind]
        return legal[self.rng.randrange(len(legal))]
