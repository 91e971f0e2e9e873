"""summitgame.runs.stats against values computed by hand (or from published tables)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitgame.runs.stats import (
    ELO,
    betainc,
    bootstrap_ci,
    bradley_terry,
    elo_score,
    mean_ci,
    score_elo,
    sprt_bernoulli,
    sprt_elo,
    sprt_mle,
    t_cdf,
    t_quantile,
    wilson,
    z_value,
)


def test_z_value() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.99) == pytest.approx(2.575829, abs=1e-6)
    with pytest.raises(ValueError):
        z_value(1.0)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),  # the textbook example
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
    ],
)
def test_wilson(k: int, n: int, low: float, high: float) -> None:
    e = wilson(k, n)
    assert e.value == k / n
    assert e.low == pytest.approx(low, abs=1e-4)
    assert e.high == pytest.approx(high, abs=1e-4)


def test_wilson_by_the_formula_and_edge_cases() -> None:
    # 3 of 4 with z = 1.96: centre (0.75 + 0.4802) / 1.9604, half 1.96·sqrt(0.046875 + 0.0600) / 1.9604
    z = 1.959964
    centre = (0.75 + z * z / 8) / (1 + z * z / 4)
    half = z * math.sqrt(0.75 * 0.25 / 4 + z * z / 64) / (1 + z * z / 4)
    e = wilson(3, 4)
    assert (e.low, e.high) == pytest.approx((centre - half, centre + half), abs=1e-6)
    assert wilson(2.5, 5).value == 0.5  # a tie counted as half a win
    assert math.isnan(wilson(0, 0).value)
    assert wilson(0, 0).as_dict() == {"value": None, "low": None, "high": None}
    with pytest.raises(ValueError):
        wilson(6, 5)


@pytest.mark.parametrize(
    ("df", "q"),
    [(1, 12.7062), (2, 4.3027), (4, 2.7764), (10, 2.2281), (30, 2.0423), (120, 1.9799)],
)
def test_t_quantile_matches_tables(df: int, q: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(q, abs=1e-4)
    assert t_quantile(0.025, df) == pytest.approx(-q, abs=1e-4)
    assert t_cdf(q, df) == pytest.approx(0.975, abs=1e-5)


def test_t_and_beta_basics() -> None:
    assert t_quantile(0.5, 7) == 0.0
    assert t_quantile(0.995, 5) == pytest.approx(4.0321, abs=1e-4)
    assert t_cdf(0.0, 3) == pytest.approx(0.5)
    assert betainc(1.0, 1.0, 0.3) == pytest.approx(0.3)  # uniform
    assert betainc(2.0, 3.0, 0.4) == pytest.approx(0.5248)  # 1 - sum of binomial terms, by hand


def test_mean_ci() -> None:
    # mean 3, sd sqrt(2.5), se sqrt(0.5), t(0.975, 4) = 2.776445
    e = mean_ci([1, 2, 3, 4, 5])
    assert e.value == 3
    assert e.low == pytest.approx(3 - 2.776445 * math.sqrt(0.5), abs=1e-5)
    assert e.high == pytest.approx(3 + 2.776445 * math.sqrt(0.5), abs=1e-5)
    assert e.half_width == pytest.approx(1.963243, abs=1e-5)
    n = mean_ci([1, 2, 3, 4, 5], method="normal")
    assert n.high - 3 == pytest.approx(1.959964 * math.sqrt(0.5), abs=1e-5)
    one = mean_ci([4.0])
    assert one.value == 4.0 and math.isnan(one.low)
    assert math.isnan(mean_ci([]).value)
    with pytest.raises(ValueError):
        mean_ci([1, 2], method="bayes")


def test_bootstrap_on_a_fixed_sample() -> None:
    import numpy as np

    def mean_of(xs: list[float]) -> Callable[[Any], Any]:
        data = np.asarray(xs)
        return lambda pick: data[pick].mean(axis=1)

    # resampled means of [0, 1] are 0, ½, 1 with chances ¼, ½, ¼: the 95% interval is [0, 1]
    assert bootstrap_ci(2, mean_of([0.0, 1.0]), 1, "k", 2000) == (0.0, 1.0)
    # a constant sample has a zero-width interval
    assert bootstrap_ci(7, mean_of([2.0] * 7), 0, "k", 1000) == (2.0, 2.0)
    # same seed and key, same interval; another seed or key, (almost surely) another
    xs = [float(x) for x in range(10)]
    assert bootstrap_ci(10, mean_of(xs), 3, "k", 1000) == bootstrap_ci(10, mean_of(xs), 3, "k", 1000)
    assert bootstrap_ci(10, mean_of(xs), 3, "k", 1000) != bootstrap_ci(10, mean_of(xs), 4, "k", 1000)
    assert bootstrap_ci(10, mean_of(xs), 3, "k", 1000) != bootstrap_ci(10, mean_of(xs), 3, "j", 1000)
    # close to the normal-theory interval for a mean (mean 4.5, se 0.957)
    low, high = bootstrap_ci(10, mean_of(xs), 0, "k", 4000)
    assert low == pytest.approx(4.5 - 1.96 * 0.9083, abs=0.25)  # bootstrap se uses the n divisor
    assert high == pytest.approx(4.5 + 1.96 * 0.9083, abs=0.25)
    # any statistic, and more resamples than one batch of draws holds: P(max <= 6) = 0.7 ** 10 = 0.028
    data = np.asarray(xs)
    assert bootstrap_ci(10, lambda pick: data[pick].max(axis=1), 0, "k", 300_000) == (6.0, 9.0)


def test_bootstrap_draws_the_same_whatever_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """The draws are made a block at a time (``BOOT_BLOCK``): the interval does not depend on the block's size."""
    import numpy as np

    from summitgame.runs import stats

    data = np.asarray([float(i * i % 17) for i in range(301)])
    want = bootstrap_ci(301, lambda pick: data[pick].mean(axis=1), 5, "k", 999)
    for block in (1, 302, 5000, 2_000_000):
        monkeypatch.setattr(stats, "BOOT_BLOCK", block)
        assert bootstrap_ci(301, lambda pick: data[pick].mean(axis=1), 5, "k", 999) == want


def test_bradley_terry_two_players() -> None:
    # 3 wins in 4: strength ratio 3, so the gap is 400·log10(3) = 190.85 Elo, split ±95.42.
    # Fisher information 4 · (3/16) = 0.75; Var(θ_A − θ_B) = 4/3, each rating ±sqrt(1/3).
    r = bradley_terry({("A", "B"): (3, 0, 1)})
    assert r.rating["A"] == pytest.approx(200 * math.log10(3), abs=1e-6)
    assert r.rating["B"] == pytest.approx(-200 * math.log10(3), abs=1e-6)
    assert r.se("A") == pytest.approx(ELO * math.sqrt(1 / 3), abs=1e-6)
    d = r.difference("A", "B")
    assert d.value == pytest.approx(400 * math.log10(3), abs=1e-6)
    assert d.half_width == pytest.approx(1.959964 * ELO * math.sqrt(4 / 3), abs=1e-3)
    assert r.expected_score("A", "B") == pytest.approx(0.75)


def test_bradley_terry_ties_count_half() -> None:
    plain = bradley_terry({("A", "B"): (3, 0, 1)})
    tied = bradley_terry({("A", "B"): (2, 2, 0)})  # 2 wins + 2 halves = 3 points of 4
    assert tied.rating["A"] == pytest.approx(plain.rating["A"], abs=1e-6)
    even = bradley_terry({("A", "B"): (1, 2, 1)})
    assert even.rating["A"] == pytest.approx(0.0, abs=1e-9)


def test_bradley_terry_three_players_exact() -> None:
    # strengths 4 : 2 : 1 fit these results exactly (observed points = expected points for everyone):
    # A–B 2:1 (expected 3·2/3), B–C 2:1 (3·2/3), A–C 4:1 (5·4/5). Ratings 400·log10(2) apart, mean 0.
    table = {("A", "B"): (2, 0, 1), ("B", "C"): (2, 0, 1), ("C", "A"): (1, 0, 4)}
    r = bradley_terry(table)
    step = 400 * math.log10(2)
    assert r.rating["A"] == pytest.approx(step, abs=1e-5)
    assert r.rating["B"] == pytest.approx(0.0, abs=1e-5)
    assert r.rating["C"] == pytest.approx(-step, abs=1e-5)
    assert sum(r.rating.values()) == pytest.approx(0.0, abs=1e-9)
    # Var(θ_A − θ_C) is the effective resistance between A and C in a network whose conductances are the
    # Fisher weights n·p_i·p_j/(p_i+p_j)²: A–B 3·8/36 = 2/3, B–C 3·2/9 = 2/3, A–C 5·4/25 = 4/5.
    # A–B–C in series: 1/3; in parallel with A–C: 1/3 + 4/5 = 17/15, so the variance is 15/17.
    d = r.difference("A", "C")
    assert d.half_width == pytest.approx(1.959964 * ELO * math.sqrt(15 / 17), abs=1e-3)
    lo, hi = r.estimate("A").low, r.estimate("A").high
    assert lo < step < hi


def test_bradley_terry_refusals_and_prior() -> None:
    with pytest.raises(ValueError, match="perfect record"):
        bradley_terry({("A", "B"): (4, 0, 0)})
    r = bradley_terry({("A", "B"): (4, 0, 0)}, prior=1.0)  # one virtual tie: 4.5 points of 5
    assert r.difference("A", "B").value == pytest.approx(400 * math.log10(9), abs=1e-6)
    with pytest.raises(ValueError, match="never meet"):
        bradley_terry({("A", "B"): (1, 0, 1), ("C", "D"): (1, 0, 1)})
    with pytest.raises(ValueError, match="no games"):
        bradley_terry({("A", "B"): (1, 0, 1)}, players=["A", "B", "C"])


# --- the Elo scale and the sequential test on match scores -------------------------------------------------


def test_elo_score_round_trips() -> None:
    assert elo_score(0) == 0.5
    assert elo_score(400) == pytest.approx(10 / 11)
    assert elo_score(-400) == pytest.approx(1 / 11)
    for elo in (-700.0, -30.0, 0.0, 5.0, 250.0):
        assert score_elo(elo_score(elo)) == pytest.approx(elo, abs=1e-9)
    assert score_elo(1.0) == math.inf and score_elo(0.0) == -math.inf
    assert math.copysign(1.0, score_elo(0.5)) == 1.0  # no "-0" in reports


def test_sprt_mle_is_wald_for_two_values() -> None:
    """On 0/1 scores the most likely distribution of mean p is Bernoulli(p): the LLR is Wald's."""
    counts = {1.0: 37, 0.0: 21}
    got = sprt_mle(counts, 0.5, 0.6)
    assert got.llr == pytest.approx(sprt_bernoulli(37, 58, 0.5, 0.6).llr, rel=2e-3)
    assert got.n == 58


def test_sprt_elo_needs_the_games_a_run_of_wins_takes() -> None:
    """Identical scores are no proof by themselves: all-won deals decide after about log(19)/log(s1/s0) of them
    (not after two, as a variance estimate of 0 would have it)."""
    need = math.log(0.95 / 0.05) / math.log(elo_score(30) / 0.5)
    for deals in range(1, 60):
        test = sprt_elo({1.0: deals}, 0, 30)
        assert (test.verdict == "stronger") == (deals >= math.ceil(need - 0.5)), deals
        assert sprt_elo({0.0: deals}, 0, 30).verdict == ("weaker" if test.verdict else None)
    assert sprt_elo({}, 0, 30).verdict is None


def test_sprt_elo_verdicts() -> None:
    assert sprt_elo({0.5: 400}, 0, 30).verdict == "equal"
    assert sprt_elo({0.5: 300, 0.75: 60, 0.25: 60}, 0, 30).verdict == "equal"
    assert sprt_elo({1.0: 300, 0.5: 200, 0.0: 150}, 0, 30).verdict == "stronger"
    assert sprt_elo({1.0: 150, 0.5: 200, 0.0: 300}, 0, 30).verdict == "weaker"
    assert sprt_elo({1.0: 6, 0.0: 5}, 0, 30).verdict is None
    for bad in ((30, 30), (-5, 10), (0, math.inf)):
        with pytest.raises(ValueError, match="Elo bounds"):
            sprt_elo({}, *bad)


@given(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), max_size=200), st.floats(0, 20), st.floats(1, 80))
def test_sprt_elo_is_antisymmetric(scores: list[float], elo0: float, gap: float) -> None:
    """Swapping A and B (score s becomes 1 − s) swaps "stronger" and "weaker" and their log-likelihood ratios."""
    test = sprt_elo(Counter(scores), elo0, elo0 + gap)
    mirror = sprt_elo(Counter(1 - s for s in scores), elo0, elo0 + gap)
    assert mirror.up.llr == pytest.approx(test.down.llr, abs=1e-6)
    assert mirror.down.llr == pytest.approx(test.up.llr, abs=1e-6)
    swap = {"stronger": "weaker", "weaker": "stronger", "equal": "equal", None: None}
    assert mirror.verdict == swap[test.verdict]
