"""What the shared screen must never show: the seed before the game is over (it gives away both hands
and the deck), and escape sequences or markup smuggled in through rule data, saves or file names.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_play import script

from summitgame.cli import cli
from summitgame.engine import new_game
from summitgame.play import Session, make_seats
from summitgame.play.replay import step_through
from summitgame.play.terminal import SafeConsole
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset, compile_ruleset
from summitgame.runs.records import save_record

SHORT = ("--set", "rounds.count=3")
SEED = 987654321987  # long enough that it cannot appear by chance


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUMMITGAME_DATA", "summit-games")  # games go to ./summit-games in this folder
    return tmp_path


def play(*args: str, lines: list[str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["play", *args], input="".join(line + "\n" for line in lines or []))


def short_rules() -> Ruleset:
    return load_rules(None, ["rounds.count=3"])


# --- the seed ------------------------------------------------------------------------------------------


def test_no_seed_on_the_screen_or_in_file_names_until_the_game_is_over() -> None:
    lines, _ = script(short_rules(), seed=SEED, stop_after=6)
    result = play("--seed", str(SEED), *SHORT, lines=[*lines, "save", "quit", "y", ""])
    assert result.exit_code == 0, result.output
    assert str(SEED) not in result.output and "seed" not in result.output.lower()
    names = [p.name for p in Path("summit-games").iterdir()]
    assert names and not any(str(SEED) in n or "seed" in n for n in names)
    assert all(re.fullmatch(r"(save|autosave|game|journal)-\d{8}-\d{6}-[0-9a-f]{6}\.jsonl?", n) for n in names)


def test_the_end_screen_shows_the_seed() -> None:
    lines, _ = script(short_rules(), seed=SEED)
    result = play("--seed", str(SEED), *SHORT, lines=lines)
    assert result.exit_code == 0, result.output
    before, _, after = result.output.partition("The summit is over")
    assert str(SEED) not in before
    assert f"seed {SEED}" in after


def test_a_new_game_draws_a_64_bit_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []

    def randbits(k: int) -> int:
        drawn.append(k)
        return 2**63 + 12345

    monkeypatch.setattr(secrets, "randbits", randbits)
    result = play(*SHORT, lines=["", "give syria 1"])
    assert result.exit_code == 0, result.output
    assert drawn == [64]
    (save,) = Path("summit-games").glob("autosave-*.json")
    assert json.loads(save.read_text())["seed"] == 2**63 + 12345


def test_replay_hides_the_seed_of_an_unfinished_game() -> None:
    play("--seed", str(SEED), *SHORT, lines=["", "give syria 1", "save s.json", "quit", "n"])
    result = CliRunner().invoke(cli, ["replay", "s.json", *SHORT, "--no-wait"])
    assert result.exit_code == 0, result.output
    assert str(SEED) not in result.output and "seed hidden until the game is over" in result.output


# --- escape sequences and markup from data -------------------------------------------------------------

ESC = "\x1b[2J"
MARKUP = "[/]"  # would be read as a closing tag, and raise, if it were taken as rich markup


def hostile_rules() -> Ruleset:
    """The short rules with an escape sequence and a stray markup tag in every name a screen shows:
    built here directly, since the loader is meant to refuse such names."""
    rules = short_rules()
    spec = rules.spec

    def renamed(models: dict[str, Any], **fields: str) -> dict[str, Any]:
        return {
            k: m.model_copy(update={f: (getattr(m, f) or "") + extra for f, extra in fields.items()})
            for k, m in models.items()
        }

    spec = spec.model_copy(
        update={
            "name": f"Summit{ESC}{MARKUP}",
            "roles": renamed(spec.roles, name=ESC),
            "tracks": renamed(spec.tracks, name=ESC + MARKUP, short=ESC),
            "meters": renamed(spec.meters, name=ESC),
            "tiers": renamed(spec.tiers, name=ESC),
        }
    )
    decks = []
    for deck in (rules.events_deck, rules.gestures_deck, rules.agendas_deck):
        cards = [c.model_copy(update={"name": c.name + ESC + MARKUP, "flavor": c.flavor + ESC}) for c in deck.cards]
        decks.append(deck.model_copy(update={"cards": cards}))
    return compile_ruleset(spec, *decks)  # type: ignore[arg-type]


def test_play_and_replay_show_hostile_names_escaped() -> None:
    rules = hostile_rules()
    assert ESC in rules.role_names[0]
    lines, final = script(rules, seed=11)
    feed = iter([*lines[:4], "help", "hand", "log", "board", "rules", *lines[4:]])
    out = io.StringIO()
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        line = next(feed, None)
        if line is None:
            raise EOFError
        return line

    session = Session(
        rules, make_seats(rules, {}, 11), [new_game(rules, 11)], ask=ask, console=SafeConsole(file=out, width=80)
    )
    session.run()
    assert session.state.key() == final.key()
    text = out.getvalue()
    assert "\x1b" not in text
    assert text.count("\\x1b[2J") >= 56  # every name was shown, escaped
    assert MARKUP in text
    save_record(final, "game.json")
    out = io.StringIO()
    step_through(Path("game.json"), rules, console=SafeConsole(file=out, width=80), ask=None)
    text = out.getvalue()
    assert "\x1b" not in text and "\\x1b[2J" in text and "The summit is over" in text


def test_a_save_with_escapes_in_its_fields_prints_none() -> None:
    play("--seed", "11", *SHORT, lines=["", "give syria 1", "save s.json", "quit", "n"])
    doc = json.loads(Path("s.json").read_text())
    doc["rules_options"] = ["--set", f"rounds.count=3{ESC}"]
    Path("t.json").write_text(json.dumps(doc))
    result = play("--load", "t.json")  # other rules: the message repeats the save's options
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\\x1b[2J" in result.stderr
    result = CliRunner().invoke(cli, ["replay", "t.json", "--verify"])
    assert result.exit_code == 1 and "\x1b" not in result.stderr
    doc["seats"] = {"moscow": f"random{ESC}"}
    Path("u.json").write_text(json.dumps(doc))
    result = play("--load", "u.json", *SHORT)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\\x1b[2J" in result.stderr


def test_file_names_are_printed_escaped() -> None:
    name = f"out{ESC}.json"
    lines, _ = script(short_rules(), seed=11)
    result = play("--seed", "11", *SHORT, "--record", name, lines=lines)
    assert result.exit_code == 0, result.output
    assert Path(name).exists()
    assert "\x1b" not in result.output and "out\\x1b[2J.json" in result.output
    result = play("--load", f"missing{ESC}.json")
    assert result.exit_code == 1 and "\x1b" not in result.stderr


def test_typed_control_characters_never_reach_the_game() -> None:
    lines = ["", f"give{ESC} syria", "give\x07 syria\t1", "save s.json", "quit", "n"]
    result = play("--seed", "11", *SHORT, lines=lines)
    assert result.exit_code == 0, result.output
    assert result.output.count("\x1b") == 1  # CliRunner's echo of what was typed; nothing the game printed
    assert "no track called '[2j_syria'" in result.output
    assert json.loads(Path("s.json").read_text())["actions"] == ["give syria 1"]
