"""``tune --resume`` (issue #11): a tune cut at any point and resumed writes what an uninterrupted one
would, byte for byte; a ``trials.jsonl`` or ``tune.json`` that does not fit the tune is refused in one line.

Every test compares a resumed run with an uninterrupted run of the same command, never with stored
numbers: the deals behind the figures may change with the engine."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CLASSIC_PATH
from summitgame.analysis import tune as tn
from summitgame.analysis.measures import Measure
from summitgame.analysis.targets import targets_from_text
from summitgame.cli import cli
from summitgame.rules.loader import load_rules
from summitgame.runs.jsonlines import parse_lines, seal, unsealed
from summitgame.runs.options import RunOptions
from summitgame.safeio import MAX_DEPTH

SRC = Path(__file__).resolve().parents[2] / "src"
#: a toy tune: two parameters, four games a candidate (the fixture picks a seed where it meets its targets
#: and the trim writes lines, so that cuts fall in both phases), on the first edition of the default rules
#: (rules/classic.toml), whose numbers stay put while the default rules are tuned
#: and a fixed bot: greedy as it played before it read agendas (its defaults may change; this tune must not)
TARGETS = 'median_end_round = "== 10"\nfailed = "<= 50%"\n[run]\ngames = 4\nagents = ["greedy:lead=2,infer=0"]\n'
ARGS = [
    "tune",
    "--rules",
    str(CLASSIC_PATH),
    "--targets",
    "t.toml",
    "--param",
    "rounds.count=1..12",
    "--param",
    "meters.trust.start",
]
BUDGET = 12
FILES = ("trials.jsonl", "best.toml", "best-balance.json", "best-balance.txt")


def tune(budget: int = BUDGET, *extra: str, seed: int = 0) -> Result:
    """The toy tune, run in the current folder with --out out."""
    return CliRunner().invoke(cli, [*ARGS, "--budget", str(budget), "--seed", str(seed), "--out", "out", *extra])


@dataclass
class Run:
    """What an uninterrupted run left: its folder (a sibling of each test's folder), files and output."""

    folder: Path
    seed: int
    files: dict[str, bytes]
    stdout: str
    exit_code: int

    @property
    def lines(self) -> list[bytes]:
        return self.files["trials.jsonl"].splitlines(keepends=True)

    def tune(self, budget: int = BUDGET, *extra: str) -> Result:
        """The same tune (same seed), run in the current folder."""
        return tune(budget, *extra, seed=self.seed)


_REF: list[Run] = []  # the reference run, played once per process (test_explore_report reads it too)


@pytest.fixture(scope="module")
def ref(tmp_path_factory: pytest.TempPathFactory) -> Run:
    if not _REF:
        _REF.append(_reference(tmp_path_factory))
    return _REF[0]


def _reference(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("ref")
    (folder / "t.toml").write_text(TARGETS, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for seed in (2, *range(12)):  # 2 did at the time of writing; any seed that does will do
            shutil.rmtree("out", ignore_errors=True)
            res = tune(BUDGET, seed=seed)
            if res.exit_code == 0 and b'"phase": "trim"' in Path("out", tn.TRIALS_FILE).read_bytes():
                break
        else:
            pytest.fail("no seed gives the toy tune a winner and a trim line")
    finally:
        os.chdir(cwd)
    return Run(folder, seed, {f: (folder / "out" / f).read_bytes() for f in FILES}, res.stdout, res.exit_code)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: Run) -> Path:
    """A fresh folder at the reference's depth (so best.toml's relative ``extends`` is the same), made current."""
    assert len(tmp_path.parts) == len(ref.folder.parts)
    (tmp_path / "t.toml").write_text(TARGETS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _copy(ref: Run, here: Path, lines: list[bytes], *, keep: tuple[str, ...] = ()) -> Path:
    """The reference's out folder holding ``lines`` as trials.jsonl (and any of its other files in ``keep``)."""
    out = here / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    shutil.copy(ref.folder / "out" / tn.SETTINGS_FILE, out / tn.SETTINGS_FILE)
    (out / tn.TRIALS_FILE).write_bytes(b"".join(lines))
    for f in keep:
        (out / f).write_bytes(ref.files[f])
    return out


def _same_as(ref: Run, res: Result, out: Path) -> None:
    assert res.exit_code == ref.exit_code, res.output
    assert res.stdout == ref.stdout
    for f in FILES:
        assert (out / f).read_bytes() == ref.files[f], f


def _refused(res: Result, *wanted: str) -> str:
    """The one-line error of a refused run (exit 1, no traceback), checked to hold each of ``wanted``."""
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit) and "Traceback" not in res.output
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and res.stderr.splitlines()[-1] == errors[0], res.stderr
    for w in wanted:
        assert w in errors[0], errors[0]
    return errors[0]


def test_the_toy_tune_searches_trims_and_meets_its_targets(ref: Run) -> None:
    phases = [json.loads(ln)["phase"] for ln in ref.lines]
    assert phases.count("search") >= BUDGET and phases.count("trim") >= 1  # cuts fall in both phases
    assert json.loads(ref.lines[0])["values"] == {"meters.trust.start": 3, "rounds.count": 6}  # the current rules


def _cut_and_resume(ref: Run, here: Path, k: int, tail: bytes = b"", keep: tuple[str, ...] = ()) -> None:
    out = _copy(ref, here, [*ref.lines[:k], tail], keep=keep)
    res = ref.tune(BUDGET, "--resume")
    _same_as(ref, res, out)


@pytest.mark.parametrize(
    "where",
    [
        "trim",
        "all",
        pytest.param("start", marks=pytest.mark.slow),
        pytest.param("startup", marks=pytest.mark.slow),
        pytest.param("search end", marks=pytest.mark.slow),
    ],
)
def test_resume_after_a_cut_equals_the_uninterrupted_run(ref: Run, here: Path, where: str) -> None:
    search = sum(1 for ln in ref.lines if json.loads(ln)["phase"] == "search")
    k = {"start": 1, "startup": 3, "search end": search, "trim": search + 1, "all": len(ref.lines)}[where]
    _cut_and_resume(ref, here, k, tail=ref.lines[k][:20] if k < len(ref.lines) else b"")


@pytest.mark.slow
def test_resume_after_a_cut_at_every_line_equals_the_uninterrupted_run(ref: Run, here: Path) -> None:
    for k in range(len(ref.lines) + 1):
        # every other cut also leaves a torn line; the last also leaves best.toml, as a kill after writing it
        torn = (ref.lines[k][: len(ref.lines[k]) // 2] if k < len(ref.lines) else b'{"num') if k % 2 else b""
        _cut_and_resume(ref, here, k, torn, FILES[1:2] if k == len(ref.lines) else ())


@pytest.mark.slow
def test_resume_with_no_settings_yet_is_a_fresh_start(ref: Run, here: Path) -> None:
    (here / "out").mkdir()  # killed before tune.json was written
    _same_as(ref, ref.tune(BUDGET, "--resume"), here / "out")


@pytest.mark.slow
def test_a_larger_budget_continues_a_finished_tune_as_a_run_of_that_budget(ref: Run, here: Path) -> None:
    first = ref.tune(6)
    assert first.exit_code == 0, first.output
    trims = [json.loads(ln)["phase"] for ln in (here / "out" / tn.TRIALS_FILE).read_bytes().splitlines()]
    assert "trim" in trims  # the finished tune's trim is dropped, and the new winner trimmed
    _same_as(ref, ref.tune(BUDGET, "--resume"), here / "out")


def test_a_smaller_budget_than_the_file_holds_is_refused(ref: Run, here: Path) -> None:
    out = _copy(ref, here, ref.lines)
    _refused(ref.tune(5, "--resume"), "past the end of this search (--budget 5)", "resume with the --budget")
    assert (out / tn.TRIALS_FILE).read_bytes() == ref.files["trials.jsonl"]


class _Rules:
    """A stand-in for loaded rules: only the fingerprint is read when the games are not played."""

    def __init__(self, params: tuple[str, ...]) -> None:
        self.fingerprint = "f" + str(abs(hash(params)))


def _stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Play no games and load no rules: a candidate's median end round is a made-up function of its values,
    with figures no 9-decimal line holds exactly (the rounding that once made a resume tell the sampler
    other numbers than the run it continued)."""

    def load(rules_path: Any, overrides: Any, params: Any = ()) -> _Rules:
        return _Rules(tuple(sorted(params)))

    def play_point(point: Any, *args: Any, **kwargs: Any) -> Any:
        v = point.values
        value = v["rounds.count"] + v["meters.trust.start"] / 7
        point.measures = {"median_end_round": Measure("median_end_round", value, value, value, 4, "number", "rounds")}
        return point

    monkeypatch.setattr(tn, "load_rules", load)
    monkeypatch.setattr(tn, "play_point", play_point)


@pytest.mark.slow
def test_the_search_resumed_after_any_cut_proposes_what_an_uninterrupted_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = targets_from_text('median_end_round = "== 9.5"\n', load_rules())
    dims = tn.dimensions(CLASSIC_PATH, (), [("rounds.count", tn.Span(1, 12)), ("meters.trust.start", None)])
    _stand_ins(monkeypatch)

    def run(folder: Path, resume: bool) -> bytes:
        tuning = tn.Tuning(None, (), dims, targets, (), 4, 0, RunOptions())
        store = tn.Store(folder, {"x": 1}, resume)
        try:
            tn.tune(tuning, store, 30)
        finally:
            store.close()
        return (folder / tn.TRIALS_FILE).read_bytes()

    whole = run(tmp_path / "whole", False)
    lines = whole.splitlines(keepends=True)
    assert len(lines) > 3 * tn.STARTUP  # most asks come from TPE's model, where the figures matter
    for k in range(0, len(lines) + 1, 3):
        part = tmp_path / f"cut{k}"
        part.mkdir()
        shutil.copy(tmp_path / "whole" / tn.SETTINGS_FILE, part)
        (part / tn.TRIALS_FILE).write_bytes(b"".join(lines[:k]))
        assert run(part, True) == whole, k


# --- lines that do not fit are refused -------------------------------------------------------------


def _doc(line: bytes) -> dict[str, Any]:
    doc = unsealed(json.loads(line))
    assert isinstance(doc, dict)
    return doc


def _dump(doc: Any) -> bytes:
    """A forged line written with a fresh checksum, so that the checks behind the checksum are what it meets."""
    text = json.dumps(doc)
    return ((seal(text) if isinstance(doc, dict) else text) + "\n").encode()


def _attack(ref: Run, here: Path, lines: list[bytes], *wanted: str, budget: int = BUDGET) -> str:
    """Resume from ``lines``: refused in one line naming each of ``wanted``, and nothing written."""
    out = _copy(ref, here, lines)
    error = _refused(ref.tune(budget, "--resume"), *wanted)
    assert (out / tn.TRIALS_FILE).read_bytes() == b"".join(lines)
    assert not (out / "best.toml").exists()
    return error


def test_a_line_from_a_tune_of_other_rules_is_refused(ref: Run, here: Path) -> None:
    other = CliRunner().invoke(cli, [*ARGS, "--budget", "1", "--out", "other", "--set", "hands.size=4"])
    assert other.exit_code in (0, 1), other.output
    foreign = (here / "other" / tn.TRIALS_FILE).read_bytes().splitlines(keepends=True)[0]
    assert _doc(foreign)["values"] == _doc(ref.lines[0])["values"]  # the same candidate, under other rules
    _attack(ref, here, [foreign, *ref.lines[1:]], "trials.jsonl:1: fingerprint", "tune of other rules")


def test_a_duplicated_line_is_refused(ref: Run, here: Path) -> None:
    _attack(ref, here, [*ref.lines[:3], ref.lines[2], *ref.lines[3:]], "trials.jsonl:4: number 2 where 3 is due")
    renumbered = _dump({**_doc(ref.lines[2]), "number": 3})
    _attack(ref, here, [*ref.lines[:3], renumbered], "trials.jsonl:4: search candidate")


def test_reordered_lines_are_refused(ref: Run, here: Path) -> None:
    lines = list(ref.lines)
    lines[1], lines[2] = lines[2], lines[1]
    _attack(ref, here, lines, "trials.jsonl:2: number 2 where 1 is due")
    swapped = [ref.lines[0], _dump({**_doc(ref.lines[2]), "number": 1}), _dump({**_doc(ref.lines[1]), "number": 2})]
    _attack(ref, here, swapped, "trials.jsonl:2: search candidate", "but this tune makes the search candidate")


def test_a_parameter_out_of_range_or_of_the_wrong_type_is_refused(ref: Run, here: Path) -> None:
    doc = _doc(ref.lines[3])
    bad = _dump({**doc, "values": {**doc["values"], "rounds.count": 99}})
    _attack(ref, here, [*ref.lines[:3], bad], "trials.jsonl:4: rounds.count=99 lies outside the range searched (1..12)")
    for values, why in [
        ({**doc["values"], "rounds.count": 6.0}, "rounds.count=6.0 is not a whole number"),
        ({"rounds.count": 6}, 'parameters ["rounds.count"], not this tune\'s'),
        ({**doc["values"], "hands.size": 3}, 'parameters ["hands.size", "meters.trust.start", "rounds.count"], not'),
    ]:
        _attack(ref, here, [*ref.lines[:3], _dump({**doc, "values": values})], "trials.jsonl:4: " + why)


def test_a_line_lacking_fields_or_of_the_wrong_shape_is_refused(ref: Run, here: Path) -> None:
    doc = _doc(ref.lines[1])
    assert not doc["cached"]
    cases: list[tuple[bytes, str]] = [
        (_dump({k: v for k, v in doc.items() if k != "measures"}), "it lacks measures"),
        (_dump({**doc, "extra": 1}), 'unknown field "extra"'),
        (_dump({**doc, "met": "yes"}), "wrong met (true or false)"),
        (_dump({**doc, "number": True}), "wrong number"),
        (_dump({**doc, "loss": -1}), "wrong loss"),
        (_dump([]), "a JSON object is expected"),
        (b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"\n", "nested deeper than"),
        (b'{"number": 1' + b"0" * 5000 + b"}\n", "integer of more than"),
        (b"\xff\xfe\n", "not valid JSON"),
        (_dump({**doc, "measures": {}}), "measures [], not this tune's targets"),
    ]
    for line, why in cases:
        _attack(ref, here, [ref.lines[0], line, *ref.lines[2:]], "trials.jsonl:2: ", why)


def test_a_forged_winner_line_is_replayed_and_refused(here: Path) -> None:
    # targets no candidate can meet (rounds.count stops at 12), so a line forged as "met" is the winner
    (here / "t.toml").write_text(TARGETS.replace('"== 10"', '"== 13"'), encoding="utf-8")
    honest = tune(4)
    assert honest.exit_code == 1 and "misses targets" in honest.stdout, honest.output
    out = here / "out"
    lines = (out / tn.TRIALS_FILE).read_bytes().splitlines(keepends=True)
    assert all(_doc(ln)["phase"] == "search" for ln in lines)
    for f in FILES[1:]:
        (out / f).unlink()
    doc = _doc(lines[-1])  # the last: no later proposal depends on its figures
    for m in doc["measures"].values():  # figures that agree with "met", enough to pass every check but a replay
        m.update(met=True, miss=0.0, loss=0.0)
    doc["measures"]["median_end_round"]["measured"]["value"] = 13.0
    doc["measures"]["failed"]["measured"]["value"] = 0.0
    dims = tn.dimensions(CLASSIC_PATH, (), [("rounds.count", tn.Span(1, 12)), ("meters.trust.start", None)])
    distance = sum(d.share(doc["values"][d.path]) for d in dims) / len(dims)
    doc.update(loss=0.0, met=True, objective=round(tn.PULL * distance, 9))
    forged = [*lines[:-1], _dump(doc)]
    (out / tn.TRIALS_FILE).write_bytes(b"".join(forged))
    res = tune(4, "--resume")
    _refused(res, f"trials.jsonl:{len(lines)}: the winner's games do not replay to its stored figures", "loss 0.0, met")
    assert not (out / "best.toml").exists()
    assert (out / tn.TRIALS_FILE).read_bytes() == b"".join(forged)


def test_a_line_whose_figures_do_not_hang_together_is_refused(ref: Run, here: Path) -> None:
    doc = _doc(ref.lines[1])
    assert not doc["met"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({**doc, "met": True}, "met is true but its measures say otherwise"),
        ({**doc, "loss": 0.0, "objective": 0.0}, "is not the sum of its measures' losses"),
        ({**doc, "objective": round(doc["objective"] + 1, 9)}, "does not follow from its loss and values"),
        ({**doc, "cached": True}, "marked as seen before"),
    ]
    for bad, why in cases:
        _attack(ref, here, [ref.lines[0], _dump(bad), *ref.lines[2:]], "trials.jsonl:2: ", why)


# --- tune.json ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[]", "does not hold a tune's settings"),
        ("{}", "other settings"),
        ('{"games": "4"}', "other settings"),
        ("[" * 200 + "]" * 200, "nested deeper than"),
        ('{"seed": 1' + "0" * 5000 + "}", "integer of more than"),
        ('{"seed": ', "not valid JSON"),
        ("\udcff", "not UTF-8"),
    ],
    ids=["list", "empty", "wrong-type", "deep", "huge-int", "torn", "not-utf8"],
)
def test_a_settings_file_that_does_not_fit_is_refused(ref: Run, here: Path, text: str, why: str) -> None:
    out = _copy(ref, here, ref.lines[:3])
    (out / tn.SETTINGS_FILE).write_bytes(text.encode("utf-8", "surrogateescape"))
    _refused(ref.tune(BUDGET, "--resume"), "cannot resume", why)
    assert (out / tn.TRIALS_FILE).read_bytes() == b"".join(ref.lines[:3])


def test_a_settings_value_of_another_type_is_refused(ref: Run, here: Path) -> None:
    out = _copy(ref, here, ref.lines[:3])
    settings = json.loads((out / tn.SETTINGS_FILE).read_text(encoding="utf-8"))
    (out / tn.SETTINGS_FILE).write_text(json.dumps({**settings, "games": 4.0}), encoding="utf-8")
    _refused(ref.tune(BUDGET, "--resume"), "other settings", '"games"')


def test_a_json_lines_file_refuses_deep_nesting_and_long_integers(tmp_path: Path) -> None:
    class Bad(Exception):
        pass

    for data, why in [
        (b"[" * 100 + b"]" * 100 + b"\n", "nested deeper than"),
        (b"1" * 5000 + b"\n", "integer of more than"),
    ]:
        with pytest.raises(Bad, match=f"x.jsonl:1: .*{why}"):
            parse_lines(data, tmp_path / "x.jsonl", Bad, lambda line: None)


# --- fuzzing ------------------------------------------------------------------------------------------


def _mutations() -> st.SearchStrategy[tuple[str, Any]]:
    """What may happen to a run's files: truncated, a line repeated, dropped or moved, a value flipped,
    junk injected; or tune.json replaced. (A measured figure of a line that does not win is not among
    them: only a replay can check it, and only the winner is replayed.)"""
    junk = st.one_of(
        st.binary(max_size=12),
        st.sampled_from([b"\n", b"{}\n", b"[]\n", b"null\n", b'{"number": 0}\n', b"[" * 60 + b"\n", b"9" * 40]),
    )
    scalar = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 14),
        st.integers(10**30, 10**31),
        st.floats(allow_nan=False),
        st.text(max_size=4),
        st.just([[[]]]),
    )
    top = st.sampled_from(["number", "phase", "loss", "objective", "met", "cached", "fingerprint", "values"])
    return st.one_of(
        st.tuples(st.just("truncate"), st.integers(0, 10**6)),
        st.tuples(st.just("repeat"), st.integers(0, 100)),
        st.tuples(st.just("drop"), st.integers(0, 100)),
        st.tuples(st.just("move"), st.tuples(st.integers(0, 100), st.integers(0, 100))),
        st.tuples(st.just("flip"), st.tuples(st.integers(0, 100), top, scalar)),
        st.tuples(st.just("param"), st.tuples(st.integers(0, 100), st.sampled_from(["rounds.count", "x"]), scalar)),
        st.tuples(st.just("junk"), st.tuples(st.integers(0, 10**6), junk)),
        st.tuples(
            st.just("settings"),
            st.sampled_from(["[]", "{}", '{"seed": 0}', "[" * 100, '{"games": 1' + "0" * 4400 + "}", "null", '"x"']),
        ),
    )


def _mutate(lines: list[bytes], settings: bytes, how: tuple[str, Any]) -> tuple[bytes, bytes]:
    kind, arg = how
    data = b"".join(lines)
    n = len(lines)
    if kind == "truncate":
        return data[: arg % (len(data) + 1)], settings
    if kind == "settings":
        return data, arg.encode()
    if kind == "junk":
        at, text = arg
        at %= len(data) + 1
        return data[:at] + text + data[at:], settings
    out = list(lines)
    if kind == "repeat":
        out.insert(arg % n, lines[arg % n])
    elif kind == "drop":
        del out[arg % n]
    elif kind == "move":
        out.insert(arg[1] % n, out.pop(arg[0] % n))
    else:
        i, key, value = arg
        doc = _doc(lines[i % n])
        if kind == "flip":
            doc[key] = value
        else:
            doc["values"][key] = value
        out[i % n] = (json.dumps(doc, sort_keys=True) + "\n").encode()
    return b"".join(out), settings


def _resume_identically_or_refuse(ref: Run, here: Path, how: tuple[str, Any]) -> None:
    out = here / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    data, settings = _mutate(ref.lines, (ref.folder / "out" / tn.SETTINGS_FILE).read_bytes(), how)
    (out / tn.SETTINGS_FILE).write_bytes(settings)
    (out / tn.TRIALS_FILE).write_bytes(data)
    res = ref.tune(BUDGET, "--resume")
    assert isinstance(res.exception, SystemExit) or res.exception is None, res.output
    assert "Traceback" not in res.output
    if res.exit_code == ref.exit_code and (out / "best.toml").exists():
        _same_as(ref, res, out)
    else:
        _refused(res)
        assert not (out / "best.toml").exists()


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=_mutations())
def test_fuzzed_files_resume_identically_or_are_refused_in_one_line(ref: Run, here: Path, how: tuple[str, Any]) -> None:
    _resume_identically_or_refuse(ref, here, how)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=_mutations())
def test_fuzzed_files_resume_identically_or_are_refused_in_one_line_soak(
    ref: Run, here: Path, how: tuple[str, Any]
) -> None:
    _resume_identically_or_refuse(ref, here, how)


# --- a real kill -----------------------------------------------------------------------------------------


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return -1


@pytest.mark.slow
@pytest.mark.parametrize("at", [0, 2, 11, 13, 99])
def test_a_tune_killed_with_sigkill_resumes_to_the_uninterrupted_run(ref: Run, here: Path, at: int) -> None:
    """Killed (SIGKILL, no clean-up) once ``at`` lines are on disk (99: once best.toml is), then resumed."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    cmd = [sys.executable, "-m", "summitgame", *ARGS, "--budget", str(BUDGET), "--seed", str(ref.seed), "--out", "out"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trials, best = here / "out" / tn.TRIALS_FILE, here / "out" / "best.toml"
    give_up = time.monotonic() + 300  # a hang guard only
    while proc.poll() is None and time.monotonic() < give_up:
        if best.exists() if at == 99 else _lines(trials) >= at:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    resumed = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == ref.exit_code, resumed.stderr
    assert resumed.stdout == ref.stdout
    for f in FILES:
        assert (here / "out" / f).read_bytes() == ref.files[f], f


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_trials_file_that_is_not_a_regular_file_is_refused(ref: Run, here: Path, kind: str) -> None:
    out = _copy(ref, here, [])
    (out / tn.TRIALS_FILE).unlink()
    if kind == "folder":
        (out / tn.TRIALS_FILE).mkdir()
    else:
        os.mkfifo(out / tn.TRIALS_FILE)
    _refused(ref.tune(BUDGET, "--resume"), "trials.jsonl: ")


def test_digits_spliced_into_a_stored_number_are_refused_or_resume_identically(ref: Run, here: Path) -> None:
    """Found by the fuzzed test above: forty 9s pasted into a line of trials.jsonl left valid JSON."""
    _resume_identically_or_refuse(ref, here, ("junk", (842, b"9" * 40)))
