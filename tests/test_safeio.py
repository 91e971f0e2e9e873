"""safeio: files named by users or data are read safely, parsed within limits, and printed without escapes."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitgame.safeio import (
    MAX_DEPTH,
    DataFileError,
    WriteError,
    loads_json,
    loads_toml,
    open_regular,
    printable,
    printable_lines,
    read_bytes,
    read_lines,
    read_text,
    writing,
)


def test_reads_a_regular_file(tmp_path: Path) -> None:
    f = tmp_path / "a.toml"
    f.write_text("x = 1\n", encoding="utf-8")
    assert read_text(f) == "x = 1\n"


def test_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.toml"
    f.write_bytes(b"#" * 101)
    with pytest.raises(DataFileError, match="over the limit of 100"):
        read_bytes(f, limit=100)


def test_refuses_a_named_pipe_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(DataFileError, match="named pipe"):
        read_text(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_refuses_a_device() -> None:
    with pytest.raises(DataFileError, match="device"):
        read_text("/dev/zero")


def test_refuses_a_folder_a_missing_file_a_nul_and_a_symlink_loop(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="folder"):
        read_text(tmp_path)
    with pytest.raises(DataFileError, match="file not found"):
        read_text(tmp_path / "nope.toml")
    with pytest.raises(DataFileError, match="NUL"):
        read_text(str(tmp_path / "a\0b"))
    (tmp_path / "l1").symlink_to(tmp_path / "l2")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    with pytest.raises(DataFileError, match="loop"):
        read_text(tmp_path / "l1")


def test_refuses_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "x.toml"
    f.write_bytes(b"\xff\xfe")
    with pytest.raises(DataFileError, match="UTF-8"):
        read_text(f)


def test_deep_json_and_toml_are_refused_not_a_recursion_error() -> None:
    for depth in (MAX_DEPTH + 1, 5_000, 200_000):
        with pytest.raises(DataFileError, match="nested deeper"):
            loads_json("[" * depth + "]" * depth, "x.json")
        with pytest.raises(DataFileError, match="nested deeper"):
            loads_toml("v = " + "[" * depth + "]" * depth, "x.toml")
    assert loads_json("[" * 10 + "]" * 10, "x.json") == [[[[[[[[[[]]]]]]]]]]


def test_huge_integers_are_refused() -> None:
    for digits in (31, 5_000):
        with pytest.raises(DataFileError, match="integer"):
            loads_json("[" + "9" * digits + "]", "x.json")
        with pytest.raises(DataFileError, match="integer"):
            loads_toml("v = " + "9" * digits, "x.toml")


def test_syntax_errors_carry_the_line() -> None:
    with pytest.raises(DataFileError) as err:
        loads_json('{\n"a": 1,\n}', "x.json")
    assert err.value.line == 3
    with pytest.raises(DataFileError) as err2:
        loads_toml("a = 1\nb = \n", "x.toml")
    assert err2.value.line == 2
    assert str(err2.value).startswith("x.toml:2: TOML syntax error")


@given(st.text())
def test_printable_never_emits_a_control_character(text: str) -> None:
    out = printable(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in out)
    assert "\x1b" not in out
    assert len(out.splitlines()) <= 1  # a one-line message stays one line (U+2028 and U+2029 end lines too)


def test_printable_escapes_the_unicode_line_separators() -> None:
    assert printable("a\u2028b\u2029c") == "a\\u2028b\\u2029c"


def test_printable_shows_escapes_and_keeps_plain_text() -> None:
    assert printable("Moscow") == "Moscow"
    assert printable("\x1b[2Jboom") == "\\x1b[2Jboom"
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert printable("a\nb") == "a\\x0ab"


_SCALARS = st.none() | st.booleans() | st.integers(-(10**29), 10**29) | st.text()


@given(st.recursive(_SCALARS, lambda c: st.lists(c) | st.dictionaries(st.text(), c), max_leaves=40))
def test_loads_json_round_trips_plain_data(value: object) -> None:
    import json

    assert loads_json(json.dumps(value), "x.json") == value


def test_printable_cuts_to_a_limit_after_escaping() -> None:
    assert printable("abcdef", limit=4) == "abc…"
    assert printable("abcd", limit=4) == "abcd"
    assert printable("\x1b" * 100, limit=10) == "\\x1b\\x1b\\…"
    assert len(printable("x" * 10**7, limit=80)) == 80


def test_printable_lines_cleans_every_line() -> None:
    @printable_lines
    def report(name: str) -> Iterator[str]:
        yield f"rules: {name}"
        yield "done"

    assert list(report("\x1b[2J")) == ["rules: \\x1b[2J", "done"]


def test_read_lines_streams_complete_lines_and_leaves_a_torn_one(tmp_path: Path) -> None:
    f = tmp_path / "games.jsonl"
    f.write_bytes(b'{"a": 1}\n\n{"b": 2}\n{"c"')
    assert list(read_lines(f)) == [(1, b'{"a": 1}'), (2, b""), (3, b'{"b": 2}')]
    f.write_bytes(b"x" * 50 + b"\n")
    with pytest.raises(DataFileError, match=r":1: line longer than 10 bytes"):
        list(read_lines(f, line_limit=10))
    with pytest.raises(DataFileError, match="over the limit of 20 bytes"):
        list(read_lines(f, limit=20))


def test_read_lines_and_open_regular_refuse_what_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(DataFileError, match="named pipe"):
        list(read_lines(tmp_path / "pipe"))
    with pytest.raises(DataFileError, match="named pipe"):  # opened for writing too, without blocking
        open_regular(tmp_path / "pipe", flags=os.O_RDWR | os.O_APPEND)
    with pytest.raises(DataFileError, match="cannot write: is a folder"):
        open_regular(tmp_path, flags=os.O_RDWR)
    with pytest.raises(DataFileError, match="NUL"):
        open_regular(str(tmp_path / "a\0b"))


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "no space left on the device"),
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EISDIR, "is a folder, not a file"),
        (errno.ENOTDIR, "a file is in the way where a folder should be"),
    ],
)
def test_writing_turns_os_errors_into_one_line_naming_the_file(code: int, reason: str) -> None:
    with pytest.raises(WriteError, match=f"^out/\\\\x1b.json: cannot write: {reason}$"), writing("out/\x1b.json"):
        raise OSError(code, os.strerror(code))
    with pytest.raises(WriteError, match="NUL"), writing("a\0b"):
        open("a\0b", "w")  # noqa: SIM115 - raises before opening
