"""Reading files that users or data name, and printing what they hold, without trusting either.

Every file the engine reads on someone's say-so (rule and card files, targets, personas, saves, records,
logs) goes through here: it must be a regular file (never a FIFO, a device or a directory), under a size
limit, and its JSON or TOML must parse within a nesting depth and integer size we can handle. Text from
those files is shown on a terminal only through :func:`printable`, so it cannot carry escape sequences.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from .errors import SummitError

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
    shown = name if name is not None else str(path)
    try:
        fd = os.open(os.fspath(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except ValueError:  # an embedded NUL byte
        raise DataFileError(shown.replace("\0", "\\0"), "a file name cannot hold a NUL byte") from None
    except OSError as exc:
        raise DataFileError(shown, _os_reason(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(shown, f"is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise DataFileError(shown, f"is {info.st_size:,} bytes, over the limit of {limit:,}")
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
    shown = name if name is not None else str(path)
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
        raise DataFileError(name, f"not usable JSON ({printable(str(exc))})") from None
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


def _control_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        table[code] = f"\\x{code:02x}"
    # bidirectional overrides and isolates can reorder what a terminal shows
    for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        table[code] = f"\\u{code:04x}"
    return table


_CONTROLS = _control_table()
_CONTROLS_KEEP_LINES = {k: v for k, v in _CONTROLS.items() if k not in (0x0A, 0x09)}


def printable(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` made safe to print on a terminal: control characters and escape sequences shown as ``\\x1b``."""
    s = text if isinstance(text, str) else str(text)
    return s.translate(_CONTROLS_KEEP_LINES if keep_newlines else _CONTROLS)


def shorten(text: object, limit: int = 80) -> str:
    """``printable(text)`` cut to at most ``limit`` characters, an ellipsis marking the cut: for quoting keys,
    values and names from files in one-line messages."""
    s = printable(text)
    return s if len(s) <= limit else s[: max(limit - 1, 0)] + "…"
