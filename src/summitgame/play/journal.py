"""The journal of a game in progress: every action appended and fsynced as it is made, so that the game
survives any death of the process (``kill -9``, a crash in the line editor, a closed terminal).

A journal is a JSON-lines file (``jsonlines.JsonLines``: a torn last line is cut, one writer at a
time). Its first line holds what rebuilds the game — rules name and fingerprint, seed, seats and the
rules options — and each further line one step: ``{"n": K, "action": "give arms 1"}`` (the action
after the first K) or ``{"undo_to": K}`` (actions after the first K taken back). Resuming
(``summitgame play --load JOURNAL``) replays it under the rules given and goes on writing to it.
Once the game is finished and its record written, or saved on leaving, the journal is removed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..engine.state import State
from ..errors import RecordError, SummitError
from ..runs.jsonlines import JsonLines, parse_lines
from ..runs.records import FORMAT as RECORD_FORMAT
from ..runs.records import VERSION as RECORD_VERSION
from ..safeio import read_bytes
from ..version import __version__

__all__ = ["FORMAT", "Journal", "is_journal", "journal_doc", "read_journal", "unfinished"]

FORMAT = "summitgame-journal"
VERSION = 1


def _check(line: Any) -> str | None:
    """What is wrong with one journal line (any of its three kinds), or None."""
    if not isinstance(line, dict):
        return "not a journal line"
    if "format" in line:
        return None if line.get("format") == FORMAT else "not a summitgame journal"
    n = line.get("n", line.get("undo_to"))
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        return "a journal step needs a count of actions 'n' or 'undo_to'"
    if "undo_to" in line:
        return None if set(line) == {"undo_to"} else "an undo step holds only 'undo_to'"
    if set(line) != {"n", "action"} or not isinstance(line["action"], str):
        return "an action step holds 'n' and an action notation"
    return None


def journal_doc(lines: Sequence[dict[str, Any]], where: str) -> dict[str, Any]:
    """The game record (plus seats and rules options, as in a save) that a journal's lines describe."""
    if not lines or "format" not in lines[0]:
        raise RecordError(f"{where}: the journal has no header line (it is empty or not a journal)")
    head = lines[0]
    if head.get("version") != VERSION:
        raise RecordError(f"{where}: journal version {head.get('version')!r} is not supported")
    actions: list[str] = []
    for i, line in enumerate(lines[1:], 2):
        if "format" in line:
            raise RecordError(f"{where}:{i}: a second header line")
        if "undo_to" in line:
            if line["undo_to"] > len(actions):
                raise RecordError(f"{where}:{i}: takes back to action {line['undo_to']} of {len(actions)}")
            del actions[line["undo_to"] :]
        else:
            if line["n"] != len(actions):
                raise RecordError(f"{where}:{i}: action {line['n'] + 1} follows action {len(actions)}")
            actions.append(line["action"])
    doc = {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "engine": head.get("engine"),
        "rules": head.get("rules"),
        "seed": head.get("seed"),
        "actions": actions,
        "seats": head.get("seats", {}),
        "rules_options": head.get("rules_options", []),
    }
    return doc


def is_journal(path: Path) -> bool:
    """Whether a file starts like a journal (its first line a journal header)."""
    try:
        data = read_bytes(path)
    except SummitError:
        return False
    first = data.split(b"\n", 1)[0]
    try:
        head = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(head, dict) and head.get("format") == FORMAT


def read_journal(path: Path) -> dict[str, Any]:
    """A journal read without writing to it (a torn last line ignored), as a save document."""
    data = read_bytes(path)
    cut = data.rfind(b"\n") + 1
    return journal_doc(parse_lines(data[:cut], path, RecordError, _check), str(path))


class Journal:
    """One game's journal, held open (and locked) while the game is played."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._log = JsonLines(path, RecordError, _check, fsync_interval=0.0)

    @classmethod
    def create(cls, path: Path, state: State, seats: dict[str, str], rules_args: Sequence[str]) -> Journal:
        """Start a journal for a game: the header, then every action already played in ``state``."""
        journal = cls(path)
        journal._log.open(False, lambda n: f"{path} already holds {n} lines; it is another game's journal")
        rules = state.rules
        head = {
            "format": FORMAT,
            "version": VERSION,
            "engine": __version__,
            "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
            "seed": state.seed,
            "seats": seats,
            "rules_options": list(rules_args),
        }
        table = rules.actions.all
        acts = [table[c].notation() for c in state.history_list() if c >= 0]
        journal._log.append([_dumps(head), *(_dumps({"n": i, "action": a}) for i, a in enumerate(acts))])
        return journal

    @classmethod
    def resume(cls, path: Path) -> tuple[Journal, dict[str, Any]]:
        """Open an existing journal to go on writing to it; with the save document it describes."""
        journal = cls(path)
        lines = journal._log.open(True, lambda n: "")
        try:
            doc = journal_doc(lines, str(path))
        except BaseException:
            journal.close()
            raise
        return journal, doc

    def action(self, n: int, notation: str) -> None:
        """Record the action that follows the first ``n``."""
        self._log.append([_dumps({"n": n, "action": notation})])

    def undo_to(self, n: int) -> None:
        """Record that the actions after the first ``n`` were taken back."""
        self._log.append([_dumps({"undo_to": n})])

    def close(self) -> None:
        """Flush and close (the file stays)."""
        self._log.close()

    def remove(self) -> None:
        """Close and delete the journal: the game is finished or saved elsewhere."""
        self.close()
        self.path.unlink(missing_ok=True)


def _dumps(line: dict[str, Any]) -> str:
    return json.dumps(line, sort_keys=True, separators=(",", ":"))


def unfinished(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Journals left in ``folder`` by games that were not finished or saved (and are not being played
    now), newest first, each with its save document; unreadable ones are skipped."""
    found = []
    for path in sorted(folder.glob("journal-*.jsonl"), reverse=True):
        if _in_use(path):
            continue
        try:
            found.append((path, read_journal(path)))
        except SummitError:
            continue
    return found


def _in_use(path: Path) -> bool:
    """Whether another process holds the journal (a game being played)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Unix: no lock
        return False
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        return True
    return False
