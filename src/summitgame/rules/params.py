"""Key paths into rule data (``proposals.cap[1].steps``), and the parameter grids of sweeps and tunes.

A key path names one value in a rule file after ``extends`` is resolved: table keys joined by dots,
array items by ``[index]``. ``--set``, ``--param`` and the ``[tunable]`` table all use them. A grid
(``sweep --param``) lists the values to try; a range (``tune --param``) bounds a search.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..safeio import shorten

Number = int | float
Value = Number | str  #: a swept value: a number, or a file (``decks.gestures=a.toml,b.toml``)
PathPart = str | int
FILE_KEYS = ("decks.events", "decks.gestures", "decks.agendas")  #: key paths a sweep gives files for

_PART = re.compile(r"([A-Za-z0-9_]+)((?:\[\d{1,9}\])*)")
_INDEX = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_INTEGER = re.compile(r"[-+]?\d+")
MAX_GRID = 1000  #: most values one ``--param`` may list (a typo like 1..100000 should not start a week-long run)
MAX_PATH = 32  #: most keys and indexes in one key path (rule data is a few levels deep)
MAX_NUMBER = 10**15  #: largest size of a number given on the command line (rule numbers are small)


def parse_path(key: str) -> tuple[PathPart, ...]:
    """``a.b[2].c`` as ``("a", "b", 2, "c")``; ValueError for anything else (or for more than ``MAX_PATH`` parts)."""
    parts: list[PathPart] = []
    for piece in key.split("."):
        m = _PART.fullmatch(piece)
        if m is None:
            raise ValueError(f"bad key path {_quote(key)}: expected names joined by dots, with [n] for array items")
        parts.append(m.group(1))
        parts.extend(int(i) for i in _INDEX.findall(m.group(2)))
        if len(parts) > MAX_PATH:
            raise ValueError(f"bad key path {_quote(key)}: more than {MAX_PATH} keys and indexes")
    return tuple(parts)


def _quote(text: str, limit: int = 60) -> str:
    """Text from the command line quoted in a message: printable, cut short."""
    return shorten(repr(text), limit)


def format_path(parts: Sequence[PathPart]) -> str:
    """The inverse of ``parse_path``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def is_number(value: Any) -> bool:
    """An int or float that is not a bool (TOML booleans are not numbers to tune)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def get_at(data: Any, parts: Sequence[PathPart]) -> Any:
    """The value at a key path; LookupError saying where the path stops matching the data."""
    node = data
    for i, p in enumerate(parts):
        here = format_path(parts[: i + 1])
        if isinstance(p, int):
            if not isinstance(node, list):
                raise LookupError(f"{format_path(parts[:i]) or 'the file'} is not an array")
            if p >= len(node):
                raise LookupError(f"{here} is out of range: {format_path(parts[:i])} has {len(node)} entries")
            node = node[p]
        else:
            if not isinstance(node, dict):
                raise LookupError(f"{format_path(parts[:i])} is not a table")
            if p not in node:
                known = ", ".join(sorted(str(k) for k in node)[:12])
                raise LookupError(f"no key {here}" + (f" (known here: {known})" if known else ""))
            node = node[p]
    return node


def set_at(data: dict[str, Any], parts: Sequence[PathPart], value: Any) -> None:
    """Set the value at a key path, creating missing tables (not array items); LookupError otherwise."""
    node: Any = data
    for i, p in enumerate(parts[:-1]):
        if isinstance(p, int):
            if not isinstance(node, list) or p >= len(node):
                get_at(data, parts[: i + 1])  # raises with the reason
            node = node[p]
            continue
        if not isinstance(node, dict):
            raise LookupError(f"{format_path(parts[:i])} is not a table")
        nxt = node.get(p)
        if nxt is None:
            nxt = node[p] = {}
        node = nxt
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            get_at(data, parts)
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise LookupError(f"{format_path(parts[:-1])} is not a table")


def parse_number(text: str) -> Number:
    """An int if it reads as one, else a float; ValueError for anything else, or for a number beyond
    ``MAX_NUMBER`` in size (``1e308`` is a typo, not a rule value)."""
    t = text.strip().replace("_", "")
    if not _NUMBER.fullmatch(t):
        raise ValueError(f"{_quote(text.strip())} is not a number")
    value: Number
    if _INTEGER.fullmatch(t):
        if len(t.lstrip("+-").lstrip("0")) > len(str(MAX_NUMBER)):
            raise ValueError(f"{_quote(text.strip())} is out of range: at most {MAX_NUMBER:,} either way")
        value = int(t)
    else:
        value = float(t)
        if not math.isfinite(value):
            raise ValueError(f"{_quote(text.strip())} is not a finite number")
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"{_quote(text.strip())} is out of range: at most {MAX_NUMBER:,} either way")
    return value


def fmt_number(value: Number) -> str:
    """A number as TOML reads it back with its type: 3, 3.0, 0.5."""
    return repr(value) if isinstance(value, float) else str(value)


def show_number(value: Number) -> str:
    """A number for a reader: a whole number as it is, a float to six significant digits (0.723499, not
    0.7234987234; the files written keep every digit)."""
    if isinstance(value, float):
        text = f"{value:.6g}"
        return text if any(c in text for c in ".en") else f"{text}.0"
    return str(value)


@dataclass(frozen=True)
class Span:
    """A range of numbers, both ends included: ``LOW..HIGH``, with an optional step (``:STEP``)."""

    low: Number
    high: Number
    step: Number | None = None

    @property
    def integral(self) -> bool:
        """Whole numbers only: both ends (and the step, if any) are ints."""
        return all(isinstance(v, int) for v in (self.low, self.high, self.step if self.step is not None else 1))

    def contains(self, value: Number) -> bool:
        """Whether a value lies in the span (ends included)."""
        return self.low <= value <= self.high

    def points(self) -> tuple[Number, ...]:
        """Every value of the span's grid: LOW, LOW+STEP, ... up to HIGH (step 1 for whole numbers)."""
        step = self.step if self.step is not None else (1 if self.integral else None)
        if step is None:
            raise ValueError(f"{self}: a range of decimals needs a step, e.g. {self}:0.5")
        span = (self.high - self.low) / step
        if not span < MAX_GRID:  # also for an overflow (inf) or a step too small to count
            raise ValueError(f"{self} has more than {MAX_GRID} values; at most {MAX_GRID}")
        count = math.floor(span + 1e-9) + 1
        if count > MAX_GRID:
            raise ValueError(f"{self} has {count} values; at most {MAX_GRID}")
        if isinstance(step, int) and isinstance(self.low, int):
            return tuple(self.low + i * step for i in range(count))
        return tuple(round(self.low + i * step, 10) for i in range(count))

    def __str__(self) -> str:
        tail = f":{fmt_number(self.step)}" if self.step is not None else ""
        return f"{fmt_number(self.low)}..{fmt_number(self.high)}{tail}"


def parse_span(text: str) -> Span:
    """``LOW..HIGH`` or ``LOW..HIGH:STEP``; ValueError saying what is wrong."""
    body, _, step_text = text.partition(":")
    low_text, sep, high_text = body.partition("..")
    if not sep:
        raise ValueError(f"{_quote(text)}: expected LOW..HIGH or LOW..HIGH:STEP")
    low, high = parse_number(low_text), parse_number(high_text)
    step = parse_number(step_text) if step_text.strip() else None
    if low > high:
        raise ValueError(f"{_quote(text)}: the low end {fmt_number(low)} is above the high end {fmt_number(high)}")
    if step is not None and step <= 0:
        raise ValueError(f"{_quote(text)}: the step must be positive")
    return Span(low, high, step)


def split_param(text: str) -> tuple[str, str]:
    """``key.path=VALUES`` into a checked key path and the raw values."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not raw.strip():
        raise ValueError(f"{_quote(text)}: expected key.path=VALUES")
    parse_path(key)
    return key, raw.strip()


def fmt_value(value: Value) -> str:
    """A swept value as an override writes it: a number as TOML reads it back, a file name as a TOML string."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else fmt_number(value)


def override_text(key: str, value: Value) -> str:
    """The ``--set`` (or ``--param``) text that puts a key path at a value."""
    return f"{key}={fmt_value(value)}"


@dataclass(frozen=True)
class Param:
    """One swept parameter: its key path and the values to try, in order (numbers, or deck files)."""

    path: str
    values: tuple[Value, ...]

    def override(self, value: Value) -> str:
        """The ``--set`` text that puts this parameter at a value."""
        return override_text(self.path, value)


def parse_grid(text: str) -> Param:
    """A sweep's ``--param``: ``key=1..5``, ``key=0..1:0.25``, ``key=0.5,1,2`` or ``key=3``; for a deck,
    the files to try: ``decks.gestures=a.toml,b.toml`` (relative to the working directory)."""
    key, raw = split_param(text)
    if key in FILE_KEYS:
        files = tuple(v.strip() for v in raw.split(",") if v.strip())
        if not files:
            raise ValueError(f"{_quote(text)}: no files")
        if len(files) > MAX_GRID:
            raise ValueError(f"{_quote(text)}: more than {MAX_GRID} values; at most {MAX_GRID}")
        if len(set(files)) != len(files):
            raise ValueError(f"{_quote(text)}: a file is listed twice")
        return Param(key, files)
    if ".." not in raw and raw.count(",") >= MAX_GRID:
        raise ValueError(f"{_quote(text)}: more than {MAX_GRID} values; at most {MAX_GRID}")
    values = parse_span(raw).points() if ".." in raw else tuple(parse_number(v) for v in raw.split(",") if v.strip())
    if not values:
        raise ValueError(f"{_quote(text)}: no values")
    if len(set(values)) != len(values):
        raise ValueError(f"{_quote(text)}: a value is listed twice")
    return Param(key, values)


def parse_bounds(text: str) -> tuple[str, Span]:
    """A tune's ``--param``: ``key=LOW..HIGH`` (whole numbers when both ends are) or ``LOW..HIGH:STEP``."""
    key, raw = split_param(text)
    return key, parse_span(raw)
