"""Seeds and chance: how a run's seeds are derived, and the generator a game state carries.

**Derivation.** A run (a match, a tournament, a designer's batch of games) has one *run seed*. The deal
seed of its deal k, and the seed of the random stream handed to the agent in seat r of its game k, are
derived from it by keyed hashes in two separate domains (BLAKE2b with a different ``person`` string),
64 bits each. The hash is one-way: an agent that recovers its own stream's seed learns nothing about the
run seed, so nothing about the deals, unless it can guess the run seed itself. That is why ``match`` and
``tournament`` draw the run seed at random (``draw_run_seed``) unless the user gives one: a seed someone
typed is a seed someone else can guess.

**The generator.** A tiny splitmix64 whose whole state is one int, so a game state copies it for free.
Chance lives in the game state (not in a shared ``random.Random``): clone and replay are exact, and a
bot's randomness never shifts the cards dealt.
"""

from __future__ import annotations

import hashlib
import secrets

SEED_BITS = 64  #: deal, agent and drawn run seeds are this wide
DEAL_DOMAIN = b"summit-deal"  #: BLAKE2b personalisation of deal seeds
AGENT_DOMAIN = b"summit-agent"  #: BLAKE2b personalisation of agent stream seeds


def _derive(domain: bytes, *parts: int | str) -> int:
    """A 64-bit BLAKE2b digest of ``parts`` in ``domain``: one-way, and unrelated across domains.

    Parts are written in decimal joined by ``:`` (a fixed number per use), so any int, negative or huge, works."""
    text = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=SEED_BITS // 8, person=domain).digest(), "big")


def draw_run_seed() -> int:
    """A run seed no one can guess: 64 bits from the operating system's secure source."""
    return secrets.randbits(SEED_BITS)


def deal_seed(run_seed: int, k: int) -> int:
    """The deal seed of deal ``k`` of the run started from ``run_seed`` (``engine.new_game`` takes it).

    Every runner derives its deals here: simulate, balance, compare, sweep, targets, tune, match, tournament."""
    return _derive(DEAL_DOMAIN, run_seed, k)


def agent_seed(run_seed: int, game: int, role: int) -> int:
    """The seed of the random stream of the agent in seat ``role`` of game ``game`` of the run.

    Derived from the run seed in the agent domain, never from the deal seed, so a stream says nothing
    about the cards dealt."""
    return _derive(AGENT_DOMAIN, "run", run_seed, game, role)


def deal_agent_seed(deal: int, role: int) -> int:
    """The agent stream seed for a game played on its own, from its deal seed (one-way, agent domain).

    For a single game with no run around it (``match.play_game`` without agent seeds, the hot seat):
    safe when the deal seed was drawn at random, guessable when it was typed."""
    return _derive(AGENT_DOMAIN, "deal", deal, role)


MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def seed_state(seed: int) -> int:
    """The generator state for a user seed (any int, negative or huge)."""
    s = (seed * 0x2545F4914F6CDD1D + 0x1D8E4E27C47D124F) & MASK
    _, out = next_u64(s)
    return out


def next_u64(state: int) -> tuple[int, int]:
    """Advance the state; return (new state, 64 random bits)."""
    state = (state + GOLDEN) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def below(state: int, n: int) -> tuple[int, int]:
    """Advance the state; return (new state, a uniform int in 0..n-1) by multiply-shift."""
    state = (state + GOLDEN) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, ((z ^ (z >> 31)) * n) >> 64
