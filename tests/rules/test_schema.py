"""The schema is the documentation: every field is described, and the rulebook covers the data."""

from __future__ import annotations

from pydantic import BaseModel

from summitgame.rules import schema
from summitgame.rules.loader import load_rules, model_json_schemas
from summitgame.rules.rulebook import rulebook


def all_models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for value in vars(schema).values():
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == schema.__name__:
            found.append(value)
    return found


def test_every_field_has_a_description() -> None:
    missing = [
        f"{model.__name__}.{name}"
        for model in all_models()
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert len(all_models()) > 20
    assert missing == []


def test_every_model_forbids_unknown_keys() -> None:
    loose = [m.__name__ for m in all_models() if m.model_config.get("extra") != "forbid"]
    assert loose == []


def test_json_schemas_export_with_descriptions() -> None:
    schemas = model_json_schemas()
    assert set(schemas) == {"rules", "rules-partial", "events", "gestures", "agendas"}
    props = schemas["rules"]["properties"]
    assert props["rounds"]["description"]
    assert "meters" in props and "tracks" in props


def test_rulebook_covers_every_track_card_and_tier() -> None:
    for path in (None, "rules/trade.toml"):
        rules = load_rules(path)
        text = rulebook(rules)
        for name in (*rules.track_names, *rules.role_names, *rules.tier_names):
            assert name in text
        for deck in (rules.events_deck, rules.gestures_deck, rules.agendas_deck):
            for card in deck.cards:
                assert f"**{card.name}**" in text
                assert card.flavor.strip() in text
        assert rules.fingerprint in text


def test_rulebook_follows_the_numbers() -> None:
    base = rulebook(load_rules())
    changed = rulebook(load_rules(None, ["rounds.count=9", "proposals.max_counters=2"]))
    assert "The summit lasts 6 rounds" in base
    assert "The summit lasts 9 rounds" in changed
    assert "at most 2 counter-proposal(s) a round" in changed
