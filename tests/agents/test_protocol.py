"""The text protocol's messages (``protocol``, ``observation.to_json``): they hold what the observation holds and
nothing more, they match the JSON Schemas in docs/protocol/ (checked against real messages a program heard),
and a program's answer is parsed strictly, whatever bytes it sends."""

from __future__ import annotations

import dataclasses
import json
import random
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FEW, SOAK, bundled
from summitgame.agents import make_agent
from summitgame.agents.cmd import LOG_ENV
from summitgame.agents.protocol import ProtocolError, act, end, hello, json_schemas, parse_answer
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import Observation, determinize, observe, sample_state, to_json
from summitgame.engine.scoring import outcome
from summitgame.rules.actions import Action
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import play_game

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = json_schemas()
SEEDS = st.integers(min_value=0, max_value=2**64 - 1)


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMAS[name])


# --- what a program sees ---------------------------------------------------------------------------------


def test_to_json_holds_each_observation_field_and_only_those() -> None:
    """A new Observation field must be reviewed here (and in the schema) before a program can see it."""
    s = new_game(bundled("summit"), 1)
    obs = observe(s, s.to_move)
    fields = {f.name for f in dataclasses.fields(Observation)}
    assert set(to_json(obs)) == (fields - {"rules"}) | {"role", "log"}
    assert list(validator("act").iter_errors(act(obs))) == []


@pytest.mark.parametrize("name", ["summit"])
@FEW
@given(seed=SEEDS, data=st.data())
def test_messages_are_blind_to_what_the_viewer_cannot_see(name: str, seed: int, data: st.DataObject) -> None:
    """At every state of a random game, for both viewers: a re-deal of everything the viewer cannot see (the
    opponent's hand and unrevealed agenda, the deck, the generator, the seed) leaves its act and end messages
    unchanged, byte for byte."""
    rules = bundled(name)
    rng = random.Random(data.draw(st.integers(0, 2**32), label="re-deal stream"))
    s = new_game(rules, seed)
    while True:
        for r in (0, 1):
            shown = json.dumps(to_json(observe(s, r)))
            for t in (determinize(s, r, rng), sample_state(observe(s, r), rng)):
                assert json.dumps(to_json(observe(t, r))) == shown
                if s.to_move == r:
                    assert act(observe(t, r)) == act(observe(s, r))
        if s.to_move < 0:
            break
        s = apply(s, data.draw(st.sampled_from(legal_actions(s)), label="action"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["summit", "trade"])
@SOAK
@given(seed=SEEDS, data=st.data())
def test_soak_messages_are_blind_to_what_the_viewer_cannot_see(name: str, seed: int, data: st.DataObject) -> None:
    test_messages_are_blind_to_what_the_viewer_cannot_see.hypothesis.inner_test(name, seed, data)


def test_an_observation_shows_the_viewers_own_secrets_and_not_the_others() -> None:
    """The serializer is not vacuous: it holds the viewer's hand and agenda, and not the opponent's."""
    rules = bundled("summit")
    s = new_game(rules, 2**63 + 12345)
    doc = to_json(observe(s, 0))
    assert doc["my_hand"] == [rules.gesture_ids[g] for g in sorted(s.hands[0])]
    assert doc["my_agenda"] == rules.agenda_ids[s.agendas[0]] and doc["their_agenda"] is None
    assert doc["their_hand_size"] == len(s.hands[1])
    assert "seed" not in json.dumps(doc) and str(s.seed) not in json.dumps(doc)


def test_hello_depends_on_the_rules_role_and_agent_stream_only() -> None:
    rules = bundled("summit")
    doc = hello(rules, 1, 123, 10)
    assert doc["role"] == "moscow" and doc["seed"] == 123 and doc["rules"]["fingerprint"] == rules.fingerprint
    assert [a["code"] for a in doc["rules"]["actions"]] == list(range(len(rules.actions)))
    assert all(rules.parse_action(a["notation"]) == a["code"] for a in doc["rules"]["actions"])
    assert list(validator("hello").iter_errors(doc)) == []


# --- the schemas -----------------------------------------------------------------------------------------


def test_the_schemas_in_docs_are_current() -> None:
    """docs/protocol/*.schema.json are what the models say.

    Regenerate: python -m summitgame.agents.protocol docs/protocol."""
    folder = ROOT / "docs" / "protocol"
    assert sorted(p.name for p in folder.glob("*.schema.json")) == sorted(f"{n}.schema.json" for n in SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert json.loads((folder / f"{name}.schema.json").read_text()) == schema, name
    for schema in SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_docs_describe_every_message() -> None:
    text = (ROOT / "docs" / "protocol.md").read_text()
    for name in SCHEMAS:
        assert f"protocol/{name}.schema.json" in text
    assert '"protocol": 1' in text or '"protocol":1' in text


LISTENER = """\
import json, sys
heard = open({path!r}, "a")
for line in sys.stdin:
    heard.write(line)
    msg = json.loads(line)
    if msg["type"] == "act":
        legal = msg["legal"]
        pick = legal[len(msg["observation"]["history"]) % len(legal)]
        answer = {{"action": pick["code"]}} if len(legal) % 2 else {{"action": pick["notation"], "note": "hi"}}
        heard.write(json.dumps({{"type": "answer", **answer}}) + "\\n")
        print(json.dumps(answer), flush=True)
    elif msg["type"] == "end":
        break
"""


@pytest.mark.parametrize("rules_name", ["summit", "trade"])
def test_real_messages_match_the_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules_name: str) -> None:
    """Every line a program heard in whole games (both seats, both rule files), and every answer it gave,
    is valid under its schema; and the schemas refuse a message with a key they do not know."""
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "logs"))
    heard = tmp_path / "heard.jsonl"
    bot = tmp_path / "listener.py"
    bot.write_text(LISTENER.format(path=str(heard)))
    rules = bundled(rules_name)
    for seat in (0, 1):
        seats = [make_agent("greedy"), make_agent("greedy")]
        seats[seat] = make_agent(f"cmd:{sys.executable} {bot}")
        result = play_game(rules, seats, 5 + seat)
        assert result.forfeit is None, result.forfeit
    kinds: dict[str, int] = {}
    for line in heard.read_text().splitlines():
        message = json.loads(line)
        kind = message.pop("type") if message["type"] == "answer" else message["type"]
        kinds[kind] = kinds.get(kind, 0) + 1
        errors = list(validator(kind).iter_errors(message))
        assert errors == [], (kind, errors[0].message)
    assert kinds["hello"] == kinds["end"] == 2 and kinds["act"] == kinds["answer"] > 4
    wrong = {**hello(rules, 0, 1, 10), "secret": 1}
    assert list(validator("hello").iter_errors(wrong)) != []


def test_an_end_message_is_valid() -> None:
    rules = load_rules(None, ["rounds.count=2"])
    result = play_game(rules, [make_agent("random"), make_agent("random")], 2)
    final = result.state
    doc = end(observe(final, 0), outcome(final))
    assert list(validator("end").iter_errors(doc)) == []


# --- answers -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def position() -> tuple[Ruleset, list[Action]]:
    rules = bundled("summit")
    s = new_game(rules, 2)
    return rules, legal_actions(s)


def test_an_answer_names_a_legal_action_by_code_or_notation(position: tuple[Ruleset, list[Action]]) -> None:
    rules, legal = position
    a = legal[-1]
    assert parse_answer(json.dumps({"action": int(a)}).encode(), rules, legal) == a
    assert parse_answer(json.dumps({"action": a.notation().upper()}).encode(), rules, legal) == a
    assert parse_answer(b'{"action": %d, "comment": "other keys are ignored"}' % int(a), rules, legal) == a


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b"", "not valid JSON"),
        (b"accept", "not valid JSON"),
        (b'"accept"', "expected"),
        (b'{"move": 0}', "expected"),
        (b'{"action": true}', "an integer code or a notation string"),
        (b'{"action": 1.0}', "an integer code or a notation string"),
        (b'{"action": "0"}', "not an action"),
        (b'{"action": -1}', "no action has code -1"),
        (b'{"action": 1' + b"0" * 40 + b"}", "more than 30 digits"),
        (b'{"action": ' + b"[" * 100 + b"]" * 100 + b"}", "nested deeper than"),
        (b'{"action": "accept"}', "not legal now"),
        (b'{"action": "\x1b[2J"}', "\\x1b"),
        (b"\xff\xfe", "not"),
    ],
)
def test_a_bad_answer_is_one_line(position: tuple[Ruleset, list[Action]], line: bytes, why: str) -> None:
    rules, legal = position
    with pytest.raises(ProtocolError) as err:
        parse_answer(line, rules, legal)
    text = str(err.value)
    assert why in text and "\n" not in text and "\x1b" not in text


@given(line=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_answer_is_a_legal_action_or_a_protocol_error(line: bytes) -> None:
    rules = bundled("summit")
    legal = legal_actions(new_game(rules, 2))
    try:
        action = parse_answer(line, rules, legal)
    except ProtocolError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600
    else:
        assert action in legal


@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
        max_leaves=20,
    )
)
def test_any_json_answer_is_a_legal_action_or_a_protocol_error(value: Any) -> None:
    rules = bundled("summit")
    legal = legal_actions(new_game(rules, 2))
    for doc in (value, {"action": value}):
        line = json.dumps(doc).encode()
        try:
            action = parse_answer(line, rules, legal)
        except ProtocolError as exc:
            assert "\n" not in str(exc)
        else:
            assert action in legal
