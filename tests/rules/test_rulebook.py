"""The rulebook opens with how to win and what a walk-out or a breakdown costs whom, generated from the
rule data: change a number in the rules and the opening changes with it.

The texts written out below are the first edition's (rules/classic.toml), whose numbers stay put; every
bundled file's opening is checked against its own numbers, read from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CLASSIC_PATH
from summitgame.rules.loader import bundled_rule_files, load_rules
from summitgame.rules.rulebook import rulebook

TRADE = Path(__file__).resolve().parents[2] / "rules" / "trade.toml"


def opening(overrides: list[str] | None = None, path: Path = CLASSIC_PATH) -> str:
    """The rulebook's first lines, up to the rule file's own description (of the first edition by default)."""
    text = rulebook(load_rules(path, overrides or []))
    return "\n".join(text.splitlines()[:8])


@pytest.mark.parametrize("path", bundled_rule_files(), ids=lambda p: p.stem)
def test_every_bundled_opening_gives_its_own_numbers(path: Path) -> None:
    rules = load_rules(path)
    spec = rules.spec
    text = opening(path=path)
    assert text.splitlines()[2] == "## How to win"
    assert f"lasts {rules.rounds} rounds" in text
    bonuses = ", ".join(
        f"{spec.tiers[t].name} {'−' if spec.tiers[t].bonus < 0 else '+'}{abs(spec.tiers[t].bonus)}"
        for t in spec.outcome.order
    )
    assert f"({bonuses})" in text
    penalty = spec.outcome.walkout_penalty
    assert (f"the leader who walks out loses {penalty} points more" in text) is (penalty > 0)


def test_the_first_lines_say_how_to_win_and_what_ending_early_costs_whom() -> None:
    text = opening()
    lines = text.splitlines()
    assert lines[2] == "## How to win"
    assert "**The side with the higher score wins**" in lines[3]
    assert "both** sides score (Failed −5, Incremental +5, Symbolic +2)" in lines[3]
    assert "− 1 point per point of its own domestic pressure left at the end" in lines[3]
    assert lines[4].startswith("- **A walk-out** (a leader's domestic pressure at 12 or more")
    assert "counts as **Failed** (−5 to each side), and the leader who walks out loses 5 points more" in lines[4]
    assert lines[5].startswith("- **A breakdown** (Trust at 0 or less")
    assert "it costs both sides the same" in lines[5]


@pytest.mark.parametrize(
    ("override", "before", "after"),
    [
        ("outcome.walkout_penalty=7", "walks out loses 5 points more", "walks out loses 7 points more"),
        ("outcome.walkout_penalty=0", "walks out loses 5 points more", "neither side loses anything extra"),
        ("tiers.incremental.bonus=8", "Incremental +5", "Incremental +8"),
        ("meters.pressure.score_penalty=2", "− 1 point per point", "− 2 points per point"),
        ("meters.pressure.score_penalty=0", "per point of its own domestic pressure", "Symbolic +2)."),
        (
            "meters.pressure.walkout_at.moscow=9",
            "pressure at 12 or more",
            "pressure at Washington 12, Moscow 9 or more",
        ),
        ("meters.trust.breakdown_at=2", "(Trust at 0 or less", "(Trust at 2 or less"),
        ("rounds.count=4", "lasts 6 rounds", "lasts 4 rounds"),
    ],
)
def test_a_number_changed_in_the_rules_changes_the_opening(override: str, before: str, after: str) -> None:
    base, changed = opening(), opening([override])
    assert before in base and before not in changed
    assert after in changed


def test_a_tier_checked_before_the_failed_one_is_named() -> None:
    order = 'outcome.order=["incremental", "failed", "symbolic"]'
    text = opening([order])
    assert "it counts as **Incremental** if that tier's conditions hold, else as **Failed** (−5 to each side)" in text


def test_a_rejection_is_said_to_cost_the_side_that_rejects() -> None:
    (line,) = [ln for ln in rulebook(load_rules(None)).splitlines() if "On a rejection:" in ln]
    assert "the rejecter's domestic pressure" in line and "initiative" not in line


def test_the_opening_says_who_pays_for_a_breakdown_as_the_rule_data_says() -> None:
    second = [ln for ln in rulebook(load_rules(None)).splitlines() if ln.startswith("- **A breakdown**")]
    first = [ln for ln in rulebook(load_rules(CLASSIC_PATH)).splitlines() if ln.startswith("- **A breakdown**")]
    assert "a leader whose rejection or gesture takes Trust there pays for it" in second[0]
    assert "it costs both sides the same, whoever brought it about" in first[0]


def test_every_breakdown_meter_of_a_variant_is_listed() -> None:
    text = opening(path=TRADE)
    assert "Failed −5, Breakthrough +10, Incremental +5, Symbolic +1" in text
    assert "- **A breakdown** (Trust at 0 or less" in text
    assert "- **A breakdown** (Market confidence at 1 or less" in text
