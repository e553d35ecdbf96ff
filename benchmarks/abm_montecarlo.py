"""Monte Carlo speed: 200 runs, 24 months, 50,000 arrivals (the app's budget: < 20 s).

Arrivals: 50 sample paths of 50,000 persons each over 24 months (Dirichlet
split, seeded), the bundled Kazakhstan facilities, default config; daily and
weekly steps; in-process. Prints wall times (never asserted).
Run: ``.venv/bin/python benchmarks/abm_montecarlo.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from abm import ABMConfig, advise, default_facilities, monte_carlo


def main() -> None:
    months = pd.date_range("2026-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(0)
    arr = pd.concat([pd.DataFrame({"ds": months, "path": p,
                                   "arrivals": rng.dirichlet(np.ones(24)) * 50_000})
                     for p in range(50)])
    fac = default_facilities()
    print("abm Monte Carlo: 200 runs x 24 months x 50,000 arrivals, KAZ preset")
    for step in (1, 7):
        t0 = time.perf_counter()
        mc = monte_carlo(arr, fac, ABMConfig(step_days=step), n_runs=200, seed=0)
        t_mc = time.perf_counter() - t0
        t0 = time.perf_counter()
        advise(mc, risk=0.1, facilities=fac)
        t_adv = time.perf_counter() - t0
        print(f"step_days={step}: monte_carlo {t_mc:.2f} s "
              f"({mc.meta['person_days'] / t_mc / 1e6:.0f} M person-days/s), advise {t_adv:.2f} s")


if __name__ == "__main__":
    main()
