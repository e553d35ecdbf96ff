"""Shared pytest set-up: tests never touch the network, and never the user's folders.

The fitted-model disk cache (:mod:`planner.cache`) points at one temporary folder for
the whole run, made by the controlling process before pytest-xdist starts its workers
(they inherit the environment), so the app servers and AppTest sessions of every worker
fit each model once per run instead of once each. A run sets its own folder unless
``PLANNER_CACHE_DIR`` is already set (``off``: no disk cache at all).

Numerical thread pools are capped as the app caps them (:func:`forecast.threads.limit_threads`,
one thread), in the controller before the workers start and in each worker, so every test
fits as the app does, whichever test happens to start the app first in a worker.

Under pytest-xdist the browser tests (each 10-65 s) run first, dealt in turn to the
workers (:func:`pytest_collection_modifyitems`): ``--dist worksteal`` hands each worker
one contiguous share of the collection, and with the browser tests left together
in one share, the other worker ran out of work while they ran one after the other.
"""

import os
import shutil
import tempfile

_MADE: list[str] = []


def pytest_configure(config):
    from forecast.threads import limit_threads

    limit_threads()
    if "PLANNER_CACHE_DIR" not in os.environ and not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tempfile.mkdtemp(prefix="planner-test-cache-")
        os.environ["PLANNER_CACHE_DIR"] = folder
        _MADE.append(folder)


def pytest_unconfigure(config):
    for folder in _MADE:
        shutil.rmtree(folder, ignore_errors=True)


def _shares(n: int, workers: int) -> list[int]:
    """The sizes of the contiguous shares ``--dist worksteal`` first hands ``workers``
    workers of ``n`` tests (each the rest divided by the workers left, as
    ``xdist.scheduler.worksteal`` does)."""
    sizes, left = [], n
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    return sizes


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist: each worker's share starts with its turn of the browser tests
    (dealt in collection order), then the quick tests, which the other worker can steal
    at the end. Every worker computes the same order from the same collection."""
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2:
        return
    browser = [it for it in items if it.get_closest_marker("browser")]
    if not browser:
        return
    rest = [it for it in items if not it.get_closest_marker("browser")]
    dealt = [browser[i::workers] for i in range(workers)]
    order = []
    for size, first in zip(_shares(len(items), workers), dealt, strict=True):
        take = max(0, size - len(first))
        order += first + rest[:take]
        rest = rest[take:]
    items[:] = order + rest
