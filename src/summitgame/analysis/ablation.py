"""Card ablation for ``balance --ablate`` and ``--ablate-all``: the same seeds replayed with a card taken out of
its deck, one ablation per card, each compared metric by metric with the rules as they are.

Each ``--ablate CARD`` is its own ablation (``--ablate a,b`` takes a and b out together, as one);
``--ablate-all`` takes every event and gesture card out in turn. Every ablation gives one row: the change in
each tier's share, in the score gap and in the game length (B − A, paired on the deals, 95% CI), and the
metrics that differ significantly. ``--ablate-all`` sorts its rows by the largest change in a tier's share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..rules.ruleset import Ruleset

if TYPE_CHECKING:
    from .schema import Ablation, Change, CompareRow


def ablation_targets(rules: Ruleset, ablate: Sequence[str], every: bool) -> list[tuple[str, ...]]:
    """The ablations to play, each a tuple of card ids taken out together: one per ``--ablate`` value (a comma
    list is one ablation), then, with ``every``, each event and gesture card not already named alone."""
    out: list[tuple[str, ...]] = []
    for text in ablate:
        cards = tuple(c.strip() for c in text.split(",") if c.strip())
        if cards and cards not in out:
            out.append(cards)
    if every:
        out += [(c,) for c in (*rules.event_ids, *rules.gesture_ids) if (c,) not in out]
    return out


def kind_of(rules: Ruleset, card: str) -> Literal["event", "gesture", "agenda", "?"]:
    """'event', 'gesture' or 'agenda' (by the deck the id is in), '?' for none."""
    if card in rules.event_ids:
        return "event"
    if card in rules.gesture_ids:
        return "gesture"
    return "agenda" if card in rules.agenda_ids else "?"


def ablation_entry(
    rules: Ruleset, cards: Sequence[str], ablated: Ruleset | None, rows: Sequence[CompareRow], why: str = ""
) -> Ablation:
    """One ablation in the report: the cards, their kinds, the ablated rules, the comparison (B: without the
    cards, A: the rules as they are) and its one-line summary; ``why`` says why it could not be played (then
    ``ablated`` is None and there is no comparison)."""
    by_metric = {r["metric"]: r for r in rows}

    def change(name: str) -> Change | None:
        r = by_metric.get(name)
        return None if r is None else {**r["difference"], "significant": r["significant"]}

    return {
        "cards": list(cards),
        "kinds": [kind_of(rules, c) for c in cards],
        "rules": None if ablated is None else {"name": ablated.name, "fingerprint": ablated.fingerprint},
        "skipped": why or None,
        "comparison": {"metrics": list(rows), "significant": [r["metric"] for r in rows if r["significant"]]},
        "summary": {
            "tiers": {t: change(f"tier:{t}") for t in rules.tier_ids},
            "score_gap": change("score_gap"),
            "rounds": change("rounds"),
        },
    }


def impact_of(entry: Mapping[str, Any]) -> float:
    """An ablation's size: the largest change in a tier's share (0 for one not played)."""
    return max((abs(e["value"] or 0) for e in entry["summary"]["tiers"].values() if e), default=0.0)


def sort_by_impact(entries: list[Ablation]) -> list[Ablation]:
    """Ablations, largest tier change first (those not played last), ties by card id."""
    return sorted(entries, key=lambda e: (e["skipped"] is not None, -impact_of(e), e["cards"]))
