"""The text protocol for bots that run as programs (``cmd:PROGRAM``), version 1: JSON lines over stdin/stdout.

For each game we send ``hello`` (the protocol version, the rules, the program's role and a seed for its
own randomness), then ``act`` for each of its decisions, which it answers with one line,
``{"action": CODE}`` or ``{"action": "NOTATION"}``, and ``end`` with the outcome. Every message is built
here from public rule data and the player's ``Observation`` (``observation.to_json``) only, so a program
learns nothing an in-process agent could not. Its answers are parsed here, strictly: anything but one of
the legal actions is a ``ProtocolError``, and nothing in an answer is run or used as a path.

The pydantic models below are the messages' schemas: ``json_schemas()`` exports them, docs/protocol/
holds them (``python -m summitgame.agents.protocol docs/protocol`` rewrites them; a test checks they are
current), and docs/protocol.md explains the protocol.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..engine.observation import Observation, to_json
from ..engine.scoring import Outcome
from ..errors import SummitError
from ..rules.actions import Action
from ..rules.ruleset import Ruleset
from ..safeio import DataFileError, loads_json, printable
from ..version import __version__

VERSION = 1  #: the protocol version sent in ``hello``; bumped when a message changes meaning
SHOWN = 60  #: characters of a program's answer quoted in an error


class ProtocolError(SummitError):
    """A program that plays over the text protocol broke it (garbage, an illegal answer, silence, an exit):
    it forfeits the game."""


# --- the messages, as models (their JSON Schemas are the protocol's reference) -----------------------------


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RoleInfo(_Message):
    """One of the two roles, in role-index order."""

    id: str = Field(description="The role id used everywhere else (observation.role, outcome.scores keys).")
    name: str = Field(description="Display name.")


class TrackInfo(_Message):
    """One agenda track, in track-index order (the order of observation.tracks and the per-track lists)."""

    id: str = Field(description="Track id, as in action notations ('give ID STEPS').")
    name: str = Field(description="Display name.")
    short: str = Field(description="Short label.")
    start: int = Field(ge=0, description="Index of the stage the track starts at (rules.stages).")
    stakes: list[int] = Field(description="Base stake per step for role 0 and role 1 (public, without agendas).")


class MeterInfo(_Message):
    """One meter and where it sits in observation.meters."""

    id: str = Field(description="Meter id.")
    name: str = Field(description="Display name.")
    scope: Literal["shared", "per_role"] = Field(description="One value for both roles, or one per role.")
    min: int = Field(description="Lowest value.")
    max: int = Field(description="Highest value.")
    slots: list[int] = Field(
        description="Index of its value in observation.meters: one slot if shared, else role 0's then role 1's."
    )


class TierInfo(_Message):
    """One outcome tier, in the order tiers are checked."""

    id: str = Field(description="Tier id (outcome.tier).")
    name: str = Field(description="Display name.")
    bonus: int = Field(description="Points both roles score when the summit ends in this tier.")


class ActionInfo(_Message):
    """One action of the rules' action table: its int code and text notation (both accepted in answers)."""

    code: int = Field(ge=0, description="The action's int code (its index in rules.actions).")
    notation: str = Field(description="Its text form, e.g. 'accept', 'play photo_op', 'give arms 2'.")
    kind: Literal["pass", "offer", "accept", "reject", "counter", "play", "give", "ask"] = Field(
        description="What it does."
    )
    card: str | None = Field(description="The gesture card played ('play' only).")
    track: str | None = Field(description="The track ('give' and 'ask' only).")
    steps: int = Field(ge=0, description="Steps conceded or asked ('give' and 'ask' only; else 0).")


class RulesInfo(_Message):
    """The rules being played, all public: ids, names and the action table, plus the full rule data."""

    name: str = Field(description="The rule set's name.")
    fingerprint: str = Field(description="Hash of the resolved rules and decks (the same in game records).")
    rounds: int = Field(ge=1, description="Rounds in a game.")
    roles: list[RoleInfo] = Field(min_length=2, max_length=2, description="Role 0 and role 1.")
    stages: list[str] = Field(description="Stage ids of every track, lowest first (observation.tracks indexes).")
    tracks: list[TrackInfo] = Field(description="The tracks, in index order.")
    meters: list[MeterInfo] = Field(description="The meters.")
    tiers: list[TierInfo] = Field(description="The outcome tiers, in the order they are checked.")
    gestures: list[str] = Field(description="Gesture card ids.")
    events: list[str] = Field(description="Event card ids (history code -1 - i is event i).")
    agendas: list[str] = Field(description="Agenda card ids.")
    actions: list[ActionInfo] = Field(description="Every action, by code (history codes >= 0 index this list).")
    data: dict[str, Any] = Field(
        description="The resolved rule file and decks ('rules', 'events', 'gestures', 'agendas'), as "
        "`summitgame schema` describes them: what the fingerprint hashes, for a program that simulates."
    )


class Hello(_Message):
    """Sent once, first, for each game the program plays."""

    type: Literal["hello"]
    protocol: Literal[1] = Field(description="The protocol version.")
    engine: str = Field(description="The summitgame version.")
    role: str = Field(description="The program's role id this game.")
    role_index: int = Field(ge=0, le=1, description="Its role index (observation.viewer).")
    seed: int = Field(
        ge=0,
        description="A 64-bit seed for the program's own randomness, from its agent stream (unrelated to the "
        "deal): a program that draws only from it plays the same game again from the same run seed.",
    )
    time_limit: float = Field(gt=0, description="Seconds it has to answer each act (past it, it forfeits).")
    rules: RulesInfo


class ObservationInfo(_Message):
    """What the program's role may see (``observation.Observation``, field by field; ``observation.to_json``)."""

    viewer: int = Field(ge=0, le=1, description="The viewer's role index.")
    role: str = Field(description="The viewer's role id.")
    round: int = Field(description="The current round (1-based; the last round played once the game is over).")
    initiative: int = Field(description="Role index holding the initiative this round.")
    phase: Literal["build", "respond", "over"] = Field(description="Where the round stands.")
    to_move: int = Field(ge=-1, le=1, description="Role index to move; -1 once the game is over.")
    meters: list[int] = Field(description="Every meter slot (see rules.meters[].slots); all public.")
    tracks: list[int] = Field(description="Stage index per track.")
    blocked: list[int] = Field(description="Per track, the last round it is blocked.")
    public_stakes: list[int] = Field(description="Stakes without agendas, index role * n_tracks + track.")
    my_stakes: list[int] = Field(description="The viewer's true stakes per track (its agenda included).")
    my_hand: list[str] = Field(description="The viewer's gesture card ids, in rules.gestures order.")
    their_hand_size: int = Field(ge=0, description="How many cards the opponent holds.")
    my_agenda: str = Field(description="The viewer's secret agenda card id.")
    their_agenda: str | None = Field(description="The opponent's agenda, only once revealed to the viewer.")
    my_agenda_revealed: bool = Field(description="Whether the opponent has seen the viewer's agenda.")
    items: list[list[int]] = Field(
        description="The package being built or on the table: [giver role, track index, steps] per item."
    )
    proposer: int = Field(description="Role index of the package's proposer.")
    counters: int = Field(ge=0, description="Counter-proposals made this round.")
    plays: int = Field(ge=0, description="Gesture cards played this turn.")
    my_points: int = Field(description="The viewer's points from deals so far, at its true stakes.")
    public_points: list[int] = Field(description="Both roles' points at public stakes (agendas excluded).")
    net: list[int] = Field(description="Steps gained minus given in accepted deals, role * n_tracks + track.")
    gained: list[bool] = Field(description="Whether each role gained in a deal this round.")
    end: Literal["none", "last_round", "walkout", "breakdown"] = Field(description="Why the game ended, if it did.")
    walkouts: list[int] = Field(description="Role indexes that walked out.")
    history: list[int] = Field(description="The public history as codes: actions (>= 0) and events (-1 - index).")
    log: list[str] = Field(description="The same history as text: notations and 'event ID'.")
    event: str | None = Field(description="This round's event card id.")
    events_left: int = Field(ge=0, description="Event cards left before the deck is reshuffled.")
    gesture_deck_size: int = Field(ge=0, description="Gesture cards left in the deck.")
    legal: list[int] = Field(description="Codes of the viewer's legal actions (empty when it is not to move).")


class LegalAction(_Message):
    """One legal action: answer with its code or its notation."""

    code: int = Field(ge=0, description="Its int code.")
    notation: str = Field(description="Its text form.")


class Act(_Message):
    """Sent for each decision of the program's role; answer with one line, an ``Answer``."""

    type: Literal["act"]
    observation: ObservationInfo
    legal: list[LegalAction] = Field(min_length=1, description="The legal actions, never empty.")


class OutcomeInfo(_Message):
    """How the game ended (``scoring.Outcome.as_dict``): both agendas are public by then."""

    tier: str = Field(description="The outcome tier id.")
    reason: Literal["last_round", "walkout", "breakdown"] = Field(description="Why the game ended.")
    walkouts: list[str] = Field(description="Role ids that walked out.")
    rounds_played: int = Field(ge=0, description="Rounds played.")
    scores: dict[str, int] = Field(description="Score per role id.")
    winner: str | None = Field(description="The winning role id; null for a tie.")
    agendas: dict[str, str] = Field(description="Each role's agenda card id.")


class End(_Message):
    """Sent when the game is played out; the program should then exit. (A forfeit by either side ends the
    game without an ``end``: the program's stdin is closed and it is stopped.)"""

    type: Literal["end"]
    outcome: OutcomeInfo
    observation: ObservationInfo = Field(description="The program's view of the final state.")


class Answer(BaseModel):
    """The program's one-line answer to ``act``: a legal action by code or notation (other keys are ignored)."""

    model_config = ConfigDict(extra="allow", strict=True)

    action: int | str = Field(description="A legal action's code (an integer, not a string) or its notation.")


MODELS: dict[str, type[BaseModel]] = {"hello": Hello, "act": Act, "end": End, "answer": Answer}


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema (draft 2020-12) of each message, by name: hello, act, end (ours) and answer (the
    program's)."""
    out = {}
    for name, model in MODELS.items():
        schema = model.model_json_schema()
        out[name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"summitgame-protocol-{VERSION}-{name}",
            **schema,
        }
    return out


# --- building messages ----------------------------------------------------------------------------------


def _action_info(a: Action) -> dict[str, Any]:
    return {
        "code": int(a),
        "notation": a.notation(),
        "kind": a.kind.value,
        "card": a.card,
        "track": a.track,
        "steps": a.steps,
    }


def rules_info(rules: Ruleset) -> dict[str, Any]:
    """The rules as ``hello`` carries them: public ids, names, the action table and the resolved data."""
    spec = rules.spec
    T = rules.n_tracks
    meters = []
    for mid in rules.meter_ids:
        slot, per_role = rules.meter_slot[mid]
        m = spec.meters[mid]
        meters.append(
            {
                "id": mid,
                "name": m.name,
                "scope": m.scope,
                "min": m.min,
                "max": m.max,
                "slots": [slot, slot + 1] if per_role else [slot],
            }
        )
    return {
        "name": rules.name,
        "fingerprint": rules.fingerprint,
        "rounds": rules.rounds,
        "roles": [{"id": r, "name": n} for r, n in zip(rules.roles, rules.role_names, strict=True)],
        "stages": list(rules.stages),
        "tracks": [
            {
                "id": tid,
                "name": rules.track_names[t],
                "short": rules.track_short[t],
                "start": rules.track_start[t],
                "stakes": [rules.stake[t], rules.stake[T + t]],
            }
            for t, tid in enumerate(rules.track_ids)
        ],
        "meters": meters,
        "tiers": [
            {"id": tid, "name": rules.tier_names[i], "bonus": rules.tier_bonus[i]}
            for i, tid in enumerate(rules.tier_ids)
        ],
        "gestures": list(rules.gesture_ids),
        "events": list(rules.event_ids),
        "agendas": list(rules.agenda_ids),
        "actions": [_action_info(a) for a in rules.actions.all],
        "data": {
            "rules": spec.model_dump(mode="json", exclude={"extends", "decks", "tunable", "remove", "cards"}),
            "events": rules.events_deck.model_dump(mode="json", exclude={"tunable"}),
            "gestures": rules.gestures_deck.model_dump(mode="json", exclude={"tunable"}),
            "agendas": rules.agendas_deck.model_dump(mode="json", exclude={"tunable"}),
        },
    }


def hello(rules: Ruleset, role: int, seed: int, time_limit: float) -> dict[str, Any]:
    """The ``hello`` that opens a game for the program playing ``role``: nothing in it depends on the deal."""
    return {
        "type": "hello",
        "protocol": VERSION,
        "engine": __version__,
        "role": rules.roles[role],
        "role_index": role,
        "seed": seed,
        "time_limit": float(time_limit),
        "rules": rules_info(rules),
    }


def act(obs: Observation) -> dict[str, Any]:
    """The ``act`` asking the viewer of ``obs`` (to move) for a decision: its observation and legal actions."""
    return {
        "type": "act",
        "observation": to_json(obs),
        "legal": [{"code": int(a), "notation": a.notation()} for a in obs.legal],
    }


def end(obs: Observation, outcome: Outcome) -> dict[str, Any]:
    """The ``end`` of a game played out: the outcome and the viewer's last observation."""
    return {"type": "end", "outcome": outcome.as_dict(), "observation": to_json(obs)}


def encode(message: dict[str, Any]) -> bytes:
    """A message as one line of JSON (ASCII, so any program can read it byte by byte), newline included."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode("ascii") + b"\n"


def parse_answer(line: bytes, rules: Ruleset, legal: Sequence[Action]) -> Action:
    """The legal action a program's answer line names; ProtocolError (one line, quoting the answer safely)
    if the line is not ``{"action": CODE}`` or ``{"action": "NOTATION"}`` naming one of ``legal``."""
    quoted = printable(line.decode("utf-8", "replace"), limit=SHOWN)
    try:
        doc = loads_json(line, "answer")
    except DataFileError as exc:
        raise ProtocolError(f"answered {quoted!r}, which is {exc.message}") from None
    if not isinstance(doc, dict) or "action" not in doc:
        raise ProtocolError(f'answered {quoted!r}; expected {{"action": CODE}} or {{"action": "NOTATION"}}')
    value = doc["action"]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ProtocolError(f"answered {quoted!r}: an action is an integer code or a notation string")
    if isinstance(value, int):
        if not 0 <= value < len(rules.actions):
            raise ProtocolError(f"answered {quoted!r}: no action has code {value}")
        action = rules.actions.all[value]
    else:
        try:
            action = rules.actions.parse(value)
        except SummitError as exc:
            raise ProtocolError(f"answered {quoted!r}: {printable(exc, limit=2 * SHOWN)}") from None
    if action not in legal:
        allowed = ", ".join(a.notation() for a in legal[:8]) + (", ..." if len(legal) > 8 else "")
        raise ProtocolError(f"answered {action.notation()!r}, which is not legal now (legal: {allowed})")
    return action


def main(argv: Sequence[str]) -> int:
    """``python -m summitgame.agents.protocol DIR``: write each message's schema to DIR/NAME.schema.json."""
    if len(argv) != 1:
        print("usage: python -m summitgame.agents.protocol DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (folder / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
