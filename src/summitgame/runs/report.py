"""The text report of a match or tournament: standings, crosstable, results by role, tiers, speed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..safeio import printable
from .plan import RunResult


def pct(e: Mapping[str, Any] | None, ci: bool = True) -> str:
    """A rate as ``12.3% [10.1, 14.8]``."""
    if not e or e.get("value") is None:
        return "—"
    lo, hi = e.get("low"), e.get("high")
    tail = f" [{100 * lo:.1f}, {100 * hi:.1f}]" if ci and lo is not None and hi is not None else ""
    return f"{100 * e['value']:.1f}%{tail}"


def num(e: Mapping[str, Any] | None, fmt: str = "+.2f") -> str:
    """A mean as ``+1.23 [+0.50, +1.96]``."""
    if not e or e.get("value") is None:
        return "—"
    lo, hi = e.get("low"), e.get("high")
    tail = f" [{lo:{fmt}}, {hi:{fmt}}]" if lo is not None and hi is not None else ""
    return f"{e['value']:{fmt}}{tail}"


def report_lines(summary: Mapping[str, Any], run: RunResult | None = None) -> Iterator[str]:
    """The summary as text: standings, crosstable (more than two agents), per-role results, tiers,
    game length, end reasons and forfeits. Names from data (rules, agent labels, errors) are made printable."""
    for line in _report(summary, run):
        yield printable(line.rstrip())


def _report(summary: Mapping[str, Any], run: RunResult | None) -> Iterator[str]:
    labels = [row["agent"] for row in summary["standings"]]
    roles = summary["roles"]
    g = summary["games"]
    w = max(12, *(len(a) for a in labels)) + 2
    yield (
        f"{summary['rules']['name']} ({summary['rules']['fingerprint']}): {g['played']} of {g['planned']} games, "
        f"{summary['games_per_pair']} per pair, seats swapped on paired deals from seed {summary['seed']}"
    )
    if summary.get("seed_source") == "drawn":
        yield f"(the seed was drawn at random: --seed {summary['seed']} plays this run again)"
    yield ""
    head = f"{'agent':<{w}} {'rating (Elo, 95% CI)':<24} {'score rate (95% CI)':<22} {'W':>5} {'T':>5} {'L':>5}"
    yield head + "  mean score (95% CI)"
    for row in summary["standings"]:
        yield (
            f"{row['agent']:<{w}} {num(row['rating'], '+.0f'):<24} {pct(row['score_rate']):<22} {row['wins']:>5} "
            f"{row['ties']:>5} {row['losses']:>5}  {num(row['mean_score'])}"
        )
    if len(labels) > 2:
        yield ""
        yield "crosstable (score of the row against the column)"
        cw = max(8, *(len(a) for a in labels)) + 1
        yield f"{'':<{w}}" + "".join(f"{a:>{cw}}" for a in labels)
        for a in labels:
            cells = []
            for b in labels:
                c = summary["crosstable"][a].get(b)
                cells.append(
                    f"{'·':>{cw}}" if c is None or not c["games"] else f"{100 * c['score_rate']['value']:>{cw - 1}.1f}%"
                )
            yield f"{a:<{w}}" + "".join(cells)
    else:
        pair = summary["pairs"][0]
        a, b = pair["agents"]
        diff = pair.get("rating_difference")
        yield ""
        yield f"score margin {a} − {b} per game: {num(pair['margin'])}"
        if diff:
            yield f"rating difference {a} − {b}: {num(diff, '+.0f')} Elo"
    yield ""
    yield "win rate by role (95% CI)"
    rw = 24
    yield f"{'':<{w}}" + "".join(f"{'as ' + r:<{rw}}" for r in roles)
    for a in labels:
        yield f"{a:<{w}}" + "".join(f"{pct(summary['per_role'][a][r]['win_rate']):<{rw}}" for r in roles)
    yield f"{'any agent':<{w}}" + "".join(f"{pct(summary['seats'][r]['win_rate']):<{rw}}" for r in roles)
    yield ""
    n_done = sum(summary["tiers"].values())
    yield "outcome tier        games   share"
    for t, k in summary["tiers"].items():
        share = k / n_done if n_done else 0.0
        yield f"  {t:<16} {k:>6}  {100 * share:5.1f}%  {'#' * round(30 * share)}"
    yield ""
    length = f"{num(summary['mean_decisions'], '.1f')} decisions, {num(summary['mean_rounds'], '.2f')} rounds"
    yield f"mean game length:  {length}"
    yield "how games ended:   " + ", ".join(f"{k} {v}" for k, v in summary["end_reasons"].items())
    if g["forfeits"]:
        yield f"forfeits:          {g['forfeits']}"
        for f in summary["forfeit_errors"][:5]:
            yield f"  game {f['index']}: {f['agent']} as {f['role']}: {f['error']}"
    if run is not None and run.played:
        where = f"{run.workers} worker process{'es' if run.workers != 1 else ''}" if run.workers else "this process"
        if run.scheduler:
            where = f"{run.workers} Dask worker thread{'s' if run.workers != 1 else ''} at {run.scheduler}"
        gps = run.games_per_second or 0.0
        yield f"speed:             {gps:,.1f} games/s on {where} ({run.played} games in {run.seconds:.1f} s)"
