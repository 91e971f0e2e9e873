"""``summitgame init DIR [--from NAME]``: a variant's files that validate and play, never written over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import RULES_DIR
from summitgame.analysis.targets import load_targets
from summitgame.cli import cli
from summitgame.rules.loader import check_file, load_rules
from summitgame.rules.schema import GestureDeck

FILES = ("rules.toml", "cards/events.toml", "cards/gestures.toml", "cards/agendas.toml", "targets.toml")


def run(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_init_writes_a_skeleton_that_validates_and_plays(tmp_path: Path) -> None:
    folder = tmp_path / "river"
    res = run("init", folder)
    assert res.exit_code == 0, res.output + res.stderr
    for rel in FILES:
        assert (folder / rel).is_file() and f"wrote {folder / rel}" in res.output
    # every TOML file names its schema, and the schema is there
    for rel in FILES[:4]:
        first = (folder / rel).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#:schema ")
        schema = (folder / rel).parent / first.removeprefix("#:schema ")
        assert json.loads(schema.read_text(encoding="utf-8"))["$schema"].startswith("https://json-schema.org/")
    rules = load_rules(folder / "rules.toml")
    assert rules.name == "River summit" and rules.roles == ("upstream", "downstream")
    # the skeleton shows card tunables in both places
    assert "cards.gestures.open_the_sluices.effects[0].by" in rules.spec.tunable
    assert "cards.gestures.open_the_sluices.copies" in rules.spec.tunable
    assert isinstance(check_file(folder / "cards" / "gestures.toml"), GestureDeck)
    assert load_targets(folder / "targets.toml", rules).targets
    res = run("validate", folder / "rules.toml")
    assert res.exit_code == 0 and "River summit" in res.output
    res = run("simulate", "--rules", folder / "rules.toml", "--games", 20)
    assert res.exit_code == 0 and "20 random-vs-random games" in res.output, res.output + res.stderr
    res = run("rules", "--rules", folder / "rules.toml")
    assert res.exit_code == 0 and "Upstream" in res.output


def test_init_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    (folder / "cards").mkdir(parents=True)
    (folder / "cards" / "gestures.toml").write_text("mine", encoding="utf-8")
    res = run("init", folder)
    assert res.exit_code == 1 and "Traceback" not in res.output + res.stderr
    assert res.stderr.strip() == (
        f"error: {folder / 'cards' / 'gestures.toml'} already exists; init never overwrites a file"
    )
    assert (folder / "cards" / "gestures.toml").read_text(encoding="utf-8") == "mine"
    assert not (folder / "rules.toml").exists()  # nothing written
    res = run("init", tmp_path / "w")
    assert res.exit_code == 0
    again = run("init", tmp_path / "w", "--from", "summit")
    assert again.exit_code == 1 and "and 5 more already exist; init never overwrites a file" in again.stderr
    (tmp_path / "file").write_text("x", encoding="utf-8")
    res = run("init", tmp_path / "file")
    assert res.exit_code == 1 and res.stderr.startswith("error: ") and "Traceback" not in res.output


@pytest.mark.parametrize("name", ["summit", "trade"])
def test_init_from_a_bundled_rule_set_is_that_rule_set(tmp_path: Path, name: str) -> None:
    res = run("init", tmp_path, "--from", name)
    assert res.exit_code == 0, res.stderr
    copied = load_rules(tmp_path / "rules.toml")
    assert copied.fingerprint == load_rules(RULES_DIR / f"{name}.toml").fingerprint
    assert load_targets(tmp_path / "targets.toml", copied).targets
    text = (tmp_path / "rules.toml").read_text(encoding="utf-8")
    assert text.startswith("#:schema ./summitgame-rules.schema.json\n") and 'gestures = "cards/gestures.toml"' in text


def test_init_from_an_unknown_rule_set(tmp_path: Path) -> None:
    res = run("init", tmp_path / "x", "--from", "summitt")
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "error: no bundled rule set 'summitt'; did you mean 'summit'? choose one of classic, summit, trade"
    )
    assert not (tmp_path / "x").exists()
