"""Where games are kept: the user's data folder (or $SUMMITGAME_DATA), never the current directory;
``--record`` still names the record's file, and every path written is printed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from summitgame.cli import cli
from summitgame.play import data_dir
from summitgame.play.saves import default_path

ONE_BOT = ("--player", "moscow=random", "--seed", "3")
BOTS = ("--player", "washington=random", "--player", "moscow=random", "--seed", "3", "--set", "rounds.count=2")


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder play is started from; it must stay empty."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def flat(text: str) -> str:
    """Text with wrapping undone (a wide terminal keeps long paths on one line)."""
    return " ".join(text.split())


def test_the_environment_variable_names_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMITGAME_DATA", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    assert default_path("save").parent == tmp_path / "mine"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SUMMITGAME_DATA", "~/games")
    assert data_dir() == tmp_path / "games"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG data folder is Linux's")
def test_without_it_games_go_to_the_users_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMITGAME_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "summitgame" / "games"


def test_a_finished_game_is_recorded_in_the_data_folder_not_here(
    cwd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    games = tmp_path / "games"
    monkeypatch.setenv("SUMMITGAME_DATA", str(games))
    result = CliRunner(env={"COLUMNS": "400"}).invoke(cli, ["play", *BOTS])
    assert result.exit_code == 0, result.output
    assert list(cwd.iterdir()) == []
    (record,) = games.glob("game-*.json")
    out = flat(result.output)
    assert f"Saves and the game's record go to {games}" in out
    assert f"Game record saved to {record}" in out
    assert not list(games.glob("journal-*"))  # the journal was there while the game went on, then removed


def test_record_still_wins(cwd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    games = tmp_path / "games"
    monkeypatch.setenv("SUMMITGAME_DATA", str(games))
    result = CliRunner(env={"COLUMNS": "400"}).invoke(cli, ["play", *BOTS, "--record", "here.json"])
    assert result.exit_code == 0, result.output
    assert (cwd / "here.json").is_file()
    assert not list(games.glob("game-*.json"))
    assert "The game's record will be written to here.json" in flat(result.output)


def test_an_autosave_and_its_journal_go_to_the_data_folder(
    cwd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    games = tmp_path / "games"
    monkeypatch.setenv("SUMMITGAME_DATA", str(games))
    result = CliRunner(env={"COLUMNS": "400"}).invoke(
        cli, ["play", "--player", "moscow=random", "--seed", "3"], input=""
    )
    assert result.exit_code == 0, result.output
    assert list(cwd.iterdir()) == []
    (save,) = games.glob("autosave-*.json")
    assert f"The game was saved to {save}" in flat(result.output)
    # a new game offers to resume a journal left in the data folder
    (games / "journal-left.jsonl").write_text(
        '{"format":"summitgame-journal","version":1,"seed":3,"rules":{},"seats":{},"rules_options":[]}\n'
    )
    again = CliRunner(env={"COLUMNS": "400"}).invoke(
        cli, ["play", "--player", "moscow=random", "--seed", "3"], input=""
    )
    assert f"An unfinished game was left in {games / 'journal-left.jsonl'}" in flat(again.output)
