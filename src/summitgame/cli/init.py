"""The ``init`` command: start a variant in a folder (registered on the ``cli`` group)."""

from __future__ import annotations

from pathlib import Path

import click

from ..rules.loader import display


@click.command("init")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "source",
    metavar="NAME",
    default=None,
    help="Copy a bundled rule set and its decks (summit, classic or trade) instead of the small skeleton.",
)
def init_cmd(folder: Path, source: str | None) -> None:
    """Write the files a variant starts from into DIR: rules.toml, cards/*.toml, targets.toml and the JSON
    Schemas their #:schema lines name. Without --from, a small commented rule set of its own (two roles, two
    tracks, a few cards); it validates and plays as written. Never overwrites a file: if one exists, nothing
    is written."""
    from ..rules.scaffold import skeleton, write_skeleton

    written = write_skeleton(folder, skeleton(source))
    for path in written:
        click.echo(f"wrote {display(path)}")
    rules = display(folder / "rules.toml")
    click.echo(f"next: summitgame validate {rules}; summitgame simulate --rules {rules}")
