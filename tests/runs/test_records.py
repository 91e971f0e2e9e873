"""Game records: round trip, byte-stable text, refusal of foreign or broken records, atomic saving."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summitgame import __version__
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.scoring import outcome
from summitgame.engine.state import State
from summitgame.errors import RecordError, SummitError
from summitgame.rules.loader import bundled_rules_for, display, load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.records import (
    FORMAT,
    VERSION,
    check_shape,
    dumps,
    read_record,
    record_of,
    replay,
    replay_states,
    save_record,
    write_atomic,
)
from summitgame.safeio import WriteError

RandomGame = Callable[..., State]


def roundtrip(s: State) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(dumps(record_of(s)))
    return doc


def test_record_contents(summit_rules: Ruleset, random_game: RandomGame) -> None:
    s = random_game(summit_rules, 17)
    doc = record_of(s)
    assert doc["format"] == FORMAT == "summitgame-record"
    assert doc["version"] == VERSION
    assert doc["engine"] == __version__
    assert doc["rules"] == {"name": "Summit", "fingerprint": summit_rules.fingerprint}
    assert doc["seed"] == 17
    table = summit_rules.actions.all
    assert doc["actions"] == [table[c].notation() for c in s.history_list() if c >= 0]
    assert len(doc["actions"]) == s.moves
    assert doc["outcome"] == outcome(s).as_dict()


def test_unfinished_game_has_no_outcome(summit_rules: Ruleset) -> None:
    s = new_game(summit_rules, 3)
    s = apply(s, legal_actions(s)[-1])
    doc = record_of(s)
    assert "outcome" not in doc
    assert len(doc["actions"]) == 1
    assert replay(roundtrip(s), summit_rules) == s


@pytest.mark.parametrize("seed", [0, 1, 2, 99, -5, 2**64 + 3])
def test_round_trip_gives_an_equal_final_state(any_rules: Ruleset, random_game: RandomGame, seed: int) -> None:
    s = random_game(any_rules, seed)
    doc = roundtrip(s)
    again = replay(doc, any_rules)
    assert again == s
    assert again.key() == s.key()
    assert outcome(again) == outcome(s)
    assert dumps(record_of(again)) == dumps(record_of(s))


def test_replay_reproduces_every_state(any_rules: Ruleset, random_walk: Callable[..., Any]) -> None:
    states = list(random_walk(any_rules, 8))
    replayed = list(replay_states(roundtrip(states[-1]), any_rules))
    assert replayed == states


def test_dumps_is_canonical(summit_rules: Ruleset, random_game: RandomGame) -> None:
    a = dumps(record_of(random_game(summit_rules, 41)))
    b = dumps(record_of(random_game(summit_rules, 41)))
    assert a == b
    assert a.endswith("}\n") and not a.endswith("\n\n")
    assert dumps(json.loads(a)) == a  # stable key order: reading and writing again changes nothing
    assert a != dumps(record_of(random_game(summit_rules, 42)))


SCRIPT = """
import random
import sys

from summitgame.engine import apply, legal_actions, new_game
from summitgame.rules.loader import load_rules
from summitgame.runs.records import dumps, record_of

rules = load_rules(None)
s = new_game(rules, 41)
pick = random.Random(41).choice
while s.to_move >= 0:
    s = apply(s, pick(legal_actions(s)))
sys.stdout.write(dumps(record_of(s)))
"""


def test_dumps_is_byte_identical_across_processes(summit_rules: Ruleset, random_game: RandomGame) -> None:
    """Another interpreter, with another hash seed, writes the same bytes for the same game."""
    here = dumps(record_of(random_game(summit_rules, 41))).encode()
    outs = []
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, env=env, check=True)
        outs.append(proc.stdout)
    assert outs == [here, here]


# --- refusals -------------------------------------------------------------------------------------------


def test_fingerprint_mismatch_is_refused(summit_rules: Ruleset, random_game: RandomGame) -> None:
    other = load_rules(None, ["hands.limit=6"])
    assert other.fingerprint != summit_rules.fingerprint
    doc = roundtrip(random_game(summit_rules, 5))
    with pytest.raises(RecordError) as info:
        replay(doc, other)
    message = str(info.value)
    assert summit_rules.fingerprint in message
    assert other.fingerprint in message
    # the record was played under a bundled rule file: the message names it
    assert bundled_rules_for(summit_rules.fingerprint) is not None
    assert f"give --rules {display(bundled_rules_for(summit_rules.fingerprint))}" in message  # type: ignore[arg-type]


def test_a_record_of_rules_no_bundled_file_has_says_to_load_its_rule_file(
    summit_rules: Ruleset, random_game: RandomGame
) -> None:
    other = load_rules(None, ["hands.limit=6"])
    assert bundled_rules_for(other.fingerprint) is None
    doc = roundtrip(random_game(other, 5))
    with pytest.raises(RecordError, match="load the rule file the game was played with"):
        replay(doc, summit_rules)


def test_record_of_another_ruleset_is_refused(summit_rules: Ruleset, trade_rules: Ruleset) -> None:
    doc = roundtrip(new_game(trade_rules, 1))
    with pytest.raises(RecordError, match=trade_rules.fingerprint):
        replay(doc, summit_rules)


def test_fingerprint_is_stable(summit_rules: Ruleset) -> None:
    assert load_rules(None).fingerprint == summit_rules.fingerprint
    assert load_rules(None, ["hands.limit=5"]).fingerprint == summit_rules.fingerprint  # the same value


def base_doc(rules: Ruleset) -> dict[str, Any]:
    return roundtrip(new_game(rules, 2))


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d.update(format="chess-pgn"), "not a summitgame game record"),
        (lambda d: d.pop("format"), "not a summitgame game record"),
        (lambda d: d.update(version=99), "record version 99 is not supported"),
        (lambda d: d.update(rules="Summit"), "rules fingerprint missing"),
        (lambda d: d["rules"].pop("fingerprint"), "rules fingerprint missing"),
        (lambda d: d.update(seed="7"), "seed missing or not an integer"),
        (lambda d: d.update(seed=True), "seed missing or not an integer"),
        (lambda d: d.update(seed=1.5), "seed missing or not an integer"),
        (lambda d: d.pop("seed"), "seed missing or not an integer"),
        (lambda d: d.update(actions="pass"), "actions must be a list"),
        (lambda d: d.update(actions=[1, 2]), "actions must be a list"),
    ],
)
def test_malformed_records_are_refused(
    summit_rules: Ruleset, change: Callable[[dict[str, Any]], Any], needle: str
) -> None:
    doc = base_doc(summit_rules)
    change(doc)
    with pytest.raises(RecordError, match=needle):
        replay(doc, summit_rules)


@pytest.mark.parametrize("doc", [None, [], "record", 3])
def test_non_objects_are_not_records(doc: Any) -> None:
    with pytest.raises(RecordError, match="not a summitgame game record"):
        check_shape(doc)


def test_bad_action_in_record(summit_rules: Ruleset) -> None:
    doc = base_doc(summit_rules)
    doc["actions"] = ["pass", "dance the tango"]
    with pytest.raises(RecordError) as info:
        replay(doc, summit_rules)
    assert "action 2 ('dance the tango')" in str(info.value)
    assert "not an action" in str(info.value)


def test_illegal_action_in_record(summit_rules: Ruleset) -> None:
    doc = base_doc(summit_rules)
    doc["actions"] = ["accept"]
    with pytest.raises(RecordError, match=r"action 1 \('accept'\): .*no offer on the table"):
        replay(doc, summit_rules)


def test_actions_after_the_end_are_refused(summit_rules: Ruleset, random_game: RandomGame) -> None:
    doc = roundtrip(random_game(summit_rules, 6))
    doc["actions"].append("pass")
    with pytest.raises(RecordError, match="the summit is over"):
        replay(doc, summit_rules)


def test_a_forged_outcome_is_refused(summit_rules: Ruleset, random_game: RandomGame) -> None:
    doc = roundtrip(random_game(summit_rules, 6))
    role = summit_rules.roles[0]
    doc["outcome"]["scores"][role] += 1
    with pytest.raises(RecordError, match="does not reproduce the recorded outcome"):
        replay(doc, summit_rules)


def test_an_outcome_for_an_unfinished_game_is_refused(summit_rules: Ruleset, random_game: RandomGame) -> None:
    doc = roundtrip(random_game(summit_rules, 6))
    doc["actions"].pop()
    with pytest.raises(RecordError, match="claims an outcome but the game is not over"):
        replay(doc, summit_rules)


def test_record_errors_are_summit_errors(summit_rules: Ruleset) -> None:
    with pytest.raises(SummitError):
        replay({"format": "nope"}, summit_rules)


# --- files -------------------------------------------------------------------------------------------------


def test_save_and_read_back(tmp_path: Path, any_rules: Ruleset, random_game: RandomGame) -> None:
    s = random_game(any_rules, 12)
    path = tmp_path / "games" / "game.json"  # the folder is created
    save_record(s, path)
    assert path.read_text(encoding="utf-8") == dumps(record_of(s))
    assert replay(read_record(path), any_rules, str(path)) == s
    assert sorted(p.name for p in path.parent.iterdir()) == ["game.json"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "not a readable game record"),
        (b"{not json", "not a readable game record"),
        (b'{"format": "summitgame-record", "version": 1, "rules": {"fi', "not a readable game record"),
        (b"\xff\xfe\x00garbage", "not a readable game record"),
        (b"[1, 2, 3]", "not a summitgame game record"),
        (b'{"format": "summitgame-record", "version": 2}', "version 2 is not supported"),
    ],
)
def test_corrupt_files_are_refused(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(RecordError) as info:
        read_record(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_truncated_record_file_is_refused(tmp_path: Path, summit_rules: Ruleset, random_game: RandomGame) -> None:
    path = tmp_path / "game.json"
    text = dumps(record_of(random_game(summit_rules, 3)))
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(RecordError, match="not a readable game record"):
        read_record(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="no such file"):
        read_record(tmp_path / "nope.json")
    with pytest.raises(RecordError, match="not a readable game record"):
        read_record(tmp_path)


def test_error_names_the_file_in_replay(summit_rules: Ruleset, tmp_path: Path, random_game: RandomGame) -> None:
    path = tmp_path / "game.json"
    save_record(random_game(summit_rules, 3), path)
    other = load_rules(None, ["hands.limit=6"])
    with pytest.raises(RecordError, match=f"^{path}: recorded under rules 'Summit'"):
        replay(read_record(path), other, str(path))


def test_write_atomic_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_atomic(path, "old\n")
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize("fail_in", ["replace", "fsync"])
def test_failed_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, summit_rules: Ruleset, random_game: RandomGame, fail_in: str
) -> None:
    path = tmp_path / "game.json"
    old = random_game(summit_rules, 1)
    save_record(old, path)
    before = path.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, fail_in, boom)
    with pytest.raises(WriteError, match=f"^{path}: cannot write: disk on fire$"):
        save_record(random_game(summit_rules, 2), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["game.json"]
    assert replay(read_record(path), summit_rules) == old


def test_interrupted_write_leaves_no_file_where_there_was_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "new.json", "{}\n")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


# --- hostile files and places ----------------------------------------------------------------------------


def test_what_is_not_a_regular_file_is_refused_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "l1").symlink_to(tmp_path / "l2")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    cases = [(tmp_path / "pipe.json", "named pipe"), (tmp_path / "l1", "loop of symbolic links")]
    cases += [(Path(d), "device") for d in ("/dev/zero", "/dev/urandom") if Path(d).exists()]
    cases.append((Path(str(tmp_path / "a\0b.json")), "NUL byte"))
    for path, needle in cases:
        with pytest.raises(RecordError) as info:
            read_record(path)
        assert needle in str(info.value) and "\n" not in str(info.value) and "\0" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than"),
        ('{"format": "summitgame-record", "seed": ' + "9" * 5000 + "}", "integer of more than"),
        ('{"format": "summitgame-record", "seed": 1' + "0" * 40 + "}", "integer of more than"),
    ],
    ids=["deep", "4300+ digits", "40 digits"],
)
def test_deep_nesting_and_huge_integers_are_refused(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(RecordError, match=f"^{path}: not a readable game record \\(.*{needle}"):
        read_record(path)


def test_fields_of_the_wrong_type_are_refused(summit_rules: Ruleset) -> None:
    for change, needle in [
        (lambda d: d["rules"].update(name=["x"]), "the rules' name must be text"),
        (lambda d: d.update(outcome="won"), "outcome must be a table"),
        (lambda d: d.update(actions=["x" * 1000]), r"not an action \(too long\)"),
    ]:
        doc = base_doc(summit_rules)
        change(doc)
        with pytest.raises(RecordError, match=needle):
            replay(doc, summit_rules)


def test_record_fields_reach_messages_without_escape_sequences(summit_rules: Ruleset) -> None:
    doc = base_doc(summit_rules)
    doc["rules"] = {"name": "\x1b[2J\x1b]0;pwned\x07", "fingerprint": "\x1b[31mred"}
    with pytest.raises(RecordError) as info:
        replay(doc, summit_rules, "game.json")
    assert "\x1b" not in str(info.value) and "\\x1b[2J" in str(info.value) and "\x07" not in str(info.value)
    doc = base_doc(summit_rules)
    doc["actions"] = ["give \x1b[2J 1"]
    with pytest.raises(RecordError) as info:
        replay(doc, summit_rules)
    assert "\x1b" not in str(info.value)


def test_a_folder_where_the_file_should_be_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "game.json").mkdir()
    with pytest.raises(WriteError, match=r"game.json: cannot write: is a folder, not a file$"):
        write_atomic(tmp_path / "game.json", "{}\n")
    (tmp_path / "file").write_text("x")
    with pytest.raises(
        WriteError, match=r"file/game.json: cannot write: a file is in the way where a folder should be$"
    ):
        write_atomic(tmp_path / "file" / "game.json", "{}\n")


def test_a_read_only_folder_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)  # as root a chmod-ed folder is still writable
    with pytest.raises(WriteError, match=r"game.json: cannot write: permission denied$"):
        write_atomic(tmp_path / "game.json", "{}\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a read-only folder")
def test_a_really_read_only_folder_is_a_one_line_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(WriteError, match=r"game.json: cannot write: permission denied$"):
            write_atomic(tmp_path / "game.json", "{}\n")
    finally:
        tmp_path.chmod(0o700)


def test_a_full_disk_keeps_the_old_file_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "game.json"
    write_atomic(path, "old\n")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteError, match=r"game.json: cannot write: no space left on the device$"):
        write_atomic(path, "new\n")
    monkeypatch.undo()
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["game.json"]
