"""Single runs and Monte Carlo over arrival paths and seeds, returning tidy frames.

Seeds: run ``r`` of a Monte Carlo with seed ``s`` uses the generator
``default_rng(SeedSequence(s).spawn(n_runs + 1)[r + 1])`` (child 0 samples
paths from quantile input), so a run's result depends only on ``(s, r)``, not
on where or in which order it is computed (in-process or on Dask).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abm.config import EXIT_ROUTES, ABMConfig
from abm.demographics import category_shares, read_demographics
from abm.model import RECORDS, CapacityModel, CapacityTemplate
from abm.schema import (
    FACILITY_TYPES,
    Arrivals,
    arrivals_paths,
    check_arrivals,
    check_facilities,
    check_memory,
    check_number,
    check_plans,
)

#: units of the steps frame's demand/capacity/served/unmet columns, per facility type
STEP_UNITS = {
    "shelter": "persons (end of step)",
    "school": "school-age children (end of step)",
    "clinic": "consultations per day (mean over the step)",
}
#: unit of the summary's unmet_total and demand_total, per facility type
TOTAL_UNITS = {
    "shelter": "unsheltered person-days",
    "school": "child-days out of school",
    "clinic": "consultations",
}
DEFAULT_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


@dataclass(frozen=True)
class Inputs:
    """Checked inputs shared by every run of a Monte Carlo (cheap to pickle for Dask).

    template: the model set-up parsed once from them (:class:`abm.model.CapacityTemplate`;
    built here when not given), so runs do not parse the frames again.
    """

    months: pd.DatetimeIndex
    facilities: pd.DataFrame
    plans: pd.DataFrame
    config: ABMConfig
    shares: np.ndarray
    template: CapacityTemplate | None = None

    def __post_init__(self) -> None:
        if self.template is None:
            object.__setattr__(self, "template", CapacityTemplate.build(
                self.months, self.facilities, self.plans, self.config, self.shares))


def prepare(arrivals, facilities, config: ABMConfig | None = None, plans=None,
            demographics: pd.DataFrame | None = None) -> tuple[Arrivals, Inputs]:
    """Check every input once and return ``(arrivals, inputs)``."""
    config = config if config is not None else ABMConfig()
    if not isinstance(config, ABMConfig):
        from abm.errors import ConfigError
        raise ConfigError(f"config must be an ABMConfig, got {type(config).__name__}")
    arr = check_arrivals(arrivals)
    fac = check_facilities(facilities)
    pl = check_plans(plans)
    demo = demographics if demographics is not None else read_demographics()
    shares = category_shares(demo, config.demographics_scope)
    return arr, Inputs(arr.months, fac, pl, config, shares)


def run_arrays(path: np.ndarray, inputs: Inputs, rng: np.random.Generator) -> dict:
    """Run one model and return its per-step records (see ``abm.model.RECORDS``)."""
    model = CapacityModel(path, inputs.template.months, inputs.facilities, inputs.plans,
                          inputs.config, inputs.shares, rng=rng, template=inputs.template)
    model.run()
    out = dict(model.records)
    out["_step_len"] = model.step_len.astype(float)
    out["_step_start"] = model.step_start
    out["_person_days"] = float(model.present_day.sum())
    return out


def run_seeds(seed: int, n_runs: int) -> list[np.random.SeedSequence]:
    """The ``n_runs + 1`` child seed sequences of a Monte Carlo (0: path sampling)."""
    return np.random.SeedSequence(seed).spawn(n_runs + 1)


def check_run_args(arr: Arrivals, config: ABMConfig, n_runs: int, seed: int) -> tuple[int, int]:
    """``(n_runs, seed)`` checked against ``BOUNDS['n_runs']`` and ``BOUNDS['seed']``, and the
    memory the runs would need against :data:`abm.schema.MEMORY_BUDGET_BYTES` (refused up front)."""
    n_runs = check_number(n_runs, "n_runs", "n_runs", integer=True)
    seed = check_number(seed, "seed", "seed", integer=True)
    n_days = int(np.asarray(arr.months.days_in_month).sum())
    n_steps = -(-n_days // config.step_days)
    check_memory(float(arr.values.sum(axis=1).max()), n_runs, n_steps, "arrivals x n_runs")
    return n_runs, seed


def run_chunk(paths: np.ndarray, inputs: Inputs, seqs: list) -> list[dict]:
    """Run ``paths[i]`` with ``default_rng(seqs[i])`` for each i (a unit of distributed work)."""
    return [run_arrays(p, inputs, np.random.default_rng(s)) for p, s in zip(paths, seqs,
                                                                            strict=True)]


# --------------------------------------------------------------------------- frames
def _stack(results: list[dict]) -> dict[str, np.ndarray]:
    return {k: np.vstack([r[k] for r in results]) for k in RECORDS}


def _facility_arrays(rec: dict[str, np.ndarray], step_len: np.ndarray) -> dict:
    """demand, capacity, served, unmet per facility type, each (runs, steps)."""
    out = {
        "shelter": (rec["present"], rec["shelter_capacity"], rec["sheltered"]),
        "school": (rec["school_demand"], rec["school_capacity"], rec["school_served"]),
        "clinic": (rec["clinic_demand"] / step_len, rec["clinic_capacity"] / step_len,
                   rec["clinic_served"] / step_len),
    }
    return {t: {"demand": d, "capacity": c, "served": s, "unmet": d - s}
            for t, (d, c, s) in out.items()}


def _occupancy(served: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(capacity > 0, served / np.where(capacity > 0, capacity, 1), np.nan)


def _labels(values, repeats: int):
    """Each of ``values`` repeated ``repeats`` times, as a pandas ``str`` array (the dtype a
    scalar string column gets; taken from the few labels, not converted row by row)."""
    return pd.array(list(values), dtype="str").take(np.repeat(np.arange(len(values)), repeats))


def steps_frame(rec, step_dates, step_len, runs, paths) -> pd.DataFrame:
    """Tidy per-step frame over runs (see :func:`simulate` for the columns): blocks by
    facility type, each by run, then step."""
    fa = _facility_arrays(rec, step_len)
    n_runs, n_steps = rec["present"].shape
    n_t, per_type = len(FACILITY_TYPES), n_runs * n_steps

    def stacked(values) -> np.ndarray:
        return np.concatenate([v.ravel() for v in values])

    return pd.DataFrame({
        "run": np.tile(np.repeat(runs, n_steps), n_t),
        "path": np.tile(np.repeat(paths, n_steps), n_t),
        "step": np.tile(np.arange(n_steps), n_runs * n_t),
        "ds": np.tile(step_dates.to_numpy(), n_runs * n_t),
        "days": np.tile(step_len, n_runs * n_t).astype(np.int64),
        "facility_type": _labels(FACILITY_TYPES, per_type),
        "unit": _labels([STEP_UNITS[t] for t in FACILITY_TYPES], per_type),
        **{k: stacked(fa[t][k] for t in FACILITY_TYPES)
           for k in ("demand", "capacity", "served", "unmet")},
        "occupancy": stacked(_occupancy(fa[t]["served"], fa[t]["capacity"])
                             for t in FACILITY_TYPES),
    })


def population_frame(rec, step_dates, step_len, runs, paths) -> pd.DataFrame:
    """Tidy per-step population accounts (see :func:`simulate` for the columns)."""
    n_runs, n_steps = rec["present"].shape
    data = {
        "run": np.repeat(runs, n_steps),
        "path": np.repeat(paths, n_steps),
        "step": np.tile(np.arange(n_steps), n_runs),
        "ds": np.tile(step_dates.to_numpy(), n_runs),
        "days": np.tile(step_len, n_runs).astype(np.int64),
    }
    for name in ("arrivals", "arrived_cum", "present", "sheltered", "unsheltered", "exited_cum",
                 *(f"exited_{r}_cum" for r in EXIT_ROUTES)):
        data[name] = rec[name].ravel()
    return pd.DataFrame(data)


def summary_frame(rec, step_len, runs, paths) -> pd.DataFrame:
    """One row per run and facility type (see :func:`simulate` for the columns)."""
    fa = _facility_arrays(rec, step_len)
    total_days = float(step_len.sum())
    parts = []
    for ftype in FACILITY_TYPES:
        a = fa[ftype]
        over = a["unmet"] > 0
        days_over = (over * step_len).sum(axis=1)
        if ftype == "clinic":
            unmet_total = rec["clinic_demand"].sum(axis=1) - rec["clinic_served"].sum(axis=1)
            demand_total = rec["clinic_demand"].sum(axis=1)
        else:
            unmet_total = (a["unmet"] * step_len).sum(axis=1)
            demand_total = (a["demand"] * step_len).sum(axis=1)
        parts.append(pd.DataFrame({
            "run": runs, "path": paths, "facility_type": ftype,
            "peak_demand": a["demand"].max(axis=1),
            "peak_shortfall": a["unmet"].max(axis=1),
            "days_over_capacity": days_over,
            "share_time_met": 1.0 - days_over / total_days,
            "unmet_total": unmet_total,
            "demand_total": demand_total,
            "peak_unit": STEP_UNITS[ftype],
            "total_unit": TOTAL_UNITS[ftype],
        }))
    return pd.concat(parts, ignore_index=True)


def _step_dates(months: pd.DatetimeIndex, step_start: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(months[0] + pd.to_timedelta(step_start, unit="D"))


# --------------------------------------------------------------------------- public API
def build_model(arrivals, facilities, config: ABMConfig | None = None, seed: int = 0, *,
                plans=None, path: int = 0, demographics: pd.DataFrame | None = None,
                household_agents: bool = True) -> CapacityModel:
    """The Mesa model of one run, not yet stepped (for inspection, step by step).

    Same inputs as :func:`simulate` (and the same results for the same seed).
    With ``household_agents`` (default here) every household is a
    :class:`abm.agents.Household` agent whose ``status`` (waiting, sheltered,
    left) follows the model. Call ``model.step()`` or ``model.run()``; read
    ``model.records`` (per-step arrays) and ``model.agents``.
    """
    arr, inputs = prepare(arrivals, facilities, config, plans, demographics)
    _, seed = check_run_args(arr, inputs.config, 1, seed)
    vec = _one_path(arr, path)
    return CapacityModel(vec, inputs.template.months, inputs.facilities, inputs.plans,
                         inputs.config, inputs.shares, rng=np.random.default_rng(seed),
                         household_agents=household_agents, template=inputs.template)


def _one_path(arr: Arrivals, path: int) -> np.ndarray:
    if arr.quantiles is not None:
        levels = np.asarray(arr.quantiles)
        return np.array([np.interp(0.5, levels, arr.values[:, m])
                         for m in range(arr.values.shape[1])])
    if isinstance(path, bool) or not isinstance(path, int | np.integer) or \
            not 0 <= path < arr.values.shape[0]:
        from abm.errors import InputError
        raise InputError(f"arrivals frame: path {path} out of range 0..{arr.values.shape[0] - 1}")
    return arr.values[path]


@dataclass(frozen=True)
class SimulationResult:
    """Frames of one run: ``steps``, ``population``, ``summary`` (see :func:`simulate`)."""

    steps: pd.DataFrame
    population: pd.DataFrame
    summary: pd.DataFrame
    meta: dict = field(default_factory=dict)


def simulate(arrivals, facilities, config: ABMConfig | None = None, seed: int = 0, *,
             plans=None, path: int = 0, demographics: pd.DataFrame | None = None
             ) -> SimulationResult:
    """Run the capacity model once on one arrivals path.

    arrivals: arrivals frame (``ds, arrivals`` [+ ``path`` | ``quantile``]);
    with several paths, ``path`` picks one; with quantiles, the median is used.
    facilities: facilities table (:func:`abm.schema.check_facilities`).
    config: :class:`ABMConfig` (defaults cited in ``data/abm_standards.csv``).
    seed: int seed of the model's generator. plans: capacity plan or None.

    Returns frames:

    ``steps`` -- one row per step and facility type: ``run`` (0), ``path``,
    ``step`` (0-based), ``ds`` (first day of the step), ``days`` (step length,
    days), ``facility_type`` (shelter, school, clinic), ``unit``, ``demand``,
    ``capacity``, ``served``, ``unmet`` and ``occupancy`` (served / capacity,
    share; NA when capacity is 0). Shelter: persons present / beds / sheltered /
    unsheltered at the end of the step [persons]; school: school-age children
    seeking a seat / seats / enrolled / waitlisted at the end of the step
    [children]; clinic: consultations demanded / capacity / given / unmet
    [consultations per day, mean over the step].

    ``population`` -- one row per step: ``arrivals`` (persons arriving in the
    step), ``arrived_cum``, ``present``, ``sheltered``, ``unsheltered``,
    ``exited_cum`` and ``exited_<route>_cum`` (integration, onward, return)
    [persons, end of step]. Always ``arrived_cum = sheltered + unsheltered +
    exited_cum``.

    ``summary`` -- one row per facility type: ``peak_demand`` and
    ``peak_shortfall`` (maximum demand and unmet, unit ``peak_unit``),
    ``days_over_capacity`` (days in steps with unmet > 0), ``share_time_met``
    (share of days the standard capacity covered demand), ``unmet_total`` and
    ``demand_total`` (unit ``total_unit``: unsheltered person-days, child-days
    out of school, consultations).
    """
    arr, inputs = prepare(arrivals, facilities, config, plans, demographics)
    _, seed = check_run_args(arr, inputs.config, 1, seed)
    vec = _one_path(arr, path)
    res = run_arrays(vec, inputs, np.random.default_rng(seed))
    rec = {k: res[k][None, :] for k in RECORDS}
    dates = _step_dates(inputs.months, res["_step_start"])
    runs, paths = np.array([0]), np.array([path])
    meta = {"seed": seed, "config": inputs.config.to_dict(), "n_runs": 1,
            "person_days": res["_person_days"]}
    return SimulationResult(
        steps=steps_frame(rec, dates, res["_step_len"], runs, paths),
        population=population_frame(rec, dates, res["_step_len"], runs, paths),
        summary=summary_frame(rec, res["_step_len"], runs, paths),
        meta=meta,
    )


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo output frames (see :func:`monte_carlo`)."""

    steps: pd.DataFrame
    population: pd.DataFrame
    summary: pd.DataFrame
    quantiles: pd.DataFrame
    summary_quantiles: pd.DataFrame
    p_shortfall: pd.DataFrame
    population_quantiles: pd.DataFrame
    meta: dict = field(default_factory=dict)


def monte_carlo(arrivals, facilities, config: ABMConfig | None = None, *, plans=None,
                n_runs: int = 200, seed: int = 0,
                quantiles: tuple[float, ...] = DEFAULT_QUANTILES,
                demographics: pd.DataFrame | None = None, client=None,
                progress: Callable[[int, int], None] | None = None) -> MonteCarloResult:
    """Run the model ``n_runs`` times over arrival paths and seeds.

    Run r takes path r mod n_paths (or, for quantile input, a comonotone path
    sampled by :func:`abm.schema.arrivals_paths`) and its own seed (module
    docstring). ``client``: None runs in-process; a ``distributed.Client``
    (or "local", or a scheduler address) spreads chunks of runs over Dask with
    identical results. ``progress(done, total)`` is called after each chunk.

    Returns :class:`MonteCarloResult` with frames:
    ``steps``, ``population``, ``summary`` -- as in :func:`simulate`, one block per run;
    ``quantiles`` -- ``ds, step, days, facility_type, unit, metric`` (demand,
    capacity, served, unmet, occupancy), ``quantile``, ``value`` (unit of the
    metric as in ``steps``; occupancy a share);
    ``summary_quantiles`` -- ``facility_type, metric`` (summary columns),
    ``quantile, value``;
    ``p_shortfall`` -- ``facility_type, ds`` (month start), ``p_shortfall``
    (share of runs with unmet > 0 at the end of any step ending in that month);
    ``population_quantiles`` -- ``ds, step, days, metric`` (a ``population``
    column: arrivals, arrived_cum, present, sheltered, unsheltered, exited_cum,
    exited_<route>_cum), ``quantile, value`` [persons].
    """
    if isinstance(n_runs, bool) or not isinstance(n_runs, int | np.integer):
        from abm.errors import ConfigError
        raise ConfigError(f"n_runs must be a positive integer, got {n_runs!r}")
    arr, inputs = prepare(arrivals, facilities, config, plans, demographics)
    n_runs, seed = check_run_args(arr, inputs.config, n_runs, seed)
    seqs = run_seeds(seed, n_runs)
    paths = arrivals_paths(arr, n_runs, np.random.default_rng(seqs[0]))
    path_ids = (np.arange(n_runs) % arr.values.shape[0] if arr.quantiles is None
                else np.full(n_runs, -1))
    results = _execute(paths, inputs, seqs[1:], client, progress)
    rec = _stack(results)
    step_len, step_start = results[0]["_step_len"], results[0]["_step_start"]
    dates = _step_dates(inputs.months, step_start)
    runs = np.arange(n_runs)
    steps = steps_frame(rec, dates, step_len, runs, path_ids)
    summary = summary_frame(rec, step_len, runs, path_ids)
    meta = {"seed": seed, "n_runs": n_runs, "config": inputs.config.to_dict(),
            "arrivals_form": "quantiles" if arr.quantiles is not None else "paths",
            "n_paths": int(arr.values.shape[0]),
            "person_days": float(sum(r["_person_days"] for r in results))}
    return MonteCarloResult(
        steps=steps,
        population=population_frame(rec, dates, step_len, runs, path_ids),
        summary=summary,
        quantiles=_step_quantiles(rec, dates, step_len, quantiles),
        summary_quantiles=_summary_quantiles(summary, quantiles),
        p_shortfall=_p_shortfall(rec, dates, step_len),
        population_quantiles=_population_quantiles(rec, dates, step_len, quantiles),
        meta=meta,
    )


def _execute(paths, inputs, seqs, client, progress) -> list[dict]:
    n = len(seqs)
    if client is None:
        out = []
        chunk = max(1, n // 20)
        for i in range(0, n, chunk):
            out.extend(run_chunk(paths[i:i + chunk], inputs, seqs[i:i + chunk]))
            if progress is not None:
                progress(len(out), n)
        return out
    from abm.distributed import dask_client
    with dask_client(client) as cl:
        n_workers = max(1, len(cl.scheduler_info().get("workers", {})) or 1)
        chunk = max(1, -(-n // (4 * n_workers)))
        bounds = list(range(0, n, chunk))
        inputs_f = cl.scatter(inputs, broadcast=True)
        futures = [cl.submit(run_chunk, paths[i:i + chunk], inputs_f, seqs[i:i + chunk],
                             pure=False) for i in bounds]
        out = []
        for k, fut in enumerate(futures):
            out.extend(fut.result())
            if progress is not None:
                progress(min(n, bounds[k] + chunk), n)
        return out


STEP_METRICS = ("demand", "capacity", "served", "unmet", "occupancy")


def _quantiles_by_column(vals: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """``np.quantile(vals, qs, axis=0)`` per column, NA where a column has an NA (occupancy
    only where capacity is 0); one call for all columns (each column's quantiles are
    computed on its own, so the values equal a call per block)."""
    qv = np.full((len(qs), vals.shape[1]), np.nan)
    ok = ~np.isnan(vals).any(axis=0)
    if ok.all():
        qv[:] = np.quantile(vals, qs, axis=0)
    elif ok.any():
        qv[:, ok] = np.quantile(vals[:, ok], qs, axis=0)
    return qv


def _step_quantiles(rec, dates, step_len, qs) -> pd.DataFrame:
    """Rows by facility type, metric (``STEP_METRICS``), quantile, step."""
    fa = _facility_arrays(rec, step_len)
    qs = np.asarray(qs, dtype=float)
    n_steps, n_q = len(dates), len(qs)
    blocks, ftypes, units, metrics = [], [], [], []
    for ftype in FACILITY_TYPES:
        a = dict(fa[ftype])
        a["occupancy"] = _occupancy(a["served"], a["capacity"])
        for metric in STEP_METRICS:
            blocks.append(a[metric])
            ftypes.append(ftype)
            units.append("share" if metric == "occupancy" else STEP_UNITS[ftype])
            metrics.append(metric)
    n_b, per_block = len(blocks), n_q * n_steps
    qv = _quantiles_by_column(np.concatenate(blocks, axis=1), qs)  # (quantile, block x step)
    return pd.DataFrame({
        "ds": np.tile(dates.to_numpy(), n_q * n_b),
        "step": np.tile(np.arange(n_steps), n_q * n_b),
        "days": np.tile(step_len, n_q * n_b).astype(np.int64),
        "facility_type": _labels(ftypes, per_block),
        "unit": _labels(units, per_block),
        "metric": _labels(metrics, per_block),
        "quantile": np.tile(np.repeat(qs, n_steps), n_b),
        "value": qv.reshape(n_q, n_b, n_steps).transpose(1, 0, 2).ravel(),
    })


POPULATION_METRICS = ("arrivals", "arrived_cum", "present", "sheltered", "unsheltered",
                      "exited_cum", *(f"exited_{r}_cum" for r in EXIT_ROUTES))


def _population_quantiles(rec, dates, step_len, qs) -> pd.DataFrame:
    """Rows by metric (``POPULATION_METRICS``), quantile, step."""
    qs = np.asarray(qs, dtype=float)
    n_steps, n_q, n_m = len(dates), len(qs), len(POPULATION_METRICS)
    vals = np.concatenate([rec[m] for m in POPULATION_METRICS], axis=1)
    qv = np.quantile(vals, qs, axis=0)  # (quantile, metric x step), each column on its own
    return pd.DataFrame({
        "ds": np.tile(dates.to_numpy(), n_q * n_m),
        "step": np.tile(np.arange(n_steps), n_q * n_m),
        "days": np.tile(step_len, n_q * n_m).astype(np.int64),
        "metric": _labels(POPULATION_METRICS, n_q * n_steps),
        "quantile": np.tile(np.repeat(qs, n_steps), n_m),
        "value": qv.reshape(n_q, n_m, n_steps).transpose(1, 0, 2).ravel(),
    })


SUMMARY_METRICS = ("peak_demand", "peak_shortfall", "days_over_capacity", "share_time_met",
                   "unmet_total", "demand_total")


def _summary_quantiles(summary: pd.DataFrame, qs) -> pd.DataFrame:
    rows = []
    for ftype, grp in summary.groupby("facility_type", sort=False):
        for metric in SUMMARY_METRICS:
            vals = np.quantile(grp[metric].to_numpy(dtype=float), qs)
            for q, v in zip(qs, vals, strict=True):
                rows.append((ftype, metric, float(q), float(v)))
    return pd.DataFrame(rows, columns=["facility_type", "metric", "quantile", "value"])


def _p_shortfall(rec, dates, step_len) -> pd.DataFrame:
    fa = _facility_arrays(rec, step_len)
    end_dates = dates + pd.to_timedelta(step_len - 1, unit="D")
    month = end_dates.to_period("M").to_timestamp()
    months = pd.DatetimeIndex(month.unique())
    codes = months.get_indexer(month)
    parts = []
    for ftype in FACILITY_TYPES:
        over = fa[ftype]["unmet"] > 0  # (runs, steps)
        per_month = np.zeros((over.shape[0], len(months)), dtype=bool)
        for m in range(len(months)):
            per_month[:, m] = over[:, codes == m].any(axis=1)
        parts.append(pd.DataFrame({"facility_type": ftype, "ds": months,
                                   "p_shortfall": per_month.mean(axis=0)}))
    return pd.concat(parts, ignore_index=True)
