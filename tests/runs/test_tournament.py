"""Matches and tournaments: the plan, determinism across worker counts, streaming and resume, forfeits
(crash, exit, too slow, hung, dead worker), summaries, and the ``match``/``tournament`` commands.

Misbehaving agents live in ``helper_agents`` (next to this file), loaded as ``helper_agents:Class`` so
that worker processes can import them too."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from summitgame.agents import AgentError, load_class
from summitgame.cli import cli
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.options import RunOptions
from summitgame.runs.records import replay
from summitgame.runs.tournament import (
    GAMES_FILE,
    SUMMARY_FILE,
    TournamentError,
    deal_seed,
    entrants,
    make_plan,
    read_games,
    run_match,
    run_plan,
    run_tournament,
    summarize,
)

HERE = Path(__file__).resolve().parents[1]  # tests/, where helper_agents.py lives
for _name in ("First", "Last", "Crasher", "Exiter", "Sleeper", "Stubborn", "Dier", "SometimesDier", "StartFails"):
    load_class(f"helper_agents:{_name}")


def stable(line: dict[str, Any]) -> dict[str, Any]:
    """A line without its timings (the only part that may differ between runs)."""
    return {k: v for k, v in line.items() if k != "seconds"}


def file_lines(out: Path) -> list[dict[str, Any]]:
    return read_games(out / GAMES_FILE)


def run_cli(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- the plan ----------------------------------------------------------------------------------------


def test_plan_pairs_every_agent_and_swaps_seats_on_paired_seeds(summit_rules: Ruleset) -> None:
    plan = make_plan(["a", "b", "c"], 6, 7, summit_rules)
    assert len(plan) == 3 * 6
    assert [g.index for g in plan] == list(range(18))
    by_pair = Counter(g.pair for g in plan)
    assert by_pair == {("a", "b"): 6, ("a", "c"): 6, ("b", "c"): 6}
    for pair in by_pair:
        series = sorted((g for g in plan if g.pair == pair), key=lambda g: g.game)
        assert [g.game for g in series] == list(range(6))
        for k in range(0, 6, 2):
            even, odd = series[k], series[k + 1]
            assert even.seats == pair and odd.seats == (pair[1], pair[0])
            assert even.seed == odd.seed == deal_seed(7, k)
    # every pair sees the same deals; distinct deals from one pair of games to the next
    assert {g.seed for g in plan if g.game == 2} == {deal_seed(7, 2)}
    assert len({g.seed for g in plan}) == 3
    assert len({g.game_id for g in plan}) == len(plan)


def test_game_ids_are_stable(summit_rules: Ruleset, trade_rules: Ruleset) -> None:
    small = make_plan(["a", "b"], 4, 1, summit_rules)
    more = make_plan(["a", "b", "c"], 8, 1, summit_rules)  # more games and another agent keep old ids
    assert {g.game_id for g in small} <= {g.game_id for g in more}
    assert [g.game_id for g in small] == [g.game_id for g in make_plan(["a", "b"], 4, 1, summit_rules)]
    assert not {g.game_id for g in small} & {g.game_id for g in make_plan(["a", "b"], 4, 2, summit_rules)}
    assert not {g.game_id for g in small} & {g.game_id for g in make_plan(["a", "b"], 4, 1, trade_rules)}


def test_plan_and_entrant_errors(summit_rules: Ruleset) -> None:
    with pytest.raises(TournamentError, match="at least two"):
        make_plan(["a"], 4, 0, summit_rules)
    with pytest.raises(TournamentError, match="distinct"):
        make_plan(["a", "a"], 4, 0, summit_rules)
    with pytest.raises(AgentError, match="listed 2 times"):
        entrants(["random", "random"])
    assert [e.label for e in entrants(["random", "random"], allow_repeats=True)] == ["random#1", "random#2"]
    assert [e.label for e in entrants(["crasher:after=0", "first"])] == ["crasher", "first"]  # canonical specs
    with pytest.raises(AgentError, match="unknown agent"):
        entrants(["nobody", "random"])


# --- determinism -----------------------------------------------------------------------------------------


@pytest.mark.slow  # worker processes; like every "the same on any worker count" test
def test_same_seed_same_results_for_one_and_two_workers(summit_rules: Ruleset, tmp_path: Path) -> None:
    players = entrants(["random", "first", "last"])
    plan = make_plan([p.label for p in players], 6, 11, summit_rules)
    here = run_plan(summit_rules, players, plan, backend=RunOptions(workers=1))
    assert here.workers == 0 and here.complete
    two = run_plan(summit_rules, players, plan, out=tmp_path, backend=RunOptions(workers=2))
    assert two.workers == 2 and two.complete
    assert [stable(x) for x in here.lines] == [stable(x) for x in two.lines]
    assert summarize(summit_rules, players, plan, here.lines) == summarize(summit_rules, players, plan, two.lines)
    # the file holds every game once (in the order they finished) with its actions: a replayable record
    on_disk = sorted(file_lines(tmp_path), key=lambda x: x["index"])
    assert [x["game_id"] for x in on_disk] == [g.game_id for g in plan]
    for line in on_disk[:3]:
        final = replay(line, summit_rules)
        assert final.to_move < 0


def test_match_equals_the_tournament_pair(summit_rules: Ruleset, tmp_path: Path) -> None:
    _, m = run_match(summit_rules, "random", "first", 6, seed=3)
    run, t = run_tournament(summit_rules, ["random", "first", "last"], 6, tmp_path, seed=3)
    pair = [x for x in run.lines if x["pair"] == ["random", "first"]]
    assert m["games"]["played"] == len(pair) == 6
    assert m["crosstable"]["random"]["first"] == t["crosstable"]["random"]["first"]


# --- streaming and resume --------------------------------------------------------------------------------


def test_resume_after_a_stop_equals_an_uninterrupted_run(summit_rules: Ruleset, tmp_path: Path) -> None:
    specs = ["random", "first", "last"]
    whole_run, whole = run_tournament(summit_rules, specs, 4, tmp_path / "whole", seed=5)
    part, partial = run_tournament(summit_rules, specs, 4, tmp_path / "cut", seed=5, stop_after=5)
    assert part.played == 5 and not part.complete and partial["complete"] is False
    assert len(file_lines(tmp_path / "cut")) == 5
    with pytest.raises(TournamentError, match="already holds 5 games"):
        run_tournament(summit_rules, specs, 4, tmp_path / "cut", seed=5)
    rest, resumed = run_tournament(summit_rules, specs, 4, tmp_path / "cut", seed=5, resume=True)
    assert (rest.resumed, rest.played) == (5, 7)
    assert resumed == whole
    assert [stable(x) for x in rest.lines] == [stable(x) for x in whole_run.lines]
    ids = [x["game_id"] for x in file_lines(tmp_path / "cut")]
    assert len(ids) == len(set(ids)) == 12
    again, _ = run_tournament(summit_rules, specs, 4, tmp_path / "cut", seed=5, resume=True)
    assert (again.resumed, again.played) == (12, 0)
    on_disk = json.loads((tmp_path / "cut" / SUMMARY_FILE).read_text())
    assert on_disk["complete"] is True and on_disk["standings"] == whole["standings"]


def test_resume_drops_a_torn_last_line(summit_rules: Ruleset, tmp_path: Path) -> None:
    specs = ["random", "first"]
    whole_run, whole = run_tournament(summit_rules, specs, 8, tmp_path / "whole", seed=2, backend=RunOptions(workers=2))
    path = tmp_path / "torn" / GAMES_FILE
    path.parent.mkdir()
    text = (tmp_path / "whole" / GAMES_FILE).read_text()
    keep = text.splitlines(keepends=True)
    path.write_text("".join(keep[:3]) + keep[3][: len(keep[3]) // 2])  # killed in the middle of a write
    run, summary = run_tournament(summit_rules, specs, 8, tmp_path / "torn", seed=2, resume=True)
    assert run.torn and (run.resumed, run.played) == (3, 5)
    assert summary == whole
    assert [stable(x) for x in run.lines] == [stable(x) for x in whole_run.lines]
    ids = [x["game_id"] for x in file_lines(tmp_path / "torn")]
    assert len(ids) == len(set(ids)) == 8
    assert path.read_text().endswith("\n") and all(json.loads(x) for x in path.read_text().splitlines())


def test_resume_streams_the_file_and_holds_no_table_of_the_plan(
    summit_rules: Ruleset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resumed run reads games.jsonl a block at a time (lines cut across blocks here) and finds each game at
    its own plan index: it never walks the plan for a table of ids (``_Finder.resolve``), and drops a torn line."""
    from summitgame.runs import jsonlines, tournament

    specs = ["random", "first", "last"]
    whole_run, whole = run_tournament(summit_rules, specs, 4, tmp_path / "whole", seed=6)
    text = (tmp_path / "whole" / GAMES_FILE).read_text().splitlines(keepends=True)
    path = tmp_path / "cut" / GAMES_FILE
    path.parent.mkdir()
    path.write_text("".join(text[:7]) + text[7][:50])
    monkeypatch.setattr(jsonlines, "READ_BLOCK", 37)

    def walked(*args: object) -> None:
        raise AssertionError("the plan was walked")

    monkeypatch.setattr(tournament._Finder, "resolve", walked)
    run, summary = run_tournament(summit_rules, specs, 4, tmp_path / "cut", seed=6, resume=True)
    assert run.torn and (run.resumed, run.played, run.foreign) == (7, 5, 0)
    assert summary == whole and [stable(x) for x in run.lines] == [stable(x) for x in whole_run.lines]
    assert sorted(x["game_id"] for x in file_lines(tmp_path / "cut")) == sorted(x["game_id"] for x in whole_run.lines)


def test_resume_of_a_plan_that_grew_finds_its_games_by_id(summit_rules: Ruleset, tmp_path: Path) -> None:
    """An agent added to a resumed run moves the finished games to other plan indexes: they are found by id (a
    second pass over the file) and not played again; the result equals an uninterrupted run of the larger plan."""
    run_tournament(summit_rules, ["random", "first"], 4, tmp_path / "grow", seed=8)
    whole_run, whole = run_tournament(summit_rules, ["random", "first", "last"], 4, tmp_path / "whole", seed=8)
    run, summary = run_tournament(summit_rules, ["random", "first", "last"], 4, tmp_path / "grow", seed=8, resume=True)
    assert (run.resumed, run.played, run.foreign) == (4, 8, 0)
    assert summary == whole and [stable(x) for x in run.lines] == [stable(x) for x in whole_run.lines]
    assert len(file_lines(tmp_path / "grow")) == 12


def test_resume_keeps_foreign_lines_and_refuses_other_rules(
    summit_rules: Ruleset, trade_rules: Ruleset, tmp_path: Path
) -> None:
    run_tournament(summit_rules, ["random", "first"], 2, tmp_path, seed=0)
    run, summary = run_tournament(summit_rules, ["random", "last"], 2, tmp_path, seed=0, resume=True)
    assert (run.foreign, run.resumed, run.played) == (2, 0, 2)  # other agents: other games
    assert summary["games"]["played"] == 2
    assert len(file_lines(tmp_path)) == 4
    with pytest.raises(TournamentError, match="load the same rules"):
        run_tournament(trade_rules, ["random", "first"], 2, tmp_path, seed=0, resume=True)
    first = (tmp_path / GAMES_FILE).read_text().splitlines()[0]
    (tmp_path / GAMES_FILE).write_text(f'{first}\nnot json\n{{"game_id": "y"}}\n')
    with pytest.raises(TournamentError, match=r"games.jsonl:2: not valid JSON"):
        run_tournament(summit_rules, ["random", "first"], 2, tmp_path, seed=0, resume=True)
    (tmp_path / GAMES_FILE).write_text(f'{first}\n{{"game_id": "y"}}\n')
    with pytest.raises(TournamentError, match=r"games.jsonl:2: missing field 'index'$"):
        run_tournament(summit_rules, ["random", "first"], 2, tmp_path, seed=0, resume=True)


# --- forfeits --------------------------------------------------------------------------------------------


def test_a_crashing_agent_forfeits_and_the_run_goes_on(classic_rules: Ruleset, tmp_path: Path) -> None:
    # the first edition, where passing costs nothing: every game lasts until the crasher's third move
    specs = ["crasher:after=2", "first", "random"]
    here, s1 = run_tournament(classic_rules, specs, 4, tmp_path / "here", seed=0)
    two, s2 = run_tournament(classic_rules, specs, 4, tmp_path / "two", seed=0, backend=RunOptions(workers=2))
    assert here.complete and two.complete
    assert s1 == s2
    lines = file_lines(tmp_path / "two")
    crashed = [x for x in lines if x["forfeit"]]
    assert len(crashed) == 8 and all(x["forfeit"]["agent"] == "crasher:after=2" for x in crashed)
    for x in crashed:
        assert x["forfeit"]["error"] == "ValueError: boom from the crasher"
        assert x["winner"] != "crasher:after=2" and "outcome" not in x
        assert x["forfeit"]["role"] == next(r for r, a in x["agents"].items() if a == "crasher:after=2")
    assert s1["games"]["forfeits"] == 8 and s1["end_reasons"]["forfeit"] == 8
    top = {row["agent"]: row for row in s1["standings"]}
    assert top["crasher:after=2"]["losses"] == 8 and top["crasher:after=2"]["forfeits"] == 8
    assert s1["crosstable"]["first"]["crasher:after=2"]["wins"] == 4


def test_exit_and_start_failures_forfeit(summit_rules: Ruleset) -> None:
    _, s = run_match(summit_rules, "exiter", "startfails", 2)
    errors = {f["agent"]: f["error"] for f in s["forfeit_errors"]}
    assert s["games"]["forfeits"] == 2
    assert set(errors.values()) <= {
        "AgentCrash: the agent called sys.exit(3)",
        "AgentCrash: start failed: RuntimeError: cannot start",
    }


def test_a_slow_agent_forfeits_under_the_move_timeout(summit_rules: Ruleset, tmp_path: Path) -> None:
    woke = tmp_path / "woke"
    run, s = run_match(
        summit_rules, f"sleeper:seconds=5.0,woke={woke}", "first", 2, backend=RunOptions(move_timeout=0.2)
    )
    assert run.workers == 1  # a move limit plays on a worker process
    assert s["games"]["forfeits"] == 2
    # the alarm raised in the agent's call (not "took ... s" after it returned, nor "its worker was stopped" by
    # the watchdog), and no 5-second sleep ran to its end: the alarm cut both short
    assert [f["error"] for f in s["forfeit_errors"]] == ["MoveTimeout: no answer within the 0.2 s move limit"] * 2
    assert not woke.exists()
    # the marker does notice a sleep that ends (here without a move limit, in this process)
    run_match(summit_rules, f"sleeper:seconds=0,woke={woke}", "first", 1)
    assert woke.read_text().startswith("woke\n")


@pytest.mark.slow  # waits for the watchdog to kill a worker, ~2 s
def test_a_hung_agent_is_stopped_by_the_watchdog(summit_rules: Ruleset, tmp_path: Path) -> None:
    run, s = run_tournament(
        summit_rules, ["stubborn", "first"], 2, tmp_path, backend=RunOptions(workers=1, move_timeout=0.1)
    )
    assert run.complete and s["games"]["forfeits"] == 2
    for line in file_lines(tmp_path):
        assert line["forfeit"]["agent"] == "stubborn"
        assert "its worker was stopped" in line["forfeit"]["error"]
        assert line["notes"] == ["moves before the forfeit were not recorded (the worker was stopped)"]


def test_a_dying_worker_forfeits_the_agent_that_killed_it(summit_rules: Ruleset, tmp_path: Path) -> None:
    run, s = run_tournament(summit_rules, ["dier", "first"], 2, tmp_path, backend=RunOptions(workers=2))
    assert run.complete and s["games"]["forfeits"] == 2
    assert all("died (exit code 7)" in f["error"] and f["agent"] == "dier" for f in s["forfeit_errors"])


@pytest.mark.slow  # workers die and are replaced, ~1.5 s
def test_a_worker_dying_inside_a_chunk_forfeits_that_game_and_replays_the_others(
    summit_rules: Ruleset, tmp_path: Path
) -> None:
    """A worker reports a chunk of games at once: when it dies in a game that is not its chunk's first, the
    games it played before are played again and only the game it died in is forfeited."""
    run, s = run_tournament(
        summit_rules, ["sometimesdier:chance=0.1", "first"], 30, tmp_path, seed=3, backend=RunOptions(workers=2)
    )
    lines = file_lines(tmp_path)
    assert run.complete and len(lines) == 30 and len({x["game_id"] for x in lines}) == 30
    died = [x for x in lines if x["forfeit"]]
    assert 0 < len(died) < 30 and s["games"]["forfeits"] == len(died)
    assert all("died (exit code 7)" in x["forfeit"]["error"] for x in died)
    assert all(x["forfeit"]["agent"] == "sometimesdier:chance=0.1" for x in died)


# --- summaries -------------------------------------------------------------------------------------------


def test_summary_counts(summit_rules: Ruleset) -> None:
    run, s = run_match(summit_rules, "random", "first", 10, seed=4)
    lines = run.lines
    wins = Counter(x["winner"] for x in lines)
    row = {r["agent"]: r for r in s["standings"]}
    assert row["random"]["wins"] == wins["random"] and row["first"]["wins"] == wins["first"]
    assert row["random"]["ties"] == row["first"]["ties"] == wins[None]
    assert row["random"]["wins"] + row["random"]["ties"] + row["random"]["losses"] == 10
    assert sum(s["tiers"].values()) == 10
    assert sum(s["end_reasons"].values()) == 10
    assert sum(v["games"] for v in s["per_role"]["random"].values()) == 10
    assert s["per_role"]["random"]["washington"]["games"] == 5  # seats swap every other game
    scores = [x["outcome"]["scores"][r] for x in lines for r, a in x["agents"].items() if a == "first"]
    assert row["first"]["mean_score"]["value"] == pytest.approx(sum(scores) / 10, abs=1e-3)
    pts = row["random"]["wins"] + row["random"]["ties"] / 2
    assert row["random"]["score_rate"]["value"] == pytest.approx(pts / 10, abs=1e-4)
    assert s["pairs"][0]["rating_difference"]["value"] == pytest.approx(
        row["random"]["rating"]["value"] - row["first"]["rating"]["value"], abs=0.2
    )


def test_mirror_match_labels_both_sides(summit_rules: Ruleset, tmp_path: Path) -> None:
    _, s = run_match(summit_rules, "random", "random", 4, records=tmp_path)
    assert list(s["agents"]) == ["random#1", "random#2"]
    files = sorted(tmp_path.glob("game-*.json"))
    assert [f.name for f in files] == [f"game-0000{i}.json" for i in range(1, 5)]
    assert replay(json.loads(files[0].read_text()), summit_rules).to_move < 0


# --- the commands ----------------------------------------------------------------------------------------


def test_cli_match_json() -> None:
    result = run_cli("match", "random", "first", "--games", "6", "--seed", "2", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["games"] == {"planned": 6, "played": 6, "forfeits": 0}
    assert doc["seed"] == 2 and set(doc["agents"]) == {"random", "first"}
    assert set(doc["per_role"]["first"]) == {"washington", "moscow"}
    assert doc["speed"]["workers"] == 0
    _, direct = run_match(load_rules(), "random", "first", 6, seed=2)
    assert {k: v for k, v in doc.items() if k != "speed"} == direct


def test_cli_match_text_and_records(tmp_path: Path) -> None:
    result = run_cli("match", "random", "first", "-n", "4", "--records", tmp_path / "rec", "--workers", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for needle in ("rating (Elo, 95% CI)", "win rate by role", "outcome tier", "mean game length", "how games ended"):
        assert needle in out
    assert "2 worker processes" in out
    assert len(list((tmp_path / "rec").glob("game-*.json"))) == 4


def test_cli_tournament_resume_and_plug_in_agents(tmp_path: Path) -> None:
    args = [
        "tournament",
        "random",
        "first",
        "crasher",
        "-n",
        "2",
        "--out",
        tmp_path,
        "--agent",
        "helper_agents:Crasher",
    ]
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["games"] == {"planned": 6, "played": 6, "forfeits": 4}
    assert doc["complete"] is True
    assert json.loads((tmp_path / SUMMARY_FILE).read_text())["standings"] == doc["standings"]
    again = run_cli(*args)
    assert again.exit_code == 1 and "already holds 6 games" in again.stderr
    resumed = run_cli(*args, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "resumed: 6 games were already in" in resumed.stdout and "played 0 more" in resumed.stdout
    assert "crosstable" in resumed.stdout


def test_cli_errors() -> None:
    one = run_cli("tournament", "random", "--out", "x")
    assert one.exit_code == 2 and "at least two agents" in one.output
    bad = run_cli("match", "random", "nobody", "-n", "2")
    assert bad.exit_code == 1 and "unknown agent 'nobody'" in bad.stderr and "Traceback" not in bad.output
    cls = run_cli("match", "random", "first", "--agent", "summitgame.rng:seed_state")
    assert cls.exit_code == 1 and "not a summitgame Agent subclass" in cls.stderr
    timeout = run_cli("match", "random", "first", "--move-timeout", "0")
    assert timeout.exit_code == 2


PLUGIN = """
from summitgame.agents import Agent


class Hawk(Agent):
    \"\"\"Always the last legal action.\"\"\"

    name = "hawk"
    defaults = {"patience": 3}

    def act(self, obs, legal):
        return legal[-1]
"""


@pytest.mark.slow
def test_entry_point_agents_play_on_workers(tmp_path: Path) -> None:
    """The README's plug-in example: a package declares its agent in the ``summitgame.agents`` group."""
    (tmp_path / "mybots.py").write_text(PLUGIN)
    info = tmp_path / "mybots-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mybots\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[summitgame.agents]\nhawk = mybots:Hawk\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "summitgame", "match", "hawk:patience=5", "random", "-n", "4", "-w", "2", "--json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["agents"] == {"hawk:patience=5": "hawk:patience=5", "random": "random"}
    assert doc["games"]["played"] == 4 and doc["speed"]["workers"] == 2
    # --agent MODULE:CLASS, with the module in the current directory and the console script
    script = Path(sys.executable).with_name("summitgame")
    if script.exists():
        (tmp_path / "mybots.py").rename(tmp_path / "localbots.py")
        shutil.rmtree(info)
        env.pop("PYTHONPATH")
        cmd = [str(script), "match", "hawk", "random", "-n", "2", "-w", "2", "--json", "--agent", "localbots:Hawk"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["games"]["played"] == 2


@pytest.mark.slow
def test_killed_tournament_resumes_without_duplicates(tmp_path: Path) -> None:
    """Kill a real tournament process (SIGKILL) mid-run; --resume finishes it with every game once."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "summitgame", "tournament", "random", "first", "-n", "300", "--out", str(tmp_path)]
    cmd += ["--workers", "2", "--agent", "helper_agents:First"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = tmp_path / GAMES_FILE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not path.exists() or path.read_text().count("\n") < 50):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = len(read_games(path))
    assert 50 <= before < 300
    done = subprocess.run([*cmd, "--resume", "--json"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["games"]["played"] == 300
    ids = [x["game_id"] for x in read_games(path)]
    assert len(ids) == len(set(ids)) == 300
