"""``summitgame replay RECORD --html FILE``: a self-contained page that steps through a game on the board.

The fast tests check what the page is made of (every step, the views, nothing fetched, text that cannot break
out of its script); the slow one drives the page in headless Chromium over the DevTools protocol (on a pipe:
no port, no extra package): it loads with no console error, Next, the slider and the arrow keys change the
board, and the last step shows the outcome."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from headless import FLAGS, chromium
from summitgame.cli import cli
from summitgame.engine import apply, legal_actions, new_game
from summitgame.play.replay_html import _json_for_script, page_data, replay_page
from summitgame.rules.loader import load_rules
from summitgame.runs.records import dumps, read_record, record_of

RULES = load_rules(None)


def run(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished bot game's record, written by ``match --records``."""
    folder = tmp_path_factory.mktemp("rec")
    res = run("match", "greedy", "random", "-n", 1, "--seed", 3, "--records", folder)
    assert res.exit_code == 0, res.output
    return folder / "game-00001.json"


def unfinished(path: Path, moves: int = 3) -> Path:
    """The record of a game stopped after ``moves`` last-legal moves."""
    s = new_game(RULES, 11)
    for _ in range(moves):
        s = apply(s, legal_actions(s)[-1])
    assert s.to_move >= 0
    path.write_text(dumps(record_of(s)), encoding="utf-8")
    return path


def test_every_step_is_on_the_page_and_the_last_shows_the_outcome(record: Path) -> None:
    doc = read_record(record)
    data = page_data(doc, RULES, "game")
    steps = data["steps"]
    assert len(steps) == len(doc["actions"]) + 1 and data["view"] == "omniscient"
    assert steps[0]["title"].startswith("Step 0 of") and steps[0]["lines"]  # the deal shows round 1's event
    assert all(s["lines"] for s in steps[1:])  # every action has its log line
    assert [s["outcome"] is not None for s in steps] == [False] * (len(steps) - 1) + [True]
    final = steps[-1]["outcome"]
    assert final["tier"] and final["winner"].endswith(("wins.", "tie."))
    assert [r["score"] for r in final["scores"]] == [doc["outcome"]["scores"][r] for r in RULES.roles]
    assert any(a["meters"] != b["meters"] or a["tracks"] != b["tracks"] for a, b in itertools.pairwise(steps))
    assert all(h["cards"] is not None and h["agenda"] for s in steps for h in s["hands"])  # omniscient: all shown


def test_the_spectator_view_shows_no_hand_and_no_agenda_before_the_end(record: Path) -> None:
    doc = read_record(record)
    data = page_data(doc, RULES, "game", "spectator")
    assert data["view"] == "spectator" and "Spectator view" in data["view_text"]
    for s in data["steps"]:
        for h in s["hands"]:
            assert h["cards"] is None
            assert (h["agenda"] is None) == (not h["revealed"])
    page = replay_page(doc, RULES, "game", "spectator")
    hand = RULES.gestures_deck.cards[new_game(RULES, doc["seed"]).hands[0][0]].name
    assert hand not in re.sub(r"plays [^\"]*", "", page)  # a card appears only once played, in the log
    assert 'data-view="spectator"' in page


def test_an_unfinished_game_is_shown_only_to_a_spectator(tmp_path: Path) -> None:
    path = unfinished(tmp_path / "save.json")
    res = run("replay", path, "--html", tmp_path / "p.html")
    assert res.exit_code == 0, res.output
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert 'data-view="spectator"' in page and "seed 11" not in page  # the seed would deal every card
    res = run("replay", path, "--html", tmp_path / "q.html", "--view", "omniscient")
    assert res.exit_code == 1 and "hands are still secret" in res.output and res.output.count("\n") == 1
    assert not (tmp_path / "q.html").exists()


def test_the_page_is_self_contained_and_the_same_for_the_same_record(record: Path, tmp_path: Path) -> None:
    res = run("replay", record, "--html", tmp_path / "a.html")
    assert res.exit_code == 0 and "steps)" in res.output
    run("replay", record, "--html", tmp_path / "b.html")
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert page == (tmp_path / "b.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page) and "fetch(" not in page
    assert "<script src" not in page and "<link" not in page


def test_text_from_data_cannot_end_the_script() -> None:
    text = _json_for_script({"name": "</script><script>alert(1)</script>", "amp": "&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "amp": "&"}


# --- in the browser -----------------------------------------------------------------------------------------


class DevTools:
    """Chromium driven over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out, NUL-separated JSON messages)."""

    def __init__(self, profile: Path) -> None:
        r_in, self.w = os.pipe()
        self.r, w_out = os.pipe()
        high_in, high_out = fcntl.fcntl(r_in, fcntl.F_DUPFD, 10), fcntl.fcntl(w_out, fcntl.F_DUPFD, 10)

        def fds() -> None:  # in the child: the pipe's ends where Chromium looks for them
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        cmd = [chromium(), *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False,
        )  # fmt: skip
        for fd in (r_in, w_out, high_in, high_out):
            os.close(fd)
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.r, 65536)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        msg: dict[str, Any] = json.loads(raw)
        return msg

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session is not None and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            got = self._read(deadline)
            if got.get("id") == self.next_id:
                assert "error" not in got, got
                result: dict[str, Any] = got.get("result", {})
                return result
            self.events.append(got)

    def wait_for(self, method: str) -> None:
        deadline = time.monotonic() + 60
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(deadline))

    def js(self, expression: str) -> Any:
        got = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in got, got
        return got["result"].get("value")

    def key(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code)

    def errors(self) -> list[dict[str, Any]]:
        """Console errors, uncaught exceptions and failed loads seen so far."""
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            thrown = m == "Runtime.exceptionThrown"
            logged = (m == "Runtime.consoleAPICalled" and p.get("type") == "error") or (
                m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error"
            )
            if thrown or logged:
                out.append(e)
        return out

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
        os.close(self.w)
        os.close(self.r)


BOARD = "['tracks','meters','hands','table','lines'].map(i => document.getElementById(i).innerText).join('\\n')"


@pytest.mark.slow
def test_the_page_steps_through_the_game_in_a_browser(record: Path, tmp_path: Path) -> None:
    page = tmp_path / "replay.html"
    res = run("replay", record, "--html", page)
    assert res.exit_code == 0, res.output
    last = len(read_record(record)["actions"])
    tools = DevTools(tmp_path / "profile")
    try:
        _open(tools, page)
        assert tools.js("document.body.dataset.step") == "0"
        assert "Omniscient view" in tools.js("document.getElementById('view').innerText")
        start = tools.js(BOARD)
        assert "Trust" in start and tools.js("document.getElementById('prev').disabled") is True
        tools.js("document.getElementById('next').click()")
        assert tools.js("document.body.dataset.step") == "1"
        seen = {start, tools.js(BOARD)}
        assert len(seen) == 2  # Next changed the board (at least the step's log line)
        for _ in range(4):
            tools.key("ArrowRight", 39)
            seen.add(tools.js(BOARD))
        assert tools.js("document.body.dataset.step") == "5" and len(seen) == 6
        tools.key("ArrowLeft", 37)
        assert tools.js("document.body.dataset.step") == "4"
        assert tools.js("document.getElementById('outcome').hidden") is True
        tools.key("End", 35)
        assert tools.js("document.body.dataset.step") == str(last)
        assert tools.js("document.getElementById('outcome').hidden") is False
        outcome = tools.js("document.getElementById('outcome').innerText")
        assert "The summit is over" in outcome and "secret agenda" in outcome
        assert tools.js("document.getElementById('next').disabled") is True
        assert tools.js("location.hash") == f"#step={last}"
        tools.js("const s = document.getElementById('slider'); s.value = '2'; s.dispatchEvent(new Event('input'))")
        assert tools.js("document.body.dataset.step") == "2"
        assert tools.errors() == []
    finally:
        tools.close()


def _open(tools: DevTools, page: Path) -> None:
    target = next(t for t in tools.send("Target.getTargets")["targetInfos"] if t["type"] == "page")
    tools.session = tools.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)["sessionId"]
    for domain in ("Runtime", "Log", "Page"):
        tools.send(f"{domain}.enable")
    tools.send("Page.navigate", url=page.resolve().as_uri())
    tools.wait_for("Page.loadEventFired")


@pytest.mark.slow
def test_the_browser_check_sees_console_errors(tmp_path: Path) -> None:
    """The check above would fail on a broken page: an uncaught error and a console.error are both seen."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><script>console.error('bad');</script><script>nope();</script>", encoding="utf-8")
    tools = DevTools(tmp_path / "profile")
    try:
        _open(tools, page)
        assert len(tools.errors()) == 2
    finally:
        tools.close()
