"""A file that ``extends`` another can take entries out of it: ``remove = ["tiers.incremental",
"cards.gestures.back_channel"]``. Removing what is not there names the file, its line and the key; removing a
track the cards still use gives the cross-reference error, saying which file removed it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import RULES_DIR
from summitgame.errors import RulesError
from summitgame.rules.loader import load_rules, model_json_schemas

SUMMIT = RULES_DIR / "summit.toml"


def variant(tmp_path: Path, body: str, name: str = "variant.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'extends = "{SUMMIT.as_posix()}"\n{body}', encoding="utf-8")
    return path


def problems(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(RulesError) as exc:
        load_rules(path, overrides)
    return [str(p) for p in exc.value.problems]


def test_remove_a_card_and_a_tier(tmp_path: Path) -> None:
    base = load_rules()
    rules = load_rules(variant(tmp_path, 'remove = ["tiers.incremental", "cards.gestures.back_channel"]\n'))
    assert rules.tier_ids == ("failed", "symbolic")  # and it left outcome.order
    assert "back_channel" in base.gesture_ids and "back_channel" not in rules.gesture_ids
    assert len(rules.gesture_pool) == len(base.gesture_pool) - 2  # both copies
    assert "tiers.incremental.bonus" in base.spec.tunable and "tiers.incremental.bonus" not in rules.spec.tunable
    assert rules.fingerprint != base.fingerprint
    assert "back_channel" not in rules.values()["cards"]["gestures"]


def test_remove_a_track_and_every_card_that_uses_it(tmp_path: Path) -> None:
    body = """remove = [
    "tracks.syria",
    "cards.events.iran_deal_dispute", "cards.events.isis_resurgence", "cards.events.near_miss_in_syrian_airspace",
    "cards.events.aid_convoy_blocked", "cards.events.regional_rivals_intervene",
    "cards.gestures.counter_terrorism_coordination",
    "cards.agendas.counter_terrorism_mandate", "cards.agendas.assad_ally.stakes.syria",
    "cards.agendas.non_proliferation.stakes.syria", "cards.agendas.de_escalation.stakes.syria",
]
"""
    rules = load_rules(variant(tmp_path, body))
    assert rules.track_ids == ("ukraine", "arms", "cyber", "energy")
    assert rules.values()["cards"]["agendas"]["assad_ally"]["stakes"] == {"energy": 1}


def test_removing_a_track_the_cards_use_gives_the_cross_reference_error(tmp_path: Path) -> None:
    path = variant(tmp_path, 'remove = ["tracks.syria"]\n')
    found = problems(path)
    # one problem per place the bundled files name syria (cards and agendas' stakes)
    named = sum(
        len(re.findall(r'track = "syria"|\bsyria = ', (RULES_DIR.parent / "cards" / f"{deck}.toml").read_text("utf-8")))
        for deck in ("events", "gestures", "agendas")
    )
    assert len(found) == named
    where = r"cards/events\.toml:\d+: cards\[\d+\]\.effects\[\d+\]\.(when\[\d+\]\.)?track"
    assert re.match(where + ": unknown track 'syria'; tracks are ", found[0]), found[0]
    assert all(f"({path} removes tracks.syria)" in line for line in found)


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ('"tiers.partial"', "'tiers.partial': nothing to remove: tiers has no 'partial'"),
        (
            '"tiers.symbolc"',
            "'tiers.symbolc': nothing to remove: tiers has no 'symbolc'; did you mean 'tiers.symbolic'?",
        ),
        (
            '"cards.gestures.back_chanel"',
            "'cards.gestures.back_chanel': nothing to remove: no card 'back_chanel' in the gestures deck "
            "(cards/gestures.toml); did you mean 'cards.gestures.back_channel'?",
        ),
        ('"cards.gesture.back_channel"', "name a card as cards.<deck>.<card id> (decks: events, gestures, agendas)"),
        ('"proposals.cap[0]"', "removes table entries, not array items; set the array"),
        ('"tracks"', "'tracks': a whole section cannot be removed"),
        ('"no such"', "bad key path 'no such'"),
        ("3", "must be an array of key paths (strings)"),
    ],
)
def test_removing_what_is_not_there(tmp_path: Path, remove: str, message: str) -> None:
    path = variant(tmp_path, f'name = "V"\nremove = [{remove}]\n' if remove != "3" else "remove = 3\n")
    found = problems(path)
    line = 3 if remove != "3" else 2
    assert len(found) == 1 and found[0].startswith(f"{path}:{line}: remove: ") and message in found[0], found


def test_remove_needs_a_file_to_remove_from(tmp_path: Path) -> None:
    text = SUMMIT.read_text(encoding="utf-8").replace(
        "schema_version = 1\n", 'schema_version = 1\nremove = ["tiers.symbolic"]\n'
    )
    text = text.replace('"../cards/', f'"{(RULES_DIR.parent / "cards").as_posix()}/')
    path = tmp_path / "base.toml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index('remove = ["tiers.symbolic"]') + 1
    assert problems(path) == [f"{path}:{line}: remove: only a file that extends another can remove entries from it"]
    with pytest.raises(RulesError, match="remove cannot be overridden"):
        load_rules(None, ['remove=["tiers.symbolic"]'])


def test_removing_every_card_of_a_deck(tmp_path: Path) -> None:
    ids = load_rules().agenda_ids
    path = variant(tmp_path, "remove = [" + ", ".join(f'"cards.agendas.{i}"' for i in ids) + "]\n")
    found = problems(path)
    assert found == [f"{path}: remove: removing {', '.join(ids)} leaves the agendas deck empty"]


def test_a_grandchild_removes_what_its_parent_added(tmp_path: Path) -> None:
    partial = (
        '[tiers.partial]\nname = "Partial"\nbonus = 1\nall = [{ kind = "tracks", at_least = "framework", count = 1 }]\n'
        '[outcome]\norder = ["failed", "incremental", "partial", "symbolic"]\n'
    )
    parent = variant(tmp_path, partial, "parent.toml")
    assert "partial" in load_rules(parent).tier_ids
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\nremove = ["tiers.partial"]\n', encoding="utf-8")
    assert load_rules(child).tier_ids == load_rules().tier_ids


def test_the_schema_documents_remove_and_cards() -> None:
    schemas = model_json_schemas()
    props = schemas["rules-partial"]["properties"]
    assert "tiers.partial" in props["remove"]["description"] and "cards.gestures" in props["remove"]["description"]
    assert "copies" in props["cards"]["description"]
    assert "cards.gestures.photo_op.copies" in schemas["gestures"]["properties"]["tunable"]["description"]
