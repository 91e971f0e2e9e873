"""Small statistics for bot play: rate and mean intervals, a seeded bootstrap, Bradley–Terry ratings.

Pure Python (``math``, ``statistics``), so it needs no numpy or scipy and is cheap next to the games it
summarizes; only the bootstrap resamples with numpy, imported when it is called. Every interval is
two-sided; ``confidence`` is its coverage (0.95 by default).

- ``wilson(k, n)``: the Wilson score interval for a rate (good at rates near 0 or 1 and for small n).
- ``mean_ci(xs)``: the mean with a Student-t (default) or normal interval.
- ``bootstrap_ci(n, stat, seed, key)``: a seeded percentile bootstrap interval (the reports' means and shares).
- ``bradley_terry(table)``: ratings on the Elo scale from a win/tie/loss crosstable (a tie counts as half
  a win to each side), with standard errors from the Fisher information.
- ``welch_diff(xs, ys)``: a difference of two means with its normal interval.
- ``sprt_bernoulli``, ``sprt_mean``, ``sprt_difference``: Wald's sequential probability ratio test (and
  the generalized, variance-estimating form Fishtest uses), to stop a comparison once it is decided.
- ``elo_score``, ``score_elo``, ``sprt_elo``: the logistic Elo scale, and the same test on match scores
  between Elo bounds (is A stronger, equal or weaker?).
"""

from __future__ import annotations

import itertools
import math
import statistics
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ELO = 400.0 / math.log(10.0)
"""Elo points per unit of Bradley–Terry strength (natural log): a 400-point gap means odds of 10 to 1."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a two-sided interval; ``low``/``high`` are NaN when there is too little data."""

    value: float
    low: float
    high: float

    def as_dict(self, digits: int = 4) -> dict[str, float | None]:
        """JSON-ready form (non-finite numbers become ``None``)."""
        return {"value": _num(self.value, digits), "low": _num(self.low, digits), "high": _num(self.high, digits)}

    @property
    def half_width(self) -> float:
        """Half the interval's width (the "±" figure)."""
        return (self.high - self.low) / 2


def _num(x: float, digits: int) -> float | None:
    return round(x, digits) if math.isfinite(x) else None


def z_value(confidence: float = 0.95) -> float:
    """The standard normal quantile for a two-sided interval (1.959964 for 0.95)."""
    _check_confidence(confidence)
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2)


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")


def wilson(successes: float, n: float, confidence: float = 0.95) -> Estimate:
    """The rate ``successes / n`` with its Wilson score interval (NaN for n = 0).

    ``successes`` may be fractional (a tie counted as half a win)."""
    if n <= 0:
        return Estimate(math.nan, math.nan, math.nan)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n, got {successes} of {n}")
    z = z_value(confidence)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Estimate(p, low, high)


# --- Student's t, from the regularized incomplete beta function ------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(ln_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (12.706 for p = 0.975, df = 1)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2.0


def mean_ci(xs: Sequence[float], confidence: float = 0.95, method: str = "t") -> Estimate:
    """The mean of ``xs`` with a two-sided interval: Student-t (``method="t"``) or normal (``"normal"``).

    The interval is NaN for fewer than two values; the mean is NaN for none."""
    return _mean_ci(lambda: iter(xs), len(xs), confidence, method)


def mean_ci_counts(counts: Mapping[float, int], confidence: float = 0.95, method: str = "t") -> Estimate:
    """``mean_ci`` of each value repeated as often as counted, without listing them: the same figures to the
    last bit (the sum and the squared deviations are exact in ``statistics``, whatever their order), from a
    table as long as the distinct values (a run's scores, kept while its games stream past)."""

    def values() -> Iterator[float]:
        return itertools.chain.from_iterable(itertools.repeat(v, c) for v, c in counts.items())

    return _mean_ci(values, sum(counts.values()), confidence, method)


def _mean_ci(values: Callable[[], Iterator[float]], n: int, confidence: float, method: str) -> Estimate:
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    m = statistics.fmean(values())
    if n < 2:
        return Estimate(m, math.nan, math.nan)
    se = statistics.stdev(values(), m) / math.sqrt(n)
    if method == "t":
        q = t_quantile(0.5 + confidence / 2, n - 1)
    elif method == "normal":
        q = z_value(confidence)
    else:
        raise ValueError(f"method must be 't' or 'normal', got {method!r}")
    return Estimate(m, m - q * se, m + q * se)


def quantile(sorted_xs: Sequence[float], q: float) -> float:
    """The ``q`` quantile of already sorted values, interpolating linearly between order statistics."""
    if not sorted_xs:
        return math.nan
    pos = q * (len(sorted_xs) - 1)
    i = math.floor(pos)
    j = min(i + 1, len(sorted_xs) - 1)
    return sorted_xs[i] + (sorted_xs[j] - sorted_xs[i]) * (pos - i)


BOOT_BLOCK = 1 << 16
"""Draws of a bootstrap made at a time."""


def bootstrap_ci(n: int, stat: Callable[[Any], Any], seed: int, key: str, resamples: int) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of a statistic of ``n`` items (games) drawn with replacement.

    ``stat`` maps a (k, n) numpy array of drawn indexes to the k statistics. Seeded by ``seed`` and ``key``
    (a metric's name), so the same inputs give the same interval; numpy (imported here, the reports'
    dependency) does the resampling, about ``BOOT_BLOCK`` draws at a time (a block small enough to stay in
    cache; the generator gives the same draws in blocks of any size, and of 32 or 64 bits)."""
    import numpy as np

    rng = np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(key.encode())])
    values = np.empty(resamples)
    step = max(1, BOOT_BLOCK // n)
    kind = np.int32 if n <= 2**31 else np.int64
    for i in range(0, resamples, step):
        k = min(step, resamples - i)
        values[i : i + k] = stat(rng.integers(0, n, size=(k, n), dtype=kind))
    values.sort()
    ordered = [float(v) for v in values]
    return quantile(ordered, 0.025), quantile(ordered, 0.975)


# --- Bradley–Terry ratings --------------------------------------------------------------------------------

WTL = tuple[float, float, float]
"""Wins, ties and losses of one player against another."""


@dataclass(frozen=True)
class Ratings:
    """Bradley–Terry ratings on the Elo scale (mean 0), with their covariance (Elo points squared)."""

    players: tuple[str, ...]
    rating: dict[str, float]
    cov: tuple[tuple[float, ...], ...]
    confidence: float = 0.95

    def se(self, player: str) -> float:
        """Standard error of one rating."""
        i = self.players.index(player)
        return math.sqrt(max(self.cov[i][i], 0.0))

    def estimate(self, player: str) -> Estimate:
        """One rating with its interval."""
        r, h = self.rating[player], z_value(self.confidence) * self.se(player)
        return Estimate(r, r - h, r + h)

    def difference(self, a: str, b: str) -> Estimate:
        """Rating of ``a`` minus rating of ``b``, with its interval (covariance included)."""
        i, j = self.players.index(a), self.players.index(b)
        var = self.cov[i][i] + self.cov[j][j] - 2 * self.cov[i][j]
        d, h = self.rating[a] - self.rating[b], z_value(self.confidence) * math.sqrt(max(var, 0.0))
        return Estimate(d, d - h, d + h)

    def expected_score(self, a: str, b: str) -> float:
        """The model's expected score (win = 1, tie = ½) of ``a`` against ``b``."""
        return 1.0 / (1.0 + math.pow(10.0, (self.rating[b] - self.rating[a]) / 400.0))


def bradley_terry(
    table: Mapping[tuple[str, str], WTL],
    players: Sequence[str] | None = None,
    prior: float = 0.0,
    confidence: float = 0.95,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> Ratings:
    """Fit Bradley–Terry strengths to a crosstable by the MM algorithm (Hunter 2004).

    ``table[(a, b)] = (wins, ties, losses)`` of ``a`` against ``b``; a pair may appear either way round
    (or both, and the counts add). A tie counts as half a win to each side. ``prior`` adds that many
    virtual tied games to every pair that played, which keeps a perfect score finite (``prior=0`` is
    the plain maximum-likelihood fit, and fails on a perfect score). Ratings are in Elo points with
    mean 0; their covariance is the pseudo-inverse of the Fisher information under that constraint.
    ValueError if a player has no games, or if the players do not all connect through games played."""
    names = list(players) if players is not None else sorted({p for pair in table for p in pair})
    k = len(names)
    index = {p: i for i, p in enumerate(names)}
    games = [[0.0] * k for _ in range(k)]
    points = [[0.0] * k for _ in range(k)]  # points[i][j]: what i scored against j
    for (a, b), (w, t, lo) in table.items():
        if a == b:
            raise ValueError(f"a player cannot play itself in a crosstable: {a!r}")
        i, j = index[a], index[b]
        n = w + t + lo
        games[i][j] += n
        games[j][i] += n
        points[i][j] += w + t / 2
        points[j][i] += lo + t / 2
    for i in range(k):
        for j in range(k):
            if i != j and games[i][j] > 0:
                games[i][j] += prior
                points[i][j] += prior / 2
    for i, p in enumerate(names):
        if not any(games[i]):
            raise ValueError(f"player {p!r} has no games")
    _check_connected(names, games)
    wins = [sum(row) for row in points]
    for i, p in enumerate(names):
        if wins[i] <= 0 or wins[i] >= sum(games[i]):
            raise ValueError(f"player {p!r} has a perfect record, so its rating is infinite; fit with prior > 0")

    strength = [1.0] * k
    for _ in range(max_iter):
        new = []
        for i in range(k):
            denom = sum(games[i][j] / (strength[i] + strength[j]) for j in range(k) if games[i][j])
            new.append(wins[i] / denom)
        geo = math.exp(statistics.fmean(math.log(s) for s in new))
        new = [s / geo for s in new]
        change = max(abs(math.log(a / b)) for a, b in zip(new, strength, strict=True))
        strength = new
        if change < tol:
            break
    theta = [math.log(s) for s in strength]
    mean = statistics.fmean(theta)
    rating = {p: ELO * (theta[i] - mean) for i, p in enumerate(names)}

    info = [[0.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(k):
            if i != j and games[i][j]:
                w = games[i][j] * strength[i] * strength[j] / (strength[i] + strength[j]) ** 2
                info[i][j] -= w
                info[i][i] += w
    cov = _laplacian_pinv(info)
    scaled = tuple(tuple(ELO * ELO * c for c in row) for row in cov)
    return Ratings(tuple(names), rating, scaled, confidence)


def _check_connected(names: list[str], games: list[list[float]]) -> None:
    seen = {0}
    todo = [0]
    while todo:
        i = todo.pop()
        for j, n in enumerate(games[i]):
            if n and j not in seen:
                seen.add(j)
                todo.append(j)
    if len(seen) != len(names):
        apart = sorted(names[i] for i in range(len(names)) if i not in seen)
        raise ValueError(f"players {', '.join(apart)} never meet the others, directly or through others")


def _laplacian_pinv(lap: list[list[float]]) -> list[list[float]]:
    """Pseudo-inverse of a connected graph's Laplacian: (L + J/k)⁻¹ − J/k, J the all-ones matrix."""
    k = len(lap)
    shifted = [[lap[i][j] + 1.0 / k for j in range(k)] for i in range(k)]
    inv = _inverse(shifted)
    return [[inv[i][j] - 1.0 / k for j in range(k)] for i in range(k)]


def _inverse(m: list[list[float]]) -> list[list[float]]:
    """Gauss–Jordan inverse with partial pivoting (small matrices only)."""
    k = len(m)
    a = [row[:] + [1.0 if i == j else 0.0 for j in range(k)] for i, row in enumerate(m)]
    for col in range(k):
        pivot = max(range(col, k), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-300:
            raise ValueError("singular matrix")
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        a[col] = [x / p for x in a[col]]
        for r in range(k):
            if r != col and a[r][col]:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [row[k:] for row in a]


# --- differences and sequential tests ---------------------------------------------------------------------


def welch_diff(xs: Sequence[float], ys: Sequence[float], confidence: float = 0.95) -> Estimate:
    """mean(ys) − mean(xs) with a normal (Welch) interval; NaN interval when a side has fewer than two values."""
    if not xs or not ys:
        return Estimate(math.nan, math.nan, math.nan)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    if len(xs) < 2 or len(ys) < 2:
        return Estimate(my - mx, math.nan, math.nan)
    se = math.sqrt(statistics.variance(xs, mx) / len(xs) + statistics.variance(ys, my) / len(ys))
    h = z_value(confidence) * se
    return Estimate(my - mx, my - mx - h, my - mx + h)


@dataclass(frozen=True)
class Sprt:
    """The state of a sequential probability ratio test (Wald): its log-likelihood ratio and bounds.

    ``decision`` is ``"H1"`` once ``llr >= upper``, ``"H0"`` once ``llr <= lower``, else None (keep going)."""

    llr: float
    lower: float
    upper: float
    n: int

    @property
    def decision(self) -> str | None:
        if self.llr >= self.upper:
            return "H1"
        if self.llr <= self.lower:
            return "H0"
        return None


def sprt_bounds(alpha: float = 0.05, beta: float = 0.05) -> tuple[float, float]:
    """Wald's bounds on the log-likelihood ratio: (log(β/(1−α)), log((1−β)/α)); ±2.944 for α = β = 0.05."""
    if not (0 < alpha < 1 and 0 < beta < 1):
        raise ValueError(f"alpha and beta must be between 0 and 1, got {alpha}, {beta}")
    return math.log(beta / (1 - alpha)), math.log((1 - beta) / alpha)


def sprt_bernoulli(successes: int, n: int, p0: float, p1: float, alpha: float = 0.05, beta: float = 0.05) -> Sprt:
    """Wald's SPRT of H0: p = p0 against H1: p = p1 after ``successes`` in ``n`` trials."""
    if not (0 < p0 < 1 and 0 < p1 < 1) or p0 == p1:
        raise ValueError(f"p0 and p1 must differ and lie strictly between 0 and 1, got {p0}, {p1}")
    llr = successes * math.log(p1 / p0) + (n - successes) * math.log((1 - p1) / (1 - p0))
    lo, hi = sprt_bounds(alpha, beta)
    return Sprt(llr, lo, hi, n)


def sprt_mean(
    n: int, total: float, total_sq: float, mu0: float, mu1: float, alpha: float = 0.05, beta: float = 0.05
) -> Sprt:
    """A generalized SPRT (as Fishtest uses) of H0: mean = mu0 against H1: mean = mu1 for roughly normal
    values, from their count, sum and sum of squares; the variance is the sample variance so far (a small
    floor keeps a constant stream decidable)."""
    lo, hi = sprt_bounds(alpha, beta)
    if n < 2:
        return Sprt(0.0, lo, hi, n)
    mean = total / n
    var = max((total_sq - n * mean * mean) / (n - 1), 1e-12 + 1e-6 * (mu1 - mu0) ** 2)
    llr = (mu1 - mu0) / var * (total - n * (mu0 + mu1) / 2)
    return Sprt(llr, lo, hi, n)


@dataclass(frozen=True)
class TwoSidedSprt:
    """Two one-sided SPRTs of "no difference" against a difference of ±delta: decided "differ" once either
    accepts its H1, "same" once both accept H0, else undecided (None)."""

    up: Sprt
    down: Sprt

    @property
    def decision(self) -> Literal["differ", "same"] | None:
        if self.up.decision == "H1" or self.down.decision == "H1":
            return "differ"
        if self.up.decision == "H0" and self.down.decision == "H0":
            return "same"
        return None


def sprt_difference(diffs: Sequence[float], delta: float, alpha: float = 0.05, beta: float = 0.05) -> TwoSidedSprt:
    """Sequential test on paired differences: is their mean 0, or at least ``delta`` away from it?"""
    if delta <= 0:
        raise ValueError(f"delta must be positive, got {delta}")
    n, total, total_sq = len(diffs), math.fsum(diffs), math.fsum(d * d for d in diffs)
    return TwoSidedSprt(
        sprt_mean(n, total, total_sq, 0.0, delta, alpha, beta),
        sprt_mean(n, total, total_sq, 0.0, -delta, alpha, beta),
    )


def elo_score(elo: float) -> float:
    """The expected score (win 1, tie ½) of a player ``elo`` points stronger, on the logistic Elo scale."""
    return 1.0 / (1.0 + math.pow(10.0, -elo / 400.0))


def score_elo(score: float) -> float:
    """The Elo difference that gives an expected ``score`` (the inverse of ``elo_score``; ±inf at 1 and 0)."""
    if score <= 0.0:
        return -math.inf
    if score >= 1.0:
        return math.inf
    return 400.0 * math.log10(score / (1.0 - score))


@dataclass(frozen=True)
class EloSprt:
    """Two generalized SPRTs on match scores: ``up`` of H0 elo = elo0 against H1 elo = elo1 (A stronger), and
    ``down``, its mirror, of H0 elo = −elo0 against H1 elo = −elo1 (A weaker). ``verdict`` is "stronger" or
    "weaker" once either accepts its H1, "equal" once both accept H0, else None (keep playing)."""

    up: Sprt
    down: Sprt

    @property
    def verdict(self) -> str | None:
        if self.up.decision == "H1":
            return "stronger"
        if self.down.decision == "H1":
            return "weaker"
        if self.up.decision == "H0" and self.down.decision == "H0":
            return "equal"
        return None


PENTANOMIAL = (0.0, 0.25, 0.5, 0.75, 1.0)
"""The scores of a pair of games (win 1, tie ½, loss 0, averaged): the five outcomes Fishtest counts."""
REGULARIZE = 1e-3  #: virtual count added to each pentanomial outcome (as Fishtest does), so no MLE is degenerate


def _tilt(values: Sequence[float], counts: Sequence[float], s: float) -> float:
    """Σ nᵢ·log(1 + λ(xᵢ − s)) at the λ that makes pᵢ ∝ nᵢ / (1 + λ(xᵢ − s)) a distribution of mean ``s``:
    minus the log-likelihood of the data under the most likely distribution of mean ``s`` on these values,
    up to a constant that does not depend on ``s`` (Owen's empirical likelihood)."""
    d = [x - s for x in values]
    hi_d, lo_d = max(d), min(d)
    if hi_d <= 0 or lo_d >= 0:
        raise ValueError(f"mean {s} is not inside the range of the values")
    lo, hi = -1.0 / hi_d, -1.0 / lo_d  # 1 + λd > 0 for every d on this open interval
    for _ in range(200):  # Σ nᵢdᵢ/(1 + λdᵢ) falls from +inf to -inf across it: bisect for its root
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if math.fsum(n * di / (1 + mid * di) for n, di in zip(counts, d, strict=True)) > 0:
            lo = mid
        else:
            hi = mid
    lam = (lo + hi) / 2
    return math.fsum(n * math.log1p(lam * di) for n, di in zip(counts, d, strict=True))


def sprt_mle(counts: Mapping[float, int], mu0: float, mu1: float, alpha: float = 0.05, beta: float = 0.05) -> Sprt:
    """The generalized SPRT of H0: mean = mu0 against H1: mean = mu1 for scores in 0..1, counted by value (for
    pairs of games, the five ``PENTANOMIAL`` outcomes): the log-likelihood ratio of the most likely
    distributions on those values with each mean (Fishtest's exact form, not a normal approximation; each
    pentanomial outcome gets ``REGULARIZE`` virtual games, so a run of identical scores still needs the
    games that make it convincing)."""
    if not (0 < mu0 < 1 and 0 < mu1 < 1):
        raise ValueError(f"means must lie strictly between 0 and 1, got {mu0}, {mu1}")
    if any(not 0 <= x <= 1 for x in counts):
        raise ValueError("scores must lie between 0 and 1")
    values = sorted(set(counts) | set(PENTANOMIAL))
    weights = [counts.get(x, 0) + (REGULARIZE if x in PENTANOMIAL else 0.0) for x in values]
    llr = _tilt(values, weights, mu0) - _tilt(values, weights, mu1)
    lo, hi = sprt_bounds(alpha, beta)
    return Sprt(llr, lo, hi, sum(counts.values()))


def sprt_elo(counts: Mapping[float, int], elo0: float, elo1: float, alpha: float = 0.05, beta: float = 0.05) -> EloSprt:
    """The sequential test of ``EloSprt`` on A's scores counted by value, one score in 0..1 per independent
    trial (Fishtest scores a pair of games on one opening; a match here, a deal played from both seats: the
    mean of the two results). Each side is ``sprt_mle`` between the expected scores of its Elo bounds.
    ValueError unless 0 <= elo0 < elo1."""
    if not (0.0 <= elo0 < elo1) or not math.isfinite(elo1):
        raise ValueError(f"the Elo bounds must satisfy 0 <= elo0 < elo1, got elo0 {elo0}, elo1 {elo1}")
    return EloSprt(
        sprt_mle(counts, elo_score(elo0), elo_score(elo1), alpha, beta),
        sprt_mle(counts, elo_score(-elo0), elo_score(-elo1), alpha, beta),
    )
