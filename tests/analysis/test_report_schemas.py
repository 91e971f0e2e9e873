"""The report models of ``analysis.schema``: their generated JSON Schemas are valid, list every key of every
object, are what ``--schema`` prints, and agree with the builders' constants."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, get_args

import jsonschema
import pytest
from click.testing import CliRunner

from report_check import problems
from summitgame.analysis import balance, compare, exploit, sweep
from summitgame.analysis.schema import REPORTS, Method, json_schema
from summitgame.cli import cli

SCHEMA_ARGS = {
    "balance": ["balance"],
    "compare": ["compare"],
    "sweep": ["sweep"],
    "sensitivity": ["sweep", "--sensitivity"],
    "targets": ["targets"],
    "exploit": ["exploit"],
}


def objects(schema: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema (one with properties) inside ``schema``, with where it is."""
    if isinstance(schema, dict):
        if "properties" in schema:
            yield path, schema
        for key, sub in schema.items():
            yield from objects(sub, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            yield from objects(sub, f"{path}/{i}")


@pytest.mark.parametrize("kind", sorted(REPORTS))
def test_each_schema_is_valid_and_closes_every_object(kind: str) -> None:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"].startswith("summitgame") and schema["description"].startswith("The output of")
    found = list(objects(schema))
    assert len(found) > 3
    assert [p for p, o in found if o.get("additionalProperties") is not False] == []
    assert [name for name, sub in schema.get("$defs", {}).items() if not sub.get("description")] == []


@pytest.mark.parametrize("kind", sorted(SCHEMA_ARGS))
def test_the_schema_option_prints_the_generated_schema(kind: str) -> None:
    res = CliRunner().invoke(cli, [*SCHEMA_ARGS[kind], "--schema"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == json_schema(kind)


def test_json_schema_hands_out_a_copy() -> None:
    schema = json_schema("balance")
    schema["properties"].clear()
    assert json_schema("balance")["properties"]


def test_the_models_agree_with_the_builders_constants() -> None:
    formats = {
        "balance": balance.FORMAT,
        "compare": compare.FORMAT,
        "sweep": sweep.FORMAT,
        "sensitivity": sweep.SENSITIVITY_FORMAT,
        "exploit": exploit.FORMAT,
        "targets": "summitgame-targets",
    }
    for kind, model in REPORTS.items():
        hints = model.__annotations__
        assert "format" in hints and "version" in hints, kind
        schema = json_schema(kind)["properties"]
        assert schema["format"]["const"] == formats[kind] and schema["version"]["const"] == 1, kind
    assert set(get_args(Method)) == set(exploit.METHODS)


def test_an_unknown_key_inside_a_section_is_refused() -> None:
    """Before: the hand-written schema left most sections open, so a key a builder added (or misspelt) inside
    ``outcomes``, ``roles`` or ``agents`` went unnoticed; every object now lists all its keys."""
    res = CliRunner().invoke(cli, ["balance", "--agents", "random", "-n", "2", "--probe-games", "0", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert problems(doc, "balance") == []
    doc["outcomes"]["share"] = 1
    doc["agents"]["standings"][0]["elo"] = 1500
    doc["roles"].pop("verdict")
    assert sorted(problems(doc, "balance")) == [
        "$.agents.standings[0]: Additional properties are not allowed ('elo' was unexpected)",
        "$.outcomes: Additional properties are not allowed ('share' was unexpected)",
        "$.roles: 'verdict' is a required property",
    ]
