"""Games as plain text for reading, in the manner of chess's PGN: headers, then one move a line.

``summitgame match A B --pgn FILE`` writes every game of a match this way. A game reads::

    [Event "summitgame match"]
    [Game "1"]
    [Rules "Summit"]
    [Fingerprint "6c408b58489f0b20"]
    [Seed "4211856012423710091"]
    [washington "greedy"]
    [moscow "random"]
    [Result "washington"]
    [Tier "symbolic"]
    [Reason "last_round"]
    [Scores "washington 12, moscow -3"]

    ; round 1: event shared_challenges
    1. washington: give syria 1
    2. washington: ask cyber 1
    ...
    ; washington wins 12 to -3: symbolic (last_round)

After a walk-out the last comment names who walked out: ``; washington wins 10 to -35: failed (walkout: moscow)``.

Headers are ``[Name "value"]`` (a value's ``\\`` and ``"`` escaped with ``\\``): the event, the game's number,
the rules' name and fingerprint, the deal seed, the agent in each role (the tag is the role id), and the
result (the winner's role id, ``tie``, or ``forfeit ROLE``) with the tier, the end reason and the scores.
A move line is ``N. ROLE: NOTATION``, the notation that records and the prompt use (``actions``). Lines
that begin with ``;`` are comments, for the reader: each round's event, and the result. Games are separated
by a blank line. ``parse`` reads the text back into game records (``records``: the seed and the moves),
so a game can be replayed from its plain text (``records.replay``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..errors import RecordError
from ..rules.ruleset import Ruleset
from ..safeio import printable
from .records import FORMAT, MAX_ACTION_TEXT, VERSION, check_shape, replay_states

_HEADER = re.compile(r'^\[([A-Za-z0-9_.-]+) "((?:[^"\\]|\\.)*)"\]$')
_MOVE = re.compile(r"^(\d+)\. ([A-Za-z0-9_-]+): (.+)$")


def _quote(value: object) -> str:
    return printable(str(value)).replace("\\", "\\\\").replace('"', '\\"')


def _unquote(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def game_text(
    line: Mapping[str, Any], rules: Ruleset, event: str = "summitgame match", number: int | None = None
) -> str:
    """One game as plain text, from a game record or a games.jsonl line (its ``agents`` become headers);
    the moves are replayed under ``rules`` to find who made each and the events drawn (RecordError if the
    game does not fit them)."""
    doc = check_shape(dict(line))
    roles = rules.roles
    head: list[tuple[str, object]] = [("Event", event)]
    if number is not None:
        head.append(("Game", number))
    head += [("Rules", rules.name), ("Fingerprint", rules.fingerprint), ("Seed", doc["seed"])]
    agents = line.get("agents")
    if isinstance(agents, Mapping):
        head += [(r, agents[r]) for r in roles if r in agents]
    o = doc.get("outcome")
    forfeit = line.get("forfeit")
    if isinstance(forfeit, Mapping):
        head.append(("Result", f"forfeit {forfeit.get('role')}"))
    elif isinstance(o, Mapping):
        scores = o.get("scores", {})
        head += [("Result", o.get("winner") or "tie"), ("Tier", o.get("tier")), ("Reason", o.get("reason"))]
        head.append(("Scores", ", ".join(f"{r} {scores.get(r)}" for r in roles)))
    else:
        head.append(("Result", "*"))
    out = [f'[{name} "{_quote(value)}"]' for name, value in head]
    out.append("")
    out += _moves(doc, rules)
    if isinstance(forfeit, Mapping):
        who, error = _quote(forfeit.get("agent")), _quote(forfeit.get("error"))
        out.append(f"; {who} as {forfeit.get('role')} forfeits: {error}")
    elif isinstance(o, Mapping):
        scores = o.get("scores", {})
        winner = o.get("winner")
        who = f"{winner} wins" if winner else "a tie"
        order = sorted(roles, key=lambda r: r != winner)  # the winner's score first
        tally = " to ".join(str(scores.get(r)) for r in order)
        walkouts = o.get("walkouts") or []
        reason = f"{o.get('reason')}{': ' + ', '.join(map(str, walkouts)) if walkouts else ''}"
        out.append(f"; {who} {tally}: {o.get('tier')} ({reason})")
    return "\n".join(out) + "\n"


def _moves(doc: dict[str, Any], rules: Ruleset) -> Iterator[str]:
    """The move lines, with a comment for each event drawn (the start of a round)."""
    states = replay_states(doc, rules)
    prev = next(states)
    seen = 0

    def events(history: list[int]) -> Iterator[str]:
        nonlocal seen
        for c in history[seen:]:
            if c < 0:
                yield f"; round {prev.round}: event {rules.event_ids[-1 - c]}"
        seen = len(history)

    yield from events(prev.history_list())
    for n, (s, text) in enumerate(zip(states, doc["actions"], strict=True), start=1):
        yield f"{n}. {rules.roles[prev.to_move]}: {text}"
        prev = s
        yield from events(s.history_list())


def match_text(lines: Sequence[Mapping[str, Any]], rules: Ruleset, event: str = "summitgame match") -> str:
    """Several games as plain text, numbered from 1 in the order given, separated by blank lines."""
    return "\n".join(game_text(line, rules, event, i) for i, line in enumerate(lines, start=1))


def parse(text: str, where: str = "games") -> list[dict[str, Any]]:
    """The games of a plain text as game records (format, version, rules name and fingerprint, seed,
    actions), with their ``headers``; RecordError naming the line for anything that is not a header, a move
    in sequence, a comment or a blank line, or a game without its rules fingerprint or seed."""
    games: list[dict[str, Any]] = []
    headers: dict[str, str] = {}
    actions: list[str] = []
    in_moves = False

    def close(lineno: int) -> None:
        nonlocal headers, actions, in_moves
        if headers or actions:
            games.append(_record(headers, actions, f"{where}: game ending at line {lineno}"))
        headers, actions, in_moves = {}, [], False

    lineno = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        m = _HEADER.match(line)
        if m:
            if in_moves:
                close(lineno - 1)
            if m.group(1) in headers:
                raise RecordError(f"{where}: line {lineno}: header {m.group(1)} given twice")
            headers[m.group(1)] = _unquote(m.group(2))
            continue
        m = _MOVE.match(line)
        if m is None:
            shown = printable(line, limit=60)
            raise RecordError(f"{where}: line {lineno}: not a header, a move or a comment: '{shown}'")
        if int(m.group(1)) != len(actions) + 1:
            raise RecordError(f"{where}: line {lineno}: move {m.group(1)} where move {len(actions) + 1} was due")
        if len(m.group(3)) > MAX_ACTION_TEXT:
            raise RecordError(f"{where}: line {lineno}: not an action (too long)")
        in_moves = True
        actions.append(m.group(3).strip())
    close(lineno)
    return games


def _record(headers: Mapping[str, str], actions: list[str], where: str) -> dict[str, Any]:
    fingerprint, seed = headers.get("Fingerprint"), headers.get("Seed", "")
    if not fingerprint:
        raise RecordError(f"{where}: no Fingerprint header")
    if not re.fullmatch(r"-?\d{1,40}", seed):
        raise RecordError(f"{where}: no Seed header with a whole number")
    return {
        "format": FORMAT,
        "version": VERSION,
        "rules": {"name": headers.get("Rules", ""), "fingerprint": fingerprint},
        "seed": int(seed),
        "actions": actions,
        "headers": dict(headers),
    }
