"""Adapters that let other game-AI libraries play summits: PettingZoo (``integrations.pettingzoo``) and
OpenSpiel (``integrations.openspiel``). Each is imported on its own, so neither library is needed
by the rest of the package; both show a player only what ``observation.observe`` shows (PettingZoo
encodes it from ``observation.sight``, the same fields without building the ``Observation``)."""
