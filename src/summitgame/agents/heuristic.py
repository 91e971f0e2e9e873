"""The turn skeleton shared by the heuristic agents: a gesture, a planned package, an answer.

Packages are built one item per action, but a good package has to be chosen whole. So an agent plans
the complete package when it starts building (or decides to counter), then emits its items one per
``act`` call and offers it; it re-plans if the board changed under the plan or the partial package is
not the one it planned. Subclasses decide only three things: which gesture to play (default: the
best one worth playing), which package to offer (or pass), and how to answer an offer.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from ..engine.observation import Observation
from ..engine.state import Phase
from ..rules.actions import Action, ActionKind
from ..rules.ruleset import Ruleset
from .base import Agent, Param
from .evaluate import DEFAULT_WEIGHTS, Appraisal, Package, Valuer, Weights, item_action

PASS, OFFER, ACCEPT, REJECT, COUNTER = 0, 1, 2, 3, 4  # the engine's fixed codes for the simple actions

ACCEPT_SCALE = Param(2.0, 0.01, 100.0, "softness of the acceptance model it assumes, in points")
"""The ``accept_scale`` parameter every heuristic agent takes."""

_PlanKey = tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]


class HeuristicAgent(Agent):
    """An agent that values options with ``Valuer`` and builds planned packages item by item.

    Subclasses implement ``propose`` and ``respond``; they may override ``gesture`` and ``weights``."""

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._plan: Package | None = None
        self._plan_key: _PlanKey | None = None
        self._weights: Weights | None = None

    def start(self, rules: Ruleset, role: int, rng: random.Random) -> None:
        """A new game: forget any plan from the last one."""
        super().start(rules, role, rng)
        self._plan = None
        self._plan_key = None
        self._weights = None

    # -- what subclasses decide --

    def weights(self) -> Weights:
        """The valuation knobs this agent uses: the defaults, with the acceptance model's softness from an
        ``accept_scale`` parameter if the agent declares one (override to expose more). Asked once a game (they
        follow from the agent's parameters), not at every move: building them costs more than some moves."""
        scale = self.params.get("accept_scale")
        return DEFAULT_WEIGHTS if scale is None else Weights(accept_scale=float(scale))

    def gesture(self, obs: Observation, val: Valuer, cards: Sequence[Action]) -> Action | None:
        """The gesture to play before building, or None. Default: the most valuable one worth more than 0."""
        best: Action | None = None
        best_value = 0.0
        for a in cards:
            v = val.gesture(str(a.card))
            if v > best_value:
                best, best_value = a, v
        return best

    def candidates(self, val: Valuer) -> list[Appraisal]:
        """The appraised packages ``propose`` chooses from (and the skeleton falls back on, by ``ev``). Default:
        every package ``Valuer.options`` values; an agent that only ever takes the best may return just that."""
        return val.options()

    def propose(self, obs: Observation, val: Valuer, options: list[Appraisal], can_pass: bool) -> Package | None:
        """The whole package to offer (extending ``obs.items``), or None to pass (only if ``can_pass``)."""
        raise NotImplementedError

    def respond(self, obs: Observation, val: Valuer, can_counter: bool) -> ActionKind | Package:
        """ACCEPT or REJECT the package on the table, or a package to counter with (only if ``can_counter``)."""
        raise NotImplementedError

    # -- the skeleton --

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        """Answer, or continue/start a planned package, or play a gesture, or pass."""
        rules = obs.rules
        acts = rules.actions.all
        w = self._weights
        if w is None:
            w = self._weights = self.weights()
        val = Valuer(obs, w)
        if obs.phase == Phase.RESPOND:
            can_counter = acts[COUNTER] in legal
            choice = self.respond(obs, val, can_counter)
            if isinstance(choice, ActionKind):
                return acts[ACCEPT] if choice is ActionKind.ACCEPT else acts[REJECT]
            if not can_counter or not choice:
                return acts[REJECT]
            self._set_plan(obs, choice)
            return acts[COUNTER]
        planned = self._follow_plan(obs, legal)
        if planned is not None:
            return planned
        can_pass = acts[PASS] in legal
        if can_pass:
            cards = [a for a in legal if a.kind is ActionKind.PLAY]
            if cards:
                card = self.gesture(obs, val, cards)
                if card is not None:
                    return card
        options = self.candidates(val)
        package = self.propose(obs, val, options, can_pass) if options else None
        if package is None or len(package) <= len(obs.items):
            if can_pass:
                return acts[PASS]
            if obs.items and acts[OFFER] in legal:
                return acts[OFFER]
            # a counter must offer something, and a package that is not yet a trade (two_sided) must grow
            package = max(options, key=lambda o: o.ev).items
        self._set_plan(obs, package)
        step = self._follow_plan(obs, legal)
        assert step is not None, "a planned package must start with a legal item"
        return step

    def _key(self, obs: Observation) -> _PlanKey:
        return (obs.round, obs.meters, obs.tracks, obs.blocked)

    def _set_plan(self, obs: Observation, package: Package) -> None:
        self._plan = package
        self._plan_key = self._key(obs)

    def _follow_plan(self, obs: Observation, legal: Sequence[Action]) -> Action | None:
        """The next action of the current plan, if it still fits the board and the partial package."""
        plan = self._plan
        if plan is None or self._plan_key != self._key(obs):
            return None
        n = len(obs.items)
        if plan[:n] != obs.items:
            return None
        acts = obs.rules.actions.all
        if n == len(plan):
            return acts[OFFER] if acts[OFFER] in legal else None
        step = item_action(obs.rules, obs.viewer, plan[n])
        return step if step in legal else None
