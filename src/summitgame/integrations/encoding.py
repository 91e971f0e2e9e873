"""A fixed-length numeric encoding of one role's ``Observation``, shared by the adapters.

The vector is built from an ``Observation`` alone (``observation.observe``), so it holds exactly what the
viewer may see: ``Encoder.encode`` is the reference. ``Encoder.encode_state`` (the PettingZoo adapter's
fast path) gives the same vector bit for bit from ``observation.sight``, the raw state values ``observe``
shows, without building the ``Observation``. Its length depends only on the ruleset. Layout, in order
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
from operator import mul
from typing import Any, ClassVar

import numpy as np

from ..observation import Observation, Sight, sight
from ..ruleset import Ruleset
from ..state import EndReason, Phase, State

_Values = Callable[[Observation], Sequence[float]]
_SightValues = Callable[[Any], Sequence[float]]
_FLOAT32 = np.dtype(np.float32)


class Encoder:
    """Turns observations under one ruleset into float vectors of a fixed ``size`` (see the module doc).

    The vector is a concatenation of runs of consecutive layout blocks, each computed by one method from
    a few observation fields. ``encode`` concatenates them into a list; ``encode_array`` packs them
    into float32 bytes, memoizing the costlier runs by exactly the fields they read (most repeat from
    one step to the next), so both give the same numbers. ``encode_state`` is the same vector from a
    state's ``sight`` (see the fast-path section below).
    """

    CACHE_LIMIT: ClassVar[int] = 4096
    """Entries kept per memoized run by ``encode_array`` (a full cache is emptied: memory stays bounded)."""

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
        self._gesture = {g: i for i, g in enumerate(rules.gesture_ids)}
        self._agenda = {a: i for i, a in enumerate(rules.agenda_ids)}
        self._event = {e: i for i, e in enumerate(rules.event_ids)}
        self._stages = S
        self._tracks = T
        self._n_gestures = len(rules.gesture_ids)
        self._n_agendas = len(rules.agenda_ids)
        self._n_events = len(rules.event_ids)
        self._pool_size = len(rules.event_pool)
        self._last_draws: tuple[tuple[int, ...], int, tuple[int, ...]] = ((), -1, ())  # history, events_left, draws
        self._deck: list[float] = [0.0] * self._n_events  # the full event deck, for ``events_left``
        for e in rules.event_pool:
            self._deck[e] += 1
        runs: list[tuple[str, _Values]] = [  # (first block, values) in layout order
            ("viewer", self._head),
            ("meters", self._meters),
            ("tracks", self._track_stages),
            ("public_stakes", self._stakes),
            ("my_hand", self._hand),
            ("their_hand_size", self._sizes),
            ("my_agenda", self._agendas),
            ("package", self._package),
            ("proposer", self._deal),
            ("net", self._record),
        ]
        self._runs: tuple[_Values, ...] = tuple(values for _, values in runs)
        starts = [self.offsets[first][0] for first, _ in runs] + [self.size]
        self._packers = tuple(struct.Struct(f"<{starts[i + 1] - starts[i]}f") for i in range(len(runs)))
        self._caches: tuple[dict[Hashable, bytes], ...] = tuple({} for _ in runs)
        # runs of a few plain numbers are packed directly: cheaper than a lookup, and never missed
        self._direct = (self._packers[1].pack, self._packers[5].pack, self._packers[8].pack)
        # the fast path (``encode_state``): its own memoized runs, keyed by the sight values they read
        self._agenda_stakes = rules.agenda_stakes
        sight_runs: tuple[_SightValues, ...] = (
            self._sight_head,
            self._sight_tracks,
            self._sight_stakes,
            self._sight_hand,
            self._sight_agendas,
            self._sight_package,
            self._sight_record,
        )
        self._sight_runs = sight_runs
        self._sight_packers = tuple(self._packers[i] for i in (0, 2, 3, 4, 6, 7, 9))
        self._sight_caches: tuple[dict[Hashable, bytes], ...] = tuple({} for _ in sight_runs)

    def encode(self, obs: Observation) -> list[float]:
        """The observation as a list of ``size`` numbers (ints and floats; callers make float32 arrays)."""
        v: list[float] = []
        for values in self._runs:
            v += values(obs)
        return v

    def encode_array(self, obs: Observation) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The observation as a fresh, writable float32 array, equal bit for bit to
        ``np.array(encode(obs), np.float32)`` (what the PettingZoo adapter hands out, built faster)."""
        c_head, _, c_tracks, c_stakes, c_hand, _, c_agendas, c_package, _, c_record = self._caches
        p_meters, p_sizes, p_deal = self._direct
        fill = self._fill
        head = (obs.viewer, obs.to_move, obs.round, obs.initiative, obs.phase)
        tracks = (obs.tracks, obs.blocked, obs.round)
        stakes = (obs.public_stakes, obs.my_stakes)
        hand = obs.my_hand
        agendas = (obs.my_agenda, obs.their_agenda, obs.my_agenda_revealed)
        package = obs.items
        record = (obs.net, obs.gained, obs.end, obs.walkouts, obs.event, obs.events_left, self._cycle_draws(obs))
        data = bytearray().join(  # a memoized run is never empty, so ``or`` only falls through on a miss
            (
                c_head.get(head) or fill(0, head, obs),
                p_meters(*obs.meters),
                c_tracks.get(tracks) or fill(2, tracks, obs),
                c_stakes.get(stakes) or fill(3, stakes, obs),
                c_hand.get(hand) or fill(4, hand, obs),
                p_sizes(obs.their_hand_size, obs.gesture_deck_size),
                c_agendas.get(agendas) or fill(6, agendas, obs),
                c_package.get(package) or fill(7, package, obs),
                p_deal(*self._deal(obs)),
                c_record.get(record) or fill(9, record, obs),
            )
        )
        return np.frombuffer(data, _FLOAT32)

    def _fill(self, run: int, key: Hashable, obs: Observation) -> bytes:
        """A memoized run's float32 bytes on a cache miss, remembered under ``key`` (the fields it reads)."""
        b = self._packers[run].pack(*self._runs[run](obs))
        cache = self._caches[run]
        if len(cache) >= self.CACHE_LIMIT:
            cache.clear()
        cache[key] = b
        return b

    def _cycle_draws(self, obs: Observation) -> tuple[int, ...]:
        """The event codes drawn this deck cycle: the latest ``pool - events_left`` events in the history.
        The previous answer stands while the history has only grown by actions (the usual next step),
        which spares a walk over the whole history per observation."""
        in_cycle = self._pool_size - obs.events_left
        if not in_cycle:
            return ()
        history = obs.history
        seen, left, draws = self._last_draws
        n = len(seen)
        if left == obs.events_left and history[:n] == seen and (len(history) == n or min(history[n:]) >= 0):
            self._last_draws = (history, left, draws)
            return draws
        drawn = [c for c in history if c < 0]
        draws = tuple(drawn[-in_cycle:])
        self._last_draws = (history, obs.events_left, draws)
        return draws

    # One method per run; each reads only the observation fields named in its docstring (for a
    # memoized run, exactly its key in ``encode_array``).

    def _head(self, obs: Observation) -> list[float]:
        """viewer, to_move, my_turn, round, initiative, phase (from viewer, to_move, round, initiative, phase)."""
        v = [0.0] * 12
        v[obs.viewer] = 1
        v[2 + (obs.to_move if obs.to_move >= 0 else 2)] = 1
        v[5] = 1 if obs.to_move == obs.viewer else 0
        v[6] = obs.round
        v[7 + obs.initiative] = 1
        v[9 + int(obs.phase)] = 1
        return v

    def _meters(self, obs: Observation) -> Sequence[float]:
        """meters (from meters)."""
        return obs.meters

    def _track_stages(self, obs: Observation) -> list[float]:
        """tracks, blocked (from tracks, blocked, round)."""
        S, T = self._stages, self._tracks
        v = [0.0] * (T * S + T)
        for t, stage in enumerate(obs.tracks):
            v[t * S + stage] = 1
        at, rnd = T * S, obs.round
        for t, b in enumerate(obs.blocked):
            if b >= rnd:
                v[at + t] = b - rnd + 1
        return v

    def _stakes(self, obs: Observation) -> Sequence[float]:
        """public_stakes, my_stakes (from public_stakes, my_stakes)."""
        return obs.public_stakes + obs.my_stakes

    def _hand(self, obs: Observation) -> list[float]:
        """my_hand (from my_hand)."""
        v = [0.0] * self._n_gestures
        gesture = self._gesture
        for g in obs.my_hand:
            v[gesture[g]] += 1
        return v

    def _sizes(self, obs: Observation) -> Sequence[float]:
        """their_hand_size, gesture_deck_size (from the same fields)."""
        return obs.their_hand_size, obs.gesture_deck_size

    def _agendas(self, obs: Observation) -> list[float]:
        """my_agenda, their_agenda, my_agenda_revealed (from the same fields)."""
        A = self._n_agendas
        v = [0.0] * (2 * A + 1)
        v[self._agenda[obs.my_agenda]] = 1
        if obs.their_agenda is not None:
            v[A + self._agenda[obs.their_agenda]] = 1
        v[2 * A] = 1 if obs.my_agenda_revealed else 0
        return v

    def _package(self, obs: Observation) -> list[float]:
        """package (from items)."""
        T = self._tracks
        v = [0.0] * (2 * T)
        for giver, t, steps in obs.items:
            v[giver * T + t] += steps
        return v

    def _deal(self, obs: Observation) -> list[float]:
        """proposer, counters_plays, my_points, public_points (from phase, proposer, counters, plays,
        my_points, public_points)."""
        v = [0.0, 0.0, obs.counters, obs.plays, obs.my_points, obs.public_points[0], obs.public_points[1]]
        if obs.phase != Phase.OVER:
            v[obs.proposer] = 1
        return v

    def _record(self, obs: Observation) -> list[float]:
        """net, gained, end, walkouts, event, events_left: the full event deck less the cards drawn this
        cycle (from net, gained, end, walkouts, event, events_left, history)."""
        E = self._n_events
        v: list[float] = [*obs.net, 1 if obs.gained[0] else 0, 1 if obs.gained[1] else 0, 0, 0, 0, 0, 0, 0]
        at = len(v) - 6
        v[at + int(obs.end)] = 1
        for r in obs.walkouts:
            v[at + 4 + r] = 1
        at = len(v)
        v += [0.0] * E
        v += self._deck
        if obs.event is not None:
            v[at + self._event[obs.event]] = 1
        for c in self._cycle_draws(obs):
            v[at + E - 1 - c] -= 1
        return v

    # --- the fast path: the same vector straight from a state, through ``observation.sight`` ------------
    #
    # ``observe`` builds a ~30-field ``Observation`` per call, which costs about as much as an engine step;
    # ``sight`` hands over only the raw state values the viewer may see (its docstring lists each field
    # and why it is visible), and the methods below turn those into the layout above. Nothing here takes
    # a ``State``: ``encode_state`` passes it straight to ``sight``, so what the vector may depend on is
    # decided there. The ``encode``/``encode_array`` path above is the reference; the two are tested
    # equal bit for bit on random play of both bundled rule files, and ``sight`` is tested blind to
    # every secret ``determinize`` and ``sample_state`` re-deal.

    def encode_state(self, s: State, viewer: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        """``encode_array(observe(s, viewer))`` bit for bit, built from ``sight(s, viewer)`` alone
        (no ``Observation``): what the PettingZoo adapter hands out."""
        return self.encode_sight(sight(s, viewer))

    def encode_sight(self, v: Sight) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The vector for what one role sees (``observation.sight``), as a fresh, writable float32 array."""
        (r, to_move, rnd, initiative, phase, meters, tracks, blocked, stakes, hand, their_hand_size, deck_size,
         my_agenda, their_agenda, shown, items, proposer, counters, plays, points, net, gained, end, walkouts,
         event, edeck) = v  # fmt: skip
        c_head, c_tracks, c_stakes, c_hand, c_agendas, c_package, c_record = self._sight_caches
        p_meters, p_sizes, p_deal = self._direct
        fill = self._sight_fill
        head = (r, to_move, rnd, initiative, phase)
        track_key = (tracks, blocked, rnd)
        stake_key = (stakes, r, my_agenda)
        agendas = (my_agenda, their_agenda, shown)
        record = (net, gained, end, walkouts, event, edeck)
        T = self._tracks
        mine = r * T
        my_points = points[r] + sum(map(mul, self._agenda_stakes[my_agenda], net[mine : mine + T]))
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

    def _sight_fill(self, run: int, key: Hashable) -> bytes:
        """A fast-path run's float32 bytes on a cache miss, remembered under ``key`` (the values it reads)."""
        b = self._sight_packers[run].pack(*self._sight_runs[run](key))
        cache = self._sight_caches[run]
        if len(cache) >= self.CACHE_LIMIT:
            cache.clear()
        cache[key] = b
        return b

    # One method per memoized run of the fast path, each computing its blocks from its key alone.

    def _sight_head(self, key: tuple[int, int, int, int, Phase]) -> list[float]:
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

    def _sight_tracks(self, key: tuple[tuple[int, ...], tuple[int, ...], int]) -> list[float]:
        """tracks, blocked."""
        tracks, blocked, rnd = key
        S, T = self._stages, self._tracks
        v = [0.0] * (T * S + T)
        for t, stage in enumerate(tracks):
            v[t * S + stage] = 1
        for t, b in enumerate(blocked):
            if b >= rnd:
                v[T * S + t] = b - rnd + 1
        return v

    def _sight_stakes(self, key: tuple[tuple[int, ...], int, int]) -> list[float]:
        """public_stakes, my_stakes (public stakes plus the viewer's agenda)."""
        stakes, r, my_agenda = key
        T = self._tracks
        return [*stakes, *(stakes[r * T + t] + extra for t, extra in enumerate(self._agenda_stakes[my_agenda]))]

    def _sight_hand(self, hand: tuple[int, ...]) -> list[float]:
        """my_hand (gesture indexes)."""
        v = [0.0] * self._n_gestures
        for g in hand:
            v[g] += 1
        return v

    def _sight_agendas(self, key: tuple[int, int, bool]) -> list[float]:
        """my_agenda, their_agenda (-1 while hidden), my_agenda_revealed."""
        my_agenda, their_agenda, shown = key
        A = self._n_agendas
        v = [0.0] * (2 * A + 1)
        v[my_agenda] = 1
        if their_agenda >= 0:
            v[A + their_agenda] = 1
        v[2 * A] = 1 if shown else 0
        return v

    def _sight_package(self, items: tuple[tuple[int, int, int], ...]) -> list[float]:
        """package."""
        T = self._tracks
        v = [0.0] * (2 * T)
        for giver, t, steps in items:
            v[giver * T + t] += steps
        return v

    def _sight_record(
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
