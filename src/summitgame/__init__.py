"""summitgame: a tabletop negotiation game engine with rules and cards as data."""

__version__ = "0.1.0"
