"""What ``tune``, ``targets`` and ``compare`` print (issue 15, bugs 1 and 7): the resumed tune's table keeps
each target on its row, trims are not counted as candidates, numbers are shown short, a targets file's
``[run] agents`` takes the comma list ``--agents`` takes, and ``report:`` goes where balance sends it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from test_tune_resume import BUDGET, TARGETS, Run, here, ref  # noqa: F401  (fixtures)

from summitgame.analysis.targets import split_specs, targets_from_text
from summitgame.cli import cli
from summitgame.rules.loader import load_rules
from summitgame.rules.params import show_number

WANTED = {"median_end_round": "== 10", "failed": "<= 50%"}  # TARGETS, in file order (not sorted)


def table_rows(stdout: str) -> dict[str, tuple[str, int]]:
    """Each target row of tune's table: target name -> (its 'wanted' cell, how many cells are shares)."""
    rows = {}
    for line in stdout.splitlines():
        m = re.match(r"\s+(median_end_round|failed)\s+(\S+ \S+)\s+(.*)$", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3).count("%"))
    return rows


# each row: the target, what it wants, and its two measured cells (tuning deals, fresh deals) in its unit
ALIGNED = {"median_end_round": ("== 10", 0), "failed": ("<= 50%", 2)}


def test_a_resumed_tune_keeps_each_target_on_its_row(ref: Run, here: Path) -> None:  # noqa: F811
    assert list(WANTED) != sorted(WANTED) and TARGETS.startswith("median_end_round")
    assert table_rows(ref.stdout) == ALIGNED
    out = here / "out"
    shutil.copytree(ref.folder / "out", out)
    res = ref.tune(BUDGET, "--resume")  # the winner now comes back from trials.jsonl, its measures sorted
    assert res.exit_code == ref.exit_code, res.output
    assert table_rows(res.stdout) == ALIGNED


def test_trims_are_not_counted_as_candidates(ref: Run) -> None:  # noqa: F811
    lines = [json.loads(ln) for ln in ref.lines]
    searched = sum(1 for t in lines if t["phase"] == "search" and t["fingerprint"] and not t.get("cached"))
    trims = sum(1 for t in lines if t["phase"] == "trim" and t["fingerprint"] and not t.get("cached"))
    assert trims >= 1
    head = ref.stdout.splitlines()[0]
    assert f": {searched} candidates played (and {trims} trim" in head, head
    assert searched <= BUDGET


def test_numbers_are_shown_short() -> None:
    assert show_number(0.7234987234) == "0.723499"
    assert show_number(2.0) == "2.0" and show_number(3) == "3" and show_number(1e-9) == "1e-09"


def test_run_agents_take_the_comma_list_agents_takes() -> None:
    rules = load_rules()
    listed = targets_from_text('failed = "<= 50%"\n[run]\nagents = ["greedy", "linear"]\n', rules)
    comma = targets_from_text('failed = "<= 50%"\n[run]\nagents = "greedy, linear"\n', rules)
    assert comma.run["agents"] == listed.run["agents"] == ["greedy", "linear"]
    assert split_specs("mcts:c=1,iterations=9,greedy") == ["mcts:c=1,iterations=9", "greedy"]


def test_compare_and_balance_print_report_on_the_same_stream(tmp_path: Path) -> None:
    rules = Path(__file__).resolve().parents[2] / "rules" / "summit.toml"
    common = ["--agents", "greedy", "--games", "2"]
    bal = CliRunner().invoke(cli, ["balance", *common, "--probe-games", "0", "--html", str(tmp_path / "b.html")])
    cmp = CliRunner().invoke(cli, ["compare", str(rules), str(rules), *common, "--html", str(tmp_path / "c.html")])
    assert bal.exit_code == 0 and cmp.exit_code == 0, bal.output + cmp.output
    for res, name in ((bal, "b.html"), (cmp, "c.html")):
        assert f"report:            {tmp_path / name}" in res.stderr  # stdout stays the report (or its JSON)
        assert "report:" not in res.stdout
