"""The designer's exploration commands: ``sweep``, ``targets`` and ``tune`` (registered on the ``cli`` group)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .cli import (
    AGENT_SPEC_HELP,
    BotProgress,
    _agent_list,
    _write_report,
    bot_options,
    cli,
    load,
    load_agent_classes,
    report_errors,
    rules_options,
)
from .errors import Problem, RulesError


def _backend(workers: int, move_timeout: float | None) -> dict[str, Any]:
    return {"workers": workers, "move_timeout": move_timeout}


def _grid_params(texts: tuple[str, ...]) -> list[Any]:
    from .params import parse_grid

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
    from .params import parse_number, parse_path

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


@cli.command("sweep", epilog=AGENT_SPEC_HELP)
@rules_options
@click.option(
    "--param",
    "param_texts",
    multiple=True,
    metavar="KEY.PATH=VALUES",
    help="A parameter and its values (repeatable; the grid is every combination): 1..5, 0..1:0.25 (with a step) "
    "or 0.5,1,2. With --sensitivity: KEY.PATH or KEY.PATH=STEP.",
)
@click.option(
    "--measure",
    "measure_names",
    multiple=True,
    metavar="NAME",
    help="A measure to show (repeatable; default: each tier, role_gap, win_gap, median_end_round). "
    "Any compare metric works too: rounds, walkout:moscow, peak:pressure:moscow, median:offers, ...",
)
@click.option(
    "--agents",
    "agents_text",
    default=None,
    metavar="A,B,...",
    help="Agents (default: greedy,boulware,titfortat,linear).",
)
@click.option("--games", "-n", type=click.IntRange(min=2), default=400, show_default=True, help="Games at each point.")
@bot_options
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Move each --param (default: every [tunable] parameter) one step either way from the current rules "
    "and rank the parameters by how much they move each measure.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the sweep as one JSON document.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a self-contained HTML report: each measure against the parameter with its 95% band, "
    "a heat-map for two parameters.",
)
@report_errors
def sweep_cmd(
    rules_path: Path | None,
    overrides: tuple[str, ...],
    param_texts: tuple[str, ...],
    measure_names: tuple[str, ...],
    agents_text: str | None,
    games: int,
    seed: int,
    workers: int,
    move_timeout: float | None,
    agent_classes: tuple[str, ...],
    sensitivity: bool,
    as_json: bool,
    html_path: Path | None,
) -> None:
    """Play the balance games at every point of a parameter grid and tabulate the measures.

    Every point plays the same deals, seats and agents, so differences between points come from the
    parameters. Values are checked like --set (and against the rules' [tunable] ranges) before any
    game is played. Example: summitgame sweep --param meters.trust.start=1..5 --games 2000"""
    from .analysis import balance as bal
    from .analysis import sweep as sw
    from .analysis.explore_text import sensitivity_lines, sweep_lines
    from .analysis.measures import default_names

    base = load(rules_path, overrides)
    names = list(measure_names) or default_names(base)
    sw.check_names(base, names)
    load_agent_classes(agent_classes)
    specs = _agent_list(agents_text)
    players = bal.players_for(specs)
    options: list[tuple[str, Any]] = [(f"--param={t}", True) for t in param_texts]
    options += [(f"--measure={n}", True) for n in measure_names]
    options += [("--agents", ",".join(specs)), ("--games", games), ("--seed", seed), ("--sensitivity", sensitivity)]
    command = bal.command_line("sweep", rules_path, overrides, options)
    backend = _backend(workers, move_timeout)
    if sensitivity:
        keys, steps = _sensitivity_keys(param_texts, list(base.spec.tunable))
        found = sw.probes(rules_path, overrides, keys, steps)
        current = sw.Point({}, base)
        with BotProgress("sensitivity", plain=False) as progress:
            sw.run_sensitivity(current, found, players, games, seed, names, backend, progress)
        doc = sw.sensitivity_report(current, found, players, names, games, seed, command)
        lines = sensitivity_lines(doc)
    else:
        if not param_texts:
            raise click.UsageError("give at least one --param KEY.PATH=VALUES (or --sensitivity)")
        params = _grid_params(param_texts)
        points = sw.load_points(rules_path, overrides, sw.grid(params))
        with BotProgress("sweep", plain=False) as progress:
            sw.run_sweep(points, players, games, seed, names, backend, progress)
        doc = sw.sweep_report(points, params, players, names, games, seed, command)
        lines = sweep_lines(doc)
    if html_path is not None:
        from .analysis.sweep_html import sensitivity_html, sweep_html

        _write_report(html_path, sensitivity_html(doc) if sensitivity else sweep_html(doc))
    if as_json:
        click.echo(json.dumps(doc, indent=1))
        return
    for line in lines:
        click.echo(line)


@cli.command("targets", epilog=AGENT_SPEC_HELP)
@click.argument("targets_file", metavar="TARGETS.toml", type=click.Path(dir_okay=False, path_type=Path))
@rules_options
@click.option(
    "--agents",
    "agents_text",
    default=None,
    metavar="A,B,...",
    help="Agents (default: the file's [run] agents, else greedy,boulware,titfortat,linear).",
)
@click.option(
    "--games",
    "-n",
    type=click.IntRange(min=2),
    default=None,
    help="Games (default: the file's [run] games, else 1000).",
)
@bot_options
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as one JSON document.")
@click.pass_context
@report_errors
def targets_cmd(
    ctx: click.Context,
    targets_file: Path,
    rules_path: Path | None,
    overrides: tuple[str, ...],
    agents_text: str | None,
    games: int | None,
    seed: int,
    workers: int,
    move_timeout: float | None,
    agent_classes: tuple[str, ...],
    as_json: bool,
) -> None:
    """Check the rules against balance targets stated in a TOML file; exit status 1 if any is missed.

    Each line of the file names a measure and the range it should lie in, e.g. failed = "15%..35%",
    role_gap = "< 3 points", median_end_round = ">= 5". An optional [run] table sets games, seed and
    agents. Run it in a designer's CI: the exit status says whether the rules still meet their targets."""
    from .analysis import balance as bal
    from .analysis import sweep as sw
    from .analysis.explore_text import targets_lines
    from .analysis.targets import check, load_targets

    rules = load(rules_path, overrides)
    tg = load_targets(targets_file, rules)
    load_agent_classes(agent_classes)
    specs = _agent_list(agents_text) if agents_text else list(tg.run.get("agents") or _agent_list(None))
    n = games if games is not None else int(tg.run.get("games", DEFAULT_TARGET_GAMES))
    if ctx.get_parameter_source("seed") == click.core.ParameterSource.DEFAULT and "seed" in tg.run:
        seed = int(tg.run["seed"])
    players = bal.players_for(specs)
    names = [t.name for t in tg.targets]
    options: list[tuple[str, Any]] = [("--agents", ",".join(specs)), ("--games", n), ("--seed", seed)]
    command = bal.command_line("targets", rules_path, overrides, options, [str(targets_file)])
    point = sw.Point({}, rules)
    with BotProgress("targets", plain=False) as progress:
        sw.run_sweep([point], players, n, seed, names, _backend(workers, move_timeout), progress)
    verdicts = check(tg, point.measures)
    doc = {
        "format": "summitgame-targets",
        "version": 1,
        "targets": tg.source,
        "rules": {"name": rules.name, "fingerprint": rules.fingerprint, "source": rules.source},
        "agents": {e.label: e.spec for e in players},
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
