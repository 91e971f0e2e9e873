"""The empirical meta-game: which agents a rational field would field, and how far each falls short.

The agents of a round robin are the strategies of a symmetric zero-sum game whose payoff to ``i`` against
``j`` is ``i``'s score rate minus one half. Its maximum-entropy Nash equilibrium is unique (Balduzzi et al.
2018, "Re-evaluating evaluation"), so it does not depend on which agents were entered twice: its support
says which strategies are worth playing and with what weight. An agent's *regret* is how much less than
the game's value (zero) it scores against the equilibrium mix: zero in the support, positive outside it
(Nash averaging). Intervals come from resampling each pair's games.

The linear program is scipy's (HiGHS); the entropy is maximised over the equilibrium polytope with SLSQP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog, minimize

Matrix = NDArray[np.float64]

#: Slack on the equilibrium constraints: payoffs are estimated rates, far coarser than this.
TOLERANCE = 1e-9


class MetagameError(ValueError):
    """A payoff matrix the solver cannot use (not square, not finite)."""


@dataclass(frozen=True)
class Equilibrium:
    """A symmetric equilibrium: each strategy's weight and its expected payoff against the mix."""

    weights: tuple[float, ...]
    payoffs: tuple[float, ...]  #: (A @ p)_i: what strategy i earns against the equilibrium mix
    value: float  #: the game's value (zero for an antisymmetric game, up to rounding)

    @property
    def regrets(self) -> tuple[float, ...]:
        """How much less than the value each strategy earns against the mix (0 in the support)."""
        return tuple(max(0.0, self.value - u) for u in self.payoffs)

    def support(self, threshold: float = 1e-6) -> list[int]:
        """Indexes of the strategies played with weight above ``threshold``, heaviest first."""
        order = sorted(range(len(self.weights)), key=lambda i: (-self.weights[i], i))
        return [i for i in order if self.weights[i] > threshold]


def payoff_matrix(rates: Sequence[Sequence[float]] | Matrix) -> Matrix:
    """The antisymmetric payoff ``A[i][j] = (R[i][j] - R[j][i]) / 2`` from a matrix of score rates.

    With ``R[j][i] = 1 - R[i][j]`` this is ``R - 1/2``; averaging both directions keeps ``A`` exactly
    antisymmetric even when the two rates were estimated from different games."""
    r = np.asarray(rates, dtype=np.float64)
    if r.ndim != 2 or r.shape[0] != r.shape[1] or r.shape[0] == 0:
        raise MetagameError(f"score rates must form a non-empty square matrix, not shape {r.shape}")
    if not np.all(np.isfinite(r)):
        raise MetagameError("score rates must be finite numbers")
    return (r - r.T) / 2.0


def _lp_equilibrium(a: Matrix) -> tuple[Matrix, float]:
    """A maximin mix of the row player and the game's value, by linear programming."""
    n = a.shape[0]
    # variables: p_0..p_{n-1}, v; maximise v subject to (A^T p)_j >= v for every column j
    c = np.zeros(n + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-a.T, np.ones((n, 1))])
    a_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    bounds = [(0.0, None)] * n + [(None, None)]
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if not res.success:  # pragma: no cover - a finite matrix game always has a solution
        raise MetagameError(f"the linear program failed: {res.message}")
    p = np.clip(res.x[:n], 0.0, None)
    return p / p.sum(), float(res.x[-1])


def _feasible(a: Matrix, p: Matrix, value: float) -> bool:
    return bool(np.all(p >= -TOLERANCE) and abs(p.sum() - 1.0) < 1e-7 and np.all(a.T @ p >= value - 1e-7))


def maxent_nash(payoffs: Sequence[Sequence[float]] | Matrix) -> Equilibrium:
    """The maximum-entropy equilibrium of the symmetric zero-sum game with antisymmetric payoffs ``A``."""
    a = np.asarray(payoffs, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise MetagameError(f"payoffs must form a non-empty square matrix, not shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise MetagameError("payoffs must be finite numbers")
    n = a.shape[0]
    p_lp, value = _lp_equilibrium(a)
    best = p_lp
    if n > 1:
        # the equilibrium set is the polytope {p in simplex : A^T p >= value}; its entropy is strictly concave
        cons = [
            {"type": "eq", "fun": lambda p: p.sum() - 1.0, "jac": lambda p: np.ones_like(p)},
            {"type": "ineq", "fun": lambda p: a.T @ p - value + TOLERANCE, "jac": lambda p: a.T},
        ]

        def neg_entropy(p: Matrix) -> float:
            q = np.clip(p, 1e-300, None)
            return float(np.sum(q * np.log(q)))

        def grad(p: Matrix) -> Matrix:
            return np.log(np.clip(p, 1e-300, None)) + 1.0

        start = 0.5 * p_lp + 0.5 * np.full(n, 1.0 / n)
        if not _feasible(a, start, value):
            start = p_lp
        res = minimize(
            neg_entropy,
            start,
            jac=grad,
            bounds=[(0.0, 1.0)] * n,
            constraints=cons,
            method="SLSQP",
            options={"maxiter": 500, "ftol": 1e-12},
        )
        p = np.clip(res.x, 0.0, None)
        p[p < 1e-9] = 0.0
        if p.sum() > 0:
            p = p / p.sum()
            if _feasible(a, p, value) and neg_entropy(p) <= neg_entropy(p_lp) + 1e-12:
                best = p
    u = a @ best
    return Equilibrium(tuple(float(x) for x in best), tuple(float(x) for x in u), value)


@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile-bootstrap interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Metagame:
    """The round robin's meta-game: rates, the equilibrium, and resampled intervals per agent."""

    labels: tuple[str, ...]
    rates: tuple[tuple[float, ...], ...]  #: rates[i][j]: i's score rate against j (0.5 on the diagonal)
    equilibrium: Equilibrium
    weights: tuple[Interval, ...]
    regrets: tuple[Interval, ...]
    in_support: tuple[float, ...]  #: share of resamples in which each agent is in the support
    resamples: int

    def verdict(self) -> list[str]:
        """The equilibrium in words, heaviest strategy first."""
        eq = self.equilibrium
        lines = []
        for i in eq.support():
            w = self.weights[i]
            lines.append(
                f"{self.labels[i]} is in the equilibrium's support with weight {w.value:.2f} "
                f"[{w.low:.2f}, {w.high:.2f}] (in the support in {self.in_support[i]:.0%} of resamples)"
            )
        out = [i for i in range(len(self.labels)) if i not in eq.support()]
        for i in sorted(out, key=lambda i: self.regrets[i].value):
            r = self.regrets[i]
            lines.append(
                f"{self.labels[i]} is left out: against the equilibrium mix it scores {r.value:.1%} "
                f"[{r.low:.1%}, {r.high:.1%}] below an even result"
            )
        return lines


def _rates(labels: Sequence[str], scores: Mapping[tuple[int, int], Sequence[float]]) -> Matrix:
    n = len(labels)
    r = np.full((n, n), 0.5)
    for (i, j), xs in scores.items():
        if xs:
            r[i, j] = float(np.mean(xs))
            r[j, i] = 1.0 - r[i, j]
    return r


def metagame(
    labels: Sequence[str],
    scores: Mapping[tuple[int, int], Sequence[float]],
    resamples: int = 200,
    seed: int = 0,
    confidence: float = 0.95,
) -> Metagame:
    """Solve the meta-game of a round robin and resample it.

    ``scores[(i, j)]`` (``i < j``) lists ``i``'s score in each resampling unit against ``j``: 1 win, 0.5 tie,
    0 loss, or the mean over a role-swapped pair of games on one deal (the unit to resample, so the
    pairing survives). A pair with no games counts as even."""
    n = len(labels)
    if n == 0:
        raise MetagameError("a meta-game needs at least one agent")
    for i, j in scores:
        if not (0 <= i < j < n):
            raise MetagameError(f"pair {(i, j)} is not two distinct agents in order")
    if not 0 < confidence < 1:
        raise MetagameError("confidence must be between 0 and 1")
    base = _rates(labels, scores)
    eq = maxent_nash(payoff_matrix(base))
    rng = np.random.default_rng(seed)
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in scores.items() if len(v)}
    ws = np.empty((resamples, n))
    rs = np.empty((resamples, n))
    support = np.zeros(n)
    for b in range(resamples):
        r = np.full((n, n), 0.5)
        for (i, j), xs in arrays.items():
            r[i, j] = float(xs[rng.integers(0, len(xs), len(xs))].mean())
            r[j, i] = 1.0 - r[i, j]
        e = maxent_nash(payoff_matrix(r))
        ws[b] = e.weights
        rs[b] = e.regrets
        for i in e.support():
            support[i] += 1
    lo, hi = (1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100

    def intervals(point: Sequence[float], samples: Matrix) -> tuple[Interval, ...]:
        if resamples == 0:
            return tuple(Interval(x, x, x) for x in point)
        return tuple(
            Interval(float(point[i]), float(np.percentile(samples[:, i], lo)), float(np.percentile(samples[:, i], hi)))
            for i in range(n)
        )

    return Metagame(
        labels=tuple(labels),
        rates=tuple(tuple(float(x) for x in row) for row in base),
        equilibrium=eq,
        weights=intervals(eq.weights, ws),
        regrets=intervals(eq.regrets, rs),
        in_support=tuple(
            float(s / resamples) if resamples else float(eq.weights[i] > 1e-6) for i, s in enumerate(support)
        ),
        resamples=resamples,
    )
