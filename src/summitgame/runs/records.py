"""Game records: JSON with engine version, rules fingerprint, seed and action notations.

Replaying a record under the same rules reproduces every state exactly; a record made under other
rules is refused. Files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..engine.forward import apply, new_game
from ..engine.scoring import outcome
from ..engine.state import State
from ..errors import RecordError, SummitError
from ..rules.ruleset import Ruleset
from ..safeio import DataFileError, loads_json, printable, read_text, writing
from ..version import __version__

FORMAT = "summitgame-record"
VERSION = 1
MAX_ACTION_TEXT = 200  #: an action notation is a few words; a longer one is not read


def record_of(s: State) -> dict[str, Any]:
    """The record of a game so far (finished or not)."""
    rules = s.rules
    table = rules.actions.all
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "engine": __version__,
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint},
        "seed": s.seed,
        "actions": [table[c].notation() for c in s.history_list() if c >= 0],
    }
    if s.to_move < 0:
        doc["outcome"] = outcome(s).as_dict()
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """Canonical JSON text (stable key order, one trailing newline): same game, same bytes."""
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to ``path`` so that a crash leaves either the old file or the new, never half.

    WriteError (one line naming the file) if it cannot be written: a read-only folder, a full disk, a
    folder where the file should be; the old file is then left as it was."""
    target = Path(path)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def save_record(s: State, path: str | Path) -> None:
    """Write a state's record to a file, atomically."""
    write_atomic(path, dumps(record_of(s)))


def read_record(path: str | Path) -> dict[str, Any]:
    """Read a record file; RecordError if it is missing, not a regular file, not JSON within the limits of
    ``safeio`` (size, depth, integer size) or not a record."""
    where = printable(path)
    try:
        doc = loads_json(read_text(path, name=where), where)
    except DataFileError as exc:
        if exc.message == "file not found":
            raise RecordError(f"{where}: no such file") from None
        at = f"line {exc.line}: " if exc.line is not None else ""
        raise RecordError(f"{where}: not a readable game record ({at}{exc.message})") from None
    return check_shape(doc, where)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_shape(doc: Any, where: str = "record") -> dict[str, Any]:
    """Validate a record's structure (every field ``replay`` and the reports use, and its type); RecordError
    says what is wrong."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RecordError(f"{where}: not a summitgame game record")
    if doc.get("version") != VERSION:
        raise RecordError(f"{where}: record version {printable(repr(doc.get('version')), limit=40)} is not supported")
    rules = doc.get("rules")
    if not isinstance(rules, dict) or not isinstance(rules.get("fingerprint"), str):
        raise RecordError(f"{where}: rules fingerprint missing")
    if not isinstance(rules.get("name", ""), str):
        raise RecordError(f"{where}: the rules' name must be text")
    if not _is_int(doc.get("seed")):
        raise RecordError(f"{where}: seed missing or not an integer")
    acts = doc.get("actions")
    if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
        raise RecordError(f"{where}: actions must be a list of action notations")
    if "outcome" in doc and not isinstance(doc["outcome"], dict):
        raise RecordError(f"{where}: outcome must be a table of the game's result")
    return doc


def replay_states(doc: dict[str, Any], rules: Ruleset, where: str = "record") -> Iterator[State]:
    """Every state of a recorded game, from the start; RecordError if it does not fit these rules."""
    check_shape(doc, where)
    fp = doc["rules"]["fingerprint"]
    if fp != rules.fingerprint:
        from ..rules.loader import (  # the loader imports the engine; records must not at import
            bundled_rules_for,
            display,
        )

        bundled = bundled_rules_for(fp)
        hint = (
            f"it was played under the bundled {display(bundled)}: give --rules {display(bundled)}"
            if bundled is not None
            else "load the rule file the game was played with"
        )
        raise RecordError(
            f"{where}: recorded under rules '{printable(doc['rules'].get('name'), limit=80)}' "
            f"({printable(fp, limit=40)}), but the rules loaded are '{printable(rules.name, limit=80)}' "
            f"({rules.fingerprint}); {hint}"
        )
    s = new_game(rules, doc["seed"])
    yield s
    for i, text in enumerate(doc["actions"]):
        if len(text) > MAX_ACTION_TEXT:
            raise RecordError(f"{where}: action {i + 1} ('{printable(text, limit=60)}'): not an action (too long)")
        try:
            s = apply(s, rules.parse_action(text))
        except SummitError as exc:
            raise RecordError(f"{where}: action {i + 1} ('{printable(text, limit=60)}'): {exc}") from None
        yield s


def replay(doc: dict[str, Any], rules: Ruleset, where: str = "record") -> State:
    """The final state of a recorded game; checks a recorded outcome if there is one."""
    s: State | None = None
    for state in replay_states(doc, rules, where):
        s = state
    assert s is not None
    if "outcome" in doc:
        if s.to_move >= 0:
            raise RecordError(f"{where}: the record claims an outcome but the game is not over")
        if outcome(s).as_dict() != doc["outcome"]:
            raise RecordError(f"{where}: replay does not reproduce the recorded outcome")
    return s
