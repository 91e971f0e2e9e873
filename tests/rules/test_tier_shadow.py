"""``validate`` refuses a tier shadowed by an earlier one (issue 15, bug 3): whenever it would hold, a tier
checked before it holds too, so it can never be the outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from summitgame.cli import cli
from summitgame.errors import RulesError
from summitgame.rules.loader import load_rules

SUMMIT = Path(__file__).resolve().parents[2] / "rules" / "summit.toml"

TIERS = """
[outcome]
order = {order}
[tiers.failed]
name = "Failed"
bonus = -5
any = [{{ kind = "ended_by", reasons = ["walkout", "breakdown"] }}, {{ kind = "meter", meter = "trust", at_most = 1 }}]
[tiers.incremental]
name = "Incremental"
bonus = 5
all = [{incremental}]
[tiers.partial]
name = "Partial"
bonus = 3
all = [{partial}]
[tiers.symbolic]
name = "Symbolic"
bonus = 2
"""


def variant(tmp_path: Path, order: list[str], partial: str, incremental: str) -> Path:
    path = tmp_path / "variant.toml"
    body = TIERS.format(order=repr(order).replace("'", '"'), partial=partial, incremental=incremental)
    path.write_text(f'extends = "{SUMMIT.as_posix()}"\n' + body, encoding="utf-8")
    return path


ONE = '{ kind = "tracks", at_least = "accord", count = 1 }'
TWO = '{ kind = "tracks", at_least = "accord", count = 2 }'


def problems(path: Path) -> list[str]:
    with pytest.raises(RulesError) as exc:
        load_rules(path)
    return [str(p) for p in exc.value.problems]


def test_partial_before_breakthrough_is_refused(tmp_path: Path) -> None:
    # the case: one accord (partial) checked before two accords (here 'incremental')
    path = variant(tmp_path, ["failed", "partial", "incremental", "symbolic"], ONE, TWO)
    (p,) = problems(path)
    assert "tiers.incremental: can never be reached: tier 'partial' comes before it" in p
    assert p.startswith(f"{path.name}:") or "variant.toml:" in p  # reported in the file that orders them, at a line


def test_the_stricter_tier_first_is_fine(tmp_path: Path) -> None:
    path = variant(tmp_path, ["failed", "incremental", "partial", "symbolic"], ONE, TWO)
    assert load_rules(path).tier_ids == ("failed", "incremental", "partial", "symbolic")


def test_a_later_stage_or_a_narrower_meter_range_is_shadowed(tmp_path: Path) -> None:
    framework = '{ kind = "tracks", at_least = "framework", count = 1 }'
    path = variant(tmp_path, ["failed", "partial", "incremental", "symbolic"], framework, ONE)
    assert any("tiers.incremental: can never be reached: tier 'partial'" in p for p in problems(path))
    low = '{ kind = "meter", meter = "trust", at_most = 5 }'
    lower = '{ kind = "meter", meter = "trust", at_least = 2, at_most = 3 }'
    path = variant(tmp_path, ["failed", "partial", "incremental", "symbolic"], low, lower)
    assert any("tiers.incremental: can never be reached: tier 'partial'" in p for p in problems(path))


def test_each_alternative_of_an_any_tier_must_be_covered(tmp_path: Path) -> None:
    # 'failed' holds on a walk-out, a breakdown or trust <= 1; a later tier that needs trust <= 0 is shadowed
    zero = '{ kind = "meter", meter = "trust", at_most = 0 }'
    path = variant(tmp_path, ["failed", "partial", "incremental", "symbolic"], zero, ONE)
    assert any("tiers.partial: can never be reached: tier 'failed'" in p for p in problems(path))
    # ... but one that needs trust <= 2 is not (trust 2 is not a failure)
    two = '{ kind = "meter", meter = "trust", at_most = 2 }'
    assert load_rules(variant(tmp_path, ["failed", "partial", "incremental", "symbolic"], two, ONE))


def test_a_condition_on_another_role_does_not_shadow(tmp_path: Path) -> None:
    wash = '{ kind = "meter", meter = "pressure", who = "washington", at_most = 8 }'
    moscow = '{ kind = "meter", meter = "pressure", who = "moscow", at_most = 4 }'
    assert load_rules(variant(tmp_path, ["failed", "partial", "incremental", "symbolic"], wash, moscow))


def test_validate_exits_non_zero_on_a_shadowed_tier(tmp_path: Path) -> None:
    path = variant(tmp_path, ["failed", "partial", "incremental", "symbolic"], ONE, TWO)
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 1 and "can never be reached: tier 'partial'" in res.output
    assert "Traceback" not in res.output


def test_the_bundled_rules_have_no_shadowed_tier() -> None:
    res = CliRunner().invoke(cli, ["validate"])
    assert res.exit_code == 0, res.output
