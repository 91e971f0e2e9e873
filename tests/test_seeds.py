"""Seeds that leak nothing (issue #11): how deal and agent seeds are derived, that an agent's random
stream tells it nothing about the deal (a cheating agent that brute-forces the run seed from its stream,
as the issue's attacker did, wins under the old scheme and guesses at chance under the new one), that a
run's line replays its game exactly, and that match and tournament draw, print and resume the run seed."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from conftest import bundled
from summitgame import rng
from summitgame.agents import make_agent
from summitgame.agents.base import Agent
from summitgame.cli import cli
from summitgame.engine import new_game
from summitgame.engine.observation import Observation
from summitgame.rules.actions import Action
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import agent_rng, agent_stream, play_game
from summitgame.runs.records import record_of
from summitgame.runs.stats import wilson
from summitgame.runs.tournament import (
    GAMES_FILE,
    Entrant,
    TournamentError,
    entrants,
    make_plan,
    read_games,
    run_match,
    run_plan,
    run_tournament,
)

#: Run seeds drawn once with ``secrets.randbits(64)`` and fixed here, so that the statistical test below is
#: deterministic; a seed drawn afresh is tested too (``test_a_freshly_drawn_seed_gives_the_attack_nothing``).
DRAWN = (11994988008886054165, 909609824395270745)
U64 = 1 << 64
RUN_SEEDS = st.integers(min_value=-(1 << 80), max_value=1 << 80)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- the derivation --------------------------------------------------------------------------------------


@given(RUN_SEEDS, st.integers(min_value=0, max_value=10**6))
def test_deal_and_agent_seeds_are_64_bit_and_in_separate_domains(run_seed: int, k: int) -> None:
    deal = rng.deal_seed(run_seed, k)
    streams = [rng.agent_seed(run_seed, k, r) for r in (0, 1)]
    own = [rng.deal_agent_seed(deal, r) for r in (0, 1)]
    for x in (deal, *streams, *own):
        assert 0 <= x < U64
    assert len({deal, *streams, *own}) == 5  # no value of one domain reappears in another
    assert rng.deal_seed(run_seed, k) == deal  # a pure function
    assert rng.deal_seed(run_seed, k + 1) != deal and rng.deal_seed(run_seed + 1, k) != deal


def test_derivation_is_blake2b_with_a_domain_per_kind() -> None:
    """Pinned values: a change of derivation changes every seeded figure, so it must be deliberate."""
    import hashlib

    def blake(text: str, person: bytes) -> int:
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8, person=person).digest(), "big")

    assert rng.deal_seed(7, 3) == blake("7:3", b"summit-deal")
    assert rng.agent_seed(7, 3, 1) == blake("run:7:3:1", b"summit-agent")
    assert rng.deal_agent_seed(7, 1) == blake("deal:7:1", b"summit-agent")
    assert len({rng.deal_seed(0, k) for k in range(10_000)}) == 10_000
    assert max(rng.deal_seed(0, k) for k in range(10_000)) >= 1 << 60  # the whole 64-bit space is used


def test_the_plan_carries_agent_seeds_that_do_not_follow_the_deal(summit_rules: Ruleset) -> None:
    plan = make_plan(["a", "b", "c"], 8, 5, summit_rules)
    for g in plan:
        assert g.agent_seeds == (rng.agent_seed(5, g.game, 0), rng.agent_seed(5, g.game, 1))
        assert g.run_seed == 5 and g.seed == rng.deal_seed(5, g.game // 2)
    by_game = {g.game: g.agent_seeds for g in plan}
    assert all(g.agent_seeds == by_game[g.game] for g in plan)  # every pair: the same streams (paired comparisons)
    streams = [s for seeds in by_game.values() for s in seeds]
    assert len(set(streams)) == len(streams) == 16  # a stream per game and role
    deals = {g.seed for g in plan}
    assert not deals & set(streams)
    # games 2k and 2k+1 share a deal but not their streams: a stream is not a function of the deal
    assert by_game[0] != by_game[1] and plan[0].seed == plan[3].seed
    # the streams are the same whatever the rules (and so whatever the deal turns out to be)
    assert [g.agent_seeds for g in make_plan(["a", "b", "c"], 8, 5, bundled("trade"))] == [g.agent_seeds for g in plan]


class Spy(Agent):
    """Records the first number of the stream it is handed in each game."""

    name = "spy"
    defaults: ClassVar[dict[str, Any]] = {}
    seen: ClassVar[list[tuple[int, float]]] = []

    def start(self, rules: Ruleset, role: int, stream: random.Random) -> None:
        super().start(rules, role, stream)
        Spy.seen.append((role, stream.random()))

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return self.rng.choice(legal)


def test_the_runner_hands_each_agent_the_stream_of_its_planned_seed(summit_rules: Ruleset) -> None:
    Spy.seen.clear()
    players = [Entrant("spy", "spy", Spy, ()), *entrants(["random"])]
    plan = make_plan([p.label for p in players], 6, DRAWN[0], summit_rules)
    run_plan(summit_rules, players, plan, processes=False)
    expected = []
    for g in plan:
        role = g.seats.index("spy")
        expected.append((role, agent_stream(g.agent_seeds[role]).random()))
    assert Spy.seen == expected
    # a game played on its own (the hot seat, direct callers) derives its streams one-way from the deal
    assert agent_rng(42, 1).random() == random.Random(rng.deal_agent_seed(42, 1)).random()


def test_a_line_records_what_replays_its_game_exactly(summit_rules: Ruleset, tmp_path: Path) -> None:
    """Deal seed plus agent seeds replay a game of randomised agents move for move."""
    specs = ["random", "mcts:iterations=20"]
    run_tournament(summit_rules, specs, 4, tmp_path, seed=DRAWN[1])
    lines = read_games(tmp_path / GAMES_FILE)
    assert len(lines) == 4
    for line in lines:
        assert line["run_seed"] == DRAWN[1]
        agents = [make_agent(line["specs"][r]) for r in summit_rules.roles]
        streams = [line["agent_seeds"][r] for r in summit_rules.roles]
        again = play_game(summit_rules, agents, line["seed"], agent_seeds=streams)
        assert record_of(again.state)["actions"] == line["actions"]


# --- the cheating agent ----------------------------------------------------------------------------------

Table = dict[int, int]  #: the first 64 bits of a candidate stream -> the deal seed it gives away


def fingerprint(stream: random.Random) -> int:
    """The first 64 bits of a stream, read from a copy (the stream itself is not moved)."""
    probe = random.Random()
    probe.setstate(stream.getstate())
    return probe.getrandbits(64)


@cache
def old_table(role: int) -> Table:
    """The attack on the old scheme: small run seeds, deal seeds ``seed * 1_000_003 + k``, streams seeded from
    the readable string of the deal seed and the role."""
    out = {}
    for seed in range(16):
        for k in range(64):
            deal = seed * 1_000_003 + k
            out[fingerprint(random.Random(f"summitgame-agent:{deal}:{role}"))] = deal
    return out


@cache
def new_table(role: int) -> Table:
    """The same attack on the new scheme: every run seed an attacker can afford to try (here the small ones a
    user might type), through the public derivation; and games played on their own with small deal seeds."""
    out = {}
    for seed in range(16):
        for game in range(64):
            out[fingerprint(agent_stream(rng.agent_seed(seed, game, role)))] = rng.deal_seed(seed, game // 2)
    for deal in range(1024):
        out[fingerprint(agent_rng(deal, role))] = deal
    return out


TABLES: dict[str, Callable[[int], Table]] = {"old": old_table, "new": new_table}


class Cheater(Agent):
    """Brute-forces the deal from its own random stream, then names a gesture card the opponent holds; when
    the brute force finds nothing it can only guess: a card drawn uniformly from the gesture cards."""

    name = "cheater"
    defaults: ClassVar[dict[str, Any]] = {"scheme": "new"}
    log: ClassVar[list[tuple[bool, str]]] = []  #: (found the deal, the card named), one per game started

    def start(self, rules: Ruleset, role: int, stream: random.Random) -> None:
        super().start(rules, role, stream)
        deal = TABLES[self.params["scheme"]](role).get(fingerprint(stream))
        if deal is None:
            guess = stream.choice(sorted(set(rules.gesture_ids)))
        else:
            guess = rules.gesture_ids[new_game(rules, deal).hands[1 - role][0]]
        Cheater.log.append((deal is not None, guess))

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        return self.rng.choice(legal)


def opponent_hand(rules: Ruleset, deal: int, role: int) -> set[str]:
    return {rules.gesture_ids[i] for i in new_game(rules, deal).hands[1 - role]}


def chance(rules: Ruleset, deal: int, role: int) -> float:
    """The probability that a uniform guess among the gesture cards names one the opponent holds."""
    return len(opponent_hand(rules, deal, role)) / len(set(rules.gesture_ids))


def cheat_in_a_run(rules: Ruleset, games: int, seed: int) -> tuple[int, int, float, int]:
    """A cheater against a random agent, played by the runner on this process from run seed ``seed``:
    (games, correct guesses, expected correct guesses by chance, deals found by the brute force)."""
    Cheater.log.clear()
    players = [Entrant("cheater", "cheater", Cheater, (("scheme", "new"),)), *entrants(["random"])]
    plan = make_plan([p.label for p in players], games, seed, rules)
    run_plan(rules, players, plan, processes=False)
    assert len(Cheater.log) == len(plan)  # played in plan order, one start per game
    hits, expected, found = 0, 0.0, 0
    for g, (got, guess) in zip(plan, Cheater.log, strict=True):
        role = g.seats.index("cheater")
        hits += guess in opponent_hand(rules, g.seed, role)
        expected += chance(rules, g.seed, role)
        found += got
    return len(plan), hits, expected, found


def test_the_attack_reads_the_opponents_hand_under_the_old_scheme(summit_rules: Ruleset) -> None:
    """The issue's attack, replayed against the old derivation: it finds every deal, names a card the
    opponent holds every time, far above chance. So the test below can fail."""
    Cheater.log.clear()
    n, expected = 0, 0.0
    for seed in (0, 3):  # what `match` and `tournament` used by default, and a seed a user might type
        for game in range(40):
            deal = seed * 1_000_003 + game // 2  # old tournament.deal_seed
            role = game % 2
            cheater = Cheater(scheme="old")
            cheater.start(summit_rules, role, random.Random(f"summitgame-agent:{deal}:{role}"))  # old agent_rng
            found, guess = Cheater.log[-1]
            assert found and guess in opponent_hand(summit_rules, deal, role)
            n += 1
            expected += chance(summit_rules, deal, role)
    assert wilson(n, n).low > 2 * expected / n  # far better than chance


def test_the_attack_guesses_at_chance_on_runs_with_a_drawn_seed(summit_rules: Ruleset) -> None:
    """From a drawn 64-bit run seed the brute force finds nothing, and the cheater names a card the opponent
    holds no more often than chance: the base rate lies within the 95% interval of its hit rate."""
    games = hits = found = 0
    expected = 0.0
    for seed in DRAWN:
        n, h, e, f = cheat_in_a_run(summit_rules, 200, seed)
        games, hits, expected, found = games + n, hits + h, expected + e, found + f
    rate = wilson(hits, games)
    base = expected / games
    assert found == 0
    assert rate.low <= base <= rate.high, (rate, base)
    assert rate.high - rate.low < 0.1  # enough games that a real leak would show


def test_a_seed_you_typed_is_a_seed_others_can_guess(summit_rules: Ruleset) -> None:
    """The threat model's caveat: the same attack succeeds on a run whose seed someone typed (`--seed 3`)."""
    n, hits, expected, found = cheat_in_a_run(summit_rules, 20, 3)
    assert found == hits == n and expected < n / 2


def test_a_freshly_drawn_seed_gives_the_attack_nothing(summit_rules: Ruleset) -> None:
    """``run_match`` without a seed draws a new 64-bit one each time; the brute force finds no deal of it."""
    _, summary = run_match(summit_rules, "random", "random", 2)
    _, again = run_match(summit_rules, "random", "random", 2)
    assert summary["seed_source"] == again["seed_source"] == "drawn"
    assert 0 <= summary["seed"] < U64 and again["seed"] != summary["seed"]
    _, _, _, found = cheat_in_a_run(summit_rules, 20, summary["seed"])
    assert found == 0


# --- drawn, printed, recorded and resumed run seeds -------------------------------------------------------


def test_match_without_a_seed_draws_one_prints_it_and_the_printed_seed_replays_the_run() -> None:
    first = run("match", "random", "mcts:iterations=10", "-n", "4", "--json")
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["seed_source"] == "drawn" and 0 <= doc["seed"] < U64
    text = run("match", "random", "mcts:iterations=10", "-n", "4")
    assert text.exit_code == 0, text.output
    header = text.stdout.splitlines()
    seed = int(header[0].rsplit("seed ", 1)[1])
    assert seed != doc["seed"]
    assert header[1] == f"(the seed was drawn at random: --seed {seed} plays this run again)"
    again = run("match", "random", "mcts:iterations=10", "-n", "4", "--json", "--seed", str(doc["seed"]))
    replayed = json.loads(again.stdout)
    assert replayed["seed_source"] == "given"
    for key in ("speed", "seed_source"):
        doc.pop(key), replayed.pop(key)
    assert replayed == doc


def test_designer_commands_keep_seed_zero_by_default() -> None:
    result = run("simulate", "-n", "5", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["seed"] == 0


def test_a_run_with_a_drawn_seed_resumes_under_that_seed(summit_rules: Ruleset, tmp_path: Path) -> None:
    specs = ["random", "mcts:iterations=10"]
    part, first = run_tournament(summit_rules, specs, 6, tmp_path / "cut", stop_after=2)
    assert first["seed_source"] == "drawn" and part.played == 2
    drawn = first["seed"]
    assert {x["run_seed"] for x in read_games(tmp_path / "cut" / GAMES_FILE)} == {drawn}
    rest, resumed = run_tournament(summit_rules, specs, 6, tmp_path / "cut", resume=True)
    assert (rest.resumed, rest.played) == (2, 4)
    assert resumed["seed"] == drawn and resumed["seed_source"] == "log"
    whole_run, whole = run_tournament(summit_rules, specs, 6, tmp_path / "whole", seed=drawn)
    strip = ("seconds",)
    assert [{k: v for k, v in x.items() if k not in strip} for x in rest.lines] == [
        {k: v for k, v in x.items() if k not in strip} for x in whole_run.lines
    ]
    assert {k: v for k, v in resumed.items() if k != "seed_source"} == {
        k: v for k, v in whole.items() if k != "seed_source"
    }
    with pytest.raises(TournamentError, match=f"holds a run with seed {drawn}: resume it without --seed"):
        run_tournament(summit_rules, specs, 6, tmp_path / "cut", seed=drawn + 1, resume=True)


def test_resume_with_another_seed_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "t"
    first = run("tournament", "random", "mcts:iterations=10", "-n", "2", "--out", out, "--json")
    assert first.exit_code == 0, first.output
    seed = json.loads(first.stdout)["seed"]
    wrong = run("tournament", "random", "mcts:iterations=10", "-n", "2", "--out", out, "--resume", "--seed", "7")
    assert wrong.exit_code == 1
    assert wrong.output.strip().splitlines() == [
        f"error: {out} holds a run with seed {seed}: resume it without --seed (or with --seed {seed}), "
        "or play seed 7 in another folder"
    ]
    same = run("tournament", "random", "mcts:iterations=10", "-n", "4", "--out", out, "--resume", "--json")
    assert same.exit_code == 0, same.output
    doc = json.loads(same.stdout)
    assert doc["seed"] == seed and doc["games"]["played"] == 4 and doc["speed"]["played"] == 2


def test_resume_refuses_a_line_whose_seeds_were_changed(summit_rules: Ruleset, tmp_path: Path) -> None:
    run_tournament(summit_rules, ["random", "greedy"], 2, tmp_path, seed=DRAWN[0], stop_after=1)
    path = tmp_path / GAMES_FILE
    line = json.loads(path.read_text())
    role = summit_rules.roles[0]
    line["agent_seeds"][role] += 1
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(TournamentError, match=r"was recorded with deal seed .* the file was changed"):
        run_tournament(summit_rules, ["random", "greedy"], 2, tmp_path, resume=True)
