"""``summitgame balance`` through CliRunner, and the balance run it is built on."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import CLASSIC_PATH
from report_check import problems
from summitgame.cli import cli


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    res = run("balance", "--games", 24, "--seed", 3, "--json")
    assert res.exit_code == 0, res.output
    doc: dict[str, object] = json.loads(res.output)
    return doc


def test_balance_json_validates(report: dict[str, object]) -> None:
    assert problems(report, "balance") == []
    prov = report["provenance"]
    assert isinstance(prov, dict)
    assert prov["games_measured"] == 24
    assert prov["command"] == ("summitgame balance --agents greedy,boulware,titfortat,linear --games 24 --seed 3")


def test_schema_catches_a_broken_report(report: dict[str, object]) -> None:
    broken = json.loads(json.dumps(report))
    del broken["roles"]["verdict"]
    broken["outcomes"]["n"] = "many"
    errors = problems(broken, "balance")
    assert any("verdict" in e for e in errors) and any("outcomes.n" in e for e in errors)


@pytest.mark.slow
def test_same_numbers_whatever_the_worker_count() -> None:
    one = run("balance", "--agents", "greedy,random", "--games", 12, "--seed", 5, "--json")
    two = run("balance", "--agents", "greedy,random", "--games", 12, "--seed", 5, "--json", "--workers", 2)
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    a, b = json.loads(one.output), json.loads(two.output)
    assert a.pop("speed")["workers"] == 0 and b.pop("speed")["workers"] == 2
    assert a == b


def test_balance_text_has_every_section() -> None:
    res = run("balance", "--agents", "greedy", "--games", 8)
    assert res.exit_code == 0, res.output
    for head in (
        "1. Outcomes",
        "2. Role advantage",
        "3. Agents",
        "4. Game length",
        "5. Meters",
        "6. Negotiation",
        "7. Cards",
        "8. Provenance",
        "reproduce: summitgame balance --agents greedy --games 8 --seed 0",
    ):
        assert head in res.output


def test_role_imbalance_is_warned_about() -> None:
    # the first edition, whose numbers stay put: Moscow walking out at pressure 5 there favours Washington
    res = run(
        "balance",
        "--agents",
        "greedy",
        "--games",
        60,
        "--rules",
        CLASSIC_PATH,
        "--set",
        "meters.pressure.walkout_at.moscow=5",
        "--probe-games",  # the probes are not what this test reads
        0,
        "--json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["roles"]["significant"] and doc["roles"]["favoured"] == "washington"
    assert any(w.startswith("Role imbalance") for w in doc["warnings"])


def test_ablate_replays_the_same_seeds_without_the_card() -> None:
    res = run("balance", "--agents", "greedy", "--games", 8, "--ablate", "photo_op", "--probe-games", 0, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["ablation"]["cards"] == ["photo_op"]
    assert problems(doc, "balance") == []
    bad = run("balance", "--agents", "greedy", "--games", 2, "--ablate", "no_such_card")
    assert bad.exit_code == 1 and "no card 'no_such_card'" in bad.output


def test_records_are_reported_beside_the_simulated(tmp_path: Path) -> None:
    res = run("match", "greedy", "random", "--games", 4, "--records", tmp_path / "m")
    assert res.exit_code == 0, res.output
    (tmp_path / "m" / "junk.json").write_text("{not json")
    res = run("balance", "--agents", "greedy", "--games", 4, "--probe-games", 0, "--records", tmp_path / "m", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["recorded"]["games"] == 4 and doc["recorded"]["skipped_count"] == 1
    assert problems(doc, "balance") == []
    text = run("balance", "--agents", "greedy", "--games", 4, "--probe-games", 0, "--records", tmp_path / "m")
    assert "Recorded games from" in text.output and "simulated" in text.output


def test_unknown_agent_is_a_clean_error() -> None:
    res = run("balance", "--agents", "greedy,nobody", "--games", 4)
    assert res.exit_code == 1 and "Traceback" not in res.output


def test_agent_list_keeps_parameterised_specs_whole() -> None:
    from summitgame.cli.common import agent_list

    assert agent_list("greedy, mcts:iterations=9,c=1.5,random") == ["greedy", "mcts:iterations=9,c=1.5", "random"]
    assert agent_list(None) == ["greedy", "boulware", "titfortat", "linear"]


# --- records that are hostile ---------------------------------------------------------------------------


def test_hostile_records_are_skipped_with_the_reason_and_print_safely(tmp_path: Path) -> None:
    res = run("match", "greedy", "random", "--games", 2, "--records", tmp_path / "m")
    assert res.exit_code == 0, res.output
    good = json.loads((tmp_path / "m" / "game-00001.json").read_text())
    os.mkfifo(tmp_path / "m" / "pipe.json")
    os.mkfifo(tmp_path / "m" / "pipe.jsonl")
    if Path("/dev/zero").exists():
        (tmp_path / "m" / "zero.json").symlink_to("/dev/zero")
    (tmp_path / "m" / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "m" / "huge.json").write_text('{"format": "summitgame-record", "seed": ' + "9" * 5000 + "}")
    (tmp_path / "m" / "agents.json").write_text(json.dumps({**good, "agents": {"washington": [1]}}))
    evil = {**good, "rules": {"name": "\x1b[2J\x1b]0;owned\x07", "fingerprint": "\x1b[31m"}}
    evil["rules_options"] = ["--rules", "\x1b[2J.toml"]
    (tmp_path / "m" / "evil.json").write_text(json.dumps(evil))
    (tmp_path / "m" / "games.jsonl").write_text(json.dumps({**good, "agents": "x"}) + "\n" + "[" * 9000 + "\n")
    res = run("balance", "--agents", "greedy", "--games", 4, "--probe-games", 0, "--records", tmp_path / "m", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    skipped = {Path(s["where"].split(":")[0]).name: s["why"] for s in doc["recorded"]["skipped"]}
    assert doc["recorded"]["games"] == 2
    assert "named pipe" in skipped["pipe.json"] and "named pipe" in skipped["pipe.jsonl"]
    assert "nested deeper" in skipped["deep.json"] and "integer of more than" in skipped["huge.json"]
    assert "field 'agents' must map the roles" in skipped["agents.json"]
    assert "recorded under rules" in skipped["evil.json"]
    if Path("/dev/zero").exists():
        assert "device" in skipped["zero.json"]
    text = run("balance", "--agents", "greedy", "--games", 4, "--probe-games", 0, "--records", tmp_path / "m")
    assert text.exit_code == 0 and "\x1b" not in text.output and "\x07" not in text.output
    assert "skipped" in text.output


@pytest.mark.parametrize("kind", ["pipe", "device", "loop"])
def test_a_records_folder_that_is_no_folder_is_a_one_line_error(tmp_path: Path, kind: str) -> None:
    where = tmp_path / "records"
    if kind == "pipe":
        os.mkfifo(where)
    elif kind == "device":
        if not Path("/dev/urandom").exists():
            pytest.skip("no /dev/urandom")
        where = Path("/dev/urandom")
    else:
        where.symlink_to(tmp_path / "other")
        (tmp_path / "other").symlink_to(where)
    res = run("balance", "--agents", "greedy", "--games", 2, "--records", where)
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.output.startswith(f"error: {where}: not a folder of game records") and res.output.count("\n") == 1


def test_one_record_file_may_be_given_instead_of_a_folder(tmp_path: Path) -> None:
    from summitgame.analysis.metrics import read_recorded
    from summitgame.rules.loader import load_rules

    res = run("match", "greedy", "random", "--games", 2, "--records", tmp_path / "m")
    assert res.exit_code == 0, res.output
    assert len(read_recorded(tmp_path / "m" / "game-00001.json", load_rules(None)).games) == 1


# --- exploits: the probe agents against the report's agents --------------------------------------------


def test_the_exploits_section_plays_each_probe_against_each_agent(report: dict[str, object]) -> None:
    ex = report["exploits"]
    assert isinstance(ex, dict)
    assert list(ex["probes"]) == ["stonewall", "taker", "pushover", "spoiler"]
    assert ex["probes"]["stonewall"] == "refusing to negotiate"
    assert ex["agents"] == ["greedy", "boulware", "titfortat", "linear"]
    assert ex["games_per_pairing"] == 4  # by default as many as each pair of agents plays (24 games, 6 pairs)
    rows = ex["pairings"]
    assert len(rows) == 16 and all(r["games"] == 4 for r in rows)
    assert all(r["wins"] + r["ties"] + r["losses"] == 4 for r in rows)
    assert ex["played"] == 64


def test_the_probes_play_the_reports_deals() -> None:
    from summitgame.analysis import balance as bal
    from summitgame.rules.loader import load_rules

    rules = load_rules(None)
    players = bal.players_for(["greedy", "random"])
    main = bal.plan_for(rules, players, 8, 7)
    probes = bal.exploit_plan(rules, bal.probe_entrants(), bal.skilled(players), 8, 7)
    deals = {g.game: (g.seed, g.agent_seeds) for g in main}
    assert {g.game for g in probes} == set(deals)
    assert all((g.seed, g.agent_seeds) == deals[g.game] for g in probes)
    assert all(g.seats[g.game % 2] == g.pair[0] for g in probes)  # the probe takes each seat in turn
    assert len({g.game_id for g in probes}) == len(probes)


@pytest.fixture(scope="module")
def appeaser_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The JSON report and the HTML page of one run where a probe beats the agent at 95%: appeaser on the first
    edition, where only taking beats it (its numbers stay put while the default is retuned)."""
    page = tmp_path_factory.mktemp("appeaser") / "b.html"
    res = run(
        "balance",
        "--agents",
        "appeaser",
        "--games",
        4,
        "--probe-games",
        30,
        "--rules",
        CLASSIC_PATH,
        "--json",
        "--html",
        page,
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout), page.read_text(encoding="utf-8")


def test_a_probe_that_wins_at_95_percent_is_warned_about_first(appeaser_run: tuple[dict[str, Any], str]) -> None:
    doc = appeaser_run[0]
    assert problems(doc, "balance") == []
    ex = doc["exploits"]
    assert ex["agents"] == ["appeaser"] and ex["games_per_pairing"] == 30
    taker = next(r for r in ex["pairings"] if r["probe"] == "taker")
    assert taker["beats"] and taker["score_rate"]["low"] > 0.5
    first = doc["warnings"][0]
    assert first.startswith("Cheap win: only taking, never giving beats appeaser: ")
    e = taker["score_rate"]
    assert f"{100 * e['value']:.0f}% [{100 * e['low']:.0f}, {100 * e['high']:.0f}] of 30 games" in first
    winners = {r["probe"] for r in ex["pairings"] if r["beats"]}
    assert sum(w.startswith("Cheap win") for w in doc["warnings"]) == len(winners)  # one line per probe
    text = run("balance", "--agents", "appeaser", "--games", 4, "--probe-games", 30, "--rules", CLASSIC_PATH)
    assert text.output.index("Cheap win") < text.output.index("1. Outcomes")
    assert "Exploits: each probe against each agent, 30 role-swapped games" in text.output
    assert (
        f"reproduce: summitgame balance --rules {CLASSIC_PATH} --agents appeaser --games 4 --seed 0 --probe-games 30"
        in (text.output)
    )


def test_probe_games_0_turns_the_section_off() -> None:
    res = run("balance", "--agents", "greedy,random", "--games", 4, "--probe-games", 0, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["exploits"] is None and problems(doc, "balance") == []
    assert not any(w.startswith("Cheap win") for w in doc["warnings"])
    assert doc["speed"]["played"] == 4
    text = run("balance", "--agents", "greedy,random", "--games", 4, "--probe-games", 0)
    assert "Exploits" not in text.output


def test_probes_in_the_report_are_not_played_against_each_other() -> None:
    res = run("balance", "--agents", "stonewall,random,greedy", "--games", 6, "--probe-games", 2, "--json")
    assert res.exit_code == 0, res.output
    ex = json.loads(res.output)["exploits"]
    assert ex["agents"] == ["random", "greedy"]
    assert {(r["probe"], r["agent"]) for r in ex["pairings"]} == {
        (p, a) for p in ("stonewall", "taker", "pushover", "spoiler") for a in ("random", "greedy")
    }


def test_exploit_warnings_read_the_pairings() -> None:
    from summitgame.analysis.balance import exploit_warnings

    def row(probe: str, agent: str, value: float, low: float, high: float, games: int = 400) -> dict[str, object]:
        line = {"stonewall": "refusing to negotiate", "taker": "only taking, never giving"}[probe]
        rate = {"value": value, "low": low, "high": high}
        return {"probe": probe, "agent": agent, "line": line, "games": games, "score_rate": rate, "beats": low > 0.5}

    section = {
        "pairings": [
            row("stonewall", "greedy", 0.64, 0.59, 0.69),
            row("stonewall", "mcts", 0.55, 0.49, 0.60),
            row("taker", "greedy", 0.71, 0.66, 0.75),
            row("taker", "linear", 0.60, 0.55, 0.65),
        ]
    }
    assert exploit_warnings(section) == [
        "Cheap win: only taking, never giving beats greedy: 71% [66, 75] and linear: 60% [55, 65] of 400 games each "
        "(probe taker).",
        "Cheap win: refusing to negotiate beats greedy: 64% [59, 69] of 400 games (probe stonewall).",
    ]
    assert exploit_warnings({"pairings": [row("stonewall", "mcts", 0.55, 0.49, 0.60)]}) == []
    assert exploit_warnings({"pairings": [row("taker", "random", 1.0, 0.9, 1.0)]}) == []  # random proves nothing


def test_the_html_report_shows_the_exploits_coloured(appeaser_run: tuple[dict[str, Any], str]) -> None:
    from summitgame.analysis.html import rate_colour

    doc, html = appeaser_run
    assert '<table class="rates" id="exploits">' in html
    assert html.index("Cheap win") < html.index('id="exploits"')  # the warning is at the top
    for r in doc["exploits"]["pairings"]:
        e = r["score_rate"]
        text = f"{100 * e['value']:.1f}% [{100 * e['low']:.0f}, {100 * e['high']:.0f}]" + (" !" if r["beats"] else "")
        assert f'background:{rate_colour(e["value"])}">{text}</td>' in html
    assert rate_colour(0.5) == "#ffffff" and rate_colour(1.0) == "#d6604d" and rate_colour(0.0) == "#4393c3"
