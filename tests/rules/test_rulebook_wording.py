"""Rulebook wording (issue 15, bug 6): a revealed agenda is revealed to the other side, and a name ending in s
takes the apostrophe alone ("Highlands'")."""

from __future__ import annotations

from summitgame.rules.describe import Describer, possessive
from summitgame.rules.loader import load_rules
from summitgame.rules.schema import ChangeMeter, RevealAgenda, RoleSpec


def describer(self_word: str = "you") -> Describer:
    spec = load_rules().spec
    roles = {"highlands": RoleSpec(name="Highlands"), "delta": RoleSpec(name="Delta")}
    return Describer(spec.model_copy(update={"roles": roles}), self_word)


def test_possessive_of_a_name_ending_in_s() -> None:
    assert possessive("Highlands") == "Highlands'"
    assert possessive("Moscow") == "Moscow's"


def test_a_role_named_with_an_s_reads_highlands_apostrophe() -> None:
    d = describer()
    text = d.effect(ChangeMeter(kind="change_meter", meter="pressure", who="highlands", by=1))
    assert text == "Highlands' domestic pressure +1"


def test_a_revealed_agenda_is_revealed_to_the_other_side() -> None:
    d = describer()
    assert d.effect(RevealAgenda(kind="reveal_agenda", who="self")) == (
        "your secret agenda is revealed to the other side"
    )
    assert d.effect(RevealAgenda(kind="reveal_agenda", who="other")) == (
        "the other side's secret agenda is revealed to you"
    )
    assert d.effect(RevealAgenda(kind="reveal_agenda", who="highlands")) == (
        "Highlands' secret agenda is revealed to Delta"
    )
    assert "opponent" not in describer("the initiative").effect(RevealAgenda(kind="reveal_agenda", who="both"))


def test_one_step_is_singular() -> None:
    from summitgame.rules.rulebook import rulebook

    book = rulebook(load_rules(None, ["proposals.cap[0].steps=1"]))
    assert "up to 1 step" in book and "up to 1 steps" not in book


def test_deal_sizes_of_one_step_are_singular() -> None:
    from summitgame.analysis.text import _negotiation

    mean = {"n": 3, "value": 1.5, "low": 1.0, "high": 2.0}
    rate = {"count": 1, "n": 2, "value": 0.5, "low": 0.1, "high": 0.9}
    neg = {
        "per_game": {},
        "acceptance": rate,
        "no_deal_games": rate,
        "deal_steps": mean,
        "deal_sizes": {"1": 2, "2": 1},
        "tracks": {},
    }
    assert any("(1 step: 2, 2 steps: 1)" in line for line in _negotiation(neg))
