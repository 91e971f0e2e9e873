"""``hardliner`` and ``appeaser``: two fixed stances, the hawk and the dove of the summit.

The hardliner asks a lot and gives little: it offers the package best for itself among those where it
concedes at most ``give`` steps, counters rather than gives in, and accepts only an offer worth
``demand`` of the best deal it could get, unless saying no would make it walk out or break the talks.
The appeaser gives readily: it offers what the other side likes most at a cost to itself of at most
``slack`` points, never counters, and accepts anything that does not push it to walk out.
"""

from __future__ import annotations

from typing import ClassVar

from ..engine.observation import Observation
from ..rules.actions import ActionKind
from .base import Param, register
from .evaluate import Appraisal, Package, Valuer
from .heuristic import ACCEPT_SCALE, HeuristicAgent


def given_steps(items: Package, role: int) -> int:
    """Steps ``role`` concedes in a package."""
    return sum(steps for giver, _, steps in items if giver == role)


@register
class HardlinerAgent(HeuristicAgent):
    """Asks a lot, gives little, rarely accepts; yields only at the edge of walking out or breakdown."""

    name = "hardliner"
    parameters: ClassVar[dict[str, Param]] = {
        "demand": Param(0.8, 0.0, 1.0, "share of its best deal it holds out for"),
        "give": Param(1, 0, 100, "most steps it concedes in a package"),
        "accept_scale": ACCEPT_SCALE,
    }

    def _demand(self, obs: Observation, options: list[Appraisal]) -> Appraisal | None:
        """The best package for itself among those giving at most ``give`` steps (then the likeliest)."""
        cap = int(self.params["give"])
        me = obs.viewer
        hard = [o for o in options if given_steps(o.items, me) <= cap]
        return max(hard, key=lambda o: (o.mine, o.p), default=None)

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """Its hard package, if it beats passing when accepted."""
        choice = self._demand(obs, options)
        base = val.pass_()[0] if can_pass else val.reject(1 - obs.viewer)[0]
        return None if choice is None or choice.mine <= base else choice.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept a rich offer, or any offer that saves it from walking out or a breakdown; else counter or reject."""
        reject = val.reject(obs.viewer)[0]
        offered = val.on_table()[0] - reject
        options = val.options()
        best = max((o.mine for o in options), default=reject) - reject
        if offered > 0 and (offered >= float(self.params["demand"]) * best or self._cornered(obs, val)):
            return ActionKind.ACCEPT
        choice = self._demand(obs, options) if can_counter else None
        if choice is not None and choice.mine > reject:
            return choice.items
        return ActionKind.REJECT

    def _cornered(self, obs: Observation, val: Valuer) -> bool:
        """Whether a rejection now would end the summit: its own walk-out or a breakdown."""
        m = val.board_after_reject(obs.viewer)
        return val.walks_out(m, obs.viewer) or val.breaks_down(m)


@register
class AppeaserAgent(HeuristicAgent):
    """Gives readily and accepts almost anything that does not make it walk out."""

    name = "appeaser"
    parameters: ClassVar[dict[str, Param]] = {
        "slack": Param(3.0, 0.0, 1000.0, "points of its own it gives up to please the other side"),
        "accept_scale": ACCEPT_SCALE,
    }

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """What the other side likes most, at a cost to itself of at most ``slack`` and no walk-out."""
        base = val.pass_()[0] if can_pass else val.reject(1 - obs.viewer)[0]
        slack = float(self.params["slack"])
        me = obs.viewer
        best: Appraisal | None = None
        for o in options:
            if o.mine < base - slack or (best is not None and (o.p, o.mine) <= (best.p, best.mine)):
                continue
            if not val.walks_out(val.board_after(o.items, me), me):
                best = o
        return None if best is None else best.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept unless accepting would make it walk out."""
        if val.walks_out(val.board_after(obs.items, obs.proposer), obs.viewer):
            return ActionKind.REJECT
        return ActionKind.ACCEPT
