"""Both ARDs and the speed of the network model on every shared Flee scenario, next to Flee 3.1.

Run: ``.venv/bin/python benchmarks/network_flee.py [--seeds 5] [--flee-dir DIR] [--camps] [--ablation]``;
``--flee31 SCENARIO [--hasten 10] [--seed 0]`` runs PyPI ``flee`` 3.1 itself (if importable) for the references.
(``DIR``, or ``$PLANNER_FLEE_DIR``: the folder holding ``flee_conflict_input/``,
``flee_conflict_validation/`` and ``fabflee_mali2012/``).

One row per scenario with the one setting used everywhere (``MoveRules()``,
docs/network.md), mean +- sd over seeds 0..n-1, of:

- ``ARD camps``: each day, sum over camps |sim - data| / the camps' observed
  sum, averaged over days (Suleimenova et al. 2017; Flee's ``plot_flee_output``);
- ``ARD Flee-total``: the same divided by the cumulative refugees.csv count,
  Flee 3.1's out.csv "Total error" averaged over days.

Under it, the same seeds with Flee 3.1's exact rules (``FLEE_31_RULES``: no
look-ahead, forced redirection not acted on): how close the
engine comes to Flee itself. Flee 3.1's own figures (both definitions where
measured) are from ``../shared/data/raw/SOURCES.md`` section 11 and
docs/network.md. Speed: person-days per wall second (Flee's agent-days/s at one
agent per person); Flee 3.1 ran Burundi at about 0.32 M agent-days/s on this machine.
"""

from __future__ import annotations

import argparse
import csv
import os
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
FLEE_31_RULES = MoveRules(look_ahead=False, forced_redirection=False)
"""Flee 3.1's own rules, for comparison (the defaults depart from them in these two)."""


def _pm(mean: float, sd: float) -> str:
    return f"{mean:.3f} +- {0.0 if np.isnan(sd) else sd:.3f}"


def _ref(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def real_camp_ard(name: str, root, seed: int = 0) -> float | None:
    """Camps-sum ARD over validation camps whose data file is not a placeholder (``dummy_*.csv``)."""
    _, val_dir = shared_scenario_paths(name, root)
    with (val_dir / "data_layout.csv").open() as fh:
        layout = [r for r in csv.reader(fh) if len(r) >= 2 and r[0] and r[0] != "total"]
    real = [n for n, *files in layout if not files[0].strip().startswith("dummy")]
    if len(real) == len(layout):
        return None
    sc, v = load_shared(name, root)
    r = simulate(sc, MoveRules(), seed=seed)
    cols = [sc.network.names.index(c) for c in real]
    return ard(r.occupancy[:, cols], v.camps[real].to_numpy())


ABLATION: dict[str, dict] = {
    "MoveRules() (default)": {},
    "Flee 3.1 rules (FLEE_31_RULES)": dict(look_ahead=False, forced_redirection=False),
    "look_ahead=False": dict(look_ahead=False),
    "forced_redirection=False": dict(forced_redirection=False),
    "flee_travel=False (200 km budget)": dict(flee_travel=False),
    "conflict_decay=() (none)": dict(conflict_decay=()),
    "hub_movechance=0.3 (as a town)": dict(hub_movechance=0.3),
    "count_en_route=True": dict(count_en_route=True),
    "no decay, 200 km budget": dict(conflict_decay=(), flee_travel=False),
}
"""One rule changed at a time from the default (seed 0), to show which rules move the scores."""


def ablation(root) -> None:
    """Print camps-sum / Flee-total ARD, seed 0, per rule variant and scenario."""
    names = [n for n in SHARED_SCENARIOS if n != "mali_fabflee"]
    data = {n: load_shared(n, root) for n in names}
    print(f"{'seed 0: ARD camps / Flee-total':<34} " + " ".join(f"{n:>15}" for n in names))
    for label, kw in ABLATION.items():
        cells = []
        for n in names:
            sc, val = data[n]
            s = summarise(run_network_seeds(sc, val, [0], MoveRules(**kw))).iloc[0]
            cells.append(f"{s['ard_mean']:.3f} / {s['ard_total_mean']:.3f}")
        print(f"{label:<34} " + " ".join(f"{c:>15}" for c in cells), flush=True)


def flee31_reference(name: str, root, hasten: int, seed: int) -> None:
    """Run PyPI ``flee`` 3.1 itself on a shared scenario and print both ARDs (the Flee reference figures).

    Follows Flee 3.1's ``runscripts/run.py`` (settings: the Burundi
    ``simsetting.yml``, ``hasten`` agents per person overridden). Needs
    ``flee`` 3.1 importable, e.g. ``pip install flee==3.1 beartype`` in a
    separate environment; it is not a dependency of this project.
    """
    import random
    import tempfile

    try:
        from flee import InputGeography, flee, spawning
        from flee.datamanager import handle_refugee_data, read_period
        from flee.SimulationSettings import SimulationSettings
    except ImportError as err:
        raise SystemExit(f"--flee31 needs PyPI flee 3.1 importable ({err}); e.g. pip install flee==3.1 beartype") from None
    inp, val = shared_scenario_paths(name, root)
    burundi, _ = shared_scenario_paths("burundi", root)
    yml = (burundi / "simsetting.yml").read_text().replace("hasten: 1", f"hasten: {hasten}")
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
        fh.write(yml)
    random.seed(seed)
    np.random.seed(seed)
    SimulationSettings.ReadFromYML(fh.name)
    SimulationSettings.ConflictInputFile = str(inp / "conflicts.csv")
    period = inp / "conflict_period.csv"
    start, days = read_period.read_conflict_period(str(period if period.is_file() else inp / "sim_period.csv"))
    e = flee.Ecosystem()
    ig = InputGeography.InputGeography()
    ig.ReadConflictInputCSV(SimulationSettings.ConflictInputFile)
    ig.ReadLocationsFromCSV(str(inp / "locations.csv"))
    ig.ReadLinksFromCSV(str(inp / "routes.csv"))
    ig.ReadClosuresFromCSV(str(inp / "closures.csv"))
    e, lm = ig.StoreInputGeographyInEcosystem(e)
    d = handle_refugee_data.RefugeeTable(csvformat="generic", data_directory=str(val), start_date=start,
                                         data_layout="data_layout.csv", population_scaledown_factor=hasten)
    d.ReadL1Corrections(str(inp / "registration_corrections.csv"))
    camps = e.get_camp_names()
    for c in camps:
        spawning.add_initial_refugees(e, d, lm[c])
    t0 = time.perf_counter()
    by_camps, by_total = [], []
    for t in range(days):
        ig.AddNewConflictZones(e, t)
        _, raw, _ = spawning.spawn_daily_displaced(e, t, d)
        spawning.refresh_spawn_weights(e)
        e.enact_border_closures(t)
        e.evolve()
        sim = np.array([lm[c].numAgents for c in camps], dtype="float64")
        obs = np.array([d.get_field(c, t) for c in camps], dtype="float64")
        err = np.abs(sim - obs).sum()
        by_camps.append(err / max(obs.sum(), 1.0))  # plot_flee_output's "Averaged error normal"
        by_total.append(err / raw if raw > 0 else 0.0)  # run.py's "Total error"
    print(f"Flee 3.1 {name}: 1 agent per {hasten} persons, seed {seed}: ARD camps {np.mean(by_camps):.4f}, "
          f"ARD Flee-total {np.mean(by_total):.4f}, {e.numAgents()} agents, {time.perf_counter() - t0:.0f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--flee-dir", default=None)
    ap.add_argument("--camps", action="store_true", help="also entries='camps' (Flee's SumFromCamps)")
    ap.add_argument("--ablation", action="store_true", help="only the one-rule-at-a-time table (seed 0)")
    ap.add_argument("--flee31", metavar="SCENARIO", help="only run PyPI flee 3.1 itself on SCENARIO (reference)")
    ap.add_argument("--hasten", type=int, default=10, help="--flee31: persons per Flee agent")
    ap.add_argument("--seed", type=int, default=0, help="--flee31: seed")
    args = ap.parse_args()
    if args.flee31:
        flee31_reference(args.flee31, args.flee_dir, args.hasten, args.seed)
        return
    if args.ablation:
        ablation(args.flee_dir)
        return
    seeds = range(args.seeds)
    print(f"# abm.network vs Flee 3.1; MoveRules() = {MoveRules()}")
    print(f"# python {platform.python_version()}, numpy {np.__version__}, seeds 0..{args.seeds - 1}, "
          f"one person per simulated unit; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'scenario':<13} {'days':>5} {'persons':>9} {'ARD camps':>15} {'ARD Flee-total':>15} "
          f"{'wall s':>6} {'M p-d/s':>7} {'x Flee':>6} | Flee 3.1: camps, total")
    for name in SHARED_SCENARIOS:
        try:
            sc, val = load_shared(name, args.flee_dir)
        except InputError as err:
            print(f"{name:<13} skipped: {err}")
            continue
        s = summarise(run_network_seeds(sc, val, seeds)).iloc[0]
        speed = s["person_days_per_s"]
        ref_c, ref_t, note = FLEE_PUBLISHED[name]
        print(f"{name:<13} {sc.days:>5} {int(round(sc.registered_total[-1])):>9} "
              f"{_pm(s['ard_mean'], s['ard_sd']):>15} {_pm(s['ard_total_mean'], s['ard_total_sd']):>15} "
              f"{s['wall_s_mean']:>6.2f} {speed / 1e6:>7.0f} {speed / FLEE_SPEED:>6.0f} | "
              f"{_ref(ref_c)}, {_ref(ref_t)} ({note})")
        f = summarise(run_network_seeds(sc, val, seeds, FLEE_31_RULES)).iloc[0]
        print(f"{'  Flee rules':<13} {'':>5} {'':>9} {_pm(f['ard_mean'], f['ard_sd']):>15} "
              f"{_pm(f['ard_total_mean'], f['ard_total_sd']):>15} {f['wall_s_mean']:>6.2f}")
        extra = real_camp_ard(name, args.flee_dir)
        if extra is not None:
            print(f"{'':<13} camps-sum ARD over the camps with real data only (placeholder 'dummy_*' left out): "
                  f"{extra:.3f}")
        if args.camps:
            sc_c, val_c = load_shared(name, args.flee_dir, entries="camps")
            c = summarise(run_network_seeds(sc_c, val_c, seeds)).iloc[0]
            print(f"{'  camps entry':<13} {'':>5} {int(round(sc_c.registered_total[-1])):>9} "
                  f"{_pm(c['ard_mean'], c['ard_sd']):>15} {_pm(c['ard_total_mean'], c['ard_total_sd']):>15}")
    t0 = time.perf_counter()
    r = simulate(central_asia_scenario(), seed=0)
    wall = time.perf_counter() - t0
    print(f"central_asia (ILLUSTRATIVE) {r.scenario.days} days, {r.person_days / 1e6:.2f} M person-days "
          f"in {wall:.2f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
