"""Where a run's games are played, as one typed value handed down from a command to the runner (issue 14).

Results never depend on it: the same seed plays the same games in this process, on worker processes or on a
Dask cluster. The seed is not here: it says which games are played, not where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

    from .workers import Pool


@dataclass(frozen=True)
class RunOptions:
    """``workers`` local processes (1 and no ``move_timeout``: this process), a move's time limit in seconds,
    a Dask ``scheduler`` (address or open client; ``workers`` is then ignored), or an open ``pool`` to reuse."""

    workers: int = 1
    move_timeout: float | None = None
    scheduler: str | Client | None = None
    pool: Pool | None = None


HERE = RunOptions()  #: every game in this process, no move limit: the runners' default
