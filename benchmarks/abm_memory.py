"""Memory per arriving person and per Monte Carlo run-step: the figures behind
abm.schema.BYTES_PER_PERSON and BYTES_PER_RUN_STEP. Each measurement runs in a fresh
process (peak RSS, MB). Usage: python benchmarks/abm_memory.py"""

import subprocess
import sys

CODE = """
import resource, sys
import pandas as pd
from abm import monte_carlo, simulate
persons, months, runs = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
arr = pd.DataFrame({"ds": pd.date_range("2025-01-01", periods=months, freq="MS"), "arrivals": persons})
fac = pd.DataFrame({"facility_id": ["s", "e", "c"], "facility_type": ["shelter", "school", "clinic"],
                    "quantity": [100.0, 100.0, 100.0], "quantity_unit": ["persons", "seats", "consultations_per_day"]})
if runs == 1:
    simulate(arr, fac)
else:
    monte_carlo(arr, fac, n_runs=runs)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak(persons, months, runs):
    out = subprocess.run([sys.executable, "-c", CODE, str(persons), str(months), str(runs)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


base = peak(0, 1, 1)
big = peak(5_000_000, 1, 1)
print(f"one run, 0 persons: {base:.0f} MB; 5,000,000 persons in one month: {big:.0f} MB; "
      f"{(big - base) * 2**20 / 5e6:.0f} bytes per person")
small = peak(100, 24, 10)
many = peak(100, 24, 1000)
steps = 731
print(f"24 daily months (731 steps): 10 runs {small:.0f} MB; 1,000 runs {many:.0f} MB; "
      f"{(many - small) * 2**20 / (990 * steps):.0f} bytes per run-step")
