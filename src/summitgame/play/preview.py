"""What a package would do, seen from one side: points at its true stakes, pressure, trust, tracks.

Shown while a package is being built (to its builder) and while it is on the table (to the side
that must answer), so nobody has to do the arithmetic in their head. It is computed from the
viewer's ``Observation`` only: the hidden parts of the game are filled in by ``sample_state`` and
play no part in the numbers shown (resolution and the accept/reject effects read public meters,
tracks and stakes), so the preview can never leak a secret.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..engine.forward import resolve_package
from ..engine.observation import Observation, sample_state
from ..engine.state import State
from ..rules.effects import apply_effects
from .text import compact, stage_name, track_label

__all__ = ["Preview", "preview"]


@dataclass(frozen=True)
class Preview:
    """The consequences of the package in ``obs.items`` for the viewer, in numbers and words."""

    points: int  #: the viewer's points from the deal, at its true (agenda) stakes
    accepted: State  #: the state right after acceptance (before the end of the round)
    rejected: State  #: the state right after a rejection (before the end of the round)
    accept_lines: tuple[str, ...]  #: changes if accepted, in words
    reject_lines: tuple[str, ...]  #: changes if rejected, in words
    warnings: tuple[str, ...]  #: walk-out or breakdown levels the deal would reach


def _meter_changes(before: State, after: State, viewer: int) -> list[str]:
    """Every meter that moves, as 'your Domestic pressure 2 → 4 (of 12)' / 'Trust 3 → 4'."""
    rules = before.rules
    out: list[str] = []
    for mid in rules.meter_ids:
        slot, per_role = rules.meter_slot[mid]
        name = rules.spec.meters[mid].name
        if per_role:
            for r in (viewer, 1 - viewer):
                a, b = before.meters[slot + r], after.meters[slot + r]
                if a != b:
                    who = "your" if r == viewer else f"{rules.role_names[r]}'s"
                    out.append(compact(f"{who} {name.lower()} {a} → {b}"))
        else:
            a, b = before.meters[slot], after.meters[slot]
            if a != b:
                out.append(f"{name} {a} → {b}")
    return out


def _warnings(after: State, viewer: int) -> list[str]:
    rules = after.rules
    out: list[str] = []
    for slot, limits in rules.walkouts:
        for r in (viewer, 1 - viewer):
            if after.meters[slot + r] >= limits[r]:
                who = "you" if r == viewer else rules.role_names[r]
                out.append(f"{who} would be at the walk-out limit ({limits[r]}) at the end of the round")
    names = {slot: rules.spec.meters[mid].name for mid, (slot, per_role) in rules.meter_slot.items() if not per_role}
    for slot, level in rules.breakdowns:
        if after.meters[slot] <= level:
            out.append(f"{names[slot]} would be at its breakdown level ({level}) at the end of the round")
    return out


def preview(obs: Observation) -> Preview:
    """The consequences of the package on the table (or being built) for ``obs.viewer``."""
    rules = obs.rules
    viewer = obs.viewer
    T = rules.n_tracks
    base = sample_state(obs, random.Random(0))
    points = 0
    for giver, t, steps in obs.items:
        points += (-1 if giver == viewer else 1) * obs.my_stakes[t] * steps
    acc = base.clone()
    resolve_package(acc)
    apply_effects(acc, rules.on_accept, obs.proposer)
    rej = base.clone()
    rej.items = ()
    apply_effects(rej, rules.on_reject, 1 - obs.proposer)
    accept = [f"you {points:+d} points (at your true stakes)"]
    accept += _meter_changes(base, acc, viewer)
    for t in range(T):
        if acc.tracks[t] != base.tracks[t]:
            accept.append(
                f"{track_label(rules, t)} {stage_name(rules, base.tracks[t])} → {stage_name(rules, acc.tracks[t])}"
            )
    reject = _meter_changes(base, rej, viewer) or ["no change"]
    return Preview(points, acc, rej, tuple(accept), tuple(reject), tuple(_warnings(acc, viewer)))
