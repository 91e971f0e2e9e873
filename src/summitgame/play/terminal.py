"""What the hot seat needs from a terminal: printing data safely, clearing the screen, reading a line.

**Printing.** Rule data and saves are not trusted: a role or card name may hold an escape sequence or
rich markup. ``SafeConsole`` shows every control character in text as a visible escape (``\\x1b``)
and never reads text as markup; only rich's own styling and screen control reach the terminal.

**Clearing.** A hand-over between two humans must leave nothing of one side's secrets on the screen.
``hot_seat_problem`` says why a terminal cannot promise that (``TERM=dumb``, a terminal whose terminfo
entry has no way to clear, output that is not a terminal while a person types), so ``play`` refuses
a two-human game there instead of showing one side's hand to the other.

**Reading a line.** GNU readline, driven through Python's callback interface, can crash (SIGSEGV) or
stop answering Ctrl-C on some key sequences (incremental search, keyboard macros, quoted insert,
bracketed paste, a burst of control characters). ``LineReader`` therefore binds every control key
itself: a small set of editing keys keeps its usual meaning and every other control key (and
Meta/Escape key) just inserts itself, to be blanked out of the line afterwards; the user's
``~/.inputrc`` is not read; history holds only cleaned lines; the prompt holds no escapes. While it
waits, a 0.1 s interval timer wakes the wait so that a Ctrl-C that arrived just before it is never
left pending until Enter. Given a ``complete.Completer``, Tab completes the words it offers (the moves
and commands valid now); without one, Tab is an ordinary key.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from ..safeio import printable
from .complete import Completer

__all__ = ["LineReader", "SafeConsole", "clean_line", "hot_seat_problem", "terminfo_can_clear"]

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class SafeConsole(Console):
    """A rich Console for untrusted text: no markup, no emoji codes, control characters shown escaped."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        super().__init__(**kwargs)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        """Rich's segments, with the text of each (not its styles or control codes) made printable."""
        for seg in super().render(renderable, options):
            if seg.control is None and _UNSAFE.search(seg.text):
                yield Segment(printable(seg.text, keep_newlines=True), seg.style)
            else:
                yield seg


def clean_line(text: str) -> str:
    """A typed line with every control character (and bidi override) turned into a space."""
    return _UNSAFE.sub(" ", text).replace("\t", " ").replace("\n", " ")


# --- clearing the screen ----------------------------------------------------------------------------


def terminfo_can_clear(term: str, fd: int) -> bool | None:
    """Whether terminfo says ``term`` can clear its screen and keep nothing behind (an alternate
    screen or a scrollback erase); None if terminfo does not know ``term`` (or is not available)."""
    try:
        import curses
    except ImportError:  # pragma: no cover - Windows: no terminfo
        return None
    try:
        curses.setupterm(term, fd)
    except curses.error:
        return None
    clear = curses.tigetstr("clear")
    return bool(clear) and bool(curses.tigetstr("smcup") or curses.tigetstr("E3"))


def hot_seat_problem(
    *, stdin_tty: bool, stdout_tty: bool, console_plain: bool, term: str, can_clear: bool | None
) -> str | None:
    """Why two humans cannot share this terminal safely (the hand-over could not clear it), or None.

    Off a terminal altogether (both input and output redirected: a script, a test) there is no
    shared screen and nothing to clear. ``can_clear`` is terminfo's answer (None: it does not know
    the terminal, which is then trusted to understand the ANSI clear that rich sends)."""
    if not stdin_tty and not stdout_tty:
        return None
    what = "cannot be cleared between the two players' turns, so one side's agenda and hand would stay in view"
    if not stdout_tty:
        return f"the output is not a terminal, so it {what}"
    shown = printable(term) if term else "unset"
    if term.lower() in ("", "dumb", "unknown") or console_plain or can_clear is False:
        return f"this terminal (TERM={shown}) {what}"
    return None


# --- reading a line ---------------------------------------------------------------------------------

#: The editing keys a player keeps (readline key sequence -> function); every other control key inserts
#: itself and is blanked out of the line.
EDIT_KEYS: dict[str, str] = {
    r"\C-a": "beginning-of-line",
    r"\C-e": "end-of-line",
    r"\C-b": "backward-char",
    r"\C-f": "forward-char",
    r"\C-h": "backward-delete-char",
    r"\C-?": "backward-delete-char",
    r"\C-d": "delete-char",
    r"\C-k": "kill-line",
    r"\C-u": "unix-line-discard",
    r"\C-w": "unix-word-rubout",
    r"\C-p": "previous-history",
    r"\C-n": "next-history",
    r"\C-j": "accept-line",
    r"\C-m": "accept-line",
}
#: Arrow, Home, End and Delete keys (as xterm-like terminals send them).
ARROW_KEYS: dict[str, str] = {
    r"\e[A": "previous-history",
    r"\e[B": "next-history",
    r"\e[C": "forward-char",
    r"\e[D": "backward-char",
    r"\e[H": "beginning-of-line",
    r"\e[F": "end-of-line",
    r"\e[1~": "beginning-of-line",
    r"\e[4~": "end-of-line",
    r"\e[3~": "delete-char",
    r"\eOA": "previous-history",
    r"\eOB": "next-history",
    r"\eOC": "forward-char",
    r"\eOD": "backward-char",
    r"\eOH": "beginning-of-line",
    r"\eOF": "end-of-line",
}


#: Tab, when there is something to complete.
COMPLETE_KEY = r"\C-i"


def readline_bindings(complete: bool = False) -> list[str]:
    """The readline init lines that leave only plain editing keys live (see the module docstring), and,
    with ``complete``, Tab to complete (listing every choice at once, with no pager and no question)."""
    lines = [
        "set editing-mode emacs",
        "set keymap emacs",
        "set enable-bracketed-paste off",
        f"set disable-completion {'off' if complete else 'on'}",
        "set enable-keypad off",
    ]
    if complete:
        lines += [
            "set show-all-if-ambiguous on",
            "set completion-ignore-case on",
            "set completion-query-items 0",
            "set page-completions off",
        ]
    for c in [*range(32), 127]:
        if c == 27:  # Escape stays a prefix: the arrow keys need it
            continue
        key = r"\C-?" if c == 127 else r"\C-@" if c == 0 else f"\\C-{chr(c + 96)}" if c < 27 else f"\\{c:03o}"
        if key not in EDIT_KEYS and not (complete and key == COMPLETE_KEY):
            lines.append(f'"{key}": self-insert')
    for c in range(128):  # Escape (Meta) or Ctrl-X + any key: inserted, except the prefixes of arrow keys
        ch = chr(c)
        key = r"\C-@" if c == 0 else f"\\{c:03o}" if c < 32 or c == 127 or ch in "\\\"'" else ch
        if ch not in "[O":
            lines.append(f'"\\e{key}": self-insert')
        lines.append(f'"\\C-x{key}": self-insert')
    for keymap in (EDIT_KEYS, ARROW_KEYS):
        lines += [f'"{key}": {func}' for key, func in keymap.items()]
    lines.append(r'"\e[200~": self-insert')  # a bracketed paste would read until its end marker
    lines.append(r'"\e[2~": self-insert')  # overwrite mode
    if complete:
        lines.append(f'"{COMPLETE_KEY}": complete')
    return lines


def _tick(signum: int, frame: FrameType | None) -> None:
    """SIGALRM while waiting for a line: nothing to do; waking the wait is the point."""


@contextlib.contextmanager
def interruptible(interval: float = 0.1) -> Iterator[None]:
    """Wake a blocking read every ``interval`` seconds, so Python runs a pending Ctrl-C handler.

    Python's readline loop checks for signals only when its ``select`` is interrupted; a SIGINT that
    arrives after the prompt is drawn but before ``select`` starts would wait for the next key. The
    timer's SIGALRM interrupts ``select`` (never restarted), but, with SA_RESTART, not reads and writes."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _tick)
    signal.siginterrupt(signal.SIGALRM, False)
    signal.setitimer(signal.ITIMER_REAL, interval, interval)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


class LineReader:
    """Reads a line with a prompt: cleaned input, promptly interrupted; at a terminal, readline editing
    with safe key bindings and a history of cleaned lines.

    ``read`` shows the prompt and reads (``input``; the CLI passes click's, which tests can script).
    Raises EOFError at end of input and KeyboardInterrupt on Ctrl-C (promptly, see ``interruptible``).
    With readline, a ``completer`` makes Tab complete what it offers."""

    def __init__(
        self, read: Callable[[str], str] = input, *, use_readline: bool = False, completer: Completer | None = None
    ) -> None:
        self.read = read
        self.readline: Any = _load_readline(completer) if use_readline else None

    def __call__(self, prompt: str) -> str:
        with interruptible():
            line = self.read(printable(prompt))
        text = clean_line(line)
        rl = self.readline
        if rl is not None:
            entry = text.strip()
            n = rl.get_current_history_length()
            if entry and (n == 0 or rl.get_history_item(n) != entry):
                rl.add_history(entry)
        return text


def _load_readline(completer: Completer | None = None) -> Any:
    """The readline module set up as ``readline_bindings`` says (completing with ``completer``), or None
    where there is none."""
    saved = os.environ.get("INPUTRC")
    os.environ["INPUTRC"] = os.devnull  # the user's ~/.inputrc may bind keys to macros that crash readline
    try:
        import readline
    except ImportError:  # pragma: no cover - no readline on this platform
        return None
    finally:
        if saved is None:
            os.environ.pop("INPUTRC", None)
        else:
            os.environ["INPUTRC"] = saved
    if completer is not None:
        completer.readline = readline
        readline.set_completer(completer.complete)
        readline.set_completer_delims(" ")
    else:
        readline.set_completer(None)
    if "libedit" in (readline.__doc__ or ""):  # pragma: no cover - macOS: editline takes other syntax
        if completer is not None:
            readline.parse_and_bind("bind ^I rl_complete")
        readline.set_auto_history(False)
        return readline
    for line in readline_bindings(complete=completer is not None):
        readline.parse_and_bind(line)
    readline.set_auto_history(False)
    return readline
