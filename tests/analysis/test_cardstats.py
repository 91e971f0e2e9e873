"""Card statistics (``analysis.cardstats``, section 7 of balance): like compared with like (games of the same
length), intervals honest at small n and over deals, too few to judge marked and not ranked."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_check import problems
from summitgame.analysis.aggregate import aggregate, ranked
from summitgame.analysis.cardstats import MIN_PLAYS, Units, matched_shift, too_few
from summitgame.analysis.metrics import GameMetrics, game_metrics
from summitgame.analysis.text import _cards
from summitgame.engine import apply_unchecked, legal_actions, new_game
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import record_of


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    return load_rules()


@pytest.fixture(scope="module")
def base(rules: Ruleset) -> GameMetrics:
    s = new_game(rules, 1)
    pick = random.Random(1).choice
    while s.to_move >= 0:
        s = apply_unchecked(s, pick(legal_actions(s)))
    return game_metrics(record_of(s), rules)


def long_games_draw_more(rules: Ruleset, base: GameMetrics, n: int = 240) -> list[GameMetrics]:
    """Games of 2 to 8 rounds whose scores grow with their length, the event drawn more often the longer the
    game (one event per round, as the deck does) but doing nothing: within a length it changes no score."""
    rng = random.Random(7)
    event = rules.event_ids[0]
    others = [e for e in rules.event_ids if e != event]
    r0, r1 = rules.roles
    games = []
    for i in range(n):
        rounds = 2 + i % 7
        drawn = rng.random() < rounds / 9
        events = tuple(rng.sample(others, rounds - 1)) + ((event,) if drawn else (rng.choice(others),))
        noise = rng.choice((-1, 0, 1))
        games.append(
            dataclasses.replace(
                base,
                index=i,
                seed=i // 2,
                rounds=rounds,
                events=events,
                scores={r0: 3 * rounds + noise, r1: 2 * rounds - noise},
            )
        )
    return games


def test_a_card_drawn_in_long_games_does_not_shift_scores_by_their_length(rules: Ruleset, base: GameMetrics) -> None:
    """Before: a plain with − without difference credited the event with the long games' higher scores, for
    both roles and significantly (every event showed a positive shift for both sides)."""
    games = long_games_draw_more(rules, base)
    row = aggregate(rules, games, 0)["cards"]["events"][rules.event_ids[0]]
    for shift in row["score_shift"].values():
        assert shift["low"] < 0 < shift["high"], shift
        assert abs(shift["value"]) < 1.0
        assert shift["matched"] == shift["n_with"]  # every length has games without the event


def test_a_real_effect_within_lengths_is_found(rules: Ruleset, base: GameMetrics) -> None:
    games = long_games_draw_more(rules, base)
    event, r0 = rules.event_ids[0], rules.roles[0]
    games = [
        dataclasses.replace(g, scores={**g.scores, r0: g.scores[r0] + 5}) if event in g.events else g for g in games
    ]
    shift = aggregate(rules, games, 0)["cards"]["events"][event]["score_shift"][r0]
    assert shift["low"] > 3 and shift["value"] == pytest.approx(5, abs=0.5)


def test_four_plays_get_a_wide_interval_and_are_too_few_to_judge() -> None:
    """Before: 4 plays whose scores agreed got a narrow normal interval (-6.40 [-7.08, -5.71])."""
    rng = random.Random(3)
    values = [rng.gauss(0, 4) for _ in range(200)] + [-6.4, -6.5, -6.3, -6.4]
    present = [False] * 200 + [True] * 4
    shift = matched_shift(values, present, [5] * 204, list(range(204)), 0)
    assert shift["high"] - shift["low"] > 8  # the games' own spread (sd 4) at n = 4, widened by t with 3 df
    assert too_few(shift)


def test_draws_of_one_deal_are_not_counted_as_independent() -> None:
    """The same 40 values with the card, first from 40 deals, then from 4 deals of 10 games each: the second
    interval is wider (resampling deals, t with 3 degrees of freedom) and too few to judge."""
    rng = random.Random(5)
    base = [rng.gauss(0, 3) for _ in range(400)]
    deal_effect = [rng.gauss(0, 3) for _ in range(4)]
    present = [i < 40 for i in range(400)]
    spread = matched_shift(base, present, [4] * 400, list(range(400)), 0)
    values = [v + (deal_effect[i // 10] if i < 40 else 0) for i, v in enumerate(base)]
    clumped = matched_shift(values, present, [4] * 400, [i // 10 if i < 40 else i for i in range(400)], 0)
    assert clumped["deals_with"] == 4 and spread["deals_with"] == 40
    assert clumped["high"] - clumped["low"] > 2 * (spread["high"] - spread["low"])
    assert too_few(clumped) and not too_few(spread)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-20, 20), st.booleans(), st.integers(1, 4), st.integers(0, 30)), min_size=1, max_size=80
    ),
    st.integers(0, 2**32 - 1),
)
def test_matched_shift_is_seeded_and_brackets_its_value(rows: list[tuple[int, bool, int, int]], seed: int) -> None:
    vals, present, lengths, deals = ([r[i] for r in rows] for i in range(4))
    a = matched_shift(vals, present, lengths, deals, seed)
    assert a == matched_shift(vals, present, lengths, deals, seed)
    assert a["n_with"] + a["n_without"] == len(rows) and 0 <= a["matched"] <= a["n_with"]
    if a["low"] is not None:
        assert a["low"] <= a["value"] <= a["high"]
    if a["value"] is not None:
        assert -40 <= a["value"] <= 40


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-30, 30), st.integers(0, 3), st.integers(1, 5), st.integers(0, 40)),
        min_size=1,
        max_size=120,
    ),
    st.integers(0, 3),
    st.integers(0, 2**32 - 1),
)
def test_shifts_summed_from_the_units_with_the_card_equal_the_full_resampling(
    rows: list[tuple[int, int, int, int]], columns: int, seed: int
) -> None:
    """Whole values: the fast way (resampled totals less the units with the card) gives every figure of the
    full deal-by-deal resampling to the last bit, card after card over the same units."""
    values = {f"c{j}": [float(r[0] * (j + 1) - j) for r in rows] for j in range(columns + 1)}
    lengths, deals = [r[2] for r in rows], [r[3] * 2**60 for r in rows]  # deal seeds beyond an int64
    fast, full = Units(values, lengths, deals, seed), Units(values, lengths, deals, seed)
    full.whole = False
    assert fast.whole
    for card in range(4):
        present = [r[1] == card for r in rows]
        assert fast.shifts(present) == full.shifts(present)


def test_fractional_values_take_the_full_resampling() -> None:
    units = Units({"x": [0.5, 1.0, 2.0, 3.25] * 10}, [3] * 40, [i // 2 for i in range(40)], 0)
    assert not units.whole
    shift = units.shifts([i % 4 == 0 for i in range(40)])["x"]
    assert shift["value"] is not None and shift["low"] is not None and shift["low"] <= shift["value"] <= shift["high"]


def test_cards_too_few_to_judge_are_listed_last_without_a_rank(rules: Ruleset, base: GameMetrics) -> None:
    games = long_games_draw_more(rules, base)
    rare = rules.gesture_ids[0]
    r0 = rules.roles[0]
    games = [dataclasses.replace(g, gestures={**g.gestures, r0: (rare,) if i < 3 else ()}) for i, g in enumerate(games)]
    cards = aggregate(rules, games, 0)["cards"]
    assert problems(cards, "balance", "Cards") == []
    row = cards["gestures"][rare]
    assert row["verdict"] == "too_few" and row["rank"] is None and row["score_shift"]["n_with"] < MIN_PLAYS
    order = ranked(cards["events"])
    judged = [row for _, row in order if row["verdict"] == "judged"]
    assert [row["rank"] for row in judged] == list(range(1, len(judged) + 1))
    sizes = [max(abs(e["value"]) for e in row["score_shift"].values()) for row in judged]
    assert sizes == sorted(sizes, reverse=True)
    assert all(row["rank"] is None for _, row in order[len(judged) :])
    text = "\n".join(_cards(cards, list(rules.roles)))
    line = next(ln for ln in text.splitlines() if f" {rare} " in ln)
    assert line.strip().startswith("—") and line.endswith("too few to judge")


def test_impact_ranks_by_the_size_of_the_shift(rules: Ruleset, base: GameMetrics) -> None:
    games = long_games_draw_more(rules, base)
    r0 = rules.roles[0]
    big, small = rules.gesture_ids[:2]
    played = []
    for i, g in enumerate(games):
        hand: tuple[str, ...] = (big,) if i % 3 == 0 else (small,) if i % 3 == 1 else ()
        bonus = 6 if big in hand else -2 if small in hand else 0
        scores = {**g.scores, r0: g.scores[r0] + bonus}
        played.append(dataclasses.replace(g, gestures={**g.gestures, r0: hand}, scores=scores))
    rows = aggregate(rules, played, 0)["cards"]["gestures"]
    assert rows[big]["rank"] == 1 and rows[small]["rank"] == 2
