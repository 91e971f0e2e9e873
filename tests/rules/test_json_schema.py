"""The exported JSON Schemas accept the bundled files and refuse a typo, as an editor would."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from summitgame.cli import cli
from summitgame.rules.loader import model_json_schemas

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = model_json_schemas()


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMAS[kind])


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.toml")), ids=lambda p: p.name)
def test_bundled_rule_files_match_the_schema(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert list(validator("rules").iter_errors(data)) == []


@pytest.mark.parametrize("path", sorted((ROOT / "cards").rglob("*.toml")), ids=lambda p: str(p.relative_to(ROOT)))
def test_bundled_decks_match_their_schema(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert list(validator(data["deck"]).iter_errors(data)) == []


def test_a_file_that_extends_needs_the_partial_schema() -> None:
    data = tomllib.loads((ROOT / "tests/data/good/short_summit.toml").read_text(encoding="utf-8"))
    assert list(validator("rules").iter_errors(data)) != []  # required keys live in the base file
    assert list(validator("rules-partial").iter_errors(data)) == []
    assert "required" not in json.dumps(SCHEMAS["rules-partial"]).replace('"required key', "")


def test_a_typo_is_refused_by_both_schemas() -> None:
    data = {"hands": {"sise": 3}}
    for kind in ("rules", "rules-partial"):
        errors = list(validator(kind).iter_errors(data))
        assert any("sise" in e.message for e in errors)


def test_schema_command_prints_and_writes(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(cli, ["schema", "gestures"])
    assert printed.exit_code == 0
    assert json.loads(printed.output)["title"] == "GestureDeck"
    written = runner.invoke(cli, ["schema", "--out", str(tmp_path)])
    assert written.exit_code == 0
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == sorted(f"summitgame-{k}.schema.json" for k in SCHEMAS)
    assert json.loads((tmp_path / "summitgame-rules.schema.json").read_text()) == SCHEMAS["rules"]
