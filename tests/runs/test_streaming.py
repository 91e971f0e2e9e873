"""Runs of any length in flat memory (issue 16): the plan worked out game by game (``plan.Plan``), the summary
summed as the games pass (``standings.Standings``, ``stats.mean_ci_counts``), and ``run_plan`` keeping no line,
with the same results, files and resume as a run that keeps everything."""

from __future__ import annotations

import json
import random
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitgame.agents import load_class
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.options import RunOptions
from summitgame.runs.plan import Plan, Todo, game_id, make_plan
from summitgame.runs.standings import FORFEITS_SHOWN, Standings, summarize
from summitgame.runs.stats import mean_ci, mean_ci_counts
from summitgame.runs.tournament import GAMES_FILE, entrants, read_games, run_plan, run_tournament

load_class("helper_agents:First")
load_class("helper_agents:Crasher")

LABELS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    labels=st.lists(LABELS, min_size=2, max_size=4, unique=True),
    games=st.integers(1, 7),
    seed=st.integers(0, 2**64 - 1),
)
def test_a_lazy_plan_is_the_listed_plan(summit_rules: Ruleset, labels: list[str], games: int, seed: int) -> None:
    lazy = Plan(labels, games, seed, summit_rules.fingerprint)
    listed = make_plan(labels, games, seed, summit_rules)
    assert len(lazy) == len(listed) and list(lazy) == listed
    assert [lazy[i] for i in range(-len(lazy), len(lazy))] == listed + listed
    assert lazy[1:4] == listed[1:4]
    # its ids, written without json.dumps on the way, are game_id's
    assert all(g.game_id == game_id(summit_rules.fingerprint, g.seats, g.game, g.seed, g.agent_seeds) for g in lazy)
    with pytest.raises(IndexError):
        lazy[len(lazy)]


def test_todo_lists_the_games_left_and_finds_any_by_index(summit_rules: Ruleset) -> None:
    plan = Plan(["a", "b", "c"], 4, 9, summit_rules.fingerprint)
    todo = Todo(plan, {0, 5, 11})
    assert len(todo) == 9 and [g.index for g in todo] == [i for i in range(12) if i not in (0, 5, 11)]
    assert todo.at(5) == plan[5]
    part = make_plan(["a", "b"], 12, 2, summit_rules)[4:]  # a slice of a plan: indexes are not positions
    left = Todo(part, {5})
    assert [g.index for g in left] == [4, 6, 7, 8, 9, 10, 11] and left.at(9) == part[5]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(-50, 50), st.sampled_from([0.5, -1.25, 3.0, 1e-3, 7.75])), max_size=60))
def test_mean_ci_of_counts_is_mean_ci_to_the_last_bit(xs: list[float]) -> None:
    assert repr(mean_ci_counts(Counter(xs))) == repr(mean_ci(xs))


def _lines(rules: Ruleset, n: int, seed: int) -> list[dict[str, Any]]:
    """Game lines of a made-up three-agent run, some forfeited (no engine needed)."""
    rng = random.Random(seed)
    roles = rules.roles
    plan = make_plan(["p", "q", "r"], n, seed, rules)
    out = []
    for g in plan:
        line: dict[str, Any] = {
            "game_id": g.game_id,
            "index": g.index,
            "pair": list(g.pair),
            "agents": {roles[r]: g.seats[r] for r in (0, 1)},
            "decisions": {r: rng.randint(1, 40) for r in roles},
        }
        if rng.random() < 0.3:
            role = rng.choice(roles)
            line["forfeit"] = {"role": role, "agent": line["agents"][role], "error": f"boom {g.index}"}
        else:
            win = rng.choice([*roles, None])
            line["forfeit"] = None
            line["outcome"] = {
                "tier": rng.choice(rules.tier_ids),
                "reason": "last_round",
                "walkouts": [rng.choice(roles)] if rng.random() < 0.2 else [],
                "rounds_played": rng.randint(1, 8),
                "scores": {r: rng.randint(-5, 30) for r in roles},
                "winner": win,
            }
        out.append(line)
    return out


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 1000), order=st.randoms(use_true_random=False))
def test_standings_summed_in_any_order_give_the_summary_of_the_list(
    summit_rules: Ruleset, n: int, seed: int, order: random.Random
) -> None:
    players = entrants(["greedy", "random", "boulware"])
    lines = _lines(summit_rules, n, seed)
    labels = {"p": players[0].label, "q": players[1].label, "r": players[2].label}
    for line in lines:  # the made-up labels are the entrants'
        line["pair"] = [labels[a] for a in line["pair"]]
        line["agents"] = {r: labels[a] for r, a in line["agents"].items()}
        if line["forfeit"]:
            line["forfeit"]["agent"] = labels[line["forfeit"]["agent"]]
    plan = make_plan([p.label for p in players], n, seed, summit_rules)
    shuffled = list(lines)
    order.shuffle(shuffled)
    table = Standings(summit_rules, players, len(plan))
    for line in shuffled:
        table.add(line)
    want = summarize(summit_rules, players, plan, lines)
    assert json.dumps(table.summary()) == json.dumps(want)
    forfeits = [ln for ln in lines if ln["forfeit"]]
    assert [f["index"] for f in want["forfeit_errors"]] == [ln["index"] for ln in forfeits][:FORFEITS_SHOWN]


def test_a_run_that_keeps_no_line_writes_and_sums_the_same(summit_rules: Ruleset, tmp_path: Path) -> None:
    specs = ["random", "crasher:after=3", "greedy"]
    kept, kept_summary = run_tournament(summit_rules, specs, 8, tmp_path / "kept", seed=3)
    flat, flat_summary = run_tournament(
        summit_rules, specs, 8, tmp_path / "flat", seed=3, keep_lines=False, backend=RunOptions(workers=2)
    )
    assert flat.lines == [] and flat.finished == len(kept.lines) == 24 and flat.complete
    assert kept_summary["games"]["forfeits"] == 16 and flat_summary == kept_summary

    def untimed(folder: Path) -> list[dict[str, Any]]:
        lines = read_games(folder / GAMES_FILE)
        return sorted(({k: v for k, v in x.items() if k != "seconds"} for x in lines), key=str)

    assert untimed(tmp_path / "flat") == untimed(tmp_path / "kept")
    # stopped and resumed without keeping lines: the resumed games are summed too
    part, _ = run_tournament(summit_rules, specs, 8, tmp_path / "cut", seed=3, stop_after=7, keep_lines=False)
    assert not part.complete and part.finished == 7
    rest, resumed = run_tournament(summit_rules, specs, 8, tmp_path / "cut", resume=True, keep_lines=False)
    assert (rest.resumed, rest.played, rest.finished) == (7, 17, 24)
    assert resumed == {**kept_summary, "seed_source": "log"}


def _parent_bytes(rules: Ruleset, games: int, folder: Path) -> int:
    """Memory the parent of a one-worker run still holds once the run is over (traced allocations)."""
    players = entrants(["random", "first"])
    plan = Plan([p.label for p in players], games, 1, rules.fingerprint)
    table = Standings(rules, players, len(plan))
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        run = run_plan(rules, players, plan, out=folder, processes=True, keep_lines=False, tally=table.add)
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert run.complete and table.summary()["games"]["played"] == games
    return held


@pytest.mark.slow
def test_the_parent_holds_nothing_per_game(summit_rules: Ruleset, tmp_path: Path) -> None:
    _parent_bytes(summit_rules, 10, tmp_path / "warm")  # imports, caches: what the first run allocates once
    small = _parent_bytes(summit_rules, 50, tmp_path / "small")
    large = _parent_bytes(summit_rules, 600, tmp_path / "large")
    # before issue 16's streaming the parent kept each game's line and planned game: about 5 KB a game here
    assert large - small < 50 * 1024, (small, large)
