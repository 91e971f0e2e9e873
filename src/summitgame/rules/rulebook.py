"""The player rulebook, generated from a Ruleset so that a changed number changes the text.

It opens with how to win and what a walk-out or a breakdown costs whom (tier bonuses, the walk-out
penalty, the meters' score penalties), so a player reads the stakes before the mechanics.
"""

from __future__ import annotations

from collections.abc import Sequence

from .describe import Describer
from .ruleset import Ruleset
from .schema import Effect, EndedByCondition, MeterCondition


def _per_role(rules: Ruleset, value: int | dict[str, int]) -> str:
    if isinstance(value, int):
        return str(value)
    vals = [value[r] for r in rules.roles]
    if len(set(vals)) == 1:
        return str(vals[0])
    return ", ".join(f"{n} {v}" for n, v in zip(rules.role_names, vals, strict=True))


def _points(n: int) -> str:
    return f"{n} point{'' if abs(n) == 1 else 's'}"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else f"−{-n}" if n < 0 else "0"


def ending_tier(rules: Ruleset, reason: str) -> str:
    """Which outcome a summit that ends for ``reason`` ('walkout', 'breakdown') counts as, in words, from
    the tiers' conditions: the first tier, in the order they are checked, that must hold then."""
    spec = rules.spec
    before: list[str] = []
    for i, tid in enumerate(spec.outcome.order):
        tier = spec.tiers[tid]
        named = any(isinstance(c, EndedByCondition) and reason in c.reasons for c in tier.any)
        if (named or not tier.any) and not tier.all:
            what = f"**{tier.name}** ({_signed(rules.tier_bonus[i])} to each side)"
            if not before:
                return f"it counts as {what}"
            return f"it counts as {' or '.join(before)} if that tier's conditions hold, else as {what}"
        before.append(f"**{tier.name}**")
    return "its tier is decided as at any other end"


def how_to_win(rules: Ruleset) -> list[str]:
    """The rulebook's opening: how a side wins, and what a walk-out or a breakdown costs whom."""
    spec = rules.spec
    tiers = ", ".join(
        f"{spec.tiers[tid].name} {_signed(rules.tier_bonus[i])}" for i, tid in enumerate(spec.outcome.order)
    )
    penalties = "".join(
        f" − {_points(m.score_penalty)} per point of its own {m.name.lower()} left at the end"
        for m in spec.meters.values()
        if m.score_penalty and m.scope == "per_role"
    )
    out = [
        "## How to win",
        f"The summit lasts {spec.rounds.count} rounds, or ends sooner on a walk-out or a breakdown. **The side "
        "with the higher score wins**; equal scores tie. A side's score = the points of its deals (its stake on "
        "each step it gains, less its stake on each step it concedes; its secret agenda adds to its stakes) + "
        f"the outcome's bonus, which **both** sides score ({tiers})" + penalties + ".",
    ]
    walk = spec.outcome.walkout_penalty
    for m in spec.meters.values():
        if m.walkout_at is None:
            continue
        cost = (
            f"and the leader who walks out loses {_points(walk)} more; the other side loses nothing extra"
            if walk
            else "and neither side loses anything extra"
        )
        out.append(
            f"- **A walk-out** (a leader's {m.name.lower()} at {_per_role(rules, m.walkout_at)} or more at the end "
            f"of a round) ends the summit: {ending_tier(rules, 'walkout')}, {cost}."
        )
    for mid, m in spec.meters.items():
        if m.breakdown_at is None:
            continue
        blamed = _blame_sources(rules, mid, m.breakdown_at)
        cost = (
            f"a leader whose {' or '.join(blamed)} takes {m.name} there pays for it as that rule says (below)"
            if blamed
            else "it costs both sides the same, whoever brought it about"
        )
        out.append(
            f"- **A breakdown** ({m.name} at {m.breakdown_at} or less at the end of a round) ends the summit: "
            f"{ending_tier(rules, 'breakdown')}; {cost}."
        )
    return out


def _blame_sources(rules: Ruleset, meter: str, floor: int) -> list[str]:
    """The player moves (a rejection, a pass, a gesture) with an effect that applies only once ``meter`` is at
    its breakdown ``floor`` or below: the rule data's way of blaming the side that breaks the talks."""

    def blames(effects: Sequence[Effect]) -> bool:
        return any(
            isinstance(c, MeterCondition) and c.meter == meter and c.at_most is not None and c.at_most <= floor
            for e in effects
            for c in e.when
        )

    spec = rules.spec
    pr = spec.proposals
    out = [name for name, effects in (("rejection", pr.on_reject), ("pass", pr.on_pass)) if blames(effects)]
    if any(blames(card.effects) for card in rules.gestures_deck.cards):
        out.append("gesture")
    return out


def rulebook(rules: Ruleset) -> str:
    """The full rulebook as Markdown text."""
    spec = rules.spec
    d = Describer(spec, "the initiative")
    you = Describer(spec, "you")
    a, b = rules.role_names
    out: list[str] = []
    w = out.append
    w(f"# {spec.name} — rulebook")
    w("")
    for line in how_to_win(rules):
        w(line)
    w("")
    if spec.description.strip():
        w(" ".join(spec.description.split()))
        w("")
    w(f"*Generated from the rule data (fingerprint `{rules.fingerprint}`).*")
    w("")
    w("## The sides")
    for rid, role in spec.roles.items():
        w(f"- **{role.name}** (`{rid}`): {role.description}".rstrip(": "))
    w("")
    w(
        "Each side is dealt a **secret agenda** card, which raises its stakes on some tracks, and a hand of "
        f"{spec.hands.size} **gesture** cards (hand limit {spec.hands.limit}). Neither sees the other's."
    )
    w("")
    w("## Meters")
    for mid, m in spec.meters.items():
        scope = "shared by both sides" if m.scope == "shared" else "one for each side"
        line = f"- **{m.name}** (`{mid}`), {scope}: {m.min}–{m.max}, starting at {_per_role(rules, m.start)}."
        if m.breakdown_at is not None:
            line += f" At the end of a round at {m.breakdown_at} or below, talks **break down** and the summit ends."
        if m.walkout_at is not None:
            line += (
                f" At the end of a round at {_per_role(rules, m.walkout_at)} or above, that leader "
                "**walks out** and the summit ends."
            )
        if m.score_penalty:
            line += f" Each point left at the end costs {m.score_penalty} point{'s' if m.score_penalty > 1 else ''}."
        w(line)
        if m.description:
            w(f"  {m.description}")
    w("")
    w("## Agenda tracks")
    w("Every track moves through the stages " + " → ".join(s.replace("_", " ") for s in spec.stages) + ".")
    w("")
    header = f"| track | starts at | needs | stake ({a} / {b}) | cost to concede | relief on gains |"
    w(header)
    w("|---|---|---|---|---|---|")
    for t in spec.tracks.values():
        gate = f"{d.meter(t.gate.meter)} ≥ {t.gate.at_least}" if t.gate else "—"
        start = (t.start or spec.stages[0]).replace("_", " ")

        def pair(v: int | dict[str, int]) -> str:
            vals = [v if isinstance(v, int) else v[r] for r in rules.roles]
            return " / ".join(map(str, vals))

        w(f"| {t.name} | {start} | {gate} | {pair(t.stake)} | {pair(t.cost)} | {pair(t.relief)} |")
    w("")
    w(
        "- **Stake**: points per step a side scores when the other side concedes on that track, and loses "
        "when it concedes there itself. Your secret agenda adds to your own stakes."
    )
    w("- **Cost**: domestic pressure per step a side suffers for conceding there.")
    w("- **Relief**: domestic pressure per step a side sheds when the other side concedes there.")
    w("")
    pr = spec.proposals
    w("## A round")
    w(
        f"The summit lasts {spec.rounds.count} rounds. "
        + (
            "The side that opens round 1 is drawn at random"
            if spec.rounds.first_initiative == "random"
            else f"{spec.roles[spec.rounds.first_initiative].name} opens round 1"
        )
        + "; the initiative alternates after that."
    )
    w("")
    opening = spec.rounds.opening_event
    first = ""
    if opening is not None:
        first = " Round 1 opens with " + next(c.name for c in rules.events_deck.cards if c.id == opening) + "."
    w(
        "1. **Event.** The top event card is revealed and applied ('you' on an event means the initiative). "
        "When the event deck runs out it is reshuffled." + first
    )
    w(
        f"2. **Gestures.** The initiative may play up to {spec.hands.plays_per_turn} gesture card(s) from hand "
        "before building a package. Played gestures are shuffled back into the gesture deck."
    )
    w(
        f"3. **Proposal.** The initiative builds a package item by item — `give TRACK N` (it concedes N steps) "
        f"or `ask TRACK N` (the other side concedes) — then `offer`s it, or `pass`es. A package holds at most "
        f"{pr.max_items_per_side} item(s) per side, at most {pr.max_steps_per_item} step(s) per item, each track "
        "at most once, and only open tracks (not gated, not blocked, not finished). Its total size is capped by "
        f"{d.meter(pr.cap_meter).lower()}:"
    )
    for i, row in enumerate(pr.cap):
        nxt = pr.cap[i + 1].at_least - 1 if i + 1 < len(pr.cap) else None
        span = (
            f"{row.at_least}–{nxt}"
            if nxt is not None and nxt > row.at_least
            else (str(row.at_least) if nxt is not None else f"{row.at_least}+")
        )
        w(f"   - {d.meter(pr.cap_meter)} {span}: up to {row.steps} step{d.plural(row.steps)}")
    if pr.two_sided:
        w(
            "   - Every package is a trade: it can be offered only once it holds a concession from each side, "
            "so no item may take the last step or the last open track the other side's first item needs."
        )
    if pr.auto_offer:
        w(
            "   - A package that is full (no further item fits: the size cap, the items per side or the open "
            "tracks) is offered at once; its builder is not asked to `offer` it."
        )
    w(
        f"4. **Response.** The other side `accept`s, `reject`s, or `counter`s with a package of its own "
        f"(at most {pr.max_counters} counter-proposal(s) a round), which the first side must then answer."
    )
    w(f"   - On a rejection: {Describer(spec, 'the rejecter').effects(pr.on_reject)}")
    if pr.on_pass:
        w(f"   - On a pass: {Describer(spec, 'the passer').effects(pr.on_pass)}")
    w(
        f"5. **Resolution.** An accepted package moves each track by its steps; the giver's "
        f"{d.meter(pr.cost_meter).lower()} rises by its cost, the receiver's falls by its relief, and points move "
        f"by stakes. Then: {Describer(spec, 'the proposer').effects(pr.on_accept)}"
    )
    w(
        "6. **End of round.** For each side: "
        + Describer(spec, "that side").effects(spec.rounds.end_effects)
        + f" Walk-outs and breakdowns are checked, each side draws {spec.hands.draw_per_round} gesture card(s), "
        "and the initiative passes."
    )
    w("")
    w("## The end")
    w(
        "The summit ends after the last round, on a walk-out, or on a breakdown. The outcome is the first of "
        "these tiers whose conditions hold:"
    )
    w("")
    for i, tid in enumerate(spec.outcome.order):
        tier = spec.tiers[tid]
        conds = []
        if tier.any:
            conds.append(d.conditions(tier.any, " or "))
        if tier.all:
            conds.append(d.conditions(tier.all))
        when = " and ".join(f"({c})" if len(conds) > 1 else c for c in conds) if conds else "otherwise"
        bonus = f"{tier.bonus:+d}" if tier.bonus else "0"
        w(f"{i + 1}. **{tier.name}** — {when}. Both sides score {bonus}. {tier.description}".rstrip())
    w("")
    w(
        "Each side's **score** = stake points from deals (with its secret agenda) + the tier's bonus"
        + (f" − {spec.outcome.walkout_penalty} for a side that walked out" if spec.outcome.walkout_penalty else "")
        + "".join(
            f" − {m.score_penalty} per point of its {m.name.lower()}" for m in spec.meters.values() if m.score_penalty
        )
        + ". The higher score wins; equal scores tie."
    )
    w("")
    w("## Cards")
    w("Effects apply in the order written; each effect's condition is checked as it applies.")
    w("")
    w(f"### Events ({len(rules.event_pool)} cards)")
    for c in rules.events_deck.cards:
        copies = f" ×{c.copies}" if c.copies > 1 else ""
        w(f"- **{c.name}**{copies}: {d.effects(c.effects)} — *{c.flavor.strip()}*")
    w("")
    w(f"### Gestures ({len(rules.gesture_pool)} cards)")
    for g in rules.gestures_deck.cards:
        copies = f" ×{g.copies}" if g.copies > 1 else ""
        w(f"- **{g.name}** (`play {g.id}`){copies}: {you.effects(g.effects)} — *{g.flavor.strip()}*")
    w("")
    w(f"### Secret agendas ({len(rules.agenda_ids)} cards; one is dealt to each side)")
    for ag in rules.agendas_deck.cards:
        who = ", ".join(spec.roles[r].name for r in ag.roles) if ag.roles else "either side"
        stakes = ", ".join(f"{you.track(t)} {n:+d}" for t, n in ag.stakes.items())
        w(f"- **{ag.name}** ({who}): stakes {stakes} — *{ag.flavor.strip()}*")
    w("")
    return "\n".join(out)
