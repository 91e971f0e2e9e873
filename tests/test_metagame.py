"""The meta-game solver on matrix games whose answers are known, and its resampled intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitgame.analysis.metagame import MetagameError, maxent_nash, metagame, payoff_matrix

RPS = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]


def test_rock_paper_scissors_is_uniform() -> None:
    eq = maxent_nash(RPS)
    assert eq.weights == pytest.approx([1 / 3] * 3, abs=1e-6)
    assert eq.value == pytest.approx(0, abs=1e-9)
    assert eq.regrets == pytest.approx([0, 0, 0], abs=1e-6)


def test_a_dominated_strategy_gets_no_weight_and_a_regret() -> None:
    # RPS plus "dud", which loses to everything by 0.5
    a = np.zeros((4, 4))
    a[:3, :3] = RPS
    a[3, :3] = -0.5
    a[:3, 3] = 0.5
    eq = maxent_nash(a)
    assert eq.weights[3] == pytest.approx(0, abs=1e-6)
    assert eq.weights[:3] == pytest.approx([1 / 3] * 3, abs=1e-6)
    assert eq.regrets[3] == pytest.approx(0.5, abs=1e-6)
    assert sorted(eq.support()) == [0, 1, 2]


def test_a_strategy_that_beats_all_is_a_pure_equilibrium() -> None:
    rates = [[0.5, 0.7, 0.9], [0.3, 0.5, 0.6], [0.1, 0.4, 0.5]]
    eq = maxent_nash(payoff_matrix(rates))
    assert eq.weights == pytest.approx([1, 0, 0], abs=1e-6)
    assert eq.regrets == pytest.approx([0, 0.2, 0.4], abs=1e-6)


def test_a_cloned_strategy_splits_its_weight_evenly() -> None:
    # rock entered twice: every split of rock's 1/3 is an equilibrium; the maximum-entropy one halves it
    a = np.array(RPS, dtype=float)
    a = np.vstack([a, a[0]])
    a = np.hstack([a, a[:, [0]]])
    eq = maxent_nash(a)
    assert eq.weights == pytest.approx([1 / 6, 1 / 3, 1 / 3, 1 / 6], abs=1e-4)


def test_a_single_agent_is_its_own_equilibrium() -> None:
    assert maxent_nash([[0.0]]).weights == (1.0,)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6).flatmap(lambda n: st.lists(st.floats(0, 1), min_size=n * n, max_size=n * n)))
def test_the_solution_is_an_equilibrium_of_any_antisymmetric_game(flat: list[float]) -> None:
    n = round(len(flat) ** 0.5)
    a = payoff_matrix(np.array(flat).reshape(n, n))
    eq = maxent_nash(a)
    p = np.array(eq.weights)
    assert p.min() >= 0 and p.sum() == pytest.approx(1)
    # no strategy earns more than the value against the mix, and the value of a symmetric zero-sum game is 0
    assert (a @ p).max() <= 1e-6
    assert eq.value == pytest.approx(0, abs=1e-6)


def test_bad_matrices_are_refused_in_words() -> None:
    with pytest.raises(MetagameError, match="square"):
        payoff_matrix([[0.5, 0.5]])
    with pytest.raises(MetagameError, match="finite"):
        maxent_nash([[0.0, float("nan")], [0.0, 0.0]])


def test_resampling_gives_intervals_around_a_clear_winner() -> None:
    rng = np.random.default_rng(1)
    labels = ["strong", "middle", "weak"]
    scores = {
        (0, 1): list((rng.random(200) < 0.75).astype(float)),
        (0, 2): list((rng.random(200) < 0.9).astype(float)),
        (1, 2): list((rng.random(200) < 0.7).astype(float)),
    }
    m = metagame(labels, scores, resamples=100, seed=3)
    assert m.equilibrium.support() == [0]
    assert m.weights[0].low > 0.99
    assert m.in_support[0] == 1.0
    assert m.regrets[2].low > m.regrets[1].high  # weak falls further short than middle
    assert m.verdict()[0].startswith("strong is in the equilibrium's support with weight 1.00")
    assert "weak is left out" in m.verdict()[-1]
    # same seed, same answer
    assert metagame(labels, scores, resamples=100, seed=3) == m


def test_a_cycle_keeps_every_agent_in_the_support() -> None:
    rng = np.random.default_rng(2)
    scores = {
        (0, 1): list((rng.random(400) < 0.2).astype(float)),
        (0, 2): list((rng.random(400) < 0.8).astype(float)),
        (1, 2): list((rng.random(400) < 0.2).astype(float)),
    }
    m = metagame(["rock", "paper", "scissors"], scores, resamples=50)
    assert m.equilibrium.support() and len(m.equilibrium.support()) == 3
    assert all(w.value == pytest.approx(1 / 3, abs=0.1) for w in m.weights)


def test_pairs_must_name_two_agents_in_order() -> None:
    with pytest.raises(MetagameError, match="pair"):
        metagame(["a", "b"], {(1, 0): [1.0]})
    with pytest.raises(MetagameError, match="at least one"):
        metagame([], {})
