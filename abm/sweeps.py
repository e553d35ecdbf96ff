"""Sweeps: scenarios x capacity plans x seeds, in-process or on Dask distributed.

Each sweep cell is one :func:`abm.monte_carlo` (``n_runs`` runs under one
seed); cells are independent and seeded, so the same seeds give the same
frames in-process and on Dask. Dask is imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from abm.config import ABMConfig
from abm.distributed import dask_client  # noqa: F401 - re-exported
from abm.errors import ConfigError
from abm.runs import monte_carlo


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
