"""Watching agents in tests: every call an agent gets and every answer it gives (``Watched``), and that it touches
no game state but those it samples from its own observation (``StateGuard``). Shared by tests/agents/ and the
exploit tests."""

from __future__ import annotations

import functools
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, ClassVar

import pytest

from summitgame.agents import available
from summitgame.agents.base import Agent
from summitgame.engine import forward as engine
from summitgame.engine import observation, scoring
from summitgame.engine.observation import Observation
from summitgame.engine.state import State
from summitgame.rules.actions import Action
from summitgame.rules.ruleset import Ruleset

Hook = Callable[[], None]


class Watched(Agent):
    """Wraps an agent and checks every call it gets and every answer it gives (an assertion forfeits the game)."""

    name = "watched"
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, inner: Agent, before: Hook = lambda: None, after: Hook = lambda: None) -> None:
        super().__init__()
        self.inner = inner
        self.before = before
        self.after = after
        self.moves = 0

    def start(self, rules: Ruleset, role: int, rng: random.Random) -> None:
        super().start(rules, role, rng)
        self.inner.start(rules, role, rng)

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        assert isinstance(obs, Observation) and not isinstance(obs, State)
        assert obs.viewer == self.role == obs.to_move
        assert tuple(legal) == obs.legal and legal
        self.before()
        try:
            choice = self.inner.act(obs, legal)
        finally:
            self.after()
        assert isinstance(choice, Action), f"{self.inner.spec()} returned {choice!r}, not an Action"
        assert choice in legal, f"{self.inner.spec()} chose {choice.notation()!r}, not legal here"
        self.moves += 1
        return choice


class StateGuard:
    """While an agent acts, every State handed to the engine, scoring or observation API must come from
    ``sample_state`` (or from the engine working on such a state); the match's own states never do."""

    API = (
        (engine, ("apply", "apply_unchecked", "legal_actions", "clone", "is_terminal", "to_move", "current_role")),
        (engine, ("why_illegal", "new_game")),
        (observation, ("observe", "determinize", "sample_state", "public_log")),
        (scoring, ("outcome", "scores", "tier_index", "true_points")),
    )

    def __init__(self) -> None:
        self.active = False
        self.allowed: dict[int, State] = {}
        self.violations: Counter[str] = Counter()

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.active:
                if name == "new_game":
                    self.violations["new_game"] += 1
                for x in (*args, *kwargs.values()):
                    if isinstance(x, State) and id(x) not in self.allowed:
                        self.violations[name] += 1
            result = fn(*args, **kwargs)
            if self.active and isinstance(result, State):
                self.allowed[id(result)] = result
            return result

        return guarded

    def install(self, monkeypatch: pytest.MonkeyPatch, modules: list[ModuleType]) -> None:
        """Wrap the API where it is defined and wherever an agent module imported it by name."""
        for home, names in self.API:
            for name in names:
                fn = getattr(home, name)
                guarded = self.wrap(name, fn)
                monkeypatch.setattr(home, name, guarded)
                for mod in modules:
                    if getattr(mod, name, None) is fn:
                        monkeypatch.setattr(mod, name, guarded)
        clone = State.clone
        monkeypatch.setattr(State, "clone", self.wrap("State.clone", clone))

    def on(self) -> None:
        self.active = True

    def off(self) -> None:
        self.active = False


def agent_modules() -> list[ModuleType]:
    """Every loaded module of the agents package (the registry has imported them all)."""
    available()
    return [m for name, m in sorted(sys.modules.items()) if name.startswith("summitgame.agents.") and m is not None]
