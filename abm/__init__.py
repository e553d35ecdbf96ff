"""A Mesa capacity model of shelters, schools and clinics for new arrivals.

Input is an *arrivals frame* (see ``docs/architecture.md``); ``abm`` never
imports ``forecast``. Public API (documented in ``docs/abm.md``):

* :func:`simulate` -- one run -> :class:`SimulationResult` (steps, population, summary)
* :func:`build_model` -- the Mesa model of one run, with Household agents, to step through
* :func:`monte_carlo` -- many runs over paths and seeds -> :class:`MonteCarloResult`
* :func:`advise` -- smallest added capacity and dates for a risk level
* :func:`sweep` -- scenarios x plans x seeds, in-process or on Dask
* :class:`ABMConfig`, :func:`load_standards`, :func:`read_facilities`,
  :func:`read_plans`, :func:`read_arrivals`, :func:`default_facilities`
"""

from importlib.resources import files

import pandas as pd

from abm.advice import advise
from abm.config import ABMConfig, load_standards
from abm.errors import ABMError, ConfigError, InputError
from abm.runs import MonteCarloResult, SimulationResult, build_model, monte_carlo, simulate
from abm.schema import (
    check_arrivals,
    check_facilities,
    check_plans,
    read_arrivals,
    read_facilities,
    read_plans,
)
from abm.sweeps import sweep

__version__ = "0.1.0"


def default_facilities() -> pd.DataFrame:
    """The bundled Kazakhstan preset ``data/facilities_kaz_default.csv``, checked.

    Standard-sized facilities for an illustrative 10,000-person planning
    caseload; every number cites its standard in the ``source`` column. These
    are not an inventory of real facilities.
    """
    with files("abm._bundled").joinpath("facilities_kaz_default.csv").open("r") as fh:
        frame = pd.read_csv(fh)
    return check_facilities(frame, source="data/facilities_kaz_default.csv")


__all__ = [
    "ABMConfig", "ABMError", "ConfigError", "InputError", "MonteCarloResult",
    "SimulationResult", "advise", "build_model", "check_arrivals", "check_facilities", "check_plans",
    "default_facilities", "load_standards", "monte_carlo", "read_arrivals",
    "read_facilities", "read_plans", "simulate", "sweep",
]
