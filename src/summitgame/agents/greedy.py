"""``greedy``: the best immediate value by its own stakes, one round at a time.

It accepts an offer iff taking it is worth more to it than rejecting (or countering); it offers the
package with the best expected value (its value if accepted, weighed by the chance the other side
accepts, estimated from public stakes) and passes if passing is worth more; it plays a gesture when
the gesture's immediate value is positive.
"""

from __future__ import annotations

from typing import ClassVar

from ..actions import ActionKind
from ..observation import Observation
from .base import Param, register
from .evaluate import Appraisal, Package, Valuer, Weights
from .heuristic import ACCEPT_SCALE, HeuristicAgent


@register
class GreedyAgent(HeuristicAgent):
    """Maximises this round's expected value to itself; no memory, no plan beyond the package at hand."""

    name = "greedy"
    parameters: ClassVar[dict[str, Param]] = {"accept_scale": ACCEPT_SCALE}

    def weights(self) -> Weights:
        """The default valuation, with the acceptance model's softness as a parameter."""
        return Weights(accept_scale=float(self.params["accept_scale"]))

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """The package with the best expected value; None if passing is worth more."""
        best = max(options, key=lambda o: o.ev)
        if can_pass and val.pass_()[0] >= best.ev:
            return None
        return best.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept, reject or counter, whichever is worth most now."""
        accept = val.on_table()[0]
        reject = val.reject(obs.viewer)[0]
        if can_counter:
            best = max(val.options(), key=lambda o: o.ev, default=None)
            if best is not None and best.ev > max(accept, reject):
                return best.items
        return ActionKind.ACCEPT if accept > reject else ActionKind.REJECT
