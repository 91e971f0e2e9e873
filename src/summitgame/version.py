"""The engine's version: one place, imported by the modules that stamp it on records and reports."""

__version__ = "0.1.0"
