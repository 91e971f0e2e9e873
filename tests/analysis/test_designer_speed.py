"""Designer runs scale with the workers (issue 16): games are measured where they are played, not replayed in the
parent, and a sweep plays all its points on one pool of workers, with the same numbers as before."""

from __future__ import annotations

from typing import Any

import pytest

from summitgame.analysis import balance as bal
from summitgame.analysis.measures import default_names
from summitgame.analysis.sweep import Sweep, grid, load_points, run_sweep
from summitgame.rules.params import parse_grid
from summitgame.rules.ruleset import Ruleset
from summitgame.runs import workers
from summitgame.runs.options import RunOptions
from summitgame.runs.tournament import run_plan


def _untimed(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in ln.items() if k != "seconds"} for ln in lines]


def _games(sim: bal.Simulation) -> list[Any]:
    return list(sim.games)  # GameMetrics compare field by field


@pytest.mark.slow  # worker processes (spawned, each imports the package)
def test_balance_games_are_measured_on_the_workers(summit_rules: Ruleset, monkeypatch: pytest.MonkeyPatch) -> None:
    players = bal.players_for(["greedy", "random"])
    plan = bal.plan_for(summit_rules, players, 8, 3)
    here = bal.simulate(summit_rules, players, plan)  # in this process: measured here, as it must be

    def no_replay(*args: object, **kwargs: object) -> None:
        raise AssertionError("a game was replayed in the parent")

    monkeypatch.setattr(bal, "game_metrics", no_replay)  # the workers import their own, untouched
    there = bal.simulate(summit_rules, players, plan, backend=RunOptions(workers=2))
    assert _games(there) == _games(here)
    assert len(there.games) == 8


def test_measured_never_reaches_the_stored_lines(summit_rules: Ruleset) -> None:
    players = bal.players_for(["random"])
    plan = bal.plan_for(summit_rules, players, 4, 1)
    seen: list[Any] = []
    run = run_plan(
        summit_rules, players, plan, on_game=lambda ln: seen.append(ln["measured"]), measure=bal.measure_line
    )
    assert len(seen) == 4 and all(m is not None for m in seen)
    assert all("measured" not in ln for ln in run.lines)


def _count_spawns(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The slots of the worker processes started from now on, in order (``workers.Pool._spawn`` spied on)."""
    started: list[int] = []
    real_spawn = workers.Pool._spawn

    def spawn(self: workers.Pool, slot: int) -> Any:
        started.append(slot)
        return real_spawn(self, slot)

    monkeypatch.setattr(workers.Pool, "_spawn", spawn)
    return started


@pytest.mark.slow  # worker processes (spawned, each imports the package)
def test_a_sweep_plays_every_point_on_one_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    players = bal.players_for(["greedy", "random"])
    points = load_points(None, [], grid([parse_grid("meters.trust.start=2..4")]))
    names = default_names(points[0].rules)
    one = run_sweep(points, Sweep(players, 6, 5, names, RunOptions(1)))
    one_measures = [{n: p.measures[n].as_dict() for n in names} for p in one]
    started = _count_spawns(monkeypatch)
    points = load_points(None, [], grid([parse_grid("meters.trust.start=2..4")]))
    two = run_sweep(points, Sweep(players, 6, 5, names, RunOptions(2)))
    assert started == [0, 1]  # two processes for three points (it was two a point)
    assert [{n: p.measures[n].as_dict() for n in names} for p in two] == one_measures
    assert [_untimed(p.lines) for p in two] == [_untimed(p.lines) for p in one]


@pytest.mark.slow  # worker processes (spawned, each imports the package)
def test_a_sweep_plays_its_probe_games_on_the_same_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exploit measure's probe games are played on the sweep's pool too, not on workers of their own."""
    players = bal.players_for(["greedy", "random"])
    names = ["probe_score_rate", "exploitability:greedy"]
    points = load_points(None, [], grid([parse_grid("meters.trust.start=3..4")]))
    one = [
        {n: p.measures[n].as_dict() for n in names}
        for p in run_sweep(points, Sweep(players, 4, 2, names, RunOptions(1)))
    ]
    started = _count_spawns(monkeypatch)
    points = load_points(None, [], grid([parse_grid("meters.trust.start=3..4")]))
    two = run_sweep(points, Sweep(players, 4, 2, names, RunOptions(2)))
    assert started == [0, 1]  # two processes for two points and their probes (it was two more a point)
    assert [{n: p.measures[n].as_dict() for n in names} for p in two] == one


@pytest.mark.slow  # worker processes (spawned, each imports the package)
def test_a_pool_given_a_new_plan_after_an_early_stop_starts_afresh(summit_rules: Ruleset) -> None:
    players = bal.players_for(["random"])
    plan = bal.plan_for(summit_rules, players, 10, 2)
    with workers.Pool(summit_rules, players, [], None, 2) as pool:
        first = run_plan(summit_rules, players, plan, stop_after=3, backend=RunOptions(pool=pool))
        assert len(first.lines) >= 3
        again = run_plan(summit_rules, players, plan, backend=RunOptions(pool=pool))
    alone = run_plan(summit_rules, players, plan)
    assert _untimed(again.lines) == _untimed(alone.lines)
