"""One self-contained HTML page per report: charts drawn by matplotlib as inline SVG, tables, no external
assets (it opens offline and can be mailed as one file).

Balance charts: outcome tiers, role advantage, meter trajectories with their 10–90% bands, the
game-length histogram and card impact. A comparison gets a chart of the metrics that differ. The full
text report follows the charts, so every figure is on the page.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .text import balance_lines, compare_lines

CHARTS = ("tiers", "roles", "meters", "length", "cards")
"""The ids of the balance report's charts (``<figure id="chart-ID">``)."""

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
.warn { background: #fff3cd; border-left: 4px solid #e0a800; padding: .5em 1em; }
.ok { background: #e8f5e9; border-left: 4px solid #43a047; padding: .5em 1em; }
figure { margin: 1em 0; } figcaption { font-size: .9em; color: #555; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: .8em; }
table { border-collapse: collapse; font-size: .85em; } td, th { padding: .2em .6em; border-bottom: 1px solid #eee; }
.sig { font-weight: bold; }
table.rates td.rate { text-align: center; font-variant-numeric: tabular-nums; }
.note { font-size: .9em; color: #555; }
.verdict { background: #eef3fb; border-left: 4px solid #4c72b0; padding: .5em 1em; }
"""


def _svg(fig: Any) -> str:
    """A matplotlib figure as an inline SVG element (deterministic ids, no date, no XML prologue)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "summitgame", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg") :], flags=re.S)


def _figure(width: float = 7.0, height: float = 3.2) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _err(rows: Iterable[Mapping[str, Any]], scale: float = 1.0) -> tuple[list[float], list[list[float]]]:
    vals, lo, hi = [], [], []
    for r in rows:
        v = r.get("value")
        v = 0.0 if v is None else v * scale
        low = v if r.get("low") is None else r["low"] * scale
        high = v if r.get("high") is None else r["high"] * scale
        vals.append(v)
        lo.append(max(0.0, v - low))
        hi.append(max(0.0, high - v))
    return vals, [lo, hi]


def tiers_chart(doc: Mapping[str, Any]) -> str:
    fig = _figure(6, 2.8)
    ax = fig.add_subplot()
    tiers = doc["outcomes"]["tiers"]
    xs = list(range(len(tiers)))
    rec = doc.get("recorded")
    both = bool(rec and rec["games"])
    w = 0.4 if both else 0.8
    vals, err = _err(tiers.values(), 100)
    ax.bar([x - w / 2 if both else x for x in xs], vals, w, yerr=err, capsize=4, color="#4c72b0", label="simulated")
    if both:
        assert rec is not None
        vals, err = _err([rec["outcomes"]["tiers"][k] for k in tiers], 100)
        ax.bar([x + w / 2 for x in xs], vals, w, yerr=err, capsize=4, color="#dd8452", label="recorded")
        ax.legend(fontsize="small")
    ax.set_xticks(xs, list(tiers))
    ax.set_ylabel("% of games (95% CI)")
    ax.set_title("Outcome tiers")
    return _svg(fig)


def roles_chart(doc: Mapping[str, Any]) -> str:
    fig = _figure(7, 2.8)
    ax1, ax2 = fig.subplots(1, 2)
    roles = doc["roles"]["roles"]
    vals, err = _err([r["win_rate"] for r in roles.values()], 100)
    ax1.bar(list(roles), vals, yerr=err, capsize=4, color=["#4c72b0", "#c44e52"])
    ax1.axhline(50, color="#888", lw=0.8, ls="--")
    ax1.set_ylabel("wins, % of games (95% CI)")
    ax1.set_title("Win rate by role")
    vals, err = _err([r["mean_score"] for r in roles.values()])
    ax2.bar(list(roles), vals, yerr=err, capsize=4, color=["#4c72b0", "#c44e52"])
    ax2.axhline(0, color="#888", lw=0.8)
    ax2.set_title("Mean score by role")
    return _svg(fig)


def meters_chart(doc: Mapping[str, Any]) -> str:
    traj = doc["meters"]["trajectories"]
    fig = _figure(7, 2.6 * max(1, len(traj)) * 0.8)
    axes = fig.subplots(len(traj), 1, squeeze=False)
    for ax, (key, rows) in zip(axes[:, 0], traj.items(), strict=True):
        xs = list(range(len(rows)))
        ax.fill_between(xs, [r["p10"] for r in rows], [r["p90"] for r in rows], alpha=0.25, label="10–90%")
        ax.plot(xs, [r["mean"] for r in rows], marker="o", label="mean")
        ax.set_xticks(xs, [r["point"].replace("round ", "r") for r in rows])
        ax.set_ylabel(key)
        ax.legend(loc="upper left", fontsize="small")
    near = doc["meters"]["near_misses"]
    for key, row in near.items():
        for ax, k in zip(axes[:, 0], traj, strict=True):
            if k == key:
                ax.axhline(row["limit"], color="#c44e52", lw=0.8, ls="--")
    axes[0, 0].set_title("Meters as each round begins, and at the end (mean, 10–90% band)")
    return _svg(fig)


def length_chart(doc: Mapping[str, Any]) -> str:
    fig = _figure(6, 2.6)
    ax = fig.add_subplot()
    rounds = doc["length"]["rounds"]
    ax.bar(list(rounds), list(rounds.values()), color="#55a868")
    ax.set_xlabel("round the game ended in")
    ax.set_ylabel("games")
    ax.set_title("Game length")
    return _svg(fig)


def cards_chart(doc: Mapping[str, Any]) -> str:
    gestures = doc["cards"]["gestures"]
    names = list(gestures)
    fig = _figure(8, 0.3 * len(names) + 1.2)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    ys = list(range(len(names)))
    vals, err = _err([g["played_in"] for g in gestures.values()], 100)
    ax1.barh(ys, vals, xerr=err, capsize=2, color="#8172b2")
    ax1.set_yticks(ys, names)
    ax1.set_xlabel("played in % of games")
    vals, err = _err([g["score_shift"] for g in gestures.values()])
    ax2.barh(ys, vals, xerr=err, capsize=2, color="#ccb974")
    ax2.axvline(0, color="#888", lw=0.8)
    ax2.set_xlabel("score shift of its player (correlation)")
    ax1.invert_yaxis()
    fig.suptitle("Card impact")
    return _svg(fig)


def impact_chart(im: Mapping[str, Any]) -> str:
    """The ranked cards' tier-flip and winner-flip shares with their intervals, most impact on top."""
    rows = [r for r in im["cards"] if r["rank"] is not None]
    names = [f"{r['card']} ({r['kind']}, n={r['draws']})" for r in rows]
    fig = _figure(8, 0.3 * len(rows) + 1.4)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    ys = list(range(len(rows)))
    vals, err = _err([r["tier_flips"] for r in rows], 100)
    hue = {"decisive": "#c44e52", "inert": "#999999"}
    colors = [hue.get(r["verdict"], "#4c72b0") for r in rows]
    ax1.barh(ys, vals, xerr=err, capsize=2, color=colors)
    ax1.axvline(100 * im["decisive_share"], color="#c44e52", lw=0.8, ls="--")
    ax1.set_yticks(ys, names)
    ax1.set_xlabel("tier flips, % of draws (95% CI)")
    vals, err = _err([r["winner_flips"] for r in rows], 100)
    ax2.barh(ys, vals, xerr=err, capsize=2, color="#8172b2")
    ax2.set_xlabel("winner flips, % of draws (95% CI)")
    ax1.invert_yaxis()
    fig.suptitle("Counterfactual impact: each draw replayed with the card's effects blanked")
    return _svg(fig)


def _share(e: Mapping[str, Any]) -> str:
    if e.get("value") is None:
        return "—"
    if e.get("low") is None:
        return f"{100 * e['value']:.1f}%"
    return f"{100 * e['value']:.1f}% [{100 * e['low']:.1f}, {100 * e['high']:.1f}]"


def impact_table(im: Mapping[str, Any]) -> str:
    """Every card's counterfactual impact: the ranked cards first, then those too few to judge (greyed)."""
    words = {"too_few": "too few to judge", "inert": "inert", "decisive": "decisive", "ranked": ""}
    cols = ("rank", "card", "kind", "draws", "tier flips", "winner flips", "verdict")
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>"
    rows = []
    for r in im["cards"]:
        style = ' class="note"' if r["rank"] is None else (' class="sig"' if r["verdict"] == "decisive" else "")
        rows.append(
            f"<tr{style}><td>{r['rank'] or ''}</td><td>{html.escape(r['card'])}</td><td>{r['kind']}</td>"
            f"<td>{r['draws']}</td><td>{_share(r['tier_flips'])}</td><td>{_share(r['winner_flips'])}</td>"
            f"<td>{words[r['verdict']]}</td></tr>"
        )
    summary = "".join(
        f"<li>{kind}s: the tier flips on {_share(s['tier_flips'])} of {s['draws']} draws, in "
        f"{_share(s['games_with_a_tier_flip'])} of games; the winner on {_share(s['winner_flips'])}</li>"
        for kind, s in im["summary"].items()
        if s["draws"]
    )
    rep = im["replays"]
    note = (
        f'<p class="note">Each card drawn or played, the game replayed with that draw\'s effects blanked (the card '
        f"still drawn or played, the agents playing on as they would): {rep['draws']} draws on {rep['deals']} deals, "
        f"{rep['played']} replayed, {rep['unchanged']} changed nothing at once. Fewer than {im['min_draws']} draws, "
        f"or draws from fewer than {im['min_deals']} deals: too few to judge, not ranked; "
        f"decisive: the tier flips on more than {100 * im['decisive_share']:.0f}% of the draws; inert: nothing ever "
        "flips.</p>"
    )
    return f'<ul>{summary}</ul>\n{note}\n<table id="impact">{head}{"".join(rows)}</table>'


def decisions_table(d: Mapping[str, Any]) -> str:
    """The share of decisions with one legal choice, overall and by the kind of that choice."""
    f = d["forced"]
    rows = [f'<tr class="sig"><td>any</td><td>{f["count"]}</td><td>{_share(f)}</td></tr>']
    for kind, e in sorted(d["forced_by_kind"].items(), key=lambda ke: -ke[1]["count"]):
        if e["count"]:
            rows.append(f"<tr><td>only '{kind}' left</td><td>{e['count']}</td><td>{_share(e)}</td></tr>")
    head = "<tr><th>one legal choice</th><th>decisions</th><th>share of all decisions (95% CI)</th></tr>"
    note = (
        f'<p class="note">{f["n"]} decisions in {f["games"]} games ({d["per_game"]["value"]:.1f} per game); '
        "the intervals resample whole games.</p>"
    )
    return f'<table id="decisions">{head}{"".join(rows)}</table>\n{note}'


def _page(title: str, body: Iterable[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _warnings(items: list[str]) -> str:
    if not items:
        return '<p class="ok">No warnings.</p>'
    return '<div class="warn"><ul>' + "".join(f"<li>{html.escape(w)}</li>" for w in items) + "</ul></div>"


def rate_colour(rate: float | None) -> str:
    """A cell's background for a score rate: white at 50%, deeper red the more the row wins, deeper blue
    the more it loses (grey when there is no rate)."""
    if rate is None:
        return "#eeeeee"
    t = max(-1.0, min(1.0, (rate - 0.5) * 2))
    far = (214, 96, 77) if t > 0 else (67, 147, 195)
    rgb = [round(255 + (c - 255) * abs(t)) for c in far]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


Cell = tuple[float | None, str] | None
"""A table cell: the rate that colours it and the text shown (None: no cell, a dot)."""


def rate_table(
    table_id: str, corner: str, rows: Sequence[str], cols: Sequence[str], cells: Mapping[tuple[str, str], Cell]
) -> str:
    """An HTML table of score rates, row against column, each cell coloured by its rate (``rate_colour``)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    out = [f'<table class="rates" id="{table_id}">', f"<tr><th>{html.escape(corner)}</th>{head}</tr>"]
    for r in rows:
        tds = []
        for c in cols:
            cell = cells.get((r, c))
            if cell is None:
                tds.append('<td class="rate">·</td>')
            else:
                rate, text = cell
                ink = "color:#fff;" if rate is not None and abs(rate - 0.5) > 0.3 else ""
                tds.append(f'<td class="rate" style="{ink}background:{rate_colour(rate)}">{html.escape(text)}</td>')
        out.append(f"<tr><th>{html.escape(r)}</th>{''.join(tds)}</tr>")
    out.append("</table>")
    return "\n".join(out)


def exploits_table(ex: Mapping[str, Any]) -> str:
    """The exploits section: each probe's score rate against each agent, coloured, with what each probe plays."""
    cells: dict[tuple[str, str], Cell] = {}
    for r in ex["pairings"]:
        e = r["score_rate"]
        if e["value"] is None:
            cells[(r["probe"], r["agent"])] = (None, "—")
            continue
        text = f"{100 * e['value']:.1f}% [{100 * e['low']:.0f}, {100 * e['high']:.0f}]" + (" !" if r["beats"] else "")
        cells[(r["probe"], r["agent"])] = (e["value"], text)
    table = rate_table("exploits", "probe vs agent", list(ex["probes"]), list(ex["agents"]), cells)
    lines = "".join(f"<li><b>{html.escape(p)}</b>: {html.escape(line)}</li>" for p, line in ex["probes"].items())
    note = (
        f'<p class="note">{ex["games_per_pairing"]} role-swapped games per pairing on the report\'s deals; '
        "the probe's score rate (win 1, tie ½) with its 95% interval; ! marks a probe that wins at 95%.</p>"
    )
    return f"{table}\n{note}\n<ul>{lines}</ul>"


def causes_table(c: Mapping[str, Any]) -> str:
    """Each tier's causes as table rows: the condition that held (or failed, for a tier checked before it),
    how its games ended, and the tracks that reached accord, each as a share of the tier's games."""
    rows = []

    def row(tier: str, what: str, e: Mapping[str, Any]) -> None:
        rows.append(
            f"<tr><td>{html.escape(tier)}</td><td>{html.escape(what)}</td><td>{e['count']} of {e['n']}</td>"
            f"<td>{_share(e)}</td></tr>"
        )

    for t, r in c["tiers"].items():
        if not r["n"]:
            continue
        for a in r["alternatives"]:
            row(t, f"held: {a['text']}", a["held"])
        for before, missed in r["missed"].items():
            for m in missed:
                if m["failed"]["count"] and not m["text"].startswith("none of"):
                    row(t, f"not {before}: {m['text']} failed", m["failed"])
        for end, e in r["endings"].items():
            meters = ", ".join(r["endings"][end].get("meters", {}))
            row(t, f"ended: {end}" + (f" ({meters})" if meters else ""), e["share"])
        for tr, e in r["accords"].items():
            if e["count"]:
                row(t, f"accord: {tr}", e)
    head = "<tr><th>tier</th><th>cause</th><th>games</th><th>share (95% CI)</th></tr>"
    return f'<table class="causes">{head}{"".join(rows)}</table>'


def balance_html(doc: Mapping[str, Any]) -> str:
    """The balance report as one HTML page with every chart in ``CHARTS``."""
    prov = doc["provenance"]
    title = f"Balance: {prov['rules']['name']} ({prov['rules']['fingerprint']})"
    charts = {
        "tiers": ("1. Outcome tiers (95% CI)", tiers_chart),
        "roles": ("2. Role advantage", roles_chart),
        "meters": ("5. Meter trajectories with 10–90% bands", meters_chart),
        "length": ("4. Game length", length_chart),
        "cards": ("7. Card impact (correlation, not cause)", cards_chart),
    }
    body = [f"<h1>{html.escape(title)}</h1>", _warnings(list(doc["warnings"]))]
    body.append(f"<p>Reproduce: <code>{html.escape(prov['command'])}</code></p>")
    for cid in CHARTS:
        caption, draw = charts[cid]
        body.append(f'<h2>{html.escape(caption)}</h2>\n<figure id="chart-{cid}">{draw(doc)}')
        body.append(f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        if cid == "tiers" and doc["outcomes"].get("causes"):
            body.append("<h2>Why each tier happened</h2>")
            body.append(causes_table(doc["outcomes"]["causes"]))
        if cid == "roles" and doc.get("exploits"):
            body.append("<h2>Exploits: the probe agents (cheap lines) against the report's agents</h2>")
            body.append(exploits_table(doc["exploits"]))
    if doc.get("decisions"):
        body.append("<h2>Decisions: how many are forced</h2>")
        body.append(decisions_table(doc["decisions"]))
    im = doc.get("impact")
    if im:
        body.append("<h2>Counterfactual card impact</h2>")
        if any(r["rank"] is not None for r in im["cards"]):
            body.append(f'<figure id="chart-impact">{impact_chart(im)}')
            body.append("<figcaption>Counterfactual card impact (ranked cards)</figcaption></figure>")
        body.append(impact_table(im))
    body.append("<h2>Full report</h2>")
    body.append("<pre>" + html.escape("\n".join(balance_lines(doc))) + "</pre>")
    return _page(title, body)


def compare_chart(doc: Mapping[str, Any]) -> str:
    rows = [r for r in doc["metrics"] if r["kind"] == "rate"]
    fig = _figure(8, 0.3 * len(rows) + 1.2)
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    vals, err = _err([r["difference"] for r in rows], 100)
    colors = ["#c44e52" if r["significant"] else "#999999" for r in rows]
    ax.barh(ys, vals, xerr=err, capsize=2, color=colors)
    ax.set_yticks(ys, [r["metric"] for r in rows])
    ax.axvline(0, color="#888", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("B − A, percentage points (95% CI; red: significant)")
    ax.set_title("Rates under B against A")
    return _svg(fig)


def compare_html(doc: Mapping[str, Any]) -> str:
    """The comparison as one HTML page: a chart of the rate differences, then the full table."""
    title = f"Compare: {doc['a']['label']} against {doc['b']['label']}"
    body = [f"<h1>{html.escape(title)}</h1>"]
    sig = doc["significant"]
    body.append(
        _warnings([f"{m} differs significantly" for m in sig])
        if sig
        else '<p class="ok">No significant difference.</p>'
    )
    body.append(f'<figure id="chart-compare">{compare_chart(doc)}<figcaption>Rate differences</figcaption></figure>')
    body.append("<pre>" + html.escape("\n".join(compare_lines(doc))) + "</pre>")
    return _page(title, body)


def weights_chart(doc: Mapping[str, Any]) -> str:
    """The equilibrium weight of each agent with its resampled interval, and its regret beside it."""
    rows = doc["equilibrium"]
    names = [r["agent"] for r in rows]
    fig = _figure(8, 0.35 * len(names) + 1.3)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    ys = list(range(len(names)))
    vals, err = _err([r["weight"] for r in rows])
    ax1.barh(ys, vals, xerr=err, capsize=3, color="#4c72b0")
    ax1.set_yticks(ys, names)
    ax1.set_xlim(0, 1)
    ax1.set_xlabel("equilibrium weight (interval from resampling)")
    vals, err = _err([r["regret"] for r in rows], 100)
    ax2.barh(ys, vals, xerr=err, capsize=3, color="#c44e52")
    ax2.set_xlabel("regret: % below an even result against the mix")
    ax1.invert_yaxis()
    fig.suptitle("Meta-game equilibrium")
    return _svg(fig)


def metagame_html(doc: Mapping[str, Any]) -> str:
    """The meta-game as one HTML page: the verdict, the payoff matrix of score rates (coloured), the
    equilibrium's weights and regrets with their intervals (table and chart), and the text report."""
    from .metagame import report_lines

    agents = list(doc["agents"])
    title = f"Meta-game of {len(agents)} agents"
    rates = doc["score_rates"]
    cells: dict[tuple[str, str], Cell] = {
        (a, b): (rates[a][b], f"{100 * rates[a][b]:.1f}%") for a in agents for b in agents if b != a
    }
    body = [f"<h1>{html.escape(title)}</h1>"]
    body.append(
        '<div class="verdict"><ul>' + "".join(f"<li>{html.escape(v)}</li>" for v in doc["verdict"]) + "</ul></div>"
    )
    body.append(
        f'<p class="note">{doc["games_per_pair"]} games per pair (seats swapped on paired deals, seed {doc["seed"]}); '
        f"intervals from {doc['resamples']} resamples of each pair's deals.</p>"
    )
    body.append("<h2>Payoff matrix: score rate of the row against the column</h2>")
    body.append(rate_table("payoffs", "row vs column", agents, agents, cells))
    body.append("<h2>Equilibrium: weights and regrets (maximum-entropy Nash equilibrium)</h2>")
    head = "<tr><th>agent</th><th>weight</th><th>interval</th><th>regret</th><th>interval</th><th>in support</th></tr>"
    rows = []
    for r in doc["equilibrium"]:
        w, g = r["weight"], r["regret"]
        cls = ' class="sig"' if r["agent"] in doc["support"] else ""
        rows.append(
            f"<tr{cls}><td>{html.escape(r['agent'])}</td><td>{w['value']:.2f}</td>"
            f"<td>[{w['low']:.2f}, {w['high']:.2f}]</td><td>{100 * g['value']:.1f}%</td>"
            f"<td>[{100 * g['low']:.1f}%, {100 * g['high']:.1f}%]</td><td>{100 * r['in_support']:.0f}%</td></tr>"
        )
    body.append(f'<table id="equilibrium">{head}{"".join(rows)}</table>')
    body.append(f'<figure id="chart-weights">{weights_chart(doc)}<figcaption>Weights and regrets</figcaption></figure>')
    body.append("<h2>Full report</h2>")
    body.append("<pre>" + html.escape("\n".join(report_lines(doc))) + "</pre>")
    return _page(title, body)


def chart_ids(page: str) -> list[str]:
    """The chart ids present in a page (for tests and checks)."""
    return re.findall(r'<figure id="chart-([a-z]+)"><svg', page)
