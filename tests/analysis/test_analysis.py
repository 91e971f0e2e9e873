"""Statistics for the designer reports (SPRT on synthetic streams with known answers, Welch differences,
seeded bootstrap) and per-game metrics measured by replaying records."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from summitgame.analysis.aggregate import aggregate, boot_mean, warnings
from summitgame.analysis.metrics import game_metrics, meter_keys, read_recorded
from summitgame.engine import apply_unchecked, legal_actions, new_game
from summitgame.errors import RulesError
from summitgame.rules.loader import load_rules, without_cards
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import record_of
from summitgame.runs.stats import sprt_bernoulli, sprt_bounds, sprt_difference, sprt_mean, welch_diff


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    return load_rules()


def random_record(rules: Ruleset, seed: int) -> dict[str, object]:
    s = new_game(rules, seed)
    pick = random.Random(seed).choice
    while s.to_move >= 0:
        s = apply_unchecked(s, pick(legal_actions(s)))
    return record_of(s)


# --- statistics --------------------------------------------------------------------------------------


def test_sprt_bounds_are_walds() -> None:
    lo, hi = sprt_bounds(0.05, 0.05)
    assert hi == pytest.approx(math.log(19)) and lo == pytest.approx(-math.log(19))
    assert hi == pytest.approx(2.944, abs=1e-3)


def test_sprt_bernoulli_llr_by_hand() -> None:
    t = sprt_bernoulli(7, 10, 0.5, 0.6)
    assert t.llr == pytest.approx(7 * math.log(1.2) + 3 * math.log(0.8))
    assert t.decision is None


def test_sprt_bernoulli_decides_a_known_stream() -> None:
    rng = random.Random(1)
    for p, want in ((0.7, "H1"), (0.4, "H0")):
        k = n = 0
        decision = None
        while decision is None and n < 10_000:
            k += rng.random() < p
            n += 1
            decision = sprt_bernoulli(k, n, 0.5, 0.6).decision
        assert decision == want, (p, n)


def test_sprt_difference_known_answers() -> None:
    rng = random.Random(7)
    shifted = [rng.gauss(0.5, 1.0) for _ in range(400)]
    assert sprt_difference(shifted, 0.25).decision == "differ"
    assert sprt_difference([-x for x in shifted], 0.25).decision == "differ"
    null = [rng.gauss(0.0, 1.0) for _ in range(2000)]
    assert sprt_difference(null, 0.25).decision == "same"
    assert sprt_difference([0.0] * 500, 0.05).decision == "same"  # identical games: decided, not stuck


def test_sprt_mean_matches_normal_llr() -> None:
    xs = [0.2, -0.1, 0.4, 0.3, 0.0]
    n, s, ss = len(xs), sum(xs), sum(x * x for x in xs)
    var = (ss - n * (s / n) ** 2) / (n - 1)
    t = sprt_mean(n, s, ss, 0.0, 0.1)
    # log-likelihood ratio of N(0.1, var) against N(0, var) for these values
    want = sum(((x - 0.0) ** 2 - (x - 0.1) ** 2) / (2 * var) for x in xs)
    assert t.llr == pytest.approx(want)


def test_welch_diff_known_values() -> None:
    e = welch_diff([1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0])
    assert e.value == pytest.approx(1.5)
    se = math.sqrt(1.0 / 3 + (5 / 3) / 4)
    assert e.high - e.value == pytest.approx(1.959964 * se, rel=1e-5)


def test_boot_mean_is_seeded_and_covers_the_mean() -> None:
    xs = [float(i % 7) for i in range(300)]
    a, b = boot_mean(xs, 3, "k"), boot_mean(xs, 3, "k")
    assert a == b
    assert a["low"] < a["value"] < a["high"]
    assert a["value"] == pytest.approx(sum(xs) / len(xs), abs=1e-4)
    assert boot_mean([], 0, "k")["value"] is None


# --- metrics ---------------------------------------------------------------------------------------


def test_game_metrics_match_the_outcome(rules: Ruleset) -> None:
    for seed in range(20):
        doc = random_record(rules, seed)
        g = game_metrics(doc, rules, seed)
        out = doc["outcome"]
        assert isinstance(out, dict)
        want = (out["tier"], out["reason"], out["rounds_played"], out["scores"])
        assert (g.tier, g.reason, g.rounds, g.scores) == want
        for k in meter_keys(rules):
            assert len(g.series[k]) == g.rounds + 1
        assert len(g.events) == g.rounds
        assert g.accepted == len(g.deals)
        assert g.offers >= g.accepted
        for key, peak in g.peaks.items():
            assert peak >= max(g.series[key])


def test_aggregate_counts_and_warnings(rules: Ruleset) -> None:
    games = [game_metrics(random_record(rules, s), rules, s) for s in range(60)]
    rep = aggregate(rules, games, seed=0)
    assert rep["outcomes"]["n"] == 60
    assert sum(r["count"] for r in rep["outcomes"]["tiers"].values()) == 60
    assert sum(r["count"] for r in rep["outcomes"]["endings"].values()) == 60
    assert set(rep["cards"]["gestures"]) == set(rules.gesture_ids)
    assert aggregate(rules, games, seed=0) == rep  # seeded: the same games give the same report
    assert isinstance(warnings(rules, rep), list)


def test_read_recorded_skips_what_it_cannot_use(rules: Ruleset, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(random_record(rules, 1)))
    other = load_rules(overrides=["rounds.count=3"])
    (tmp_path / "b.json").write_text(json.dumps(random_record(other, 2)))
    (tmp_path / "summary.json").write_text("{}")
    lines = [json.dumps({"game_id": str(i), **random_record(rules, 10 + i)}) for i in range(3)]
    (tmp_path / "games.jsonl").write_text("\n".join(lines) + "\n")
    rec = read_recorded(tmp_path, rules)
    assert len(rec.games) == 4
    assert len(rec.skipped) == 1 and "recorded under rules" in rec.skipped[0][1]


def test_without_cards(rules: Ruleset) -> None:
    less = without_cards(rules, ["photo_op"])
    assert "photo_op" not in less.gesture_ids and less.fingerprint != rules.fingerprint
    with pytest.raises(RulesError, match="no card"):
        without_cards(rules, ["no_such_card"])
