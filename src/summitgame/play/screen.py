"""The screens of a hot-seat game, drawn with rich: the board, the choices, the hand-over and the end.

Every screen that can be shown during play is a function of one role's ``Observation`` (plus the
public log), never of the full state, so a board cannot show what its viewer may not see. Only the
end screen takes the final state: it reveals both agendas, which is the point of it.

On a terminal the board uses box drawing and colour (rich honours ``NO_COLOR``); when output is not
a terminal (a pipe, a file, a test) the same content is drawn in plain ASCII, without escapes.
Text from rule data is always passed to rich as ``Text``, never as markup; ``terminal.SafeConsole``
shows any control character in it escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich import box
from rich.box import Box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..engine.observation import Observation
from ..engine.scoring import outcome, score_parts
from ..engine.state import EndReason, Phase, State
from ..rules.actions import Action, ActionKind
from ..rules.describe import Describer
from ..rules.effects import holds
from .log import Entry, EntryKind
from .preview import preview
from .text import agenda_words, event_words, gesture_words, package_words, stage_name, track_label

__all__ = [
    "Look",
    "board",
    "choice_list",
    "decision",
    "end_screen",
    "fit",
    "hand_text",
    "handover",
    "help_text",
    "look_for",
]


@dataclass(frozen=True)
class Look:
    """How to draw: box-drawing and block bars on a terminal, ASCII on anything else."""

    plain: bool
    width: int = 80

    @property
    def box(self) -> Box:
        return box.ASCII if self.plain else box.ROUNDED

    def bar(self, value: int, lo: int, hi: int, width: int = 10) -> str:
        """A fixed-width bar for ``value`` in ``lo..hi``."""
        span = max(1, hi - lo)
        n = max(0, min(width, round(width * (value - lo) / span)))
        full, empty = ("#", ".") if self.plain else ("█", "░")
        return full * n + empty * (width - n)

    def stages(self, stage: int, top: int) -> str:
        """Progress along a track: one mark per stage reached after the first."""
        done, todo = ("#", "-") if self.plain else ("▰", "▱")
        return done * stage + todo * (top - stage)


def look_for(console: Console) -> Look:
    """Plain ASCII unless the console is a real (not dumb) terminal."""
    return Look(plain=not console.is_terminal or console.is_dumb_terminal, width=console.width)


def decision(obs: Observation) -> str:
    """What the player to move has to decide, in a few words."""
    if obs.to_move < 0:
        return "the summit is over"
    if obs.phase == Phase.RESPOND:
        can_counter = any(a.kind is ActionKind.COUNTER for a in obs.legal)
        return "answer the offer: accept, reject or counter" if can_counter else "answer the offer: accept or reject"
    if obs.counters:
        return "build a counter-proposal and offer it"
    if obs.items:
        return "add to the package, or offer it"
    if any(a.kind is ActionKind.PLAY for a in obs.legal):
        return "play a gesture, then offer a package or pass"
    return "build a package and offer it, or pass"


def _header(obs: Observation, private: bool) -> Text:
    rules = obs.rules
    t = Text()
    t.append(f"{rules.name}", style="bold")
    t.append(f" · round {obs.round} of {rules.rounds} · initiative: {rules.role_names[obs.initiative]}")
    if obs.to_move >= 0 and not (private and obs.to_move == obs.viewer):
        t.append(f" · {rules.role_names[obs.to_move]} to move", style="bold cyan")
    return t


def abbreviations(names: Sequence[str]) -> tuple[str, ...]:
    """The shortest distinct prefixes of the role names, for a narrow column header ('W', 'M')."""
    for k in range(1, max(len(n) for n in names) + 1):
        short = tuple(n[:k] for n in names)
        if len(set(short)) == len(short):
            return short
    return tuple(names)


def _tracks(obs: Observation, look: Look, private: bool) -> Table:
    rules = obs.rules
    T = rules.n_tracks
    a, b = abbreviations(rules.role_names)
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    table.add_column("track", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("stage", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column(Text(f"{a}/{b}"), justify="center", no_wrap=True)
    if private:
        table.add_column("you", justify="right", no_wrap=True, style="bold")
    for t in range(T):
        stage = obs.tracks[t]
        if stage >= rules.top_stage:
            status = Text("done", style="green")
        elif obs.blocked[t] >= obs.round:
            status = Text(f"reopens round {obs.blocked[t] + 1}", style="red")
        else:
            gate = rules.gates[t]
            if gate is not None and obs.meters[gate[0]] < gate[1]:
                status = Text(f"needs {_shared_name(obs, gate[0])} {gate[1]}", style="yellow")
            else:
                status = Text("open", style="green")
        progress = Text(look.stages(stage, rules.top_stage), style="cyan")
        progress.append(" " + stage_name(rules, stage), style="")
        row: list[RenderableType] = [
            Text(track_label(rules, t)),
            progress,
            status,
            f"{obs.public_stakes[t]}/{obs.public_stakes[T + t]}",
        ]
        if private:
            row.append(str(obs.my_stakes[t]))
        table.add_row(*row)
    return table


def _shared_name(obs: Observation, slot: int) -> str:
    rules = obs.rules
    for mid, (s, per_role) in rules.meter_slot.items():
        if s == slot and not per_role:
            return rules.spec.meters[mid].name
    return rules.meter_ids[slot]


def _meters(obs: Observation, look: Look) -> Text:
    """Every meter as a bar with its value and limit, 28 columns wide."""
    rules = obs.rules
    t = Text()

    def line(label: str, value: int, limit: int, lo: int, style: str) -> None:
        if t:
            t.append("\n")
        t.append(f"{label[:11]:<11} {value:>2}/{limit:<2} ")
        t.append(look.bar(value, lo, limit), style=style)

    for mid in rules.meter_ids:
        spec = rules.spec.meters[mid]
        slot, per_role = rules.meter_slot[mid]
        lo, hi = rules.meter_min[slot], rules.meter_max[slot]
        if not per_role:
            v = obs.meters[slot]
            danger = spec.breakdown_at is not None and v <= spec.breakdown_at + 1
            line(spec.name, v, hi, lo, "red" if danger else "green")
            notes = []
            if spec.breakdown_at is not None:
                notes.append(f"breaks at {spec.breakdown_at}")
            if slot == rules.cap_slot:
                notes.append(f"deals ≤ {rules.cap_for(v)}")
            if notes:
                t.append("\n  " + " · ".join(notes), style="dim")
            continue
        limits = next((lim for s, lim in rules.walkouts if s == slot), None)
        t.append(("\n" if t else "") + spec.name[:28], style="bold")
        for r in (0, 1):
            v = obs.meters[slot + r]
            top = limits[r] if limits is not None else hi
            danger = limits is not None and v >= limits[r] - 2
            line(" " + rules.role_names[r], v, top, lo, "red" if danger else "yellow")
        if limits is not None:
            same = limits[0] == limits[1]
            t.append(f"\n  walks out at {limits[0]}" if same else "\n  walks out at the limit", style="dim")
    return t


def _status(obs: Observation, look: Look, private: bool) -> RenderableType:
    """The tracks and, beside them (or below, on a narrow screen), the meters."""
    tracks = _tracks(obs, look, private)
    meters = _meters(obs, look)
    if look.width < 80:
        return Group(tracks, meters)
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(no_wrap=True)
    grid.add_row(tracks, meters)
    return grid


def _event(obs: Observation, detail: int, result: str = "") -> RenderableType:
    """This round's event: name, effects, what they changed (``result``) and flavour (the flavour cut to one
    line when space is short)."""
    rules = obs.rules
    t = Text()
    if obs.event is None:
        return t
    e = rules.event_ids.index(obs.event)
    card = rules.events_deck.cards[e]
    t.append(f"Round {obs.round} event: {card.name}", style="bold magenta")
    t.append(f" — {event_words(rules, e, obs.initiative)}")
    if result:
        t.append(f" [{result}]", style="magenta")
    if detail >= 6:
        return t
    flavor = Text(" ".join(card.flavor.split()), style="italic dim")
    if detail >= 2:
        flavor.no_wrap = True
        flavor.overflow = "ellipsis"
    return Group(t, flavor)


def _table(obs: Observation, private: bool, detail: int = 0) -> Text:
    """The offer on the table (or the package being built), in words; for the side that must act on
    it, a preview of what accepting or rejecting would do to it."""
    rules = obs.rules
    t = Text()
    if obs.phase == Phase.RESPOND:
        t.append(f"On the table, {rules.role_names[obs.proposer]}'s offer: ", style="bold")
        t.append(package_words(rules, obs.items))
    elif obs.items:
        what = "counter-proposal" if obs.counters else "package"
        t.append(f"{rules.role_names[obs.proposer]}'s {what} so far: ", style="bold")
        t.append(package_words(rules, obs.items))
        total = sum(n for _, _, n in obs.items)
        t.append(f"  ({total} of {rules.cap_for(obs.meters[rules.cap_slot])} steps)", style="dim")
    elif obs.to_move >= 0 and obs.counters:
        t.append(f"{rules.role_names[obs.proposer]} is preparing a counter-proposal.", style="bold")
    else:
        t.append("No offer on the table.", style="bold")
    if private and obs.items and obs.to_move == obs.viewer:
        p = preview(obs)
        t.append("\nIf accepted: ", style="green")
        t.append("; ".join(p.accept_lines))
        t.append(" · " if detail >= 2 else "\n")
        t.append("If rejected: ", style="red")
        t.append("; ".join(p.reject_lines) + "; the round ends")
        for w in p.warnings:
            t.append(f"\nWarning: {w}", style="bold red")
    return t


def _recent(log: Sequence[Entry], n: int, current_round: int) -> Text:
    """The last ``n`` log lines (this round's event is shown in full above, so it is left out)."""
    shown = [e for e in log if not (e.kind is EntryKind.EVENT and e.round == current_round)][-n:]
    t = Text()
    for i, e in enumerate(shown):
        if i:
            t.append("\n")
        t.append("· " + e.brief, style="dim" if e.actor < 0 else "")
    return t


def _private(obs: Observation, detail: int = 0) -> RenderableType:
    """The viewer's secrets: agenda, points, hand (with effects); and the opponent's agenda if revealed.

    When space is short (``detail`` 1+) repeated cards are merged and each card's text is cut to
    one line; at 3+ a hand that cannot be played now is listed by name only ('hand' shows it all)."""
    rules = obs.rules
    other = rules.role_names[1 - obs.viewer]
    t = Text()
    t.append("Your secret agenda: ", style="bold")
    t.append(agenda_words(rules, obs.my_agenda))
    if obs.my_agenda_revealed:
        t.append(f" ({other} has seen it)", style="yellow")
    if obs.their_agenda is not None:
        t.append(f"\n{other}'s agenda (revealed to you): ", style="bold")
        t.append(agenda_words(rules, obs.their_agenda))
    numbers = {a: i + 1 for i, a in enumerate(obs.legal)}
    playable = {str(a.card): numbers[a] for a in obs.legal if a.kind is ActionKind.PLAY}
    t.append(f"\nYour hand ({len(obs.my_hand)}; {other} holds {obs.their_hand_size})", style="bold")
    t.append(f" · your deal points so far: {obs.my_points:+d}")
    if not obs.my_hand:
        t.append(" empty")
        return t
    if detail >= 3 and not playable:
        counts = Counter(obs.my_hand)
        names = [rules.gestures_deck.cards[rules.gesture_ids.index(c)].name for c in counts]
        listed = ", ".join(n + (f" ×{counts[c]}" if counts[c] > 1 else "") for n, c in zip(names, counts, strict=True))
        t.append(f"\n   {listed} ('hand' shows their effects)")
        return t
    lines: list[RenderableType] = [t]
    cards = list(Counter(obs.my_hand).items()) if detail >= 1 else [(c, 1) for c in obs.my_hand]
    seen: set[str] = set()
    for card, n in cards:
        line = Text(f"{playable[card]:>2} " if card in playable and card not in seen else "   ", style="bold cyan")
        seen.add(card)
        words = gesture_words(rules, card)
        if n > 1:
            name, _, effects = words.partition(": ")
            words = f"{name} ×{n}: {effects}"
        line.append(words)
        if detail >= 1:
            line.no_wrap = True
            line.overflow = "ellipsis"
        lines.append(line)
    return Group(*lines)


def choice_list(obs: Observation) -> list[Action]:
    """The numbered choices, in the order shown: number ``i`` is ``choice_list(obs)[i - 1]``."""
    return list(obs.legal)


def _span(nums: Sequence[int]) -> str:
    return str(nums[0]) if len(nums) == 1 else f"{nums[0]}–{nums[-1]}"


def _choices(obs: Observation) -> Text:
    """The decision and the numbered choices; give/ask are grouped by track ('5/6 Arms' = 1 or 2 steps)."""
    rules = obs.rules
    numbered = choice_list(obs)
    t = Text()
    t.append(f"Your move, {rules.role_names[obs.viewer]}: {decision(obs)}.", style="bold cyan")
    t.append("\n ")
    for i, a in enumerate(numbered):
        if a.kind not in (ActionKind.PLAY, ActionKind.GIVE, ActionKind.ASK):
            t.append(f" {i + 1} ", style="bold cyan")
            t.append(a.notation() + " ·")
    plays = [i + 1 for i, a in enumerate(numbered) if a.kind is ActionKind.PLAY]
    if plays:
        t.append(f" {_span(plays)} ", style="bold cyan")
        t.append("play a card ·")
    if any(a.kind in (ActionKind.GIVE, ActionKind.ASK) for a in numbered):
        steps = "/".join(str(n) for n in range(1, rules.max_steps + 1))
        t.append(f" give/ask: {steps} steps ·")
    t.append(" or: help, undo, save, quit", style="dim")
    for kind, label in ((ActionKind.GIVE, "give"), (ActionKind.ASK, "ask")):
        groups: dict[str, list[int]] = {}
        for i, a in enumerate(numbered):
            if a.kind is kind:
                groups.setdefault(str(a.track), []).append(i + 1)
        if not groups:
            continue
        t.append(f"\n  {label:<5}", style="bold")
        for track, nums in groups.items():
            t.append("/".join(map(str, nums)), style="bold cyan")
            t.append(f" {track_label(rules, rules.track_ids.index(track))}  ")
    return t


DETAIL_LEVELS = 7
"""Board detail levels, 0 (everything in full) to 6 (tightest); see ``board`` and ``fit``."""


def board(
    obs: Observation,
    log: Sequence[Entry],
    look: Look,
    *,
    private: bool,
    notice: str = "",
    recent: int = 3,
    detail: int = 0,
) -> RenderableType:
    """The board as ``obs.viewer`` sees it; ``private`` adds the viewer's agenda, hand and choices.

    ``detail`` 0 shows everything in full; higher levels save lines for short terminals: one line
    per card and at most four recent actions (1), one line of flavour and of preview (2), a hand
    that cannot be played now by name only (3), at most two recent actions (4), none (5), no
    flavour (6)."""
    if detail >= 1:
        recent = min(recent, (4, 4, 4, 2, 0, 0)[detail - 1])
    drawn = [e for e in log if e.kind is EntryKind.EVENT and e.round == obs.round]
    event = _event(obs, detail, "; ".join(c.words for c in drawn[-1].changes) if drawn else "")
    parts: list[RenderableType] = [_header(obs, private), _status(obs, look, private), event]
    parts.append(_table(obs, private, detail))
    news = _recent(log, recent, obs.round) if recent else Text()
    if news:
        parts.append(news)
    if private:
        parts.append(_private(obs, detail))
    if notice:
        parts.append(Text(notice, style="bold yellow"))
    if private and obs.to_move == obs.viewer and obs.legal:
        parts.append(_choices(obs))
    return Group(*parts)


def fit(console: Console, make: Callable[[int], RenderableType], reserve: int = 1) -> RenderableType:
    """The most detailed board (``make(detail)``) that fits the terminal's height less ``reserve`` lines.

    Off a terminal (a pipe, a file, a test) there is no screen to fit, so everything is shown."""
    if not console.is_terminal:
        return make(0)
    options = console.options
    for detail in range(DETAIL_LEVELS):
        renderable = make(detail)
        if len(console.render_lines(renderable, options, pad=False)) + reserve <= console.height:
            return renderable
    return renderable


def handover(obs: Observation, look: Look, last: str = "") -> RenderableType:
    """The screen between two humans' turns: public news only, and who should take the keyboard."""
    rules = obs.rules
    who = rules.role_names[obs.to_move]
    body = Text()
    if last:
        body.append(last + "\n\n")
    body.append(f"Pass to {who} — {who}, press Enter when you are alone at the screen.", style="bold")
    return Panel(body, box=look.box, title=Text(f"{rules.name} · round {obs.round}"), expand=False)


def hand_text(obs: Observation) -> Text:
    """The viewer's hand in full, card by card with effects and flavour (the ``hand`` command)."""
    rules = obs.rules
    t = Text(f"Your hand ({len(obs.my_hand)} cards):", style="bold")
    for card in obs.my_hand:
        spec = rules.gestures_deck.cards[rules.gesture_ids.index(card)]
        t.append(f"\n  {gesture_words(rules, card)} (play {card})")
        t.append(f"\n    {' '.join(spec.flavor.split())}", style="italic dim")
    if not obs.my_hand:
        t.append(" empty")
    return t


def help_text(obs: Observation) -> str:
    """What the current decision is and how to make it (for the ``help`` command)."""
    rules = obs.rules
    me = rules.role_names[obs.viewer]
    other = rules.role_names[1 - obs.viewer]
    cap = rules.cap_for(obs.meters[rules.cap_slot])
    lines: list[str] = []
    w = lines.append
    if obs.phase == Phase.RESPOND:
        w(f"{other} has offered the package on the table. You, {me}, answer it:")
        w("  accept   the deal goes through: tracks advance, pressure and points move as the preview says.")
        w("  reject   no deal; the round ends. " + Describer(rules.spec, "you").effects(rules.spec.proposals.on_reject))
        if any(a.kind is ActionKind.COUNTER for a in obs.legal):
            left = rules.max_counters - obs.counters
            w(f"  counter  refuse it and build your own package, which {other} must answer ({left} counter(s) left).")
    else:
        if obs.counters:
            w(f"You, {me}, are building a counter-proposal. Add items, then offer it (you cannot pass now).")
        else:
            w(f"You, {me}, hold the initiative this round.")
            if any(a.kind is ActionKind.PLAY for a in obs.legal):
                w(f"  play CARD   play a gesture from your hand first (up to {rules.plays_per_turn} a turn).")
            w("  pass        propose nothing; the round ends.")
        w(f"  give TRACK N   you concede N steps on TRACK (costs you pressure, scores for {other}).")
        w(f"  ask TRACK N    {other} concedes N steps on TRACK (scores for you, relieves your pressure).")
        w("  offer          put the package on the table.")
        w(
            f"  Limits: at most {rules.max_items} item(s) per side, {rules.max_steps} step(s) per item, each track "
            f"once, {cap} step(s) in all at the current {_shared_name(obs, rules.cap_slot)}; only open tracks."
        )
    w("")
    w("Type a choice's number or the action itself; case does not matter and 'give arms' means 1 step.")
    w("Tracks: " + ", ".join(f"{tid} ({track_label(rules, t)})" for t, tid in enumerate(rules.track_ids)))
    w("Board: W/M are the public stakes of each side; 'you' is your true stake there, with your agenda.")
    w("Commands: help · rules (the rulebook) · board (redraw) · hand (your cards in full) · log · quit")
    w("          undo [N|all] (take back your own actions this turn) · save [FILE]")
    return "\n".join(lines)


def _score_rows(s: State) -> list[tuple[str, int, int, int, int, int]]:
    rules = s.rules
    o = outcome(s)
    i = rules.tier_ids.index(o.tier)
    return [(rules.role_names[r], *score_parts(s, r, i), o.scores[rules.roles[r]]) for r in (0, 1)]


def _why(s: State) -> list[str]:
    rules = s.rules
    spec = rules.spec
    d = Describer(spec, rules.role_names[0])
    o = outcome(s)
    lines: list[str] = []
    if s.end == EndReason.WALKOUT:
        who = " and ".join(rules.role_names[r] for r in s.walkouts)
        lines.append(f"{who} walked out in round {s.round}: domestic pressure reached the limit.")
    elif s.end == EndReason.BREAKDOWN:
        lines.append(f"Talks broke down in round {s.round}.")
    else:
        lines.append(f"The summit ran its full {rules.rounds} round(s).")
    chosen = rules.tier_ids.index(o.tier)
    for i, tid in enumerate(rules.tier_ids):
        tier = spec.tiers[tid]
        held_any = [d.condition(c) for c, cc in zip(tier.any, rules.tier_any[i], strict=True) if holds(cc, s, 0)]
        failed_all = [d.condition(c) for c, cc in zip(tier.all, rules.tier_all[i], strict=True) if not holds(cc, s, 0)]
        if i < chosen:
            if tier.any and not held_any:
                lines.append(f"Not {tier.name}: it needs one of: {d.conditions(tier.any, '; ')}.")
            elif failed_all:
                lines.append(f"Not {tier.name}: it needs {'; '.join(failed_all)}.")
        elif i == chosen:
            reasons = held_any + [d.condition(c) for c in tier.all]
            because = "; ".join(reasons) if reasons else "none of the tiers above held"
            lines.append(f"{tier.name}: {because}.")
            break
    return lines


def end_screen(s: State, log: Sequence[Entry], look: Look) -> RenderableType:
    """The outcome: tier and why, final tracks, both scores and the winner, and both secret agendas."""
    rules = s.rules
    o = outcome(s)
    spec = rules.spec
    tier = spec.tiers[o.tier]
    title = Text(f"The summit is over: {o.tier_name}", style="bold")
    why = Text("\n".join(_why(s)))
    if tier.description:
        why.append("\n" + tier.description, style="italic dim")
    tracks = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
    tracks.add_column("track")
    tracks.add_column("progress", no_wrap=True)
    tracks.add_column("final stage")
    tracks.add_column("moved", justify="right")
    for t in range(rules.n_tracks):
        moved = s.tracks[t] - rules.track_start[t]
        mark = (
            " ✓"
            if s.tracks[t] >= rules.top_stage and not look.plain
            else (" (top)" if s.tracks[t] >= rules.top_stage else "")
        )
        tracks.add_row(
            Text(rules.track_names[t]),
            look.stages(s.tracks[t], rules.top_stage),
            Text(stage_name(rules, s.tracks[t]) + mark),
            f"{moved:+d}" if moved else "",
        )
    scores = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
    for col in ("side", "deals", "tier bonus", "walk-out", "pressure", "score"):
        scores.add_column(col, justify="left" if col == "side" else "right")
    for name, deals, bonus, walk, pen, total in _score_rows(s):
        scores.add_row(
            Text(name),
            f"{deals:+d}",
            f"{bonus:+d}",
            f"{walk:+d}" if walk else "",
            f"{pen:+d}",
            Text(f"{total:+d}", style="bold"),
        )
    if o.winner is None:
        winner = Text("A tie.", style="bold")
    else:
        winner = Text(f"{rules.role_names[rules.roles.index(o.winner)]} wins.", style="bold green")
    agendas = Text()
    for r in (0, 1):
        a = s.agendas[r]
        card = rules.agendas_deck.cards[a]
        if r:
            agendas.append("\n")
        agendas.append(f"{rules.role_names[r]}'s secret agenda: ", style="bold")
        agendas.append(agenda_words(rules, a))
        agendas.append(f" — {' '.join(card.flavor.split())}", style="italic dim")
    accepted = [e for e in log if e.actor >= 0 and rules.actions.all[e.code].kind is ActionKind.ACCEPT]
    summary = Text(f"{len(accepted)} deal(s) accepted in {s.round} round(s); seed {s.seed}.", style="dim")
    return Panel(
        Group(title, why, tracks, scores, winner, agendas, summary),
        box=look.box,
        title="Summit outcome",
        expand=False,
    )
