"""Errors become messages and exit codes once, in the command group, the same for every command (issue 14).

``CASES`` are failing invocations of every command; ``data/cli_errors.json`` holds what each printed (stdout,
stderr, exit code) when a decorator per command still handled the errors (recorded from main at f99e4c7).
Moving the handler into the group must not change a byte. To record again after a deliberate change of a
message: ``PYTHONPATH=src python tests/cli/test_cli_errors.py`` (then read the diff).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summitgame.cli import cli
from summitgame.cli import common as cli_common

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "data" / "cli_errors.json"

#: Failing invocations, run in the folder ``workspace`` makes; every command appears at least once.
CASES: list[list[str]] = [
    ["validate", "syntax_error.toml"],
    ["validate", "good.toml", "syntax_error.toml"],  # the good file's summary on stdout, the problems on stderr
    ["validate", "three_problems.toml"],
    ["rules", "--set", "meters.trust.start=abc"],
    ["rules", "--set", "nonsense"],
    ["rules", "--rules", "missing.toml"],
    ["rules", "--rules", "."],  # click's own: usage error, exit 2
    ["simulate", "--rules", "syntax_error.toml"],
    ["simulate", "--games", "0"],
    ["play", "--player", "moscow=nosuch"],
    ["play", "--load", "missing.json"],
    ["replay", "missing.json"],
    ["replay", "bad.json"],
    ["replay", "afile"],
    ["watch", "--player", "moscow=nosuch"],
    ["watch", "missing.json"],
    ["agents", "--agent", "nosuchmod:X"],
    ["match", "nosuch", "random", "--seed", "1"],
    ["match", "mcts:iterations=0", "random", "--seed", "1"],  # a budget of 0
    ["match", "mcts:time=-1", "random", "--seed", "1"],
    ["tournament", "random", "greedy", "-n", "2", "--seed", "1", "-o", "corrupt", "--resume"],
    ["tournament", "random", "--seed", "1"],
    ["export", "missing", "--csv", "out"],
    ["export", "games.jsonl", "--csv", "out"],
    ["balance", "--agents", "nosuch"],
    ["compare", "missing.toml", "syntax_error.toml"],
    ["metagame", "nosuch", "random"],
    ["metagame", "random"],
    ["sweep", "--param", "nonsense=1,2"],
    ["sweep", "--param", "rounds.count=1,2", "--agents", "nosuch"],
    ["targets", "missing.toml"],
    ["targets", "syntax_error.toml"],
    ["tune", "--targets", "missing.toml"],
    ["tunables", "--rules", "syntax_error.toml"],
    ["exploit", "nosuch"],
    ["exploit", "random", "--field", "nosuch"],
    ["init", "taken"],
    ["init", "afile"],
]


def make_workspace(folder: Path) -> None:
    """The files the cases read: bad rules, a good one, a corrupt record and games file, an occupied folder."""
    bad = ROOT / "tests" / "data" / "bad"
    (folder / "syntax_error.toml").write_text((bad / "syntax_error.toml").read_text(encoding="utf-8"))
    three = (bad / "several_schema_problems.toml").read_text(encoding="utf-8")
    summit = (ROOT / "rules" / "summit.toml").as_posix()
    (folder / "three_problems.toml").write_text(three.replace("../../../rules/summit.toml", summit))
    (folder / "good.toml").write_text(f'extends = "{summit}"\n')
    (folder / "bad.json").write_text('{"not": "a record"}\n')
    (folder / "afile").write_text("x\n")
    (folder / "games.jsonl").write_text("garbage\n")
    (folder / "corrupt").mkdir()
    (folder / "corrupt" / "games.jsonl").write_text('{"x": 1}\n')
    (folder / "taken").mkdir()
    (folder / "taken" / "rules.toml").write_text("x\n")


def run_case(args: list[str]) -> dict[str, object]:
    """What one invocation printed, and its exit code; a traceback (an escaped exception) is recorded too."""
    result = CliRunner().invoke(cli, args)
    escaped = None if isinstance(result.exception, SystemExit | None) else type(result.exception).__name__
    return {"exit": result.exit_code, "stdout": result.stdout, "stderr": result.stderr, "escaped": escaped}


def unlisted(case: dict[str, object]) -> dict[str, object]:
    """``case`` without the list of known agents an unknown one is told of (other tests in the same process
    register agents of their own) and without rule fingerprints (the bundled rules change; the messages do not)."""

    def masked(text: str) -> str:
        text = re.sub(r"; agents are [^\n]*", "; agents are ...", text)
        return re.sub(r"fingerprint [0-9a-f]{16}", "fingerprint ...", text)

    return {k: masked(v) if isinstance(v, str) else v for k, v in case.items()}


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    make_workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_every_command_is_in_the_table() -> None:
    assert {c[0] for c in CASES} == set(cli.commands) - {"schema"}  # schema: test_schema_write_error_is_one_line


@pytest.mark.usefixtures("workspace")
@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_failures_print_what_they_printed_before(args: list[str]) -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))[" ".join(args)]
    got = run_case(args)
    assert unlisted(got) == unlisted(recorded)
    assert got["exit"] != 0 and got["escaped"] is None


def test_the_handler_lives_in_the_group_not_in_each_command() -> None:
    """No command callback is wrapped by a handler of cli_common's any more: one place turns errors into exit codes.
    (The bot options' wrapper, which bundles four arguments into one, is cli_common's too: it catches nothing.)"""

    def caught_here(func: Any) -> bool:  # anywhere down the chain of decorators (click's pass_context wraps too)
        while func is not None:
            code = func.__code__
            if code.co_filename == cli_common.__file__ and code.co_exceptiontable:  # a try block (Python 3.11+)
                return True
            func = getattr(func, "__wrapped__", None)
        return False

    def handler(*args: Any) -> None:
        try:
            args[0]()
        except cli_common.SummitError as exc:
            raise SystemExit(1) from exc

    handler.__code__ = handler.__code__.replace(co_filename=cli_common.__file__)
    assert caught_here(handler)  # the check sees a handler written in cli_common
    assert isinstance(cli, cli_common.SummitGroup)
    assert [name for name, cmd in cli.commands.items() if caught_here(cmd.callback)] == []


@pytest.mark.usefixtures("workspace")
def test_schema_write_error_is_one_line() -> None:
    """``schema --out`` had no error handler: a file it cannot write escaped as a traceback."""
    Path("sd", "summitgame-rules.schema.json").mkdir(parents=True)  # a folder where a schema file should go
    got = run_case(["schema", "--out", "sd"])
    assert got["escaped"] is None and got["exit"] == 1
    assert got["stderr"] == "error: sd/summitgame-rules.schema.json: cannot write: is a folder, not a file\n"


def test_a_ctrl_c_no_command_catches_exits_130_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C that no command catches ends as cli.py's docstring says: status 130 and one line (click's own
    answer was "Aborted!" and status 1)."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("summitgame.cli.commands.simulate", interrupted)
    assert run_case(["simulate", "-n", "1"]) == {"exit": 130, "stdout": "", "stderr": "interrupted\n", "escaped": None}


def test_the_console_script_prints_one_line(tmp_path: Path) -> None:
    """Through ``main`` (as ``python -m summitgame``): the message, exit 1, no traceback."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "summitgame", "rules", "--rules", "missing.toml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "missing.toml: file not found\n1 problem found.\n")


if __name__ == "__main__":  # record the table anew (see the module docstring)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        make_workspace(Path(tmp))
        os.chdir(tmp)
        table = {" ".join(args): run_case(args) for args in CASES}
    RECORDED.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
