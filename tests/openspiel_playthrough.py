"""OpenSpiel playthroughs of ``python_summit``, written by OpenSpiel's own tool and diffed in a test.

    python tests/openspiel_playthrough.py      # rewrite tests/playthroughs/*.txt after an intended change

OpenSpiel keeps one such file per game (``open_spiel/integration_tests/playthroughs/``): every state of a
seeded random game as ``generate_playthrough`` prints it (history, information state and observation
strings and tensors, legal actions, returns). ``tests/integrations/test_openspiel_playthrough.py`` replays each file
with ``generate_playthrough.replay``, as OpenSpiel's ``playthrough_test.py`` does, so a change in the
adapter, the observation encoding or the default rules shows up as a readable diff in review. The file
plays the bundled default rules, so it is regenerated, and reviewed, whenever they change.
"""

from __future__ import annotations

from pathlib import Path

from absl import flags

import summitgame.integrations.openspiel  # noqa: F401  (registers python_summit with pyspiel)

HERE = Path(__file__).resolve().parent
PLAYTHROUGHS = HERE / "playthroughs"
CASES = {"python_summit.txt": ("python_summit", 0)}
"""File name -> (game string, seed of the tool's random action choices)."""


def absl_flags_ready() -> None:
    """The tool reads an absl flag (``--playthrough_use_action_ids``, off: actions by their strings); outside an
    absl program nobody parses the flags, so take their defaults."""
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()


def playthrough(game_string: str, seed: int) -> str:
    """A fresh playthrough of ``game_string``: random legal actions (chance too) from ``seed``."""
    from open_spiel.python.algorithms import generate_playthrough  # ~1 s to import: only where it runs

    absl_flags_ready()
    text: str = generate_playthrough.playthrough(game_string, None, seed=seed)
    return text


def main() -> None:
    PLAYTHROUGHS.mkdir(exist_ok=True)
    for name, (game_string, seed) in CASES.items():
        (PLAYTHROUGHS / name).write_text(playthrough(game_string, seed), encoding="utf-8")
        print(f"wrote tests/playthroughs/{name}")


if __name__ == "__main__":
    main()
