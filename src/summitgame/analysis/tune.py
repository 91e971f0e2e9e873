"""``tune``: search the allowed ranges of some parameters for rules that meet balance targets.

The search is optuna's TPE sampler, driven by ask/tell. Each candidate is scored by playing the same
plan (agents, deals, seats) under its rules and summing the targets' scaled misses (``targets.total_loss``),
plus a tiny pull towards the current rules (``PULL`` × the mean share of each range moved), so that among
candidates that meet every target the one that changes least wins. The first candidate is the current
rules themselves: if they already meet the targets, the tune stops there.

**Storage.** Every evaluated candidate is appended to ``DIR/trials.jsonl`` (flushed and fsynced) as it
finishes; ``DIR/tune.json`` holds the settings. A resume replays the whole tune against the file: the
sampler is reseeded before each ask from the seed and the ask's index alone, so every ask is made again
and must propose what its line holds, whose stored figures are told instead of playing; the trim is
replayed the same way. So a tune cut at any point and resumed writes what an uninterrupted one would, and
a line that does not fit (another tune's, moved, repeated, edited) is refused with its line number. The
figures of a line cannot be checked without playing it, so the winner's games, if read from the file,
are played again and must give its stored figures. A candidate proposed again is answered from the
store without playing (and does not count against the budget).

**Locks.** ``[tune] symmetric = ["meters.pressure.walkout_at.*"]`` in the targets file locks the tuned
parameters a key-path glob matches (``*``: any run of characters within one segment) to one value per
candidate: the sampler draws one value for the group (named by its glob) and every member takes it
(``locks``). A glob that matches no tunable parameter, or whose parameters are searched over different
ranges or only partly tuned, is refused before anything is played.

**Trimming.** After the search, each parameter the best candidate changed is put back to its current
value, one at a time (smallest change first; a locked group together, when its members share a current
value), and kept back if every target is still met: the winner changes only what it must. The winner is
written as ``DIR/best.toml``, a rule file that ``extends`` the original and sets only the changed values
(and any ``--set`` overrides), with its balance report beside it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import statistics
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, RulesError, SummitError
from ..rules.loader import default_rules_path, load_rules
from ..rules.params import Number, Span, Value, fmt_number, get_at, parse_path
from ..rules.ruleset import Ruleset, card_values
from ..runs.jsonlines import RunFolder, keys_problem, seal
from ..runs.options import RunOptions
from ..runs.records import write_atomic
from ..runs.stats import wilson
from ..runs.tournament import Entrant
from ..safeio import printable
from .metrics import GameMetrics
from .sweep import Point, Sweep, current_value, play_point
from .targets import Targets, check, total_loss

PULL = 1e-3  #: weight of the distance from the current rules in the objective (a met target's miss is 0)
TRIALS_FILE = "trials.jsonl"
SETTINGS_FILE = "tune.json"
BEST_FILE = "best.toml"
#: written beside best.toml, whose first line points a TOML language server at it (as ``summitgame init`` does)
SCHEMA_FILE = "summitgame-rules-partial.schema.json"
MAX_ASKS = 20  #: asks per budgeted evaluation before a small space is taken as exhausted
#: random candidates before TPE models the results; fixed (not from --budget), so a larger budget
#: continues a finished tune exactly as a run of that budget would have gone
STARTUP = 10


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

    def refuses(self, value: Number) -> str | None:
        """Why a value read back from a file is not one the search of this parameter can propose (or None)."""
        if self.integral and not isinstance(value, int):
            return "is not a whole number"
        if not self.integral and not isinstance(value, float):
            return "is not a decimal number (such as 2.0)"
        if not self.span.contains(value):
            return f"lies outside the range searched ({self.span})"
        step = self.span.step if self.span.step is not None else (1 if self.integral else None)
        if step is not None and abs((value - self.span.low) / step - round((value - self.span.low) / step)) > 1e-6:
            return f"is not on the steps of the range searched ({self.span})"
        return None


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


def _glob(pattern: str) -> re.Pattern[str]:
    """A key-path glob: ``*`` stands for any run of characters within one segment (no dot); all else literal
    (so ``proposals.cap[*].steps`` matches ``proposals.cap[0].steps``)."""
    return re.compile("[^.]*".join(re.escape(p) for p in pattern.split("*")) + r"\Z")


def locks(dims: Sequence[Dimension], targets: Targets, tunable: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
    """The locked groups of ``targets.symmetric``: each glob and the tuned parameters it matches (in the order
    tuned), which take one value per candidate. RulesError naming the targets file and glob when one matches
    no tunable parameter (``tunable`` and the tuned ones), locks parameters searched over different ranges,
    locks a tuned parameter with one left alone, or takes a parameter another glob took."""
    tuned = {d.path: d for d in dims}
    known = list(dict.fromkeys([*tunable, *tuned]))
    problems: list[Problem] = []
    out: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for i, pattern in enumerate(targets.symmetric):

        def problem(message: str, i: int = i) -> None:
            problems.append(Problem(targets.source, f"tune.symmetric[{i}]", message, targets.symmetric_line))

        rx = _glob(pattern)
        matched = [k for k in known if rx.match(k)]
        if not matched:
            close = ", ".join(known[:6]) + (", ..." if len(known) > 6 else "")
            problem(f"{pattern!r} matches no tunable parameter (tunable: {close or 'none'})")
            continue
        members = [d.path for d in dims if d.path in matched]
        if not members:
            continue  # this tune leaves every one of them alone: nothing to lock
        left = [k for k in matched if k not in tuned]
        if left:
            problem(
                f"{pattern!r} locks {', '.join(members)} with {', '.join(left)}, which this tune leaves alone: "
                "tune them all (--param) or none"
            )
            continue
        taken = [k for k in members if k in owner]
        if taken:
            problem(f"{pattern!r} takes {taken[0]}, which {owner[taken[0]]!r} locks already")
            continue
        first = tuned[members[0]]
        other = next((tuned[k] for k in members[1:] if _range(tuned[k]) != _range(first)), None)
        if other is not None:
            problem(
                f"{pattern!r} locks parameters searched over different ranges ({first.path} {first.span}, "
                f"{other.path} {other.span}): give them one range"
            )
            continue
        owner.update({k: pattern for k in members})
        out[pattern] = tuple(members)
    if problems:
        raise RulesError(problems)
    return out


def _range(d: Dimension) -> tuple[Number, Number, Number | None, bool]:
    return (d.span.low, d.span.high, d.span.step, d.integral)


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
    #: the line of ``trials.jsonl`` its figures were read from (None: played by this process)
    read_from: int | None = field(default=None, compare=False)

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

    def figures(self) -> str:
        """What its games measured, as stored: what a replay of those games must give again."""
        doc = json.loads(self.line())
        return json.dumps({k: doc[k] for k in ("loss", "objective", "met", "fingerprint", "measures")}, sort_keys=True)

    @classmethod
    def parse(cls, doc: Mapping[str, Any], read_from: int | None = None) -> Trial:
        """A trial from its stored line (one that passed ``_trial_line``)."""
        return cls(
            number=doc["number"],
            values=dict(doc["values"]),
            loss=math.inf if doc["loss"] is None else float(doc["loss"]),
            objective=math.inf if doc["objective"] is None else float(doc["objective"]),
            met=doc["met"],
            fingerprint=doc["fingerprint"],
            measures=dict(doc["measures"]),
            phase=doc["phase"],
            cached=doc["cached"],
            read_from=read_from,
        )


def _finite(x: float) -> float | None:
    return round(x, 9) if math.isfinite(x) else None


def _rounded(x: float) -> float:
    """A figure as it is stored (9 decimals), so that a run and its resume tell the sampler the same value."""
    return round(x, 9) if math.isfinite(x) else x


def _key(values: Mapping[str, Number]) -> str:
    return json.dumps({k: values[k] for k in sorted(values)})


def _shown(value: Any, limit: int = 60) -> str:
    """A value read from a file, quoted for a one-line message (ASCII: no escape sequences)."""
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


FIELDS = ("cached", "fingerprint", "loss", "measures", "met", "number", "objective", "phase", "values")
HINT = "cut trials.jsonl before this line to play from there again, or choose another --out"


def _trial_line(line: Any) -> str | None:
    """What is wrong with the shape of a parsed line of ``trials.jsonl`` (None: it is a trial line)."""
    if not isinstance(line, dict):
        return f"not a trial line (a JSON object is expected, not {_shown(line, 30)}); {HINT}"
    odd = keys_problem(line, FIELDS, _shown)
    if odd:
        return f"not a trial line: {odd}; {HINT}"
    wrong = []
    if not (isinstance(line["number"], int) and not isinstance(line["number"], bool) and line["number"] >= 0):
        wrong.append("number (a whole number from 0)")
    if line["phase"] not in ("search", "trim"):
        wrong.append("phase ('search' or 'trim')")
    values = line["values"]
    if not (isinstance(values, dict) and all(_is_number(v) for v in values.values())):
        wrong.append("values (an object of parameter: number)")
    for k in ("loss", "objective"):
        if not (line[k] is None or (_is_number(line[k]) and line[k] >= 0)):
            wrong.append(f"{k} (a number from 0, or null)")
    wrong += [f"{k} (true or false)" for k in ("met", "cached") if not isinstance(line[k], bool)]
    if not isinstance(line["fingerprint"], str):
        wrong.append("fingerprint (a string)")
    if not isinstance(line["measures"], dict):
        wrong.append("measures (an object)")
    if wrong:
        return f"not a trial line: wrong {'; '.join(wrong)}; {HINT}"
    return None


_VERDICT_KEYS = {"target", "wanted", "measured", "met", "borderline", "miss", "loss"}
_MEASURE_KEYS = {"value", "low", "high", "n", "kind", "unit"}


def _measures_problem(targets: Targets, trial: Trial) -> str | None:
    """What is wrong with a played trial's figures for these targets (None: they hang together)."""
    names = [t.name for t in targets.targets]
    if sorted(trial.measures) != sorted(names):
        return f"measures {_shown(sorted(trial.measures))}, not this tune's targets {_shown(names)}"
    for t in targets.targets:
        m = trial.measures[t.name]
        if not (isinstance(m, dict) and set(m) == _VERDICT_KEYS):
            return f"measure {_shown(t.name)} is not a verdict"
        got = m["measured"]
        if (
            m["target"] != t.name
            or m["wanted"] != t.describe()
            or not isinstance(m["met"], bool)
            or not isinstance(m["borderline"], bool)
            or not all(m[k] is None or (_is_number(m[k]) and m[k] >= 0) for k in ("miss", "loss"))
            or (m["met"] and (m["miss"] != 0 or m["loss"] != 0))
            or not (isinstance(got, dict) and set(got) == _MEASURE_KEYS)
            or not all(got[k] is None or _is_number(got[k]) for k in ("value", "low", "high"))
            or not (isinstance(got["n"], int) and not isinstance(got["n"], bool) and got["n"] >= 0)
            or not (isinstance(got["kind"], str) and isinstance(got["unit"], str))
        ):
            return f"measure {_shown(t.name)} does not hang together ({_shown(m)})"
        value = got["value"]  # stored to 6 decimals: near a bound, met cannot be told from it
        if m["met"] != (value is not None and t.holds(value)) and not (
            value is not None and any(b is not None and abs(value - b) <= 1e-6 for b in (t.low, t.high))
        ):
            return f"measure {_shown(t.name)} says met is {_shown(m['met'])} for the value {_shown(value)}"
    verdicts = [trial.measures[n] for n in names]
    if trial.met != all(v["met"] for v in verdicts):
        return f"met is {_shown(trial.met)} but its measures say otherwise"
    losses = [v["loss"] for v in verdicts]
    if None in losses:
        if math.isfinite(trial.loss):
            return f"loss {_shown(_finite(trial.loss))}, but a measure has no value"
    elif not math.isfinite(trial.loss) or abs(trial.loss - math.fsum(losses)) > 1e-6 * len(losses) + 1e-9:
        return f"loss {_shown(_finite(trial.loss))} is not the sum of its measures' losses"
    return None


class Store(RunFolder[Trial]):
    """``DIR/trials.jsonl`` (a ``JsonLines`` log, fsynced after every trial) and ``DIR/tune.json`` (the
    settings a resume must match): appended as trials finish, read back to resume.

    The file holds the search's candidates (numbered 0, 1, ...), then the trim's. A resume replays the
    whole tune against it (``search``, ``trim``), so every line must be what this tune would write there."""

    held, what, hint = "a tune", "a tune's settings (a JSON object)", HINT

    def __init__(self, folder: Path, settings: Mapping[str, Any], resume: bool) -> None:
        super().__init__(folder, settings, resume, (TRIALS_FILE, SETTINGS_FILE), TuneError, _trial_line, Trial.parse)
        self.checked = False
        self._odd = self._odd_line()

    def show(self, key: str) -> str:
        """A setting that differs, quoted as JSON."""
        return _shown(key, 40)

    @property
    def trials(self) -> list[Trial]:
        """The trials stored, in order."""
        return self.records

    def _odd_line(self) -> tuple[int, str] | None:
        """The first line that is not byte for byte what the tune writes (a blank line, spaces or key order
        changed), with what is odd about it: such a file could resume to a different one."""
        data = self.path.read_bytes() if self.trials else b""
        starts = [*(at for _, at in self.log.where), len(data)]
        for i, t in enumerate(self.trials):
            if t.read_from != i + 1:
                return i + 1, "a blank line (the tune writes none)"
            if data[starts[i] : starts[i + 1]] != (seal(t.line()) + "\n").encode():
                return i + 1, "not in the form the tune writes it (spacing, key order or number format changed)"
        if data.count(b"\n") > len(self.trials):
            return len(self.trials) + 1, "a blank line (the tune writes none)"
        return None

    def check(self, tuning: Tuning) -> None:
        """Check every stored line against this tune (before anything is replayed or appended): its index,
        its phase order, its parameters (names, types, ranges), its rules fingerprint and its figures."""
        if self.checked:
            return
        if self._odd is not None:
            line, what = self._odd
            raise TuneError(f"{printable(self.path)}:{line}: {what}; {HINT}")
        names = sorted(d.path for d in tuning.dims)
        dims = {d.path: d for d in tuning.dims}
        for i, t in enumerate(self.trials):
            if t.number != i:
                raise self.refuse(t, f"number {t.number} where {i} is due (a line missing, repeated or moved)")
            if t.phase == "search" and i and self.trials[i - 1].phase == "trim":
                raise self.refuse(t, "a search candidate after the trim phase")
            if sorted(t.values) != names:
                raise self.refuse(t, f"parameters {_shown(sorted(t.values))}, not this tune's {_shown(names)}")
            for k, v in t.values.items():
                odd = dims[k].refuses(v)
                if odd:
                    raise self.refuse(t, f"{k}={_shown(v)} {odd}")
            for glob, members in tuning.locks.items():
                if len({t.values[k] for k in members}) > 1:
                    raise self.refuse(t, f"different values for the parameters {glob!r} locks together")
            if t.cached:
                continue  # checked against the line it repeats, when replayed
            expected, refused = tuning.rules_of(t.values)
            if refused:  # the rules refuse this candidate: the line says so, exactly
                invalid = Trial(t.number, t.values, math.inf, math.inf, False, "", {"invalid": refused}, t.phase)
                if t.line() != invalid.line():
                    raise self.refuse(t, "figures for a candidate the rules refuse")
                continue
            if t.fingerprint != expected:
                raise self.refuse(
                    t, f"fingerprint {_shown(t.fingerprint)}, not {expected!r} (a line from a tune of other rules?)"
                )
            why = _measures_problem(tuning.targets, t)
            if why is None and _finite(t.objective) != _finite(_rounded(t.loss + PULL * tuning.distance(t.values))):
                why = f"objective {_shown(_finite(t.objective))} does not follow from its loss and values"
            if why:
                raise self.refuse(t, why)
        self.checked = True


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
    backend: RunOptions
    progress: Callable[[Trial, int, int], None] | None = None  #: (trial, candidates played, budget)
    #: locked groups (``locks``): glob -> the tuned parameters that take one value per candidate
    locks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    game_progress: Callable[[int, int], None] | None = None
    seen: dict[str, Trial] = field(default_factory=dict)
    on_point: Callable[[Trial, Point], None] | None = None  #: told of each candidate played, with its games
    _rules: dict[str, tuple[str, str]] = field(default_factory=dict)

    def knob(self, path: str) -> str:
        """The name the sampler draws a parameter's value under: its locked group's glob, else its own path."""
        return next((g for g, members in self.locks.items() if path in members), path)

    def candidate(self, params: Mapping[str, Any]) -> dict[str, Number]:
        """A candidate's values from the sampler's draws (one per knob), every locked member taking its group's."""
        return {d.path: _typed(d, params[self.knob(d.path)]) for d in self.dims}

    def distance(self, values: Mapping[str, Number]) -> float:
        """Mean share of each range moved away from the current rules."""
        return sum(d.share(values[d.path]) for d in self.dims) / len(self.dims)

    def _load(self, values: Mapping[str, Number]) -> Ruleset | str:
        """A candidate's rules, or why the rules refuse it (say, a start above a walk-out level)."""
        params = [f"{k}={fmt_number(v)}" for k, v in values.items()]
        try:
            return load_rules(self.rules_path, self.overrides, params)
        except RulesError as exc:
            return "; ".join(str(p) for p in exc.problems[:3])

    def rules_of(self, values: Mapping[str, Number]) -> tuple[str, str]:
        """A candidate's rules fingerprint and ``""``, or ``""`` and why the rules refuse it (kept: a resume
        checks every stored line, and loading rules is not cheap)."""
        key = _key(values)
        if key not in self._rules:
            got = self._load(values)
            self._rules[key] = ("", got) if isinstance(got, str) else (got.fingerprint, "")
        return self._rules[key]

    def evaluate(self, values: dict[str, Number], number: int, phase: str) -> Trial:
        """Play and score one candidate (or answer it from the store if it was seen before)."""
        old = self.seen.get(_key(values))
        if old is not None:
            return _repeat(old, number, phase)
        return self.play(values, number, phase)

    def play(self, values: dict[str, Number], number: int, phase: str) -> Trial:
        """Play and score one candidate: its games on the tune's deals, its loss against the targets."""
        rules = self._load(values)
        if isinstance(rules, str):
            return Trial(number, values, math.inf, math.inf, False, "", {"invalid": rules}, phase)
        self._rules[_key(values)] = (rules.fingerprint, "")
        names = [t.name for t in self.targets.targets]
        sweep = Sweep(self.players, self.games, self.seed, names, self.backend, self.targets.exploiters)
        point = play_point(Point(dict[str, Value](values), rules), sweep, self.game_progress)
        verdicts = check(self.targets, point.measures)
        loss = _rounded(total_loss(verdicts))
        measures = {v.target.name: v.as_dict() for v in verdicts}
        objective = _rounded(loss + PULL * self.distance(values))
        trial = Trial(number, values, loss, objective, all(v.met for v in verdicts), rules.fingerprint, measures, phase)
        if self.on_point is not None:
            self.on_point(trial, point)
        return trial


def _repeat(old: Trial, number: int, phase: str) -> Trial:
    """A candidate proposed again, answered from an earlier trial without playing."""
    again = (old.loss, old.objective, old.met, old.fingerprint, old.measures)
    return Trial(number, dict(old.values), *again, phase=phase, cached=True, read_from=old.read_from)


def _sampler(seed: int, n: int) -> Any:
    """The sampler for ask number ``n``: seeded from the run seed and ``n`` alone, so a replay asks the same."""
    import optuna

    digest = hashlib.sha256(f"tune:{seed}:{n}".encode()).digest()
    return optuna.samplers.TPESampler(
        seed=int.from_bytes(digest[:4], "big"), n_startup_trials=STARTUP, multivariate=True
    )


def _distributions(tuning: Tuning) -> dict[str, Any]:
    """One distribution per knob: a parameter's own, or its locked group's (its members share one range)."""
    from optuna.distributions import FloatDistribution, IntDistribution

    out: dict[str, Any] = {}
    for d in tuning.dims:
        knob = tuning.knob(d.path)
        if knob in out:
            continue
        if d.integral:
            out[knob] = IntDistribution(int(d.span.low), int(d.span.high), step=int(d.span.step or 1))
        else:
            out[knob] = FloatDistribution(
                float(d.span.low), float(d.span.high), step=d.span.step and float(d.span.step)
            )
    return out


def quiet_optuna(command: str, error: type[SummitError]) -> Any:
    """optuna, quietened (a tune's or an exploit search's sampler); ``error`` saying how to install it for
    ``command`` if it is missing."""
    try:
        import optuna
    except ImportError:
        raise error(f"{command} needs optuna: pip install 'summitgame[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


def require_optuna() -> Any:
    """optuna, quietened; TuneError saying how to install it if it is missing."""
    return quiet_optuna("tune", TuneError)


def _replayed(tuning: Tuning, store: Store, stored: Trial, values: Mapping[str, Number], phase: str) -> Trial:
    """A stored line taken in place of evaluating a candidate, if it is the one this tune makes there."""
    if stored.phase != phase or stored.values != values:
        proposed = " ".join(f"{k}={fmt_number(values[k])}" for k in sorted(values))
        raise store.refuse(
            stored,
            f"{stored.phase} candidate {_shown(stored.values)}, but this tune makes the {phase} candidate "
            f"{proposed} there (a line from another tune, moved or edited, or an earlier line's figures edited)",
        )
    old = tuning.seen.get(_key(values))
    if old is None and stored.cached:
        raise store.refuse(stored, "marked as seen before, but no earlier line holds these values")
    if old is not None and stored.line() != _repeat(old, stored.number, phase).line():
        raise store.refuse(stored, f"a repeat of line {old.read_from or '?'} with other figures or flags")
    return stored


def search(tuning: Tuning, store: Store, budget: int) -> list[Trial]:
    """Run the search until ``budget`` candidates have been played, replaying the stored ones: each ask is
    made again and must propose what its stored line holds, whose figures are then told instead of playing.
    Returns the search's trials in order."""
    optuna = require_optuna()
    store.check(tuning)
    dists = _distributions(tuning)
    study = optuna.create_study(direction="minimize")
    current = {d.path: d.current for d in tuning.dims}
    knobs = {tuning.knob(d.path): d.current for d in tuning.dims}
    if all(d.span.contains(d.current) for d in tuning.dims) and tuning.candidate(knobs) == current:
        study.enqueue_trial(knobs)  # the first candidate is the current rules (unless a lock rules them out)
    stored = [t for t in store.trials if t.phase == "search"]  # the file's first lines (``Store.check``)
    out: list[Trial] = []
    played = 0
    size = space_size(list({tuning.knob(d.path): d for d in reversed(tuning.dims)}.values()))  # one per knob
    while played < budget and len(out) < MAX_ASKS * budget and len(tuning.seen) < size:
        asks = len(out)
        study.sampler = _sampler(tuning.seed, asks)
        trial = study.ask(dists)
        values = tuning.candidate(trial.params)
        if asks < len(stored):
            result = _replayed(tuning, store, stored[asks], values, "search")
        else:
            store.drop(asks)  # a finished tune's trim goes: a larger budget trims the new winner
            result = tuning.evaluate(values, asks, "search")
            store.add(result)
        study.tell(trial, _objective_value(result.objective))
        tuning.seen.setdefault(_key(values), result)
        out.append(result)
        played += 0 if result.cached else 1
        if tuning.progress and result.read_from is None:
            tuning.progress(result, played, budget)
        if result.met and values == current:
            break  # the current rules already meet every target
    if len(out) < len(stored):
        raise store.refuse(
            stored[len(out)],
            f"a candidate past the end of this search (--budget {budget}); "
            "resume with the --budget the tune was run with, or more",
        )
    return out


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
    """Put each changed parameter of a winner back to its current value while every target stays met,
    replaying the stored trim lines (a trim candidate seen before is answered without a line)."""
    if not best.met:
        return best
    dims = {d.path: d for d in tuning.dims}
    units: dict[str, list[str]] = {}  # each knob's parameters (a locked group goes back together, or not at all)
    for d in tuning.dims:
        units.setdefault(tuning.knob(d.path), []).append(d.path)
    changed = sorted(
        (
            (k, members)
            for k, members in units.items()
            if any(best.values[m] != dims[m].current for m in members)
            and len({dims[m].current for m in members}) == 1  # a lock cannot put back members that differed
        ),
        key=lambda u: (dims[u[1][0]].share(best.values[u[1][0]]), u[0]),
    )
    stored = [t for t in store.trials if t.phase == "trim"]
    number = len(store.trials) - len(stored)  # the trim's lines follow the search's
    used = 0
    for _, members in changed:
        candidate = {**best.values, **{m: dims[m].current for m in members}}
        if _key(candidate) in tuning.seen:
            result = _repeat(tuning.seen[_key(candidate)], number, "trim")
        elif used < len(stored):
            result = _replayed(tuning, store, stored[used], candidate, "trim")
            used += 1
        else:
            result = tuning.play(candidate, number, "trim")
            store.add(result)
        if not result.cached:
            tuning.seen.setdefault(_key(candidate), result)
            number += 1
        if tuning.progress and result.read_from is None:
            tuning.progress(result, 0, 0)
        if result.met:
            best = result
    if used < len(stored):
        raise store.refuse(stored[used], "a trim candidate this tune does not make")
    return best


def verify(tuning: Tuning, store: Store, trial: Trial) -> None:
    """Replay the games of a winner read from the file and check they measure what its line says: the
    one line whose figures decide the outcome is never taken on trust."""
    if trial.read_from is None:
        return
    again = tuning.play(dict(trial.values), trial.number, trial.phase)
    if again.figures() != trial.figures():
        shown = "met" if trial.met else "missed"
        found = "met" if again.met else "missed"
        raise TuneError(
            f"{printable(store.path)}:{trial.read_from}: the winner's games do not replay to its stored figures "
            f"(stored: loss {_shown(_finite(trial.loss))}, {shown}; replayed: loss {_shown(_finite(again.loss))}, "
            f"{found}): the line was edited or the games are played differently now; best.toml was not written; {HINT}"
        )


def tune(tuning: Tuning, store: Store, budget: int) -> Trial:
    """The whole tune, resumed from what ``store`` holds: search, check the winner, trim it. Returns the
    winner; the same settings and seed give the same trials, whatever was cut short."""
    searched = search(tuning, store, budget)
    best = best_of(searched)
    if best is None:
        raise TuneError("no candidate could be played: every one was refused by the rules")
    verify(tuning, store, best)
    winner = trim(tuning, store, best)
    if winner is not best:
        verify(tuning, store, winner)
    return winner


# --- guardrails: how the winner meets its targets -------------------------------------------------------

FRAGILE_RATIO = 2.0  #: one role walks out more than this many times as often as the other: one side is fragile
FRAGILE_FLOOR = 0.05  #: ... in at least this share of games (rarer walk-outs are not what the game is about)
SHORT_ROUND = 2  #: a median end round at or below this (or most games ending by it) is a game cut short


def guard_warnings(rules: Ruleset, games: Sequence[GameMetrics], current_rounds: int) -> list[dict[str, Any]]:
    """Warnings about a winner that meets its targets by a shortcut, from its games: one side made fragile
    (one role's walk-out share more than ``FRAGILE_RATIO`` times the other's, at least ``FRAGILE_FLOOR`` of
    games, and its share of the walk-outs above half at 95%) or the game shortened (median end round at most
    ``SHORT_ROUND``, or most games ending by then, where the current rules last longer). JSON-ready dicts:
    ``kind`` ('one_sided_walkouts' or 'short_games'), ``message`` and the figures behind it."""
    n = len(games)
    out: list[dict[str, Any]] = []
    if not n:
        return out
    names = dict(zip(rules.roles, rules.role_names, strict=True))
    walked = {r: sum(r in g.walkouts for g in games) for r in rules.roles}
    for r, other in (rules.roles, tuple(reversed(rules.roles))):
        k, j = walked[r], walked[other]
        if k > FRAGILE_RATIO * j and k >= FRAGILE_FLOOR * n and wilson(k, k + j).low > 0.5:
            out.append(
                {
                    "kind": "one_sided_walkouts",
                    "role": r,
                    "walkouts": {x: {"count": walked[x], "n": n} for x in rules.roles},
                    "message": f"one side is fragile: {names[r]} walks out in {_pct(k, n)} of games, {names[other]} "
                    f"in {_pct(j, n)} (significant at 95%); the winner may meet its targets by one-sided walk-outs",
                }
            )
    ends = sorted(g.rounds for g in games)
    median = statistics.median(ends)
    short = sum(1 for x in ends if x <= SHORT_ROUND)
    if current_rounds > SHORT_ROUND and (median <= SHORT_ROUND or 2 * short > n):
        out.append(
            {
                "kind": "short_games",
                "median_end_round": median,
                "ended_by_round": {"round": SHORT_ROUND, "count": short, "n": n},
                "message": f"the game is cut short: median end round {fmt_number(median)} (the current rules have "
                f"{current_rounds} rounds), {_pct(short, n)} of games over by round {SHORT_ROUND}; the winner may meet "
                "its targets by shortening the game",
            }
        )
    return out


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}%"


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


def dump_toml(doc: Mapping[str, Any], comments: Sequence[str] = (), schema: str | None = None) -> str:
    """A small TOML writer for rule changes: a ``#:schema`` line, comments, top-level values first, then one
    table per nested table."""
    out = ([f"#:schema {schema}"] if schema else []) + [f"# {c}" for c in comments]
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
    name: str | None = None,
    schema: str | None = None,
) -> str:
    """The text of a rule file that extends the original and sets only ``--set`` overrides and ``values``
    (and ``name``, if given), its first line ``#:schema SCHEMA`` if given.

    A changed array item is written as its whole array (an ``extends`` file replaces arrays whole)."""
    from ..rules.loader import merged_data, parse_override

    doc: dict[str, Any] = {}
    keys = [tuple(parse_override(o)[0]) for o in overrides] + [parse_path(k) for k in values]
    params = [f"{k}={fmt_number(v)}" for k, v in values.items()]
    final_data = merged_data(rules_path, overrides, params)
    if any(parts[0] == "cards" for parts in keys):  # a card's changed field, as the final decks hold it
        final = load_rules(rules_path, overrides, params)
        cards = card_values(final.events_deck, final.gestures_deck, final.agendas_deck, as_written=True)
        final_data = {**final_data, "cards": cards}
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
    named = {"name": name} if name is not None else {}
    return dump_toml(
        {"extends": Path(ref).as_posix(), **named, **{k: v for k, v in doc.items() if k not in named}}, comments, schema
    )


def tuned_name(name: str, targets: Targets) -> str:
    """The winner's name: the rules' own, marked as tuned for the targets file (``Summit (tuned for t.toml)``)."""
    return f"{name} (tuned for {Path(targets.source).name})"


def write_best(tuning: Tuning, best: Trial, out_dir: Path, command: str) -> tuple[Path, Ruleset]:
    """Write ``best.toml`` (named as tuned, with a ``#:schema`` first line and that schema beside it) and check
    it loads to the winner's rules (same fingerprint, once its name is put back)."""
    from ..rules.loader import model_json_schemas

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
    original = load_rules(tuning.rules_path, tuning.overrides).name
    name = tuned_name(original, tuning.targets)
    text = changes_file(tuning.rules_path, tuning.overrides, changed, out_dir, comments, name, f"./{SCHEMA_FILE}")
    write_atomic(out_dir / SCHEMA_FILE, json.dumps(model_json_schemas()["rules-partial"], indent=2) + "\n")
    path = out_dir / BEST_FILE
    write_atomic(path, text)
    rules = load_rules(path)
    if best.fingerprint and load_rules(path, [f"name={json.dumps(original)}"]).fingerprint != best.fingerprint:
        raise TuneError(
            f"{path} loads as {rules.fingerprint}, not the winner's {best.fingerprint} (a bug: please report it)"
        )
    return path, rules
