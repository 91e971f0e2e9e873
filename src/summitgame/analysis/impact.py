"""Counterfactual card impact: what each card drawn or played in a balance run changed, measured by replaying.

For every card that took effect in a simulated game (an event drawn, a gesture played) the same game is
played again with that one draw's effects left out (``engine.apply_muted``): the same deal, the same agents
with the same random streams, the card still drawn or played (so the rest of the deal is unchanged), and from
there the agents play on as they would. A draw **flips the tier** (or **the winner**) when the replay ends in
another tier (another winner, a tie counting as a winner of its own) than the game itself. Where leaving the
effects out changes nothing at that moment (a condition that did not hold, a meter already at its bound) the
replay would be the game itself, so it is not played and counts as a draw that flips nothing.

Per card: the share of its draws that flip the tier and that flip the winner, each with n and a Wilson 95%
interval (draws of one deal's two seat-swapped games are not quite independent; the intervals ignore that).
A card with fewer than ``MIN_DRAWS`` draws is *too few to judge* and not ranked; the others are ranked by the
tier share, then the winner share. A judged card that never flips either is *inert*; one that flips the tier
on more than ``DECISIVE`` of its draws is *decisive*.

The replays are ordinary planned games (``tournament.PlannedGame.mute``) played by ``tournament.run_plan``, so
the report is the same whatever the worker count. A replay whose moves before the muted card differ from the
game's (an agent that does not replay its own moves, say one on a wall-clock budget) is left out and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..engine.forward import apply, apply_muted, new_game, new_game_muted
from ..engine.state import State
from ..rules.ruleset import Ruleset
from ..runs.options import HERE, RunOptions
from ..runs.tournament import PlannedGame, game_id, run_plan
from .aggregate import rate
from .metrics import GameMetrics

if TYPE_CHECKING:
    from .balance import Progress, Simulation
    from .schema import CardImpact, Impact, ImpactSummary

MIN_DRAWS = 20  #: a card drawn or played fewer times than this is too few to judge, and not ranked
MIN_DEALS = 20
"""A card drawn or played in fewer distinct deals than this is too few to judge either: ``balance`` plays every
pair of agents on the same deals, and the draws of one deal share its deck order, so they are not independent."""
DECISIVE = 0.25  #: a card that flips the tier on more than this share of its draws decides too much

KINDS = ("event", "gesture")
VERDICTS = {
    "too_few": "too few to judge",
    "inert": "inert: never flips the tier or the winner",
    "decisive": f"decisive: flips the tier on more than {DECISIVE:.0%} of its draws",
    "ranked": "",
}


@dataclass(frozen=True)
class Draw:
    """One card that took effect in a game: the game's plan index, the transition that applied it (0: the
    deal, which draws round 1's event; k: the k-th action), the card's kind and id, and whether leaving its
    effects out changes the state at all."""

    game: int
    transition: int
    kind: str  #: 'event' or 'gesture'
    card: str
    changes: bool


def draws_of(rules: Ruleset, seed: int, actions: Sequence[str], game: int = 0) -> list[Draw]:
    """Every card drawn or played in a game (by its deal seed and actions), in order, each with whether
    muting it changes the state it leads to."""

    def changed(muted: State, real: State) -> bool:
        return muted.key() != real.key()

    s = new_game(rules, seed)
    out = [Draw(game, 0, "event", rules.event_ids[s.event], changed(new_game_muted(rules, seed), s))]
    for k, text in enumerate(actions, start=1):
        action = rules.parse_action(text)
        nxt = apply(s, action)
        card = None
        if action.card is not None:
            card = ("gesture", str(action.card))
        elif nxt.to_move >= 0 and nxt.round != s.round:
            card = ("event", rules.event_ids[nxt.event])
        if card is not None:
            out.append(Draw(game, k, card[0], card[1], changed(apply_muted(s, action), nxt)))
        s = nxt
    return out


@dataclass
class Replays:
    """The counterfactual replays of a run: every draw, the plan of those that need playing, and their results."""

    draws: list[Draw]
    plan: list[PlannedGame]  #: one replay per draw that changes the state (``Draw.changes``)
    replay_of: dict[int, int]  #: replay plan index -> index of its draw in ``draws``
    results: dict[int, dict[str, Any]] = field(default_factory=dict)  #: draw index -> the replay's line
    diverged: set[int] = field(default_factory=set)  #: draw indexes whose replay left the game before the card
    seconds: float = 0.0
    played: int = 0


def plan_replays(sim: Simulation) -> Replays:
    """The draws of a simulated run's finished games (``sim.actions`` must hold their moves) and the plan of
    the replays to play, in the run's plan order."""
    rules = sim.rules
    draws: list[Draw] = []
    plan: list[PlannedGame] = []
    replay_of: dict[int, int] = {}
    for g in sim.games:
        p = sim.plan[g.index]
        for d in draws_of(rules, p.seed, sim.actions[g.index], g.index):
            if d.changes:
                gid = game_id(rules.fingerprint, p.seats, p.game, p.seed, p.agent_seeds, d.transition)
                replay_of[len(plan)] = len(draws)
                plan.append(
                    PlannedGame(
                        len(plan), p.pair, p.game, p.seats, p.seed, p.agent_seeds, gid, p.run_seed, d.transition
                    )
                )
            draws.append(d)
    return Replays(draws, plan, replay_of)


def play_replays(
    sim: Simulation,
    *,
    backend: RunOptions = HERE,
    progress: Progress | None = None,
) -> Replays:
    """Plan and play the counterfactual replays of a simulated run (played with ``keep_actions``)."""
    rep = plan_replays(sim)
    if not rep.plan:
        return rep

    def on_game(line: dict[str, Any]) -> None:
        i = rep.replay_of[line["index"]]
        d = rep.draws[i]
        if line["actions"][: d.transition] != sim.actions[d.game][: d.transition]:
            rep.diverged.add(i)

    run = run_plan(sim.rules, sim.players, rep.plan, backend=backend, progress=progress, on_game=on_game)
    for line in run.lines:
        rep.results[rep.replay_of[line["index"]]] = line
    rep.seconds, rep.played = run.seconds, run.played
    return rep


def impact_section(rules: Ruleset, games: Sequence[GameMetrics], rep: Replays) -> Impact:
    """The counterfactual impact section: every card of the event and gesture decks, ranked by impact (see the
    module's docstring), a summary per kind of card, and the replays left out."""
    by_index = {g.index: g for g in games}
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  #: draws, tier flips, winner flips, no change
    flipped_games: dict[str, set[int]] = {k: set() for k in KINDS}
    drawn_games: dict[str, set[int]] = {k: set() for k in KINDS}
    kind_tally: dict[str, list[int]] = {k: [0, 0, 0] for k in KINDS}
    deals_of: dict[str, set[int]] = defaultdict(set)  #: per card, the deal seeds of its counted draws
    forfeits = diverged = 0
    for i, d in enumerate(rep.draws):
        g = by_index[d.game]
        if not d.changes:
            tier_flip = winner_flip = False
        else:
            line = rep.results.get(i)
            if line is None or line.get("forfeit"):
                forfeits += 1
                continue
            if i in rep.diverged:
                diverged += 1
                continue
            o = line["outcome"]
            tier_flip, winner_flip = o["tier"] != g.tier, o["winner"] != g.winner
        deals_of[d.card].add(g.seed)
        t = tally[d.card]
        t[0] += 1
        t[1] += tier_flip
        t[2] += winner_flip
        t[3] += not d.changes
        k = kind_tally[d.kind]
        k[0] += 1
        k[1] += tier_flip
        k[2] += winner_flip
        drawn_games[d.kind].add(d.game)
        if tier_flip:
            flipped_games[d.kind].add(d.game)
    rows: list[CardImpact] = []
    decks: tuple[tuple[Literal["event", "gesture"], tuple[str, ...]], ...] = (
        ("event", rules.event_ids),
        ("gesture", rules.gesture_ids),
    )
    for kind, ids in decks:
        for card in ids:
            n, tiers, winners, same = tally[card]
            tier_rate, winner_rate = rate(tiers, n), rate(winners, n)
            verdict: Literal["too_few", "inert", "decisive", "ranked"]
            if n < MIN_DRAWS or len(deals_of[card]) < MIN_DEALS:
                verdict = "too_few"
            elif tiers == 0 and winners == 0:
                verdict = "inert"
            elif (tier_rate["value"] or 0.0) > DECISIVE:
                verdict = "decisive"
            else:
                verdict = "ranked"
            rows.append(
                {
                    "card": card,
                    "kind": kind,
                    "draws": n,
                    "deals": len(deals_of[card]),
                    "no_change": same,
                    "tier_flips": tier_rate,
                    "winner_flips": winner_rate,
                    "verdict": verdict,
                    "rank": None,
                }
            )
    judged = sorted(
        (r for r in rows if r["verdict"] != "too_few"),
        key=lambda r: (-(r["tier_flips"]["value"] or 0.0), -(r["winner_flips"]["value"] or 0.0), r["kind"], r["card"]),
    )
    for rank, r in enumerate(judged, start=1):
        r["rank"] = rank
    unjudged = sorted((r for r in rows if r["verdict"] == "too_few"), key=lambda r: (-r["draws"], r["kind"], r["card"]))
    summary: dict[str, ImpactSummary] = {
        kind: {
            "draws": kind_tally[kind][0],
            "tier_flips": rate(kind_tally[kind][1], kind_tally[kind][0]),
            "winner_flips": rate(kind_tally[kind][2], kind_tally[kind][0]),
            "games_with_a_tier_flip": rate(len(flipped_games[kind]), len(drawn_games[kind])),
        }
        for kind in KINDS
    }
    return {
        "min_draws": MIN_DRAWS,
        "min_deals": MIN_DEALS,
        "decisive_share": DECISIVE,
        "cards": judged + unjudged,
        "summary": summary,
        "replays": {
            "draws": len(rep.draws),
            "deals": len({g.seed for g in games}),
            "played": len(rep.plan),
            "unchanged": sum(1 for d in rep.draws if not d.changes),
            "forfeits": forfeits,
            "diverged": diverged,
        },
    }


SHOWN = 5  #: decisive cards named in the warning (the section lists them all)


def impact_warnings(section: Mapping[str, Any]) -> list[str]:
    """One warning naming the decisive cards (most impact first), then one naming the inert cards; cards too
    few to judge are named in neither."""
    out = []
    decisive = [r for r in section["cards"] if r["verdict"] == "decisive"]
    if decisive:
        cells = [
            f"{r['kind']} {r['card']} {100 * r['tier_flips']['value']:.1f}% [{100 * r['tier_flips']['low']:.1f}, "
            f"{100 * r['tier_flips']['high']:.1f}] of {r['draws']}"
            for r in decisive[:SHOWN]
        ]
        more = f" and {len(decisive) - SHOWN} more (section 7)" if len(decisive) > SHOWN else ""
        many = len(decisive) > 1
        out.append(
            f"Decisive card{'s' if many else ''}: blanking one draw flips the tier on more than "
            f"{100 * section['decisive_share']:.0f}% of the draws of {', '.join(cells)}{more}."
        )
    inert = [f"{r['kind']} {r['card']} ({r['draws']} draws)" for r in section["cards"] if r["verdict"] == "inert"]
    if inert:
        many = len(inert) > 1
        out.append(f"Inert card{'s' if many else ''}: blanking {', '.join(inert)} never flips the tier or the winner.")
    return out
