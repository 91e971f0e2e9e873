"""A person against an external program (``cmd:``) in ``play``, through a real pseudo-terminal, and a program as
the target of ``exploit``.

The pty test is the issue's use case end to end: ``summitgame play --player moscow='cmd:...'``, moves typed at
the prompt while the program answers, the game killed with SIGKILL mid-way (the program dies with it), then
resumed with the very command the start screen printed, which must name the program again (a save never
starts one), and played to its end screen. The program is the reference bot behind a two-line wrapper that
records its pid, so the test can tell that no program outlives its game."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from summitgame.cli import cli

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "examples" / "bots" / "dealmaker.py"
SHORT = ("--set", "rounds.count=4")
PROMPT = r"Washington> "
END = r"Summit outcome"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="cmd: bots need a Unix-like system")


def wrapped_bot(tmp_path: Path) -> str:
    """A spec running the reference bot through a wrapper that appends its pid to bot.pids first."""
    wrapper = tmp_path / "bot.py"
    wrapper.write_text(
        "import os, sys\n"
        f"open({str(tmp_path / 'bot.pids')!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
        f"os.execv(sys.executable, [sys.executable, {str(REFERENCE)!r}])\n"
    )
    return f"cmd:{shlex.join([sys.executable, str(wrapper)])}"


def bot_pids(tmp_path: Path) -> list[int]:
    path = tmp_path / "bot.pids"
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def gone(pid: int, within: float = 10.0) -> bool:
    """Whether the process has ended (a zombie counts as ended), allowing the kernel ``within`` seconds."""
    end = time.monotonic() + within
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.05)


def spawn(tmp_path: Path, args: list[str]) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "LINES": "40", "TERM": "xterm"}
    env["SUMMITGAME_DATA"] = str(tmp_path / "games")
    env["SUMMITGAME_BOT_LOGS"] = str(tmp_path / "bot-logs")
    env.pop("PAGER", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "summitgame", *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )


def screen_text(raw: str) -> str:
    """What the terminal showed as plain words: no escape codes, no panel borders, wrapped lines joined."""
    lines = [ANSI.sub("", line).strip().strip("│").strip() for line in raw.splitlines()]
    return " ".join(line for line in lines if line)


@pytest.mark.slow
def test_a_person_plays_a_program_at_a_terminal_and_resumes_with_the_printed_command(tmp_path: Path) -> None:
    spec = wrapped_bot(tmp_path)
    child = spawn(tmp_path, ["play", "--player", f"moscow={spec}", "--seed", "3", "--delay", "0", *SHORT])
    child.expect(PROMPT)
    start = screen_text(child.before)
    assert "Moscow (cmd:" in start
    journal = next((tmp_path / "games").glob("journal-*.jsonl"))
    command = ["summitgame", "play", "--load", str(journal), *SHORT, "--player", f"moscow={spec}"]
    printed = re.search(r"resume with: (summitgame play --load .*?) ╰", start)
    assert printed, start
    assert "".join(printed.group(1).split()) == "".join(shlex.join(command).split())  # the terminal wraps it anywhere
    child.sendline("give arms 1")  # a move typed as notation
    child.expect(PROMPT)
    for _ in range(20):  # then the first choice, until the program has had a decision to make
        if bot_pids(tmp_path):
            break
        child.sendline("1")
        assert child.expect([PROMPT, END]) == 0, "the game ended before the program played"
    assert "forfeits" not in child.before
    first = bot_pids(tmp_path)
    assert len(first) == 1
    child.kill(signal.SIGKILL)  # a power cut: the program must not outlive the game
    child.close()
    assert gone(first[0])
    assert journal.exists()

    again = spawn(tmp_path, [*command[1:], "--delay", "0"])
    for _ in range(400):
        if again.expect([PROMPT, END]) == 1:
            break
        again.sendline("1")
    else:
        pytest.fail("the resumed game did not end")
    again.expect(pexpect.EOF)
    again.close()
    tail = screen_text(again.before)
    assert again.exitstatus == 0, tail
    assert "forfeit" not in tail and "Game record saved" in tail
    record = json.loads(next((tmp_path / "games").glob("game-*.json")).read_text())
    assert record["seats"] == {"washington": "human", "moscow": spec}
    assert len(bot_pids(tmp_path)) == 2 and all(gone(pid) for pid in bot_pids(tmp_path))
    assert not list((tmp_path / "games").glob("journal-*.jsonl"))  # the finished game's journal is removed


def test_an_unfinished_game_against_a_program_says_the_program_must_be_named_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list of unfinished games is read from files, so its hint does not name the program (data never
    starts one) but says that the player must."""
    monkeypatch.setenv("SUMMITGAME_DATA", str(tmp_path / "games"))
    monkeypatch.setenv("SUMMITGAME_BOT_LOGS", str(tmp_path / "bot-logs"))
    spec = wrapped_bot(tmp_path)
    first = CliRunner().invoke(cli, ["play", "--player", f"moscow={spec}", "--seed", "3", *SHORT], input="1\n")
    assert first.exit_code == 0, first.output  # end of input: autosaved, journal removed
    saved = next((tmp_path / "games").glob("autosave-*.json"))
    hint = "".join(first.output.split()).split("Resumewith:")[-1]  # the terminal wraps it anywhere
    want = shlex.join(["summitgame", "play", "--load", str(saved), *SHORT, "--player", f"moscow={spec}"])
    assert hint == "".join(want.split())
    # leave a journal behind, as a killed game does
    child = spawn(tmp_path, ["play", "--player", f"moscow={spec}", "--seed", "4", "--delay", "0", *SHORT])
    child.expect(PROMPT)
    child.kill(signal.SIGKILL)
    child.close()
    second = CliRunner().invoke(cli, ["play", "--player", "moscow=random", "--seed", "5", *SHORT], input="quit\nn\n")
    text = " ".join(second.output.split())
    assert "An unfinished game was left in" in text
    assert "--player moscow=cmd:PROGRAM" in text and spec not in text


@pytest.mark.slow
def test_a_program_is_a_target_of_exploit_and_the_printed_match_command_runs_it(tmp_path: Path) -> None:
    """``exploit 'cmd:...'``: the search plays the program (one process per game, none left), the report's
    "play it" command is a shell command that names the program and the rules as given (it was hand-quoted,
    and broke on a quote or a space in the program's command, and left out --set), and --resume reads the
    stored candidates back to the same report."""
    folder = tmp_path / "my bots"
    folder.mkdir()
    spec = wrapped_bot(folder)
    args = ["exploit", spec, "--budget", "2", "--games", "2", "--fresh-games", "2", "--mcts-iterations", "0"]
    args += ["--set", "rounds.count=3", "--out", str(tmp_path / "out"), "--json"]
    env = {"SUMMITGAME_BOT_LOGS": str(tmp_path / "bot-logs")}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["targets"] == [spec]
    assert doc["example"]["tier"] is not None and spec in doc["example"]["seats"].values()  # played out, no forfeit
    best = doc["best"]
    assert shlex.split(best["match"]) == ["summitgame", "match", best["spec"], spec, "--set", "rounds.count=3"]
    played = bot_pids(folder)
    assert played and all(gone(pid) for pid in played)
    again = CliRunner().invoke(cli, [*args, "--resume"], env=env)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["best"] == best
    assert len(bot_pids(folder)) > len(played)  # the fresh-deal and context games are played again
