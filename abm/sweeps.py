"""Sweeps: scenarios x capacity plans x seeds, in-process or on Dask distributed.

Each sweep cell is one :func:`abm.monte_carlo` (``n_runs`` runs under one
seed); cells are independent and seeded, so the same seeds give the same
frames in-process and on Dask. Dask is imported only when asked for.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence

import pandas as pd

from abm.config import ABMConfig
from abm.errors import ConfigError
from abm.runs import monte_carlo


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


def _cell(scenario, plan_name, seed, arrivals, facilities, plans, config, n_runs, demographics):
    mc = monte_carlo(arrivals, facilities, config, plans=plans, n_runs=n_runs, seed=seed,
                     demographics=demographics)
    out = {}
    for name in ("summary", "p_shortfall", "summary_quantiles"):
        frame = getattr(mc, name).copy()
        frame.insert(0, "seed", seed)
        frame.insert(0, "plan", plan_name)
        frame.insert(0, "scenario", scenario)
        out[name] = frame
    return out


def sweep(scenarios: Mapping[str, pd.DataFrame], facilities: pd.DataFrame,
          plans: Mapping[str, pd.DataFrame | None] | None = None,
          seeds: Sequence[int] = (0,), config: ABMConfig | None = None, *, n_runs: int = 50,
          client=None, demographics: pd.DataFrame | None = None,
          progress: Callable[[int, int], None] | None = None) -> dict[str, pd.DataFrame]:
    """Run every (scenario, plan, seed) cell and stack the frames.

    scenarios: name -> arrivals frame. plans: name -> capacity plan (None = no
    expansion); default ``{"none": None}``. seeds: one Monte Carlo seed per cell.
    client: None in-process; a Client, ``"local"`` or a scheduler address for Dask.

    Returns a dict of frames, each with leading columns ``scenario, plan, seed``:
    ``summary`` (per run and facility type, as :func:`abm.simulate`),
    ``p_shortfall`` (per facility type and month) and ``summary_quantiles``.
    """
    if not scenarios:
        raise ConfigError("sweep needs at least one scenario")
    plans = dict(plans) if plans else {"none": None}
    cells = [(s, p, int(seed)) for s in scenarios for p in plans for seed in seeds]
    if not cells:
        raise ConfigError("sweep needs at least one seed")
    results = []
    if client is None:
        for i, (s, p, seed) in enumerate(cells):
            results.append(_cell(s, p, seed, scenarios[s], facilities, plans[p], config, n_runs,
                                 demographics))
            if progress is not None:
                progress(i + 1, len(cells))
    else:
        with dask_client(client) as cl:
            futures = [cl.submit(_cell, s, p, seed, scenarios[s], facilities, plans[p], config,
                                 n_runs, demographics, pure=False) for s, p, seed in cells]
            for i, fut in enumerate(futures):
                results.append(fut.result())
                if progress is not None:
                    progress(i + 1, len(cells))
    return {name: pd.concat([r[name] for r in results], ignore_index=True)
            for name in ("summary", "p_shortfall", "summary_quantiles")}
