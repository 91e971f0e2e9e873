"""Balance targets as data: ``failed = "15%..35%"``, ``role_gap = "< 3 points"``, ``median_end_round = ">= 5"``.

A targets file is TOML: each top-level key names a measure (``analysis.measures``) and its string value
the range it should lie in. An optional ``[run]`` table says how to measure (``games``, ``seed``,
``agents``); command-line options override it. Forms of a target:

- ``LOW..HIGH`` (both ends included), e.g. ``"15%..35%"`` or ``"4..6 rounds"``;
- ``< X``, ``<= X``, ``> X``, ``>= X``, ``== X``, e.g. ``"< 3 points"``.

Two measures cost games of their own, played only when a target names them: ``probe_score_rate`` (the best
score rate any probe agent reaches against one of the run's agents) and ``exploitability:AGENT`` (the best
score rate a probe reaches against AGENT, one of the run's agents); ``[run] exploiters = ["spec", ...]``
adds agents to the built-in probes for both (say, strategies an exploit search found). See
``measures.exploit_measure`` for the precise definition.

An optional ``[tune]`` table guides ``tune`` (other commands ignore it): ``symmetric = ["GLOB", ...]`` locks
the tuned parameters each key-path glob matches (``meters.pressure.walkout_at.*``) to one value per
candidate (``tune.locks``).

A rate is written as a percentage (``35%``) or a fraction (``0.35``). A unit word after the number
(``points``, ``rounds``) is checked against the measure's unit. A target is met when the measured value
(the point estimate) satisfies it; "borderline" when its 95% interval reaches past a bound. A miss is
how far outside the value lies; ``loss`` scales it (per 5 percentage points for a rate, per unit
otherwise) and sums over the targets: the quantity ``tune`` drives to zero.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import safeio
from ..errors import Problem, RulesError
from ..rules.loader import display, locate, read_toml_text
from ..rules.ruleset import Ruleset
from .measures import EXPLOITABILITY, PROBE_SCORE_RATE, Measure, exploited, is_exploit_measure, readers

if TYPE_CHECKING:
    from .schema import Verdict as VerdictDoc

RATE_SCALE = 0.05  #: a rate's miss is counted in steps of 5 percentage points
RUN_KEYS = {"games": int, "seed": int, "agents": list, "exploiters": list}
TUNE_KEYS = ("symmetric",)

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_VALUE = rf"({_NUM})\s*(%?)\s*([a-z]*)"
_RANGE = re.compile(rf"^\s*{_VALUE}\s*\.\.\s*{_VALUE}\s*$")
_BOUND = re.compile(rf"^\s*(<=|>=|==|<|>|=)\s*{_VALUE}\s*$")
_UNITS = {"point": "points", "points": "points", "round": "rounds", "rounds": "rounds"}


@dataclass(frozen=True)
class Target:
    """One target: a measure and the range it should lie in (``None`` for an open end)."""

    name: str
    text: str
    low: float | None
    high: float | None
    low_open: bool = False  #: the low end itself is excluded (``> X``)
    high_open: bool = False  #: the high end itself is excluded (``< X``)
    rate: bool = False
    unit: str = ""  #: 'points' or 'rounds' (shown back with the bounds), '' for none

    def holds(self, value: float) -> bool:
        """Whether a value meets the target."""
        if not math.isfinite(value):
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return not (self.high is not None and (value > self.high or (self.high_open and value == self.high)))

    def miss(self, value: float) -> float:
        """How far outside the target a value lies (0 when it is met)."""
        if not math.isfinite(value):
            return math.inf
        if self.holds(value):
            return 0.0
        if self.low is not None and value <= self.low:
            return self.low - value
        assert self.high is not None
        return value - self.high

    def loss(self, value: float) -> float:
        """The miss in comparable steps: 5 percentage points for a rate, one unit otherwise (plus a
        tiny step for a value exactly on an excluded end, so a miss never counts as zero)."""
        m = self.miss(value)
        if m == 0.0 and not self.holds(value):
            m = 1e-9
        return m / RATE_SCALE if self.rate else m

    def show(self, value: float) -> str:
        """A bound as written back: 35% for a rate, 3 otherwise."""
        return f"{100 * value:g}%" if self.rate else f"{value:g}"

    def describe(self) -> str:
        """The target in a canonical form with its unit (``15%..35%``, ``< 3 points``)."""
        text = self._bounds()
        return f"{text} {self.unit}" if self.unit else text

    def _bounds(self) -> str:
        if self.low is not None and self.high is not None:
            if self.low == self.high:
                return f"== {self.show(self.low)}"
            return f"{self.show(self.low)}..{self.show(self.high)}"
        if self.high is not None:
            return f"{'<' if self.high_open else '<='} {self.show(self.high)}"
        assert self.low is not None
        return f"{'>' if self.low_open else '>='} {self.show(self.low)}"


@dataclass(frozen=True)
class Verdict:
    """A target checked against a measure."""

    target: Target
    measure: Measure
    met: bool
    borderline: bool  #: the 95% interval reaches past a bound (met or missed by chance, perhaps)
    miss: float
    loss: float

    def as_dict(self) -> VerdictDoc:
        """JSON-ready form."""
        return {
            "target": self.target.name,
            "wanted": self.target.describe(),
            "measured": self.measure.as_dict(),
            "met": self.met,
            "borderline": self.borderline,
            "miss": round(self.miss, 6) if math.isfinite(self.miss) else None,
            "loss": round(self.loss, 6) if math.isfinite(self.loss) else None,
        }


@dataclass(frozen=True)
class Targets:
    """A parsed targets file: the targets in file order, and its ``[run]`` settings."""

    source: str
    targets: tuple[Target, ...]
    run: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int | None] = field(default_factory=dict)  #: each target's line in the file, if known
    symmetric: tuple[str, ...] = ()  #: ``[tune] symmetric``: key-path globs whose parameters tune locks together
    symmetric_line: int | None = None  #: its line in the file, if known

    @property
    def exploiters(self) -> list[str]:
        """The ``[run] exploiters`` specs: agents played beside the built-in probes for the exploit measures."""
        return list(self.run.get("exploiters") or [])

    def check_agents(self, agents: Sequence[str]) -> None:
        """RulesError naming the file and key of each ``exploitability:AGENT`` whose AGENT is not one of
        ``agents`` (the canonical specs of the run's agents that are not probes): before any game is played."""
        problems = []
        for t in self.targets:
            canon = exploited(t.name)
            if canon is None:
                continue
            if canon not in agents:
                known = ", ".join(agents) if agents else "none: every agent of the run is a probe"
                problems.append(
                    Problem(
                        self.source,
                        t.name,
                        f"{t.name[len(EXPLOITABILITY) :]!r} is not one of the run's agents that probes are played "
                        f"against ({known})",
                        self.lines.get(t.name),
                    )
                )
        if problems:
            raise RulesError(problems)


def _number(text: str, pct: str, unit: str, rate: bool, unit_of: str) -> float:
    value = float(text)
    if pct:
        if not rate:
            raise ValueError(f"{text}% is a percentage, but this measure is not a rate")
        value /= 100
    elif rate and not 0 <= value <= 1:
        raise ValueError(f"a rate is a share of games: write {text}% or a fraction between 0 and 1")
    if unit:
        canon = _UNITS.get(unit)
        if canon is None:
            raise ValueError(f"unknown unit {unit!r} (units: points, rounds, or % for a rate)")
        if canon != unit_of:
            has = f"is in {unit_of}" if unit_of else "has no unit"
            raise ValueError(f"the unit is {unit!r}, but this measure {has}")
    return value


def parse_target(name: str, text: str, rate: bool, unit: str) -> Target:
    """One target string; ValueError saying what is wrong."""
    m = _RANGE.match(text)
    if m:
        lo = _number(m.group(1), m.group(2), m.group(3), rate, unit)
        hi = _number(m.group(4), m.group(5), m.group(6), rate, unit)
        if lo > hi:
            raise ValueError(f"{text!r}: the low end is above the high end")
        return Target(name, text, lo, hi, rate=rate, unit=unit)
    m = _BOUND.match(text)
    if m:
        op, v = m.group(1), _number(m.group(2), m.group(3), m.group(4), rate, unit)
        if op in ("<", "<="):
            return Target(name, text, None, v, high_open=op == "<", rate=rate, unit=unit)
        if op in (">", ">="):
            return Target(name, text, v, None, low_open=op == ">", rate=rate, unit=unit)
        return Target(name, text, v, v, rate=rate, unit=unit)
    raise ValueError(f'{text!r}: expected LOW..HIGH, or < X, <= X, > X, >= X, == X (e.g. "15%..35%", "< 3 points")')


def split_specs(text: str) -> list[str]:
    """Agent specs from a comma list, as ``--agents A,B,...`` takes them: commas inside a spec's parameters are
    kept (``mcts:c=1,iterations=9`` is one spec, since ``iterations=9`` has no agent name before its ``=``)."""
    specs: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if specs and "=" in part and ":" not in part and ":" in specs[-1]:
            specs[-1] += "," + part
        else:
            specs.append(part)
    return specs


def _run_agents(
    specs: list[Any], base_dir: str | Path | None, problem: Callable[[str, str], None], key: str = "agents"
) -> list[str]:
    """The ``[run] agents`` (or ``exploiters``) of a targets file, each checked and with the files it names
    resolved against the targets file's folder (``agents.base.resolve_spec``); each bad one is a problem."""
    from ..agents.base import AgentError, resolve_spec

    out = []
    for i, spec in enumerate(specs):
        if not isinstance(spec, str):
            problem(f"run.{key}[{i}]", "must be an agent spec such as 'greedy' (text)")
            continue
        try:
            out.append(resolve_spec(spec, base_dir if base_dir is not None else "."))
        except AgentError as exc:
            problem(f"run.{key}[{i}]", str(exc))
    return out


def parse_targets(
    data: Mapping[str, Any],
    rules: Ruleset,
    source: str,
    text: str | None = None,
    base_dir: str | Path | None = None,
) -> Targets:
    """Targets from parsed TOML, checked against the measures of these rules; RulesError listing every problem.

    ``base_dir``: the targets file's folder, against which files named by ``[run] agents`` are resolved."""
    table = readers(rules)
    run_agents: list[str] | None = None
    exploiters: list[str] | None = None
    symmetric: list[str] = []
    kinds = {name: read([]) for name, read in table.items()}  # kind and unit of each measure (no games needed)
    problems: list[Problem] = []
    out: list[Target] = []

    def problem(path: str, message: str) -> None:
        problems.append(Problem(source, path, message, locate(text, path) if text else None))

    for key, value in data.items():
        if key == "run":
            if not isinstance(value, dict):
                problem("run", "must be a table: [run] with games, seed, agents, exploiters")
                continue
            for k, v in value.items():
                want = RUN_KEYS.get(k)
                if want is None:
                    problem(f"run.{k}", f"unknown setting; settings are {', '.join(RUN_KEYS)}")
                elif k in ("agents", "exploiters") and isinstance(v, str):  # the comma list --agents takes
                    specs = split_specs(v)
                    if k == "agents":
                        run_agents = _run_agents(specs, base_dir, problem)
                    else:
                        exploiters = _run_agents(specs, base_dir, problem, "exploiters")
                elif not isinstance(v, want) or isinstance(v, bool):
                    what = "a list of agent specs, or their comma list" if want is list else "a whole number"
                    problem(f"run.{k}", f"must be {what}")
                elif k == "games" and isinstance(v, int) and v < 2:
                    problem("run.games", "needs at least 2 games")
                elif k == "agents" and isinstance(v, list):
                    run_agents = _run_agents(v, base_dir, problem)
                elif k == "exploiters" and isinstance(v, list):
                    exploiters = _run_agents(v, base_dir, problem, "exploiters")
            continue
        if key == "tune":
            symmetric += _tune_table(value, problem)
            continue
        if is_exploit_measure(key):
            if not isinstance(value, str):
                problem(key, f'must be a string such as "< 52%" (got {value!r})')
                continue
            try:
                out.append(parse_target(key, value, True, ""))
            except ValueError as exc:
                problem(key, str(exc))
            continue
        if key not in table:
            close = difflib.get_close_matches(key, [*table, PROBE_SCORE_RATE, f"{EXPLOITABILITY}AGENT"], n=3)
            hint = (
                f"; did you mean {', '.join(close)}?" if close else f"; measures are {', '.join(list(table)[:12])}, ..."
            )
            problem(key, f"no measure named {key!r}{hint}")
            continue
        if not isinstance(value, str):
            problem(key, f'must be a string such as "15%..35%" or "< 3" (got {value!r})')
            continue
        k = kinds[key]
        try:
            out.append(parse_target(key, value, k.kind == "rate", k.unit))
        except ValueError as exc:
            problem(key, str(exc))
    if not out and not problems:
        problems.append(Problem(source, "", "no targets in the file"))
    if problems:
        raise RulesError(problems)
    run = dict(data.get("run", {}))
    if run_agents is not None:
        run["agents"] = run_agents
    if exploiters is not None:
        run["exploiters"] = exploiters
    lines = {t.name: _key_line(text, t.name) if text else None for t in out}
    where = locate(text, "tune.symmetric") if text and symmetric else None
    return Targets(source, tuple(out), run, lines, tuple(symmetric), where)


def _tune_table(value: Any, problem: Callable[[str, str], None]) -> list[str]:
    """The ``[tune]`` table's ``symmetric`` globs (each a non-empty string); each wrong setting is a problem."""
    if not isinstance(value, dict):
        problem("tune", "must be a table: [tune] with symmetric")
        return []
    out: list[str] = []
    for k, v in value.items():
        if k not in TUNE_KEYS:
            problem(f"tune.{k}", f"unknown setting; settings are {', '.join(TUNE_KEYS)}")
        elif not isinstance(v, list):
            problem("tune.symmetric", 'must be a list of key-path globs, e.g. ["meters.pressure.walkout_at.*"]')
        else:
            for i, g in enumerate(v):
                if isinstance(g, str) and g.strip():
                    out.append(g.strip())
                else:
                    problem(
                        f"tune.symmetric[{i}]", f"must be a key-path glob such as 'tracks.*.gate.at_least' (got {g!r})"
                    )
    return out


def _key_line(text: str, key: str) -> int | None:
    """The line of a top-level key, bare or quoted (``"exploitability:greedy" = ...``), if it can be found."""
    for i, line in enumerate(text.splitlines(), 1):
        bare = line.strip()
        if any(bare.startswith(k) and bare[len(k) :].lstrip().startswith("=") for k in (f'"{key}"', f"'{key}'", key)):
            return i
        if bare.startswith("["):
            break  # past the top-level keys
    return locate(text, key)


def load_targets(path: str | Path, rules: Ruleset) -> Targets:
    """Read and check a targets file."""
    p = Path(path)
    data, text, errs = read_toml_text(p)  # through safeio: a regular file, within size, depth and integer limits
    if data is None:
        raise RulesError(errs)
    return parse_targets(data, rules, display(p), text, p.parent)


def targets_from_text(text: str, rules: Ruleset, source: str = "<targets>") -> Targets:
    """Targets from TOML text (for tests and library use)."""
    try:
        data = safeio.loads_toml(text, source)
    except safeio.DataFileError as exc:
        raise RulesError([Problem(source, "", exc.message, exc.line)]) from None
    return parse_targets(data, rules, source, text)


def check(targets: Targets, measured: Mapping[str, Measure]) -> list[Verdict]:
    """Each target against its measure."""
    out = []
    for t in targets.targets:
        m = measured[t.name]
        met = t.holds(m.value)
        ends = [x for x in (m.low, m.high) if math.isfinite(x)]
        borderline = len(ends) == 2 and any(t.holds(x) != met for x in ends)
        out.append(Verdict(t, m, met, borderline, t.miss(m.value), t.loss(m.value)))
    return out


def total_loss(verdicts: Sequence[Verdict]) -> float:
    """Sum of the targets' scaled misses: 0 exactly when every target is met."""
    return math.fsum(v.loss for v in verdicts)
