"""Multi-site allocation of arrivals over a network of sites and routes.

Where people go, not only how many arrive: entry points, towns and camps joined
by routes, Flee's movement rules (Suleimenova et al. 2017; Flee 3, 2024) run
as counts with numpy, Flee-format input/output and ARD / MASE scores. See
``docs/network.md``. Self-contained: imports only ``abm.errors`` from ``abm``.
"""

from abm.network.engine import NetworkResult, simulate
from abm.network.flee_io import (
    Validation,
    comparison_frame,
    read_flee_scenario,
    read_validation,
    write_flee_output,
)
from abm.network.scoring import ard, ard_daily, ard_rescaled, ard_total, mase
from abm.network.sites import Closure, MoveRules, Network, NetworkScenario, great_circle_km

__all__ = [
    "Closure",
    "MoveRules",
    "Network",
    "NetworkResult",
    "NetworkScenario",
    "Validation",
    "ard",
    "ard_daily",
    "ard_rescaled",
    "ard_total",
    "comparison_frame",
    "great_circle_km",
    "mase",
    "read_flee_scenario",
    "read_validation",
    "simulate",
    "write_flee_output",
]
