"""The bot options of the commands that play many games arrive as one ``Bots`` value, and say the same in --help."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import click
from click.testing import CliRunner

from summitgame.cli.common import Bots, bot_options, bot_run_options
from summitgame.runs.options import RunOptions


def _command(decorator: Callable[[Any], Any]) -> tuple[click.Command, list[Bots[Any]]]:
    seen: list[Bots[Any]] = []

    @click.command()
    @decorator
    @click.option("--json", "as_json", is_flag=True)
    def cmd(bots: Bots[Any], as_json: bool) -> None:
        """A command that plays bots."""
        seen.append(bots)

    return cmd, seen


def test_the_five_options_arrive_as_one_value() -> None:
    cmd, seen = _command(bot_options)
    args = [
        "-s",
        "7",
        "-w",
        "3",
        "--move-timeout",
        "1.5",
        "--scheduler",
        "tcp://h:1",
        "--agent",
        "m:A",
        "--agent",
        "n:B",
    ]
    result = CliRunner().invoke(cmd, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert seen == [Bots(7, RunOptions(3, 1.5, "tcp://h:1"), ("m:A", "n:B"))]


def test_by_default_the_games_run_here_and_a_run_seed_may_be_left_to_chance() -> None:
    cmd, seen = _command(bot_run_options)
    assert CliRunner().invoke(cmd, []).exit_code == 0
    assert seen == [Bots(None, RunOptions(), ())]


def test_help_lists_the_options_in_the_order_they_always_had() -> None:
    cmd, _ = _command(bot_options)
    text = CliRunner().invoke(cmd, ["--help"]).output
    flags = ["--seed", "--workers", "--scheduler", "--move-timeout", "--agent", "--json"]
    places = [re.search(rf"^  (-\w, )?{f}\b", text, re.MULTILINE) for f in flags]
    starts = [m.start() for m in places if m is not None]
    assert len(starts) == len(flags) and starts == sorted(starts)
    assert "A command that plays bots." in text


def test_without_a_scheduler_the_opened_options_are_the_same_value() -> None:
    bots = Bots(0, RunOptions(2, None))
    assert bots.opened() is bots.run
