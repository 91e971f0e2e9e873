"""Agents: players that see only observations. ``make_agent("mcts:iterations=400")`` builds one."""

from . import builtin  # noqa: F401  (registers the shipped agents, so that base's lookups find them)
from .base import Agent, AgentError, available, load_class, make_agent, parse_spec, register

__all__ = ["Agent", "AgentError", "available", "load_class", "make_agent", "parse_spec", "register"]
