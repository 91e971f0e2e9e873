"""Plain-text games (``plain``, ``match --pgn``): headers and one move a line, read back into records that
replay the same games."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import BUNDLED_NAMES, bundled
from summitgame.cli import cli
from summitgame.engine import apply, legal_actions, new_game
from summitgame.errors import RecordError
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.plain import game_text, match_text, parse
from summitgame.runs.records import record_of, replay, replay_states
from summitgame.runs.tournament import run_match


def match_lines(rules: Ruleset, a: str, b: str, games: int, seed: int) -> list[dict[str, Any]]:
    """A match's games.jsonl lines, with their actions, in plan order."""
    got: dict[int, dict[str, Any]] = {}
    run_match(rules, a, b, games, seed, on_game=lambda line: got.__setitem__(line["index"], line))
    return [got[i] for i in sorted(got)]


def test_a_match_round_trips(any_rules: Ruleset) -> None:
    lines = match_lines(any_rules, "greedy", "random", 6, seed=2)
    text = match_text(lines, any_rules)
    games = parse(text)
    assert len(games) == 6
    for n, (line, doc) in enumerate(zip(lines, games, strict=True), start=1):
        assert doc["actions"] == line["actions"] and doc["seed"] == line["seed"]
        assert doc["rules"] == line["rules"]
        head = doc["headers"]
        assert head["Game"] == str(n)
        assert {r: head[r] for r in any_rules.roles} == line["agents"]
        assert head["Result"] == (line["outcome"]["winner"] or "tie")
        assert head["Tier"] == line["outcome"]["tier"]
        final = replay(doc, any_rules)
        assert record_of(final)["outcome"] == line["outcome"]


def test_one_move_a_line_by_the_role_that_made_it(summit_rules: Ruleset) -> None:
    (line,) = match_lines(summit_rules, "greedy", "greedy", 1, seed=3)
    text = game_text(line, summit_rules)
    moves = [m for m in text.splitlines() if re.match(r"^\d+\. ", m)]
    states = list(replay_states(line, summit_rules))
    assert len(moves) == len(line["actions"]) == len(states) - 1
    for n, (move, before, action) in enumerate(zip(moves, states, line["actions"], strict=False), start=1):
        assert move == f"{n}. {summit_rules.roles[before.to_move]}: {action}"
    events = [c for c in text.splitlines() if c.startswith("; round ")]
    assert len(events) == line["outcome"]["rounds_played"]
    assert text.splitlines()[-1].startswith(f"; {line['outcome']['winner']} wins")


@given(st.sampled_from(BUNDLED_NAMES), st.integers(0, 2**64 - 1), st.integers(0, 2**32), st.integers(0, 400))
def test_any_game_so_far_round_trips(name: str, seed: int, chooser: int, stop: int) -> None:
    """A random game, finished or cut short anywhere, reads back to its seed and moves."""
    rules = bundled(name)
    pick = random.Random(chooser)
    s = new_game(rules, seed)
    for _ in range(stop):
        if s.to_move < 0:
            break
        s = apply(s, pick.choice(legal_actions(s)))
    record = record_of(s)
    (doc,) = parse(game_text(record, rules))
    assert (doc["seed"], doc["actions"], doc["rules"]) == (record["seed"], record["actions"], record["rules"])
    assert doc["headers"]["Result"] == ("*" if s.to_move >= 0 else (record["outcome"]["winner"] or "tie"))
    assert replay(doc, rules) == s


def test_headers_escape_quotes_and_forfeits_are_shown(summit_rules: Ruleset) -> None:
    (line,) = match_lines(summit_rules, "greedy", "random", 1, seed=5)
    odd = 'my "bot" \\ v2'
    line = {**line, "agents": {"washington": odd, "moscow": "random"}, "forfeit": None}
    (doc,) = parse(game_text(line, summit_rules))
    assert doc["headers"]["washington"] == odd
    gone = {**line, "forfeit": {"role": "moscow", "agent": "random", "error": "took 2 s"}}
    gone.pop("outcome")
    text = game_text(gone, summit_rules)
    assert '[Result "forfeit moscow"]' in text and text.rstrip().endswith("; random as moscow forfeits: took 2 s")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[Seed "1"]\n[Fingerprint "x"]\n\n1. washington: pass\nhello there\n', "line 5: not a header, a move"),
        ('[Seed "1"]\n[Fingerprint "x"]\n\n2. washington: pass\n', "line 4: move 2 where move 1 was due"),
        ('[Fingerprint "x"]\n\n1. washington: pass\n', "no Seed header"),
        ('[Seed "1"]\n\n1. washington: pass\n', "no Fingerprint header"),
        ('[Seed "1"]\n[Seed "2"]\n', "line 2: header Seed given twice"),
    ],
)
def test_parse_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(RecordError, match=re.escape(message)):
        parse(text, "games.txt")


def test_match_pgn_command(tmp_path: Path, summit_rules: Ruleset) -> None:
    out_file = tmp_path / "games.txt"
    res = CliRunner().invoke(cli, ["match", "greedy", "random", "-n", "4", "--seed", "7", "--pgn", str(out_file)])
    assert res.exit_code == 0, res.output
    assert f"games as text:     {out_file}" in res.output
    games = parse(out_file.read_text(encoding="utf-8"))
    assert [g["headers"]["Game"] for g in games] == ["1", "2", "3", "4"]
    assert all(replay(g, summit_rules).to_move < 0 for g in games)
    seq_file = tmp_path / "seq.txt"
    args = ["match", "greedy", "random", "--until-significant", "--seed", "7", "--pgn", str(seq_file), "--json"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    took = json.loads(res.output)["sequential"]["games"]
    assert len(parse(seq_file.read_text(encoding="utf-8"))) == took  # only the games that count
