"""Speed of the app's slider path: fit once, then re-forecast under new scenarios.

Prints (never asserts) the one-time fit time per model and the time of
``forecast.api.predict`` for all models together on one series (12 months, 200
paths), over several scenarios, plus the per-model share of that time.

    .venv/bin/python benchmarks/forecast_speed.py [--series frontex_afg_total]
"""

from __future__ import annotations

import argparse
import statistics
import time

from forecast import api, datasets
from forecast import drivers as drv
from forecast.models import MODEL_NAMES, make_model, model_rng
from forecast.scenarios import PRESETS, Scenario


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", default="frontex_afg_total")
    ap.add_argument("--horizon", type=int, default=12)
    ap.add_argument("--paths", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=20)
    a = ap.parse_args()
    h = datasets.load_history(a.series)
    d = datasets.load_drivers()
    t0 = time.perf_counter()
    fitted = api.fit_models(h, d, series_id=a.series, models=MODEL_NAMES, seed=0)
    print(f"one-time fit of all models ({', '.join(MODEL_NAMES)}): "
          f"{time.perf_counter() - t0:.2f} s")
    sid, z = api.series_z(h, a.series)
    obs = drv.observed(d, z.index[-1])
    X = drv.feature_frame(obs, z.index)
    for name in MODEL_NAMES:
        if name == "ensemble":
            continue
        t0 = time.perf_counter()
        m = make_model(name)
        m.fit(z, X if m.uses_drivers else None)
        print(f"  fit {name:8s} {time.perf_counter() - t0:6.3f} s")
    api.predict(fitted, Scenario.baseline_persist(), a.horizon, a.paths)  # warm-up
    times = []
    scenarios = list(PRESETS.values()) + [Scenario.conflict_escalation(k=k, start=m)
                                          for k in (1.5, 2, 5) for m in (1, 3)]
    for i in range(a.repeats):
        sc = scenarios[i % len(scenarios)]
        t0 = time.perf_counter()
        api.predict(fitted, sc, a.horizon, a.paths)
        times.append(time.perf_counter() - t0)
    print(f"re-forecast under a new scenario, all {len(MODEL_NAMES)} models together, "
          f"h={a.horizon}, {a.paths} paths, {a.repeats} runs: median "
          f"{1000 * statistics.median(times):.1f} ms, max {1000 * max(times):.1f} ms "
          f"(target < 200 ms)")
    fut = Scenario.drought().future_drivers(fitted.drivers_obs, a.horizon)
    Xf = drv.future_feature_frame(fitted.drivers_obs, fut, fitted.features)
    for name, m in fitted.models.items():
        t0 = time.perf_counter()
        for _ in range(10):
            m.predict(a.horizon, Xf if m.uses_drivers else None, a.paths, model_rng(0, name))
        print(f"  predict {name:8s} {100 * (time.perf_counter() - t0):6.1f} ms")


if __name__ == "__main__":
    main()
