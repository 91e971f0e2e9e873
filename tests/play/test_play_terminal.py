"""The hot seat's terminal: the hand-over refuses a screen it cannot clear, the line editor survives any
keys (it used to crash or stop answering Ctrl-C), Ctrl-C always interrupts, and what is printed or typed
carries no escape sequences. Pseudo-terminal tests drive ``python -m summitgame play`` with pexpect.
"""

from __future__ import annotations

import io
import os
import random
import sys
import textwrap
import time
from pathlib import Path

import pexpect
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from summitgame.play.terminal import LineReader, SafeConsole, clean_line, hot_seat_problem

SRC = str(Path(__file__).resolve().parents[2] / "src")
PROMPT = r"(Washington|Moscow)> "
BOT_GAME = ("--seed", "11", "--set", "rounds.count=2", "--delay", "0", "--player", "moscow=random")


def env_for(term: str) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "LINES": "24", "TERM": term, "PYTHONPATH": SRC}
    env["SUMMITGAME_DATA"] = "summit-games"  # games go to ./summit-games in the test's folder
    env.pop("PAGER", None)
    env.pop("INPUTRC", None)
    return env


def spawn(tmp_path: Path, *args: str, term: str = "xterm") -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "summitgame", "play", *args],
        cwd=str(tmp_path),
        env=env_for(term),
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 80),
    )


def finish(child: pexpect.spawn) -> pexpect.spawn:
    child.expect(pexpect.EOF)
    child.close()
    return child


# --- the hand-over on a terminal that cannot clear ---------------------------------------------------------


def test_two_players_on_a_dumb_terminal_are_refused_with_the_reason(tmp_path: Path) -> None:
    """rich draws plain text on TERM=dumb and cannot clear it: the hand-over would leave a hand on screen."""
    child = finish(spawn(tmp_path, "--seed", "3", term="dumb"))
    assert child.exitstatus == 1
    out = child.before
    assert "two players cannot share this screen" in out
    assert "TERM=dumb" in out and "--player ROLE=AGENT" in out
    assert "Traceback" not in out and "Pass to" not in out and "secret agenda" not in out
    assert not (tmp_path / "summit-games").exists() or not list((tmp_path / "summit-games").iterdir())


def test_a_dumb_terminal_still_plays_against_a_bot(tmp_path: Path) -> None:
    """Against a bot there is no hand-over, so nothing needs clearing."""
    child = spawn(tmp_path, *BOT_GAME, term="dumb")
    child.expect(PROMPT)
    assert "Your secret agenda" in child.before
    child.sendintr()
    child.expect("Interrupted.")
    assert finish(child).exitstatus == 130


def test_two_players_play_in_the_alternate_screen(tmp_path: Path) -> None:
    """The alternate screen keeps no scrollback: no board can be scrolled back to, even on a terminal that
    ignores the scrollback erase. The intro comes before it, and every message on leaving after it."""
    child = spawn(tmp_path, "--seed", "3")
    child.expect(r"\[Enter\] ")
    intro, _, rest = child.before.partition("\x1b[?1049h")
    assert "Every move is kept in" in intro and "Pass to" in rest
    child.sendline("")
    child.expect(PROMPT)
    child.sendintr()
    child.expect("Interrupted.")
    assert "\x1b[?1049l" in child.before  # left before saying so
    child.expect("saved to")
    assert finish(child).exitstatus == 130


@pytest.mark.parametrize(
    ("stdin_tty", "stdout_tty", "plain", "term", "can_clear", "refused"),
    [
        (False, False, True, "dumb", None, False),  # a script or a test: no shared screen
        (True, True, False, "xterm-256color", True, False),
        (True, True, False, "nosuchterm", None, False),  # terminfo does not know it: rich's ANSI clear is trusted
        (True, True, True, "dumb", False, True),
        (True, True, False, "", None, True),
        (True, True, True, "xterm", True, True),  # rich would draw plainly (TTY_COMPATIBLE=0): no clear
        (True, True, False, "vt100", False, True),  # no alternate screen, no scrollback erase
        (True, False, True, "xterm", True, True),  # a person types but the output goes elsewhere (| tee)
        (False, True, True, "dumb", False, True),  # piped input, but the screen is shared
    ],
)
def test_hot_seat_problem(
    stdin_tty: bool, stdout_tty: bool, plain: bool, term: str, can_clear: bool | None, refused: bool
) -> None:
    problem = hot_seat_problem(
        stdin_tty=stdin_tty, stdout_tty=stdout_tty, console_plain=plain, term=term, can_clear=can_clear
    )
    assert (problem is not None) == refused
    if problem is not None:
        assert "cannot be cleared" in problem


# --- the line editor ------------------------------------------------------------------------------------

CRASH = "\x07\x12\x18\x0b\x06\x00\x17\x01\x18\x08\x18\x14\x07\x7f\x1e\x19\x16\x01\x10\x08\x0f\x05\x08\x18\x1d\x12\x1bx"
"""Control keys that made GNU readline crash with SIGSEGV in Python's callback loop (5 of 5 runs before)."""


def test_a_burst_of_control_keys_does_not_crash_the_line_editor(tmp_path: Path) -> None:
    child = spawn(tmp_path, *BOT_GAME)
    child.expect(PROMPT)
    child.send(CRASH)
    child.send("\x1b[2J")
    time.sleep(0.3)  # let the editor take the burst in (a Ctrl-C inside a half-read escape sequence is its own test)
    child.sendintr()
    child.expect("Interrupted.")
    child = finish(child)
    assert child.signalstatus is None
    assert child.exitstatus == 130


@pytest.mark.parametrize(
    "keys",
    [
        "\x18(ab\rcd\r\x18)\x18e",  # a keyboard macro holding newlines: readline blocked, deaf to Ctrl-C
        "\x1b[200~x",  # a bracketed paste that never ends
        *(
            pytest.param(keys, marks=pytest.mark.slow)
            for keys in (
                "\x1b]0;x\x07",  # Escape ]: a character search waiting for its character
                "\x12ab",  # incremental search
                "\x16",  # quoted insert
            )
        ),
    ],
)
def test_no_key_leaves_the_editor_deaf_to_ctrl_c(tmp_path: Path, keys: str) -> None:
    child = spawn(tmp_path, *BOT_GAME)
    child.expect(PROMPT)
    child.send(keys)
    if "\r" in keys:
        child.expect(PROMPT)
    time.sleep(0.3)  # let the editor take the keys in
    child.sendintr()
    child.expect("Interrupted.", timeout=5)
    child = finish(child)
    assert (child.exitstatus, child.signalstatus) == (130, None)


def bursts(seed: int, n: int) -> list[str]:
    """Random bursts of control keys and escape sequences: all but Ctrl-C, D, Z and \\ (which end or stop the
    game), Enter, and Ctrl-S and Q (the terminal's own flow control: Ctrl-S freezes its output until Ctrl-Q)."""
    rng = random.Random(seed)
    keys = [chr(c) for c in [*range(32), 127] if chr(c) not in "\x03\x04\x1a\x1c\r\n\x11\x13"]
    escapes = ["\x1b[2J", "\x1b[200~", "\x1b[201~", "\x1bO", "\x1b[A", "\x1b[1;5C", "\x1b]0;x\x07", "\x1b", "\x1bx"]
    return ["".join(rng.choice(keys) for _ in range(rng.randint(1, 30))) + rng.choice(escapes) for _ in range(n)]


def typed_bursts(tmp_path: Path, seed: int, n: int) -> None:
    """Each burst, then a letter (which ends any Escape sequence left open) and Enter: the game answers and
    prompts again; at the end Ctrl-C leaves cleanly."""
    child = spawn(tmp_path, *BOT_GAME)
    child.expect(PROMPT)
    for burst in bursts(seed, n):
        child.send(burst)
        child.send("x\r")
        child.expect(PROMPT, timeout=10)
    child.sendintr()
    child.expect("Interrupted.", timeout=10)
    child = finish(child)
    assert (child.exitstatus, child.signalstatus) == (130, None)
    assert "\x1b[2J" not in child.before  # the typed escape was not echoed raw


@pytest.mark.slow  # a soak: many random key bursts through a pty
def test_random_bursts_of_keys_never_crash_or_hang(tmp_path: Path) -> None:
    typed_bursts(tmp_path, seed=7, n=25)


@pytest.mark.slow
def test_random_bursts_of_keys_soak(tmp_path: Path) -> None:
    for seed in range(5):
        typed_bursts(tmp_path, seed=100 + seed, n=100)


# --- Ctrl-C right after the prompt ------------------------------------------------------------------

LOOP = textwrap.dedent(
    """
    import sys
    from summitgame.play.terminal import LineReader
    read = LineReader(use_readline=True)
    for i in range(int(sys.argv[1])):
        try:
            read(f"p{i}> ")
        except KeyboardInterrupt:
            print(f"caught {i}", flush=True)
    """
)


def test_ctrl_c_right_after_the_prompt_always_interrupts(tmp_path: Path) -> None:
    """Ctrl-C sent the moment each prompt appears, 60 times: every one interrupts at once."""
    n = 60
    child = pexpect.spawn(
        sys.executable, ["-c", LOOP, str(n)], env=env_for("xterm"), encoding="utf-8", timeout=5, cwd=str(tmp_path)
    )
    for i in range(n):
        child.expect(f"p{i}> ")
        child.sendintr()
        child.expect(f"caught {i}")  # before the fix, 7 of 39 waited here for Enter
    finish(child)


PENDING = textwrap.dedent(
    """
    import signal, sys, threading, time
    from summitgame.play.terminal import LineReader

    def trip():
        time.sleep(0.5)  # the main thread is waiting in the line editor by now
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)  # handled here: the main thread is not woken

    threading.Thread(target=trip).start()
    t0 = time.monotonic()
    try:
        LineReader(use_readline=sys.stdin.isatty())("> ")
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - t0:.1f} s", flush=True)
    """
)


def test_a_ctrl_c_that_arrived_before_the_wait_is_not_left_pending(tmp_path: Path) -> None:
    """The race behind 'Ctrl-C ignored until Enter': Python has noted the SIGINT, but the line editor's
    wait was never interrupted. The reader's timer wakes the wait, so the interrupt is raised."""
    child = pexpect.spawn(
        sys.executable, ["-c", PENDING], env=env_for("xterm"), encoding="utf-8", timeout=10, cwd=str(tmp_path)
    )
    child.expect("interrupted after")  # before the fix: waits for input until the timeout
    finish(child)


# --- what is typed and printed ----------------------------------------------------------------------


@given(st.text())
def test_clean_line_leaves_no_control_character(text: str) -> None:
    cleaned = clean_line(text)
    assert len(cleaned) == len(text)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in cleaned)
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in cleaned)


def test_the_reader_cleans_the_prompt_and_the_line() -> None:
    prompts: list[str] = []

    def fake_input(prompt: str) -> str:
        prompts.append(prompt)
        return "give\x1b[2J arms\t1\x07"

    line = LineReader(fake_input)("Wash\x1b[31mington> ")
    assert "\x1b" not in prompts[0] and "\\x1b" in prompts[0]
    assert line.split() == ["give", "[2J", "arms", "1"]


def test_safe_console_prints_data_without_escapes_or_markup() -> None:
    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=True, width=80)
    evil = "Wash\x1b[2Jington [bold]x[/] \u202e"
    table = Table()
    table.add_column(evil)
    table.add_row(evil, Text(evil))
    console.print(evil)
    console.print(Text(evil, style="red"))
    console.print(Panel(Text(evil), title=Text(evil)))
    console.print(table)
    text = out.getvalue()
    assert "\x1b[2J" not in text and "\u202e" not in text
    assert text.count("\\x1b[2J") == 6
    assert "[bold]x[/]" in text  # shown as typed, not read as markup
    assert "\x1b[" in text  # rich's own styling still reaches the terminal
