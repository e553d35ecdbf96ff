"""Helpers for the network tests: tiny hand-made networks and paths to fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.network.runs import FLEE_DIR_ENV
from abm.network.sites import Closure, Network, NetworkScenario

REPO_ROOT = Path(__file__).resolve().parents[3]
FLEE_DATA = Path(__file__).resolve().parents[2] / "data" / "flee"
FIXTURES = FLEE_DATA / "tiny"
FEATURES = FLEE_DATA / "features"
SHARED_FLEE_DIR = Path(os.environ.get(FLEE_DIR_ENV) or REPO_ROOT.parent / "shared" / "data" / "raw" / "flee")
"""The raw Flee scenarios: $PLANNER_FLEE_DIR, else ../shared/data/raw/flee next to the repository."""
if SHARED_FLEE_DIR.is_dir():
    os.environ.setdefault(FLEE_DIR_ENV, str(SHARED_FLEE_DIR))


def make_network(sites: list[tuple], routes: list[tuple]) -> Network:
    """sites: (name, country, site_type, population); routes: (name1, name2, km[, forced])."""
    s = pd.DataFrame(
        {
            "name": [x[0] for x in sites],
            "region": "r",
            "country": [x[1] for x in sites],
            "lat": 0.0,
            "lon": 0.0,
            "site_type": [x[2] for x in sites],
            "conflict_date": [0.0 if x[2] == "conflict_zone" else np.nan for x in sites],
            "population": [x[3] for x in sites],
        }
    )
    r = pd.DataFrame(
        {
            "name1": [x[0] for x in routes],
            "name2": [x[1] for x in routes],
            "distance_km": [x[2] for x in routes],
            "forced_redirection": [x[3] if len(x) > 3 else 0 for x in routes],
        }
    )
    return Network(s, r, source="test network")


def make_scenario(
    net: Network, days: int, total: np.ndarray | list[float], closures: tuple[Closure, ...] = ()
) -> NetworkScenario:
    return NetworkScenario(
        network=net,
        start=pd.Timestamp("2024-01-01"),
        days=days,
        registered_total=np.asarray(total, dtype="float64"),
        closures=closures,
        name="test",
    )


@pytest.fixture
def fork() -> Network:
    """Origin A (conflict) with two camps: B at 50 km, C at 150 km, same country."""
    return make_network(
        [("A", "X", "conflict_zone", 1000.0), ("B", "X", "camp", np.nan), ("C", "X", "camp", np.nan)],
        [("A", "B", 50.0), ("A", "C", 150.0)],
    )


needs_shared = pytest.mark.skipif(
    not SHARED_FLEE_DIR.is_dir(),
    reason=f"raw Flee scenarios not found at {SHARED_FLEE_DIR} (read-only shared data, not in the repo)",
)
