"""Bounded agent specs: every parameter declared with its type and range, refused in one line otherwise, from
the command line and from data alike; files named by specs in data resolved against that data file and read
safely (issue #11, section 4)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from summitgame.agents import AgentError, available, make_agent
from summitgame.agents.base import Agent, Param, resolve_spec
from summitgame.agents.mcts import MAX_ITERATIONS, MctsAgent
from summitgame.analysis.targets import load_targets
from summitgame.cli import cli
from summitgame.errors import RulesError
from summitgame.rules.ruleset import Ruleset

SECRET = '[token]\naws_secret_access_key = "abc"\n[hawk]\ndescription = "x"\nbravado = 1\n'


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "mcts:iterations=1000000000",
            r"^agent spec 'mcts:iterations=1000000000': iterations must be a whole number in 1\.\.100000, "
            r"got 1000000000$",
        ),
        ("mcts:iterations=0", r"iterations must be a whole number in 1\.\.100000, got 0$"),
        ("mcts:iterations=-5", r"iterations must be a whole number in 1\.\.100000, got -5$"),
        ("mcts:time=1e9", r"time must be a number in 0\.\.30, got 1000000000\.0$"),
        ("mcts:time=inf", r"time must be a number in 0\.\.30, got inf$"),
        ("mcts:c=nan", r"c must be a number in 0\.\.100, got nan$"),
        ("mcts:rollout=1e3", r"rollout must be a whole number in 0\.\.200, got '1e3'$"),
        ("mcts:iterations=" + "9" * 5000, r"iterations must be a whole number in 1\.\.100000, got '9{70,}…$"),
        ("mcts:iterations=1,iterations=2", r"parameter 'iterations' given twice$"),
        ("greedy:accept_scale=0", r"accept_scale must be a number in 0\.01\.\.100, got 0\.0$"),
        ("persona:name=" + "x" * 300, r"name must be text of at most 200 characters, got 'x{60,}…$"),
    ],
)
def test_out_of_range_and_wrong_types_are_refused_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(AgentError, match=message) as info:
        make_agent(spec)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400


def test_agents_built_directly_are_checked_too() -> None:
    with pytest.raises(AgentError, match=r"^agent 'mcts': iterations must be a whole number in 1\.\.100000, got 0$"):
        MctsAgent(iterations=0)
    with pytest.raises(AgentError, match=r"iterations must be .*, got True"):
        MctsAgent(iterations=True)
    with pytest.raises(AgentError, match=r"c must be a number"):
        MctsAgent(c="1")
    assert MctsAgent(c=1, iterations=MAX_ITERATIONS).params["c"] == 1  # an int is a number


def test_every_shipped_parameter_is_declared_with_a_range_that_holds_its_default() -> None:
    for name, cls in available().items():
        assert set(cls.parameters) == set(cls.defaults), name
        for key, p in cls.parameters.items():
            assert p.problem(p.default) is None, (name, key)
            if p.kind in ("int", "float"):
                assert p.low is not None and p.high is not None, (name, key)


class Legacy(Agent):
    """A third-party agent in the older style: only defaults."""

    name = "legacy-test-agent"
    defaults: ClassVar[dict[str, Any]] = {"depth": 3, "noise": 0.5, "flag": False, "label": "x"}

    def act(self, obs: Any, legal: Any) -> Any:
        return legal[0]


def test_an_agent_declaring_only_defaults_gets_bounded_parameters() -> None:
    assert Legacy(depth=10**6, noise=-2.5, flag=True, label="y").params["depth"] == 10**6
    with pytest.raises(AgentError, match=r"depth must be a whole number in -1e\+06\.\.1e\+06"):
        Legacy(depth=10**9)
    with pytest.raises(AgentError, match=r"flag must be true or false"):
        Legacy(flag=1)


SPECS = {
    "name": st.sampled_from(["mcts", "greedy", "persona", "titfortat", "hardliner", "nobody", ""]),
    "params": st.lists(
        st.tuples(
            st.sampled_from(["iterations", "time", "c", "name", "file", "forgive", "demand", "x", ""]),
            st.one_of(st.text(max_size=30), st.integers().map(str), st.floats().map(str)),
        ),
        max_size=4,
    ),
}


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(**SPECS)
def test_soak_any_spec_builds_a_bounded_agent_or_is_refused_in_one_line(
    name: str, params: list[tuple[str, str]]
) -> None:
    test_any_spec_builds_a_bounded_agent_or_is_refused_in_one_line.hypothesis.inner_test(name, params)


@settings(max_examples=60, deadline=None)
@given(**SPECS)
def test_any_spec_builds_a_bounded_agent_or_is_refused_in_one_line(name: str, params: list[tuple[str, str]]) -> None:
    spec = name + (":" + ",".join(f"{k}={v}" for k, v in params) if params else "")
    try:
        agent = make_agent(spec)
    except AgentError as exc:
        assert "\n" not in str(exc) and "\x1b" not in str(exc)
        return
    for key, value in agent.params.items():
        assert agent.parameters[key].problem(value) is None
    if isinstance(agent, MctsAgent):
        assert 1 <= agent.params["iterations"] <= MAX_ITERATIONS and agent.params["time"] <= 30


# --- files named by specs -------------------------------------------------------------------------------


def test_a_persona_file_must_be_a_regular_file_under_the_limit(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.toml")
    with pytest.raises(AgentError, match=r"pipe.toml: is a named pipe, not a regular file$"):
        make_agent(f"persona:file={tmp_path / 'pipe.toml'}")
    if Path("/dev/zero").exists():
        with pytest.raises(AgentError, match=r"/dev/zero: is a device, not a regular file$"):
            make_agent("persona:file=/dev/zero")
    (tmp_path / "big.toml").write_bytes(b"#" * (300 * 1024))
    with pytest.raises(AgentError, match=r"over the limit"):
        make_agent(f"persona:file={tmp_path / 'big.toml'}")
    (tmp_path / "deep.toml").write_text("[spy]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(AgentError, match=r"nested deeper than"):
        make_agent(f"persona:name=spy,file={tmp_path / 'deep.toml'}")


def test_errors_quote_no_key_of_the_file_but_the_persona_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(SECRET)
    messages = []
    for spec in (f"persona:name=nobody,file={path}", f"persona:name=hawk,file={path}"):
        with pytest.raises(AgentError) as info:
            make_agent(spec)
        messages.append(str(info.value))
    assert "no persona 'nobody'" in messages[0] and "a key that is not a persona field" in messages[1]
    for text in messages:
        assert "token" not in text and "aws" not in text and "bravado" not in text


def test_a_spec_from_a_data_file_names_files_relative_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mine.toml").write_text('[spy]\ndescription = "Trusts no one."\nregard = -1.0\n')
    monkeypatch.chdir(tmp_path)
    spy = make_agent("persona:name=spy,file=mine.toml", base_dir=tmp_path / "data")
    assert spy.persona.regard == -1.0
    with pytest.raises(AgentError, match="file not found"):
        make_agent("persona:name=spy,file=mine.toml")  # from the command line: relative to the working directory
    assert resolve_spec("persona:name=spy,file=mine.toml", "data") == f"persona:name=spy,file={Path('data/mine.toml')}"
    assert resolve_spec("mcts:iterations=9", "data") == "mcts:iterations=9"
    with pytest.raises(AgentError, match="iterations must be"):
        resolve_spec("mcts:iterations=0", "data")


def test_targets_agents_are_bounded_and_resolved_against_the_targets_file(
    summit_rules: Ruleset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "targets"
    folder.mkdir()
    (folder / "mine.toml").write_text('[spy]\ndescription = "Trusts no one."\n')
    good = folder / "good.toml"
    good.write_text('failed = "< 50%"\n[run]\nagents = ["greedy", "persona:name=spy,file=mine.toml"]\n')
    monkeypatch.chdir(tmp_path.parent)
    specs = list(load_targets(good, summit_rules).run["agents"])
    assert specs[0] == "greedy" and make_agent(specs[1]).persona.description == "Trusts no one."
    bad = folder / "bad.toml"
    bad.write_text('failed = "< 50%"\n[run]\nagents = ["mcts:iterations=1000000000", 3, "persona:file=/dev/zero"]\n')
    with pytest.raises(RulesError) as info:
        load_targets(bad, summit_rules)
    text = [str(p) for p in info.value.problems]
    assert any("run.agents[0]" in t and "iterations must be a whole number in 1..100000" in t for t in text)
    assert any("run.agents[1]" in t and "must be an agent spec" in t for t in text)
    if Path("/dev/zero").exists():
        assert any("run.agents[2]" in t and "device" in t for t in text)


def test_the_agents_command_shows_every_range() -> None:
    result = CliRunner().invoke(cli, ["agents"])
    assert result.exit_code == 0
    assert "iterations: a whole number in 1..100000, default 35" in result.output
    assert "file: a file name, default ''" in result.output
    for name in available():
        assert f"\n{name}: " in "\n" + result.output


def test_a_bad_spec_on_the_command_line_is_one_line_and_exit_1() -> None:
    result = CliRunner().invoke(cli, ["match", "mcts:iterations=1000000000", "random", "-n", "2"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: agent spec 'mcts:iterations=1000000000': iterations must be a whole number in 1..100000, got 1000000000"
    ]


def test_param_describes_itself() -> None:
    assert Param(3, 1, 9).allowed() == "a whole number in 1..9"
    assert Param(0.5, 0.0, 1.0).problem(1.5) == "a number in 0..1"
    assert Param(True).problem(1) == "true or false" and Param(True).problem(False) is None
