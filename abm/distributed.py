"""Dask for Monte Carlo runs: a client from what the user gave (imported only when asked)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from abm.errors import ConfigError


@contextlib.contextmanager
def dask_client(client) -> Iterator:
    """Yield a ``distributed.Client`` for ``client``.

    client: an existing Client (used as is, not closed); ``"local"`` (a
    LocalCluster of one single-threaded worker process per core, at most 4,
    closed afterwards); or a scheduler
    address such as ``"tcp://10.0.0.5:8786"`` (connected, closed afterwards).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - dask is an extra
        raise ConfigError(
            "Dask distributed is not installed: pip install 'ca-refugee-planner[distributed]'"
        ) from err
    if isinstance(client, Client):
        yield client
        return
    if client == "local":
        workers = max(1, min(4, os.cpu_count() or 1))
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as cl:
            yield cl
        return
    if isinstance(client, str):
        try:
            cl = Client(client, timeout="10s")
        except OSError as err:
            raise ConfigError(f"cannot reach the Dask scheduler at {client!r}: {err}") from None
        try:
            yield cl
        finally:
            cl.close()
        return
    raise ConfigError(f"client must be a distributed.Client, 'local' or an address, got {client!r}")

