"""The public log explains every change on the board: actions with what they changed, and the game's own
steps (events, the end of a round with its effects, walk-out and breakdown checks, and draws).

The check is arithmetic, not wording: starting from the numbers a screen shows, the changes the log lists
since then, applied in order, must give exactly the numbers on the next screen.
"""

from __future__ import annotations

import io
import random
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from conftest import BUNDLED_NAMES, CLASSIC_PATH, bundled, walk
from summitgame.cli import cli
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.state import State
from summitgame.play import Ending, Session, make_seats
from summitgame.play.log import Entry, EntryKind, entries, transition
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset

Numbers = dict[tuple[str, int], int]


def numbers(s: State, hands: bool = True) -> Numbers:
    """Every public number of a state, keyed as ``Change`` keys them."""
    out: Numbers = {}
    for what, values in (
        ("meter", s.meters),
        ("track", s.tracks),
        ("stake", s.stakes),
        ("blocked", s.blocked),
        ("revealed", tuple(map(int, s.revealed))),
    ):
        out |= {(what, i): v for i, v in enumerate(values)}
    if hands:
        out |= {("hand", r): len(s.hands[r]) for r in (0, 1)}
    return out


def start_numbers(rules: Ruleset, first: State) -> Numbers:
    """The public numbers before round 1's event: the rules' starting values."""
    s = first.clone()
    s.meters, s.tracks, s.stakes = rules.meter_start, rules.track_start, rules.stake
    s.blocked, s.revealed = (0,) * rules.n_tracks, (False, False)
    return numbers(s, hands=False)


def run_log(start: Numbers, log: list[Entry]) -> Numbers:
    """Apply the log's changes in order, checking each starts from the number it claims to."""
    cur = dict(start)
    for e in log:
        assert e.kind is not EntryKind.OTHER, f"the step-by-step log missed a change: {e.text}"
        for c in e.changes:
            key = (c.what, c.index)
            if key not in cur:  # hand sizes are not tracked before the deal
                continue
            assert cur[key] == c.before, f"{e.text}: {c.words} starts from {cur[key]}"
            cur[key] = c.after
            assert c.words in e.text or (c.what == "hand" and e.actor >= 0)
    return cur


@given(rules=st.sampled_from(BUNDLED_NAMES), seed=st.integers(0, 2**32), chooser=st.integers(0, 2**16))
def test_each_action_and_step_accounts_for_every_change(rules: str, seed: int, chooser: int) -> None:
    r = bundled(rules)
    states = list(walk(r, seed, chooser))
    first = entries(r, states[:1])
    assert first[0].kind is EntryKind.EVENT
    assert run_log(start_numbers(r, states[0]), first) == numbers(states[0], hands=False)
    for prev, nxt in pairwise(states):
        got = transition(prev, nxt)
        assert got[0].actor == prev.to_move
        assert run_log(numbers(prev), got) == numbers(nxt)
        if nxt.round != prev.round or nxt.to_move < 0:
            ends = [e for e in got if e.kind is EntryKind.ROUND_END]
            assert len(ends) == 1 and ends[0].round == prev.round
        if nxt.round != prev.round:
            assert got[-1].kind is EntryKind.EVENT and got[-1].round == nxt.round


def test_the_end_of_a_round_says_what_it_checked_and_found() -> None:
    rules = load_rules(CLASSIC_PATH)  # the first edition, where a pass itself costs nothing
    s = new_game(rules, 3)
    before = s
    s = apply(s, rules.parse_action("pass"))  # nobody gained: each side's pressure +1
    end = next(e for e in transition(before, s) if e.kind is EntryKind.ROUND_END)
    names = rules.role_names
    for r in (0, 1):
        p = before.meters[rules.meter_slot["pressure"][0] + r]
        assert f"{names[r]} has gained nothing this round: {names[r]}'s pressure {p} → {p + 1}" in end.text
    assert "walk-out check:" in end.text and "nobody walks out" in end.text
    assert "breakdown check: Trust" in end.text and "talks go on" in end.text
    assert f"{names[0]} draws 1 card" in end.text


def test_a_walk_out_and_a_breakdown_are_logged_as_such() -> None:
    walkout = load_rules(None, ["rounds.end_effects=[{kind='change_meter',meter='pressure',who='washington',by=5}]"])
    s = new_game(walkout, 1)
    while s.to_move >= 0:
        prev, s = s, apply(s, walkout.parse_action("pass"))
    text = transition(prev, s)[-1].text
    assert "walk-out: Washington at the pressure limit" in text and "the summit ends" in text
    breakdown = load_rules(
        None, ["meters.trust.start=1", "proposals.on_pass=[{kind='change_meter',meter='trust',by=-1}]"]
    )
    s = new_game(breakdown, 1)
    for _ in range(20):
        if s.to_move < 0:
            break
        prev, s = s, apply(s, breakdown.parse_action("pass"))
    text = transition(prev, s)[-1].text
    assert "breakdown: Trust 0, at or below 0; talks break down" in text


@pytest.mark.parametrize("seed", range(4))
def test_every_meter_change_between_two_screens_is_on_the_screen(seed: int) -> None:
    """A seeded game against a bot, through a Session: from one screen of the human to the next, the log
    lines since account for every meter change, and each change is printed in between."""
    rules = load_rules(None, ["rounds.count=4"])
    out = io.StringIO()
    rng = random.Random(seed)
    screens: list[tuple[int, int]] = []  # (number of states, printed length) at each prompt

    def ask(prompt: str) -> str:
        screens.append((len(session.states), len(out.getvalue())))
        return rng.choice(legal_actions(session.state)).notation()

    seats = make_seats(rules, {rules.roles[1]: "greedy"}, seed)
    session = Session(rules, seats, [new_game(rules, seed)], ask=ask, console=Console(file=out, width=80))
    assert session.run().ending is Ending.FINISHED
    states = session.states
    screens.append((len(states), len(out.getvalue())))
    log_at = [len(entries(rules, states[:n])) for n, _ in screens]
    full = entries(rules, states)
    meters = 0
    for (a, pa), (b, pb), la, lb in zip(screens, screens[1:], log_at, log_at[1:], strict=False):
        between = full[la:lb]
        assert run_log(numbers(states[a - 1]), between) == numbers(states[b - 1])
        shown = " ".join(out.getvalue()[pa:pb].split())
        for e in between:
            for c in e.changes:
                if c.what == "meter":
                    assert c.words in shown, f"{c.words!r} ({e.text}) is not on the screen"
                    meters += 1
    assert meters > 5


def test_a_bot_game_prints_the_steps_of_the_game(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            "play",
            "--seed",
            "4",
            "--set",
            "rounds.count=2",
            "--player",
            "washington=greedy",
            "--player",
            "moscow=random",
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "End of round 1:" in text and "walk-out check:" in text and "breakdown check:" in text
    assert "Round 2 event:" in text
    assert "End of round 2:" in text and "that was the last of 2 rounds; the summit ends" in text
