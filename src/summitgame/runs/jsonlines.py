"""An append-only JSON-lines file with one writer, that survives being killed: a tournament's
``games.jsonl`` and a tune's ``trials.jsonl``.

Lines are written and flushed as they arrive and fsynced at least every ``fsync_interval`` seconds
and on ``close``; the file is locked against a second writer where the platform allows. On opening,
a torn last line (one whose newline never reached the disk) is cut off, and every complete line is
read back and checked, so an interrupted run can go on from exactly what it finished.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from ..safeio import (
    MAX_LOG_BYTES,
    DataFileError,
    loads_json,
    open_regular,
    printable,
    read_text,
    write_reason,
    writing,
)

KEPT = "the lines written before are kept: make room and run the same command with --resume"

Check = Callable[[Any], str | None]
"""Says what is wrong with a parsed line (any JSON value), or None if it is one of this file's lines."""


class JsonLines:
    """One JSON-lines file held open for appending; errors are raised as ``error`` (a SummitError kind)."""

    def __init__(self, path: Path, error: type[Exception], check: Check, fsync_interval: float = 0.0) -> None:
        self.path = path
        self.error = error
        self.check = check
        self.fsync_interval = fsync_interval
        self.torn = False
        self.failed = False  #: a write failed (the file may end in a torn line)
        self.where: list[tuple[int, int]] = []  #: (line number, byte offset) of each line read by ``open``
        self._fh: Any = None
        self._synced = 0.0
        self._pending_cut: int | None = None  #: where a torn last line begins, until it is cut off

    def _open_locked(self) -> tuple[Any, int, int]:
        """Open the file for reading and appending (a regular file only), locked, and check it holds at most
        ``MAX_LOG_BYTES``: (file, descriptor, size). Nothing is left open when it fails."""
        with writing(self.path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = open_regular(self.path, flags=os.O_RDWR | os.O_CREAT | os.O_APPEND)
        except DataFileError as exc:
            raise self.error(str(exc)) from None
        fh = os.fdopen(fd, "r+b", buffering=0)
        try:
            _lock(fh, self.path, self.error)
            size = os.fstat(fd).st_size
            if size > MAX_LOG_BYTES:
                raise self.error(f"{self.path}: is {size:,} bytes, over the limit of {MAX_LOG_BYTES:,}")
        except BaseException:
            fh.close()
            raise
        return fh, fd, size

    def open(self, resume: bool, refuse: Callable[[int], str]) -> list[dict[str, Any]]:
        """Open for appending and return the lines already there; without ``resume`` a file that holds
        lines is refused with ``refuse(count)`` (and left untouched). The file must be a regular file
        (a folder, a named pipe or a device where it should be is refused), at most ``MAX_LOG_BYTES``."""
        fh, fd, _ = self._open_locked()
        try:
            fh.seek(0)
            data = fh.read()
            if data.strip() and not resume:
                raise self.error(refuse(data.count(b"\n")))
            cut = data.rfind(b"\n") + 1
            lines = parse_lines(data[:cut], self.path, self.error, self.check)  # before changing a byte
            if cut < len(data):  # a torn last line: its newline never reached the disk
                self.torn = True
                with writing(self.path):
                    fh.truncate(cut)
                    os.fsync(fd)
            self.where = line_starts(data[:cut])
        except BaseException:
            fh.close()
            raise
        self._fh = fh
        self._synced = time.monotonic()
        return lines

    def open_lines(self, resume: bool, refuse: Callable[[int], str]) -> Callable[[], Iterator[dict[str, Any]]]:
        """``open``, but the lines are read as they are wanted, never all at once: it opens, locks and checks the
        file now (refusing a file with lines without ``resume``) and returns a function that reads its complete
        lines afresh each time it is called, each checked as it comes. A torn last line is cut off once every
        complete line has been read and found good (as ``open``, nothing is changed before)."""
        fh, fd, size = self._open_locked()
        try:
            if not resume and any(block.strip() for block in _blocks(fd, 0, size)):
                raise self.error(refuse(sum(block.count(b"\n") for block in _blocks(fd, 0, size))))
            cut = _after_last_newline(fd, size)
            self.torn = cut < size
            self._pending_cut = cut if self.torn else None
        except BaseException:
            fh.close()
            raise
        self._fh = fh
        self._synced = time.monotonic()

        def lines() -> Iterator[dict[str, Any]]:
            number = 0
            rest = b""
            for block in _blocks(fd, 0, cut):
                data = rest + block
                end = data.rfind(b"\n") + 1
                rest = data[end:]
                yield from parse_lines(data[:end], self.path, self.error, self.check, first=number + 1)
                number += len(data[:end].splitlines())
            if self._fh is fh:  # every line read and found good: the torn one can go
                self._cut_torn()

        return lines

    def _cut_torn(self) -> None:
        """Cut off the torn last line ``open_lines`` found, if it is still there."""
        cut, self._pending_cut = self._pending_cut, None
        if cut is not None:
            with writing(self.path):
                self._fh.truncate(cut)
                os.fsync(self._fh.fileno())

    def append(self, texts: Sequence[str]) -> None:
        """Append lines (each without its newline); on a failed write (a full disk) the error names the file,
        the lines written before stay, and a partly written line is cut off when the file is next opened."""
        if not texts:
            return
        self._cut_torn()  # never append to a torn line
        data = "".join(t + "\n" for t in texts).encode()
        try:
            _write_all(self._fh.fileno(), data)
            now = time.monotonic()
            if now - self._synced >= self.fsync_interval:
                os.fsync(self._fh.fileno())
                self._synced = now
        except OSError as exc:
            self.failed = True
            raise self.error(f"{printable(self.path)}: {write_reason(exc)}; {KEPT}") from None

    def cut(self, count: int) -> None:
        """Cut the file back to its first ``count`` lines as read by ``open`` (before anything is appended)."""
        if count < len(self.where):
            self._fh.truncate(self.where[count][1])
            self._fh.flush()
            os.fsync(self._fh.fileno())
            del self.where[count:]

    def close(self) -> None:
        """Fsync and close (a no-op if not open); after a failed write, close without a second error."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            os.fsync(fh.fileno())
        except OSError as exc:
            if not self.failed:
                self.failed = True
                raise self.error(f"{printable(self.path)}: {write_reason(exc)}") from None
        finally:
            fh.close()


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (``os.write`` may write fewer than asked); OSError as the system raises it."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _lock(fh: Any, path: Path, error: type[Exception]) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Unix: no lock
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise error(f"{path} is being written by another run") from None


READ_BLOCK = 1 << 20  #: bytes read at a time when lines are streamed (``JsonLines.open_lines``)


def _blocks(fd: int, start: int, end: int) -> Iterator[bytes]:
    """The bytes of ``fd`` from ``start`` to ``end``, ``READ_BLOCK`` at a time (the file offset untouched)."""
    at = start
    while at < end:
        block = os.pread(fd, min(READ_BLOCK, end - at), at)
        if not block:
            return
        at += len(block)
        yield block


def _after_last_newline(fd: int, size: int) -> int:
    """The offset just after the file's last newline (0 without one): where its complete lines end."""
    end = size
    while end > 0:
        start = max(0, end - READ_BLOCK)
        block = os.pread(fd, end - start, start)
        at = block.rfind(b"\n")
        if at >= 0:
            return start + at + 1
        end = start
    return 0


def parse_lines(data: bytes, path: Path, error: type[Exception], check: Check, first: int = 1) -> list[dict[str, Any]]:
    """The JSON objects of complete lines; ``error`` naming the line if one is not JSON or fails ``check``
    (``first``: the number of the first line of ``data`` in its file)."""
    out = []
    for n, raw in enumerate(data.splitlines(), first):
        if not raw.strip():
            continue
        try:
            line = loads_json(raw, "")
        except DataFileError as exc:  # not JSON, or nested too deep, or an integer too long
            raise error(f"{printable(path)}:{n}: {exc.message}; the file is corrupt") from None
        why = check(line)
        if why is not None:
            raise error(f"{printable(path)}:{n}: {why}")
        out.append(line)
    return out


def line_starts(data: bytes) -> list[tuple[int, int]]:
    """The number and byte offset of each line ``parse_lines`` reads from ``data`` (blank lines skipped)."""
    out = []
    offset = 0
    for n, raw in enumerate(data.splitlines(keepends=True), 1):
        if raw.strip():
            out.append((n, offset))
        offset += len(raw)
    return out


def check_resume_settings(
    path: Path,
    settings: Mapping[str, Any],
    folder: Path,
    error: type[Exception],
    what: str,
    show: Callable[[str], str],
) -> None:
    """Refuse to resume in ``folder`` unless the JSON object at ``path`` holds exactly ``settings``: a tune's or an
    exploit search's ``--resume`` (``what``: what the file should hold, for the message; ``show``: how a key that
    differs is quoted)."""
    shown = printable(path)
    try:
        old = loads_json(read_text(path, limit=1 << 20), shown)
    except DataFileError as exc:
        raise error(f"cannot resume: {exc}; choose another --out") from None
    if not isinstance(old, dict):
        raise error(f"cannot resume: {shown} does not hold {what}; choose another --out")
    same = {k: json.dumps(v, sort_keys=True) for k, v in settings.items()}
    given = {k: json.dumps(v, sort_keys=True) for k, v in old.items()}
    changed = sorted(k for k in set(same) | set(given) if same.get(k) != given.get(k))
    if changed:
        raise error(
            f"cannot resume {printable(folder)}: it was started with other settings "
            f"({', '.join(show(k) for k in changed[:6])} differ); "
            "run the same command with --resume, or choose another --out"
        )


def keys_problem(line: dict[str, Any], fields: Sequence[str], show: Callable[[str], str]) -> str | None:
    """What is wrong with the keys of a line that must hold exactly ``fields``: the ones it lacks, or the first
    unknown one (quoted by ``show``); None if they are right."""
    missing = [k for k in fields if k not in line]
    if missing:
        return f"it lacks {', '.join(missing)}"
    extra = sorted(k for k in line if k not in fields)
    return f"unknown field {show(extra[0])}" if extra else None


class Stored(Protocol):
    """A record of a resumable run (a tune's trial, an exploit search's candidate): ``line()`` is how it is stored."""

    @property
    def read_from(self) -> int | None:
        """The number of the line it was read from (None: not read back)."""

    def line(self) -> str:
        """The record as its one line in the file."""


S = TypeVar("S", bound=Stored)


SEAL = "crc32"  #: the key of a stored record's checksum (``seal``)


def _crc(doc: Mapping[str, Any]) -> int:
    return zlib.crc32(json.dumps(doc, sort_keys=True).encode())


def seal(text: str) -> str:
    """A record's JSON line with the checksum of its content added (``SEAL``), so that a line changed since it was
    written (by hand, or a disk's corruption that leaves valid JSON) is refused on resume, not carried on."""
    doc = json.loads(text)
    doc[SEAL] = _crc(doc)
    return json.dumps(doc, sort_keys=True)


def unsealed(doc: Any) -> Any:
    """A stored line without its checksum (a line written before records were sealed has none)."""
    if isinstance(doc, dict) and SEAL in doc:
        return {k: v for k, v in doc.items() if k != SEAL}
    return doc


def seal_problem(doc: Any) -> str | None:
    """Why a stored line's checksum does not match its content, or None (also for a line without one)."""
    if not isinstance(doc, dict) or SEAL not in doc or doc[SEAL] == _crc(unsealed(doc)):
        return None
    return "its content does not match its checksum (the line was changed after it was written); the file is corrupt"


class RunFolder(Generic[S]):
    """A resumable run's ``--out`` folder: its settings (``files[1]``, which a resume must match) and its records,
    one a line in ``files[0]`` (a ``JsonLines`` log, fsynced after each), appended as they finish and read back
    (``parse(line, number)``) to resume; ``error`` is raised. A subclass names, for the messages, what the folder
    holds, what its settings file should hold, and what to do about a line that does not fit."""

    held: ClassVar[str] = "a run"  #: what the folder holds ("a tune")
    what: ClassVar[str] = "a run's settings"  #: what its settings file should hold
    hint: ClassVar[str] = "choose another --out"  #: what to do about a stored line that does not fit

    def __init__(
        self,
        folder: Path,
        settings: Mapping[str, Any],
        resume: bool,
        files: tuple[str, str],
        error: type[Exception],
        check: Check,
        parse: Callable[[dict[str, Any], int], S],
    ) -> None:
        from .records import write_atomic

        self.folder, self.settings, self.error = folder, settings, error
        self.path = folder / files[0]
        folder.mkdir(parents=True, exist_ok=True)
        settings_path = folder / files[1]
        if settings_path.exists() or self.path.exists():
            if not resume:
                busy = f"{printable(folder)} already holds {self.held}"
                raise error(f"{busy}: add --resume to continue it, or choose another --out")
            check_resume_settings(settings_path, self.settings, self.folder, error, self.what, self.show)
        else:
            write_atomic(settings_path, json.dumps(dict(settings), indent=1, sort_keys=True) + "\n")
        self.log = JsonLines(self.path, error, lambda doc: seal_problem(doc) or check(unsealed(doc)))
        self.docs = [unsealed(d) for d in self.log.open(True, lambda n: "")]  #: the lines read back, as parsed
        self.records = [parse(d, n) for d, (n, _) in zip(self.docs, self.log.where, strict=True)]

    def show(self, key: str) -> str:
        """How a setting that differs from the stored ones is quoted in the message."""
        return printable(key)[:40]

    def refuse(self, record: S, what: str) -> Exception:
        """The error for a stored line that does not fit this run: FILE:LINE: what is wrong; the hint."""
        return self.error(f"{printable(self.path)}:{record.read_from}: {what}; {self.hint}")

    def add(self, record: S) -> None:
        """Append a record and make it durable before the next one starts."""
        self.records.append(record)
        self.log.append([seal(record.line())])

    def drop(self, count: int) -> None:
        """Keep only the first ``count`` records (a finished run's last phases, when a larger budget goes on)."""
        self.log.cut(count)
        del self.records[count:]

    def close(self) -> None:
        """Close the records file."""
        self.log.close()
