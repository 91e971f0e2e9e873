"""Shared fixtures for the forward-model tests: the bundled rulesets (loaded once), random playouts,
a state-invariant checker and the hypothesis profiles.

Hypothesis profiles: ``fast`` (the default, about 60 examples per property) and ``ci`` (more examples);
choose one with ``HYPOTHESIS_PROFILE=ci``. The costliest properties run ``FEW`` examples and have a slow twin
that runs ``SOAK`` examples.
"""

from __future__ import annotations

import compileall
import os
import random
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import summitgame
from summitgame.engine import apply, legal_actions, max_decisions, new_game
from summitgame.engine.scoring import outcome
from summitgame.engine.state import EndReason, Phase, State
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.rules.schema import (
    Condition,
    EndedByCondition,
    GainedCondition,
    MeterCondition,
    RoundCondition,
    TrackCondition,
    TracksCondition,
)

settings.register_profile(
    "fast", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

#: A property that checks whole games at every state costs seconds per few dozen examples: it runs ``FEW``
#: examples in the fast suite and again ``SOAK`` (the ``fast`` profile's count, which it ran before) in a twin
#: marked slow, on every rule file; CI runs both, so nothing is checked less than before.
FEW = settings(max_examples=15)
SOAK = settings(max_examples=60)

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
TRADE_PATH = RULES_DIR / "trade.toml"
CLASSIC_PATH = RULES_DIR / "classic.toml"
#: The first edition of the default rules, kept byte for byte in meaning: its fingerprint never changes.
CLASSIC_FINGERPRINT = "992f102763089d1d"


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package's bytecode once, in the controller: where the environment sets
    PYTHONDONTWRITEBYTECODE (this machine does), every xdist worker and every CLI subprocess would compile it
    afresh (about 0.15 s of CPU each)."""
    if not hasattr(config, "workerinput"):
        compileall.compile_dir(str(Path(summitgame.__file__).parent), quiet=1)


@pytest.hookimpl(wrapper=True)
def pytest_collection() -> Iterator[None]:
    """Keep the assertion-rewritten test modules' bytecode while collecting, even where the environment sets
    PYTHONDONTWRITEBYTECODE: rewriting every test module again costs each xdist worker about 3.5 s of CPU a run.
    pytest writes each file atomically, so two workers collecting at once is safe."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        yield
    finally:
        sys.dont_write_bytecode = before


@cache
def bundled(name: str) -> Ruleset:
    """A bundled ruleset by name ("summit", "classic" or "trade"), loaded once per session.

    For hypothesis tests, which should not take a ruleset as an argument (it would be printed in full
    with every falsifying example)."""
    return load_rules({"summit": None, "classic": CLASSIC_PATH, "trade": TRADE_PATH}[name])


@pytest.fixture(scope="session")
def summit_rules() -> Ruleset:
    """The default rules (rules/summit.toml), loaded once."""
    return bundled("summit")


@pytest.fixture(scope="session")
def classic_rules() -> Ruleset:
    """The first edition of the default rules (rules/classic.toml), loaded once: its numbers never change,
    so tests that script a game move by move, or check meters and scores by hand, load it."""
    return bundled("classic")


@pytest.fixture(scope="session")
def trade_rules() -> Ruleset:
    """The trade variant (rules/trade.toml): other roles, 3 tracks, an extra meter, 4 tiers."""
    return bundled("trade")


BUNDLED_NAMES = ("summit", "classic", "trade")


@pytest.fixture(scope="session", params=BUNDLED_NAMES)
def any_rules(request: pytest.FixtureRequest) -> Ruleset:
    """Each bundled ruleset in turn (the default rules, their first edition, the trade variant)."""
    return bundled(request.param)


@pytest.fixture(scope="session", autouse=True)
def games_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Games saved by default (records, autosaves, journals) go to a temporary folder, never to the
    user's real data folder; a test may point SUMMITGAME_DATA elsewhere with monkeypatch."""
    folder = tmp_path_factory.mktemp("games")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUMMITGAME_DATA", str(folder))
        yield folder


# --- random play ---------------------------------------------------------------------------------


def walk(rules: Ruleset, seed: int, chooser_seed: int | None = None) -> Iterator[State]:
    """Every state of one game played with uniformly random legal actions, from the first to the end.

    The chooser has its own stream (``chooser_seed``, default ``seed``), so the deal is the seed's."""
    pick = random.Random(seed if chooser_seed is None else chooser_seed).choice
    s = new_game(rules, seed)
    yield s
    while s.to_move >= 0:
        s = apply(s, pick(legal_actions(s)))
        yield s


def play_random(rules: Ruleset, seed: int, chooser_seed: int | None = None) -> State:
    """The final state of a random game (see ``walk``)."""
    return deque(walk(rules, seed, chooser_seed), maxlen=1)[0]


@pytest.fixture(scope="session")
def random_game() -> Callable[..., State]:
    """``random_game(rules, seed, chooser_seed=None)``: play a random game to the end, return the final state."""
    return play_random


@pytest.fixture(scope="session")
def random_walk() -> Callable[..., Iterator[State]]:
    """``random_walk(rules, seed, chooser_seed=None)``: every state of a random game, in order."""
    return walk


# --- invariants -----------------------------------------------------------------------------------


def check_state(s: State) -> None:
    """Assert every structural invariant of a state (bounds, conservation, phase bookkeeping)."""
    rules = s.rules
    T = rules.n_tracks
    # meters and tracks within their bounds
    assert len(s.meters) == len(rules.meter_min)
    for i, m in enumerate(s.meters):
        assert rules.meter_min[i] <= m <= rules.meter_max[i], (i, m)
    assert len(s.tracks) == T
    assert all(0 <= x <= rules.top_stage for x in s.tracks), s.tracks
    assert all(x >= 0 for x in s.stakes), s.stakes
    assert len(s.stakes) == len(s.net) == 2 * T
    # rounds
    assert 1 <= s.round <= rules.rounds
    assert s.initiative in (0, 1)
    # gesture cards are conserved: deck + both hands is always the full gesture pool
    assert Counter(s.gdeck) + Counter(s.hands[0]) + Counter(s.hands[1]) == Counter(rules.gesture_pool)
    for hand in s.hands:
        assert len(hand) <= rules.hand_limit
        assert list(hand) == sorted(hand)
    assert list(s.gdeck) == sorted(s.gdeck)
    # events: what is left of this cycle is part of the deck, and the current event is a real card
    assert not Counter(s.edeck) - Counter(rules.event_pool)
    assert 0 <= s.event < len(rules.event_ids)
    # agendas: one each, allowed for the role, distinct
    assert s.agendas[0] in rules.agenda_allowed[0]
    assert s.agendas[1] in rules.agenda_allowed[1]
    assert s.agendas[0] != s.agendas[1]
    # history: one event per round, one entry per player decision
    hist = s.history_list()
    assert sum(1 for h in hist if h < 0) == s.round
    assert sum(1 for h in hist if h >= 0) == s.moves
    assert s.moves <= max_decisions(rules)
    # the package being built respects the proposal rules
    tracks_in = [t for _, t, _ in s.items]
    assert len(tracks_in) == len(set(tracks_in))
    for giver, t, steps in s.items:
        assert giver in (0, 1)
        assert 1 <= steps <= rules.max_steps
        assert s.tracks[t] + steps <= rules.top_stage
    assert sum(st for _, _, st in s.items) <= rules.cap_for(s.meters[rules.cap_slot])
    for side in (0, 1):
        assert sum(1 for g, _, _ in s.items if g == side) <= rules.max_items
    assert 0 <= s.counters <= rules.max_counters
    assert 0 <= s.plays <= rules.plays_per_turn
    # terminal bookkeeping agrees with itself
    legal = legal_actions(s)
    if s.to_move < 0:
        assert s.phase == Phase.OVER
        assert s.end != EndReason.NONE
        assert legal == ()
    else:
        assert s.to_move in (0, 1)
        assert s.phase in (Phase.BUILD, Phase.RESPOND)
        assert s.end == EndReason.NONE
        assert s.walkouts == ()
        assert legal, "no legal action in a live state"
        assert len(legal) < 40
        assert len(set(legal)) == len(legal)
        assert all(0 <= a < len(rules.actions) for a in legal)
        if s.phase == Phase.RESPOND:
            assert s.items, "an empty package is on the table"
            assert s.to_move != s.proposer
        else:
            assert s.to_move == s.proposer
            assert (s.to_move == s.initiative) == (s.counters == 0)


@pytest.fixture(scope="session")
def check_invariants() -> Callable[[State], None]:
    """``check_invariants(state)``: assert the structural invariants of a state."""
    return check_state


# --- an independent reading of the rule data -----------------------------------------------------------


def _who(rules: Ruleset, who: str) -> int:
    """Role index a tier condition's ``who`` names (tiers are read from role 0's side)."""
    return {"self": 0, "other": 1}.get(who, rules.roles.index(who) if who in rules.roles else 0)


def condition_holds(c: Condition, s: State) -> bool:
    """A tier condition evaluated straight from the schema object (not the compiled form)."""
    rules = s.rules
    spec = rules.spec
    if isinstance(c, MeterCondition):
        m = spec.meters[c.meter]
        value = rules.meter(s.meters, c.meter, _who(rules, c.who))
        lo = m.min if c.at_least is None else c.at_least
        hi = m.max if c.at_most is None else c.at_most
        return lo <= value <= hi
    if isinstance(c, TracksCondition):
        return sum(1 for x in s.tracks if x >= rules.stages.index(c.at_least)) >= c.count
    if isinstance(c, TrackCondition):
        x = s.tracks[rules.track_ids.index(c.track)]
        lo = 0 if c.at_least is None else rules.stages.index(c.at_least)
        hi = rules.top_stage if c.at_most is None else rules.stages.index(c.at_most)
        return lo <= x <= hi
    if isinstance(c, EndedByCondition):
        return s.end.label in c.reasons
    if isinstance(c, RoundCondition):
        return (c.at_least or 1) <= s.round <= (c.at_most or rules.rounds)
    if isinstance(c, GainedCondition):
        return s.gained[_who(rules, c.who)] == c.value
    raise AssertionError(f"condition kind not covered by the test: {c!r}")


def expected_tier(s: State) -> str:
    spec = s.rules.spec
    for tid in spec.outcome.order:
        tier = spec.tiers[tid]
        if tier.any and not any(condition_holds(c, s) for c in tier.any):
            continue
        if all(condition_holds(c, s) for c in tier.all):
            return tid
    raise AssertionError("no tier holds: the last tier should always hold")


def per_role(value: int | dict[str, int], rules: Ruleset, r: int) -> int:
    return value[rules.roles[r]] if isinstance(value, dict) else value


def expected_walkouts(s: State) -> tuple[int, ...]:
    rules = s.rules
    out = set()
    for mid, m in rules.spec.meters.items():
        if m.scope == "per_role" and m.walkout_at is not None:
            for r in (0, 1):
                if rules.meter(s.meters, mid, r) >= per_role(m.walkout_at, rules, r):
                    out.add(r)
    return tuple(sorted(out))


def broken_down(s: State) -> bool:
    rules = s.rules
    return any(
        m.scope == "shared" and m.breakdown_at is not None and rules.meter(s.meters, mid) <= m.breakdown_at
        for mid, m in rules.spec.meters.items()
    )


def deal_points(s: State) -> list[int]:
    """What accepting the package on the table is worth to each role, at its true (agenda) stakes."""
    rules = s.rules
    T = rules.n_tracks
    pts = [0, 0]
    for giver, t, steps in s.items:
        for r, sign in ((1 - giver, 1), (giver, -1)):
            true_stake = s.stakes[r * T + t] + rules.agenda_stakes[s.agendas[r]][t]
            pts[r] += sign * true_stake * steps
    return pts


def check_final(s: State, points: list[int]) -> None:
    """End reason, tier, scores and winner of a finished game, recomputed from the rule data."""
    rules = s.rules
    o = outcome(s)
    walked = expected_walkouts(s)
    if s.end == EndReason.WALKOUT:
        assert walked and s.walkouts == walked
    else:
        assert walked == () and s.walkouts == ()
        if s.end == EndReason.BREAKDOWN:
            assert broken_down(s)
        else:
            assert s.end == EndReason.LAST_ROUND
            assert not broken_down(s)
            assert s.round == rules.rounds
    assert o.reason == s.end
    assert o.walkouts == tuple(rules.roles[r] for r in walked)
    assert o.rounds_played == s.round
    assert o.tier in rules.tier_ids
    assert o.tier == expected_tier(s)
    tier = rules.spec.tiers[o.tier]
    assert o.tier_name == tier.name
    for r in (0, 1):
        score = points[r] + tier.bonus
        if r in walked:
            score -= rules.spec.outcome.walkout_penalty
        for mid, m in rules.spec.meters.items():
            if m.scope == "per_role" and m.score_penalty:
                score -= m.score_penalty * rules.meter(s.meters, mid, r)
        assert o.scores[rules.roles[r]] == score, (r, o)
    a, b = (o.scores[role] for role in rules.roles)
    assert o.winner == (None if a == b else rules.roles[0 if a > b else 1])
    assert o.agendas == {rules.roles[r]: rules.agenda_ids[s.agendas[r]] for r in (0, 1)}


# --- the order of a parallel run ---------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The house-rule checks (mypy alone takes ~25 s of CPU on a cold cache) run first, so that in a parallel
    run no worker is left running them alone at the end while the others idle."""
    items.sort(key=lambda item: item.path.name != "test_lint.py")  # stable: the rest keep their order
