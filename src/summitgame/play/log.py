"""The public log of a game, automatic steps included, so every change on the board is explained.

Each action is one entry, with what it changed (a gesture's effects as they applied, a package carried
out, the trust a rejection cost). The game's own steps get entries too: the end of a round (its
effects for each side, such as pressure for a side that gained nothing; the walk-out and breakdown
checks and what they found; the gesture cards drawn) and each round's event with what it changed.

The steps are found by replaying a transition in the engine's order with the engine's own pieces
(``resolve_package``, ``apply_effects``, ``draw_cards``) on a copy, taking chance (the event drawn) from
the real next state; the engine itself is untouched. Should that replay and the engine ever disagree,
what is left over is logged as "other changes", so the log never misses a change. Only public facts are
written: meters, tracks, public stakes, blocked tracks, revealed agendas and hand sizes; never a card
drawn, an agenda's content or the deck.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..engine.forward import resolve_package
from ..engine.state import State
from ..rules.actions import ActionKind
from ..rules.describe import Describer
from ..rules.effects import Effect as Compiled
from ..rules.effects import apply_effects, draw_cards
from ..rules.ruleset import Ruleset
from ..rules.schema import Effect
from .text import action_words, compact, event_words, stage_name, track_label

__all__ = ["Change", "Entry", "EntryKind", "entries", "transition"]


class EntryKind(enum.Enum):
    """What a log entry records."""

    ACTION = "action"  #: a player's action (``Entry.actor`` is the role)
    EVENT = "event"  #: a round's event card, drawn and applied
    ROUND_END = "round_end"  #: the end of a round: its effects, the walk-out and breakdown checks, draws
    OTHER = "other"  #: changes the step-by-step replay did not foresee (should not happen)


@dataclass(frozen=True)
class Change:
    """One public number that moved: a meter slot, a track's stage, a public stake (role * tracks + track),
    a track's blocked-until round, a revealed agenda (0/1) or a hand's size."""

    what: str  #: 'meter', 'track', 'stake', 'blocked', 'revealed' or 'hand'
    index: int  #: the meter slot, track, stake index, or role (revealed, hand)
    before: int
    after: int
    words: str  #: in words: 'Trust 3 → 4', "Moscow's pressure 2 → 3"; '' for the card an entry says was played


@dataclass(frozen=True)
class Entry:
    """One line of the public log: an action taken, an event drawn or a step of the game itself."""

    round: int
    actor: int  #: role index for an action, -1 for a step of the game (an event, the end of a round)
    code: int  #: the history code (an action code, or -1 - event index); -1 for other steps
    notation: str  #: the action notation ('give arms 1'), 'event ID', or 'end of round N'
    text: str  #: what happened, in words, with what it changed
    brief: str  #: the same in fewer words (no card effects), for the board
    kind: EntryKind = EntryKind.ACTION
    changes: tuple[Change, ...] = ()  #: what it changed, in order (a number may move more than once)


# --- what changed -----------------------------------------------------------------------------------


def _slot_names(rules: Ruleset) -> dict[int, tuple[str, int]]:
    """Meter slot → (display name, role or -1 for a shared meter)."""
    out: dict[int, tuple[str, int]] = {}
    for mid, (slot, per_role) in rules.meter_slot.items():
        name = rules.spec.meters[mid].name
        if per_role:
            out[slot] = (name, 0)
            out[slot + 1] = (name, 1)
        else:
            out[slot] = (name, -1)
    return out


def changes(before: State, after: State, hands: bool = True) -> list[Change]:
    """Every public number that differs between two states, in words (hand sizes only with ``hands``)."""
    rules = before.rules
    T = rules.n_tracks
    names = rules.role_names
    out: list[Change] = []
    slots = _slot_names(rules)
    for i, (a, b) in enumerate(zip(before.meters, after.meters, strict=True)):
        if a != b:
            name, r = slots[i]
            words = f"{name} {a} → {b}" if r < 0 else compact(f"{names[r]}'s {name.lower()} {a} → {b}")
            out.append(Change("meter", i, a, b, words))
    for t, (a, b) in enumerate(zip(before.tracks, after.tracks, strict=True)):
        if a != b:
            words = f"{track_label(rules, t)} {stage_name(rules, a)} → {stage_name(rules, b)}"
            out.append(Change("track", t, a, b, words))
    for i, (a, b) in enumerate(zip(before.stakes, after.stakes, strict=True)):
        if a != b:
            words = f"{names[i // T]}'s stake on {track_label(rules, i % T)} {a} → {b}"
            out.append(Change("stake", i, a, b, words))
    for t, (a, b) in enumerate(zip(before.blocked, after.blocked, strict=True)):
        if a != b:
            out.append(Change("blocked", t, a, b, f"{track_label(rules, t)} off the table through round {b}"))
    for r in (0, 1):
        if before.revealed[r] != after.revealed[r]:
            words = f"{names[r]}'s secret agenda is revealed to {names[1 - r]}"
            out.append(Change("revealed", r, int(before.revealed[r]), int(after.revealed[r]), words))
    if hands:
        for r in (0, 1):
            a, b = len(before.hands[r]), len(after.hands[r])
            if a != b:
                n = abs(b - a)
                verb = "draws" if b > a else "discards"
                out.append(Change("hand", r, a, b, f"{names[r]} {verb} {n} card{'s' if n > 1 else ''} ({b} in hand)"))
    return out


def _words(cs: Sequence[Change]) -> str:
    return "; ".join(c.words for c in cs if c.words)


def _with(text: str, cs: Sequence[Change], none: str = "") -> str:
    """``text`` followed by what changed, in brackets (or ``none`` when nothing did)."""
    if _words(cs):
        return f"{text} [{_words(cs)}]"
    return f"{text} [{none}]" if none else text


def _apply_each(s: State, effects: Sequence[Compiled], me: int) -> list[tuple[int, list[Change]]]:
    """Apply compiled effects one by one (as the engine does: each condition checked as it applies),
    returning (effect index, changes) for each that changed something."""
    out: list[tuple[int, list[Change]]] = []
    for i, e in enumerate(effects):
        before = s.clone()
        apply_effects(s, (e,), me)
        cs = changes(before, s)
        if cs:
            out.append((i, cs))
    return out


def _all(fired: Sequence[tuple[int, list[Change]]]) -> list[Change]:
    """The changes of every effect that fired, in order."""
    return [c for _, cs in fired for c in cs]


# --- the steps of one transition ---------------------------------------------------------------------


def _round_end(rules: Ruleset, s: State) -> tuple[Entry, bool]:
    """The end-of-round steps on ``s`` (in place): effects for each side, the checks, the draws.

    Returns the entry and whether the summit goes on."""
    spec = rules.spec
    names = rules.role_names
    rnd = s.round
    s.items = ()
    parts: list[str] = []
    short: list[str] = []
    cs: list[Change] = []
    if rules.end_effects:
        fired: list[str] = []
        for r in (0, 1):
            d = Describer(spec, names[r])
            for i, c in _apply_each(s, rules.end_effects, r):
                effect: Effect = spec.rounds.end_effects[i]
                why = d.conditions(effect.when) if effect.when else ""
                fired.append(f"{why}: {_words(c)}" if why else _words(c))
                short.append(_words(c))
                cs += c
        parts.append(compact("; ".join(fired)) if fired else "no end-of-round effect applied")
    slots = _slot_names(rules)
    walked: set[int] = set()
    for slot, limits in rules.walkouts:
        name = slots[slot][0].lower()
        at = [r for r in (0, 1) if s.meters[slot + r] >= limits[r]]
        levels = ", ".join(f"{names[r]} {s.meters[slot + r]}/{limits[r]}" for r in (0, 1))
        if at:
            who = " and ".join(names[r] for r in at)
            parts.append(compact(f"walk-out: {who} at the {name} limit ({levels})"))
            short.append(f"{who} walks out")
            walked.update(at)
        else:
            parts.append(compact(f"walk-out check: {name} {levels}; nobody walks out"))
    if walked:
        parts.append("the summit ends")
    broke = False
    if not walked and rules.breakdowns:
        for slot, level in rules.breakdowns:
            name = slots[slot][0]
            if s.meters[slot] <= level:
                broke = True
                parts.append(f"breakdown: {name} {s.meters[slot]}, at or below {level}; talks break down")
                short.append("talks break down")
            else:
                parts.append(f"breakdown check: {name} {s.meters[slot]}, above {level}; talks go on")
        if not broke:
            short.append("no walk-out or breakdown" if rules.walkouts else "no breakdown")
    elif not walked and rules.walkouts:
        short.append("no walk-out")
    going_on = not walked and not broke and rnd < rules.rounds
    if not walked and not broke and not going_on:
        parts.append(f"that was the last of {rules.rounds} rounds; the summit ends")
        short.append("the summit ends")
    if going_on and rules.draw_per_round:
        before = s.clone()
        draw_cards(s, 0, rules.draw_per_round)
        draw_cards(s, 1, rules.draw_per_round)
        drawn = changes(before, s)
        parts.append(_words(drawn) if drawn else "no card drawn (hands full or deck empty)")
        short.append("cards drawn" if drawn else "no cards drawn")
        cs += drawn
    text = f"End of round {rnd}: " + "; ".join(parts) + "."
    brief = f"End of round {rnd}: " + "; ".join(short)
    return Entry(rnd, -1, -1, f"end of round {rnd}", text, brief, EntryKind.ROUND_END, tuple(cs)), going_on


def _event(rules: Ruleset, s: State, e: int) -> Entry:
    """Draw event ``e`` on ``s`` (in place) and apply it, as the start of a round does."""
    s.event = e
    s.items = ()
    s.counters = 0
    s.plays = 0
    s.gained = (False, False)
    s.proposer = s.initiative
    cs = _all(_apply_each(s, rules.event_effects[e], s.initiative))
    name = rules.events_deck.cards[e].name
    head = f"Round {s.round} event: {name}"
    text = _with(f"{head} — {event_words(rules, e, s.initiative)}", cs, "no change")
    brief = _with(head, cs)
    return Entry(s.round, -1, -1 - e, f"event {rules.event_ids[e]}", text, brief, EntryKind.EVENT, tuple(cs))


def _other(rules: Ruleset, sim: State, nxt: State, rnd: int) -> list[Entry]:
    """Whatever the engine changed that the step-by-step replay did not (should never be needed)."""
    cs = changes(sim, nxt)
    if not cs:
        return []
    text = f"Other changes: {_words(cs)}"
    return [Entry(rnd, -1, -1, "other", text, text, EntryKind.OTHER, tuple(cs))]


def first_event(first: State) -> list[Entry]:
    """Round 1's event, with what it changed from the rules' starting values (``first``: a new game)."""
    rules = first.rules
    if not first.history or first.history[0] >= 0:
        return []
    s = first.clone()
    s.round = 1
    s.meters = rules.meter_start
    s.tracks = rules.track_start
    s.stakes = rules.stake
    s.blocked = (0,) * rules.n_tracks
    s.revealed = (False, False)
    entry = _event(rules, s, -1 - first.history[0])
    # the deal's hands are not reconstructed: the event's draws, if any, are part of the deal
    s.hands = first.hands
    return [entry, *_other(rules, s, first, 1)]


def transition(prev: State, nxt: State) -> list[Entry]:
    """The entries for one action: the action (with its changes), then any automatic steps it set off."""
    rules = prev.rules
    actor = prev.to_move
    code = nxt.history[len(prev.history)]
    act = rules.actions.all[code]
    kind = act.kind
    words = action_words(rules, actor, act)
    brief = words
    sim = prev.clone()
    if kind is ActionKind.PLAY:
        card = rules.gestures_deck.cards[rules.gesture_ids.index(str(act.card))]
        brief = f"{rules.role_names[actor]} plays {card.name}"
        g = rules.gesture_ids.index(str(act.card))
        hand = list(sim.hands[actor])
        hand.remove(g)
        sim.hands = (tuple(hand), sim.hands[1]) if actor == 0 else (sim.hands[0], tuple(hand))
        sim.gdeck = tuple(sorted((*sim.gdeck, g)))
        sim.plays += 1
        n = len(hand)
        cs = [Change("hand", actor, n + 1, n, "")]  # the card played: said by the entry itself
        cs += _all(_apply_each(sim, rules.gesture_effects[g], actor))
        out = [
            Entry(
                prev.round,
                actor,
                code,
                act.notation(),
                _with(words, cs, "no effect"),
                _with(brief, cs),
                changes=tuple(cs),
            )
        ]
        return out + _other(rules, sim, nxt, prev.round)
    if kind not in (ActionKind.ACCEPT, ActionKind.REJECT, ActionKind.PASS):
        entry = Entry(prev.round, actor, code, act.notation(), words, brief)
        return [entry, *_other(rules, prev, nxt, prev.round)]
    if kind is ActionKind.ACCEPT:
        before = sim.clone()
        resolve_package(sim)
        cs = changes(before, sim)
        cs += _all(_apply_each(sim, rules.on_accept, sim.proposer))
    else:
        cs = _all(_apply_each(sim, rules.on_reject if kind is ActionKind.REJECT else rules.on_pass, actor))
    out = [Entry(prev.round, actor, code, act.notation(), _with(words, cs), _with(brief, cs), changes=tuple(cs))]
    end, going_on = _round_end(rules, sim)
    out.append(end)
    if going_on and nxt.to_move >= 0:
        sim.round += 1
        sim.initiative = 1 - sim.initiative
        out.append(_event(rules, sim, -1 - nxt.history[len(prev.history) + 1]))
    return out + _other(rules, sim, nxt, nxt.round)


def entries(rules: Ruleset, states: Sequence[State]) -> list[Entry]:
    """The public log of a game, oldest first, from the list of its states.

    ``states[k]`` must be the state after ``k`` actions (``states[0]`` a fresh game)."""
    if not states:
        return []
    out = first_event(states[0])
    for prev, nxt in pairwise(states):
        out += transition(prev, nxt)
    return out
