"""``greedy``: the best immediate outcome, one round at a time, valued by what wins the game.

A summit is won on the relative score, and the tier bonus is shared, so ``greedy`` values a way the round
can end as its own value plus ``lead`` times its lead over the other side (``Valuer.utility``). It accepts an
offer iff taking it is worth more than rejecting (or countering); it offers the package with the best
expected utility (weighed by the chance the other side accepts, assuming it weighs its own lead by
``their_lead``) and passes if passing is worth more; it plays the gesture worth most, if any is worth more
than 0, pricing each gesture the same way (``Valuer.gesture_both``). The other side's value is estimated
from its public stakes plus its secret agenda as read from its offers (``infer``: what it asks for, it
values; ``evaluate.inferred_stakes``). Still no memory and no search: one round, one valuation.

The defaults were measured on the default rules (role-swapped games; docs/researchers.md, Agents): reading the agenda
(``infer=1``) and ``lead=3`` cut what the best exploiter ``summitgame exploit`` finds from 67.8% to 54.5%
(400 fresh games each), and beat the previous defaults (``lead=2,infer=0``) 66.0% [61.2, 70.5] (400 games).
``greedy:lead=0,their_lead=0,infer=0`` is the older, purely self-interested greedy, which a rival that takes
more than it gives (``persona:name=hawk``) beats in more than nine games of ten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..engine.observation import Observation
from ..rules.actions import Action, ActionKind
from .base import Param, register
from .evaluate import Appraisal, Package, Valuer, Weights
from .heuristic import ACCEPT_SCALE, HeuristicAgent

LEAD = Param(3.0, 0.0, 10.0, "weight of its lead over the other side in what it maximises (0: its own value only)")
"""The ``lead`` parameter of ``greedy``: its default was chosen by measurement (see docs/researchers.md, Agents)."""
THEIR_LEAD = Param(1.0, 0.0, 10.0, "the same weight in the other side's aims, as its acceptance model assumes them")
"""The ``their_lead`` parameter of ``greedy``: how far it expects the other side to refuse a deal that gains it less."""


INFER = Param(1.0, 0.0, 10.0, "how strongly it reads the other side's secret agenda from its offers (0: ignores it)")
"""The ``infer`` parameter of ``greedy``: the evidence weight of ``evaluate.inferred_stakes`` (default measured)."""


@register
class GreedyAgent(HeuristicAgent):
    """Maximises this round's expected value plus a weight on its lead; no memory, no plan beyond the deal at hand."""

    name = "greedy"
    parameters: ClassVar[dict[str, Param]] = {
        "accept_scale": ACCEPT_SCALE,
        "lead": LEAD,
        "their_lead": THEIR_LEAD,
        "infer": INFER,
    }

    def weights(self) -> Weights:
        """The default valuation, with the acceptance model's softness and the lead's weight as parameters."""
        p = self.params
        return Weights(
            accept_scale=float(p["accept_scale"]),
            lead=float(p["lead"]),
            their_lead=float(p["their_lead"]),
            infer=float(p["infer"]),
        )

    def gesture(self, obs: Observation, val: Valuer, cards: Sequence[Action]) -> Action | None:
        """The gesture whose worth (its value to ``greedy`` plus ``lead`` times what it adds to the lead) is
        highest, if that is more than 0."""
        best: Action | None = None
        best_value = 0.0
        for a in cards:
            v = val.utility(val.gesture_both(str(a.card)))
            if v > best_value:
                best, best_value = a, v
        return best

    def candidates(self, val: Valuer) -> list[Appraisal]:
        """Only the package of highest expected utility (``Valuer.best``): ``propose`` and the skeleton take the
        highest anyway, so the others are not built. A subclass whose ``propose`` reads them all overrides this."""
        best = val.best()
        return [] if best is None else [best]

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """The package with the best expected utility; None if passing is worth more."""
        best = max(options, key=lambda o: o.ev)
        if can_pass and val.utility(val.pass_()) >= best.ev:
            return None
        return best.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept, reject or counter, whichever is worth most now."""
        accept = val.utility(val.on_table())
        reject = val.utility(val.reject(obs.viewer))
        if can_counter:
            best = val.best()
            if best is not None and best.ev > max(accept, reject):
                return best.items
        return ActionKind.ACCEPT if accept > reject else ActionKind.REJECT
