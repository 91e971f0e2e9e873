"""``python -m summitgame``: the same as the ``summitgame`` command."""

from .cli.commands import main

if __name__ == "__main__":
    main()
