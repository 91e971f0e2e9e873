"""``RunFolder``: the resumable ``--out`` folder a tune and an exploit search share, and ``keys_problem``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from summitgame.runs.jsonlines import RunFolder, keys_problem


class FolderError(Exception):
    pass


@dataclass(frozen=True)
class Rec:
    n: int
    read_from: int | None = field(default=None, compare=False)

    def line(self) -> str:
        return json.dumps({"n": self.n})

    @staticmethod
    def parse(doc: dict[str, Any], number: int) -> Rec:
        return Rec(doc["n"], number)


class Folder(RunFolder[Rec]):
    held, what, hint = "a test run", "a test run's settings", "start again"

    def __init__(self, folder: Path, settings: dict[str, Any], resume: bool) -> None:
        check = lambda doc: None if isinstance(doc, dict) and keys_problem(doc, ["n"], repr) is None else "odd"  # noqa: E731
        super().__init__(folder, settings, resume, ("recs.jsonl", "run.json"), FolderError, check, Rec.parse)


def test_records_are_kept_dropped_and_read_back_on_resume(tmp_path: Path) -> None:
    f = Folder(tmp_path, {"seed": 1}, False)
    for n in range(3):
        f.add(Rec(n))
    f.close()
    longer = Folder(tmp_path, {"seed": 1}, True)
    assert longer.records == [Rec(0), Rec(1), Rec(2)]
    longer.drop(2)  # a finished run's last lines, cut when a larger budget goes on
    longer.close()
    again = Folder(tmp_path, {"seed": 1}, True)
    assert again.records == [Rec(0), Rec(1)] and [r.read_from for r in again.records] == [1, 2]
    assert str(again.refuse(again.records[1], "odd")).endswith("recs.jsonl:2: odd; start again")
    again.close()


def test_a_busy_folder_and_other_settings_are_refused(tmp_path: Path) -> None:
    Folder(tmp_path, {"seed": 1}, False).close()
    with pytest.raises(FolderError, match="already holds a test run: add --resume to continue it"):
        Folder(tmp_path, {"seed": 1}, False)
    with pytest.raises(FolderError, match=r"other settings \(seed differ\)"):
        Folder(tmp_path, {"seed": 2}, True)


def test_keys_problem_names_what_is_missing_then_what_is_unknown() -> None:
    assert keys_problem({"a": 1, "b": 2}, ["a", "b"], repr) is None
    assert keys_problem({"a": 1}, ["a", "b", "c"], repr) == "it lacks b, c"
    assert keys_problem({"a": 1, "b": 2, "z": 0, "y": 0}, ["a", "b"], repr) == "unknown field 'y'"
