"""Unit tests of the forward model: setup, legality and its reasons, resolution, endings, scoring.

Scripted games run under the first edition of the default rules (rules/classic.toml, whose numbers
never change) with a one-card event deck whose only effect does nothing (so no random event moves a
meter), a fixed agenda per role and Washington opening, all set through ``--set``-style overrides:
every number below can be checked against rules/classic.toml. The second edition's own mechanics
(two-sided packages, costs of rejecting and passing, the blame for a breakdown) are tested in
tests/engine/test_second_edition.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from conftest import CLASSIC_PATH
from summitgame.engine import (
    apply,
    clone,
    current_role,
    is_terminal,
    legal_actions,
    new_game,
    to_move,
    why_illegal,
)
from summitgame.engine.scoring import outcome
from summitgame.engine.state import EndReason, Phase, State
from summitgame.errors import IllegalActionError, SummitError
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset

W, M = 0, 1  # washington, moscow (rule-file order)
ARMS, UKRAINE, SYRIA, CYBER, ENERGY = "arms", "ukraine", "syria", "cyber", "energy"

QUIET_EVENTS = """
deck = "events"

[[cards]]
id = "quiet_day"
name = "Quiet day"
flavor = "Nothing happens."
effects = [{ kind = "change_meter", meter = "trust", by = 0 }]
"""

FIXED_AGENDAS = """
deck = "agendas"

[[cards]]
id = "arms_matter"
name = "Arms matter"
flavor = "Test agenda."
roles = ["washington"]
stakes = { arms = 2 }

[[cards]]
id = "energy_matters"
name = "Energy matters"
flavor = "Test agenda."
roles = ["moscow"]
stakes = { energy = 1 }
"""


@pytest.fixture(scope="module")
def deck_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("decks")
    (d / "quiet_events.toml").write_text(QUIET_EVENTS, encoding="utf-8")
    (d / "fixed_agendas.toml").write_text(FIXED_AGENDAS, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def scripted(deck_dir: Path) -> Callable[..., Ruleset]:
    """``scripted(*overrides)``: rules/classic.toml, no events, fixed agendas, Washington first, plus overrides
    (which may go beyond the designer's tunable ranges: these tests probe the engine at its extremes)."""

    def make(*overrides: str) -> Ruleset:
        return load_rules(
            CLASSIC_PATH,
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
def quiet(scripted: Callable[..., Ruleset]) -> Ruleset:
    return scripted()


def play(s: State, *moves: str) -> State:
    """Apply actions written in notation, checking each is legal."""
    for text in moves:
        s = apply(s, s.rules.parse_action(text))
    return s


def meter(s: State, mid: str, role: int = 0) -> int:
    return s.rules.meter(s.meters, mid, role)


def track(s: State, tid: str) -> int:
    return s.tracks[s.rules.track_ids.index(tid)]


def refused(s: State, text: str) -> IllegalActionError:
    """The IllegalActionError that applying ``text`` raises; the state is left alone."""
    before = s.key()
    with pytest.raises(IllegalActionError) as info:
        apply(s, s.rules.parse_action(text))
    assert s.key() == before
    assert info.value.action == s.rules.parse_action(text).notation()
    assert info.value.reason in str(info.value)
    return info.value


# --- setup ------------------------------------------------------------------------------------------


def test_new_game_starts_from_the_rule_data(quiet: Ruleset) -> None:
    s = new_game(quiet, 5)
    assert s.round == 1
    assert s.phase == Phase.BUILD
    assert to_move(s) == s.initiative == W
    assert current_role(s) == "washington"
    assert not is_terminal(s)
    assert meter(s, "trust") == 3
    assert (meter(s, "pressure", W), meter(s, "pressure", M)) == (2, 2)
    assert [quiet.stages[x] for x in s.tracks] == ["deadlock", "talks", "deadlock", "deadlock", "deadlock"]
    assert [len(h) for h in s.hands] == [3, 3]
    assert len(s.gdeck) == len(quiet.gesture_pool) - 6
    assert [quiet.agenda_ids[a] for a in s.agendas] == ["arms_matter", "energy_matters"]
    assert quiet.event_ids[s.event] == "quiet_day"
    assert s.moves == 0
    assert s.points == (0, 0)


def test_same_seed_same_game(any_rules: Ruleset) -> None:
    for seed in (0, 1, 12345, -7, 2**70):
        a, b = new_game(any_rules, seed), new_game(any_rules, seed)
        assert a == b
        assert hash(a) == hash(b)
        assert a.key() == b.key()
        assert legal_actions(a) == legal_actions(b)
        assert a.seed == seed


def test_different_seeds_differ(any_rules: Ruleset) -> None:
    keys = {new_game(any_rules, seed).key() for seed in range(30)}
    assert len(keys) == 30
    # and the differences are in what matters, not only the seed field: deals, agendas, events, initiative
    assert len({new_game(any_rules, seed).hands for seed in range(30)}) > 1
    assert len({new_game(any_rules, seed).agendas for seed in range(30)}) > 1
    assert len({new_game(any_rules, seed).event for seed in range(30)}) > 1
    assert {new_game(any_rules, seed).initiative for seed in range(30)} == {0, 1}


def test_random_first_initiative_follows_the_rules(summit_rules: Ruleset) -> None:
    moscow_first = load_rules(None, ["rounds.first_initiative=moscow"])
    assert all(new_game(moscow_first, seed).initiative == M for seed in range(10))
    assert summit_rules.first_initiative == -1


def test_clone_is_equal_and_independent(quiet: Ruleset) -> None:
    s = new_game(quiet, 3)
    c = clone(s)
    assert c == s and c is not s
    before = s.key()
    c2 = play(c, "give arms 1", "offer", "accept")
    assert s.key() == before
    assert c2 != s
    c.meters = (9, 9, 9)
    assert s.meters == (3, 2, 2)


def test_state_repr_shows_no_secrets(summit_rules: Ruleset) -> None:
    s = new_game(summit_rules, 4)
    text = repr(s)
    for secret in [summit_rules.agenda_ids[a] for a in s.agendas] + [summit_rules.gesture_ids[g] for g in s.hands[0]]:
        assert secret not in text
    assert str(s.rng) not in text


# --- legal actions -----------------------------------------------------------------------------------


def test_opening_legal_actions(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    legal = [a.notation() for a in legal_actions(s)]
    hand = sorted({quiet.gesture_ids[g] for g in s.hands[W]}, key=quiet.gesture_ids.index)
    # trust 3: ukraine (gate 4) is closed; every other track offers 1 or 2 steps each way
    expected = ["pass"] + [f"play {g}" for g in hand]
    for t in (ARMS, SYRIA, CYBER, ENERGY):
        expected += [f"give {t} 1", f"give {t} 2", f"ask {t} 1", f"ask {t} 2"]
    assert legal == expected


def test_legal_actions_shrink_as_the_package_fills(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 2")  # trust 3 caps a package at 3 steps
    legal = {a.notation() for a in legal_actions(s)}
    assert "offer" in legal and "pass" not in legal
    assert not any(n.startswith("play") for n in legal)
    assert not any(ARMS in n for n in legal)
    assert {n for n in legal if n.endswith(" 2")} == set()
    assert legal == {"offer"} | {f"{v} {t} 1" for v in ("give", "ask") for t in (SYRIA, CYBER, ENERGY)}
    s = play(s, "ask syria 1")
    assert [a.notation() for a in legal_actions(s)] == ["offer"]


def test_legal_actions_when_answering(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer")
    assert s.phase == Phase.RESPOND and to_move(s) == M
    assert [a.notation() for a in legal_actions(s)] == ["accept", "reject", "counter"]
    s = play(s, "counter", "give syria 1", "offer")
    assert to_move(s) == W
    assert [a.notation() for a in legal_actions(s)] == ["accept", "reject"]


def test_legal_actions_are_a_cached_tuple(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    assert legal_actions(s) is legal_actions(s)
    assert isinstance(legal_actions(s), tuple)


def test_every_listed_action_is_accepted_and_every_other_refused(any_rules: Ruleset) -> None:
    s = new_game(any_rules, 9)
    legal = set(legal_actions(s))
    for a in any_rules.actions.all:
        if a in legal:
            assert isinstance(apply(s, a), State)
        else:
            with pytest.raises(IllegalActionError):
                apply(s, a)


def test_plain_int_codes_are_accepted(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    give = quiet.parse_action("give arms 1")
    assert apply(s, int(give)) == apply(s, give)


@pytest.mark.parametrize("code", [-1, 999])
def test_codes_out_of_range_are_refused(quiet: Ruleset, code: int) -> None:
    s = new_game(quiet, 0)
    with pytest.raises(IllegalActionError, match=f"no action has code {code}"):
        apply(s, code)


# --- illegal actions and their reasons --------------------------------------------------------------


@pytest.mark.parametrize("answer", ["accept", "reject", "counter"])
def test_answering_with_no_offer(quiet: Ruleset, answer: str) -> None:
    err = refused(new_game(quiet, 0), answer)
    assert err.reason == "there is no offer on the table to answer"


def test_building_while_an_offer_is_on_the_table(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer")
    for text in ("give syria 1", "pass", "offer"):
        assert refused(s, text).reason == "Moscow must answer the offer on the table: accept, reject or counter"


def test_passing_after_items(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "ask syria 1")
    assert refused(s, "pass").reason == "a package has been started: offer it"


def test_counter_proposal_cannot_pass(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer", "counter")
    assert refused(s, "pass").reason == "a counter-proposal cannot pass: build a package and offer it"


def test_offering_an_empty_package(quiet: Ruleset) -> None:
    assert refused(new_game(quiet, 0), "offer").reason == "the package is empty: give or ask something first"
    s = play(new_game(quiet, 0), "give arms 1", "offer", "counter")
    assert refused(s, "offer").reason == "the package is empty: give or ask something first"


def test_gesture_not_in_hand(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    missing = next(g for g in range(len(quiet.gesture_ids)) if g not in s.hands[W])
    card = quiet.gesture_ids[missing]
    assert refused(s, f"play {card}").reason == f"Washington holds no {card!r} card"


def test_gesture_after_items(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    card = quiet.gesture_ids[s.hands[W][0]]
    s = play(s, "give arms 1")
    assert refused(s, f"play {card}").reason == "gestures are played before building a package"


def test_gesture_during_a_counter_proposal(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer", "counter")
    card = quiet.gesture_ids[s.hands[M][0]]
    reason = refused(s, f"play {card}").reason
    assert reason == "gestures are played only by the initiative, before its first package"


def test_second_gesture_in_a_turn(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    s = play(s, f"play {quiet.gesture_ids[s.hands[W][0]]}")
    assert s.plays == 1
    assert s.hands[W], "the test needs a card left in hand"
    card = quiet.gesture_ids[s.hands[W][0]]
    assert refused(s, f"play {card}").reason == "already played 1 gesture(s) this turn"


def test_track_gated_by_trust(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    reason = refused(s, "give ukraine 1").reason
    assert reason == "Ukraine & regional stability needs trust of at least 4 (it is 3)"
    # one accepted deal raises trust to 4 and opens it
    s = play(s, "give arms 1", "offer", "accept")
    assert meter(s, "trust") == 4
    assert quiet.parse_action("give ukraine 1") in legal_actions(s)


def test_track_blocked(summit_rules: Ruleset) -> None:
    rules = load_rules(None, ["rounds.opening_event=regional_rivals_intervene", "rounds.first_initiative=washington"])
    s = new_game(rules, 0)
    assert refused(s, "ask syria 1").reason == "Syria & the Middle East is off the table until round 2"
    s = play(s, "pass")
    assert s.round == 2
    assert rules.parse_action("ask syria 1") in legal_actions(s)


def test_track_already_in_package(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1")
    for text in ("ask arms 1", "give arms 1"):
        assert refused(s, text).reason == "Arms control & nuclear proliferation is already in this package"


def test_too_many_items_on_one_side(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "give syria 1")
    assert refused(s, "give energy 1").reason == "a package holds at most 2 item(s) per side"
    assert quiet.parse_action("ask energy 1") in legal_actions(s)


def test_steps_beyond_the_trust_cap(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 2")
    reason = refused(s, "ask energy 2").reason
    assert reason == "the package would total 4 steps; at trust 3 a package holds at most 3"


def test_steps_beyond_the_last_stage(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 2", "offer", "accept")  # arms: talks -> framework
    assert quiet.stages[track(s, ARMS)] == "framework"
    assert refused(s, "give arms 2").reason == "Arms control & nuclear proliferation has only 1 step(s) left"
    s = play(s, "give arms 1", "offer", "accept")
    assert quiet.stages[track(s, ARMS)] == "accord"
    assert refused(s, "ask arms 1").reason == "Arms control & nuclear proliferation has reached its last stage"


def test_counter_when_counters_are_exhausted(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer", "counter", "give syria 1", "offer")
    assert s.counters == quiet.max_counters == 1
    assert refused(s, "counter").reason == "no counter-proposals left this round (at most 1)"


def test_any_action_after_the_end(scripted: Callable[..., Ruleset]) -> None:
    rules = scripted("meters.pressure.walkout_at.washington=3")
    s = play(new_game(rules, 0), "pass")
    assert is_terminal(s)
    for a in rules.actions.all:
        with pytest.raises(IllegalActionError, match="the summit is over"):
            apply(s, a)
    assert legal_actions(s) == ()
    assert to_move(s) == -1 and current_role(s) is None


def test_illegal_action_error_is_a_summit_error(quiet: Ruleset) -> None:
    with pytest.raises(SummitError, match="illegal action 'offer': the package is empty"):
        apply(new_game(quiet, 0), quiet.parse_action("offer"))


def test_why_illegal_handles_every_code_in_every_phase(quiet: Ruleset) -> None:
    states = [new_game(quiet, 0)]
    for text in ("give arms 1", "offer", "counter", "ask energy 1", "offer", "reject"):
        states.append(play(states[-1], text))
    for s in states:
        legal = set(legal_actions(s))
        for a in quiet.actions.all:
            if a not in legal:
                assert why_illegal(s, a)


# --- resolving packages ---------------------------------------------------------------------------


def test_accept_resolves_the_package(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    # Washington concedes arms 1 and asks Moscow to concede energy 2 (3 steps: the cap at trust 3)
    s = play(s, "give arms 1", "ask energy 2", "offer")
    assert s.items == ((W, 1, 1), (M, 4, 2))
    assert s.proposer == W
    s = play(s, "accept")
    assert s.round == 2 and s.initiative == M and to_move(s) == M
    assert s.items == ()
    assert (track(s, ARMS), track(s, ENERGY)) == (2, 2)  # talks -> working_group, deadlock -> working_group
    assert meter(s, "trust") == 4  # on_accept: trust +1
    # pressure: Washington 2 + cost(arms)1x1 - relief(energy)1x2 = 1; Moscow 2 - relief(arms)1x1 + cost(energy)1x2 = 3
    assert (meter(s, "pressure", W), meter(s, "pressure", M)) == (1, 3)
    # points at public stakes: Washington -4x1 (arms) + 2x2 (energy) = 0; Moscow +3x1 - 5x2 = -7
    assert s.points == (0, -7)
    assert s.gained == (False, False)  # reset for the new round (both gained: no drift, see pressure above)


def test_accept_of_a_counter_proposal(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer", "counter", "ask syria 1", "offer")
    assert s.proposer == M and to_move(s) == W
    s = play(s, "accept")
    # Washington conceded syria 1 to Moscow; Washington gained nothing: impatience +1 at the end of the round
    assert (track(s, ARMS), track(s, SYRIA)) == (1, 1)
    assert meter(s, "trust") == 4
    assert (meter(s, "pressure", W), meter(s, "pressure", M)) == (2 + 1 + 1, 2 - 1)
    assert s.points == (-2, 4)


def test_giver_pressure_is_capped_at_the_meter_maximum(scripted: Callable[..., Ruleset]) -> None:
    rules = scripted("meters.pressure.start.washington=11")
    s = play(new_game(rules, 0), "give energy 2", "offer", "accept")  # cost 2 x 2 on top of 11
    assert meter(s, "pressure", W) == rules.meter_max[rules.meter_slot["pressure"][0]] == 12
    assert s.end == EndReason.WALKOUT


def test_reject_costs_trust(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer", "reject")
    assert meter(s, "trust") == 2
    assert s.tracks == quiet.track_start
    assert s.points == (0, 0)
    # nobody gained: both feel impatience at home
    assert (meter(s, "pressure", W), meter(s, "pressure", M)) == (3, 3)
    assert s.round == 2 and to_move(s) == M


def test_reject_after_a_counter_costs_trust_once(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "give arms 1", "offer", "counter", "give syria 1", "offer", "reject")
    assert meter(s, "trust") == 2
    assert s.round == 2


def test_pass_ends_the_round(quiet: Ruleset) -> None:
    s = play(new_game(quiet, 0), "pass")
    assert meter(s, "trust") == 3
    assert (meter(s, "pressure", W), meter(s, "pressure", M)) == (3, 3)
    assert s.round == 2 and s.initiative == M
    assert [len(h) for h in s.hands] == [4, 4]  # one card drawn each between rounds


def test_hands_stop_at_the_limit(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    for _ in range(quiet.rounds - 1):
        s = play(s, "give arms 1", "offer", "accept") if track(s, ARMS) < quiet.top_stage else play(s, "pass")
        assert all(len(h) <= quiet.hand_limit for h in s.hands)
    assert [len(h) for h in s.hands] == [quiet.hand_limit, quiet.hand_limit]


# --- endings -------------------------------------------------------------------------------------------


def test_walkout_ends_the_game(scripted: Callable[..., Ruleset]) -> None:
    rules = scripted("meters.pressure.walkout_at.washington=3")
    s = play(new_game(rules, 0), "pass")  # impatience takes both to 3: only Washington's limit is 3
    assert is_terminal(s)
    assert s.end == EndReason.WALKOUT
    assert s.walkouts == (W,)
    o = outcome(s)
    assert o.reason == EndReason.WALKOUT
    assert o.walkouts == ("washington",)
    assert o.tier == "failed"
    assert o.rounds_played == 1
    # score: no points, failed bonus -5, walk-out penalty -5 (Washington only), pressure 3 each
    assert o.scores == {"washington": -5 - 5 - 3, "moscow": -5 - 3}
    assert o.winner == "moscow"


def test_both_walk_out_together(scripted: Callable[..., Ruleset]) -> None:
    rules = scripted("meters.pressure.walkout_at.washington=3", "meters.pressure.walkout_at.moscow=3")
    s = play(new_game(rules, 0), "pass")
    assert s.end == EndReason.WALKOUT
    assert s.walkouts == (W, M)
    o = outcome(s)
    assert o.walkouts == ("washington", "moscow")
    assert o.scores == {"washington": -13, "moscow": -13}
    assert o.winner is None


def test_breakdown_ends_the_game(scripted: Callable[..., Ruleset]) -> None:
    rules = scripted("meters.trust.start=1")
    s = new_game(rules, 0)
    assert (
        refused(s, "give arms 1").reason == "Arms control & nuclear proliferation needs trust of at least 2 (it is 1)"
    )
    s = play(s, "give syria 1", "offer", "reject")  # trust 1 -> 0: the breakdown level
    assert is_terminal(s)
    assert s.end == EndReason.BREAKDOWN
    assert s.walkouts == ()
    o = outcome(s)
    assert (o.tier, o.reason, o.rounds_played) == ("failed", EndReason.BREAKDOWN, 1)
    assert o.scores == {"washington": -5 - 3, "moscow": -5 - 3}


def test_walkout_is_checked_before_breakdown(scripted: Callable[..., Ruleset]) -> None:
    rules = scripted("meters.trust.start=1", "meters.pressure.walkout_at.moscow=3")
    s = play(new_game(rules, 0), "give syria 1", "offer", "reject")
    assert s.end == EndReason.WALKOUT
    assert s.walkouts == (M,)


def test_last_round_ends_the_game(quiet: Ruleset) -> None:
    s = new_game(quiet, 0)
    for r in range(1, quiet.rounds + 1):
        assert s.round == r
        assert not is_terminal(s)
        s = play(s, "give arms 1", "offer", "accept") if r < 4 else play(s, "pass")
    assert is_terminal(s)
    assert s.end == EndReason.LAST_ROUND
    assert s.round == quiet.rounds == 6
    assert s.phase == Phase.OVER
    assert outcome(s).rounds_played == 6


def test_outcome_of_an_unfinished_game_is_refused(quiet: Ruleset) -> None:
    with pytest.raises(SummitError, match="not over"):
        outcome(new_game(quiet, 0))


# --- outcome tiers and scores ----------------------------------------------------------------------------


def finish(s: State, moves: Sequence[str] = ()) -> State:
    """Apply ``moves``, then pass every remaining round."""
    s = play(s, *moves)
    while not is_terminal(s):
        s = play(s, "pass")
    return s


def test_scripted_incremental_game_scores_by_hand(quiet: Ruleset) -> None:
    s = finish(
        new_game(quiet, 0),
        [
            # round 1, Washington: concede arms 1, ask energy 2 (trust 3: cap 3)
            "give arms 1",
            "ask energy 2",
            "offer",
            "accept",
            # round 2, Moscow: concede arms 2, taking arms to accord (trust 4: cap 3)
            "give arms 2",
            "offer",
            "accept",
        ],
    )
    # rounds 3-6 passed
    assert s.end == EndReason.LAST_ROUND
    assert quiet.stages[track(s, ARMS)] == "accord"
    assert meter(s, "trust") == 5
    # pressure: W 2 +1 -2 = 1 | -2 -> 0 | +4 passes = 4;  M 2 -1 +2 = 3 | +2 +1 (gained nothing) = 6 | +4 = 10
    assert (meter(s, "pressure", W), meter(s, "pressure", M)) == (4, 10)
    # public points: W -4 +4 | +8 = 8;  M +3 -10 | -6 = -13
    assert s.points == (8, -13)
    o = outcome(s)
    assert o.tier == "incremental" and o.tier_name == "Incremental"
    # W: 8 + agenda arms +2 x net arms (+1) + bonus 5 - pressure 4 = 11
    # M: -13 + agenda energy +1 x net energy (-2) + bonus 5 - pressure 10 = -20
    assert o.scores == {"washington": 11, "moscow": -20}
    assert o.winner == "washington"
    assert o.agendas == {"washington": "arms_matter", "moscow": "energy_matters"}
    assert o.as_dict() == {
        "tier": "incremental",
        "reason": "last_round",
        "walkouts": [],
        "rounds_played": 6,
        "scores": {"washington": 11, "moscow": -20},
        "winner": "washington",
        "agendas": {"washington": "arms_matter", "moscow": "energy_matters"},
    }


def test_symbolic_when_nothing_reaches_accord(quiet: Ruleset) -> None:
    s = finish(new_game(quiet, 0), ["give syria 1", "offer", "accept"])
    o = outcome(s)
    assert o.tier == "symbolic"
    # W conceded syria 1 (cost 1) and gained nothing (impatience +1): 2 + 1 + 1 = 4, then +5 passes = 9
    # M gained syria 1 (relief 1): 2 - 1 = 1, then +5 passes = 6
    assert (meter(s, "pressure", W), meter(s, "pressure", M)) == (9, 6)
    assert o.scores == {"washington": -2 + 2 - 9, "moscow": 4 + 2 - 6}
    assert o.winner == "moscow"


def test_failed_when_trust_ends_low(quiet: Ruleset) -> None:
    # two rejections take trust from 3 to 1: the failed tier's floor, though no one walked out
    s = finish(new_game(quiet, 0), ["give arms 1", "offer", "reject", "give arms 1", "offer", "reject"])
    assert s.end == EndReason.LAST_ROUND
    assert meter(s, "trust") == 1
    o = outcome(s)
    assert o.tier == "failed"
    assert o.scores == {"washington": -5 - 8, "moscow": -5 - 8}
    assert o.winner is None


def test_failed_is_checked_before_incremental(scripted: Callable[..., Ruleset]) -> None:
    rules = scripted("meters.pressure.walkout_at.moscow=5")
    # arms to accord in one round, then Moscow walks out: an accord does not save a walk-out
    s = play(new_game(rules, 0), "give arms 2", "offer", "accept", "give arms 1", "offer", "accept")
    s = finish(s)
    assert rules.stages[track(s, ARMS)] == "accord"
    assert s.end == EndReason.WALKOUT and s.walkouts == (M,)
    assert outcome(s).tier == "failed"


# --- bounds -------------------------------------------------------------------------------------------------


def test_legal_actions_stay_small(any_rules: Ruleset, random_walk: Callable[..., Iterator[State]]) -> None:
    worst = 0
    for seed in range(40):
        for s in random_walk(any_rules, seed):
            legal = legal_actions(s)
            assert len(set(legal)) == len(legal)
            worst = max(worst, len(legal))
    assert 0 < worst < 40
