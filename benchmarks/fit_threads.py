"""Fit time of the app's model stages under different numerical thread-pool caps.

Times :func:`planner.pipeline.fit` (the six movement models and the ensemble on one series) and
:func:`planner.pipeline.fit_hosts` (the pooled LightGBM host model) with the
BLAS/OpenMP pools as the libraries start them ("default"), capped to the cores
this process may run on (``os.sched_getaffinity``) and capped to one thread (what the
app, the command lines and the tests do, :func:`forecast.threads.limit_threads`).
Prints (never asserts) the median of ``--repeats`` fits in seconds (the settings
interleaved, so a change in the machine's load affects each alike), with the
machine's load average, so quiet and busy runs can be told apart.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/fit_threads.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from threadpoolctl import threadpool_info, threadpool_limits

from forecast.threads import available_cores
from planner import pipeline


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    data = pipeline.bundled_data()
    spec = pipeline.PlanSpec()
    pipeline.fit(spec, data)  # warm: imports and first-call setup are not timed
    pipeline.fit_hosts(spec, data)
    pools = {f"{p['internal_api']}": p["num_threads"] for p in threadpool_info()}
    cores = available_cores()
    print(f"before: {_load()}; cores available {cores}; pools as started {pools}")
    configs = (("default", None), (f"cores={cores}", cores), ("1", 1))
    times: dict[str, dict[str, list[float]]] = {c: {"fit": [], "host": []} for c, _ in configs}
    for _ in range(a.repeats):  # interleaved, so a change in the machine's load hits all alike
        for label, limit in configs:
            with threadpool_limits(limits=limit):
                for key, fn in (("fit", lambda: pipeline.fit(spec, data)),
                                ("host", lambda: pipeline.fit_hosts(spec, data))):
                    t0 = time.perf_counter()
                    fn()
                    times[label][key].append(time.perf_counter() - t0)
    print(f"{'threads':>10} {'fit movement models (s)':>24} {'fit host model (s)':>20}   (median of "
          f"{a.repeats}, interleaved)")
    for label, _ in configs:
        print(f"{label:>10} {statistics.median(times[label]['fit']):>24.2f} "
              f"{statistics.median(times[label]['host']):>20.2f}")
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
