"""The Agent interface, agent specs (``NAME[:key=value,...]``) and the agent registry.

An agent sees only its ``Observation`` and the legal actions, never the state; it gets its own
seeded random stream at the start of each game and may keep memory across the game. Third-party
agents plug in through the ``summitgame.agents`` entry-point group, or ``module:Class``.
"""

from __future__ import annotations

import importlib
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any, ClassVar

from ..actions import Action
from ..errors import SummitError
from ..observation import Observation
from ..ruleset import Ruleset
from ..scoring import Outcome

ENTRY_POINT_GROUP = "summitgame.agents"


class AgentError(SummitError):
    """An agent spec that names no agent, or gives it a parameter it does not take."""


class Agent(ABC):
    """A player that decides from observations only.

    Subclasses set ``name`` and ``defaults`` (every parameter they accept, with its default; the
    default's type is the parameter's type) and implement ``act``.

    What an agent can know: its ``Observation`` (the public board and log, its own hand, agenda and
    points) and the legal actions; never the opponent's hand or unrevealed agenda, the deck order or the
    seed. The stream ``start`` hands it is seeded from the run seed in a domain of its own
    (``rng.agent_seed``), never from the deal, so it tells the agent nothing about the cards; deal seeds
    are 64-bit and drawn at random for ``match`` and ``tournament`` unless ``--seed`` is given (a typed
    seed can be guessed). An agent runs in this interpreter and is trusted code: it could read the
    interpreter's frames, and nothing stops it. An untrusted bot must play out of process, seeing only
    its observation; that protocol is planned (issue #17) and does not exist yet."""

    name: ClassVar[str] = "agent"
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, **params: Any) -> None:
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            known = ", ".join(sorted(self.defaults)) or "none"
            raise AgentError(f"agent {self.name!r} takes no parameter {unknown[0]!r} (parameters: {known})")
        self.params: dict[str, Any] = {**self.defaults, **params}
        self.rules: Ruleset | None = None
        self.role = -1
        self.rng = random.Random(0)

    def start(self, rules: Ruleset, role: int, rng: random.Random) -> None:
        """A new game begins: the rules, the agent's role index and its own random stream."""
        self.rules = rules
        self.role = role
        self.rng = rng

    @abstractmethod
    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        """Choose one of ``legal`` (never empty) given what this role may see."""

    def end(self, obs: Observation, outcome: Outcome) -> None:  # noqa: B027 - optional hook
        """The game is over (optional hook for agents that learn or log)."""

    def spec(self) -> str:
        """The spec that recreates this agent, e.g. ``mcts:c=1.2,iterations=400``."""
        changed = {k: v for k, v in self.params.items() if self.defaults.get(k) != v}
        if not changed:
            return self.name
        return self.name + ":" + ",".join(f"{k}={v}" for k, v in sorted(changed.items()))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec()}>"


AgentFactory = Callable[..., Agent]
_REGISTRY: dict[str, type[Agent]] = {}


def register(cls: type[Agent]) -> type[Agent]:
    """Class decorator: make an agent available by its ``name`` in specs."""
    _REGISTRY[cls.name] = cls
    return cls


def _coerce(name: str, key: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        kind = type(default).__name__
        raise AgentError(f"agent {name!r}: {key}={raw!r} is not a valid {kind}") from None
    return raw


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """Split ``NAME[:key=value,...]`` into the name and raw parameter strings."""
    name, _, rest = spec.strip().partition(":")
    if not name:
        raise AgentError(f"{spec!r}: empty agent name")
    params: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise AgentError(f"{spec!r}: expected key=value, got {item!r}")
        params[key.strip()] = value.strip()
    return name, params


def load_class(target: str) -> type[Agent]:
    """Import ``module:Class`` and register it; AgentError if it is not an Agent subclass."""
    module_name, _, attr = target.partition(":")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise AgentError(f"cannot load agent {target!r}: {exc}") from None
    if not (isinstance(obj, type) and issubclass(obj, Agent)):
        raise AgentError(f"{target!r} is not a summitgame Agent subclass")
    return register(obj)


_plugins_loaded = False


def _load_builtins_and_plugins() -> None:
    """Register the shipped agents and the entry-point plugins, once per process (a scan costs ms)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from . import builtin  # noqa: F401  (registers the shipped agents)

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _REGISTRY:
            try:
                cls = ep.load()
            except Exception as exc:  # a broken plugin must not break the command
                raise AgentError(f"agent plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from None
            if not (isinstance(cls, type) and issubclass(cls, Agent)):
                raise AgentError(f"agent plugin {ep.name!r} ({ep.value}) is not a summitgame Agent subclass")
            _REGISTRY.setdefault(ep.name, cls)


def available() -> dict[str, type[Agent]]:
    """Every agent name a spec may use, with its class."""
    _load_builtins_and_plugins()
    return dict(sorted(_REGISTRY.items()))


def make_agent(spec: str) -> Agent:
    """Build an agent from a spec such as ``greedy`` or ``mcts:iterations=400,c=1.2``."""
    name, raw = parse_spec(spec)
    agents = available()
    cls = agents.get(name)
    if cls is None:
        raise AgentError(f"unknown agent {name!r}; agents are {', '.join(agents)}")
    params = {}
    for key, value in raw.items():
        if key not in cls.defaults:
            known = ", ".join(sorted(cls.defaults)) or "none"
            raise AgentError(f"agent {name!r} takes no parameter {key!r} (parameters: {known})")
        params[key] = _coerce(name, key, value, cls.defaults[key])
    return cls(**params)
