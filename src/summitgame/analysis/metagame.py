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
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog, minimize

from ..agents.probes import CHEAP_LINES
from ..errors import SummitError

Matrix = NDArray[np.float64]

#: Slack on the equilibrium constraints: payoffs are estimated rates, far coarser than this.
TOLERANCE = 1e-9


class MetagameError(SummitError, ValueError):
    """A payoff matrix the solver cannot use (not square, not finite); a ValueError too, as it always was."""


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
            line = (
                f"{self.labels[i]} is in the equilibrium's support with weight {w.value:.2f} "
                f"[{w.low:.2f}, {w.high:.2f}] (in the support in {self.in_support[i]:.0%} of resamples)"
            )
            cheap = CHEAP_LINES.get(self.labels[i].split(":")[0].split("#")[0])
            if cheap is not None:
                line += f": {cheap} is a strong strategy in these rules"
            lines.append(line)
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
        # rounded once here, so every table and sentence shows the same figures
        if resamples == 0:
            return tuple(Interval(round(x, 4), round(x, 4), round(x, 4)) for x in point)
        return tuple(
            Interval(
                round(float(point[i]), 4),
                round(float(np.percentile(samples[:, i], lo)), 4),
                round(float(np.percentile(samples[:, i], hi)), 4),
            )
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


# --- from a round robin's games ------------------------------------------------------------------------


def points(line: Mapping[str, Any], label: str) -> float:
    """Match points of ``label`` in one games.jsonl line: 1 win, ½ tie, 0 loss (a forfeit loses)."""
    winner = line.get("winner")
    if winner is None and not line.get("forfeit"):
        return 0.5
    return 1.0 if winner == label else 0.0


def pair_scores(labels: Sequence[str], lines: Sequence[Mapping[str, Any]]) -> dict[tuple[int, int], list[float]]:
    """Each pair's resampling units: the first agent's mean points over the games of one deal.

    Games 2k and 2k+1 of a pair share a deal with seats swapped, so a unit is that role-swapped pair
    (a deal whose partner game is missing, as in an interrupted run, counts alone)."""
    index = {a: i for i, a in enumerate(labels)}
    deals: dict[tuple[int, int], dict[int, list[float]]] = {}
    for line in sorted(lines, key=lambda ln: ln["index"]):
        a, b = line["pair"]
        i, j = index[a], index[b]
        first = a if i < j else b
        key = (min(i, j), max(i, j))
        deals.setdefault(key, {}).setdefault(line["game"] // 2, []).append(points(line, first))
    return {k: [sum(v) / len(v) for _, v in sorted(d.items())] for k, d in sorted(deals.items())}


def report(game: Metagame, games_per_pair: int, seed: int) -> dict[str, Any]:
    """The meta-game as a JSON document: rates, the equilibrium with intervals, regrets, the verdict."""
    eq = game.equilibrium
    rows: list[dict[str, Any]] = []
    for i, label in enumerate(game.labels):
        w, r = game.weights[i], game.regrets[i]
        rows.append(
            {
                "agent": label,
                "weight": {"value": round(w.value, 4), "low": round(w.low, 4), "high": round(w.high, 4)},
                "regret": {"value": round(r.value, 4), "low": round(r.low, 4), "high": round(r.high, 4)},
                "in_support": round(game.in_support[i], 4),
                "payoff_vs_equilibrium": round(eq.payoffs[i], 4),
            }
        )
    rows.sort(key=lambda row: (-row["weight"]["value"], row["regret"]["value"], row["agent"]))
    return {
        "agents": list(game.labels),
        "games_per_pair": games_per_pair,
        "seed": seed,
        "resamples": game.resamples,
        "score_rates": {
            a: {b: round(game.rates[i][j], 4) for j, b in enumerate(game.labels) if j != i}
            for i, a in enumerate(game.labels)
        },
        "equilibrium": rows,
        "support": [game.labels[i] for i in eq.support()],
        "verdict": game.verdict(),
    }


def report_lines(doc: Mapping[str, Any]) -> list[str]:
    """The meta-game report as text: the equilibrium table, then the verdict."""
    width = max(len("agent"), *(len(a) for a in doc["agents"]))
    out = [
        f"meta-game of {len(doc['agents'])} agents, {doc['games_per_pair']} games per pair (seats swapped on paired "
        f"deals, seed {doc['seed']}); intervals from {doc['resamples']} resamples of each pair's deals",
        "",
    ]
    cells = []
    for row in doc["equilibrium"]:
        w, r = row["weight"], row["regret"]
        weight = f"{w['value']:.2f} [{w['low']:.2f}, {w['high']:.2f}]"
        regret = f"{r['value']:.1%} [{r['low']:.1%}, {r['high']:.1%}]"
        cells.append((row["agent"], weight, regret, f"{row['in_support']:.0%}"))
    ww = max(len("weight"), *(len(c[1]) for c in cells))
    rw = max(len("regret"), *(len(c[2]) for c in cells))
    out.append(f"{'agent':<{width}}  {'weight':<{ww}}  {'regret':<{rw}}  in support")
    out += [f"{a:<{width}}  {w:<{ww}}  {r:<{rw}}  {s:>10}" for a, w, r, s in cells]
    out += [
        "",
        "weight: share in the maximum-entropy Nash equilibrium of the game whose payoff is the score rate;",
        "regret: how far below an even result the agent scores against that mix (0 in the support)",
        "",
    ]
    out += doc["verdict"]
    return out
