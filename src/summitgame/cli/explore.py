"""The designer's exploration commands: ``sweep``, ``targets``, ``tune``, ``tunables`` (commands.py adds them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import Problem, RulesError
from ..rules.params import FILE_KEYS, show_number
from ..safeio import printable
from .common import (
    AGENT_SPEC_HELP,
    BotProgress,
    Bots,
    agent_list,
    agents_option,
    bot_options,
    csv_option,
    file_option,
    games_option,
    html_option,
    json_option,
    load,
    print_schema,
    repeated,
    resumable_out,
    rules_options,
    schema_option,
    write_report,
    write_tables,
)

if TYPE_CHECKING:
    from ..analysis.schema import SensitivityReport, SweepReport


def _run_settings(
    ctx: click.Context, run: Any, agents_text: str | None, games: int | None, seed: int, default_games: int
) -> tuple[list[str], int, int]:
    """Agents, games and seed: the command line's, else the targets file's ``[run]``, else the defaults."""
    specs = agent_list(agents_text) if agents_text else list(run.get("agents") or agent_list(None))
    n = games if games is not None else int(run.get("games", default_games))
    if ctx.get_parameter_source("seed") == click.core.ParameterSource.DEFAULT and "seed" in run:
        seed = int(run["seed"])
    return specs, n, seed


def _grid_params(texts: tuple[str, ...]) -> list[Any]:
    from ..rules.params import parse_grid

    params = []
    problems = []
    for text in texts:
        try:
            params.append(parse_grid(text))
        except ValueError as exc:
            problems.append(Problem("--param", "", str(exc)))
    seen = [p.path for p in params]
    problems += [Problem("--param", k, "given twice") for k in sorted({k for k in seen if seen.count(k) > 1})]
    if problems:
        raise RulesError(problems)
    return params


def _sensitivity_keys(texts: tuple[str, ...], tunable: list[str]) -> tuple[list[str], dict[str, Any]]:
    """``--param KEY`` or ``KEY=STEP`` for a sensitivity run; every tunable parameter when none is given."""
    from ..rules.params import parse_number, parse_path

    if not texts:
        if not tunable:
            raise RulesError(
                [Problem("--sensitivity", "", "the rules declare no [tunable] ranges; name parameters with --param")]
            )
        return tunable, {}
    keys, steps = [], {}
    problems = []
    for text in texts:
        key, _, step = text.partition("=")
        try:
            parse_path(key.strip())
            keys.append(key.strip())
            if step.strip():
                steps[key.strip()] = parse_number(step)
                if steps[key.strip()] <= 0:
                    raise ValueError(f"{text!r}: the step must be positive")
        except ValueError as exc:
            problems.append(Problem("--param", key.strip(), str(exc)))
    if problems:
        raise RulesError(problems)
    return keys, steps


@click.command("sweep", epilog=AGENT_SPEC_HELP)
@rules_options
@repeated(
    "--param",
    "param_texts",
    "KEY.PATH=VALUES",
    "A parameter and its values (repeatable; the grid is every combination): 1..5, 0..1:0.25 (with a step) "
    "or 0.5,1,2. With --sensitivity: KEY.PATH or KEY.PATH=STEP.",
)
@repeated(
    "--measure",
    "measure_names",
    "NAME",
    "A measure to show (repeatable; default: each tier, role_gap, win_gap, median_end_round). "
    "Any compare metric works too: rounds, walkout:moscow, peak:pressure:moscow, median:offers, ...",
)
@agents_option("Agents (default: greedy,boulware,titfortat,linear).")
@games_option("Games at each point.", default=400, show=True)
@bot_options
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Move each --param (default: every [tunable] parameter) one step either way from the current rules "
    "and rank the parameters by how much they move each measure.",
)
@json_option("sweep")
@click.option(
    "--schema",
    "show_schema",
    is_flag=True,
    help="Print the JSON Schema of the --json output (with --sensitivity: of that one) and exit.",
)
@html_option(
    "Also write a self-contained HTML report: each measure against the parameter with its 95% band, "
    "a heat-map for two parameters (the current rules' cell outlined)."
)
@file_option(
    "--targets",
    "targets_path",
    "Mark each measure's target band (from a targets file) on the charts and colour the heat-maps by the "
    "distance from it.",
    metavar="TARGETS.toml",
)
@csv_option("game of every point")
def sweep_cmd(
    rules_path: Path | None,
    overrides: tuple[str, ...],
    param_texts: tuple[str, ...],
    measure_names: tuple[str, ...],
    agents_text: str | None,
    games: int,
    bots: Bots[int],
    sensitivity: bool,
    as_json: bool,
    show_schema: bool,
    html_path: Path | None,
    csv_dir: Path | None,
    targets_path: Path | None,
) -> None:
    """Play the balance games at every point of a parameter grid and tabulate the measures.

    Every point plays the same deals, seats and agents, so differences between points come from the
    parameters. Values are checked like --set (and against the rules' [tunable] ranges) before any
    game is played. Example: summitgame sweep --param meters.trust.start=1..5 --games 2000"""
    from ..analysis import balance as bal
    from ..analysis import sweep as sw
    from ..analysis.explore_text import sensitivity_lines, sweep_lines
    from ..analysis.measures import default_names

    seed = bots.seed
    if show_schema:
        from ..analysis import schema

        click.echo(json.dumps(schema.json_schema("sensitivity" if sensitivity else "sweep"), indent=1))
        return
    base = load(rules_path, overrides)
    names = list(measure_names) or default_names(base)
    sw.check_names(base, names)
    bots.load_agents()
    specs = agent_list(agents_text)
    players = bal.players_for(specs)
    options: list[tuple[str, Any]] = [(f"--param={t}", True) for t in param_texts]
    options += [(f"--measure={n}", True) for n in measure_names]
    options += [("--agents", ",".join(specs)), ("--games", games), ("--seed", seed), ("--sensitivity", sensitivity)]
    command = bal.command_line("sweep", rules_path, overrides, options)
    sweep = sw.Sweep(players, games, seed, names, bots.opened())
    if sensitivity:
        keys, steps = _sensitivity_keys(param_texts, list(base.spec.tunable))
        found = sw.probes(rules_path, overrides, keys, steps)
        current = sw.Point({}, base)
        with BotProgress("sensitivity", plain=False) as progress:
            sw.run_sensitivity(current, found, sweep, progress)
        doc: SweepReport | SensitivityReport = sw.sensitivity_report(
            current, found, players, names, games, seed, command
        )
        lines = sensitivity_lines(doc)
        played = [current] + [p for pr in found for p in (pr.down, pr.up) if p is not None]
        now = {pr.path: pr.value for pr in found}
    else:
        if not param_texts:
            raise click.UsageError("give at least one --param KEY.PATH=VALUES (or --sensitivity)")
        params = _grid_params(param_texts)
        points = sw.load_points(rules_path, overrides, sw.grid(params))
        given = {p.path: sw.current_value(base, p.path) for p in params if p.path not in FILE_KEYS}
        bands = None
        if targets_path is not None:  # read before any game is played
            from ..analysis.targets import load_targets

            bands = sw.target_bands(load_targets(targets_path, base), names)
        with BotProgress("sweep", plain=False) as progress:
            sw.run_sweep(points, sweep, progress)
        doc = sw.sweep_report(points, params, players, names, games, seed, command, given, bands)
        lines = sweep_lines(doc)
        played, now = points, {}
    if csv_dir is not None:
        from ..analysis.export import POINT_COLUMNS, Tables

        tables = Tables(POINT_COLUMNS)
        for i, point in enumerate(played):
            values = {f"param:{k}": v for k, v in {**now, **point.values}.items()}
            tables.add(point.lines, point.games, {"point": i, **values})
        write_tables(csv_dir, tables)
    if html_path is not None:
        from ..analysis.sweep_html import sensitivity_html, sweep_html

        write_report(html_path, sensitivity_html(doc) if sensitivity else sweep_html(doc))
    if as_json:
        click.echo(json.dumps(doc, indent=1))
        return
    for line in lines:
        click.echo(line)


@click.command("targets", epilog=AGENT_SPEC_HELP)
@click.argument("targets_file", metavar="TARGETS.toml", type=click.Path(dir_okay=False, path_type=Path))
@rules_options
@agents_option("Agents (default: the file's [run] agents, else greedy,boulware,titfortat,linear).")
@games_option("Games (default: the file's [run] games, else 1000).")
@bot_options
@json_option("verdicts")
@schema_option(print_schema("targets"))
@click.pass_context
def targets_cmd(
    ctx: click.Context,
    targets_file: Path,
    rules_path: Path | None,
    overrides: tuple[str, ...],
    agents_text: str | None,
    games: int | None,
    bots: Bots[int],
    as_json: bool,
) -> None:
    """Check the rules against balance targets stated in a TOML file; exit status 1 if any is missed.

    Each line of the file names a measure and the range it should lie in, e.g. failed = "15%..35%",
    role_gap = "< 3 points", median_end_round = ">= 5". An optional [run] table sets games, seed and
    agents. Run it in a designer's CI: the exit status says whether the rules still meet their targets."""
    from ..analysis import balance as bal
    from ..analysis import sweep as sw
    from ..analysis.explore_text import targets_lines
    from ..analysis.targets import check, load_targets

    seed = bots.seed
    rules = load(rules_path, overrides)
    tg = load_targets(targets_file, rules)
    bots.load_agents()
    specs, n, seed = _run_settings(ctx, tg.run, agents_text, games, seed, DEFAULT_TARGET_GAMES)
    players = bal.players_for(specs)
    tg.check_agents([o.label for o in bal.skilled(players)])  # exploitability:AGENT names one of them
    names = [t.name for t in tg.targets]
    options: list[tuple[str, Any]] = [("--agents", ",".join(specs)), ("--games", n), ("--seed", seed)]
    command = bal.command_line("targets", rules_path, overrides, options, [str(targets_file)])
    point = sw.Point({}, rules)
    with BotProgress("targets", plain=False) as progress:
        sw.run_sweep([point], sw.Sweep(players, n, seed, names, bots.opened(), tg.exploiters), progress)
    verdicts = check(tg, point.measures)
    doc = {
        "format": "summitgame-targets",
        "version": 1,
        "targets": tg.source,
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint, "source": rules.source},
        "agents": {e.label: e.spec for e in players},
        **({"exploiters": tg.exploiters} if tg.exploiters else {}),
        "games": len(point.games),
        "seed": seed,
        "met": all(v.met for v in verdicts),
        "verdicts": [v.as_dict() for v in verdicts],
        "command": command,
    }
    if as_json:
        click.echo(json.dumps(doc, indent=1))
    else:
        for line in targets_lines(doc):
            click.echo(line)
    missed = sum(1 for v in verdicts if not v.met)
    if missed:
        click.echo(f"{missed} of {len(verdicts)} target{'s' if len(verdicts) != 1 else ''} missed.", err=True)
        ctx.exit(1)


DEFAULT_TARGET_GAMES = 1000


def _tune_params(texts: tuple[str, ...], tunable: list[str]) -> list[tuple[str, Any]]:
    """``--param KEY=LOW..HIGH`` or ``KEY`` (its [tunable] range); every tunable parameter when none is given."""
    from ..rules.params import parse_bounds, parse_path

    if not texts:
        return [(k, None) for k in tunable]
    out: list[tuple[str, Any]] = []
    problems = []
    for text in texts:
        try:
            if "=" in text:
                out.append(parse_bounds(text))
            else:
                parse_path(text.strip())
                out.append((text.strip(), None))
        except ValueError as exc:
            problems.append(Problem("--param", "", str(exc)))
    if problems:
        raise RulesError(problems)
    return out


@click.command("tune", epilog=AGENT_SPEC_HELP)
@rules_options
@file_option(
    "--targets",
    "targets_file",
    "The balance targets to meet (a TOML file, as for 'summitgame targets').",
    required=True,
)
@repeated(
    "--param",
    "param_texts",
    "KEY.PATH=LOW..HIGH",
    "A parameter and the range to search (repeatable); KEY.PATH alone searches its [tunable] range. "
    "Default: every [tunable] parameter.",
)
@click.option("--budget", type=click.IntRange(min=1), default=30, show_default=True, help="Candidates to play.")
@agents_option("Agents (default: the targets file's [run] agents, else greedy,boulware,titfortat,linear).")
@games_option("Games per candidate (default: the targets file's [run] games, else 400).")
@bot_options
@resumable_out(
    "tune-out", "trials.jsonl (every candidate, stored as it finishes), best.toml and the winner's report", "tune"
)
@json_option("result")
@csv_option("game of every candidate played (a resumed tune: those played by this run)")
@click.pass_context
def tune_cmd(
    ctx: click.Context,
    rules_path: Path | None,
    overrides: tuple[str, ...],
    targets_file: Path,
    param_texts: tuple[str, ...],
    budget: int,
    agents_text: str | None,
    games: int | None,
    bots: Bots[int],
    out_dir: Path,
    resume: bool,
    as_json: bool,
    csv_dir: Path | None,
) -> None:
    """Search the allowed ranges of parameters for rules that meet balance targets (optuna's TPE sampler).

    Every candidate plays the same deals, seats and agents. The winner, trimmed to change only what it
    must, is written as OUT/best.toml, a rule file that extends the original, with its balance report
    (OUT/best-balance.txt and .json). Interrupt at any time: every candidate played is in
    OUT/trials.jsonl, and --resume continues from there. Exit status 1 if no candidate met every target.

    The targets file's [tune] table can lock parameters together: symmetric = ["meters.pressure.walkout_at.*"]
    gives every tuned parameter a glob matches one value per candidate. A warning (text and JSON) says when
    the winner meets its targets by making one side fragile (one role does most of the walking out) or by
    cutting the game short (median end round 2 or less)."""
    from ..analysis import balance as bal
    from ..analysis import sweep as sw
    from ..analysis import tune as tn
    from ..analysis.explore_text import cell, table
    from ..analysis.targets import check, load_targets
    from ..analysis.text import balance_lines

    seed = bots.seed
    rules = load(rules_path, overrides)
    tg = load_targets(targets_file, rules)
    dims = tn.dimensions(rules_path, overrides, _tune_params(param_texts, list(rules.spec.tunable)))
    locks = tn.locks(dims, tg, list(rules.spec.tunable))  # [tune] symmetric: refused before anything is played
    bots.load_agents()
    specs, n, seed = _run_settings(ctx, tg.run, agents_text, games, seed, DEFAULT_TUNE_GAMES)
    players = bal.players_for(specs)
    tg.check_agents([o.label for o in bal.skilled(players)])  # exploitability:AGENT names one of them
    options: list[tuple[str, Any]] = [("--targets", targets_file)]
    options += [(f"--param={d.path}={d.span}", True) for d in dims]
    options += [
        ("--budget", budget),
        ("--agents", ",".join(specs)),
        ("--games", n),
        ("--seed", seed),
        ("--out", out_dir),
    ]
    command = bal.command_line("tune", rules_path, overrides, options)
    settings = {
        "rules": rules.fingerprint,
        "targets": [[t.name, t.describe()] for t in tg.targets],
        "params": [[d.path, str(d.span)] for d in dims],
        "agents": specs,
        "games": n,
        "seed": seed,
    }
    if tg.exploiters:  # only when given, so that a tune started before exploiters existed still resumes
        settings["exploiters"] = tg.exploiters
    if locks:  # likewise
        settings["symmetric"] = {glob: list(members) for glob, members in locks.items()}

    now = {d.path: d.current for d in dims}

    def show(t: tn.Trial, played: int, of: int) -> None:
        values = " ".join(f"{k}={show_number(v)}" for k, v in t.values.items() if v != now[k]) or "the current rules"
        # a point the sampler proposes again is answered from the store and not counted against the budget
        search, counted = t.phase == "search", not t.cached
        tag = f"candidate {played}/{of}" if search and counted else "again" if search else "trim"
        if not t.fingerprint:
            click.echo(f"{tag}: {values} -> refused by the rules: {t.measures.get('invalid', '')}", err=True)
            return
        met = sum(1 for m in t.measures.values() if m["met"])
        again = "" if counted else " (seen before, not counted)" if search else " (seen before)"
        click.echo(f"{tag}: {values} -> loss {t.loss:.3f}, {met} of {len(t.measures)} met{again}", err=True)

    tn.require_optuna()  # before anything is written to --out
    backend = bots.opened()
    store = tn.Store(out_dir, settings, resume)
    try:
        tuning = tn.Tuning(rules_path, overrides, dims, tg, players, n, seed, backend, show, locks)
        kept: dict[int, tuple[tn.Trial, sw.Point]] = {}
        if csv_dir is not None:
            tuning.on_point = lambda t, point: kept.setdefault(t.number, (t, point)) and None
        store.check(tuning)  # every stored line fits this tune, before anything is replayed or played
        if store.trials:
            click.echo(f"resuming: {len(store.trials)} candidates already in {printable(store.path)}", err=True)
        best = tn.tune(tuning, store, budget)
    except KeyboardInterrupt:
        click.echo(
            f"interrupted: {len(store.trials)} candidates kept in {printable(store.path)}; add --resume to go on",
            err=True,
        )
        raise
    finally:
        store.close()
    path, best_rules = tn.write_best(tuning, best, out_dir, command)
    if csv_dir is not None:
        from ..analysis.export import TRIAL_COLUMNS, Tables

        tables = Tables(TRIAL_COLUMNS)
        for number in sorted(kept):
            t, point = kept[number]
            values = {f"param:{k}": v for k, v in t.values.items()}
            tables.add(point.lines, point.games, {"trial": number, "phase": t.phase, **values})
        write_tables(csv_dir, tables)
    # The winner was chosen on the tuning deals; its report and a second check of the targets use fresh
    # deals, so that a candidate that met the targets by the luck of those deals shows it.
    fresh_seed = seed + 1
    with BotProgress("balance of the winner", plain=False) as progress:
        plan = bal.plan_for(best_rules, players, n, fresh_seed)
        sim = bal.simulate(best_rules, players, plan, backend=backend, progress=progress)
    names = [t.name for t in tg.targets]
    fresh = check(
        tg, sw.measure_all(best_rules, sim.games, sw.Sweep(players, n, fresh_seed, names, backend, tg.exploiters))
    )
    report_cmd = bal.command_line(
        "balance", path, (), [("--agents", ",".join(specs)), ("--games", n), ("--seed", fresh_seed)]
    )
    report = bal.balance_report(sim, fresh_seed, report_cmd, n)
    guards = tn.guard_warnings(best_rules, sim.games, rules.spec.rounds.count)  # shortcuts, on the fresh deals
    from ..runs.records import write_atomic

    write_atomic(out_dir / "best-balance.json", json.dumps(report, indent=1) + "\n")
    write_atomic(out_dir / "best-balance.txt", "\n".join(balance_lines(report)) + "\n")
    changed = {d.path: [d.current, best.values[d.path]] for d in dims if best.values[d.path] != d.current}
    searched = [t for t in store.trials if t.phase == "search"]
    doc = {
        "format": "summitgame-tune",
        "version": 1,
        "met": best.met,
        "loss": best.loss,
        "changes": changed,
        "best": json.loads(best.line()),
        "best_file": str(path),
        "candidates": len(searched),
        "played": sum(1 for t in searched if not t.cached and t.fingerprint),  #: candidates played, trims apart
        "trims_played": sum(1 for t in store.trials if t.phase != "search" and not t.cached and t.fingerprint),
        "trials_file": str(out_dir / tn.TRIALS_FILE),
        "fresh": {"seed": fresh_seed, "met": all(v.met for v in fresh), "verdicts": [v.as_dict() for v in fresh]},
        "warnings": guards,
        "command": command,
    }
    if as_json:
        click.echo(json.dumps(doc, indent=1))
    else:
        verdict = "meets every target" if best.met else f"misses targets (loss {best.loss:.3f}): the closest found"
        trims = doc["trims_played"]
        also = f" (and {trims} trim{'s' if trims != 1 else ''} of the winner)" if trims else ""
        played = f"{doc['played']} candidate{'s' if doc['played'] != 1 else ''} played{also}"
        click.echo(f"Tune of {rules.name} against {tg.source}: {played}; the winner {verdict}.")
        for k, (a, b) in changed.items():
            click.echo(f"  {k}: {show_number(a)} -> {show_number(b)}")
        if not changed:
            click.echo(
                "  no change needed: the current rules meet the targets"
                if best.met
                else "  no change: the current rules are the closest found"
            )
        rows = [["target", "wanted", "tuning deals", "", f"fresh deals (seed {fresh_seed})", ""]]
        for f in fresh:  # by name: a winner read back from trials.jsonl has its measures in sorted order
            m = best.measures[f.target.name]
            rows.append(
                [
                    f.target.name,
                    m["wanted"],
                    cell(m["measured"]),
                    "met" if m["met"] else "MISSED",
                    cell(f.measure.as_dict()),
                    "met" if f.met else "MISSED",
                ]
            )
        for line in table(rows[0], rows[1:]):
            click.echo(line)
        if best.met and not all(v.met for v in fresh):
            click.echo(
                "  note: on fresh deals the winner misses a target; it may have met it by the luck of the tuning "
                "deals (try more --games)"
            )
        for w in guards:
            click.echo(f"  warning: {w['message']} (on fresh deals)")
        click.echo(f"rules:   {path}")
        click.echo(f"report:  {out_dir / 'best-balance.txt'}")
        click.echo(f"trials:  {out_dir / tn.TRIALS_FILE}")
    if not best.met:
        ctx.exit(1)


DEFAULT_TUNE_GAMES = 400


@click.command("tunables")
@rules_options
@json_option("list")
def tunables_cmd(rules_path: Path | None, overrides: tuple[str, ...], as_json: bool) -> None:
    """List the numbers the rules let a designer move ([tunable]): key path, current value, allowed range.

    These are what 'sweep --sensitivity' and 'tune' explore by default; --set, sweep and tune refuse
    values outside the ranges."""
    from ..analysis.explore_text import table
    from ..analysis.sweep import current_value
    from ..rules.params import fmt_number

    rules = load(rules_path, overrides)
    rows: list[dict[str, Any]] = [
        {
            "path": key,
            "value": current_value(rules, key),
            "min": t.min,
            "max": t.max,
            "step": t.step,
            "description": t.description,
        }
        for key, t in rules.spec.tunable.items()
    ]
    if as_json:
        click.echo(json.dumps({"rules": rules.name, "tunable": rows}, indent=1))
        return
    if not rows:
        click.echo(f"{rules.name} declares no [tunable] ranges.")
        return
    cells = [
        [r["path"], fmt_number(r["value"]), f"{fmt_number(r['min'])}..{fmt_number(r['max'])}", r["description"]]
        for r in rows
    ]
    for line in table(["parameter", "now", "allowed", "why"], cells, indent=""):
        click.echo(line)
