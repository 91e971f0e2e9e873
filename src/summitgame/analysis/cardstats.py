"""Card statistics from observed games, compared like with like and with intervals honest at small n.

A card's *shift* is mean(with the card) − mean(without it) of a per-game value (a role's score, a tier's
indicator), computed **within games of the same length** and averaged over the lengths the card occurs in,
weighted by its games there: longer games draw more events and play more gestures, so a plain difference would
credit every card with whatever long games do (before this, every event showed a positive score shift for both
sides). Games of a length that has no game without the card (or none with it) cannot be compared and are left
out; ``matched`` counts the units that were.

The interval resamples whole **deals** (the seat-swapped games of a deal, and every pair of agents on it, share
its deck order, so they are not independent) and is widened by Student's t with one degree of freedom fewer
than the deals on the smaller side; its standard error is never below the one the games' own spread gives
(the pooled within-length variance), so a card seen 4 times cannot claim a narrow interval because those 4
values happened to agree. A card played by fewer than ``MIN_PLAYS`` units or in fewer than ``MIN_DEALS``
distinct deals is *too few to judge*: it keeps its figures but is not ranked. Correlations still, not causes
(``balance --ablate`` and ``--impact`` measure causes).
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..runs.stats import t_quantile

MIN_PLAYS = 20  #: a card with fewer units (plays, or games drawn in) than this is too few to judge
MIN_DEALS = 10  #: ... and so is one seen in fewer distinct deals than this (its draws share deck orders)
RESAMPLES = 400  #: deal resamples for a shift's standard error (not its percentiles: a few hundred do)


def _shift(counts: Any, sums: Any) -> Any:
    """The length-matched shift from per-(length, side) counts and sums, over a leading batch axis: shape
    (..., lengths, 2) in, (...) out (NaN where no length has games on both sides)."""
    import numpy as np

    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        both = (counts[..., 0] > 0) & (counts[..., 1] > 0)
        weight = np.where(both, counts[..., 1], 0.0)
        diffs = np.where(both, means[..., 1] - means[..., 0], 0.0)
        total = weight.sum(axis=-1)
        return np.where(total > 0, (weight * diffs).sum(axis=-1) / total, np.nan)


def matched_shift(
    values: Sequence[float],
    present: Sequence[bool],
    lengths: Sequence[int],
    deals: Sequence[int],
    seed: int,
) -> dict[str, Any]:
    """mean(values where present) − mean(values where not), within equal ``lengths`` and weighted by the
    present units of each length, with a deal-resampled, t-widened 95% interval (see the module docstring).

    One entry per unit (a game, or a game and role); ``deals`` names each unit's deal. The result carries
    both group sizes, the deals on each side and the units matched by length."""
    return matched_shifts({"": values}, present, lengths, deals, seed)[""]


def matched_shifts(
    columns: Mapping[str, Sequence[float]],
    present: Sequence[bool],
    lengths: Sequence[int],
    deals: Sequence[int],
    seed: int,
) -> dict[str, dict[str, Any]]:
    """``matched_shift`` of several value columns over the same units, resampled together (one pass)."""
    import numpy as np

    n_with = sum(1 for p in present if p)
    deals_with = len({d for d, p in zip(deals, present, strict=True) if p})
    deals_without = len({d for d, p in zip(deals, present, strict=True) if not p})
    head: dict[str, Any] = {
        "n_without": len(present) - n_with,
        "n_with": n_with,
        "deals_with": deals_with,
        "deals_without": deals_without,
        "matched": 0,
    }
    out = {name: {**head, "value": None, "low": None, "high": None} for name in columns}
    if not n_with or n_with == len(present):
        return out
    deal_ix = {d: i for i, d in enumerate(dict.fromkeys(deals))}  # deal seeds may not fit an int64
    len_ix = {n: i for i, n in enumerate(sorted(set(lengths)))}
    deal_of = np.array([deal_ix[d] for d in deals], dtype=np.int64)
    len_of = np.array([len_ix[n] for n in lengths], dtype=np.int64)
    k, m, c = len(deal_ix), len(len_ix), len(columns)
    vals = np.asarray([list(v) for v in columns.values()], dtype=float)  # (columns, units)
    cell = (deal_of * m + len_of) * 2 + np.asarray(present, dtype=np.int64)
    counts = np.bincount(cell, minlength=k * m * 2).astype(float).reshape(k, m, 2)
    sums = np.stack([np.bincount(cell, weights=v, minlength=k * m * 2).reshape(k, m, 2) for v in vals], axis=1)
    tc, ts = counts.sum(axis=0), sums.sum(axis=0)  # (m, 2), (c, m, 2)
    values = _shift(tc, ts)
    both = (tc[:, 0] > 0) & (tc[:, 1] > 0)
    df = min(deals_with, deals_without) - 1
    boot = None
    if df >= 1 and both.any():
        weights = _weights(k, seed)
        # einsum without BLAS: a BLAS product spins its threads (seconds on a busy machine), in any order
        bc = np.einsum("bk,kj->bj", weights, counts.reshape(k, -1), optimize=False).reshape(-1, 1, m, 2)
        bs = np.einsum("bk,kj->bj", weights, sums.reshape(k, -1), optimize=False).reshape(-1, c, m, 2)
        boot = _shift(bc, bs)  # (resamples, columns)
    n_all = tc.sum(axis=1)
    w = np.where(both, tc[:, 1], 0.0) / max(1.0, float(tc[both, 1].sum()))
    for j, name in enumerate(columns):
        doc = out[name]
        value = float(values[j])
        if math.isnan(value):
            continue
        doc["matched"] = int(tc[both, 1].sum())
        doc["value"] = round(value, 4)
        if boot is None:
            continue
        # the floor: the standard error the games' own spread gives, length by length
        sq = np.bincount(len_of, weights=vals[j] * vals[j], minlength=m)
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = np.maximum(0.0, np.where(n_all > 1, (sq - ts[j].sum(axis=1) ** 2 / n_all) / (n_all - 1), 0.0))
            floor = math.sqrt(float(np.where(both, w**2 * pooled * (1 / tc[:, 0] + 1 / tc[:, 1]), 0.0).sum()))
        col = boot[:, j]
        col = col[~np.isnan(col)]
        se = float(col.std(ddof=1)) if len(col) > 1 else 0.0
        half = _t975(df) * max(se, floor)
        doc["low"], doc["high"] = round(value - half, 4), round(value + half, 4)
    return out


@functools.lru_cache(maxsize=8)
def _weights(k: int, seed: int) -> Any:
    """How often each of ``k`` deals is drawn in each resample (RESAMPLES × k), seeded; shared by every shift
    of a report, which has one set of deals."""
    import numpy as np

    rng = np.random.default_rng([seed & 0xFFFFFFFF, k, zlib.crc32(b"cards")])
    picks = rng.integers(0, k, size=(RESAMPLES, k)) + k * np.arange(RESAMPLES)[:, None]
    weights = np.bincount(picks.ravel(), minlength=RESAMPLES * k).reshape(RESAMPLES, k).astype(float)
    weights.setflags(write=False)
    return weights


@functools.lru_cache(maxsize=256)
def _t975(df: int) -> float:
    return t_quantile(0.975, df)


def too_few(shift: dict[str, Any]) -> bool:
    """Whether a shift rests on too few units or deals (on either side) to judge the card by it."""
    return (
        min(shift["n_with"], shift["n_without"]) < MIN_PLAYS
        or min(shift["deals_with"], shift["deals_without"]) < MIN_DEALS
        or shift["value"] is None
    )
