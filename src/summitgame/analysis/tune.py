"""``tune``: search the allowed ranges of some parameters for rules that meet balance targets.

The search is optuna's TPE sampler, driven by ask/tell. Each candidate is scored by playing the same
plan (agents, deals, seats) under its rules and summing the targets' scaled misses (``targets.total_loss``),
plus a tiny pull towards the current rules (``PULL`` × the mean share of each range moved), so that among
candidates that meet every target the one that changes least wins. The first candidate is the current
rules themselves: if they already meet the targets, the tune stops there.

**Storage.** Every evaluated candidate is appended to ``DIR/trials.jsonl`` (flushed and fsynced) as it
finishes; ``DIR/tune.json`` holds the settings. ``resume`` reloads the trials into a fresh study and
goes on: the sampler is reseeded before each ask from the seed and the number of trials so far, so an
interrupted and resumed tune proposes exactly what an uninterrupted one would. A candidate proposed
again is answered from the store without playing (and does not count against the budget).

**Trimming.** After the search, each parameter the best candidate changed is put back to its current
value, one at a time (smallest change first), and kept back if every target is still met: the winner
changes only what it must. The winner is written as ``DIR/best.toml``, a rule file that ``extends`` the
original and sets only the changed values (and any ``--set`` overrides), with its balance report beside it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, RulesError, SummitError
from ..jsonlines import JsonLines
from ..loader import default_rules_path, load_rules
from ..params import Number, Span, fmt_number, get_at, parse_path
from ..records import write_atomic
from ..ruleset import Ruleset
from ..tournament import Entrant
from .sweep import Backend, Point, current_value, play_point
from .targets import Targets, check, total_loss

PULL = 1e-3  #: weight of the distance from the current rules in the objective (a met target's miss is 0)
TRIALS_FILE = "trials.jsonl"
SETTINGS_FILE = "tune.json"
BEST_FILE = "best.toml"
MAX_ASKS = 20  #: asks per budgeted evaluation before a small space is taken as exhausted


class TuneError(SummitError):
    """A tune that cannot start or resume: a busy or foreign output directory, optuna missing."""


@dataclass(frozen=True)
class Dimension:
    """One tuned parameter: its key path, the range searched, and its value in the current rules."""

    path: str
    span: Span
    current: Number

    @property
    def integral(self) -> bool:
        """Whole numbers only (the current value is an int)."""
        return isinstance(self.current, int)

    def share(self, value: Number) -> float:
        """How far a value lies from the current one, as a share of the range."""
        width = self.span.high - self.span.low
        return abs(value - self.current) / width if width else 0.0


def dimensions(
    rules_path: str | Path | None, overrides: Sequence[str], wanted: Sequence[tuple[str, Span | None]]
) -> list[Dimension]:
    """The tuned parameters, each range checked: a number of the rules, inside its ``[tunable]`` range (a
    missing range is the tunable one), whole-number ends for a whole-number setting."""
    rules = load_rules(rules_path, overrides)
    problems: list[Problem] = []
    out: list[Dimension] = []
    for key, span in wanted:
        try:
            value = current_value(rules, key)
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        tun = rules.spec.tunable.get(key)
        where = f"--param {key}" + (f"={span}" if span else "")
        if span is None:
            if tun is None:
                problems.append(Problem(where, key, "has no [tunable] range in the rules; give one: KEY=LOW..HIGH"))
                continue
            span = Span(tun.min, tun.max, tun.step)
        if tun is not None and (span.low < tun.min or span.high > tun.max):
            problems.append(
                Problem(
                    where,
                    key,
                    f"{span} reaches outside the range the rules allow ({fmt_number(tun.min)}..{fmt_number(tun.max)})",
                )
            )
            continue
        if isinstance(value, int) and not span.integral:
            problems.append(Problem(where, key, f"is a whole number ({value}); give whole-number ends"))
            continue
        out.append(Dimension(key, span, value))
    seen = [d.path for d in out]
    problems += [Problem("--param", k, "given twice") for k in sorted({k for k in seen if seen.count(k) > 1})]
    if not out and not problems:
        problems.append(
            Problem("--param", "", "nothing to tune: give --param KEY=LOW..HIGH (or declare [tunable] ranges)")
        )
    if problems:
        raise RulesError(problems)
    return out


@dataclass
class Trial:
    """One evaluated candidate, as stored in ``trials.jsonl``."""

    number: int
    values: dict[str, Number]
    loss: float
    objective: float
    met: bool
    fingerprint: str
    measures: dict[str, Any]
    phase: str = "search"  #: 'search' or 'trim'
    cached: bool = False  #: answered from the store (a repeated proposal), no games played

    def line(self) -> str:
        """The JSON line stored for this trial."""
        return json.dumps(
            {
                "number": self.number,
                "phase": self.phase,
                "values": self.values,
                "loss": _finite(self.loss),
                "objective": _finite(self.objective),
                "met": self.met,
                "cached": self.cached,
                "fingerprint": self.fingerprint,
                "measures": self.measures,
            },
            sort_keys=True,
        )

    @classmethod
    def parse(cls, doc: Mapping[str, Any]) -> Trial:
        """A trial from its stored line."""
        return cls(
            number=int(doc["number"]),
            values=dict(doc["values"]),
            loss=math.inf if doc["loss"] is None else float(doc["loss"]),
            objective=math.inf if doc["objective"] is None else float(doc["objective"]),
            met=bool(doc["met"]),
            fingerprint=str(doc["fingerprint"]),
            measures=dict(doc["measures"]),
            phase=str(doc.get("phase", "search")),
            cached=bool(doc.get("cached", False)),
        )


def _finite(x: float) -> float | None:
    return round(x, 9) if math.isfinite(x) else None


def _key(values: Mapping[str, Number]) -> str:
    return json.dumps({k: values[k] for k in sorted(values)})


def _trial_line(line: Any) -> str | None:
    try:
        Trial.parse(line)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"not a trial line ({exc})"
    return None


class Store:
    """``DIR/trials.jsonl`` (a ``JsonLines`` log, fsynced after every trial) and ``DIR/tune.json`` (the
    settings a resume must match): appended as trials finish, read back to resume."""

    def __init__(self, folder: Path, settings: Mapping[str, Any], resume: bool) -> None:
        self.folder = folder
        self.path = folder / TRIALS_FILE
        folder.mkdir(parents=True, exist_ok=True)
        settings_path = folder / SETTINGS_FILE
        if settings_path.exists() or self.path.exists():
            if not resume:
                raise TuneError(f"{folder} already holds a tune: add --resume to continue it, or choose another --out")
            try:
                old = json.loads(settings_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise TuneError(f"cannot resume: {settings_path} is unreadable ({exc})") from None
            changed = [k for k in settings if old.get(k) != settings[k]]
            if changed:
                raise TuneError(
                    f"cannot resume {folder}: it was started with other settings ({', '.join(changed)} differ); "
                    "run the same command with --resume, or choose another --out"
                )
        else:
            write_atomic(settings_path, json.dumps(dict(settings), indent=1, sort_keys=True) + "\n")
        self.log = JsonLines(self.path, TuneError, _trial_line)
        self.trials = [Trial.parse(line) for line in self.log.open(True, lambda n: "")]

    def add(self, trial: Trial) -> None:
        """Append a trial and make it durable before the next one starts."""
        self.trials.append(trial)
        self.log.append([trial.line()])

    def close(self) -> None:
        """Close the trials file."""
        self.log.close()


@dataclass
class Tuning:
    """What a tune needs to evaluate candidates: rules, targets, agents, plan size, where games run."""

    rules_path: str | Path | None
    overrides: Sequence[str]
    dims: Sequence[Dimension]
    targets: Targets
    players: Sequence[Entrant]
    games: int
    seed: int
    backend: Backend
    progress: Callable[[Trial, int, int], None] | None = None  #: (trial, candidates played, budget)
    game_progress: Callable[[int, int], None] | None = None
    seen: dict[str, Trial] = field(default_factory=dict)

    def distance(self, values: Mapping[str, Number]) -> float:
        """Mean share of each range moved away from the current rules."""
        return sum(d.share(values[d.path]) for d in self.dims) / len(self.dims)

    def evaluate(self, values: dict[str, Number], number: int, phase: str) -> Trial:
        """Play and score one candidate (or answer it from the store if it was seen before)."""
        old = self.seen.get(_key(values))
        if old is not None:
            return Trial(number, values, old.loss, old.objective, old.met, old.fingerprint, old.measures, phase, True)
        params = [f"{k}={fmt_number(v)}" for k, v in values.items()]
        try:
            rules = load_rules(self.rules_path, self.overrides, params)
        except RulesError as exc:  # a combination the rules refuse (say, a start above a walk-out level)
            why = {"invalid": "; ".join(str(p) for p in exc.problems[:3])}
            return Trial(number, values, math.inf, math.inf, False, "", why, phase)
        names = [t.name for t in self.targets.targets]
        point = play_point(
            Point(values, rules), self.players, self.games, self.seed, names, self.backend, self.game_progress
        )
        verdicts = check(self.targets, point.measures)
        loss = total_loss(verdicts)
        measures = {v.target.name: v.as_dict() for v in verdicts}
        objective = loss + PULL * self.distance(values)
        return Trial(number, values, loss, objective, all(v.met for v in verdicts), rules.fingerprint, measures, phase)


def _sampler(seed: int, n: int, budget: int) -> Any:
    import optuna

    digest = hashlib.sha256(f"tune:{seed}:{n}".encode()).digest()
    return optuna.samplers.TPESampler(
        seed=int.from_bytes(digest[:4], "big"), n_startup_trials=max(3, min(10, budget // 3)), multivariate=True
    )


def _distributions(dims: Sequence[Dimension]) -> dict[str, Any]:
    from optuna.distributions import FloatDistribution, IntDistribution

    out: dict[str, Any] = {}
    for d in dims:
        if d.integral:
            out[d.path] = IntDistribution(int(d.span.low), int(d.span.high), step=int(d.span.step or 1))
        else:
            out[d.path] = FloatDistribution(
                float(d.span.low), float(d.span.high), step=d.span.step and float(d.span.step)
            )
    return out


def require_optuna() -> Any:
    """optuna, quietened; TuneError saying how to install it if it is missing."""
    try:
        import optuna
    except ImportError:
        raise TuneError("tune needs optuna: pip install 'summitgame[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


def search(tuning: Tuning, store: Store, budget: int) -> None:
    """Run the search until ``budget`` candidates have been played (counting those already stored)."""
    optuna = require_optuna()
    dists = _distributions(tuning.dims)
    study = optuna.create_study(direction="minimize")
    for t in store.trials:
        if t.phase == "search":
            study.add_trial(
                optuna.trial.create_trial(
                    params=dict(t.values), distributions=dists, value=_objective_value(t.objective)
                )
            )
        tuning.seen.setdefault(_key(t.values), t)
    current = {d.path: d.current for d in tuning.dims}
    played = sum(1 for t in store.trials if t.phase == "search" and not t.cached)
    asks = len([t for t in store.trials if t.phase == "search"])
    if asks == 0 and all(d.span.contains(d.current) for d in tuning.dims):
        study.enqueue_trial(current)
    if any(t.met and t.values == current for t in store.trials):
        return  # the current rules already meet every target
    size = space_size(tuning.dims)
    while played < budget and asks < MAX_ASKS * budget and len(tuning.seen) < size:
        study.sampler = _sampler(tuning.seed, asks, budget)
        trial = study.ask(dists)
        values = {d.path: _typed(d, trial.params[d.path]) for d in tuning.dims}
        result = tuning.evaluate(values, asks, "search")
        study.tell(trial, _objective_value(result.objective))
        store.add(result)
        tuning.seen.setdefault(_key(values), result)
        asks += 1
        played += 0 if result.cached else 1
        if tuning.progress:
            tuning.progress(result, played, budget)
        if result.met and values == current:
            return


def space_size(dims: Sequence[Dimension]) -> float:
    """How many distinct candidates the ranges hold (infinite for a continuous range)."""
    size = 1.0
    for d in dims:
        step = d.span.step if d.span.step is not None else (1 if d.integral else None)
        if step is None:
            return math.inf
        size *= math.floor((d.span.high - d.span.low) / step + 1e-9) + 1
    return size


def _objective_value(x: float) -> float:
    return x if math.isfinite(x) else 1e12


def _typed(d: Dimension, value: Any) -> Number:
    return int(value) if d.integral else round(float(value), 10)


def best_of(trials: Sequence[Trial]) -> Trial | None:
    """The best candidate: lowest objective (met targets first), earliest on ties."""
    ok = [t for t in trials if math.isfinite(t.objective)]
    return min(ok, key=lambda t: (not t.met, t.objective, t.number)) if ok else None


def trim(tuning: Tuning, store: Store, best: Trial) -> Trial:
    """Put each changed parameter of a winner back to its current value while every target stays met."""
    if not best.met:
        return best
    dims = {d.path: d for d in tuning.dims}
    changed = sorted(
        (k for k, v in best.values.items() if v != dims[k].current), key=lambda k: (dims[k].share(best.values[k]), k)
    )
    number = max((t.number for t in store.trials), default=-1) + 1
    for k in changed:
        candidate = {**best.values, k: dims[k].current}
        result = tuning.evaluate(candidate, number, "trim")
        if not result.cached:
            store.add(result)
            tuning.seen.setdefault(_key(candidate), result)
            number += 1
        if tuning.progress:
            tuning.progress(result, 0, 0)
        if result.met:
            best = result
    return best


# --- the winner as a rule file ----------------------------------------------------------------------


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return fmt_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {v!r} as TOML")


def _toml_key(k: str) -> str:
    return k if all(c.isalnum() or c in "_-" for c in k) and k else json.dumps(k)


def dump_toml(doc: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """A small TOML writer for rule changes: top-level values first, then one table per nested table."""
    out = [f"# {c}" for c in comments]
    flat = {k: v for k, v in doc.items() if not isinstance(v, dict)}
    for k, v in flat.items():
        out.append(f"{_toml_key(k)} = {_toml_value(v)}")

    def tables(prefix: str, node: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in node.items() if not isinstance(v, dict)}
        if scalars:
            out.append("")
            out.append(f"[{prefix}]")
            out.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items())
        for k, v in node.items():
            if isinstance(v, dict):
                tables(f"{prefix}.{_toml_key(k)}", v)

    for k, v in doc.items():
        if isinstance(v, dict):
            tables(_toml_key(k), v)
    return "\n".join(out) + "\n"


def changes_file(
    rules_path: str | Path | None,
    overrides: Sequence[str],
    values: Mapping[str, Number],
    out_dir: Path,
    comments: Sequence[str],
) -> str:
    """The text of a rule file that extends the original and sets only ``--set`` overrides and ``values``.

    A changed array item is written as its whole array (an ``extends`` file replaces arrays whole)."""
    from ..loader import merged_data, parse_override

    doc: dict[str, Any] = {}
    keys = [tuple(parse_override(o)[0]) for o in overrides] + [parse_path(k) for k in values]
    final_data = merged_data(rules_path, overrides, [f"{k}={fmt_number(v)}" for k, v in values.items()])
    for parts in keys:
        cut = next((i for i, p in enumerate(parts) if isinstance(p, int)), len(parts))
        head = parts[:cut] if cut < len(parts) else parts
        value = get_at(final_data, head)
        node = doc
        for p in head[:-1]:
            node = node.setdefault(str(p), {})
        node[str(head[-1])] = value
    origin = Path(rules_path) if rules_path is not None else default_rules_path()
    try:
        ref = os.path.relpath(origin.resolve(), out_dir.resolve())
    except ValueError:  # another drive (Windows)
        ref = str(origin.resolve())
    return dump_toml({"extends": Path(ref).as_posix(), **doc}, comments)


def write_best(tuning: Tuning, best: Trial, out_dir: Path, command: str) -> tuple[Path, Ruleset]:
    """Write ``best.toml`` and check it loads to the winner's rules (same fingerprint)."""
    changed = {d.path: best.values[d.path] for d in tuning.dims if best.values[d.path] != d.current}
    verdict = "meets every target" if best.met else f"misses some targets (loss {best.loss:.3g})"
    comments = [
        f"Written by summitgame tune: {verdict} in {tuning.targets.source}.",
        f"Reproduce: {command}",
        *(
            f"{k}: {fmt_number(next(d.current for d in tuning.dims if d.path == k))} -> {fmt_number(v)}"
            for k, v in changed.items()
        ),
    ]
    if not changed:
        comments.append("No change was needed.")
    text = changes_file(tuning.rules_path, tuning.overrides, changed, out_dir, comments)
    path = out_dir / BEST_FILE
    write_atomic(path, text)
    rules = load_rules(path)
    if best.fingerprint and rules.fingerprint != best.fingerprint:
        raise TuneError(
            f"{path} loads as {rules.fingerprint}, not the winner's {best.fingerprint} (a bug: please report it)"
        )
    return path, rules
