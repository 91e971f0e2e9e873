"""The balance and compare reports as plain terminal text (the ``--json`` documents, read aloud)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..runs.report import num, pct
from ..safeio import printable_lines


def _bar(share: float, width: int = 24) -> str:
    return "#" * round(width * share)


@printable_lines
def balance_lines(doc: Mapping[str, Any], speed: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The balance report, warnings first."""
    for line in _balance(doc, speed):
        yield line.rstrip()


def _balance(doc: Mapping[str, Any], speed: Mapping[str, Any] | None) -> Iterator[str]:
    prov = doc["provenance"]
    out = doc["outcomes"]
    n = out["n"]
    yield (
        f"{prov['rules']['name']} ({prov['rules']['fingerprint']}): balance over {n} games, "
        f"{len(prov['agents'])} agents, paired deals with seats swapped, seed {prov['seed']}"
    )
    yield ""
    if doc["warnings"]:
        yield "WARNINGS"
        for w in doc["warnings"]:
            yield f"  ! {w}"
    else:
        yield "No warnings: no significant role advantage, dominant agent or card, dead card or track."
    yield ""
    yield from _outcomes(out)
    yield ""
    yield from _roles(doc["roles"])
    yield ""
    yield "3. Agents (score rate: win 1, tie ½; 95% CI)"
    ag = doc["agents"]
    labels = [row["agent"] for row in ag["standings"]]
    w = max(12, *(len(a) for a in labels)) + 2
    roles = list(doc["roles"]["roles"])
    yield f"  {'agent':<{w}}{'score rate':<24}{'mean score':<24}" + "".join(f"{'win as ' + r:<24}" for r in roles)
    for row in ag["standings"]:
        a = row["agent"]
        per = "".join(f"{pct(ag['per_role'][a][r]):<24}" for r in roles)
        yield f"  {a:<{w}}{pct(row['score_rate']):<24}{num(row['mean_score']):<24}{per}"
    if len(labels) > 2:
        cw = max(9, *(len(a) for a in labels)) + 1
        yield f"  {'row vs column':<{w}}" + "".join(f"{a:>{cw}}" for a in labels)
        for a in labels:
            cells = [
                f"{'·':>{cw}}" if b == a else f"{100 * ag['crosstable'][a][b]['score_rate']['value']:>{cw - 1}.1f}%"
                for b in labels
            ]
            yield f"  {a:<{w}}" + "".join(cells)
    if doc.get("exploits"):
        yield ""
        yield from _exploits(doc["exploits"])
    yield ""
    yield from _length(doc["length"])
    yield ""
    yield from _meters(doc["meters"])
    yield ""
    yield from _negotiation(doc["negotiation"])
    if doc.get("decisions"):
        yield from _decisions(doc["decisions"])
    yield ""
    yield from _cards(doc["cards"], roles)
    if doc.get("impact"):
        yield ""
        yield from _impact(doc["impact"])
    abl = doc.get("ablations") or ([doc["ablation"]] if doc.get("ablation") else [])
    if abl:
        yield ""
        yield from _ablations(abl)
    rec = doc.get("recorded")
    if rec:
        yield ""
        yield from _recorded(doc, rec)
    yield ""
    yield "8. Provenance"
    yield f"  rules:     {prov['rules']['name']} ({prov['rules']['fingerprint']}) from {prov['rules']['source']}"
    yield f"  engine:    summitgame {prov['engine']}"
    yield f"  agents:    {', '.join(prov['agents'].values())}"
    yield (
        f"  games:     {prov['games_measured']} measured of {prov['games_planned']} planned "
        f"({prov['games_per_pair']} per pair; {prov['games_requested']} requested, rounded up to whole paired deals), "
        f"forfeits {prov['forfeits']}"
    )
    yield f"  seed:      {prov['seed']} (deal seeds: tournament.deal_seed(seed, k), shared by games 2k and 2k+1)"
    if speed:
        where = f"{speed['workers'] or 'this'} {'process' if not speed['workers'] else 'worker processes'}"
        if speed.get("scheduler"):
            where = f"{speed['workers']} Dask worker threads at {speed['scheduler']}"
        yield (
            f"  speed:     {speed.get('games_per_second') or 0:,.1f} games/s on {where} "
            f"({speed['played']} games in {speed['seconds']:.1f} s)"
        )
    yield f"  reproduce: {prov['command']}"


def _exploits(ex: Mapping[str, Any]) -> Iterator[str]:
    yield (
        f"Exploits: each probe against each agent, {ex['games_per_pairing']} role-swapped games on the report's deals "
        "(the probe's score rate, 95% CI; ! = the probe wins at 95%)"
    )
    agents = list(ex["agents"])
    if not ex["pairings"]:
        yield "  no pairing to play (every agent of the report is a probe)"
        return
    cells = {(r["probe"], r["agent"]): r for r in ex["pairings"]}
    w = max(len("probe vs agent"), *(len(p) for p in ex["probes"])) + 2
    cw = max(20, *(len(a) + 2 for a in agents))
    yield f"  {'probe vs agent':<{w}}" + "".join(f"{a:<{cw}}" for a in agents)
    for p in ex["probes"]:
        row = []
        for a in agents:
            r = cells.get((p, a))
            if r is None:
                row.append(f"{'·':<{cw}}")
                continue
            e = r["score_rate"]
            text = (
                "—" if e["value"] is None else f"{100 * e['value']:.1f}% [{100 * e['low']:.0f}, {100 * e['high']:.0f}]"
            )
            row.append(f"{text + (' !' if r['beats'] else ''):<{cw}}")
        yield f"  {p:<{w}}" + "".join(row)
    for p, line in ex["probes"].items():
        if line != p:
            yield f"  {p}: {line}"
    beaten = [r for r in ex["pairings"] if r["beats"]]
    if not beaten:
        yield "  no probe beats an agent at 95%: no cheap line found"
    if ex["forfeits"]:
        yield f"  forfeits: {ex['forfeits']} of {ex['played']} probe games"


def _outcomes(out: Mapping[str, Any]) -> Iterator[str]:
    yield f"1. Outcomes (n = {out['n']}; share with 95% CI)"
    for t, row in out["tiers"].items():
        yield f"  tier {t:<20}{row['count']:>7}  {pct(row):<22}{_bar(row['value'] or 0)}"
    for k, row in out["endings"].items():
        yield f"  ended {k:<19}{row['count']:>7}  {pct(row):<22}{_bar(row['value'] or 0)}"
    if out.get("causes"):
        yield from _causes(out["causes"])


def _ending_cause(end: str, row: Mapping[str, Any]) -> str:
    """``walkout:moscow 45.1% [33.0, 57.8] (pressure:moscow 100.0%; rounds 3: 10, 4: 20)``."""
    extra = []
    if row.get("meters"):
        extra.append(", ".join(f"{m} {pct(e, ci=False)}" for m, e in row["meters"].items()))
    if row.get("rounds"):
        extra.append("round " + ", ".join(f"{r}: {k}" for r, k in row["rounds"].items()))
    return f"{end} {pct(row['share'])}" + (f" ({'; '.join(extra)})" if extra else "")


def _causes(c: Mapping[str, Any]) -> Iterator[str]:
    yield "  Why each tier happened (share of that tier's games, 95% CI):"
    for t, row in c["tiers"].items():
        n = row["n"]
        yield f"  {t} ({n} game{'s' if n != 1 else ''})"
        if not n:
            continue
        for a in row["alternatives"]:
            yield f"    held   {a['text']}: {pct(a['held'])}, alone {pct(a['alone'], ci=False)}"
        for before, rows in row["missed"].items():
            for m in rows:
                if m["failed"]["count"] and not (m["text"].startswith("none of") and m["failed"]["count"] == n):
                    yield f"    not {before}: {m['text']} failed in {pct(m['failed'])}"
        yield "    ended  " + ", ".join(_ending_cause(e, r) for e, r in row["endings"].items())
        accords = [(tr, e) for tr, e in row["accords"].items() if e["count"]]
        if accords:
            yield "    accord " + ", ".join(f"{tr} {pct(e)}" for tr, e in accords)
    yield "  Endings by cause: " + ", ".join(_ending_cause(e, r) for e, r in c["endings"].items())


def _roles(ra: Mapping[str, Any]) -> Iterator[str]:
    yield "2. Role advantage (agents play both seats on every deal)"
    for r, row in ra["roles"].items():
        yield f"  {r:<14} wins {pct(row['win_rate']):<24} mean score {num(row['mean_score'])}"
    yield f"  {'ties':<14}      {pct(ra['ties'])}"
    names = list(ra["roles"])
    yield f"  score gap {names[0]} − {names[1]}: {num(ra['score_gap'])}"
    yield f"  verdict: {ra['verdict']}"


def _length(ln: Mapping[str, Any]) -> Iterator[str]:
    total = sum(ln["rounds"].values()) or 1
    yield f"4. Game length: mean {num(ln['mean_rounds'], '.2f')} rounds; full length in {pct(ln['full_length'])}"
    for r, k in ln["rounds"].items():
        yield f"  ended in round {r:<4}{k:>7}  {100 * k / total:5.1f}%  {_bar(k / total)}"


def _meters(m: Mapping[str, Any]) -> Iterator[str]:
    yield "5. Meters as each round begins (mean, 10–90% band; games still going) and at the end"
    for key, rows in m["trajectories"].items():
        cells = "  ".join(f"{r['mean']:.1f} ({r['p10']:g}–{r['p90']:g})" for r in rows)
        yield f"  {key:<22}{cells}"
    for key, row in m["near_misses"].items():
        yield (
            f"  near misses {key}: limit {row['limit']}, mean peak of leaders who stayed "
            f"{num(row['mean_peak_of_non_walkers'], '.2f')}, highest {row['highest_of_non_walkers']}, "
            f"within 1 of the limit {pct(row['near_misses'])}"
        )


def _negotiation(neg: Mapping[str, Any]) -> Iterator[str]:
    yield "6. Negotiation (per game, 95% CI)"
    for k, e in neg["per_game"].items():
        yield f"  {k:<12}{num(e, '.2f')}"
    yield f"  offers accepted {pct(neg['acceptance'])}; games without a deal {pct(neg['no_deal_games'])}"
    sizes = ", ".join(f"{k} step{'' if k == '1' else 's'}: {v}" for k, v in neg["deal_sizes"].items())
    yield f"  deal size {num(neg['deal_steps'], '.2f')} steps ({sizes})"
    yield f"  {'track':<16}{'settled in a deal':<26}at its last stage"
    for t, row in neg["tracks"].items():
        flag = "   ! never settles" if row["agreed"]["count"] == 0 else ""
        yield f"  {t:<16}{pct(row['agreed']):<26}{pct(row['last_stage'])}{flag}"


def _decisions(d: Mapping[str, Any]) -> Iterator[str]:
    f = d["forced"]
    yield (
        f"  decisions {num(d['per_game'], '.1f')} per game; forced (one legal choice) {pct(f)} "
        f"of {f['n']} decisions in {f['games']} games (interval: games resampled)"
    )
    kinds = [(k, e) for k, e in d["forced_by_kind"].items() if e["count"]]
    for k, e in sorted(kinds, key=lambda ke: -ke[1]["count"]):
        yield f"    only '{k}' left{'':<{max(0, 10 - len(k))}}{e['count']:>7}  {pct(e)}"


def _tier_cells(shifts: Mapping[str, Any], tiers: list[str], widths: list[int]) -> str:
    """Each tier's shift in percentage points, ``*`` when its interval excludes 0."""
    cells = []
    for t, w in zip(tiers, widths, strict=True):
        e = shifts[t]
        text = "—" if e["value"] is None else f"{100 * e['value']:+.1f}" + ("*" if _excludes_zero(e) else "")
        cells.append(f"{text:>{w}}")
    return "".join(cells)


def _excludes_zero(e: Mapping[str, Any]) -> bool:
    lo, hi = e.get("low"), e.get("high")
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def _cards(cards: Mapping[str, Any], roles: list[str]) -> Iterator[str]:
    from .aggregate import ranked

    yield (
        "7. Cards: games with the card against games of the same length without it (correlation, not cause; "
        "95% CI over deals, t-widened)"
    )
    few = f"fewer than {cards.get('min_plays', 20)} plays or {cards.get('min_deals', 10)} deals: too few to judge"
    yield f"  ranked by the size of the score shift; {few}, not ranked; tiers: shift in points of share, * = 95%"
    w = max(10, *(len(c) for c in (*cards["gestures"], *cards["events"]))) + 2
    some = next(iter((*cards["gestures"].values(), *cards["events"].values())), None)
    tiers = list(some["tier_shift"]) if some else []
    tw = [max(8, len(t) + 2) for t in tiers]
    head = "".join(f"{t:>{x}}" for t, x in zip(tiers, tw, strict=True))
    shift = "score shift of its player"
    yield f"  {'rank':>4}  {'gesture':<{w}}{'played in':<11}{'plays':>6}{'deals':>6}  {shift:<27}{head}"
    for c, g in ranked(cards["gestures"]):
        rank = "—" if g.get("rank") is None else str(g["rank"])
        deals = g["score_shift"].get("deals_with", "")
        note = "  too few to judge" if g.get("verdict") == "too_few" else ""
        yield (
            f"  {rank:>4}  {c:<{w}}{pct(g['played_in'], ci=False):<11}{g['plays']:>6}{deals:>6}  "
            f"{num(g['score_shift']):<27}{_tier_cells(g['tier_shift'], tiers, tw)}{note}"
        )
    sw = 26
    yield (
        f"  {'rank':>4}  {'event':<{w}}{'drawn in':<11}{'':>6}{'deals':>6}  "
        + "".join(f"{'shift ' + r:<{sw}}" for r in roles)
        + head
    )
    for c, e in ranked(cards["events"]):
        rank = "—" if e.get("rank") is None else str(e["rank"])
        deals = e["score_shift"][roles[0]].get("deals_with", "")
        shifts = "".join(f"{num(e['score_shift'][r]):<{sw}}" for r in roles)
        note = "  too few to judge" if e.get("verdict") == "too_few" else ""
        yield (
            f"  {rank:>4}  {c:<{w}}{pct(e['drawn_in'], ci=False):<11}{'':>6}{deals:>6}  {shifts}"
            f"{_tier_cells(e['tier_shift'], tiers, tw)}{note}"
        )


def _impact(im: Mapping[str, Any]) -> Iterator[str]:
    rep = im["replays"]
    yield (
        f"   Counterfactual impact: each card drawn or played, the game replayed with that draw's effects blanked "
        f"(share of draws where the tier or the winner flips, 95% CI; {rep['draws']} draws on {rep['deals']} deals, "
        f"{rep['played']} replayed, {rep['unchanged']} changed nothing; fewer than {im['min_draws']} draws or "
        f"{im['min_deals']} deals: too few to judge)"
    )
    for kind, s in im["summary"].items():
        if s["draws"]:
            yield (
                f"   {kind + 's':<10}tier flips on {pct(s['tier_flips'])} of {s['draws']} draws, in "
                f"{pct(s['games_with_a_tier_flip'])} of games; winner flips on {pct(s['winner_flips'])}"
            )
    if rep["forfeits"] or rep["diverged"]:
        yield (
            f"   left out: {rep['forfeits']} replays forfeited, {rep['diverged']} left the game's moves before the card"
        )
    w = max(12, *(len(r["card"]) for r in im["cards"])) + 2
    yield f"   {'rank':>4}  {'card':<{w}}{'kind':<9}{'draws':>6}  {'tier flips':<22}{'winner flips':<22}verdict"
    verdicts = {"too_few": "too few to judge", "inert": "inert", "decisive": "decisive", "ranked": ""}
    for r in im["cards"]:
        rank = "" if r["rank"] is None else str(r["rank"])
        tiers = pct(r["tier_flips"]) if r["draws"] else "—"
        winners = pct(r["winner_flips"]) if r["draws"] else "—"
        yield (
            f"   {rank:>4}  {r['card']:<{w}}{r['kind']:<9}{r['draws']:>6}  {tiers:<22}{winners:<22}"
            f"{verdicts[r['verdict']]}"
        )


def _change(e: Mapping[str, Any] | None, scale: float = 1.0, digits: int = 2) -> str:
    """A paired change ``+1.2*`` (``*``: its 95% interval excludes 0; — when not measured)."""
    if not e or e.get("value") is None:
        return "—"
    return f"{scale * e['value']:+.{digits}f}" + ("*" if e.get("significant") or _excludes_zero(e) else "")


def _ablations(abl: list[Mapping[str, Any]]) -> Iterator[str]:
    """One row per ablation (the change in each tier's share, the score gap, the length), then, for a lone
    ablation, every metric that differs."""
    yield (
        "   Ablation: the same seeds with each card taken out (B) against the rules as they are (A); B − A paired on "
        "the deals, tiers in points of share; * = 95%"
    )
    tiers = list(next((a["summary"]["tiers"] for a in abl if a.get("summary")), {}))
    names = [",".join(a["cards"]) for a in abl]
    w = max(12, *(len(n) for n in names)) + 2
    tw = [max(9, len(t) + 2) for t in tiers]
    head = "".join(f"{t:>{x}}" for t, x in zip(tiers, tw, strict=True))
    yield f"   {'card':<{w}}{'kind':<9}{head}{'score gap':>11}{'rounds':>9}  differs in"
    for name, a in zip(names, abl, strict=True):
        kinds = ",".join(dict.fromkeys(a.get("kinds", [])))
        if a.get("skipped"):
            yield f"   {name:<{w}}{kinds:<9}not played: {a['skipped']}"
            continue
        sm = a.get("summary")
        if not sm:  # a report from before per-card ablations
            yield f"   {name:<{w}}{kinds:<9}{len(a['comparison']['significant'])} metrics"
            continue
        cells = "".join(f"{_change(sm['tiers'][t], 100, 1):>{x}}" for t, x in zip(tiers, tw, strict=True))
        sig = a["comparison"]["significant"]
        yield (
            f"   {name:<{w}}{kinds:<9}{cells}{_change(sm['score_gap']):>11}{_change(sm['rounds']):>9}  "
            f"{len(sig)} metric{'' if len(sig) == 1 else 's'}"
        )
    if len(abl) == 1 and abl[0].get("comparison"):
        yield from _compare_rows(abl[0]["comparison"]["metrics"], only_significant=True, indent="   ")


def _recorded(doc: Mapping[str, Any], rec: Mapping[str, Any]) -> Iterator[str]:
    yield f"Recorded games from {rec['folder']}: {rec['games']} measured, {rec['skipped_count']} skipped"
    for s in rec["skipped"][:5]:
        yield f"  skipped {s['where']}: {s['why']}"
    if not rec["games"]:
        return
    yield f"  {'':<28}{'simulated':<26}recorded"
    for t in doc["outcomes"]["tiers"]:
        yield f"  {'tier ' + t:<28}{pct(doc['outcomes']['tiers'][t]):<26}{pct(rec['outcomes']['tiers'][t])}"
    for k in doc["outcomes"]["endings"]:
        a, b = doc["outcomes"]["endings"][k], rec["outcomes"]["endings"].get(k)
        yield f"  {'ended ' + k:<28}{pct(a):<26}{pct(b)}"
    for r in doc["roles"]["roles"]:
        a, b = doc["roles"]["roles"][r]["win_rate"], rec["roles"]["roles"][r]["win_rate"]
        yield f"  {'wins ' + r:<28}{pct(a):<26}{pct(b)}"
    yield f"  {'score gap':<28}{num(doc['roles']['score_gap']):<26}{num(rec['roles']['score_gap'])}"
    yield f"  {'rounds':<28}{num(doc['length']['mean_rounds'], '.2f'):<26}{num(rec['length']['mean_rounds'], '.2f')}"
    for k in doc["negotiation"]["per_game"]:
        a, b = doc["negotiation"]["per_game"][k], rec["negotiation"]["per_game"][k]
        yield f"  {k + ' per game':<28}{num(a, '.2f'):<26}{num(b, '.2f')}"
    a, b = doc["negotiation"]["deal_steps"], rec["negotiation"]["deal_steps"]
    yield f"  {'deal size (steps)':<28}{num(a, '.2f'):<26}{num(b, '.2f')}"
    if doc.get("decisions") and rec.get("decisions"):
        yield f"  {'forced decisions':<28}{pct(doc['decisions']['forced']):<26}{pct(rec['decisions']['forced'])}"


def _fmt(row: Mapping[str, Any], side: str) -> str:
    e = row[side]
    return pct(e) if row["kind"] == "rate" else num(e, ".2f")


def _compare_rows(rows: list[Any], only_significant: bool = False, indent: str = "  ") -> Iterator[str]:
    shown = [r for r in rows if r["significant"] or not only_significant]
    if not shown:
        yield f"{indent}no metric differs significantly"
        return
    yield f"{indent}{'metric':<28}{'A':<24}{'B':<24}{'B − A (95% CI)':<28}verdict"
    for r in shown:
        d = r["difference"]
        fmt = "+.3f" if r["kind"] == "rate" else "+.2f"
        yield f"{indent}{r['metric']:<28}{_fmt(r, 'a'):<24}{_fmt(r, 'b'):<24}{num(d, fmt):<28}{r['verdict']}"


@printable_lines
def compare_lines(doc: Mapping[str, Any]) -> Iterator[str]:
    """The comparison: every metric side by side, then the sequential test and the command."""
    a, b = doc["a"], doc["b"]
    yield f"A: {a['label']} — {a['name']} ({a['fingerprint']})"
    yield f"B: {b['label']} — {b['name']} ({b['fingerprint']})"
    yield f"{doc['games']} paired games (same seeds, seats and agents: {', '.join(doc['agents'])}), seed {doc['seed']}"
    yield ""
    for line in _compare_rows(doc["metrics"]):
        yield line.rstrip()
    yield ""
    sig = doc["significant"]
    yield f"significant differences: {', '.join(sig) if sig else 'none'}"
    for side in ("a", "b"):
        only = doc.get(f"only_in_{side}")
        if only:
            yield f"only under {side.upper()} (not compared): {', '.join(only)}"
    seq = doc.get("sequential")
    if seq:
        what = {
            "differ": f"{seq['metric']} differs (by at least {seq['delta']:g})",
            "same": f"no difference in {seq['metric']} as large as {seq['delta']:g}",
            None: f"undecided on {seq['metric']} after the maximum of {seq['max_games']} games",
        }[seq["decision"]]
        yield f"sequential test (SPRT, alpha = beta = 0.05): {what}; it took {seq['games']} games"
    yield f"reproduce: {doc['command']}"
