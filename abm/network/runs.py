"""Run scenarios over several seeds and score them; the bundled and shared scenarios."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from abm.errors import InputError
from abm.network.engine import NetworkResult, simulate
from abm.network.flee_io import Validation, read_flee_scenario
from abm.network.scoring import ard, ard_rescaled, ard_total, mase
from abm.network.sites import MoveRules, NetworkScenario

FLEE_DIR_ENV = "PLANNER_FLEE_DIR"
"""Environment variable naming the folder of raw Flee scenarios (``flee_conflict_input/`` ...)."""
RAW_DIR_ENV = "PLANNER_RAW_DIR"
"""Environment variable naming the raw-data folder; its ``flee/`` sub-folder is the fallback."""

SHARED_SCENARIOS: dict[str, tuple[str, str]] = {
    "burundi": ("flee_conflict_input/burundi", "flee_conflict_validation/burundi2015"),
    "mali": ("flee_conflict_input/mali", "flee_conflict_validation/mali2012"),
    "ethiopia": ("flee_conflict_input/ethiopia", "flee_conflict_validation/ethiopia2020"),
    "syria": ("flee_conflict_input/syria", "flee_conflict_validation/syria2013"),
    "mali_fabflee": ("fabflee_mali2012/input_csv", "fabflee_mali2012/source_data"),
}
"""Scenario name -> (input dir, validation dir) under the Flee folder (:func:`flee_dir`):
Flee 3.1's ``conflict_input`` / ``conflict_validation`` and FabFlee's ``config_files/mali2012``."""

FLEE_PUBLISHED: dict[str, tuple[float | None, float | None, str]] = {
    "burundi": (0.569, 0.461, "1 agent per person, 222 s; at 1 per 10: 0.570 / 0.463"),
    "mali": (0.361, 0.225, "1 agent per 10 persons, seed 0; seed 1: 0.363 / 0.226"),
    "ethiopia": (11.98, 0.553, "1 agent per 10 persons, seed 0; seed 1: 11.97 / 0.552"),
    "syria": (0.295, 0.577, "1 agent per 100 persons, seed 0"),
    "mali_fabflee": (0.3615, 0.2248, "1 agent per 10 persons, seed 0 (the same figures as mali)"),
}
"""Flee 3.1's ARD on the same scenarios, measured on this machine: (camps-sum ARD, out.csv
"Total error" ARD, how). Burundi 1 agent per person: ``../shared/data/raw/SOURCES.md`` section 11;
the others: PyPI ``flee`` 3.1 run outside the repository by a driver following its
``runscripts/run.py`` with the Burundi ``simsetting.yml`` (docs/network.md). ``None``: not measured."""


def flee_dir(explicit: str | Path | None = None) -> Path:
    """The folder of raw Flee scenarios: ``explicit``, else ``$PLANNER_FLEE_DIR``, else ``$PLANNER_RAW_DIR/flee``.

    Raises :class:`InputError` (one line saying what to pass) when none is given or it is not a folder.
    """
    if explicit is not None:
        base, how = Path(explicit), "--flee-dir"
    elif os.environ.get(FLEE_DIR_ENV):
        base, how = Path(os.environ[FLEE_DIR_ENV]), f"${FLEE_DIR_ENV}"
    elif os.environ.get(RAW_DIR_ENV):
        base, how = Path(os.environ[RAW_DIR_ENV]) / "flee", f"${RAW_DIR_ENV}/flee"
    else:
        raise InputError(f"Flee scenarios not located: pass --flee-dir DIR or set {FLEE_DIR_ENV}=DIR, "
                         "DIR being the folder that holds flee_conflict_input/ and flee_conflict_validation/")
    if not base.is_dir():
        raise InputError(f"{base} ({how}): not a folder; pass --flee-dir DIR, DIR being the folder that "
                         "holds flee_conflict_input/ and flee_conflict_validation/")
    return base

MASE_LAG_DAYS = 30
"""Naive forecast used by MASE: the observed count 30 days earlier (a monthly planning step)."""



def shared_scenario_paths(name: str, root: str | Path | None = None) -> tuple[Path, Path]:
    """(input dir, validation dir) of a shared Flee scenario; :class:`InputError` if absent."""
    if name not in SHARED_SCENARIOS:
        raise InputError(f"unknown shared scenario {name!r}; known: {sorted(SHARED_SCENARIOS)}")
    base = flee_dir(root)
    inp, val = (base / p for p in SHARED_SCENARIOS[name])
    if not inp.is_dir() or not val.is_dir():
        raise InputError(f"shared Flee scenario {name!r} not found under {base} (expected {inp} and {val})")
    return inp, val


@dataclass(frozen=True, eq=False)
class ScoredRun:
    """One seed's run with its scores (dimensionless): camps-sum ARD, Flee's out.csv ARD, MASE."""

    result: NetworkResult
    ard: float
    ard_total: float
    mase: float


def camp_arrays(result: NetworkResult, validation: Validation) -> tuple[np.ndarray, np.ndarray]:
    """(simulated, observed) persons, days x validation camps, in ``validation.camps`` column order."""
    names = result.scenario.network.names
    cols = [names.index(c) for c in validation.camps.columns]
    return result.occupancy[:, cols], validation.camps.to_numpy(dtype="float64")


def score(result: NetworkResult, validation: Validation) -> ScoredRun:
    """Scores of a run against validation camps: camps-sum ARD, Flee's "Total error" ARD, MASE."""
    sim, obs = camp_arrays(result, validation)
    lag = min(MASE_LAG_DAYS, len(obs) - 1)
    return ScoredRun(result=result, ard=ard(sim, obs), ard_total=ard_total(sim, obs, validation.total),
                     mase=mase(sim, obs, lag=lag))


def run_network_seeds(
    scenario: NetworkScenario, validation: Validation, seeds: list[int] | range, rules: MoveRules | None = None
) -> pd.DataFrame:
    """Run a scenario once per seed and score each run.

    Columns: ``scenario`` (str), ``seed`` (int), ``ard`` (dimensionless;
    camps-sum definition, :func:`~abm.network.scoring.ard`), ``ard_total``
    (dimensionless; Flee's out.csv "Total error" definition,
    :func:`~abm.network.scoring.ard_total`), ``mase`` (dimensionless), ``ard_rescaled`` (dimensionless, see
    :func:`~abm.network.scoring.ard_rescaled`), ``wall_s`` (s), ``person_days`` (persons x days
    simulated), ``person_days_per_s`` (person-days per wall second; Flee's
    "agent-days/s" at one agent per person).
    """
    rows = []
    for seed in seeds:
        r = simulate(scenario, rules, seed=int(seed))
        sr = score(r, validation)
        rows.append(
            {
                "scenario": scenario.name,
                "seed": int(seed),
                "ard": sr.ard,
                "ard_total": sr.ard_total,
                "mase": sr.mase,
                "ard_rescaled": ard_rescaled(*camp_arrays(r, validation)),
                "wall_s": r.wall_seconds,
                "person_days": r.person_days,
                "person_days_per_s": r.person_days / max(r.wall_seconds, 1e-9),
            }
        )
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and sd over seeds per scenario.

    Columns: ``scenario``, ``seeds`` (n), ``ard_mean``, ``ard_sd``,
    ``ard_total_mean``, ``ard_total_sd``, ``mase_mean``, ``mase_sd``, ``ard_rescaled_mean`` (dimensionless), ``wall_s_mean`` (s),
    ``person_days_per_s`` (mean, person-days/s).
    """
    g = runs.groupby("scenario", sort=False)
    return pd.DataFrame(
        {
            "seeds": g["seed"].count(),
            "ard_mean": g["ard"].mean(),
            "ard_sd": g["ard"].std(ddof=1),
            "ard_total_mean": g["ard_total"].mean(),
            "ard_total_sd": g["ard_total"].std(ddof=1),
            "mase_mean": g["mase"].mean(),
            "mase_sd": g["mase"].std(ddof=1),
            "ard_rescaled_mean": g["ard_rescaled"].mean(),
            "wall_s_mean": g["wall_s"].mean(),
            "person_days_per_s": g["person_days_per_s"].mean(),
        }
    ).reset_index()


def load_shared(
    name: str, root: str | Path | None = None, entries: str = "total"
) -> tuple[NetworkScenario, Validation]:
    """Read a shared Flee scenario with its validation data (``entries``: see :func:`read_flee_scenario`)."""
    inp, val = shared_scenario_paths(name, root)
    sc, v = read_flee_scenario(inp, val, name=name, entries=entries)
    return sc, v


def central_asia_dir() -> Path:
    """Directory of the bundled ILLUSTRATIVE Central Asian network (Flee format)."""
    d = Path(str(files("abm").joinpath("data", "networks", "central_asia")))
    if not (d / "locations.csv").is_file():
        raise InputError(f"bundled network {d} not found (package data abm/data/networks)")
    return d


def daily_entries_from_arrivals(arrivals: pd.DataFrame, start: pd.Timestamp, days: int, path: int = 0) -> np.ndarray:
    """Cumulative persons entering per day, from the project's arrivals frame.

    ``arrivals`` has ``ds`` (month start) and ``arrivals`` (persons in that
    month), optionally ``path`` (the path ``path`` is used). Each month's
    arrivals are spread evenly over its days. Months missing or NA within the
    simulated period raise :class:`InputError` (NA is not zero).
    Returns an array of length ``days`` [persons, cumulative].
    """
    for col in ("ds", "arrivals"):
        if col not in arrivals.columns:
            raise InputError(f"arrivals frame: column {col!r} missing (have {list(arrivals.columns)})")
    a = arrivals
    if "path" in a.columns:
        a = a[a["path"] == path]
        if a.empty:
            raise InputError(f"arrivals frame: no rows with path == {path}")
    a = a.assign(ds=pd.to_datetime(a["ds"]).dt.to_period("M").dt.to_timestamp())
    per_month = a.set_index("ds")["arrivals"]
    if per_month.index.duplicated().any():
        raise InputError("arrivals frame: duplicate months for one path; first: "
                         f"{per_month.index[per_month.index.duplicated()][:3].tolist()}")
    dates = pd.date_range(start, periods=days, freq="D")
    months = dates.to_period("M").to_timestamp()
    missing = sorted(set(months) - set(per_month.index))
    if missing:
        raise InputError(f"arrivals frame: months not covered: {[str(m.date()) for m in missing[:3]]}")
    vals = per_month.reindex(months).to_numpy(dtype="float64")
    if np.isnan(vals).any() or (vals < 0).any():
        bad = months[np.isnan(vals) | (vals < 0)].unique()[:3]
        raise InputError(f"arrivals frame: column 'arrivals' NA or negative for months {[str(m.date()) for m in bad]}")
    daily = vals / dates.days_in_month.to_numpy()
    return np.cumsum(daily)


ILLUSTRATIVE_DAILY_ENTRIES = 300.0
"""Default persons entering the Central Asian example per day (ILLUSTRATIVE placeholder, not a forecast)."""


def central_asia_scenario(arrivals: pd.DataFrame | None = None, path: int = 0) -> NetworkScenario:
    """The bundled ILLUSTRATIVE Central Asian scenario.

    Entries come from an arrivals frame if given (see
    :func:`daily_entries_from_arrivals`), else a flat
    :data:`ILLUSTRATIVE_DAILY_ENTRIES` persons per day.
    """
    sc, _ = read_flee_scenario(central_asia_dir(), None, name="central_asia")
    if arrivals is None:
        total = ILLUSTRATIVE_DAILY_ENTRIES * np.arange(1, sc.days + 1, dtype="float64")
    else:
        total = daily_entries_from_arrivals(arrivals, sc.start, sc.days, path=path)
    return dataclasses.replace(sc, registered_total=total)


def central_asia_run(arrivals: pd.DataFrame | None, scale: float = 1.0, days: int = 180,
                     close_tkm: bool = False, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The illustrative Central Asian network driven by ``arrivals`` (an arrivals frame
    ``ds, path, arrivals`` in persons per month: its median path times ``scale`` enters
    the network; None = the network's own flat illustrative entries), for ``days`` days,
    with the Afghan-Turkmen border closed from day 0 when ``close_tkm`` (the bundled
    closure of that border is replaced by it, not added to it).

    Returns frames: ``sites`` (with lat/lon), ``routes``, ``occupancy`` (day, date, site,
    site_type, persons), ``summary`` (:func:`allocation_summary`) and ``flows``
    (:meth:`NetworkResult.route_frame`: persons who set out along each route).
    """
    from abm.network.sites import Closure

    base = central_asia_scenario()
    if arrivals is not None:
        med = arrivals.groupby("ds", as_index=False)["arrivals"].median()
        med["arrivals"] = med["arrivals"] * scale
        start = pd.Timestamp(med["ds"].min())
        days = min(days, int((med["ds"].max() + pd.offsets.MonthEnd(0) - start).days) + 1)
        total = daily_entries_from_arrivals(med, start, days)
        sc = dataclasses.replace(base, start=start, days=days, registered_total=np.asarray(total))
    else:
        days = min(days, base.days)
        sc = dataclasses.replace(base, days=days, registered_total=base.registered_total[:days])
    tkm = {"Afghanistan", "Turkmenistan"}
    closures = tuple(c for c in sc.closures if {c.name1, c.name2} != tkm)
    if close_tkm:
        closures += (Closure("country", "Afghanistan", "Turkmenistan", 0, None),)
    sc = dataclasses.replace(sc, closures=closures)
    res = simulate(sc, seed=seed)
    return {"sites": sc.network.sites, "routes": sc.network.routes,
            "occupancy": res.to_frame(), "summary": allocation_summary(res),
            "flows": res.route_frame()}


def allocation_summary(result: NetworkResult) -> pd.DataFrame:
    """Persons per site at the end of the run and the day each capacity was first reached.

    Columns: ``site`` (str), ``site_type`` (str), ``country`` (str),
    ``persons_end`` (persons), ``peak`` (persons, max over days), ``capacity``
    (persons; NA = no limit), ``first_full_day`` (int day; NA = never full).
    """
    s = result.scenario.network.sites
    occ = result.occupancy
    cap = np.where(s["site_type"].isin(["camp", "idpcamp"]), s["population"].to_numpy(dtype="float64"), np.nan)
    first_full = []
    for i in range(len(s)):
        if np.isfinite(cap[i]) and cap[i] > 0:
            hit = np.flatnonzero(occ[:, i] >= cap[i])
            first_full.append(int(hit[0]) if len(hit) else pd.NA)
        else:
            first_full.append(pd.NA)
    return pd.DataFrame(
        {
            "site": s["name"],
            "site_type": s["site_type"],
            "country": s["country"],
            "persons_end": occ[-1],
            "peak": occ.max(axis=0),
            "capacity": cap,
            "first_full_day": pd.array(first_full, dtype="Int64"),
        }
    )


def site_arrivals_frame(result: NetworkResult, sites: list[str] | None = None) -> pd.DataFrame:
    """Monthly net new occupants per site, in the shape of the project's arrivals frame.

    For each site, the daily rises in occupancy (falls ignored) summed by
    calendar month: a lower bound on the people who arrived and stayed, for
    feeding one site's intake to the Mesa capacity model (``abm.simulate``).
    Columns: ``site`` (str), ``ds`` (datetime64, month start), ``arrivals``
    (persons in the month). Day 0 counts its whole occupancy (including any
    initial population).
    """
    sc = result.scenario
    names = sc.network.names
    pick = names if sites is None else sites
    for s in pick:
        if s not in names:
            raise InputError(f"site_arrivals_frame: no site named {s!r}")
    idx = [names.index(s) for s in pick]
    occ = result.occupancy[:, idx].astype("float64")
    rise = np.maximum(np.diff(occ, axis=0, prepend=0.0), 0.0)
    months = sc.dates.to_period("M").to_timestamp()
    frame = pd.DataFrame(rise, columns=pick)
    frame["ds"] = months
    long = frame.melt(id_vars="ds", var_name="site", value_name="arrivals")
    return long.groupby(["site", "ds"], sort=False, as_index=False)["arrivals"].sum().loc[:, ["site", "ds", "arrivals"]]
