"""A match that stops once it is decided: ``summitgame match A B --until-significant``.

The games are a match's plan (``tournament.make_plan``: games 2k and 2k+1 share a deal and swap seats),
played in batches. After each deal, in plan order, A's score on that deal (the mean of its two results: win
1, tie ½, loss or forfeit 0) feeds a sequential test between Elo bounds (``stats.sprt_elo``: Fishtest's
generalized SPRT on game pairs, the likelihood ratio of the most likely pentanomial distributions under each
bound, alpha = beta = 0.05): A is *stronger* or *weaker* (a difference of elo1 Elo is likelier than one of
elo0), or *equal* (both one-sided tests accept H0: ±elo0 is likelier than ±elo1). The run stops at the first deal
where the test is decided, or after ``max_games``. Only the games up to that deal count (a batch may have
played a few more, which are dropped), so the verdict and the games it took depend on the seed alone, not
on the batch size, the workers or a cluster.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..rng import draw_run_seed
from ..rules.ruleset import Ruleset
from ..safeio import printable
from .options import HERE, RunOptions
from .records import write_atomic
from .stats import Estimate, mean_ci, score_elo, sprt_bounds, sprt_elo
from .tournament import Progress, RunResult, entrants, make_plan, run_plan, summarize

ALPHA = 0.05
BETA = 0.05
ELO0 = 0.0  #: default H0 of each one-sided test: the difference that is "equal" (fishtest's elo0)
ELO1 = 30.0  #: default H1: the difference that is "stronger" or "weaker" (fishtest's elo1)
MAX_GAMES = 10_000  #: default most games to play before the test gives up (undecided)
FIRST_BATCH = 40  #: games in the first batch; later batches grow with the games played (to half of them)
MAX_BATCH = 2_000

VERDICTS = {
    "stronger": "{a} is stronger than {b}",
    "weaker": "{a} is weaker than {b}",
    "equal": "{a} and {b} are equal: neither is {elo1:g} Elo stronger",
    None: "undecided",
}


def batch_size(played: int, workers: int) -> int:
    """Games in the next batch (even: whole deals): small at first, so a lopsided match stops early, then
    growing, so the workers stay busy. The verdict does not depend on it."""
    size = max(FIRST_BATCH, 16 * workers, min(MAX_BATCH, played // 2))
    return size + size % 2


def run_until_significant(
    rules: Ruleset,
    a: str,
    b: str,
    max_games: int = MAX_GAMES,
    seed: int | None = None,
    *,
    elo0: float = ELO0,
    elo1: float = ELO1,
    backend: RunOptions = HERE,
    records: str | Path | None = None,
    progress: Progress | None = None,
    on_game: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[RunResult, dict[str, Any]]:
    """Play ``a`` against ``b`` on paired deals until the sequential test decides (or ``max_games``, rounded
    up to whole deals, are played); return a run of the games that count and the match summary
    (``tournament.summarize``) with a ``sequential`` section. ``records``: save the record of each game that
    counts; ``on_game``: sees the line (with its actions) of each game that counts, in plan order, at the
    end; ``seed`` None draws the run seed at random (as ``run_match``). ValueError for bad Elo bounds."""
    sprt_elo({}, elo0, elo1)  # check the bounds before any game
    seed, source = (draw_run_seed(), "drawn") if seed is None else (seed, "given")
    players = entrants([a, b], allow_repeats=True)
    label_a = players[0].label
    plan = make_plan([p.label for p in players], max_games + max_games % 2, seed, rules)
    lines: list[dict[str, Any]] = []
    full: dict[int, dict[str, Any]] = {}  # the lines with their actions, kept for records and on_game
    keep = records is not None or on_game is not None
    counts: Counter[float] = Counter()
    pair_scores: list[float] = []
    test = sprt_elo(counts, elo0, elo1)
    steps: list[dict[str, Any]] = []
    played, seconds, used = 0, 0.0, 0
    where: str | None = None
    stop = 0
    while stop < len(plan) and test.verdict is None:
        start = stop
        chunk = plan[start : start + batch_size(start, backend.workers)]

        def shifted(done: int, _total: int, start: int = start) -> None:
            if progress:
                progress(start + done, len(plan))

        run = run_plan(
            rules,
            players,
            chunk,
            backend=backend,
            progress=shifted,
            on_game=(lambda line: full.__setitem__(line["index"], line)) if keep else None,
        )
        played += run.played
        seconds += run.seconds
        used, where = run.workers, run.scheduler
        for first, second in zip(run.lines[::2], run.lines[1::2], strict=True):
            score = (_points(first, label_a) + _points(second, label_a)) / 2
            pair_scores.append(score)
            counts[score] += 1
            lines += (first, second)
            stop += 2
            test = sprt_elo(counts, elo0, elo1)
            if test.verdict is not None:
                break
        steps.append({"games": stop, "llr_stronger": round(test.up.llr, 4), "llr_weaker": round(test.down.llr, 4)})
    counted = plan[:stop]
    summary = summarize(rules, players, counted, lines)
    summary["seed"] = seed
    summary["seed_source"] = source
    summary["games_per_pair"] = stop
    est = mean_ci(pair_scores)  # a score lies in 0..1, and so does its interval
    mean = Estimate(est.value, max(0.0, est.low), min(1.0, est.high))
    lo, hi = sprt_bounds(ALPHA, BETA)
    summary["sequential"] = {
        "test": "GSPRT on deal scores (Fishtest's pentanomial MLE form, on game pairs), logistic Elo",
        "elo0": elo0,
        "elo1": elo1,
        "alpha": ALPHA,
        "beta": BETA,
        "bounds": [round(lo, 4), round(hi, 4)],
        "verdict": test.verdict,
        "games": stop,
        "deals": stop // 2,
        "deal_scores": {f"{k:g}": counts[k] for k in sorted(counts)},
        "max_games": len(plan),
        "played": played,
        "llr": {"stronger": round(test.up.llr, 4), "weaker": round(test.down.llr, 4)},
        "score": mean.as_dict(),
        "elo": {k: _elo(v) for k, v in mean.as_dict().items()},
        "batches": steps,
    }
    width = max(5, len(str(len(plan))))
    for g in counted if keep else ():
        if records is not None:
            path = Path(records) / f"game-{g.index + 1:0{width}d}.json"
            write_atomic(path, json.dumps(full[g.index], indent=1) + "\n")
        if on_game is not None:
            on_game(full[g.index])
    result = RunResult(counted, lines, played=played, seconds=seconds, workers=used, scheduler=where)
    return result, summary


def _points(line: Mapping[str, Any], label: str) -> float:
    """The match points of ``label`` in one games.jsonl line: 1 for a win, ½ for a tie, 0 for a loss or forfeit."""
    winner = line["winner"]
    return 0.5 if winner is None else float(winner == label)


def _elo(score: float | None) -> float | None:
    """A score as an Elo difference, rounded (None when it is unknown or infinite: a score of 0 or 1)."""
    if score is None:
        return None
    elo = score_elo(score)
    return round(elo, 1) if math.isfinite(elo) else None


def sequential_lines(summary: Mapping[str, Any]) -> Iterator[str]:
    """The sequential test as text: the verdict, the games it took, A's score and Elo, the log-likelihood ratios."""
    seq = summary["sequential"]
    a, b = summary["pairs"][0]["agents"]
    verdict = VERDICTS[seq["verdict"]].format(a=a, b=b, elo1=seq["elo1"])
    bounds = f"elo0 {seq['elo0']:g}, elo1 {seq['elo1']:g}, alpha {seq['alpha']:g}, beta {seq['beta']:g}"
    yield printable(f"sequential test:   {verdict} (SPRT: {bounds})")
    took = f"{seq['games']} games ({seq['deals']} deals, both seats) of at most {seq['max_games']}"
    if seq["played"] > seq["games"]:
        took += f"; {seq['played'] - seq['games']} more played in the last batch do not count"
    yield f"games it took:     {took}"
    sc, elo = seq["score"], seq["elo"]
    score = f"{_show(sc['value'], '.1%')} [{_show(sc['low'], '.1%')}, {_show(sc['high'], '.1%')}]"
    rating = f"{_show(elo['value'], '+.0f')} [{_show(elo['low'], '+.0f')}, {_show(elo['high'], '+.0f')}]"
    head = f"{a}'s score:"
    yield printable(f"{head:<19}{score} per deal, Elo {rating} (95% CI; ? where infinite)")
    lo, hi = seq["bounds"]
    llr = seq["llr"]
    yield f"log-likelihood:    stronger {llr['stronger']:+.2f}, weaker {llr['weaker']:+.2f} (decided at {lo} or {hi})"


def _show(x: float | None, fmt: str) -> str:
    return "?" if x is None else format(x, fmt)
