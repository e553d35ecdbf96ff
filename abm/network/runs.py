"""Run scenarios over several seeds and score them; the bundled and shared scenarios."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abm.errors import InputError
from abm.network.engine import SimulationResult, simulate
from abm.network.flee_io import Validation, read_flee_scenario
from abm.network.scoring import ard, ard_rescaled, mase
from abm.network.sites import MoveRules, Scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_FLEE_DIR = REPO_ROOT.parent / "shared" / "data" / "raw" / "flee"
"""Where the raw Flee scenarios sit next to the repository (read-only, never committed)."""

SHARED_SCENARIOS: dict[str, tuple[str, str]] = {
    "burundi": ("flee_conflict_input/burundi", "flee_conflict_validation/burundi2015"),
    "mali": ("flee_conflict_input/mali", "flee_conflict_validation/mali2012"),
    "ethiopia": ("flee_conflict_input/ethiopia", "flee_conflict_validation/ethiopia2020"),
    "syria": ("flee_conflict_input/syria", "flee_conflict_validation/syria2013"),
}
"""Scenario name -> (input dir, validation dir) under :data:`SHARED_FLEE_DIR`."""

FLEE_PUBLISHED: dict[str, str] = {
    "burundi": "0.569 (Flee 3.1, measured on this machine; 222 s, ~0.32 M agent-days/s)",
    "mali": "0.361 (Flee 3.1 at 1 agent per 10 persons, measured on this machine)",
    "ethiopia": "11.98 (Flee 3.1 at 1 agent per 10 persons, seed 0; measured for docs/network.md)",
    "syria": "not available here",
}
"""Flee's ARD on the same scenarios: ``../shared/data/raw/SOURCES.md`` section 11; Ethiopia: docs/network.md."""

MASE_LAG_DAYS = 30
"""Naive forecast used by MASE: the observed count 30 days earlier (a monthly planning step)."""

BUNDLED_NETWORKS = REPO_ROOT / "data" / "networks"
_PACKAGE_NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"


def shared_scenario_paths(name: str, root: str | Path | None = None) -> tuple[Path, Path]:
    """(input dir, validation dir) of a shared Flee scenario; :class:`InputError` if absent."""
    if name not in SHARED_SCENARIOS:
        raise InputError(f"unknown shared scenario {name!r}; known: {sorted(SHARED_SCENARIOS)}")
    base = Path(root) if root is not None else SHARED_FLEE_DIR
    inp, val = (base / p for p in SHARED_SCENARIOS[name])
    if not inp.is_dir() or not val.is_dir():
        raise InputError(f"shared Flee scenario {name!r} not found under {base} (expected {inp} and {val})")
    return inp, val


@dataclass(frozen=True, eq=False)
class ScoredRun:
    """One seed's run with its scores (ARD and MASE dimensionless)."""

    result: SimulationResult
    ard: float
    mase: float


def camp_arrays(result: SimulationResult, validation: Validation) -> tuple[np.ndarray, np.ndarray]:
    """(simulated, observed) persons, days x validation camps, in ``validation.camps`` column order."""
    names = result.scenario.network.names
    cols = [names.index(c) for c in validation.camps.columns]
    return result.occupancy[:, cols], validation.camps.to_numpy(dtype="float64")


def score(result: SimulationResult, validation: Validation) -> tuple[float, float]:
    """(ARD, MASE) of a run against validation camps."""
    sim, obs = camp_arrays(result, validation)
    lag = min(MASE_LAG_DAYS, len(obs) - 1)
    return ard(sim, obs), mase(sim, obs, lag=lag)


def run_seeds(
    scenario: Scenario, validation: Validation, seeds: list[int] | range, rules: MoveRules | None = None
) -> pd.DataFrame:
    """Run a scenario once per seed and score each run.

    Columns: ``scenario`` (str), ``seed`` (int), ``ard`` (dimensionless),
    ``mase`` (dimensionless), ``ard_rescaled`` (dimensionless, see
    :func:`~abm.network.scoring.ard_rescaled`), ``wall_s`` (s), ``person_days`` (persons x days
    simulated), ``person_days_per_s`` (person-days per wall second; Flee's
    "agent-days/s" at one agent per person).
    """
    rows = []
    for seed in seeds:
        r = simulate(scenario, rules, seed=int(seed))
        a, m = score(r, validation)
        rows.append(
            {
                "scenario": scenario.name,
                "seed": int(seed),
                "ard": a,
                "mase": m,
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
    ``mase_mean``, ``mase_sd``, ``ard_rescaled_mean`` (dimensionless), ``wall_s_mean`` (s),
    ``person_days_per_s`` (mean, person-days/s).
    """
    g = runs.groupby("scenario", sort=False)
    return pd.DataFrame(
        {
            "seeds": g["seed"].count(),
            "ard_mean": g["ard"].mean(),
            "ard_sd": g["ard"].std(ddof=1),
            "mase_mean": g["mase"].mean(),
            "mase_sd": g["mase"].std(ddof=1),
            "ard_rescaled_mean": g["ard_rescaled"].mean(),
            "wall_s_mean": g["wall_s"].mean(),
            "person_days_per_s": g["person_days_per_s"].mean(),
        }
    ).reset_index()


def load_shared(name: str, root: str | Path | None = None, entries: str = "total") -> tuple[Scenario, Validation]:
    """Read a shared Flee scenario with its validation data (``entries``: see :func:`read_flee_scenario`)."""
    inp, val = shared_scenario_paths(name, root)
    sc, v = read_flee_scenario(inp, val, name=name, entries=entries)
    return sc, v


def central_asia_dir() -> Path:
    """Directory of the bundled ILLUSTRATIVE Central Asian network (Flee format)."""
    for d in (BUNDLED_NETWORKS / "central_asia", _PACKAGE_NETWORKS / "central_asia"):
        if (d / "locations.csv").is_file():
            return d
    raise InputError("bundled network data/networks/central_asia not found")


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


def central_asia_scenario(arrivals: pd.DataFrame | None = None, path: int = 0) -> Scenario:
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


def allocation_summary(result: SimulationResult) -> pd.DataFrame:
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


def site_arrivals_frame(result: SimulationResult, sites: list[str] | None = None) -> pd.DataFrame:
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
