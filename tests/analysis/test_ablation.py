"""``balance --ablate`` takes each card out separately (one row per card) and ``--ablate-all`` every event and
gesture card in turn; ``analysis.ablation`` builds the rows."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from report_check import problems
from summitgame.analysis.ablation import ablation_entry, ablation_targets, sort_by_impact
from summitgame.cli import cli
from summitgame.rules.loader import load_rules, without_cards


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_each_ablate_is_its_own_row() -> None:
    """Before: ``--ablate a --ablate b`` took both cards out at once and gave one comparison."""
    res = run("balance", "--agents", "greedy", "--games", 4, "--probe-games", 0, "--json", "--ablate", "photo_op",
              "--ablate", "hotline", "--ablate", "hotline,red_line")  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert problems(doc, "balance") == []
    rows = doc["ablations"]
    assert [r["cards"] for r in rows] == [["photo_op"], ["hotline"], ["hotline", "red_line"]]
    rules = load_rules()
    assert [r["rules"]["fingerprint"] for r in rows] == [
        without_cards(rules, c).fingerprint for c in (["photo_op"], ["hotline"], ["hotline", "red_line"])
    ]
    assert doc["ablation"] == rows[0] and rows[0]["kinds"] == ["gesture"]
    assert set(rows[0]["summary"]["tiers"]) == set(rules.tier_ids)
    text = run("balance", "--agents", "greedy", "--games", 4, "--probe-games", 0, "--ablate", "photo_op",
               "--ablate", "market_calm").output  # fmt: skip
    body = text[text.index("Ablation:") :]
    assert any(line.split()[:2] == ["photo_op", "gesture"] for line in body.splitlines())
    assert any(line.split()[:2] == ["market_calm", "event"] for line in body.splitlines())


def test_a_named_card_that_cannot_go_is_still_a_clean_error() -> None:
    res = run("balance", "--agents", "greedy", "--games", 2, "--ablate", "photo_op", "--ablate", "no_such_card")
    assert res.exit_code == 1 and "no card 'no_such_card'" in res.output and "Traceback" not in res.output


def test_help_says_each_card_separately_and_names_ablate_all() -> None:
    text = " ".join(run("balance", "--help").output.split())
    assert "each card is taken out separately, one row per card" in text
    assert "--ablate-all" in text and "Ablate every event and gesture card in turn" in text


def test_targets_and_order() -> None:
    rules = load_rules()
    targets = ablation_targets(rules, ["photo_op", "a,b", "photo_op"], every=True)
    assert targets[:2] == [("photo_op",), ("a", "b")]
    assert len(targets) == 2 + len(rules.event_ids) + len(rules.gesture_ids) - 1  # photo_op once
    tier = rules.tier_ids[0]

    def entry(card: str, change: float) -> dict[str, object]:
        row = {"metric": f"tier:{tier}", "difference": {"n": 4, "value": change, "low": None, "high": None}}
        return ablation_entry(rules, [card], rules, [{**row, "significant": False}])

    skipped = ablation_entry(rules, ["x"], None, [], "leaves the deck empty")
    order = sort_by_impact([entry("a", 0.1), skipped, entry("b", -0.3), entry("c", 0.2)])
    assert [e["cards"][0] for e in order] == ["b", "c", "a", "x"]


@pytest.mark.slow
def test_ablate_all_gives_one_row_per_event_and_gesture_card() -> None:
    res = run("balance", "--agents", "random", "--games", 2, "--probe-games", 0, "--ablate-all", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert problems(doc, "balance") == []
    rules = load_rules()
    cards = [r["cards"][0] for r in doc["ablations"]]
    assert sorted(cards) == sorted((*rules.event_ids, *rules.gesture_ids))
    assert all(len(r["cards"]) == 1 for r in doc["ablations"])
    assert "--ablate-all" in doc["provenance"]["command"]
