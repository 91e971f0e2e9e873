"""End to end through a real pseudo-terminal: ``python -m summitgame play`` as a player meets it.

One hot-seat game: the hand-over screen (which clears the terminal), an illegal action, undo, save
and quit; then ``--load`` and the game played to its end screen. The test keeps its own copy of
the game in the engine to know who is to move and what is legal, and types accordingly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.state import Phase, State
from summitgame.rules.actions import Action, ActionKind
from summitgame.rules.loader import load_rules
from summitgame.runs.records import read_record, replay

SEED = 11
RULES = ("--set", "rounds.count=2")
PROMPT = r"(Washington|Moscow)> "
HANDOVER = r"Pass to (Washington|Moscow)[^\n]*\n(?:.*\n)*?.*\[Enter\] "


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "COLUMNS": "80",
        "LINES": "24",
        "TERM": "xterm",
        "SUMMITGAME_DATA": "summit-games",
    }
    env.pop("PAGER", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "summitgame", "play", *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=15,
        dimensions=(24, 80),
    )


def choose(s: State) -> Action:
    """Offer one give and one ask; accept offers."""
    legal = legal_actions(s)
    kinds = {a.kind: a for a in reversed(legal)}  # the first action of each kind
    if s.phase == Phase.RESPOND:
        return kinds[ActionKind.ACCEPT]
    mine = [it for it in s.items if it[0] == s.to_move]
    theirs = [it for it in s.items if it[0] != s.to_move]
    if not mine and ActionKind.GIVE in kinds:
        return kinds[ActionKind.GIVE]
    if not theirs and ActionKind.ASK in kinds:
        return kinds[ActionKind.ASK]
    return kinds.get(ActionKind.OFFER) or kinds[ActionKind.PASS]


@pytest.mark.slow  # a whole game typed through a pty, ~2.5 s
def test_whole_game_through_a_terminal(tmp_path: Path) -> None:
    rules = load_rules(None, [RULES[1]])
    s = new_game(rules, SEED)
    first = rules.role_names[s.to_move]

    child = spawn(tmp_path, "--seed", str(SEED), *RULES, "--delay", "0")
    # the hand-over screen: the terminal is cleared, the next player is named, Enter is awaited
    child.expect(HANDOVER)
    assert child.match.group(1) == first
    assert "\x1b[2J" in child.before + child.after  # the screen (and scrollback) was cleared
    child.sendline("")
    child.expect(PROMPT)
    assert child.match.group(1) == first
    assert "Your secret agenda" in child.before
    # the board fits an 80x24 terminal: no more than 23 lines between the clear and the prompt
    screen = child.before.split("\x1b[3J")[-1]
    assert len(screen.rstrip("\r\n").splitlines()) <= 23, screen

    # an illegal action: the engine's reason, no crash
    child.sendline("accept")
    child.expect("You cannot accept now: there is no offer on the table to answer")
    child.expect(PROMPT)

    # build, undo, build again
    give = choose(s)
    child.sendline(give.notation())
    child.expect(PROMPT)
    child.sendline("undo")
    child.expect("Took back: " + give.notation())
    child.expect(PROMPT)
    s = apply(s, give)
    child.sendline(give.notation())
    child.expect(PROMPT)

    # save, then quit without saving again
    child.sendline("save mid.json")
    child.expect("Saved to mid.json")
    child.expect(PROMPT)
    child.sendline("quit")
    child.expect(r"Save the game before quitting\?")
    child.sendline("n")
    child.expect("Quit without saving.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert read_record(tmp_path / "mid.json")["actions"] == [give.notation()]

    # resume: a hand-over first, then play to the end, answering whatever the program asks
    child = spawn(tmp_path, "--load", "mid.json", *RULES, "--delay", "0")
    child.expect("Resumed from mid.json")
    handovers = 0
    while True:
        i = child.expect([HANDOVER, PROMPT, "The summit is over"])
        if i == 0:
            handovers += 1
            assert child.match.group(1) == rules.role_names[s.to_move]
            child.sendline("")
        elif i == 1:
            assert child.match.group(1) == rules.role_names[s.to_move]
            a = choose(s)
            s = apply(s, a)
            child.sendline(a.notation())
        else:
            break
    child.expect(r"Game record saved to (summit-games/\S+\.json)")
    record = tmp_path / child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert handovers >= 2
    assert s.to_move < 0
    assert replay(read_record(record), rules).key() == s.key()


def test_ctrl_c_and_end_of_input_save_the_game(tmp_path: Path) -> None:
    """A real SIGINT from the terminal, and Ctrl-D at a prompt: both autosave, say where, and leave."""
    child = spawn(tmp_path, "--seed", str(SEED), *RULES)
    child.expect(HANDOVER)
    child.sendline("")
    child.expect(PROMPT)
    child.sendintr()
    child.expect("Interrupted.")
    child.expect(r"saved to (summit-games/autosave-\S+\.json)")
    saved = tmp_path / child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert read_record(saved)["actions"] == []

    child = spawn(tmp_path, "--load", str(saved), *RULES)
    child.expect(HANDOVER)
    child.sendline("")
    child.expect(PROMPT)
    child.sendeof()
    child.expect("Input ended.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(list((tmp_path / "summit-games").glob("autosave-*.json"))) == 2
