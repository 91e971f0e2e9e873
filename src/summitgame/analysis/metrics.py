"""Per-game metrics, taken by replaying a game's record state by state (``records.replay_states``).

One ``GameMetrics`` per finished game: the outcome (tier, end reason, who walked out, scores), the length,
every meter as each round begins and at the end, the highest value each per-role meter reached, the
negotiation (offers made, accepted, rejected, countered, passes; the size of each deal; the tracks moved
by deals and the tracks that reached their last stage), the decisions (how many, and those with one legal
choice, by its kind), the cards (gestures played by each role, events drawn) and why the tier happened
(which of its ``any`` conditions held, which meter broke the talks, which meter a walker reached). Replaying costs about
0.3 ms a game, small next to playing it.

Recorded games are read from a directory: hot-seat records (``summit-games/*.json``), ``match --records``
folders (``game-00001.json``) and tournament ``games.jsonl`` files. Unfinished games, forfeits and
records made under other rules are skipped, each with its reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.forward import legal_actions
from ..engine.state import Phase
from ..errors import SummitError
from ..rules.actions import ActionKind
from ..rules.ruleset import Ruleset
from ..runs.records import check_shape, replay_states
from ..safeio import DataFileError, loads_json, open_regular, printable, read_lines, read_text


@dataclass(frozen=True)
class GameMetrics:
    """What one finished game did, in rule-data ids (roles, tiers, tracks, cards, meters)."""

    index: int  #: place in its run (plan index) or in the directory listing
    seed: int
    agents: dict[str, str]  #: role id -> agent label ("human" for hot-seat records without agents)
    tier: str
    reason: str  #: 'last_round', 'walkout' or 'breakdown'
    walkouts: tuple[str, ...]  #: role ids that walked out
    rounds: int
    scores: dict[str, int]
    winner: str | None  #: role id, None for a tie
    series: dict[str, tuple[int, ...]]  #: meter key -> value as rounds 1..R begin, then at the end (R + 1 values)
    peaks: dict[str, int]  #: per-role meter key ('pressure:moscow') -> highest value reached
    offers: int
    accepted: int
    rejected: int
    countered: int
    passes: int
    deals: tuple[int, ...]  #: total steps of each accepted package
    tracks_agreed: frozenset[str]  #: tracks moved by at least one accepted package
    tracks_top: frozenset[str]  #: tracks at their last stage at the end
    gestures: dict[str, tuple[str, ...]]  #: role id -> gesture card ids played, in order
    events: tuple[str, ...]  #: event card ids drawn, in order
    decisions: int = 0  #: actions taken (decisions made by the players)
    forced: dict[str, int] = field(default_factory=dict)  #: action kind -> decisions where it was the only choice
    alternatives: tuple[int, ...] = ()  #: indexes of the outcome tier's ``any`` conditions that held at the end
    broke: tuple[str, ...] = ()  #: shared meters at or below their breakdown level at the end (a breakdown)
    walked: tuple[str, ...] = ()  #: per-role meter keys ('pressure:moscow') at their walk-out level at the end
    #: for each tier checked before the outcome's (and so not held): the indexes of its ``all`` conditions that
    #: failed, with -1 when none of its ``any`` conditions held
    missed: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def end(self) -> str:
        """How the game ended, with who walked out: 'last_round', 'breakdown', 'walkout:moscow', ..."""
        return self.reason + (f":{','.join(self.walkouts)}" if self.walkouts else "")


def meter_keys(rules: Ruleset) -> list[str]:
    """The series keys of a ruleset's meters: a shared meter's id, a per-role meter's ``id:role``."""
    keys = []
    for mid in rules.meter_ids:
        _, per_role = rules.meter_slot[mid]
        keys.extend([f"{mid}:{r}" for r in rules.roles] if per_role else [mid])
    return keys


def _slots(rules: Ruleset) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for mid in rules.meter_ids:
        slot, per_role = rules.meter_slot[mid]
        if per_role:
            out.extend((f"{mid}:{r}", slot + i) for i, r in enumerate(rules.roles))
        else:
            out.append((mid, slot))
    return out


def game_metrics(doc: Mapping[str, Any], rules: Ruleset, index: int = 0, where: str = "record") -> GameMetrics:
    """Replay one finished game's record (or games.jsonl line) and measure it; RecordError if it does not
    replay under these rules, SummitError if it is not finished."""
    slots = _slots(rules)
    per_role = [(k, s) for k, s in slots if ":" in k]
    states = replay_states(dict(doc), rules, where)
    s = next(states)
    values: dict[str, list[int]] = {k: [s.meters[i]] for k, i in slots}
    peaks = {k: s.meters[i] for k, i in per_role}
    events = [rules.event_ids[s.event]] if s.event >= 0 else []
    gestures: dict[str, list[str]] = {r: [] for r in rules.roles}
    offers = accepted = rejected = countered = passes = 0
    forced: dict[str, int] = {}
    deals: list[int] = []
    agreed: set[str] = set()
    table = rules.actions
    for text, nxt in zip(doc["actions"], states, strict=True):
        action = table.parse(text)
        kind = action.kind
        legal = legal_actions(s)
        if len(legal) == 1:
            forced[legal[0].kind.value] = forced.get(legal[0].kind.value, 0) + 1
        if s.phase == Phase.BUILD and nxt.phase == Phase.RESPOND:  # "offer", or a full package offered at once
            offers += 1
        if kind is ActionKind.ACCEPT:
            accepted += 1
            deals.append(sum(it[2] for it in s.items))
            agreed.update(rules.track_ids[it[1]] for it in s.items)
        elif kind is ActionKind.REJECT:
            rejected += 1
        elif kind is ActionKind.COUNTER:
            countered += 1
        elif kind is ActionKind.PASS:
            passes += 1
        elif kind is ActionKind.PLAY:
            gestures[rules.roles[s.to_move]].append(str(action.card))
        m = nxt.meters
        for k, i in per_role:
            if m[i] > peaks[k]:
                peaks[k] = m[i]
        if nxt.round != s.round:
            for k, i in slots:
                values[k].append(m[i])
            events.append(rules.event_ids[nxt.event])
        s = nxt
    if s.to_move >= 0:
        raise SummitError(f"{where}: the game is not finished")
    for k, i in slots:
        values[k].append(s.meters[i])
    from ..engine.scoring import outcome
    from ..rules.effects import holds

    o = outcome(s)
    tier = rules.tier_ids.index(o.tier)
    by_slot = {slot: mid for mid, (slot, _) in rules.meter_slot.items()}
    agents = doc.get("agents")
    return GameMetrics(
        index=index,
        seed=int(doc["seed"]),
        agents=dict(agents) if isinstance(agents, dict) else {r: "human" for r in rules.roles},
        tier=o.tier,
        reason=o.reason.label,
        walkouts=o.walkouts,
        rounds=o.rounds_played,
        scores=dict(o.scores),
        winner=o.winner,
        series={k: tuple(v) for k, v in values.items()},
        peaks=peaks,
        offers=offers,
        accepted=accepted,
        rejected=rejected,
        countered=countered,
        passes=passes,
        deals=tuple(deals),
        tracks_agreed=frozenset(agreed),
        tracks_top=frozenset(rules.track_ids[t] for t in range(rules.n_tracks) if s.tracks[t] >= rules.top_stage),
        gestures={r: tuple(v) for r, v in gestures.items()},
        events=tuple(events),
        decisions=len(doc["actions"]),
        forced=forced,
        alternatives=tuple(j for j, c in enumerate(rules.tier_any[tier]) if holds(c, s, 0)),
        broke=tuple(by_slot[slot] for slot, level in rules.breakdowns if s.meters[slot] <= level)
        if o.reason.label == "breakdown"
        else (),
        walked=tuple(
            f"{by_slot[slot]}:{rules.roles[r]}"
            for slot, limits in rules.walkouts
            for r in (0, 1)
            if s.meters[slot + r] >= limits[r]
        ),
        missed={
            rules.tier_ids[i]: (
                (-1,) if rules.tier_any[i] and not any(holds(c, s, 0) for c in rules.tier_any[i]) else ()
            )
            + tuple(j for j, c in enumerate(rules.tier_all[i]) if not holds(c, s, 0))
            for i in range(tier)
        },
    )


@dataclass
class Recorded:
    """Games read from a directory of records: those measured, and those skipped with the reason."""

    games: list[GameMetrics] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  #: (where, why)
    files: int = 0


def _docs(root: Path) -> Iterable[tuple[str, Any]]:
    """Each JSON document under ``root`` (a folder, searched recursively, or one file), with where it is; a
    document that cannot be read comes as a DataFileError instead. Files are read through ``safeio``."""
    paths = sorted(root.rglob("*")) if root.is_dir() else [root]
    for path in paths:
        where = printable(path)
        if path.suffix == ".jsonl":
            try:
                for n, raw in read_lines(path, name=where):
                    if raw.strip():
                        try:
                            yield f"{where}:{n}", loads_json(raw, f"{where}:{n}")
                        except DataFileError as exc:
                            yield f"{where}:{n}", exc
            except DataFileError as exc:
                yield where, exc
        elif path.suffix == ".json" or path == root:
            try:
                yield where, loads_json(read_text(path, name=where), where)
            except DataFileError as exc:
                yield where, exc


def _agents_problem(doc: Mapping[str, Any], rules: Ruleset) -> str | None:
    agents = doc.get("agents")
    if agents is None:
        return None
    if not isinstance(agents, dict) or set(agents) != set(rules.roles) or not all(map(_is_str, agents.values())):
        return f"field 'agents' must map the roles {', '.join(rules.roles)} to agent labels"
    return None


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def read_recorded(folder: str | Path, rules: Ruleset) -> Recorded:
    """Measure every finished game recorded under ``folder`` (searched recursively; or one file) for these rules.

    Files that are not game records (``summary.json``, ``tournament.json``) are passed over silently; a record
    that cannot be read or used is skipped with the reason. SummitError if ``folder`` is neither a folder nor
    a regular file (a named pipe, a device, a symlink loop)."""
    root = Path(folder)
    if not root.is_dir():
        try:
            os.close(open_regular(root, name=printable(root)))
        except DataFileError as exc:
            raise SummitError(f"{exc.path}: not a folder of game records ({exc.message})") from None
    out = Recorded()
    for where, doc in _docs(root):
        if isinstance(doc, DataFileError):
            out.skipped.append((where, doc.message if doc.line is None else f"line {doc.line}: {doc.message}"))
            continue
        if not isinstance(doc, dict) or doc.get("format") != "summitgame-record":
            continue
        out.files += 1
        try:
            check_shape(doc, where)
            if doc.get("forfeit"):
                raise SummitError("a forfeited game")
            why = _agents_problem(doc, rules)
            if why is not None:
                raise SummitError(why)
            out.games.append(game_metrics(doc, rules, len(out.games), where))
        except SummitError as exc:
            out.skipped.append((where, str(exc).removeprefix(f"{where}: ")))
    return out
