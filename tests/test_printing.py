"""Text from data files reaches the terminal without escape sequences (issue #11, section 4): record fields,
rule-file and agent names, specs quoted in errors, in every command outside ``play``/``replay`` stepping."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from summitgame.cli import cli
from summitgame.engine import new_game
from summitgame.play.saves import save_game
from summitgame.rules.loader import load_rules

ESC = "\x1b"


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_records_rules_options_with_an_escape_sequence_prints_no_escape(tmp_path: Path) -> None:
    rules = load_rules(None, ["rounds.count=3"])
    path = tmp_path / "save.json"
    save_game(path, new_game(rules, 5), ["human", "random"], ["--set", "rounds.count=3\x1b[2J\x1b]0;owned\x07"])
    assert "\\u001b[2J" in path.read_text(encoding="utf-8")  # the file holds it
    res = run("replay", path, "--verify")  # under the default rules: refused, quoting the options
    assert res.exit_code == 1 and "It was saved with" in res.output
    assert ESC not in res.output and "\x07" not in res.output and "\\x1b[2J" in res.output


def test_a_records_rules_name_prints_no_escape(tmp_path: Path) -> None:
    rules = load_rules(None)
    path = tmp_path / "save.json"
    save_game(path, new_game(rules, 5), ["human", "random"], [])
    doc = json.loads(path.read_text())
    doc["rules"] = {"name": "\x1b[2JSummit", "fingerprint": "\x1b[31m0123"}
    path.write_text(json.dumps(doc))
    res = run("replay", path, "--verify")
    assert res.exit_code == 1 and ESC not in res.output and "recorded under rules '\\x1b[2JSummit'" in res.output


def test_agent_names_from_data_print_no_escape_in_summaries(tmp_path: Path) -> None:
    personas = tmp_path / "p.toml"
    personas.write_text('["\\u001b[2Jspy"]\ndescription = "Trusts no one."\n', encoding="utf-8")
    spec = f"persona:name=\x1b[2Jspy,file={personas}"
    for args in (
        ["match", spec, "random", "-n", 2],
        ["tournament", spec, "random", "greedy", "-n", 2, "--out", tmp_path / "t"],
    ):
        res = run(*args)
        assert res.exit_code == 0, res.output
        assert ESC not in res.output and "\\x1b[2Jspy" in res.output
    res = run("match", spec, "random", "-n", 2, "--json")
    assert res.exit_code == 0 and ESC not in res.output  # JSON escapes it (\u001b)


def test_specs_and_paths_quoted_in_errors_print_no_escape(tmp_path: Path) -> None:
    for args in (
        ["match", "\x1b[2Jevil", "random"],
        ["match", "mcts:c=\x1b[2J", "random"],
        ["match", "persona:file=\x1b[2J.toml", "random"],
        ["tournament", "random", "greedy", "--out", tmp_path / "\x1b[2J" / "x\0"],
        ["balance", "--records", tmp_path / "\x1b[2Jnone", "--games", 2],
    ):
        res = run(*args)
        assert res.exit_code in (1, 2) and "Traceback" not in res.output, res.output
        assert ESC not in res.output, res.output
