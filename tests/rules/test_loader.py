"""Loading rule and card files: every error kind in ``tests/data/bad``, overrides, extends, fingerprints."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from summitgame.errors import Problem, RulesError
from summitgame.rules.loader import (
    bundled_rule_files,
    check_file,
    data_dir,
    default_rules_path,
    load_rules,
    parse_override,
)
from summitgame.rules.rulebook import rulebook
from summitgame.rules.ruleset import Ruleset
from summitgame.rules.schema import EventDeck

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"
SUMMIT = ROOT / "rules" / "summit.toml"
TRADE = ROOT / "rules" / "trade.toml"


def problems_of(path: Path | None, overrides: tuple[str, ...] = ()) -> list[Problem]:
    """The problems load_rules reports for a file (which must fail to load)."""
    with pytest.raises(RulesError) as info:
        load_rules(path, overrides)
    assert info.value.problems, "a RulesError must carry at least one problem"
    return info.value.problems


def find(problems: list[Problem], path: str) -> Problem:
    """The one problem with this key path."""
    hits = [p for p in problems if p.path == path]
    assert len(hits) == 1, f"expected one problem at {path!r}, got: {[str(p) for p in problems]}"
    return hits[0]


def name(problem: Problem) -> str:
    return Path(problem.file).name


# (bad rule file, file the problem is reported in, key path, part of the message, line or None)
SINGLE_PROBLEM_CASES: list[tuple[str, str, str, str, int | None]] = [
    ("syntax_error.toml", "syntax_error.toml", "", "TOML syntax error", 5),
    ("unknown_key_rules.toml", "unknown_key_rules.toml", "hands.sise", "unknown key", 5),
    ("wrong_type.toml", "wrong_type.toml", "rounds.count", "expected an integer, got a string ('six')", 5),
    ("negative_bound.toml", "negative_bound.toml", "meters.trust.min", "greater than or equal to 0", 5),
    (
        "start_out_of_bounds.toml",
        "start_out_of_bounds.toml",
        "meters.trust.start",
        "outside the meter's bounds 0..10",
        5,
    ),
    (
        "walkout_out_of_bounds.toml",
        "walkout_out_of_bounds.toml",
        "meters.pressure.walkout_at",
        "13 is outside 1..12",
        5,
    ),
    ("empty_deck.toml", "empty_events.toml", "cards", "must not be empty", 3),
    ("duplicate_ids.toml", "duplicate_gestures.toml", "cards[1].id", "duplicate card id 'photo_op'", 12),
    ("unknown_track.toml", "unknown_track.toml", "proposals.on_accept[0].track", "unknown track 'climate'", 5),
    (
        "unknown_track_card.toml",
        "unknown_track_events.toml",
        "cards[1].effects[0].track",
        "unknown track 'climate'",
        14,
    ),
    ("unknown_meter.toml", "unknown_meter.toml", "proposals.on_reject[0].meter", "unknown meter 'morale'", 5),
    ("unknown_role.toml", "unknown_role.toml", "rounds.first_initiative", "unknown role 'london'", 5),
    ("unknown_stage.toml", "unknown_stage.toml", "tracks.syria.start", "unknown stage 'ceasefire'", 5),
    ("unknown_card.toml", "unknown_card.toml", "rounds.opening_event", "unknown event card 'alien_invasion'", 5),
    ("unknown_tier.toml", "unknown_tier.toml", "outcome.order[1]", "unknown tier 'triumph'", 5),
    ("extends_missing.toml", "extends_missing.toml", "extends", "no_such_rules.toml: file not found", None),
    ("extends_cycle_a.toml", "extends_cycle_b.toml", "extends", "circular extends", None),
    # the child makes the parent's tier unreachable: reported in the child (issue 15)
    (
        "tier_after_unconditional.toml",
        "tier_after_unconditional.toml",
        "tiers.symbolic",
        "tier 'stalemate' before it",
        None,
    ),
    ("tier_impossible.toml", "tier_impossible.toml", "tiers.incremental", "its conditions can never hold", 4),
    ("last_tier_conditional.toml", "last_tier_conditional.toml", "tiers.symbolic", "must have no conditions", 4),
    ("deck_missing.toml", "deck_missing.toml", "decks.agendas", "deck file not found", 5),
    (
        "tunable_out_of_range.toml",
        "tunable_out_of_range.toml",
        "meters.trust.start",
        "8 is outside the range the rules allow (1..6, [tunable] in ",
        5,
    ),
    ("tunable_unknown_path.toml", "tunable_unknown_path.toml", 'tunable."meters.trust.begin"', "no key", 5),
    ("tunable_not_a_number.toml", "tunable_not_a_number.toml", 'tunable."rounds.first_initiative"', "not a number", 5),
    ("tunable_inverted.toml", "tunable_inverted.toml", 'tunable."hands.size"', "min (5) is above max (1)", 5),
    ("tunable_fraction_for_int.toml", "tunable_fraction_for_int.toml", 'tunable."hands.size"', "whole number", 5),
    # strict types: no coercion of booleans, strings or floats into whole numbers
    (
        "bool_for_int.toml",
        "bool_for_int.toml",
        "tracks.arms.stake",
        "expected an integer or a table, got a boolean (false)",
        5,
    ),
    ("float_for_int.toml", "float_for_int.toml", "rounds.count", "expected an integer, got a float (5.0)", 5),
    (
        "tunable_nan.toml",
        "tunable_nan.toml",
        'tunable."rounds.count".min',
        "must be a finite number, not a float (nan)",
        5,
    ),
    # names and texts are plain text
    (
        "control_character.toml",
        "control_character.toml",
        "roles.washington.name",
        "holds a control character (\\x1b at position 10)",
        5,
    ),
    # files that cannot be read or parsed safely
    ("nested_too_deep.toml", "nested_too_deep.toml", "", "nested deeper than 48 levels", None),
    ("huge_integer.toml", "huge_integer.toml", "", "holds an integer of more than 30 digits", None),
    ("deck_device.toml", "deck_device.toml", "decks.events", "cannot load deck file /dev/null: is a device", 5),
    ("extends_device.toml", "extends_device.toml", "extends", "cannot load /dev/null: is a device", 2),
    # an agenda deck that some deal could not be made from
    (
        "agenda_deal_impossible.toml",
        "washington_only_agendas.toml",
        "cards",
        "no agenda can be dealt to 'moscow'",
        None,
    ),
]

MULTI_PROBLEM_FILES = {
    "unknown_key_card.toml",
    "extends_cycle_b.toml",
    "three_roles.toml",
    "several_schema_problems.toml",
    "several_reference_problems.toml",
}


@pytest.mark.parametrize(
    ("bad", "where", "path", "fragment", "line"), SINGLE_PROBLEM_CASES, ids=[c[0] for c in SINGLE_PROBLEM_CASES]
)
def test_bad_rule_file_reports_its_problem(bad: str, where: str, path: str, fragment: str, line: int | None) -> None:
    problems = problems_of(BAD / bad)
    assert len(problems) == 1, [str(p) for p in problems]
    (p,) = problems
    assert name(p) == where
    assert p.path == path
    assert fragment in p.message
    if line is not None:
        assert p.line == line
        assert str(p).startswith(f"{p.file}:{line}: ")
    assert str(p).endswith(f"{path}: {p.message}" if path else p.message)


def test_every_bad_rule_file_has_a_test() -> None:
    covered = {c[0] for c in SINGLE_PROBLEM_CASES} | MULTI_PROBLEM_FILES
    assert {p.name for p in BAD.glob("*.toml")} == covered


def test_syntax_error_carries_file_and_line() -> None:
    (p,) = problems_of(BAD / "syntax_error.toml")
    assert str(p).startswith(f"{p.file}:5: TOML syntax error")
    assert p.file.endswith("syntax_error.toml")


def test_unknown_key_in_card_file() -> None:
    problems = problems_of(BAD / "unknown_key_card.toml")
    assert {name(p) for p in problems} == {"typo_gestures.toml"}
    typo = find(problems, "cards[1].flavour")
    assert typo.message == "unknown key 'flavour'; did you mean 'flavor'?"
    assert typo.line == 14
    # the key the typo means is not reported missing as well (issue 15)
    assert not [p for p in problems if p.path == "cards[1].flavor"]


def test_circular_extends_names_the_whole_cycle() -> None:
    (p,) = problems_of(BAD / "extends_cycle_b.toml")
    assert p.path == "extends"
    assert name(p) == "extends_cycle_a.toml"
    chain = p.message.split(": ", 1)[1].split(" -> ")
    assert [Path(c).name for c in chain] == ["extends_cycle_b.toml", "extends_cycle_a.toml", "extends_cycle_b.toml"]


def test_three_roles() -> None:
    problems = problems_of(BAD / "three_roles.toml")
    p = find(problems, "roles")
    assert name(p) == "three_roles.toml"
    assert "exactly two roles are needed, found 3" in p.message
    # the one real problem is not buried under a follow-on problem for every per-role table
    assert not any("no value for role" in p.message for p in problems)


def test_several_schema_problems_are_all_reported() -> None:
    problems = problems_of(BAD / "several_schema_problems.toml")
    assert {p.path for p in problems} == {"rounds.count", "hands.sise", "meters.trust.min"}
    assert {name(p) for p in problems} == {"several_schema_problems.toml"}
    assert find(problems, "rounds.count").line == 5
    assert find(problems, "hands.sise").line == 8
    assert find(problems, "meters.trust.min").line == 11


def test_several_reference_problems_are_all_reported() -> None:
    problems = problems_of(BAD / "several_reference_problems.toml")
    assert {p.path for p in problems} == {"rounds.first_initiative", "rounds.opening_event", "tracks.syria.start"}
    assert "unknown role 'london'" in find(problems, "rounds.first_initiative").message
    assert "alien_invasion" in find(problems, "rounds.opening_event").message
    assert "ceasefire" in find(problems, "tracks.syria.start").message


def test_rules_error_message_lists_every_problem() -> None:
    with pytest.raises(RulesError) as info:
        load_rules(BAD / "several_schema_problems.toml")
    lines = str(info.value).splitlines()
    assert lines == [str(p) for p in info.value.problems]
    assert len(lines) == 3


def test_problem_format() -> None:
    assert str(Problem("a.toml", "x.y", "bad", 7)) == "a.toml:7: x.y: bad"
    assert str(Problem("a.toml", "x.y", "bad")) == "a.toml: x.y: bad"
    assert str(Problem("a.toml", "", "bad", 2)) == "a.toml:2: bad"


def test_syntax_error_in_an_extended_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('name = "Base"\n\n[rounds\ncount = 3\n', encoding="utf-8")
    (tmp_path / "top.toml").write_text('extends = "base.toml"\n', encoding="utf-8")
    (p,) = problems_of(tmp_path / "top.toml")
    assert name(p) == "base.toml"
    assert p.line == 3
    assert "TOML syntax error" in p.message


def test_missing_rule_file() -> None:
    (p,) = problems_of(BAD / "no_such_file.toml")
    assert name(p) == "no_such_file.toml"
    assert p.message == "file not found"


# --- lone card files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card_file", "path", "fragment"),
    [
        ("typo_gestures.toml", "cards[1].flavour", "unknown key"),
        ("duplicate_gestures.toml", "cards[1].id", "duplicate card id"),
        ("empty_events.toml", "cards", "must not be empty"),
    ],
)
def test_check_file_on_a_bad_card_file(card_file: str, path: str, fragment: str) -> None:
    with pytest.raises(RulesError) as info:
        check_file(BAD / "cards" / card_file)
    p = find(info.value.problems, path)
    assert name(p) == card_file
    assert fragment in p.message


def test_check_file_on_good_files() -> None:
    deck = check_file(ROOT / "cards" / "events.toml")
    assert isinstance(deck, EventDeck)
    assert len(deck.cards) >= 20
    # a card file on its own is only schema-checked: its unknown track is found with the rules
    lone = check_file(BAD / "cards" / "unknown_track_events.toml")
    assert isinstance(lone, EventDeck)
    assert isinstance(check_file(SUMMIT), Ruleset)


def test_check_file_on_card_file_without_deck_key(tmp_path: Path) -> None:
    f = tmp_path / "cards.toml"
    f.write_text('[[cards]]\nid = "x"\nname = "X"\nflavor = "f"\neffects = []\n', encoding="utf-8")
    with pytest.raises(RulesError) as info:
        check_file(f)
    (p,) = info.value.problems
    assert p.path == "deck"
    assert "required key is missing" in p.message


def test_card_file_syntax_error_has_line(tmp_path: Path) -> None:
    f = tmp_path / "gestures.toml"
    f.write_text('deck = "gestures"\n[[cards]]\nid = "x" "y"\n', encoding="utf-8")
    with pytest.raises(RulesError) as info:
        check_file(f)
    (p,) = info.value.problems
    assert p.line == 3
    assert str(p).startswith(f"{p.file}:3: TOML syntax error")


def test_wrong_kind_of_deck(tmp_path: Path) -> None:
    f = tmp_path / "rules.toml"
    f.write_text(
        f'extends = "{SUMMIT.as_posix()}"\n[decks]\nevents = "{(ROOT / "cards" / "gestures.toml").as_posix()}"\n'
    )
    (p,) = problems_of(f)
    assert name(p) == "gestures.toml"
    assert p.path == "deck"
    assert "expected a 'events' deck" in p.message


# --- --set overrides --------------------------------------------------------------------------------


def test_parse_override() -> None:
    assert parse_override("rounds.count=4") == (["rounds", "count"], 4)
    assert parse_override(" meters.trust.start = 5 ") == (["meters", "trust", "start"], 5)
    assert parse_override("name=Short summit") == (["name"], "Short summit")
    assert parse_override('name="A = B"') == (["name"], "A = B")
    assert parse_override("outcome.order=['a', 'b']") == (["outcome", "order"], ["a", "b"])
    assert parse_override("tracks.arms.stake={ washington = 1, moscow = 2 }") == (
        ["tracks", "arms", "stake"],
        {"washington": 1, "moscow": 2},
    )
    assert parse_override("hands.limit=") == (["hands", "limit"], "")


@pytest.mark.parametrize("text", ["noequals", "=5", "bad key=1", "a..b=1", ".a=1", "a-b=1"])
def test_parse_override_rejects_bad_syntax(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected key\.path=value|bad key path"):
        parse_override(text)


def test_valid_override_changes_value_and_fingerprint() -> None:
    base = load_rules(SUMMIT)
    was = base.spec.meters["trust"].start
    start = 5 if was != 5 else 4
    changed = load_rules(SUMMIT, [f"meters.trust.start={start}", "rounds.count=8"])
    assert base.meter_start[base.meter_slot["trust"][0]] == was
    assert changed.spec.meters["trust"].start == start
    assert changed.meter_start[changed.meter_slot["trust"][0]] == start
    assert changed.rounds == 8
    assert changed.fingerprint != base.fingerprint
    # an override that sets the value already there changes nothing
    assert load_rules(SUMMIT, [f"meters.trust.start={was}"]).fingerprint == base.fingerprint


def test_override_can_add_a_table() -> None:
    r = load_rules(SUMMIT, ["roles.moscow.description=Kremlin"])
    assert r.spec.roles["moscow"].description == "Kremlin"
    assert r.spec.roles["moscow"].name == "Moscow"


@pytest.mark.parametrize(
    ("override", "path", "fragment"),
    [
        ("rounds.count=abc", "rounds.count", "expected an integer, got a string ('abc')"),
        ("rounds.count=0", "rounds.count", "greater than or equal to 1"),
        ("meters.trust=5", "meters.trust", "expected a table, got an integer (5)"),
        ("name.x=1", "name.x", "name is not a table"),
        ("meters.trust.start=11", "meters.trust.start", "outside the meter's bounds"),
        ("rounds.opening_event=nothing_at_all", "rounds.opening_event", "unknown event card"),
    ],
)
def test_invalid_override_is_attributed_to_set(override: str, path: str, fragment: str) -> None:
    (p,) = problems_of(SUMMIT, (override,))
    assert p.file == f"--set {override}"
    assert p.path == path
    assert fragment in p.message
    assert p.line is None


def test_malformed_overrides_are_all_reported() -> None:
    problems = problems_of(SUMMIT, ("noequals", "bad key=1", "rounds.count=4"))
    assert len(problems) == 2
    assert all(p.file.startswith("--set") for p in problems)
    assert "'noequals'" in problems[0].message
    assert "bad key path" in problems[1].message


# --- extends ------------------------------------------------------------------------------------------


def test_good_file_extends_and_changes_numbers() -> None:
    base = load_rules(SUMMIT)
    r = load_rules(GOOD / "short_summit.toml")
    spec = r.spec
    assert spec.name == "Short summit"
    assert spec.description == base.spec.description  # inherited
    # tables merge: changed keys change, the rest of the table is the base's
    assert spec.rounds.count == 4
    assert r.rounds == 4
    assert spec.rounds.end_effects == base.spec.rounds.end_effects
    assert spec.rounds.first_initiative == "random"
    assert spec.meters["trust"].start == 4
    assert spec.meters["trust"].max == 10
    assert spec.meters["trust"].breakdown_at == 0
    assert spec.proposals.max_counters == base.spec.proposals.max_counters
    # arrays replace: the base's four-row cap table is gone, not appended to
    assert [(c.at_least, c.steps) for c in spec.proposals.cap] == [(0, 2), (5, 4)]
    assert len(base.spec.proposals.cap) == 4
    # decks are found relative to the file that names them (the bundled rules)
    assert r.event_ids == base.event_ids
    assert r.fingerprint != base.fingerprint


def test_good_file_changes_show_in_the_rulebook() -> None:
    # short_summit.toml extends the default rules: what it sets shows, the rest is the base's (numbers read from it)
    base = load_rules(SUMMIT)
    base_text = rulebook(base)
    text = rulebook(load_rules(GOOD / "short_summit.toml"))
    assert text.startswith("# Short summit — rulebook")
    assert "The summit lasts 4 rounds." in text
    assert f"The summit lasts {base.rounds} rounds." in base_text
    assert "0–10, starting at 4." in text
    assert f"0–10, starting at {base.spec.meters['trust'].start}." in base_text
    assert "Trust 0–4: up to 2 steps" in text
    assert "Trust 5+: up to 4 steps" in text
    top = base.spec.proposals.cap[-1]
    assert f"Trust {top.at_least}+: up to {top.steps} steps" in base_text
    for row in base.spec.proposals.cap:  # the base's table is replaced, not merged
        if row.at_least not in (0, 5):
            assert f"Trust {row.at_least}" not in text


def test_extends_with_relative_and_chained_files(tmp_path: Path) -> None:
    (tmp_path / "middle.toml").write_text(
        f'extends = "{SUMMIT.as_posix()}"\n[rounds]\ncount = 5\n[hands]\nsize = 2\n', encoding="utf-8"
    )
    (tmp_path / "top.toml").write_text('extends = "middle.toml"\n[rounds]\ncount = 4\n', encoding="utf-8")
    r = load_rules(tmp_path / "top.toml")
    assert r.rounds == 4  # the top file wins
    assert r.hand_size == 2  # the middle file still counts
    assert r.hand_limit == 5  # and the base fills the rest


# --- fingerprints ------------------------------------------------------------------------------------


def test_fingerprint_stable_across_loads() -> None:
    a, b = load_rules(SUMMIT), load_rules(SUMMIT)
    assert a is not b
    assert a.fingerprint == b.fingerprint
    assert len(a.fingerprint) == 16
    assert load_rules(TRADE).fingerprint != a.fingerprint


def _noisy(text: str) -> str:
    """The same TOML with extra comments, blank lines and trailing spaces (multi-line strings untouched)."""
    out = ["# a copy with extra comments", "", "   # and odd indentation", ""]
    in_string = False
    for line in text.splitlines():
        quotes = line.count('"""')
        if in_string or quotes:
            out.append(line)
        else:
            out.append(line + "   " if line.strip() else line)
            if line.startswith("["):
                out.extend(["# a comment after a table header", ""])
        if quotes % 2:
            in_string = not in_string
    return "\n".join(out) + "\n\n# the end\n"


def test_fingerprint_ignores_comments_and_whitespace(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "cards").mkdir()
    for f in (ROOT / "cards").glob("*.toml"):
        (tmp_path / "cards" / f.name).write_text(_noisy(f.read_text(encoding="utf-8")), encoding="utf-8")
    copy = tmp_path / "rules" / "summit.toml"
    text = SUMMIT.read_text(encoding="utf-8")
    copy.write_text(_noisy(text), encoding="utf-8")
    original = load_rules(SUMMIT)
    noisy = load_rules(copy)
    assert noisy.source != original.source
    assert noisy.fingerprint == original.fingerprint
    # while a changed number does change it
    changed, n = re.subn(r"walkout_penalty = (\d+)", lambda m: f"walkout_penalty = {int(m[1]) + 1}", text)
    assert n == 1
    copy.write_text(_noisy(changed), encoding="utf-8")
    assert load_rules(copy).fingerprint != original.fingerprint


def test_fingerprint_covers_the_decks(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "cards", tmp_path / "cards")
    copy = tmp_path / "rules" / "summit.toml"
    assert load_rules(copy).fingerprint == load_rules(SUMMIT).fingerprint
    gestures = tmp_path / "cards" / "gestures.toml"
    gestures.write_text(gestures.read_text(encoding="utf-8").replace("copies = 2", "copies = 3", 1), encoding="utf-8")
    assert load_rules(copy).fingerprint != load_rules(SUMMIT).fingerprint


# --- the bundled files ---------------------------------------------------------------------------------


def test_bundled_rule_files_load() -> None:
    files = bundled_rule_files()
    assert {f.name for f in files} >= {"summit.toml", "trade.toml"}
    loaded = {f.name: load_rules(f) for f in files}
    summit, trade = loaded["summit.toml"], loaded["trade.toml"]
    assert summit.roles == ("washington", "moscow")
    assert summit.tier_ids == ("failed", "incremental", "symbolic")
    assert len(summit.track_ids) == 5
    assert trade.roles == ("brussels", "beijing")
    assert len(trade.tier_ids) == 4
    assert len(trade.meter_ids) == 3


def test_default_rules_are_the_summit() -> None:
    assert load_rules().fingerprint == load_rules(SUMMIT).fingerprint


def test_data_dir_finds_rules_and_cards() -> None:
    d = data_dir()
    assert (d / "rules" / "summit.toml").is_file()
    assert (d / "rules" / "trade.toml").is_file()
    for deck in ("events", "gestures", "agendas"):
        assert (d / "cards" / f"{deck}.toml").is_file()
        assert (d / "cards" / "trade" / f"{deck}.toml").is_file()
    assert default_rules_path() == d / "rules" / "summit.toml"
    assert all(f.parent == d / "rules" for f in bundled_rule_files())


def test_bundled_card_files_pass_alone() -> None:
    for f in sorted((data_dir() / "cards").rglob("*.toml")):
        deck = check_file(f)
        assert not isinstance(deck, Ruleset)
        assert deck.deck == f.stem
        assert len(deck.cards) >= 6


def test_extends_cannot_be_overridden() -> None:
    with pytest.raises(RulesError) as info:
        load_rules(None, ["extends=other.toml"])
    (problem,) = info.value.problems
    assert problem.file == "--set extends=other.toml"
    assert "use --rules" in problem.message


def test_a_shorter_summit_keeps_its_late_round_cards() -> None:
    rules = load_rules(None, ["rounds.count=3"])
    assert rules.rounds == 3
