"""ARD, MASE and speed of the network model on the shared Flee scenarios.

Run: ``.venv/bin/python benchmarks/network_flee.py [--seeds 5] [--flee-root PATH]``.
Prints one row per scenario (same MoveRules for all: Flee 3.1's validation
settings, see docs/network.md) next to Flee's figures from
``../shared/data/raw/SOURCES.md`` (Ethiopia: measured for docs/network.md).
Under each row, the same runs with daily entries following the sum of the
validation camps (``entries="camps"``, Flee's ``sum_from_camps``) instead of
refugees.csv. "rescaled" is the ARD after scaling each day's simulated camp
counts to the observed camp total (Flee's plot_flee_output "rescaled").
Speed is person-days per wall second
(Flee's agent-days/s at one agent per person); Flee 3.1 ran Burundi at about
0.32 M agent-days/s on this machine.
"""

from __future__ import annotations

import argparse
import csv
import platform
import sys
import time

import numpy as np

from abm.errors import InputError
from abm.network import MoveRules, ard, simulate
from abm.network.runs import (
    FLEE_PUBLISHED,
    SHARED_SCENARIOS,
    central_asia_scenario,
    load_shared,
    run_network_seeds,
    shared_scenario_paths,
    summarise,
)

FLEE_SPEED = 0.323e6  # agent-days/s, Flee 3.1 on Burundi 2015 on this machine (SOURCES.md section 11)


def real_camp_ard(name: str, root, seed: int = 0, entries: str = "total") -> float | None:
    """ARD over validation camps whose data file is not a placeholder (``dummy_*.csv``)."""
    _, val_dir = shared_scenario_paths(name, root)
    with (val_dir / "data_layout.csv").open() as fh:
        layout = [r for r in csv.reader(fh) if len(r) >= 2 and r[0] and r[0] != "total"]
    real = [n for n, f in layout if not f.strip().startswith("dummy")]
    if len(real) == len(layout):
        return None
    sc, v = load_shared(name, root, entries=entries)
    r = simulate(sc, MoveRules(), seed=seed)
    cols = [sc.network.names.index(c) for c in real]
    return ard(r.occupancy[:, cols], v.camps[real].to_numpy())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--flee-root", default=None)
    args = ap.parse_args()
    print(f"# abm.network vs Flee; MoveRules() = {MoveRules()}")
    print(f"# python {platform.python_version()}, numpy {np.__version__}, seeds 0..{args.seeds - 1}")
    head = (f"{'scenario':<9} {'days':>5} {'persons':>9} {'ARD mean+-sd':>16} {'MASE mean+-sd':>15} "
            f"{'rescaled':>8} {'wall s':>7} {'M p-days/s':>10} {'x Flee':>7}  Flee ARD")
    print(head)
    for name in SHARED_SCENARIOS:
        try:
            sc, val = load_shared(name, args.flee_root)
        except InputError as err:
            print(f"{name:<9} skipped: {err}")
            continue
        runs = run_network_seeds(sc, val, range(args.seeds))
        s = summarise(runs).iloc[0]
        sd = 0.0 if np.isnan(s["ard_sd"]) else s["ard_sd"]
        msd = 0.0 if np.isnan(s["mase_sd"]) else s["mase_sd"]
        speed = s["person_days_per_s"]
        print(f"{name:<9} {sc.days:>5} {int(round(sc.registered_total[-1])):>9} "
              f"{s['ard_mean']:>8.3f} +- {sd:.3f} {s['mase_mean']:>7.2f} +- {msd:.2f} "
              f"{s['ard_rescaled_mean']:>8.3f} {s['wall_s_mean']:>7.2f} {speed / 1e6:>10.1f} {speed / FLEE_SPEED:>7.0f}  {FLEE_PUBLISHED[name]}")
        extra = real_camp_ard(name, args.flee_root)
        if extra is not None:
            print(f"{'':<9} ARD over camps with real data only (placeholder 'dummy_*' camps left out): {extra:.3f}")
        sc_c, val_c = load_shared(name, args.flee_root, entries="camps")
        c = summarise(run_network_seeds(sc_c, val_c, range(args.seeds))).iloc[0]
        csd = 0.0 if np.isnan(c["ard_sd"]) else c["ard_sd"]
        print(f"{'':<9} entries='camps' ({int(round(sc_c.registered_total[-1])):,} persons): "
              f"ARD {c['ard_mean']:.3f} +- {csd:.3f}, MASE {c['mase_mean']:.2f}, rescaled {c['ard_rescaled_mean']:.3f}")
        extra = real_camp_ard(name, args.flee_root, entries="camps")
        if extra is not None:
            print(f"{'':<9} entries='camps', camps with real data only: {extra:.3f}")
    t0 = time.perf_counter()
    r = simulate(central_asia_scenario(), seed=0)
    wall = time.perf_counter() - t0
    print(f"central_asia (ILLUSTRATIVE) {r.scenario.days} days, {r.person_days / 1e6:.2f} M person-days "
          f"in {wall:.2f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
