"""The games log, ``DIR/games.jsonl``: the line of a finished game, how it is checked, written and read.

**Streaming.** Workers send each finished game back as one JSON line; the parent is the only writer of
``DIR/games.jsonl`` and appends every line as soon as it arrives (it pauses ``workers.BATCH_SECONDS`` after each
batch, so that it wakes for several games at once; then write, flush; ``fsync`` at least every
``FSYNC_INTERVAL`` seconds and on exit: an fsync per game would cost about half the time of a random
game). Killing the run loses only the games in flight (sent to a worker, not yet written); an operating
system crash loses at most the last ``FSYNC_INTERVAL`` seconds too. Each line is a superset of a game
record (``records.record_of``), so it can be replayed as it is.

**A line** of ``games.jsonl`` is one JSON object: ``game_id``; ``index`` (place in the plan); ``pair`` (the
two agents as listed); ``game`` (index in the pair's series); ``agents`` and ``specs`` (role id to agent
label and spec); ``winner`` (an agent label, null for a tie); ``forfeit`` (null, or ``role``, ``agent``,
``error``); ``decisions`` and ``seconds`` per role; ``run_seed``; ``agent_seeds`` (role id to the seed of
that agent's stream: with ``seed``, all it takes to play the game again, ``match.play_game``); maybe
``notes``; then the game record: ``format``, ``version``, ``engine``, ``rules`` (name, fingerprint),
``seed`` (the deal), ``actions`` (notations) and ``outcome`` (tier, reason, walkouts, rounds_played,
scores and winner by role, agendas; absent after a forfeit). The run seed is on disk from the first
game, so a run can be resumed: keep the folder from players while the run is in progress.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..engine.forward import new_game
from ..errors import RecordError
from ..rules.ruleset import Ruleset
from ..safeio import DataFileError, loads_json, printable, read_lines
from .jsonlines import JsonLines
from .match import Forfeit, GameResult
from .plan import Entrant, PlannedGame, TournamentError
from .records import check_shape, record_of

GAMES_FILE = "games.jsonl"
FSYNC_INTERVAL = 0.05  #: seconds between fsyncs of games.jsonl while games stream in (and always on exit)


def forfeited(rules: Ruleset, g: PlannedGame, role: int, reason: str) -> GameResult:
    """A game lost by ``role`` before (or without) a record of its moves."""
    return GameResult(new_game(rules, g.seed), None, Forfeit(role, reason))


def result_line(
    rules: Ruleset,
    g: PlannedGame,
    players: Mapping[str, Entrant],
    res: GameResult,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The games.jsonl line of a finished game: plan data, agents by role, winner or forfeit, timings,
    and the game record itself (format, rules, seed, actions, and ``outcome`` unless forfeited)."""
    roles = rules.roles
    record = record_of(res.state)
    forfeit: dict[str, str] | None = None
    if res.forfeit is not None:
        record.pop("outcome", None)
        loser = res.forfeit.role
        winner: str | None = g.seats[1 - loser]
        forfeit = {"role": roles[loser], "agent": g.seats[loser], "error": res.forfeit.reason}
    else:
        assert res.outcome is not None
        winner = None if res.outcome.winner is None else g.seats[roles.index(res.outcome.winner)]
    line: dict[str, Any] = {
        "game_id": g.game_id,
        "index": g.index,
        "pair": list(g.pair),
        "game": g.game,
        "agents": {roles[r]: g.seats[r] for r in (0, 1)},
        "specs": {roles[r]: players[g.seats[r]].spec for r in (0, 1)},
        "winner": winner,
        "forfeit": forfeit,
        "decisions": {roles[r]: res.decisions[r] for r in (0, 1)},
        "seconds": {roles[r]: round(res.seconds[r], 6) for r in (0, 1)},
        "run_seed": g.run_seed,
        "agent_seeds": _streams(rules, g),
    }
    if notes:
        line["notes"] = list(notes)
    line.update(record)
    return line


def _streams(rules: Ruleset, g: PlannedGame) -> dict[str, int]:
    return {rules.roles[r]: g.agent_seeds[r] for r in (0, 1)}


def check_seeds(rules: Ruleset, g: PlannedGame, line: Mapping[str, Any], path: Path) -> None:
    """Refuse a finished game whose recorded deal or agent seeds are not the plan's (an edited file)."""
    if line.get("seed") != g.seed or line.get("agent_seeds") != _streams(rules, g):
        raise TournamentError(
            f"{path}: game {g.game_id} was recorded with deal seed {line.get('seed')!r} and agent seeds "
            f"{line.get('agent_seeds')!r}, but its plan has {g.seed} and {_streams(rules, g)}; the file was "
            "changed, resume into another folder"
        )


def dumps_line(line: Mapping[str, Any]) -> str:
    """One games.jsonl line (compact JSON, no newline)."""
    return json.dumps(line, separators=(",", ":"))


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _by_role(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, dict) and all(isinstance(k, str) and check(x) for k, x in v.items())


def _text(v: Any) -> bool:
    return isinstance(v, str)


def _forfeit(v: Any) -> bool:
    return v is None or (isinstance(v, dict) and all(isinstance(v.get(k), str) for k in ("role", "agent", "error")))


#: Each field of a games.jsonl line (besides the record's own), what it must be, and that in words.
LINE_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "game_id": (_text, "text"),
    "index": (_is_int, "a whole number"),
    "pair": (lambda v: isinstance(v, list) and len(v) == 2 and all(map(_text, v)), "a list of two agent labels"),
    "game": (_is_int, "a whole number"),
    "agents": (_by_role(_text), "a table of role id to agent label"),
    "specs": (_by_role(_text), "a table of role id to agent spec"),
    "winner": (lambda v: v is None or _text(v), "an agent label or null"),
    "forfeit": (_forfeit, "null or a table with role, agent and error"),
    "decisions": (_by_role(_is_int), "a table of role id to a whole number"),
    "seconds": (
        _by_role(lambda x: isinstance(x, int | float) and not isinstance(x, bool)),
        "a table of role id to seconds",
    ),
}


OUTCOME_FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "tier": (_text, "a tier id"),
    "reason": (_text, "an end reason"),
    "walkouts": (lambda v: isinstance(v, list) and all(map(_text, v)), "a list of role ids"),
    "rounds_played": (_is_int, "a whole number"),
    "scores": (_by_role(_is_int), "a table of role id to a whole number"),
    "winner": (lambda v: v is None or _text(v), "a role id or null"),
}


def _shown(v: Any) -> str:
    return printable(json.dumps(v) if not isinstance(v, str) else repr(v), limit=60)


Find = Callable[[Mapping[str, Any]], PlannedGame | None]
"""Which planned game a (well-formed) games.jsonl line is, or None (``tournament.run_plan``'s look-up)."""


def line_problem(
    line: Any, rules: Ruleset | None = None, plan: Mapping[str, PlannedGame] | None = None, find: Find | None = None
) -> str | None:
    """What is wrong with a games.jsonl line, or None: a missing field or one of the wrong type (``missing
    field 'agents'``); with the rules, roles, tiers and winners they do not have; with the plan (its games by
    id, or ``find``), a line of one of its games whose rules, seats, pair or seed are not that game's."""
    if not isinstance(line, dict):
        return "not a game line (a JSON object)"
    for key, (ok, what) in LINE_FIELDS.items():
        if key not in line:
            return f"missing field '{key}'" if key != "game_id" else "not a game line (no game_id)"
        if not ok(line[key]):
            return f"field '{key}' must be {what}, got {_shown(line[key])}"
    try:
        check_shape(line, "line")
    except RecordError as exc:
        return str(exc).removeprefix("line: ")
    if line["forfeit"] is None:
        o = line.get("outcome")
        if not isinstance(o, dict):
            return "missing field 'outcome' (a game not forfeited has one)"
        for key, (ok, what) in OUTCOME_FIELDS.items():
            if key not in o:
                return f"missing field 'outcome.{key}'"
            if not ok(o[key]):
                return f"field 'outcome.{key}' must be {what}, got {_shown(o[key])}"
    if rules is None:
        return None
    roles = set(rules.roles)
    for key in ("agents", "specs", "decisions", "seconds"):
        if set(line[key]) != roles:
            return f"field '{key}' must have the roles {', '.join(rules.roles)}, got {_shown(sorted(line[key]))}"
    f, o = line["forfeit"], line.get("outcome")
    if f is not None and f["role"] not in roles:
        return f"field 'forfeit.role' must be a role id, got {_shown(f['role'])}"
    if f is None and isinstance(o, dict):
        if set(o["scores"]) != roles:
            return f"field 'outcome.scores' must have the roles {', '.join(rules.roles)}"
        if o["winner"] is not None and o["winner"] not in roles:
            return f"field 'outcome.winner' must be a role id or null, got {_shown(o['winner'])}"
        if o["tier"] not in rules.tier_ids:
            return f"field 'outcome.tier' must be one of {', '.join(rules.tier_ids)}, got {_shown(o['tier'])}"
        if not set(o["walkouts"]) <= roles:
            return "field 'outcome.walkouts' must list role ids"
    g = find(line) if find is not None else None if plan is None else plan.get(line["game_id"])
    if g is None:
        return None
    seats = {rules.roles[r]: g.seats[r] for r in (0, 1)}
    if line["rules"]["fingerprint"] != rules.fingerprint:
        return f"game {g.index} of this plan, but played under other rules ({_shown(line['rules']['fingerprint'])})"
    wants: dict[str, Any] = {"agents": seats, "pair": list(g.pair), "game": g.game, "seed": g.seed}
    for key, want in wants.items():
        if line[key] != want:
            return f"game {g.index} of this plan, but its {key} is {_shown(line[key])}, not {_shown(want)}"
    if line["winner"] is not None and line["winner"] not in g.seats:
        return f"field 'winner' must be one of the game's agents or null, got {_shown(line['winner'])}"
    if f is not None and f["agent"] != seats[f["role"]]:
        return f"field 'forfeit.agent' is not the agent in the role {_shown(f['role'])}"
    return None


class GameLog(JsonLines):
    """``DIR/games.jsonl``: one finished game per line, appended by the one writer (the parent), fsynced at
    least every ``FSYNC_INTERVAL`` seconds (``jsonlines.JsonLines``). Every line read back is checked
    (``line_problem``; against the rules and plan when given) and a bad one refused as ``FILE:LINE: why``."""

    def __init__(
        self,
        path: Path,
        rules: Ruleset | None = None,
        plan: Mapping[str, PlannedGame] | None = None,
        find: Find | None = None,
    ) -> None:
        super().__init__(path, TournamentError, lambda line: line_problem(line, rules, plan, find), FSYNC_INTERVAL)

    def _refuse(self, n: int) -> str:
        return (
            f"{printable(self.path)} already holds {n} game{'s' if n != 1 else ''}; "
            "resume that run (--resume) or choose another output directory"
        )

    def open_games(self, resume: bool) -> list[dict[str, Any]]:
        """The games already in the file (resume), or refuse a file that holds some."""
        return self.open(resume, self._refuse)

    def stream_games(self, resume: bool) -> Callable[[], Iterator[dict[str, Any]]]:
        """``open_games``, the games read one at a time whenever the function returned is called (a resumed
        run of a million games holds none of them: ``jsonlines.JsonLines.open_lines``)."""
        return self.open_lines(resume, self._refuse)


def read_games(path: str | Path, rules: Ruleset | None = None) -> list[dict[str, Any]]:
    """The complete lines of a games.jsonl file (a torn last line is ignored), each checked (``line_problem``);
    TournamentError naming the file and line for one that is not a game line, or a file that cannot be read."""
    return list(iter_games(path, rules))


def iter_games(path: str | Path, rules: Ruleset | None = None) -> Iterator[dict[str, Any]]:
    """``read_games`` one line at a time, as the file is read."""
    name = printable(path)
    try:
        for n, raw in read_lines(path, name=name):
            if not raw.strip():
                continue
            try:
                line = loads_json(raw, name)
            except DataFileError as exc:
                raise TournamentError(f"{name}:{n}: {exc.message}; the file is corrupt") from None
            why = line_problem(line, rules)
            if why is not None:
                raise TournamentError(f"{name}:{n}: {why}")
            yield line
    except DataFileError as exc:
        raise TournamentError(str(exc)) from None
