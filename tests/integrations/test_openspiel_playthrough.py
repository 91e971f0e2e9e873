"""The stored OpenSpiel playthrough of ``python_summit`` replays line for line (see openspiel_playthrough.py)."""

from __future__ import annotations

import pytest

from openspiel_playthrough import CASES, PLAYTHROUGHS, absl_flags_ready, playthrough


@pytest.mark.parametrize("name", sorted(CASES))
def test_playthrough_replays_unchanged(name: str) -> None:
    """OpenSpiel's own check (``playthrough_test.py``): rerun the recorded actions and compare every line."""
    from open_spiel.python.algorithms import generate_playthrough  # ~1 s to import: not in every collecting worker

    absl_flags_ready()
    expected, actual = generate_playthrough.replay(str(PLAYTHROUGHS / name))
    for number, (want, got) in enumerate(zip(expected.split("\n"), actual.split("\n"), strict=False), 1):
        assert got == want, f"{name}:{number} changed: rerun python tests/openspiel_playthrough.py and review"
    assert actual == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_playthrough_is_the_tool_output_for_its_seed(name: str) -> None:
    """The file is what the tool writes for the case's game and seed (not an edited or hand-made file)."""
    game_string, seed = CASES[name]
    text = (PLAYTHROUGHS / name).read_text(encoding="utf-8")
    assert text.startswith(f"game: {game_string}\n")
    assert 'GameType.short_name = "python_summit"' in text
    assert text.count('# Apply action "') > 10  # a whole game: the deal and many decisions
    assert playthrough(game_string, seed) == text
