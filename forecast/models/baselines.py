"""Benchmark models: random walk (naive), seasonal naive and drift, on the log1p scale.

These are the bar every other model must beat (Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, 3rd ed., section 5.2 "Some simple
forecasting methods"; section 5.5 for their prediction-interval formulas, used
here on the log1p scale), with Student-t marginals fitted to their own one-step
errors (:func:`forecast.models.base.fit_tails`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.models.base import BaseModel, Predictive, fill_inside, recent_volatility


def _clean(model: BaseModel, z: pd.Series) -> np.ndarray:
    arr = model._check_z(z)
    arr = fill_inside(arr)
    return arr[~np.isnan(arr)]


class Naive(BaseModel):
    """Random walk: every future month equals the last observed month.

    h-step sd = sigma * sqrt(h), sigma = sd of month-on-month changes.
    """

    alias = "naive"
    title = "Naive (random walk)"

    def fit(self, z: pd.Series, X: pd.DataFrame | None = None) -> Naive:
        arr = _clean(self, z)
        self.last_ = arr[-1]
        d = np.diff(arr)
        self.sigma_ = float(np.std(d, ddof=1))
        self._fit_tails(d / self.sigma_)
        self.sigma_ *= recent_volatility(d, self.vol_window)
        self._fitted = True
        return self

    def predict(self, h, X_future=None, n_paths=200, rng=None) -> Predictive:
        self._check_fitted()
        k = np.arange(1, h + 1)
        loc = np.full(h, self.last_)
        scale = self.sigma_ * np.sqrt(k)
        paths = self.last_ + np.cumsum(rng.standard_normal((n_paths, h)) * self.sigma_, axis=1)
        return self._finish(Predictive(loc, scale, paths))


class SeasonalNaive(BaseModel):
    """Seasonal naive: each future period equals the same period one year earlier
    (for an annual series: the random walk).

    h-step sd = sigma_s * sqrt(floor((h-1)/m) + 1), sigma_s = sd of m-period changes,
    m = periods per year (12 monthly, 4 quarterly, 1 annual).
    """

    alias = "snaive"
    title = "Seasonal naive"

    def fit(self, z: pd.Series, X: pd.DataFrame | None = None) -> SeasonalNaive:
        arr = _clean(self, z)
        m = self.season_
        self.last_season_ = arr[-m:]
        sd = arr[m:] - arr[:-m]
        self.sigma_ = float(np.std(sd, ddof=1))
        self._fit_tails(sd / self.sigma_)
        self.sigma_ *= recent_volatility(sd, self.vol_window)
        self._fitted = True
        return self

    def predict(self, h, X_future=None, n_paths=200, rng=None) -> Predictive:
        self._check_fitted()
        k = np.arange(h)
        m = self.season_
        loc = self.last_season_[k % m]
        scale = self.sigma_ * np.sqrt(k // m + 1)
        eps = rng.standard_normal((n_paths, h)) * self.sigma_
        paths = np.empty((n_paths, h))
        for j in range(h):
            prev = paths[:, j - m] if j >= m else self.last_season_[j]
            paths[:, j] = prev + eps[:, j]
        return self._finish(Predictive(loc, scale, paths))


class Drift(BaseModel):
    """Random walk with drift: the average monthly change since the start continues.

    h-step sd = sigma * sqrt(h * (1 + h / (T - 1))).
    """

    alias = "drift"
    title = "Drift"

    def fit(self, z: pd.Series, X: pd.DataFrame | None = None) -> Drift:
        arr = _clean(self, z)
        d = np.diff(arr)
        self.last_ = arr[-1]
        self.slope_ = float(d.mean())
        self.sigma_ = float(np.std(d - self.slope_, ddof=1))
        self._fit_tails((d - self.slope_) / self.sigma_)
        self.sigma_ *= recent_volatility(d - self.slope_, self.vol_window)
        self.t_ = arr.size
        self._fitted = True
        return self

    def predict(self, h, X_future=None, n_paths=200, rng=None) -> Predictive:
        self._check_fitted()
        k = np.arange(1, h + 1)
        loc = self.last_ + self.slope_ * k
        scale = self.sigma_ * np.sqrt(k * (1 + k / (self.t_ - 1)))
        infl = np.sqrt(1 + k / (self.t_ - 1))
        steps = rng.standard_normal((n_paths, h)) * self.sigma_
        paths = loc + np.cumsum(steps, axis=1) * infl
        return self._finish(Predictive(loc, scale, paths))
