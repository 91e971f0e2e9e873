"""Check a report document against the JSON Schema generated from its model (``analysis.schema``), with
jsonschema: the one validator the tests use for the ``--json`` reports."""

from __future__ import annotations

from typing import Any

import jsonschema

from summitgame.analysis.schema import json_schema


def problems(doc: Any, kind: str, part: str | None = None) -> list[str]:
    """Every place where ``doc`` breaks the schema of report ``kind`` (of its model ``part``, a name in its
    ``$defs``, when given), as ``$.json.path: message``; an empty list when it is valid."""
    schema = json_schema(kind)
    if part is not None:
        schema = {"$ref": f"#/$defs/{part}", "$defs": schema["$defs"]}
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]
