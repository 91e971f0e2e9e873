"""Adapters that let other game-AI libraries play summits: PettingZoo (``integrations.pettingzoo``) and
OpenSpiel (``integrations.openspiel``). Each is imported on its own, so neither library is needed
by the rest of the package; both build what a player sees from ``observation.observe`` only."""
