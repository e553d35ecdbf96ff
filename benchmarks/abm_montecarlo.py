"""Monte Carlo speed: 200 runs as the planner runs them, and 50,000 arrivals (app budget < 20 s).

Cases (in-process, default config, 200 runs, seed 0; wall times, and the process's CPU
time, which a busy shared machine disturbs less; never asserted):

* ``app``: the call the planner's Capacity page makes (``planner.pipeline.capacity``:
  ``abm.monte_carlo(arrivals, default_facilities(host), ABMConfig(mean_stay_days=365,
  step_days=7), n_runs=200)``, then ``abm.advise`` at risk 0.1), on the planner's own host
  arrivals paths in ``tests/data/plan/host_paths_compound.csv`` (compound scenario, 12
  months, 40 paths; a planner run, see its ``.json``) for KAZ and TJK with their bundled
  default facility sets;
* ``50k``: 50 sample paths of 50,000 persons each over 24 months (Dirichlet split,
  seeded), the bundled Kazakhstan facilities; daily and weekly steps.

Then a per-run breakdown of the app case (KAZ): the model's set-up (``__init__``: Mesa,
facility agents, household draws), its steps (``run``) and its ``records``, as mean
milliseconds per run over the 200 runs (same inputs and seeds as ``monte_carlo``).
Run: ``.venv/bin/python benchmarks/abm_montecarlo.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from abm import ABMConfig, advise, default_facilities, monte_carlo
from abm import model as abm_model
from abm import runs as abm_runs

ROOT = Path(__file__).resolve().parents[1]
HOST_PATHS = ROOT / "tests" / "data" / "plan" / "host_paths_compound.csv"
N_RUNS = 200


def host_arrivals(host: str) -> pd.DataFrame:
    """The planner's arrivals frame for ``host`` (``ds, path, arrivals`` [persons/month])."""
    d = pd.read_csv(HOST_PATHS)
    d = d[d["series_id"] == host]
    return pd.DataFrame({"ds": pd.to_datetime(d["ds"]), "path": d["path"].to_numpy(),
                         "arrivals": d["value"].to_numpy(dtype=float)})


def app_case(host: str) -> tuple[float, float, float]:
    """Wall seconds of monte_carlo, its CPU seconds (this process), wall seconds of advise."""
    arr, fac = host_arrivals(host), default_facilities(host)
    cfg = ABMConfig().with_(mean_stay_days=365.0, step_days=7)
    t0, c0 = time.perf_counter(), time.process_time()
    mc = monte_carlo(arr, fac, cfg, n_runs=N_RUNS, seed=0, progress=lambda done, total: None)
    t_mc, c_mc = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    advise(mc, risk=0.1, facilities=fac, config=cfg)
    return t_mc, c_mc, time.perf_counter() - t0


class _Timer:
    """Wraps ``owner.name`` so each call's wall time is added to ``self.total`` [s]."""

    def __init__(self, owner, name: str) -> None:
        self.owner, self.name, self.total = owner, name, 0.0
        self.orig = getattr(owner, name, None)

    def __enter__(self) -> _Timer:
        if self.orig is not None:
            orig = self.orig

            def timed(*a, **k):
                t0 = time.perf_counter()
                try:
                    return orig(*a, **k)
                finally:
                    self.total += time.perf_counter() - t0
            setattr(self.owner, self.name, timed)
        return self

    def __exit__(self, *exc) -> None:
        if self.orig is not None:
            setattr(self.owner, self.name, self.orig)


def breakdown(host: str) -> None:
    """Mean ms per run of the model's set-up, steps and records (app case)."""
    arr, fac = host_arrivals(host), default_facilities(host)
    cfg = ABMConfig().with_(mean_stay_days=365.0, step_days=7)
    t0 = time.perf_counter()
    a, inputs = abm_runs.prepare(arr, fac, cfg)
    t_prep = time.perf_counter() - t0
    seqs = abm_runs.run_seeds(0, N_RUNS)
    paths = abm_runs.arrivals_paths(a, N_RUNS, np.random.default_rng(seqs[0]))
    kw = {"template": inputs.template} if hasattr(inputs, "template") else {}
    t_init = t_run = t_rec = 0.0
    with _Timer(abm_model.CapacityModel, "_add_facilities") as t_fac, \
            _Timer(abm_model, "draw_households") as t_hh, \
            _Timer(abm_model.mesa.Model, "__init__") as t_mesa:
        for p, s in zip(paths, seqs[1:], strict=True):
            t0 = time.perf_counter()
            m = abm_model.CapacityModel(p, inputs.months, inputs.facilities, inputs.plans,
                                        inputs.config, inputs.shares,
                                        rng=np.random.default_rng(s), **kw)
            t1 = time.perf_counter()
            m.run()
            t2 = time.perf_counter()
            _ = m.records
            t3 = time.perf_counter()
            t_init, t_run, t_rec = t_init + t1 - t0, t_run + t2 - t1, t_rec + t3 - t2
    ms = 1e3 / N_RUNS
    other = t_init - t_fac.total - t_hh.total - t_mesa.total
    print(f"per run ({host}, app case, mean of {N_RUNS}): __init__ {t_init * ms:.2f} ms "
          f"[mesa.Model {t_mesa.total * ms:.2f}, facilities {t_fac.total * ms:.2f}, "
          f"draw_households {t_hh.total * ms:.2f}, other {other * ms:.2f}], "
          f"run {t_run * ms:.2f} ms, records {t_rec * ms:.2f} ms; "
          f"prepare (once) {t_prep * 1e3:.1f} ms")


def main() -> None:
    print(f"abm Monte Carlo, {N_RUNS} runs; load average {Path('/proc/loadavg').read_text().split()[:3]}"
          if Path("/proc/loadavg").exists() else f"abm Monte Carlo, {N_RUNS} runs")
    app_case("KAZ")  # warm-up: imports and first-call costs
    for host in ("KAZ", "TJK"):
        t_mc, c_mc, t_adv = app_case(host)
        print(f"app {host} (12 months x 40 planner paths, weekly steps): monte_carlo {t_mc:.2f} s "
              f"(CPU {c_mc:.2f} s), advise {t_adv:.2f} s")
    breakdown("KAZ")
    months = pd.date_range("2026-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(0)
    arr = pd.concat([pd.DataFrame({"ds": months, "path": p,
                                   "arrivals": rng.dirichlet(np.ones(24)) * 50_000})
                     for p in range(50)])
    fac = default_facilities()
    for step in (1, 7):
        t0, c0 = time.perf_counter(), time.process_time()
        mc = monte_carlo(arr, fac, ABMConfig(step_days=step), n_runs=N_RUNS, seed=0)
        t_mc, c_mc = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        advise(mc, risk=0.1, facilities=fac)
        t_adv = time.perf_counter() - t0
        print(f"50k x 24 months KAZ, step_days={step}: monte_carlo {t_mc:.2f} s (CPU {c_mc:.2f} s; "
              f"{mc.meta['person_days'] / t_mc / 1e6:.0f} M person-days/s), advise {t_adv:.2f} s")


if __name__ == "__main__":
    main()
