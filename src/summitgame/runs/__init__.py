"""Running games: the match loop, records, plans, worker processes, the Dask backend, the games log, standings.

- ``match``: the one match loop; ``records``: game records and replay; ``plain``: games as text.
- ``plan``: who plays whom on which deal; ``workers``: playing planned games here or on a watched pool;
  ``cluster``: the same on a Dask cluster; ``gameslog`` and ``jsonlines``: the games log on disk.
- ``tournament``: the entry points; ``standings``, ``stats`` and ``report``: what a run's games add up to;
  ``sequential``: a match that stops once decided; ``simulate``: random playouts.

Nothing here imports analysis, play, integrations or cli.
"""
