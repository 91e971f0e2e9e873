"""The ``summitgame`` command: a thin click layer that owns exit codes and never shows tracebacks.

Exit status: 0 success, 1 a SummitError (bad rules, bad record, illegal action), 2 bad usage
(click's own), 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from ..errors import RulesError, SummitError
from ..rules.loader import bundled_rule_files, check_file, display, load_rules, model_json_schemas
from ..rules.rulebook import rulebook
from ..rules.ruleset import Ruleset
from ..runs.simulate import simulate
from ..safeio import printable
from ..version import __version__
from .common import (
    AGENT_SPEC_HELP,
    BotProgress,
    Bots,
    F,
    SummitGroup,
    agent_list,
    agents_option,
    bot_options,
    bot_run_options,
    csv_option,
    file_option,
    folder_option,
    games_option,
    html_option,
    json_option,
    load,
    load_agent_classes,
    print_schema,
    repeated,
    rules_args,
    rules_options,
    schema_option,
    write_report,
    write_tables,
)
from .exploit import exploit_cmd
from .explore import sweep_cmd, targets_cmd, tunables_cmd, tune_cmd
from .init import init_cmd

if TYPE_CHECKING:
    from ..analysis.schema import CompareRow


@click.group(cls=SummitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="summitgame")
def cli() -> None:
    """summitgame: a negotiation game engine. Two leaders trade concessions across agenda
    tracks under trust and domestic pressure; the summit ends symbolic, incremental or failed."""


cli.add_command(sweep_cmd)  # the designer's exploration commands live in explore.py and exploit.py
cli.add_command(targets_cmd)
cli.add_command(tune_cmd)
cli.add_command(tunables_cmd)
cli.add_command(exploit_cmd)
cli.add_command(init_cmd)  # starting a variant: init.py


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check rule and card files (default: the bundled rule files and their decks).

    Prints a short summary of each good file; for a bad one, every problem found as
    FILE:LINE: key.path: what is wrong, and exits 1."""
    targets = list(paths) or bundled_rule_files()
    problems = []
    for path in targets:
        try:
            result = check_file(path)
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(result, Ruleset):
            click.echo(summary_line(display(path), result))
        else:
            n = sum(getattr(c, "copies", 1) for c in result.cards)
            click.echo(
                f"{display(path)}: ok — {result.deck} deck, {len(result.cards)} cards ({n} with copies); "
                "cross-references are checked when a rule file that uses it is validated"
            )
    if problems:
        raise RulesError(problems)


def summary_line(name: str, r: Ruleset) -> str:
    """One file's validation summary."""
    spec = r.spec
    meters = ", ".join(f"{m} ({'shared' if spec.meters[m].scope == 'shared' else 'per role'})" for m in r.meter_ids)
    return "\n".join(
        [
            f"{name}: ok — {r.name} (fingerprint {r.fingerprint})",
            f"  roles:  {', '.join(r.roles)}",
            f"  tracks: {', '.join(r.track_ids)} (stages: {' > '.join(r.stages)})",
            f"  meters: {meters}",
            f"  tiers:  {', '.join(r.tier_ids)}",
            f"  decks:  {len(r.event_ids)} events ({len(r.event_pool)} cards), {len(r.gesture_ids)} gestures "
            f"({len(r.gesture_pool)} cards), {len(r.agenda_ids)} agendas",
            f"  rounds: {r.rounds}; actions in the action space: {len(r.actions)}",
        ]
    )


@cli.command("rules")
@rules_options
def rules_cmd(rules_path: Path | None, overrides: tuple[str, ...]) -> None:
    """Print the player rulebook, generated from the rule data."""
    click.echo(rulebook(load(rules_path, overrides)))


SCHEMA_KINDS = ("rules", "rules-partial", "events", "gestures", "agendas")


@cli.command("schema")
@click.argument("kind", type=click.Choice(SCHEMA_KINDS), default="rules")
@folder_option(
    "--out", "Write every schema to DIR as summitgame-KIND.schema.json instead of printing one.", dest="out_dir"
)
def schema_cmd(kind: str, out_dir: Path | None) -> None:
    """Print the JSON Schema of rule files (or of a deck file), for editors and tools.

    Point a TOML language server at it with a first line such as
    `#:schema ./summitgame-rules.schema.json` (rules-partial for a file that extends another)."""
    from ..runs.records import write_atomic

    schemas = model_json_schemas()
    if out_dir is None:
        click.echo(json.dumps(schemas[kind], indent=2))
        return
    for name in SCHEMA_KINDS:
        path = out_dir / f"summitgame-{name}.schema.json"
        write_atomic(path, json.dumps(schemas[name], indent=2) + "\n")
        click.echo(f"wrote {path}")


@cli.command("simulate")
@rules_options
@games_option("Games to play.", low=1, default=1000, show=True)
@click.option("--seed", "-s", type=int, default=0, show_default=True, help="Run seed: every deal is derived from it.")
@json_option("summary")
def simulate_cmd(rules_path: Path | None, overrides: tuple[str, ...], games: int, seed: int, as_json: bool) -> None:
    """Play random-vs-random games and print the outcome-tier distribution."""
    rules = load(rules_path, overrides)
    summary = simulate(rules, games, seed)
    doc = summary.as_dict()
    doc["seed"] = seed
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    n = summary.games
    click.echo(f"{rules.name} ({rules.fingerprint}): {n} random-vs-random games from seed {seed}")
    click.echo("")
    click.echo("outcome tier        games   share")
    for tier, name in zip(rules.tier_ids, rules.tier_names, strict=True):
        k = summary.tiers.get(tier, 0)
        bar = "#" * round(30 * k / n)
        click.echo(f"  {name:<16} {k:>6}  {100 * k / n:5.1f}%  {bar}")
    click.echo("")
    click.echo("how games ended:  " + ", ".join(f"{k} {v}" for k, v in doc["end_reasons"].items()))
    click.echo("winners:          " + ", ".join(f"{k} {v}" for k, v in doc["winners"].items()))
    click.echo("mean score:       " + ", ".join(f"{k} {v:+.2f}" for k, v in doc["mean_score"].items()))
    mean_rounds = sum(k * v for k, v in summary.rounds.items()) / n
    click.echo(f"mean rounds:      {mean_rounds:.2f} of {rules.rounds}; {doc['mean_decisions']} decisions per game")
    click.echo(f"speed:            {doc['games_per_second']:,.0f} games/s")


# --- hot-seat play: play, replay --------------------------------------------------------------


def player_option(help_text: str) -> Callable[[F], F]:
    """``--player ROLE=AGENT`` (repeatable; the texts arrive as ``players``): who sits in a seat."""
    return repeated("--player", "players", "ROLE=AGENT", help_text)


def delay_option(help_text: str) -> Callable[[F], F]:
    """``--delay SECONDS``: the pause between two steps shown (None when not given: the command's default)."""
    return click.option("--delay", type=click.FloatRange(min=0), default=None, help=help_text)


def read_line(prompt: str) -> str:
    """Print a prompt and read one line through click (so CliRunner can script it); EOFError at the end."""
    return click.termui.visible_prompt_func(prompt)


def check_hot_seat(console: Any) -> None:
    """Refuse a game between two humans on a screen the hand-over cannot clear (TERM=dumb, say)."""
    import os

    from ..errors import TerminalError
    from ..play.screen import look_for
    from ..play.terminal import hot_seat_problem, terminfo_can_clear

    stdin_tty, stdout_tty = sys.stdin.isatty(), sys.stdout.isatty()
    term = os.environ.get("TERM", "")
    can_clear = terminfo_can_clear(term, sys.stdout.fileno()) if stdout_tty and term else None
    problem = hot_seat_problem(
        stdin_tty=stdin_tty,
        stdout_tty=stdout_tty,
        console_plain=look_for(console).plain,
        term=term,
        can_clear=can_clear,
    )
    if problem is not None:
        raise TerminalError(
            f"two players cannot share this screen: {problem}. Play in a terminal that can clear its screen "
            "(TERM=xterm-256color, say), or against a bot: --player ROLE=AGENT (e.g. --player moscow=greedy)"
        )


@cli.command("play")
@rules_options
@player_option(
    "Put a bot in a seat, e.g. --player moscow=random (repeatable; seats default to human). "
    "AGENT is any agent spec `summitgame match` takes, or 'human'."
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the deal, to replay a game (default: a random 64-bit one, shown when the game is over).",
)
@file_option("--load", "load_path", "Resume a saved game (give the same --rules/--set it was played with).")
@file_option(
    "--record",
    "record_path",
    "Where to write the finished game's record (default: a new file in the games folder: "
    "$SUMMITGAME_DATA, or your data folder, e.g. ~/.local/share/summitgame/games).",
)
@delay_option("Seconds to pause after each bot move (default: 0.8 on a terminal, 0 otherwise).")
def play_cmd(
    rules_path: Path | None,
    overrides: tuple[str, ...],
    players: tuple[str, ...],
    seed: int | None,
    load_path: Path | None,
    record_path: Path | None,
    delay: float | None,
) -> None:
    """Play a summit at this terminal: two humans taking turns (hot seat), or a human against a bot.

    Type a choice's number or an action (`give arms 1`, `accept`); `help` explains each decision,
    `rules` shows the rulebook, `undo` takes back your own actions this turn, `save FILE` saves, and
    `quit` asks whether to save. End of input and Ctrl-C save the game first and say where. The
    finished game's record is saved for `summitgame replay`.

    Records, saves, autosaves and the journal go to the games folder: $SUMMITGAME_DATA if it is set,
    else your data folder (~/.local/share/summitgame/games on Linux); the start of a game prints where.
    Every move is appended to the journal as it is made, so a game survives even a killed process:
    resume it with --load JOURNAL. The seed is not shown until
    the game is over. Two players sharing one screen need a terminal that can clear it.

    Exit status: 0 when the game ends or a player quits, 1 on an error (or a bot that fails to
    move), 130 on Ctrl-C."""
    import secrets
    import shlex

    from rich.text import Text

    from ..engine.forward import new_game
    from ..play import Ending, Session, data_dir, make_seats, parse_players
    from ..play.complete import Completer
    from ..play.journal import Journal, is_journal, unfinished
    from ..play.saves import default_path, load_doc, read_game
    from ..play.terminal import LineReader, SafeConsole

    rules = load(rules_path, overrides)
    try:
        specs = parse_players(rules, players)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--player") from None
    resumed = None
    journal: Journal | None = None
    base_dirs: dict[str, Path] = {}
    if load_path is not None:
        if seed is not None:
            raise click.UsageError("--seed cannot be used with --load: a saved game keeps its own seed")
        if is_journal(load_path):
            journal, doc = Journal.resume(load_path)  # goes on writing to it (locked: one game at a time)
        else:
            doc = read_game(load_path)
        try:
            loaded = load_doc(doc, rules, str(load_path))
        except BaseException:
            if journal is not None:
                journal.close()
            raise
        states = loaded.states
        base_dirs = {rid: load_path.parent for rid in loaded.seats if rid not in specs}
        specs = {**loaded.seats, **specs}
        resumed = load_path
    else:
        states = [new_game(rules, seed if seed is not None else secrets.randbits(64))]
    console = SafeConsole()
    save_dir = data_dir()  # $SUMMITGAME_DATA, or the user's data folder: never the current directory
    try:
        seats = make_seats(rules, specs, states[0].seed, base_dirs)
        if all(seat.human for seat in seats):
            check_hot_seat(console)
    except BaseException:
        if journal is not None:
            journal.close()
        raise
    if resumed is None:
        for path, doc in unfinished(save_dir)[:3]:
            hint = shlex.join(["summitgame", "play", "--load", str(path), *doc["rules_options"]])
            # a program seat is not named from the file (data never starts a program): the player names it again
            for rid, spec in sorted(doc.get("seats", {}).items()):
                if isinstance(spec, str) and spec.strip().startswith("cmd:"):
                    hint += f" --player {rid}=cmd:PROGRAM"
            console.print(Text(f"An unfinished game was left in {path}; resume it with: {hint}", style="yellow"))
    if journal is None:
        try:
            journal = Journal.create(
                default_path("journal", save_dir, ".jsonl"),
                states[-1],
                {rid: seat.spec for rid, seat in zip(rules.roles, seats, strict=True)},
                rules_args(rules_path, overrides),
            )
        except (OSError, SummitError) as exc:
            console.print(Text(f"No journal could be started ({exc}); only 'save' keeps this game.", style="red"))
    completer = Completer()  # Tab completes the moves and commands valid at each prompt
    reader = LineReader(read_line, use_readline=sys.stdin.isatty(), completer=completer)  # editing at a terminal
    if delay is None:
        delay = 0.8 if console.is_terminal else 0.0
    session = Session(
        rules,
        seats,
        states,
        ask=reader,
        console=console,
        rules_args=rules_args(rules_path, overrides),
        record_path=record_path,
        delay=delay,
        resumed_from=resumed,
        journal=journal,
        completer=completer,
        save_dir=save_dir,
    )
    result = session.run()
    if result.ending is Ending.INTERRUPTED:
        sys.exit(130)
    if result.ending is Ending.FORFEIT:
        sys.exit(1)


@cli.command("replay")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@rules_options
@click.option("--verify", is_flag=True, help="Only check that the game replays and reproduces its recorded outcome.")
@click.option("--no-wait", is_flag=True, help="Print the whole game at once instead of waiting for Enter at each step.")
@file_option(
    "--html",
    "html_path",
    "Write a self-contained page that steps through the game on the board (buttons and arrow keys) to this "
    "file instead; no server needed.",
)
@click.option(
    "--view",
    type=click.Choice(["omniscient", "spectator"]),
    default=None,
    help="With --html: show both hands and agendas at every step (omniscient; the default for a finished game), "
    "or the public board only (spectator; the only view of an unfinished game).",
)
def replay_cmd(
    path: Path,
    rules_path: Path | None,
    overrides: tuple[str, ...],
    verify: bool,
    no_wait: bool,
    html_path: Path | None,
    view: Literal["omniscient", "spectator"] | None,
) -> None:
    """Step through a saved game or game record (Enter for the next step, b back, q to stop).

    Give the --rules/--set the game was played with; without them, a game played under any bundled rule
    file (the default rules, or rules/classic.toml for games of the first edition) finds its file. With
    --verify, only check it: exit 0 if it replays and reproduces the recorded outcome, 1 (with the reason)
    if not."""
    from ..play.replay import step_through
    from ..play.replay import verify as verify_record
    from ..play.saves import read_game
    from ..play.terminal import LineReader, SafeConsole
    from ..rules.loader import bundled_rules_for

    if rules_path is None and not overrides:
        recorded = read_game(path).get("rules")
        fp = recorded.get("fingerprint") if isinstance(recorded, dict) else None
        rules_path = bundled_rules_for(fp) if isinstance(fp, str) else None
    rules = load(rules_path, overrides)
    if verify:
        click.echo(printable(verify_record(path, rules)))
        return
    if html_path is not None:
        from ..play.replay_html import write_replay_page

        steps = write_replay_page(html_path, path, rules, view)
        click.echo(printable(f"page:              {html_path} ({steps} steps)"))
        return
    step_through(path, rules, console=SafeConsole(), ask=None if no_wait else LineReader(read_line))


@cli.command("watch")
@click.argument("record", required=False, type=click.Path(dir_okay=False, path_type=Path))
@rules_options
@player_option("The bot in a seat, e.g. --player moscow=mcts (repeatable; seats default to greedy).")
@click.option("--seed", type=int, default=None, help="Seed of the deal (default: a random one, shown at the end).")
@delay_option("Seconds between two steps (default: 1.5 on a terminal, 0 otherwise; 0 shows the game at once).")
def watch_cmd(
    record: Path | None,
    rules_path: Path | None,
    overrides: tuple[str, ...],
    players: tuple[str, ...],
    seed: int | None,
    delay: float | None,
) -> None:
    """Watch a summit, for learning the game: two bots (greedy by default) play it out on the board
    screen, step by step, or a saved RECORD is played back the same way.

    A spectator sees both hands and both secret agendas (the screen says so), but not the deck or the
    seed until the game is over; a record of an unfinished game is shown from the public board only.
    Ctrl-C stops the show. Exit status: 0 when the game has been shown, 1 on an error (or a bot that
    fails to move), 130 on Ctrl-C."""
    import secrets
    import shlex

    from rich.text import Text

    from ..engine.forward import new_game
    from ..play import make_seats, parse_players
    from ..play.saves import read_game, replay_all
    from ..play.terminal import SafeConsole
    from ..play.watch import Forfeit, play_out, watch
    from ..runs.records import replay

    rules = load(rules_path, overrides)
    console = SafeConsole()
    if delay is None:
        delay = 1.5 if console.is_terminal else 0.0
    agents = []
    if record is not None:
        if players or seed is not None:
            raise click.UsageError("a RECORD is played as it was: --player and --seed are for a new game")
        doc = read_game(record)
        states = replay_all(doc, rules, str(record))
        if "outcome" in doc:
            replay(doc, rules, str(record))  # refuse a record whose outcome does not match
        finished = states[-1].to_move < 0
        source = iter(states)
        title = f"Watching {printable(record)}"
    else:
        try:
            specs = parse_players(rules, players)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--player") from None
        if any(spec.lower() == "human" for spec in specs.values()):
            raise click.BadParameter(
                "watch seats bots only; a human plays with `summitgame play`", param_hint="--player"
            )
        specs = {rid: specs.get(rid, "greedy") for rid in rules.roles}
        first = new_game(rules, seed if seed is not None else secrets.randbits(64))
        seats = make_seats(rules, specs, first.seed)
        agents = [seat.agent for seat in seats if seat.agent is not None]
        finished = True
        source = play_out(first, agents)
        title = "Watching " + " vs ".join(f"{n} ({s.spec})" for n, s in zip(rules.role_names, seats, strict=True))
    try:
        result = watch(source, console=console, delay=delay, hands=finished, title=title)
    except KeyboardInterrupt:
        console.print(Text("\nStopped.", style="bold"))
        sys.exit(130)
    except Forfeit as exc:
        console.print(Text(f"{rules.role_names[exc.role]} failed to move ({exc}) and forfeits.", style="bold red"))
        sys.exit(1)
    finally:
        for agent in agents:
            agent.close()
    if not result.finished:
        s = result.state
        console.print(Text(f"The game is unfinished: round {s.round}, {rules.role_names[s.to_move]} to move."))
    elif record is None:
        again = ["summitgame", "watch", "--seed", str(result.state.seed), *rules_args(rules_path, overrides)]
        for rid in rules.roles:
            again += ["--player", f"{rid}={specs[rid]}"]
        console.print(Text(f"Watch it again: {shlex.join(again)}", style="dim"))


# --- bot play: match, tournament ---------------------------------------------------------------


@cli.command("agents")
@repeated("--agent", "agent_classes", "MODULE:CLASS", "Also list this Agent subclass.")
def agents_cmd(agent_classes: tuple[str, ...]) -> None:
    """List the agents a spec may name, each parameter with what it may be, its default and meaning.

    A spec outside these ranges is refused, from the command line and from a data file alike."""
    from ..agents.base import available, describe

    load_agent_classes(agent_classes)
    for name, cls in available().items():
        doc = (cls.__doc__ or "").strip().splitlines()
        click.echo(printable(f"{name}: {doc[0] if doc else cls.__name__}"))
        for line in describe(cls) or ["(no parameters)"]:
            click.echo(printable(f"    {line}"))


def speed_doc(run: Any) -> dict[str, Any]:
    """Timing of a run, kept apart from the results (which do not depend on it)."""
    gps = run.games_per_second
    return {
        "workers": run.workers,
        "played": run.played,
        "seconds": round(run.seconds, 3),
        "games_per_second": round(gps, 1) if gps else None,
        **({"scheduler": run.scheduler} if run.scheduler else {}),
    }


@cli.command("match", epilog=AGENT_SPEC_HELP)
@click.argument("agent_a", metavar="A")
@click.argument("agent_b", metavar="B")
@rules_options
@games_option("Games (seats swap every other). [default: 100; with --until-significant, the most: 10000]", low=1)
@bot_run_options
@json_option("summary")
@folder_option("--records", "Save every game record in this directory (game-00001.json, ...; replayable).")
@file_option(
    "--pgn", "pgn_path", "Also write every game as plain text for reading, PGN-like: headers, then one move a line."
)
@click.option(
    "--until-significant",
    "until",
    is_flag=True,
    help="Play in batches and stop once a sequential test (SPRT on paired deals) shows A stronger, equal or weaker.",
)
@click.option(
    "--elo0",
    type=float,
    default=None,
    help="With --until-significant: the Elo difference that is 'equal' (H0). [default: 0]",
)
@click.option(
    "--elo1",
    type=float,
    default=None,
    help="With --until-significant: the Elo difference that is 'stronger' or 'weaker' (H1). [default: 30]",
)
def match_cmd(
    agent_a: str,
    agent_b: str,
    rules_path: Path | None,
    overrides: tuple[str, ...],
    games: int | None,
    bots: Bots[int | None],
    as_json: bool,
    records: Path | None,
    pgn_path: Path | None,
    until: bool,
    elo0: float | None,
    elo1: float | None,
) -> None:
    """Play agent A against agent B on paired deals: games 2k and 2k+1 share a deal and swap seats.

    Prints the outcome tiers, each agent's score rate and mean game score with 95% intervals,
    wins/ties/losses, win rates by role, game length and how games ended. With --until-significant the
    deals are played in batches until Fishtest's sequential test (GSPRT on each deal's score, alpha = beta =
    0.05) decides that A is stronger or weaker (a difference of elo1 Elo is likelier than one of elo0) or
    equal (elo0 is likelier than elo1, either way), and the report says which and how many games it took;
    the same seed gives the same verdict after the same games."""
    from ..runs import sequential as seq
    from ..runs.tournament import report_lines, run_match

    seed = bots.seed
    if not until and (elo0 is not None or elo1 is not None):
        raise click.UsageError("--elo0 and --elo1 go with --until-significant")
    rules = load(rules_path, overrides)
    bots.load_agents()
    games_played: dict[int, dict[str, Any]] = {}
    keep = None if pgn_path is None else (lambda line: games_played.__setitem__(line["index"], line))
    with BotProgress(f"{agent_a} vs {agent_b}", plain=False) as progress:
        if until:
            e0 = seq.ELO0 if elo0 is None else elo0
            e1 = seq.ELO1 if elo1 is None else elo1
            if not 0 <= e0 < e1 < float("inf"):
                raise click.BadParameter(f"need 0 <= elo0 < elo1, got {e0:g} and {e1:g}", param_hint="--elo0/--elo1")
            run, summary = seq.run_until_significant(
                rules,
                agent_a,
                agent_b,
                seq.MAX_GAMES if games is None else games,
                seed,
                elo0=e0,
                elo1=e1,
                backend=bots.run,
                records=records,
                progress=progress,
                on_game=keep,
            )
        else:
            run, summary = run_match(
                rules,
                agent_a,
                agent_b,
                100 if games is None else games,
                seed,
                backend=bots.run,
                records=records,
                progress=progress,
                on_game=keep,
            )
    if pgn_path is not None:
        from ..runs.plain import match_text
        from ..runs.records import write_atomic

        write_atomic(pgn_path, match_text([games_played[i] for i in sorted(games_played)], rules))
    if as_json:
        click.echo(json.dumps({**summary, "speed": speed_doc(run)}, indent=2))
        return
    for line in report_lines(summary, run):
        click.echo(line)
    if until:
        click.echo("")
        for line in seq.sequential_lines(summary):
            click.echo(line)
    if records is not None:
        click.echo(printable(f"records:           {records}/"))
    if pgn_path is not None:
        click.echo(printable(f"games as text:     {pgn_path}"))
    if any(spec.strip().startswith("cmd:") for spec in (agent_a, agent_b)):
        from ..agents.cmd import log_folder

        click.echo(printable(f"bot stderr logs:   {log_folder()}/"))


@cli.command("tournament", epilog=AGENT_SPEC_HELP)
@click.argument("agents", nargs=-1, required=True, metavar="AGENT...")
@rules_options
@games_option("Games per pair.", low=1, default=100, show=True)
@bot_run_options
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory for games.jsonl (one line per finished game), summary.json and tournament.json.",
)
@click.option("--resume", is_flag=True, help="Finish the run in --out: play only the games not yet in games.jsonl.")
@json_option("summary")
@csv_option()
def tournament_cmd(
    agents: tuple[str, ...],
    rules_path: Path | None,
    overrides: tuple[str, ...],
    games: int,
    bots: Bots[int | None],
    out: Path,
    resume: bool,
    as_json: bool,
    csv_dir: Path | None,
) -> None:
    """Play a round robin: every pair of AGENTs, N games per pair on paired deals with seats swapped.

    Each finished game is appended to OUT/games.jsonl as it ends, so an interrupted run loses only
    the games in flight; --resume plays just the missing games. The same seed gives the same results
    whatever the number of workers, locally or on a Dask cluster (--scheduler). Prints standings with
    Bradley–Terry ratings, a crosstable and per-role results; OUT/summary.json holds the full summary."""
    from ..agents.cmd import logs_in
    from ..runs.tournament import GAMES_FILE, SUMMARY_FILE, report_lines, run_tournament

    seed = bots.seed
    if len(agents) < 2:
        raise click.UsageError("a tournament needs at least two agents")
    rules = load(rules_path, overrides)
    bots.load_agents()
    try:
        with logs_in(out / "bot-logs") as bot_logs, BotProgress("tournament", plain=not as_json) as progress:
            run, summary = run_tournament(
                rules,
                agents,
                games,
                out,
                seed,
                backend=bots.run,
                resume=resume,
                progress=progress,
                keep_lines=csv_dir is not None,  # else memory stays flat however long the run
            )
    except KeyboardInterrupt:
        click.echo(
            printable(
                f"interrupted: finished games are in {out / GAMES_FILE}; run the same command with --resume to finish"
            ),
            err=True,
        )
        sys.exit(130)
    if csv_dir is not None:
        from ..analysis.export import plan_tables

        write_tables(csv_dir, plan_tables(out / GAMES_FILE, run.lines, rules))
    if as_json:
        click.echo(json.dumps({**summary, "speed": speed_doc(run)}, indent=2))
        return
    if run.resumed:
        click.echo(
            printable(f"resumed: {run.resumed} games were already in {out / GAMES_FILE}; played {run.played} more")
        )
    if run.torn:
        click.echo("dropped a torn last line from games.jsonl (its game was played again)")
    if run.foreign:
        click.echo(f"note: {run.foreign} lines in games.jsonl belong to another plan and are not counted")
    for line in report_lines(summary, run):
        click.echo(line)
    click.echo(printable(f"results:           {out / GAMES_FILE}, {out / SUMMARY_FILE}"))
    if bot_logs.is_dir():
        click.echo(printable(f"bot stderr logs:   {bot_logs}/"))


@cli.command("export")
@click.argument("source", metavar="SRC", type=click.Path(path_type=Path))
@rules_options
@folder_option(
    "--csv",
    "Write DIR/games.csv, DIR/agents.csv and DIR/meters.csv (columns: docs/researchers.md, Data out).",
    dest="csv_dir",
    required=True,
    metavar="DIR",
)
def export_cmd(source: Path, rules_path: Path | None, overrides: tuple[str, ...], csv_dir: Path) -> None:
    """Write the games of SRC (a games.jsonl, or a tournament's --out folder) as tidy CSV tables.

    One row per game, per agent and role, and per meter reading. Each game is replayed and measured under
    the rules it was played with: the bundled rule file with its fingerprint, or --rules/--set; a game
    whose rules are not at hand keeps its measured columns empty (and is counted in a note)."""
    from ..analysis.export import tables_of

    rules = load(rules_path, overrides) if rules_path is not None or overrides else None
    tables, missed = tables_of(source, rules)
    write_tables(csv_dir, tables)
    if missed:
        click.echo(
            f"note: {missed} finished games were not measured (their rules are not at hand: give --rules and --set)",
            err=True,
        )


# --- designer reports: balance, compare ---------------------------------------------------------


def report_outputs(kind: str, what: str) -> Callable[[F], F]:
    """Add the output options ``balance`` and ``compare`` share: --json, --html FILE and --schema."""

    def decorate(func: F) -> F:
        func = schema_option(print_schema(kind))(func)
        func = html_option()(func)
        return json_option(what)(func)

    return decorate


@cli.command("balance", epilog=AGENT_SPEC_HELP)
@rules_options
@agents_option(
    "Agents that play each other on paired deals (default: greedy,boulware,titfortat,linear; one agent plays itself)."
)
@games_option(
    "Games in all (rounded up so that every pair plays the same whole number of paired deals).", default=400, show=True
)
@bot_options
@folder_option(
    "--records", "Also report the recorded games in this directory (hot-seat records, match --records, games.jsonl)."
)
@click.option(
    "--ablate",
    multiple=True,
    metavar="CARD",
    help="Replay the same seeds with this card taken out of its deck and report what changed. Repeatable: each "
    "card is taken out separately, one row per card (CARD,CARD takes those cards out together, as one row).",
)
@click.option(
    "--ablate-all",
    "ablate_all",
    is_flag=True,
    help="Ablate every event and gesture card in turn, each separately: one row per card, largest change in a "
    "tier's share first. Costly: one more run of --games games per card.",
)
@click.option(
    "--probe-games",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Games each probe (stonewall, taker, pushover, spoiler) plays against each agent in the exploits section, "
    "on the report's deals (default: as many as each pair of agents plays; 0: no exploits section).",
)
@click.option(
    "--impact",
    is_flag=True,
    help="Also measure each card's counterfactual impact: replay every game once per card drawn or played, with "
    "that draw's effects blanked, and report how often the tier and the winner flip. Costly: about one more game "
    "per card drawn or played (some ten per game), several times the run's time.",
)
@report_outputs("balance", "report")
@csv_option()
def balance_cmd(
    rules_path: Path | None,
    overrides: tuple[str, ...],
    agents_text: str | None,
    games: int,
    bots: Bots[int],
    as_json: bool,
    records: Path | None,
    ablate: tuple[str, ...],
    ablate_all: bool,
    probe_games: int | None,
    impact: bool,
    html_path: Path | None,
    csv_dir: Path | None,
) -> None:
    """Play paired, role-swapped games between agents and report how the rules play.

    Outcome tiers and endings, role advantage, agents, game length, trust and pressure per round,
    negotiation and forced decisions, and cards (with --impact, each card's counterfactual impact), each
    figure with n and a 95% interval (Wilson for rates, a seeded bootstrap for means), then the
    exploits: each probe agent (a cheap line) against each agent, with a warning first when one wins at
    95%. Warnings come first and the command that reproduces the run last. The same command gives the
    same numbers whatever --workers or --scheduler is."""
    from ..analysis import balance as bal
    from ..analysis.ablation import ablation_entry, ablation_targets, sort_by_impact
    from ..analysis.compare import compare_rows, metric_defs
    from ..analysis.metrics import read_recorded
    from ..analysis.text import balance_lines
    from ..rules.loader import without_cards

    seed = bots.seed
    rules = load(rules_path, overrides)
    bots.load_agents()
    specs = agent_list(agents_text)
    players = bal.players_for(specs)
    options: list[tuple[str, Any]] = [("--agents", ",".join(specs)), ("--games", games), ("--seed", seed)]
    options += [("--ablate", c) for c in ablate]
    options.append(("--ablate-all", ablate_all))
    if records is not None:
        options.append(("--records", records))
    options.append(("--probe-games", probe_games))
    options.append(("--impact", impact))
    command = bal.command_line("balance", rules_path, overrides, options)
    targets = ablation_targets(rules, ablate, ablate_all)
    named = len(targets) - (len(targets) - len(ablate) if ablate_all else 0)
    variants: list[tuple[tuple[str, ...], Ruleset | None, str]] = []
    for i, cards in enumerate(targets):
        try:
            variants.append((cards, without_cards(rules, cards), ""))
        except RulesError as e:
            if i < named:  # a card the user named: a clean error, as before
                raise
            variants.append((cards, None, str(e)))
    with BotProgress("balance", plain=False) as progress:
        plan = bal.plan_for(rules, players, games, seed)
        sim = bal.simulate(rules, players, plan, backend=bots.run, progress=progress, keep_actions=impact)
    ablations = []
    for cards, ablated, why in variants:
        rows: list[CompareRow] = []
        if ablated is not None:
            with BotProgress(f"balance: without {','.join(cards)}", plain=False) as progress:
                other_plan = bal.plan_for(ablated, players, games, seed)
                other = bal.simulate(ablated, players, other_plan, backend=bots.run, progress=progress)
            rows = compare_rows(metric_defs(rules), sim.games, other.games, seed)
        ablations.append(ablation_entry(rules, cards, ablated, rows, why))
    if ablate_all:
        ablations = ablations[:named] + sort_by_impact(ablations[named:])
    exploits = None
    per_pairing = bal.games_per_pair(games, len(players)) if probe_games is None else probe_games
    opponents = bal.skilled(players)
    if per_pairing and opponents:
        with BotProgress("balance: probes", plain=False) as progress:
            probes = bal.probe_entrants()
            exploits = bal.play_exploits(
                rules, probes, opponents, per_pairing, seed, backend=bots.run, progress=progress
            )
    replays = None
    if impact:
        from ..analysis.impact import play_replays

        with BotProgress("balance: impact", plain=False) as progress:
            replays = play_replays(sim, backend=bots.run, progress=progress)
    recorded = None
    if records is not None:
        recorded = bal.recorded_section(rules, read_recorded(records, rules), records, seed)
    doc = bal.balance_report(sim, seed, command, games, recorded, ablations, exploits, replays)
    speed = bal.speed(sim, exploits, replays)
    if html_path is not None:
        from ..analysis.html import balance_html

        write_report(html_path, balance_html(doc))
    if csv_dir is not None:
        from ..analysis.export import Tables

        tables = Tables()
        tables.add(sim.lines, sim.games)
        write_tables(csv_dir, tables)
    if as_json:
        click.echo(json.dumps({**doc, "speed": speed}, indent=1))
        return
    for line in balance_lines(doc, speed):
        click.echo(line)


@cli.command("compare", epilog=AGENT_SPEC_HELP)
@click.argument("rules_a", metavar="A.toml", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("rules_b", metavar="B.toml", type=click.Path(dir_okay=False, path_type=Path))
@repeated("--set-a", "set_a", "KEY.PATH=VALUE", "Override a value of A (repeatable).")
@repeated("--set-b", "set_b", "KEY.PATH=VALUE", "Override a value of B (repeatable).")
@agents_option("Agents (default: greedy,boulware,titfortat,linear).")
@games_option("Games under each rule set (the most, with --until-significant).", default=400, show=True)
@bot_options
@click.option("--metric", default="score_gap", show_default=True, help="The metric the sequential test decides on.")
@click.option(
    "--until-significant",
    "until",
    is_flag=True,
    help="Play in batches and stop once a sequential test (SPRT) decides whether --metric differs.",
)
@click.option(
    "--delta",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Smallest difference in --metric that matters (default: 0.05 for a rate, else 0.1 standard deviations).",
)
@report_outputs("compare", "comparison")
@csv_option("game under A and under B")
def compare_cmd(
    rules_a: Path,
    rules_b: Path,
    set_a: tuple[str, ...],
    set_b: tuple[str, ...],
    agents_text: str | None,
    games: int,
    bots: Bots[int],
    metric: str,
    until: bool,
    delta: float | None,
    as_json: bool,
    html_path: Path | None,
    csv_dir: Path | None,
) -> None:
    """Play the same seeds, seats and agents under rule files A and B and show every metric side by side.

    Each row gives the metric under A and B, the paired difference B − A with its 95% interval, and a
    verdict. With --until-significant the games are played in batches until the sequential test on
    --metric is decided, and the report says how many games that took."""
    from ..analysis import balance as bal
    from ..analysis.compare import compare_report, run_compare, shared_defs
    from ..analysis.text import compare_lines

    seed = bots.seed
    ra = load_rules(rules_a, set_a)
    rb = load_rules(rules_b, set_b)
    names = [da.name for da, _ in shared_defs(ra, rb)]
    if metric not in names:
        raise click.BadParameter(
            f"unknown metric {metric!r}; the metrics of both rule sets are: {', '.join(names)}", param_hint="--metric"
        )
    bots.load_agents()
    specs = agent_list(agents_text)
    options: list[tuple[str, Any]] = [(f"--set-a={o}", True) for o in set_a] + [(f"--set-b={o}", True) for o in set_b]
    options += [("--agents", ",".join(specs)), ("--games", games), ("--seed", seed)]
    options += [("--metric", metric if until or metric != "score_gap" else None), ("--until-significant", until)]
    options.append(("--delta", delta))
    command = bal.command_line("compare", None, (), options, [str(rules_a), str(rules_b)])
    with BotProgress("compare", plain=False) as progress:
        cmp = run_compare(
            ra,
            rb,
            specs,
            games,
            seed,
            backend=bots.run,
            metric=metric,
            until=until,
            delta=delta,
            progress=progress,
        )
    labels = {"a": " ".join([str(rules_a), *set_a]), "b": " ".join([str(rules_b), *set_b])}
    doc = compare_report(cmp, seed, command, labels, metric)
    if html_path is not None:
        from ..analysis.html import compare_html

        write_report(html_path, compare_html(doc))
    if csv_dir is not None:
        from ..analysis.export import SIDE_COLUMNS, Tables

        tables = Tables(SIDE_COLUMNS)
        for side, sim in (("a", cmp.a), ("b", cmp.b)):
            tables.add(sim.lines, sim.games, {"side": side})
        write_tables(csv_dir, tables)
    if as_json:
        click.echo(json.dumps(doc, indent=1))
        return
    for line in compare_lines(doc):
        click.echo(line)


@cli.command("metagame", epilog=AGENT_SPEC_HELP)
@click.argument("agents", nargs=-1, required=True, metavar="AGENT...")
@rules_options
@games_option("Games per pair.", default=100, show=True)
@bot_options
@click.option(
    "--resamples", type=click.IntRange(min=0, max=10_000), default=200, show_default=True, help="Bootstrap resamples."
)
@json_option("meta-game")
@html_option("Also write a self-contained HTML page: payoff matrix, equilibrium weights and regrets, verdict.")
def metagame_cmd(
    agents: tuple[str, ...],
    rules_path: Path | None,
    overrides: tuple[str, ...],
    games: int,
    bots: Bots[int],
    resamples: int,
    as_json: bool,
    html_path: Path | None,
) -> None:
    """Play a round robin of AGENTs and solve its meta-game: which agents a rational field would play.

    The payoff of one agent against another is its score rate (role-swapped, paired deals); the
    maximum-entropy Nash equilibrium of that symmetric zero-sum game gives each agent a weight, and an
    agent outside its support a regret: how far below an even result it scores against the equilibrium
    mix. Intervals come from resampling each pair's deals."""
    from ..runs.tournament import entrants, make_plan, run_plan

    seed = bots.seed
    if len(agents) < 2:
        raise click.UsageError("a meta-game needs at least two agents")
    try:  # before any game is played
        from ..analysis.metagame import metagame, pair_scores, report, report_lines
    except ImportError:
        raise SummitError("metagame needs scipy: pip install 'summitgame[metagame]'") from None
    rules = load(rules_path, overrides)
    bots.load_agents()
    players = entrants(agents)
    labels = [p.label for p in players]
    plan = make_plan(labels, games, seed, rules)
    with BotProgress("metagame", plain=False) as progress:
        run = run_plan(rules, players, plan, backend=bots.run, progress=progress)
    game = metagame(labels, pair_scores(labels, run.lines), resamples=resamples, seed=seed)
    doc = report(game, games, seed)
    if html_path is not None:
        from ..analysis.html import metagame_html

        write_report(html_path, metagame_html(doc))
    if as_json:
        click.echo(json.dumps({**doc, "speed": speed_doc(run)}, indent=1))
        return
    for line in report_lines(doc):
        click.echo(line)


def main() -> None:
    """Entry point for the console script and ``python -m summitgame``."""
    try:
        cli.main(prog_name="summitgame")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
