"""The examples in ``examples/``: a plug-in agent installed by entry point, games.jsonl into rows (pandas when
installed), and a MaskablePPO smoke run (only when sb3-contrib is installed)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from summitgame.agents.base import Agent
from summitgame.cli import cli
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import play_game
from summitgame.runs.tournament import read_games

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PLUGIN = EXAMPLES / "plugin_agent"


def load_example(path: Path) -> ModuleType:
    """Import an example file as a module (examples are not a package)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def install_plugin(target: Path) -> None:
    """Install the example package into ``target`` as pip would lay it out (module and dist-info with its entry
    points, taken from the example's pyproject), without building a wheel: no network, no build backend."""
    meta = tomllib.loads((PLUGIN / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    shutil.copy(PLUGIN / "summit_cautious.py", target)
    info = target / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n")
    groups = meta["entry-points"].items()
    text = "\n".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) for group, eps in groups)
    (info / "entry_points.txt").write_text(text)


def test_plugin_agent_is_small_and_plays(summit_rules: Ruleset) -> None:
    module = load_example(PLUGIN / "summit_cautious.py")
    code = [ln for ln in (PLUGIN / "summit_cautious.py").read_text().splitlines() if ln.strip()]
    assert len(code) <= 30
    cls = module.Cautious
    assert issubclass(cls, Agent) and cls.name == "cautious"
    for seed in range(6):
        result = play_game(summit_rules, [cls(margin=2), cls()], seed)
        assert result.forfeit is None and result.outcome is not None


def test_installed_plugin_is_an_agent_name_in_every_command(tmp_path: Path) -> None:
    install_plugin(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "src")])}
    run = [sys.executable, "-m", "summitgame"]
    listed = subprocess.run([*run, "agents"], capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "cautious: Takes a package worth more than" in listed.stdout
    assert "margin: a whole number in -50..50" in listed.stdout
    args = ["match", "cautious:margin=3", "random", "-n", "4", "--seed", "1", "--json"]
    played = subprocess.run([*run, *args], capture_output=True, text=True, env=env, timeout=120)
    assert played.returncode == 0, played.stderr
    assert '"cautious:margin=3"' in played.stdout
    bad = subprocess.run([*run, "match", "cautious:margin=99", "random"], capture_output=True, text=True, env=env)
    assert bad.returncode != 0 and "margin must be" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture(scope="module")
def games_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    args = ["tournament", "greedy", "random", "boulware", "-n", "6", "--seed", "2", "--out", str(out)]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    return out / "games.jsonl"


def test_games_file_as_rows(games_file: Path) -> None:
    example = load_example(EXAMPLES / "games_to_pandas.py")
    lines = read_games(games_file)
    games = list(example.game_rows(games_file))
    assert len(games) == len(lines) == 18
    for row, line in zip(games, lines, strict=True):
        assert row["game_id"] == line["game_id"] and row["tier"] == line["outcome"]["tier"]
        assert row["washington_agent"] == line["agents"]["washington"]
        assert row["moscow_score"] == line["outcome"]["scores"]["moscow"]
    per_agent = list(example.agent_rows(games_file))
    assert len(per_agent) == 2 * len(lines)
    # match points add up as the tournament's standings count them: each game gives out exactly 1 point
    assert sum(r["points"] for r in per_agent) == len(lines)
    greedy = [r["points"] for r in per_agent if r["agent"] == "greedy"]
    assert len(greedy) == 12 and sum(greedy) > 6


def test_games_file_into_pandas(games_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pandas")
    example = load_example(EXAMPLES / "games_to_pandas.py")
    chart = tmp_path / "chart.png"
    assert example.main([str(games_file), "--plot", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "18 games" in out and "greedy" in out
    assert chart.stat().st_size > 1000


@pytest.mark.slow  # a tournament of shell-and-awk bot processes, ~1.5 s
@pytest.mark.skipif(os.name != "posix" or shutil.which("awk") is None, reason="needs a Unix shell and awk")
def test_the_shell_and_awk_bot_plays_a_whole_tournament(tmp_path: Path) -> None:
    """examples/bots/dealer.sh (POSIX sh and awk, no Python) plays every game of a tournament through, with no
    forfeit, and plays the game: against random it comes out ahead on the summed score margin."""
    bot = f"cmd:sh {EXAMPLES / 'bots' / 'dealer.sh'}"
    out = tmp_path / "run"
    args = ["tournament", bot, "random", "greedy", "-n", "6", "--seed", "3", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    games = read_games(out / "games.jsonl")
    assert len(games) == 18
    assert all(game["forfeit"] is None for game in games), [g["forfeit"] for g in games if g["forfeit"]]
    theirs = [g for g in games if bot in g["agents"].values() and "random" in g["agents"].values()]
    margin = [
        g["outcome"]["scores"][role] - g["outcome"]["scores"][other]
        for g in theirs
        for role, other in (("washington", "moscow"), ("moscow", "washington"))
        if g["agents"][role] == bot
    ]
    assert len(margin) == 6 and sum(margin) > 0


@pytest.mark.slow
def test_maskable_ppo_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A few hundred steps of MaskablePPO: the policy trains, never picks an illegal action, and the saved model
    loads and plays. Skipped only where sb3-contrib is not installed (the ``rl`` extra, not in ``test``); where
    it is, a broken install (torch missing, an API that moved) fails instead of skipping."""
    if importlib.util.find_spec("sb3_contrib") is None:
        pytest.skip("sb3-contrib is not installed (pip install '.[rl]')")
    from sb3_contrib import MaskablePPO

    from summitgame.integrations.gymnasium import SummitEnv

    example = load_example(EXAMPLES / "train_maskable_ppo.py")
    saved = tmp_path / "ppo.zip"
    args = ["--steps", "256", "--n-steps", "128", "--episodes", "4", "--save", str(saved)]
    assert example.main(args) == 0
    out = capsys.readouterr().out
    line = re.compile(
        r"^(trained|random)\s+vs greedy: mean reward ([-+]\d+\.\d\d), score rate (\d+\.\d)%, "
        r"illegal actions (\d+) \(4 deals\)$",
        re.MULTILINE,
    )
    rows = {m[1]: (float(m[2]), float(m[3]), int(m[4])) for m in line.finditer(out)}
    assert set(rows) == {"trained", "random"}, out
    for reward, rate, illegal in rows.values():
        assert illegal == 0 and 0.0 <= rate <= 100.0 and -100.0 < reward < 100.0
    model = MaskablePPO.load(str(saved))
    env = SummitEnv(opponent="greedy")
    obs, _ = env.reset(seed=3)
    done = False
    while not done:
        mask = env.action_masks()
        action, _ = model.predict(obs, action_masks=mask, deterministic=True)
        assert mask[int(action)], f"the loaded model chose illegal action {int(action)}"
        obs, _, done, _, info = env.step(int(action))
    assert "outcome" in info and "illegal_action" not in info
