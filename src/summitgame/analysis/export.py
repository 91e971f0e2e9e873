"""Data out: played games as tidy tables (one row per game, per agent and role, per meter reading), in CSV
files and as pandas DataFrames.

The rows come from the lines of a run (``games.jsonl``, or the lines ``balance``, ``compare``, ``sweep`` and
``tune`` play) and, where the game was measured (``analysis.metrics.game_metrics``), from its replay: the
negotiation counts, the cards and the meters. A game whose rules are not at hand keeps its measured columns
empty. Columns are fixed whatever the rule file (roles, tiers and cards are values, never column names), and
their meaning is in ``GAME_COLUMNS``, ``AGENT_COLUMNS`` and ``METER_COLUMNS`` (and the README). The same games
give the same bytes: rows in run order, no timings, ``\\n`` line ends, a cell quoted when it holds a comma, a
quote or a line break (``\\r`` too); each file is written atomically.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import SummitError
from ..runs.records import write_atomic
from ..safeio import DataFileError, printable, read_text

if TYPE_CHECKING:
    from ..rules.ruleset import Ruleset
    from .metrics import GameMetrics

GAMES_CSV = "games.csv"
AGENTS_CSV = "agents.csv"
METERS_CSV = "meters.csv"
TABLES = {"game": GAMES_CSV, "agent": AGENTS_CSV, "meter": METERS_CSV}
Per = Literal["game", "agent", "meter"]


class ExportError(SummitError):
    """Games that cannot be read into tables: no games file where one is named, or a table that is not ours."""


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, its type (``int``, ``float``, ``str``, ``bool``) and what it holds."""

    name: str
    kind: str
    meaning: str


def _cols(*specs: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


#: Columns every table starts with (after the command's own, such as ``side`` or ``point``).
KEY_COLUMNS = _cols(
    ("game_id", "str", "the game's stable id (rules, seats, series index, deal and agent seeds)"),
    ("index", "int", "the game's place in its run's plan"),
)

GAME_COLUMNS = KEY_COLUMNS + _cols(
    ("series_game", "int", "the game's index in its pair's series (games 2k and 2k+1 share a deal, seats swapped)"),
    ("deal_seed", "int", "the deal seed: with the agent seeds, all it takes to play the game again"),
    ("run_seed", "int", "the run seed every deal and agent seed of the run was derived from"),
    ("rules", "str", "the rule set's name"),
    ("fingerprint", "str", "the rules fingerprint (a changed value changes it)"),
    ("agent_a", "str", "the first agent of the pair, as listed (stays put when seats swap)"),
    ("agent_b", "str", "the second agent of the pair, as listed"),
    ("role0", "str", "the first role of the rules (its id)"),
    ("agent0", "str", "the agent that played role0"),
    ("score0", "int", "role0's final score (empty after a forfeit)"),
    ("role1", "str", "the second role"),
    ("agent1", "str", "the agent that played role1"),
    ("score1", "int", "role1's final score (empty after a forfeit)"),
    ("winner_agent", "str", "the agent that won; empty for a tie"),
    ("winner_role", "str", "the role that won; empty for a tie"),
    ("tier", "str", "the outcome tier's id (empty after a forfeit)"),
    ("reason", "str", "how it ended: last_round, walkout, breakdown, or forfeit"),
    ("walkouts", "str", "the roles that walked out, space-separated"),
    ("rounds", "int", "rounds played (empty after a forfeit)"),
    ("moves", "int", "actions taken by both sides"),
    ("forfeit_role", "str", "the role that forfeited (raised, answered illegally, ran out of time); else empty"),
    ("forfeit_agent", "str", "the agent that forfeited"),
    ("forfeit_error", "str", "why it forfeited, as recorded"),
    (
        "measured",
        "bool",
        "whether the game was replayed and measured (the columns below); false after a forfeit "
        "or when its rules were not at hand",
    ),
    ("offers", "int", "packages offered"),
    ("accepted", "int", "offers accepted (deals)"),
    ("rejected", "int", "offers rejected"),
    ("countered", "int", "offers answered with a counter-offer"),
    ("passes", "int", "turns passed with the initiative"),
    ("deal_steps", "int", "track steps moved by all accepted packages together"),
    ("tracks_agreed", "str", "tracks moved by at least one deal, space-separated"),
    ("tracks_top", "str", "tracks at their last stage at the end, space-separated"),
    ("events", "str", "event cards drawn, in order, space-separated"),
    ("broke", "str", "shared meters at their breakdown level at the end (a breakdown), space-separated"),
    ("walked", "str", "per-role meters at their walk-out level at the end, as meter:role, space-separated"),
)

AGENT_COLUMNS = KEY_COLUMNS + _cols(
    ("agent", "str", "the agent's label (its canonical spec; #1, #2 in a mirror match)"),
    ("role", "str", "the role it played"),
    ("seat", "int", "0 or 1: the role's place in the rules (role0 or role1 of games.csv)"),
    ("opponent", "str", "the agent in the other role"),
    ("result", "str", "win, tie or loss (a forfeit is a loss, and a win for the other side)"),
    ("points", "float", "match points: 1 for a win, 0.5 for a tie, 0 for a loss"),
    ("score", "int", "its final score (empty after a forfeit)"),
    ("opponent_score", "int", "the other role's final score"),
    ("lead", "int", "score minus opponent_score"),
    ("agenda", "str", "its secret agenda's id, revealed at the end"),
    ("walked_out", "bool", "whether this role walked out"),
    ("forfeited", "bool", "whether this agent forfeited the game"),
    ("decisions", "int", "actions it took"),
    ("gestures", "str", "gesture cards it played, in order, space-separated (empty when not measured)"),
)

METER_COLUMNS = KEY_COLUMNS + _cols(
    ("meter", "str", "the meter's id"),
    ("role", "str", "whose meter, for a per-role meter (pressure); empty for a shared one (trust)"),
    ("round", "int", "the round"),
    ("at", "str", "start: the value as the round begins; end: the value at the game's end (round = last round)"),
    ("value", "int", "the meter's value"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {"game": GAME_COLUMNS, "agent": AGENT_COLUMNS, "meter": METER_COLUMNS}
KINDS = {c.name: c.kind for cols in COLUMNS.values() for c in cols}  #: the type of every column (``role``: str in both)
MAX_CSV_BYTES = 1 << 30  #: the largest table ``read_csv_rows`` reads


def _words(items: Iterable[str]) -> str | None:
    return " ".join(items) or None


def _pair(line: Mapping[str, Any], roles: Sequence[str]) -> tuple[str, str]:
    pair = line.get("pair")
    if isinstance(pair, list) and len(pair) == 2:
        return str(pair[0]), str(pair[1])
    return str(line["agents"][roles[0]]), str(line["agents"][roles[1]])


def game_row(line: Mapping[str, Any], m: GameMetrics | None = None) -> dict[str, Any]:
    """The games.csv row of one games.jsonl line (``m``: its measures, if it was replayed)."""
    agents: dict[str, str] = dict(line["agents"])
    roles = list(agents)
    outcome = line.get("outcome") or {}
    scores = outcome.get("scores") or {}
    forfeit = line.get("forfeit") or {}
    winner = line.get("winner")
    by_agent = {a: r for r, a in agents.items()}
    actions = line.get("actions")
    moves = len(actions) if isinstance(actions, list) else sum((line.get("decisions") or {}).values())
    a, b = _pair(line, roles)
    row: dict[str, Any] = {
        "game_id": line.get("game_id"),
        "index": line.get("index"),
        "series_game": line.get("game"),
        "deal_seed": line["seed"],
        "run_seed": line.get("run_seed"),
        "rules": line["rules"].get("name"),
        "fingerprint": line["rules"]["fingerprint"],
        "agent_a": a,
        "agent_b": b,
    }
    for i, role in enumerate(roles[:2]):
        row[f"role{i}"] = role
        row[f"agent{i}"] = agents[role]
        row[f"score{i}"] = scores.get(role)
    row.update(
        winner_agent=winner,
        winner_role=by_agent.get(winner) if winner is not None else None,
        tier=outcome.get("tier"),
        reason="forfeit" if forfeit else outcome.get("reason"),
        walkouts=_words(outcome.get("walkouts") or ()),
        rounds=outcome.get("rounds_played"),
        moves=moves,
        forfeit_role=forfeit.get("role"),
        forfeit_agent=forfeit.get("agent"),
        forfeit_error=forfeit.get("error"),
        measured=m is not None,
    )
    if m is not None:
        row.update(
            offers=m.offers,
            accepted=m.accepted,
            rejected=m.rejected,
            countered=m.countered,
            passes=m.passes,
            deal_steps=sum(m.deals),
            tracks_agreed=_words(sorted(m.tracks_agreed)),
            tracks_top=_words(sorted(m.tracks_top)),
            events=_words(m.events),
            broke=_words(m.broke),
            walked=_words(m.walked),
        )
    return row


def agent_rows(line: Mapping[str, Any], m: GameMetrics | None = None) -> list[dict[str, Any]]:
    """The agents.csv rows of one games.jsonl line: one per role, in the rules' role order."""
    agents: dict[str, str] = dict(line["agents"])
    outcome = line.get("outcome") or {}
    scores = outcome.get("scores") or {}
    forfeit = line.get("forfeit") or {}
    winner = line.get("winner")
    decisions = line.get("decisions") or {}
    out = []
    for seat, (role, agent) in enumerate(agents.items()):
        (other,) = (r for r in agents if r != role)
        score, theirs = scores.get(role), scores.get(other)
        result = "tie" if winner is None else "win" if winner == agent else "loss"
        out.append(
            {
                "game_id": line.get("game_id"),
                "index": line.get("index"),
                "agent": agent,
                "role": role,
                "seat": seat,
                "opponent": agents[other],
                "result": result,
                "points": {"win": 1.0, "tie": 0.5, "loss": 0.0}[result],
                "score": score,
                "opponent_score": theirs,
                "lead": score - theirs if score is not None and theirs is not None else None,
                "agenda": (outcome.get("agendas") or {}).get(role),
                "walked_out": role in (outcome.get("walkouts") or ()),
                "forfeited": forfeit.get("role") == role,
                "decisions": decisions.get(role),
                "gestures": _words(m.gestures.get(role, ())) if m is not None else None,
            }
        )
    return out


def meter_rows(line: Mapping[str, Any], m: GameMetrics) -> list[dict[str, Any]]:
    """The meters.csv rows of a measured game: every meter as each round begins, then at the end."""
    out = []
    for key, values in m.series.items():
        meter, _, role = key.partition(":")
        for i, value in enumerate(values):
            end = i == len(values) - 1
            out.append(
                {
                    "game_id": line.get("game_id"),
                    "index": line.get("index"),
                    "meter": meter,
                    "role": role or None,
                    "round": m.rounds if end else i + 1,
                    "at": "end" if end else "start",
                    "value": value,
                }
            )
    return out


@dataclass
class Tables:
    """The three tables of a run, filled group by group (a compare side, a sweep point, a tune trial);
    ``context`` are the columns a command puts first to say which group a row belongs to."""

    context: tuple[Column, ...] = ()
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {k: [] for k in TABLES})

    def add(
        self,
        lines: Iterable[Mapping[str, Any]],
        measured: Iterable[GameMetrics] = (),
        context: Mapping[str, Any] | None = None,
    ) -> None:
        """Add a run's lines (in plan order) with the measures of its finished games (matched by plan index)."""
        by_index = {m.index: m for m in measured}
        ctx = dict(context or {})
        for line in sorted(lines, key=lambda ln: ln.get("index", 0)):
            m = None if line.get("forfeit") else by_index.get(line.get("index", -1))
            self.rows["game"].append({**ctx, **game_row(line, m)})
            self.rows["agent"].extend({**ctx, **r} for r in agent_rows(line, m))
            if m is not None:
                self.rows["meter"].extend({**ctx, **r} for r in meter_rows(line, m))

    def columns(self, per: Per) -> list[str]:
        """The column names of a table, context first; context columns not listed are added in first-seen order."""
        names = [c.name for c in self.context]
        fixed = [c.name for c in COLUMNS[per]]
        known = set(names) | set(fixed)
        for row in self.rows[per]:
            for k in row:
                if k not in known:
                    known.add(k)
                    names.append(k)
        return names + fixed

    def text(self, per: Per) -> str:
        """A table as CSV text: a header, then one line per row (``\\n`` line ends; see ``quoted``)."""
        names = self.columns(per)
        lines = [",".join(quoted(n) for n in names)]
        lines.extend(",".join(quoted(cell(row.get(n))) for n in names) for row in self.rows[per])
        return "\n".join(lines) + "\n"

    def write(self, folder: str | Path) -> list[Path]:
        """Write games.csv, agents.csv and meters.csv into ``folder`` (made if missing), each atomically."""
        out = []
        for per, name in TABLES.items():
            path = Path(folder) / name
            write_atomic(path, self.text(per))  # type: ignore[arg-type]
            out.append(path)
        return out

    @property
    def games(self) -> int:
        """Rows of games.csv so far."""
        return len(self.rows["game"])


_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def clean(text: str) -> str:
    """Text as a table can hold it: a NUL (which no reader takes) or a lone surrogate (which UTF-8 cannot
    encode; JSON can carry one) becomes U+FFFD. Line breaks, commas and quotes stay: CSV quotes them."""
    if text.isascii() and "\x00" not in text:
        return text
    return _UNWRITABLE.sub("\ufffd", text)


def quoted(text: str) -> str:
    """A cell as CSV writes it: quoted (quotes doubled) when it holds a comma, a quote or a line break. Python's
    ``csv.writer`` with ``\\n`` line ends leaves a lone ``\\r`` unquoted, and the row then reads back as two."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def cell(value: Any) -> str:
    """A value as a CSV cell: empty for missing, ``true``/``false``, numbers as Python writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean(str(value))


def measure_lines(lines: Sequence[Mapping[str, Any]], rules: Ruleset | None = None) -> tuple[list[GameMetrics], int]:
    """Replay and measure the finished games whose actions are in their lines: under ``rules`` (its games
    only), else under the bundled rule file whose fingerprint each names. Returns the measures and how many
    finished games could not be measured (their rules are not at hand)."""
    from ..rules.loader import bundled_rules_for, load_rules
    from .metrics import game_metrics

    cache: dict[str, Ruleset | None] = {}
    if rules is not None:
        cache[rules.fingerprint] = rules
    out: list[GameMetrics] = []
    missed = 0
    for n, line in enumerate(lines):
        if line.get("forfeit") or "actions" not in line:
            continue
        fp = line["rules"]["fingerprint"]
        if fp not in cache:
            path = bundled_rules_for(fp) if rules is None else None
            cache[fp] = load_rules(path) if path is not None else None
        found = cache[fp]
        if found is None:
            missed += 1
            continue
        out.append(game_metrics(line, found, line.get("index", n), f"game {line.get('game_id')}"))
    return out, missed


def games_file(path: str | Path) -> Path:
    """The games.jsonl a path names: the file itself, or the one in a folder (a tournament's ``--out``)."""
    p = Path(path)
    if p.is_dir():
        p = p / "games.jsonl"
        if not p.exists():
            raise ExportError(f"{printable(path)}: no games.jsonl in this folder")
    return p


def tables_of(path: str | Path, rules: Ruleset | None = None) -> tuple[Tables, int]:
    """The tables of a games.jsonl file (or a folder holding one), each game measured where its rules are
    at hand; and how many finished games were not measured."""
    from ..runs.tournament import TournamentError
    from ..runs.tournament import read_games as read_lines

    try:
        lines = read_lines(games_file(path))
    except TournamentError as exc:
        raise ExportError(str(exc)) from None
    for n, line in enumerate(lines):  # a line written before plan indexes: its place in the file
        line.setdefault("index", n)
    measured, missed = measure_lines(lines, rules)
    tables = Tables()
    tables.add(lines, measured)
    return tables, missed


def _typed(value: str, kind: str | None) -> Any:
    if value == "":
        return None
    if kind == "str":
        return value
    if kind == "bool":
        return value == "true"
    if kind in ("int", "float"):
        return int(value) if kind == "int" else float(value)
    for conv in (int, float):  # a command's own column (a sweep parameter): a number where it reads as one
        try:
            return conv(value)
        except ValueError:
            pass
    return value


def read_csv_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a table written by ``--csv``, each cell typed by its column (``COLUMNS``)."""
    shown = printable(path)
    try:
        text = read_text(path, limit=MAX_CSV_BYTES, name=shown)
    except DataFileError as exc:
        raise ExportError(str(exc)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or "game_id" not in header:
        raise ExportError(f"{shown}: not a table written by summitgame --csv (no game_id column)")
    return [{n: _typed(v, KINDS.get(n)) for n, v in zip(header, values, strict=False)} for values in reader]


def read_game_rows(
    path: str | os.PathLike[str], per: Per = "game", rules: Ruleset | None = None
) -> list[dict[str, Any]]:
    """The rows of ``read_games`` as a list of dicts, without pandas."""
    if per not in TABLES:
        raise ExportError(f"per must be one of {', '.join(TABLES)}, not {per!r}")
    p = Path(path)
    if p.suffix == ".csv":  # one table, read as it is
        return read_csv_rows(p)
    if p.is_dir() and (p / GAMES_CSV).exists():  # a folder written by --csv
        return read_csv_rows(p / TABLES[per])
    tables, _ = tables_of(p, rules)
    return [{n: row.get(n) for n in tables.columns(per)} for row in tables.rows[per]]


def read_games(path: str | os.PathLike[str], per: Per = "game", rules: Ruleset | None = None) -> Any:
    """The games of a run as a pandas DataFrame: one row per game (``per="agent"``: per agent and role in
    each game; ``per="meter"``: per meter reading). ``path`` is a games.jsonl file, a tournament's folder, or
    a folder (or a .csv file) written by ``--csv``. Columns: ``GAME_COLUMNS``, ``AGENT_COLUMNS``,
    ``METER_COLUMNS``. Needs pandas (ExportError saying ``pip install pandas`` otherwise); ``read_game_rows``
    gives the same rows as dicts without it."""
    try:
        import pandas as pd
    except ImportError:
        raise ExportError("read_games needs pandas: pip install pandas (read_game_rows gives plain dicts)") from None
    rows = read_game_rows(path, per, rules)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=[c.name for c in COLUMNS[per]])
    dtypes = {"int": "Int64", "float": "Float64", "bool": "boolean", "str": "string"}
    return frame.astype({n: dtypes[k] for n, k in KINDS.items() if n in frame.columns})


def plan_tables(path: str | Path, lines: Sequence[Mapping[str, Any]], rules: Ruleset) -> Tables:
    """The tables of a run's games (``lines``, as ``tournament.run_plan`` reports them, without actions), each
    measured from its full line in the run's games.jsonl at ``path``."""
    from ..runs.tournament import read_games as read_lines

    wanted = {line["game_id"] for line in lines}
    full = {line["game_id"]: line for line in read_lines(path) if line["game_id"] in wanted}
    ordered = [full.get(line["game_id"], line) for line in lines]
    measured, _ = measure_lines(ordered, rules)
    tables = Tables()
    tables.add(ordered, measured)
    return tables


#: compare's first column: which rule set a game was played under.
SIDE_COLUMNS = _cols(("side", "str", "a or b: played under compare's A.toml or B.toml (with its --set-a/--set-b)"))
#: sweep's first columns (then one ``param:KEY.PATH`` column per parameter swept).
POINT_COLUMNS = _cols(
    (
        "point",
        "int",
        "the point of the grid, in the order of the report (with --sensitivity: 0 is the current "
        "rules, then each probed parameter one step down and one step up)",
    ),
)
#: tune's first columns (then one ``param:KEY.PATH`` column per parameter searched).
TRIAL_COLUMNS = _cols(
    ("trial", "int", "the candidate's number in trials.jsonl"),
    ("phase", "str", "search (a candidate of the search) or trim (a trim of the winner)"),
)
