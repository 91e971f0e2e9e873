"""A tournament's output folder and its games.jsonl under attack: lines that parse but lack fields or lie about
their game, deep nesting and huge integers, a folder or a pipe where the file should be, a read-only folder,
a full disk. Each is a one-line error (exit 1, no traceback) that names the file, nothing already written is
lost, and ``--resume`` finishes the run afterwards (issue #11, sections 5 and 3 of the runs brief)."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from summitgame.cli import cli
from summitgame.rules.ruleset import Ruleset
from summitgame.runs import jsonlines
from summitgame.runs.tournament import GAMES_FILE, SETTINGS_FILE, TournamentError, read_games, run_tournament

ARGS = ["tournament", "random", "greedy", "-n", "4", "--seed", "3"]


def run_cli(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result: Result) -> str:
    """The error line of a failed command, after checking it failed cleanly."""
    assert result.exit_code == 1, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, result.output
    assert "\x1b" not in result.output
    return errors[0]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a finished 4-game tournament (random vs greedy)."""
    out = tmp_path_factory.mktemp("finished")
    result = run_cli(*ARGS, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def copy_with(finished: Path, tmp_path: Path, lines: list[str]) -> Path:
    out = tmp_path / "run"
    out.mkdir()
    (out / GAMES_FILE).write_text("".join(ln + "\n" for ln in lines))
    (out / SETTINGS_FILE).write_bytes((finished / SETTINGS_FILE).read_bytes())
    return out


def edited(change: Callable[[dict[str, Any]], Any]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        line = json.loads(text)
        change(line)
        return json.dumps(line)

    return apply


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (edited(lambda d: d.pop("agents")), "missing field 'agents'"),
        (edited(lambda d: d.pop("outcome")), "missing field 'outcome' (a game not forfeited has one)"),
        (edited(lambda d: d["outcome"].pop("scores")), "missing field 'outcome.scores'"),
        (edited(lambda d: d.update(agents=["random", "greedy"])), "field 'agents' must be a table of role id to"),
        (edited(lambda d: d.update(decisions={"washington": "many", "moscow": 1})), "field 'decisions' must be"),
        (edited(lambda d: d.update(index=True)), "field 'index' must be a whole number, got true"),
        (edited(lambda d: d.update(forfeit={"role": 1})), "field 'forfeit' must be null or a table"),
        (edited(lambda d: d.update(agents={"washington": "x", "moscow": "y"})), "its agents is"),
        (edited(lambda d: d.update(seed=d["seed"] + 1)), "its seed is"),
        (edited(lambda d: d["outcome"].update(tier="glorious")), "field 'outcome.tier' must be one of"),
        (edited(lambda d: d["outcome"].update(winner="nobody")), "field 'outcome.winner' must be a role id"),
        (edited(lambda d: d.update(version=2)), "record version 2 is not supported"),
        (edited(lambda d: d.update(notes=[[[[1]]]] * 3, pair=[[[[[["a"]]]]]])), "field 'pair' must be a list of two"),
        (lambda t: t[:-1] + ',"deep":' + "[" * 50_000 + "]" * 50_000 + "}", "nested deeper than"),
        (lambda t: t[:-1] + ',"huge":' + "9" * 5000 + "}", "holds an integer of more than 30 digits"),
        (lambda t: t[:-1] + ',"big":' + "1" + "0" * 40 + "}", "holds an integer of more than 30 digits"),
        (lambda t: "\x00\xff junk", "not valid JSON"),
        (lambda t: "[1, 2]", "not a game line"),
        (lambda t: '{"game_id": "x"}', "missing field 'index'"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_bad_line_is_refused_as_file_line_why(
    finished: Path, tmp_path: Path, mutate: Callable[[str], str], needle: str
) -> None:
    lines = (finished / GAMES_FILE).read_text().splitlines()
    lines[1] = mutate(lines[1])
    out = copy_with(finished, tmp_path, lines)
    before = (out / GAMES_FILE).read_bytes()
    err = one_line_error(run_cli(*ARGS, "--out", out, "--resume"))
    assert err.startswith(f"error: {out / GAMES_FILE}:2: ") and needle in err, err
    assert len(err) < 400
    assert (out / GAMES_FILE).read_bytes() == before  # nothing overwritten


def test_a_line_lacking_agents_says_so_exactly(finished: Path, tmp_path: Path) -> None:
    lines = (finished / GAMES_FILE).read_text().splitlines()
    line = json.loads(lines[0])
    del line["agents"]
    out = copy_with(finished, tmp_path, [json.dumps(line)])
    assert (
        one_line_error(run_cli(*ARGS, "--out", out, "--resume"))
        == f"error: {out / GAMES_FILE}:1: missing field 'agents'"
    )
    with pytest.raises(TournamentError, match=f"^{out / GAMES_FILE}:1: missing field 'agents'$"):
        read_games(out / GAMES_FILE)


@pytest.mark.parametrize("where", ["folder", "pipe", "device", "loop", "file-as-out"])
def test_what_is_not_a_regular_games_file_is_refused_without_hanging(tmp_path: Path, where: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    games = out / GAMES_FILE
    if where == "folder":
        games.mkdir()
        needle = "is a folder"
    elif where == "pipe":
        os.mkfifo(games)
        needle = "is a named pipe, not a regular file"
    elif where == "device":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        games.symlink_to("/dev/zero")
        needle = "is a device, not a regular file"
    elif where == "loop":
        games.symlink_to(out / "other")
        (out / "other").symlink_to(games)
        needle = "a loop of symbolic links"
    else:
        (tmp_path / "blocker").write_text("not a folder")
        out = games = tmp_path / "blocker" / "out"
        needle = "a file is in the way where a folder should be"
    for extra in ([], ["--resume"]):
        err = one_line_error(run_cli(*ARGS, "--out", out, *extra))
        assert str(out) in err and needle in err, err
    with pytest.raises(TournamentError, match=r"(?i)regular file|folder|loop|not a directory"):
        read_games(games)


def test_an_unreadable_settings_file_is_refused_on_resume(finished: Path, tmp_path: Path) -> None:
    out = copy_with(finished, tmp_path, (finished / GAMES_FILE).read_text().splitlines()[:2])
    for text, needle in [
        ("[" * 100_000, "nested deeper than"),
        ('{"rules": {"fingerprint": ' + "9" * 5000 + "}}", "integer of more than"),
        ('{"rules": []}', "no rules fingerprint"),
    ]:
        (out / SETTINGS_FILE).write_text(text)
        err = one_line_error(run_cli(*ARGS, "--out", out, "--resume"))
        assert f"{out / SETTINGS_FILE}" in err and needle in err, err
    (out / SETTINGS_FILE).unlink()
    os.mkfifo(out / SETTINGS_FILE)
    assert "named pipe" in one_line_error(run_cli(*ARGS, "--out", out, "--resume"))


def test_a_read_only_folder_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def denied(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(GAMES_FILE) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # as root a chmod-ed folder is still writable
    err = one_line_error(run_cli(*ARGS, "--out", tmp_path / "out"))
    assert err == f"error: {tmp_path / 'out' / GAMES_FILE}: cannot write: permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a read-only folder")
def test_a_really_read_only_folder_is_a_one_line_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        err = one_line_error(run_cli(*ARGS, "--out", tmp_path / "out"))
        assert "permission denied" in err
    finally:
        tmp_path.chmod(0o700)


def test_a_full_disk_keeps_what_was_written_and_resume_finishes(
    summit_rules: Ruleset, finished: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = jsonlines._write_all
    calls = {"n": 0}

    def fills_up(fd: int, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # three batches written, then half of the fourth: a torn line
            real(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(jsonlines, "_write_all", fills_up)
    out = tmp_path / "out"
    err = one_line_error(run_cli(*ARGS, "--out", out))
    assert err.startswith(f"error: {out / GAMES_FILE}: cannot write: no space left on the device")
    assert "--resume" in err
    kept = (out / GAMES_FILE).read_text()
    assert kept.count("\n") == 3 and not kept.endswith("\n")  # three whole games and a torn one
    monkeypatch.undo()
    result = run_cli(*ARGS, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    assert "resumed: 3 games were already in" in result.output
    assert "dropped a torn last line" in result.output
    assert json.loads((out / "summary.json").read_text()) == json.loads((finished / "summary.json").read_text())
    ids = [x["game_id"] for x in read_games(out / GAMES_FILE, summit_rules)]
    assert len(ids) == len(set(ids)) == 4


def test_a_full_disk_when_the_summary_is_written_loses_no_game(
    finished: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summitgame.runs import records

    real = records.os.replace

    def full(src: Any, dst: Any) -> None:
        if str(dst).endswith("summary.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(records.os, "replace", full)
    out = tmp_path / "out"
    err = one_line_error(run_cli(*ARGS, "--out", out))
    assert err == f"error: {out / 'summary.json'}: cannot write: no space left on the device"
    monkeypatch.undo()
    assert (out / GAMES_FILE).read_text().count("\n") == 4
    result = run_cli(*ARGS, "--out", out, "--resume")
    assert result.exit_code == 0 and "resumed: 4 games" in result.output
    assert json.loads((out / "summary.json").read_text()) == json.loads((finished / "summary.json").read_text())


def test_match_records_into_a_bad_folder_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file")
    err = one_line_error(run_cli("match", "random", "greedy", "-n", "2", "--records", tmp_path / "blocker" / "records"))
    assert "cannot write: a file is in the way where a folder should be" in err


def test_library_callers_get_the_same_errors(summit_rules: Ruleset, tmp_path: Path) -> None:
    (tmp_path / GAMES_FILE).mkdir()
    with pytest.raises(TournamentError, match="is a folder"):
        run_tournament(summit_rules, ["random", "greedy"], 2, tmp_path)
