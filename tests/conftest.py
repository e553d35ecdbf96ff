"""Shared pytest set-up: tests never touch the network, and never the user's folders.

The fitted-model disk cache (:mod:`planner.cache`) points at one temporary folder for
the whole run, made by the controlling process before pytest-xdist starts its workers
(they inherit the environment), so the app servers and AppTest sessions of every worker
fit each model once per run instead of once each. A run sets its own folder unless
``PLANNER_CACHE_DIR`` is already set (``off``: no disk cache at all).

Numerical thread pools are capped as the app caps them (:func:`forecast.threads.limit_threads`,
one thread), in the controller before the workers start and in each worker, so every test
fits as the app does, whichever test happens to start the app first in a worker.
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
