"""Action values: notation and int-code round trips, forgiving parsing, syntax errors, int semantics."""

from __future__ import annotations

import copy
import pickle

import pytest

from summitgame.errors import ActionSyntaxError, SummitError
from summitgame.rules.actions import Action, ActionKind, ActionTable
from summitgame.rules.ruleset import Ruleset


def test_codes_are_dense_and_notations_unique(any_rules: Ruleset) -> None:
    table = any_rules.actions
    assert [int(a) for a in table.all] == list(range(len(table)))
    assert len({a.notation() for a in table.all}) == len(table)
    # every kind of action exists, and every gesture and track has its actions
    assert {a.kind for a in table.all} == set(ActionKind)
    assert {a.card for a in table.all if a.kind is ActionKind.PLAY} == set(any_rules.gesture_ids)
    for kind in (ActionKind.GIVE, ActionKind.ASK):
        pairs = {(a.track, a.steps) for a in table.all if a.kind is kind}
        assert pairs == {(t, s) for t in any_rules.track_ids for s in range(1, any_rules.max_steps + 1)}


def test_notation_round_trips_for_every_action(any_rules: Ruleset) -> None:
    table = any_rules.actions
    for a in table.all:
        assert table.parse(a.notation()) is a
        assert any_rules.parse_action(a.notation()) is a
        assert table.decode(int(a)) is a
        assert table.decode(a.code) is a
        assert str(a) == a.notation()
        assert repr(a) == f"Action({a.notation()!r})"


def test_give_and_ask_helpers_match_the_notation(any_rules: Ruleset) -> None:
    table = any_rules.actions
    for t, track in enumerate(any_rules.track_ids):
        for steps in range(1, any_rules.max_steps + 1):
            assert table.give(t, steps) is table.parse(f"give {track} {steps}")
            assert table.ask(t, steps) is table.parse(f"ask {track} {steps}")


def test_notations_read_as_documented(summit_rules: Ruleset) -> None:
    parse = summit_rules.parse_action
    assert parse("pass").kind is ActionKind.PASS
    assert parse("offer").kind is ActionKind.OFFER
    assert parse("accept").kind is ActionKind.ACCEPT
    assert parse("reject").kind is ActionKind.REJECT
    assert parse("counter").kind is ActionKind.COUNTER
    play = parse("play photo_op")
    assert (play.kind, play.card, play.track, play.steps) == (ActionKind.PLAY, "photo_op", None, 0)
    give = parse("give arms 2")
    assert (give.kind, give.card, give.track, give.steps) == (ActionKind.GIVE, None, "arms", 2)
    ask = parse("ask cyber 1")
    assert (ask.kind, ask.track, ask.steps) == (ActionKind.ASK, "cyber", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  PASS ", "pass"),
        ("Offer", "offer"),
        ("\taccept\n", "accept"),
        ("GIVE   Arms   2", "give arms 2"),
        ("  ask\tCYBER 1  ", "ask cyber 1"),
        ("Play   PHOTO_OP", "play photo_op"),
        ("give arms", "give arms 1"),  # one step when the count is left out
        ("ASK energy", "ask energy 1"),
    ],
)
def test_parse_forgives_case_and_spacing(summit_rules: Ruleset, text: str, expected: str) -> None:
    assert summit_rules.parse_action(text) is summit_rules.actions.by_notation[expected]


def test_parse_forgives_case_and_spacing_for_every_action(any_rules: Ruleset) -> None:
    for a in any_rules.actions.all:
        messy = "  " + "   ".join(a.notation().upper().split()) + "\t"
        assert any_rules.parse_action(messy) is a


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("dance", "not an action"),
        ("pass now", "not an action"),
        ("give", "expected 'give TRACK STEPS'"),
        ("ask arms 1 2", "expected 'ask TRACK STEPS'"),
        ("give nowhere 1", "unknown track 'nowhere'"),
        ("ask mars 2", "unknown track 'mars'"),
        ("give arms 0", "steps must be a whole number from 1 to 2"),
        ("give arms 3", "steps must be a whole number from 1 to 2"),
        ("give arms -1", "steps must be a whole number from 1 to 2"),
        ("ask arms two", "steps must be a whole number from 1 to 2"),
        ("give arms 1.5", "steps must be a whole number from 1 to 2"),
        ("play", "expected 'play CARD'"),
        ("play photo_op hotline", "expected 'play CARD'"),
        ("play no_such_card", "unknown gesture card 'no_such_card'"),
    ],
)
def test_junk_is_an_action_syntax_error(summit_rules: Ruleset, text: str, needle: str) -> None:
    with pytest.raises(ActionSyntaxError) as info:
        summit_rules.parse_action(text)
    assert needle in str(info.value)
    assert isinstance(info.value, SummitError)


def test_unknown_track_message_lists_the_tracks(trade_rules: Ruleset) -> None:
    with pytest.raises(ActionSyntaxError, match="tracks are tariffs, rare_earths, ev_subsidies"):
        trade_rules.parse_action("give arms 1")  # a default-rules track is unknown in the variant


def test_card_of_another_ruleset_is_unknown(trade_rules: Ruleset) -> None:
    with pytest.raises(ActionSyntaxError, match="unknown gesture card 'photo_op'"):
        trade_rules.parse_action("play photo_op")


@pytest.mark.parametrize("code", [-1, -100, 10**6])
def test_decode_refuses_codes_out_of_range(any_rules: Ruleset, code: int) -> None:
    with pytest.raises(ActionSyntaxError, match=f"no action has code {code}"):
        any_rules.actions.decode(code)
    with pytest.raises(ActionSyntaxError):
        any_rules.actions.decode(len(any_rules.actions))


def test_actions_are_ints(summit_rules: Ruleset) -> None:
    table = summit_rules.actions
    for a in table.all:
        assert isinstance(a, int)
        assert a == a.code == int(a)
        assert hash(a) == hash(int(a))
        assert {int(a): "x"}[a] == "x"
        assert a in {int(a)}
        assert type(a.code) is int
    assert sorted(reversed(table.all)) == list(table.all)
    # equal values are interchangeable in sets and dicts
    assert len(set(table.all) | set(range(len(table)))) == len(table)


def test_pickle_and_copy_round_trip(any_rules: Ruleset) -> None:
    for a in any_rules.actions.all:
        for b in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
            assert type(b) is Action
            assert b == a
            assert (b.kind, b.card, b.track, b.steps) == (a.kind, a.card, a.track, a.steps)
            assert b.notation() == a.notation()


def test_table_is_built_from_data_alone() -> None:
    table = ActionTable(("wink",), ("moon", "tea"), 3)
    assert len(table) == 5 + 1 + 2 * 2 * 3
    assert table.parse("play wink").card == "wink"
    assert table.parse("ask tea 3") is table.ask(1, 3)
    assert table.give(0, 1).notation() == "give moon 1"
    with pytest.raises(ActionSyntaxError, match="from 1 to 3"):
        table.parse("give moon 4")
