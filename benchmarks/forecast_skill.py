"""Rolling-origin skill and backtest speed of every model on the real monthly series.

Prints (never asserts): wall time per model, skill pooled over horizons 1-6 and
1-12, MASE and CRPS by horizon, and whether the best driver-based model beats
the seasonal naive and random walk benchmarks at each horizon 1-6.

    .venv/bin/python benchmarks/forecast_skill.py [--series frontex_afg_total]
        [--origins 36] [--horizon 12] [--oracle] [--out table.csv]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from forecast import backtest as bt
from forecast import datasets

DRIVER_MODELS = ("sarimax", "prophet", "ensemble")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", default="frontex_afg_total")
    ap.add_argument("--origins", type=int, default=36)
    ap.add_argument("--horizon", type=int, default=12)
    ap.add_argument("--paths", type=int, default=200)
    ap.add_argument("--oracle", action="store_true",
                    help="use the drivers observed later (diagnostic of driver value)")
    ap.add_argument("--out", default=None, help="write the per-horizon table as CSV")
    a = ap.parse_args()
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)
    h = datasets.load_history(a.series)
    d = datasets.load_drivers()
    t0 = time.perf_counter()
    res = bt.backtest(h, d, series_id=a.series, n_origins=a.origins, horizon=a.horizon,
                      n_paths=a.paths, oracle_drivers=a.oracle)
    total = time.perf_counter() - t0
    s = res.settings
    print(f"series {a.series}: {a.origins} origins {s['first_origin']}..{s['last_origin']}, "
          f"h=1..{a.horizon}, {a.paths} paths, refit every {s['refit_every']} origins "
          f"(Prophet every {s['prophet_refit_every']}), future drivers: "
          f"{'observed (oracle)' if a.oracle else 'baseline scenario (persistence)'}")
    print(f"total backtest wall time: {total:.1f} s")
    print("seconds per model:", {k: round(v, 2) for k, v in res.seconds.items()})
    for hs, label in ((range(1, 7), "1-6"), (range(1, a.horizon + 1), f"1-{a.horizon}")):
        print(f"\n== pooled over horizons {label}")
        print(res.summary(hs).round(3).to_string(index=False))
    tab = res.table()
    for metric in ("mase", "crps", "cov80", "cov50"):
        print(f"\n== {metric} by horizon")
        print(tab.pivot(index="horizon", columns="model", values=metric).round(3).to_string())
    print("\n== best driver-based model vs benchmarks, horizons 1-6 (lower is better)")
    for hz in range(1, 7):
        t = tab[tab["horizon"] == hz].set_index("model")
        for metric in ("mase", "crps"):
            best = t.loc[list(DRIVER_MODELS), metric].idxmin()
            v = t.at[best, metric]
            sn, rw = t.at["snaive", metric], t.at["naive", metric]
            print(f"h={hz} {metric}: best driver model {best} {v:.3f} | snaive {sn:.3f} "
                  f"({'beats' if v < sn else 'LOSES'}) | naive {rw:.3f} "
                  f"({'beats' if v < rw else 'LOSES'})")
    if a.out:
        tab.to_csv(a.out, index=False)
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
