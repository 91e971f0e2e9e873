"""Probe agents: the cheap lines every negotiation game must survive.

``stonewall`` never deals, ``taker`` only asks (under rules where every package is a trade, ``two_sided``,
it gives the one step the rules force and no more), ``pushover`` accepts anything and ``spoiler`` never deals
but plays the gestures that shift the score its way. A designer plays them against the skilled bots:
rules where one of them wins reward a line no player should be able to win with. Each plays a pure line
from its observation alone, and uses no randomness, so the same game replays exactly. ``taker`` and
``pushover`` play gestures as ``greedy`` does (the best one worth playing); ``stonewall`` plays none.

The score is won relative to the other side (the tier bonus is shared), so a probe prices a gesture by
what it adds to its own value less what it adds to the other side's (``Valuer.gesture_both``, the same
valuation the heuristic bots price cards with); a side that never deals counts what an agenda reveals
as worth nothing (``NO_DEAL``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..engine.observation import Observation
from ..rules.actions import Action, ActionKind
from .base import Agent, Param, register
from .evaluate import Appraisal, Package, Valuer, Weights
from .heuristic import ACCEPT_SCALE, OFFER, PASS, REJECT, HeuristicAgent

__all__ = [
    "CHEAP_LINES",
    "NO_DEAL",
    "PushoverAgent",
    "SpoilerAgent",
    "StonewallAgent",
    "TakerAgent",
    "gives",
    "relative_gesture",
    "stand_pat",
    "takes_only",
]


CHEAP_LINES = {
    "stonewall": "refusing to negotiate",
    "taker": "only taking, never giving",
    "pushover": "accepting anything",
    "spoiler": "never dealing while playing gestures against the other side",
}
"""The cheap line each probe plays, in words (reports say when one wins)."""

NO_DEAL = Weights(reveal=0.0)
"""The valuation of a side that never deals: what either side learns of an agenda only matters to deals."""


def gives(items: Package, role: int) -> bool:
    """Whether ``role`` concedes anything in a package."""
    return any(giver == role for giver, _, _ in items)


def takes_only(items: Package, role: int, two_sided: bool) -> bool:
    """Whether ``role`` concedes no more in a package than the rules force: nothing, or under ``two_sided``
    rules (every package is a trade) a single step."""
    given = sum(steps for giver, _, steps in items if giver == role)
    return given <= (1 if two_sided else 0)


def relative_gesture(val: Valuer, card: str) -> float:
    """What playing ``card`` now shifts the score the viewer's way: its worth to the viewer less its worth
    to the other side."""
    mine, theirs = val.gesture_both(card)
    return mine - theirs


def stand_pat(obs: Observation, legal: Sequence[Action]) -> Action:
    """The move of a side that will not deal: pass, else reject; if neither is legal (the rules force a
    move), the gesture that shifts the score most its way (the least harmful), else the smallest ask, else
    the offer of what is built."""
    acts = obs.rules.actions.all
    for code in (PASS, REJECT):
        if acts[code] in legal:
            return acts[code]
    cards = [a for a in legal if a.kind is ActionKind.PLAY]
    if cards:
        val = Valuer(obs, NO_DEAL)
        return max(cards, key=lambda a: relative_gesture(val, str(a.card)))
    asks = [a for a in legal if a.kind is ActionKind.ASK]
    if asks:
        return min(asks, key=lambda a: a.steps)
    return acts[OFFER] if acts[OFFER] in legal else legal[0]


@register
class StonewallAgent(Agent):
    """Never deals: passes with the initiative, rejects every offer, plays no gesture unless forced."""

    name = "stonewall"
    parameters: ClassVar[dict[str, Param]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return stand_pat(obs, legal)


@register
class SpoilerAgent(Agent):
    """Never deals, and plays the gesture that most shifts the score its way (its value less the other side's)."""

    name = "spoiler"
    parameters: ClassVar[dict[str, Param]] = {
        "min_gain": Param(0.0, 0.0, 100.0, "points of margin a gesture must gain before it is played")
    }

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        """The best spoiling gesture if one gains more than ``min_gain`` points of margin; else pass or reject."""
        cards = [a for a in legal if a.kind is ActionKind.PLAY]
        if cards:
            val = Valuer(obs, NO_DEAL)
            best: Action | None = None
            best_gain = float(self.params["min_gain"])
            for a in cards:
                gain = relative_gesture(val, str(a.card))
                if gain > best_gain:
                    best, best_gain = a, gain
            if best is not None:
                return best
        return stand_pat(obs, legal)


@register
class TakerAgent(HeuristicAgent):
    """Only takes: offers its best package giving the least the rules allow, accepts only offers that ask no more."""

    name = "taker"
    parameters: ClassVar[dict[str, Param]] = {"accept_scale": ACCEPT_SCALE}

    def _best_ask(self, obs: Observation, options: list[Appraisal]) -> Appraisal | None:
        """The package asking only, with the best expected value (greedy's acceptance model)."""
        two = obs.rules.two_sided
        return max((o for o in options if takes_only(o.items, obs.viewer, two)), key=lambda o: o.ev, default=None)

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """Its best ask-only package, always (it passes only when nothing can be asked)."""
        best = self._best_ask(obs, options)
        return None if best is None else best.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept a package that asks it nothing; else counter with its best ask if that beats rejecting, or reject."""
        if takes_only(obs.items, obs.viewer, obs.rules.two_sided):
            return ActionKind.ACCEPT
        if can_counter:
            best = self._best_ask(obs, val.options())
            if best is not None and best.ev > val.reject(obs.viewer)[0]:
                return best.items
        return ActionKind.REJECT


@register
class PushoverAgent(HeuristicAgent):
    """Accepts every offer; offers the package the other side is estimated to value most (ties: best for itself)."""

    name = "pushover"
    parameters: ClassVar[dict[str, Param]] = {}

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """What the other side likes most by its estimated value, whatever it costs; never passes while it can offer."""
        return max(options, key=lambda o: (o.theirs, o.mine)).items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Yes."""
        return ActionKind.ACCEPT
