"""Rolling-origin backtests: skill of every model at horizons 1..h on a real series.

Protocol. The series starts where every driver feature is available
(:func:`forecast.drivers.feature_start`), for every model alike. Origins are the last ``n_origins`` months of the series for which all
``horizon`` following months are reported. At each origin the history and the
drivers are cut at the origin (:func:`forecast.drivers.observed`), so nothing
after the origin enters a fit; the future drivers come from a scenario
(default: the baseline persistence scenario, which is what a planner would have
had) -- or, with ``oracle_drivers=True``, from the drivers actually observed
later (a diagnostic of the value of the drivers, never of forecast skill).

Speed. Models whose ``fit_cost`` is "moderate" (statsmodels) are re-estimated
every ``refit_every`` origins and otherwise re-filtered with the fixed parameters
on the longer history (``ETSModel.smooth`` / ``MLEResults.apply``); "heavy" ones
(Prophet) every ``heavy_refit_every`` origins and otherwise re-conditioned (its
cached trend/seasonality extended and its AR(1) residual state updated). "Cheap"
ones (the baselines) are refitted at every origin. The fit/predict loop is the
one of :class:`forecast.fitting.ModelSet`, as in :func:`forecast.api.fit_models`.

Metrics are plain functions over the points frame (one row per model, origin
and horizon: the truth ``y`` and the forecast's median, interval bounds, CRPS and
pinball loss), registered in :data:`METRICS` (Prophet's ``performance_metrics``
idiom): add ``METRICS["name"] = fn`` and :func:`performance_metrics` reports it.
Per model and horizon (counts in persons per period):

* ``mae``: mean absolute error of the median;
* ``mase``: MAE scaled, origin by origin, by the in-sample MAE of the seasonal
  naive forecast at that origin (the rolling variant);
* ``mase_global``: MAE scaled by one in-sample seasonal naive MAE per series (on
  the history before the first origin), the usual definition (Hyndman & Koehler
  2006, *Int. J. Forecasting* 22:679);
* ``rmsse``: root mean squared error of the median scaled by the in-sample MSE of
  the seasonal naive forecast (M5 competition metric);
* ``crps``: continuous ranked probability score from the sample paths,
  ``E|X - y| - E|X - X'| / 2`` (Gneiting & Raftery 2007, *JASA* 102:359), persons,
  computed with ``scoringrules.crps_ensemble`` (energy form);
* ``pinball``: mean pinball (quantile) loss over the 7 quantile levels, persons;
* ``cov50``, ``cov80``, ``cov90``: share of held-out months inside the central
  50% (q0.25..q0.75), 80% (q0.1..q0.9) and 90% (q0.05..q0.95) intervals.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast import drivers as drv
from forecast.errors import ModelError
from forecast.fitting import ModelSet
from forecast.models import DEFAULT_MODELS, ENSEMBLE_MEMBERS, BaseModel
from forecast.scenarios import Scenario
from forecast.series import periods_per_year, series_z
from forecast.vocabulary import DEFAULT_SERIES, INTERVALS, QUANTILES


def _hits(k: int) -> Callable[[pd.DataFrame], float]:
    return lambda p: float(((p[f"lo{k}"] <= p["y"]) & (p["y"] <= p[f"hi{k}"])).mean())


METRICS: dict[str, Callable[[pd.DataFrame], float]] = {
    "mae": lambda p: float((p["y"] - p["median"]).abs().mean()),
    "mase": lambda p: float(((p["y"] - p["median"]).abs() / p["scale_mae"]).mean()),
    "mase_global": lambda p: float((p["y"] - p["median"]).abs().mean() / p["scale_global"].iloc[0]),
    "rmsse": lambda p: float(np.sqrt((((p["y"] - p["median"]) ** 2) / p["scale_mse"]).mean())),
    "crps": lambda p: float(p["crps"].mean()),
    "pinball": lambda p: float(p["pinball"].mean()),
    **{f"cov{k}": _hits(k) for k in INTERVALS},
}
"""Metric name -> function of a points frame (one group of rows) -> float."""


def performance_metrics(points: pd.DataFrame, by: Sequence[str] = ("model", "horizon"),
                        metrics: dict[str, Callable[[pd.DataFrame], float]] | None = None
                        ) -> pd.DataFrame:
    """Every metric of ``metrics`` (default :data:`METRICS`) per group of ``by``:
    columns ``by + [n] + metric names``."""
    metrics = METRICS if metrics is None else metrics
    rows = []
    for key, g in points.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key, strict=True)), "n": len(g),
                     **{m: fn(g) for m, fn in metrics.items()}})
    return pd.DataFrame(rows, columns=[*by, "n", *metrics])


@dataclass
class BacktestResult:
    """Points (one row per model, origin and horizon) and seconds spent per model.

    ``points`` columns: ``model``, ``origin`` (period start), ``horizon`` (periods),
    ``ds``, ``y`` (observed, persons/period), ``median`` (persons/period), ``lo50``,
    ``hi50``, ``lo80``, ``hi80``, ``lo90``, ``hi90`` (interval bounds), ``crps``,
    ``pinball`` (persons), ``scale_mae``, ``scale_mse`` (seasonal naive in-sample
    errors at the origin), ``scale_global`` (seasonal naive in-sample MAE before the
    first origin).
    """

    series_id: str
    points: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """Skill by model and horizon: ``model, horizon, n`` + :data:`METRICS`, plus
        ``rel_mae`` and ``rel_crps`` (ratio to the seasonal naive model at the same
        horizon; < 1 = better than seasonal naive) when ``snaive`` was run."""
        return _relative(performance_metrics(self.points, ["model", "horizon"]), ["horizon"])

    def summary(self, horizons: Sequence[int] = range(1, 7)) -> pd.DataFrame:
        """Skill by model pooled over ``horizons`` (default 1..6), best CRPS first;
        columns as :meth:`table` without ``horizon``, plus ``seconds``."""
        pts = self.points[self.points["horizon"].isin(list(horizons))]
        out = _relative(performance_metrics(pts, ["model"]), [])
        out = out.sort_values("crps").reset_index(drop=True)
        secs = pd.Series(self.seconds, name="seconds")
        return out.merge(secs, left_on="model", right_index=True, how="left")


def _relative(tab: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add ``rel_mae`` and ``rel_crps``: ratios to ``snaive`` within the same ``by`` group."""
    if "snaive" not in set(tab["model"]):
        return tab
    ref = tab.loc[tab["model"] == "snaive", [*by, "mae", "crps"]]
    ref = ref.rename(columns={"mae": "_mae", "crps": "_crps"})
    out = tab.merge(ref, on=by, how="left") if by else tab.assign(
        _mae=ref["_mae"].iloc[0], _crps=ref["_crps"].iloc[0])
    out["rel_mae"] = out["mae"] / out["_mae"]
    out["rel_crps"] = out["crps"] / out["_crps"]
    return out.drop(columns=["_mae", "_crps"])


def crps_samples(samples: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample CRPS per column: ``samples`` (n, h), ``y`` (h,) -> (h,), units of y
    (``scoringrules.crps_ensemble``, energy form ``E|X - y| - E|X - X'| / 2``)."""
    import scoringrules as sr

    return np.asarray(sr.crps_ensemble(np.asarray(y, dtype=float),
                                       np.asarray(samples, dtype=float).T,
                                       estimator="nrg"), dtype=float)


def pinball(qvals: np.ndarray, y: np.ndarray, levels: Sequence[float] = QUANTILES) -> np.ndarray:
    """Mean pinball loss over levels: ``qvals`` (nq, h), ``y`` (h,) -> (h,)."""
    q = np.asarray(levels)[:, None]
    d = y[None, :] - qvals
    return np.maximum(q * d, (q - 1) * d).mean(axis=0)


def _snaive_scale(ins: np.ndarray, m: int) -> tuple[float, float]:
    d = ins[m:] - ins[:-m]
    d = d[~np.isnan(d)]
    if d.size == 0:
        return float("nan"), float("nan")
    return float(np.mean(np.abs(d))), float(np.mean(d**2))


def backtest(history: pd.DataFrame, drivers: pd.DataFrame | None = None,
             series_id: str | None = None, models: Sequence[str] = DEFAULT_MODELS,
             n_origins: int = 36, horizon: int = 12, n_paths: int = 200,
             refit_every: int = 6, heavy_refit_every: int = 12,
             scenario: Scenario | None = None, oracle_drivers: bool = False, seed: int = 0,
             features: Sequence[drv.Feature] | None = None,
             weights: dict[str, float] | None = None,
             progress: Callable[[int, int], None] | None = None,
             prophet_refit_every: int | None = None) -> BacktestResult:
    """Rolling-origin evaluation (see the module docstring for protocol and metrics).

    ``history``: history frame; ``series_id``: the series (default: the only one in
    ``history``, else :data:`forecast.vocabulary.DEFAULT_SERIES` when present);
    ``drivers``: drivers frame (None for driver-free models); ``models``: aliases;
    ``horizon`` in periods of the series. ``progress(i, n)`` is called after each
    origin. Returns a :class:`BacktestResult`.
    """
    if n_origins < 1 or horizon < 1:
        raise ModelError(f"n_origins and horizon must be >= 1, got {n_origins}, {horizon}")
    if refit_every < 1 or heavy_refit_every < 1:
        raise ModelError(f"refit intervals must be >= 1 origin, got {refit_every}, "
                         f"{heavy_refit_every}")
    if prophet_refit_every is not None:
        heavy_refit_every = prophet_refit_every
    if series_id is None:
        ids = list(dict.fromkeys(history["series_id"])) if "series_id" in history else []
        series_id = ids[0] if len(ids) == 1 else DEFAULT_SERIES
    mset = ModelSet(tuple(models), seed=seed, weights=weights)
    sid, z = series_z(history, series_id)
    m = periods_per_year(z.index)
    step = int(z.attrs.get("step_months", 1))
    cols: list[str] = []
    feats: tuple[drv.Feature, ...] = ()
    if mset.uses_drivers:
        if drivers is None:
            raise ModelError("backtest: these models use drivers: pass a drivers frame")
        feats = tuple(features) if features is not None else drv.default_features(drivers)
        cols = drv.needed_columns(feats)
        z = z.loc[drv.feature_start(drv.observed(drivers, z.index[-1], cols), feats):]
    y = np.expm1(z.to_numpy())
    last_origin = len(z) - 1 - horizon
    cand = [i for i in range(2 * m + 2, last_origin + 1) if not np.isnan(z.iloc[i])]
    if len(cand) < n_origins:
        raise ModelError(f"series {sid!r}: {len(z)} periods allow only {len(cand)} origins "
                         f"with horizon {horizon}; asked for {n_origins}")
    origins = cand[-n_origins:]
    scenario = scenario or Scenario.baseline_persist()
    every = {"cheap": 1, "moderate": refit_every, "heavy": heavy_refit_every}
    scale_global, _ = _snaive_scale(y[: origins[0] + 1], m)
    rows = []
    qlev = list(QUANTILES)
    bounds = {k: (qlev.index(lo), qlev.index(hi)) for k, (lo, hi) in INTERVALS.items()}
    imed = qlev.index(0.5)
    t_feat = 0.0
    for i, oi in enumerate(origins):
        t0 = time.perf_counter()
        origin = z.index[oi]
        zo = z.iloc[: oi + 1]
        Xo = Xf = None
        if mset.uses_drivers:
            obs = drv.observed(drivers, origin, cols)
            Xo = drv.feature_frame(obs, zo.index, feats)
            months = horizon * step
            if oracle_drivers:
                later = drv.observed(drivers, origin + pd.DateOffset(months=months), cols)
                fut = later.loc[later.index > origin]
            else:
                fut = scenario.future_drivers(obs, months)
            Xf = drv.future_feature_frame(obs, fut, feats)
            if step != 1:
                Xf = Xf.loc[z.index[oi + 1: oi + 1 + horizon]]
        t_feat += time.perf_counter() - t0

        def refit(model: BaseModel, i=i) -> bool:
            return i % every[model.fit_cost] == 0

        mset.fit(zo, Xo, refit=refit)
        preds = mset.predict(horizon, Xf, n_paths, seed + oi)
        ytrue = y[oi + 1: oi + 1 + horizon]
        scale_mae, scale_mse = _snaive_scale(y[: oi + 1], m)
        ok = ~np.isnan(ytrue)
        for name, p in preds.items():
            qv = p.quantiles(QUANTILES)
            crps = crps_samples(p.path_values(), np.nan_to_num(ytrue))
            pl = pinball(qv, np.nan_to_num(ytrue))
            for j in np.flatnonzero(ok):
                rows.append((name, origin, j + 1, z.index[oi + 1 + j], ytrue[j], qv[imed, j],
                             *(qv[b, j] for k in INTERVALS for b in bounds[k]),
                             crps[j], pl[j], scale_mae, scale_mse, scale_global))
        if progress:
            progress(i + 1, len(origins))
    bound_cols = [f"{side}{k}" for k in INTERVALS for side in ("lo", "hi")]
    pts = pd.DataFrame(rows, columns=["model", "origin", "horizon", "ds", "y", "median",
                                      *bound_cols, "crps", "pinball", "scale_mae",
                                      "scale_mse", "scale_global"])
    seconds = dict(mset.seconds)
    seconds["features"] = t_feat
    settings = {"series_id": sid, "n_origins": n_origins, "horizon": horizon,
                "step_months": step, "n_paths": n_paths, "refit_every": refit_every,
                "heavy_refit_every": heavy_refit_every, "scenario": scenario.name,
                "oracle_drivers": oracle_drivers, "seed": seed,
                "first_origin": f"{z.index[origins[0]]:%Y-%m-%d}",
                "last_origin": f"{z.index[origins[-1]]:%Y-%m-%d}",
                "ensemble_weights": dict(mset.composites["ensemble"].weights)
                if "ensemble" in mset.composites else {}}
    return BacktestResult(sid, pts, seconds, settings)


def skill_weights(result: BacktestResult, members: Sequence[str] = ENSEMBLE_MEMBERS,
                  horizons: Sequence[int] = range(1, 7)) -> dict[str, float]:
    """Inverse-CRPS ensemble weights from a backtest (``w_j ∝ 1 / CRPS_j`` over
    ``horizons``), normalised to sum to 1."""
    s = result.summary(horizons).set_index("model")["crps"]
    missing = [m for m in members if m not in s.index]
    if missing:
        raise ModelError(f"skill_weights: the backtest has no model(s) {missing}")
    inv = 1.0 / s.loc[list(members)]
    return {m: float(v) for m, v in (inv / inv.sum()).items()}
