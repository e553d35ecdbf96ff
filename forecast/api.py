"""The facade the app and the command line call.

Typical use (the app caches the first call, then calls ``predict`` on every
slider move)::

    from forecast import api
    fitted = api.fit_models(history, drivers, series_id="frontex_afg_total", seed=0)
    fc, paths = api.predict(fitted, Scenario.conflict_escalation(), horizon=12, n_paths=200)
    hosts = api.host_arrivals(paths, hosts_annual, history)      # per-host paths
    arrivals = api.to_arrivals_frame(hosts, host="TJK", model="ensemble")  # for abm

All randomness comes from numpy Generators seeded by ``seed`` and the model
name (:func:`forecast.models.model_rng`): same inputs and seed, same outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast import drivers as drv
from forecast.bounds import check_value
from forecast.errors import ModelError, SchemaError
from forecast.fitting import ModelSet, check_paths_count
from forecast.models import DEFAULT_MODELS, Predictive, uses_drivers
from forecast.scenarios import Scenario
from forecast.series import future_index, series_z
from forecast.vocabulary import DEFAULT_SERIES, DRIVER_COLUMNS, QUANTILES

__all__ = ["DEFAULT_SERIES", "STALE_MONTHS", "FittedModels", "check_args", "check_inputs", "fit_models",
           "min_periods", "forecast_frame", "host_arrivals",
           "paths_frame", "pooled_annual", "pooled_host_arrivals", "predict", "predict_raw",
           "series_z", "to_arrivals_frame"]


STALE_MONTHS = 12
"""A driver carried forward over more than this many months to the origin is stale: a
warning on the command line and in the app (:meth:`FittedModels.stale_drivers`)."""


def check_args(**args) -> dict:
    """Arguments checked against :data:`forecast.bounds.BOUNDS` of the same name
    (``horizon``, ``n_paths``, ``seed``, ``origins``); returns them as ints, or raises
    :class:`ModelError` naming the argument and the bound."""
    return {k: check_value(v, k, f"argument {k!r}", ModelError) for k, v in args.items()}


@dataclass(eq=False)
class FittedModels:
    """Models fitted once on one series up to ``origin`` (the last reported period).

    ``z``: the series on the model scale (log1p persons per period);
    ``step_months``: 1 (monthly), 3 (quarterly) or 12 (annual);
    ``drivers_obs``: drivers known at the origin (``forecast.drivers.observed``;
    None when no model uses drivers); ``modelset``: the fitted
    :class:`forecast.fitting.ModelSet`; ``weights``: ensemble weights by member alias.
    """

    series_id: str
    origin: pd.Timestamp
    z: pd.Series
    drivers_obs: pd.DataFrame | None
    features: tuple[drv.Feature, ...]
    modelset: ModelSet
    seed: int
    step_months: int = 1
    roles: dict[str, tuple[str, ...]] | None = None

    @property
    def requested(self) -> tuple[str, ...]:
        return self.modelset.requested

    @property
    def models(self) -> dict:
        return {**self.modelset.models, **self.modelset.composites}

    @property
    def weights(self) -> dict[str, float]:
        c = self.modelset.composites.get("ensemble")
        return dict(c.weights) if c is not None else {}

    @property
    def warnings(self) -> dict[str, list[str]]:
        return self.modelset.warnings

    def stale_drivers(self, months: int = STALE_MONTHS) -> list[str]:
        """A one-line warning (in a list; [] if none) naming the drivers carried forward
        over more than ``months`` months to the origin: reported last long before the
        series' last period, they hold that old value through every later month."""
        if self.drivers_obs is None:
            return []
        stale = {}
        for col, first in sorted(self.drivers_obs.attrs.get("filled", {}).items()):
            first = pd.Timestamp(first)
            n = (self.origin.year - first.year) * 12 + self.origin.month - first.month + 1
            if n > months:
                stale[col] = (first - pd.offsets.MonthBegin(1), n)
        if not stale:
            return []
        ends = ", ".join(f"{c} {last:%Y-%m}" for c, (last, _) in stale.items())
        most = max(n for _, n in stale.values())
        return [f"stale drivers: the drivers end long before the series ({ends}); their last "
                f"values are carried forward up to {most} months to {self.origin:%Y-%m}, the "
                f"last period of {self.series_id}"]

    def provenance(self) -> dict:
        """Model part of an export sidecar: series, origin, models, lags, fills, seed."""
        filled = {} if self.drivers_obs is None else dict(self.drivers_obs.attrs.get("filled", {}))
        return {"series_id": self.series_id, "origin": f"{self.origin:%Y-%m-%d}",
                "step_months": self.step_months,
                "models": list(self.requested), "seed": self.seed,
                "ensemble_weights": self.weights,
                "features": [vars(f) for f in self.features],
                "drivers_carried_forward_from": filled,
                "fit_warnings": self.warnings}


def fit_models(history: pd.DataFrame, drivers: pd.DataFrame | None = None,
               series_id: str | None = None, models: Sequence[str] = DEFAULT_MODELS,
               seed: int = 0, origin: pd.Timestamp | str | None = None,
               features: Sequence[drv.Feature] | None = None,
               weights: dict[str, float] | None = None,
               roles: dict[str, str | Sequence[str]] | None = None,
               progress: Callable[[str], None] | None = None,
               model_progress: Callable[[int, int, str, int], None] | None = None,
               ) -> FittedModels:
    """Fit the models once on one series (history and drivers cut at ``origin``).

    ``history``: history frame (``series_id, ds, y``; persons per period; monthly,
    quarterly or annual, from the data). ``drivers``: drivers frame (``ds`` + driver
    columns); may be None when every model is driver-free (baselines, ETS).
    ``models``: aliases (:data:`forecast.models.MODEL_NAMES`); ``ensemble`` also fits
    its members. ``features``: driver features (default: the standard ones whose
    driver column the frame has, :func:`forecast.drivers.default_features`).
    ``roles``: your driver columns by role (``{"conflict": "deaths"}``), so the
    scenarios move them. ``weights``: ensemble weights (alias -> weight; default
    equal, or :func:`forecast.backtest.skill_weights`). ``progress``: called with a
    short description before the fits. ``model_progress(done, total, alias,
    months)``: called before each model's fit and after the last
    (:meth:`forecast.fitting.ModelSet.fit`).
    """
    seed = check_args(seed=seed)["seed"]
    mset = ModelSet(tuple(models), seed=seed, weights=weights)
    prep = _prepare(history, drivers, series_id, mset, origin, features, roles)
    sid, z, t, step, obs, feats, X, role_map = prep
    if progress:
        progress(f"Fitting {len(mset.base_aliases)} models on {len(z)} periods of {sid}")
    mset.fit(z, X, progress=model_progress)
    return FittedModels(sid, t, z, obs, feats, mset, seed, step, role_map)


def _prepare(history, drivers, series_id, mset, origin=None, features=None, roles=None):
    """Every check and cut of :func:`fit_models` before the fits (cheap)."""
    if drivers is not None:
        from forecast.schema import validate_drivers

        drivers = validate_drivers(drivers, source="drivers frame")
    sid, z = series_z(history, series_id, pd.Timestamp(origin) if origin is not None else None)
    step = int(z.attrs.get("step_months", 1))
    t = z.index[-1]
    obs, feats, X, role_map = None, (), None, None
    if mset.uses_drivers:
        if drivers is None:
            need = [a for a in mset.base_aliases if uses_drivers(a)]
            raise ModelError(f"model(s) {need} use drivers: pass a drivers frame, or choose "
                             "driver-free models (naive, snaive, drift, ets)")
        drivers, role_map = drv.map_roles(drivers, roles)
        feats = tuple(features) if features is not None else drv.default_features(drivers)
        obs = drv.observed(drivers, t, drv.needed_columns(feats) + _extra_cols(drivers, t))
        z = z.loc[drv.feature_start(obs, feats):]
        X = drv.feature_frame(obs, z.index, feats)
    return sid, z, t, step, obs, feats, X, role_map


def min_periods(step_months: int = 1) -> int:
    """Fewest periods every model needs: two seasonal cycles and two periods (the rule
    of :meth:`forecast.models.base.ForecastModel._check_z`): 26 months, 10 quarters or
    4 years."""
    from forecast.series import PERIODS_PER_YEAR

    return 2 * PERIODS_PER_YEAR[step_months] + 2


def check_inputs(history: pd.DataFrame, drivers: pd.DataFrame | None = None,
                 series_id: str | None = None, models: Sequence[str] = DEFAULT_MODELS,
                 roles: dict[str, str | Sequence[str]] | None = None) -> list[str]:
    """Check, without fitting, that :func:`fit_models` can fit ``models`` on these
    inputs: the frames' schemas and bounds, the series, the drivers' coverage of it and
    its length (:func:`min_periods`, counted after the drivers' lags). Raises the error
    the fit would raise (:class:`SchemaError` or :class:`ModelError`, one line);
    returns the warnings (stale drivers, :data:`STALE_MONTHS`)."""
    mset = ModelSet(tuple(models))
    sid, z, t, step, obs, feats, _, role_map = _prepare(history, drivers, series_id, mset,
                                                        roles=roles)
    need = min_periods(step)
    if len(z) < need:
        cut = " (after the months the drivers' lags need)" if obs is not None else ""
        raise ModelError(f"history frame: series {sid!r} has {len(z)} periods{cut}; the "
                         f"models need at least {need}")
    fm = FittedModels(sid, t, z, obs, feats, mset, 0, step, role_map)
    return fm.stale_drivers()


def _extra_cols(drivers: pd.DataFrame, origin: pd.Timestamp) -> list[str]:
    """Driver columns a scenario may move, kept with the observed drivers (those
    reported at least once by the origin)."""
    known = drivers.loc[pd.to_datetime(drivers["ds"]) <= origin] if "ds" in drivers else drivers
    return [c for c in DRIVER_COLUMNS if c in known.columns and known[c].notna().any()]


def future_features(fitted: FittedModels, scenario: Scenario, horizon: int) -> pd.DataFrame | None:
    """Driver features for the ``horizon`` periods after the origin under ``scenario``
    (None when no model uses drivers)."""
    if fitted.drivers_obs is None:
        return None
    months = horizon * fitted.step_months
    fut = scenario.future_drivers(fitted.drivers_obs, months, roles=fitted.roles)
    Xm = drv.future_feature_frame(fitted.drivers_obs, fut, fitted.features)
    idx = future_index(fitted.origin, horizon, fitted.step_months)
    return Xm.loc[idx] if fitted.step_months != 1 else Xm


def predict_raw(fitted: FittedModels, scenario: Scenario | None = None, horizon: int = 12,
                n_paths: int = 200, seed: int | None = None) -> dict[str, Predictive]:
    """Predictive distributions by model alias (log1p scale); see :func:`predict`."""
    check_args(horizon=horizon, n_paths=n_paths, **({} if seed is None else {"seed": seed}))
    check_paths_count(n_paths, horizon)
    scenario = scenario or Scenario.baseline_persist()
    Xf = future_features(fitted, scenario, horizon)
    return fitted.modelset.predict(horizon, Xf, n_paths, fitted.seed if seed is None else seed)


def predict(fitted: FittedModels, scenario: Scenario | None = None, horizon: int = 12,
            n_paths: int = 200, seed: int | None = None,
            quantiles: Sequence[float] = QUANTILES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast ``horizon`` periods after the origin under ``scenario`` (default baseline).

    Returns ``(forecast, paths)``:

    * forecast: ``series_id`` (str), ``ds`` (period start), ``model``, ``scenario``,
      ``quantile`` (0.05 .. 0.95), ``value`` (persons per period, >= 0, non-crossing);
    * paths: ``series_id, ds, model, scenario, path`` (int 0..n_paths-1), ``value``
      (persons per period, >= 0).
    """
    scenario = scenario or Scenario.baseline_persist()
    preds = predict_raw(fitted, scenario, horizon, n_paths, seed)
    ds = future_index(fitted.origin, horizon, fitted.step_months)
    return (forecast_frame(preds, fitted.series_id, ds, scenario.name, quantiles),
            paths_frame(preds, fitted.series_id, ds, scenario.name))


def forecast_frame(preds: dict[str, Predictive], series_id: str, ds: pd.DatetimeIndex,
                   scenario: str, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
    """Tidy quantile frame from predictive distributions (columns as in :func:`predict`),
    sorted by model, ``ds`` and quantile. Built with numpy in that order (one frame, not
    one per model: a scenario change redraws it)."""
    q = np.asarray(quantiles, dtype=float)
    h, names = len(ds), sorted(preds)
    order = np.argsort(q, kind="stable")  # quantiles ascending within each month
    vals = [preds[name].quantiles(tuple(q))[order].T.ravel() for name in names]  # ds-major
    n = h * len(q)
    return pd.DataFrame({
        "series_id": series_id,
        "ds": np.tile(np.repeat(ds.to_numpy(), len(q)), len(names)),
        "model": np.repeat(np.array(names, dtype=object), n),
        "scenario": scenario,
        "quantile": np.tile(q[order], h * len(names)),
        "value": np.concatenate(vals) if vals else np.array([], dtype=float)})


def paths_frame(preds: dict[str, Predictive], series_id: str, ds: pd.DatetimeIndex,
                scenario: str) -> pd.DataFrame:
    """Tidy sample-path frame (columns as in :func:`predict`), model by model in the
    order of ``preds``; built with numpy (one frame)."""
    h = len(ds)
    vals = [p.path_values() for p in preds.values()]  # (n, h) each
    sizes = [v.shape[0] for v in vals]
    return pd.DataFrame({
        "series_id": series_id,
        "ds": np.tile(ds.to_numpy(), sum(sizes)),
        "model": np.repeat(np.array(list(preds), dtype=object), [n * h for n in sizes]),
        "scenario": scenario,
        "path": np.concatenate([np.repeat(np.arange(n, dtype=np.int64), h) for n in sizes])
        if sizes else np.array([], dtype=np.int64),
        "value": np.concatenate([v.ravel() for v in vals]) if vals else np.array([], dtype=float)})


def host_arrivals(paths: pd.DataFrame, hosts_annual: pd.DataFrame, history: pd.DataFrame,
                  scenario: Scenario | None = None, hosts: Sequence[str] | None = None,
                  shares: dict[str, float] | None = None, seed: int = 0,
                  **share_kw) -> pd.DataFrame:
    """Monthly arrivals per host country from movement sample paths.

    See :mod:`forecast.hosts` for the method. Returns a paths frame with
    ``series_id`` = host ISO3: ``series_id, ds, model, scenario, path, value``
    (value: persons arriving in the host per month, >= 0). ``shares`` (iso3 ->
    share of the movement series) and ``scenario.host_shares`` override the
    estimated shares; ``scenario`` openness levers multiply the result.
    """
    from forecast import hosts as hmod

    check_args(seed=seed)
    if shares is not None:  # each share in [0, 1], summing to at most 1 (a ScenarioError)
        Scenario(host_shares=dict(shares))
    if len(paths) == 0:
        raise SchemaError("paths frame: no rows")
    sid = str(paths["series_id"].iloc[0])
    est = hmod.estimate_shares(hosts_annual, history, series_id=sid, **share_kw)
    return hmod.arrivals_paths(paths, est, scenario=scenario, hosts=hosts, overrides=shares,
                               seed=seed)


POOLED_MAX_MONTHS = 24
"""The pooled host model forecasts 1 and 2 years after the last UNHCR year."""


def pooled_annual(model, scenario: Scenario | None = None, horizon: int = 24,
                  n_paths: int = 200, seed: int = 0, surges: pd.DataFrame | None = None):
    """Annual arrivals per host under ``scenario`` from a fitted pooled host model
    (:func:`forecast.host_model.fit_host_model`): the scenario's conflict shocks as
    per-year fatality factors (:meth:`Scenario.conflict_by_year`), then its surge
    analogue if one is named (``surges``: the catalogue, default the bundled one), then
    border and host openness. ``horizon`` in months (1 or 2 forecast years). Returns a
    :class:`forecast.host_model.AnnualForecast` (persons per year, whole numbers)."""
    import dataclasses as dc

    from forecast import datasets, host_model
    from forecast.vocabulary import HOSTS, ORIGIN

    sc = scenario or Scenario.baseline_persist()
    check_args(horizon=horizon, n_paths=n_paths, seed=seed)
    years = max(1, min(2, -(-int(horizon) // 12)))
    fc = host_model.predict_annual(model, ORIGIN, HOSTS, years,
                                   conflict_multiplier=np.array(sc.conflict_by_year(years)),
                                   n_paths=n_paths, seed=seed, scenario=sc.name)
    if sc.analogue:
        cat = surges if surges is not None else datasets.load_surge_catalogue()
        fc = host_model.apply_surge(fc, cat, sc.analogue,
                                    source=f"scenario {sc.name!r}: field 'analogue'")
        fc = dc.replace(fc, scenario=sc.name)
    code, hosts = pd.factorize(fc.paths["host"], use_na_sentinel=False)
    factor = np.array([sc.host_factor(h) for h in hosts], dtype=float)[code]
    if not np.all(factor == 1.0):
        p = fc.paths.copy()
        p["arrivals"] = np.round(p["arrivals"].to_numpy() * factor)
        fc = dc.replace(fc, paths=p, quantiles=host_model.quantiles_of(p))
    return fc


def pooled_host_arrivals(model, scenario: Scenario | None = None, horizon: int = 24,
                         n_paths: int = 200, seed: int = 0,
                         surges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Monthly arrivals per host from the pooled host model: :func:`pooled_annual` split
    into months with the observed calendar profile (annual sums kept exactly), the first
    ``horizon`` months (at most :data:`POOLED_MAX_MONTHS`) after the last UNHCR year.

    Returns a paths frame ``series_id`` (host ISO3), ``ds``, ``model`` (``host_lgbm``),
    ``scenario``, ``path``, ``value`` (persons arriving per month, whole numbers);
    ``attrs``: ``data_end_year``, ``notes`` (hosts with no recent UNHCR reports),
    ``analogue``.
    """
    from forecast import host_model

    sc = scenario or Scenario.baseline_persist()
    fc = pooled_annual(model, sc, horizon, n_paths, seed, surges)
    out = host_model.monthly_split(fc.paths, "observed", scenario=sc.name)
    ds = out["ds"].to_numpy()
    months = np.unique(ds)  # sorted
    keep = min(int(horizon), POOLED_MAX_MONTHS)
    if keep < len(months):  # the first ``horizon`` months only
        out = out[ds <= months[keep - 1]].reset_index(drop=True)
    out.attrs.update(data_end_year=fc.data_end_year, notes=list(fc.notes),
                     analogue=sc.analogue)
    return out


def to_arrivals_frame(paths: pd.DataFrame, host: str | None = None, model: str | None = None,
                      scenario: str | None = None) -> pd.DataFrame:
    """The arrivals frame the ABM reads: ``ds`` (month start), ``path`` (int),
    ``arrivals`` (persons arriving in the host area in that month).

    ``paths``: a paths frame (e.g. from :func:`host_arrivals`, or from
    :func:`predict` on a user's own monthly arrivals series, then ``host=None``).
    ``model`` / ``scenario`` must be named when the frame holds several.
    """
    df = paths
    if host is not None:
        hosts = set(df["series_id"].unique())  # the distinct values: no loop over every row
        if host not in hosts:
            raise SchemaError(f"paths frame: column 'series_id' has no host {host!r}; have "
                              f"{sorted(hosts)}")
        df = df[df["series_id"] == host]
    for col, want in (("series_id", None), ("model", model), ("scenario", scenario)):
        vals = sorted(set(df[col].unique()))
        if want is not None:
            if want not in vals:
                raise SchemaError(f"paths frame: column {col!r} has no {want!r}; have {vals}")
            df = df[df[col] == want]
        elif len(vals) > 1:
            raise SchemaError(f"paths frame: column {col!r} holds several values {vals}; "
                              f"choose one ({col}=...)")
    out = df[["ds", "path", "value"]].rename(columns={"value": "arrivals"})
    return out.sort_values(["path", "ds"], kind="mergesort").reset_index(drop=True)
