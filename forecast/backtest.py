"""Rolling-origin backtests: skill of every model at horizons 1..h on a real series.

Protocol. The series starts where every driver feature is available
(:func:`forecast.drivers.feature_start`), for every model alike. Origins are the last ``n_origins`` months of the series for which all
``horizon`` following months are reported. At each origin the history and the
drivers are cut at the origin (:func:`forecast.drivers.observed`), so nothing
after the origin enters a fit; the future drivers come from a scenario
(default: the baseline persistence scenario, which is what a planner would have
had) -- or, with ``oracle_drivers=True``, from the drivers actually observed
later (a diagnostic of the value of the drivers, never of forecast skill).

Speed. statsmodels models are re-estimated every ``refit_every`` origins and
otherwise re-filtered with the fixed parameters on the longer history
(``ETSModel.smooth`` / ``MLEResults.apply``); Prophet is re-estimated every
``prophet_refit_every`` origins and otherwise re-conditioned (its cached
trend/seasonality extended and its AR(1) residual state updated). Baselines are
refitted at every origin (they cost microseconds).

Metrics, per model and horizon (counts in persons per month):

* ``mae``: mean absolute error of the median;
* ``mase``: MAE scaled, origin by origin, by the in-sample MAE of the 12-month
  seasonal naive forecast (Hyndman & Koehler 2006, *Int. J. Forecasting* 22:679);
* ``rmsse``: root mean squared error of the median scaled by the in-sample MSE of
  the seasonal naive forecast (M5 competition metric);
* ``crps``: continuous ranked probability score from the sample paths,
  ``E|X - y| - E|X - X'| / 2`` (Gneiting & Raftery 2007, *JASA* 102:359), persons;
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
from forecast.api import DEFAULT_SERIES, series_z
from forecast.errors import ModelError
from forecast.models import (
    DEFAULT_MODELS,
    ENSEMBLE_MEMBERS,
    QUANTILES,
    SEASON,
    combine,
    make_model,
    model_rng,
)
from forecast.scenarios import Scenario

METRICS: tuple[str, ...] = ("mae", "mase", "rmsse", "crps", "pinball", "cov50", "cov80", "cov90")


@dataclass
class BacktestResult:
    """Points (one row per model, origin and horizon) and seconds spent per model.

    ``points`` columns: ``model``, ``origin`` (month start), ``horizon`` (months),
    ``ds``, ``y`` (observed, persons/month), ``median`` (persons/month), ``ae``,
    ``se``, ``crps``, ``pinball`` (persons), ``scale_mae``, ``scale_mse`` (seasonal
    naive in-sample errors at the origin), ``hit50``, ``hit80``, ``hit90`` (bool).
    """

    series_id: str
    points: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """Skill by model and horizon: ``model, horizon, n`` + :data:`METRICS`, plus
        ``rel_mae`` and ``rel_crps`` (ratio to the seasonal naive model at the same
        horizon; < 1 = better than seasonal naive) when ``snaive`` was run."""
        return _relative(_aggregate(self.points, ["model", "horizon"]), ["horizon"])

    def summary(self, horizons: Sequence[int] = range(1, 7)) -> pd.DataFrame:
        """Skill by model pooled over ``horizons`` (default 1..6), best CRPS first;
        columns as :meth:`table` without ``horizon``, plus ``seconds``."""
        pts = self.points[self.points["horizon"].isin(list(horizons))]
        out = _relative(_aggregate(pts, ["model"]), [])
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


def _aggregate(pts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    p = pts.assign(sae=pts["ae"] / pts["scale_mae"], sse=pts["se"] / pts["scale_mse"])
    g = p.groupby(by, sort=True)
    out = pd.DataFrame({
        "n": g.size(),
        "mae": g["ae"].mean(),
        "mase": g["sae"].mean(),
        "rmsse": np.sqrt(g["sse"].mean()),
        "crps": g["crps"].mean(),
        "pinball": g["pinball"].mean(),
        "cov50": g["hit50"].mean(),
        "cov80": g["hit80"].mean(),
        "cov90": g["hit90"].mean(),
    })
    return out.reset_index()


def crps_samples(samples: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample CRPS per column: ``samples`` (n, h), ``y`` (h,) -> (h,), units of y."""
    x = np.sort(samples, axis=0)
    n = x.shape[0]
    term1 = np.abs(x - y[None, :]).mean(axis=0)
    w = (2 * np.arange(1, n + 1) - n - 1)[:, None]
    term2 = (w * x).sum(axis=0) / (n * n)  # = E|X - X'| / 2
    return term1 - term2


def pinball(qvals: np.ndarray, y: np.ndarray, levels: Sequence[float] = QUANTILES) -> np.ndarray:
    """Mean pinball loss over levels: ``qvals`` (nq, h), ``y`` (h,) -> (h,)."""
    q = np.asarray(levels)[:, None]
    d = y[None, :] - qvals
    return np.maximum(q * d, (q - 1) * d).mean(axis=0)


def backtest(history: pd.DataFrame, drivers: pd.DataFrame, series_id: str = DEFAULT_SERIES,
             models: Sequence[str] = DEFAULT_MODELS, n_origins: int = 36, horizon: int = 12,
             n_paths: int = 200, refit_every: int = 6, prophet_refit_every: int = 12,
             scenario: Scenario | None = None, oracle_drivers: bool = False, seed: int = 0,
             features: Sequence[drv.Feature] = drv.DEFAULT_FEATURES,
             weights: dict[str, float] | None = None,
             progress: Callable[[int, int], None] | None = None) -> BacktestResult:
    """Rolling-origin evaluation (see the module docstring for protocol and metrics).

    ``history``: history frame; ``drivers``: drivers frame; ``models``: aliases.
    ``progress(i, n)`` is called after each origin. Returns a :class:`BacktestResult`.
    """
    if n_origins < 1 or horizon < 1:
        raise ModelError(f"n_origins and horizon must be >= 1, got {n_origins}, {horizon}")
    models = tuple(dict.fromkeys(models))
    for m in models:
        make_model(m)
    sid, z = series_z(history, series_id)
    cols = drv.needed_columns(features)
    z = z.loc[drv.feature_start(drv.observed(drivers, z.index[-1], cols), features):]
    y = np.expm1(z.to_numpy())
    last_origin = len(z) - 1 - horizon
    cand = [i for i in range(2 * SEASON + 2, last_origin + 1) if not np.isnan(z.iloc[i])]
    if len(cand) < n_origins:
        raise ModelError(f"series {sid!r}: {len(z)} months allow only {len(cand)} origins "
                         f"with horizon {horizon}; asked for {n_origins}")
    origins = cand[-n_origins:]
    scenario = scenario or Scenario.baseline_persist()
    base = [m for m in models if m != "ensemble"]
    if "ensemble" in models:
        base += [m for m in ENSEMBLE_MEMBERS if m not in base]
    w = dict(weights) if weights else {m: 1.0 for m in ENSEMBLE_MEMBERS}
    fitted: dict = {}
    seconds = dict.fromkeys([*base, *(["ensemble"] if "ensemble" in models else [])], 0.0)
    seconds["features"] = 0.0
    rows = []
    qlev = np.asarray(QUANTILES)
    for i, oi in enumerate(origins):
        t0 = time.perf_counter()
        origin = z.index[oi]
        zo = z.iloc[: oi + 1]
        obs = drv.observed(drivers, origin, cols)
        Xo = drv.feature_frame(obs, zo.index, features)
        if oracle_drivers:
            later = drv.observed(drivers, z.index[oi + horizon], cols)
            fut = later.loc[later.index > origin]
        else:
            fut = scenario.future_drivers(obs, horizon)
        Xf = drv.future_feature_frame(obs, fut, features)
        seconds["features"] += time.perf_counter() - t0
        ytrue = y[oi + 1: oi + 1 + horizon]
        ins = y[: oi + 1]
        sdiff = ins[SEASON:] - ins[:-SEASON]
        sdiff = sdiff[~np.isnan(sdiff)]
        scale_mae = float(np.mean(np.abs(sdiff)))
        scale_mse = float(np.mean(sdiff**2))
        preds = {}
        for name in base:
            t0 = time.perf_counter()
            k = prophet_refit_every if name == "prophet" else refit_every
            X_in = Xo if make_model_uses(name) else None
            if name not in fitted or i % k == 0:
                mdl = make_model(name, seed=seed) if name == "prophet" else make_model(name)
                fitted[name] = mdl.fit(zo, X_in)
            else:
                fitted[name].update(zo, X_in)
            preds[name] = fitted[name].predict(horizon, Xf if make_model_uses(name) else None,
                                               n_paths, model_rng(seed + oi, name))
            seconds[name] += time.perf_counter() - t0
        if "ensemble" in models:
            t0 = time.perf_counter()
            preds["ensemble"] = combine(preds, w, model_rng(seed + oi, "ensemble"))
            seconds["ensemble"] += time.perf_counter() - t0
        for name in models:
            p = preds[name]
            qv = p.quantiles(QUANTILES)
            med = qv[list(qlev).index(0.5)]
            ok = ~np.isnan(ytrue)
            crps = crps_samples(p.path_values(), np.nan_to_num(ytrue))
            pl = pinball(qv, np.nan_to_num(ytrue))
            for j in np.flatnonzero(ok):
                rows.append((name, origin, j + 1, z.index[oi + 1 + j], ytrue[j], med[j],
                             abs(ytrue[j] - med[j]), (ytrue[j] - med[j]) ** 2, crps[j], pl[j],
                             scale_mae, scale_mse,
                             qv[2, j] <= ytrue[j] <= qv[4, j],
                             qv[1, j] <= ytrue[j] <= qv[5, j],
                             qv[0, j] <= ytrue[j] <= qv[6, j]))
        if progress:
            progress(i + 1, len(origins))
    pts = pd.DataFrame(rows, columns=["model", "origin", "horizon", "ds", "y", "median", "ae",
                                      "se", "crps", "pinball", "scale_mae", "scale_mse",
                                      "hit50", "hit80", "hit90"])
    settings = {"series_id": sid, "n_origins": n_origins, "horizon": horizon,
                "n_paths": n_paths, "refit_every": refit_every,
                "prophet_refit_every": prophet_refit_every, "scenario": scenario.name,
                "oracle_drivers": oracle_drivers, "seed": seed,
                "first_origin": f"{z.index[origins[0]]:%Y-%m-%d}",
                "last_origin": f"{z.index[origins[-1]]:%Y-%m-%d}", "ensemble_weights": w}
    return BacktestResult(sid, pts, seconds, settings)


def make_model_uses(name: str) -> bool:
    """Whether the model alias uses driver features."""
    return name in ("sarimax", "prophet", "ensemble")


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
