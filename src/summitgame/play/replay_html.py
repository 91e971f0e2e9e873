"""A recorded game as one static HTML page that steps through it on the board (``replay --html``).

The page is self-contained: the steps are computed here by replaying the record (``replay_all``) and embedded
as JSON; inline JavaScript draws the board of the step shown (meters, tracks, hands as the view allows, the
offer on the table, the log lines of the step) with previous/next buttons and the arrow keys, and the
outcome at the last step. No server, no network, no external file. Text from the record and the rules is
set as text by the script, never parsed as HTML.

**Views.** ``omniscient`` shows both hands and both secret agendas at every step: everything the record
holds (its seed deals every card). ``spectator`` shows the public board only (hand sizes, revealed agendas),
then both agendas with the outcome, as the terminal replay does. A finished game defaults to omniscient; an
unfinished one (a save of a game in progress) can only be shown to a spectator: its hands are still secret.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Literal

from ..engine.observation import observe
from ..engine.scoring import outcome
from ..engine.state import Phase, State
from ..errors import RecordError
from ..rules.ruleset import Ruleset
from ..runs.records import replay
from .log import entries
from .saves import read_game, replay_all
from .screen import _score_rows, _why
from .text import agenda_words, gesture_words, package_words, stage_name, track_label

__all__ = ["VIEWS", "replay_page", "write_replay_page"]

View = Literal["omniscient", "spectator"]
VIEWS: dict[str, str] = {
    "omniscient": "Omniscient view: both hands and both secret agendas are shown at every step (the record's "
    "seed deals every card).",
    "spectator": "Spectator view: the public board only (hand sizes, agendas once revealed); both agendas "
    "are shown with the outcome.",
}


def _meters(rules: Ruleset, s: State) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for mid in rules.meter_ids:
        spec = rules.spec.meters[mid]
        slot, per_role = rules.meter_slot[mid]
        lo, hi = rules.meter_min[slot], rules.meter_max[slot]
        if not per_role:
            note = f"breaks at {spec.breakdown_at}" if spec.breakdown_at is not None else ""
            danger = spec.breakdown_at is not None and s.meters[slot] <= spec.breakdown_at + 1
            out.append(
                {
                    "name": spec.name,
                    "who": "",
                    "value": s.meters[slot],
                    "lo": lo,
                    "hi": hi,
                    "note": note,
                    "danger": danger,
                }
            )
            continue
        limits = next((lim for sl, lim in rules.walkouts if sl == slot), None)
        for r in (0, 1):
            v = s.meters[slot + r]
            note = f"walks out at {limits[r]}" if limits is not None else ""
            top = limits[r] if limits is not None else hi
            out.append(
                {
                    "name": spec.name,
                    "who": rules.role_names[r],
                    "value": v,
                    "lo": lo,
                    "hi": top,
                    "note": note,
                    "danger": limits is not None and v >= limits[r] - 2,
                }
            )
    return out


def _shared_name(rules: Ruleset, slot: int) -> str:
    for mid, (sl, per_role) in rules.meter_slot.items():
        if sl == slot and not per_role:
            return rules.spec.meters[mid].name
    return rules.meter_ids[slot]


def _tracks(rules: Ruleset, s: State) -> list[dict[str, Any]]:
    out = []
    n = rules.n_tracks
    for t in range(n):
        stage = s.tracks[t]
        if stage >= rules.top_stage:
            status = "done"
        elif s.blocked[t] >= s.round:
            status = f"reopens round {s.blocked[t] + 1}"
        else:
            gate = rules.gates[t]
            status = (
                f"needs {_shared_name(rules, gate[0])} {gate[1]}" if gate and s.meters[gate[0]] < gate[1] else "open"
            )
        out.append(
            {
                "name": track_label(rules, t),
                "stage": stage,
                "top": rules.top_stage,
                "stage_name": stage_name(rules, stage),
                "status": status,
                "stakes": [s.stakes[t], s.stakes[n + t]],
            }
        )
    return out


def _hands(rules: Ruleset, s: State, view: View) -> list[dict[str, Any]]:
    out = []
    for r in (0, 1):
        shown = view == "omniscient"
        agenda = agenda_words(rules, s.agendas[r]) if shown or s.revealed[r] else None
        cards = [gesture_words(rules, c, rules.role_names[r]) for c in s.hands[r]] if shown else None
        out.append(
            {
                "role": rules.role_names[r],
                "size": len(s.hands[r]),
                "cards": cards,
                "agenda": agenda,
                "revealed": bool(s.revealed[r]),
            }
        )
    return out


def _table(rules: Ruleset, s: State) -> str:
    obs = observe(s, 0)
    if obs.phase == Phase.RESPOND:
        return f"On the table, {rules.role_names[obs.proposer]}'s offer: {package_words(rules, obs.items)}"
    if obs.items:
        what = "counter-proposal" if obs.counters else "package"
        return f"{rules.role_names[obs.proposer]}'s {what} so far: {package_words(rules, obs.items)}"
    return "No offer on the table."


def _outcome(rules: Ruleset, s: State) -> dict[str, Any]:
    o = outcome(s)
    winner = "A tie." if o.winner is None else f"{rules.role_names[rules.roles.index(o.winner)]} wins."
    return {
        "tier": o.tier_name,
        "why": _why(s),
        "scores": [
            {"side": name, "deals": d, "bonus": b, "walkout": w, "pressure": p, "score": total}
            for name, d, b, w, p, total in _score_rows(s)
        ],
        "winner": winner,
        "agendas": [f"{rules.role_names[r]}'s secret agenda: {agenda_words(rules, s.agendas[r])}" for r in (0, 1)],
    }


def page_data(doc: dict[str, Any], rules: Ruleset, where: str, view: View | None = None) -> dict[str, Any]:
    """Every step of a recorded game as the page draws it; RecordError if it does not replay, or if an
    unfinished game is asked for in the omniscient view."""
    states = replay_all(doc, rules, where)
    if "outcome" in doc:
        replay(doc, rules, where)  # a record whose outcome does not match is refused
    finished = states[-1].to_move < 0
    if view is None:
        view = "omniscient" if finished else "spectator"
    if view == "omniscient" and not finished:
        raise RecordError(f"{where}: the game is unfinished: its hands are still secret (use --view spectator)")
    log = entries(rules, states)
    positions = [i for i, e in enumerate(log) if e.actor >= 0]
    last = len(states) - 1
    steps = []
    for k, s in enumerate(states):
        start = positions[k - 1] if k else 0
        upto = positions[k] if k < len(positions) else len(log)
        headline = "the deal" if k == 0 else log[positions[k - 1]].text
        steps.append(
            {
                "title": f"Step {k} of {last}: {headline}",
                "round": s.round,
                "initiative": rules.role_names[s.initiative],
                "to_move": rules.role_names[s.to_move] if s.to_move >= 0 else None,
                "meters": _meters(rules, s),
                "tracks": _tracks(rules, s),
                "hands": _hands(rules, s, view),
                "table": _table(rules, s) if s.to_move >= 0 else "",
                "lines": [e.text for e in log[start:upto]],
                "outcome": _outcome(rules, s) if k == last and finished else None,
            }
        )
    seats = doc.get("agents") or doc.get("seats") or {}
    players = [
        f"{rules.role_names[rules.roles.index(r)]}: {seats[r]}" for r in rules.roles if isinstance(seats.get(r), str)
    ]
    return {
        "players": players,
        "rules": rules.name,
        "fingerprint": rules.fingerprint,
        "rounds": rules.rounds,
        "roles": list(rules.role_names),
        "view": view,
        "view_text": VIEWS[view],
        "seed": states[0].seed if finished else None,
        "source": where,
        "steps": steps,
    }


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.4em; margin-bottom: .2em; } h2 { font-size: 1.05em; margin: 1em 0 .4em; }
.view { display: inline-block; background: #eef3fb; border-left: 4px solid #4c72b0; padding: .3em .8em; }
.controls { margin: 1em 0; display: flex; gap: .5em; align-items: center; }
.controls button { font-size: 1em; padding: .3em .9em; }
#title { font-weight: bold; margin: .5em 0; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
table { border-collapse: collapse; font-size: .9em; } td, th { padding: .2em .6em; border-bottom: 1px solid #eee; }
th { text-align: left; }
.bar { display: inline-block; width: 140px; height: .8em; background: #eee; vertical-align: middle; }
.bar span { display: block; height: 100%; background: #4c9a52; }
.bar.role span { background: #d4a017; }
.bar.danger span { background: #c0392b; }
.pips { color: #2a7ab0; letter-spacing: .1em; }
.hand { margin: .3em 0; } .hand ul { margin: .2em 0 .2em 1.2em; padding: 0; font-size: .9em; }
.lines { background: #f6f6f6; padding: .6em 1em; font-size: .9em; }
.lines p { margin: .2em 0; }
#outcome { background: #e8f5e9; border-left: 4px solid #43a047; padding: .5em 1em; margin-top: 1em; }
.note { color: #555; font-size: .85em; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var game = JSON.parse(document.getElementById("game-data").textContent);
  var steps = game.steps;
  var k = 0;
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function row(table, cells, head) {
    var tr = el("tr");
    cells.forEach(function (c) {
      var td = el(head ? "th" : "td");
      if (c instanceof Node) { td.appendChild(c); } else { td.textContent = String(c); }
      tr.appendChild(td);
    });
    table.appendChild(tr);
  }
  function bar(m) {
    var b = el("span", null, "bar" + (m.who ? " role" : "") + (m.danger ? " danger" : ""));
    var fill = el("span");
    var span = Math.max(1, m.hi - m.lo);
    fill.style.width = Math.max(0, Math.min(100, 100 * (m.value - m.lo) / span)) + "%";
    b.appendChild(fill);
    return b;
  }
  function pips(stage, top) {
    var s = "";
    for (var i = 0; i < top; i++) { s += i < stage ? "\u25A0" : "\u25A1"; }
    return el("span", s, "pips");
  }
  function draw() {
    var s = steps[k];
    document.getElementById("title").textContent = s.title;
    document.getElementById("where").textContent = "Round " + s.round + " of " + game.rounds +
      " \u00B7 initiative: " + s.initiative +
      (s.to_move ? " \u00B7 " + s.to_move + " to move" : " \u00B7 the summit is over");
    var meters = clear(document.getElementById("meters"));
    row(meters, ["meter", "side", "value", "", "limit"], true);
    s.meters.forEach(function (m) { row(meters, [m.name, m.who, m.value + "/" + m.hi, bar(m), m.note]); });
    var tracks = clear(document.getElementById("tracks"));
    row(tracks, ["track", "stage", "", "status", "stakes " + game.roles.join("/")], true);
    s.tracks.forEach(function (t) {
      row(tracks, [t.name, pips(t.stage, t.top), t.stage_name, t.status, t.stakes.join("/")]);
    });
    var hands = clear(document.getElementById("hands"));
    s.hands.forEach(function (h) {
      var d = el("div", null, "hand");
      d.appendChild(el("strong", h.role + ": " + h.size + " card" + (h.size === 1 ? "" : "s")));
      if (h.cards) {
        var ul = el("ul");
        h.cards.forEach(function (c) { ul.appendChild(el("li", c)); });
        d.appendChild(ul);
      }
      d.appendChild(el("div", h.agenda ? "Agenda: " + h.agenda : "Agenda: secret", "note"));
      hands.appendChild(d);
    });
    document.getElementById("table").textContent = s.table;
    var lines = clear(document.getElementById("lines"));
    s.lines.forEach(function (t) { lines.appendChild(el("p", t)); });
    var out = document.getElementById("outcome");
    clear(out);
    out.hidden = !s.outcome;
    if (s.outcome) {
      var o = s.outcome;
      out.appendChild(el("h2", "The summit is over: " + o.tier));
      o.why.forEach(function (t) { out.appendChild(el("p", t)); });
      var sc = el("table");
      row(sc, ["side", "deals", "tier bonus", "walk-out", "pressure", "score"], true);
      o.scores.forEach(function (r) { row(sc, [r.side, r.deals, r.bonus, r.walkout, r.pressure, r.score]); });
      out.appendChild(sc);
      out.appendChild(el("p", o.winner, "winner"));
      o.agendas.forEach(function (t) { out.appendChild(el("p", t, "note")); });
    }
    document.getElementById("prev").disabled = k === 0;
    document.getElementById("next").disabled = k === steps.length - 1;
    document.getElementById("slider").value = String(k);
    document.body.setAttribute("data-step", String(k));
    if (location.hash !== "#step=" + k) { history.replaceState(null, "", "#step=" + k); }
  }
  function go(to) { k = Math.max(0, Math.min(steps.length - 1, to)); draw(); }
  document.getElementById("prev").addEventListener("click", function () { go(k - 1); });
  document.getElementById("next").addEventListener("click", function () { go(k + 1); });
  document.getElementById("first").addEventListener("click", function () { go(0); });
  document.getElementById("last").addEventListener("click", function () { go(steps.length - 1); });
  var slider = document.getElementById("slider");
  slider.max = String(steps.length - 1);
  slider.addEventListener("input", function () { go(parseInt(slider.value, 10)); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowLeft") { go(k - 1); ev.preventDefault(); }
    else if (ev.key === "ArrowRight") { go(k + 1); ev.preventDefault(); }
    else if (ev.key === "Home") { go(0); ev.preventDefault(); }
    else if (ev.key === "End") { go(steps.length - 1); ev.preventDefault(); }
  });
  var m = /^#step=(\d+)$/.exec(location.hash);
  go(m ? parseInt(m[1], 10) : 0);
})();
"""


def _json_for_script(data: dict[str, Any]) -> str:
    """JSON that cannot end its ``<script>`` element early (``<``, ``>`` and ``&`` escaped)."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def replay_page(doc: dict[str, Any], rules: Ruleset, where: str, view: View | None = None) -> str:
    """The whole page for a game record (deterministic: the same record gives the same bytes)."""
    data = page_data(doc, rules, where, view)
    e = html.escape
    seed = f", seed {data['seed']}" if data["seed"] is not None else ""
    n = len(data["steps"]) - 1
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Replay: {e(data['rules'])} ({e(where)})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>Replay of {e(where)}</h1>\n"
        f'<p class="note">{e(data["rules"])} ({e(data["fingerprint"])}){e(seed)}, {n} actions'
        f"{e(''.join('; ' + p for p in data['players']))}.</p>\n"
        f'<p class="view" id="view" data-view="{e(data["view"])}">{e(data["view_text"])}</p>\n'
        '<div class="controls">'
        '<button id="first" type="button" title="Home">\u00ab First</button>'
        '<button id="prev" type="button" title="Left arrow">\u25c0 Previous</button>'
        '<button id="next" type="button" title="Right arrow">Next \u25b6</button>'
        '<button id="last" type="button" title="End">Last \u00bb</button>'
        f'<input id="slider" type="range" min="0" max="{n}" value="0" aria-label="step">'
        '<span class="note">\u2190 \u2192 step, Home/End</span></div>\n'
        '<div id="title"></div>\n<div id="where" class="note"></div>\n'
        '<div class="lines" id="lines"></div>\n'
        '<div id="outcome" hidden></div>\n'
        '<div class="grid"><div><h2>Tracks</h2><table id="tracks"></table>'
        '<h2>On the table</h2><p id="table"></p></div>'
        '<div><h2>Meters</h2><table id="meters"></table><h2>Hands</h2><div id="hands"></div></div></div>\n'
        f'<script type="application/json" id="game-data">{_json_for_script(data)}</script>\n'
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_replay_page(path: Path, record: Path, rules: Ruleset, view: View | None = None) -> int:
    """Write the page of the game at ``record`` to ``path`` (atomically); returns the number of steps."""
    from ..runs.records import write_atomic

    doc = read_game(record)
    text = replay_page(doc, rules, record.name, view)
    write_atomic(path, text)
    return len(doc["actions"])
