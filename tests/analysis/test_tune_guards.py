"""Tune guardrails (issue 15): ``[tune] symmetric`` in the targets file locks parameters together; the winner
file is named as tuned and carries a ``#:schema`` line; a warning, in text and JSON, when the winner meets its
targets by making one side fragile or by cutting the game short; a locked tune resumes to what an
uninterrupted one writes."""

from __future__ import annotations

import functools
import json
import random
import shutil
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CLASSIC_PATH
from summitgame.analysis import balance as bal
from summitgame.analysis import tune as tn
from summitgame.analysis.metrics import GameMetrics, game_metrics
from summitgame.analysis.targets import Targets, targets_from_text
from summitgame.cli import cli
from summitgame.engine import apply_unchecked, legal_actions, new_game
from summitgame.errors import RulesError
from summitgame.rules.loader import load_rules
from summitgame.rules.params import Span
from summitgame.runs.jsonlines import seal, unsealed
from summitgame.runs.options import RunOptions
from summitgame.runs.records import record_of

RULES = load_rules()
WALKOUTS = ("meters.pressure.walkout_at.washington", "meters.pressure.walkout_at.moscow")
LOCK = '[tune]\nsymmetric = ["meters.pressure.walkout_at.*"]\n'


def targets(text: str) -> Targets:
    return targets_from_text(text, RULES, "t.toml")


def dims(*wanted: tuple[str, Span | None], overrides: tuple[str, ...] = ()) -> list[tn.Dimension]:
    return tn.dimensions(None, overrides, list(wanted))


def problems(exc: pytest.ExceptionInfo[RulesError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --- the lock: which parameters, and what is refused ------------------------------------------------------


def test_a_glob_star_stays_within_one_segment_and_brackets_are_literal() -> None:
    walk = tn._glob("meters.pressure.walkout_at.*")
    assert all(walk.match(k) for k in WALKOUTS)
    assert not walk.match("meters.pressure.walkout_at") and not walk.match("meters.pressure.walkout_at.a.b")
    gates = tn._glob("tracks.*.gate.at_least")
    assert [k for k in RULES.spec.tunable if gates.match(k)] == [
        "tracks.ukraine.gate.at_least",
        "tracks.cyber.gate.at_least",
    ]
    assert tn._glob("proposals.cap[*].steps").match("proposals.cap[0].steps")
    assert not tn._glob("proposals.cap[*].steps").match("proposals.capX0].steps")


def test_a_lock_groups_the_tuned_parameters_it_matches() -> None:
    every = dims(*[(k, None) for k in RULES.spec.tunable])
    tg = targets('failed = "<= 50%"\n[tune]\nsymmetric = ["meters.pressure.walkout_at.*", "tracks.*.gate.at_least"]\n')
    got = tn.locks(every, tg, list(RULES.spec.tunable))
    assert got == {
        "meters.pressure.walkout_at.*": WALKOUTS,
        "tracks.*.gate.at_least": ("tracks.ukraine.gate.at_least", "tracks.cyber.gate.at_least"),
    }
    # a tune that leaves every locked parameter alone has nothing to lock
    assert tn.locks(dims(("rounds.count", None)), targets('failed = "<= 50%"\n' + LOCK), list(RULES.spec.tunable)) == {}


@pytest.mark.parametrize(
    ("symmetric", "tuned", "message"),
    [
        (
            '["meters.presure.walkout_at.*"]',
            WALKOUTS,
            "t.toml:4: tune.symmetric[0]: 'meters.presure.walkout_at.*' matches no tunable parameter (tunable: ",
        ),
        (
            '["meters.pressure.walkout_at.*"]',
            (f"{WALKOUTS[0]}=4..10", WALKOUTS[1]),
            "t.toml:4: tune.symmetric[0]: 'meters.pressure.walkout_at.*' locks parameters searched over different "
            f"ranges ({WALKOUTS[0]} 4..10, {WALKOUTS[1]} 4..12): give them one range",
        ),
        (
            '["meters.pressure.walkout_at.*"]',
            (WALKOUTS[0],),
            f"t.toml:4: tune.symmetric[0]: 'meters.pressure.walkout_at.*' locks {WALKOUTS[0]} with {WALKOUTS[1]}, "
            "which this tune leaves alone: tune them all (--param) or none",
        ),
        (
            '["meters.pressure.walkout_at.*", "meters.pressure.walkout_at.mos*"]',
            WALKOUTS,
            f"t.toml:4: tune.symmetric[1]: 'meters.pressure.walkout_at.mos*' takes {WALKOUTS[1]}, which "
            "'meters.pressure.walkout_at.*' locks already",
        ),
    ],
)
def test_a_lock_that_does_not_fit_is_refused_naming_the_file_and_glob(
    symmetric: str, tuned: tuple[str, ...], message: str
) -> None:
    tg = targets(f'failed = "<= 50%"\n\n[tune]\nsymmetric = {symmetric}\n')
    wanted = [(k.split("=")[0], Span(4, 10) if "=" in k else None) for k in tuned]
    with pytest.raises(RulesError) as exc:
        tn.locks(dims(*wanted), tg, list(RULES.spec.tunable))
    assert len(problems(exc)) == 1 and problems(exc)[0].startswith(message), problems(exc)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("tune = 3\n", "t.toml:2: tune: must be a table: [tune] with symmetric"),
        ('[tune]\nsymmetric = "meters.*"\n', "t.toml:3: tune.symmetric: must be a list of key-path globs"),
        ("[tune]\nsymmetric = [1]\n", "t.toml:3: tune.symmetric[0]: must be a key-path glob"),
        ("[tune]\nlock = []\n", "t.toml:3: tune.lock: unknown setting; settings are symmetric"),
    ],
)
def test_a_wrong_tune_table_is_refused_with_its_line(table: str, message: str) -> None:
    with pytest.raises(RulesError) as exc:
        targets('failed = "<= 50%"\n' + table)
    assert len(problems(exc)) == 1 and problems(exc)[0].startswith(message), problems(exc)


def test_a_tune_table_is_read_beside_the_targets() -> None:
    tg = targets('failed = "<= 50%"\n' + LOCK)
    assert [t.name for t in tg.targets] == ["failed"] and tg.symmetric == ("meters.pressure.walkout_at.*",)


# --- the lock in the search and the trim ---------------------------------------------------------------------


def _tuning(text: str, wanted: list[tuple[str, Span | None]], overrides: tuple[str, ...] = ()) -> tn.Tuning:
    tg = targets(text)
    ds = dims(*wanted, overrides=overrides)
    players = bal.players_for(["greedy:lead=0,their_lead=0,infer=0"])  # summits that end in their last round
    return tn.Tuning(None, overrides, ds, tg, players, 4, 0, RunOptions(1), locks=tn.locks(ds, tg))


def test_every_candidate_gives_locked_parameters_one_value_and_the_trim_puts_them_back_together(
    tmp_path: Path,
) -> None:
    tuning = _tuning(
        'median_end_round = "== 9"\n' + LOCK, [("rounds.count", Span(1, 12)), *[(k, None) for k in WALKOUTS]]
    )
    store = tn.Store(tmp_path / "out", {"x": 1}, resume=False)
    searched = tn.search(tuning, store, 6)
    assert searched[0].values == {"rounds.count": 6, WALKOUTS[0]: 12, WALKOUTS[1]: 12}  # the current rules first
    assert all(t.values[WALKOUTS[0]] == t.values[WALKOUTS[1]] for t in searched)
    assert len({t.values[WALKOUTS[0]] for t in searched}) > 1  # the group moves, as one
    # a winner that changed both: the trim puts the group back in one candidate, never one member alone
    best = tuning.play({"rounds.count": 9, WALKOUTS[0]: 10, WALKOUTS[1]: 10}, len(store.trials), "search")
    assert best.met
    tn.trim(tuning, store, best)
    trims = [t for t in store.trials if t.phase == "trim"]
    assert {WALKOUTS[0]: 12, WALKOUTS[1]: 12}.items() <= trims[0].values.items()
    assert all(t.values[WALKOUTS[0]] == t.values[WALKOUTS[1]] for t in trims)
    store.close()


def test_locked_parameters_that_differ_now_leave_the_current_rules_out(tmp_path: Path) -> None:
    tuning = _tuning(
        'median_end_round = "== 9"\n' + LOCK,
        [("rounds.count", Span(1, 12)), *[(k, None) for k in WALKOUTS]],
        overrides=(f"{WALKOUTS[1]}=9",),
    )
    store = tn.Store(tmp_path / "out", {"x": 1}, resume=False)
    searched = tn.search(tuning, store, 3)
    store.close()
    assert all(t.values[WALKOUTS[0]] == t.values[WALKOUTS[1]] for t in searched)  # 12 and 9 is no candidate


def test_a_locked_group_counts_once_in_the_size_of_the_space(tmp_path: Path) -> None:
    tuning = _tuning('median_end_round = "== 9"\n' + LOCK, [(k, Span(11, 12)) for k in WALKOUTS])
    assert tn.space_size(tuning.dims) == 4  # unlocked: 2 x 2
    store = tn.Store(tmp_path / "out", {"x": 1}, resume=False)
    searched = tn.search(tuning, store, 5)
    store.close()
    # locked, the space holds 2 candidates: the search stops once both are seen, not after 20 asks a candidate
    assert {t.values[WALKOUTS[0]] for t in searched} == {11, 12} and len(searched) < 10


# --- warnings: one side made fragile, a game cut short ---------------------------------------------------------


@functools.cache
def a_game() -> GameMetrics:
    """One random summit's measures, the model the games below are made from."""
    s = new_game(RULES, 3)
    pick = random.Random(3).choice
    while s.to_move >= 0:
        s = apply_unchecked(s, pick(legal_actions(s)))
    return game_metrics(record_of(s), RULES, 0)


def games_of(
    g: GameMetrics, n: int, walkouts: dict[str, int] | None = None, rounds: list[int] | None = None
) -> list[GameMetrics]:
    """``n`` games like ``g``: the first ``walkouts[role]`` walked out by each role in turn, ending in ``rounds``."""
    who = [r for r, k in (walkouts or {}).items() for _ in range(k)]
    ends = rounds or [6] * n
    return [
        replace(
            g,
            index=i,
            walkouts=(who[i],) if i < len(who) else (),
            reason="walkout" if i < len(who) else "last_round",
            rounds=ends[i],
        )
        for i in range(n)
    ]


def kinds(ws: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(w["kind"], w.get("role")) for w in ws]


@pytest.mark.parametrize(
    ("walkouts", "n", "warned"),
    [
        ({"moscow": 20, "washington": 5}, 100, [("one_sided_walkouts", "moscow")]),
        ({"washington": 9, "moscow": 1}, 100, [("one_sided_walkouts", "washington")]),
        ({"moscow": 20, "washington": 12}, 100, []),  # not twice as often
        ({"moscow": 3, "washington": 0}, 100, []),  # too rare to matter (under 5% of games)
        ({"moscow": 2, "washington": 0}, 4, []),  # twice as often, but two games prove nothing
        ({}, 100, []),
    ],
)
def test_one_sided_walkouts_are_warned_of(walkouts: dict[str, int], n: int, warned: list[tuple[str, str]]) -> None:
    ws = tn.guard_warnings(RULES, games_of(a_game(), n, walkouts), 6)
    assert kinds(ws) == warned
    if ws:
        r = str(ws[0]["role"])
        name = dict(zip(RULES.roles, RULES.role_names, strict=True))[r]
        assert f"one side is fragile: {name} walks out in {100 * walkouts[r] / n:.1f}% of games" in str(
            ws[0]["message"]
        )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 80))
def test_the_fragile_side_warning_mirrors_with_the_roles(a: int, b: int, more: int) -> None:
    g = a_game()
    n = a + b + more
    if not n:
        return
    one = kinds(tn.guard_warnings(RULES, games_of(g, n, {"washington": a, "moscow": b}), 6))
    other = kinds(tn.guard_warnings(RULES, games_of(g, n, {"moscow": a, "washington": b}), 6))
    swap = {"washington": "moscow", "moscow": "washington"}
    assert other == [(k, swap[str(r)]) for k, r in one] and len(one) <= 1
    if one:
        k, j = (a, b) if one[0][1] == "washington" else (b, a)
        assert k > 2 * j and k >= 0.05 * n


@pytest.mark.parametrize(
    ("rounds", "current", "warned"),
    [
        ([2] * 10, 6, True),
        ([1] * 6 + [6] * 4, 6, True),
        ([2] * 6 + [6] * 5, 6, True),  # most games over by round 2
        ([2] * 5 + [6] * 5, 6, False),  # half of them: the median is 4
        ([1] * 4 + [6] * 6, 6, False),
        ([2] * 10, 2, False),  # the current rules last two rounds: nothing was shortened
        ([5, 6, 6, 6], 6, False),
    ],
)
def test_a_game_cut_short_is_warned_of(rounds: list[int], current: int, warned: bool) -> None:
    ws = tn.guard_warnings(RULES, games_of(a_game(), len(rounds), rounds=rounds), current)
    assert ("short_games" in [w["kind"] for w in ws]) == warned


# --- the command: the winner file, the warnings in text and JSON, a locked tune resumed ----------------------


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_winner_is_named_carries_a_schema_line_and_warns_of_a_game_cut_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.toml").write_text('median_end_round = "<= 2"\n[run]\ngames = 8\nagents = ["greedy"]\n', encoding="utf-8")
    args = ["tune", "--targets", "t.toml", "--param", "rounds.count=1..3", "--budget", 3]
    res = invoke(*args, "--out", "a", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["met"] and [w["kind"] for w in doc["warnings"]] == ["short_games"]
    w = doc["warnings"][0]
    assert w["median_end_round"] <= 2 and "the game is cut short: median end round" in w["message"]
    text = invoke(*args, "--out", "b")
    assert text.exit_code == 0, text.output
    assert "  warning: the game is cut short: median end round" in text.stdout
    best = Path("a", "best.toml").read_text(encoding="utf-8")
    assert best.startswith("#:schema ./summitgame-rules-partial.schema.json\n")
    assert load_rules(Path("a", "best.toml")).name == "Summit (tuned for t.toml)"
    schema = Path("a", tn.SCHEMA_FILE).read_text(encoding="utf-8")
    assert schema == invoke("schema", "rules-partial").stdout  # what `summitgame schema` gives
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator(json.loads(schema)).validate(tomllib.loads(best))


def test_a_lock_matching_nothing_is_refused_in_one_line_before_any_game(tmp_path: Path) -> None:
    targets_file = tmp_path / "t.toml"
    targets_file.write_text('failed = "<= 50%"\n[tune]\nsymmetric = ["meters.pressure.walkout.*"]\n', encoding="utf-8")
    res = invoke("tune", "--targets", targets_file, "--budget", 2, "-n", 2, "--out", tmp_path / "o")
    assert res.exit_code == 1 and "Traceback" not in res.output
    errors = [ln for ln in res.stderr.splitlines() if "tune.symmetric" in ln]
    assert len(errors) == 1 and "'meters.pressure.walkout.*' matches no tunable parameter" in errors[0], res.stderr
    assert not (tmp_path / "o").exists()


LOCKED = 'median_end_round = "== 10"\nfailed = "<= 50%"\n[run]\ngames = 4\nagents = ["greedy:lead=2,infer=0"]\n' + LOCK
LOCKED_ARGS = ["tune", "--rules", str(CLASSIC_PATH), "--targets", "t.toml", "--param", "rounds.count=1..12"]
LOCKED_ARGS += [a for k in WALKOUTS for a in ("--param", k)] + ["--budget", "8", "--out", "out"]
OUTPUTS = ("trials.jsonl", "best.toml", "best-balance.json", "best-balance.txt", tn.SCHEMA_FILE)


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """An uninterrupted locked tune, in a folder at the depth of each test's own."""
    folder = tmp_path_factory.mktemp("locked")
    (folder / "t.toml").write_text(LOCKED, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        res = CliRunner().invoke(cli, LOCKED_ARGS)
    return folder, res


def _resume_from(locked: tuple[Path, Result], here: Path, lines: list[bytes]) -> Result:
    folder, _ = locked
    (here / "t.toml").write_text(LOCKED, encoding="utf-8")
    (here / "out").mkdir()
    shutil.copy(folder / "out" / tn.SETTINGS_FILE, here / "out" / tn.SETTINGS_FILE)
    (here / "out" / tn.TRIALS_FILE).write_bytes(b"".join(lines))
    return CliRunner().invoke(cli, [*LOCKED_ARGS, "--resume"])


@pytest.mark.parametrize("cut", [3, -1])
def test_a_locked_tune_cut_short_resumes_to_what_an_uninterrupted_one_writes(
    locked: tuple[Path, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int
) -> None:
    folder, ref = locked
    assert len(tmp_path.parts) == len(folder.parts)  # best.toml's relative extends is the same
    assert ref.exit_code in (0, 1), ref.output
    settings_doc = json.loads((folder / "out" / tn.SETTINGS_FILE).read_text(encoding="utf-8"))
    assert settings_doc["symmetric"] == {"meters.pressure.walkout_at.*": list(WALKOUTS)}
    lines = (folder / "out" / tn.TRIALS_FILE).read_bytes().splitlines(keepends=True)
    assert all(json.loads(ln)["values"][WALKOUTS[0]] == json.loads(ln)["values"][WALKOUTS[1]] for ln in lines)
    monkeypatch.chdir(tmp_path)
    res = _resume_from(locked, tmp_path, lines[:cut])
    assert res.exit_code == ref.exit_code, res.output
    assert res.stdout == ref.stdout
    for f in OUTPUTS:
        assert (tmp_path / "out" / f).read_bytes() == (folder / "out" / f).read_bytes(), f


def test_a_stored_line_breaking_the_lock_is_refused_with_its_line_number(
    locked: tuple[Path, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = locked
    lines = (folder / "out" / tn.TRIALS_FILE).read_bytes().splitlines(keepends=True)
    doc = unsealed(json.loads(lines[1]))
    doc["values"][WALKOUTS[1]] = 4 if doc["values"][WALKOUTS[0]] != 4 else 5
    lines[1] = (seal(json.dumps(doc)) + "\n").encode()  # forged with a fresh checksum: the lock check meets it
    monkeypatch.chdir(tmp_path)
    res = _resume_from(locked, tmp_path, lines[:3])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert (
        "trials.jsonl:2: different values for the parameters 'meters.pressure.walkout_at.*' locks together"
        in res.stderr
    )


def test_a_winner_that_is_the_current_rules_and_misses_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.toml").write_text('median_end_round = ">= 20"\n[run]\ngames = 4\nagents = ["greedy"]\n', encoding="utf-8")
    res = invoke("tune", "--targets", "t.toml", "--param", "rounds.count=6..6", "--budget", 2, "--out", "out")
    assert res.exit_code == 1, res.output  # no candidate meets the targets
    assert "  no change: the current rules are the closest found" in res.stdout
    assert "no change needed" not in res.stdout  # it was: "the current rules meet the targets", which they do not


def test_a_point_sampled_again_is_shown_as_again_not_under_a_candidate_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sampler proposes seen points again (four points, a budget of four); each is answered from the store,
    not counted, and was shown under the last candidate's number ("candidate 2/4" three times)."""
    monkeypatch.chdir(tmp_path)
    Path("t.toml").write_text('median_end_round = ">= 20"\n[run]\ngames = 4\nagents = ["greedy"]\n', encoding="utf-8")
    args = ("--param", "rounds.count=5..6", "--param", "hands.size=2..3", "--budget", 4, "--out", "out")
    res = invoke("tune", "--targets", "t.toml", *args)
    lines = res.stderr.splitlines()
    numbered = [line.split(":")[0] for line in lines if line.startswith("candidate ")]
    assert numbered == ["candidate 1/4", "candidate 2/4", "candidate 3/4", "candidate 4/4"], res.stderr
    again = [line for line in lines if line.startswith("again: ")]
    assert again and all(line.endswith("(seen before, not counted)") for line in again)
