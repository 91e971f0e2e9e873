"""``titfortat``: open fair, concede as much as the other side concedes, punish rejections, then forgive.

NaiveTitForTat in the negotiation literature concedes, in its own utility, as much as the opponent's
last offer conceded. Summed over a game that is the opponent's whole movement, so the agent's demand
is its opening demand moved by how much better (or worse) the opponent's latest offer is for it than
the opponent's first, by its own stakes. Like Axelrod's tit-for-tat it is nice first: the opening
demand is its share of the fair (Nash) package, the one that maximises the product of both sides'
gains, plus ``start`` of the way from there to the best deal for itself. When the opponent rejects
one of its offers it asks ``punish`` of that way more (and accepts nothing below) for ``forgive``
rounds, then forgives. It accepts offers within ``kindness`` points of its demand.
"""

from __future__ import annotations

from typing import ClassVar

from ..engine.observation import Observation
from ..rules.actions import ActionKind
from .base import Param, register
from .concession import best_within
from .evaluate import Appraisal, Package, Valuer, linear_value, nash, offers
from .heuristic import ACCEPT_SCALE, HeuristicAgent


@register
class TitForTatAgent(HeuristicAgent):
    """Mirrors the opponent's concessions in its own utility; a rejection hardens it for a while."""

    name = "titfortat"
    parameters: ClassVar[dict[str, Param]] = {
        "start": Param(0.0, 0.0, 1.0, "how far from a fair deal toward its best it opens"),
        "punish": Param(0.5, 0.0, 100.0, "how much harder it asks after a rejection (share of best - fair)"),
        "forgive": Param(2, 0, 1000, "rounds a rejection is held against the other side"),
        "kindness": Param(1.0, 0.0, 1000.0, "points short of its demand it still accepts"),
        "accept_scale": ACCEPT_SCALE,
    }

    def demand(self, obs: Observation, fair: float, best: float) -> float:
        """What it asks for now, over no deal: its opening demand, moved by the opponent's concessions."""
        rules = obs.rules
        me, them = obs.viewer, 1 - obs.viewer
        history = offers(obs)
        theirs = [o.items for o in history if o.proposer == them]
        conceded = 0.0
        if len(theirs) >= 2:
            stakes = obs.my_stakes
            conceded = linear_value(rules, stakes, theirs[-1], me) - linear_value(rules, stakes, theirs[0], me)
        want = fair + float(self.params["start"]) * (best - fair) - conceded
        rejected = [o.round for o in history if o.proposer == me and o.answer is ActionKind.REJECT]
        if rejected and obs.round - rejected[-1] < int(self.params["forgive"]):
            want += float(self.params["punish"]) * (best - fair)
        return min(best, max(0.0, want))

    def _offer(self, obs: Observation, options: list[Appraisal], base: float) -> tuple[Appraisal | None, float]:
        """Its offer now (None if no package beats no deal) and its demand, over ``base``."""
        if not options:
            return None, 0.0
        best = max(o.mine for o in options) - base
        if best <= 0:
            return None, 0.0
        fair = nash(options, base)
        want = self.demand(obs, fair, best)
        return best_within(options, base, want), want

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """The likeliest-accepted package that meets its demand."""
        base = val.pass_()[0] if can_pass else val.reject(1 - obs.viewer)[0]
        choice, _ = self._offer(obs, options, base)
        return None if choice is None else choice.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept what meets its demand; otherwise counter with what does, or reject."""
        reject = val.reject(obs.viewer)[0]
        offered = val.on_table()[0] - reject
        mine, want = self._offer(obs, val.options(), reject)
        if offered > 0 and offered >= want - float(self.params["kindness"]):
            return ActionKind.ACCEPT
        if can_counter and mine is not None and mine.ev > reject:
            return mine.items
        return ActionKind.REJECT
