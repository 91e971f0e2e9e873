"""Key paths, grids and ranges (``params.py``), and the ``[tunable]`` ranges the loader enforces."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitgame.errors import RulesError
from summitgame.rules.loader import bundled_rule_files, load_rules
from summitgame.rules.params import (
    MAX_GRID,
    MAX_NUMBER,
    MAX_PATH,
    Span,
    format_path,
    get_at,
    parse_bounds,
    parse_grid,
    parse_number,
    parse_path,
    parse_span,
    set_at,
)


def test_parse_path_reads_tables_and_array_items() -> None:
    assert parse_path("meters.trust.start") == ("meters", "trust", "start")
    assert parse_path("proposals.cap[1].steps") == ("proposals", "cap", 1, "steps")
    assert parse_path("a[0][2]") == ("a", 0, 2)


@pytest.mark.parametrize("bad", ["", "a..b", ".a", "a.", "a-b", "a[x]", "a[1", "a b"])
def test_parse_path_refuses_bad_paths(bad: str) -> None:
    with pytest.raises(ValueError, match="bad key path"):
        parse_path(bad)


@given(
    st.lists(
        st.one_of(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), st.integers(0, 9)),
        min_size=1,
        max_size=MAX_PATH - 1,
    )
)
def test_format_path_round_trips(parts: list[str | int]) -> None:
    if isinstance(parts[0], int):
        parts = ["x", *parts]
    assert parse_path(format_path(parts)) == tuple(parts)


def test_get_and_set_at_say_where_a_path_stops() -> None:
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert get_at(data, parse_path("a.b[1].c")) == 2
    set_at(data, parse_path("a.b[0].c"), 5)
    assert data["a"]["b"][0]["c"] == 5
    set_at(data, parse_path("a.new.key"), 3)
    assert data["a"]["new"] == {"key": 3}
    with pytest.raises(LookupError, match=r"a\.b\[2\] is out of range: a\.b has 2 entries"):
        get_at(data, parse_path("a.b[2].c"))
    with pytest.raises(LookupError, match=r"no key a\.x"):
        get_at(data, parse_path("a.x"))
    with pytest.raises(LookupError, match=r"a\.b\[5\] is out of range"):
        set_at(data, parse_path("a.b[5].c"), 1)


def test_numbers_keep_their_type() -> None:
    assert parse_number("3") == 3 and isinstance(parse_number("3"), int)
    assert parse_number("0.5") == 0.5
    assert parse_number("-2") == -2
    for bad in ("x", "1/2", "nan", "inf", ""):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_grids() -> None:
    assert parse_grid("rounds.count=4..7").values == (4, 5, 6, 7)
    assert parse_grid("rounds.count=2..10:4").values == (2, 6, 10)
    assert parse_grid("x.y=0..1:0.25").values == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert parse_grid("x.y=0.5,1,2").values == (0.5, 1, 2)
    assert parse_grid("x.y=3").values == (3,)
    assert parse_grid("x.y=3").override(3) == "x.y=3"
    assert parse_grid("x.y=0.5,1").override(0.5) == "x.y=0.5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rounds.count", "expected key.path=VALUES"),
        ("rounds.count=", "expected key.path=VALUES"),
        ("bad key=1..3", "bad key path"),
        ("x.y=5..1", "low end 5 is above the high end 1"),
        ("x.y=1..5:0", "step must be positive"),
        ("x.y=0.5..2", "needs a step"),
        ("x.y=1..2..3", "not a number"),
        ("x.y=a,b", "not a number"),
        ("x.y=1,1", "listed twice"),
        ("x.y=0..100000", "at most"),
        # huge, infinite or too fine grids are refused in one line that says the limit (no OverflowError)
        ("rounds.count=-1e308..1e308:1", "out of range: at most 1,000,000,000,000,000 either way"),
        ("rounds.count=-1e15..1e15:1", f"more than {MAX_GRID} values; at most {MAX_GRID}"),
        ("rounds.count=0..1:1e-300", f"more than {MAX_GRID} values"),
        ("rounds.count=1e400", "not a finite number"),
        ("rounds.count=" + "9" * 5000, "out of range"),
        ("rounds.count=0.." + "9" * 5000, "out of range"),
        ("rounds.count=" + ",".join(map(str, range(MAX_GRID + 1))), f"more than {MAX_GRID} values"),
    ],
)
def test_bad_grids_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_grid(text)


def test_numbers_past_the_limit_are_refused_and_the_limit_itself_is_fine() -> None:
    assert parse_number(str(MAX_NUMBER)) == MAX_NUMBER
    assert parse_number(f"-{MAX_NUMBER}") == -MAX_NUMBER
    for bad in (str(MAX_NUMBER + 1), "1e16", "-1e16", "1" + "0" * 40):
        with pytest.raises(ValueError, match="out of range"):
            parse_number(bad)


def test_long_key_paths_and_huge_indexes_are_refused() -> None:
    assert len(parse_path(".".join(["a"] * MAX_PATH))) == MAX_PATH
    with pytest.raises(ValueError, match=f"more than {MAX_PATH} keys"):
        parse_path(".".join(["a"] * (MAX_PATH + 1)))
    with pytest.raises(ValueError, match="bad key path"):
        parse_path("a[" + "9" * 5000 + "]")
    with pytest.raises(ValueError) as info:
        parse_path("\x1b[2J" + "a" * 10_000)
    assert len(str(info.value)) < 200 and "\x1b" not in str(info.value)


def test_tune_bounds() -> None:
    key, span = parse_bounds("meters.trust.start=1..5")
    assert key == "meters.trust.start" and span == Span(1, 5) and span.integral
    assert not parse_span("0.1..0.9").integral
    assert parse_span("1..9:2").points() == (1, 3, 5, 7, 9)
    assert span.contains(5) and not span.contains(6)


def test_set_reaches_array_items_and_is_checked_against_tunable_ranges() -> None:
    rules = load_rules(None, ["proposals.cap[0].steps=3"])
    assert rules.spec.proposals.cap[0].steps == 3 and rules.cap_for(0) == 3
    with pytest.raises(RulesError) as err:
        load_rules(None, ["proposals.cap[0].steps=7"])
    (p,) = err.value.problems
    assert p.file == "--set proposals.cap[0].steps=7"
    assert p.path == "proposals.cap[0].steps"
    assert "7 is outside the range the rules allow (1..3" in p.message


def test_param_overrides_are_named_as_such() -> None:
    with pytest.raises(RulesError) as err:
        load_rules(None, params=["meters.trust.start=9"])
    (p,) = err.value.problems
    assert p.file == "--param meters.trust.start=9"
    assert "outside the range" in p.message


@pytest.mark.parametrize("path", bundled_rule_files(), ids=lambda p: p.name)
def test_every_bundled_tunable_names_a_number_inside_its_range(path: Path) -> None:
    rules = load_rules(path)
    assert len(rules.spec.tunable) >= 10
    data = rules.spec.model_dump(mode="python")
    for key, tun in rules.spec.tunable.items():
        value = get_at(data, parse_path(key))
        assert tun.min <= value <= tun.max, key
        # each end of each range loads (the ranges are usable as they stand)
        for end in (tun.min, tun.max):
            load_rules(path, [f"{key}={end}"])


def test_tunable_ranges_do_not_change_the_fingerprint(tmp_path: Path) -> None:
    base = load_rules()
    other = tmp_path / "wider.toml"
    other.write_text(
        f'extends = "{base.source}"\n[tunable]\n"rounds.count" = {{ min = 1, max = 20 }}\n', encoding="utf-8"
    )
    wider = load_rules(other)
    assert wider.spec.tunable["rounds.count"].max == 20
    assert wider.fingerprint == base.fingerprint
