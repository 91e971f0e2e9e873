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
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..errors import SummitError
from .aggregate import pct_text
from .text import balance_lines, compare_lines

CHARTS = ("tiers", "roles", "length", "meters", "cards")
"""The ids of the balance report's charts (``<figure id="chart-ID">``), in the order of its sections (1, 2, 4, 5, 7)."""

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


def need_matplotlib() -> None:
    """Fail in one line naming the extra when matplotlib (the HTML reports' charts) is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SummitError("HTML reports need matplotlib: pip install 'summitgame[html]'") from None


def _figure(width: float = 7.0, height: float = 3.2) -> Any:
    need_matplotlib()
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


def _names(doc: Mapping[str, Any]) -> Callable[[str, str], str]:
    """A lookup of display names by kind and id (``doc["labels"]``), falling back on the id."""
    labels = doc.get("labels") or {}

    def name(kind: str, key: str) -> str:
        return str(labels.get(kind, {}).get(key, key))

    return name


def tiers_chart(doc: Mapping[str, Any]) -> str:
    """Each tier's share of games with its interval, by name, each bar labelled with its count of n."""
    name = _names(doc)
    fig = _figure(6, 2.9)
    ax = fig.add_subplot()
    tiers = doc["outcomes"]["tiers"]
    xs = list(range(len(tiers)))
    rec = doc.get("recorded")
    both = bool(rec and rec["games"])
    w = 0.4 if both else 0.8
    vals, err = _err(tiers.values(), 100)
    bars = ax.bar(
        [x - w / 2 if both else x for x in xs], vals, w, yerr=err, capsize=4, color="#4c72b0", label="simulated"
    )
    ax.bar_label(bars, [f"n={r['count']}" for r in tiers.values()], fontsize="x-small", padding=2)
    if both:
        assert rec is not None
        rows = [rec["outcomes"]["tiers"][k] for k in tiers]
        vals, err = _err(rows, 100)
        bars = ax.bar([x + w / 2 for x in xs], vals, w, yerr=err, capsize=4, color="#dd8452", label="recorded")
        ax.bar_label(bars, [f"n={r['count']}" for r in rows], fontsize="x-small", padding=2)
        ax.legend(fontsize="small")
    ax.set_xticks(xs, [name("tiers", t) for t in tiers])
    ax.set_ylabel(f"% of {doc['outcomes']['n']} games (95% CI)")
    ax.set_title("Outcome tiers")
    return _svg(fig)


def roles_chart(doc: Mapping[str, Any]) -> str:
    """Each role's win rate and mean score with their intervals, by name, bars labelled with their counts."""
    name = _names(doc)
    fig = _figure(7, 2.9)
    ax1, ax2 = fig.subplots(1, 2)
    roles = doc["roles"]["roles"]
    labels = [name("roles", r) for r in roles]
    vals, err = _err([r["win_rate"] for r in roles.values()], 100)
    bars = ax1.bar(labels, vals, yerr=err, capsize=4, color=["#4c72b0", "#c44e52"])
    ax1.bar_label(
        bars, [f"{r['win_rate']['count']} of {r['win_rate']['n']}" for r in roles.values()], fontsize="x-small"
    )
    ax1.axhline(50, color="#888", lw=0.8, ls="--")
    ax1.set_ylabel("wins, % of games (95% CI)")
    ax1.set_title("Win rate by role")
    vals, err = _err([r["mean_score"] for r in roles.values()])
    bars = ax2.bar(labels, vals, yerr=err, capsize=4, color=["#4c72b0", "#c44e52"])
    ax2.bar_label(bars, [f"n={r['mean_score']['n']}" for r in roles.values()], fontsize="x-small")
    ax2.axhline(0, color="#888", lw=0.8)
    ax2.set_title("Mean score by role (95% CI)")
    return _svg(fig)


def meters_chart(doc: Mapping[str, Any]) -> str:
    """Each meter's mean and 10–90% band as rounds begin, by name, with a line at every level that ends the
    game (a shared meter's breakdown, a per-role meter's walk-out) and the games still going under each point."""
    name = _names(doc)
    traj = doc["meters"]["trajectories"]
    levels = doc["meters"].get("levels") or {
        k: {"walkout_at": r["limit"]} for k, r in doc["meters"]["near_misses"].items()
    }
    fig = _figure(7, 2.7 * max(1, len(traj)) * 0.8)
    axes = fig.subplots(len(traj), 1, squeeze=False)
    for ax, (key, rows) in zip(axes[:, 0], traj.items(), strict=True):
        xs = list(range(len(rows)))
        ax.fill_between(xs, [r["p10"] for r in rows], [r["p90"] for r in rows], alpha=0.25, label="10–90%")
        ax.plot(xs, [r["mean"] for r in rows], marker="o", label="mean")
        ax.set_xticks(xs, [f"{r['point'].replace('round ', 'r')}\nn={r['n']}" for r in rows], fontsize="x-small")
        ax.set_ylabel(name("meters", key), fontsize="small")
        level = levels.get(key, {})
        for what, at in (("breaks down at", level.get("breakdown_at")), ("walks out at", level.get("walkout_at"))):
            if at is not None:
                ax.axhline(at, color="#c44e52", lw=0.9, ls="--", label=f"{what} {at}")
        ax.legend(loc="upper left", fontsize="x-small")
    axes[0, 0].set_title("Meters as each round begins, and at the end (mean, 10–90% band)")
    return _svg(fig)


def length_chart(doc: Mapping[str, Any]) -> str:
    """How many games ended in each round, each bar labelled with its count."""
    fig = _figure(6, 2.6)
    ax = fig.add_subplot()
    rounds = doc["length"]["rounds"]
    bars = ax.bar(list(rounds), list(rounds.values()), color="#55a868")
    ax.bar_label(bars, [str(v) for v in rounds.values()], fontsize="x-small")
    ax.set_xlabel("round the game ended in")
    ax.set_ylabel(f"games (of {sum(rounds.values())})")
    ax.set_title("Game length")
    return _svg(fig)


def cards_chart(doc: Mapping[str, Any]) -> str:
    """The judged cards' score shifts (like with like, 95% CI), largest first, by name with their n; cards too
    few to judge are left out (the table lists them)."""
    from .aggregate import ranked

    name = _names(doc)
    cards = doc["cards"]
    roles = list(doc["roles"]["roles"])
    gestures = [(c, g) for c, g in ranked(cards["gestures"]) if g.get("verdict") != "too_few"]
    events = [(c, e) for c, e in ranked(cards["events"]) if e.get("verdict") != "too_few"]
    height = 0.28 * (len(gestures) + len(events)) + 2.2
    fig = _figure(8, height)
    ax1, ax2 = fig.subplots(2, 1, height_ratios=[max(1, len(gestures)), max(1, len(events))])
    for ax, rows, title in ((ax1, gestures, "Gestures: score shift of the player"), (ax2, events, "Events")):
        ax.axvline(0, color="#888", lw=0.8)
        ax.set_title(title, fontsize="small")
        if not rows:
            ax.text(0.5, 0.5, "no card with enough plays to judge", ha="center", va="center", transform=ax.transAxes)
            ax.set_yticks([])
            ax.set_xticks([])
            continue
    if gestures:
        ys = list(range(len(gestures)))
        vals, err = _err([g["score_shift"] for _, g in gestures])
        ax1.barh(ys, vals, xerr=err, capsize=2, color="#8172b2")
        ax1.set_yticks(ys, [f"{name('gestures', c)} (n={g['score_shift']['n_with']})" for c, g in gestures])
        ax1.invert_yaxis()
    if events:
        ys = list(range(len(events)))
        h = 0.8 / len(roles)
        for i, (r, color) in enumerate(zip(roles, ("#4c72b0", "#c44e52"), strict=False)):
            vals, err = _err([e["score_shift"][r] for _, e in events])
            ax2.barh([y + (i - 0.5) * h for y in ys], vals, h, xerr=err, capsize=2, color=color, label=name("roles", r))
        ax2.set_yticks(ys, [f"{name('events', c)} (n={e['score_shift'][roles[0]]['n_with']})" for c, e in events])
        ax2.invert_yaxis()
        ax2.legend(fontsize="x-small")
    ax2.set_xlabel("score shift: with the card − without it, games of the same length (95% CI)")
    fig.suptitle("Cards (correlation, not cause)")
    return _svg(fig)


def impact_chart(im: Mapping[str, Any], doc: Mapping[str, Any] | None = None) -> str:
    """The ranked cards' tier-flip and winner-flip shares with their intervals, most impact on top."""
    name = _names(doc or {})
    rows = [r for r in im["cards"] if r["rank"] is not None]
    names = [f"{name(r['kind'] + 's', r['card'])} ({r['kind']}, n={r['draws']})" for r in rows]
    hue = {"decisive": "#c44e52", "inert": "#999999"}
    fig = _twin_bars(
        names,
        0.3 * len(rows) + 1.4,
        2,
        (_err([r["tier_flips"] for r in rows], 100), [hue.get(r["verdict"], "#4c72b0") for r in rows]),
        (_err([r["winner_flips"] for r in rows], 100), "#8172b2"),
        ("tier flips, % of draws (95% CI)", "winner flips, % of draws (95% CI)"),
        lambda ax: ax.axvline(100 * im["decisive_share"], color="#c44e52", lw=0.8, ls="--"),
    )
    fig.suptitle("Counterfactual impact: each draw replayed with the card's effects blanked")
    return _svg(fig)


Bars = tuple[tuple[list[float], list[list[float]]], Any]
"""A bar chart's (values, error bars) and its colour (one, or one per bar)."""


def _twin_bars(
    names: Sequence[str],
    height: float,
    capsize: int,
    left: Bars,
    right: Bars,
    labels: tuple[str, str],
    mark: Callable[[Any], Any] = lambda ax: None,
) -> Any:
    """Two horizontal bar charts side by side on the same rows (``names``, first on top), each with its error
    bars; ``mark`` draws on the left one after its bars (a threshold line, a limit). Returns the figure."""
    fig = _figure(8, height)
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    ys = list(range(len(names)))
    (vals, err), color = left
    ax1.barh(ys, vals, xerr=err, capsize=capsize, color=color)
    mark(ax1)
    ax1.set_yticks(ys, names)
    ax1.set_xlabel(labels[0])
    (vals, err), color = right
    ax2.barh(ys, vals, xerr=err, capsize=capsize, color=color)
    ax2.set_xlabel(labels[1])
    ax1.invert_yaxis()
    return fig


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
            f"<td>{r['draws']}</td><td>{pct_text(r['tier_flips'])}</td><td>{pct_text(r['winner_flips'])}</td>"
            f"<td>{words[r['verdict']]}</td></tr>"
        )
    summary = "".join(
        f"<li>{kind}s: the tier flips on {pct_text(s['tier_flips'])} of {s['draws']} draws, in "
        f"{pct_text(s['games_with_a_tier_flip'])} of games; the winner on {pct_text(s['winner_flips'])}</li>"
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
    rows = [f'<tr class="sig"><td>any</td><td>{f["count"]}</td><td>{pct_text(f)}</td></tr>']
    for kind, e in sorted(d["forced_by_kind"].items(), key=lambda ke: -ke[1]["count"]):
        if e["count"]:
            rows.append(f"<tr><td>only '{kind}' left</td><td>{e['count']}</td><td>{pct_text(e)}</td></tr>")
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


def ending_name(end: str, name: Callable[[str, str], str]) -> str:
    """An ending in words: 'last round', 'breakdown', 'walk-out by Moscow' (roles by name)."""
    reason, _, who = end.partition(":")
    if reason == "walkout" and who:
        return "walk-out by " + " and ".join(name("roles", r) for r in who.split(","))
    return reason.replace("_", " ")


def causes_table(c: Mapping[str, Any], name: Callable[[str, str], str] | None = None) -> str:
    """Each tier's causes as table rows: the condition that held (or failed, for a tier checked before it),
    how its games ended, and the tracks that reached accord, each as a share of the tier's games. Tiers,
    roles, meters and tracks by name (``name``: a lookup of ``doc["labels"]``, as ``_names`` makes)."""
    name = name or _names({})
    rows = []

    def row(tier: str, what: str, e: Mapping[str, Any]) -> None:
        rows.append(
            f"<tr><td>{html.escape(name('tiers', tier))}</td><td>{html.escape(what)}</td>"
            f"<td>{e['count']} of {e['n']}</td><td>{pct_text(e)}</td></tr>"
        )

    for t, r in c["tiers"].items():
        if not r["n"]:
            continue
        for a in r["alternatives"]:
            row(t, f"held: {a['text']}", a["held"])
        for before, missed in r["missed"].items():
            for m in missed:
                if m["failed"]["count"] and not m["text"].startswith("none of"):
                    row(t, f"not {name('tiers', before)}: {m['text']} failed", m["failed"])
        for end, e in r["endings"].items():
            meters = ", ".join(name("meters", m) for m in e.get("meters", {}))
            row(t, f"ended: {ending_name(end, name)}" + (f" ({meters})" if meters else ""), e["share"])
        for tr, e in r["accords"].items():
            if e["count"]:
                row(t, f"accord: {name('tracks', tr)}", e)
    head = "<tr><th>tier</th><th>cause</th><th>games</th><th>share (95% CI)</th></tr>"
    return f'<table class="causes">{head}{"".join(rows)}</table>'


def _num(e: Mapping[str, Any] | None, fmt: str = "+.2f") -> str:
    if not e or e.get("value") is None:
        return "—"
    if e.get("low") is None or e.get("high") is None:
        return f"{e['value']:{fmt}}"
    return f"{e['value']:{fmt}} [{e['low']:{fmt}}, {e['high']:{fmt}}]"


def _table(table_id: str, head: Sequence[str], rows: Iterable[Sequence[str]], classes: Sequence[str] = ()) -> str:
    """A plain table; cells are HTML already (escape text before), ``classes`` per row."""
    out = [f'<table id="{table_id}"><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if i < len(classes) and classes[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def agents_tables(doc: Mapping[str, Any]) -> str:
    """Section 3: each agent's standing (score rate, mean score, wins per role) and, for three or more, the
    cross-table of score rates, coloured."""
    name = _names(doc)
    ag = doc["agents"]
    roles = list(doc["roles"]["roles"])
    head = ["agent", "games", "score rate (95% CI)", "mean score", *(f"wins as {name('roles', r)}" for r in roles)]
    rows = [
        [
            html.escape(row["agent"]),
            str(row["games"]),
            pct_text(row["score_rate"]),
            _num(row["mean_score"]),
            *(pct_text(ag["per_role"][row["agent"]][r]) for r in roles),
        ]
        for row in ag["standings"]
    ]
    out = _table("agents", head, rows)
    labels = [row["agent"] for row in ag["standings"]]
    if len(labels) > 2:
        cells: dict[tuple[str, str], Cell] = {}
        for x in labels:
            for y in labels:
                if x != y and y in ag["crosstable"].get(x, {}):
                    e = ag["crosstable"][x][y]["score_rate"]
                    cells[(x, y)] = (e["value"], "—" if e["value"] is None else f"{100 * e['value']:.1f}%")
        out += "\n<h3>Score rate of the row against the column</h3>\n"
        out += rate_table("crosstable", "row vs column", labels, labels, cells)
    return out


def negotiation_tables(doc: Mapping[str, Any]) -> str:
    """Section 6: offers and answers per game, acceptance, deal sizes, and each track's settlements."""
    name = _names(doc)
    neg = doc["negotiation"]
    rows = [[html.escape(k), _num(e, ".2f")] for k, e in neg["per_game"].items()]
    rows += [
        ["offers accepted", pct_text(neg["acceptance"])],
        ["games without a deal", pct_text(neg["no_deal_games"])],
        ["deal size (steps)", _num(neg["deal_steps"], ".2f")],
    ]
    out = _table("negotiation", ["per game", "mean (95% CI)"], rows)
    tracks = [
        [html.escape(name("tracks", t)), pct_text(r["agreed"]), pct_text(r["last_stage"])]
        for t, r in neg["tracks"].items()
    ]
    warn = ["sig" if r["agreed"]["count"] == 0 else "" for r in neg["tracks"].values()]
    out += "\n" + _table("tracks", ["track", "settled in a deal", "at its last stage"], tracks, warn)
    return out


def near_miss_table(doc: Mapping[str, Any]) -> str:
    """Section 5: how close the leaders who stayed came to walking out."""
    name = _names(doc)
    rows = [
        [
            html.escape(name("meters", k)),
            str(r["limit"]),
            _num(r["mean_peak_of_non_walkers"], ".2f"),
            str(r["highest_of_non_walkers"]),
            pct_text(r["near_misses"]),
        ]
        for k, r in doc["meters"]["near_misses"].items()
    ]
    head = ["meter", "walks out at", "mean peak of those who stayed", "highest", "within 1 of the limit"]
    return _table("near-misses", head, rows)


def _pct_tip(e: Mapping[str, Any]) -> str:
    """A share as ``12.3%`` with its interval in the cell's tooltip."""
    if e.get("value") is None:
        return "—"
    return f'<span title="{pct_text(e)} (95% CI)">{100 * e["value"]:.1f}%</span>'


def _tier_cell(e: Mapping[str, Any]) -> str:
    if e.get("value") is None:
        return "—"
    text = f"{100 * e['value']:+.1f}"
    if e.get("low") is not None:
        tip = f"{100 * e['low']:+.1f} to {100 * e['high']:+.1f} points (95% CI)"
        sig = e["low"] > 0 or e["high"] < 0
        cls = ' class="sig"' if sig else ""
        return f'<span title="{tip}"{cls}>{text}</span>'
    return text


_Rows = tuple[list[list[str]], list[str]]
"""A table's rows of cells, and each row's class."""


def cards_tables(doc: Mapping[str, Any]) -> str:
    """Section 7: every gesture and event, ranked by the size of its score shift (those too few to judge
    greyed, last), with its effect on each tier in points of share (bold: the 95% interval excludes 0)."""
    from .aggregate import ranked

    name = _names(doc)
    cards = doc["cards"]
    roles = list(doc["roles"]["roles"])
    tiers = list(doc["outcomes"]["tiers"])
    tier_head = [f"{name('tiers', t)} (pts)" for t in tiers]

    def card_rows(deck: str, rate: str, middle: Callable[[Mapping[str, Any]], list[str]]) -> _Rows:
        """One row a card of ``deck``: rank, name, ``rate`` (played in or drawn in), ``middle``, tier shifts."""
        rows, classes = [], []
        for c, e in ranked(cards[deck]):
            few = e.get("verdict") == "too_few"
            rows.append(
                [
                    "" if e.get("rank") is None else str(e["rank"]),
                    f"{html.escape(name(deck, c))} <small>{html.escape(c)}</small>",
                    _pct_tip(e[rate]),
                    *middle(e),
                    *(_tier_cell(e["tier_shift"][t]) for t in tiers),
                    "too few to judge" if few else "",
                ]
            )
            classes.append("note" if few else "")
        return rows, classes

    gestures = card_rows(
        "gestures",
        "played_in",
        lambda g: [str(g["plays"]), str(g["score_shift"].get("deals_with", "")), _num(g["score_shift"])],
    )
    events = card_rows(
        "events",
        "drawn_in",
        lambda e: [
            str(e["score_shift"][roles[0]].get("deals_with", "")),
            *(_num(e["score_shift"][r]) for r in roles),
        ],
    )
    head = ["rank", "gesture", "played in", "plays", "deals", "score shift of its player", *tier_head, ""]
    out = [_table("cards-gestures", head, *gestures)]
    head = ["rank", "event", "drawn in", "deals", *(f"shift {name('roles', r)}" for r in roles), *tier_head, ""]
    out.append(_table("cards-events", head, *events))
    note = (
        f'<p class="note">Each card against games <b>of the same length</b> without it (longer games draw more '
        f"cards, so a plain comparison credits every card with what long games do); 95% intervals resample deals "
        f"and are widened by Student's t; fewer than {cards.get('min_plays', 20)} plays or "
        f"{cards.get('min_deals', 10)} deals: too few to judge, not ranked. Correlations, not causes: "
        "--ablate and --impact measure causes.</p>"
    )
    return note + "\n" + "\n".join(out)


def ablations_table(doc: Mapping[str, Any]) -> str:
    """The ablations, one row per card: the change in each tier's share, the score gap and the length."""
    name = _names(doc)
    abl = doc.get("ablations") or ([doc["ablation"]] if doc.get("ablation") else [])
    tiers = list(doc["outcomes"]["tiers"])
    rows = []
    for a in abl:
        cards = ", ".join(html.escape(c) for c in a["cards"])
        sm = a.get("summary")
        if a.get("skipped") or not sm:
            rows.append([cards, html.escape(a.get("skipped") or "")] + [""] * (len(tiers) + 2))
            continue

        def cell(e: Mapping[str, Any] | None, scale: float = 1.0) -> str:
            if not e or e.get("value") is None:
                return "—"
            text = f"{scale * e['value']:+.1f}" if scale != 1 else f"{e['value']:+.2f}"
            return f"<b>{text}</b>" if e.get("significant") else text

        rows.append(
            [
                cards,
                f"{len(a['comparison']['significant'])} metrics differ",
                *(cell(sm["tiers"][t], 100) for t in tiers),
                cell(sm["score_gap"]),
                cell(sm["rounds"]),
            ]
        )
    head = ["without", "", *(f"{name('tiers', t)} (pts)" for t in tiers), "score gap", "rounds"]
    note = (
        '<p class="note">The same seeds with each card taken out (B) against the rules as they are (A): B − A '
        "paired on the deals; bold: the 95% interval excludes 0.</p>"
    )
    return note + _table("ablations", head, rows)


def provenance_table(doc: Mapping[str, Any]) -> str:
    """Section 8: what was run, so it can be run again."""
    prov = doc["provenance"]
    rows = [
        [
            "rules",
            html.escape(
                f"{prov['rules']['name']} ({prov['rules']['fingerprint']}) from {prov['rules'].get('source', '')}"
            ),
        ],
        ["engine", f"summitgame {html.escape(prov['engine'])}"],
        ["agents", html.escape(", ".join(prov["agents"].values()))],
        ["games", f"{prov['games_measured']} measured of {prov['games_planned']} planned, forfeits {prov['forfeits']}"],
        ["seed", str(prov["seed"])],
        ["reproduce", f"<code>{html.escape(prov['command'])}</code>"],
    ]
    return _table("provenance", ["", ""], rows)


def balance_html(doc: Mapping[str, Any]) -> str:
    """The balance report as one HTML page: sections 1–8 in the text report's order and numbering, each with
    its chart (every one of ``CHARTS``) or its tables, then the full text report."""
    prov = doc["provenance"]
    title = f"Balance: {prov['rules']['name']} ({prov['rules']['fingerprint']})"
    body = [f"<h1>{html.escape(title)}</h1>", _warnings(list(doc["warnings"]))]
    body.append(f"<p>Reproduce: <code>{html.escape(prov['command'])}</code></p>")

    def section(n: int, heading: str) -> None:
        body.append(f'<h2 id="section-{n}">{n}. {html.escape(heading)}</h2>')

    def chart(cid: str, svg: str, caption: str) -> None:
        body.append(f'<figure id="chart-{cid}">{svg}<figcaption>{html.escape(caption)}</figcaption></figure>')

    def part(heading: str, table: str) -> None:
        body.append(f"<h3>{heading}</h3>")
        body.append(table)

    section(1, "Outcomes")
    chart("tiers", tiers_chart(doc), "Outcome tiers: share of games with its 95% interval; n on each bar")
    if doc["outcomes"].get("causes"):
        part("Why each tier happened", causes_table(doc["outcomes"]["causes"], _names(doc)))
    section(2, "Role advantage")
    chart("roles", roles_chart(doc), "Win rate and mean score by role")
    body.append(f'<p class="verdict">{html.escape(doc["roles"]["verdict"])}</p>')
    section(3, "Agents")
    body.append(agents_tables(doc))
    if doc.get("exploits"):
        part("Exploits: the probe agents (cheap lines) against the report's agents", exploits_table(doc["exploits"]))
    section(4, "Game length")
    chart("length", length_chart(doc), "Games by the round they ended in")
    section(5, "Meters")
    chart(
        "meters",
        meters_chart(doc),
        "Meters as each round begins (mean, 10–90% band); dashed: the level that ends the game",
    )
    if doc["meters"]["near_misses"]:
        body.append(near_miss_table(doc))
    section(6, "Negotiation")
    body.append(negotiation_tables(doc))
    if doc.get("decisions"):
        part("Decisions: how many are forced", decisions_table(doc["decisions"]))
    section(7, "Cards")
    chart(
        "cards", cards_chart(doc), "Judged cards' score shifts against games of the same length (95% CI), largest first"
    )
    body.append(cards_tables(doc))
    im = doc.get("impact")
    if im:
        body.append("<h3>Counterfactual card impact</h3>")
        if any(r["rank"] is not None for r in im["cards"]):
            chart("impact", impact_chart(im, doc), "Counterfactual card impact (ranked cards)")
        body.append(impact_table(im))
    if doc.get("ablations") or doc.get("ablation"):
        body.append("<h3>Ablation</h3>")
        body.append(ablations_table(doc))
    section(8, "Provenance")
    body.append(provenance_table(doc))
    body.append("<details><summary>Full text report</summary>")
    body.append("<pre>" + html.escape("\n".join(balance_lines(doc))) + "</pre></details>")
    return _page(title, body)


def direction(row: Mapping[str, Any]) -> str | None:
    """Whether a significant change from A to B is 'better' or 'worse' for the game's balance, or None when
    the metric has no better side (a tier's share, the length, offers ...): a score gap or a win rate nearer
    even, fewer walk-outs, breakdowns and forced ties are better."""
    if not row["significant"]:
        return None
    name = row["metric"]
    a, b = (row["a"].get("value"), row["b"].get("value"))
    if a is None or b is None:
        return None
    if name == "score_gap":
        return "better" if abs(b) < abs(a) else "worse"
    if name.startswith("win:"):
        return "better" if abs(b - 0.5) < abs(a - 0.5) else "worse"
    if name.startswith("walkout:") or name == "end:breakdown":
        return "better" if b < a else "worse"
    return None


HUES = {"better": "#2e7d32", "worse": "#c62828", None: "#4c72b0"}
"""Significant changes: green when better for balance, red when worse, blue when neither side is better."""


def compare_chart(doc: Mapping[str, Any]) -> str:
    """The rate metrics' differences B − A with their intervals: green better, red worse, blue significant with
    no better side, grey not significant."""
    rows = [r for r in doc["metrics"] if r["kind"] == "rate"]
    fig = _figure(8, 0.3 * len(rows) + 1.2)
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    vals, err = _err([r["difference"] for r in rows], 100)
    colors = [HUES[direction(r)] if r["significant"] else "#bbbbbb" for r in rows]
    ax.barh(ys, vals, xerr=err, capsize=2, color=colors)
    ax.set_yticks(ys, [f"{r['metric']} (n={r['difference'].get('n', '?')})" for r in rows])
    ax.axvline(0, color="#888", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("B − A, percentage points (95% CI; green: better, red: worse, blue: significant, grey: not)")
    ax.set_title("Rates under B against A")
    return _svg(fig)


def compare_verdict(doc: Mapping[str, Any]) -> list[str]:
    """The comparison in at most four lines: how many metrics differ, which changed for the better and which
    for the worse (largest first), and the rest."""
    rows = [r for r in doc["metrics"] if r["significant"]]
    if not rows:
        return [f"No significant difference in any of {len(doc['metrics'])} metrics over {doc['games']} paired games."]

    def show(r: Mapping[str, Any]) -> str:
        d = r["difference"]["value"] or 0
        return f"{r['metric']} {100 * d:+.1f} pts" if r["kind"] == "rate" else f"{r['metric']} {d:+.2f}"

    def largest(rs: list[Mapping[str, Any]]) -> str:
        rs = sorted(rs, key=lambda r: -abs(r["difference"]["value"] or 0))
        return ", ".join(show(r) for r in rs[:4]) + (f" and {len(rs) - 4} more" if len(rs) > 4 else "")

    out = [f"B differs from A in {len(rows)} of {len(doc['metrics'])} metrics over {doc['games']} paired games."]
    better = [r for r in rows if direction(r) == "better"]
    worse = [r for r in rows if direction(r) == "worse"]
    rest = [r for r in rows if direction(r) is None]
    if better:
        out.append(f"Better balanced: {largest(better)}.")
    if worse:
        out.append(f"Worse balanced: {largest(worse)}.")
    if rest:
        out.append(f"Changed: {largest(rest)}.")
    return out


def compare_html(doc: Mapping[str, Any]) -> str:
    """The comparison as one HTML page: a short verdict, a chart of the rate differences coloured by direction,
    a table of the significant metrics, then the full text."""
    title = f"Compare: {doc['a']['label']} against {doc['b']['label']}"
    body = [f"<h1>{html.escape(title)}</h1>"]
    body.append('<div class="verdict">' + "".join(f"<p>{html.escape(v)}</p>" for v in compare_verdict(doc)) + "</div>")
    body.append(f'<figure id="chart-compare">{compare_chart(doc)}<figcaption>Rate differences</figcaption></figure>')
    rows, classes = [], []
    for r in doc["metrics"]:
        if not r["significant"]:
            continue
        fmt = "+.3f" if r["kind"] == "rate" else "+.2f"
        way = direction(r)
        rows.append(
            [
                html.escape(r["metric"]),
                pct_text(r["a"]) if r["kind"] == "rate" else _num(r["a"], ".2f"),
                pct_text(r["b"]) if r["kind"] == "rate" else _num(r["b"], ".2f"),
                _num(r["difference"], fmt),
                f'<span style="color:{HUES[way]}">{way or r["verdict"]}</span>',
            ]
        )
        classes.append("")
    if rows:
        body.append("<h2>Metrics that differ</h2>")
        body.append(_table("differences", ["metric", "A", "B", "B − A (95% CI)", ""], rows, classes))
    body.append("<details><summary>Full text report</summary>")
    body.append("<pre>" + html.escape("\n".join(compare_lines(doc))) + "</pre></details>")
    return _page(title, body)


def weights_chart(doc: Mapping[str, Any]) -> str:
    """The equilibrium weight of each agent with its resampled interval, and its regret beside it."""
    rows = doc["equilibrium"]
    names = [r["agent"] for r in rows]
    fig = _twin_bars(
        names,
        0.35 * len(names) + 1.3,
        3,
        (_err([r["weight"] for r in rows]), "#4c72b0"),
        (_err([r["regret"] for r in rows], 100), "#c44e52"),
        ("equilibrium weight (interval from resampling)", "regret: % below an even result against the mix"),
        lambda ax: ax.set_xlim(0, 1),
    )
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
