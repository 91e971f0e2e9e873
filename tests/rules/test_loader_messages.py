"""Loader messages a designer meets first (issue 15): a bad ``--set`` key path blamed on the override with its
whole path, "did you mean" for a typo (and no "required key missing" for the key it means), and errors in a
file that ``extends`` another reported in the file that caused them."""

from __future__ import annotations

from pathlib import Path

import pytest

from summitgame.errors import Problem, RulesError
from summitgame.rules.loader import load_rules

ROOT = Path(__file__).resolve().parents[2]
SUMMIT = ROOT / "rules" / "summit.toml"


def problems(path: Path | None, overrides: tuple[str, ...] = ()) -> list[Problem]:
    with pytest.raises(RulesError) as exc:
        load_rules(path, overrides)
    return exc.value.problems


@pytest.mark.parametrize(
    ("override", "line"),
    [
        ("no.such=1", "--set no.such=1: unknown key 'no.such'"),
        (
            "meters.trust.strat=1",
            "--set meters.trust.strat=1: unknown key 'meters.trust.strat'; did you mean 'meters.trust.start'?",
        ),
        (
            "meters.trsut.start=3",
            "--set meters.trsut.start=3: unknown key 'meters.trsut.start'; did you mean 'meters.trust.start'?",
        ),
        (
            "tiers.symbolic.bonsu=3",
            "--set tiers.symbolic.bonsu=3: unknown key 'tiers.symbolic.bonsu'; did you mean 'tiers.symbolic.bonus'?",
        ),
    ],
)
def test_a_bad_set_path_is_blamed_on_the_override_with_its_whole_path(override: str, line: str) -> None:
    (p,) = problems(SUMMIT, (override,))
    assert str(p).startswith(line)
    assert "summit.toml" not in str(p)


def test_a_new_entry_by_override_says_so_in_one_line() -> None:
    (p,) = problems(SUMMIT, ("tiers.brand_new.bonus=3",))
    assert p.file == "--set tiers.brand_new.bonus=3"
    assert "the rules have no 'tiers.brand_new'" in p.message


def test_a_table_the_override_changed_is_blamed_on_it() -> None:
    (p,) = problems(SUMMIT, ("tiers.failed.any[0].kind=nothing",))
    assert p.file == "--set tiers.failed.any[0].kind=nothing" and "kind 'nothing' is not one of" in p.message


def test_a_schema_table_an_override_creates_says_what_it_lacks() -> None:
    (p,) = problems(SUMMIT, ("tracks.syria.gate.at_least=3",))
    assert p.file == "--set tracks.syria.gate.at_least=3" and p.path == "tracks.syria.gate.meter"


def test_a_typo_in_a_file_suggests_the_key_and_is_not_reported_missing_too(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(
        f'extends = "{SUMMIT.as_posix()}"\n'
        '[tiers.newtier]\nname = "New"\nbonsu = 1\n'
        "[meters.trust]\nstrat = 3\n"
        '[[proposals.on_accept]]\nkind = "change_meter"\nmeter = "trust"\nbye = 1\n',
        encoding="utf-8",
    )
    got = {p.path: (p.message, p.line) for p in problems(path)}
    assert got == {
        "tiers.newtier.bonsu": ("unknown key 'bonsu'; did you mean 'bonus'?", 4),
        "meters.trust.strat": ("unknown key 'strat'; did you mean 'start'?", 6),
        "proposals.on_accept[0].bye": ("unknown key 'bye'; did you mean 'by'?", 10),
    }


def test_an_unknown_key_far_from_any_is_still_reported_plainly(tmp_path: Path) -> None:
    path = tmp_path / "far.toml"
    path.write_text(f'extends = "{SUMMIT.as_posix()}"\n[hands]\nzzzzzz = 1\n', encoding="utf-8")
    (p,) = problems(path)
    assert p.path == "hands.zzzzzz" and p.message == "unknown key (not in the schema; a typo?)"


# --- errors in a file that extends another (bug 4) -------------------------------------------------------

#: the line of the bundled rules that sets the walk-out levels
WALKOUT_LINE = SUMMIT.read_text("utf-8").splitlines().index("walkout_at = { washington = 12, moscow = 12 }") + 1


def test_a_parent_value_a_child_makes_wrong_is_reported_in_the_child(tmp_path: Path) -> None:
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{SUMMIT.as_posix()}"\nname = "Child"\n[meters.pressure]\nmax = 6\n', "utf-8")
    (p,) = problems(child)  # once, though both roles' walk-out level is out of range
    assert p.file.endswith("child.toml")
    assert p.line == 3 and p.path == "meters.pressure.walkout_at"
    assert p.message.startswith("12 is outside 1..6 (it is set at ") and f"summit.toml:{WALKOUT_LINE}" in p.message


def test_a_parent_value_an_override_makes_wrong_is_blamed_on_that_override() -> None:
    (p,) = problems(SUMMIT, ("rounds.count=5", "meters.pressure.max=6"))
    assert p.file == "--set meters.pressure.max=6" and p.path == "meters.pressure.walkout_at"
    assert f"summit.toml:{WALKOUT_LINE}" in p.message


def test_a_parent_problem_of_its_own_stays_in_the_parent(tmp_path: Path) -> None:
    parent = tmp_path / "parent.toml"
    parent.write_text(f'extends = "{SUMMIT.as_posix()}"\n[meters.trust]\nstart = 40\n', "utf-8")
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\nname = "Child"\n[rounds]\ncount = 4\n', "utf-8")
    (p,) = problems(child)
    assert (
        p.file.endswith("parent.toml") and p.line == 3 and p.message == "start 40 is outside the meter's bounds 0..10"
    )


def test_a_grandparent_value_the_middle_file_makes_wrong_is_reported_there(tmp_path: Path) -> None:
    middle = tmp_path / "middle.toml"
    middle.write_text(f'extends = "{SUMMIT.as_posix()}"\n[meters.pressure]\nmax = 6\n', "utf-8")
    child = tmp_path / "child.toml"
    child.write_text('extends = "middle.toml"\nname = "Child"\n', "utf-8")
    (p,) = problems(child)
    assert p.file.endswith("middle.toml") and p.path == "meters.pressure.walkout_at" and p.line == 2
