"""The Dask backend (``--scheduler``): the same lines as a local run for the same seed, streaming and
resume, time limits in worker threads, and clean errors for a missing package or an unreachable scheduler.

One local cluster (two worker processes, one thread each, its HTTP port chosen free so that nothing clashes)
serves the whole module. Worker processes, not threads, so that the games really travel (pickled rules and
agents, the version check, helper agents imported by reference) as they would to a remote cluster. The tests
that need the cluster are marked slow (CI runs them)."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from summitgame.agents import load_class
from summitgame.cli import cli
from summitgame.rules.ruleset import Ruleset
from summitgame.runs import cluster
from summitgame.runs.options import RunOptions
from summitgame.runs.tournament import (
    GAMES_FILE,
    TournamentError,
    entrants,
    make_plan,
    read_games,
    run_plan,
    run_tournament,
)

for _name in ("First", "Last", "Crasher", "Sleeper"):
    load_class(f"helper_agents:{_name}")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a local Dask cluster, started once for this module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", worker_dashboard_address=None
    ) as local:
        yield str(local.scheduler_address)


def stable(line: dict[str, Any]) -> dict[str, Any]:
    """A line without its timings (the only part that may differ between runs)."""
    return {k: v for k, v in line.items() if k != "seconds"}


def run_cli(*args: str | int | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.slow
def test_run_plan_on_dask_equals_the_local_run(summit_rules: Ruleset, scheduler: str, tmp_path: Path) -> None:
    players = entrants(["greedy", "random", "last"])
    plan = make_plan([p.label for p in players], 30, 11, summit_rules)
    local = run_plan(summit_rules, players, plan, out=tmp_path / "local")
    seen: list[int] = []
    dask = run_plan(
        summit_rules,
        players,
        plan,
        out=tmp_path / "dask",
        on_game=lambda ln: seen.append(ln["index"]),
        backend=RunOptions(scheduler=scheduler),
    )
    assert (dask.played, dask.workers, dask.scheduler, local.scheduler) == (90, 2, scheduler, None)
    assert [stable(x) for x in dask.lines] == [stable(x) for x in local.lines]
    by_index = sorted(read_games(tmp_path / "dask" / GAMES_FILE), key=lambda ln: ln["index"])
    assert [stable(x) for x in by_index] == [stable(x) for x in read_games(tmp_path / "local" / GAMES_FILE)]
    assert sorted(seen) == list(range(90))


@pytest.mark.slow
def test_balance_games_are_measured_on_the_dask_workers(
    summit_rules: Ruleset, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a local pool, each game is measured where it was played: the parent replays none, and the
    measures are the local pool's."""
    from summitgame.analysis import balance as bal

    players = bal.players_for(["greedy", "random"])
    plan = bal.plan_for(summit_rules, players, 12, 3)
    pool = bal.simulate(summit_rules, players, plan, backend=RunOptions(workers=2))

    def no_replay(*args: object, **kwargs: object) -> None:
        raise AssertionError("a game was replayed in the parent")

    monkeypatch.setattr(bal, "game_metrics", no_replay)  # the Dask workers import their own, untouched
    dask = bal.simulate(summit_rules, players, plan, backend=RunOptions(scheduler=scheduler))
    assert list(dask.games) == list(pool.games) and len(dask.games) == 12
    assert [stable(x) for x in dask.lines] == [stable(x) for x in pool.lines]


@pytest.mark.slow
def test_a_long_run_keeps_few_tasks_on_the_cluster(
    summit_rules: Ruleset, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are submitted as others finish, never all at once: a run of any length holds a bounded number
    of tasks (and of planned games) on the scheduler."""
    from distributed import Client

    monkeypatch.setattr(cluster, "MAX_CHUNK", 2)
    players = entrants(["random", "first"])
    plan = make_plan([p.label for p in players], 60, 2, summit_rules)
    most = 0

    def count(line: dict[str, Any]) -> None:
        nonlocal most
        most = max(most, client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)))

    with Client(scheduler, set_as_default=False) as client:
        run = run_plan(summit_rules, players, plan, on_game=count, backend=RunOptions(scheduler=client))
    assert run.complete
    assert [stable(x) for x in run.lines] == [stable(x) for x in run_plan(summit_rules, players, plan).lines]
    # 60 chunks of 2 games: all 60 were submitted at once before; now IN_FLIGHT_PER_THREAD per thread (6), with
    # the rules and agents, and finished chunks the scheduler has not yet let go (releases are asynchronous)
    assert 0 < most <= 30, most


@pytest.mark.slow
def test_a_client_object_works_too(summit_rules: Ruleset, scheduler: str) -> None:
    from distributed import Client

    players = entrants(["random", "first"])
    plan = make_plan([p.label for p in players], 8, 3, summit_rules)
    with Client(scheduler, set_as_default=False) as client:
        run = run_plan(summit_rules, players, plan, backend=RunOptions(scheduler=client))
        assert client.status == "running"  # a client given is left open
    assert [stable(x) for x in run.lines] == [stable(x) for x in run_plan(summit_rules, players, plan).lines]


@pytest.mark.slow
def test_resume_on_dask_after_a_stop(summit_rules: Ruleset, scheduler: str, tmp_path: Path) -> None:
    specs = ["random", "first", "last"]
    whole_run, whole = run_tournament(summit_rules, specs, 20, tmp_path / "whole", seed=5)
    part, _ = run_tournament(
        summit_rules, specs, 20, tmp_path / "cut", seed=5, stop_after=5, backend=RunOptions(scheduler=scheduler)
    )
    assert 5 <= part.played < 60 and not part.complete
    rest, resumed = run_tournament(
        summit_rules, specs, 20, tmp_path / "cut", seed=5, resume=True, backend=RunOptions(scheduler=scheduler)
    )
    assert (rest.resumed, rest.resumed + rest.played) == (part.played, 60)
    assert resumed["standings"] == whole["standings"]
    assert [stable(x) for x in rest.lines] == [stable(x) for x in whole_run.lines]
    ids = [x["game_id"] for x in read_games(tmp_path / "cut" / GAMES_FILE)]
    assert len(ids) == len(set(ids)) == 60


@pytest.mark.slow
def test_forfeits_on_dask_match_the_local_run(classic_rules: Ruleset, summit_rules: Ruleset, scheduler: str) -> None:
    """A crash forfeits as it does locally; a late move forfeits too, caught when it returns (no alarm in a
    worker thread). Under the first edition, where passing costs nothing, the crasher lives to its third move."""
    players = entrants(["crasher:after=2", "first"])
    plan = make_plan([p.label for p in players], 4, 1, classic_rules)
    on_dask = run_plan(classic_rules, players, plan, backend=RunOptions(scheduler=scheduler))
    assert [stable(x) for x in on_dask.lines] == [stable(x) for x in run_plan(classic_rules, players, plan).lines]
    assert all(x["forfeit"]["agent"] == "crasher:after=2" for x in on_dask.lines)
    slow = entrants(["sleeper:seconds=0.3", "first"])
    late = run_plan(
        summit_rules,
        slow,
        make_plan([p.label for p in slow], 2, 1, summit_rules),
        backend=RunOptions(move_timeout=0.05, scheduler=scheduler),
    )
    assert [x["forfeit"]["agent"] for x in late.lines] == ["sleeper:seconds=0.3"] * 2
    assert all("(limit 0.05 s)" in x["forfeit"]["error"] for x in late.lines)  # caught on return


@pytest.mark.slow
def test_balance_on_dask_equals_the_local_run(scheduler: str) -> None:
    args = ("balance", "--agents", "greedy,random", "--games", 24, "--seed", 5, "--json")
    local = run_cli(*args)
    dask = run_cli(*args, "--scheduler", scheduler)
    assert local.exit_code == 0 and dask.exit_code == 0, local.output + dask.output
    a, b = json.loads(local.output), json.loads(dask.output)
    speed = b.pop("speed")
    assert a.pop("speed")["workers"] == 0 and (speed["workers"], speed["scheduler"]) == (2, scheduler)
    assert a == b
    assert "--scheduler" not in b["provenance"]["command"] and scheduler not in b["provenance"]["command"]


def test_a_played_chunk_refuses_another_engine_version(summit_rules: Ruleset) -> None:
    players = entrants(["random", "first"])
    plan = make_plan([p.label for p in players], 2, 0, summit_rules)
    assert len(cluster.play_chunk(summit_rules, players, plan, None, cluster.__version__)) == 2
    with pytest.raises(TournamentError, match="install the same version"):
        cluster.play_chunk(summit_rules, players, plan, None, "0.0.0")


def test_chunks_keep_plan_order_and_spread_over_the_threads(summit_rules: Ruleset) -> None:
    players = entrants(["random", "first"])
    plan = make_plan([p.label for p in players], 100, 0, summit_rules)
    parts = cluster.chunks(plan, 2)
    assert [g for p in parts for g in p] == plan
    assert len(parts) >= 2 * cluster.CHUNKS_PER_THREAD and max(map(len, parts)) <= cluster.MAX_CHUNK
    assert [len(p) for p in cluster.chunks(plan[:3], 8)] == [1, 1, 1]


def test_an_unreachable_scheduler_is_a_clean_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    result = run_cli("match", "random", "first", "-n", 2, "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.output
    assert "Traceback" not in result.output
    result = run_cli("match", "random", "first", "-n", 2, "--scheduler", "nowhere")
    assert result.exit_code == 1 and "not a Dask scheduler address" in result.output


def test_without_distributed_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    result = run_cli("tournament", "random", "first", "-n", 2, "-o", tmp_path, "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--scheduler needs dask.distributed: pip install 'summitgame[distributed]'" in result.output
    assert not (tmp_path / GAMES_FILE).exists()


@pytest.mark.slow
def test_sweep_on_dask_equals_the_local_run(scheduler: str) -> None:
    args = ("sweep", "--param", "meters.trust.start=2,4", "--agents", "greedy", "-n", 8, "--json")
    local = run_cli(*args)
    dask = run_cli(*args, "--scheduler", scheduler)
    assert local.exit_code == 0 and dask.exit_code == 0, local.output + dask.output
    assert local.stdout == dask.stdout


@pytest.mark.slow
def test_tune_on_dask_equals_the_local_run(scheduler: str, tmp_path: Path) -> None:
    targets = tmp_path / "t.toml"
    targets.write_text('median_end_round = "== 8"\n[run]\ngames = 8\nagents = ["greedy"]\n', encoding="utf-8")
    base = ("tune", "--targets", targets, "--param", "rounds.count=5..9", "--budget", 4)
    local = run_cli(*base, "--out", tmp_path / "local")
    from distributed import Client, get_task_stream

    def chunks_played(*args: Any) -> tuple[Result, int]:
        with Client(scheduler, set_as_default=False) as client, get_task_stream(client=client) as stream:
            res = run_cli(*args, "--scheduler", scheduler)
        return res, sum(1 for t in stream.data if "play_chunk" in str(t["key"]))

    _, one_run = chunks_played("balance", "--agents", "greedy", "--games", 8, "--probe-games", 0)
    dask, tuned = chunks_played(*base, "--out", tmp_path / "dask")
    candidates = (tmp_path / "dask" / "trials.jsonl").read_text(encoding="utf-8").count("\n")
    assert candidates >= 3 and tuned >= 3 * one_run  # the candidates ran on the cluster, not only the winner's report
    assert local.exit_code == dask.exit_code, local.output + dask.output
    for name in ("trials.jsonl", "best.toml", "best-balance.json"):
        a = (tmp_path / "local" / name).read_text(encoding="utf-8")
        b = (tmp_path / "dask" / name).read_text(encoding="utf-8")
        assert a.replace(str(tmp_path / "local"), "OUT") == b.replace(str(tmp_path / "dask"), "OUT"), name


# --- addresses where no Dask scheduler answers -------------------------------------------------------------


@contextlib.contextmanager
def tiny_server(answer: bytes | None, close: bool = False) -> Iterator[int]:
    """A TCP server on a free local port that sends ``answer`` to each connection (None: says nothing and
    holds the connection open), or closes it at once; yields the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            if close:
                conn.close()
                continue
            if answer is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(answer)
            held.append(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
        for conn in held:
            conn.close()


@contextlib.contextmanager
def http_server() -> Iterator[int]:
    """A real HTTP server on a free local port (it waits for a request before it says anything)."""
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def refused(address: str) -> tuple[str, float]:
    """The one error line of ``match`` against ``address``, and the seconds it took."""
    start = time.monotonic()
    result = run_cli("match", "random", "first", "-n", 2, "--scheduler", address)
    took = time.monotonic() - start
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0], took


@pytest.mark.parametrize(
    ("answer", "close", "needle"),
    [
        (b"\xff" * 64, False, "does not speak the Dask protocol"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", False, "does not speak the Dask protocol"),  # read as 3 EiB
        (b"\x00" * 8, False, "does not speak the Dask protocol"),
        (b"\x05\x00", False, "said nothing within"),  # a few bytes, then silence
        (None, False, "said nothing within"),
        (None, True, "closed the connection without a word"),
    ],
    ids=["junk", "http-answer", "zero-length", "few-bytes", "silent", "closes"],
)
def test_a_server_that_is_not_dask_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, answer: bytes | None, close: bool, needle: str
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "PROBE_TIMEOUT", 0.5)
    with tiny_server(answer, close) as port:
        line, took = refused(f"tcp://127.0.0.1:{port}")
    assert needle in line and f"127.0.0.1:{port}" in line, line
    assert took < 10


def test_an_http_server_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "PROBE_TIMEOUT", 0.5)
    with http_server() as port:
        line, _ = refused(f"tcp://127.0.0.1:{port}")
    assert "said nothing within 0.5 s of connecting: not a Dask scheduler" in line


def test_tls_without_a_security_context_is_refused_in_one_line() -> None:
    pytest.importorskip("distributed")
    with tiny_server(None) as port:
        line, took = refused(f"tls://127.0.0.1:{port}")
    assert "tls:// needs the client's TLS certificate and key" in line and took < 10


@pytest.mark.slow
def test_every_bad_server_is_refused_within_fifteen_seconds_at_the_real_timeouts() -> None:
    pytest.importorskip("distributed")
    with http_server() as port:
        line, took = refused(f"tcp://127.0.0.1:{port}")
    assert "said nothing within" in line and took < 15
    with tiny_server(b"HTTP/1.1 200 OK\r\n") as port:
        line, took = refused(f"tcp://127.0.0.1:{port}")
    assert "does not speak the Dask protocol" in line and took < 15
    with tiny_server(None) as port:
        line, took = refused(f"tls://127.0.0.1:{port}")
    assert "tls://" in line and took < 15


@pytest.mark.slow
def test_a_real_scheduler_passes_the_probe(scheduler: str) -> None:
    host, port = scheduler.removeprefix("tcp://").rsplit(":", 1)
    cluster.probe(scheduler, host, int(port))  # no error
