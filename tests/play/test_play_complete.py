"""Tab completion at the prompt: which words are offered for a line typed so far, at a given decision,
and that Tab completes them at a real terminal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from conftest import CLASSIC_PATH
from summitgame.engine import apply, new_game
from summitgame.engine.observation import Observation, observe
from summitgame.engine.state import State
from summitgame.play.complete import COMMAND_WORDS, Completer, completions
from summitgame.play.terminal import readline_bindings
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    """The first edition (rules/classic.toml): the positions below count its gates and package sizes."""
    return load_rules(CLASSIC_PATH)


def opening(rules: Ruleset) -> State:
    """A new game whose initiative holds cards and where Trust is 3 (below Ukraine's gate of 4)."""
    for seed in range(100):
        s = new_game(rules, seed)
        if s.hands[s.to_move] and rules.meter(s.meters, "trust") == 3:
            return s
    raise AssertionError("no such deal in 100 seeds")


def mover(s: State) -> Observation:
    return observe(s, s.to_move)


def test_at_the_start_of_a_line_the_legal_verbs_then_the_commands(rules: Ruleset) -> None:
    s = opening(rules)
    assert completions("", mover(s)) == ["pass", "play", "give", "ask", *COMMAND_WORDS]
    assert completions("g", mover(s)) == ["give"]
    assert completions("  GI", mover(s)) == ["give"]  # case and leading spaces do not matter
    assert completions("h", mover(s)) == ["help", "hand"]
    assert completions("accept", mover(s)) == []  # no offer on the table
    s = apply(apply(s, rules.parse_action("give syria 1")), rules.parse_action("offer"))
    assert completions("", mover(s))[:3] == ["accept", "reject", "counter"]
    assert completions("", observe(s, 1 - s.to_move)) == list(COMMAND_WORDS)  # not to move: commands only


def test_tracks_and_steps_that_are_legal_now(rules: Ruleset) -> None:
    s = opening(rules)
    tracks = completions("give ", mover(s))
    assert "ukraine" not in tracks  # gated: it needs Trust 4
    assert {"arms", "syria", "cyber", "energy"} <= set(tracks)
    assert completions("ask sy", mover(s)) == ["syria"]
    assert completions("give syria ", mover(s)) == ["1", "2"]
    s = apply(s, rules.parse_action("give syria 2"))  # 2 of the 3 steps Trust 3 allows are used
    assert "syria" not in completions("ask ", mover(s))  # already in the package
    assert completions("ask arms ", mover(s)) == ["1"]
    assert completions("give arms 1 ", mover(s)) == []
    assert completions("", mover(s))[0] == "offer"
    assert "play" not in completions("", mover(s))  # gestures come before the package


def test_cards_in_hand_and_undo(rules: Ruleset) -> None:
    s = opening(rules)
    hand = sorted({rules.gesture_ids[g] for g in s.hands[s.to_move]})
    assert sorted(completions("play ", mover(s))) == hand
    first = hand[0]
    assert first in completions(f"play {first[:2]}", mover(s))
    assert completions("undo ", mover(s)) == ["all"]
    assert completions("save ", mover(s)) == []


def test_the_completer_offers_words_only_while_a_move_is_asked(rules: Ruleset) -> None:
    obs = mover(opening(rules))
    completer = Completer()
    assert completer.matches("g") == [] and completer.complete("g", 0) is None
    with completer.offering(obs):
        assert completer.matches("g") == ["give "]
        assert completer.complete("ha", 0) == "hand " and completer.complete("ha", 1) is None
    assert completer.matches("g") == []


def test_tab_is_bound_to_complete_only_with_a_completer() -> None:
    assert '"\\C-i": complete' in readline_bindings(complete=True)
    assert '"\\C-i": self-insert' not in readline_bindings(complete=True)
    assert '"\\C-i": self-insert' in readline_bindings()
    assert "set disable-completion on" in readline_bindings()


def test_tab_completes_at_a_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", "PYTHONPATH": SRC, "SUMMITGAME_DATA": str(tmp_path)}
    env.pop("INPUTRC", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "summitgame", "play", "--player", "moscow=greedy", "--seed", "2", "--delay", "0"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=15,
        dimensions=(24, 80),
    )
    try:
        child.expect("Washington> ")
        child.send("he\t")
        child.expect("help ")
        child.send("\r")
        child.expect("Type a choice's number or the action itself")
        child.expect("Washington> ")
        child.send("qu\t\r")
        child.expect("Save the game before quitting")
        child.send("n\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
