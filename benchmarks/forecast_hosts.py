"""Host-country arrivals: the share method against UNHCR's annual figures.

For each host, prints the estimated share of the movement series (mean, sd,
years used) and, year by year in-sample, UNHCR's annual arrivals against
``share_mean x annual movement`` with its 80% interval (Gamma share quantiles).
Disaggregated history (``hosts.disaggregate_history``) matches UNHCR exactly by
construction; this shows how far the *forecasting* rule is from it.

    .venv/bin/python benchmarks/forecast_hosts.py [--series frontex_afg_total]
    nice -n 19 .venv/bin/python benchmarks/forecast_hosts.py --speed [--fits 1]
    nice -n 19 .venv/bin/python benchmarks/forecast_hosts.py --profile-fit

``--speed``: the pooled host model (:mod:`forecast.host_model`), the seconds of
``fit_host_model(load_dyads())`` (each of ``--fits`` fits) and of a scenario change,
``api.pooled_host_arrivals`` (7 hosts x 24 months x 200 paths, the app's defaults)
over 20 scenarios (the presets, then conflict x1.5..x10 and border openness): wall
and CPU seconds, with the machine's load average (wall figures mean little on a
busy machine; CPU seconds less so).

``--profile-fit``: one fit under cProfile (imports done before), its seconds split
into LightGBM training, LightGBM binning (Dataset), LightGBM prediction, the median
regressions of the scenario layer (statsmodels QuantReg), the feature rows, the
combination weights and the rest (profiled seconds: slower than unprofiled ones).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from scipy.stats import gamma

from forecast import datasets, hosts


def _load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def speed_scenarios() -> list:
    """The 20 scenario changes timed by :func:`speed`: every preset, then conflict
    escalations x1.5..x10 (6 months) and border openness 0.25..0.9."""
    from forecast.scenarios import PRESETS, Scenario

    out = list(PRESETS.values())
    out += [Scenario.conflict_escalation(k) for k in (1.5, 2.0, 4.0, 5.0, 7.0, 10.0)]
    out += [Scenario.conflict_escalation(k, months=12) for k in (2.0, 3.0)]
    out += [Scenario.border_restriction(o) for o in (0.25, 0.75, 0.9)]
    out += [Scenario.conflict_escalation(3.0).with_analogue("Afghanistan->Tajikistan 2021")]
    return out


def speed(fits: int = 1, n_paths: int = 200, horizon: int = 24) -> None:
    """Seconds of the pooled host model's fit and of its scenario changes."""
    from forecast import api, host_model

    print(f"before: {_load()} ({os.cpu_count()} cores)", flush=True)
    dyads = datasets.load_dyads()
    fit_s, model = [], None
    for _ in range(fits):
        t0, c0 = time.perf_counter(), time.process_time()
        model = host_model.fit_host_model(dyads, seed=0)
        fit_s.append((time.perf_counter() - t0, time.process_time() - c0))
    print(f"fit_host_model(load_dyads(), seed=0): "
          f"{', '.join(f'{w:.1f} s (CPU {c:.1f} s)' for w, c in fit_s)} ({_load()})", flush=True)
    api.pooled_host_arrivals(model, None, horizon=horizon, n_paths=n_paths, seed=0)  # warm
    wall, cpu = [], []
    for sc in speed_scenarios():
        t0, c0 = time.perf_counter(), time.process_time()
        api.pooled_host_arrivals(model, sc, horizon=horizon, n_paths=n_paths, seed=0)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"scenario change, api.pooled_host_arrivals -> 7 hosts x {horizon} months x "
          f"{n_paths} paths: median {1000 * np.median(wall):.0f} ms, max "
          f"{1000 * max(wall):.0f} ms (CPU median {1000 * np.median(cpu):.0f} ms, max "
          f"{1000 * max(cpu):.0f} ms) over {len(wall)} changes ({_load()})")


FIT_PARTS = (
    ("LightGBM training (Booster.update)", "lightgbm/basic.py", ("update",)),
    ("LightGBM binning (Dataset.construct)", "lightgbm/basic.py", ("construct",)),
    ("LightGBM prediction (Booster.predict)", "lightgbm/basic.py", ("predict",)),
    ("scenario layer (statsmodels QuantReg.fit)", "quantile_regression.py", ("fit",)),
    ("training feature rows", "host_model.py", ("_train_rows", "_train_blocks")),
    ("combination weights", "host_model.py", ("combination_weights",)),
)


def profile_fit() -> None:
    """Where the seconds of one fit go (cProfile; imports made before the fit)."""
    import cProfile
    import pstats

    import lightgbm  # noqa: F401 - imported before the profile
    from statsmodels.regression.quantile_regression import QuantReg  # noqa: F401

    from forecast import host_model

    dyads = datasets.load_dyads()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    host_model.fit_host_model(dyads, seed=0)
    prof.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(prof).stats
    total = max(v[3] for k, v in stats.items() if k[2] == "fit_host_model")
    print(f"fit_host_model under cProfile: {wall:.1f} s ({_load()})")
    done = 0.0
    for label, file, funcs in FIT_PARTS:
        # cumulative seconds of the outermost calls (one may call another or itself)
        sec = sum(v[3] for k, v in stats.items() if k[0].endswith(file) and k[2] in funcs
                  and not any(c[0].endswith(file) and c[2] in funcs for c in v[4]))
        done += sec
        print(f"  {label:45} {sec:6.2f} s  {100 * sec / total:5.1f} %")
    print(f"  {'the rest':45} {total - done:6.2f} s  {100 * (total - done) / total:5.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", default="frontex_afg_total")
    ap.add_argument("--speed", action="store_true",
                    help="time the pooled host model's fit and scenario changes")
    ap.add_argument("--fits", type=int, default=1, help="with --speed: fits to time")
    ap.add_argument("--profile-fit", action="store_true",
                    help="where the seconds of one fit of the pooled host model go")
    a = ap.parse_args()
    if a.profile_fit:
        profile_fit()
        return
    if a.speed:
        speed(a.fits)
        return
    pd.set_option("display.width", 160)
    hist = datasets.load_history(a.series)
    ha = datasets.load_hosts()
    est = hosts.estimate_shares(ha, hist, series_id=a.series)
    print(f"shares of {a.series} reaching each host (UNHCR new refugees + asylum-seekers "
          "/ annual movement):")
    print(est.to_string(index=False))
    arr = hosts.annual_arrivals(ha)
    mov = hosts.annual_movement(hist, a.series)
    rows = []
    for _, r in est[est["estimable"]].iterrows():
        a_h = arr[arr["host_iso3"] == r["host_iso3"]].set_index("year")["arrivals"].dropna()
        m, sd = r["share_mean"], r["share_sd"]
        k = (m / sd) ** 2
        lo, hi = gamma.ppf([0.1, 0.9], k, scale=m / k)
        for y in range(int(r["first_year"]), int(r["last_year"]) + 1):
            if y in a_h.index and y in mov.index:
                pred = m * mov[y]
                rows.append({"host": r["host_iso3"], "year": y, "unhcr": a_h[y],
                             "predicted": round(pred), "ape": abs(pred - a_h[y]) / max(a_h[y], 1),
                             "in80": lo * mov[y] <= a_h[y] <= hi * mov[y]})
    t = pd.DataFrame(rows)
    print("\nin-sample annual check (share method vs UNHCR):")
    print(t.groupby("host").agg(years=("year", "size"), median_ape=("ape", "median"),
                                cover80=("in80", "mean"),
                                sum_unhcr=("unhcr", "sum"),
                                sum_predicted=("predicted", "sum")).round(3).to_string())
    dh = hosts.disaggregate_history(ha, hist, series_id=a.series)
    back = dh.groupby(["series_id", dh["ds"].dt.year])["y"].sum()
    ref = arr.dropna().set_index(["host_iso3", "year"])["arrivals"]
    common = back.index.intersection(ref.index)
    print(f"\ndisaggregated history: {len(common)} host-years, max |annual sum - UNHCR| = "
          f"{np.max(np.abs(back[common].to_numpy() - ref[common].to_numpy())):.2e} persons")


if __name__ == "__main__":
    main()
