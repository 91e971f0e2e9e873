"""Playing a plan's games on an existing Dask cluster: the ``--scheduler ADDRESS`` backend of ``run_plan``.

The games still left to play are cut into chunks (about ``CHUNKS_PER_THREAD`` per worker thread, at most
``MAX_CHUNK`` games each, so the load balances and a chunk's result is a small message), and each chunk is
one task of ``play_chunk``, which rebuilds both agents for every game exactly as a local worker does: a
game's line does not depend on where it was played. The rules and agents are scattered to every worker
once. Finished chunks go to ``run_plan``'s ``finished`` callback as they complete, so streaming to
games.jsonl, progress, ``stop_after`` and resume work as they do locally; ``RunResult.lines`` is in plan
order as always.

Agent classes travel by reference (module and name), as they do to local workers: every Dask worker must
be able to import them, and must run the same summitgame version as this process (checked per chunk).

**Time limits.** Dask runs tasks in worker threads, where no ``SIGALRM`` timer can interrupt an agent's
call: a move that returns past ``move_timeout`` still forfeits its game (``play_game`` checks the clock
after every call), but an agent stuck in a call holds its worker thread until it returns. A worker that
dies (an agent calling ``os._exit``, a crash in native code) fails the run once Dask gives up retrying.

``dask.distributed`` is imported only here, and only when a scheduler is given (the optional extra
``summitgame[distributed]``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import socket
import ssl
import struct
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError
from typing import TYPE_CHECKING, Any, cast

from ..rules.ruleset import Ruleset
from ..safeio import printable
from ..version import __version__
from .plan import Entrant, PlannedGame, TournamentError
from .workers import Games, Measure, Table, Watch

if TYPE_CHECKING:
    from distributed import Client, Future

CONNECT_TIMEOUT = 10.0  #: seconds to reach the scheduler, and to wait for a first worker if it has none
PROBE_TIMEOUT = 5.0  #: seconds a server may take to send its first bytes before it is refused as not Dask
MAX_HANDSHAKE = 1 << 20  #: a Dask handshake message is a few hundred bytes; more is not Dask
CHUNKS_PER_THREAD = 4  #: chunks per worker thread, so that threads finishing early pick up more work
IN_FLIGHT_PER_THREAD = 3  #: chunks submitted and not yet reported, per worker thread, at most
MAX_CHUNK = 32  #: games per chunk at most
NEEDS_DISTRIBUTED = "--scheduler needs dask.distributed: pip install 'summitgame[distributed]'"


def play_chunk(
    rules: Ruleset,
    players: Sequence[Entrant],
    games: Sequence[PlannedGame],
    move_timeout: float | None,
    engine: str,
    measure: Measure | None = None,
) -> list[str] | list[tuple[str, Any]]:
    """A Dask task: play some planned games; their result lines (JSON text), in the order given. With
    ``measure``, each line comes with what ``measure`` makes of it, measured here, where the game was played
    (as a local worker does), so the parent never replays a game."""
    if engine != __version__:
        raise TournamentError(
            f"a Dask worker runs summitgame {__version__} but this run uses {engine}; install the same version "
            "on every worker"
        )
    table = Table(rules, players, move_timeout, Watch(move_timeout))  # no SIGALRM off the main thread
    if measure is None:
        return [table.play(g) for g in games]
    out = []
    for g in games:
        text = table.play(g)
        out.append((text, measure(json.loads(text), rules)))
    return out


def chunk_size(games: int, threads: int) -> int:
    """Games per chunk: several chunks per worker thread, none over ``MAX_CHUNK``."""
    return max(1, min(MAX_CHUNK, math.ceil(games / (CHUNKS_PER_THREAD * max(1, threads)))))


def chunks(games: Sequence[PlannedGame], threads: int) -> list[list[PlannedGame]]:
    """The games cut into consecutive chunks: several per worker thread, none over ``MAX_CHUNK``."""
    size = chunk_size(len(games), threads)
    return [list(games[i : i + size]) for i in range(0, len(games), size)]


def _cut(games: Iterable[PlannedGame], size: int) -> Iterator[list[PlannedGame]]:
    """Consecutive chunks of ``size`` games (the last may be shorter), made as they are asked for."""
    it = iter(games)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _distributed() -> Any:
    """The ``distributed`` module, or a TournamentError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise TournamentError(NEEDS_DISTRIBUTED) from None
    return distributed


@contextlib.contextmanager
def connect(scheduler: str | Client) -> Iterator[Client]:
    """A client of the scheduler at an address (closed afterwards), or the client given (left open).

    TournamentError, within about ``PROBE_TIMEOUT`` + ``CONNECT_TIMEOUT`` seconds, if dask.distributed is
    missing, the address is malformed, ``tls://`` has no TLS configuration, or no Dask scheduler answers
    there: nothing listening, a server that says nothing (an HTTP server waits for a request), or one that
    sends what is no Dask message (``probe``)."""
    distributed = _distributed()
    if not isinstance(scheduler, str):
        yield scheduler
        return
    from distributed.comm.addressing import get_address_host_port, parse_address

    shown = printable(scheduler, limit=200)
    try:
        scheme, _ = parse_address(scheduler)
        host, port = get_address_host_port(scheduler)  # a malformed address would leave a half-made Client behind
    except (ValueError, TypeError) as exc:
        raise TournamentError(
            f"'{shown}' is not a Dask scheduler address like tcp://HOST:8786 ({printable(exc, limit=200)})"
        ) from None
    security = distributed.Security()
    context = None
    if scheme == "tls":
        context = security.get_connection_args("client").get("ssl_context")
        if context is None:
            raise TournamentError(
                f"{shown}: tls:// needs the client's TLS certificate and key in the Dask configuration "
                "(distributed.comm.tls.ca-file, .client.cert, .client.key); or pass a distributed.Client made "
                "with a Security object from Python"
            )
    if scheme in ("tcp", "tls"):
        probe(shown, host, port, context)
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False, security=security)
    except Exception as exc:  # the scheduler answered the probe but not the client: say so in one line
        why = printable(f"{type(exc).__name__}: {exc}", limit=300)
        raise TournamentError(f"cannot reach the Dask scheduler at {shown}: {why}") from None
    try:
        yield client
    finally:
        client.close()


def probe(shown: str, host: str, port: int, context: ssl.SSLContext | None = None) -> None:
    """Check that a Dask server listens at ``host:port`` before a Client connects: a Dask server sends the
    length of its handshake message as soon as a connection opens. TournamentError if nothing listens within
    ``CONNECT_TIMEOUT`` seconds, nothing is said within ``PROBE_TIMEOUT``, or the first eight bytes are not
    the length of a handshake (junk, or an HTTP server's answer read as a length of exabytes)."""
    deadline = time.monotonic() + CONNECT_TIMEOUT
    pause = 0.05
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=min(PROBE_TIMEOUT, CONNECT_TIMEOUT))
            break
        except OSError as exc:  # refused (maybe not up yet: try again until the deadline), unreachable, no such host
            if time.monotonic() + pause >= deadline or not isinstance(exc, ConnectionRefusedError):
                why = printable(exc.strerror or exc, limit=200)
                raise TournamentError(f"cannot reach the Dask scheduler at {shown}: {why}") from None
            time.sleep(pause)
            pause = min(1.0, pause * 2)
    try:
        sock.settimeout(PROBE_TIMEOUT)
        if context is not None:
            sock = context.wrap_socket(sock, server_hostname=host if context.check_hostname else None)
        head = b""
        while len(head) < 8:
            chunk = sock.recv(8 - len(head))
            if not chunk:
                raise TournamentError(f"{shown} closed the connection without a word: not a Dask scheduler")
            head += chunk
    except TimeoutError:
        raise TournamentError(
            f"{shown} said nothing within {PROBE_TIMEOUT:g} s of connecting: not a Dask scheduler (an HTTP "
            "server, say, or the dashboard's port)"
        ) from None
    except (OSError, ssl.SSLError) as exc:
        raise TournamentError(f"cannot reach the Dask scheduler at {shown}: {printable(exc, limit=200)}") from None
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    (size,) = struct.unpack("Q", head)  # as distributed.comm.tcp reads it
    if not 0 < size <= MAX_HANDSHAKE:
        raise TournamentError(
            f"{shown} does not speak the Dask protocol (its first message would be {size:,} bytes long); "
            "is it a Dask scheduler's address?"
        )


def address(client: Client) -> str:
    """The scheduler's address, for reports."""
    return str(client.scheduler.address)


def threads(client: Client) -> int:
    """Worker threads on the cluster, after waiting (up to ``CONNECT_TIMEOUT``) for a first worker."""
    n = int(sum(client.nthreads().values()))
    if n:
        return n
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        raise TournamentError(
            f"the Dask scheduler at {address(client)} has no workers (start some with: dask worker ADDRESS)"
        ) from None
    return max(1, int(sum(client.nthreads().values())))


def run_on_cluster(
    client: Client,
    rules: Ruleset,
    players: Sequence[Entrant],
    move_timeout: float | None,
    todo: Games,
    finished: Callable[[list[str]], bool],
    n_threads: int,
    measure: Measure | None = None,
    measured: dict[int, Any] | None = None,
) -> None:
    """Play ``todo`` on the cluster; hand each finished chunk's lines to ``finished`` (which says when to
    stop), after putting what ``measure`` made of each game (on the worker) in ``measured`` by plan index.
    At most ``IN_FLIGHT_PER_THREAD`` chunks per worker thread are submitted at a time, so a run of any length
    holds a bounded number of tasks. Unfinished tasks are cancelled on the way out (stop, error or Ctrl-C)."""
    from distributed import as_completed

    rules_f, players_f = _scatter(client, rules, players)
    parts = _cut(todo, chunk_size(len(todo), n_threads))
    games: dict[str, list[PlannedGame]] = {}

    def submit() -> Future | None:
        part = next(parts, None)
        if part is None:
            return None
        fut = client.submit(play_chunk, rules_f, players_f, part, move_timeout, __version__, measure, pure=False)
        games[fut.key] = part
        return fut

    first = [f for f in (submit() for _ in range(IN_FLIGHT_PER_THREAD * max(1, n_threads))) if f is not None]
    running = as_completed(first, loop=client.loop)
    try:
        for fut in running:
            part = games.pop(fut.key)
            texts = _texts(fut, part)
            if measure is not None:
                pairs = cast("list[tuple[str, Any]]", texts)
                texts = [t for t, _ in pairs]
                if measured is not None:
                    measured.update((g.index, m) for g, (_, m) in zip(part, pairs, strict=True))
            if finished(cast("list[str]", texts)):
                return
            more = submit()
            if more is not None:
                running.add(more)
    finally:
        with contextlib.suppress(Exception):  # the cluster may be gone: the error that got us here matters more
            client.cancel([*running.futures, rules_f, players_f])


def _scatter(client: Client, rules: Ruleset, players: Sequence[Entrant]) -> list[Future]:
    """Send the rules and agents to every worker once; a worker that cannot unpickle them (an agent class it
    cannot import) fails the scatter."""
    try:
        return list(client.scatter([rules, list(players)], broadcast=True, hash=False))
    except Exception as exc:  # the workers' error comes back as a bare Exception with its text
        raise TournamentError(
            f"could not send the rules and agents to the Dask workers ({exc}); agent classes (and summitgame) "
            "must be importable on every worker"
        ) from None


def _texts(fut: Future, games: Sequence[PlannedGame]) -> list[Any]:
    """A finished chunk's lines, or a TournamentError saying what went wrong on the cluster."""
    from distributed import KilledWorker

    span = f"games {games[0].index}–{games[-1].index}" if len(games) > 1 else f"game {games[0].index}"
    try:
        return list(fut.result())
    except TournamentError:
        raise
    except KilledWorker:
        raise TournamentError(
            f"Dask workers kept dying while playing {span} (an agent that ends its process, a crash in native "
            "code, or out of memory)"
        ) from None
    except (OSError, CancelledError) as exc:
        raise TournamentError(f"lost the Dask cluster while playing {span}: {type(exc).__name__}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise TournamentError(
            f"a Dask worker could not import {exc.name!r}: agent classes (and summitgame) must be importable "
            "on every worker"
        ) from None
    except Exception as exc:
        tb = "".join(traceback.format_exception(type(exc), exc, fut.traceback()))
        raise TournamentError(f"a Dask worker failed on {span} (not inside an agent):\n{tb}") from None
