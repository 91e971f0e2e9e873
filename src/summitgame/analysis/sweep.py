"""``sweep``: the balance measures at every point of a parameter grid, and ``--sensitivity`` around the rules.

Every point plays the same plan: the same agents, deal seeds and seats (common random numbers), so the
differences between points are the parameters' doing and not the luck of the deal. All points are
loaded and checked before any game is played, so a bad value anywhere stops the sweep at once.

**Sensitivity** moves each parameter one step down and one step up from its current value (staying
inside its ``[tunable]`` range) and measures the effect per step: the paired mean over games of
(measure at +step − measure at −step) / (2 steps), or a one-sided difference against the current rules
at a range's edge, with a 95% interval. Parameters are ranked by their largest effect, with rates
counted per 5 percentage points and other measures per unit, as targets count misses.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from ..errors import Problem, RulesError
from ..rules.loader import load_rules, no_entry
from ..rules.params import FILE_KEYS, Number, Param, Value, fmt_number, get_at, is_number, override_text, parse_path
from ..rules.ruleset import Ruleset
from ..runs.options import HERE, RunOptions
from ..runs.stats import mean_ci
from ..runs.tournament import Entrant
from ..runs.workers import Pool
from ..version import __version__
from .balance import Progress, games_per_pair, pairing_rows, plan_for, play_exploits, probe_entrants, simulate, skilled
from .compare import metric_defs
from .measures import Measure, exploit_measure, exploited, is_exploit_measure, measure, readers
from .metrics import GameMetrics
from .targets import RATE_SCALE, Targets

if TYPE_CHECKING:
    from .schema import Effect, SensitivityParam, SensitivityReport, SweepReport, TargetBand

FORMAT: Final = "summitgame-sweep"
SENSITIVITY_FORMAT: Final = "summitgame-sensitivity"
VERSION: Final = 1


@dataclass
class Point:
    """One point of a sweep: the parameter values, the rules they make, and what the games measured."""

    values: dict[str, Value]
    rules: Ruleset
    games: list[GameMetrics] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)
    seconds: float = 0.0
    played: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)  #: the games.jsonl lines of its games (no actions)


def current_value(rules: Ruleset, key: str) -> Number:
    """The value a key path has in loaded rules (defaults included); RulesError if it is not a number."""
    try:
        parts = parse_path(key)
    except ValueError as exc:
        raise RulesError([Problem("--param", key, str(exc))]) from None
    values = rules.values()
    why = no_entry(values, parts)
    if why is not None:
        raise RulesError([Problem("--param", key, f"names no value of the rules: {why}")])
    value = get_at(values, parts)
    if not is_number(value):
        raise RulesError([Problem("--param", key, f"is {value!r}, not a number")])
    return value  # type: ignore[no-any-return]


def grid(params: Sequence[Param]) -> list[dict[str, Value]]:
    """Every combination of the parameters' values, the first parameter varying slowest."""
    return [
        dict(zip([p.path for p in params], combo, strict=True))
        for combo in itertools.product(*(p.values for p in params))
    ]


def overrides_for(values: Mapping[str, Value]) -> list[str]:
    """The ``--param`` texts that set a point's values."""
    return [override_text(k, v) for k, v in values.items()]


def load_points(
    rules_path: str | Path | None, overrides: Sequence[str], points: Sequence[Mapping[str, Value]]
) -> list[Point]:
    """Load the rules of every point; RulesError listing every distinct problem (before any game runs)."""
    base = load_rules(rules_path, overrides)
    for key in sorted(points[0] if points else ()):
        if key not in FILE_KEYS:  # a deck file: loading each point's rules says what is wrong with it
            current_value(base, key)  # a typo in a path is reported once, clearly
    out: list[Point] = []
    problems: list[Problem] = []
    for values in points:
        try:
            out.append(Point(dict(values), load_rules(rules_path, overrides, overrides_for(values))))
        except RulesError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
    if problems:
        raise RulesError(problems)
    return out


def check_names(rules: Ruleset, names: Sequence[str]) -> None:
    """RulesError naming each unknown measure (with the list of known ones)."""
    known = readers(rules)
    bad = [n for n in names if n not in known]
    if bad:
        listing = ", ".join(known)
        raise RulesError([Problem("--measure", n, f"no measure named {n!r}; measures are: {listing}") for n in bad])


@dataclass(frozen=True)
class Sweep:
    """What every point of a sweep plays and measures alike: the agents, the games and the seed (so the same
    deals), the measures' ``names``, where the games run, and the ``exploiters`` the exploit measures add."""

    players: Sequence[Entrant]
    games: int
    seed: int
    names: Sequence[str]
    backend: RunOptions = HERE
    exploiters: Sequence[str] = ()


def play_point(point: Point, sweep: Sweep, progress: Progress | None = None) -> Point:
    """Play a point's games (the shared plan under its rules) and measure them; the probe games too, if an
    exploit measure is asked for (``measure_all``)."""
    plan = plan_for(point.rules, sweep.players, sweep.games, sweep.seed)
    sim = simulate(point.rules, sweep.players, plan, backend=sweep.backend, progress=progress)
    point.games, point.lines = sim.games, sim.lines
    point.measures = measure_all(point.rules, sim.games, sweep)
    point.seconds, point.played = sim.seconds, sim.played
    return point


def measure_all(rules: Ruleset, measured: Sequence[GameMetrics], sweep: Sweep) -> dict[str, Measure]:
    """The sweep's measures of a run's games; for ``probe_score_rate`` and ``exploitability:AGENT``, the probes
    (and the sweep's exploiters) first play the agents they need on the run's deals, as many games per pairing
    as each pair of the run's agents plays (``balance.play_exploits``)."""
    names, players = sweep.names, sweep.players
    out = measure(rules, measured, [n for n in names if not is_exploit_measure(n)])
    wanted = [n for n in names if is_exploit_measure(n)]
    if wanted:
        opponents = skilled(players)
        labels = [o.label for o in opponents]
        targets = {n: exploited(n) for n in wanted}
        unknown = [n for n, a in targets.items() if a is not None and a not in labels]
        if unknown:
            raise RulesError(
                [Problem("targets", n, f"names no agent of the run ({', '.join(labels)})") for n in unknown]
            )
        if all(a is not None for a in targets.values()):
            opponents = [o for o in opponents if o.label in targets.values()]
        per = games_per_pair(sweep.games, len(players))
        probes = probe_entrants(sweep.exploiters)
        ex = play_exploits(rules, probes, opponents, per, sweep.seed, backend=sweep.backend)
        rows = pairing_rows(ex)
        out.update({n: exploit_measure(n, rows, a) for n, a in targets.items()})
    return {n: out[n] for n in names}


class _Overall:
    """Progress over many runs of ``per`` games each, reported as one count."""

    def __init__(self, progress: Progress | None, runs: int, per: int) -> None:
        self.progress, self.total = progress, runs * per

    def run(self, index: int, per: int) -> Progress | None:
        if self.progress is None:
            return None
        outer = self.progress
        base = index * per

        def inner(done: int, _total: int) -> None:
            outer(base + done, self.total)

        return inner


def run_sweep(points: Sequence[Point], sweep: Sweep, progress: Progress | None = None) -> list[Point]:
    """Play every point of a sweep. On local workers, one pool plays every point (each is given its rules and
    plan in turn) rather than each starting its own processes."""
    per = len(plan_for(points[0].rules, sweep.players, sweep.games, sweep.seed)) if points else 0
    overall = _Overall(progress, len(points), per)
    backend = sweep.backend
    workers, timeout = backend.workers, backend.move_timeout
    with contextlib.ExitStack() as stack:
        if len(points) > 1 and backend.scheduler is None and (workers > 1 or timeout is not None):
            pool = stack.enter_context(Pool(points[0].rules, sweep.players, [], timeout, workers))
            sweep = replace(sweep, backend=replace(backend, pool=pool))
        return [play_point(p, sweep, overall.run(i, per)) for i, p in enumerate(points)]


def sweep_report(
    points: Sequence[Point],
    params: Sequence[Param],
    players: Sequence[Entrant],
    names: Sequence[str],
    games: int,
    seed: int,
    command: str,
    current: Mapping[str, Number] | None = None,
    targets: Mapping[str, TargetBand] | None = None,
) -> SweepReport:
    """The sweep as a JSON-ready dict (``schema.SweepReport``); ``current``: each parameter's value under the
    rules as given (the heat-map marks that cell), ``targets``: target bands by measure (``target_bands``)."""
    base = points[0].rules if points else None
    tunable = base.spec.tunable if base else {}
    doc: SweepReport = {
        "format": FORMAT,
        "version": VERSION,
        "engine": __version__,
        "rules": {"name": base.name, "source": base.source} if base else None,
        "params": [
            {
                "path": p.path,
                "values": list(p.values),
                "allowed": [tunable[p.path].min, tunable[p.path].max] if p.path in tunable else None,
                "current": (current or {}).get(p.path),
            }
            for p in params
        ],
        "measures": list(names),
        "agents": {e.label: e.spec for e in players},
        "games": games,
        "seed": seed,
        "points": [
            {
                "values": dict(pt.values),
                "fingerprint": pt.rules.fingerprint,
                "games": len(pt.games),
                "measures": {n: pt.measures[n].as_dict() for n in names},
            }
            for pt in points
        ],
        "command": command,
    }
    if targets:
        doc["targets"] = {k: v.copy() for k, v in targets.items()}
    return doc


def target_bands(targets: Targets, names: Sequence[str]) -> dict[str, TargetBand]:
    """The bands of the targets on measures the sweep shows, by measure (rates as shares)."""
    return {t.name: {"low": t.low, "high": t.high, "wanted": t.describe()} for t in targets.targets if t.name in names}


# --- sensitivity ----------------------------------------------------------------------------------


def default_step(rules: Ruleset, key: str, value: Number) -> Number:
    """One step of a parameter: its ``[tunable]`` step, else 1 for a whole number, else a tenth of its range
    (or of its value)."""
    tun = rules.spec.tunable.get(key)
    if tun is not None and tun.step is not None:
        return tun.step
    if isinstance(value, int):
        return 1
    if tun is not None and tun.max > tun.min:
        return (tun.max - tun.min) / 10
    return abs(value) / 10 or 0.1


@dataclass
class Probe:
    """One parameter of a sensitivity run: its value, the values tried on each side, and why a side is missing."""

    path: str
    value: Number
    step: Number
    down: Point | None = None
    up: Point | None = None
    skipped: list[str] = field(default_factory=list)


def probes(
    rules_path: str | Path | None, overrides: Sequence[str], keys: Sequence[str], steps: Mapping[str, Number]
) -> list[Probe]:
    """The parameters to probe and the rules one step either side (a side whose rules do not load, or that
    leaves the tunable range, is skipped with its reason)."""
    base = load_rules(rules_path, overrides)
    out: list[Probe] = []
    for key in keys:
        value = current_value(base, key)
        step = steps.get(key) or default_step(base, key, value)
        pr = Probe(key, value, step)
        for side, sign in (("down", -1), ("up", 1)):
            v = value + sign * step
            if isinstance(value, float) or isinstance(step, float):
                v = round(float(v), 10)
            try:
                point = Point({key: v}, load_rules(rules_path, overrides, [f"{key}={fmt_number(v)}"]))
            except RulesError as exc:
                pr.skipped.append(f"{side} ({fmt_number(v)}): {exc.problems[0].message}")
                continue
            setattr(pr, side, point)
        out.append(pr)
    return out


def effect(rules: Ruleset, name: str, base: Sequence[GameMetrics], pr: Probe) -> Effect | None:
    """A measure's paired change per step of a parameter, with its 95% interval (None if neither side ran)."""
    defs = {d.name: d for d in metric_defs(rules)}
    table = readers(rules)
    lo = pr.down.games if pr.down else None
    hi = pr.up.games if pr.up else None
    if lo is None and hi is None:
        return None
    a, b, steps = (lo or base), (hi or base), (2 if lo is not None and hi is not None else 1)
    d = defs.get(name) or defs.get(f"tier:{name}") or (defs.get("rounds") if name == "end_round" else None)
    if d is not None:  # a per-game metric: paired differences by plan index
        bi = {g.index: g for g in b}
        diffs = [(d.read(bi[g.index]) - d.read(g)) / (steps * pr.step) for g in a if g.index in bi]
        e = mean_ci(diffs)
        value, low, high, paired = e.value, e.low, e.high, True
    else:  # a summary measure (a gap, a median): the difference of the two summaries, without an interval
        va, vb = table[name](a).value, table[name](b).value
        value, low, high, paired = (vb - va) / (steps * pr.step), math.nan, math.nan, False
    is_rate = d.is_rate if d is not None else table[name](a).kind == "rate"
    scale = RATE_SCALE if is_rate else 1.0
    scaled = abs(value) / scale if math.isfinite(value) else 0.0
    return {
        "value": _json_number(value),
        "low": _json_number(low),
        "high": _json_number(high),
        "paired": paired,
        "scaled": round(scaled, 6),
        "significant": bool(math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0)),
    }


def _json_number(v: float) -> float | None:
    """A float rounded to 6 places, None when it is not finite (an int as it is)."""
    return (round(v, 6) if math.isfinite(v) else None) if isinstance(v, float) else v


def run_sensitivity(base: Point, found: Sequence[Probe], sweep: Sweep, progress: Progress | None = None) -> None:
    """Play the current rules and every probe's sides."""
    sides = [base] + [p for pr in found for p in (pr.down, pr.up) if p is not None]
    run_sweep(sides, sweep, progress)


def sensitivity_report(
    base: Point,
    found: Sequence[Probe],
    players: Sequence[Entrant],
    names: Sequence[str],
    games: int,
    seed: int,
    command: str,
) -> SensitivityReport:
    """The sensitivity run as a JSON-ready dict: each parameter's effect per step on each measure, ranked."""
    rows: list[SensitivityParam] = []
    for pr in found:
        effects = {n: effect(base.rules, n, base.games, pr) for n in names}
        strongest = max((e["scaled"] for e in effects.values() if e is not None), default=0.0)
        rows.append(
            {
                "path": pr.path,
                "value": pr.value,
                "step": pr.step,
                "down": cast(float, pr.down.values[pr.path]) if pr.down else None,  # a probe moves a number
                "up": cast(float, pr.up.values[pr.path]) if pr.up else None,
                "skipped": pr.skipped,
                "effects": effects,
                "strongest": round(strongest, 6),
            }
        )
    rows.sort(key=lambda r: -float(r["strongest"]))

    def scaled(row: SensitivityParam, name: str) -> float:
        e = row["effects"][name]
        return float(e["scaled"]) if e is not None else 0.0

    ranking = {n: [r["path"] for r in sorted(rows, key=lambda r: -scaled(r, n))] for n in names}
    return {
        "format": SENSITIVITY_FORMAT,
        "version": VERSION,
        "engine": __version__,
        "rules": {"name": base.rules.name, "fingerprint": base.rules.fingerprint, "source": base.rules.source},
        "measures": list(names),
        "current": {n: base.measures[n].as_dict() for n in names},
        "agents": {e.label: e.spec for e in players},
        "games": games,
        "seed": seed,
        "params": rows,
        "ranking": ranking,
        "command": command,
    }
