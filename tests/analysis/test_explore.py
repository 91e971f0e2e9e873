"""Designer exploration: measures, targets, sweeps, sensitivity and tunes (issue #6)."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from conftest import CLASSIC_PATH
from summitgame.analysis import balance as bal
from summitgame.analysis import sweep as sw
from summitgame.analysis import tune as tn
from summitgame.analysis.measures import default_names, median_ci, readers
from summitgame.analysis.targets import Target, check, load_targets, parse_target, targets_from_text, total_loss
from summitgame.cli import cli
from summitgame.errors import RulesError
from summitgame.rules.loader import load_rules
from summitgame.rules.params import Span, parse_grid
from summitgame.runs.options import RunOptions

RULES = load_rules()


def run(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def games() -> list[Any]:
    players = bal.players_for(["greedy", "random"])
    return bal.simulate(RULES, players, bal.plan_for(RULES, players, 40, 3)).games


# --- measures ------------------------------------------------------------------------------------


def test_measures_agree_with_the_games(games: list[Any]) -> None:
    table = readers(RULES)
    n = len(games)
    failed = table["failed"](games)
    assert failed.kind == "rate" and failed.n == n
    assert failed.value == pytest.approx(sum(g.tier == "failed" for g in games) / n)
    assert failed.low <= failed.value <= failed.high
    gap = table["role_gap"](games)
    assert gap.value == pytest.approx(abs(statistics.fmean(g.scores["washington"] - g.scores["moscow"] for g in games)))
    assert gap.unit == "points" and 0 <= gap.low <= gap.value <= gap.high
    med = table["median_end_round"](games)
    assert med.value == statistics.median(g.rounds for g in games) and med.unit == "rounds"
    assert table["median:offers"](games).value == statistics.median(g.offers for g in games)
    assert set(default_names(RULES)) <= set(table)


def test_median_interval_brackets_the_median() -> None:
    xs = [float(i) for i in range(101)]
    e = median_ci(xs)
    assert e.value == 50 and e.low < 50 < e.high
    assert e.low >= 38 and e.high <= 62
    assert math.isnan(median_ci([]).value)


# --- targets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate", "unit", "inside", "outside"),
    [
        ("15%..35%", True, "", [0.15, 0.2, 0.35], [0.149, 0.36]),
        ("0.15..0.35", True, "", [0.15, 0.35], [0.1]),
        ("< 3 points", False, "points", [2.99, -1], [3, 4]),
        ("<= 3", False, "points", [3], [3.01]),
        (">= 5", False, "rounds", [5, 6], [4.99]),
        ("> 5 rounds", False, "rounds", [5.01], [5]),
        ("== 7", False, "rounds", [7], [6.99, 7.01]),
        ("4..6 rounds", False, "rounds", [4, 6], [3, 7]),
    ],
)
def test_target_forms(text: str, rate: bool, unit: str, inside: list[float], outside: list[float]) -> None:
    t = parse_target("x", text, rate, unit)
    for v in inside:
        assert t.holds(v) and t.miss(v) == 0 and t.loss(v) == 0
    for v in outside:
        assert not t.holds(v) and t.loss(v) > 0


def test_target_miss_and_loss_scale() -> None:
    t = parse_target("failed", "15%..35%", True, "")
    assert t.miss(0.45) == pytest.approx(0.10) and t.loss(0.45) == pytest.approx(2.0)  # per 5 points
    u = parse_target("role_gap", "< 3 points", False, "points")
    assert u.miss(4.5) == pytest.approx(1.5) and u.loss(4.5) == pytest.approx(1.5)
    assert 0 < u.loss(3.0) < 1e-6  # exactly on an excluded end is a (tiny) miss
    assert t.describe() == "15%..35%" and u.describe() == "< 3 points"


@pytest.mark.parametrize(
    ("text", "rate", "unit", "message"),
    [
        ("15..35", True, "", "write 15% or a fraction"),
        ("< 3%", False, "points", "not a rate"),
        ("< 3 rounds", False, "points", "measure is in points"),
        ("< 3 parsecs", False, "points", "unknown unit"),
        ("35%..15%", True, "", "low end is above"),
        ("about 3", False, "", "expected LOW..HIGH"),
    ],
)
def test_bad_targets_say_what_is_wrong(text: str, rate: bool, unit: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_target("x", text, rate, unit)


def test_targets_file_problems_name_file_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        '# balance targets\nfailed = "15%..35%"\nrole_gapp = "< 3"\nrounds = 5\n[run]\ngames = 1\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as err:
        load_targets(path, RULES)
    got = {p.path: (p.line, p.message) for p in err.value.problems}
    assert got["role_gapp"][0] == 3 and "did you mean role_gap" in got["role_gapp"][1]
    assert got["rounds"][0] == 4 and "must be a string" in got["rounds"][1]
    assert "at least 2 games" in got["run.games"][1]
    assert "unknown setting" in got["run.colour"][1]
    assert all(p.file.endswith("targets.toml") for p in err.value.problems)


def test_check_marks_met_missed_and_borderline(games: list[Any]) -> None:
    table = readers(RULES)
    failed = table["failed"](games)
    tg = targets_from_text(
        f'failed = "<= {100 * failed.high + 1:.1f}%"\nrole_gap = "> 1000 points"\n'
        f'"tier:failed" = "<= {100 * failed.value + 1e-6:.6f}%"\n',
        RULES,
    )
    verdicts = check(tg, {n: table[n](games) for n in ("failed", "role_gap", "tier:failed")})
    assert [v.met for v in verdicts] == [True, False, True]
    assert not verdicts[0].borderline
    assert verdicts[2].borderline  # met, but the interval reaches past the bound
    assert verdicts[1].loss > 900
    assert total_loss(verdicts) == pytest.approx(sum(v.loss for v in verdicts))


def test_targets_command_exit_status(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('median_end_round = "1..12"\nfailed = "<= 100%"\n[run]\ngames = 8\nagents = ["greedy"]\n', "utf-8")
    res = run("targets", good)
    assert res.exit_code == 0, res.output
    assert "2 of 2 met" in res.output
    bad = tmp_path / "bad.toml"
    bad.write_text('median_end_round = "> 12"\n[run]\ngames = 8\nagents = ["greedy"]\n', "utf-8")
    res = run("targets", bad, "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["met"] is False and doc["verdicts"][0]["met"] is False
    assert "1 of 1 target missed" in res.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text('faild = "10%..20%"\n', "utf-8")
    res = run("targets", broken)
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "broken.toml:1: faild: no measure named 'faild'; did you mean failed" in res.stderr


# --- sweep ---------------------------------------------------------------------------------------


def test_sweep_checks_every_point_before_playing() -> None:
    res = run("sweep", "--param", "meters.trust.start=4..8", "--param", "rounds.count=6", "-n", 4)
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert (
        "--param meters.trust.start=7: meters.trust.start: 7 is outside the range the rules allow (1..6" in res.stderr
    )
    assert "--param meters.trust.start=8:" in res.stderr
    res = run("sweep", "--param", "meters.trust.strat=1..2", "-n", 4)
    assert (
        res.exit_code == 1
        and "meters.trust.strat: names no value of the rules: meters.trust has no 'strat'; did you mean "
        "'meters.trust.start'?"
        in res.stderr
    )
    res = run("sweep", "--param", "meters.trust.start=3..1", "-n", 4)
    assert res.exit_code == 1 and "low end 3 is above the high end 1" in res.stderr
    res = run("sweep", "--param", "meters.trust.start=1..2", "--measure", "nope", "-n", 4)
    assert res.exit_code == 1 and "no measure named 'nope'" in res.stderr


@pytest.mark.slow
def test_sweep_json_is_the_same_on_any_worker_count() -> None:
    args = ["sweep", "--param", "meters.trust.start=3,4", "--param", "rounds.count=5..6", "-n", 8, "--agents", "greedy"]
    one = run(*args, "--json")
    two = run(*args, "--json", "--workers", 2)
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout
    doc = json.loads(one.stdout)
    assert [p["values"] for p in doc["points"]] == [
        {"meters.trust.start": 3, "rounds.count": 5},
        {"meters.trust.start": 3, "rounds.count": 6},
        {"meters.trust.start": 4, "rounds.count": 5},
        {"meters.trust.start": 4, "rounds.count": 6},
    ]
    assert doc["params"][0]["allowed"] == [1, 6]
    # the point at the current values (trust 3, 6 rounds) plays exactly what balance plays under the current rules
    players = bal.players_for(["greedy"])
    base = bal.simulate(RULES, players, bal.plan_for(RULES, players, 8, 0)).games
    here = readers(RULES)["median_end_round"](base).as_dict()
    assert doc["points"][1]["measures"]["median_end_round"] == {**here, "kind": "number", "unit": "rounds"}


def test_sweep_table_shows_each_point() -> None:
    # (summits this short run their full length with greedy: the longest ones may end early in a walk-out)
    res = run("sweep", "--param", "rounds.count=3,5", "-n", 8, "--agents", "greedy", "--measure", "median_end_round")
    assert res.exit_code == 0, res.output
    rows = [ln.split() for ln in res.stdout.splitlines() if ln.strip().startswith(("3 ", "5 "))]
    assert [r[:2] for r in rows] == [["3", "3.00"], ["5", "5.00"]]
    assert "reproduce: summitgame sweep --param=rounds.count=3,5" in res.stdout


def test_sensitivity_measures_the_effect_per_step() -> None:
    # the first edition, where the self-play summits of greedy as it was (lead 2, no agenda reading) run to
    # their last round whatever their length
    found = sw.probes(CLASSIC_PATH, (), ["rounds.count", "meters.trust.breakdown_at"], {"rounds.count": 2})
    current = sw.Point({}, load_rules(CLASSIC_PATH))
    players = bal.players_for(["greedy:lead=2,infer=0"])
    sw.run_sensitivity(
        current, found, sw.Sweep(players, 8, 0, ["median_end_round", "end_round", "failed"], RunOptions(1))
    )
    doc = sw.sensitivity_report(current, found, players, ["median_end_round", "end_round", "failed"], 8, 0, "cmd")
    rows = {r["path"]: r for r in doc["params"]}
    rc = rows["rounds.count"]
    assert (rc["down"], rc["up"], rc["step"]) == (4, 8, 2)
    assert rc["effects"]["median_end_round"]["value"] == pytest.approx(1.0)  # one round per round
    assert rc["effects"]["end_round"]["paired"] is True
    bd = rows["meters.trust.breakdown_at"]
    assert bd["down"] is None and bd["up"] == 1
    assert any("down (-1)" in s for s in bd["skipped"])
    assert doc["params"][0]["path"] == "rounds.count"  # the strongest first
    assert doc["ranking"]["median_end_round"][0] == "rounds.count"


def test_sensitivity_defaults_to_every_tunable_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real = sw.probes

    def spy(rules_path: Any, overrides: Any, keys: list[str], steps: Any) -> list[sw.Probe]:
        seen.append(list(keys))
        return real(rules_path, overrides, keys[:2], steps)

    monkeypatch.setattr(sw, "probes", spy)
    res = run("sweep", "--sensitivity", "-n", 4, "--agents", "greedy")
    assert res.exit_code == 0, res.output
    assert seen == [list(RULES.spec.tunable)]


# --- tune ----------------------------------------------------------------------------------------


def _tuning(tmp: Path, targets: str, params: list[tuple[str, Span | None]], budget: int = 8) -> tuple[tn.Tuning, Path]:
    tpath = tmp / "targets.toml"
    tpath.write_text(targets, encoding="utf-8")
    tg = load_targets(tpath, RULES)
    dims = tn.dimensions(None, (), params)
    # greedy that weighs no lead deals in every self-play summit, so the summit ends in its last round: the
    # median end round is ``rounds.count``, a toy measure whose answer is known
    players = bal.players_for(["greedy:lead=0,their_lead=0,infer=0"])
    return tn.Tuning(None, (), dims, tg, players, 8, 0, RunOptions(1)), tpath


SETTINGS = {"x": 1}


def test_tune_finds_a_value_that_meets_a_toy_target(tmp_path: Path) -> None:
    tuning, _ = _tuning(tmp_path, 'median_end_round = "== 9"\n', [("rounds.count", Span(1, 12)), ("hands.size", None)])
    store = tn.Store(tmp_path / "out", SETTINGS, resume=False)
    tn.search(tuning, store, 15)
    best = tn.best_of(store.trials)
    assert best is not None and best.met and best.values["rounds.count"] == 9
    best = tn.trim(tuning, store, best)
    store.close()
    assert best.values["hands.size"] == RULES.spec.hands.size  # only what it must
    path, rules = tn.write_best(tuning, best, tmp_path / "out", "summitgame tune ...")
    text = path.read_text(encoding="utf-8")
    assert "[rounds]\ncount = 9\n" in text and "hands" not in text.split("extends")[1]
    assert rules.spec.rounds.count == 9 and rules.name == "Summit (tuned for targets.toml)"
    assert load_rules(path, ["name=Summit"]).fingerprint == best.fingerprint  # the winner's rules, renamed
    assert len([t for t in store.trials if t.phase == "search" and not t.cached]) <= 15


def test_tune_stops_at_once_when_the_current_rules_meet_the_targets(tmp_path: Path) -> None:
    tuning, _ = _tuning(tmp_path, 'median_end_round = "== 6"\n', [("rounds.count", Span(3, 9))])
    store = tn.Store(tmp_path / "out", SETTINGS, resume=False)
    tn.search(tuning, store, 10)
    store.close()
    assert len(store.trials) == 1 and store.trials[0].met and store.trials[0].values == {"rounds.count": 6}


class Interrupt(Exception):
    pass


@pytest.mark.slow
def test_an_interrupted_tune_resumes_to_the_same_trials(tmp_path: Path) -> None:
    targets = 'median_end_round = "== 10"\nfailed = "<= 50%"\n'
    params: list[tuple[str, Span | None]] = [("rounds.count", Span(1, 12)), ("meters.trust.start", None)]
    whole, _ = _tuning(tmp_path, targets, params)
    s1 = tn.Store(tmp_path / "whole", SETTINGS, resume=False)
    tn.search(whole, s1, 7)
    s1.close()

    part, _ = _tuning(tmp_path, targets, params)

    def stop(t: tn.Trial, played: int, budget: int) -> None:
        if played == 3:
            raise Interrupt

    part.progress = stop
    s2 = tn.Store(tmp_path / "part", SETTINGS, resume=False)
    with pytest.raises(Interrupt):
        tn.search(part, s2, 7)
    s2.close()
    with (tmp_path / "part" / tn.TRIALS_FILE).open("a", encoding="utf-8") as fh:
        fh.write('{"number": 9, "torn')  # a line cut short by the interruption
    with pytest.raises(tn.TuneError, match="already holds a tune"):
        tn.Store(tmp_path / "part", SETTINGS, resume=False)
    with pytest.raises(tn.TuneError, match="other settings"):
        tn.Store(tmp_path / "part", {"x": 2}, resume=True)
    again, _ = _tuning(tmp_path, targets, params)
    s3 = tn.Store(tmp_path / "part", SETTINGS, resume=True)
    assert len(s3.trials) == 3
    tn.search(again, s3, 7)
    s3.close()
    a = (tmp_path / "whole" / tn.TRIALS_FILE).read_text(encoding="utf-8")
    b = (tmp_path / "part" / tn.TRIALS_FILE).read_text(encoding="utf-8")
    assert a == b


def test_tune_ranges_are_checked(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as err:
        tn.dimensions(None, (), [("meters.trust.start", Span(0, 9)), ("rounds.first_initiative", None)])
    text = "\n".join(str(p) for p in err.value.problems)
    assert "reaches outside the range the rules allow (1..6)" in text
    assert "not a number" in text
    with pytest.raises(RulesError, match="whole-number ends"):
        tn.dimensions(None, (), [("rounds.count", Span(1.5, 4.5))])
    with pytest.raises(RulesError, match="no \\[tunable\\] range"):
        tn.dimensions(None, (), [("proposals.cap[1].steps", None)])


def test_tune_command_end_to_end(tmp_path: Path) -> None:
    tpath = tmp_path / "t.toml"
    tpath.write_text('median_end_round = "== 8"\n[run]\ngames = 8\nagents = ["greedy"]\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["tune", "--targets", tpath, "--param", "rounds.count=5..9", "--budget", 5, "--out", out]
    res = run(*args, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["met"] and doc["changes"] == {"rounds.count": [6, 8]}
    assert load_rules(out / "best.toml").spec.rounds.count == 8
    report = json.loads((out / "best-balance.json").read_text(encoding="utf-8"))
    assert report["format"] == "summitgame-balance" and report["provenance"]["seed"] == 1  # fresh deals
    assert doc["fresh"]["seed"] == 1 and doc["fresh"]["verdicts"][0]["target"] == "median_end_round"
    again = run(*args)
    assert again.exit_code == 1 and "already holds a tune" in again.stderr
    resumed = run(*args, "--resume")
    assert resumed.exit_code == 0 and "resuming:" in resumed.stderr


def test_changes_file_rewrites_a_whole_array_for_one_item(tmp_path: Path) -> None:
    text = tn.changes_file(None, ["meters.trust.start=4"], {"proposals.cap[0].steps": 3}, tmp_path, ["note"])
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    assert rules.spec.meters["trust"].start == 4
    assert rules.spec.proposals.cap[0].steps == 3
    assert [c.steps for c in rules.spec.proposals.cap[1:]] == [c.steps for c in RULES.spec.proposals.cap[1:]]
    assert text.startswith("# note\n")
    # an array of conditions is copied as written (no defaults filled in, which may not apply)
    text = tn.changes_file(None, (), {"tiers.failed.any[1].at_most": 2}, tmp_path, [])
    path.write_text(text, encoding="utf-8")
    assert load_rules(path).spec.tiers["failed"].any[1].at_most == 2  # type: ignore[union-attr]
    assert "who" not in text


def test_grid_of_points_is_the_product_in_order() -> None:
    g = sw.grid([parse_grid("a.b=1..2"), parse_grid("c.d=5,7")])
    assert g == [{"a.b": 1, "c.d": 5}, {"a.b": 1, "c.d": 7}, {"a.b": 2, "c.d": 5}, {"a.b": 2, "c.d": 7}]


def test_a_target_type_is_frozen() -> None:
    t = Target("x", "< 1", None, 1.0, high_open=True)
    with pytest.raises(AttributeError):
        t.low = 0.0  # type: ignore[misc]


def test_tunables_lists_each_range_with_its_current_value() -> None:
    res = run("tunables", "--set", "meters.trust.start=5", "--json")
    assert res.exit_code == 0, res.output
    rows = {r["path"]: r for r in json.loads(res.stdout)["tunable"]}
    assert set(rows) == set(RULES.spec.tunable)
    assert (rows["meters.trust.start"]["value"], rows["meters.trust.start"]["min"]) == (5, 1)
    text = run("tunables").stdout
    assert text.splitlines()[0].split() == ["parameter", "now", "allowed", "why"]
    assert any(ln.split()[:3] == ["proposals.cap[0].steps", "2", "1..3"] for ln in text.splitlines())


def test_the_bundled_targets_file_parses_against_the_default_rules() -> None:
    path = Path(__file__).resolve().parents[2] / "rules" / "targets" / "summit.toml"
    tg = load_targets(path, RULES)
    assert [t.name for t in tg.targets] == [
        "margin:symbolic",
        "symbolic",
        "incremental",
        "failed",
        "role_gap",
        "win_gap",
        "exploitability:greedy",
        "forced_share",
        "median_end_round",
    ]
    assert tg.run["games"] == 1000 and "greedy" in tg.run["agents"]


def test_tune_without_optuna_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "optuna", None)  # import optuna now raises ImportError
    tpath = tmp_path / "t.toml"
    tpath.write_text('median_end_round = "== 8"\n', encoding="utf-8")
    res = run(
        "tune", "--targets", tpath, "--param", "rounds.count=5..9", "--budget", 2, "-n", 4, "--out", tmp_path / "o"
    )
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "tune needs optuna: pip install 'summitgame[tune]'" in res.stderr
    assert not (tmp_path / "o").exists()  # nothing half-made is left to get in the way of the next run


@given(
    st.sampled_from(["<", "<=", ">", ">=", "==", "range"]),
    st.integers(0, 100),
    st.integers(0, 100),
    st.booleans(),
    st.floats(-0.5, 1.5, allow_nan=False),
)
def test_a_target_reads_back_from_its_canonical_form(op: str, a: int, b: int, rate: bool, probe: float) -> None:
    lo, hi = sorted((a, b))
    unit = "" if rate else "points"
    text = f"{lo}%..{hi}%" if op == "range" and rate else f"{lo}..{hi}" if op == "range" else f"{op} {a}"
    if rate and op != "range":
        text += "%"
    t = parse_target("m", text, rate, unit)
    again = parse_target("m", t.describe(), rate, unit)
    value = probe if rate else probe * 100
    assert again.holds(value) == t.holds(value)
    assert again.describe() == t.describe()


def test_changes_file_keeps_set_overrides_of_any_type(tmp_path: Path) -> None:
    overrides = [
        'name=Summit "warm" — ä',
        "rounds.first_initiative=moscow",
        "outcome.order=['failed', 'incremental', 'symbolic']",
    ]
    text = tn.changes_file(None, overrides, {"meters.trust.start": 4}, tmp_path, [])
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    assert rules.name == 'Summit "warm" — ä'
    assert rules.spec.rounds.first_initiative == "moscow" and rules.spec.meters["trust"].start == 4
    assert rules.fingerprint == load_rules(None, overrides, ["meters.trust.start=4"]).fingerprint


def test_two_tunes_cannot_write_one_folder_at_once(tmp_path: Path) -> None:
    first = tn.Store(tmp_path / "out", SETTINGS, resume=False)
    try:
        with pytest.raises(tn.TuneError, match="being written by another run"):
            tn.Store(tmp_path / "out", SETTINGS, resume=True)
    finally:
        first.close()
    tn.Store(tmp_path / "out", SETTINGS, resume=True).close()  # free again once the first has closed
