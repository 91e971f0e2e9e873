"""Read rule and card files, resolve ``extends`` and ``--set`` overrides, validate, cross-check.

Every problem found is collected and raised together as one ``RulesError`` whose problems read
``FILE: key.path: what is wrong`` (with a line number where one can be found).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .crossref import cross_check
from .errors import Problem, RulesError
from .params import PathPart, fmt_number, format_path, get_at, is_number, parse_path, set_at
from .ruleset import Ruleset, compile_ruleset
from .schema import DECK_MODELS, AgendaDeck, EventDeck, GestureDeck, RulesFile

OVERRIDE_SOURCE = "--set"


def data_dir() -> Path:
    """Folder holding the bundled ``rules/`` and ``cards/`` (installed wheel or source tree)."""
    packaged = Path(str(resources.files("summitgame"))) / "_data"
    if (packaged / "rules").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


def default_rules_path() -> Path:
    """The bundled default rule file, ``rules/summit.toml``."""
    return data_dir() / "rules" / "summit.toml"


def bundled_rule_files() -> list[Path]:
    """Every rule file shipped with the package."""
    return sorted((data_dir() / "rules").glob("*.toml"))


def display(path: Path) -> str:
    """A path as the user should read it: relative to the working directory where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- TOML reading with line numbers -------------------------------------------------------------

_LINE_RE = re.compile(r"at line (\d+)")


def read_toml(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse one TOML file; a syntax error becomes a Problem with its line number."""
    name = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, "", "file not found")]
    except OSError as exc:
        return None, [Problem(name, "", f"cannot read file: {exc.strerror}")]
    except UnicodeDecodeError:
        return None, [Problem(name, "", "file is not UTF-8 text")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        match = _LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else None
        return None, [Problem(name, "", f"TOML syntax error: {exc}", line)]


def locate(text: str, path: str) -> int | None:
    """Best-effort line number of a dotted key path (``cards[2].effects[0].by``) in TOML text."""
    parts = [p for p in re.split(r"\.|\[|\]", path) if p]
    lines = text.splitlines()
    keys = [p for p in parts if not p.isdigit()]
    if not keys:
        return None
    start, header_depth = 0, 0
    # find the deepest table header matching a prefix of the path (array index = nth header)
    for depth in range(len(parts), 0, -1):
        prefix = parts[:depth]
        if prefix[-1].isdigit():
            name = ".".join(p for p in prefix[:-1] if not p.isdigit())
            nth = int(prefix[-1])
            hits = [i for i, ln in enumerate(lines) if ln.strip() == f"[[{name}]]"]
            if nth < len(hits):
                start, header_depth = hits[nth], depth
                break
        else:
            name = ".".join(p for p in prefix if not p.isdigit())
            hits = [i for i, ln in enumerate(lines) if ln.strip().startswith(f"[{name}]")]
            if hits:
                start, header_depth = hits[0], depth
                break
    rest = parts[header_depth:]
    if not any(not p.isdigit() for p in rest):
        return start + 1
    end = len(lines)
    if header_depth:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    line, found = start + (1 if header_depth else 0), None
    for part in rest:
        if part.isdigit():
            # the n-th inline table of a multi-line array, one per line
            rows = [i for i in range(line, end) if lines[i].lstrip().startswith("{")]
            if int(part) < len(rows):
                line = rows[int(part)]
            continue
        key_re = re.compile(rf"(^|[{{,\s]){re.escape(part)}\s*=")
        hit = next((i for i in range(line, end) if key_re.search(lines[i])), None)
        if hit is None:
            break
        line = found = hit
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


def resolve_extends(path: Path, problems: list[Problem]) -> Merged | None:
    """Load a rule file and the chain it extends, base first."""
    chain: list[Path] = []
    current = path.resolve()
    layers: list[tuple[Path, dict[str, Any]]] = []
    texts: dict[Path, str] = {}
    while True:
        if current in chain:
            cycle = " -> ".join(display(p) for p in [*chain, current])
            problems.append(Problem(display(chain[-1]), "extends", f"circular extends: {cycle}"))
            return None
        chain.append(current)
        data, errs = read_toml(current)
        if data is None:
            if len(chain) > 1:
                errs = [
                    Problem(display(chain[-2]), "extends", f"cannot load {display(current)}: {e.message}", e.line)
                    if e.message == "file not found"
                    else e
                    for e in errs
                ]
            problems.extend(errs)
            return None
        texts[current] = current.read_text(encoding="utf-8")
        layers.append((current, data))
        parent = data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str):
            problems.append(Problem(display(current), "extends", "must be a file path (a string)"))
            return None
        current = (current.parent / parent).resolve()
    merged: dict[str, Any] = {}
    sources: dict[str, Path | str] = {}
    for src, data in reversed(layers):
        merged = _merge(merged, data)
        _record(sources, "", data, src)
    merged.pop("extends", None)
    return Merged(merged, sources, texts)


def parse_override(text: str) -> tuple[list[PathPart], Any]:
    """Split ``key.path=value``; the value is read as TOML, or taken as a string if it isn't TOML."""
    if "=" not in text:
        raise ValueError(f"{text!r}: expected key.path=value")
    key, raw = text.split("=", 1)
    try:
        keys = list(parse_path(key.strip()))
    except ValueError:
        raise ValueError(f"{text!r}: bad key path {key.strip()!r}") from None
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return keys, value


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
        where = f"{label} {text}"
        if keys[0] == "extends":
            problems.append(Problem(where, "extends", "extends cannot be overridden; use --rules"))
            continue
        try:
            set_at(merged.data, keys, value)
        except LookupError as exc:
            problems.append(Problem(where, format_path(keys), str(exc)))
            continue
        _record(merged.sources, format_path(keys), value, where)


def tunable_problems(merged: Merged, spec: RulesFile) -> list[Problem]:
    """Each ``[tunable]`` entry must name a number of the rules, and that number must lie in its range.

    A value out of range is reported where it was set: the ``--set``/``--param`` option, or the file."""
    problems: list[Problem] = []
    values = spec.model_dump(mode="python") if spec.tunable else {}  # defaults included
    for key, tun in spec.tunable.items():
        name, text = _source_for(merged, f"tunable.{key}")
        line = _quoted_key_line(text, key) if text else None
        try:
            value = get_at(values, parse_path(key))
        except LookupError as exc:
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
    for i, ln in enumerate(text.splitlines()):
        if re.match(rf"""\s*["']{re.escape(key)}["']\s*=""", ln):
            return i + 1
    return None


# --- validation ---------------------------------------------------------------------------------


def _loc_path(loc: Iterable[int | str], data: Any, missing: bool) -> str:
    """Turn a pydantic error location into ``a.b[0].c``, dropping union/tag labels not in the data."""
    items = list(loc)
    out = ""
    node = data
    for i, part in enumerate(items):
        last = i == len(items) - 1
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            out += f"[{part}]"
            node = node[part]
        elif isinstance(node, dict) and part in node:
            key = f'"{part}"' if "." in str(part) else str(part)  # a key path used as a key: [tunable]
            out += f".{key}" if out else key
            node = node[part]
        elif last and missing:
            out += f".{part}" if out else str(part)
        # otherwise: a union member or discriminator tag, not a key in the file
    return out


def validation_problems(exc: ValidationError, data: Any, where: Any, prefix: str = "") -> list[Problem]:
    """Problems from a pydantic ValidationError; ``where(path)`` gives (file name, text)."""
    grouped: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False):
        path = _loc_path(err["loc"], data, err["type"] == "missing")
        path = f"{prefix}.{path}" if prefix and path else (prefix or path)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not in the schema; a typo?)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] == "too_short":
            least = (err.get("ctx") or {}).get("min_length", 1)
            msg = "must not be empty" if least == 1 else f"needs at least {least} entries"
        elif err["type"] == "union_tag_invalid":
            msg = msg.replace("Input tag", "kind")
        msg = msg.removeprefix("Value error, ")
        bucket = grouped.setdefault(path, [])
        if msg not in bucket:
            bucket.append(msg)
    problems = []
    for path, msgs in grouped.items():
        # A union (number or per-role table) reports one error per branch; keep the more specific one.
        if path and any(other.startswith((f"{path}.", f"{path}[")) for other in grouped):
            continue
        name, text = where(path)
        quoted = re.search(r'"([^"]+)"', path)
        line = None
        if text:
            line = _quoted_key_line(text, quoted.group(1)) if quoted else locate(text, path)
        problems.append(Problem(name, path, " or ".join(msgs), line))
    return problems


def _source_for(merged: Merged, path: str) -> tuple[str, str | None]:
    """The file (and its text) that defined the longest known prefix of a key path (an override of one
    array item, ``proposals.cap[1].steps``, is found before the file that holds the array)."""
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


def load_deck(path: Path, expected: str | None, problems: list[Problem]) -> Deck | None:
    """Read and schema-check one card file."""
    data, errs = read_toml(path)
    problems.extend(errs)
    if data is None:
        return None
    name = display(path)
    kind = data.get("deck", expected)
    if expected is not None and kind != expected:
        problems.append(Problem(name, "deck", f"expected a {expected!r} deck, found {kind!r}"))
        return None
    model = DECK_MODELS.get(str(kind))
    if model is None:
        problems.append(
            Problem(
                name,
                "deck",
                ("required key is missing; it " if kind is None else "")
                + f"must be one of {', '.join(map(repr, DECK_MODELS))}",
                locate(path.read_text(encoding="utf-8"), "deck"),
            )
        )
        return None
    try:
        deck: Deck = model.model_validate(data)
    except ValidationError as exc:
        text = path.read_text(encoding="utf-8")
        problems.extend(validation_problems(exc, data, lambda _p: (name, text)))
        return None
    seen: dict[str, int] = {}
    for i, card in enumerate(deck.cards):
        if card.id in seen:
            problems.append(
                Problem(
                    name,
                    f"cards[{i}].id",
                    f"duplicate card id {card.id!r} (first at cards[{seen[card.id]}])",
                    locate(path.read_text(encoding="utf-8"), f"cards[{i}].id"),
                )
            )
        seen.setdefault(card.id, i)
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
        problems.extend(validation_problems(exc, merged.data, lambda p: _source_for(merged, p)))
        raise RulesError(problems) from None

    decks: dict[str, Deck | None] = {}
    deck_files: dict[str, Path] = {}
    for kind in ("events", "gestures", "agendas"):
        ref = getattr(spec.decks, kind)
        src = merged.sources.get(f"decks.{kind}")
        base = src.parent if isinstance(src, Path) else rules_path.resolve().parent
        deck_path = (base / ref).resolve()
        deck_files[kind] = deck_path
        deck_problems: list[Problem] = []
        decks[kind] = load_deck(deck_path, kind, deck_problems)
        if deck_problems and deck_problems[0].message == "file not found" and decks[kind] is None:
            name, text = _source_for(merged, f"decks.{kind}")
            problems.append(
                Problem(
                    name,
                    f"decks.{kind}",
                    f"deck file not found: {display(deck_path)}",
                    locate(text, f"decks.{kind}") if text else None,
                )
            )
        else:
            problems.extend(deck_problems)

    def rules_where(p: str) -> tuple[str, int | None]:
        name, text = _source_for(merged, p)
        return name, (locate(text, p) if text else None)

    def deck_where(kind: str, p: str) -> tuple[str, int | None]:
        f = deck_files[kind]
        try:
            text = f.read_text(encoding="utf-8")
        except OSError:
            return display(f), None
        return display(f), locate(text, p)

    events, gestures, agendas = decks["events"], decks["gestures"], decks["agendas"]
    problems.extend(cross_check(spec, events, gestures, agendas, rules_where, deck_where))  # type: ignore[arg-type]
    reported = {p.path for p in problems}
    problems.extend(  # a value already reported (out of its meter's bounds, say) is not reported twice
        p for p in tunable_problems(merged, spec) if not any(p.path.startswith(r) for r in reported if r)
    )
    if problems or events is None or gestures is None or agendas is None:
        raise RulesError(problems)
    assert isinstance(events, EventDeck)
    assert isinstance(gestures, GestureDeck)
    assert isinstance(agendas, AgendaDeck)
    return compile_ruleset(spec, events, gestures, agendas, source=str(rules_path))


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
    data, errs = read_toml(path)
    if data is None:
        raise RulesError(errs)
    if ("deck" in data or "cards" in data) and "roles" not in data:
        problems: list[Problem] = []
        deck = load_deck(path, None, problems)
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
