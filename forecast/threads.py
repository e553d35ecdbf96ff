"""Numerical thread pools capped to one thread per process.

BLAS (OpenBLAS, MKL) and OpenMP start one thread per CPU they see. This project's
numerical work is many small problems (a SARIMAX Kalman filter on 15x15 states, ETS,
Prophet's own Stan process, LightGBM on one thread by its own setting), where extra
BLAS threads only wait on each other; on a machine busy with other work they are
ruinous (issue 14). ``benchmarks/fit_threads.py`` on the 2-core machine, load 2.4-3.0:
the six movement models fit in 1.9 s on one thread, 2.6 s with the pools as started
and 14.4 s capped to the 2 cores; fitting all seven on one series took 4.4 s on one
thread and 11.9 s on two. One thread also makes a fit the same on every machine
(BLAS sums split over threads round differently: SARIMAX's quantiles moved by up to
0.16 persons between one and two threads).

:func:`limit_threads` caps the pools once per process: the environment variables the
libraries read when they load (for those imported later, e.g. statsmodels' SciPy)
and, through threadpoolctl, the pools already loaded. The app (``app.py``), the
command lines (:func:`forecast.cli.run_cli`) and the test suite call it at start; a
cap the user set in the environment (``OMP_NUM_THREADS`` and friends) is left alone.
"""

from __future__ import annotations

import os

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
"""Environment variables the numerical libraries read for their thread count."""

_applied: int | None = None


def available_cores() -> int:
    """Cores this process may run on (``os.sched_getaffinity``; ``os.cpu_count`` where
    the platform has no affinity call), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


DEFAULT_THREADS = 1
"""Threads per numerical pool unless the caller or the user says otherwise (see above)."""


def limit_threads(n: int | None = None) -> int | None:
    """Cap BLAS and OpenMP thread pools to ``n`` threads (default :data:`DEFAULT_THREADS`,
    at most the available cores).

    Returns the cap applied, or None when the user set one of :data:`THREAD_ENV`
    (their setting wins). Idempotent and cheap after the first call in a process.
    """
    global _applied
    if any(os.environ.get(k) for k in THREAD_ENV) and _applied is None:
        return None
    n = min(DEFAULT_THREADS, available_cores()) if n is None else max(1, int(n))
    if _applied == n:
        return n
    for k in THREAD_ENV:
        os.environ[k] = str(n)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n)
    _applied = n
    return n
