"""Key paths into card data (``cards.gestures.photo_op.effects[0].by``): ``--set``, ``--param``, ``[tunable]`` in
the rule file or the card file, a rule file's ``[cards]`` tables, sweeps over deck files, sensitivity and tune;
each bad path or value is reported at the override or file that set it, with a did-you-mean."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RULES_DIR
from summitgame.analysis import sweep as sw
from summitgame.analysis import tune as tn
from summitgame.cli import cli
from summitgame.errors import RulesError
from summitgame.rules.loader import MAX_OVERRIDE_SHOWN, load_rules
from summitgame.rules.params import Span, format_path, get_at, parse_grid, parse_path
from summitgame.rules.ruleset import Ruleset
from summitgame.safeio import shorten

CARDS_DIR = RULES_DIR.parent / "cards"
#: the line of the bundled events deck where new_start_deadline's second effect names its role
_EVENTS = (CARDS_DIR / "events.toml").read_text("utf-8").splitlines()
DEADLINE_WHO_LINE = next(
    i + 1
    for i, line in enumerate(_EVENTS)
    if 'who = "both"' in line and i > _EVENTS.index('id = "new_start_deadline"') and "pressure" in line
)
SUMMIT = RULES_DIR / "summit.toml"


def run(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def problems(overrides: list[str], path: Path | None = None, params: list[str] | None = None) -> list[str]:
    """The problems loading the rules with these overrides finds, one line each."""
    with pytest.raises(RulesError) as exc:
        load_rules(path, overrides, params or [])
    return [str(p) for p in exc.value.problems]


@pytest.fixture(scope="module")
def base() -> Ruleset:
    return load_rules()


# --- --set reaches the cards ------------------------------------------------------------------------


def test_set_reaches_an_effect_in_a_list(base: Ruleset) -> None:
    # issue 15: "effects is not an array"
    rules = load_rules(None, ["cards.gestures.photo_op.effects[2].by=2"])
    assert get_at(rules.values(), parse_path("cards.gestures.photo_op.effects[2].by")) == 2
    assert get_at(base.values(), parse_path("cards.gestures.photo_op.effects[2].by")) == 1
    assert rules.fingerprint != base.fingerprint
    # the same change, the same rules: determinism
    assert load_rules(None, ["cards.gestures.photo_op.effects[2].by=2"]).fingerprint == rules.fingerprint


def test_set_reaches_copies_and_a_condition_threshold(base: Ruleset) -> None:
    photo = base.gesture_ids.index("photo_op")
    more = load_rules(None, ["cards.gestures.photo_op.copies=4"])
    assert base.gesture_pool.count(photo) == 2 and more.gesture_pool.count(photo) == 4
    assert more.fingerprint != base.fingerprint
    key = "cards.gestures.photo_op.effects[0].when[0].at_most"
    lower = load_rules(None, [f"{key}=2"])
    assert get_at(lower.values(), parse_path(key)) == 2
    assert lower.fingerprint not in (base.fingerprint, more.fingerprint)
    stake = load_rules(None, ["cards.agendas.election_year.stakes.energy=3"])
    assert get_at(stake.values(), parse_path("cards.agendas.election_year.stakes.energy")) == 3


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "cards.gestures.photo_opp.copies=3",
            "--set cards.gestures.photo_opp.copies=3: no card 'photo_opp' in the gestures deck (cards/gestures.toml); "
            "did you mean 'cards.gestures.photo_op.copies'?",
        ),
        (
            "cards.gestures.photo_op.copis=3",
            "--set cards.gestures.photo_op.copis=3: unknown key 'cards.gestures.photo_op.copis'; "
            "did you mean 'cards.gestures.photo_op.copies'?",
        ),
        (
            "cards.gestures.photo_op.effects[0].bye=1",
            "--set cards.gestures.photo_op.effects[0].bye=1: unknown key 'cards.gestures.photo_op.effects[0].bye'; "
            "did you mean 'cards.gestures.photo_op.effects[0].by'?",
        ),
        (
            "cards.gesture.photo_op.copies=3",
            "--set cards.gesture.photo_op.copies=3: unknown key 'cards.gesture.photo_op.copies'; "
            "did you mean 'cards.gestures.photo_op.copies'?",
        ),
        (
            "gestures.photo_op.copies=3",
            "--set gestures.photo_op.copies=3: unknown key 'gestures.photo_op.copies'; "
            "did you mean 'cards.gestures.photo_op.copies'?",
        ),
        (
            "cards.gestures.photo_op.effects[7].by=1",
            "--set cards.gestures.photo_op.effects[7].by=1: cards.gestures.photo_op.effects[7].by: "
            "cards.gestures.photo_op.effects[7] is out of range: cards.gestures.photo_op.effects has 3 entries",
        ),
        (
            "cards.gestures.photo_op.copies=9",
            "--set cards.gestures.photo_op.copies=9: cards.gestures.photo_op.copies: "
            "Input should be less than or equal to 5",
        ),
        (
            "cards.gestures.photo_op.copies=two",
            "--set cards.gestures.photo_op.copies=two: cards.gestures.photo_op.copies: "
            "expected an integer, got a string ('two')",
        ),
        (
            "cards.gestures.photo_op.effects[0].meter=mood",
            "--set cards.gestures.photo_op.effects[0].meter=mood: cards.gestures.photo_op.effects[0].meter: "
            "unknown meter 'mood'",
        ),
        (
            # the file's 'who' is wrong once the override makes the meter a shared one: the override is blamed
            'cards.events.new_start_deadline.effects[1].meter="trust"',
            '--set cards.events.new_start_deadline.effects[1].meter="trust": cards.events.new_start_deadline.'
            "effects[1].who: meter 'trust' is shared: 'who' has no meaning "
            f"(it is set at cards/events.toml:{DEADLINE_WHO_LINE}; "
            "the override makes it so)",
        ),
        ("cards.gestures.photo_op=2", "--set cards.gestures.photo_op=2: cards.gestures.photo_op: name a field"),
        ("cards.gestures.photo_op.id=x", "--set cards.gestures.photo_op.id=x: cards.gestures.photo_op.id: a card's id"),
    ],
)
def test_a_bad_card_override_names_the_override_and_the_key(override: str, expected: str) -> None:
    found = problems([override])
    assert len(found) == 1 and found[0].startswith(expected), found


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        # a meter condition's tag ('meter') is also one of its keys: the error was put at that key, in the file
        ("tiers.failed.any[1].who=0", "tiers.failed.any[1].who: expected a string, got an integer (0)"),
        ("cards.gestures.red_line.effects[3].when[0].who=0", ".when[0].who: expected a string, got an integer (0)"),
        ("tiers.failed.any[1].at_mos=0", "unknown key 'tiers.failed.any[1].at_mos'; did you mean "),
    ],
)
def test_an_error_inside_a_meter_condition_is_at_its_key(override: str, expected: str) -> None:
    found = problems([override])
    assert len(found) == 1 and found[0].startswith(f"--set {override}: ") and expected in found[0], found


def test_a_problem_the_deck_file_had_stays_in_the_deck_file(tmp_path: Path) -> None:
    decks = _copy_decks(tmp_path)
    text = (decks / "gestures.toml").read_text(encoding="utf-8")
    (decks / "gestures.toml").write_text(text.replace("copies = 2", "copies = 7", 1), encoding="utf-8")
    rules = _rules_file(tmp_path, "")
    found = problems([], rules)
    assert len(found) == 1 and found[0].startswith(f"{decks / 'gestures.toml'}:"), found
    assert "cards[0].copies: Input should be less than or equal to 5" in found[0]
    # an override that fixes it is not blamed; one that breaks another card is
    assert load_rules(rules, ["cards.gestures.photo_op.copies=3"]).name
    found = problems(["cards.gestures.photo_op.copies=3", "cards.gestures.back_channel.copies=0"], rules)
    assert found == [
        "--set cards.gestures.back_channel.copies=0: cards.gestures.back_channel.copies: "
        "Input should be greater than or equal to 1"
    ]


# --- [tunable], in the rule file or in the card file ------------------------------------------------


def _copy_decks(tmp_path: Path) -> Path:
    decks = tmp_path / "cards"
    decks.mkdir(exist_ok=True)
    for kind in ("events", "gestures", "agendas"):
        shutil.copy(CARDS_DIR / f"{kind}.toml", decks / f"{kind}.toml")
    return decks


def _rules_file(tmp_path: Path, extra: str) -> Path:
    """A rule file extending the bundled one, playing the copied decks in ``tmp_path/cards``."""
    path = tmp_path / "variant.toml"
    path.write_text(
        f'extends = "{SUMMIT.as_posix()}"\nname = "Variant"\n\n[decks]\nevents = "cards/events.toml"\n'
        f'gestures = "cards/gestures.toml"\nagendas = "cards/agendas.toml"\n{extra}',
        encoding="utf-8",
    )
    return path


def test_tunable_in_the_rule_file_bounds_a_card_value(tmp_path: Path) -> None:
    _copy_decks(tmp_path)
    rules = _rules_file(tmp_path, '\n[tunable]\n"cards.gestures.photo_op.copies" = { min = 1, max = 3 }\n')
    assert "cards.gestures.photo_op.copies" in load_rules(rules).spec.tunable
    found = problems(["cards.gestures.photo_op.copies=4"], rules)
    assert found == [
        "--set cards.gestures.photo_op.copies=4: cards.gestures.photo_op.copies: 4 is outside the range the rules "
        f"allow (1..3, [tunable] in {rules}:10)"
    ]
    assert load_rules(rules, ["cards.gestures.photo_op.copies=3"]).name == "Variant"


def test_tunable_in_the_card_file(tmp_path: Path) -> None:
    decks = _copy_decks(tmp_path)
    rules = _rules_file(tmp_path, "")
    before = load_rules(rules).fingerprint
    with (decks / "gestures.toml").open("a", encoding="utf-8") as f:
        f.write(
            '\n[tunable]\n"cards.gestures.photo_op.effects[2].by" = { min = 1, max = 2, description = "Warmth." }\n'
        )
    loaded = load_rules(rules)
    assert loaded.spec.tunable["cards.gestures.photo_op.effects[2].by"].description == "Warmth."
    assert loaded.fingerprint == before  # a range is not how the game plays
    found = problems(["cards.gestures.photo_op.effects[2].by=3"], rules)
    assert len(found) == 1 and "(1..2, [tunable] in " in found[0] and "gestures.toml:" in found[0]
    res = run("tunables", "--rules", rules)
    assert res.exit_code == 0 and "cards.gestures.photo_op.effects[2].by" in res.output and "Warmth." in res.output
    # the rule file's range wins over the card file's
    both = _rules_file(tmp_path, '\n[tunable]\n"cards.gestures.photo_op.effects[2].by" = { min = 1, max = 3 }\n')
    assert load_rules(both, ["cards.gestures.photo_op.effects[2].by=3"]).name == "Variant"


def test_a_card_file_tunable_names_its_own_cards(tmp_path: Path) -> None:
    decks = _copy_decks(tmp_path)
    with (decks / "gestures.toml").open("a", encoding="utf-8") as f:
        f.write('\n[tunable]\n"meters.trust.start" = { min = 1, max = 2 }\n')
    found = problems([], _rules_file(tmp_path, ""))
    assert len(found) == 1 and 'tunable."meters.trust.start": a gestures deck\'s [tunable] names its own' in found[0]
    res = run("validate", decks / "gestures.toml")
    assert res.exit_code == 1 and "key paths start with 'cards.gestures.'" in res.output + res.stderr


# --- a rule file changes cards ----------------------------------------------------------------------


def test_a_rule_file_changes_a_card(tmp_path: Path, base: Ruleset) -> None:
    path = tmp_path / "warm.toml"
    path.write_text(
        f'extends = "{SUMMIT.as_posix()}"\n\n[cards.gestures.photo_op]\ncopies = 3\n\n'
        "[cards.agendas.election_year.stakes]\nenergy = 4\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert (
        rules.fingerprint
        == load_rules(
            None, ["cards.gestures.photo_op.copies=3", "cards.agendas.election_year.stakes.energy=4"]
        ).fingerprint
    )
    assert rules.fingerprint != base.fingerprint
    stakes = rules.values()["cards"]["agendas"]["election_year"]["stakes"]
    assert stakes["energy"] == 4 and len(stakes) >= len(base.values()["cards"]["agendas"]["election_year"]["stakes"])
    path.write_text(
        f'extends = "{SUMMIT.as_posix()}"\nname = "Warm"\n\n[cards.gestures.photo_opp]\ncopies = 3\n\n'
        "[cards.gestures.back_channel]\ncopies = 8\n",
        encoding="utf-8",
    )
    found = problems([], path)
    assert found == [
        f"{path}:4: cards.gestures.photo_opp: no card 'photo_opp' in the gestures deck (cards/gestures.toml); "
        "did you mean 'photo_op'?"
    ]
    path.write_text(
        f'extends = "{SUMMIT.as_posix()}"\nname = "Warm"\n\n[cards.gestures.back_channel]\ncopies = 8\n',
        encoding="utf-8",
    )
    assert problems([], path) == [
        f"{path}:5: cards.gestures.back_channel.copies: Input should be less than or equal to 5"
    ]


# --- sweeps over deck files, sensitivity and tune over card values ----------------------------------


def test_sweep_over_deck_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(CARDS_DIR / "gestures.toml", "a.toml")
    text = (CARDS_DIR / "gestures.toml").read_text(encoding="utf-8")
    Path("b.toml").write_text(text.replace("copies = 2", "copies = 1"), encoding="utf-8")
    param = parse_grid("decks.gestures=a.toml, b.toml")
    assert param.values == ("a.toml", "b.toml") and param.override("b.toml") == 'decks.gestures="b.toml"'
    points = sw.load_points(None, [], sw.grid([param]))
    assert points[0].rules.fingerprint == load_rules().fingerprint  # a.toml is the bundled deck
    assert points[1].rules.fingerprint != points[0].rules.fingerprint
    with pytest.raises(RulesError) as exc:
        sw.load_points(None, [], sw.grid([parse_grid("decks.gestures=a.toml,none.toml")]))
    assert [str(p) for p in exc.value.problems] == [
        '--param decks.gestures="none.toml": decks.gestures: deck file not found: none.toml'
    ]
    with pytest.raises(ValueError, match="listed twice"):
        parse_grid("decks.events=a.toml,a.toml")
    res = run("sweep", "--param", "decks.gestures=a.toml,b.toml", "--agents", "random", "-n", 4, "--json")
    assert res.exit_code == 0, res.output + res.stderr
    assert '"values": [\n    "a.toml",\n    "b.toml"\n   ]' in res.output


def test_sensitivity_and_tune_reach_card_values(tmp_path: Path, base: Ruleset) -> None:
    key = "cards.gestures.photo_op.copies"
    (probe,) = sw.probes(None, [], [key], {})
    assert probe.value == 2 and probe.down is not None and probe.up is not None
    assert probe.up.rules.gesture_pool.count(base.gesture_ids.index("photo_op")) == 3
    (dim,) = tn.dimensions(None, [], [("cards.gestures.photo_op.effects[2].by", Span(1, 3))])
    assert dim.current == 1
    with pytest.raises(RulesError, match=r"did you mean 'cards\.gestures\.photo_op\.copies'"):
        tn.dimensions(None, [], [("cards.gestures.photo_opp.copies", Span(1, 3))])
    # the winner's file sets the card's changed field; it loads to the candidate's rules
    text = tn.changes_file(None, [], {"cards.gestures.photo_op.effects[2].by": 2, key: 3}, tmp_path, ["test"])
    assert "[cards.gestures.photo_op]" in text and "copies = 3" in text and "effects = [" in text
    best = tmp_path / "best.toml"
    best.write_text(text, encoding="utf-8")
    want = load_rules(None, [], ["cards.gestures.photo_op.effects[2].by=2", f"{key}=3"])
    assert load_rules(best).fingerprint == want.fingerprint != base.fingerprint


# --- fuzz: random card overrides ----------------------------------------------------------------------


def _leaves(node: Any, prefix: list[str | int]) -> list[list[str | int]]:
    """Key paths of every number, string and boolean under ``node``."""
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, [*prefix, k])]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, [*prefix, i])]
    return [prefix] if node is not None else []


CARD_LEAVES = [format_path(["cards", *p]) for p in _leaves(load_rules().values()["cards"], [])]
VALUES = st.one_of(
    st.integers(-30, 30),
    st.sampled_from(["true", "false", '"trust"', '"self"', '"other"', "1.5", '"nosuch"', "[]", "{}"]),
)


CHANGES = st.lists(st.tuples(st.sampled_from(CARD_LEAVES), VALUES), min_size=1, max_size=3)


def check_card_overrides(changes: list[tuple[str, Any]]) -> None:
    """Random overrides of card values load (and set those values) or are refused naming their key."""
    overrides = [f"{key}={value}" for key, value in changes]
    try:
        rules = load_rules(None, overrides)
    except RulesError as exc:
        for p in exc.problems:  # each problem names the override, or the key it set
            assert any(
                str(p).startswith(f"--set {shorten(o, MAX_OVERRIDE_SHOWN)}") or key in str(p)
                for o, (key, _) in zip(overrides, changes, strict=True)
            ), str(p)
        return
    values = rules.values()
    for key, value in dict(changes).items():  # the last override of a key wins
        if isinstance(value, int):
            with contextlib.suppress(LookupError):  # a later override replaced the list or table that held it
                assert get_at(values, parse_path(key)) == value


@given(CHANGES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_card_overrides_load_or_name_their_key(changes: list[tuple[str, Any]]) -> None:
    check_card_overrides(changes)


@pytest.mark.slow
@given(CHANGES)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_card_overrides_soak(changes: list[tuple[str, Any]]) -> None:
    check_card_overrides(changes)
