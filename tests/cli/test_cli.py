"""The ``summitgame`` command through click's CliRunner: validate, rules, simulate, --version."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import CLASSIC_FINGERPRINT
from summitgame import __version__
from summitgame.cli import cli
from summitgame.rules.loader import bundled_rule_files, display, load_rules

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
GOOD = ROOT / "tests" / "data" / "good"
SUMMIT = ROOT / "rules" / "summit.toml"
TRADE = ROOT / "rules" / "trade.toml"

# one reported problem: FILE[:LINE]: key.path: message (or FILE[:LINE]: message, for a whole-file problem)
PROBLEM_LINE = re.compile(r"^(?P<file>[^:\s]+\.toml)(:(?P<line>\d+))?: ((?P<path>[\w.\[\]]+): )?(?P<msg>.+)$")
COUNT_LINE = re.compile(r"^(\d+) problems? found\.$")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def problem_lines(result: Result) -> list[re.Match[str]]:
    """Parse stderr of a failed command into problem lines; the last line must be the count."""
    lines = result.stderr.strip().splitlines()
    count = COUNT_LINE.match(lines[-1])
    assert count, result.stderr
    matches = [PROBLEM_LINE.match(line) for line in lines[:-1]]
    assert all(matches), result.stderr
    assert int(count.group(1)) == len(matches)
    return [m for m in matches if m]


def problem_lines_set(result: Result) -> list[str]:
    """Problem lines of an override failure (their 'file' is the --set argument, so not PROBLEM_LINE)."""
    lines = result.stderr.strip().splitlines()
    assert COUNT_LINE.match(lines[-1]), result.stderr
    return lines[:-1]


def assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit)


# --- --version ---------------------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"summitgame, version {__version__}"


def test_python_dash_m_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "summitgame", "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert __version__ in proc.stdout
    assert proc.stdout.startswith("summitgame")


# --- validate ----------------------------------------------------------------------------------------


def test_validate_bundled_files() -> None:
    """Every bundled rule file is checked and summarised, each under its own fingerprint."""
    result = run("validate")
    assert result.exit_code == 0, result.output
    out = result.stdout
    files = bundled_rule_files()
    assert {p.name for p in files} >= {"summit.toml", "classic.toml", "trade.toml"}
    blocks = re.split(r"\n(?=\S)", out.strip())  # one block per file: its ok line, then indented details
    assert len(blocks) == out.count(": ok — ") == len(files)
    for path, block in zip(files, blocks, strict=True):
        r = load_rules(path)
        assert block.startswith(f"{display(path)}: ok — {r.name} (fingerprint {r.fingerprint})\n"), block
        assert (
            f"decks:  {len(r.event_ids)} events ({len(r.event_pool)} cards), "
            f"{len(r.gesture_ids)} gestures ({len(r.gesture_pool)} cards), {len(r.agenda_ids)} agendas"
        ) in block
        assert f"rounds: {r.rounds}; actions in the action space: {len(r.actions)}" in block
    assert f"classic.toml: ok — Summit (fingerprint {CLASSIC_FINGERPRINT})" in out
    assert "summit.toml: ok — Summit (fingerprint " in out
    assert "trade.toml: ok — Trade summit (fingerprint " in out
    assert "roles:  washington, moscow" in out
    assert "roles:  brussels, beijing" in out
    assert "tracks: ukraine, arms, syria, cyber, energy" in out
    assert "meters: trust (shared), pressure (per role)" in out
    assert "meters: trust (shared), market_confidence (shared), pressure (per role)" in out
    assert "tiers:  failed, incremental, symbolic" in out
    assert "tiers:  failed, breakthrough, incremental, symbolic" in out
    assert result.stderr == ""


def test_validate_good_file_shows_its_changes() -> None:
    result = run("validate", GOOD / "short_summit.toml")
    assert result.exit_code == 0, result.output
    assert "short_summit.toml: ok — Short summit" in result.stdout
    assert "rounds: 4;" in result.stdout


@pytest.mark.parametrize(
    ("bad", "path", "fragment"),
    [
        ("syntax_error.toml", None, "TOML syntax error"),
        ("unknown_key_rules.toml", "hands.sise", "unknown key"),
        ("wrong_type.toml", "rounds.count", "expected an integer, got a string ('six')"),
        ("start_out_of_bounds.toml", "meters.trust.start", "outside the meter's bounds"),
        ("empty_deck.toml", "cards", "must not be empty"),
        ("duplicate_ids.toml", "cards[1].id", "duplicate card id"),
        ("unknown_tier.toml", "outcome.order[1]", "unknown tier 'triumph'"),
        ("extends_missing.toml", "extends", "file not found"),
        ("extends_cycle_a.toml", "extends", "circular extends"),
        ("tier_impossible.toml", "tiers.incremental", "can never be reached"),
        ("deck_missing.toml", "decks.agendas", "deck file not found"),
    ],
)
def test_validate_bad_file(bad: str, path: str | None, fragment: str) -> None:
    result = run("validate", BAD / bad)
    assert_clean_failure(result)
    assert result.stdout == ""
    (m,) = problem_lines(result)
    assert m.group("path") == path
    assert fragment in m.group("msg")
    assert result.stderr.strip().endswith("1 problem found.")


def test_validate_syntax_error_has_line_number() -> None:
    result = run("validate", BAD / "syntax_error.toml")
    assert_clean_failure(result)
    (m,) = problem_lines(result)
    assert Path(m.group("file")).name == "syntax_error.toml"
    assert m.group("line") == "5"


def test_validate_reports_every_problem() -> None:
    result = run("validate", BAD / "several_schema_problems.toml")
    assert_clean_failure(result)
    found = problem_lines(result)
    assert {m.group("path") for m in found} == {"rounds.count", "hands.sise", "meters.trust.min"}
    assert {Path(m.group("file")).name for m in found} == {"several_schema_problems.toml"}
    assert all(m.group("line") for m in found)
    assert result.stderr.strip().endswith("3 problems found.")


def test_validate_several_files_good_and_bad() -> None:
    result = run("validate", SUMMIT, BAD / "unknown_role.toml", BAD / "unknown_stage.toml")
    assert_clean_failure(result)
    assert "summit.toml: ok — Summit" in result.stdout
    found = problem_lines(result)
    assert [Path(m.group("file")).name for m in found] == ["unknown_role.toml", "unknown_stage.toml"]


def test_validate_lone_card_files() -> None:
    good = run("validate", ROOT / "cards" / "gestures.toml")
    assert good.exit_code == 0, good.output
    assert "gestures.toml: ok — gestures deck" in good.stdout
    bad = run("validate", BAD / "cards" / "duplicate_gestures.toml")
    assert_clean_failure(bad)
    (m,) = problem_lines(bad)
    assert Path(m.group("file")).name == "duplicate_gestures.toml"
    assert m.group("line") == "12"
    assert m.group("path") == "cards[1].id"


def test_validate_missing_file() -> None:
    result = run("validate", BAD / "no_such_file.toml")
    assert_clean_failure(result)
    (m,) = problem_lines(result)
    assert m.group("msg") == "file not found"


# --- rules -------------------------------------------------------------------------------------------


def test_rules_prints_the_rulebook() -> None:
    result = run("rules")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Summit — rulebook")
    for heading in ("## The sides", "## Meters", "## Agenda tracks", "## A round", "## The end"):
        assert heading in out
    summit = load_rules(SUMMIT)
    trust = summit.spec.meters["trust"]
    assert f"**Trust** (`trust`), shared by both sides: {trust.min}–{trust.max}, starting at {trust.start}." in out
    assert summit.fingerprint in out


def test_rules_reflects_set() -> None:
    summit = load_rules(SUMMIT)
    was = summit.spec.meters["trust"].start
    start, rounds = (5 if was != 5 else 4), (7 if summit.rounds != 7 else 8)
    sets = [f"meters.trust.start={start}", f"rounds.count={rounds}"]
    result = run("rules", "--set", sets[0], "--set", sets[1])
    assert result.exit_code == 0, result.output
    assert f"0–10, starting at {start}." in result.stdout
    assert f"starting at {was}." not in result.stdout
    assert f"The summit lasts {rounds} rounds." in result.stdout
    assert load_rules(SUMMIT, sets).fingerprint in result.stdout


def test_rules_for_other_files() -> None:
    trade = run("rules", "--rules", TRADE)
    assert trade.exit_code == 0, trade.output
    assert trade.stdout.startswith("# Trade summit — rulebook")
    assert "Breakthrough" in trade.stdout
    short = run("rules", "--rules", GOOD / "short_summit.toml")
    assert short.exit_code == 0, short.output
    assert "The summit lasts 4 rounds." in short.stdout


def test_rules_bad_set_is_clean() -> None:
    result = run("rules", "--set", "hands.sise=4")
    assert_clean_failure(result)
    (line,) = problem_lines_set(result)
    assert line == "--set hands.sise=4: unknown key 'hands.sise'; did you mean 'hands.size'?"


def test_rules_bad_file_is_clean() -> None:
    result = run("rules", "--rules", BAD / "unknown_meter.toml")
    assert_clean_failure(result)
    assert result.stdout == ""
    (m,) = problem_lines(result)
    assert m.group("path") == "proposals.on_reject[0].meter"


# --- simulate ----------------------------------------------------------------------------------------


def test_simulate_lists_every_tier() -> None:
    result = run("simulate", "--games", "50", "--seed", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    rules = load_rules(SUMMIT)
    assert "50 random-vs-random games from seed 3" in out
    total = 0
    for tier_name in rules.tier_names:
        m = re.search(rf"^\s+{re.escape(tier_name)}\s+(\d+)\s+[\d.]+%", out, re.MULTILINE)
        assert m, f"tier {tier_name!r} missing from:\n{out}"
        total += int(m.group(1))
    assert total == 50


def test_simulate_trade_lists_its_four_tiers() -> None:
    result = run("simulate", "--rules", TRADE, "-n", "20", "-s", "1")
    assert result.exit_code == 0, result.output
    for tier_name in ("Failed", "Breakthrough", "Incremental", "Symbolic"):
        assert re.search(rf"^\s+{tier_name}\s+\d+", result.stdout, re.MULTILINE), result.stdout


def _json(*args: str) -> dict[str, object]:
    result = run("simulate", "--json", *args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


def test_simulate_json() -> None:
    doc = _json("--games", "50", "--seed", "3")
    assert doc["games"] == 50
    assert doc["seed"] == 3
    tiers = doc["tiers"]
    assert isinstance(tiers, dict)
    assert list(tiers) == list(load_rules(SUMMIT).tier_ids)
    assert sum(tiers.values()) == 50
    assert doc["rules"] == {"name": "Summit", "fingerprint": load_rules(SUMMIT).fingerprint}


def test_simulate_json_is_deterministic() -> None:
    a = _json("--games", "50", "--seed", "3")
    b = _json("--games", "50", "--seed", "3")
    c = _json("--games", "50", "--seed", "4")
    # games_per_second is a wall-clock measurement; everything else depends only on the seed
    for doc in (a, b, c):
        doc.pop("games_per_second")
    assert a == b
    assert a != c


def test_simulate_json_reflects_set() -> None:
    doc = _json("--games", "10", "--set", "rounds.count=4")
    rounds_played = doc["rounds_played"]
    assert isinstance(rounds_played, dict)
    assert max(int(k) for k in rounds_played) <= 4


@pytest.mark.parametrize(
    "bad", ["syntax_error.toml", "three_roles.toml", "extends_cycle_a.toml", "several_reference_problems.toml"]
)
def test_simulate_with_bad_rules_is_clean(bad: str) -> None:
    result = run("simulate", "--games", "5", "--rules", BAD / bad)
    assert_clean_failure(result)
    assert result.stdout == ""
    assert problem_lines(result)


def test_simulate_bad_usage() -> None:
    result = run("simulate", "--games", "0")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
