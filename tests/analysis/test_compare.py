"""``summitgame compare``: a file against itself finds nothing; a change that must matter is found, also by
the sequential test."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from report_check import problems
from summitgame.cli import cli
from summitgame.rules.loader import default_rules_path

RULES = str(default_rules_path())


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_file_against_itself_differs_in_nothing() -> None:
    res = run("compare", RULES, RULES, "--agents", "greedy,boulware", "--games", 24, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert problems(doc, "compare") == []
    assert doc["significant"] == []
    assert all(r["difference"]["value"] == 0 for r in doc["metrics"])


@pytest.mark.slow
def test_halving_a_walkout_limit_is_found() -> None:
    res = run(
        "compare",
        RULES,
        RULES,
        "--set-b",
        "meters.pressure.walkout_at.moscow=6",
        "--agents",
        "greedy,boulware",
        "--games",
        60,
        "--json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert problems(doc, "compare") == []
    rows = {r["metric"]: r for r in doc["metrics"]}
    assert rows["walkout:moscow"]["verdict"] == "higher under B"
    assert rows["rounds"]["verdict"] == "lower under B"


@pytest.mark.slow
def test_until_significant_stops_early_and_says_when() -> None:
    res = run(
        "compare",
        RULES,
        RULES,
        "--set-b",
        "meters.pressure.walkout_at.moscow=6",
        "--agents",
        "greedy,boulware",
        "--games",
        400,
        "--until-significant",
        "--metric",
        "walkout:moscow",
    )
    assert res.exit_code == 0, res.output
    assert "walkout:moscow differs" in res.output and "it took" in res.output
    res = run(
        "compare",
        RULES,
        RULES,
        "--set-b",
        "meters.pressure.walkout_at.moscow=6",
        "--agents",
        "greedy,boulware",
        "--games",
        400,
        "--until-significant",
        "--metric",
        "walkout:moscow",
        "--json",
    )
    seq = json.loads(res.output)["sequential"]
    assert seq["decision"] == "differ" and seq["games"] < seq["max_games"]


def test_until_significant_accepts_no_difference_for_identical_files() -> None:
    res = run("compare", RULES, RULES, "--agents", "greedy", "--games", 200, "--until-significant", "--json")
    seq = json.loads(res.output)["sequential"]
    assert seq["decision"] == "same" and seq["games"] < 200


def test_unknown_metric_is_a_usage_error() -> None:
    res = run("compare", RULES, RULES, "--metric", "nonsense", "--games", 2)
    assert res.exit_code == 2 and "unknown metric" in res.output


def test_rule_sets_with_other_roles_and_tracks_compare_what_they_share() -> None:
    trade = str(default_rules_path().parent / "trade.toml")
    res = run("compare", RULES, trade, "--agents", "greedy", "--games", 4, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert problems(doc, "compare") == []
    names = {r["metric"] for r in doc["metrics"]}
    assert "score_gap" in names and "rounds" in names
    assert "score:washington" in doc["only_in_a"] and not names & set(doc["only_in_b"])
