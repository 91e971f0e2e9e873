"""Hot-seat play and replay: whole games scripted through CliRunner, bad input, undo, saves, replay,
and the rule that a player's screen never shows the other side's secrets.

Scripts are computed with the engine (``script``), so they stay valid when the rule data changes:
the test plays the same game in the engine that it types into the program.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from conftest import CLASSIC_FINGERPRINT, CLASSIC_PATH
from summitgame.agents import make_agent
from summitgame.cli import cli
from summitgame.cli import commands as cli_module
from summitgame.engine import apply, legal_actions, new_game
from summitgame.engine.observation import determinize, observe
from summitgame.engine.state import Phase, State
from summitgame.play import Ending, Session, make_seats
from summitgame.play.commands import Command, Problem, interpret
from summitgame.play.log import entries
from summitgame.play.preview import preview
from summitgame.play.screen import board, choice_list, end_screen, look_for
from summitgame.rules.actions import Action, ActionKind
from summitgame.rules.loader import default_rules_path, load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import agent_rng
from summitgame.runs.records import read_record, replay

SHORT = ("--set", "rounds.count=3")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in its own folder, so default saves land in tmp_path/summit-games."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUMMITGAME_DATA", "summit-games")  # games go to ./summit-games in this folder
    return tmp_path


def short_rules(rounds: int = 3) -> Ruleset:
    return load_rules(None, [f"rounds.count={rounds}"])


#: The first edition of the default rules, for the tests that type a fixed sequence of actions.
CLASSIC = ("--rules", str(CLASSIC_PATH), *SHORT)


def classic_short_rules() -> Ruleset:
    return load_rules(CLASSIC_PATH, ["rounds.count=3"])


# --- scripts: what a player types, computed by playing the same game in the engine -------------------

Typed = tuple[str, Action]


def negotiator(s: State, rng: random.Random) -> Typed:
    """A reasonable human: offers one give and one ask, accepts most offers; types numbers or notation."""
    legal = legal_actions(s)
    by_kind: dict[ActionKind, list[Action]] = {}
    for a in legal:
        by_kind.setdefault(a.kind, []).append(a)
    if s.phase == Phase.RESPOND:
        a = by_kind[ActionKind.ACCEPT][0] if rng.random() < 0.8 else by_kind[ActionKind.REJECT][0]
        return (str(legal.index(a) + 1), a) if rng.random() < 0.5 else (a.notation().upper(), a)
    givers = [g for g in (0, 1) if any(it[0] == g for it in s.items)]
    if s.to_move not in givers and ActionKind.GIVE in by_kind:
        a = by_kind[ActionKind.GIVE][0]
    elif (1 - s.to_move) not in givers and ActionKind.ASK in by_kind:
        a = by_kind[ActionKind.ASK][0]
    elif ActionKind.OFFER in by_kind:
        a = by_kind[ActionKind.OFFER][0]
    else:
        a = by_kind[ActionKind.PASS][0]
    return (a.notation(), a)


def chaos(s: State, rng: random.Random) -> Typed:
    """Any legal action, typed as a number half the time."""
    legal = legal_actions(s)
    i = rng.randrange(len(legal))
    return (str(i + 1), legal[i]) if rng.random() < 0.5 else (legal[i].notation(), legal[i])


def script(
    rules: Ruleset,
    seed: int,
    choose: Callable[[State, random.Random], Typed] = negotiator,
    bots: dict[int, str] | None = None,
    stop_after: int | None = None,
) -> tuple[list[str], State]:
    """The lines a session needs to play a whole game (hand-over Enters included) and the final state."""
    bots = bots or {}
    agents = {r: make_agent(spec) for r, spec in bots.items()}
    for r, agent in agents.items():
        agent.start(rules, r, agent_rng(seed, r))
    humans = [r for r in (0, 1) if r not in bots]
    rng = random.Random(seed)
    s = new_game(rules, seed)
    viewer: int | None = None
    lines: list[str] = []
    typed = 0
    while s.to_move >= 0:
        r = s.to_move
        if r in agents:
            obs = observe(s, r)
            s = apply(s, agents[r].act(obs, obs.legal))
            continue
        if stop_after is not None and typed >= stop_after:
            if len(humans) == 2 and viewer != r:  # the next prompt follows a hand-over (a full package is offered)
                lines.append("")
            break
        if len(humans) == 2 and viewer != r:
            lines.append("")
            viewer = r
        text, action = choose(s, rng)
        lines.append(text)
        typed += 1
        s = apply(s, action)
    return lines, s


def play(*args: str, lines: list[str] | None = None, text: str | None = None) -> Result:
    data = text if text is not None else "".join(line + "\n" for line in lines or [])
    return CliRunner().invoke(cli, ["play", *args], input=data)


def flat(text: str) -> str:
    """Text with line wrapping undone (the board wraps long lines at 80 columns)."""
    return " ".join(text.split())


def saved_files(kind: str) -> list[Path]:
    return sorted(Path("summit-games").glob(f"{kind}-*.json"))


def handovers(output: str) -> int:
    return len(re.findall(r"Pass to \w+", output))


# --- whole games -------------------------------------------------------------------------------------


def test_hot_seat_game_two_humans() -> None:
    rules = short_rules()
    lines, final = script(rules, seed=11)
    result = play("--seed", "11", *SHORT, lines=lines)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Traceback" not in out
    # one hand-over before the first move and one at every change of player
    assert handovers(out) == lines.count("") >= 2
    assert "The summit is over" in out
    assert "Washington's secret agenda" in out and "Moscow's secret agenda" in out
    (record,) = saved_files("game")
    assert f"Game record saved to {record}" in flat(out)
    doc = read_record(record)
    assert doc["seats"] == {"washington": "human", "moscow": "human"}
    assert doc["rules_options"] == list(SHORT)
    assert replay(doc, rules).key() == final.key()
    assert doc["outcome"]["tier"] in out.lower() or doc["outcome"]["tier"].capitalize() in out


def test_human_against_random_bot() -> None:
    rules = short_rules()
    lines, final = script(rules, seed=4, bots={1: "random"})
    result = play("--seed", "4", *SHORT, "--player", "moscow=random", lines=lines)
    assert result.exit_code == 0, result.output
    out = result.output
    assert handovers(out) == 0  # no hand-over against a bot
    assert "Washington (human) vs Moscow (random)" in out
    assert "» Moscow" in out  # the bot's moves are shown
    assert "The summit is over" in out
    (record,) = saved_files("game")
    doc = read_record(record)
    assert doc["seats"] == {"washington": "human", "moscow": "random"}
    assert replay(doc, rules).key() == final.key()


def test_bot_against_bot_needs_no_input() -> None:
    result = play("--seed", "2", *SHORT, "--player", "washington=random", "--player", "Moscow=random")
    assert result.exit_code == 0, result.output
    assert "Round 1 event" in result.output
    assert "The summit is over" in result.output


def test_record_option_names_the_file(tmp_path: Path) -> None:
    lines, _ = script(short_rules(), seed=3)
    target = tmp_path / "out" / "my-game.json"
    result = play("--seed", "3", *SHORT, "--record", str(target), lines=lines)
    assert result.exit_code == 0, result.output
    assert target.exists()
    assert saved_files("game") == []


# --- bad input never crashes ---------------------------------------------------------------------


def test_every_kind_of_bad_input_gets_a_clear_message() -> None:
    s = new_game(short_rules(), 11)
    n = len(legal_actions(s))
    # an action that is well-formed but not legal now: accepting with nothing on the table
    lines = ["", "frobnicate", "", str(n + 5), "0", "accept", "give", "give atlantis 1", "give arms 9", "play nothing"]
    result = play("--seed", "11", *SHORT, lines=lines)
    out = flat(result.output)
    assert result.exit_code == 0, out
    assert "Traceback" not in out
    assert "Unknown command 'frobnicate'" in out
    assert "Nothing typed" in out
    assert f"There is no choice {n + 5}: pick a number from 1 to {n}" in out
    assert f"There is no choice 0: pick a number from 1 to {n}" in out
    assert "You cannot accept now: there is no offer on the table to answer." in out
    assert "say which track" in out
    assert "no track called 'atlantis'" in out
    assert "steps must be a whole number from 1 to 2" in out
    assert "no card called 'nothing'" in out
    # then input ended: the game was autosaved, and the message says where
    assert "Input ended." in out
    (auto,) = saved_files("autosave")
    assert f"saved to {auto}" in out
    assert "summitgame play --load" in out


def test_illegal_action_shows_the_engines_reason() -> None:
    rules = short_rules()
    s = new_game(rules, 11)
    # find a track the rules gate behind trust it has not reached
    gated = [t for t, g in enumerate(rules.gates) if g is not None and s.meters[g[0]] < g[1]]
    assert gated, "seed 11 should open with a gated track"
    tid = rules.track_ids[gated[0]]
    result = play("--seed", "11", *SHORT, lines=["", f"give {tid} 1"])
    assert f"You cannot give {tid} 1 now: {rules.track_names[gated[0]]} needs trust of at least" in flat(result.output)


def test_eof_at_the_hand_over_autosaves() -> None:
    result = play("--seed", "5", *SHORT, text="")
    assert result.exit_code == 0
    assert "Input ended." in result.output
    assert len(saved_files("autosave")) == 1


def test_ctrl_c_autosaves_and_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = iter(["", "give arms 1"])

    def ask(prompt: str) -> str:
        try:
            return next(calls)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(cli_module, "read_line", ask)
    result = CliRunner().invoke(cli, ["play", "--seed", "11", *SHORT])
    assert result.exit_code == 130
    assert "Interrupted." in result.output
    (auto,) = saved_files("autosave")
    assert read_record(auto)["actions"] == ["give arms 1"]


def test_quit_asks_whether_to_save() -> None:
    result = play("--seed", "11", *SHORT, lines=["", "give arms 1", "quit", "maybe", "c", "quit", "y", "mine.json"])
    out = flat(result.output)
    assert result.exit_code == 0, out
    assert "Please answer y, n or c." in out
    assert "Back to the game." in out
    assert "Saved to mine.json" in out
    assert read_record(Path("mine.json"))["actions"] == ["give arms 1"]
    result = play("--seed", "11", *SHORT, lines=["", "quit", "n"])
    assert "Quit without saving." in result.output
    assert saved_files("save") == [] and saved_files("autosave") == []


def test_help_and_rules_and_log() -> None:
    result = play("--seed", "11", *SHORT, lines=["", "help", "rules", "log", "board"])
    out = flat(result.output)
    assert "hold the initiative this round" in out
    assert "# Summit — rulebook" in out
    assert out.count("Round 1 event:") >= 3  # the board, the log, the redrawn board


# --- undo --------------------------------------------------------------------------------------------


def test_undo_takes_back_own_actions_within_the_turn() -> None:
    rules = classic_short_rules()
    s = new_game(rules, 11)
    lines = ["", "undo", "give arms 1", "ask syria 1", "undo", "ask energy 1", "undo all", "give syria 1", "offer"]
    result = play("--seed", "11", *CLASSIC, lines=lines)
    out = flat(result.output)
    assert "Nothing to undo this turn" in out
    assert "Took back: ask syria 1" in out
    assert "Took back: give arms 1, ask energy 1" in out
    (auto,) = saved_files("autosave")
    assert read_record(auto)["actions"] == ["give syria 1", "offer"]
    assert s.to_move >= 0


def test_undo_stops_at_the_hand_over() -> None:
    lines = ["", "give syria 1", "offer", "", "undo"]
    result = play("--seed", "11", *CLASSIC, lines=lines)
    assert "Nothing to undo this turn" in flat(result.output.split("Pass to")[-1])
    (auto,) = saved_files("autosave")
    assert read_record(auto)["actions"] == ["give syria 1", "offer"]


def find_state(pred: Callable[[State], bool], rules: Ruleset | None = None) -> State:
    rules = rules or short_rules()
    for seed in range(500):
        s = new_game(rules, seed)
        if pred(s):
            return s
    raise AssertionError("no seed found")


def test_undo_cannot_take_back_a_card_that_revealed_a_secret() -> None:
    rules = short_rules()
    s = find_state(lambda s: rules.gesture_ids.index("back_channel") in s.hands[s.to_move], rules)
    result = play("--seed", str(s.seed), *SHORT, lines=["", "play back_channel", "undo"])
    out = flat(result.output)
    assert "That cannot be undone" in out
    assert "Nothing to undo this turn" in out
    assert "agenda (revealed to you)" in out


def test_session_undo_restores_the_exact_state() -> None:
    rules = classic_short_rules()
    s0 = new_game(rules, 11)
    feed = iter(["", "give syria 1", "ask arms 1", "undo 2"])
    seen: list[State] = []

    def ask(prompt: str) -> str:
        seen.append(session.state)
        line = next(feed, None)
        if line is None:
            raise EOFError
        return line

    session = Session(rules, make_seats(rules, {}, 11), [s0], ask=ask, console=Console(file=io.StringIO()))
    result = session.run()
    assert result.ending is Ending.EOF
    assert session.state.key() == s0.key()
    assert len(session.states) == 1


# --- save and load -----------------------------------------------------------------------------------


def test_save_and_load_resume_the_game() -> None:
    rules = short_rules()
    lines, final = script(rules, seed=11)
    cut = 5
    head = lines[:cut]
    result = play("--seed", "11", *SHORT, lines=[*head, "save later.json", "quit", "n"])
    assert result.exit_code == 0, result.output
    assert "Saved to later.json. Resume with: summitgame play --load later.json --set rounds.count=3" in flat(
        result.output
    )
    doc = read_record(Path("later.json"))
    assert "outcome" not in doc
    # resuming starts with a hand-over; the rest of the script is what a fresh game would need from there
    rest = lines[cut:]
    if rest and rest[0] != "":
        rest = ["", *rest]
    result = play("--load", "later.json", *SHORT, lines=rest)
    assert result.exit_code == 0, result.output
    assert "Resumed from later.json" in result.output
    assert "The summit is over" in result.output
    (record,) = saved_files("game")
    assert replay(read_record(record), rules).key() == final.key()


def test_load_can_change_a_seat() -> None:
    rules = short_rules()
    lines, _ = script(rules, seed=11, stop_after=2)
    play("--seed", "11", *SHORT, lines=[*lines, "save s.json", "quit", "n"])
    result = play("--load", "s.json", *SHORT, "--player", "washington=random", "--player", "moscow=random")
    assert result.exit_code == 0, result.output
    assert "Washington (random) vs Moscow (random)" in result.output
    assert "The summit is over" in result.output


def test_load_refuses_a_save_made_under_other_rules() -> None:
    play("--seed", "11", *SHORT, lines=["", "give syria 1", "save s.json", "quit", "n"])
    result = play("--load", "s.json")  # the default rules: 6 rounds, another fingerprint
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    msg = flat(result.stderr)
    assert "s.json: recorded under rules 'Summit'" in msg
    assert "It was saved with: --set rounds.count=3" in msg
    result = play("--load", "s.json", "--set", "rounds.count=4")
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ this is not json", "not a readable game record"),
        ('{"format": "something-else"}', "not a summitgame game record"),
        ("", "not a readable game record"),
    ],
)
def test_load_refuses_a_corrupt_file(content: str, message: str) -> None:
    Path("bad.json").write_text(content)
    result = play("--load", "bad.json")
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_load_refuses_tampered_actions_and_bad_seats() -> None:
    play("--seed", "11", *SHORT, lines=["", "give syria 1", "save s.json", "quit", "n"])
    doc = json.loads(Path("s.json").read_text())
    doc["actions"].append("accept")
    Path("t.json").write_text(json.dumps(doc))
    result = play("--load", "t.json", *SHORT)
    assert result.exit_code == 1
    assert "action 2 ('accept')" in result.stderr
    doc["actions"].pop()
    doc["seats"] = {"atlantis": "human"}
    Path("u.json").write_text(json.dumps(doc))
    result = play("--load", "u.json", *SHORT)
    assert result.exit_code == 1
    assert "unknown role 'atlantis'" in result.stderr


def test_load_refuses_a_finished_game_and_missing_file() -> None:
    lines, _ = script(short_rules(), seed=3)
    play("--seed", "3", *SHORT, "--record", "done.json", lines=lines)
    result = play("--load", "done.json", *SHORT)
    assert result.exit_code == 1
    assert "already over" in result.stderr
    result = play("--load", "nope.json")
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_seed_with_load_and_bad_player_are_usage_errors() -> None:
    assert play("--seed", "1", "--load", "x.json").exit_code == 2
    result = play("--player", "atlantis=random")
    assert result.exit_code == 2
    assert "unknown role 'atlantis'" in result.output
    assert play("--player", "moscow").exit_code == 2
    result = play("--player", "moscow=nosuchagent")
    assert result.exit_code == 1
    assert "unknown agent" in result.stderr


# --- replay ------------------------------------------------------------------------------------------


@pytest.fixture
def finished_record() -> Path:
    lines, _ = script(short_rules(), seed=11)
    result = play("--seed", "11", *SHORT, "--record", "game.json", lines=lines)
    assert result.exit_code == 0, result.output
    return Path("game.json")


def replay_cmd(*args: str, text: str = "") -> Result:
    return CliRunner().invoke(cli, ["replay", *args], input=text)


def test_replay_verify(finished_record: Path) -> None:
    result = replay_cmd(str(finished_record), *SHORT, "--verify")
    assert result.exit_code == 0, result.output
    assert "ok —" in result.output and "reproduced" in result.output
    result = replay_cmd(str(finished_record), "--verify")
    assert result.exit_code == 1
    assert "It was saved with: --set rounds.count=3" in flat(result.stderr)
    doc = json.loads(finished_record.read_text())
    doc["outcome"]["scores"]["moscow"] += 1
    Path("forged.json").write_text(json.dumps(doc))
    result = replay_cmd("forged.json", *SHORT, "--verify")
    assert result.exit_code == 1
    assert "does not reproduce the recorded outcome" in result.stderr


def test_a_record_of_the_first_edition_replays_without_naming_its_rules() -> None:
    """A game played under rules/classic.toml (the first edition of the default rules) finds its bundled rule file
    by its fingerprint: replay --verify needs no --rules. Given the default rules instead, it is refused, with the
    file it needs named."""
    bots = ("--player", "washington=random", "--player", "moscow=random")
    result = play("--seed", "11", "--rules", str(CLASSIC_PATH), *bots, "--record", "classic.json")
    assert result.exit_code == 0, result.output
    doc = read_record(Path("classic.json"))
    assert doc["rules"]["fingerprint"] == CLASSIC_FINGERPRINT != load_rules(None).fingerprint
    assert "outcome" in doc
    result = replay_cmd("classic.json", "--verify")
    assert result.exit_code == 0, result.output
    assert "ok —" in result.output and "reproduced" in result.output
    refused = replay_cmd("classic.json", "--rules", str(default_rules_path()), "--verify")
    assert refused.exit_code == 1
    assert "classic.toml" in flat(refused.stderr) and "Traceback" not in refused.output


def test_replay_verify_an_unfinished_save() -> None:
    play("--seed", "11", *SHORT, lines=["", "give syria 1", "save s.json", "quit", "n"])
    result = replay_cmd("s.json", *SHORT, "--verify")
    assert result.exit_code == 0
    assert "unfinished" in result.output


def test_replay_steps_with_enter(finished_record: Path) -> None:
    n = len(read_record(finished_record)["actions"])
    result = replay_cmd(str(finished_record), *SHORT, text="\n\nb\n3\nq\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"step 0 of {n}: the deal" in out
    assert f"step 1 of {n}:" in out and f"step 2 of {n}:" in out and f"step 3 of {n}:" in out
    assert "The summit is over" not in out  # stopped with q
    result = replay_cmd(str(finished_record), *SHORT, text="\n" * (n + 1))
    assert f"step {n} of {n}" in result.output
    assert "The summit is over" in result.output


def test_replay_no_wait_prints_everything(finished_record: Path) -> None:
    result = replay_cmd(str(finished_record), *SHORT, "--no-wait")
    assert result.exit_code == 0
    assert "Round 1 event" in result.output and "The summit is over" in result.output


# --- secrets stay secret -------------------------------------------------------------------------


def secret_words(s: State, viewer: int) -> list[str]:
    """Names and ids of what ``viewer`` must not see: the other side's unrevealed agenda, and the
    cards the other side holds that the viewer neither holds nor has seen played."""
    rules = s.rules
    o = 1 - viewer
    words: list[str] = []
    if not s.revealed[o]:
        agenda = rules.agendas_deck.cards[s.agendas[o]]
        words += [agenda.name, agenda.id]
    played = {rules.actions.all[c].card for c in s.history_list() if c >= 0}
    public_text = " ".join(
        [c.name for c in rules.events_deck.cards] + [c.name for c in rules.agendas_deck.cards] + list(rules.track_names)
    )
    for g in set(s.hands[o]) - set(s.hands[viewer]):
        card = rules.gestures_deck.cards[g]
        if card.id in played or card.name in public_text:
            continue
        words += [card.name, card.id]
    return words


def screens(rules: Ruleset, seed: int, bots: dict[int, str] | None = None) -> Iterator[tuple[int | None, str, State]]:
    """Play a random game through a Session; yield (viewer, text shown since the last prompt, state)."""
    out = io.StringIO()
    rng = random.Random(seed)
    got: list[tuple[int | None, str, State]] = []
    pos = 0

    def ask(prompt: str) -> str:
        nonlocal pos
        text = out.getvalue()[pos:]
        pos = len(out.getvalue())
        got.append((session.viewer if prompt != "[Enter] " else None, text, session.state))
        if prompt == "[Enter] ":
            return ""
        typed, _ = chaos(session.state, rng)
        return typed

    seats = make_seats(rules, {rules.roles[r]: spec for r, spec in (bots or {}).items()}, seed)
    session = Session(rules, seats, [new_game(rules, seed)], ask=ask, console=Console(file=out, width=80))
    result = session.run()
    assert result.ending is Ending.FINISHED
    yield from got


@pytest.mark.parametrize("seed", [*range(4), *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(4, 12))])
def test_a_players_screen_never_shows_the_others_secrets(seed: int) -> None:
    rules = load_rules(None, ["rounds.count=4"])
    checked = 0
    for viewer, text, s in screens(rules, seed):
        viewers = (0, 1) if viewer is None else (viewer,)  # a hand-over screen is seen by both
        for v in viewers:
            for word in secret_words(s, v):
                assert word not in text, f"{rules.role_names[v]} was shown {word!r}:\n{text}"
                checked += 1
    assert checked > 0


def test_against_a_bot_the_human_never_sees_the_bots_secrets() -> None:
    rules = load_rules(None, ["rounds.count=4"])
    for seed in range(6):
        for _, text, s in screens(rules, seed, bots={1: "random"}):
            for word in secret_words(s, 0):
                assert word not in text


def render(obs_state: State, viewer: int, log_states: list[State]) -> str:
    console = Console(file=io.StringIO(), width=80)
    obs = observe(obs_state, viewer)
    console.print(board(obs, entries(obs_state.rules, log_states), look_for(console), private=True))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


@pytest.mark.parametrize("seed", [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 8))])
def test_the_board_depends_only_on_what_the_viewer_may_see(seed: int) -> None:
    """Re-deal everything the viewer cannot see: the board it is shown must not change."""
    rules = load_rules()
    rng = random.Random(seed)
    states = [new_game(rules, seed)]
    while states[-1].to_move >= 0:
        s = states[-1]
        for v in (0, 1):
            other = determinize(s, v, random.Random(rng.random()))
            assert render(s, v, states) == render(other, v, states)
        states.append(apply(s, rng.choice(legal_actions(s))))


# --- the board's parts ---------------------------------------------------------------------------


def test_board_fits_80_columns_and_shows_what_it_should() -> None:
    rules = load_rules()
    s = find_state(lambda s: bool(s.hands[s.to_move]), rules)
    s = apply(s, rules.parse_action("give syria 1"))
    text = render(s, s.to_move, [s])
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    me = s.rules.role_names[s.to_move]
    assert f"Your move, {me}" in text
    assert "Your secret agenda:" in text
    assert f"{me} concedes 1 on Syria" in text
    assert "If accepted: you" in text and "If rejected:" in text
    card = rules.events_deck.cards[s.event]
    assert card.name in text and " ".join(card.flavor.split())[:40] in " ".join(text.split())
    for t in range(rules.n_tracks):
        assert rules.track_short[t] in text
    assert "Trust" in text and "Domestic pressure" in text and "walks out at 12" in text


def test_preview_matches_the_engine() -> None:
    """What the preview says an acceptance does is what the engine does (one round, no drift)."""
    rules = load_rules(None, ["rounds.count=1", "rounds.end_effects=[]"])
    checked = 0
    for seed in range(300):
        rng = random.Random(seed)
        s = new_game(rules, seed)
        while s.to_move >= 0 and s.phase != Phase.RESPOND:
            s = apply(s, rng.choice(legal_actions(s)))
        if s.to_move < 0:
            continue
        for v in (0, 1):
            p = preview(observe(s, v))
            done = apply(s, rules.parse_action("accept"))
            assert p.accepted.meters == done.meters
            assert p.accepted.tracks == done.tracks
            assert p.accepted.points == done.points
            rejected = apply(s, rules.parse_action("reject"))
            assert p.rejected.meters == rejected.meters
        checked += 1
    assert checked > 50


def test_end_screen_explains_the_tier_and_reveals_both_agendas() -> None:
    rules = short_rules()
    _, final = script(rules, seed=11)
    console = Console(file=io.StringIO(), width=80)
    console.print(end_screen(final, [], look_for(console)))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    for r in (0, 1):
        assert rules.agendas_deck.cards[final.agendas[r]].name in text
    assert "The summit is over:" in text
    assert "wins." in text or "A tie." in text


# --- reading input -------------------------------------------------------------------------------


def command(line: str, choices: list[Action] | None = None) -> Command | Problem:
    rules = load_rules()
    s = new_game(rules, 11)
    return interpret(line, rules, choice_list(observe(s, s.to_move)) if choices is None else choices)


@pytest.mark.parametrize(
    ("line", "notation"),
    [
        ("give arms 1", "give arms 1"),
        ("  GIVE   Arms  2 ", "give arms 2"),
        ("give syria", "give syria 1"),
        ("ask ukr 2", "ask ukraine 2"),
        ("ask Economic ties & energy policy 1", "ask energy 1"),
        ("play photo op", "play photo_op"),
        ("Play Photo_Op", "play photo_op"),
        ("play back", "play back_channel"),
        ("pass", "pass"),
        ("ACCEPT", "accept"),
    ],
)
def test_forgiving_notation(line: str, notation: str) -> None:
    cmd = command(line)
    assert isinstance(cmd, Command) and cmd.action is not None, cmd
    assert cmd.action.notation() == notation


def test_numbers_and_commands() -> None:
    rules = load_rules()
    s = new_game(rules, 11)
    choices = choice_list(observe(s, s.to_move))
    cmd = command("2")
    assert isinstance(cmd, Command) and cmd.action == choices[1]
    assert isinstance(command("2 3"), Problem)
    for line, name, arg in [("help", "help", ""), ("?", "help", ""), ("save My Game.json", "save", "My Game.json")]:
        cmd = command(line)
        assert isinstance(cmd, Command) and (cmd.name, cmd.arg) == (name, arg)
    assert isinstance(command("play p"), Problem)  # photo_op or prisoner_exchange: ambiguous
    problem = command("play p")
    assert isinstance(problem, Problem) and "could be" in problem.message


def test_a_saved_seat_names_its_persona_file_relative_to_the_save(tmp_path: Path) -> None:
    """A file named by a save is read from the save's folder, never from wherever play was started."""
    rules = short_rules()
    lines, _ = script(rules, seed=11, stop_after=2)
    play("--seed", "11", *SHORT, lines=[*lines, "save s.json", "quit", "n"])
    folder = Path("saved")
    folder.mkdir()
    (folder / "mine.toml").write_text('[spy]\ndescription = "Trusts no one."\nregard = -1.0\n', encoding="utf-8")
    doc = json.loads(Path("s.json").read_text(encoding="utf-8"))
    doc["seats"]["moscow"] = "persona:name=spy,file=mine.toml"
    (folder / "s.json").write_text(json.dumps(doc), encoding="utf-8")
    result = play("--load", str(folder / "s.json"), *SHORT, "--player", "washington=random")
    assert result.exit_code == 0, result.output
    assert "The summit is over" in result.output
    # the same spec typed on the command line is the user's: relative to the working directory
    typed = play("--load", str(folder / "s.json"), *SHORT, "--player", "moscow=persona:name=spy,file=mine.toml")
    assert typed.exit_code == 1 and "file not found" in typed.output
