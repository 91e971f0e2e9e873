"""What the command modules share: option decorators, the error-reporting group, agent lists, progress, reports.

``commands``, ``explore`` and ``exploit`` import from here, so none of them imports another's helpers.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import click

from ..errors import RulesError, SummitError
from ..rules.loader import load_rules
from ..rules.ruleset import Ruleset
from ..runs.options import RunOptions
from ..safeio import printable

F = TypeVar("F", bound=Callable[..., Any])


def repeated(flag: str, dest: str, metavar: str, help_text: str) -> Callable[[F], F]:
    """An option given any number of times (``--set``, ``--agent``, ``--param``, ...); its values arrive as a
    tuple in ``dest``."""
    return click.option(flag, dest, multiple=True, metavar=metavar, help=help_text)


def rules_options(func: F) -> F:
    """Add ``--rules PATH`` and repeatable ``--set key.path=value`` to a command."""
    func = repeated(
        "--set",
        "overrides",
        "KEY.PATH=VALUE",
        "Override one rule value (repeatable), validated like the file, e.g. --set meters.trust.start=4.",
    )(func)
    func = click.option(
        "--rules",
        "rules_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Rule file to play (default: the bundled rules/summit.toml).",
    )(func)
    return func


def load(rules_path: Path | None, overrides: tuple[str, ...]) -> Ruleset:
    """Load rules for a command (errors propagate to ``main``)."""
    return load_rules(rules_path, overrides)


class SummitGroup(click.Group):
    """The command group that turns the errors the engine raises on purpose into a message on stderr and exit
    status 1, once for every command (no traceback): a RulesError as its problem lines and their count, any
    other SummitError as one ``error: ...`` line; Ctrl-C as ``interrupted`` and status 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RulesError as exc:
            for line in exc.lines():  # the first 200, then "... and N more"
                click.echo(line, err=True)
            n = len(exc.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found.", err=True)
            sys.exit(1)
        except SummitError as exc:
            click.echo(f"error: {printable(exc, keep_newlines=True)}", err=True)  # data in messages: no escapes
            sys.exit(1)
        except KeyboardInterrupt:  # commands that can resume say how themselves, before this
            click.echo("interrupted", err=True)
            sys.exit(130)


def rules_args(rules_path: Path | None, overrides: tuple[str, ...]) -> list[str]:
    """The --rules/--set options as given, to repeat in saves and resume hints."""
    out = ["--rules", str(rules_path)] if rules_path is not None else []
    for o in overrides:
        out += ["--set", o]
    return out


AGENT_SPEC_HELP = (
    "An agent is a spec NAME[:key=value,...], e.g. random or mcts:iterations=400,c=1.2. Third-party agents "
    "come from the summitgame.agents entry-point group, or from --agent MODULE:CLASS (an Agent subclass; "
    "use its name in specs). `summitgame agents` lists every agent's parameters and their ranges."
)


def backend_options(func: F) -> F:
    """Add the options that say where games are played, for any command that plays many: ``--workers N``
    (local worker processes) and ``--scheduler ADDRESS`` (an existing Dask cluster). The command receives
    ``workers: int`` and ``scheduler: str | None``; results do not depend on either."""
    func = click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Play the games on the existing Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786; "
        "needs summitgame[distributed]) instead of on local processes; --workers is then ignored. The workers "
        "must be able to import summitgame and every agent class. Results equal a local run's. With "
        "--move-timeout a late move still forfeits there, but an agent stuck in a move cannot be interrupted.",
    )(func)
    func = click.option(
        "--workers",
        "-w",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Worker processes (with 1 and no --move-timeout, games run in this process). Results do not depend on it.",
    )(func)
    return func


Seed = TypeVar("Seed", int, int | None)


@dataclass(frozen=True)
class Bots(Generic[Seed]):
    """A command's bot options as one value: the run seed (``int``, or ``int | None`` where None draws one at
    random), where its games are played (``run``; a Dask scheduler is still an address there) and the plug-in
    agent classes of ``--agent`` (loaded when the command says)."""

    seed: Seed
    run: RunOptions
    agent_classes: tuple[str, ...] = ()

    def load_agents(self) -> None:
        """Import and register the ``--agent`` classes (``load_agent_classes``)."""
        load_agent_classes(self.agent_classes)

    def opened(self) -> RunOptions:
        """``run`` with its Dask scheduler connected once for the whole command (closed when it ends) rather
        than once per point or candidate; ``run`` as it is without a scheduler."""
        scheduler = self.run.scheduler
        if not isinstance(scheduler, str):
            return self.run
        from ..runs.cluster import connect

        return replace(self.run, scheduler=click.get_current_context().with_resource(connect(scheduler)))


def bot_options(func: F) -> F:
    """Options shared by the commands that play bots: seed, where to play (``backend_options``), move limit,
    plug-in agent classes, arriving as one ``bots: Bots[int]``. Designer commands default to seed 0: their bots are
    trusted, the answer repeatable."""
    func = _bot_options(func)
    return click.option(
        "--seed", "-s", type=int, default=0, show_default=True, help="Run seed: every deal is derived from it."
    )(func)


def bot_run_options(func: F) -> F:
    """``bot_options`` for match and tournament: without ``--seed`` the run seed is drawn at random (and
    printed), so no agent can guess the deals: ``bots: Bots[int | None]``."""
    func = _bot_options(func)
    return click.option(
        "--seed",
        "-s",
        type=int,
        default=None,
        help="Run seed: every deal is derived from it. Default: drawn at random and printed in the summary "
        "(a seed you type is a seed others can guess); with --resume, the seed of the run being resumed.",
    )(func)


def _bot_options(command: F) -> F:
    """``--workers``, ``--scheduler``, ``--move-timeout`` and ``--agent``, handed to ``command`` with ``--seed``
    (which the caller adds) as one ``bots``."""

    @functools.wraps(command)
    def bundled(
        *args: Any,
        seed: int | None,
        workers: int,
        scheduler: str | None,
        move_timeout: float | None,
        agent_classes: tuple[str, ...],
        **kwargs: Any,
    ) -> Any:
        bots = Bots(seed, RunOptions(workers, move_timeout, scheduler), agent_classes)
        return command(*args, bots=bots, **kwargs)

    func = cast(F, bundled)
    func = repeated(
        "--agent",
        "agent_classes",
        "MODULE:CLASS",
        "Load an Agent subclass so its name can be used in specs (repeatable), e.g. --agent mybots:Hawk.",
    )(func)
    func = click.option(
        "--move-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SEC",
        help="Per-move time limit: an agent that exceeds it (or raises) forfeits the game and play goes on. "
        "Games then run on worker processes, and a worker stuck in a move is replaced.",
    )(func)
    return backend_options(func)


def load_agent_classes(targets: tuple[str, ...]) -> None:
    """Import and register each ``module:Class`` (AgentError if it is not an Agent subclass).

    The current directory is searched too (the console script does not put it on the path), and worker
    processes inherit the path."""
    import os

    from ..agents import load_class

    if targets and "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    for target in targets:
        load_class(target)


class BotProgress:
    """A progress callback for a run: a rich progress bar on a terminal; otherwise a line on stderr
    every tenth of the games (``plain``), or nothing."""

    def __init__(self, label: str, plain: bool) -> None:
        from rich.console import Console

        self.label = label
        self.plain = plain
        self.console = Console(stderr=True)
        self.bar: Any = None
        self.task: Any = None
        self.shown: set[int] = set()

    def __enter__(self) -> BotProgress:
        if self.console.is_terminal:
            from rich import progress as rp

            columns = (rp.TextColumn("{task.description}"), rp.BarColumn(), rp.MofNCompleteColumn())
            times = (rp.TimeElapsedColumn(), rp.TimeRemainingColumn())
            self.bar = rp.Progress(*columns, *times, console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total)
            return
        tenth = 10 * done // max(total, 1)
        if self.plain and tenth not in self.shown:
            self.shown.add(tenth)
            click.echo(f"{self.label}: {done}/{total} games", err=True)


def agent_list(text: str | None) -> list[str]:
    """Agent specs from ``--agents A,B,...`` (commas inside a spec's parameters are kept: ``mcts:c=1,iterations=9``
    is one spec because ``iterations=9`` has no agent name before an ``=``)."""
    if not text:
        from ..analysis.balance import DEFAULT_AGENTS

        return list(DEFAULT_AGENTS)
    from ..analysis.targets import split_specs  # one reading for --agents and a targets file's [run] agents

    return split_specs(text)


def print_schema(kind: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    """An eager ``--schema`` flag: print the JSON Schema of the command's ``--json`` output (``kind``, one of
    ``analysis.schema.REPORTS``) and exit."""

    def show(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if not value or ctx.resilient_parsing:
            return
        from ..analysis import schema

        click.echo(json.dumps(schema.json_schema(kind), indent=1))
        ctx.exit()

    return show


def write_report(path: Path, html: str) -> None:
    from ..runs.records import write_atomic

    write_atomic(path, html)
    click.echo(printable(f"report:            {path}"), err=True)


def file_option(flag: str, dest: str, help_text: str, **settings: Any) -> Callable[[F], F]:
    """A file the command reads or writes (``--pgn``, ``--load``, ...; its path arrives as ``dest``, None when
    not given); ``settings``: click's others (``required``, ``metavar``, ``callback``)."""
    return click.option(
        flag, dest, type=click.Path(dir_okay=False, path_type=Path), default=None, help=help_text, **settings
    )


def json_option(what: str) -> Callable[[F], F]:
    """``--json``: print the command's ``what`` (its summary, report, ...) as one JSON document (``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print the {what} as one JSON document.")


def html_option(
    help_text: str = "Also write a self-contained HTML report with charts to this file.",
) -> Callable[[F], F]:
    """The ``--html FILE`` option every report command takes (its value arrives as ``html_path``); without
    matplotlib (``summitgame[html]``) it fails at once, before any game is played."""
    return file_option("--html", "html_path", help_text, callback=_needs_matplotlib)


def _needs_matplotlib(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        from ..analysis.html import need_matplotlib

        need_matplotlib()
    return value


def csv_option(what: str = "game") -> Callable[[F], F]:
    """The ``--csv DIR`` option of the commands that play games (its value arrives as ``csv_dir``)."""
    return folder_option(
        "--csv",
        f"Also write every {what} as tidy tables: DIR/games.csv (one row per game), DIR/agents.csv (per agent "
        "and role) and DIR/meters.csv (each meter as each round begins and at the end); columns: "
        "docs/researchers.md, Data out.",
        dest="csv_dir",
        metavar="DIR",
    )


def write_tables(folder: Path, tables: Any) -> None:
    """Write an ``export.Tables`` into ``folder`` and say where (on stderr: stdout may hold a JSON document)."""
    tables.write(folder)
    shown = f"tables:            {folder}/ (games.csv, agents.csv, meters.csv: {tables.games} games)"
    click.echo(printable(shown), err=True)


def games_option(help_text: str, low: int = 2, default: int | None = None, show: bool = False) -> Callable[[F], F]:
    """``--games/-n N``, at least ``low``, with the command's own default and help (``show``: print the default)."""
    shown: dict[str, Any] = {"show_default": True} if show else {}
    return click.option("--games", "-n", type=click.IntRange(min=low), default=default, help=help_text, **shown)


def agents_option(help_text: str, flag: str = "--agents", dest: str = "agents_text") -> Callable[[F], F]:
    """A comma list of agent specs, ``A,B,...`` (its text arrives as ``dest``)."""
    return click.option(flag, dest, default=None, metavar="A,B,...", help=help_text)


def folder_option(
    flag: str, help_text: str, dest: str | None = None, default: Path | None = None, **settings: Any
) -> Callable[[F], F]:
    """A folder the command reads or writes (``--out``, ``--records``, ``--csv``); a default given is shown in
    ``--help``; ``settings``: click's others (``required``, ``metavar``)."""
    shown: dict[str, Any] = {"show_default": True} if default is not None else {}
    names = (flag, dest) if dest else (flag,)
    path = click.Path(file_okay=False, path_type=Path)
    return click.option(*names, type=path, default=default, help=help_text, **shown, **settings)


def schema_option(callback: Callable[[click.Context, click.Parameter, bool], None]) -> Callable[[F], F]:
    """``--schema``: print the JSON Schema of the command's ``--json`` output and exit (``callback`` prints it)."""
    return click.option(
        "--schema",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=callback,
        help="Print the JSON Schema of the --json output and exit.",
    )


def resumable_out(default: str, holds: str, what: str) -> Callable[[F], F]:
    """``--out DIR`` (default ``default``; it ``holds`` the stored work) and ``--resume`` (go on with the
    interrupted ``what`` in it), for the commands whose long runs survive being stopped."""

    def decorate(func: F) -> F:
        func = click.option(
            "--resume", is_flag=True, help=f"Continue an interrupted {what} in --out (same command otherwise)."
        )(func)
        return folder_option("--out", f"Folder for {holds}.", dest="out_dir", default=Path(default))(func)

    return decorate
