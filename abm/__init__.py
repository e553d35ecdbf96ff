"""A Mesa capacity model of shelters, schools and clinics for new arrivals.

Input is an *arrivals frame* (see ``docs/architecture.md``); ``abm`` never
imports ``forecast``. Public API (documented in ``docs/abm.md``):

* :func:`simulate` -- one run -> :class:`SimulationResult` (steps, population, summary)
* :func:`build_model` -- the Mesa model of one run, with Household agents, to step through
* :func:`monte_carlo` -- many runs over paths and seeds -> :class:`MonteCarloResult`
* :func:`advise` -- smallest added capacity and dates for a risk level
* :func:`sweep` -- scenarios x plans x seeds, in-process or on Dask
* :class:`ABMConfig`, :func:`load_standards`, :func:`read_facilities`,
  :func:`read_plans`, :func:`read_arrivals`, :func:`default_facilities` (by host)
"""

from importlib import import_module

# Heavy modules (mesa, pandas) load on first use, so `import abm` and `abm --help` are fast.
_LAZY = {
    "advise": "abm.advice",
    "ABMConfig": "abm.config", "load_standards": "abm.config",
    "ABMError": "abm.errors", "ConfigError": "abm.errors", "InputError": "abm.errors",
    "MonteCarloResult": "abm.runs", "SimulationResult": "abm.runs", "build_model": "abm.runs",
    "monte_carlo": "abm.runs", "simulate": "abm.runs",
    "check_arrivals": "abm.schema", "check_facilities": "abm.schema", "check_plans": "abm.schema",
    "read_arrivals": "abm.schema", "read_facilities": "abm.schema", "read_plans": "abm.schema",
    "FacilitySet": "abm.schema", "default_facility_set": "abm.schema",
    "default_facility_hosts": "abm.schema",
    "sweep": "abm.sweeps",
}

__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'abm' has no attribute {name!r}")


def default_facilities(host: str = "KAZ"):
    """The bundled default facility set of ``host`` (ISO3; default Kazakhstan), checked
    (a frame, columns as in :func:`abm.read_facilities`): see
    :func:`abm.schema.default_facility_set` for its label and caseload.

    Standard-sized facilities for the host's latest UNHCR Afghan caseload (written by
    ``data/build.py``); every number cites its figure and standard in the ``source``
    column. These are not an inventory of real facilities.
    """
    from abm.schema import default_facility_set

    return default_facility_set(host).facilities


__all__ = [
    "ABMConfig", "ABMError", "ConfigError", "InputError", "MonteCarloResult",
    "SimulationResult", "advise", "build_model", "check_arrivals", "check_facilities", "check_plans",
    "FacilitySet", "default_facilities", "default_facility_hosts", "default_facility_set",
    "load_standards", "monte_carlo", "read_arrivals",
    "read_facilities", "read_plans", "simulate", "sweep",
]
