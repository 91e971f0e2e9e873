"""``strategy``: one agent whose parameters span the cheap lines and skilled play, for best-response search.

It is the persona model (``regard``, ``face``, ``stubbornness``, ``caution``, and ``selfish``, the weight on
its own value) and greedy's weight on its lead (``lead``, ``their_lead``) and its reading of the other side's
agenda (``infer``), extended with what a strategy may
want: whether to deal at all (``deal``), whether to concede anything (``gives``), whether to offer even when
passing is worth more (``eager``), a lead to lock in (``lock_lead``) and a round (``stop_round``) after which
it deals no more, and which gestures it plays (``spite``: how much the other side's gain counts against a
gesture; ``gesture_min``; ``gesture_from``). ``summitgame exploit`` searches these parameters with optuna.

Known agents are points of the family (``POINTS``): ``greedy`` (``lead=3,their_lead=1,infer=1``), and its
defaults play exactly as ``greedy:lead=0,their_lead=0,infer=0`` (its own points, public stakes only); each
bundled persona plays exactly as ``persona:name=NAME``, ``stonewall``, ``spoiler`` and ``taker`` move for
move as the probes (``stonewall`` as long as no gesture gains 100 points), and ``pushover`` nearly (it weighs
the other side's value by the chance of acceptance, where the probe takes the other side's favourite
outright). ``describe`` says in plain words what a parameter set does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..engine.observation import Observation
from ..rules.actions import Action, ActionKind
from .base import Param, register
from .evaluate import Appraisal, Package, Valuer, Weights
from .heuristic import ACCEPT_SCALE, HeuristicAgent
from .persona import best_offer
from .probes import NO_DEAL, stand_pat, takes_only
from .stance import given_steps

__all__ = ["ANYTHING", "NEVER", "POINTS", "StrategyAgent", "describe"]

NEVER = 100.0
"""``gesture_min`` at which no gesture is ever worth playing (no gesture gains that many points)."""
ANYTHING = -20.0
"""``stubbornness`` at which it accepts every offer outright (it neither weighs nor counters it)."""


POINTS: dict[str, dict[str, Any]] = {
    "greedy": {"lead": 3.0, "their_lead": 1.0, "infer": 1.0},
    "greedy:lead=0,their_lead=0,infer=0": {},
    "stonewall": {"deal": False, "gesture_min": NEVER},
    "spoiler": {"deal": False, "spite": 1.0},
    "taker": {"gives": False, "eager": True},
    "pushover": {"eager": True, "selfish": 0.001, "regard": 1.0, "stubbornness": ANYTHING},
    "persona:name=hawk": {"regard": -0.3, "face": 1.0, "stubbornness": 2.0, "caution": 0.8},
    "persona:name=dove": {"regard": 0.5, "stubbornness": -1.0},
    "persona:name=face_saver": {"face": 2.5, "stubbornness": 1.0, "caution": 1.5},
}
"""Known agents as parameter sets of ``strategy`` (exact but for pushover; see the module docstring)."""


@register
class StrategyAgent(HeuristicAgent):
    """A strategy family spanning the probes' cheap lines and the personas (searched by summitgame exploit)."""

    name = "strategy"
    parameters: ClassVar[dict[str, Param]] = {
        "deal": Param(True, help="negotiates at all (false: never offers, rejects every offer)"),
        "gives": Param(
            True, help="concedes steps (false: only asks, accepts exactly the offers that ask nothing of it)"
        ),
        "eager": Param(False, help="offers whenever it may, even when passing is worth more"),
        "selfish": Param(1.0, 0.0, 1.0, "weight on its own value"),
        "regard": Param(0.0, -1.0, 1.0, "weight on the other side's estimated value (< 0: rivalry)"),
        "face": Param(0.0, 0.0, 10.0, "points of face lost per step it concedes in a deal"),
        "stubbornness": Param(
            0.0, ANYTHING, 20.0, "points an offer must beat saying no by before it accepts (-20: accepts anything)"
        ),
        "caution": Param(1.0, 0.1, 5.0, "scales the pressure rise it fears per round"),
        "lead": Param(0.0, 0.0, 10.0, "weight of its lead over the other side, in deals and gestures (greedy: 2)"),
        "their_lead": Param(
            0.0, 0.0, 10.0, "the same weight in the other side's aims, as its acceptance model assumes"
        ),
        "infer": Param(0.0, 0.0, 10.0, "how strongly it reads the other side's secret agenda from its offers"),
        "lock_lead": Param(
            0.0, 0.0, 50.0, "stops dealing once its deal points lead the other side's by this much (0: never)"
        ),
        "stop_round": Param(0, 0, 30, "deals no more from this round on (0: never stops)"),
        "spite": Param(0.0, 0.0, 1.0, "weight of the other side's gain from a gesture, counted against it"),
        "gesture_min": Param(0.0, 0.0, NEVER, "points a gesture must gain before it is played (100: none)"),
        "gesture_from": Param(1, 1, 30, "first round it plays gestures"),
        "accept_scale": ACCEPT_SCALE,
    }

    # -- when it deals --

    def dealing(self, obs: Observation) -> bool:
        """Whether it negotiates now: ``deal``, before ``stop_round``, and short of the lead it locks in.

        The lead is its deal points (true stakes) less the other side's at public stakes: all it can know."""
        p = self.params
        if not p["deal"]:
            return False
        if p["stop_round"] and obs.round >= p["stop_round"]:
            return False
        lock = float(p["lock_lead"])
        return not (lock and obs.my_points - obs.public_points[1 - obs.viewer] >= lock)

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        """Negotiate as the persona model does while dealing; otherwise play gestures and stand pat."""
        if self.dealing(obs):
            return super().act(obs, legal)
        cards = [a for a in legal if a.kind is ActionKind.PLAY]
        weights = Weights(rise=Weights.rise * float(self.params["caution"]), reveal=NO_DEAL.reveal)
        card = self._pick(Valuer(obs, weights), cards, obs.round) if cards else None
        return card if card is not None else stand_pat(obs, legal)

    # -- gestures --

    def weights(self) -> Weights:
        """The default valuation, fearing pressure as ``caution`` says, with its acceptance model's softness."""
        p = self.params
        return Weights(
            rise=Weights.rise * float(p["caution"]),
            accept_scale=float(p["accept_scale"]),
            lead=float(p["lead"]),
            their_lead=float(p["their_lead"]),
            infer=float(p["infer"]),
        )

    def _pick(self, val: Valuer, cards: Sequence[Action], rnd: int) -> Action | None:
        """The gesture whose value (its own less ``spite`` times the other side's) beats ``gesture_min`` most."""
        p = self.params
        if rnd < p["gesture_from"]:
            return None
        lead = float(p["lead"])
        own, spite = 1.0 + lead, float(p["spite"]) + lead  # as greedy prices a gesture when spite is 0
        best: Action | None = None
        best_gain = float(p["gesture_min"])
        for a in cards:
            mine, theirs = val.gesture_both(str(a.card))
            gain = own * mine - spite * theirs
            if gain > best_gain:
                best, best_gain = a, gain
        return best

    def gesture(self, obs: Observation, val: Valuer, cards: Sequence[Action]) -> Action | None:
        """The best gesture by ``_pick`` (greedy's rule at the defaults)."""
        return self._pick(val, cards, obs.round)

    # -- deals: the persona model, with a cap on what it gives and an eagerness to offer --

    def utility(self, mine: float, theirs: float, items: Package, role: int) -> float:
        """What it makes of a round's outcome: its value, its regard for theirs, the face it loses."""
        p = self.params
        lead = float(p["lead"])  # folded in as greedy's utility (1 + lead) * mine - lead * theirs computes it
        own, other = float(p["selfish"]) + lead, float(p["regard"]) - lead
        return own * mine + other * theirs - float(p["face"]) * given_steps(items, role)

    def _allowed(self, options: list[Appraisal], obs: Observation) -> list[Appraisal]:
        if self.params["gives"]:
            return options
        return [o for o in options if takes_only(o.items, obs.viewer, obs.rules.two_sided)]

    def _best(self, obs: Observation, val: Valuer, options: list[Appraisal]) -> tuple[Appraisal | None, float]:
        """The offer it may make with the best expected utility, and that utility."""
        return best_offer(val, self._allowed(options, obs), self.utility, obs.viewer)

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """The package with the best expected utility; None if there is none or (unless eager) passing is worth more."""
        best, u = self._best(obs, val, options)
        if best is None:
            return None
        if can_pass and not self.params["eager"] and self.utility(*val.pass_(), (), obs.viewer) >= u:
            return None
        return best.items

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """Accept an offer that beats saying no by its stubbornness (and beats countering); else counter or reject.

        One that concedes nothing (``gives=false``) accepts exactly the offers that ask nothing of it (or,
        where every package is a trade, one step: the least the rules let a package ask), and counters the
        others when its best ask is worth more than saying no."""
        me = obs.viewer
        reject = self.utility(*val.reject(me), (), me)
        if not self.params["gives"]:
            if takes_only(obs.items, me, obs.rules.two_sided):
                return ActionKind.ACCEPT
            best, u = self._best(obs, val, val.options()) if can_counter else (None, 0.0)
            return best.items if best is not None and u > reject else ActionKind.REJECT
        stubbornness = float(self.params["stubbornness"])
        if stubbornness <= ANYTHING:
            return ActionKind.ACCEPT
        accept = self.utility(*val.on_table(), obs.items, me)
        if can_counter:
            best, u = self._best(obs, val, val.options())
            if best is not None and u > max(accept, reject + stubbornness):
                return best.items
        return ActionKind.ACCEPT if accept > reject + stubbornness else ActionKind.REJECT


# --- in plain words ----------------------------------------------------------------------------------------


def _pts(x: float) -> str:
    return f"{x:g} point" + ("" if x == 1 else "s")


def describe(params: Mapping[str, Any]) -> str:
    """What a ``strategy`` parameter set does, in plain words: "never deals; plays every gesture that shifts
    the score its way from round 3". Parameters left out are the defaults."""
    p = {**StrategyAgent.defaults, **params}
    parts: list[str] = []
    if not p["deal"]:
        parts.append("never deals: passes, and rejects every offer")
    else:
        parts.append(_deals(p))
        stops = []
        if p["stop_round"]:
            stops.append(f"from round {p['stop_round']} on" if p["stop_round"] > 1 else "from the first round")
        if p["lock_lead"]:
            stops.append(f"once its deal points lead by {_pts(float(p['lock_lead']))}")
        if stops:
            parts.append("stops dealing " + " or ".join(stops) + " (then passes and rejects)")
    parts.append(_gestures(p))
    return "; ".join(parts)


def _deals(p: Mapping[str, Any]) -> str:
    """The dealing half of ``describe``."""
    if p["selfish"] == 0 and p["regard"] > 0:
        aim = "deals to please the other side (it weighs only their value)"
    else:
        weights = []
        if p["selfish"] != 1:
            weights.append(f"its own value at {p['selfish']:g}")
        if p["lead"]:
            weights.append(f"its lead over the other side at {p['lead']:g}")
        if p["regard"] < 0:
            weights.append(f"the other side's gains as losses ({p['regard']:g})")
        elif p["regard"] > 0:
            weights.append(f"the other side's value at {p['regard']:g}")
        aim = "deals for the best expected value" + (" weighing " + " and ".join(weights) if weights else "")
        if p["infer"]:
            aim += f", reading the other side's secret agenda from its offers (evidence weight {p['infer']:g})"
    out = [aim]
    if not p["gives"]:
        out.append(
            "only asks, concedes no step the rules do not force, and accepts only the offers that ask no more of it"
        )
    elif p["face"]:
        out.append(f"counts {_pts(float(p['face']))} of face against each step it concedes")
    if p["eager"]:
        out.append("offers whenever it may, even when passing is worth more")
    if p["gives"]:
        s = float(p["stubbornness"])
        if s <= ANYTHING:
            out.append("accepts every offer")
        elif s > 0:
            out.append(f"accepts only offers worth {_pts(s)} more than saying no")
        elif s < 0:
            out.append(f"accepts offers worth up to {_pts(-s)} less than saying no")
    if p["caution"] != 1:
        out.append(f"fears pressure {p['caution']:g}x as much as greedy")
    return ", ".join(out)


def _gestures(p: Mapping[str, Any]) -> str:
    """The gesture half of ``describe``."""
    if p["gesture_min"] >= NEVER:
        return "plays no gesture unless forced"
    spite = float(p["spite"])
    if spite >= 1:
        what = "shifts the score its way (its gain less the other side's)"
    elif spite > 0:
        what = f"is worth more to itself than {spite:g} times its worth to the other side"
    else:
        what = "is worth something to itself"
    text = "plays every gesture that " + what
    if p["gesture_min"] > 0:
        text += f" by more than {_pts(float(p['gesture_min']))}"
    if p["gesture_from"] > 1:
        text += f", from round {p['gesture_from']}"
    return text
