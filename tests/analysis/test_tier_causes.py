"""Why did this tier happen? (issue 15): ``balance`` breaks every tier and ending down by cause, in JSON (valid
against its schema), text and HTML; each figure agrees with the games it counts."""

from __future__ import annotations

import html
import json
import random
import re
from typing import Any

import pytest
from click.testing import CliRunner

from report_check import problems
from summitgame.analysis.aggregate import aggregate
from summitgame.analysis.balance import labels
from summitgame.analysis.causes import causes_section
from summitgame.analysis.html import _names, causes_table
from summitgame.analysis.metrics import GameMetrics, game_metrics
from summitgame.cli import cli
from summitgame.engine import apply_unchecked, legal_actions, new_game
from summitgame.engine.scoring import outcome
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import record_of


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    return load_rules()


@pytest.fixture(scope="module")
def games(rules: Ruleset) -> list[GameMetrics]:
    """Random games: they fail often (by walk-out, and now and then by breakdown), and sometimes reach accords."""
    out = []
    for seed in range(120):
        s = new_game(rules, seed)
        pick = random.Random(seed).choice
        while s.to_move >= 0:
            s = apply_unchecked(s, pick(legal_actions(s)))
        out.append(game_metrics(record_of(s), rules, seed))
    return out


def test_each_game_records_the_cause_of_its_tier(rules: Ruleset, games: list[GameMetrics]) -> None:
    failed = [g for g in games if g.tier == "failed"]
    assert failed, "random play fails sometimes"
    for g in failed:  # 'failed' holds on a walk-out or breakdown (any[0]) or trust <= 1 (any[1])
        assert g.alternatives and set(g.alternatives) <= {0, 1}
        assert (0 in g.alternatives) == (g.reason in ("walkout", "breakdown"))
    for g in games:
        assert bool(g.walked) == (g.reason == "walkout")
        assert {k.split(":")[1] for k in g.walked} == set(g.walkouts)
        assert bool(g.broke) == (g.reason == "breakdown") and set(g.broke) <= {"trust"}
        if g.tier == "symbolic":  # checked after failed and incremental: both missed
            assert set(g.missed) == {"failed", "incremental"} and g.missed["incremental"]
        if g.tier == "failed":
            assert g.missed == {}


def test_the_section_counts_what_the_games_say(rules: Ruleset, games: list[GameMetrics]) -> None:
    c = causes_section(rules, games)
    for t in rules.tier_ids:
        these = [g for g in games if g.tier == t]
        row = c["tiers"][t]
        assert row["n"] == len(these)
        ended = {e: r["share"]["count"] for e, r in row["endings"].items()}
        assert sum(ended.values()) == len(these)
        for tr, e in row["accords"].items():
            assert e["count"] == sum(tr in g.tracks_top for g in these) and e["n"] == len(these)
    failed = c["tiers"]["failed"]
    assert [a["condition"] for a in failed["alternatives"]] == ["any[0]", "any[1]"]
    assert "walk-out" in failed["alternatives"][0]["text"] and "Trust is at most 2" in failed["alternatives"][1]["text"]
    n = failed["n"]
    for a in failed["alternatives"]:
        assert a["alone"]["count"] <= a["held"]["count"] <= n
        assert a["held"]["low"] <= a["held"]["value"] <= a["held"]["high"]  # a Wilson interval
    # every ending of the whole run by cause: walk-outs by the meter that reached its level, and their rounds
    for end, r in c["endings"].items():
        these = [g for g in games if g.end == end]
        assert r["share"]["count"] == len(these)
        if end.startswith("walkout"):
            assert sum(r["rounds"].values()) == len(these) and r["meters"]
            for m in r["meters"]:
                assert m.startswith("pressure:")


def test_walkout_round_and_meter_match_the_replayed_game(rules: Ruleset) -> None:
    for seed in range(200):
        s = new_game(rules, seed)
        pick = random.Random(seed).choice
        while s.to_move >= 0:
            s = apply_unchecked(s, pick(legal_actions(s)))
        o = outcome(s)
        if o.walkouts:
            g = game_metrics(record_of(s), rules)
            assert g.rounds == o.rounds_played and g.walked == tuple(f"pressure:{r}" for r in o.walkouts)
            return
    pytest.fail("no walk-out in 200 random games")


def test_balance_json_text_and_html_show_the_causes(tmp_path: Any) -> None:
    res = CliRunner().invoke(
        cli,
        [
            "balance",
            "--agents",
            "random,greedy",
            "--games",
            "16",
            "--probe-games",
            "0",
            "--json",
            "--html",
            str(tmp_path / "b.html"),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert problems(doc, "balance") == []
    causes = doc["outcomes"]["causes"]
    assert set(causes["tiers"]) == {"failed", "incremental", "symbolic"}
    assert sum(r["n"] for r in causes["tiers"].values()) == doc["outcomes"]["n"]
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "Why each tier happened" in page and 'class="causes"' in page
    text = CliRunner().invoke(cli, ["balance", "--agents", "random,greedy", "--games", "16", "--probe-games", "0"])
    assert "Why each tier happened" in text.stdout and "Endings by cause:" in text.stdout


def test_the_html_table_lists_a_tiers_alternatives(rules: Ruleset, games: list[GameMetrics]) -> None:
    table = causes_table(causes_section(rules, games))
    assert "held: the summit ended in a walk-out or in a breakdown" in table
    assert "not incremental: a track has reached accord failed" in table


def test_the_html_table_names_tiers_endings_meters_and_tracks(rules: Ruleset, games: list[GameMetrics]) -> None:
    c = causes_section(rules, games)
    table = causes_table(c, _names({"labels": labels(rules)}))
    cells = re.findall(r"<td>(.*?)</td>", table)
    tiers, causes = cells[0::4], cells[1::4]
    assert set(tiers) == {"Failed", "Incremental", "Symbolic"}
    assert "ended: walk-out by Moscow (Domestic pressure (Moscow))" in causes
    assert "ended: last round" in causes
    # a breakdown is named by the meter that broke, whenever one happened in these games
    assert ("ended: breakdown (Trust)" in causes) == any(g.end == "breakdown" for g in games)
    assert any(x.startswith("not Incremental: ") for x in causes)
    accords = [x for x in causes if x.startswith("accord: ")]
    assert accords and set(accords) <= {f"accord: {html.escape(n)}" for n in rules.track_names}
    for key in ("walkout:", "last_round", "pressure:", "not incremental", *[f"accord: {t}<" for t in rules.track_ids]):
        assert key not in table, key  # no id is left where a name belongs


def test_the_balance_page_shows_the_causes_by_name(tmp_path: Any) -> None:
    page = tmp_path / "b.html"
    res = CliRunner().invoke(
        cli, ["balance", "--agents", "random", "--games", "24", "--probe-games", "0", "--html", str(page)]
    )
    assert res.exit_code == 0, res.output
    text = page.read_text(encoding="utf-8")
    table = text[text.index('<table class="causes">') :]
    table = table[: table.index("</table>")]
    assert "<td>Failed</td>" in table and "<td>failed</td>" not in table
    assert "walk-out by " in table and "walkout:" not in table and "pressure:" not in table


def test_recorded_games_carry_the_causes_too(rules: Ruleset, games: list[GameMetrics]) -> None:
    body = aggregate(rules, games[:10], 0)
    assert body["outcomes"]["causes"]["tiers"]["failed"]["n"] == sum(g.tier == "failed" for g in games[:10])
