"""``summitgame watch``: bots (or a record) played out on the board screen step by step, for a spectator
who may see both hands but nothing else hidden; Ctrl-C stops it cleanly."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from helper_agents import Crasher
from summitgame.agents import make_agent
from summitgame.cli import cli
from summitgame.engine import new_game
from summitgame.play import watch as watch_module
from summitgame.play.watch import Forfeit, play_out, watch
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import agent_rng
from summitgame.runs.records import read_record, replay

SHORT = ("--set", "rounds.count=2")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUMMITGAME_DATA", "summit-games")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner(env={"COLUMNS": "100"}).invoke(cli, ["watch", *args])


def flat(text: str) -> str:
    return " ".join(text.split())


def steps(output: str) -> list[int]:
    return [int(k) for k in re.findall(r"· step (\d+)", output)]


def test_two_greedy_bots_play_it_out_step_by_step() -> None:
    result = run("--seed", "4", *SHORT, "--delay", "0")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "Watching Washington (greedy) vs Moscow (greedy)" in out
    greedy = ("--player", "washington=greedy", "--player", "moscow=greedy")
    record = CliRunner().invoke(cli, ["play", "--seed", "4", *SHORT, *greedy, "--record", "g.json"])
    assert record.exit_code == 0, record.output
    doc = read_record(Path("g.json"))
    assert steps(result.output) == list(range(len(doc["actions"]) + 1))  # the same game as play's, every step
    assert "Spectator view: you see both hands and both secret agendas" in out
    final = replay(doc, load_rules(None, ["rounds.count=2"]), "g.json")
    rules = final.rules
    for r in (0, 1):  # both secret agendas are on the spectator's screen from step 0
        assert f"{rules.role_names[r]}: {rules.agendas_deck.cards[final.agendas[r]].name}" in out
    assert "The summit is over:" in out and "End of round 1:" in out
    assert f"seed {final.seed}" in out  # on the end screen only
    assert out.index(f"seed {final.seed}") > out.rindex("· step")
    assert "Watch it again: summitgame watch --seed 4 --set rounds.count=2" in out


def test_seats_are_bots_only_and_a_record_takes_no_seats() -> None:
    result = run("--player", "moscow=random", "--seed", "1", *SHORT, "--delay", "0")
    assert result.exit_code == 0 and "Moscow (random)" in result.output
    bad = run("--player", "moscow=human", "--delay", "0")
    assert bad.exit_code == 2 and "watch seats bots only" in bad.output
    bots = ("--player", "washington=random", "--player", "moscow=random")
    CliRunner().invoke(cli, ["play", "--seed", "1", *SHORT, *bots, "--record", "r.json"])
    both = run("r.json", "--seed", "3")
    assert both.exit_code == 2 and "--player and --seed are for a new game" in both.output


def test_a_finished_record_is_played_back_with_both_hands() -> None:
    bots = ("--player", "washington=random", "--player", "moscow=greedy")
    made = CliRunner().invoke(cli, ["play", "--seed", "6", *SHORT, *bots, "--record", "r.json"])
    assert made.exit_code == 0, made.output
    result = run("r.json", *SHORT, "--delay", "0")
    assert result.exit_code == 0, result.output
    doc = read_record(Path("r.json"))
    assert steps(result.output) == list(range(len(doc["actions"]) + 1))
    out = flat(result.output)
    assert "Spectator view" in out and "The summit is over:" in out
    assert "Watch it again" not in out
    wrong = run("r.json", "--delay", "0")  # other rules: refused with the reason, no traceback
    assert wrong.exit_code == 1 and "recorded under rules" in wrong.output and "Traceback" not in wrong.output


def test_an_unfinished_save_shows_no_hand() -> None:
    made = CliRunner().invoke(cli, ["play", "--seed", "6", "--player", "moscow=greedy", "--delay", "0"], input="pass\n")
    assert made.exit_code == 0, made.output
    (save,) = Path("summit-games").glob("autosave-*.json")
    result = run(str(save), "--delay", "0")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "Spectator view" not in out and "secret agenda" not in out
    assert "The game is unfinished" in out and "seed" not in out.replace("Seed", "")


def test_ctrl_c_stops_the_show_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[float] = []

    def interrupted(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "pause", interrupted)
    result = run("--seed", "2", "--delay", "0.5")
    assert result.exit_code == 130
    assert "Stopped." in result.output and "Traceback" not in result.output
    assert steps(result.output) == [0, 1, 2] and calls == [0.5, 0.5, 0.5]


def test_a_bot_that_fails_forfeits(summit_rules: Ruleset) -> None:
    crasher = Crasher(after=1)
    greedy = make_agent("greedy")
    first = new_game(summit_rules, 5)
    for r, agent in enumerate((crasher, greedy)):
        agent.start(summit_rules, r, agent_rng(5, r))
    console = Console(file=io.StringIO(), width=80)
    with pytest.raises(Forfeit) as caught:
        watch(play_out(first, [crasher, greedy]), console=console, delay=0)
    assert caught.value.role == 0 and "boom from the crasher" in str(caught.value)
