"""``boulware``, ``linear``, ``conceder``: time-dependent concession from the negotiation literature.

The agent's aspiration is a share of the best deal it could get: ``target(t) = best · (1 − t^e)``
(NegMAS's convention: e = 4 Boulware holds firm, then concedes late; e = 1 linear; e = 0.25 Conceder
gives ground early). Time ``t`` runs from 0 to 1 with the rounds *and* with the agent's distance to
the edge, so a leader near its walk-out limit, or talks near breakdown, concede as if time were short:
``t = 1 − (1 − rounds used)(1 − pressure used)``. Utilities are values over no deal this round.

It offers, among the packages worth at least the target to it, the one the other side is most likely
to accept (estimated from public stakes), and accepts an offer worth at least what it would offer
next (AC_next). Change the exponent with the spec: ``boulware:e=6``.
"""

from __future__ import annotations

import math
from typing import ClassVar

from ..engine.observation import Observation
from ..rules.actions import ActionKind
from .base import Param, register
from .evaluate import Appraisal, Package, Valuer, pressure_fraction, time_fraction
from .heuristic import ACCEPT_SCALE, HeuristicAgent

EPS = 1e-9


def _exponent(default: float) -> Param:
    return Param(default, 0.01, 100.0, "concession exponent: 4 Boulware, 1 linear, 0.25 conceder")


def concession_time(obs: Observation, ahead: int = 0) -> float:
    """The agent's clock: 0 at the start, 1 in the last round or at the edge of walking out or breaking down.

    ``ahead`` looks that many rounds forward (pressure as now)."""
    used = min(1.0, time_fraction(obs) + ahead / max(1, obs.rules.rounds - 1))
    return 1.0 - (1.0 - used) * (1.0 - pressure_fraction(obs, obs.viewer))


def best_within(options: list[Appraisal], base: float, target: float) -> Appraisal | None:
    """Among options worth at least ``target`` over ``base`` to the viewer, the likeliest to be accepted
    (then the most valuable); None if none is."""
    best: Appraisal | None = None
    for o in options:
        if o.mine - base >= target - EPS and (best is None or (o.p, o.mine) > (best.p, best.mine)):
            best = o
    return best


@register
class ConcessionAgent(HeuristicAgent):
    """Time-dependent concession with exponent ``e`` (the ``linear`` member; see the module docstring)."""

    name = "linear"
    parameters: ClassVar[dict[str, Param]] = {"e": _exponent(1.0), "accept_scale": ACCEPT_SCALE}

    def target(self, best: float, t: float) -> float:
        """What the agent still asks for at time ``t``, out of the ``best`` it could get (0 = no deal)."""
        e = float(self.params["e"])
        return max(0.0, best) * (1.0 - math.pow(t, e))

    def _next_offer(self, options: list[Appraisal], base: float, t: float) -> Appraisal | None:
        if not options:
            return None
        best = max(o.mine for o in options) - base
        if best <= 0:
            return None
        return best_within(options, base, self.target(best, t))

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """The likeliest-accepted package worth at least the target; None (pass) if no package beats no deal."""
        base = val.pass_()[0] if can_pass else val.reject(1 - obs.viewer)[0]
        choice = self._next_offer(options, base, concession_time(obs))
        return None if choice is None else choice.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """AC_next: accept if the offer is worth at least my next offer (now as a counter, else next round)."""
        reject = val.reject(obs.viewer)[0]
        offered = val.on_table()[0] - reject
        options = val.options()
        if can_counter:
            mine = self._next_offer(options, reject, concession_time(obs))
            wanted = mine.mine - reject if mine is not None else 0.0
        else:
            mine = None
            best = max((o.mine for o in options), default=reject) - reject
            wanted = self.target(best, concession_time(obs, ahead=1))
        if offered > 0 and offered >= wanted - EPS:
            return ActionKind.ACCEPT
        if mine is not None and mine.ev > reject:
            return mine.items
        return ActionKind.REJECT


@register
class BoulwareAgent(ConcessionAgent):
    """Time-dependent concession that holds firm and concedes late (e = 4)."""

    name = "boulware"
    parameters: ClassVar[dict[str, Param]] = {"e": _exponent(4.0), "accept_scale": ACCEPT_SCALE}


@register
class ConcederAgent(ConcessionAgent):
    """Time-dependent concession that gives ground early (e = 0.25)."""

    name = "conceder"
    parameters: ClassVar[dict[str, Param]] = {"e": _exponent(0.25), "accept_scale": ACCEPT_SCALE}
