"""Counterfactual card impact: the engine's muted transitions, the replays of a balance run, the ranking and
verdicts of the impact section, and ``balance --impact`` in text, JSON and HTML."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from conftest import bundled
from report_check import problems
from summitgame.agents.base import make_agent
from summitgame.analysis.html import chart_ids
from summitgame.analysis.impact import DECISIVE, MIN_DRAWS, Draw, Replays, draws_of, impact_section, impact_warnings
from summitgame.analysis.metrics import GameMetrics, game_metrics
from summitgame.cli import cli
from summitgame.engine import apply, apply_muted, legal_actions, new_game, new_game_muted
from summitgame.rules.actions import ActionKind
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import play_game
from summitgame.runs.records import record_of


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- the engine: one transition with its card's effects left out ---------------------------------------------


@pytest.mark.parametrize("name", ["summit", "trade"])
@given(seed=st.integers(0, 2**64 - 1), chooser=st.integers(0, 2**32))
def test_a_muted_transition_differs_only_by_the_cards_effects(name: str, seed: int, chooser: int) -> None:
    """Muting keeps the draw itself (history, event, event deck, chance stream, whose turn) and the rules; a
    gesture's play leaves the board as it was; a transition with no card in it is not changed at all."""
    rules = bundled(name)
    real, muted = new_game(rules, seed), new_game_muted(rules, seed)
    assert muted.meters == rules.meter_start and muted.tracks == rules.track_start
    assert (muted.event, muted.edeck, muted.rng, muted.history) == (real.event, real.edeck, real.rng, real.history)
    pick = random.Random(chooser).choice
    s = real
    while s.to_move >= 0:
        a = pick(legal_actions(s))
        nxt, alt = apply(s, a), apply_muted(s, a)
        assert alt.rules is rules
        same = ("history", "event", "edeck", "rng", "round", "to_move", "phase", "plays", "moves")
        assert [getattr(alt, k) for k in same] == [getattr(nxt, k) for k in same]
        if a.kind is ActionKind.PLAY:
            assert (alt.meters, alt.tracks, alt.stakes, alt.blocked) == (s.meters, s.tracks, s.stakes, s.blocked)
        elif nxt.round == s.round or nxt.to_move < 0:
            assert alt == nxt
        s = nxt


def test_draws_of_lists_every_event_and_gesture() -> None:
    rules = bundled("summit")
    s = new_game(rules, 3)
    pick = random.Random(3).choice
    while s.to_move >= 0:
        s = apply(s, pick(legal_actions(s)))
    doc = record_of(s)
    draws = draws_of(rules, 3, doc["actions"], 7)
    g = game_metrics(doc, rules)
    assert [d.card for d in draws if d.kind == "event"] == list(g.events)
    assert sorted(d.card for d in draws if d.kind == "gesture") == sorted(c for cs in g.gestures.values() for c in cs)
    assert draws[0].transition == 0 and all(d.game == 7 for d in draws)
    assert [d.transition for d in draws] == sorted(d.transition for d in draws)


def test_a_replay_plays_the_same_moves_up_to_the_muted_card() -> None:
    rules = bundled("summit")

    def game(mute: int = -1) -> list[str]:
        agents = [make_agent("greedy"), make_agent("boulware")]
        res = play_game(rules, agents, 11, agent_seeds=(5, 6), mute=mute)
        return list(record_of(res.state)["actions"])

    actions = game()
    assert game(-1) == actions
    changed = [d for d in draws_of(rules, 11, actions) if d.changes]
    assert len(changed) >= 3
    for d in changed:
        again = game(d.transition)
        assert again[: d.transition] == actions[: d.transition]


# --- the section: ranking and verdicts ------------------------------------------------------------------------


def fake(rules: Ruleset, flips: dict[str, tuple[int, int, int]]) -> tuple[list[object], Replays]:
    """Games and replays where card ``c`` is drawn ``n`` times, flipping the tier ``t`` times and the winner
    ``w`` times (``flips[c] = (n, t, w)``), one draw per game."""

    base = game_metrics(record_of(new_game_played(rules)), rules)
    games: list[GameMetrics] = []
    draws: list[Draw] = []
    results: dict[int, dict[str, object]] = {}
    other_tier = next(t for t in rules.tier_ids if t != base.tier)
    other_winner = rules.roles[0] if base.winner != rules.roles[0] else rules.roles[1]
    for card, (n, t, w) in flips.items():
        kind = "event" if card in rules.event_ids else "gesture"
        for i in range(n):
            index = len(games)
            games.append(GameMetrics(**{**base.__dict__, "index": index, "seed": index}))  # a deal each
            results[len(draws)] = {
                "outcome": {
                    "tier": other_tier if i < t else base.tier,
                    "winner": other_winner if i < w else base.winner,
                },
                "forfeit": None,
            }
            draws.append(Draw(index, 1, kind, card, True))
    return list(games), Replays(draws, [], {}, results)


def test_draws_from_few_deals_are_too_few_to_judge() -> None:
    """Draws of one deal share its deck order: a card drawn 40 times in 5 deals is not judged, however it flips."""
    rules = bundled("summit")
    card = rules.event_ids[0]
    games, rep = fake(rules, {card: (40, 40, 0)})
    few = [GameMetrics(**{**g.__dict__, "seed": g.index % 5}) for g in games]
    row = next(r for r in impact_section(rules, few, rep)["cards"] if r["card"] == card)  # type: ignore[arg-type]
    assert (row["draws"], row["deals"], row["verdict"], row["rank"]) == (40, 5, "too_few", None)
    row = next(r for r in impact_section(rules, games, rep)["cards"] if r["card"] == card)  # type: ignore[arg-type]
    assert (row["deals"], row["verdict"]) == (40, "decisive")


def new_game_played(rules: Ruleset) -> object:
    s = new_game(rules, 1)
    while s.to_move >= 0:
        s = apply(s, legal_actions(s)[0])
    return s


def test_cards_are_ranked_and_judged() -> None:
    rules = bundled("summit")
    e = rules.event_ids
    g = rules.gesture_ids
    games, rep = fake(
        rules,
        {
            e[0]: (40, 20, 4),  # decisive: half the draws flip the tier
            e[1]: (40, 4, 8),  # ranked, below e[2] on tier flips
            e[2]: (MIN_DRAWS, 6, 0),  # ranked: 30% tier flips
            e[3]: (30, 0, 0),  # inert
            g[0]: (MIN_DRAWS - 1, 19, 19),  # too few to judge, however large its share
        },
    )
    sec = impact_section(rules, games, rep)  # type: ignore[arg-type]
    rows = {r["card"]: r for r in sec["cards"]}
    assert [r["card"] for r in sec["cards"][:4]] == [e[0], e[2], e[1], e[3]]
    assert [rows[c]["rank"] for c in (e[0], e[2], e[1], e[3])] == [1, 2, 3, 4]
    assert rows[e[0]]["verdict"] == "decisive" and rows[e[2]]["verdict"] == "decisive"  # 30% > 25%
    assert rows[e[1]]["verdict"] == "ranked" and rows[e[3]]["verdict"] == "inert"
    assert rows[g[0]]["verdict"] == "too_few" and rows[g[0]]["rank"] is None
    assert rows[e[4]]["draws"] == 0 and rows[e[4]]["verdict"] == "too_few"  # never drawn: listed, not ranked
    assert {r["card"] for r in sec["cards"]} == set(e) | set(g)
    t = rows[e[0]]["tier_flips"]
    assert (t["count"], t["n"], t["value"]) == (20, 40, 0.5) and t["low"] < 0.5 < t["high"]
    assert sec["summary"]["event"]["draws"] == 130 and sec["summary"]["gesture"]["draws"] == MIN_DRAWS - 1
    assert sec["summary"]["event"]["tier_flips"]["count"] == 30
    warned = impact_warnings(sec)
    assert (
        warned[0].startswith("Decisive cards: blanking one draw flips the tier on more than 25%") and DECISIVE == 0.25
    )
    assert warned[0].index(e[0]) < warned[0].index(e[2]) and e[1] not in warned[0]
    assert any(w.startswith("Inert card") and e[3] in w for w in warned)
    assert not any(g[0] in w for w in warned)
    assert problems(sec, "balance", "Impact") == []


def test_forfeited_and_diverged_replays_are_left_out() -> None:
    rules = bundled("summit")
    e = rules.event_ids
    games, rep = fake(rules, {e[0]: (4, 2, 0)})
    rep.results[0]["forfeit"] = {"role": rules.roles[0], "agent": "x", "error": "boom"}
    rep.diverged.add(1)
    sec = impact_section(rules, games, rep)  # type: ignore[arg-type]
    row = next(r for r in sec["cards"] if r["card"] == e[0])
    assert row["draws"] == 2 and row["tier_flips"]["count"] == 0
    assert (sec["replays"]["forfeits"], sec["replays"]["diverged"]) == (1, 1)


# --- balance --impact -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    res = run("balance", "--agents", "greedy,boulware", "-n", 8, "--probe-games", 0, "--impact", "--json")
    assert res.exit_code == 0, res.output
    doc: dict[str, object] = json.loads(res.output)
    return doc


def test_balance_impact_json(report: dict[str, object]) -> None:
    assert problems(report, "balance") == []
    im = report["impact"]
    assert isinstance(im, dict)
    rep = im["replays"]
    assert rep["draws"] == rep["played"] + rep["unchanged"] and rep["diverged"] == 0 and rep["forfeits"] == 0
    assert rep["draws"] == sum(r["draws"] for r in im["cards"])
    assert report["speed"]["played"] == 8 + rep["played"]  # type: ignore[index]
    assert str(report["provenance"]["command"]).endswith("--impact")  # type: ignore[index]
    assert run("balance", "--agents", "greedy", "-n", 2, "--probe-games", 0, "--json").output.count('"impact": null')


@pytest.mark.slow
def test_balance_impact_is_the_same_whatever_the_worker_count(report: dict[str, object]) -> None:
    res = run("balance", "--agents", "greedy,boulware", "-n", 8, "--probe-games", 0, "--impact", "--json", "-w", 2)
    assert res.exit_code == 0, res.output
    two = json.loads(res.output)
    one = dict(report)
    assert two.pop("speed")["workers"] == 2
    one.pop("speed")
    assert two == one


def test_balance_impact_text_and_html(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = run("balance", "--agents", "greedy", "-n", 8, "--probe-games", 0, "--impact", "--html", out)
    assert res.exit_code == 0, res.output
    assert "Counterfactual impact" in res.output and "too few to judge" in res.output
    page = out.read_text(encoding="utf-8")
    assert 'id="impact"' in page and 'id="decisions"' in page
    assert "chart-impact" not in page or "impact" in chart_ids(page)
    assert "--impact" in run("balance", "--help").output
