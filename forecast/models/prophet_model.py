"""Prophet adapter with the driver features as extra (additive) regressors.

Prophet is imported here, lazily, inside ``fit``: ``import forecast`` never loads it.

Method. Prophet (MAP fit, ``uncertainty_samples=0``) models log1p counts as
piecewise-linear trend + yearly seasonality + regressors. Its in-sample residuals
on monthly migration counts are strongly autocorrelated, so the adapter adds an
AR(1) model of the residuals: ``loc_k = yhat_k + phi^k * r_T`` and
``var_k = s^2 (1 - phi^(2k)) / (1 - phi^2)``. This replaces Prophet's own
intervals, which cover trend and noise uncertainty only (Prophet documentation,
"Uncertainty intervals"); trend-change uncertainty is *not* included, which is
one reason these intervals can be too narrow far ahead (see docs/model_card.md).

Speed. After a fit, the trend + seasonality part for the next ``MAX_H`` months is
cached and the regressor coefficients are read with
``prophet.utilities.regressor_coefficients``; re-forecasting under a new scenario
is then a matrix product (microseconds). ``update`` (rolling backtests) keeps the
fitted parameters and only recomputes the cached part and the last residual.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models.base import BaseModel, Predictive, recent_volatility

MAX_H = 36
"""Periods ahead cached after a fit (longest horizon served without recomputation)."""


def _import_prophet():
    plot_log = logging.getLogger("prophet.plot")  # logs an error when plotly is absent
    level = plot_log.level
    plot_log.setLevel(logging.CRITICAL)
    try:
        from prophet import Prophet
        from prophet.utilities import regressor_coefficients
    except ImportError as exc:  # pragma: no cover - prophet is a core dependency
        raise ModelError("the 'prophet' model needs the prophet package: "
                         "pip install 'prophet>=1.1.5,<2'") from exc
    finally:
        plot_log.setLevel(level)
    return Prophet, regressor_coefficients


class ProphetX(BaseModel):
    """Prophet on log1p counts with driver regressors and an AR(1) residual correction."""

    alias = "prophet"
    title = "Prophet + drivers"
    uses_drivers = True
    fit_cost = "heavy"

    def __init__(self, changepoint_prior_scale: float = 0.05, **kw) -> None:
        super().__init__(**kw)
        self.changepoint_prior_scale = changepoint_prior_scale

    def fit(self, z: pd.Series, X: pd.DataFrame | None) -> ProphetX:
        Prophet, regressor_coefficients = _import_prophet()
        self._check_z(z)
        df = pd.DataFrame({"ds": pd.DatetimeIndex(z.index), "y": np.asarray(z, dtype=float)})
        cols = [] if X is None else list(X.columns)
        for c in cols:
            df[c] = np.asarray(X[c], dtype=float)
        m = Prophet(yearly_seasonality=self.season_ > 1, weekly_seasonality=False,
                    daily_seasonality=False, uncertainty_samples=0,
                    changepoint_prior_scale=self.changepoint_prior_scale)
        for c in cols:
            m.add_regressor(c, mode="additive")
        stan_log = logging.getLogger("cmdstanpy")  # chatty INFO lines on every fit
        was_disabled = stan_log.disabled
        stan_log.disabled = True
        try:
            m.fit(df.dropna(subset=["y"]), algorithm="LBFGS", seed=self.seed)
        finally:
            stan_log.disabled = was_disabled
        self.m_ = m
        self.cols_ = cols
        if cols:
            coefs = regressor_coefficients(m).set_index("regressor").loc[cols]
            self.coef_ = coefs["coef"].to_numpy(dtype=float)
            self.center_ = coefs["center"].to_numpy(dtype=float)
        else:
            self.coef_ = np.zeros(0)
            self.center_ = np.zeros(0)
        self._fitted = True
        self._condition(z, X)
        self._fit_tails(self.innov_ / np.std(self.innov_))
        return self

    def _base(self, ds: pd.DatetimeIndex) -> np.ndarray:
        """Trend + seasonality (regressors at their centres) on the log1p scale."""
        frame = pd.DataFrame({"ds": ds})
        for c, mu in zip(self.cols_, self.center_, strict=True):
            frame[c] = mu
        return self.m_.predict(frame)["yhat"].to_numpy(dtype=float)

    def _effect(self, X: pd.DataFrame | None, n: int) -> np.ndarray:
        if not self.cols_:
            return np.zeros(n)
        x = X[self.cols_].to_numpy(dtype=float)[:n]
        return (x - self.center_) @ self.coef_

    def _condition(self, z: pd.Series, X: pd.DataFrame | None) -> None:
        from forecast.series import future_index, step_months

        ds = pd.DatetimeIndex(z.index)
        future = future_index(ds[-1], MAX_H, step_months(ds))
        base = self._base(ds.append(future))
        yz = np.asarray(z, dtype=float)
        resid = yz - (base[: len(ds)] + self._effect(X, len(ds)))
        self.future_base_ = base[len(ds):]
        r = resid[~np.isnan(resid)]
        if r.size > 3 and np.std(r[:-1]) > 0:
            phi = float(np.corrcoef(r[1:], r[:-1])[0, 1])
        else:
            phi = 0.0
        self.phi_ = float(np.clip(phi, 0.0, 0.98))
        innov = r[1:] - self.phi_ * r[:-1]
        self.innov_ = innov
        self.sigma_ = float(np.std(innov, ddof=1)) * recent_volatility(innov, self.vol_window)
        self.last_resid_ = float(resid[-1])

    def update(self, z: pd.Series, X: pd.DataFrame | None) -> ProphetX:
        self._check_fitted()
        self._condition(z, X)
        return self

    def predict(self, h, X_future=None, n_paths=200, rng=None) -> Predictive:
        self._check_fitted()
        if h > MAX_H:
            raise ModelError(f"model {self.name!r}: horizon {h} > {MAX_H} periods")
        if self.cols_ and (X_future is None or len(X_future) < h):
            raise ModelError(f"model {self.name!r}: needs {h} rows of future features")
        k = np.arange(1, h + 1)
        phi, s = self.phi_, self.sigma_
        mean = self.future_base_[:h] + self._effect(X_future, h)
        loc = mean + phi**k * self.last_resid_
        var = s**2 * (1 - phi ** (2 * k)) / (1 - phi**2)
        scale = np.sqrt(var)
        eps = rng.standard_normal((n_paths, h)) * s
        r = np.empty((n_paths, h))
        prev = np.full(n_paths, self.last_resid_)
        for j in range(h):
            prev = phi * prev + eps[:, j]
            r[:, j] = prev
        paths = mean + r
        return self._finish(Predictive(loc, scale, paths))
