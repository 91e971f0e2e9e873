"""Adapters that let other game-AI libraries play summits: Gymnasium (``integrations.gymnasium``), PettingZoo
(``integrations.pettingzoo``) and OpenSpiel (``integrations.openspiel``). Each is imported on its own, so no
library is needed by the rest of the package; all show a player only what ``observation.observe`` shows
(Gymnasium and PettingZoo encode it from ``observation.sight``, the same fields without building the
``Observation``).

This package imports nothing, so that ``register_gymnasium_envs``, the target of summitgame's
``gymnasium.envs`` entry point, can be loaded while gymnasium itself is still being imported."""


def register_gymnasium_envs() -> None:
    """Register ``summitgame/Summit-v0`` with gymnasium (the ``gymnasium.envs`` entry point's target; gymnasium
    0.26 to 0.29 call it inside the entry point's namespace, ``summitgame``, on ``import gymnasium``)."""
    from gymnasium.envs.registration import register

    register(id="summitgame/Summit-v0", entry_point="summitgame.integrations.gymnasium:SummitEnv")
