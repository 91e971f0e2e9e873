"""Fuzzing rule and card data: mutants of the bundled files and random ``--set`` texts either load or fail
with one clean line per problem (``FILE[:LINE]: key: message``), never a traceback or a hang; every mutant
that loads plays seeded random games that replay exactly.

The fast tests run the hypothesis profile's examples; ``test_soak_*`` (slow) run many more. Each input runs
under a generous alarm (a hang guard, not a timing): a hang fails the example instead of stalling the suite.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitgame.cli import cli
from summitgame.engine import apply, legal_actions, new_game
from summitgame.errors import RulesError
from summitgame.rules.loader import load_rules
from summitgame.rules.params import format_path, get_at, parse_path
from summitgame.rules.rulebook import rulebook
from summitgame.rules.ruleset import Ruleset

ROOT = Path(__file__).resolve().parents[2]
RULE_FILES = {"summit": ROOT / "rules" / "summit.toml", "trade": ROOT / "rules" / "trade.toml"}
DECK_FILES = {
    "summit": {k: ROOT / "cards" / f"{k}.toml" for k in ("events", "gestures", "agendas")},
    "trade": {k: ROOT / "cards" / "trade" / f"{k}.toml" for k in ("events", "gestures", "agendas")},
}
HANG_GUARD_SECONDS = 120  #: per input; a valid or broken file takes well under a second
SOAK = settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FAST = settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# one problem: FILE[:LINE]: [key.path: ]message; a line, printable, not endless
PROBLEM = re.compile(r"^.+?(:\d+)?: .+$")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
COUNT = re.compile(r"^(\d+) problems? found\.$")


# --- writing TOML --------------------------------------------------------------------------------------------


def toml_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else toml_string(k)


def toml_value(v: Any) -> str:
    """Any value tomllib can produce, written back as TOML (inline tables and arrays)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, Deep):
        return v.toml()
    assert isinstance(v, datetime.date | datetime.time)
    return v.isoformat()


def dump(data: dict[str, Any]) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


# --- mutations -------------------------------------------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)
NAMES = st.sampled_from(
    [
        *("washington", "moscow", "brussels", "beijing", "trust", "pressure", "arms", "cyber", "deadlock", "accord"),
        *("random", "self", "other", "both", "change_meter", "meter", "failed", "symbolic", "x" * 5000, ""),
        *("\x1b[2J", "a\u202eb", "\x00", "Two\nlines", "²", "1.5", "true", "photo_op", "../cards/events.toml"),
        # key paths, as [tunable] keys
        *("rounds.count", "meters.trust.start", "proposals.cap[1].steps", "a." * 40 + "b", "rounds.count[9999999999]"),
    ]
)
EXTREME_INTS = st.sampled_from([0, -1, 1, 2, 5, 12, 31, 100, 2**63 - 1, -(2**63), 10**29, -(10**29), 10**31])
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([5.0, 0.5, -0.0, 1e308, 1e-308])


class Deep:
    """A value nested ``depth`` levels (arrays or tables), written straight as text: deeper than the
    fuzzer's own recursion would go, and past tomllib's recursion limit."""

    def __init__(self, depth: int, table: bool) -> None:
        self.depth, self.table = depth, table

    def toml(self) -> str:
        if self.table:
            return "{ k = " * self.depth + "1" + " }" * self.depth
        return "[" * self.depth + "1" + "]" * self.depth


SCALARS = (
    st.booleans() | EXTREME_INTS | st.integers(-50, 50) | FLOATS | NAMES | TEXT | st.just(datetime.date(2021, 6, 16))
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES | TEXT, inner, max_size=3),
    max_leaves=8,
) | st.builds(Deep, st.sampled_from([3, 46, 47, 48, 49, 60, 400, 3000]), st.booleans())


def slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) of the data, so one can be picked and changed."""
    out: list[tuple[Any, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        for k, v in pairs:
            out.append((item, k))
            stack.append(v)
    return out


def retyped(v: Any) -> list[Any]:
    """Same meaning, other type: what a lax loader would coerce and a strict one must refuse."""
    if isinstance(v, bool):
        return [int(v), str(v).lower()]
    if isinstance(v, int):
        return [str(v), float(v), bool(v), [v]]
    if isinstance(v, float):
        return [int(v) if math.isfinite(v) else 0, str(v)]
    if isinstance(v, str):
        return [1, True, [v], {"x": v}, v + "\x1b[31m", "\u202e" + v]
    if isinstance(v, list):
        return [{}, "x", v[:1] * 2 if v else [1]]
    return [[], 1, "x"]


def mutate(data: dict[str, Any], draw: Callable[[Any], Any], gentle: bool = False) -> None:
    """One change at a random place: delete, replace, retype, add an unknown key, duplicate or empty; when
    ``gentle``, a nudge (a number moved a little, a name swapped for another of the file's), which often loads."""
    places = slots(data)
    if not places:
        data[draw(TEXT)] = draw(VALUES)
        return
    ops = ["delete", "replace", "retype", "unknown", "duplicate", "empty"]
    op = "nudge" if gentle else draw(st.sampled_from(ops))
    if op == "nudge":  # a small change to a number or a name: often still valid, so the mutant plays
        places = [(c, k) for c, k in places if isinstance(c[k], int | str)] or places
    # a uniform pick: hypothesis' own integers lean to small values, which would keep hitting the first key
    container, key = places[draw(st.randoms(use_true_random=False)).randrange(len(places))]
    current = container[key]
    if op == "nudge" and isinstance(current, int) and not isinstance(current, bool):
        container[key] = current + draw(st.sampled_from([-2, -1, 1, 2, -current]))  # often still valid
    elif op == "nudge" and isinstance(current, str):
        words = sorted({c[k] for c, k in places if isinstance(c[k], str) and len(c[k]) < 40})
        container[key] = words[draw(st.randoms(use_true_random=False)).randrange(len(words))]
    elif op == "delete":
        del container[key]
    elif op == "replace":
        container[key] = draw(VALUES)
    elif op == "retype":
        container[key] = draw(st.sampled_from(retyped(current)))
    elif op == "unknown" and isinstance(current, dict):
        current[draw(NAMES | TEXT)] = draw(VALUES)
    elif op == "duplicate" and isinstance(current, list) and current:
        current.append(copy.deepcopy(current[draw(st.integers(0, len(current) - 1))]))
    elif op == "empty" and isinstance(current, list | dict):
        container[key] = type(current)()
    else:
        container[key] = draw(VALUES)


def load_data(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text("utf-8"))


def rule_data(name: str) -> dict[str, Any]:
    """A bundled rule file's data, its decks named by absolute path (so a copy elsewhere still finds them)."""
    data = load_data(RULE_FILES[name])
    data["decks"] = {k: str(p) for k, p in DECK_FILES[name].items()}
    return data


# --- checks ------------------------------------------------------------------------------------------------------


@contextmanager
def hang_guard(seconds: int = HANG_GUARD_SECONDS) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the body runs past ``seconds``; a guard, not a timing."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no answer within {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_problem_line(line: str) -> None:
    assert "\n" not in line and not CONTROL.search(line), repr(line)
    assert PROBLEM.match(line), repr(line)
    assert len(line) < 1500, line[:200]


def play_and_replay(rules: Ruleset, seeds: tuple[int, ...] = (0, 1, 2)) -> None:
    """Seeded random games to the end; replaying the same actions gives the same states, step by step."""
    for seed in seeds:
        pick = random.Random(seed).choice
        s = new_game(rules, seed)
        keys, actions = [s.key()], []
        while s.to_move >= 0:
            assert len(actions) < 20_000, "a game that does not end"
            a = pick(legal_actions(s))
            actions.append(a)
            s = apply(s, a)
            keys.append(s.key())
        r = new_game(rules, seed)
        assert r.key() == keys[0]
        for a, key in zip(actions, keys[1:], strict=True):
            r = apply(r, a)
            assert r.key() == key


def check_load(path: Path | None, overrides: tuple[str, ...] = ()) -> Ruleset | None:
    """Load in-process: a Ruleset (then play, replay and write its rulebook) or a RulesError of clean lines."""
    with hang_guard():
        try:
            rules = load_rules(path, overrides)
        except RulesError as exc:
            assert exc.problems
            for line in str(exc).splitlines():
                if not line.startswith("... and "):
                    check_problem_line(line)
            return None
        play_and_replay(rules)
        assert rulebook(rules).startswith("# ")  # and the rulebook is written from it
        return rules


def check_validate_cli(path: Path) -> None:
    """``summitgame validate FILE``: exit 0 with a summary, or exit 1 with one line per problem and a count."""
    with hang_guard():
        result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert COUNT.match(lines[-1]), result.stderr
        for line in lines[:-1]:
            if not line.startswith("... and "):
                check_problem_line(line)


# --- the fuzz tests ----------------------------------------------------------------------------------------------


def fuzz_rule_file(data: st.DataObject, tmp_path: Path) -> None:
    name = data.draw(st.sampled_from(sorted(RULE_FILES)))
    doc = rule_data(name)
    gentle = data.draw(st.booleans())
    for _ in range(data.draw(st.sampled_from([1, 1, 2, 3]))):
        mutate(doc, data.draw, gentle)
    if data.draw(st.integers(0, 9)) == 7:
        doc["extends"] = data.draw(st.sampled_from(["/dev/null", "missing.toml", "rules.toml", str(RULE_FILES[name])]))
    f = tmp_path / "rules.toml"
    f.write_text(dump(doc), encoding="utf-8")
    check_load(f)
    check_validate_cli(f)


def fuzz_deck_file(data: st.DataObject, tmp_path: Path) -> None:
    name = data.draw(st.sampled_from(sorted(RULE_FILES)))
    kind = data.draw(st.sampled_from(["events", "gestures", "agendas"]))
    doc = load_data(DECK_FILES[name][kind])
    gentle = data.draw(st.booleans())
    for _ in range(data.draw(st.sampled_from([1, 1, 2, 3]))):
        mutate(doc, data.draw, gentle)
    (tmp_path / f"{kind}.toml").write_text(dump(doc), encoding="utf-8")
    f = tmp_path / "rules.toml"
    f.write_text(f'extends = "{RULE_FILES[name].as_posix()}"\n[decks]\n{kind} = "{kind}.toml"\n', encoding="utf-8")
    check_load(f)
    check_validate_cli(tmp_path / f"{kind}.toml")


def fuzz_rule_text(data: st.DataObject, tmp_path: Path) -> None:
    """Line-level damage to the file as written (comments, headers, multi-line arrays and all)."""
    name = data.draw(st.sampled_from(sorted(RULE_FILES)))
    text = RULE_FILES[name].read_text("utf-8").replace('"../cards/', f'"{(ROOT / "cards").as_posix()}/')
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.randoms(use_true_random=False)).randrange(len(lines))
        op = data.draw(st.sampled_from(["delete", "duplicate", "insert", "edit", "truncate"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            key = data.draw(NAMES | TEXT)
            lines.insert(i, f"{toml_key(key)} = {toml_value(data.draw(VALUES))}")
        elif op == "edit":
            j = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + data.draw(TEXT | NAMES) + lines[i][j:]
        else:
            lines = lines[:i]
        if not lines:
            lines = [""]
    f = tmp_path / "rules.toml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check_load(f)


SET_VALUES = (
    st.sampled_from(
        [
            *("true", "false", "'5'", "5.0", "inf", "-inf", "nan", "1e308", "-1", "0", "31", "[]", "{}", "[1, 2]"),
            *("{ washington = 1, moscow = 2 }", "{ washington = true }", "'\x1b[2J'", '"\\u001b[31m"', "x" * 3000),
            *("[" * 3000 + "]" * 3000, "9" * 5000, "9" * 31, "1\n[x]\ny = 2", "'a' 'b'", "2021-06-16", "random"),
        ]
    )
    | TEXT
    | VALUES.map(toml_value)
)


def fuzz_set(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(RULE_FILES)))
    doc = rule_data(name)
    keys = [format_path(p) for p in _paths(doc)]
    numbers = [k for k in keys if type(get_at(doc, parse_path(k))) is int]
    overrides = []
    rnd = data.draw(st.randoms(use_true_random=False))
    gentle = data.draw(st.booleans())
    for _ in range(data.draw(st.integers(1, 3))):
        pick = rnd.randrange(10)
        if gentle:  # a nudge of a number, which often loads
            key = rnd.choice(numbers)
            overrides.append(f"{key}={get_at(doc, parse_path(key)) + data.draw(st.sampled_from([-1, 1, 2]))}")
        else:
            key = rnd.choice(keys) if pick < 8 else data.draw(TEXT) if pick < 9 else "a." * 40 + "b"
            overrides.append(f"{key}={data.draw(SET_VALUES)}")
    check_load(RULE_FILES[name], tuple(overrides))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(k, str) and re.fullmatch(r"[A-Za-z0-9_]+", k):
                yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@given(st.data())
@FAST
def test_fuzz_rule_files(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fuzz_rule_file(data, Path(tmp))


@given(st.data())
@FAST
def test_fuzz_card_files(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fuzz_deck_file(data, Path(tmp))


@given(st.data())
@FAST
def test_fuzz_rule_file_text(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fuzz_rule_text(data, Path(tmp))


@given(st.data())
@FAST
def test_fuzz_set_overrides(data: st.DataObject) -> None:
    fuzz_set(data)


def test_the_bundled_files_pass_the_same_checks(tmp_path: Path) -> None:
    # the unmutated data, written back by the fuzzer's writer, loads to the same rules and plays
    for name in RULE_FILES:
        f = tmp_path / f"{name}.toml"
        f.write_text(dump(rule_data(name)), encoding="utf-8")
        rules = check_load(f)
        assert rules is not None and rules.fingerprint == load_rules(RULE_FILES[name]).fingerprint


@pytest.mark.slow  # one subprocess per nasty input, ~1.7 s
def test_a_few_nasty_inputs_through_the_real_command(tmp_path: Path) -> None:
    """End to end in a subprocess: exit status 1, one line per problem, no traceback (timeouts are hang guards)."""
    doc = rule_data("summit")
    doc["rounds"]["count"] = Deep(60, False)
    doc["roles"]["washington"]["name"] = "W\x1b[2J"
    (tmp_path / "deep.toml").write_text(dump(doc), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    runs = [
        ["validate", str(tmp_path / "deep.toml")],
        ["simulate", "--games", "2", "--set", "rounds.count=" + "[" * 3000 + "]" * 3000],
        ["simulate", "--games", "2", "--set", "rounds.count=" + "9" * 5000, "--set", "hands.size=true"],
        ["sweep", "--games", "2", "--param", "rounds.count=-1e308..1e308:1"],
        ["sweep", "--games", "2", "--param", "rounds.count=0..1:1e-300"],
    ]
    for args in runs:
        done = subprocess.run(
            [sys.executable, "-m", "summitgame", *args], capture_output=True, text=True, timeout=300, env=env
        )
        assert done.returncode == 1, (args[:2], done.stderr[-500:])
        assert "Traceback" not in done.stderr
        lines = done.stderr.splitlines()
        assert COUNT.match(lines[-1]), done.stderr[-500:]
        for line in lines[:-1]:
            check_problem_line(line)


# --- the soak (slow; CI runs it) ------------------------------------------------------------------------------


@pytest.mark.slow
@given(st.data())
@SOAK
def test_soak_rule_files(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fuzz_rule_file(data, Path(tmp))


@pytest.mark.slow
@given(st.data())
@SOAK
def test_soak_card_files(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fuzz_deck_file(data, Path(tmp))


@pytest.mark.slow
@given(st.data())
@SOAK
def test_soak_rule_file_text(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fuzz_rule_text(data, Path(tmp))


@pytest.mark.slow
@given(st.data())
@SOAK
def test_soak_set_overrides(data: st.DataObject) -> None:
    fuzz_set(data)
