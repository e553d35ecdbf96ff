"""Throughput of one capacity-model run (person-days per second) and peak memory.

Prints, for 10k, 100k and 1M people arriving evenly over a year (daily steps,
default config, shelter capacity at half of all arrivals so the shelter
admission runs on most days): wall time of ``abm.simulate`` and of the model
alone (after one warm-up run), person-days simulated per second (person-days =
persons present summed over the days) and the peak resident memory of a fresh
process (it holds two runs of that size).
Run: ``.venv/bin/python benchmarks/abm_throughput.py``. Never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from abm import ABMConfig, simulate
from abm.demographics import category_shares, read_demographics
from abm.model import CapacityModel
from abm.schema import check_facilities, check_plans
people = int(sys.argv[1])
months = pd.date_range("2026-01-01", periods=12, freq="MS")
arr = pd.DataFrame({"ds": months, "arrivals": people / 12.0})
fac = pd.DataFrame({"facility_id": ["s", "e", "c"], "facility_type": ["shelter", "school", "clinic"],
                    "quantity": [people / 2, people / 10, 20 * people / 10_000],
                    "quantity_unit": ["persons", "seats", "clinicians"]})
cfg = ABMConfig(step_days=1)
shares = category_shares(read_demographics(), cfg.demographics_scope)
def build():
    return CapacityModel(arr["arrivals"].to_numpy(), months, check_facilities(fac),
                         check_plans(None), cfg, shares, seed=1)
build().run()  # warm-up (first-call costs), same size
t0 = time.perf_counter()
m = CapacityModel(arr["arrivals"].to_numpy(), months, check_facilities(fac), check_plans(None),
                  cfg, shares, seed=1).run()
t_model = time.perf_counter() - t0
t0 = time.perf_counter()
res = simulate(arr, fac, cfg, seed=1)
t_sim = time.perf_counter() - t0
pd_ = float(m.present_day.sum())
print(json.dumps({"people": people, "households": len(m.households), "person_days": pd_,
                  "model_s": t_model, "simulate_s": t_sim,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    print("abm throughput: one run, 12 months, daily steps, default config")
    print(f"{'people':>10} {'households':>10} {'person-days':>12} {'model s':>8} "
          f"{'simulate s':>10} {'M person-days/s':>16} {'peak RSS MB':>12}")
    for people in (10_000, 100_000, 1_000_000):
        out = subprocess.run([sys.executable, "-c", CHILD, str(people)], capture_output=True,
                             text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rate = r["person_days"] / r["model_s"] / 1e6
        print(f"{r['people']:>10,} {r['households']:>10,} {r['person_days']:>12,.0f} "
              f"{r['model_s']:>8.3f} {r['simulate_s']:>10.3f} {rate:>16.1f} "
              f"{r['peak_rss_mb']:>12.0f}")


if __name__ == "__main__":
    main()
