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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast import drivers as drv
from forecast.errors import ModelError, SchemaError
from forecast.models import (
    DEFAULT_MODELS,
    ENSEMBLE_MEMBERS,
    QUANTILES,
    BaseModel,
    Predictive,
    combine,
    make_model,
    model_rng,
)
from forecast.scenarios import Scenario

DEFAULT_SERIES = "frontex_afg_total"
"""The monthly Afghan movement series the planner forecasts by default."""


@dataclass(eq=False)
class FittedModels:
    """Models fitted once on one series up to ``origin`` (the last reported month).

    ``drivers_obs``: drivers known at the origin (``forecast.drivers.observed``).
    ``weights``: ensemble weights by member alias. ``warnings``: optimiser
    warnings by model (recorded, not hidden).
    """

    series_id: str
    origin: pd.Timestamp
    z: pd.Series
    drivers_obs: pd.DataFrame
    features: tuple[drv.Feature, ...]
    models: dict[str, BaseModel]
    requested: tuple[str, ...]
    seed: int
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def warnings(self) -> dict[str, list[str]]:
        return {n: list(getattr(m, "warnings_", [])) for n, m in self.models.items()}

    def provenance(self) -> dict:
        """Model part of an export sidecar: series, origin, models, lags, fills, seed."""
        return {"series_id": self.series_id, "origin": f"{self.origin:%Y-%m-%d}",
                "models": list(self.requested), "seed": self.seed,
                "ensemble_weights": self.weights,
                "features": [vars(f) for f in self.features],
                "drivers_carried_forward_from": dict(self.drivers_obs.attrs.get("filled", {})),
                "fit_warnings": self.warnings}


def _validate_history(history: pd.DataFrame) -> pd.DataFrame:
    try:
        from forecast.schema import validate_history
    except ImportError:  # pragma: no cover - the schema module ships with the package
        return history
    return validate_history(history)


def series_z(history: pd.DataFrame, series_id: str | None,
             origin: pd.Timestamp | None = None) -> tuple[str, pd.Series]:
    """One series of a history frame on the model scale (log1p persons per month),
    indexed by ``ds``, leading NA dropped, cut at ``origin`` (default: last reported
    month)."""
    h = _validate_history(history)
    ids = list(dict.fromkeys(h["series_id"]))
    if series_id is None:
        if len(ids) != 1:
            raise SchemaError(f"history frame: column 'series_id' holds {len(ids)} series "
                              f"({ids[:5]}...); name one with series_id=")
        series_id = ids[0]
    if series_id not in ids:
        raise SchemaError(f"history frame: column 'series_id': no series {series_id!r}; "
                          f"have {ids}")
    s = h.loc[h["series_id"] == series_id].set_index("ds")["y"].sort_index()
    if s.notna().sum() < 2:
        raise SchemaError(f"history frame: column 'y': series {series_id!r} has fewer than 2 "
                          "reported months")
    s = s.loc[s.first_valid_index():]
    last = s.last_valid_index()
    origin = last if origin is None else min(pd.Timestamp(origin), last)
    s = s.loc[:origin]
    s = s.loc[: s.last_valid_index()]
    z = pd.Series(np.log1p(s.to_numpy(dtype=float)), index=pd.DatetimeIndex(s.index, name="ds"),
                  name=series_id)
    return series_id, z


def fit_models(history: pd.DataFrame, drivers: pd.DataFrame, series_id: str | None = None,
               models: Sequence[str] = DEFAULT_MODELS, seed: int = 0,
               origin: pd.Timestamp | str | None = None,
               features: Sequence[drv.Feature] = drv.DEFAULT_FEATURES,
               weights: dict[str, float] | None = None,
               progress: Callable[[str], None] | None = None) -> FittedModels:
    """Fit the models once on one series (history and drivers cut at ``origin``).

    ``history``: history frame (``series_id, ds, y``; persons per month).
    ``drivers``: drivers frame (``ds`` + driver columns). ``models``: aliases
    (:data:`forecast.models.MODEL_NAMES`); ``ensemble`` also fits its members.
    ``weights``: ensemble weights (alias -> weight; default equal, or
    :func:`forecast.backtest.skill_weights`). ``progress``: called with each
    model alias before it is fitted.
    """
    models = tuple(dict.fromkeys(models))
    if not models:
        raise ModelError("no models requested")
    for m in models:
        make_model(m)  # unknown alias -> ModelError listing the choices
    sid, z = series_z(history, series_id, pd.Timestamp(origin) if origin is not None else None)
    t = z.index[-1]
    obs = drv.observed(drivers, t, drv.needed_columns(features) + _extra_cols(drivers, t))
    z = z.loc[drv.feature_start(obs, features):]
    X = drv.feature_frame(obs, z.index, features)
    base = [m for m in models if m != "ensemble"]
    if "ensemble" in models:
        base += [m for m in ENSEMBLE_MEMBERS if m not in base]
    fitted = {}
    for name in base:
        if progress:
            progress(name)
        mdl = make_model(name, seed=seed) if name == "prophet" else make_model(name)
        fitted[name] = mdl.fit(z, X if mdl.uses_drivers else None)
    w = dict(weights) if weights else {m: 1.0 for m in ENSEMBLE_MEMBERS}
    return FittedModels(sid, t, z, obs, tuple(features), fitted, models, seed, w)


def _extra_cols(drivers: pd.DataFrame, origin: pd.Timestamp) -> list[str]:
    """Driver columns a scenario may move, kept with the observed drivers (those
    reported at least once by the origin)."""
    known = drivers.loc[pd.to_datetime(drivers["ds"]) <= origin] if "ds" in drivers else drivers
    return [c for c in drv.DRIVER_COLUMNS if c in known.columns and known[c].notna().any()]


def predict_raw(fitted: FittedModels, scenario: Scenario | None = None, horizon: int = 12,
                n_paths: int = 200, seed: int | None = None) -> dict[str, Predictive]:
    """Predictive distributions by model alias (log1p scale); see :func:`predict`."""
    if horizon < 1:
        raise ModelError(f"horizon must be >= 1 month, got {horizon}")
    if n_paths < 1:
        raise ModelError(f"n_paths must be >= 1, got {n_paths}")
    scenario = scenario or Scenario.baseline_persist()
    seed = fitted.seed if seed is None else seed
    fut = scenario.future_drivers(fitted.drivers_obs, horizon)
    Xf = drv.future_feature_frame(fitted.drivers_obs, fut, fitted.features)
    preds = {}
    for name, m in fitted.models.items():
        preds[name] = m.predict(horizon, Xf if m.uses_drivers else None, n_paths,
                                model_rng(seed, name))
    if "ensemble" in fitted.requested:
        preds["ensemble"] = combine(preds, fitted.weights, model_rng(seed, "ensemble"))
    return {n: preds[n] for n in fitted.requested}


def predict(fitted: FittedModels, scenario: Scenario | None = None, horizon: int = 12,
            n_paths: int = 200, seed: int | None = None,
            quantiles: Sequence[float] = QUANTILES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast ``horizon`` months after the origin under ``scenario`` (default baseline).

    Returns ``(forecast, paths)``:

    * forecast: ``series_id`` (str), ``ds`` (month start), ``model``, ``scenario``,
      ``quantile`` (0.05 .. 0.95), ``value`` (persons per month, >= 0, non-crossing);
    * paths: ``series_id, ds, model, scenario, path`` (int 0..n_paths-1), ``value``
      (persons per month, >= 0).
    """
    scenario = scenario or Scenario.baseline_persist()
    preds = predict_raw(fitted, scenario, horizon, n_paths, seed)
    ds = pd.date_range(fitted.origin + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")
    return (forecast_frame(preds, fitted.series_id, ds, scenario.name, quantiles),
            paths_frame(preds, fitted.series_id, ds, scenario.name))


def forecast_frame(preds: dict[str, Predictive], series_id: str, ds: pd.DatetimeIndex,
                   scenario: str, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
    """Tidy quantile frame from predictive distributions (columns as in :func:`predict`)."""
    q = np.asarray(quantiles, dtype=float)
    h = len(ds)
    parts = []
    for name, p in preds.items():
        vals = p.quantiles(tuple(q))  # (nq, h)
        parts.append(pd.DataFrame({"model": name, "ds": np.tile(ds.to_numpy(), len(q)),
                                   "quantile": np.repeat(q, h), "value": vals.ravel()}))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "series_id", series_id)
    out.insert(3, "scenario", scenario)
    out = out[["series_id", "ds", "model", "scenario", "quantile", "value"]]
    return out.sort_values(["model", "ds", "quantile"], kind="mergesort").reset_index(drop=True)


def paths_frame(preds: dict[str, Predictive], series_id: str, ds: pd.DatetimeIndex,
                scenario: str) -> pd.DataFrame:
    """Tidy sample-path frame (columns as in :func:`predict`)."""
    parts = []
    h = len(ds)
    for name, p in preds.items():
        v = p.path_values()  # (n, h)
        n = v.shape[0]
        parts.append(pd.DataFrame({"model": name, "path": np.repeat(np.arange(n), h),
                                   "ds": np.tile(ds.to_numpy(), n), "value": v.ravel()}))
    out = pd.concat(parts, ignore_index=True)
    out["series_id"] = series_id
    out["scenario"] = scenario
    out["path"] = out["path"].astype("int64")
    return out[["series_id", "ds", "model", "scenario", "path", "value"]]


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

    sid = str(paths["series_id"].iloc[0])
    est = hmod.estimate_shares(hosts_annual, history, series_id=sid, **share_kw)
    return hmod.arrivals_paths(paths, est, scenario=scenario, hosts=hosts, overrides=shares,
                               seed=seed)


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
        if host not in set(df["series_id"]):
            raise SchemaError(f"paths frame: column 'series_id' has no host {host!r}; have "
                              f"{sorted(set(df['series_id']))}")
        df = df[df["series_id"] == host]
    for col, want in (("series_id", None), ("model", model), ("scenario", scenario)):
        vals = sorted(set(df[col]))
        if want is not None:
            if want not in vals:
                raise SchemaError(f"paths frame: column {col!r} has no {want!r}; have {vals}")
            df = df[df[col] == want]
        elif len(vals) > 1:
            raise SchemaError(f"paths frame: column {col!r} holds several values {vals}; "
                              f"choose one ({col}=...)")
    out = df[["ds", "path", "value"]].rename(columns={"value": "arrivals"})
    return out.sort_values(["path", "ds"], kind="mergesort").reset_index(drop=True)
