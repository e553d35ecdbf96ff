"""Fit time of the app's model stages under different numerical thread-pool caps.

Times :func:`planner.pipeline.fit` (every movement model on one series) and
:func:`planner.pipeline.fit_hosts` (the pooled LightGBM host model) with the
BLAS/OpenMP pools as the libraries start them ("default"), capped to the cores
this process may run on (``os.sched_getaffinity``, what the app and the command
lines do, :func:`forecast.threads.limit_threads`) and capped to one thread.
Prints (never asserts) the median of ``--repeats`` fits in seconds, with the
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


def _time(fn, repeats: int) -> float:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


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
    print(f"{'threads':>10} {'fit 7 models (s)':>18} {'fit host model (s)':>20}")
    for label, limit in (("default", None), (f"cores={cores}", cores), ("1", 1)):
        with threadpool_limits(limits=limit):
            fit_s = _time(lambda: pipeline.fit(spec, data), a.repeats)
            host_s = _time(lambda: pipeline.fit_hosts(spec, data), a.repeats)
        print(f"{label:>10} {fit_s:>18.2f} {host_s:>20.2f}")
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
