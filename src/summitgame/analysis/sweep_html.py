"""HTML reports of ``sweep --html`` and ``sweep --sensitivity --html``: one self-contained page each, charts
drawn by matplotlib as inline SVG (the helpers of ``html.py``), then the full text table.

A sweep of one parameter draws each measure against it with its 95% band. Two parameters add a heat-map
per measure (rows: the first parameter, columns: the second). Three or more draw lines against the first
parameter while the other combinations are few enough to tell apart. A sensitivity run draws a tornado of
each measure: every parameter's effect per step, largest first.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .explore_text import sensitivity_lines, sweep_lines
from .html import _figure, _page, _svg

MAX_LINES = 6
"""The most lines (combinations of the other parameters) one line chart draws before the page shows only the table."""

GRID = '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:0 1.5em">'
"""Small multiples side by side (an inline style: the page's stylesheet is shared with ``html.py``)."""

COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b2", "#937860")


def slug(name: str) -> str:
    """A measure name as part of an HTML id: ``peak:pressure:moscow`` → ``peak-pressure-moscow``."""
    return re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-") or "measure"


def measure_ids(names: Sequence[str]) -> dict[str, str]:
    """Each measure's id part, made unique (a later clash gets ``-2``, ``-3``, ...) so ids stay stable."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for n in names:
        base = slug(n)
        sid, k = base, 2
        while sid in used:
            sid, k = f"{base}-{k}", k + 1
        used.add(sid)
        out[n] = sid
    return out


def chart_ids(page: str) -> list[str]:
    """The chart ids present in a sweep or sensitivity page, in order (``measure-failed``, ``heat-role_gap``, ...)."""
    return re.findall(r'<figure id="chart-([a-z0-9_-]+)"><svg', page)


# --- reading the documents --------------------------------------------------------------------------


def _kind(measures: Iterable[Mapping[str, Any] | None]) -> tuple[str, str]:
    """A measure's kind and unit, from the first of its values that says."""
    for m in measures:
        if m and m.get("kind"):
            return str(m["kind"]), str(m.get("unit") or "")
    return "number", ""


def _label(name: str, kind: str, unit: str) -> str:
    if kind == "rate":
        return f"{name} (%)"
    return f"{name} ({unit})" if unit else name


def _num(x: Any, scale: float) -> float:
    return math.nan if x is None else float(x) * scale


def _fmt(v: Any) -> str:
    """A parameter value as the table shows it."""
    return str(v)


def _is_numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


# --- sweep charts -----------------------------------------------------------------------------------


def _band(ax: Any, xs: Sequence[float], ms: Sequence[Mapping[str, Any] | None], scale: float, **kw: Any) -> None:
    """A measure's line with its shaded 95% band (an error bar where one point stands alone)."""
    vals = [_num((m or {}).get("value"), scale) for m in ms]
    lows = [_num((m or {}).get("low"), scale) for m in ms]
    highs = [_num((m or {}).get("high"), scale) for m in ms]
    color = kw.pop("color", COLORS[0])
    ax.fill_between(xs, lows, highs, alpha=0.18, color=color, linewidth=0)
    ax.plot(xs, vals, marker="o", markersize=4, color=color, **kw)
    if len(xs) == 1 and math.isfinite(vals[0]) and math.isfinite(lows[0]) and math.isfinite(highs[0]):
        ax.errorbar(xs, vals, yerr=[[vals[0] - lows[0]], [highs[0] - vals[0]]], color=color, capsize=4, ls="none")


def line_chart(
    name: str,
    path: str,
    xvalues: Sequence[Any],
    series: Sequence[tuple[str, Sequence[Mapping[str, Any] | None]]],
    legend_title: str = "",
) -> str:
    """One measure against a parameter: a line with its 95% band per series (rates in %)."""
    kind, unit = _kind(m for _, ms in series for m in ms)
    scale = 100.0 if kind == "rate" else 1.0
    fig = _figure(5.2, 3.0)
    ax = fig.add_subplot()
    numeric = _is_numeric(xvalues)
    xs = [float(v) for v in xvalues] if numeric else [float(i) for i in range(len(xvalues))]
    for i, (label, ms) in enumerate(series):
        _band(ax, xs, ms, scale, color=COLORS[i % len(COLORS)], label=label or None)
    ax.set_xticks(xs, [_fmt(v) for v in xvalues])
    ax.set_xlabel(path)
    ax.set_ylabel(_label(name, kind, unit))
    ax.set_title(f"{name} (95% band)")
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend(title=legend_title or None, fontsize="small", title_fontsize="small")
    return _svg(fig)


SIZES = ("role_gap", "win_gap")
"""Measures that are a gap's size: 0 is best (the colour runs from white at 0 to red)."""
SIGNED = ("score_gap",)
"""Measures with a sign whose best is 0 (the colour diverges around 0)."""


def _colouring(name: str, grid: Sequence[Sequence[float]], band: Mapping[str, Any] | None, scale: float) -> Any:
    """What a heat-map colours each cell by, and how: (values, colour map, low, high, label suffix). With a
    target band, the signed distance from it (0 inside, white); a gap's size from white at 0; a signed gap
    diverging around 0; anything else with no better side on viridis."""
    finite = [v for row in grid for v in row if math.isfinite(v)]
    if band is not None:
        lo = None if band.get("low") is None else float(band["low"]) * scale
        hi = None if band.get("high") is None else float(band["high"]) * scale

        def miss(v: float) -> float:
            if not math.isfinite(v):
                return math.nan
            if lo is not None and v < lo:
                return v - lo
            if hi is not None and v > hi:
                return v - hi
            return 0.0

        values = [[miss(v) for v in row] for row in grid]
        far = max((abs(v) for row in values for v in row if math.isfinite(v)), default=0.0) or 1.0
        return values, "RdBu_r", -far, far, f"distance from the target {band.get('wanted', '')} (0: met)"
    if name in SIZES or name.startswith("exploitability"):
        top = max(finite, default=0.0) or 1.0
        return grid, "Reds", 0.0, top, "(0 is best)"
    if name in SIGNED:
        far = max((abs(v) for v in finite), default=0.0) or 1.0
        return grid, "RdBu_r", -far, far, "(0 is best)"
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return grid, "viridis", lo, hi, ""


def heat_chart(
    name: str,
    rows: tuple[str, Sequence[Any]],
    cols: tuple[str, Sequence[Any]],
    cells: Mapping[tuple[Any, Any], Mapping[str, Any] | None],
    current: tuple[Any, Any] | None = None,
    band: Mapping[str, Any] | None = None,
) -> str:
    """One measure over a two-parameter grid: rows are the first parameter's values, columns the second's,
    each cell annotated with its value (rates in %), coloured so the best cell is told from the worst
    (``_colouring``), with a colour bar; the current rules' cell is outlined and cells that meet the target
    carry a check mark."""
    import matplotlib.patches as patches

    (rpath, rvals), (cpath, cvals) = rows, cols
    kind, unit = _kind(cells.values())
    scale = 100.0 if kind == "rate" else 1.0
    grid = [[_num((cells.get((r, c)) or {}).get("value"), scale) for c in cvals] for r in rvals]
    colour, cmap, lo, hi, suffix = _colouring(name, grid, band, scale)
    fig = _figure(max(4.4, 2.1 + 0.75 * len(cvals)), max(2.7, 1.4 + 0.45 * len(rvals)))
    ax = fig.add_subplot()
    xs, ys = range(len(cvals) + 1), range(len(rvals) + 1)
    mesh = ax.pcolormesh(list(xs), list(ys), colour, cmap=cmap, vmin=lo, vmax=hi, shading="flat")
    bar = fig.colorbar(mesh, ax=ax)
    bar.set_label(f"{_label(name, kind, unit)} {suffix}".strip(), fontsize="small")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            c = colour[i][j]
            if not math.isfinite(v):
                text, ink = "–", "#444444"
            else:
                text = f"{v:.0f}%" if kind == "rate" else f"{v:.2f}"
                if band is not None and c == 0:
                    text += " ✓"
                t = (c - lo) / (hi - lo) if hi > lo else 0.5
                dark = abs(t - 0.5) > 0.35 if cmap == "RdBu_r" else (t > 0.6 if cmap == "Reds" else t < 0.6)
                ink = "white" if dark else "black"
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize="small", color=ink)
    if current is not None and current[0] in rvals and current[1] in cvals:
        i, j = list(rvals).index(current[0]), list(cvals).index(current[1])
        ax.add_patch(patches.Rectangle((j, i), 1, 1, fill=False, lw=2.5, ec="black"))
        ax.text(j + 0.5, i + 0.08, "current", ha="center", va="bottom", fontsize="x-small", fontweight="bold")
    ax.set_xticks([j + 0.5 for j in range(len(cvals))], [_fmt(v) for v in cvals])
    ax.set_yticks([i + 0.5 for i in range(len(rvals))], [_fmt(v) for v in rvals])
    ax.set_xlabel(cpath)
    ax.set_ylabel(rpath)
    ax.set_title(name + (f" (target {band['wanted']})" if band else ""))
    return _svg(fig)


def _figure_html(cid: str, svg: str, caption: str) -> str:
    return f'<figure id="chart-{cid}">{svg}<figcaption>{html.escape(caption)}</figcaption></figure>'


def _combo_label(others: Sequence[Mapping[str, Any]], combo: Sequence[Any]) -> str:
    """A line's legend entry: the other parameter's value (its path is the legend's title), or path=value each."""
    if len(others) == 1:
        return _fmt(combo[0])
    return ", ".join(f"{p['path']}={_fmt(v)}" for p, v in zip(others, combo, strict=True))


def _lookup(doc: Mapping[str, Any]) -> dict[tuple[Any, ...], Mapping[str, Any]]:
    """The points by their parameter values, in the order of ``doc["params"]``."""
    paths = [p["path"] for p in doc["params"]]
    return {tuple(pt["values"].get(k) for k in paths): pt for pt in doc["points"]}


def sweep_charts(doc: Mapping[str, Any]) -> list[str]:
    """The chart sections of a sweep page (headings, figures and notes), by the number of parameters."""
    params = doc["params"]
    names = list(doc["measures"])
    ids = measure_ids(names)
    points = _lookup(doc)
    if not params or not points:
        return ["<p>No points were played: only the table is shown.</p>"]
    first, others = params[0], params[1:]
    xvals = list(first["values"])
    combos = list(itertools.product(*(p["values"] for p in others)))
    out: list[str] = []

    def measures_at(name: str, combo: tuple[Any, ...]) -> list[Mapping[str, Any] | None]:
        return [(points.get((x, *combo)) or {}).get("measures", {}).get(name) for x in xvals]

    if len(others) == 1:
        second = others[0]
        out.append(f"<h2>Heat-maps: {html.escape(first['path'])} (rows) × {html.escape(second['path'])} (columns)</h2>")
        out.append(GRID)
        for n in names:
            cells = {(k[0], k[1]): pt["measures"].get(n) for k, pt in points.items()}
            now = (first.get("current"), second.get("current"))
            band = (doc.get("targets") or {}).get(n)
            svg = heat_chart(n, (first["path"], xvals), (second["path"], list(second["values"])), cells, now, band)
            out.append(_figure_html(f"heat-{ids[n]}", svg, f"{n} at each point of {first['path']} × {second['path']}"))
        out.append("</div>")
    if len(combos) > MAX_LINES:
        out.append(
            f"<p>{len(combos)} combinations of {', '.join(html.escape(p['path']) for p in others)} are too many "
            f"to tell apart as lines (at most {MAX_LINES}): only the table is shown.</p>"
        )
        return out
    against = f"Each measure against {html.escape(first['path'])}"
    if others:
        against += f", one line per {' × '.join(html.escape(p['path']) for p in others)}"
    out.append(f"<h2>{against}</h2>")
    out.append(GRID)
    legend = ", ".join(p["path"] for p in others)
    for n in names:
        series = [(_combo_label(others, combo), measures_at(n, combo)) for combo in combos]
        svg = line_chart(n, first["path"], xvals, series, legend)
        caption = f"{n} against {first['path']}: the value with its 95% interval shaded"
        if others:
            caption += f", one line per {legend}"
        out.append(_figure_html(f"measure-{ids[n]}", svg, caption))
    out.append("</div>")
    return out


def _pre(lines: Iterable[str]) -> str:
    return "<pre>" + html.escape("\n".join(lines)) + "</pre>"


def _rules_name(doc: Mapping[str, Any]) -> str:
    return str((doc.get("rules") or {}).get("name", "?"))


def _opening(heading: str, doc: Mapping[str, Any], runs: str, note: str) -> list[str]:
    """A sweep or sensitivity page's first lines: the heading (HTML), what was played, and the command again."""
    return [
        f"<h1>{heading}</h1>",
        f"<p>{runs} ({html.escape(', '.join(doc['agents']))}), seed {doc['seed']}{note}.</p>",
        f"<p>Reproduce: <code>{html.escape(doc['command'])}</code></p>",
    ]


def sweep_html(doc: Mapping[str, Any]) -> str:
    """The sweep as one HTML page: each measure against the parameters (heat-maps for two), then the table."""
    paths = [p["path"] for p in doc["params"]]
    title = f"Sweep of {_rules_name(doc)}: {' × '.join(paths) or 'no parameters'}"
    pts = doc["points"]
    per = pts[0]["games"] if pts else 0
    runs = f"{len(pts)} point{'s' if len(pts) != 1 else ''} × {per} games"
    body = _opening(html.escape(title), doc, runs, "; every point plays the same deals")
    body.extend(sweep_charts(doc))
    body.append("<h2>Full table</h2>")
    body.append(_pre(sweep_lines(doc)) if pts and doc.get("rules") else "<p>No points.</p>")
    return _page(title, body)


# --- sensitivity ------------------------------------------------------------------------------------


def tornado_chart(name: str, kind: str, unit: str, rows: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """One measure's change per step of each parameter, largest first, with its 95% interval where it has
    one (rates in percentage points; red: the interval excludes 0)."""
    scale = 100.0 if kind == "rate" else 1.0
    rows = sorted(rows, key=lambda r: -abs(_num(r[1].get("value"), 1.0) if r[1].get("value") is not None else 0.0))
    fig = _figure(6.4, 0.42 * max(1, len(rows)) + 1.3)
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    vals = [_num(e.get("value"), scale) for _, e in rows]
    vals = [0.0 if not math.isfinite(v) else v for v in vals]
    colors = ["#c44e52" if e.get("significant") else "#4c72b0" if e.get("paired") else "#999999" for _, e in rows]
    ax.barh(ys, vals, height=0.6, color=colors)
    for y, v, (_, e) in zip(ys, vals, rows, strict=True):
        low, high = e.get("low"), e.get("high")
        if low is not None and high is not None:  # summary measures (gaps, medians) have no interval
            err = [[max(0.0, v - low * scale)], [max(0.0, high * scale - v)]]
            ax.errorbar([v], [y], xerr=err, capsize=3, color="#222222", lw=1, ls="none")
    ax.use_sticky_edges = False  # leave room beyond the zero line on both sides
    ax.margins(x=0.08, y=0.15)
    ax.set_yticks(ys, [label for label, _ in rows])
    ax.axvline(0, color="#888", lw=0.8)
    ax.invert_yaxis()
    per = "percentage points" if kind == "rate" else (unit or "units")
    ax.set_xlabel(f"change in {name} per step, {per}")
    ax.set_title(name)
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def sensitivity_charts(doc: Mapping[str, Any]) -> list[str]:
    """One tornado per measure (the parameters' effects per step, largest first)."""
    names = list(doc["measures"])
    ids = measure_ids(names)
    out = [
        "<h2>Effect per step of each parameter</h2>",
        "<p>Each bar: the change in the measure when the parameter moves one step up (the paired mean over "
        "the same deals, with its 95% interval). Red: the interval excludes 0; blue: it does not; grey: a "
        "summary measure (a gap or a median), compared without an interval.</p>",
        GRID,
    ]
    for n in names:
        kind, unit = _kind([doc["current"].get(n)])
        rows = [
            (f"{r['path']} (step {_fmt(r['step'])})", r["effects"][n])
            for r in doc["params"]
            if r["effects"].get(n) is not None
        ]
        if not rows:
            out.append(f"<p>{html.escape(n)}: no parameter could be moved.</p>")
            continue
        svg = tornado_chart(n, kind, unit, rows)
        caption = f"{n}: change per step of each parameter, largest first"
        caption += " (percentage points)" if kind == "rate" else (f" ({unit})" if unit else "")
        out.append(_figure_html(f"tornado-{ids[n]}", svg, caption))
    out.append("</div>")
    return out


def sensitivity_html(doc: Mapping[str, Any]) -> str:
    """The sensitivity run as one HTML page: a tornado chart per measure, then the table."""
    title = f"Sensitivity of {_rules_name(doc)}"
    rules = doc.get("rules") or {}
    # ``games`` is what was asked for; the plan rounds it up to whole deals from both seats: show what ran
    played = next((m["n"] for m in doc["current"].values() if m and m.get("n")), doc["games"])
    heading = f"{html.escape(title)} ({html.escape(str(rules.get('fingerprint', '')))})"
    body = _opening(heading, doc, f"Each parameter one step either way, {played} games per side", "")
    body.extend(sensitivity_charts(doc))
    body.append("<h2>Full table</h2>")
    body.append(_pre(sensitivity_lines(doc)))
    return _page(title, body)
