"""Numerical thread pools: capped to one thread by default, the user's own cap wins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ("import numpy, json; from forecast import threads; from threadpoolctl import "
        "threadpool_info; n = threads.limit_threads(); print(json.dumps([n, "
        "sorted({p['num_threads'] for p in threadpool_info()}), "
        "os.environ['OPENBLAS_NUM_THREADS']]))")


def _run(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_THREADS")}
    return subprocess.run([sys.executable, "-c", "import os; " + CODE], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=120,
                          check=True).stdout.strip()


def test_pools_loaded_before_the_cap_are_capped_to_one_thread():
    assert _run({}) == '[1, [1], "1"]'


def test_a_cap_the_user_set_is_left_alone():
    assert _run({"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}) == '[null, [2], "2"]'
