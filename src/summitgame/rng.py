"""A tiny splitmix64 generator whose whole state is one int, so a game state copies it for free.

Chance lives in the game state (not in a shared ``random.Random``): clone and replay are exact,
and a bot's randomness never shifts the cards dealt.
"""

from __future__ import annotations

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
