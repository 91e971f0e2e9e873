"""``cmd:PROGRAM ARGS...``: an untrusted bot that plays as a separate program, over the text protocol.

The program is started for each game, at its first decision (not through a shell: the command is split
with ``shlex``), in a session of its own, and hears JSON lines on its stdin (``protocol``: ``hello``,
then ``act`` per decision, ``end``); it answers each ``act`` with one line on its stdout. It sees only
what those messages hold: the public rules and its own observation. Its stderr goes to a log file, never
to our output: ``$SUMMITGAME_BOT_LOGS`` if set (``tournament`` sets it to ``OUT/bot-logs``), else a
private folder in the temporary directory; one file per program and playing process, a header per game.

Nothing it sends is trusted. Garbage, a line over ``MAX_LINE`` bytes, output it was not asked for, an
illegal action, no answer within the move limit (``Agent.time_limit``, i.e. ``--move-timeout``, else
``DEFAULT_MOVE_TIMEOUT``) or an exit raises ``ProtocolError`` from ``act``, which forfeits the game with
that one-line reason; reads and writes wait with ``selectors`` against the deadline, never blocking.
The program (and everything in its process group) is killed when its game ends however it ended
(``close``), when the agent is collected, at interpreter exit, and, on Linux, when the process that
started it dies. It runs as our OS user: it is untrusted by the game, not sandboxed from the machine.
"""

from __future__ import annotations

import contextlib
import os
import random
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from ..engine.observation import Observation
from ..engine.scoring import Outcome
from ..rules.actions import Action
from ..rules.ruleset import Ruleset
from ..safeio import open_regular, printable
from . import protocol
from .base import Agent, AgentError, Param, register, shown
from .protocol import ProtocolError

LOG_ENV = "SUMMITGAME_BOT_LOGS"  #: a folder for the programs' stderr logs (default: a private temporary one)
DEFAULT_MOVE_TIMEOUT = 10.0  #: seconds a program has to answer an act when no move limit is given
MAX_LINE = 1024 * 1024  #: longest line a program may send (bytes)
MAX_LOG = 1024 * 1024  #: stderr bytes kept in the log per game; the rest is read and dropped
END_GRACE = 1.0  #: seconds a program has to exit after ``end`` before it is killed
MAX_COMMAND = 4096  #: longest command line


def log_folder() -> Path:
    """Where the programs' stderr logs go: ``$SUMMITGAME_BOT_LOGS``, or ``summitgame-bots-UID`` in the
    temporary directory (created private; refused if someone else owns it or it is a link)."""
    chosen = os.environ.get(LOG_ENV)
    if chosen:
        folder = Path(chosen)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AgentError(f"cannot create the bot log folder {printable(folder)}: {exc.strerror or exc}") from None
        return folder
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"summitgame-bots-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        raise AgentError(f"cannot create the bot log folder {printable(folder)}: {exc.strerror or exc}") from None
    if not folder.is_dir() or folder.is_symlink() or (hasattr(os, "getuid") and info.st_uid != uid):
        raise AgentError(f"{printable(folder)} is not a private folder of this user; set {LOG_ENV} to another")
    return folder


@contextlib.contextmanager
def logs_in(folder: Path) -> Iterator[Path]:
    """Within the block, programs started here and in worker processes started here log to ``folder``
    (unless ``$SUMMITGAME_BOT_LOGS`` was set already, which wins); yields the folder in use."""
    before = os.environ.get(LOG_ENV)
    if before:
        yield Path(before)
        return
    os.environ[LOG_ENV] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop(LOG_ENV, None)
        else:
            os.environ[LOG_ENV] = before


def _die_with_us() -> Callable[[], None] | None:
    """On Linux, a function for the child to run before ``exec``: ask the kernel to kill it when the
    process that started it dies (a killed worker must not leave a spinning bot behind)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def arm() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)

    return arm


_ARM = _die_with_us()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the program and its process group, and reap it (safe to call more than once)."""
    # The group may outlive its leader (a child it started): kill the group even if the leader was reaped a
    # moment ago. Its id cannot be handed to a new process while any member lives, and pids are not reused
    # within milliseconds, so this reaches no one else.
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode is None:
        with contextlib.suppress(OSError):
            proc.kill()
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        proc.wait(timeout=5)


class BotProcess:
    """One running program: our end of its pipes, read and written without blocking, against deadlines."""

    def __init__(self, argv: Sequence[str], log_path: Path, header: str, limit: float) -> None:
        self.limit = limit
        self.log_fd = open_regular(log_path, flags=os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode=0o600)
        self.logged = 0
        self.last_err = b""  #: the last line the program wrote on stderr, for the forfeit reason
        self.err_tail = b""
        self.buf = b""
        self.out_open = self.err_open = True
        self.closed = False
        self._log(f"== {time.strftime('%Y-%m-%d %H:%M:%S')} {header}\n".encode("utf-8", "replace"))
        try:
            self.proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
                close_fds=True,
                start_new_session=True,  # its own process group (killed as one), out of reach of Ctrl-C
                preexec_fn=_ARM,  # only a prctl call, looked up before the fork
            )
        except (OSError, ValueError) as exc:
            self._log(f"== could not start: {exc}\n".encode("utf-8", "replace"))
            os.close(self.log_fd)
            raise ProtocolError(
                f"could not start {printable(argv[0], limit=80)!r} ({getattr(exc, 'strerror', None) or exc})"
            ) from None
        except BaseException:
            os.close(self.log_fd)
            raise
        self._finalizer = weakref.finalize(self, _stop, self.proc)  # also runs at interpreter exit
        pipes = (self.proc.stdin, self.proc.stdout, self.proc.stderr)
        self.fd_in, self.fd_out, self.fd_err = (p.fileno() for p in pipes if p is not None)
        for fd in (self.fd_in, self.fd_out, self.fd_err):
            os.set_blocking(fd, False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.fd_out, selectors.EVENT_READ)
        self.sel.register(self.fd_err, selectors.EVENT_READ)

    # --- its stderr, into the log --------------------------------------------------------------------------

    def _log(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            os.write(self.log_fd, data)

    def _stderr(self, data: bytes) -> None:
        """Keep what the program wrote on stderr: in the log up to MAX_LOG bytes a game, its last line in memory."""
        if self.logged < MAX_LOG:
            keep = data[: MAX_LOG - self.logged]
            self._log(keep)
            self.logged += len(keep)
            if self.logged >= MAX_LOG:
                self._log(f"\n== stderr cut here: over {MAX_LOG:,} bytes this game\n".encode())
        lines = (self.err_tail + data[-4096:]).split(b"\n")
        self.err_tail = lines[-1][-4096:]
        said = [x for x in lines[:-1] if x.strip()]
        if said:
            self.last_err = said[-1][-4096:]

    def _drain_stderr(self) -> None:
        """Read what is left on its stderr without waiting (bounded: a stray grandchild may still write)."""
        for _ in range(2 * MAX_LOG // 65536):
            if not self.err_open:
                return
            try:
                data = os.read(self.fd_err, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.err_open = False
                self.sel.unregister(self.fd_err)
                return
            self._stderr(data)

    # --- reading and writing -------------------------------------------------------------------------------

    def _read(self, fd: int) -> None:
        if fd == self.fd_err:
            self._drain_stderr()
            return
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self.buf += data
        else:
            self.out_open = False
            self.sel.unregister(fd)

    def _select(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for any of its pipes and read what came (writes are ``send``'s)."""
        if not self.sel.get_map():
            time.sleep(max(0.0, min(timeout, 0.01)))
            return
        for key, _ in self.sel.select(max(0.0, timeout)):
            if key.fd != self.fd_in:
                self._read(key.fd)

    def unasked(self) -> bool:
        """Read what is waiting, without waiting; True if the program has said something nobody asked for
        (blank lines aside)."""
        self._select(0)
        return bool(self.buf.strip())

    def _over(self) -> str:
        return f"the {self.limit:g} s move limit"

    def send(self, data: bytes, deadline: float) -> None:
        """Write ``data`` to the program's stdin by ``deadline``, reading its output meanwhile (so neither side
        can block the other); ProtocolError if it stopped reading or exited."""
        view = memoryview(data)
        self.sel.register(self.fd_in, selectors.EVENT_WRITE)
        try:
            while view:
                try:
                    view = view[os.write(self.fd_in, view) :]
                    continue
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    raise ProtocolError(self.gone("stopped reading its input")) from None
                self._check_flood()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProtocolError(f"did not read its input within {self._over()}")
                self._select(left)
        finally:
            self.sel.unregister(self.fd_in)

    def receive(self, deadline: float) -> bytes:
        """The next non-blank line the program sends (without the newline), by ``deadline``; ProtocolError if
        it sends a line over MAX_LINE bytes, exits, or stays silent past the deadline."""
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line, self.buf = self.buf[:nl], self.buf[nl + 1 :]
                if len(line) > MAX_LINE:
                    raise ProtocolError(f"sent a line over {MAX_LINE:,} bytes")
                if line.strip():
                    return line.rstrip(b"\r")
                continue
            self._check_flood()
            if not self.out_open:
                raise ProtocolError(self.gone("closed its output"))
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError(f"gave no answer within {self._over()}")
            self._select(left)

    def _check_flood(self) -> None:
        if len(self.buf) > MAX_LINE:
            raise ProtocolError(f"sent a line over {MAX_LINE:,} bytes")

    def gone(self, what: str) -> str:
        """Why the program cannot go on: it exited (with its code and its last stderr line), or ``what``."""
        code: int | None = None
        with contextlib.suppress(subprocess.TimeoutExpired):
            code = self.proc.wait(timeout=0.5)
        self._drain_stderr()
        if code is None:
            why = what
        elif code < 0:
            why = f"was killed by signal {-code} mid-game"
        else:
            why = f"exited mid-game with code {code}"
        last = self.last_err or self.err_tail
        if last:
            why += f"; its last line on stderr: {printable(last.decode('utf-8', 'replace').strip(), limit=120)!r}"
        return why

    # --- ending ----------------------------------------------------------------------------------------------

    def finish(self, grace: float) -> None:
        """Close its stdin, give it ``grace`` seconds to exit (keeping its stderr), then kill what is left."""
        if self.closed:
            return
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()  # end of input: a program reading line by line stops
        deadline = time.monotonic() + grace
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._select(min(0.05, deadline - time.monotonic()))
            self.buf = b""  # what it says after the end is not read
        self.kill()

    def kill(self) -> None:
        """Kill the program (its whole process group) now, log how it ended, release the pipes and the log."""
        if self.closed:
            return
        self.closed = True
        _stop(self.proc)
        self._drain_stderr()
        if self.err_tail:
            self._log(b"\n")
        self._log(f"== ended (exit code {self.proc.returncode})\n".encode())
        self._finalizer.detach()
        self.sel.close()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        with contextlib.suppress(OSError):
            os.close(self.log_fd)


def _slug(program: str) -> str:
    name = os.path.basename(program) or "bot"
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:40]
    return safe or "bot"


@register
class CmdAgent(Agent):
    """An external program over the JSON-lines protocol (docs/protocol.md): cmd:PROGRAM ARGS..."""

    name: ClassVar[str] = "cmd"
    parameters: ClassVar[dict[str, Param]] = {
        "command": Param(
            "",
            help="the program and its arguments, split as a shell would (shlex) but never run by one",
            max_len=MAX_COMMAND,
        )
    }
    raw_spec: ClassVar[str | None] = "command"
    runs_program: ClassVar[bool] = True

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        command: str = self.params["command"]
        if os.name != "posix":
            raise AgentError("cmd: bots need a Unix-like system (pipes are read with select)")
        if "\0" in command:
            raise AgentError("cmd: the command holds a NUL byte")
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise AgentError(f"cmd:{shown(command)}: cannot split the command ({exc})") from None
        if not self.argv:
            raise AgentError("cmd: name a program, e.g. 'cmd:python3 examples/bots/first_legal.py'")
        if shutil.which(self.argv[0]) is None:
            raise AgentError(f"cmd:{shown(command)}: no program {shown(self.argv[0])!r} found (or not executable)")
        self.log_dir = log_folder()
        self.log_path = self.log_dir / f"{_slug(self.argv[0])}-{os.getpid()}.log"
        self.bot: BotProcess | None = None
        self.seed = 0

    def spec(self) -> str:
        return f"cmd:{self.params['command']}"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["bot"] = None  # a running program never travels: a copy starts its own
        return state

    @property
    def limit(self) -> float:
        """Seconds the program has for each act: the game's move limit, else DEFAULT_MOVE_TIMEOUT."""
        return self.time_limit if self.time_limit is not None else DEFAULT_MOVE_TIMEOUT

    def start(self, rules: Ruleset, role: int, rng: random.Random) -> None:
        self.close()  # a program from an earlier game never plays on
        super().start(rules, role, rng)
        self.seed = rng.getrandbits(64)

    def _fail(self, exc: ProtocolError) -> ProtocolError:
        """The error that forfeits the game: the program's name, what went wrong, where its stderr is."""
        return ProtocolError(f"{shown(self.spec())}: {exc} (stderr log: {printable(self.log_path)})")

    def act(self, obs: Observation, legal: Sequence[Action]) -> Action:
        deadline = time.monotonic() + self.limit
        try:
            if self.bot is None:
                assert self.rules is not None
                self.bot = BotProcess(self.argv, self.log_path, self._header(), self.limit)
                self.bot.send(protocol.encode(protocol.hello(self.rules, self.role, self.seed, self.limit)), deadline)
            elif self.bot.unasked():
                raise ProtocolError("sent output it was not asked for (one line answers one act)")
            self.bot.send(protocol.encode(protocol.act(obs)), deadline)
            line = self.bot.receive(deadline)
            assert self.rules is not None
            return protocol.parse_answer(line, self.rules, legal)
        except ProtocolError as exc:
            self.close()
            raise self._fail(exc) from None
        except BaseException:  # a move limit's alarm, Ctrl-C, anything: the program never outlives it
            self.close()
            raise

    def _header(self) -> str:
        rules = self.rules
        assert rules is not None
        return f"{rules.name} as {rules.roles[self.role]}: {self.spec()} (started by process {os.getpid()})"

    def end(self, obs: Observation, outcome: Outcome) -> None:
        bot = self.bot
        if bot is None:
            return
        try:
            bot.send(protocol.encode(protocol.end(obs, outcome)), time.monotonic() + min(self.limit, END_GRACE))
            bot.finish(END_GRACE)
        except ProtocolError:
            pass  # the game is over: a program that cannot hear its end changes nothing
        finally:
            self.close()

    def close(self) -> None:
        bot, self.bot = self.bot, None
        if bot is not None:
            bot.kill()
