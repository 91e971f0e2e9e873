"""Game records: JSON with engine version, rules fingerprint, seed and action notations.

Replaying a record under the same rules reproduces every state exactly; a record made under other
rules is refused. Files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import __version__
from .engine import apply, new_game
from .errors import RecordError, SummitError
from .ruleset import Ruleset
from .scoring import outcome
from .state import State

FORMAT = "summitgame-record"
VERSION = 1


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
    """Write text to ``path`` so that a crash leaves either the old file or the new, never half."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
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
    """Read a record file; RecordError if it is missing, not JSON or not a record."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"{p}: not a readable game record ({exc})") from None
    return check_shape(doc, str(p))


def check_shape(doc: Any, where: str = "record") -> dict[str, Any]:
    """Validate a record's structure; RecordError says what is wrong."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RecordError(f"{where}: not a summitgame game record")
    if doc.get("version") != VERSION:
        raise RecordError(f"{where}: record version {doc.get('version')!r} is not supported")
    rules = doc.get("rules")
    if not isinstance(rules, dict) or not isinstance(rules.get("fingerprint"), str):
        raise RecordError(f"{where}: rules fingerprint missing")
    if not isinstance(doc.get("seed"), int) or isinstance(doc.get("seed"), bool):
        raise RecordError(f"{where}: seed missing or not an integer")
    acts = doc.get("actions")
    if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
        raise RecordError(f"{where}: actions must be a list of action notations")
    return doc


def replay_states(doc: dict[str, Any], rules: Ruleset, where: str = "record") -> Iterator[State]:
    """Every state of a recorded game, from the start; RecordError if it does not fit these rules."""
    check_shape(doc, where)
    fp = doc["rules"]["fingerprint"]
    if fp != rules.fingerprint:
        raise RecordError(
            f"{where}: recorded under rules {doc['rules'].get('name')!r} ({fp}), but the rules loaded are "
            f"{rules.name!r} ({rules.fingerprint}); load the rule file the game was played with"
        )
    s = new_game(rules, doc["seed"])
    yield s
    for i, text in enumerate(doc["actions"]):
        try:
            s = apply(s, rules.parse_action(text))
        except SummitError as exc:
            raise RecordError(f"{where}: action {i + 1} ({text!r}): {exc}") from None
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
