"""Numerical thread pools capped to the cores this process may run on.

BLAS (OpenBLAS, MKL) and OpenMP start one thread per CPU they see, which may be
more than the cores a container or a ``taskset`` grants, and on a machine busy
with other work their spinning threads wait on each other (model fits measured
up to 20x slower, issue 14; ``benchmarks/fit_threads.py`` prints the figures).
:func:`limit_threads` caps them once per process: the environment variables the
libraries read when they load (for those imported later, e.g. statsmodels' SciPy)
and, through threadpoolctl, the pools already loaded. The app (``app.py``) and the
command lines (:func:`forecast.cli.run_cli`) call it at start; a cap the user set
in the environment (``OMP_NUM_THREADS`` and friends) is left alone.
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


def limit_threads(n: int | None = None) -> int | None:
    """Cap BLAS and OpenMP thread pools to ``n`` threads (default: the available cores).

    Returns the cap applied, or None when the user set one of :data:`THREAD_ENV`
    (their setting wins). Idempotent and cheap after the first call in a process.
    """
    global _applied
    if any(os.environ.get(k) for k in THREAD_ENV) and _applied is None:
        return None
    n = available_cores() if n is None else max(1, int(n))
    if _applied == n:
        return n
    for k in THREAD_ENV:
        os.environ[k] = str(n)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n)
    _applied = n
    return n
