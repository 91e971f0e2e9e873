"""Data out (issue 15): ``--csv DIR`` on the commands that play games, ``summitgame export``, and
``summitgame.read_games`` / ``read_game_rows``: tidy tables with documented columns, the same bytes for the
same games, typed values that survive the trip through CSV."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import summitgame
from summitgame.agents import load_class
from summitgame.analysis import export as ex
from summitgame.cli import cli
from summitgame.rules.loader import default_rules_path
from summitgame.runs.tournament import read_games as read_lines

load_class("helper_agents:Crasher")
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "researchers.md"


def run(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small tournament with a forfeit in it, played once, its tables written by --csv."""
    base = tmp_path_factory.mktemp("tour")
    res = run("tournament", "greedy", "random", "crasher:after=3", "-n", 2, "--seed", 4, "--out", base / "run")
    assert res.exit_code == 0, res.output
    res = run("tournament", "greedy", "random", "crasher:after=3", "-n", 2, "--seed", 4, "--out", base / "run",
              "--resume", "--csv", base / "csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "tables:" in res.stderr and "6 games" in res.stderr
    return base


def test_one_row_per_game_and_per_agent_with_the_documented_columns(tour: Path) -> None:
    lines = sorted(read_lines(tour / "run" / "games.jsonl"), key=lambda ln: ln["index"])
    games, agents = table(tour / "csv" / "games.csv"), table(tour / "csv" / "agents.csv")
    assert list(games[0]) == [c.name for c in ex.GAME_COLUMNS]
    assert list(agents[0]) == [c.name for c in ex.AGENT_COLUMNS]
    assert [g["game_id"] for g in games] == [ln["game_id"] for ln in lines]
    assert len(agents) == 2 * len(games)
    for g, line in zip(games, lines, strict=True):
        mine = [a for a in agents if a["game_id"] == g["game_id"]]
        assert {a["role"] for a in mine} == set(line["agents"]) == {g["role0"], g["role1"]}
        assert sum(float(a["points"]) for a in mine) == 1.0  # a win and a loss, or two ties
        if line["forfeit"]:
            assert g["reason"] == "forfeit" and g["measured"] == "false" and g["tier"] == ""
            assert g["forfeit_agent"] == line["forfeit"]["agent"] and "boom" in g["forfeit_error"]
            loser = next(a for a in mine if a["forfeited"] == "true")
            assert loser["result"] == "loss" and loser["agent"].startswith("crasher")
        else:
            scores = line["outcome"]["scores"]
            assert (int(g["score0"]), int(g["score1"])) == (scores[g["role0"]], scores[g["role1"]])
            assert g["measured"] == "true" and int(g["moves"]) == len(line["actions"])
            assert g["tier"] == line["outcome"]["tier"] and g["winner_agent"] == (line["winner"] or "")
    assert any(g["reason"] == "forfeit" for g in games) and any(g["measured"] == "true" for g in games)


def test_meters_table_holds_each_meter_per_round_and_at_the_end(tour: Path) -> None:
    games = {g["game_id"]: g for g in table(tour / "csv" / "games.csv")}
    meters = table(tour / "csv" / "meters.csv")
    assert list(meters[0]) == [c.name for c in ex.METER_COLUMNS]
    measured = [g for g in games.values() if g["measured"] == "true"]
    for g in measured:
        mine = [m for m in meters if m["game_id"] == g["game_id"]]
        trust = [m for m in mine if m["meter"] == "trust"]
        assert [m["round"] for m in trust] == [str(r) for r in range(1, int(g["rounds"]) + 1)] + [g["rounds"]]
        assert [m["at"] for m in trust][-1] == "end" and trust[0]["role"] == ""
        assert {m["role"] for m in mine if m["meter"] == "pressure"} == {g["role0"], g["role1"]}
    assert not any(m["game_id"] == g["game_id"] for m in meters for g in games.values() if g["measured"] == "false")


def test_export_writes_the_same_bytes_as_the_run(tour: Path, tmp_path: Path) -> None:
    res = run("export", tour / "run", "--csv", tmp_path / "again")
    assert res.exit_code == 0, res.output
    for name in (ex.GAMES_CSV, ex.AGENTS_CSV, ex.METERS_CSV):
        assert (tmp_path / "again" / name).read_bytes() == (tour / "csv" / name).read_bytes()


def test_export_without_the_rules_keeps_measured_columns_empty_and_says_so(tour: Path, tmp_path: Path) -> None:
    res = run("export", tour / "run" / "games.jsonl", "--rules", default_rules_path().parent / "classic.toml",
              "--csv", tmp_path / "t")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "were not measured" in res.stderr and "--rules" in res.stderr
    games = table(tmp_path / "t" / "games.csv")
    assert {g["measured"] for g in games} == {"false"} and {g["offers"] for g in games} == {""}
    assert table(tmp_path / "t" / "meters.csv") == []


def test_export_errors_are_one_line(tmp_path: Path) -> None:
    res = run("export", tmp_path, "--csv", tmp_path / "t")
    assert res.exit_code == 1 and res.output.count("\n") == 1 and "no games.jsonl" in res.output
    (tmp_path / "games.jsonl").write_text('{"not": "a game"}\n', encoding="utf-8")
    res = run("export", tmp_path, "--csv", tmp_path / "t")
    assert res.exit_code == 1 and "games.jsonl:1" in res.output and "Traceback" not in res.output


def test_read_games_gives_typed_dataframes_from_the_file_and_from_the_tables(tour: Path) -> None:
    import pandas as pd  # here, not at the top: importing it costs each worker that collects the file ~0.5 s

    from_file = summitgame.read_games(tour / "run" / "games.jsonl")
    from_csv = summitgame.read_games(tour / "csv")
    assert isinstance(from_file, pd.DataFrame) and len(from_file) == 6
    assert list(from_file.columns) == [c.name for c in ex.GAME_COLUMNS]
    pd.testing.assert_frame_equal(from_file, from_csv)
    assert str(from_file["score0"].dtype) == "Int64" and str(from_file["measured"].dtype) == "boolean"
    agents = summitgame.read_games(tour / "run", per="agent")
    assert len(agents) == 12 and agents.groupby("agent")["points"].sum().sum() == 6.0
    pd.testing.assert_frame_equal(agents, summitgame.read_games(tour / "csv" / "agents.csv"))
    meters = summitgame.read_games(tour / "run", per="meter")
    assert set(meters["meter"]) == {"trust", "pressure"} and str(meters["value"].dtype) == "Int64"


def test_read_game_rows_needs_no_pandas_and_read_games_says_how_to_get_it(
    tour: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = summitgame.read_game_rows(tour / "csv")
    assert rows == summitgame.read_game_rows(tour / "run" / "games.jsonl")  # typed the same both ways
    assert isinstance(rows[0]["deal_seed"], int) and isinstance(rows[0]["measured"], bool)
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    with pytest.raises(ex.ExportError, match=r"pip install pandas"):
        summitgame.read_games(tour / "csv")
    with pytest.raises(ex.ExportError, match="per must be one of"):
        summitgame.read_game_rows(tour / "csv", per="round")  # type: ignore[arg-type]


def test_balance_compare_and_sweep_write_their_games(tmp_path: Path) -> None:
    res = run("balance", "--agents", "greedy,random", "-n", 4, "--probe-games", 0, "--json", "--csv", tmp_path / "b")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # stdout stays one JSON document: the tables line goes to stderr
    games = table(tmp_path / "b" / "games.csv")
    assert len(games) == doc["provenance"]["games_planned"]
    rules = str(default_rules_path())
    res = run("compare", rules, rules, "--set-b", "rounds.count=4", "--agents", "greedy", "-n", 4,
              "--csv", tmp_path / "c")  # fmt: skip
    assert res.exit_code == 0, res.output
    games = table(tmp_path / "c" / "games.csv")
    assert next(iter(games[0])) == "side" and [g["side"] for g in games] == ["a"] * 4 + ["b"] * 4
    assert {g["rounds"] for g in games if g["side"] == "b"} <= {"1", "2", "3", "4"}
    res = run("sweep", "--param=rounds.count=4,5", "--measure=failed", "--agents", "greedy", "-n", 4,
              "--csv", tmp_path / "s")  # fmt: skip
    assert res.exit_code == 0, res.output
    games = table(tmp_path / "s" / "games.csv")
    assert list(games[0])[:2] == ["point", "param:rounds.count"]
    assert [(g["point"], g["param:rounds.count"]) for g in games] == [("0", "4")] * 4 + [("1", "5")] * 4
    agents = table(tmp_path / "s" / "agents.csv")
    assert len(agents) == 16 and agents[0]["param:rounds.count"] == "4"


def test_tune_writes_the_games_of_every_candidate(tmp_path: Path) -> None:
    pytest.importorskip("optuna")  # the tune extra; the test extra installs it
    tpath = tmp_path / "t.toml"
    tpath.write_text('median_end_round = "== 8"\n[run]\ngames = 4\nagents = ["greedy"]\n', encoding="utf-8")
    res = run("tune", "--targets", tpath, "--param", "rounds.count=5..9", "--budget", 2, "--out", tmp_path / "o",
              "--csv", tmp_path / "c")  # fmt: skip
    assert res.exit_code in (0, 1), res.output
    trials = [json.loads(x) for x in (tmp_path / "o" / "trials.jsonl").read_text(encoding="utf-8").splitlines()]
    games = table(tmp_path / "c" / "games.csv")
    assert list(games[0])[:3] == ["trial", "phase", "param:rounds.count"]
    played = sorted({(g["trial"], g["param:rounds.count"]) for g in games})
    assert played == sorted({(str(t["number"]), str(t["values"]["rounds.count"])) for t in trials if not t["cached"]})
    assert all(int(g["rounds"]) <= int(g["param:rounds.count"]) for g in games)


def test_the_researchers_guide_documents_every_column() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for col in (*ex.GAME_COLUMNS, *ex.AGENT_COLUMNS, *ex.METER_COLUMNS, *ex.SIDE_COLUMNS, *ex.POINT_COLUMNS):
        assert f"| `{col.name}` |" in text, col.name


def _line(error: str, agent: str) -> dict[str, Any]:
    """A forfeited games.jsonl line whose texts are arbitrary."""
    return {
        "game_id": "x",
        "index": 0,
        "pair": [agent, "random"],
        "game": 0,
        "agents": {"washington": agent, "moscow": "random"},
        "winner": "random",
        "forfeit": {"role": "washington", "agent": agent, "error": error},
        "decisions": {"washington": 1, "moscow": 0},
        "run_seed": 1,
        "seed": 2,
        "rules": {"name": "Summit", "fingerprint": "f"},
        "actions": [],
    }


@given(st.text(), st.text(min_size=1))
def test_any_text_survives_the_trip_through_csv(error: str, agent: str) -> None:
    tables = ex.Tables()
    tables.add([_line(error, agent)])
    text = tables.text("game")
    text.encode("utf-8")  # writable: no lone surrogate
    header, values = list(csv.reader(io.StringIO(text, newline="")))
    row = dict(zip(header, values, strict=True))
    assert row["forfeit_error"] == ex.clean(error) and row["agent0"] == ex.clean(agent)
    assert "\x00" not in text  # safeio refuses a file with a NUL byte: a table we write must read back
