"""Fuzzing what the engine reads back from disk (issue #11, section 5): hypothesis mutates real saves, game
records and games.jsonl files (truncation, duplicated or dropped lines, deep nesting, huge integers, fields of
the wrong type or missing, junk bytes, escape sequences) and feeds them to the commands that read them:
``replay --verify``, ``balance --records``, ``tournament --resume`` and loading a save through the API.

Each input must end in success or in one error line with exit status 1 — never a traceback — before a
generous hang guard fires. The fast suite tries a few dozen inputs per reader; ``@pytest.mark.slow`` soaks
try many more."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitgame.agents.base import make_agent
from summitgame.cli import cli
from summitgame.engine import apply, legal_actions, new_game
from summitgame.errors import SummitError
from summitgame.play.saves import load_save, save_game
from summitgame.rules.loader import load_rules
from summitgame.runs.tournament import GAMES_FILE, SETTINGS_FILE

HANG_GUARD = 60  #: seconds one input may take before the test calls it a hang (a generous bound)
FAST = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOAK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOURNAMENT = ["tournament", "random", "greedy", "-n", "2", "--seed", "1"]


class Hang(BaseException):
    """The hang guard fired (a BaseException, so that no ``except Exception`` in the code under test eats it)."""


@contextlib.contextmanager
def hang_guard(seconds: float = HANG_GUARD) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(*args: object) -> Result:
    with hang_guard():
        return CliRunner().invoke(cli, [str(a) for a in args])


def clean(result: Result) -> None:
    """Success, or exactly one ``error:`` line and exit status 1; never a traceback or an escape sequence."""
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "\x1b" not in result.output
    if result.exit_code == 1:
        errors = [ln for ln in result.output.splitlines() if ln.startswith("error: ")]
        assert len(errors) == 1, result.output


# --- real files to start from ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A save of an unfinished game, a finished game's record and a finished tournament's folder."""
    root = tmp_path_factory.mktemp("originals")
    rules = load_rules(None)
    s = new_game(rules, 5)
    for _ in range(9):
        s = apply(s, legal_actions(s)[-1])
    save_game(root / "save.json", s, ["human", "mcts:iterations=5"], [])
    res = CliRunner().invoke(cli, ["match", "greedy", "random", "-n", "2", "--records", str(root / "records")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, [*TOURNAMENT, "--out", str(root / "tournament")])
    assert res.exit_code == 0, res.output
    return {
        "save": root / "save.json",
        "record": root / "records" / "game-00001.json",
        "tournament": root / "tournament",
    }


# --- mutations --------------------------------------------------------------------------------------------

_SPECIAL = re.compile(r'"__(DEEP|HUGE)_(\d+)__"')


def _expand(text: str) -> str:
    """Put in the deep nestings and huge integers that ``json.dumps`` itself could not write."""
    return _SPECIAL.sub(lambda m: "[" * int(m[2]) + "]" * int(m[2]) if m[1] == "DEEP" else "9" * int(m[2]), text)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield here
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:20]):
            yield from _paths(v, (*here, i))


REPLACEMENTS = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1.5, 1e308, "", "pass", "accept", "give arms 1", "\x1b[2J", [], {}]),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.text(max_size=12),
    st.sampled_from([10, 47, 48, 49, 2_000, 100_000]).map(lambda d: f"__DEEP_{d}__"),
    st.sampled_from([29, 31, 4_299, 4_301, 20_000]).map(lambda k: f"__HUGE_{k}__"),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@st.composite
def structural(draw: st.DrawFn, doc: Any) -> Any:
    """The document with one field deleted, or replaced by a value of another type, a deep nesting or a huge
    integer (the path chosen among every field of the document)."""
    paths = [p for p in _paths(doc) if p]
    if not paths:
        return draw(REPLACEMENTS)
    path = draw(st.sampled_from(paths))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(REPLACEMENTS)
    return doc


@st.composite
def mutated(draw: st.DrawFn, text: str, lines: bool) -> bytes:
    """A real file's text, mutated: structural changes to its documents, then damage to its bytes."""
    docs = [json.loads(t) for t in text.splitlines() if t.strip()] if lines else [json.loads(text)]
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(docs) - 1))
        docs[i] = draw(structural(docs[i]))
    out = "".join(json.dumps(d) + "\n" for d in docs) if lines else json.dumps(docs[0], indent=1) + "\n"
    data = _expand(out).encode()
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["truncate", "junk", "duplicate", "drop", "escape"]))
        at = draw(st.integers(0, len(data)))
        if op == "truncate":
            data = data[:at]
        elif op == "junk":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif op == "escape":
            data = data[:at] + b"\\u001b[2J" + data[at:]
        else:
            rows = data.split(b"\n")
            k = draw(st.integers(0, max(0, len(rows) - 1)))
            rows = rows[: k + 1] + rows[k:] if op == "duplicate" else rows[:k] + rows[k + 1 :]
            data = b"\n".join(rows)
    return data


def write_mutation(data: st.DataObject, original: Path, target: Path, lines: bool = False) -> None:
    target.write_bytes(data.draw(mutated(original.read_text(encoding="utf-8"), lines), label=original.name))


# --- the readers ------------------------------------------------------------------------------------------


def check_replay_verify(originals: dict[str, Path], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "game.json"
        write_mutation(data, originals[data.draw(st.sampled_from(["save", "record"]))], path)
        clean(run("replay", path, "--verify"))


def check_balance_records(originals: dict[str, Path], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "records"
        folder.mkdir()
        write_mutation(data, originals["record"], folder / "game-00001.json")
        write_mutation(data, originals["tournament"] / GAMES_FILE, folder / GAMES_FILE, lines=True)
        clean(run("balance", "--agents", "random", "--games", 2, "--records", folder))


def check_tournament_resume(originals: dict[str, Path], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        shutil.copytree(originals["tournament"], out)
        write_mutation(data, originals["tournament"] / GAMES_FILE, out / GAMES_FILE, lines=True)
        if data.draw(st.booleans(), label="settings too"):
            write_mutation(data, originals["tournament"] / SETTINGS_FILE, out / SETTINGS_FILE)
        before = (out / GAMES_FILE).read_bytes()
        result = run(*TOURNAMENT, "--out", out, "--resume")
        clean(result)
        after = (out / GAMES_FILE).read_bytes()
        if result.exit_code == 0:
            assert after.startswith(before[: before.rfind(b"\n") + 1])  # what was whole is kept
            assert json.loads((out / "summary.json").read_text())["complete"]
        else:
            assert after == before  # refused: not a byte changed


def check_load_save(originals: dict[str, Path], data: st.DataObject) -> None:
    rules = load_rules(None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "save.json"
        write_mutation(data, originals["save"], path)
        try:
            with hang_guard():
                loaded = load_save(path, rules)
                for spec in loaded.seats.values():
                    if spec != "human":
                        make_agent(spec, base_dir=path.parent)
        except SummitError as exc:
            assert "\n" not in str(exc)


READERS = {
    "replay --verify": check_replay_verify,
    "balance --records": check_balance_records,
    "tournament --resume": check_tournament_resume,
    "load a save": check_load_save,
}


@pytest.mark.parametrize("reader", list(READERS))
@FAST
@given(data=st.data())
def test_mutated_files_give_success_or_one_line_error(
    originals: dict[str, Path], reader: str, data: st.DataObject
) -> None:
    READERS[reader](originals, data)


@pytest.mark.slow
@pytest.mark.parametrize("reader", list(READERS))
@SOAK
@given(data=st.data())
def test_soak_mutated_files_give_success_or_one_line_error(
    originals: dict[str, Path], reader: str, data: st.DataObject
) -> None:
    READERS[reader](originals, data)
