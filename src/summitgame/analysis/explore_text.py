"""Plain-text tables for ``sweep``, ``sweep --sensitivity``, ``targets`` and ``tune`` (from their JSON documents)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..safeio import printable_lines


def cell(m: Mapping[str, Any] | None) -> str:
    """A measure with its 95% interval: ``71.2% [66.6–75.4]`` (a rate) or ``3.12 [2.67–3.57]``; ``-`` if missing."""
    if not m or m.get("value") is None:
        return "-"
    if m.get("kind") == "rate":
        text = f"{100 * m['value']:.1f}%"
        fmt = "{:.1f}"
        scale = 100.0
    else:
        text = f"{m['value']:.2f}"
        fmt = "{:.2f}"
        scale = 1.0
    lo, hi = m.get("low"), m.get("high")
    if lo is not None and hi is not None:
        text += f" [{fmt.format(lo * scale)}–{fmt.format(hi * scale)}]"
    return text


@printable_lines
def table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> Iterator[str]:
    """Columns padded to their widest cell, two spaces apart."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        yield (indent + "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))).rstrip()


def _played(doc: Mapping[str, Any]) -> int:
    """Games actually played per run (the plan rounds ``--games`` up to whole paired deals)."""
    return int(next(iter(doc["current"].values()))["n"]) if doc["current"] else int(doc["games"])


def _agents(doc: Mapping[str, Any]) -> str:
    return ", ".join(doc["agents"])


@printable_lines
def sweep_lines(doc: Mapping[str, Any]) -> Iterator[str]:
    """The sweep table: one row per point, the parameters' values then each measure with its 95% interval."""
    params = [p["path"] for p in doc["params"]]
    names = doc["measures"]
    pts = doc["points"]
    yield (
        f"Sweep of {doc['rules']['name']}: {len(pts)} point{'s' if len(pts) != 1 else ''} × "
        f"{pts[0]['games'] if pts else 0} games ({_agents(doc)}), seed {doc['seed']}"
    )
    for p in doc["params"]:
        allowed = f" (allowed {p['allowed'][0]}..{p['allowed'][1]})" if p.get("allowed") else ""
        yield f"  {p['path']}: {', '.join(str(v) for v in p['values'])}{allowed}"
    yield ""
    rows = [[*(str(pt["values"][k]) for k in params), *(cell(pt["measures"][n]) for n in names)] for pt in pts]
    yield from table([*params, *names], rows)
    yield ""
    yield "  each measure [its 95% interval] (Wilson for rates, Student-t for means, order statistics for medians)"
    yield f"reproduce: {doc['command']}"


def _effect(e: Mapping[str, Any] | None, rate: bool) -> str:
    if not e or e.get("value") is None:
        return "-"
    v = e["value"] * (100 if rate else 1)
    text = f"{v:+.1f}pp" if rate else f"{v:+.2f}"
    return text + ("*" if e.get("significant") else "")


def sensitivity_lines(doc: Mapping[str, Any]) -> Iterator[str]:
    """Each parameter's effect per step on each measure, strongest first."""
    names = doc["measures"]
    rates = {n: doc["current"][n].get("kind") == "rate" for n in names}
    yield (
        f"Sensitivity of {doc['rules']['name']}: each parameter one step either way, "
        f"{_played(doc)} games per side ({_agents(doc)}), seed {doc['seed']}"
    )
    yield ""
    yield from table(["now", *names], [["", *(cell(doc["current"][n]) for n in names)]])
    yield ""
    rows = []
    for r in doc["params"]:
        tried = "/".join("-" if v is None else str(v) for v in (r["down"], r["up"]))
        rows.append([r["path"], str(r["value"]), tried, *(_effect(r["effects"][n], rates[n]) for n in names)])
    yield from table(["parameter", "value", "tried", *names], rows)
    yield ""
    yield "  change per step of the parameter (pp: percentage points); * the 95% interval excludes 0"
    skipped = [(r["path"], s) for r in doc["params"] for s in r["skipped"]]
    for path, why in skipped:
        yield f"  {path}: {why}"
    moved = {(r["path"], n) for r in doc["params"] for n in names if (r["effects"][n] or {}).get("scaled")}
    for n in names:
        top = [p for p in doc["ranking"][n] if (p, n) in moved][:3]
        if top:
            yield f"  moves {n} most: {', '.join(top)}"
    yield f"reproduce: {doc['command']}"


@printable_lines
def targets_lines(doc: Mapping[str, Any]) -> Iterator[str]:
    """Each target: wanted, measured with its interval, and the verdict."""
    met = sum(1 for v in doc["verdicts"] if v["met"])
    total = len(doc["verdicts"])
    yield (
        f"Targets {doc['targets']} for {doc['rules']['name']}: {met} of {total} met "
        f"({doc['games']} games, {_agents(doc)}, seed {doc['seed']})"
    )
    rows = []
    for v in doc["verdicts"]:
        verdict = "met" if v["met"] else "MISSED"
        if v["borderline"]:
            verdict += " (borderline: the 95% interval crosses a bound)"
        rows.append([v["target"], v["wanted"], cell(v["measured"]), verdict])
    yield from table(["target", "wanted", "measured", "verdict"], rows)
    yield f"reproduce: {doc['command']}"
