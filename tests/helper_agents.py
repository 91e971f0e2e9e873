"""Test-only agents, loaded as ``helper_agents:Class`` (by the tests and by worker processes).

They misbehave on purpose: raise, exit, sleep past a move limit, ignore the alarm, kill their process."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Sequence
from typing import Any, ClassVar

from summitgame.agents.base import Agent
from summitgame.engine.observation import Observation
from summitgame.rules.actions import Action


class First(Agent):
    """Always the first legal action: deterministic and cheap."""

    name = "first"
    defaults: ClassVar[dict[str, Any]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return legal[0]


class Last(Agent):
    """Always the last legal action."""

    name = "last"
    defaults: ClassVar[dict[str, Any]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return legal[-1]


class Crasher(Agent):
    """Raises on its move number ``after`` + 1 of a game."""

    name = "crasher"
    defaults: ClassVar[dict[str, Any]] = {"after": 0}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        self.moves = getattr(self, "moves", 0) + 1
        if self.moves > self.params["after"]:
            raise ValueError("boom from the crasher")
        return legal[0]


class Exiter(Agent):
    """Calls sys.exit in its first move."""

    name = "exiter"
    defaults: ClassVar[dict[str, Any]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        sys.exit(3)


class Sleeper(Agent):
    """Sleeps ``seconds`` before every move (an interruptible sleep: the move alarm stops it); with ``woke`` set,
    appends a line to that file each time a sleep runs to its end, so a test can tell that none did."""

    name = "sleeper"
    defaults: ClassVar[dict[str, Any]] = {"seconds": 1.0, "woke": ""}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        time.sleep(self.params["seconds"])
        if self.params["woke"]:
            with open(self.params["woke"], "a", encoding="utf-8") as f:
                f.write("woke\n")
        return legal[0]


class Stubborn(Agent):
    """Hangs in its first move and swallows the move alarm: only killing its process stops it."""

    name = "stubborn"
    defaults: ClassVar[dict[str, Any]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        while True:
            with contextlib.suppress(Exception):  # swallowing the move alarm is the point
                time.sleep(30)


class Dier(Agent):
    """Kills its own process in its first move (as a crash in native code would)."""

    name = "dier"
    defaults: ClassVar[dict[str, Any]] = {}

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        os._exit(7)


class SometimesDier(Agent):
    """Plays the first legal action, but kills its own process in its first move of a game when its seeded
    draw falls under ``chance`` (the same games on every run): a worker dies between other games."""

    name = "sometimesdier"
    defaults: ClassVar[dict[str, Any]] = {"chance": 0.25}

    def start(self, rules: Any, role: int, rng: Any) -> None:
        super().start(rules, role, rng)
        self.dies = rng.random() < self.params["chance"]

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        if self.dies:
            os._exit(7)
        return legal[0]


class StartFails(Agent):
    """Fails in its start hook."""

    name = "startfails"
    defaults: ClassVar[dict[str, Any]] = {}

    def start(self, rules: Any, role: int, rng: Any) -> None:
        raise RuntimeError("cannot start")

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return legal[0]
