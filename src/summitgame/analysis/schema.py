"""JSON Schemas (draft 2020-12) of the ``balance --json`` and ``compare --json`` documents, and a small
validator for the subset they use (type, properties, required, additionalProperties, items, enum, $ref to
``#/$defs/...``, anyOf), so the tests and scripts can check a report without a third-party package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NUM = {"type": ["number", "null"]}
INT = {"type": "integer", "minimum": 0}

DEFS: dict[str, Any] = {
    "estimate": {
        "type": "object",
        "description": "A point estimate with its two-sided 95% interval (null when there is too little data).",
        "properties": {"value": NUM, "low": NUM, "high": NUM},
        "required": ["value", "low", "high"],
    },
    "rate": {
        "type": "object",
        "description": "A count out of n with its Wilson 95% interval.",
        "properties": {"count": {"type": "number"}, "n": INT, "value": NUM, "low": NUM, "high": NUM},
        "required": ["count", "n", "value", "low", "high"],
        "additionalProperties": False,
    },
    "share": {
        "type": "object",
        "description": "count out of n (summed over games) with a percentile bootstrap 95% interval that resamples "
        "whole games (the items of one game are not independent).",
        "properties": {"count": INT, "n": INT, "games": INT, "value": NUM, "low": NUM, "high": NUM},
        "required": ["count", "n", "games", "value", "low", "high"],
        "additionalProperties": False,
    },
    "mean": {
        "type": "object",
        "description": "A mean over n values with its seeded percentile bootstrap 95% interval.",
        "properties": {"n": INT, "value": NUM, "low": NUM, "high": NUM},
        "required": ["n", "value", "low", "high"],
        "additionalProperties": False,
    },
    "difference": {
        "type": "object",
        "description": "mean(with) − mean(without), with a normal (Welch) 95% interval.",
        "properties": {"n_without": INT, "n_with": INT, "value": NUM, "low": NUM, "high": NUM},
        "required": ["n_without", "n_with", "value", "low", "high"],
        "additionalProperties": False,
    },
    "matched_difference": {
        "type": "object",
        "description": "mean(with the card) − mean(without it) among games of the same length, weighted by the "
        "card's games of each length, with a 95% interval that resamples deals and is widened by Student's t "
        "(analysis.cardstats).",
        "properties": {
            "n_without": INT,
            "n_with": INT,
            "deals_with": {**INT, "description": "Distinct deals among the units with the card."},
            "deals_without": INT,
            "matched": {**INT, "description": "Units with the card in a game length that also has units without it."},
            "value": NUM,
            "low": NUM,
            "high": NUM,
        },
        "required": ["n_without", "n_with", "value", "low", "high"],
        "additionalProperties": False,
    },
    "band": {
        "type": "object",
        "properties": {
            "point": {"type": "string"},
            "n": INT,
            "mean": {"type": "number"},
            "p10": {"type": "number"},
            "p90": {"type": "number"},
        },
        "required": ["point", "n", "mean", "p10", "p90"],
    },
    "compare_row": {
        "type": "object",
        "properties": {
            "metric": {"type": "string"},
            "kind": {"enum": ["rate", "mean"]},
            "a": {"type": "object"},
            "b": {"type": "object"},
            "difference": {"$ref": "#/$defs/estimate"},
            "significant": {"type": "boolean"},
            "verdict": {"enum": ["higher under B", "lower under B", "no significant difference"]},
        },
        "required": ["metric", "kind", "a", "b", "difference", "significant", "verdict"],
    },
}


def _map(of: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": of}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


_ENDINGS = _map(
    {
        "type": "object",
        "properties": {"share": _ref("rate"), "meters": _map(_ref("rate")), "rounds": _map(INT)},
        "required": ["share"],
    }
)
CAUSES: dict[str, Any] = {
    "type": "object",
    "description": "Why each tier happened: over its games, which 'any' condition held (and held alone), which "
    "condition of each earlier tier failed, how its games ended (the meter and the round) and which tracks "
    "reached accord; then every ending by cause. Counts out of the tier's (or ending's) games, Wilson 95%.",
    "properties": {
        "tiers": _map(
            {
                "type": "object",
                "properties": {
                    "n": INT,
                    "conditions": {"type": "array", "items": {"type": "string"}},
                    "alternatives": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "condition": {"type": "string"},
                                "text": {"type": "string"},
                                "held": _ref("rate"),
                                "alone": _ref("rate"),
                            },
                            "required": ["condition", "text", "held", "alone"],
                        },
                    },
                    "missed": _map(
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"text": {"type": "string"}, "failed": _ref("rate")},
                                "required": ["text", "failed"],
                            },
                        }
                    ),
                    "endings": _ENDINGS,
                    "accords": _map(_ref("rate")),
                },
                "required": ["n", "alternatives", "missed", "endings", "accords"],
            }
        ),
        "endings": _ENDINGS,
    },
    "required": ["tiers", "endings"],
}


_CARD_RANK: dict[str, Any] = {
    "verdict": {
        "enum": ["judged", "too_few"],
        "description": "too_few: fewer units or deals than min_plays / min_deals on a side; shown, not ranked.",
    },
    "rank": {
        "type": ["integer", "null"],
        "description": "1 = the largest score shift (an event: of either role); null: too few to judge.",
    },
}

SECTIONS: dict[str, Any] = {
    "outcomes": {
        "type": "object",
        "properties": {
            "n": INT,
            "tiers": _map(_ref("rate")),
            "endings": _map(_ref("rate")),
            "walkouts": _map(_ref("rate")),
            "causes": CAUSES,
        },
        "required": ["n", "tiers", "endings", "walkouts", "causes"],
    },
    "roles": {
        "type": "object",
        "properties": {
            "roles": _map(
                {
                    "type": "object",
                    "properties": {"win_rate": _ref("rate"), "mean_score": _ref("mean")},
                    "required": ["win_rate", "mean_score"],
                }
            ),
            "ties": _ref("rate"),
            "score_gap": _ref("mean"),
            "first_role_share_of_decided": _ref("rate"),
            "significant": {"type": "boolean"},
            "favoured": {"type": ["string", "null"]},
            "favoured_by": {
                "enum": ["score", "wins", "both", "conflict", None],
                "description": "Which measure is significant: the score gap, the first role's share of decided "
                "games, both (agreeing), or both disagreeing (then no role is favoured); null when neither is.",
            },
            "verdict": {"type": "string"},
        },
        "required": ["roles", "ties", "score_gap", "significant", "favoured", "verdict"],
    },
    "length": {
        "type": "object",
        "properties": {"rounds": _map(INT), "mean_rounds": _ref("mean"), "full_length": _ref("rate")},
        "required": ["rounds", "mean_rounds", "full_length"],
    },
    "meters": {
        "type": "object",
        "properties": {
            "trajectories": _map({"type": "array", "items": _ref("band")}),
            "near_misses": _map(
                {
                    "type": "object",
                    "properties": {
                        "limit": {"type": "integer"},
                        "mean_peak_of_non_walkers": _ref("mean"),
                        "highest_of_non_walkers": {"type": ["integer", "null"]},
                        "near_misses": _ref("rate"),
                    },
                    "required": ["limit", "mean_peak_of_non_walkers", "highest_of_non_walkers", "near_misses"],
                }
            ),
            "levels": _map(
                {
                    "type": "object",
                    "description": "The level at which the meter ends the game: a shared meter's breakdown "
                    "(at or below), a per-role meter's walk-out (at or above).",
                    "properties": {"breakdown_at": {"type": "integer"}, "walkout_at": {"type": "integer"}},
                }
            ),
        },
        "required": ["trajectories", "near_misses"],
    },
    "negotiation": {
        "type": "object",
        "properties": {
            "per_game": _map(_ref("mean")),
            "acceptance": _ref("rate"),
            "deal_steps": _ref("mean"),
            "deal_sizes": _map(INT),
            "no_deal_games": _ref("rate"),
            "tracks": _map(
                {
                    "type": "object",
                    "properties": {"agreed": _ref("rate"), "last_stage": _ref("rate")},
                    "required": ["agreed", "last_stage"],
                }
            ),
        },
        "required": ["per_game", "acceptance", "deal_steps", "deal_sizes", "no_deal_games", "tracks"],
    },
    "decisions": {
        "type": "object",
        "description": "The players' decisions: how many per game, and the share with exactly one legal choice "
        "(forced), overall and by the kind of that choice (the kinds add up to the overall share).",
        "properties": {
            "per_game": _ref("mean"),
            "forced": _ref("share"),
            "forced_by_kind": _map(_ref("share")),
        },
        "required": ["per_game", "forced", "forced_by_kind"],
        "additionalProperties": False,
    },
    "cards": {
        "type": "object",
        "properties": {
            "note": {"type": "string"},
            "min_plays": {**INT, "description": "Fewer units with the card (or without it) than this: too few."},
            "min_deals": {**INT, "description": "Fewer distinct deals with the card (or without it): too few."},
            "gestures": _map(
                {
                    "type": "object",
                    "properties": {
                        "played_in": _ref("rate"),
                        "plays": INT,
                        "score_shift": _ref("matched_difference"),
                        "tier_shift": _map(_ref("matched_difference")),
                        **_CARD_RANK,
                    },
                    "required": ["played_in", "plays", "score_shift", "tier_shift"],
                }
            ),
            "events": _map(
                {
                    "type": "object",
                    "properties": {
                        "drawn_in": _ref("rate"),
                        "score_shift": _map(_ref("matched_difference")),
                        "tier_shift": _map(_ref("matched_difference")),
                        **_CARD_RANK,
                    },
                    "required": ["drawn_in", "score_shift", "tier_shift"],
                }
            ),
        },
        "required": ["gestures", "events"],
    },
}

AGENTS = {
    "type": "object",
    "properties": {
        "standings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"agent": {"type": "string"}, "score_rate": _ref("estimate"), "games": INT},
                "required": ["agent", "score_rate", "games", "wins", "ties", "losses", "mean_score"],
            },
        },
        "crosstable": _map(_map({"type": "object", "required": ["games", "score_rate"]})),
        "per_role": _map(_map(_ref("estimate"))),
    },
    "required": ["standings", "crosstable", "per_role"],
}

PROVENANCE = {
    "type": "object",
    "properties": {
        "rules": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "fingerprint": {"type": "string"}, "source": {"type": "string"}},
            "required": ["name", "fingerprint"],
        },
        "engine": {"type": "string"},
        "agents": _map({"type": "string"}),
        "seed": {"type": "integer"},
        "games_requested": INT,
        "games_per_pair": INT,
        "games_planned": INT,
        "games_measured": INT,
        "forfeits": INT,
        "command": {"type": "string"},
    },
    "required": [
        "rules",
        "engine",
        "agents",
        "seed",
        "games_requested",
        "games_per_pair",
        "games_planned",
        "games_measured",
        "forfeits",
        "command",
    ],
    "additionalProperties": False,
}

SPEED = {
    "type": "object",
    "description": "Timing of the run; the only part of the document that depends on the machine, --workers and "
    "--scheduler.",
    "properties": {
        "workers": INT,
        "played": INT,
        "seconds": {"type": "number"},
        "games_per_second": NUM,
        "scheduler": {"type": "string", "description": "The Dask scheduler's address (workers: its threads)."},
    },
    "required": ["workers", "played", "seconds", "games_per_second"],
}

RECORDED = {
    "anyOf": [
        {"type": "null"},
        {
            "type": "object",
            "properties": {
                "folder": {"type": "string"},
                "files": INT,
                "games": INT,
                "skipped": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"where": {"type": "string"}, "why": {"type": "string"}},
                        "required": ["where", "why"],
                    },
                },
                "skipped_count": INT,
                **SECTIONS,
            },
            "required": ["folder", "files", "games", "skipped", "skipped_count", *SECTIONS],
        },
    ]
}

ABLATION = {
    "anyOf": [
        {"type": "null"},
        {
            "type": "object",
            "description": "The first ablation of 'ablations' that was played (kept for single-ablation readers).",
            "properties": {
                "cards": {"type": "array", "items": {"type": "string"}},
                "rules": {"type": "object", "required": ["name", "fingerprint"]},
                "comparison": {
                    "type": "object",
                    "properties": {
                        "metrics": {"type": "array", "items": _ref("compare_row")},
                        "significant": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["metrics", "significant"],
                },
            },
            "required": ["cards", "rules", "comparison"],
        },
    ]
}

_CHANGE = {
    "anyOf": [
        {"type": "null", "description": "Not measured (the ablation was not played)."},
        {
            "type": "object",
            "description": "B − A paired on the deals (B: without the cards), 95% CI, and whether it excludes 0.",
            "properties": {"n": INT, "value": NUM, "low": NUM, "high": NUM, "significant": {"type": "boolean"}},
            "required": ["value", "low", "high", "significant"],
        },
    ]
}
ABLATIONS = {
    "anyOf": [
        {"type": "null", "description": "No --ablate or --ablate-all."},
        {
            "type": "array",
            "description": "One ablation per --ablate value (a comma list: those cards together), then with "
            "--ablate-all one per event and gesture card, largest change in a tier's share first.",
            "items": {
                "type": "object",
                "properties": {
                    "cards": {"type": "array", "items": {"type": "string"}},
                    "kinds": {"type": "array", "items": {"enum": ["event", "gesture", "agenda", "?"]}},
                    "rules": {"type": ["object", "null"], "required": ["name", "fingerprint"]},
                    "skipped": {
                        "type": ["string", "null"],
                        "description": "Why the card could not be taken out (--ablate-all: say, a deck left empty).",
                    },
                    "comparison": {
                        "type": "object",
                        "properties": {
                            "metrics": {"type": "array", "items": _ref("compare_row")},
                            "significant": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["metrics", "significant"],
                    },
                    "summary": {
                        "type": "object",
                        "properties": {"tiers": _map(_CHANGE), "score_gap": _CHANGE, "rounds": _CHANGE},
                        "required": ["tiers", "score_gap", "rounds"],
                    },
                },
                "required": ["cards", "kinds", "rules", "skipped", "comparison", "summary"],
            },
        },
    ]
}

EXPLOITS = {
    "anyOf": [
        {"type": "null", "description": "No probe games were played (--probe-games 0, or every agent is a probe)."},
        {
            "type": "object",
            "description": "Each probe agent (a cheap line) against each agent of the report that is not a probe, "
            "role-swapped on the report's deals; score rates from the probe's side.",
            "properties": {
                "games_per_pairing": INT,
                "probes": _map({"type": "string", "description": "The probe's line in words (CHEAP_LINES)."}),
                "agents": {"type": "array", "items": {"type": "string"}},
                "pairings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "probe": {"type": "string"},
                            "agent": {"type": "string"},
                            "line": {"type": "string"},
                            "games": INT,
                            "wins": INT,
                            "ties": INT,
                            "losses": INT,
                            "score_rate": _ref("estimate"),
                            "beats": {
                                "type": "boolean",
                                "description": "The probe wins at 95%: the score rate's interval lies above 50%.",
                            },
                        },
                        "required": [
                            "probe",
                            "agent",
                            "line",
                            "games",
                            "wins",
                            "ties",
                            "losses",
                            "score_rate",
                            "beats",
                        ],
                        "additionalProperties": False,
                    },
                },
                "forfeits": INT,
                "played": INT,
            },
            "required": ["games_per_pairing", "probes", "agents", "pairings", "forfeits", "played"],
            "additionalProperties": False,
        },
    ]
}

IMPACT = {
    "anyOf": [
        {"type": "null", "description": "Not measured (balance without --impact)."},
        {
            "type": "object",
            "description": "Counterfactual card impact: every card drawn or played in the run's games, the game "
            "replayed with that draw's effects blanked (the card still drawn or played); the share of draws where "
            "the tier or the winner flips. Cards with fewer than min_draws draws, or drawn in fewer than min_deals "
            "distinct deals, are too few to judge and not ranked.",
            "properties": {
                "min_draws": INT,
                "min_deals": INT,
                "decisive_share": {"type": "number"},
                "cards": {
                    "type": "array",
                    "description": "Every event and gesture: the ranked ones first, by tier flips then winner flips.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "card": {"type": "string"},
                            "kind": {"enum": ["event", "gesture"]},
                            "draws": INT,
                            "deals": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Distinct deals those draws come from (draws of one deal are not "
                                "independent: balance plays every pair of agents on the same deals).",
                            },
                            "no_change": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Draws where blanking changed nothing at once (no replay needed).",
                            },
                            "tier_flips": _ref("rate"),
                            "winner_flips": _ref("rate"),
                            "verdict": {
                                "enum": ["too_few", "inert", "decisive", "ranked"],
                                "description": "too_few: fewer than min_draws draws; inert: never flips the tier or "
                                "the winner; decisive: flips the tier on more than decisive_share of its draws.",
                            },
                            "rank": {"type": ["integer", "null"], "description": "1 = most impact; null: not ranked."},
                        },
                        "required": [
                            "card",
                            "kind",
                            "draws",
                            "deals",
                            "no_change",
                            "tier_flips",
                            "winner_flips",
                            "verdict",
                            "rank",
                        ],
                        "additionalProperties": False,
                    },
                },
                "summary": _map(
                    {
                        "type": "object",
                        "properties": {
                            "draws": INT,
                            "tier_flips": _ref("rate"),
                            "winner_flips": _ref("rate"),
                            "games_with_a_tier_flip": _ref("rate"),
                        },
                        "required": ["draws", "tier_flips", "winner_flips", "games_with_a_tier_flip"],
                        "additionalProperties": False,
                    }
                ),
                "replays": {
                    "type": "object",
                    "properties": {
                        "draws": INT,
                        "deals": INT,
                        "played": INT,
                        "unchanged": INT,
                        "forfeits": INT,
                        "diverged": INT,
                    },
                    "required": ["draws", "deals", "played", "unchanged", "forfeits", "diverged"],
                    "additionalProperties": False,
                },
            },
            "required": ["min_draws", "decisive_share", "cards", "summary", "replays"],
            "additionalProperties": False,
        },
    ]
}

BALANCE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "summitgame balance report",
    "description": "The output of `summitgame balance --json`: sections 1–8 of the balance report.",
    "type": "object",
    "properties": {
        "format": {"enum": ["summitgame-balance"]},
        "version": {"enum": [1]},
        "warnings": {"type": "array", "items": {"type": "string"}},
        **SECTIONS,
        "agents": AGENTS,
        "exploits": EXPLOITS,
        "impact": IMPACT,
        "recorded": RECORDED,
        "ablation": ABLATION,
        "ablations": ABLATIONS,
        "labels": {
            "type": "object",
            "description": "Display names of the rule data's ids (roles, tiers, tracks, meter series keys such as "
            "'pressure:moscow', events, gestures), for charts and tables.",
            "additionalProperties": _map({"type": "string"}),
        },
        "provenance": PROVENANCE,
        "speed": SPEED,
    },
    "required": [
        "format",
        "version",
        "warnings",
        *SECTIONS,
        "agents",
        "exploits",
        "impact",
        "recorded",
        "ablation",
        "provenance",
    ],
    "additionalProperties": False,
    "$defs": DEFS,
}

COMPARE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "summitgame comparison of two rule sets",
    "description": "The output of `summitgame compare --json`.",
    "type": "object",
    "properties": {
        "format": {"enum": ["summitgame-compare"]},
        "version": {"enum": [1]},
        "a": {"type": "object", "required": ["label", "name", "fingerprint"]},
        "b": {"type": "object", "required": ["label", "name", "fingerprint"]},
        "agents": _map({"type": "string"}),
        "seed": {"type": "integer"},
        "games": INT,
        "metric": {"type": "string"},
        "metrics": {"type": "array", "items": _ref("compare_row")},
        "significant": {"type": "array", "items": {"type": "string"}},
        "only_in_a": {"type": "array", "items": {"type": "string"}},
        "only_in_b": {"type": "array", "items": {"type": "string"}},
        "sequential": {
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "metric": {"type": "string"},
                        "delta": {"type": "number"},
                        "decision": {"enum": ["differ", "same", None]},
                        "games": INT,
                        "max_games": INT,
                        "bounds": {"type": "array", "items": {"type": "number"}},
                        "batches": {"type": "array"},
                    },
                    "required": ["metric", "delta", "decision", "games", "max_games", "bounds", "batches"],
                },
            ]
        },
        "command": {"type": "string"},
    },
    "required": ["format", "version", "a", "b", "agents", "seed", "games", "metrics", "significant", "command"],
    "additionalProperties": False,
    "$defs": DEFS,
}

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is(value: Any, t: str) -> bool:
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[t])


def validate(doc: Any, schema: Mapping[str, Any], root: Mapping[str, Any] | None = None, path: str = "$") -> list[str]:
    """Every place where ``doc`` breaks ``schema`` (an empty list when it is valid)."""
    root = schema if root is None else root
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix("#/$defs/")
        return validate(doc, root["$defs"][name], root, path)
    errors: list[str] = []
    if "anyOf" in schema:
        options = [validate(doc, s, root, path) for s in schema["anyOf"]]
        if all(options):
            errors.append(f"{path}: matches none of the allowed forms ({'; '.join(o[0] for o in options)})")
        return errors
    if "enum" in schema and doc not in schema["enum"]:
        errors.append(f"{path}: {doc!r} is not one of {schema['enum']!r}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(doc, t) for t in types):
            return [*errors, f"{path}: expected {' or '.join(types)}, got {type(doc).__name__}"]
    if "minimum" in schema and _is(doc, "number") and doc < schema["minimum"]:
        errors.append(f"{path}: {doc} is below the minimum {schema['minimum']}")
    if isinstance(doc, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in doc:
                errors.append(f"{path}: required key {key!r} is missing")
        extra = schema.get("additionalProperties", True)
        for key, value in doc.items():
            if key in props:
                errors.extend(validate(value, props[key], root, f"{path}.{key}"))
            elif extra is False:
                errors.append(f"{path}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                errors.extend(validate(value, extra, root, f"{path}.{key}"))
    if isinstance(doc, list) and "items" in schema:
        for i, item in enumerate(doc):
            errors.extend(validate(item, schema["items"], root, f"{path}[{i}]"))
    return errors


# --- sweep, sensitivity and targets (``summitgame sweep`` / ``targets`` with --json) -------------------

EXPLORE_DEFS: dict[str, Any] = {
    **DEFS,
    "measure": {
        "type": "object",
        "description": "A summary measure with its 95% interval: a rate (0..1, Wilson) or a number (Student-t "
        "for means, order statistics for medians); null when there is too little data.",
        "properties": {
            "value": NUM,
            "low": NUM,
            "high": NUM,
            "n": INT,
            "kind": {"enum": ["rate", "number"]},
            "unit": {"type": "string"},
        },
        "required": ["value", "low", "high", "n", "kind", "unit"],
        "additionalProperties": False,
    },
    "effect": {
        "type": "object",
        "description": "A measure's change per step of a parameter: the paired mean over the same deals with its "
        "95% interval, or (paired false) the difference of two summaries without one.",
        "properties": {
            "value": NUM,
            "low": NUM,
            "high": NUM,
            "paired": {"type": "boolean"},
            "scaled": {"type": "number", "description": "|value| per 5 percentage points for rates, per unit else."},
            "significant": {"type": "boolean"},
        },
        "required": ["value", "low", "high", "paired", "scaled", "significant"],
        "additionalProperties": False,
    },
}

RULES_ID = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "fingerprint": {"type": "string"}, "source": {"type": "string"}},
    "required": ["name", "fingerprint"],
}

NUMBER = {"type": "number"}
SWEPT = {"type": ["number", "string"]}  #: a swept value: a number, or a deck file
NAMES = {"type": "array", "items": {"type": "string"}}

SWEEP_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "summitgame parameter sweep",
    "description": "The output of `summitgame sweep --json`: the measures at every point of a parameter grid.",
    "type": "object",
    "properties": {
        "format": {"enum": ["summitgame-sweep"]},
        "version": {"enum": [1]},
        "engine": {"type": "string"},
        "rules": {
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "source": {"type": "string"}},
                    "required": ["name"],
                },
            ]
        },
        "params": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": SWEPT,
                        "description": "The values tried: numbers, or deck files (decks.gestures=a.toml,b.toml).",
                    },
                    "allowed": {"anyOf": [{"type": "null"}, {"type": "array", "items": NUMBER}]},
                    "current": {
                        "anyOf": [{"type": "null"}, NUMBER],
                        "description": "The value under the rules as given (before the sweep's values).",
                    },
                },
                "required": ["path", "values", "allowed"],
                "additionalProperties": False,
            },
        },
        "measures": NAMES,
        "agents": _map({"type": "string"}),
        "games": INT,
        "seed": {"type": "integer"},
        "points": {
            "type": "array",
            "description": "Every combination of the parameters' values, the first parameter varying slowest.",
            "items": {
                "type": "object",
                "properties": {
                    "values": _map(SWEPT),
                    "fingerprint": {"type": "string"},
                    "games": INT,
                    "measures": _map(_ref("measure")),
                },
                "required": ["values", "fingerprint", "games", "measures"],
                "additionalProperties": False,
            },
        },
        "command": {"type": "string"},
        "targets": _map(
            {
                "type": "object",
                "description": "A measure's target band (sweep --targets): low and high ends, null for open.",
                "properties": {
                    "low": {"type": ["number", "null"]},
                    "high": {"type": ["number", "null"]},
                    "wanted": {"type": "string"},
                },
                "required": ["low", "high", "wanted"],
            }
        ),
    },
    "required": [
        "format",
        "version",
        "engine",
        "rules",
        "params",
        "measures",
        "agents",
        "games",
        "seed",
        "points",
        "command",
    ],
    "additionalProperties": False,
    "$defs": EXPLORE_DEFS,
}

SENSITIVITY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "summitgame sensitivity of the measures to each parameter",
    "description": "The output of `summitgame sweep --sensitivity --json`: each parameter moved one step either "
    "way, its effect per step on each measure, and the parameters ranked by effect.",
    "type": "object",
    "properties": {
        "format": {"enum": ["summitgame-sensitivity"]},
        "version": {"enum": [1]},
        "engine": {"type": "string"},
        "rules": RULES_ID,
        "measures": NAMES,
        "current": _map(_ref("measure")),
        "agents": _map({"type": "string"}),
        "games": INT,
        "seed": {"type": "integer"},
        "params": {
            "type": "array",
            "description": "Strongest first.",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "value": NUMBER,
                    "step": NUMBER,
                    "down": NUM,
                    "up": NUM,
                    "skipped": NAMES,
                    "effects": _map({"anyOf": [{"type": "null"}, _ref("effect")]}),
                    "strongest": NUMBER,
                },
                "required": ["path", "value", "step", "down", "up", "skipped", "effects", "strongest"],
                "additionalProperties": False,
            },
        },
        "ranking": _map(NAMES),
        "command": {"type": "string"},
    },
    "required": [
        "format",
        "version",
        "engine",
        "rules",
        "measures",
        "current",
        "agents",
        "games",
        "seed",
        "params",
        "ranking",
        "command",
    ],
    "additionalProperties": False,
    "$defs": EXPLORE_DEFS,
}

TARGETS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "summitgame balance targets checked",
    "description": "The output of `summitgame targets FILE --json`: each target, what was measured, and the verdict.",
    "type": "object",
    "properties": {
        "format": {"enum": ["summitgame-targets"]},
        "version": {"enum": [1]},
        "targets": {"type": "string"},
        "rules": RULES_ID,
        "agents": _map({"type": "string"}),
        "exploiters": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The targets file's [run] exploiters: agents played beside the probes for the exploit "
            "measures (probe_score_rate, exploitability:AGENT).",
        },
        "games": INT,
        "seed": {"type": "integer"},
        "met": {"type": "boolean"},
        "verdicts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "target": {"type": "string"},
                    "wanted": {"type": "string"},
                    "measured": _ref("measure"),
                    "met": {"type": "boolean"},
                    "borderline": {"type": "boolean"},
                    "miss": NUM,
                    "loss": NUM,
                },
                "required": ["target", "wanted", "measured", "met", "borderline", "miss", "loss"],
                "additionalProperties": False,
            },
        },
        "command": {"type": "string"},
    },
    "required": ["format", "version", "targets", "rules", "agents", "games", "seed", "met", "verdicts", "command"],
    "additionalProperties": False,
    "$defs": EXPLORE_DEFS,
}
