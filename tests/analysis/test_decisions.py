"""Forced decisions in the balance report: decisions with exactly one legal choice, counted per game by
replaying records, and aggregated with an interval that resamples whole games."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import CLASSIC_PATH, FEW, SOAK
from report_check import problems
from summitgame.analysis.aggregate import aggregate, boot_share, warnings
from summitgame.analysis.metrics import game_metrics
from summitgame.cli import cli
from summitgame.engine import apply, legal_actions, new_game
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import record_of
from summitgame.runs.stats import wilson


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    return load_rules()


def random_game(rules: Ruleset, seed: int) -> tuple[dict[str, object], dict[str, int], int]:
    """A random game's record, and the forced decisions (by kind of the one choice) and decisions counted
    while it was played."""
    s = new_game(rules, seed)
    pick = random.Random(seed).choice
    forced: dict[str, int] = {}
    n = 0
    while s.to_move >= 0:
        legal = legal_actions(s)
        if len(legal) == 1:
            forced[legal[0].kind.value] = forced.get(legal[0].kind.value, 0) + 1
        n += 1
        s = apply(s, pick(legal))
    return record_of(s), forced, n


@FEW
@given(seed=st.integers(0, 2**64 - 1))
def test_game_metrics_count_forced_decisions(seed: int) -> None:
    rules = load_rules()
    doc, forced, n = random_game(rules, seed)
    g = game_metrics(doc, rules)
    assert g.decisions == n == len(doc["actions"])  # type: ignore[arg-type]
    assert g.forced == forced


@pytest.mark.slow
@SOAK
@given(seed=st.integers(0, 2**64 - 1))
def test_soak_game_metrics_count_forced_decisions(seed: int) -> None:
    test_game_metrics_count_forced_decisions.hypothesis.inner_test(seed)


def test_the_kinds_add_up_and_the_interval_resamples_games(rules: Ruleset) -> None:
    games = [game_metrics(random_game(rules, s)[0], rules, s) for s in range(60)]
    d = aggregate(rules, games, seed=1)["decisions"]
    f = d["forced"]
    assert f["n"] == sum(g.decisions for g in games) and f["games"] == 60
    assert f["count"] == sum(sum(g.forced.values()) for g in games) > 0
    assert sum(e["count"] for e in d["forced_by_kind"].values()) == f["count"]
    assert f["low"] < f["value"] < f["high"]
    assert aggregate(rules, games, seed=1)["decisions"] == d  # seeded


def test_boot_share_known_values() -> None:
    same = boot_share([1] * 50, [10] * 50, 0, "k")
    assert same["value"] == pytest.approx(0.1) and same["low"] == same["high"] == pytest.approx(0.1)
    # one game holds every forced decision: resampling games gives a wide interval, Wilson on 500 would not
    lumpy = boot_share([50] + [0] * 49, [50] + [10] * 49, 0, "k")
    narrow = wilson(50, 540)
    assert lumpy["value"] == pytest.approx(50 / 540, abs=1e-4) and lumpy["low"] == 0.0
    assert lumpy["high"] - lumpy["low"] > 2 * (narrow.high - narrow.low)
    assert boot_share([], [], 0, "k")["value"] is None


def test_a_high_forced_share_is_warned_about(rules: Ruleset) -> None:
    games = [game_metrics(random_game(rules, s)[0], rules, s) for s in range(60)]
    rep = aggregate(rules, games)
    rep["decisions"]["forced"] = {**rep["decisions"]["forced"], "value": 0.2, "low": 0.18, "high": 0.22}
    assert any(w.startswith("Forced decisions: 20.0%") for w in warnings(rules, rep))
    rep["decisions"]["forced"] = {**rep["decisions"]["forced"], "value": 0.01, "low": 0.0, "high": 0.02}
    assert not any(w.startswith("Forced decisions") for w in warnings(rules, rep))


def test_balance_reports_forced_decisions_and_auto_offer_removes_the_lone_offers() -> None:
    # the first edition, without proposals.auto_offer (the default rules have it on)
    runner = CliRunner()
    classic = ["--rules", str(CLASSIC_PATH)]
    args = ["balance", *classic, "--agents", "greedy", "-n", "8", "--probe-games", "0", "--json"]
    base = runner.invoke(cli, args)
    auto = runner.invoke(cli, [*args, "--set", "proposals.auto_offer=true"])
    assert base.exit_code == 0 and auto.exit_code == 0, base.output + auto.output
    a, b = json.loads(base.output), json.loads(auto.output)
    assert problems(a, "balance") == [] and problems(b, "balance") == []
    assert a["decisions"]["forced_by_kind"]["offer"]["count"] > 0
    assert b["decisions"]["forced_by_kind"]["offer"]["count"] == 0
    # the same games (the agents never had a choice to make there), with fewer decisions
    assert a["outcomes"] == b["outcomes"] and a["negotiation"] == b["negotiation"]
    assert (
        b["decisions"]["forced"]["n"]
        == a["decisions"]["forced"]["n"] - a["decisions"]["forced_by_kind"]["offer"]["count"]
    )
    text = runner.invoke(cli, ["balance", *classic, "--agents", "greedy", "-n", "8", "--probe-games", "0"])
    assert "forced (one legal choice)" in text.output and "only 'offer' left" in text.output
