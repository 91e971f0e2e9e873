"""``proposals.auto_offer``: a package that is full is offered at once, in the engine, the rule files' schema,
the fingerprint, the rulebook, records, the agents' reading of the history, and the OpenSpiel and PettingZoo
adapters; with the option off (the schema's default) nothing changes.

The default rules (second edition) have it on; the option's own tests turn it on in the first edition
(rules/classic.toml), which has it off and whose numbers stay put."""

from __future__ import annotations

import json
import random
from functools import cache

import pyspiel
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import CLASSIC_PATH, FEW, SOAK, TRADE_PATH, check_state
from summitgame.agents.evaluate import offers
from summitgame.analysis.metrics import game_metrics
from summitgame.cli import cli
from summitgame.engine import apply, is_terminal, legal_actions, new_game
from summitgame.engine.observation import observe
from summitgame.engine.state import Phase, State
from summitgame.integrations import openspiel as _registers_python_summit  # noqa: F401
from summitgame.integrations.pettingzoo import raw_env
from summitgame.rules.actions import ActionKind
from summitgame.rules.loader import load_rules, model_json_schemas
from summitgame.rules.rulebook import rulebook
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import dumps, record_of, replay

AUTO = "proposals.auto_offer=true"
PATHS = {"summit": None, "classic": CLASSIC_PATH, "trade": TRADE_PATH}
SEEDS = st.integers(min_value=0, max_value=2**64 - 1)


@cache
def auto(name: str) -> Ruleset:
    return load_rules(PATHS[name], (AUTO,))


def only_offer(s: State) -> bool:
    """Whether the player to move is building a package and may do nothing but offer it."""
    legal = legal_actions(s)
    return s.phase == Phase.BUILD and len(legal) == 1 and legal[0].kind is ActionKind.OFFER


@pytest.mark.parametrize("name", sorted(PATHS))
@FEW
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_no_build_decision_is_a_lone_offer(name: str, seed: int, chooser: int) -> None:
    """With the option on, no decision while building has "offer" as its only legal action; every state keeps
    the engine's invariants; and the record (which holds no automatic offer) replays to the same state."""
    rules = auto(name)
    pick = random.Random(chooser).choice
    s = new_game(rules, seed)
    while not is_terminal(s):
        check_state(s)
        assert not only_offer(s)
        s = apply(s, pick(legal_actions(s)))
    doc = json.loads(dumps(record_of(s)))
    assert replay(doc, rules) == s


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHS))
@SOAK
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_soak_no_build_decision_is_a_lone_offer(name: str, seed: int, chooser: int) -> None:
    test_no_build_decision_is_a_lone_offer.hypothesis.inner_test(name, seed, chooser)


@pytest.mark.slow
@SOAK
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_soak_the_option_only_drops_the_lone_offers(seed: int, chooser: int) -> None:
    test_the_option_only_drops_the_lone_offers.hypothesis.inner_test(seed, chooser)


@FEW
@given(seed=SEEDS, chooser=st.integers(0, 2**32))
def test_the_option_only_drops_the_lone_offers(seed: int, chooser: int) -> None:
    """The same choices under both settings make the same game, except that each lone "offer" of the game
    without the option is made by the engine instead (so it is missing from the actions)."""
    off, on = load_rules(CLASSIC_PATH), auto("classic")
    pick = random.Random(chooser).choice
    s = new_game(off, seed)
    taken: list[str] = []
    lone = 0
    while not is_terminal(s):
        if only_offer(s):
            lone += 1
            s = apply(s, legal_actions(s)[0])
            continue
        a = pick(legal_actions(s))
        taken.append(a.notation())
        s = apply(s, a)
    t = new_game(on, seed)
    for text in taken:
        t = apply(t, on.parse_action(text))
    assert is_terminal(t)
    assert (t.meters, t.tracks, t.points, t.end, t.round) == (s.meters, s.tracks, s.points, s.end, s.round)
    assert t.moves == s.moves - lone


@pytest.fixture(scope="module")
def low_trust() -> Ruleset:
    """The first edition with auto-offer, Washington opening at trust 1 (packages of at most 2 steps)."""
    return load_rules(CLASSIC_PATH, (AUTO, "rounds.first_initiative=washington", "meters.trust.start=1"))


def test_a_full_package_goes_to_the_other_side_at_once(low_trust: Ruleset) -> None:
    s = new_game(low_trust, 4)
    assert low_trust.cap_for(s.meters[low_trust.cap_slot]) == 2
    s = apply(s, low_trust.parse_action("give syria 1"))
    assert s.phase == Phase.BUILD and s.to_move == 0  # one step of two: still open
    s = apply(s, low_trust.parse_action("ask energy 1"))
    assert s.phase == Phase.RESPOND and s.to_move == 1 and s.proposer == 0
    assert [a.kind for a in legal_actions(s)] == [ActionKind.ACCEPT, ActionKind.REJECT, ActionKind.COUNTER]
    assert record_of(s)["actions"] == ["give syria 1", "ask energy 1"]
    # what the agents read from the public history: the package was offered, and is not answered yet
    assert offers(observe(s, 1))[-1].items == ((0, 2, 1), (1, 4, 1))
    assert offers(observe(s, 1))[-1].answer is None
    s = apply(s, low_trust.parse_action("reject"))
    assert offers(observe(s, 0))[-1].answer is ActionKind.REJECT


def test_metrics_count_automatic_offers(low_trust: Ruleset) -> None:
    s = new_game(low_trust, 4)
    for text in ("give syria 2", "accept"):
        s = apply(s, low_trust.parse_action(text))
    doc = json.loads(dumps(record_of(s)))
    # play the game out with the first legal action, then measure it
    while not is_terminal(s):
        s = apply(s, legal_actions(s)[0])
    m = game_metrics(json.loads(dumps(record_of(s))), low_trust)
    assert m.offers >= 1 and m.accepted >= 1 and m.offers == m.accepted + m.rejected + m.countered
    assert "offer" not in doc["actions"]
    assert m.forced.get("offer", 0) == 0


def test_fingerprints_rulebook_and_schema() -> None:
    base = load_rules(CLASSIC_PATH)
    off = load_rules(CLASSIC_PATH, ("proposals.auto_offer=false",))
    on = auto("classic")
    assert off.fingerprint == base.fingerprint  # files without the key keep their records and golden traces
    assert on.fingerprint != base.fingerprint
    assert not base.auto_offer and on.auto_offer
    assert "offered at once" in rulebook(on) and "offered at once" not in rulebook(base)
    default = load_rules(None)  # the second edition says so in its file
    assert default.auto_offer and "offered at once" in rulebook(default)
    assert load_rules(None, ("proposals.auto_offer=false",)).fingerprint != default.fingerprint
    prop = model_json_schemas()["rules"]["$defs"]["ProposalSpec"]["properties"]["auto_offer"]
    assert prop["type"] == "boolean" and prop["default"] is False and "full" in prop["description"]
    bad = CliRunner().invoke(cli, ["rules", "--set", "proposals.auto_offer=3"])
    assert bad.exit_code == 1 and "proposals.auto_offer: expected a boolean" in bad.output
    assert "Traceback" not in bad.output


def test_openspiel_game_with_the_option_never_asks_for_a_lone_offer() -> None:
    game = pyspiel.load_game("python_summit", {"overrides": AUTO, "seeds": 50})
    assert game.cfg.rules.auto_offer
    offer = int(game.cfg.rules.parse_action("offer"))
    for seed in range(30):
        state = game.new_initial_state()
        state.apply_action(seed)
        pick = random.Random(seed).choice
        while not state.is_terminal():
            legal = state.legal_actions()
            assert legal != [offer]
            state.apply_action(pick(legal))
    pyspiel.random_sim_test(game, num_sims=3, serialize=True, verbose=False)


def test_pettingzoo_mask_with_the_option_never_holds_a_lone_offer() -> None:
    rules = auto("summit")
    offer = int(rules.parse_action("offer"))
    e = raw_env(rules=rules)
    for seed in range(10):
        e.reset(seed=seed)
        pick = random.Random(seed).choice
        while not all(e.terminations.values()):
            mask = e.observe(e.agent_selection)["action_mask"]
            legal = [i for i, ok in enumerate(mask) if ok]
            assert legal != [offer]
            e.step(pick(legal))
