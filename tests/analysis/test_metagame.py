"""The meta-game solver on matrix games whose answers are known, and its resampled intervals."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headless import coloured, dom, screenshot
from summitgame.analysis.metagame import MetagameError, maxent_nash, metagame, payoff_matrix

RPS = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]


def test_rock_paper_scissors_is_uniform() -> None:
    eq = maxent_nash(RPS)
    assert eq.weights == pytest.approx([1 / 3] * 3, abs=1e-6)
    assert eq.value == pytest.approx(0, abs=1e-9)
    assert eq.regrets == pytest.approx([0, 0, 0], abs=1e-6)


def test_a_dominated_strategy_gets_no_weight_and_a_regret() -> None:
    # RPS plus "dud", which loses to everything by 0.5
    a = np.zeros((4, 4))
    a[:3, :3] = RPS
    a[3, :3] = -0.5
    a[:3, 3] = 0.5
    eq = maxent_nash(a)
    assert eq.weights[3] == pytest.approx(0, abs=1e-6)
    assert eq.weights[:3] == pytest.approx([1 / 3] * 3, abs=1e-6)
    assert eq.regrets[3] == pytest.approx(0.5, abs=1e-6)
    assert sorted(eq.support()) == [0, 1, 2]


def test_a_strategy_that_beats_all_is_a_pure_equilibrium() -> None:
    rates = [[0.5, 0.7, 0.9], [0.3, 0.5, 0.6], [0.1, 0.4, 0.5]]
    eq = maxent_nash(payoff_matrix(rates))
    assert eq.weights == pytest.approx([1, 0, 0], abs=1e-6)
    assert eq.regrets == pytest.approx([0, 0.2, 0.4], abs=1e-6)


def test_a_cloned_strategy_splits_its_weight_evenly() -> None:
    # rock entered twice: every split of rock's 1/3 is an equilibrium; the maximum-entropy one halves it
    a = np.array(RPS, dtype=float)
    a = np.vstack([a, a[0]])
    a = np.hstack([a, a[:, [0]]])
    eq = maxent_nash(a)
    assert eq.weights == pytest.approx([1 / 6, 1 / 3, 1 / 3, 1 / 6], abs=1e-4)


def test_a_single_agent_is_its_own_equilibrium() -> None:
    assert maxent_nash([[0.0]]).weights == (1.0,)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6).flatmap(lambda n: st.lists(st.floats(0, 1), min_size=n * n, max_size=n * n)))
def test_the_solution_is_an_equilibrium_of_any_antisymmetric_game(flat: list[float]) -> None:
    n = round(len(flat) ** 0.5)
    a = payoff_matrix(np.array(flat).reshape(n, n))
    eq = maxent_nash(a)
    p = np.array(eq.weights)
    assert p.min() >= 0 and p.sum() == pytest.approx(1)
    # no strategy earns more than the value against the mix, and the value of a symmetric zero-sum game is 0
    assert (a @ p).max() <= 1e-6
    assert eq.value == pytest.approx(0, abs=1e-6)


def test_bad_matrices_are_refused_in_words() -> None:
    with pytest.raises(MetagameError, match="square"):
        payoff_matrix([[0.5, 0.5]])
    with pytest.raises(MetagameError, match="finite"):
        maxent_nash([[0.0, float("nan")], [0.0, 0.0]])


def test_resampling_gives_intervals_around_a_clear_winner() -> None:
    rng = np.random.default_rng(1)
    labels = ["strong", "middle", "weak"]
    scores = {
        (0, 1): list((rng.random(200) < 0.75).astype(float)),
        (0, 2): list((rng.random(200) < 0.9).astype(float)),
        (1, 2): list((rng.random(200) < 0.7).astype(float)),
    }
    m = metagame(labels, scores, resamples=100, seed=3)
    assert m.equilibrium.support() == [0]
    assert m.weights[0].low > 0.99
    assert m.in_support[0] == 1.0
    assert m.regrets[2].low > m.regrets[1].high  # weak falls further short than middle
    assert m.verdict()[0].startswith("strong is in the equilibrium's support with weight 1.00")
    assert "weak is left out" in m.verdict()[-1]
    # same seed, same answer
    assert metagame(labels, scores, resamples=100, seed=3) == m


def test_a_cycle_keeps_every_agent_in_the_support() -> None:
    rng = np.random.default_rng(2)
    scores = {
        (0, 1): list((rng.random(400) < 0.2).astype(float)),
        (0, 2): list((rng.random(400) < 0.8).astype(float)),
        (1, 2): list((rng.random(400) < 0.2).astype(float)),
    }
    m = metagame(["rock", "paper", "scissors"], scores, resamples=50)
    assert m.equilibrium.support() and len(m.equilibrium.support()) == 3
    assert all(w.value == pytest.approx(1 / 3, abs=0.1) for w in m.weights)


def test_pairs_must_name_two_agents_in_order() -> None:
    with pytest.raises(MetagameError, match="pair"):
        metagame(["a", "b"], {(1, 0): [1.0]})
    with pytest.raises(MetagameError, match="at least one"):
        metagame([], {})


def test_pair_scores_pair_the_role_swapped_games_of_a_deal() -> None:
    from summitgame.analysis.metagame import pair_scores

    def line(index: int, pair: list[str], game: int, winner: str | None, forfeit: bool = False) -> dict[str, object]:
        return {"index": index, "pair": pair, "game": game, "winner": winner, "forfeit": {"x": 1} if forfeit else None}

    lines = [
        line(0, ["a", "b"], 0, "a"),
        line(1, ["a", "b"], 1, None),  # a tie on the same deal: unit 0.75
        line(2, ["a", "b"], 2, "b"),
        line(3, ["a", "b"], 3, "b", forfeit=True),  # a forfeited by a: unit 0
        line(4, ["b", "c"], 0, "c"),  # listed b before c but c is index 2: c's points are the second agent's
    ]
    scores = pair_scores(["a", "b", "c"], lines)
    assert scores[(0, 1)] == [0.75, 0.0]
    assert scores[(1, 2)] == [0.0]


def test_the_metagame_command_plays_and_solves() -> None:
    import json

    from click.testing import CliRunner

    from summitgame.cli import cli

    args = ["metagame", "random", "greedy", "-n", "6", "--resamples", "20", "--seed", "3", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["agents"] == ["random", "greedy"]
    assert sum(row["weight"]["value"] for row in doc["equilibrium"]) == pytest.approx(1, abs=1e-3)
    assert doc["support"] and set(doc["support"]) <= {"random", "greedy"}
    again = json.loads(CliRunner().invoke(cli, args).output)
    again.pop("speed")
    doc.pop("speed")
    assert again == doc  # same seed, same meta-game
    text = CliRunner().invoke(cli, args[:-1])
    assert text.exit_code == 0 and "in the equilibrium's support" in text.output


def test_the_metagame_command_refuses_bad_input_in_one_line() -> None:
    from click.testing import CliRunner

    from summitgame.cli import cli

    result = CliRunner().invoke(cli, ["metagame", "random", "nosuchagent", "-n", "2"])
    assert result.exit_code != 0
    assert "nosuchagent" in result.output and "Traceback" not in result.output
    one = CliRunner().invoke(cli, ["metagame", "random", "-n", "2"])
    assert one.exit_code != 0 and "at least two agents" in one.output


def test_a_probe_in_the_support_is_called_a_cheap_win() -> None:
    rng = np.random.default_rng(4)
    scores = {(0, 1): list((rng.random(200) < 0.2).astype(float))}  # spoiler beats greedy 80%
    m = metagame(["greedy", "spoiler"], scores, resamples=20)
    assert m.verdict()[0].startswith("spoiler is in the equilibrium's support")
    assert m.verdict()[0].endswith(
        "never dealing while playing gestures against the other side is a strong strategy in these rules"
    )
    assert "strong strategy" not in m.verdict()[1]


def test_metagame_without_scipy_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from click.testing import CliRunner

    from summitgame.cli import cli

    for name in ("scipy", "scipy.optimize"):
        monkeypatch.setitem(sys.modules, name, None)  # importing it now raises ImportError
    monkeypatch.delitem(sys.modules, "summitgame.analysis.metagame", raising=False)
    result = CliRunner().invoke(cli, ["metagame", "random", "greedy", "-n", "2"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "metagame needs scipy: pip install 'summitgame[metagame]'" in result.output


# --- the HTML page ------------------------------------------------------------------------------------

HTML_ARGS = ["metagame", "greedy", "stonewall", "random", "-n", "6", "--resamples", "20", "--seed", "2", "--json"]


def _html_run(path: Path) -> dict[str, Any]:
    """The meta-game's JSON document, with its page written to ``path``."""
    import json

    from click.testing import CliRunner

    from summitgame.cli import cli

    result = CliRunner().invoke(cli, [*HTML_ARGS, "--html", str(path)])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_the_html_page_holds_the_matrix_weights_regrets_and_verdict(tmp_path: Path) -> None:
    from summitgame.analysis.html import rate_colour

    doc = _html_run(tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "<img" not in page
    for a, row in doc["score_rates"].items():
        for b, rate in row.items():
            assert f'background:{rate_colour(rate)}">{100 * rate:.1f}%</td>' in page, (a, b)
    for r in doc["equilibrium"]:
        w, g = r["weight"], r["regret"]
        assert (
            f"<td>{html.escape(r['agent'])}</td><td>{w['value']:.2f}</td><td>[{w['low']:.2f}, {w['high']:.2f}]</td>"
            in page
        )
        assert f"<td>{100 * g['value']:.1f}%</td>" in page
    for line in doc["verdict"]:
        assert f"<li>{html.escape(line)}</li>" in page
    assert '<figure id="chart-weights"><svg' in page
    again = tmp_path / "again.html"
    _html_run(again)
    assert again.read_bytes() == (tmp_path / "m.html").read_bytes()  # the same bytes every time


@pytest.mark.slow
def test_the_html_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    doc = _html_run(tmp_path / "m.html")
    rendered = dom(tmp_path / "m.html", tmp_path / "profile")
    assert '<table class="rates" id="payoffs">' in rendered and 'id="equilibrium"' in rendered
    for row in doc["score_rates"].values():
        for rate in row.values():
            assert f"{100 * rate:.1f}%" in rendered
    assert all(html.escape(line, quote=False) in rendered for line in doc["verdict"])
    colours = screenshot(tmp_path / "m.html", tmp_path / "profile", tmp_path / "m.png", "1100,1200")
    assert coloured(colours) > 5_000  # the payoff cells are coloured by rate
