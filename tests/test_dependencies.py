"""Dependencies fit the users (issue 14): a player's install brings no matplotlib, and numpy is declared
wherever it is imported.

The checks run the package in a subprocess whose import system hides modules (a ``sys.meta_path`` finder
that answers "not installed"), as on a machine without them: every module is imported, a game, a match
and a tournament are played, and ``--html`` without matplotlib fails in one line naming the extra.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: The modules that import numpy when imported, and the extra that brings it to their users.
NUMPY_AT_IMPORT = {
    "summitgame.analysis.metagame": "metagame",
    "summitgame.integrations.encoding": "pettingzoo",  # shared by the three adapters below
    "summitgame.integrations.gymnasium": "gymnasium",
    "summitgame.integrations.openspiel": "openspiel",
    "summitgame.integrations.pettingzoo": "pettingzoo",
}

HIDE = """
import importlib.abc, sys

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Hide())
"""


def run_hidden(hidden: set[str], body: str, cwd: Path) -> Any:
    """Run ``body`` with the ``hidden`` top-level packages not importable; it prints one JSON document."""
    code = f"HIDDEN = {sorted(hidden)!r}\n{HIDE}\n{textwrap.dedent(body)}"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def names(requirements: list[str]) -> set[str]:
    """Distribution names of requirement strings ("numpy>=1.24" -> "numpy")."""
    return {r.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for r in requirements}


def test_a_player_install_brings_no_matplotlib_and_numpy_is_declared() -> None:
    project = PYPROJECT["project"]
    core = names(project["dependencies"])
    assert "matplotlib" not in core
    assert "numpy" in core  # the designer's bootstraps import it when they run (stats, analysis.aggregate)
    assert names(project["optional-dependencies"]["html"]) == {"matplotlib"}
    assert "matplotlib" in names(project["optional-dependencies"]["test"])


def test_every_module_that_imports_numpy_is_in_an_extra_that_declares_it() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {extra: "numpy" in names(extras[extra]) for extra in set(NUMPY_AT_IMPORT.values())} == dict.fromkeys(
        set(NUMPY_AT_IMPORT.values()), True
    )


def test_without_numpy_and_matplotlib_the_core_imports_and_plays(tmp_path: Path) -> None:
    body = """
    import importlib, json, pkgutil, sys
    import summitgame

    failed = {}
    for m in pkgutil.walk_packages(summitgame.__path__, "summitgame."):
        if m.name == "summitgame.__main__":  # it runs the command
            continue
        try:
            importlib.import_module(m.name)
        except ImportError as exc:
            failed[m.name] = exc.name

    from click.testing import CliRunner
    from summitgame.agents.base import make_agent
    from summitgame.cli import cli
    from summitgame.rules.loader import load_rules
    from summitgame.runs.match import play_game

    rules = load_rules(None)
    game = play_game(rules, [make_agent("greedy"), make_agent("random")], 7)
    runner = CliRunner()
    match = runner.invoke(cli, ["match", "greedy", "random", "-n", "4", "--seed", "1", "--json"])
    tour = runner.invoke(cli, ["tournament", "greedy", "random", "titfortat", "-n", "2", "-s", "1", "-o", "t"])
    valid = runner.invoke(cli, ["validate"])
    print(json.dumps({
        "failed": failed,
        "decisions": sum(game.decisions),
        "match": [match.exit_code, match.stderr or json.loads(match.stdout)["games"]["played"]],
        "tournament": [tour.exit_code, tour.stderr[-300:]],
        "validate": valid.exit_code,
        "loaded": sorted({m.partition(".")[0] for m in sys.modules} & set(HIDDEN)),
    }))
    """
    got = run_hidden({"numpy", "matplotlib"}, body, tmp_path)
    assert got["failed"] == dict.fromkeys(NUMPY_AT_IMPORT, "numpy")
    assert got["decisions"] > 0
    assert got["match"] == [0, 4]
    assert got["tournament"][0] == 0, got["tournament"]
    assert got["validate"] == 0
    assert got["loaded"] == []


def test_html_without_matplotlib_fails_at_once_naming_the_extra(tmp_path: Path) -> None:
    """Before any game is played (a long balance run does not end in an ImportError's traceback)."""
    body = """
    import json
    from click.testing import CliRunner
    from summitgame.cli import cli

    out = {}
    for args in (["balance", "-n", "2"], ["compare", "A.toml", "B.toml"], ["sweep", "--param", "rounds.count=5,6"],
                 ["exploit", "random"], ["metagame", "random", "greedy"]):
        r = CliRunner().invoke(cli, [*args, "--html", "r.html"])
        out[args[0]] = [r.exit_code, r.stdout, r.stderr]
    print(json.dumps(out))
    """
    got = run_hidden({"matplotlib"}, body, tmp_path)
    message = "error: HTML reports need matplotlib: pip install 'summitgame[html]'\n"
    assert got == {cmd: [1, "", message] for cmd in ("balance", "compare", "sweep", "exploit", "metagame")}
    assert not (tmp_path / "r.html").exists()
