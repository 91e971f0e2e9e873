"""Read rule and card files, resolve ``extends`` and ``--set`` overrides, validate, cross-check.

Every problem found is collected and raised together as one ``RulesError`` whose problems read
``FILE: key.path: what is wrong`` (with a line number where one can be found).
"""

from __future__ import annotations

import bisect
import copy
import difflib
import functools
import os
import re
import tomllib
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .. import safeio
from ..errors import Problem, RulesError
from .crossref import cross_check
from .params import PathPart, fmt_number, format_path, get_at, is_number, parse_path, set_at
from .ruleset import Ruleset, card_values, compile_ruleset
from .schema import DECK_MODELS, ID_PATTERN, AgendaDeck, EventDeck, GestureDeck, RulesFile

OVERRIDE_SOURCE = "--set"


def data_dir() -> Path:
    """Folder holding the bundled ``rules/`` and ``cards/`` (installed wheel or source tree)."""
    packaged = Path(str(resources.files("summitgame"))) / "_data"
    if (packaged / "rules").is_dir():
        return packaged
    return Path(__file__).resolve().parents[3]  # src/summitgame/rules/loader.py -> the source tree


def default_rules_path() -> Path:
    """The bundled default rule file, ``rules/summit.toml``."""
    return data_dir() / "rules" / "summit.toml"


def bundled_rule_files() -> list[Path]:
    """Every rule file shipped with the package."""
    return sorted((data_dir() / "rules").glob("*.toml"))


@functools.lru_cache(maxsize=64)
def bundled_rules_for(fingerprint: str) -> Path | None:
    """The bundled rule file whose fingerprint is ``fingerprint`` (None if none is): a record or save made
    under an earlier edition of the default rules (``rules/classic.toml``) names the file it needs."""
    for path in bundled_rule_files():
        try:
            if load_rules(path).fingerprint == fingerprint:
                return path
        except RulesError:  # a bundled file that does not load is reported by `validate`, not here
            continue
    return None


def display(path: Path) -> str:
    """A path as the user should read it: relative to the working directory where possible, and
    printable (a name from data may hold a NUL or an escape sequence)."""
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was removed
        return safeio.printable(str(path))
    return _display(path, cwd)


@functools.lru_cache(maxsize=256)
def _display(path: Path, cwd: str) -> str:
    # cached: a file with thousands of problems names the same few files thousands of times
    try:
        shown = str(path.resolve().relative_to(Path(cwd).resolve()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, a NUL byte, a loop of symbolic links
        shown = str(path)
    return safeio.printable(shown)


def resolved(path: Path) -> Path:
    """``path`` made absolute with symbolic links resolved where that is possible; never raises (a NUL byte
    or a loop of links is left for ``safeio`` to refuse with a clear message when the file is read)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


# --- TOML reading with line numbers -------------------------------------------------------------


def read_toml_text(path: Path) -> tuple[dict[str, Any] | None, str | None, list[Problem]]:
    """Parse one TOML file through ``safeio`` (a regular file under the size limit, nesting and integers
    within bounds); return its data and text, or a Problem (with the line of a syntax error)."""
    name = display(path)
    try:
        text = safeio.read_text(path, name=name)
        return safeio.loads_toml(text, name), text, []
    except safeio.DataFileError as exc:
        return None, None, [Problem(exc.path, "", exc.message, exc.line)]


def _is_index(part: str) -> bool:
    """An array index in a key path (ASCII digits, a sane length; a key named '²' is not one)."""
    return part.isascii() and part.isdigit() and len(part) < 10


_KEY_RE = re.compile(r"(?:^|(?<=[{,\s]))([A-Za-z0-9_-]+)(?=\s*=)")
_QUOTED_KEY_RE = re.compile(r"""\s*["']([^"'\n]*)["']\s*=""")


@dataclass(frozen=True)
class _LineIndex:
    """Where headers, inline-table rows and ``key =`` occur in TOML text, built in one pass so that each
    lookup costs a dictionary hit and a bisection instead of a scan (validation stays linear in the file)."""

    n: int
    arrays: dict[str, list[int]]  #: ``[[name]]`` → its lines, in order
    tables: dict[str, int]  #: ``[name]`` → its first line
    brackets: list[int]  #: lines that start with ``[`` (headers, and multi-line array rows)
    braces: list[int]  #: lines that start with ``{`` (rows of a multi-line array of inline tables)
    keys: dict[str, list[int]]  #: bare key → lines where ``key =`` appears
    quoted: dict[str, int]  #: quoted key → first line where ``"key" =`` starts a line


@functools.lru_cache(maxsize=16)
def _line_index(text: str) -> _LineIndex:
    arrays: dict[str, list[int]] = {}
    tables: dict[str, int] = {}
    brackets: list[int] = []
    braces: list[int] = []
    keys: dict[str, list[int]] = {}
    quoted: dict[str, int] = {}
    lines = text.splitlines()
    for i, ln in enumerate(lines):
        stripped = ln.strip()
        if stripped.startswith("["):
            brackets.append(i)
            if stripped.startswith("[["):
                if stripped.endswith("]]"):
                    arrays.setdefault(stripped[2:-2], []).append(i)
            elif "]" in stripped:
                tables.setdefault(stripped[1 : stripped.index("]")], i)
        elif stripped.startswith("{"):
            braces.append(i)
        for m in _KEY_RE.finditer(ln):
            hits = keys.setdefault(m.group(1), [])
            if not hits or hits[-1] != i:
                hits.append(i)
        q = _QUOTED_KEY_RE.match(ln)
        if q is not None:
            quoted.setdefault(q.group(1), i)
    return _LineIndex(len(lines), arrays, tables, brackets, braces, keys, quoted)


def locate(text: str, path: str) -> int | None:
    """Best-effort line number of a dotted key path (``cards[2].effects[0].by``) in TOML text."""
    parts = [p for p in re.split(r"\.|\[|\]", path) if p]
    if all(_is_index(p) for p in parts):
        return None
    idx = _line_index(text)
    start, header_depth = 0, 0
    # find the deepest table header matching a prefix of the path (array index = nth header)
    for depth in range(len(parts), 0, -1):
        prefix = parts[:depth]
        if _is_index(prefix[-1]):
            hits = idx.arrays.get(".".join(p for p in prefix[:-1] if not _is_index(p)), [])
            nth = int(prefix[-1])
            if nth < len(hits):
                start, header_depth = hits[nth], depth
                break
        else:
            first = idx.tables.get(".".join(p for p in prefix if not _is_index(p)))
            if first is not None:
                start, header_depth = first, depth
                break
    rest = parts[header_depth:]
    if all(_is_index(p) for p in rest):
        return start + 1
    end = idx.n
    if header_depth:
        after = bisect.bisect_right(idx.brackets, start)
        end = idx.brackets[after] if after < len(idx.brackets) else idx.n
    line, found = start + (1 if header_depth else 0), None
    for part in rest:
        if _is_index(part):
            # the n-th inline table of a multi-line array, one per line
            lo, hi = bisect.bisect_left(idx.braces, line), bisect.bisect_left(idx.braces, end)
            if int(part) < hi - lo:
                line = idx.braces[lo + int(part)]
            continue
        hits = idx.keys.get(part, [])
        at = bisect.bisect_left(hits, line)
        if at == len(hits) or hits[at] >= end:
            break
        line = found = hits[at]
    if found is not None:
        return found + 1
    return start + 1 if header_depth else None


# --- extends and overrides ----------------------------------------------------------------------


@dataclass
class Merged:
    """A rule file's data after ``extends``; ``sources`` maps each key path to the file it came from."""

    data: dict[str, Any]
    sources: dict[str, Path | str] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)
    #: a table or key an override created (``no`` for ``--set no.such=1``) -> (the option, its whole key path)
    created: dict[str, tuple[str, str]] = field(default_factory=dict)
    overridden: dict[str, str] = field(default_factory=dict)  #: key path an override set -> the option
    #: overrides of card data (``cards.gestures.photo_op.copies=3``): (the option, key path, value), applied to
    #: the decks once they are read
    card_changes: list[tuple[str, list[PathPart], Any]] = field(default_factory=list)
    #: ``cards.…`` entries a file's ``remove`` takes out: (the file, key path), applied once the decks are read
    card_removals: list[tuple[Path, list[PathPart]]] = field(default_factory=list)
    removed: dict[str, Path] = field(default_factory=dict)  #: key path of an entry a file removed -> that file


def _record(sources: dict[str, Path | str], prefix: str, value: Any, src: Path | str) -> None:
    sources[prefix] = src
    if isinstance(value, dict):
        for k, v in value.items():
            _record(sources, f"{prefix}.{k}" if prefix else k, v, src)


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge tables; any other value in ``top`` (arrays included) replaces the base's."""
    out = dict(base)
    for k, v in top.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


MAX_EXTENDS = 32  #: longest chain of rule files extending one another
RULE_KEYS = frozenset(RulesFile.model_fields)  #: the top-level keys a rule file may have
CARDS_KEY = "cards"  #: key paths into card data start with it: ``cards.gestures.photo_op.copies``
CARD_PATH_HINT = "name a field of one card: cards.DECK.CARD_ID.FIELD, e.g. cards.gestures.photo_op.copies"
_DECKS = ", ".join(DECK_MODELS)


def resolve_extends(path: Path, problems: list[Problem]) -> Merged | None:
    """Load a rule file and the chain it extends, base first. A parent is found relative to the file that
    names it; one that cannot be read is reported at that file's ``extends`` line."""
    chain: list[Path] = []
    current = resolved(path)
    layers: list[tuple[Path, dict[str, Any]]] = []
    texts: dict[Path, str] = {}
    while True:
        if current in chain:
            cycle = " -> ".join(display(p) for p in [*chain, current])
            problems.append(Problem(display(chain[-1]), "extends", f"circular extends: {cycle}"))
            return None
        if len(chain) >= MAX_EXTENDS:
            problems.append(Problem(display(chain[-1]), "extends", f"more than {MAX_EXTENDS} files extend one another"))
            return None
        chain.append(current)
        name = display(current)
        try:
            text = safeio.read_text(current, name=name)
        except safeio.DataFileError as exc:
            if len(chain) == 1:
                problems.append(Problem(exc.path, "", exc.message))
            else:
                parent_text = texts[chain[-2]]
                problems.append(
                    Problem(
                        display(chain[-2]),
                        "extends",
                        f"cannot load {name}: {exc.message}",
                        locate(parent_text, "extends"),
                    )
                )
            return None
        try:
            data = safeio.loads_toml(text, name)
        except safeio.DataFileError as exc:
            problems.append(Problem(exc.path, "", exc.message, exc.line))
            return None
        if len(chain) > 1 and (not RULE_KEYS.intersection(data) or _is_deck_data(data)):
            # named by data, and not a rule file at all: say so without echoing what the file holds
            problems.append(
                Problem(
                    display(chain[-2]),
                    "extends",
                    f"{name} is not a rule file: none of its keys is a rule file's",
                    locate(texts[chain[-2]], "extends"),
                )
            )
            return None
        texts[current] = text
        layers.append((current, data))
        parent = data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str):
            problems.append(Problem(name, "extends", "must be a file path (a string)", locate(text, "extends")))
            return None
        current = resolved(current.parent / parent)
    merged: dict[str, Any] = {}
    sources: dict[str, Path | str] = {}
    removals: list[tuple[Path, list[PathPart]]] = []
    removed: dict[str, Path] = {}
    for n, (src, data) in enumerate(reversed(layers)):
        data = dict(data)
        if "remove" in data:
            removals += _remove(merged, sources, data.pop("remove"), src, texts[src], n > 0, problems, removed)
        merged = _merge(merged, data)
        _record(sources, "", data, src)
    merged.pop("extends", None)
    return Merged(merged, sources, texts, card_removals=removals, removed=removed)


_ENTRY_WORDS = {"tracks": "track", "meters": "meter", "tiers": "tier", "roles": "role", "stages": "stage"}


def _removal_hint(merged: Merged, p: Problem) -> Problem:
    """A problem naming an entry a file removed (``unknown track 'syria'``) says which file removed it."""
    for path, src in merged.removed.items():
        section, _, entry = path.partition(".")
        word = _ENTRY_WORDS.get(section)
        if word is not None and f"{word} {entry!r}" in p.message:
            return Problem(p.file, p.path, f"{p.message} ({display(src)} removes {path})", p.line)
    return p


def _is_deck_data(data: dict[str, Any]) -> bool:
    """Whether a file's data is a card file's (a ``deck`` key, or ``cards`` as an array; a rule file's
    ``[cards]`` is a table of changes)."""
    return "deck" in data or isinstance(data.get(CARDS_KEY), list)


def no_entry(data: Any, parts: Sequence[PathPart], what: str = "the rules") -> str | None:
    """Why a key path names nothing in ``data`` (None if it names something): the deepest part of it that
    does, and the closest key there (``tiers.partal: tiers has no 'partal'; did you mean 'tiers.partial'?``)."""
    node = data
    for i, p in enumerate(parts):
        if isinstance(p, int):
            if isinstance(node, list) and p < len(node):
                node = node[p]
                continue
            try:
                get_at(data, parts[: i + 1])
            except LookupError as exc:
                return str(exc)
        if isinstance(node, dict) and p in node:
            node = node[p]
            continue
        if not isinstance(node, dict):
            return f"{format_path(parts[:i])} is not a table"
        msg = f"{format_path(parts[:i]) or what} has no {str(p)!r}"
        guess = did_you_mean(str(p), [str(k) for k in node])
        if guess is not None:
            msg += f"; did you mean {format_path([*parts[:i], guess, *parts[i + 1 :]])!r}?"
        return msg
    return None


def _remove(
    merged: dict[str, Any],
    sources: dict[str, Path | str],
    remove: Any,
    src: Path,
    text: str,
    has_parent: bool,
    problems: list[Problem],
    removed: dict[str, Path],
) -> list[tuple[Path, list[PathPart]]]:
    """Take the entries a file's ``remove`` names out of the rules it extends (``merged``, in place): a removed
    tier leaves ``outcome.order``, the ``[tunable]`` ranges under a removed entry go with it. Card entries
    (``cards.gestures.x``) are returned, to be taken out once the decks are read."""
    name, line = display(src), locate(text, "remove")
    if not has_parent:
        problems.append(Problem(name, "remove", "only a file that extends another can remove entries from it", line))
        return []
    if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
        problems.append(Problem(name, "remove", "must be an array of key paths (strings)", line))
        return []
    cards: list[tuple[Path, list[PathPart]]] = []
    for key in remove:
        try:
            parts = list(parse_path(key))
        except ValueError as exc:
            problems.append(Problem(name, "remove", str(exc), line))
            continue
        shown = safeio.shorten(repr(key), MAX_OVERRIDE_SHOWN)
        if any(isinstance(p, int) for p in parts):
            problems.append(
                Problem(name, "remove", f"{shown}: removes table entries, not array items; set the array", line)
            )
            continue
        if parts[0] == CARDS_KEY:
            if len(parts) < 3 or parts[1] not in DECK_MODELS:
                problems.append(
                    Problem(name, "remove", f"{shown}: name a card as cards.<deck>.<card id> (decks: {_DECKS})", line)
                )
            else:
                cards.append((src, parts))
            continue
        why = no_entry(merged, parts, "the rules")
        if why is not None:
            problems.append(Problem(name, "remove", f"{shown}: nothing to remove: {why}", line))
            continue
        if len(parts) == 1 and parts[0] in RULE_KEYS and parts[0] not in ("tunable", "cards"):
            problems.append(Problem(name, "remove", f"{shown}: a whole section cannot be removed", line))
            continue
        holder = get_at(merged, parts[:-1]) if len(parts) > 1 else merged
        del holder[str(parts[-1])]
        gone = format_path(parts)
        removed[gone] = src
        for k in [k for k in sources if k == gone or k.startswith((f"{gone}.", f"{gone}["))]:
            del sources[k]
        tunable = merged.get("tunable")
        if isinstance(tunable, dict):
            for k in [k for k in tunable if k == gone or k.startswith((f"{gone}.", f"{gone}["))]:
                del tunable[k]
        order = merged.get("outcome", {}).get("order") if isinstance(merged.get("outcome"), dict) else None
        if len(parts) == 2 and parts[0] == "tiers" and isinstance(order, list):
            merged["outcome"] = {**merged["outcome"], "order": [t for t in order if t != parts[1]]}
    return cards


MAX_OVERRIDE_SHOWN = 60  #: characters of an override's text quoted in a message


def parse_override(text: str) -> tuple[list[PathPart], Any]:
    """Split ``key.path=value``; the value is read as TOML, or taken as a string if it isn't one TOML value.

    ValueError (with a short message) for a bad key path, or a value nested too deep or with a huge integer."""
    shown = safeio.shorten(repr(text), MAX_OVERRIDE_SHOWN)
    if "=" not in text:
        raise ValueError(f"{shown}: expected key.path=value")
    key, raw = text.split("=", 1)
    try:
        keys = list(parse_path(key.strip()))
    except ValueError as exc:  # "bad key path ...: why"
        raise ValueError(f"{shown}: {exc}") from None
    raw = raw.strip()
    try:
        doc = tomllib.loads(f"v = {raw}")
    except tomllib.TOMLDecodeError:
        return keys, raw
    except RecursionError:
        raise ValueError(f"{shown}: the value is nested deeper than {safeio.MAX_DEPTH} levels") from None
    except ValueError:  # an integer literal over Python's digit limit
        raise ValueError(f"{shown}: holds an integer of more than {safeio.MAX_INT_DIGITS} digits") from None
    if list(doc) != ["v"]:  # 'x = 1\n[t]' is not one value: take the text as it is
        return keys, raw
    try:
        safeio.check_depth(doc["v"], "", safeio.MAX_DEPTH - len(keys))
    except safeio.DataFileError as exc:
        raise ValueError(
            f"{shown}: the value {'is ' if exc.message.startswith('nested') else ''}{exc.message}"
        ) from None
    return keys, doc["v"]


def apply_overrides(
    merged: Merged, overrides: Sequence[str], problems: list[Problem], label: str = OVERRIDE_SOURCE
) -> None:
    """Apply ``--set key.path=value`` overrides in place; bad ones become Problems.

    ``label`` names the option in messages (``--set``, or ``--param`` for a sweep's or tune's point)."""
    for text in overrides:
        try:
            keys, value = parse_override(text)
        except ValueError as exc:
            problems.append(Problem(label, "", str(exc)))
            continue
        where = f"{label} {safeio.shorten(text, MAX_OVERRIDE_SHOWN)}"
        if keys[0] == "extends":
            problems.append(Problem(where, "extends", "extends cannot be overridden; use --rules"))
            continue
        if keys[0] == "remove":
            problems.append(Problem(where, "remove", "remove cannot be overridden; write a file that extends"))
            continue
        if keys[0] == CARDS_KEY:  # card data: applied once the decks are read
            merged.card_changes.append((where, keys, value))
            continue
        if keys[0] in DECK_MODELS and keys[0] not in merged.data:  # a card path without its 'cards.'
            meant = format_path([CARDS_KEY, *keys])
            problems.append(Problem(where, "", f"{UNKNOWN_KEY} {format_path(keys)!r}; did you mean {meant!r}?"))
            continue
        fresh = _first_new_key(merged.data, keys)
        try:
            set_at(merged.data, keys, value)
        except LookupError as exc:
            problems.append(Problem(where, format_path(keys), str(exc)))
            continue
        _record(merged.sources, format_path(keys), value, where)
        merged.overridden[format_path(keys)] = where
        if fresh is not None:  # a key the files do not have: blame this option if the schema refuses it
            merged.sources[fresh] = where
            merged.created[fresh] = (where, format_path(keys))


def _first_new_key(data: dict[str, Any], keys: Sequence[PathPart]) -> str | None:
    """The key path of the first key of ``keys`` that ``data`` does not have (None if it has them all)."""
    node: Any = data
    for i, k in enumerate(keys):
        if isinstance(k, int):
            if not isinstance(node, list) or k >= len(node):
                return None  # set_at refuses a missing array item itself
            node = node[k]
        elif isinstance(node, dict) and k in node:
            node = node[k]
        else:
            return format_path(keys[: i + 1])
    return None


def _override_typos(merged: Merged, problems: list[Problem]) -> list[Problem]:
    """An unknown key an override created is reported at that option with its whole key path
    (``--set no.such=1: unknown key 'no.such'``), with the closest key the schema or the rules allow where one
    is close; the required keys a new entry would lack are not listed one by one."""
    out: list[Problem] = []
    done: set[str] = set()
    for p in problems:
        fresh = next((c for c in merged.created if p.path == c or p.path.startswith((f"{c}.", f"{c}["))), None)
        if fresh is None or not (p.message.startswith(UNKNOWN_KEY) or p.message == _message({"type": "missing"})):
            out.append(p)
            continue
        where, full = merged.created[fresh]
        keys = parse_path(full)
        depth = len(parse_path(fresh))
        parent = list(keys[: depth - 1])
        known = keys_at(RulesFile, parent, merged.data)
        if known is not None and keys[depth - 1] in known:  # a table the schema has: say what it lacks
            out.append(p)
            continue
        if fresh in done:
            continue
        done.add(fresh)
        if known is None:  # a table of ids (meters, tracks, tiers): the ids the rules have
            node = get_at(merged.data, parent) if parent else merged.data
            known = [k for k in node if k != keys[depth - 1]] if isinstance(node, dict) else []
        msg = f"{UNKNOWN_KEY} {full!r}"
        guess = did_you_mean(str(keys[depth - 1]), known)
        if guess is not None:
            msg += f"; did you mean {format_path([*parent, guess, *keys[depth:]])!r}?"
        elif depth < len(keys) or p.message == _message({"type": "missing"}):
            msg += (
                f": the rules have no {format_path(keys[:depth])!r}, and an override changes values, it adds no entry"
            )
        out.append(Problem(where, "", msg))
    return out


def tunable_problems(merged: Merged, spec: RulesFile, cards: _Cards | None = None) -> list[Problem]:
    """Each ``[tunable]`` entry (of the rule file, or of a card file) must name a number of the rules or of the
    cards, and that number must lie in its range.

    A value out of range is reported where it was set: the ``--set``/``--param`` option, or the file."""
    problems: list[Problem] = []
    values = spec.model_dump(mode="python") if spec.tunable else {}  # defaults included
    decks = cards.decks if cards is not None else {}
    events, gestures, agendas = (decks.get(k) for k in DECK_MODELS)
    with_cards = isinstance(events, EventDeck) and isinstance(gestures, GestureDeck) and isinstance(agendas, AgendaDeck)
    if spec.tunable and with_cards:
        values[CARDS_KEY] = card_values(events, gestures, agendas)  # type: ignore[arg-type]
    for key, tun in spec.tunable.items():
        if key.startswith(f"{CARDS_KEY}.") and not with_cards:
            continue  # a deck that did not load is reported as such
        declared = cards.declared(key) if cards is not None else None
        if declared is not None:
            name, line = declared
        else:
            name, text = _source_for(merged, f"tunable.{key}")
            line = _quoted_key_line(text, key) if text else None
        try:
            value = get_at(values, parse_path(key))
        except (LookupError, ValueError) as exc:  # no such value; a path too long or an index too big
            problems.append(Problem(name, f'tunable."{key}"', f"names no value of the rules: {exc}", line))
            continue
        if not is_number(value):
            problems.append(Problem(name, f'tunable."{key}"', f"{key} is {value!r}, not a number", line))
            continue
        span = f"{fmt_number(tun.min)}..{fmt_number(tun.max)}"
        if isinstance(value, int) and not all(isinstance(v, int) for v in (tun.min, tun.max, tun.step or 1)):
            problems.append(
                Problem(
                    name, f'tunable."{key}"', f"{key} is a whole number; give min, max and step as whole numbers", line
                )
            )
        if not tun.min <= value <= tun.max:
            if key.startswith(f"{CARDS_KEY}.") and cards is not None:
                where, vline = cards.where(key)
            else:
                where, vtext = _source_for(merged, key)
                vline = locate(vtext, key) if vtext else None
            problems.append(
                Problem(
                    where,
                    key,
                    f"{fmt_number(value)} is outside the range the rules allow ({span}, "
                    f"[tunable] in {name}{f':{line}' if line else ''})",
                    vline,
                )
            )
    return problems


def _quoted_key_line(text: str, key: str) -> int | None:
    """The line of a quoted key (``"meters.trust.start" = ...``) in TOML text."""
    line = _line_index(text).quoted.get(key)
    return None if line is None else line + 1


# --- validation ---------------------------------------------------------------------------------


MAX_KEY_SHOWN = 40  #: characters of one key from a file quoted in a key path


def _key(part: int | str) -> str:
    """One key of a path as shown: printable, cut short, quoted if it holds a dot (a [tunable] key path)."""
    key = safeio.shorten(str(part), MAX_KEY_SHOWN)
    return f'"{key}"' if "." in key else key


def _loc_parts(loc: Iterable[int | str], data: Any, missing: bool) -> list[int | str]:
    """A pydantic error location as the keys and indexes it names in the data, dropping union/tag labels."""
    items = list(loc)
    out: list[int | str] = []
    node = data
    for i, part in enumerate(items):
        last = i == len(items) - 1
        in_list = isinstance(part, int) and isinstance(node, list) and part < len(node)
        if isinstance(node, dict) and not last and node.get("kind") == part:
            continue  # the tag of a tagged union ('meter' for a meter condition), though a key has its name
        if in_list or (isinstance(node, dict) and part in node):
            out.append(part)
            node = node[part]
        elif last and missing:
            out.append(part)
        # otherwise: a union member or discriminator tag, not a key in the file
    return out


def _loc_path(loc: Iterable[int | str], data: Any, missing: bool) -> str:
    """Turn a pydantic error location into ``a.b[0].c``, dropping union/tag labels not in the data."""
    out = ""
    for part in _loc_parts(loc, data, missing):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_key(part)}" if out else _key(part)
    return out


def _model_of(tp: Any, node: Any) -> Any:
    """``tp`` with ``Annotated`` and ``None`` stripped and a union resolved by the data (a ``kind`` tag, or
    the one model member when ``node`` is a table); None when it cannot be told."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
            continue
        if origin is Union or origin is types.UnionType:
            members = [a for a in get_args(tp) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            kind = node.get("kind") if isinstance(node, dict) else None
            tagged = [
                m for m in models if "kind" in m.model_fields and kind in get_args(m.model_fields["kind"].annotation)
            ]
            if tagged:
                tp = tagged[0]
            elif len(members) == 1:
                tp = members[0]
            elif isinstance(node, dict) and len(models) == 1:
                tp = models[0]
            elif isinstance(node, dict):
                tables = [m for m in members if get_origin(m) is dict]
                if len(tables) != 1:
                    return None
                tp = tables[0]
            else:
                return None
            continue
        return tp


def keys_at(model: type[BaseModel], parts: Sequence[int | str], data: Any) -> list[str] | None:
    """The keys the schema allows in the table at ``parts`` of ``data`` (None when that is no model's table)."""
    tp: Any = model
    node = data
    for part in parts:
        tp = _model_of(tp, node)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field_info = tp.model_fields.get(part) if isinstance(part, str) else None
            if field_info is None:
                return None
            tp = field_info.annotation
        elif get_origin(tp) is dict and isinstance(part, str):
            tp = get_args(tp)[1]
        elif get_origin(tp) in (list, tuple) and isinstance(part, int):
            tp = get_args(tp)[0]
        else:
            return None
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    tp = _model_of(tp, node)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def did_you_mean(key: str, known: Iterable[str]) -> str | None:
    """The known key closest to a mistyped one, if one is close enough to be the likely intent."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


_TYPE_WORDS = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "a boolean (true or false)",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "list_type": "an array",
}


def describe_value(value: Any) -> str:
    """What a value from a file is, for a message: its TOML type and (shortened) the value itself."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a float ({value!r})"
    if isinstance(value, str):
        return f"a string ({safeio.shorten(repr(value), MAX_KEY_SHOWN)})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a date or time ({safeio.shorten(value, MAX_KEY_SHOWN)})"


def _message(err: Any) -> str:
    """One pydantic error as a sentence for a designer (no input echoed beyond a short, printable quote)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return f"{UNKNOWN_KEY} (not in the schema; a typo?)"
    if kind == "missing":
        return "required key is missing"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"needs at least {least} entries"
    if kind == "union_tag_invalid":
        tag = safeio.shorten(repr(ctx.get("tag", "")), MAX_KEY_SHOWN)
        return f"kind {tag} is not one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return f"required key {ctx.get('discriminator', 'kind')} is missing"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        return f"expected an id (a-z, 0-9 and _, starting with a letter), got {describe_value(err.get('input'))}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the listed values')}, got {describe_value(err.get('input'))}"
    if kind == "finite_number":
        return f"must be a finite number, not {describe_value(err.get('input'))}"
    return str(err["msg"]).removeprefix("Value error, ")


def _proper_prefixes(path: str) -> Iterable[str]:
    """``a.b[0].c`` → ``a``, ``a.b``, ``a.b[0]``: the paths of the tables and arrays that hold it."""
    return (path[:k] for k, ch in enumerate(path) if ch in ".[" and k)


UNKNOWN_KEY = "unknown key"


def validation_problems(
    exc: ValidationError, data: Any, where: Any, prefix: str = "", model: type[BaseModel] | None = None
) -> list[Problem]:
    """Problems from a pydantic ValidationError; ``where(path)`` gives (file name, text).

    A value of the wrong type reads ``expected an integer, got a string ('5')``; an unknown key close to one
    the schema allows (``model``: the file's model) reads ``unknown key 'bonsu'; did you mean 'bonus'?``, and
    then the key it means is not also reported missing. Linear in the errors."""
    grouped: dict[str, list[str]] = {}
    expected: dict[str, list[str]] = {}
    given: dict[str, str] = {}
    meant: set[str] = set()  #: paths of missing keys a typo names ('did you mean')
    missing_paths: set[str] = set()
    for err in exc.errors(include_url=False):
        parts = _loc_parts(err["loc"], data, err["type"] == "missing")
        path = _loc_path(err["loc"], data, err["type"] == "missing")
        path = f"{prefix}.{path}" if prefix and path else (prefix or path)
        bucket = grouped.setdefault(path, [])
        word = _TYPE_WORDS.get(err["type"])
        if word is not None:
            words = expected.setdefault(path, [])
            if word not in words:
                words.append(word)
            given.setdefault(path, describe_value(err.get("input")))
            continue
        msg = _message(err)
        if err["type"] == "missing":
            missing_paths.add(path)
        if err["type"] == "extra_forbidden" and model is not None and parts and isinstance(parts[-1], str):
            known = keys_at(model, parts[:-1], data)
            guess = did_you_mean(parts[-1], known) if known else None
            if guess is not None:
                msg = f"{UNKNOWN_KEY} {_key(parts[-1])!r}; did you mean {guess!r}?"
                meant.add(path[: len(path) - len(_key(parts[-1]))] + guess)
        if msg not in bucket:
            bucket.append(msg)
    holders = {p for path in grouped for p in _proper_prefixes(path)}
    problems = []
    for path, msgs in grouped.items():
        # A union (number or per-role table) reports one error per branch; keep the more specific one.
        if path and path in holders:
            continue
        if path in meant and path in missing_paths:  # the typo's message says it
            msgs = [m for m in msgs if m != _message({"type": "missing"})]
            if not msgs and path not in expected:
                continue
        wanted = expected.get(path, [])
        if wanted:
            if "an integer" in wanted and "a number" in wanted:  # a number may be whole: say it once
                wanted = [w for w in wanted if w != "an integer"]
            msgs = [f"expected {' or '.join(wanted)}, got {given[path]}", *msgs]
        name, text = where(path)
        quoted = re.search(r'"([^"]+)"', path)
        line = None
        if text:
            line = _quoted_key_line(text, quoted.group(1)) if quoted else locate(text, path)
        problems.append(Problem(name, path, " or ".join(msgs), line))
    return problems


def _source_for(merged: Merged, path: str) -> tuple[str, str | None]:
    """The file (and its text) that defined the longest known prefix of a key path (an override of one
    array item, ``proposals.cap[1].steps``, is found before the file that holds the array); a table an
    override changed a key of (``tiers.failed.any[0]`` for ``--set tiers.failed.any[0].kind=x``) is blamed
    on that override."""
    if path not in merged.sources:
        for key, option in merged.overridden.items():
            if key.startswith((f"{path}.", f"{path}[")):
                return option, None
    for key in (path, re.sub(r"\[\d+\]", "", path)):
        while key:
            src = merged.sources.get(key)
            if src is not None:
                if isinstance(src, Path):
                    return display(src), merged.texts.get(src)
                return src, None
            shorter = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", key)
            key = "" if shorter == key else shorter
    first = next((s for s in merged.sources.values() if isinstance(s, Path)), None)
    return (display(first), merged.texts.get(first)) if first else ("<rules>", None)


Deck = EventDeck | GestureDeck | AgendaDeck


def check_deck(
    data: dict[str, Any], text: str, name: str, expected: str | None, problems: list[Problem]
) -> Deck | None:
    """Schema-check one card file's parsed data (``text`` for line numbers, ``name`` for messages)."""
    if "deck" not in data and "cards" not in data:  # not a card file: say so without echoing what it holds
        problems.append(Problem(name, "", "not a card file: it has neither a 'deck' nor a 'cards' key"))
        return None
    kind = data.get("deck", expected)
    if expected is not None and kind != expected:
        problems.append(
            Problem(
                name,
                "deck",
                f"expected a {expected!r} deck, found {safeio.shorten(repr(kind), MAX_KEY_SHOWN)}",
                locate(text, "deck"),
            )
        )
        return None
    model = DECK_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        problems.append(
            Problem(
                name,
                "deck",
                ("required key is missing; it " if kind is None else "")
                + f"must be one of {', '.join(map(repr, DECK_MODELS))}",
                locate(text, "deck"),
            )
        )
        return None
    try:
        deck: Deck = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, data, lambda _p: (name, text), model=model))
        return None
    seen: dict[str, int] = {}
    for i, card in enumerate(deck.cards):
        if card.id in seen:
            problems.append(
                Problem(
                    name,
                    f"cards[{i}].id",
                    f"duplicate card id {card.id!r} (first at cards[{seen[card.id]}])",
                    locate(text, f"cards[{i}].id"),
                )
            )
        seen.setdefault(card.id, i)
    for key in deck.tunable:  # a card file's ranges are for its own cards, named as --set names them
        if not key.startswith(f"{CARDS_KEY}.{kind}."):
            problems.append(
                Problem(
                    name,
                    f'tunable."{key}"',
                    f"a {kind} deck's [tunable] names its own cards' values: key paths start with "
                    f"'{CARDS_KEY}.{kind}.', e.g. '{CARDS_KEY}.{kind}.{deck.cards[0].id}.copies'",
                    _quoted_key_line(text, key),
                )
            )
    return deck


def merged_data(
    path: str | Path | None = None, overrides: Sequence[str] = (), params: Sequence[str] = ()
) -> dict[str, Any]:
    """A rule file's data as written (no defaults filled in) after ``extends``, ``--set`` and ``--param``:
    what a file that changes it should copy from (``tune`` writing its winner). RulesError if it fails."""
    problems: list[Problem] = []
    merged = resolve_extends(Path(path) if path is not None else default_rules_path(), problems)
    if merged is not None:
        apply_overrides(merged, overrides, problems)
        apply_overrides(merged, params, problems, "--param")
    if problems or merged is None:
        raise RulesError(problems)
    return merged.data


def load_rules(path: str | Path | None = None, overrides: Sequence[str] = (), params: Sequence[str] = ()) -> Ruleset:
    """Load, validate and compile a rule file and its decks; raise RulesError listing every problem.

    ``overrides`` are ``--set`` texts; ``params`` are applied after them the same way, but named
    ``--param`` in messages (a sweep's or tune's point)."""
    return _load_rules(path, overrides, params, blame=True)


def _load_rules(path: str | Path | None, overrides: Sequence[str], params: Sequence[str], *, blame: bool) -> Ruleset:
    """``load_rules``; ``blame``: report a problem that a file's child or an override caused there
    (``_blame_causes``), which loads the files of the chain again, each without blame."""
    rules_path = Path(path) if path is not None else default_rules_path()
    problems: list[Problem] = []
    merged = resolve_extends(rules_path, problems)
    if merged is None:
        raise RulesError(problems)
    apply_overrides(merged, overrides, problems)
    apply_overrides(merged, params, problems, "--param")
    if problems:
        raise RulesError(problems)
    try:
        spec = RulesFile.model_validate(merged.data)
    except ValidationError as exc:
        problems.extend(
            _override_typos(
                merged, validation_problems(exc, merged.data, lambda p: _source_for(merged, p), model=RulesFile)
            )
        )
        raise RulesError(problems) from None

    cards = _read_decks(merged, spec, rules_path, problems)
    decks = cards.decks
    extra = {
        k: t
        for kind in DECK_MODELS
        if (d := decks[kind]) is not None
        for k, t in d.tunable.items()
        if k not in spec.tunable
    }
    if extra:  # a card file's [tunable] ranges join the rule file's (which win for the same key)
        spec = spec.model_copy(update={"tunable": {**spec.tunable, **extra}})

    def rules_where(p: str) -> tuple[str, int | None]:
        name, text = _source_for(merged, p)
        return name, (locate(text, p) if text else None)

    def deck_where(kind: str, p: str) -> tuple[str, int | None]:
        f = cards.files[kind]
        text = cards.texts.get(f)
        return display(f), (locate(text, p) if text else None)

    events, gestures, agendas = decks["events"], decks["gestures"], decks["agendas"]
    checked = [
        cards.blame(p)
        for p in cross_check(spec, events, gestures, agendas, rules_where, deck_where)  # type: ignore[arg-type]
    ]
    reported = {p.path for p in [*problems, *checked] if p.path}
    checked.extend(  # a value already reported (out of its meter's bounds, say) is not reported twice
        p
        for p in tunable_problems(merged, spec, cards)
        if not any(p.path[:k] in reported for k in range(1, len(p.path) + 1))
    )
    if blame and checked and (len(merged.texts) > 1 or overrides or params):
        checked = _blame_causes(merged, checked, overrides, params)
    if merged.removed:
        checked = [_removal_hint(merged, p) for p in checked]
    problems.extend(dict.fromkeys(checked))  # each problem once (a per-role value out of range for both roles)
    if problems or events is None or gestures is None or agendas is None:
        raise RulesError(problems)
    assert isinstance(events, EventDeck)
    assert isinstance(gestures, GestureDeck)
    assert isinstance(agendas, AgendaDeck)
    return compile_ruleset(spec, events, gestures, agendas, source=str(rules_path))


@dataclass
class _Cards:
    """The three decks of a rule set as read and then changed (a rule file's ``[cards]`` tables, ``--set
    cards.…`` overrides, ``remove``), with who set each changed value, so that a problem is reported at its
    cause: ``--set cards.gestures.photo_op.copies=9: cards.gestures.photo_op.copies: ...``."""

    files: dict[str, Path] = field(default_factory=dict)  #: deck kind -> its file
    texts: dict[Path, str] = field(default_factory=dict)
    decks: dict[str, Deck | None] = field(default_factory=dict)
    ids: dict[str, list[str | None]] = field(default_factory=dict)  #: deck kind -> card ids, in deck order
    origin: dict[str, list[int]] = field(default_factory=dict)  #: deck kind -> each card's index in its file
    #: card key path -> (the option or file that set it, that file's text)
    sources: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    tunable_at: dict[str, tuple[str, int | None]] = field(default_factory=dict)  #: card file [tunable] entries

    def source(self, path: str) -> tuple[str, str | None] | None:
        """Who set a card key path, or a table that holds it, or a key inside it (None: the deck file)."""
        for key in _prefixes(path):
            if key in self.sources:
                return self.sources[key]
        return next((v for k, v in self.sources.items() if k.startswith((f"{path}.", f"{path}["))), None)

    def _file_path(self, kind: str, path: str) -> str | None:
        """``cards.gestures.photo_op.copies`` as its deck file writes it, ``cards[2].copies`` (None: no such card)."""
        parts = parse_path(path)
        if len(parts) < 3 or parts[2] not in self.ids.get(kind, []):
            return None
        i = self.ids[kind].index(str(parts[2]))
        return format_path(["cards", self.origin[kind][i], *parts[3:]])

    def where(self, path: str) -> tuple[str, int | None]:
        """The option or file (and line) that set a card key path's value."""
        src = self.source(path)
        if src is not None:
            return src[0], (locate(src[1], path) if src[1] else None)
        kind = str(parse_path(path)[1])
        f = self.files[kind]
        in_file, text = self._file_path(kind, path), self.texts.get(f)
        return display(f), (locate(text, in_file) if text and in_file else None)

    def declared(self, key: str) -> tuple[str, int | None] | None:
        """Where a card file declares a ``[tunable]`` range (None: not in a card file)."""
        return self.tunable_at.get(key)

    def blame(self, p: Problem) -> Problem:
        """A problem a deck's check found at a card (``cards[2].copies``), reported where the value was set when a
        change set it (with its card key path), else in the deck file at the card's place there."""
        kind = next((k for k, f in self.files.items() if display(f) == p.file), None)
        m = re.match(r"cards\[(\d+)\]", p.path)
        if kind is None or m is None or kind not in self.ids or int(m.group(1)) >= len(self.ids[kind]):
            return p
        i, rest = int(m.group(1)), p.path[m.end() :]
        cid = self.ids[kind][i]
        changed = cid is not None and re.fullmatch(ID_PATTERN, cid) is not None and self.sources
        path = f"{CARDS_KEY}.{kind}.{cid}{rest}"
        src = self.source(path) if changed else None  # (a card without a valid id is the file's problem)
        if src is not None:
            return Problem(src[0], path, p.message, locate(src[1], path) if src[1] else None)
        holder = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", path)
        near = (
            next((k for k in self.sources if k.startswith((f"{holder}.", f"{holder}["))), None)
            if changed and re.fullmatch(r"cards\.\w+\.\w+\.\w+.+", holder)  # a table inside a card, not the card
            else None
        )
        if near is not None:  # a change beside it makes the file's value wrong (a shared meter, 'who' kept)
            who, text = self.sources[near]
            at = f"{p.file}:{p.line}" if p.line is not None else p.file
            why = "the override makes it so" if who.startswith("--") else "this file's changes make it so"
            return Problem(who, path, f"{p.message} (it is set at {at}; {why})", locate(text, near) if text else None)
        if self.origin[kind][i] == i:
            return p
        in_file, text = f"cards[{self.origin[kind][i]}]{rest}", self.texts.get(self.files[kind])
        return Problem(p.file, in_file, p.message, locate(text, in_file) if text else p.line)


def _no_card(kind: str, cid: object, view: dict[str, Any], deck: str, keys: Sequence[PathPart]) -> str:
    """``no card 'photo_opp' in the gestures deck (cards/gestures.toml); did you mean 'cards.gestures.photo_op'?``"""
    msg = f"no card {safeio.shorten(repr(cid), MAX_KEY_SHOWN)} in the {kind} deck ({deck})"
    guess = did_you_mean(str(cid), view)
    if guess is not None:
        msg += f"; did you mean {format_path([*keys[:2], guess, *keys[3:]])!r}?"
    return msg


def _read_decks(merged: Merged, spec: RulesFile, rules_path: Path, problems: list[Problem]) -> _Cards:
    """Read the three decks the rules name, apply the changes the rule files and overrides make to their cards,
    and schema-check them; problems go to ``problems``."""
    cards = _Cards()
    for where, keys, _value in merged.card_changes:
        if len(keys) > 1 and keys[1] not in DECK_MODELS:
            guess = did_you_mean(str(keys[1]), DECK_MODELS)
            hint = f"; did you mean {format_path([keys[0], guess, *keys[2:]])!r}?" if guess else f" (decks: {_DECKS})"
            problems.append(Problem(where, "", f"{UNKNOWN_KEY} {format_path(keys)!r}{hint}"))
        elif len(keys) < 4 or not isinstance(keys[2], str) or isinstance(keys[3], int):
            problems.append(Problem(where, format_path(keys), CARD_PATH_HINT))
    for kind in DECK_MODELS:
        ref = getattr(spec.decks, kind)
        src = merged.sources.get(f"decks.{kind}")
        if isinstance(src, Path):
            base = src.parent  # relative to the file that names it
        elif src is not None:
            base = Path(os.path.abspath("."))  # given on the command line: relative to the working directory
        else:
            base = resolved(rules_path).parent
        deck_path = resolved(base / ref)
        cards.files[kind] = deck_path
        cards.decks[kind] = None
        name = display(deck_path)
        try:
            text = safeio.read_text(deck_path, name=name)
        except safeio.DataFileError as exc:  # the file itself could not be read: say so where the rules name it
            where_name, where_text = _source_for(merged, f"decks.{kind}")
            problems.append(
                Problem(
                    where_name,
                    f"decks.{kind}",
                    f"deck file not found: {name}"
                    if exc.message == "file not found"
                    else f"cannot load deck file {name}: {exc.message}",
                    locate(where_text, f"decks.{kind}") if where_text else None,
                )
            )
            continue
        cards.texts[deck_path] = text
        try:
            data = safeio.loads_toml(text, name)
        except safeio.DataFileError as exc:
            problems.append(Problem(exc.path, "", exc.message, exc.line))
            continue
        changed: list[Problem] = []
        _change_deck(kind, data, merged, spec, cards, changed)
        if changed:
            problems.extend(changed)
            continue
        found: list[Problem] = []
        cards.decks[kind] = check_deck(data, text, name, kind, found)
        problems.extend(cards.blame(p) for p in found)
        deck = cards.decks[kind]
        if deck is not None:
            for key in deck.tunable:
                cards.tunable_at.setdefault(key, (name, _quoted_key_line(text, key)))
    return cards


def _change_deck(
    kind: str, data: dict[str, Any], merged: Merged, spec: RulesFile, cards: _Cards, problems: list[Problem]
) -> None:
    """Apply to one deck's data (in place) the rule files' ``[cards]`` changes, the card overrides and the
    card entries of ``remove``, recording who set what in ``cards``."""
    rows = data.get("cards")
    if not isinstance(rows, list):
        return  # the schema check says what is wrong with the file
    deck = display(cards.files[kind])
    view: dict[str, dict[str, Any]] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("id"), str):
            view.setdefault(row["id"], row)
    model = DECK_MODELS[kind]
    for cid, fields in spec.cards.get(kind, {}).items():  # type: ignore[call-overload]
        key = f"{CARDS_KEY}.{kind}.{cid}"
        name, text = _source_for(merged, key)
        card = view.get(cid)
        if card is None or "id" in fields:
            why = "a card's id cannot be changed" if card is not None else _no_card(kind, cid, view, deck, [])
            problems.append(Problem(name, key, why, locate(text, key) if text else None))
            continue
        for f, v in fields.items():
            v = copy.deepcopy(v)
            card[f] = _merge(card[f], v) if isinstance(v, dict) and isinstance(card.get(f), dict) else v
        for k, src in merged.sources.items():
            if k.startswith(f"{key}."):
                cards.sources[k] = (display(src), merged.texts.get(src)) if isinstance(src, Path) else (src, None)
    for where, keys, value in merged.card_changes:
        if len(keys) < 4 or keys[1] != kind or not isinstance(keys[2], str) or isinstance(keys[3], int):
            continue  # reported once, in _read_decks
        path = format_path(keys)
        card = view.get(keys[2])
        if card is None:
            problems.append(Problem(where, "", _no_card(kind, keys[2], view, deck, keys)))
            continue
        if keys[3] == "id":
            problems.append(Problem(where, path, "a card's id cannot be changed"))
            continue
        typo = _unknown_card_key(model, data, rows.index(card), keys)
        if typo is not None:
            problems.append(Problem(where, "", typo))
            continue
        try:
            set_at({CARDS_KEY: {kind: view}}, keys, value)
        except LookupError as exc:
            problems.append(Problem(where, path, str(exc)))
            continue
        cards.sources[path] = (where, None)
    drop: dict[str, Path] = {}
    for src, parts in merged.card_removals:
        if parts[1] != kind:
            continue
        name, line = display(src), locate(merged.texts[src], "remove")
        shown = safeio.shorten(repr(format_path(parts)), MAX_OVERRIDE_SHOWN)
        if parts[2] not in view:
            why = f"nothing to remove: {_no_card(kind, parts[2], view, deck, parts)}"
            problems.append(Problem(name, "remove", f"{shown}: {why}", line))
        elif len(parts) == 3:
            drop[str(parts[2])] = src
        else:
            missing = no_entry({CARDS_KEY: {kind: view}}, parts)
            holder = None if missing is not None else get_at({CARDS_KEY: {kind: view}}, parts[:-1])
            if not isinstance(holder, dict):
                problems.append(Problem(name, "remove", f"{shown}: nothing to remove: {missing}", line))
                continue
            del holder[parts[-1]]
    kept = [r for r in rows if not (isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] in drop)]
    if drop and not kept:
        src = next(iter(drop.values()))
        problems.append(
            Problem(display(src), "remove", f"removing {', '.join(drop)} leaves the {kind} deck empty", None)
        )
    data["cards"] = kept
    at = {id(r): i for i, r in enumerate(rows)}
    cards.ids[kind] = [r["id"] if isinstance(r, dict) and isinstance(r.get("id"), str) else None for r in kept]
    cards.origin[kind] = [at[id(r)] for r in kept]


def _unknown_card_key(model: type[BaseModel], data: dict[str, Any], index: int, keys: Sequence[PathPart]) -> str | None:
    """An override's key that the card's schema does not have (``cards.gestures.photo_op.copis``), with the
    closest key it does have; None when the key path is one the schema allows or ``set_at`` will explain."""
    node: Any = data["cards"][index]
    for j, part in enumerate(keys[3:], start=3):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return None
            node = node[part]
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        if not isinstance(node, dict):
            return None
        known = keys_at(model, ["cards", index, *keys[3:j]], data)
        if known is None or part in known:  # a table of ids (an agenda's stakes), or a field left at its default
            return None
        msg = f"{UNKNOWN_KEY} {format_path(keys)!r}"
        guess = did_you_mean(part, known)
        return msg + (f"; did you mean {format_path([*keys[:j], guess, *keys[j + 1 :]])!r}?" if guess else "")
    return None


def _problem_keys(path: Path, overrides: Sequence[str] = (), params: Sequence[str] = ()) -> set[tuple[str, str]]:
    """(key path, message) of every problem loading ``path`` (with these overrides) finds."""
    try:
        _load_rules(path, overrides, params, blame=False)
    except RulesError as exc:
        return {(p.path, p.message) for p in exc.problems}
    return set()


def _blame_causes(
    merged: Merged, problems: list[Problem], overrides: Sequence[str], params: Sequence[str]
) -> list[Problem]:
    """A problem found at a value of a file that another file ``extends`` (or that an override changes) but that
    the file alone does not have was caused by what changed it: report it there, at the line of the nearest
    key it changed, saying where the value itself is (``child.toml:4: meters.pressure.walkout_at: 12 is
    outside 1..6 (it is set at rules/summit.toml:65; this file's changes make it so)``)."""
    chain = list(merged.texts)  # the file loaded first, then each file it extends
    names = {display(f): i for i, f in enumerate(chain)}
    alone: dict[int, set[tuple[str, str]]] = {}

    def has(i: int, key: tuple[str, str]) -> bool:
        """Whether chain[i] loaded by itself, without overrides, finds the problem."""
        if i not in alone:
            alone[i] = _problem_keys(chain[i])
        return key in alone[i]

    out = []
    for p in problems:
        i = names.get(p.file)
        key = (p.path, p.message)
        if i is None or (i == 0 and not overrides and not params) or has(i, key):
            out.append(p)
            continue
        culprit = next((j for j in range(i - 1, 0, -1) if has(j, key)), None)
        if culprit is None and (not (overrides or params) or has(0, key)):  # loading chain[0] again: only so
            culprit = 0
        at = f"{p.file}:{p.line}" if p.line is not None else p.file
        if culprit is not None:
            text = merged.texts[chain[culprit]]
            line = next((ln for ln in map(lambda k: locate(text, k), _prefixes(p.path)) if ln is not None), None)
            why = f"{p.message} (it is set at {at}; this file's changes make it so)"
            out.append(Problem(display(chain[culprit]), p.path, why, line))
            continue
        options = [(OVERRIDE_SOURCE, o) for o in overrides] + [("--param", o) for o in params]
        # which override: the only one, or among several the one that alone makes it (each loaded alone)
        blamed = [
            f"{label} {safeio.shorten(o, MAX_OVERRIDE_SHOWN)}"
            for label, o in options
            if len(options) == 1
            or key in _problem_keys(chain[0], *(([o], ()) if label == OVERRIDE_SOURCE else ((), [o])))
        ]
        where = blamed[0] if len(blamed) == 1 else "the overrides together"
        out.append(Problem(where, p.path, f"{p.message} (it is set at {at}; the override makes it so)"))
    return out


def _prefixes(path: str) -> list[str]:
    """``a.b[0].c``, then ``a.b[0]``, ``a.b``, ``a``: a key path and the tables that hold it, longest first."""
    return [path, *reversed(list(_proper_prefixes(path)))]


def without_cards(rules: Ruleset, card_ids: Sequence[str]) -> Ruleset:
    """The same rules with the named cards (events, gestures or agendas, by id) taken out of their decks.

    For ablation studies (``summitgame balance --ablate CARD``): the rule data stays the source of truth;
    the decks are rebuilt without the cards, cross-checked again and compiled, so the result has its own
    fingerprint. RulesError if a card is unknown, or if taking it out empties a deck or breaks a reference
    (say, the opening event)."""
    decks: dict[str, Deck] = {
        "events": rules.events_deck,
        "gestures": rules.gestures_deck,
        "agendas": rules.agendas_deck,
    }
    problems: list[Problem] = []
    known = {c.id for d in decks.values() for c in d.cards}
    for cid in card_ids:
        if cid not in known:
            problems.append(Problem("--ablate", cid, f"no card {cid!r} in the events, gestures or agendas decks"))
    drop = set(card_ids)
    for kind, deck in list(decks.items()):
        kept = [c for c in deck.cards if c.id not in drop]
        if not kept:
            problems.append(
                Problem("--ablate", kind, f"taking out {', '.join(sorted(drop))} leaves the {kind} deck empty")
            )
        decks[kind] = deck.model_copy(update={"cards": kept})
    if problems:
        raise RulesError(problems)
    events, gestures, agendas = decks["events"], decks["gestures"], decks["agendas"]
    assert isinstance(events, EventDeck) and isinstance(gestures, GestureDeck) and isinstance(agendas, AgendaDeck)
    where = f"--ablate {','.join(card_ids)}"
    problems.extend(
        cross_check(rules.spec, events, gestures, agendas, lambda p: (where, None), lambda k, p: (where, None))
    )
    if problems:
        raise RulesError(problems)
    return compile_ruleset(rules.spec, events, gestures, agendas, source=rules.source)


def check_file(path: Path) -> Ruleset | Deck:
    """Validate one file: a rule file (with its decks) or a lone card file (schema only)."""
    data, text, errs = read_toml_text(path)
    if data is None or text is None:
        raise RulesError(errs)
    if _is_deck_data(data) and "roles" not in data:
        problems: list[Problem] = []
        deck = check_deck(data, text, display(path), None, problems)
        if problems or deck is None:
            raise RulesError(problems)
        return deck
    return load_rules(path)


def _without_required(node: Any) -> Any:
    """A copy of a JSON Schema with every ``required`` list removed (for files that ``extends``)."""
    if isinstance(node, dict):
        return {k: _without_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


def model_json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the rule file and each deck file (for editors and docs).

    ``rules-partial`` is the rule-file schema with nothing required: a file that ``extends``
    another lists only what it changes."""
    models: dict[str, type[BaseModel]] = {"rules": RulesFile, **DECK_MODELS}
    out: dict[str, dict[str, Any]] = {}
    for kind, model in models.items():
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        out[kind] = schema
        if kind == "rules":
            partial = _without_required(schema)
            partial["title"] = "RulesFile (partial, for files that extend another)"
            out["rules-partial"] = partial
    return out
