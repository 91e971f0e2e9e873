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
UNIT_BLOCK = 1024  #: units summed at a time (a block of their deals' draws stays in cache)


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
    return Units(columns, lengths, deals, seed).shifts(present)


class Units:
    """The units of a report (their value columns, lengths and deals) prepared once, so that the shifts of many
    cards over them (``shifts``) cost in proportion to the units that have the card, not to all of them.

    The resampled sums are sums of integer-valued products when the values are whole numbers (scores, 0/1
    indicators), which floating point adds exactly in any order: each card's resampled sums are then the
    resampled totals (worked out once) less the sums of the units with the card, and the figures are the
    same to the last bit as summing every unit for every card. Other values take that longer way."""

    def __init__(self, columns: Mapping[str, Sequence[float]], lengths: Sequence[int], deals: Sequence[int], seed: int):
        import numpy as np

        self.names = list(columns)
        self.units = len(deals)
        self.seed = seed
        deal_ix = {d: i for i, d in enumerate(dict.fromkeys(deals))}  # deal seeds may not fit an int64
        len_ix = {n: i for i, n in enumerate(sorted(set(lengths)))}
        self.deal_of = np.array([deal_ix[d] for d in deals], dtype=np.int64)
        self.len_of = np.array([len_ix[n] for n in lengths], dtype=np.int64)
        self.k, self.m = len(deal_ix), len(len_ix)
        self.vals = np.asarray([list(v) for v in columns.values()], dtype=float).reshape(len(self.names), len(deals))
        self.whole = bool(np.all(np.isfinite(self.vals)) and np.array_equal(self.vals, np.rint(self.vals)))
        self.whole = self.whole and float(np.abs(self.vals).sum(initial=0.0)) * max(1, len(deals)) < 2.0**52
        self._totals: tuple[Any, Any] | None = None
        self._squares: dict[int, Any] = {}

    def _resampled(self, units: Any) -> tuple[Any, Any]:
        """Each resample's count and value sums of these units by length: (resamples, lengths), (resamples,
        columns, lengths); summed unit by unit (whole values: exact in any order)."""
        import numpy as np

        weights_t = _weights_t(self.k, self.seed)  # a unit's row: how often each resample draws its deal
        counts = np.zeros((RESAMPLES, self.m))
        sums = np.zeros((RESAMPLES, len(self.names), self.m))
        lens = self.len_of[units]
        for length in range(self.m):
            these = units[lens == length]
            for at in range(0, len(these), UNIT_BLOCK):
                block = these[at : at + UNIT_BLOCK]
                rows = weights_t[self.deal_of[block]]  # (units, resamples)
                counts[:, length] += rows.sum(axis=0)
                for j, column in enumerate(self.vals):
                    sums[:, j, length] += np.einsum("u,ur->r", column[block], rows)
        return counts, sums

    def shifts(self, present: Sequence[bool]) -> dict[str, dict[str, Any]]:
        """Each column's length-matched shift between the units with the card (``present``) and those
        without, with its interval (``matched_shift``)."""
        import numpy as np

        has = np.asarray(present, dtype=np.int64)
        if has.shape != self.deal_of.shape:
            raise ValueError(f"{len(has)} present flags for {len(self.deal_of)} units")
        n_with = int(has.sum())
        deals_with = len(np.unique(self.deal_of[has == 1]))
        deals_without = len(np.unique(self.deal_of[has == 0]))
        head: dict[str, Any] = {
            "n_without": len(present) - n_with,
            "n_with": n_with,
            "deals_with": deals_with,
            "deals_without": deals_without,
            "matched": 0,
        }
        out = {name: {**head, "value": None, "low": None, "high": None} for name in self.names}
        if not n_with or n_with == len(present):
            return out
        k, m, c = self.k, self.m, len(self.names)
        deal_of, len_of, vals = self.deal_of, self.len_of, self.vals
        if self.whole:  # exact sums: by length and side at once
            cell = len_of * 2 + has
            tc = np.bincount(cell, minlength=m * 2).astype(float).reshape(m, 2)
            ts = np.stack([np.bincount(cell, weights=v, minlength=m * 2).reshape(m, 2) for v in vals])
        else:  # by deal first, as the resampling below needs them
            cell = (deal_of * m + len_of) * 2 + has
            counts = np.bincount(cell, minlength=k * m * 2).astype(float).reshape(k, m, 2)
            sums = np.stack([np.bincount(cell, weights=v, minlength=k * m * 2).reshape(k, m, 2) for v in vals], axis=1)
            tc, ts = counts.sum(axis=0), sums.sum(axis=0)  # (m, 2), (c, m, 2)
        values = _shift(tc, ts)
        both = (tc[:, 0] > 0) & (tc[:, 1] > 0)
        df = min(deals_with, deals_without) - 1
        boot = None
        if df >= 1 and both.any():
            if self.whole:
                if self._totals is None:
                    self._totals = self._resampled(np.arange(self.units))
                all_c, all_s = self._totals
                with_c, with_s = self._resampled(np.flatnonzero(has))
                bc = np.stack([all_c - with_c, with_c], axis=-1).reshape(-1, 1, m, 2)
                bs = np.stack([all_s - with_s, with_s], axis=-1)
            else:
                weights = _weights(k, self.seed)
                # einsum without BLAS: a BLAS product spins its threads (seconds on a busy machine), in any order
                bc = np.einsum("bk,kj->bj", weights, counts.reshape(k, -1), optimize=False).reshape(-1, 1, m, 2)
                bs = np.einsum("bk,kj->bj", weights, sums.reshape(k, -1), optimize=False).reshape(-1, c, m, 2)
            boot = _shift(bc, bs)  # (resamples, columns)
        n_all = tc.sum(axis=1)
        w = np.where(both, tc[:, 1], 0.0) / max(1.0, float(tc[both, 1].sum()))
        for j, name in enumerate(self.names):
            doc = out[name]
            value = float(values[j])
            if math.isnan(value):
                continue
            doc["matched"] = int(tc[both, 1].sum())
            doc["value"] = round(value, 4)
            if boot is None:
                continue
            # the floor: the standard error the games' own spread gives, length by length
            if j not in self._squares:
                self._squares[j] = np.bincount(len_of, weights=vals[j] * vals[j], minlength=m)
            sq = self._squares[j]
            with np.errstate(invalid="ignore", divide="ignore"):
                pooled = np.maximum(0.0, np.where(n_all > 1, (sq - ts[j].sum(axis=1) ** 2 / n_all) / (n_all - 1), 0.0))
                floor = math.sqrt(float(np.where(both, w**2 * pooled * (1 / tc[:, 0] + 1 / tc[:, 1]), 0.0).sum()))
            col = boot[:, j]
            col = col[~np.isnan(col)]
            se = float(col.std(ddof=1)) if len(col) > 1 else 0.0
            half = _t975(df) * max(se, floor)
            doc["low"], doc["high"] = round(value - half, 4), round(value + half, 4)
        return out


def _weights(k: int, seed: int) -> Any:
    """How often each of ``k`` deals is drawn in each resample (RESAMPLES × k), seeded; shared by every shift
    of a report, which has one set of deals."""
    return _weights_t(k, seed).T


@functools.lru_cache(maxsize=8)
def _weights_t(k: int, seed: int) -> Any:
    """``_weights`` laid out deal by deal (k × RESAMPLES): the row of a unit's deal is read whole."""
    import numpy as np

    rng = np.random.default_rng([seed & 0xFFFFFFFF, k, zlib.crc32(b"cards")])
    picks = rng.integers(0, k, size=(RESAMPLES, k)) * RESAMPLES + np.arange(RESAMPLES)[:, None]
    weights = np.bincount(picks.ravel(), minlength=RESAMPLES * k).reshape(k, RESAMPLES).astype(float)
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
