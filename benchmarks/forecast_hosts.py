"""Host-country arrivals: the share method against UNHCR's annual figures.

For each host, prints the estimated share of the movement series (mean, sd,
years used) and, year by year in-sample, UNHCR's annual arrivals against
``share_mean x annual movement`` with its 80% interval (Gamma share quantiles).
Disaggregated history (``hosts.disaggregate_history``) matches UNHCR exactly by
construction; this shows how far the *forecasting* rule is from it.

    .venv/bin/python benchmarks/forecast_hosts.py [--series frontex_afg_total]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.stats import gamma

from forecast import datasets, hosts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", default="frontex_afg_total")
    a = ap.parse_args()
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
