"""The role-advantage verdict (issue 15, bug 2): it names the role the significant measure favours, and says
which measure that is."""

from __future__ import annotations

from typing import Any

from summitgame.analysis.aggregate import role_verdict


def est(value: float, low: float, high: float, n: int = 100) -> dict[str, Any]:
    return {"value": value, "low": low, "high": high, "n": n}


def test_only_the_win_share_significant_names_the_role_that_wins() -> None:
    # the case: a null score gap, delta (the second role) winning 60% of decided games
    gap = est(0.0, -0.10, 0.10)
    share = est(0.40, 0.31, 0.49)  # the first role's share of decided games: the second wins 60%
    role, by, text = role_verdict("highlands", "delta", gap, share)
    assert (role, by) == ("delta", "wins")
    assert text.startswith("delta is favoured on wins") and "score gap not significant" in text


def test_only_the_score_gap_significant_follows_its_sign() -> None:
    role, by, text = role_verdict("a", "b", est(-1.5, -2.5, -0.5), est(0.52, 0.45, 0.59))
    assert (role, by) == ("b", "score") and "wins not significant" in text


def test_both_significant_and_agreeing() -> None:
    role, by, _ = role_verdict("a", "b", est(2.0, 1.0, 3.0), est(0.7, 0.6, 0.8))
    assert (role, by) == ("a", "both")


def test_measures_that_disagree_name_no_role() -> None:
    role, by, text = role_verdict("a", "b", est(2.0, 1.0, 3.0), est(0.3, 0.2, 0.4))
    assert role is None and by == "conflict" and "disagree" in text


def test_nothing_significant() -> None:
    assert role_verdict("a", "b", est(0.1, -0.5, 0.7), est(0.5, 0.4, 0.6)) == (
        None,
        None,
        "no significant role advantage",
    )


def test_the_report_favours_the_role_that_wins_when_the_score_gap_is_null() -> None:
    """Through ``aggregate``: 40 games won by the first role by 1 point, 20 by the second by 2 points; the mean
    gap is 0 (not significant), the first role's share of wins is 2/3 (significant)."""
    import dataclasses
    import random

    from summitgame.analysis.aggregate import aggregate
    from summitgame.analysis.metrics import game_metrics
    from summitgame.engine import apply_unchecked, legal_actions, new_game
    from summitgame.rules.loader import load_rules
    from summitgame.runs.records import record_of

    rules = load_rules()
    r0, r1 = rules.roles
    s = new_game(rules, 1)
    pick = random.Random(1).choice
    while s.to_move >= 0:
        s = apply_unchecked(s, pick(legal_actions(s)))
    g = game_metrics(record_of(s), rules)
    games = [
        dataclasses.replace(
            g, index=i, scores={r0: 1, r1: 0} if i < 40 else {r0: 0, r1: 2}, winner=r0 if i < 40 else r1
        )
        for i in range(60)
    ]
    roles = aggregate(rules, games, 0)["roles"]
    assert roles["score_gap"]["value"] == 0
    assert roles["favoured"] == r0 and roles["favoured_by"] == "wins"
    assert roles["verdict"].startswith(f"{r0} is favoured on wins")
