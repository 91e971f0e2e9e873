"""The Agent interface, agent specs (``NAME[:key=value,...]``) and the agent registry.

An agent sees only its ``Observation`` and the legal actions, never the state; it gets its own
seeded random stream at the start of each game and may keep memory across the game. Third-party
agents plug in through the ``summitgame.agents`` entry-point group, or ``module:Class``.

Every parameter an agent takes is declared (``Param``): its type, the range it must lie in, and whether it
names a file. A spec is checked against that before any agent is built, whether it comes from the command
line or from a data file (a save's seats, a targets file's ``[run] agents``): an unknown parameter, a
wrong type or a value out of range is refused in one line, so a spec cannot ask for a search that never
ends. A file a spec names is read through ``safeio`` (a regular file under a size limit); in a spec read
from a data file it is resolved relative to that file (``make_agent(spec, base_dir=...)``). An agent that
runs a program (``cmd:PROGRAM ARGS...``, ``agents.cmd``) takes the rest of its spec as one raw command line,
and only the user's command line may give one: a spec read from a data file that would run a program is
refused.
"""

from __future__ import annotations

import importlib
import math
import os
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

from ..engine.observation import Observation
from ..engine.scoring import Outcome
from ..errors import SummitError
from ..rules.actions import Action
from ..rules.ruleset import Ruleset
from ..safeio import printable

ENTRY_POINT_GROUP = "summitgame.agents"
MAX_TEXT = 200  #: longest text parameter (a persona's name, say)
MAX_PATH = 4096  #: longest file-name parameter
GENERIC_LIMIT = 1_000_000.0  #: numbers of a parameter declared only by its default lie within ± this
SHOWN = 80  #: characters of a spec or value quoted in an error message


class AgentError(SummitError):
    """An agent spec that names no agent, or gives it a parameter it does not take."""


def shown(text: object, limit: int = SHOWN) -> str:
    """Text from a spec, safe to print in a message: no escape sequences, at most ``limit`` characters."""
    s = printable(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass(frozen=True)
class Param:
    """One agent parameter: its default (whose type is the parameter's type), its allowed range, what it means.

    A number must be finite and lie in ``low..high`` (both included); text is at most ``MAX_TEXT`` characters
    (``MAX_PATH`` if it names a ``file``, which is read through ``safeio`` and, in a spec from a data file,
    resolved relative to that file)."""

    default: bool | int | float | str
    low: float | None = None
    high: float | None = None
    help: str = ""
    file: bool = False
    max_len: int | None = None  #: longest text allowed, if not ``MAX_TEXT`` (``MAX_PATH`` for a file)

    @property
    def longest(self) -> int:
        """The longest text a value may be."""
        return self.max_len if self.max_len is not None else (MAX_PATH if self.file else MAX_TEXT)

    @property
    def kind(self) -> str:
        """'bool', 'int', 'float' or 'str': the type a value must have."""
        if isinstance(self.default, bool):
            return "bool"
        return type(self.default).__name__

    def allowed(self) -> str:
        """What a value may be, in words: ``a whole number in 1..100000``."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "a file name" if self.file else f"text of at most {self.longest} characters"
        what = "a whole number" if self.kind == "int" else "a number"
        lo = "" if self.low is None else f"{self.low:g}"
        hi = "" if self.high is None else f"{self.high:g}"
        return f"{what} in {lo}..{hi}" if lo or hi else what

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (None if it is)."""
        kind = self.kind
        if kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        else:
            ok = isinstance(value, str) and len(value) <= self.longest
        if ok and kind in ("int", "float"):
            ok = (self.low is None or value >= self.low) and (self.high is None or value <= self.high)
        return None if ok else self.allowed()


def _generic(default: Any, inherited: Param | None) -> Param:
    """The declaration of a parameter known only by its default: the inherited one's range, else ± GENERIC_LIMIT."""
    if inherited is not None and inherited.kind == Param(default).kind:
        return Param(default, inherited.low, inherited.high, inherited.help, inherited.file, inherited.max_len)
    if isinstance(default, int | float) and not isinstance(default, bool):
        limit = max(GENERIC_LIMIT, abs(default))
        return Param(default, -limit, limit)
    return Param(default)


class Agent(ABC):
    """A player that decides from observations only.

    Subclasses set ``name`` and declare their parameters in ``parameters`` (``Param``: default, range,
    meaning) and implement ``act``. ``defaults`` (name to default) is derived from it; a class that sets
    only ``defaults`` (the older way) gets the inherited ranges, or ± ``GENERIC_LIMIT`` for numbers.

    What an agent can know: its ``Observation`` (the public board and log, its own hand, agenda and
    points) and the legal actions; never the opponent's hand or unrevealed agenda, the deck order or the
    seed. The stream ``start`` hands it is seeded from the run seed in a domain of its own
    (``rng.agent_seed``), never from the deal, so it tells the agent nothing about the cards; deal seeds
    are 64-bit and drawn at random for ``match`` and ``tournament`` unless ``--seed`` is given (a typed
    seed can be guessed). An agent runs in this interpreter and is trusted code: it could read the
    interpreter's frames, and nothing stops it. An untrusted bot plays out of process (``cmd:PROGRAM``,
    ``agents.cmd``, docs/protocol.md), seeing only its observation."""

    name: ClassVar[str] = "agent"
    parameters: ClassVar[dict[str, Param]] = {}
    defaults: ClassVar[dict[str, Any]] = {}
    #: the parameter that takes the whole spec after ``NAME:`` as it is, commas and ``=`` included (``cmd``)
    raw_spec: ClassVar[str | None] = None
    #: the agent runs a program its spec names: such a spec is taken only from the user's command line
    runs_program: ClassVar[bool] = False
    #: the per-move time limit of the game being played (``play_game`` sets it before ``start``; None: none)
    time_limit: float | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "parameters" in cls.__dict__:
            cls.defaults = {k: p.default for k, p in cls.parameters.items()}
        elif "defaults" in cls.__dict__:
            inherited = cls.parameters
            cls.parameters = {k: _generic(v, inherited.get(k)) for k, v in cls.defaults.items()}

    def __init__(self, **params: Any) -> None:
        check_params(type(self), params, f"agent {self.name!r}")
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

    def close(self) -> None:  # noqa: B027 - optional hook
        """The game is over, however it ended (a forfeit too): release what the agent holds outside this
        interpreter, such as a program it runs (optional hook; called after ``end``, if that was)."""

    def spec(self) -> str:
        """The spec that recreates this agent, e.g. ``mcts:c=1.2,iterations=400``."""
        changed = {k: v for k, v in self.params.items() if self.defaults.get(k) != v}
        if not changed:
            return self.name
        return self.name + ":" + ",".join(f"{k}={v}" for k, v in sorted(changed.items()))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec()}>"


def describe(cls: type[Agent]) -> list[str]:
    """One line per parameter of an agent class: name, what it may be, default, meaning (for help texts)."""
    out = []
    for key, p in cls.parameters.items():
        default = "''" if p.default == "" else f"{p.default}"
        meaning = f" — {p.help}" if p.help else ""
        out.append(f"{key}: {p.allowed()}, default {default}{meaning}")
    return out


def check_params(cls: type[Agent], params: Mapping[str, Any], who: str) -> None:
    """AgentError (``who``: ...) unless every parameter is one ``cls`` declares, of its type and in its range."""
    for key, value in params.items():
        p = cls.parameters.get(key)
        if p is None:
            known = ", ".join(sorted(cls.parameters)) or "none"
            raise AgentError(f"{who}: no parameter '{shown(key)}' (parameters of {cls.name!r}: {known})")
        why = p.problem(value)
        if why is not None:
            raise AgentError(f"{who}: {key} must be {why}, got {shown(repr(value))}")


AgentFactory = Callable[..., Agent]
_REGISTRY: dict[str, type[Agent]] = {}


def register(cls: type[Agent]) -> type[Agent]:
    """Class decorator: make an agent available by its ``name`` in specs."""
    _REGISTRY[cls.name] = cls
    return cls


def _coerce(key: str, raw: str, p: Param) -> Any:
    """A spec's text for a parameter as a value of its type (left as text if it is not one: checked later)."""
    try:
        if p.kind == "bool":
            low = raw.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            return raw
        if p.kind == "int":
            return int(raw) if len(raw) <= 30 else raw
        if p.kind == "float":
            return float(raw) if len(raw) <= 60 else raw
    except ValueError:
        return raw
    return raw


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """Split ``NAME[:key=value,...]`` into the name and raw parameter strings (a key given twice is refused)."""
    if not isinstance(spec, str):
        raise AgentError(f"an agent spec must be text such as 'greedy', got {shown(repr(spec))}")
    name, _, rest = spec.strip().partition(":")
    name = name.strip()
    if not name:
        raise AgentError(f"'{shown(spec)}': empty agent name")
    raw_key = getattr(available().get(name), "raw_spec", None)
    if raw_key is not None:  # one raw value (a command line): its commas and '=' are its own
        return name, ({raw_key: rest.strip()} if rest.strip() else {})
    params: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or not key:
            raise AgentError(f"'{shown(spec)}': expected key=value, got '{shown(item)}'")
        if key in params:
            raise AgentError(f"'{shown(spec)}': parameter {shown(key)!r} given twice")
        params[key] = value.strip()
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


def _load_plugins() -> None:
    """Register the entry-point plugins, once per process (a scan costs ms). The shipped agents are registered
    already: importing this module imports the ``summitgame.agents`` package first, and it imports them all."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
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
    _load_plugins()
    return dict(sorted(_REGISTRY.items()))


def _check_spec(spec: str, base_dir: str | Path | None) -> tuple[type[Agent], dict[str, Any]]:
    """The class a spec names and its parameters, typed, checked and with file names resolved."""
    name, raw = parse_spec(spec)
    who = f"agent spec '{shown(spec)}'"
    agents = available()
    cls = agents.get(name)
    if cls is None:
        raise AgentError(f"{who}: unknown agent '{shown(name)}'; agents are {', '.join(agents)}")
    if cls.runs_program and base_dir is not None:
        raise AgentError(
            f"{who}: read from a data file, a spec may not run a program; only the command line may name one "
            f"(to go on with a saved game against it, name it again: --player ROLE={shown(name)}:PROGRAM)"
        )
    params = {}
    for key, value in raw.items():
        p = cls.parameters.get(key)
        params[key] = value if p is None else _coerce(key, value, p)
    check_params(cls, params, who)
    for key, value in params.items():
        if cls.parameters[key].file and value and base_dir is not None:
            params[key] = os.path.join(base_dir, value)  # an absolute name stays as it is
    return cls, params


def make_agent(spec: str, base_dir: str | Path | None = None) -> Agent:
    """Build an agent from a spec such as ``greedy`` or ``mcts:iterations=400,c=1.2``.

    Unknown parameters, wrong types and values out of range are refused (AgentError, one line naming the
    spec, the parameter and what it may be). ``base_dir``: the folder of the data file the spec was read
    from (a save, a targets file); a file the spec names is then resolved relative to it, not to the
    working directory. Files are read through ``safeio`` either way (regular files under a size limit).
    A spec that runs a program (``cmd:``) is refused when ``base_dir`` is set: data cannot start programs."""
    cls, params = _check_spec(spec, base_dir)
    try:
        return cls(**params)
    except AgentError as exc:
        raise AgentError(f"agent spec '{shown(spec)}': {exc}") from None


def resolve_spec(spec: str, base_dir: str | Path | None = None) -> str:
    """A spec read from a data file, checked (AgentError as ``make_agent``: the files it names are read now)
    and rewritten so that it means the same from any working directory: each file it names resolved against
    ``base_dir`` (shown relative to the working directory when it lies under it). A spec that names no file
    comes back as it is."""
    cls, params = _check_spec(spec, base_dir)
    try:
        cls(**params)
    except AgentError as exc:
        raise AgentError(f"agent spec '{shown(spec)}': {exc}") from None
    name, raw = parse_spec(spec)
    files = [k for k in raw if cls.parameters[k].file and params[k]]
    if not files:
        return spec
    for k in files:
        full = os.path.abspath(params[k])
        rel = os.path.relpath(full)
        raw[k] = full if rel.startswith("..") else rel
        if any(c in raw[k] for c in ",="):
            raise AgentError(f"agent spec '{shown(spec)}': the file name '{shown(raw[k])}' holds ',' or '='")
    return name + ":" + ",".join(f"{k}={v}" for k, v in raw.items())
