"""Untrusted bots as programs (``cmd:PROGRAM``, ``agents.cmd``): the spec, the refusal of programs named by data,
every way a program can misbehave (each forfeits its game with a one-line reason, and the program is gone),
its stderr log, and the reference bot playing whole matches and tournaments (workers, resume) and ``play``.

The misbehaving programs are tiny Python scripts written to tmp_path; each records its pid in a file so the
test can check that no process outlives its game."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from summitgame.agents import AgentError, make_agent
from summitgame.agents.base import parse_spec, resolve_spec
from summitgame.agents.cmd import DEFAULT_MOVE_TIMEOUT, LOG_ENV, MAX_LINE, MAX_LOG, CmdAgent, logs_in
from summitgame.analysis.targets import targets_from_text
from summitgame.cli import cli
from summitgame.engine import new_game
from summitgame.engine.observation import observe
from summitgame.errors import RulesError
from summitgame.play.saves import save_game
from summitgame.rules.loader import load_rules
from summitgame.rules.ruleset import Ruleset
from summitgame.runs.match import GameResult, play_game
from summitgame.runs.options import RunOptions
from summitgame.runs.tournament import read_games, run_tournament

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "examples" / "bots" / "dealmaker.py"
#: the bots here use only the standard library: -S (no site-packages) makes each of the many starts cheaper
REF_SPEC = f"cmd:{sys.executable} -S {REFERENCE}"
SHORT = ("--set", "rounds.count=3")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="cmd: bots need a Unix-like system")


@pytest.fixture(autouse=True)
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's bot logs go to its own folder."""
    folder = tmp_path / "bot-logs"
    monkeypatch.setenv(LOG_ENV, str(folder))
    return folder


PRELUDE = """\
import json, os, sys, time
with open({pids!r}, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
def say(obj):
    sys.stdout.write(json.dumps(obj) + "\\n")
    sys.stdout.flush()
acts = 0
role = None
for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "hello":
        role = msg["role"]
    if msg["type"] != "act":
        continue
    acts += 1
    legal = msg["legal"]
"""


def program(tmp_path: Path, body: str, name: str = "bot") -> str:
    """A spec running a Python bot: PRELUDE (reads messages, counts acts) then ``body`` inside its act loop."""
    path = tmp_path / f"{name}.py"
    pids = tmp_path / f"{name}.pids"
    path.write_text(PRELUDE.format(pids=str(pids)) + textwrap.indent(textwrap.dedent(body), "    "))
    return f"cmd:{sys.executable} -S {path}"


def pids(tmp_path: Path, name: str = "bot") -> list[int]:
    return [int(x) for x in (tmp_path / f"{name}.pids").read_text().split()]


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for a reaper that is not us counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not Path("/proc").is_dir()
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def gone(pid: int, within: float = 10.0) -> bool:
    """Whether the process is gone (allowing ``within`` seconds for the kernel to tear it down)."""
    end = time.monotonic() + within
    while alive(pid):
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(scope="module")
def rules() -> Ruleset:
    return load_rules(None, ["rounds.count=3"])


def one_game(rules: Ruleset, spec: str, seed: int = 1, move_timeout: float | None = None) -> GameResult:
    return play_game(rules, [make_agent(spec), make_agent("random")], seed, move_timeout)


# --- the spec ---------------------------------------------------------------------------------------------


def test_a_cmd_spec_is_one_raw_command_split_like_a_shell_never_run_by_one() -> None:
    spec = f"cmd:{sys.executable} -c 'print(1)' a,b=c \"two words\" $HOME;ls"
    assert parse_spec(spec) == ("cmd", {"command": spec[4:]})
    agent = make_agent(spec)
    assert isinstance(agent, CmdAgent)
    assert agent.argv == [sys.executable, "-c", "print(1)", "a,b=c", "two words", "$HOME;ls"]
    assert agent.spec() == spec and make_agent(agent.spec()).params == agent.params


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cmd:", "name a program"),
        ("cmd:   ", "name a program"),
        ("cmd:python3 'unclosed", "cannot split the command"),
        ("cmd:/no/such/program --x", "no program '/no/such/program' found"),
        ("cmd:" + "x" * 5000, "command must be text of at most 4096 characters"),
    ],
)
def test_a_bad_command_is_refused_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(AgentError, match=re.escape(message)) as err:
        make_agent(spec)
    assert "\n" not in str(err.value)


def test_a_bad_command_on_the_command_line_exits_1_in_one_line() -> None:
    result = CliRunner().invoke(cli, ["match", "cmd:/no/such/program", "random", "-n", "2"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "no program" in result.output


# --- data cannot start programs ---------------------------------------------------------------------------


def test_a_spec_from_a_data_file_may_not_run_a_program(tmp_path: Path) -> None:
    with pytest.raises(AgentError, match="read from a data file, a spec may not run a program"):
        make_agent(REF_SPEC, base_dir=tmp_path)
    with pytest.raises(AgentError, match="may not run a program"):
        resolve_spec(REF_SPEC, tmp_path)
    make_agent(REF_SPEC)  # the same spec from the command line is fine


def test_a_targets_file_may_not_run_a_program(rules: Ruleset) -> None:
    text = f'[run]\nagents = ["{REF_SPEC}", "random"]\n'
    with pytest.raises(RulesError, match=r"run\.agents\[0\].*may not run a program"):
        targets_from_text(text, rules)


def test_a_saved_game_may_not_run_a_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "ran"
    hostile = f"cmd:touch {marker}"
    save = tmp_path / "save.json"
    save_game(save, new_game(load_rules(), 5), ["human", hostile], [])
    result = CliRunner().invoke(cli, ["play", "--load", str(save)], input="quit\nn\n")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "may not run a program" in lines[0], result.output
    assert not marker.exists()
    # named again on the command line, the seat plays (and the program runs)
    again = CliRunner().invoke(cli, ["play", "--load", str(save), "--player", f"moscow={REF_SPEC}"], input="1\n" * 400)
    assert again.exit_code == 0, again.output
    assert "Game record saved" in again.output


# --- untrusted means untrusted: each failure forfeits, with a one-line reason, and leaves no process -------

FAILURES = {
    "garbage": ('print("I resign, good game")', r"answered 'I resign, good game', which is not valid JSON"),
    "not an object": ("say([1, 2])", r"answered '\[1, 2\]'; expected \{\"action\": CODE\}"),
    "a boolean": ('say({"action": True})', r"an action is an integer code or a notation string"),
    "no such code": ('say({"action": 99999})', r"no action has code 99999"),
    "not an action": ('say({"action": "surrender"})', r"not an action"),
    "illegal": (
        'say({"action": "accept" if "accept" not in [a["notation"] for a in legal] else "pass"})',
        r"which is not legal now \(legal: ",
    ),
    "flood": (
        f'sys.stdout.write("x" * {MAX_LINE + 100}); sys.stdout.flush(); time.sleep(30)',
        rf"sent a line over {MAX_LINE:,} bytes",
    ),
    "hang": ("time.sleep(60)", r"gave no answer within the 0\.5 s move limit"),
    "exit": (
        'print("so long", file=sys.stderr); sys.stderr.flush(); sys.exit(3)',
        r"exited mid-game with code 3; its last line on stderr: 'so long'",
    ),
    "killed": ("os.kill(os.getpid(), 9)", r"was killed by signal 9 mid-game"),
    "stops reading": (
        'os.close(0); say({"action": legal[0]["code"]}); time.sleep(60)',  # closed before the answer is out
        r"stopped reading its input",
    ),
    "chatty": (  # two answers in one write: the second is there when the next act comes
        'sys.stdout.write(2 * (json.dumps({"action": legal[0]["code"]}) + "\\n")); sys.stdout.flush()',
        r"sent output it was not asked for",
    ),
    "silent exit": ("sys.exit(0)", r"exited mid-game with code 0"),
}


@pytest.mark.parametrize("kind", FAILURES)
def test_a_misbehaving_program_forfeits_in_one_line_and_is_gone(tmp_path: Path, kind: str) -> None:
    body, reason = FAILURES[kind]
    # a program behaves for its first two decisions, then misbehaves (a hang already in its first)
    start = "if acts <= 2:\n    say({'action': legal[0]['code']})\n    continue\n" if kind != "hang" else ""
    spec = program(tmp_path, start + body)
    t0 = time.monotonic()
    result = one_game(load_rules(), spec, move_timeout=0.5 if kind == "hang" else None)  # 6 decisions for it
    assert time.monotonic() - t0 < 30  # a hang guard, not a timing assertion
    assert result.forfeit is not None and result.forfeit.role == 0, result.forfeit
    why = result.forfeit.reason
    assert why.startswith("ProtocolError: cmd:") and "\n" not in why and "\x1b" not in why
    assert re.search(reason, why), why
    assert f"stderr log: {tmp_path / 'bot-logs'}" in why
    assert all(gone(pid) for pid in pids(tmp_path))


def test_an_endless_stream_of_answers_cannot_fill_memory(rules: Ruleset, tmp_path: Path) -> None:
    spec = program(tmp_path, 'while True:\n    say({"action": legal[0]["code"]})')
    result = one_game(rules, spec)
    # caught as output nobody asked for; or, if its second line was not out yet when the next act was sent,
    # as that line answering the next act (a stale answer, illegal here): a forfeit either way
    assert result.forfeit is not None and re.search(r"not asked for|not legal now", result.forfeit.reason)
    assert all(gone(pid) for pid in pids(tmp_path))


def test_a_program_and_its_children_are_killed_as_a_group(rules: Ruleset, tmp_path: Path) -> None:
    child = tmp_path / "child.pid"
    body = f"""
    if acts == 1:
        import subprocess
        kid = subprocess.Popen(["sleep", "300"])
        open({str(child)!r}, "w").write(str(kid.pid))
    say({{"action": legal[0]["code"]}})
    """
    result = one_game(rules, program(tmp_path, body))
    assert result.forfeit is None and result.outcome is not None
    assert all(gone(pid) for pid in [*pids(tmp_path), int(child.read_text())])


def test_an_opponents_forfeit_ends_the_program_too(rules: Ruleset, tmp_path: Path) -> None:
    spec = program(tmp_path, 'say({"action": legal[0]["code"]})')
    result = play_game(rules, [make_agent(spec), make_agent("cmd:false")], 2)
    assert result.forfeit is not None and result.forfeit.role == 1, result.forfeit
    assert "exited mid-game with code 1" in result.forfeit.reason
    assert all(gone(pid) for pid in pids(tmp_path))


def acting_once(spec: str) -> str:
    """A Python script that builds the agent ``spec``, lets it act once, prints "acted" and goes on."""
    return f"""
import sys
import time
from summitgame.agents import make_agent
from summitgame.engine import new_game
from summitgame.rules.loader import load_rules
from summitgame.runs.match import agent_rng
from summitgame.engine.observation import observe
rules = load_rules()
s = new_game(rules, 1)
agent = make_agent({spec!r})
agent.start(rules, s.to_move, agent_rng(1, s.to_move))
obs = observe(s, s.to_move)
agent.act(obs, obs.legal)
print("acted", flush=True)
"""


def test_the_program_is_killed_when_the_interpreter_exits(tmp_path: Path) -> None:
    spec = program(tmp_path, 'say({"action": legal[0]["code"]})')
    script = acting_once(spec) + "sys.exit(0)  # no close, no end: the interpreter's exit must stop the program\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "acted" in done.stdout, done.stderr
    assert all(gone(pid) for pid in pids(tmp_path))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_the_program_dies_with_a_killed_parent(tmp_path: Path) -> None:
    spec = program(tmp_path, 'say({"action": legal[0]["code"]})')
    script = acting_once(spec) + "time.sleep(300)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "acted"
        (pid,) = pids(tmp_path)
        assert alive(pid)
        parent.send_signal(signal.SIGKILL)  # no atexit, no finalizer: only the kernel can stop the program
        parent.wait(timeout=30)
        assert gone(pid)
    finally:
        parent.kill()
        parent.wait()


def interrupt_once(marker: Path, within: float = 60.0) -> Callable[[int, object], None]:
    """A SIGALRM handler that raises KeyboardInterrupt (Ctrl-C) once ``marker`` exists, else re-arms itself every
    20 ms; after ``within`` seconds it interrupts anyway (a hang guard: the test then fails on the marker)."""
    deadline = time.monotonic() + within

    def handler(signum: int, frame: object) -> None:
        if marker.exists() or time.monotonic() > deadline:
            raise KeyboardInterrupt
        signal.setitimer(signal.ITIMER_REAL, 0.02)

    return handler


def test_ctrl_c_while_a_program_thinks_stops_it(rules: Ruleset, tmp_path: Path) -> None:
    # Ctrl-C comes once the program has its act and thinks: a fixed delay could come before a loaded machine
    # had even started it (no pid written yet), which tested nothing and failed on the missing pid file
    thinking = tmp_path / "thinking"
    spec = program(tmp_path, f"open({str(thinking)!r}, 'w').close()\ntime.sleep(60)")
    agent = make_agent(spec)
    s = new_game(rules, 1)
    agent.start(rules, s.to_move, random.Random(0))
    obs = observe(s, s.to_move)
    previous = signal.signal(signal.SIGALRM, interrupt_once(thinking))  # delivered while act waits
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.02)
        with pytest.raises(KeyboardInterrupt):
            agent.act(obs, obs.legal)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert thinking.exists(), "the program never got to think within the deadline"
    (pid,) = pids(tmp_path)
    assert gone(pid)


# --- the move limit, the seed and the log -------------------------------------------------------------------


def tee_program(tmp_path: Path, name: str = "tee") -> tuple[str, Path]:
    """A spec for a bot that plays the first legal action and appends every message it hears to a file."""
    heard = tmp_path / f"{name}.jsonl"
    path = tmp_path / f"{name}.py"
    path.write_text(
        textwrap.dedent(f"""\
        import json, sys
        heard = open({str(heard)!r}, "a")
        for line in sys.stdin:
            heard.write(line)
            heard.flush()
            msg = json.loads(line)
            if msg["type"] == "act":
                answer = {{"action": msg["legal"][0]["code"]}} if len(msg["legal"]) % 2 else \\
                    {{"action": msg["legal"][-1]["notation"].upper()}}
                print(json.dumps(answer), flush=True)
                heard.write(json.dumps({{"answer": answer}}) + "\\n")
            elif msg["type"] == "end":
                break
        """)
    )
    return f"cmd:{sys.executable} {path}", heard


def heard(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_program_hears_hello_acts_and_end_with_the_move_limit_and_its_own_seed(
    rules: Ruleset, tmp_path: Path
) -> None:
    spec, path = tee_program(tmp_path)
    for move_timeout, limit in ((None, DEFAULT_MOVE_TIMEOUT), (12.5, 12.5)):
        path.unlink(missing_ok=True)
        result = one_game(rules, spec, seed=3, move_timeout=move_timeout)
        assert result.forfeit is None and result.outcome is not None
        messages = heard(path)
        kinds = [m.get("type", "answer") for m in messages]
        assert kinds[0] == "hello" and kinds[-1] == "end"
        assert kinds.count("act") == kinds.count("answer") == result.decisions[0]
        hello = messages[0]
        assert hello["time_limit"] == limit and hello["role"] == rules.roles[0] and hello["protocol"] == 1
        assert messages[-1]["outcome"] == result.outcome.as_dict()
    again = heard(path)
    path.unlink()
    one_game(rules, spec, seed=3, move_timeout=12.5)
    assert heard(path) == again  # the same game, byte for byte: the seed in hello comes from the agent stream


def test_stderr_goes_to_the_log_capped_never_to_our_output(tmp_path: Path, logs: Path) -> None:
    body = f"""
    print(f"SECRET-STDERR-{{role}}-{{acts}}", file=sys.stderr, flush=True)
    if acts == 1 and role == "washington":
        sys.stderr.write("y" * {MAX_LOG + 5000})
    say({{"action": legal[acts * 7 % len(legal)]["code"]}})  # varied: a game long enough to act in
    """
    spec = program(tmp_path, body)
    result = CliRunner().invoke(cli, ["match", spec, "greedy", "-n", "2", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "SECRET-STDERR" not in result.output and "yyyy" not in result.output
    assert f"bot stderr logs:   {logs}/" in result.output
    (log,) = logs.iterdir()  # one file: both games were played by this process
    text = log.read_text()
    assert text.count(" Summit as ") == 2 and text.count("== ended (exit code 0)") == 2
    assert "SECRET-STDERR-washington-1" in text and "SECRET-STDERR-washington-2" not in text
    assert text.count("stderr cut here") == 1 and "SECRET-STDERR-moscow-2" in text  # each game has its own cap
    assert MAX_LOG < log.stat().st_size < MAX_LOG + 10_000


# --- the reference bot -----------------------------------------------------------------------------------


def test_the_reference_bot_imports_nothing_of_summitgame() -> None:
    source = REFERENCE.read_text()
    imports = re.findall(r"^\s*(?:import|from)\s+(\w+)", source, re.M)
    assert imports and set(imports) <= set(sys.stdlib_module_names)


def test_the_minimal_bot_in_the_docs_plays(rules: Ruleset, tmp_path: Path) -> None:
    text = (ROOT / "docs" / "protocol.md").read_text()
    code = re.findall(r"```python\n(.*?)```", text, re.S)[-1]
    bot = tmp_path / "minimal.py"
    bot.write_text(code)
    for seat in (0, 1):
        seats = [make_agent("greedy"), make_agent("greedy")]
        seats[seat] = make_agent(f"cmd:{sys.executable} {bot}")
        result = play_game(rules, seats, 3)
        assert result.forfeit is None and result.decisions[seat] > 0, result.forfeit


def test_the_reference_bot_plays_a_tournament_without_forfeits(tmp_path: Path) -> None:
    out = tmp_path / "t"
    result = CliRunner().invoke(
        cli,
        ["tournament", REF_SPEC, "random", "-n", "4", "--seed", "7", "-o", str(out), "--json"],
        env={LOG_ENV: None},  # unset: the tournament logs to its own folder, OUT/bot-logs
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["games"]["played"] == 4 and summary["games"]["forfeits"] == 0
    lines = read_games(out / "games.jsonl")
    assert len(lines) == 4 and all(line["forfeit"] is None for line in lines)
    assert any(p.suffix == ".log" for p in (out / "bot-logs").iterdir())


@pytest.mark.slow
def test_workers_start_the_program_themselves_and_a_run_resumes(
    tmp_path: Path, rules: Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LOG_ENV)
    out = tmp_path / "t"
    logs = out / "bot-logs"
    with logs_in(logs):
        first, _ = run_tournament(
            rules, [REF_SPEC, "random"], 6, out, 5, stop_after=3, processes=True, backend=RunOptions(workers=2)
        )
    assert 3 <= first.played < 6  # two workers may report a batch at once
    result = CliRunner().invoke(
        cli,
        ["tournament", REF_SPEC, "random", "-n", "6", "-o", str(out), "--resume", "--workers", "2", *SHORT],
        env={LOG_ENV: None},
    )
    assert result.exit_code == 0, result.output
    assert f"resumed: {first.played} games" in result.output
    lines = read_games(out / "games.jsonl")
    assert len(lines) == 6 and all(line["forfeit"] is None for line in lines)
    starters = {int(m) for log in logs.iterdir() for m in re.findall(r"started by process (\d+)", log.read_text())}
    assert starters and os.getpid() not in starters  # the worker processes started the programs


@pytest.mark.slow
def test_a_broken_program_forfeits_every_game_and_the_run_goes_on(tmp_path: Path) -> None:
    spec = program(tmp_path, "time.sleep(60)")
    out = tmp_path / "t"
    result = CliRunner().invoke(
        cli,
        ["tournament", spec, "random", "-n", "4", "-o", str(out), "--move-timeout", "0.5", "--workers", "2", *SHORT],
    )
    assert result.exit_code == 0, result.output
    lines = read_games(out / "games.jsonl")
    assert len(lines) == 4 and all(line["forfeit"]["agent"] == spec for line in lines)
    assert all("\n" not in line["forfeit"]["error"] for line in lines)
    assert all(gone(pid) for pid in pids(tmp_path))


def test_a_human_plays_against_a_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["play", "--player", f"moscow={REF_SPEC}", "--seed", "3", "--set", "rounds.count=3"], input="1\n" * 400
    )
    assert result.exit_code == 0, result.output
    assert "Game record saved" in result.output and "forfeits" not in result.output
