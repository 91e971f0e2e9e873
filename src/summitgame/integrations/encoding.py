"""A fixed-length numeric encoding of one role's ``Observation``, shared by the adapters.

The vector is built from an ``Observation`` alone (``observation.observe``), never from a state, so it
holds exactly what the viewer may see. Its length depends only on the ruleset. Layout, in order
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

from ..observation import Observation
from ..ruleset import Ruleset
from ..state import Phase


class Encoder:
    """Turns observations under one ruleset into float vectors of a fixed ``size`` (see the module doc)."""

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
        self._at = {name: at for name, (at, _) in self.offsets.items()}
        self._stages = S
        self._tracks = T
        self._pool_size = len(rules.event_pool)
        self._template: list[float] = [0.0] * self.size
        for e in rules.event_pool:
            self._template[self._at["events_left"] + e] += 1

    def encode(self, obs: Observation) -> list[float]:
        """The observation as a list of ``size`` numbers (ints and floats; callers make float32 arrays)."""
        o = self._at
        v = self._template.copy()  # zeros, with the full event deck in ``events_left``
        v[obs.viewer] = 1
        v[2 + (obs.to_move if obs.to_move >= 0 else 2)] = 1
        v[5] = 1 if obs.to_move == obs.viewer else 0
        v[6] = obs.round
        v[7 + obs.initiative] = 1
        v[9 + int(obs.phase)] = 1
        at = o["meters"]
        v[at : at + len(obs.meters)] = obs.meters
        at, S = o["tracks"], self._stages
        for t, stage in enumerate(obs.tracks):
            v[at + t * S + stage] = 1
        at, rnd = o["blocked"], obs.round
        for t, b in enumerate(obs.blocked):
            if b >= rnd:
                v[at + t] = b - rnd + 1
        at = o["public_stakes"]
        v[at : at + len(obs.public_stakes)] = obs.public_stakes
        at = o["my_stakes"]
        v[at : at + len(obs.my_stakes)] = obs.my_stakes
        at, gesture = o["my_hand"], self._gesture
        for g in obs.my_hand:
            v[at + gesture[g]] += 1
        at = o["their_hand_size"]
        v[at] = obs.their_hand_size
        v[at + 1] = obs.gesture_deck_size
        v[o["my_agenda"] + self._agenda[obs.my_agenda]] = 1
        if obs.their_agenda is not None:
            v[o["their_agenda"] + self._agenda[obs.their_agenda]] = 1
        v[o["my_agenda_revealed"]] = 1 if obs.my_agenda_revealed else 0
        at, T = o["package"], self._tracks
        for giver, t, steps in obs.items:
            v[at + giver * T + t] += steps
        at = o["proposer"]
        if obs.phase != Phase.OVER:
            v[at + obs.proposer] = 1
        v[at + 2] = obs.counters
        v[at + 3] = obs.plays
        v[at + 4] = obs.my_points
        v[at + 5] = obs.public_points[0]
        v[at + 6] = obs.public_points[1]
        at = o["net"]
        v[at : at + len(obs.net)] = obs.net
        at = o["gained"]
        v[at] = 1 if obs.gained[0] else 0
        v[at + 1] = 1 if obs.gained[1] else 0
        v[at + 2 + int(obs.end)] = 1
        at = o["walkouts"]
        for r in obs.walkouts:
            v[at + r] = 1
        if obs.event is not None:
            v[o["event"] + self._event[obs.event]] = 1
        in_cycle = self._pool_size - obs.events_left
        if in_cycle:
            at = o["events_left"]
            history = obs.history
            i = len(history) - 1
            while in_cycle and i >= 0:  # the events drawn this cycle are the latest ones in the history
                c = history[i]
                if c < 0:
                    v[at - 1 - c] -= 1
                    in_cycle -= 1
                i -= 1
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
