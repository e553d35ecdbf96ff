"""The planning pipeline, in stages that the app caches and the command line runs:

    scenario -> fitted models -> movement paths -> host arrivals -> arrivals frame
             -> Monte Carlo capacity runs -> capacity advice

Everything that shapes a result is a field of :class:`PlanSpec` (the scenario, the
forecast settings and the capacity settings, the area share and planning multiplier
included), which is the file the app exports (``plan.json``) and the command line
reads (``planner plan plan.json``), so the command line reproduces any app result.

Every stage takes an optional ``progress`` callable (:data:`Progress`), called with
a :class:`StageProgress` as the work goes on, so a front end can say what is being
done and how far it is (the app draws ``st.status``; the stages stay plain Python).

``planner`` composes ``forecast`` and ``abm`` (which never import each other) and
never imports streamlit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from forecast.errors import ScenarioError
from forecast.scenarios import Scenario, read_json, write_text
from forecast.vocabulary import DEFAULT_SERIES, HOSTS

if TYPE_CHECKING:
    from planner.cache import FitCache


class PlanError(ScenarioError):
    """A plan file or field that cannot be used (names the file and the field)."""


@dataclass(frozen=True)
class ForecastSettings:
    """How the arrivals are forecast.

    ``series_id``: the movement series the models learn from; ``host``: ISO3 of the
    host country; ``model``: model alias whose paths feed the capacity model;
    ``horizon``: periods ahead (months); ``n_paths``: sample paths per model;
    ``seed``: every random draw (these three within :data:`forecast.bounds.BOUNDS`); ``host_method``: ``"dyadic"`` (the pooled model of
    annual arrivals learned from the world's displacement history,
    :mod:`forecast.host_model`; at most 24 months) or ``"share"`` (the movement
    forecast times each host's UNHCR share, :mod:`forecast.hosts`, kept as a
    comparison); ``share_years``: UNHCR years behind each host share (share method).
    """

    series_id: str = DEFAULT_SERIES
    host: str = "KAZ"
    model: str = "ensemble"
    horizon: int = 24
    n_paths: int = 200
    seed: int = 0
    share_years: int = 10
    host_method: str = "dyadic"


HOST_METHODS: dict[str, str] = {
    "dyadic": "Pooled model of annual arrivals, learned from the world's displacement history",
    "share": "Movement forecast x each host's UNHCR share (comparison)",
}


@dataclass(frozen=True)
class CapacitySettings:
    """How arrivals meet the host area's facilities.

    ``area_share``: share of the country's arrivals that come to this host area
    (0-1]; ``multiplier``: planning stress multiplier on every path (>= 1 in the app);
    ``n_runs``: Monte Carlo runs; ``risk``: accepted probability of any shortfall;
    ``mean_stay_days``: mean stay [days]; ``step_days``: 1 or 7.
    """

    area_share: float = 1.0
    multiplier: float = 1.0
    n_runs: int = 200
    risk: float = 0.10
    mean_stay_days: float = 365.0
    step_days: int = 7


@dataclass(frozen=True)
class PlanSpec:
    """Everything that shapes a plan: scenario + forecast settings + capacity settings."""

    scenario: Scenario = field(default_factory=Scenario.baseline_persist)
    forecast: ForecastSettings = field(default_factory=ForecastSettings)
    capacity: CapacitySettings = field(default_factory=CapacitySettings)

    def __post_init__(self):
        f, c = self.forecast, self.capacity
        if f.host_method not in HOST_METHODS:
            raise PlanError(f"field 'forecast.host_method': {f.host_method!r} is not one of "
                            f"{', '.join(HOST_METHODS)}")
        if f.host not in HOSTS:
            raise PlanError(f"field 'forecast.host': unknown host {f.host!r}; choose from "
                            f"{', '.join(HOSTS)}")
        from abm.schema import BOUNDS as ABM_BOUNDS
        from forecast.bounds import check_value

        for name, v in (("forecast.horizon", f.horizon), ("forecast.n_paths", f.n_paths),
                        ("forecast.seed", f.seed)):
            check_value(v, name.split(".")[1], f"field {name!r}", PlanError)
        runs = ABM_BOUNDS["n_runs"]
        for name, v, lo, hi in (("forecast.share_years", f.share_years, 1, 60),
                                ("capacity.n_runs", c.n_runs, int(runs.low), int(runs.high)),
                                ("capacity.step_days", c.step_days, 1, 7)):
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise PlanError(f"field {name!r}: must be a whole number in [{lo}, {hi}], "
                                f"got {v!r}")
        for name, v, lo, hi in (("capacity.area_share", c.area_share, 1e-6, 1.0),
                                ("capacity.multiplier", c.multiplier, 0.0, 1000.0),
                                ("capacity.risk", c.risk, 0.0, 0.99),
                                ("capacity.mean_stay_days", c.mean_stay_days, 1.0, 3650.0)):
            if (isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
                    or not lo <= v <= hi):
                raise PlanError(f"field {name!r}: must be a number in [{lo:g}, {hi:g}], "
                                f"got {v!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario.to_dict(),
                "forecast": dataclasses.asdict(self.forecast),
                "capacity": dataclasses.asdict(self.capacity)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any, source: str = "plan") -> PlanSpec:
        if not isinstance(data, dict):
            raise PlanError(f"{source}: a plan must be a JSON object")
        unknown = sorted(set(data) - {"scenario", "forecast", "capacity"})
        if unknown:
            raise PlanError(f"{source}: unknown field(s) {unknown}; allowed: capacity, "
                            "forecast, scenario")
        sc = Scenario.from_dict(data.get("scenario", Scenario.baseline_persist().to_dict()),
                                source=f"{source}: field 'scenario'")
        parts = {}
        for key, klass in (("forecast", ForecastSettings), ("capacity", CapacitySettings)):
            raw = data.get(key, {})
            if not isinstance(raw, dict):
                raise PlanError(f"{source}: field {key!r} must be an object")
            names = {f.name for f in dataclasses.fields(klass)}
            bad = sorted(set(raw) - names)
            if bad:
                raise PlanError(f"{source}: field {key!r}: unknown key(s) {bad}; allowed: "
                                f"{sorted(names)}")
            parts[key] = klass(**raw)
        try:
            return cls(sc, parts["forecast"], parts["capacity"])
        except PlanError as exc:
            raise PlanError(f"{source}: {exc}") from None

    @classmethod
    def read(cls, path: str | Path) -> PlanSpec:
        source = f"plan file {Path(path)}"
        return cls.from_dict(read_json(path, source, PlanError), source=source)

    def write(self, path: str | Path, overwrite: bool = False) -> Path:
        return write_text(path, self.to_json() + "\n", overwrite)


@dataclass(frozen=True)
class PlanData:
    """The data a plan runs on: history (series_id, ds, y), drivers (ds + drivers),
    UNHCR host table, and the facilities (None = the bundled default set)."""

    history: pd.DataFrame
    drivers: pd.DataFrame | None
    hosts: pd.DataFrame
    facilities: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    user_arrivals: bool = False  # history's chosen series is the user's own arrivals
    dyads: pd.DataFrame | None = None  # None: the bundled world panel (load_dyads)
    surges: pd.DataFrame | None = None  # None: the bundled surge catalogue


def bundled_data() -> PlanData:
    """The bundled datasets."""
    from forecast import datasets

    return PlanData(datasets.load_history(), datasets.load_drivers(), datasets.load_hosts())


# ---------------------------------------------------------------- progress
@dataclass(frozen=True)
class StageProgress:
    """One progress report of a stage: ``done`` of ``total`` units of work.

    ``stage``: ``"fit"`` (units: movement models fitted), ``"fit_hosts"`` (the pooled
    host model; 0 of 1, then 1 of 1), ``"forecast"`` and ``"host_paths"`` (0 of 1,
    then 1 of 1), ``"capacity"`` (Monte Carlo runs done). ``item``: what is worked on
    now (a model alias; empty when done); ``months``: months of history the models
    learn from (``fit``); ``series_id``: that series (``fit``); ``rows``: rows of the
    world panel, origin-host-years (``fit_hosts``).
    """

    stage: str
    done: int
    total: int
    item: str = ""
    months: int = 0
    series_id: str = ""
    rows: int = 0

    @property
    def fraction(self) -> float:
        """Share of the stage done, in [0, 1]."""
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0


Progress = Callable[[StageProgress], None]
"""A progress callback: ``progress(StageProgress(...))``. An exception it raises stops
the stage and propagates (Streamlit does so when the planner starts a new run)."""


def _report(progress: Progress | None, stage: str, done: int, total: int = 1, **kw) -> None:
    if progress is not None:
        progress(StageProgress(stage, done, total, **kw))


# ---------------------------------------------------------------- stages
def content_hash(*frames: pd.DataFrame | None) -> str:
    """A short SHA-256 over the values of ``frames`` (``None`` counts as absent): the key
    of a fit's data in :mod:`planner.cache`."""
    h = hashlib.sha256()
    for df in frames:
        if df is None:
            h.update(b"none;")
        else:
            h.update(",".join(map(str, df.columns)).encode())
            h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:24]


def fit(spec: PlanSpec, data: PlanData, progress: Progress | None = None,
        cache: FitCache | None = None):
    """Stage 1: every registered model fitted once on the chosen series
    (:func:`forecast.api.fit_models`); the app then switches models without refitting.
    ``progress``: a ``"fit"`` report before each model's fit and after the last (none
    when the fit is read from ``cache``: :class:`planner.cache.FitCache`, keyed by the
    series, seed and a content hash of the history and drivers)."""
    from forecast import api
    from forecast.models import MODEL_NAMES

    sid = spec.forecast.series_id

    def each(done: int, total: int, alias: str, months: int) -> None:
        _report(progress, "fit", done, total, item=alias, months=months, series_id=sid)

    def compute():
        return api.fit_models(data.history, data.drivers, series_id=sid,
                              models=list(MODEL_NAMES), seed=spec.forecast.seed,
                              model_progress=each if progress is not None else None)

    if cache is None:
        return compute()
    key = (sid, spec.forecast.seed, content_hash(data.history, data.drivers))
    return cache.get("fit", key, compute)


def forecast(fitted, spec: PlanSpec,
             progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage 2: (forecast quantiles, sample paths) of every fitted model under the scenario."""
    from forecast import api

    f = spec.forecast
    _report(progress, "forecast", 0)
    out = api.predict(fitted, spec.scenario, horizon=f.horizon, n_paths=f.n_paths, seed=f.seed)
    _report(progress, "forecast", 1)
    return out


def fit_hosts(spec: PlanSpec, data: PlanData, progress: Progress | None = None,
              cache: FitCache | None = None):
    """Stage 3a (dyadic method): the pooled host model fitted once on the world panel
    up to its last year (:func:`forecast.host_model.fit_host_model`); read from
    ``cache`` when it holds this seed and panel (the bundled panel is part of the
    cache's installation fingerprint)."""
    from forecast import datasets, host_model

    def compute():
        dyads = data.dyads if data.dyads is not None else datasets.load_dyads()
        _report(progress, "fit_hosts", 0, rows=len(dyads))
        model = host_model.fit_host_model(dyads, seed=spec.forecast.seed)
        _report(progress, "fit_hosts", 1, rows=len(dyads))
        return model

    if cache is None:
        return compute()
    panel = "bundled" if data.dyads is None else content_hash(data.dyads)
    return cache.get("fit_hosts", (spec.forecast.seed, panel), compute)


def host_paths(paths: pd.DataFrame | None, spec: PlanSpec, data: PlanData,
               model=None, progress: Progress | None = None,
               cache: FitCache | None = None) -> pd.DataFrame:
    """Stage 3: per-host monthly arrival paths (``series_id`` = host ISO3, persons per
    month). Dyadic method: the annual paths of :func:`annual_hosts` split into months
    with the observed calendar profile (annual sums kept exactly), the first
    ``horizon`` months (at most 24) after the last UNHCR year
    (:func:`forecast.api.pooled_host_arrivals`). Share method: the movement paths of
    the chosen model times each host's share (:func:`forecast.api.host_arrivals`)."""
    from forecast import api

    f = spec.forecast
    if f.host_method == "share":
        p = paths[paths["model"] == f.model]
        _report(progress, "host_paths", 0)
        out = api.host_arrivals(p, data.hosts, data.history, scenario=spec.scenario,
                                seed=f.seed, years=f.share_years)
    else:
        model = model if model is not None else fit_hosts(spec, data, progress, cache)
        _report(progress, "host_paths", 0)
        out = api.pooled_host_arrivals(model, spec.scenario, horizon=f.horizon,
                                       n_paths=f.n_paths, seed=f.seed, surges=data.surges)
    _report(progress, "host_paths", 1)
    return out


def arrivals(paths: pd.DataFrame, hosts: pd.DataFrame | None, spec: PlanSpec,
             data: PlanData) -> pd.DataFrame:
    """Stage 4: the arrivals frame (``ds, path, arrivals``: persons arriving in the host
    area per month) after the area share and the planning multiplier."""
    from forecast import api

    f, c = spec.forecast, spec.capacity
    if data.user_arrivals:
        a = api.to_arrivals_frame(paths, model=f.model)
    else:
        a = api.to_arrivals_frame(hosts, host=f.host)
        a["arrivals"] = a["arrivals"].astype(float)
    return a.assign(arrivals=a["arrivals"] * c.area_share * c.multiplier)


def abm_config(spec: PlanSpec):
    import abm

    c = spec.capacity
    return abm.ABMConfig().with_(mean_stay_days=float(c.mean_stay_days),
                                 step_days=int(c.step_days))


def facilities(spec: PlanSpec, data: PlanData) -> pd.DataFrame:
    """The facilities of the plan: the data's own table if given, else the bundled default
    set of the spec's host (:func:`abm.default_facility_set`; a context host without one
    is a :class:`PlanError` asking for a facilities table)."""
    import abm

    if data.facilities is not None:
        return abm.check_facilities(data.facilities, source="facilities table")
    host = spec.forecast.host
    if host not in abm.default_facility_hosts():
        raise PlanError(f"field 'forecast.host': no bundled facility set for {host!r} (bundled: "
                        f"{', '.join(abm.default_facility_hosts())}); give a facilities table")
    return abm.default_facilities(host)


def capacity(arr: pd.DataFrame, spec: PlanSpec, data: PlanData,
             progress: Progress | None = None):
    """Stage 5: the Monte Carlo capacity result (:func:`abm.monte_carlo`).
    ``progress``: a ``"capacity"`` report of runs done, first 0 of ``n_runs``, then
    after each chunk of runs."""
    import abm

    plans = abm.check_plans(data.plans, source="expansion plans") if data.plans is not None \
        else None
    n = spec.capacity.n_runs
    _report(progress, "capacity", 0, n)
    return abm.monte_carlo(arr, facilities(spec, data), abm_config(spec), plans=plans,
                           n_runs=n, seed=spec.forecast.seed,
                           progress=(lambda done, total: _report(progress, "capacity", done, total))
                           if progress is not None else None)


def advice(mc, spec: PlanSpec, data: PlanData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage 6: the capacity advice and order schedule at the accepted risk."""
    import abm

    return abm.advise(mc, risk=spec.capacity.risk, facilities=facilities(spec, data),
                      config=abm_config(spec))


@dataclass(frozen=True)
class PlanResult:
    """Every frame of a plan run (units in each stage's docstring)."""

    spec: PlanSpec
    forecast: pd.DataFrame
    paths: pd.DataFrame
    hosts: pd.DataFrame | None
    arrivals: pd.DataFrame
    capacity: Any
    advice: pd.DataFrame
    schedule: pd.DataFrame
    warnings: tuple[str, ...] = ()  # e.g. stale drivers (FittedModels.stale_drivers)


def run_plan(spec: PlanSpec, data: PlanData | None = None,
             progress: Progress | None = None, cache: FitCache | None = None) -> PlanResult:
    """Run every stage in order (``progress``: every stage's reports, in order;
    ``cache``: where the two fits are kept between runs, :mod:`planner.cache`)."""
    data = data or bundled_data()
    fitted = fit(spec, data, progress, cache)
    fc, paths = forecast(fitted, spec, progress)
    hp = None if data.user_arrivals else host_paths(paths, spec, data, progress=progress,
                                                     cache=cache)
    arr = arrivals(paths, hp, spec, data)
    mc = capacity(arr, spec, data, progress)
    adv, sched = advice(mc, spec, data)
    return PlanResult(spec, fc, paths, hp, arr, mc, adv, sched, tuple(fitted.stale_drivers()))
