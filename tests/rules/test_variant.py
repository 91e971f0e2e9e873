"""The trade variant (rules/trade.toml) plays on the same engine with no code change: other roles,
three tracks, four stages, an extra shared meter that can end the talks, and four outcome tiers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import TRADE_PATH
from summitgame.engine import apply, is_terminal, legal_actions, new_game
from summitgame.engine.observation import observe
from summitgame.engine.scoring import outcome
from summitgame.engine.state import EndReason, State
from summitgame.errors import IllegalActionError
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset

BRUSSELS, BEIJING = 0, 1
MARKET = "market_confidence"

QUIET_EVENTS = """
deck = "events"

[[cards]]
id = "quiet_day"
name = "Quiet day"
flavor = "Nothing happens."
effects = [{ kind = "change_meter", meter = "trust", by = 0 }]
"""


@pytest.fixture(scope="module")
def quiet_trade(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Ruleset]:
    """``quiet_trade(*overrides)``: the trade rules with no events, Brussels first, two rounds."""
    events = tmp_path_factory.mktemp("decks") / "quiet_events.toml"
    events.write_text(QUIET_EVENTS, encoding="utf-8")

    def make(*overrides: str) -> Ruleset:
        return load_rules(
            TRADE_PATH,
            [f"decks.events={events}", "rounds.first_initiative=brussels", "rounds.count=2", *overrides],
        )

    return make


def play(s: State, *moves: str) -> State:
    for text in moves:
        s = apply(s, s.rules.parse_action(text))
    return s


def market(s: State) -> int:
    return s.rules.meter(s.meters, MARKET)


def test_variant_declares_its_own_parts(trade_rules: Ruleset, summit_rules: Ruleset) -> None:
    assert trade_rules.roles == ("brussels", "beijing")
    assert trade_rules.track_ids == ("tariffs", "rare_earths", "ev_subsidies")
    assert trade_rules.stages == ("standoff", "consultations", "outline", "deal")
    assert set(trade_rules.meter_ids) == {"trust", "pressure", MARKET}
    assert trade_rules.tier_ids == ("failed", "breakthrough", "incremental", "symbolic")
    assert trade_rules.fingerprint != summit_rules.fingerprint
    assert not set(trade_rules.roles) & set(summit_rules.roles)
    assert not set(trade_rules.track_ids) & set(summit_rules.track_ids)
    assert not set(trade_rules.gesture_ids) & set(summit_rules.gesture_ids)
    # three shared/per-role meters: trust, market confidence, and pressure for each role
    assert len(new_game(trade_rules, 0).meters) == 4


def test_variant_plays_to_the_end(
    trade_rules: Ruleset, random_walk: Callable[..., Iterator[State]], check_invariants: Callable[[State], None]
) -> None:
    reasons: Counter[EndReason] = Counter()
    for seed in range(150):
        s = None
        for s in random_walk(trade_rules, seed):
            check_invariants(s)
        assert s is not None and is_terminal(s)
        o = outcome(s)
        assert o.tier in trade_rules.tier_ids
        assert set(o.scores) == {"brussels", "beijing"}
        reasons[o.reason] += 1
    assert reasons[EndReason.WALKOUT] and reasons[EndReason.BREAKDOWN]


def test_every_variant_tier_occurs_in_random_play(trade_rules: Ruleset, random_game: Callable[..., State]) -> None:
    """Random-vs-random play over 3000 seeds reaches each of the four tiers at least once."""
    tiers: Counter[str] = Counter()
    for seed in range(3000):
        tiers[outcome(random_game(trade_rules, seed)).tier] += 1
        if len(tiers) == len(trade_rules.tier_ids):
            break  # every tier reached: the other seeds cannot change the answer
    missing = [t for t in trade_rules.tier_ids if not tiers[t]]
    assert not missing, f"tiers never reached in 3000 random games: {missing}; distribution {dict(tiers)}"


def test_every_variant_tier_is_reachable_by_play(quiet_trade: Callable[..., Ruleset]) -> None:
    rules = quiet_trade()
    opening = ["ask ev_subsidies 2", "give rare_earths 1", "offer", "accept"]  # trust 3: a 3-step package
    games = {
        "breakthrough": [*opening, "give ev_subsidies 1", "ask tariffs 2", "offer", "accept"],
        "incremental": [*opening, "give ev_subsidies 1", "offer", "accept"],
        "symbolic": ["pass", "pass"],
        "failed": ["give tariffs 1", "offer", "reject", "give tariffs 1", "offer", "reject"],
    }
    for tier, moves in games.items():
        s = play(new_game(rules, 0), *moves)
        assert is_terminal(s) and s.end == EndReason.LAST_ROUND
        assert outcome(s).tier == tier, moves
    # the breakthrough needs both deals and calm markets
    s = play(new_game(rules, 0), *games["breakthrough"])
    assert sum(1 for x in s.tracks if x == rules.top_stage) == 2
    assert market(s) == 7


def test_extra_meter_is_in_the_state_and_observations(trade_rules: Ruleset) -> None:
    slot, per_role = trade_rules.meter_slot[MARKET]
    assert per_role is False
    for seed in range(20):
        s = new_game(trade_rules, seed)
        assert trade_rules.meter_min[slot] <= s.meters[slot] <= trade_rules.meter_max[slot]
        for role in trade_rules.roles:
            obs = observe(s, role)
            assert obs.meters == s.meters
            assert trade_rules.meter(obs.meters, MARKET) == market(s)


def test_extra_meter_moves_with_deals(quiet_trade: Callable[..., Ruleset]) -> None:
    rules = quiet_trade()
    s = new_game(rules, 0)
    assert market(s) == 5
    assert market(play(s, "give tariffs 1", "offer", "accept")) == 6
    assert market(play(s, "give tariffs 1", "offer", "reject")) == 4


def test_extra_meter_gates_a_track(quiet_trade: Callable[..., Ruleset]) -> None:
    rules = quiet_trade(f"meters.{MARKET}.start=3")
    s = new_game(rules, 0)
    assert not any(a.track == "ev_subsidies" for a in legal_actions(s))
    with pytest.raises(IllegalActionError, match="needs market_confidence of at least 4 \\(it is 3\\)"):
        play(s, "give ev_subsidies 1")
    s = play(s, "give tariffs 1", "offer", "accept")  # a deal calms the markets: 4
    assert rules.parse_action("give ev_subsidies 1") in legal_actions(s)


def test_market_collapse_ends_the_talks_on_its_own(quiet_trade: Callable[..., Ruleset]) -> None:
    rules = quiet_trade(f"meters.{MARKET}.start=2")
    s = play(new_game(rules, 0), "give tariffs 1", "offer", "reject")
    assert rules.meter(s.meters, "trust") == 2  # trust alone would not have broken the talks
    assert market(s) == 1
    assert s.end == EndReason.BREAKDOWN
    assert outcome(s).tier == "failed"


def test_market_breakdowns_happen_in_random_play(trade_rules: Ruleset, random_game: Callable[..., State]) -> None:
    by_market = 0
    for seed in range(300):
        s = random_game(trade_rules, seed)
        if s.end == EndReason.BREAKDOWN and trade_rules.meter(s.meters, "trust") > 0:
            assert market(s) <= 1
            by_market += 1
    assert by_market > 0


def test_variant_file_is_bundled() -> None:
    assert Path(TRADE_PATH).is_file()
    assert load_rules(TRADE_PATH).name == "Trade summit"
