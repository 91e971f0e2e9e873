"""``match --until-significant``: the sequential test stops with the right verdict, on whole deals, the same
way for a seed whatever the batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summitgame.cli import cli
from summitgame.rules.ruleset import Ruleset
from summitgame.runs import sequential
from summitgame.runs.records import read_record, replay
from summitgame.runs.sequential import run_until_significant
from summitgame.runs.stats import sprt_elo
from summitgame.runs.tournament import deal_seed


def test_greedy_is_shown_stronger_than_random(summit_rules: Ruleset) -> None:
    run, summary = run_until_significant(summit_rules, "greedy", "random", 2000, seed=5)
    seq = summary["sequential"]
    assert seq["verdict"] == "stronger"
    assert 20 <= seq["games"] < 200 and seq["games"] % 2 == 0
    assert summary["games"]["played"] == seq["games"] == len(run.lines)
    assert seq["played"] >= seq["games"]
    # the verdict is the test on exactly the deals counted, and one deal fewer was not enough
    counts = {float(k): v for k, v in seq["deal_scores"].items()}
    assert sum(counts.values()) == seq["deals"] == seq["games"] // 2
    assert sprt_elo(counts, 0, 30).verdict == "stronger"
    last = sum(0.5 if ln["winner"] is None else float(ln["winner"] == "greedy") for ln in run.lines[-2:]) / 2
    counts[last] -= 1
    assert sprt_elo(counts, 0, 30).verdict is None
    # deals are played from both seats: games 2k and 2k+1 share a deal
    assert [line["seed"] for line in run.lines] == [deal_seed(5, k) for k in range(seq["games"])]


def test_the_weaker_side_and_equal_agents(summit_rules: Ruleset) -> None:
    _, weaker = run_until_significant(summit_rules, "random", "greedy", 2000, seed=6)
    assert weaker["sequential"]["verdict"] == "weaker"
    _, equal = run_until_significant(summit_rules, "greedy", "greedy", 2000, seed=6, elo0=0, elo1=60)
    assert equal["sequential"]["verdict"] == "equal"
    assert equal["sequential"]["elo1"] == 60


def test_the_stopping_point_does_not_depend_on_the_batches(
    summit_rules: Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, a = run_until_significant(summit_rules, "greedy", "random", 400, seed=9)
    monkeypatch.setattr(sequential, "FIRST_BATCH", 6)
    monkeypatch.setattr(sequential, "MAX_BATCH", 6)
    _, b = run_until_significant(summit_rules, "greedy", "random", 400, seed=9)
    assert len(b["sequential"]["batches"]) > len(a["sequential"]["batches"])
    for doc in (a, b):
        doc["sequential"].pop("batches")
        doc["sequential"].pop("played")
    assert a == b


def test_undecided_when_the_games_run_out(summit_rules: Ruleset) -> None:
    run, summary = run_until_significant(summit_rules, "greedy", "random", 7, seed=1)
    seq = summary["sequential"]
    assert seq["verdict"] is None and seq["games"] == seq["max_games"] == 8 == len(run.lines)


def test_match_until_significant_command(tmp_path: Path, summit_rules: Ruleset) -> None:
    args = ["match", "greedy", "random", "--until-significant", "--seed", "5", "-n", "2000"]
    out = CliRunner().invoke(cli, [*args, "--records", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "sequential test:   greedy is stronger than random" in out.output
    games = int(out.output.split("games it took:")[1].split()[0])
    assert 20 <= games < 200
    saved = sorted(tmp_path.iterdir())
    assert len(saved) == games  # only the games that count
    assert replay(read_record(saved[-1]), summit_rules).to_move < 0
    doc = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)
    assert doc["sequential"]["verdict"] == "stronger" and doc["sequential"]["games"] == games


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--elo0", "5"], "--elo0 and --elo1 go with --until-significant"),
        (["--until-significant", "--elo0", "40", "--elo1", "20"], "need 0 <= elo0 < elo1, got 40 and 20"),
        (["--until-significant", "--elo1", "inf"], "need 0 <= elo0 < elo1"),
    ],
)
def test_bad_elo_bounds_are_one_line_errors(extra: list[str], message: str) -> None:
    out = CliRunner().invoke(cli, ["match", "greedy", "random", "--seed", "1", *extra])
    assert out.exit_code == 2
    assert message in out.output and "Traceback" not in out.output
