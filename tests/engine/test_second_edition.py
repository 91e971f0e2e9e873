"""The second edition of the default rules (rules/summit.toml, issue 13) in scripted positions: every package
is a trade (``proposals.two_sided``), a full package is offered at once, rejecting and passing cost the leader
at home, and the leader whose rejection or gesture breaks the talks (trust to its floor) walks out.

The edition is still being tuned, so no number is written here: each test reads the values it needs from the
loaded rules (or sets them with ``--set``-style overrides to build its position), and the expected meters are
worked out from the rule data by ``expect_meters``, a reading of the effects independent of the engine's. The
first edition's mechanics (one-sided packages, free passes) are tested on rules/classic.toml in test_engine.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from test_engine import FIXED_AGENDAS, QUIET_EVENTS

from conftest import CLASSIC_PATH, check_final, check_state, expected_tier, per_role
from summitgame.engine import apply, is_terminal, legal_actions, new_game, why_illegal
from summitgame.engine.scoring import outcome, tier_index
from summitgame.engine.state import EndReason, Phase, State
from summitgame.errors import IllegalActionError
from summitgame.rules.actions import ActionKind
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.rules.schema import ChangeMeter, Effect, MeterCondition

W, M = 0, 1  # washington, moscow (rule-file order)
Maker = Callable[..., Ruleset]


@pytest.fixture(scope="module")
def deck_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("decks")
    (d / "quiet_events.toml").write_text(QUIET_EVENTS, encoding="utf-8")
    (d / "fixed_agendas.toml").write_text(FIXED_AGENDAS, encoding="utf-8")
    return d


def _maker(path: Path | None, deck_dir: Path) -> Maker:
    def make(*overrides: str) -> Ruleset:
        return load_rules(
            path,
            [
                f"decks.events={deck_dir / 'quiet_events.toml'}",
                f"decks.agendas={deck_dir / 'fixed_agendas.toml'}",
                "rounds.first_initiative=washington",
                "tunable={}",
                *overrides,
            ],
        )

    return make


@pytest.fixture(scope="module")
def second(deck_dir: Path) -> Maker:
    """``second(*overrides)``: the default rules (second edition), no events, fixed agendas, Washington first."""
    return _maker(None, deck_dir)


@pytest.fixture(scope="module")
def first(deck_dir: Path) -> Maker:
    """The same for rules/classic.toml (the first edition), to show what the second edition changed."""
    return _maker(CLASSIC_PATH, deck_dir)


# --- helpers ---------------------------------------------------------------------------------------------------


def play(s: State, *moves: str) -> State:
    """Apply actions written in notation, checking each is legal."""
    for text in moves:
        s = apply(s, s.rules.parse_action(text))
    return s


def offer(s: State) -> State:
    """Offer the package being built (unless it was full, and so offered already)."""
    return s if s.phase == Phase.RESPOND else play(s, "offer")


def legal(s: State) -> list[str]:
    return [a.notation() for a in legal_actions(s)]


def meter(s: State, mid: str, role: int = 0) -> int:
    return s.rules.meter(s.meters, mid, role)


def refused(s: State, text: str) -> str:
    """The reason the engine gives for refusing ``text`` (the state is left alone)."""
    before = s.key()
    with pytest.raises(IllegalActionError) as info:
        apply(s, s.rules.parse_action(text))
    assert s.key() == before
    assert info.value.reason == why_illegal(s, s.rules.parse_action(text))
    return info.value.reason


def open_gates(rules: Ruleset) -> list[str]:
    """Overrides that open every gated track at any trust (a position's tracks then depend only on stages)."""
    return [f"tracks.{t}.gate.at_least=0" for t, spec in rules.spec.tracks.items() if spec.gate is not None]


def cap(steps: int) -> str:
    """An override making every package hold ``steps`` steps, whatever the trust."""
    return f"proposals.cap=[{{ at_least = 0, steps = {steps} }}]"


def expect_meters(rules: Ruleset, meters: tuple[int, ...], effects: Sequence[Effect], actor: int) -> tuple[int, ...]:
    """The meters after ``effects`` by ``actor``, read from the rule data: each ``change_meter`` in order, clamped
    to its meter's bounds, when its meter conditions hold at that moment. Other kinds move no meter."""
    out = list(meters)

    def whom(who: str) -> list[int]:
        return {"self": [actor], "other": [1 - actor], "both": [0, 1]}[who]

    def value(mid: str, role: int) -> int:
        slot, per_role = rules.meter_slot[mid]
        return out[slot + role] if per_role else out[slot]

    for e in effects:
        if not isinstance(e, ChangeMeter):
            continue
        holds = True
        for c in e.when:
            assert isinstance(c, MeterCondition), f"condition not covered by the test: {c!r}"
            lo = rules.spec.meters[c.meter].min if c.at_least is None else c.at_least
            hi = rules.spec.meters[c.meter].max if c.at_most is None else c.at_most
            holds = holds and lo <= value(c.meter, whom(c.who)[0]) <= hi
        if not holds:
            continue
        slot, per_role = rules.meter_slot[e.meter]
        for i in {slot + r for r in whom(e.who)} if per_role else {slot}:
            out[i] = max(rules.meter_min[i], min(rules.meter_max[i], out[i] + e.by))
    return tuple(out)


def unconditional_by(effects: Sequence[Effect], mid: str, who: str = "self") -> int:
    """The sum of the unconditional ``change_meter`` effects on ``mid`` (``who``'s, for a per-role meter)."""
    return sum(e.by for e in effects if isinstance(e, ChangeMeter) and e.meter == mid and e.who == who and not e.when)


def blame(effects: Sequence[Effect]) -> ChangeMeter:
    """The clause that blames the actor for breaking the talks: its own pressure up when trust is at most a floor."""
    (clause,) = [
        e
        for e in effects
        if isinstance(e, ChangeMeter)
        and e.meter == "pressure"
        and e.who == "self"
        and any(isinstance(c, MeterCondition) and c.meter == "trust" and c.at_most is not None for c in e.when)
    ]
    return clause


def trust_floor(clause: ChangeMeter) -> int:
    (c,) = [c for c in clause.when if isinstance(c, MeterCondition) and c.meter == "trust"]
    assert c.at_most is not None
    return c.at_most


def a_trade(s: State) -> tuple[str, str]:
    """A give and an ask of one step each, on two tracks open at ``s`` (the first two the engine lists)."""
    tracks = list(dict.fromkeys(str(a.track) for a in legal_actions(s) if a.kind is ActionKind.GIVE))
    assert len(tracks) >= 2, legal(s)
    return f"give {tracks[0]} 1", f"ask {tracks[1]} 1"


# --- every package is a trade ------------------------------------------------------------------------------------


def test_the_default_rules_are_the_second_edition() -> None:
    rules = load_rules(None)
    assert rules.two_sided and rules.auto_offer
    assert rules.fingerprint != load_rules(CLASSIC_PATH).fingerprint


def test_an_offer_of_only_asks_or_only_gives_is_refused_with_its_reason(second: Maker, first: Maker) -> None:
    opened = open_gates(second())  # the same tracks open under both editions, whatever their trust
    s = new_game(second(*opened), 0)
    give, ask = a_trade(s)
    for one_sided in (ask, give):
        t = play(s, one_sided)
        assert t.phase == Phase.BUILD and "offer" not in legal(t)
        assert refused(t, "offer") == "a package is a trade: add a concession from the other side before offering it"
    both = offer(play(s, give, ask))
    assert both.phase == Phase.RESPOND and {giver for giver, _, _ in both.items} == {W, M}
    # the first edition took a bare demand
    assert "offer" in legal(play(new_game(first(*opened), 0), ask))


def test_the_last_step_is_kept_for_the_other_side(second: Maker, first: Maker) -> None:
    opened = open_gates(second())  # the same tracks open under both editions, whatever their trust
    rules = second(cap(2), *opened)
    s = new_game(rules, 0)
    assert rules.max_steps >= 2
    assert not any(a.steps == 2 for a in legal_actions(s) if a.kind in (ActionKind.GIVE, ActionKind.ASK))
    give, ask = a_trade(s)
    two = give.replace(" 1", " 2")
    assert refused(s, two) == (
        "a package is a trade: this would leave no room (steps or an open track) for the ask it still needs"
    )
    t = play(s, give)
    assert not any(a.kind is ActionKind.GIVE for a in legal_actions(t))  # the last step is the ask's
    assert ask in legal(t)
    full = play(t, ask)
    assert full.phase == Phase.RESPOND and full.proposer == W and full.to_move == M  # offered at once
    # the first edition let the first item take the whole cap
    assert two in legal(new_game(first(cap(2), *opened), 0))


def close_all_but(rules: Ruleset, *keep: str) -> list[str]:
    """Overrides that gate every track but ``keep`` behind the highest trust (so, below it, they are closed)."""
    top = rules.spec.meters["trust"].max
    return [f'tracks.{t}.gate={{ meter = "trust", at_least = {top} }}' for t in rules.spec.tracks if t not in keep]


def test_the_last_open_track_is_kept_for_the_other_side(second: Maker) -> None:
    base = second()
    a, b = list(base.spec.tracks)[:2]
    rules = second(cap(4), *open_gates(base), *close_all_but(base, a, b))
    s = new_game(rules, 0)
    t = play(s, f"give {a} 1")
    assert [x for x in legal(t) if x.startswith(("give", "ask"))] == [f"ask {b} 1", f"ask {b} 2"]
    assert "no room (steps or an open track) for the ask" in refused(t, f"give {b} 1")
    u = play(t, f"ask {b} 1")
    assert u.phase == Phase.RESPOND  # no track left to add: the package is full and on the table
    check_state(u)


def test_a_counter_needs_two_open_tracks(second: Maker, first: Maker) -> None:
    """Built by hand: two tracks open (one gated at trust 2), the offer on the table, then trust lowered under the
    gate, leaving one track open. A counter could not be a trade, so it is not offered; under the first edition
    one open track is enough."""
    base = second()
    free, gated = list(base.spec.tracks)[:2]
    closed = close_all_but(base, free, gated)
    overrides = (cap(4), *open_gates(base), *closed, f"tracks.{gated}.gate.at_least=2", "meters.trust.start=2")
    for make, counters in ((second, False), (first, True)):
        rules = make(*overrides)
        s = offer(play(new_game(rules, 0), f"give {free} 1", f"ask {gated} 1"))
        assert "counter" in legal(s)  # two open tracks: a counter can be a trade
        low = s.clone()
        slot = rules.meter_slot["trust"][0]
        low.meters = tuple(1 if i == slot else m for i, m in enumerate(s.meters))
        assert ("counter" in legal(low)) is counters
        if not counters:
            assert "counter-proposal" in refused(low, "counter")


# --- what rejecting and passing cost -----------------------------------------------------------------------------


def test_rejecting_costs_the_rejecter_at_home(second: Maker) -> None:
    rules = second("rounds.end_effects=[]")  # only the rejection moves a meter at the end of the round
    on_reject = rules.spec.proposals.on_reject
    assert unconditional_by(on_reject, "pressure") > 0  # the design: a rejection costs the rejecter
    s = offer(play(new_game(rules, 0), *a_trade(new_game(rules, 0))))
    assert s.to_move == M
    after = play(s, "reject")
    assert after.round == 2 and after.meters == expect_meters(rules, s.meters, on_reject, M)
    assert meter(after, "pressure", M) == meter(s, "pressure", M) + unconditional_by(on_reject, "pressure")
    assert meter(after, "pressure", W) == meter(s, "pressure", W)  # the proposer pays nothing
    assert meter(after, "trust") == meter(s, "trust") + unconditional_by(on_reject, "trust")


def test_a_pass_costs_what_on_pass_says(second: Maker, first: Maker) -> None:
    """The second edition lets the initiative pass for free (impatience at home, the end-of-round drift, is the
    price of a round without gains); a cost in ``on_pass`` falls on the side that passes, never on the other."""
    assert second().spec.proposals.on_pass == []
    rules = second(
        "rounds.end_effects=[]", 'proposals.on_pass=[{kind="change_meter", meter="pressure", who="self", by=2}]'
    )
    on_pass = rules.spec.proposals.on_pass
    s = new_game(rules, 0)
    passer = s.to_move
    after = play(s, "pass")
    assert after.round == 2 and after.meters == expect_meters(rules, s.meters, on_pass, passer)
    assert meter(after, "pressure", passer) == meter(s, "pressure", passer) + 2
    assert meter(after, "pressure", 1 - passer) == meter(s, "pressure", 1 - passer)
    s1 = new_game(first("rounds.end_effects=[]"), 0)
    assert play(s1, "pass").meters == s1.meters


# --- breaking the talks is a walk-out -----------------------------------------------------------------------------


def walked_out(s: State, role: int) -> None:
    """``s`` ended, with no deal made, in ``role``'s walk-out alone, and the scores say so: only that role pays
    the walk-out penalty."""
    rules = s.rules
    assert rules.spec.outcome.walkout_penalty > 0
    assert is_terminal(s) and not any(s.net)
    assert s.end == EndReason.WALKOUT and s.walkouts == (role,)  # checked before the breakdown
    o = outcome(s)
    check_final(s, [0, 0])
    assert o.tier == expected_tier(s) == "failed"
    tier = rules.spec.tiers[o.tier]
    penalty = rules.spec.meters["pressure"].score_penalty
    for r in (W, M):
        lost = rules.spec.outcome.walkout_penalty if r == role else 0
        assert o.scores[rules.roles[r]] == tier.bonus - lost - penalty * meter(s, "pressure", r)


def test_a_rejection_that_takes_trust_to_its_floor_makes_the_rejecter_walk_out(second: Maker) -> None:
    base = second()
    on_reject = base.spec.proposals.on_reject
    clause = blame(on_reject)
    # trust that the rejection's own trust cost takes exactly to the floor
    start = trust_floor(clause) - unconditional_by(on_reject, "trust")
    rules = second(f"meters.trust.start={start}", cap(2), *open_gates(base))
    s = offer(play(new_game(rules, 0), *a_trade(new_game(rules, 0))))
    assert meter(s, "trust") == start and s.to_move == M
    after = play(s, "reject")
    assert meter(after, "trust") <= trust_floor(clause)
    walkout_at = rules.spec.meters["pressure"].walkout_at
    assert walkout_at is not None and meter(after, "pressure", M) >= per_role(walkout_at, rules, M)
    walked_out(after, M)
    # one more point of trust, and the same rejection is only a rejection
    calm = second(f"meters.trust.start={start + 1}", cap(2), *open_gates(base))
    s = offer(play(new_game(calm, 0), *a_trade(new_game(calm, 0))))
    assert not is_terminal(play(s, "reject"))


def dealt(rules: Ruleset, card: str, role: int) -> State:
    """The opening of the first seed that deals ``card`` to ``role``."""
    g = rules.gesture_ids.index(card)
    return next(s for s in (new_game(rules, seed) for seed in range(500)) if g in s.hands[role])


def test_a_gesture_that_takes_trust_to_its_floor_makes_its_player_walk_out(second: Maker) -> None:
    base = second()
    cards = {c.id: c for c in base.gestures_deck.cards}
    breakers = [g for g, c in cards.items() if unconditional_by(c.effects, "trust") < 0 and blame(c.effects)]
    assert breakers  # the design: a gesture that breaks the talks is blamed like a rejection
    for card in breakers:
        clause = blame(cards[card].effects)
        start = trust_floor(clause) - unconditional_by(cards[card].effects, "trust")
        rules = second(f"meters.trust.start={start}", "rounds.end_effects=[]")
        s = dealt(rules, card, W)
        played = play(s, f"play {card}")
        assert played.meters == expect_meters(rules, s.meters, cards[card].effects, W)
        assert meter(played, "trust") <= trust_floor(clause)
        walked_out(play(played, "pass"), W)


def test_incremental_needs_an_accord_both_leaders_can_sell_at_home(second: Maker) -> None:
    """An accord reached in the last round counts as incremental only while each leader's pressure is within the
    bound the tier names (the second edition's "an accord counts only if each leader can still sell it")."""
    base = second()
    bounds = [
        c
        for c in base.spec.tiers["incremental"].all
        if isinstance(c, MeterCondition) and c.meter == "pressure" and c.at_most is not None
    ]
    assert {c.who for c in bounds} == set(base.roles)  # one bound per leader
    track = next(t for t in base.spec.tracks)
    rules = second("rounds.count=1", f"tracks.{track}.start={base.stages[-2]}", cap(4), *open_gates(base))
    s = new_game(rules, 0)
    other = next(str(a.track) for a in legal_actions(s) if a.kind is ActionKind.ASK and str(a.track) != track)
    s = play(offer(play(s, f"give {track} 1", f"ask {other} 1")), "accept")
    assert is_terminal(s) and rules.stages[s.tracks[rules.track_ids.index(track)]] == rules.stages[-1]
    slot = rules.meter_ids.index("pressure")
    for c in bounds:
        assert c.at_most is not None
        r = rules.roles.index(c.who)
        for value, incremental in ((c.at_most, True), (c.at_most + 1, False)):
            t = s.clone()
            meters = list(t.meters)
            meters[slot + r] = value
            t.meters = tuple(meters)
            others_ok = all(
                t.meters[slot + rules.roles.index(d.who)] <= d.at_most  # type: ignore[operator]
                for d in bounds
                if d is not c
            )
            assert others_ok
            assert rules.tier_ids[tier_index(t)] == ("incremental" if incremental else "symbolic")


# --- a started package allows neither a pass nor a gesture ---------------------------------------------------


def test_no_gesture_once_a_package_is_started(second: Maker) -> None:
    """A gesture is played before the package (as under the first edition); played after it, one that advances a
    track can take a track in the package past its last stage."""
    s = new_game(second(), 0)
    t = play(s, a_trade(s)[1])
    assert not any(a.kind is ActionKind.PLAY for a in legal_actions(t))


def test_no_pass_once_a_package_is_started(second: Maker) -> None:
    s = new_game(second(), 0)
    t = play(s, a_trade(s)[1])
    assert "pass" not in legal(t)
