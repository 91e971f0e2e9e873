"""Reading files that users or data name, and printing what they hold, without trusting either.

Every file the engine reads on someone's say-so (rule and card files, targets, personas, saves, records,
logs) goes through here: it must be a regular file (never a FIFO, a device or a directory), under a size
limit, and its JSON or TOML must parse within a nesting depth and integer size we can handle. Text from
those files is shown on a terminal only through :func:`printable`, so it cannot carry escape sequences.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec

from .errors import SummitError
from .safetext import printable as printable
from .safetext import shorten as shorten

P = ParamSpec("P")

#: Largest rule, card, targets, personas, save or record file read whole (bytes).
MAX_DATA_BYTES = 8 * 1024 * 1024
#: Deepest nesting of arrays and tables accepted in any data file.
MAX_DEPTH = 48
#: Longest integer literal accepted (digits); Python refuses over 4,300 when printing one anyway.
MAX_INT_DIGITS = 30


class DataFileError(SummitError):
    """A file named by a user or by data that cannot be read safely: says which file and why."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.message = message
        self.line = line
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno == errno.ELOOP:
        return "cannot read file: a loop of symbolic links"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    return f"cannot read file: {exc.strerror or exc}"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | Path, *, limit: int = MAX_DATA_BYTES, name: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; DataFileError otherwise.

    Opened without blocking, so a named pipe with no writer is refused instead of hanging."""
    shown = name if name is not None else printable(path)
    fd = open_regular(path, name=shown)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise DataFileError(shown, f"is {size:,} bytes, over the limit of {limit:,}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while we read it
                raise DataFileError(shown, f"is over the limit of {limit:,} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise DataFileError(shown, _os_reason(exc)) from None
    finally:
        os.close(fd)


def read_text(path: str | Path, *, limit: int = MAX_DATA_BYTES, name: str | None = None) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes; DataFileError otherwise."""
    shown = name if name is not None else printable(path)
    data = read_bytes(path, limit=limit, name=shown)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataFileError(shown, "file is not UTF-8 text") from None


def check_depth(value: Any, name: str, limit: int = MAX_DEPTH) -> None:
    """Refuse data nested deeper than ``limit`` (walked without recursion) or holding a huge integer."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= limit:
                raise DataFileError(name, f"nested deeper than {limit} levels")
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            if depth >= limit:
                raise DataFileError(name, f"nested deeper than {limit} levels")
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) >= 10**MAX_INT_DIGITS:
            raise DataFileError(name, f"holds an integer of more than {MAX_INT_DIGITS} digits")


def loads_json(text: str | bytes, name: str) -> Any:
    """Parse JSON from an untrusted source: DataFileError (with the line) instead of any other exception."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(name, f"not valid JSON ({exc.msg}, column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise DataFileError(name, f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # an integer over Python's digit limit, a lone surrogate
        if "digits" in str(exc):
            raise DataFileError(name, f"holds an integer of more than {MAX_INT_DIGITS} digits") from None
        raise DataFileError(name, f"not usable JSON ({printable(str(exc), limit=200)})") from None
    check_depth(value, name)
    return value


def loads_toml(text: str, name: str) -> dict[str, Any]:
    """Parse TOML from an untrusted source: DataFileError (with the line) instead of any other exception."""
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise DataFileError(name, f"TOML syntax error: {printable(str(exc))}", line) from None
    except RecursionError:
        raise DataFileError(name, f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # an integer over Python's digit limit
        if "integer" in str(exc):
            raise DataFileError(name, f"holds an integer of more than {MAX_INT_DIGITS} digits") from None
        raise DataFileError(name, f"not usable TOML ({printable(str(exc))})") from None
    check_depth(value, name)
    return value


def printable_lines(func: Callable[P, Iterator[str]]) -> Callable[P, Iterator[str]]:
    """Decorate a generator of report lines so that every line it yields is ``printable`` (names from data
    files, such as a rule set's or an agent's, reach the terminal without escape sequences)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[str]:
        for line in func(*args, **kwargs):
            yield printable(line)

    return wrapper


# --- reading a long log line by line -----------------------------------------------------------------------

#: Longest line of a JSON-lines log (a game line is a few kilobytes).
MAX_LINE_BYTES = 1024 * 1024
#: Largest JSON-lines log read (games.jsonl of a long tournament).
MAX_LOG_BYTES = 1024 * 1024 * 1024


def open_regular(path: str | Path, *, name: str | None = None, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """A file descriptor of a regular file (opened with ``flags``, without blocking on a named pipe);
    DataFileError for a FIFO, a device, a folder, a NUL byte or a symlink loop in the name."""
    shown = name if name is not None else printable(path)
    try:
        fd = os.open(os.fspath(path), flags | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), mode)
    except ValueError:  # an embedded NUL byte
        raise DataFileError(shown.replace("\0", "\\0"), "a file name cannot hold a NUL byte") from None
    except OSError as exc:
        writes = flags & (os.O_WRONLY | os.O_RDWR)
        raise DataFileError(shown, write_reason(exc) if writes else _os_reason(exc)) from None
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise DataFileError(shown, _os_reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise DataFileError(shown, f"is {_kind(info.st_mode)}, not a regular file")
    return fd


def read_lines(
    path: str | Path, *, name: str | None = None, limit: int = MAX_LOG_BYTES, line_limit: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes]]:
    """The complete lines of a regular file (number from 1, bytes without the newline), read as they come;
    a last line without its newline (torn) is left out. DataFileError for a file over ``limit`` bytes or a
    line over ``line_limit``."""
    shown = name if name is not None else printable(path)
    fd = open_regular(path, name=shown)
    with os.fdopen(fd, "rb") as fh:
        total = 0
        n = 0
        while True:
            try:
                raw = fh.readline(line_limit + 1)
            except OSError as exc:
                raise DataFileError(shown, _os_reason(exc)) from None
            if not raw:
                return
            n += 1
            total += len(raw)
            if total > limit:
                raise DataFileError(shown, f"is over the limit of {limit:,} bytes")
            if not raw.endswith(b"\n"):
                if len(raw) > line_limit:
                    raise DataFileError(shown, f"line longer than {line_limit:,} bytes", n)
                return  # a torn last line
            yield n, raw[:-1]


# --- writing ---------------------------------------------------------------------------------------------


class WriteError(SummitError):
    """A file or folder that cannot be written (read-only, no space left, a folder in the way): says which and why."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


def write_reason(exc: OSError) -> str:
    """Why a write failed, in words."""
    reasons = {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "is a folder, not a file",
        errno.ENOTDIR: "a file is in the way where a folder should be",
        errno.EEXIST: "a file is in the way where a folder should be",
        errno.ELOOP: "a loop of symbolic links",
        errno.ENAMETOOLONG: "the file name is too long",
    }
    return f"cannot write: {reasons.get(exc.errno or 0) or printable(exc.strerror or exc)}"


@contextlib.contextmanager
def writing(path: str | Path) -> Iterator[None]:
    """Turn an OSError (or a NUL byte in the name) raised inside the block into a WriteError naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise WriteError(printable(path), write_reason(exc)) from None
    except ValueError as exc:
        if "null" not in str(exc) and "NUL" not in str(exc):
            raise
        raise WriteError(printable(path), "a file name cannot hold a NUL byte") from None
