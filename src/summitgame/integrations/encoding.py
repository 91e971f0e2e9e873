"""A fixed-length numeric encoding of one role's ``Observation``, shared by the adapters.

The vector is built from ``observation.sight`` alone, the values one role may see (``Encoder.encode_sight``),
so it holds exactly what the viewer may see: from a state (``encode_state``, the PettingZoo adapter's path,
without building an ``Observation``) or from an ``Observation`` (``encode_array``, OpenSpiel's, through
``Observation.sight``), bit for bit the same. Its length depends only on the ruleset. Layout, in order
(roles are in rule-file order; "one-hot" blocks are 0/1; everything else is a raw count or value):

==================  ==========================  ===================================================
block               size                        meaning
==================  ==========================  ===================================================
viewer              2                           one-hot: whose view this is
to_move             3                           one-hot: role 0, role 1, nobody (the summit is over)
my_turn             1                           1 if the viewer is to move
round               1                           the round number, from 1
initiative          2                           one-hot
phase               3                           one-hot: build, respond, over
meters              meter slots                 every meter slot (shared, then two per per-role meter)
tracks              tracks × stages             one-hot stage per track
blocked             tracks                      rounds the track stays off the table, from now
public_stakes       2 × tracks                  role * tracks + track, without agendas
my_stakes           tracks                      the viewer's true stakes (with its agenda)
my_hand             gesture cards               copies of each gesture in the viewer's hand
their_hand_size     1
gesture_deck_size   1
my_agenda           agendas                     one-hot
their_agenda        agendas                     one-hot once revealed to the viewer, else zeros
my_agenda_revealed  1                           1 if the opponent has seen the viewer's agenda
package             2 × tracks                  steps on each track given by role 0, by role 1
proposer            2                           one-hot: who built the package
counters, plays     2                           counters this round, gestures played this turn
my_points           1                           the viewer's deal points at its true stakes
public_points       2                           both roles' deal points at public stakes
net                 2 × tracks                  steps gained minus given, role * tracks + track
gained              2                           whether each role gained in a deal this round
end                 4                           one-hot end reason: none, last round, walk-out, breakdown
walkouts            2                           1 for each role that walked out
event               events                      one-hot: this round's event
events_left         events                      copies of each event still to come this deck cycle
==================  ==========================  ===================================================
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar

import numpy as np

from ..engine.observation import Observation, Sight, sight
from ..engine.scoring import points_with_agenda
from ..engine.state import EndReason, Phase, State
from ..rules.ruleset import Ruleset

_Run = Callable[[Any], Sequence[float]]
_FLOAT32 = np.dtype(np.float32)


class Encoder:
    """Turns what one role sees under one ruleset into float vectors of a fixed ``size`` (see the module doc).

    Everything goes through ``encode_sight``, from the values ``observation.sight`` decides a viewer may
    see: ``encode_state`` hands it a state's sight, ``encode_array`` an observation's (``Observation.sight``),
    so the two give the same vector bit for bit. The vector is a concatenation of runs of consecutive layout
    blocks; each costlier run is computed by one method and memoized by exactly the values it reads
    (most repeat from one step to the next), the runs of a few plain numbers are packed directly.
    """

    CACHE_LIMIT: ClassVar[int] = 4096
    """Entries kept per memoized run (a full cache is emptied: memory stays bounded)."""

    def __init__(self, rules: Ruleset) -> None:
        self.rules = rules
        T = rules.n_tracks
        S = len(rules.stages)
        blocks = [
            ("viewer", 2),
            ("to_move", 3),
            ("my_turn", 1),
            ("round", 1),
            ("initiative", 2),
            ("phase", 3),
            ("meters", len(rules.meter_min)),
            ("tracks", T * S),
            ("blocked", T),
            ("public_stakes", 2 * T),
            ("my_stakes", T),
            ("my_hand", len(rules.gesture_ids)),
            ("their_hand_size", 1),
            ("gesture_deck_size", 1),
            ("my_agenda", len(rules.agenda_ids)),
            ("their_agenda", len(rules.agenda_ids)),
            ("my_agenda_revealed", 1),
            ("package", 2 * T),
            ("proposer", 2),
            ("counters_plays", 2),
            ("my_points", 1),
            ("public_points", 2),
            ("net", 2 * T),
            ("gained", 2),
            ("end", 4),
            ("walkouts", 2),
            ("event", len(rules.event_ids)),
            ("events_left", len(rules.event_ids)),
        ]
        self.offsets: dict[str, tuple[int, int]] = {}
        at = 0
        for name, n in blocks:
            self.offsets[name] = (at, n)
            at += n
        self.size = at
        self._stages = S
        self._tracks = T
        self._n_gestures = len(rules.gesture_ids)
        self._n_agendas = len(rules.agenda_ids)
        self._n_events = len(rules.event_ids)
        self._agenda_stakes = rules.agenda_stakes
        runs: list[tuple[str, _Run | None]] = [  # (first block, memoized run or None: packed directly)
            ("viewer", self._head),
            ("meters", None),
            ("tracks", self._track_stages),
            ("public_stakes", self._stakes),
            ("my_hand", self._hand),
            ("their_hand_size", None),
            ("my_agenda", self._agendas),
            ("package", self._package),
            ("proposer", None),
            ("net", self._record),
        ]
        starts = [self.offsets[first][0] for first, _ in runs] + [self.size]
        packers = [struct.Struct(f"<{starts[i + 1] - starts[i]}f") for i in range(len(runs))]
        self._runs: tuple[_Run, ...] = tuple(run for _, run in runs if run is not None)
        self._packers = tuple(p for p, (_, run) in zip(packers, runs, strict=True) if run is not None)
        self._direct = tuple(p.pack for p, (_, run) in zip(packers, runs, strict=True) if run is None)
        self._caches: tuple[dict[Hashable, bytes], ...] = tuple({} for _ in self._runs)

    def encode(self, obs: Observation) -> list[float]:
        """The observation as a list of ``size`` floats (``encode_array``'s values)."""
        values: list[float] = self.encode_array(obs).tolist()
        return values

    def encode_array(self, obs: Observation) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The observation as a fresh, writable float32 array (what the OpenSpiel adapter hands out): the
        vector of the sight it shows (``Observation.sight``)."""
        return self.encode_sight(obs.sight)

    def encode_state(self, s: State, viewer: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        """``encode_array(observe(s, viewer))`` bit for bit, built from ``sight(s, viewer)`` without the
        ``Observation`` (which costs about as much as an engine step): what the PettingZoo adapter hands out."""
        return self.encode_sight(sight(s, viewer))

    def encode_sight(self, v: Sight) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The vector for what one role sees (``observation.sight``), as a fresh, writable float32 array."""
        (r, to_move, rnd, initiative, phase, meters, tracks, blocked, stakes, hand, their_hand_size, deck_size,
         my_agenda, their_agenda, shown, items, proposer, counters, plays, points, net, gained, end, walkouts,
         event, edeck, _history) = v  # fmt: skip
        c_head, c_tracks, c_stakes, c_hand, c_agendas, c_package, c_record = self._caches
        p_meters, p_sizes, p_deal = self._direct
        fill = self._fill
        head = (r, to_move, rnd, initiative, phase)
        track_key = (tracks, blocked, rnd)
        stake_key = (stakes, r, my_agenda)
        agendas = (my_agenda, their_agenda, shown)
        record = (net, gained, end, walkouts, event, edeck)
        my_points = points_with_agenda(self.rules, r, my_agenda, points, net)
        if phase == Phase.OVER:
            deal = p_deal(0, 0, counters, plays, my_points, *points)
        else:
            deal = p_deal(proposer == 0, proposer == 1, counters, plays, my_points, *points)
        data = bytearray().join(  # a memoized run is never empty, so ``or`` only falls through on a miss
            (
                c_head.get(head) or fill(0, head),
                p_meters(*meters),
                c_tracks.get(track_key) or fill(1, track_key),
                c_stakes.get(stake_key) or fill(2, stake_key),
                c_hand.get(hand) or fill(3, hand),
                p_sizes(their_hand_size, deck_size),
                c_agendas.get(agendas) or fill(4, agendas),
                c_package.get(items) or fill(5, items),
                deal,
                c_record.get(record) or fill(6, record),
            )
        )
        return np.frombuffer(data, _FLOAT32)

    def _fill(self, run: int, key: Hashable) -> bytes:
        """A memoized run's float32 bytes on a cache miss, remembered under ``key`` (the values it reads)."""
        b = self._packers[run].pack(*self._runs[run](key))
        cache = self._caches[run]
        if len(cache) >= self.CACHE_LIMIT:
            cache.clear()
        cache[key] = b
        return b

    # One method per memoized run, each computing its blocks from its key alone.

    def _head(self, key: tuple[int, int, int, int, Phase]) -> list[float]:
        """viewer, to_move, my_turn, round, initiative, phase."""
        r, to_move, rnd, initiative, phase = key
        v = [0.0] * 12
        v[r] = 1
        v[2 + (to_move if to_move >= 0 else 2)] = 1
        v[5] = 1 if to_move == r else 0
        v[6] = rnd
        v[7 + initiative] = 1
        v[9 + int(phase)] = 1
        return v

    def _track_stages(self, key: tuple[tuple[int, ...], tuple[int, ...], int]) -> list[float]:
        """tracks, blocked (rounds each track stays off the table, from ``round``)."""
        tracks, blocked, rnd = key
        S, T = self._stages, self._tracks
        v = [0.0] * (T * S + T)
        for t, stage in enumerate(tracks):
            v[t * S + stage] = 1
        for t, b in enumerate(blocked):
            if b >= rnd:
                v[T * S + t] = b - rnd + 1
        return v

    def _stakes(self, key: tuple[tuple[int, ...], int, int]) -> list[float]:
        """public_stakes, my_stakes (public stakes plus the viewer's agenda)."""
        stakes, r, my_agenda = key
        T = self._tracks
        return [*stakes, *(stakes[r * T + t] + extra for t, extra in enumerate(self._agenda_stakes[my_agenda]))]

    def _hand(self, hand: tuple[int, ...]) -> list[float]:
        """my_hand (gesture indexes)."""
        v = [0.0] * self._n_gestures
        for g in hand:
            v[g] += 1
        return v

    def _agendas(self, key: tuple[int, int, bool]) -> list[float]:
        """my_agenda, their_agenda (-1 while hidden), my_agenda_revealed."""
        my_agenda, their_agenda, shown = key
        A = self._n_agendas
        v = [0.0] * (2 * A + 1)
        v[my_agenda] = 1
        if their_agenda >= 0:
            v[A + their_agenda] = 1
        v[2 * A] = 1 if shown else 0
        return v

    def _package(self, items: tuple[tuple[int, int, int], ...]) -> list[float]:
        """package."""
        T = self._tracks
        v = [0.0] * (2 * T)
        for giver, t, steps in items:
            v[giver * T + t] += steps
        return v

    def _record(
        self, key: tuple[tuple[int, ...], tuple[bool, bool], EndReason, tuple[int, ...], int, tuple[int, ...]]
    ) -> list[float]:
        """net, gained, end, walkouts, event, events_left (the events still in the cycle's deck)."""
        net, gained, end, walkouts, event, edeck = key
        E = self._n_events
        v: list[float] = [*net, 1 if gained[0] else 0, 1 if gained[1] else 0, 0, 0, 0, 0, 0, 0]
        at = len(v) - 6
        v[at + int(end)] = 1
        for r in walkouts:
            v[at + 4 + r] = 1
        at = len(v)
        v += [0.0] * (2 * E)
        if event >= 0:
            v[at + event] = 1
        for e in edeck:
            v[at + E + e] += 1
        return v


def observation_text(obs: Observation) -> str:
    """The observation as one line of text (the same information as ``Encoder.encode``, readable)."""
    rules = obs.rules
    meters = " ".join(str(m) for m in obs.meters)
    tracks = " ".join(f"{rules.track_ids[t]}={rules.stages[x]}" for t, x in enumerate(obs.tracks))
    blocked = ",".join(rules.track_ids[t] for t, b in enumerate(obs.blocked) if b >= obs.round)
    items = ",".join(f"{rules.roles[g]}:{rules.track_ids[t]}:{st}" for g, t, st in obs.items)
    who = "over" if obs.to_move < 0 else rules.roles[obs.to_move]
    return (
        f"{obs.role} round {obs.round} init {rules.roles[obs.initiative]} {obs.phase.name.lower()}"
        f" to_move {who} | meters {meters} | {tracks} | blocked [{blocked}]"
        f" | stakes {list(obs.public_stakes)} mine {list(obs.my_stakes)}"
        f" | hand [{','.join(obs.my_hand)}] theirs {obs.their_hand_size} deck {obs.gesture_deck_size}"
        f" | agenda {obs.my_agenda} theirs {obs.their_agenda or '?'} shown {int(obs.my_agenda_revealed)}"
        f" | package [{items}] by {rules.roles[obs.proposer]} counters {obs.counters} plays {obs.plays}"
        f" | points {obs.my_points} public {list(obs.public_points)} net {list(obs.net)}"
        f" gained {[int(g) for g in obs.gained]}"
        f" | end {obs.end.label} walkouts {[rules.roles[r] for r in obs.walkouts]}"
        f" | event {obs.event} left {obs.events_left}"
    )


def board_text(obs: Observation, recent: int = 8) -> str:
    """The public board as plain text (no hand or agenda): what a spectator of the table sees."""
    rules = obs.rules
    lines = [f"{rules.name}: round {obs.round} of {rules.rounds}"]
    if obs.to_move >= 0:
        lines[0] += f", {rules.role_names[obs.to_move]} to {'answer' if obs.phase == Phase.RESPOND else 'move'}"
    else:
        lines[0] += f", over ({obs.end.label})"
    meter_parts = []
    for mid in rules.meter_ids:
        first, per_role = rules.meter_slot[mid]
        if per_role:
            meter_parts.append(f"{mid} " + "/".join(str(obs.meters[first + r]) for r in (0, 1)))
        else:
            meter_parts.append(f"{mid} {obs.meters[first]}")
    lines.append("meters: " + ", ".join(meter_parts) + f"   (per-role meters: {' / '.join(rules.roles)})")
    width = max(len(n) for n in rules.track_names)
    for t, name in enumerate(rules.track_names):
        stage = rules.stages[obs.tracks[t]]
        off = f"  (off the table to round {obs.blocked[t]})" if obs.blocked[t] >= obs.round else ""
        lines.append(f"  {name:<{width}}  {stage}{off}")
    if obs.event is not None:
        lines.append(f"event: {obs.event}")
    if obs.items:
        verb = "on the table" if obs.phase == Phase.RESPOND else "being built"
        items = ", ".join(f"{rules.roles[g]} concedes {rules.track_ids[t]} {st}" for g, t, st in obs.items)
        lines.append(f"package {verb} by {rules.roles[obs.proposer]}: {items}")
    lines.append(f"deal points at public stakes: {obs.public_points[0]} / {obs.public_points[1]}")
    if obs.log:
        lines.append("recent: " + "; ".join(obs.log[-recent:]))
    return "\n".join(lines)
