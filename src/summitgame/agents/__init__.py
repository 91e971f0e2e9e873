"""Agents: players that see only observations. ``make_agent("mcts:iterations=400")`` builds one."""

from .base import Agent, AgentError, available, load_class, make_agent, parse_spec, register

__all__ = ["Agent", "AgentError", "available", "load_class", "make_agent", "parse_spec", "register"]
