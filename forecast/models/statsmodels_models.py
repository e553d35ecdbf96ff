"""statsmodels adapters: ETS (no drivers) and SARIMAX with exogenous drivers.

Both work on the log1p scale. Warnings from the optimisers are recorded in
``model.warnings_`` (strings), never hidden. ``update`` re-filters a longer
history with the already-estimated parameters (``ETSModel.smooth`` /
``MLEResults.apply``), the fast path used by rolling-origin backtests.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.models.base import BaseModel, Predictive, fill_inside, recent_volatility


def _series(z: pd.Series, fill: bool) -> pd.Series:
    arr = np.asarray(z, dtype=float)
    if fill:
        arr = fill_inside(arr)
    idx = pd.DatetimeIndex(z.index)
    if idx.freq is None and len(idx) > 2:
        from forecast.series import freq_of

        idx = pd.DatetimeIndex(idx, freq=freq_of(idx))
    return pd.Series(arr, index=idx)


def _standardise(X: pd.DataFrame, mean: pd.Series, sd: pd.Series) -> pd.DataFrame:
    return (X - mean) / sd


class ETS(BaseModel):
    """Exponential smoothing ETS(A, Ad, A): additive errors, damped additive trend,
    additive 12-month seasonality, on log1p counts (statsmodels ``ETSModel``).

    Ignores drivers. Intervals: statsmodels' analytic forecast variance; paths:
    ``ETSResults.simulate``; Student-t marginals fitted to the one-step errors
    (:func:`forecast.models.base.fit_tails`).
    """

    alias = "ets"
    title = "ETS"
    fit_cost = "moderate"

    def _spec(self) -> dict:
        m = self.season_
        return dict(error="add", trend="add", damped_trend=True,
                    seasonal="add" if m > 1 else None, seasonal_periods=m if m > 1 else None)

    def fit(self, z: pd.Series, X: pd.DataFrame | None = None) -> ETS:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        self._check_z(z)
        s = _series(z, fill=True).dropna()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.res_ = ETSModel(s, **self._spec()).fit(disp=False)
        self.warnings_ = [str(w.message) for w in caught]
        self.params_ = self.res_.params
        resid = np.asarray(self.res_.resid)[self.season_:]
        self.vol_ = recent_volatility(resid, self.vol_window)
        self._fit_tails(resid / np.std(resid))
        self._fitted = True
        return self

    def update(self, z: pd.Series, X: pd.DataFrame | None = None) -> ETS:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        self._check_fitted()
        s = _series(z, fill=True).dropna()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.res_ = ETSModel(s, **self._spec()).smooth(self.params_)
        self.warnings_ += [str(w.message) for w in caught]
        self.vol_ = recent_volatility(np.asarray(self.res_.resid)[self.season_:], self.vol_window)
        return self

    def predict(self, h, X_future=None, n_paths=200, rng=None) -> Predictive:
        self._check_fitted()
        n = self.res_.nobs
        pred = self.res_.get_prediction(start=n, end=n + h - 1)
        loc = np.asarray(pred.predicted_mean, dtype=float)
        scale = np.sqrt(np.asarray(pred.var_pred_mean, dtype=float))
        try:
            sims = self.res_.simulate(h, anchor="end", repetitions=n_paths, rng=rng)
        except TypeError:  # statsmodels 0.14 takes a RandomState (seeded from rng), not rng
            rs = np.random.RandomState(int(rng.integers(2**31)))
            sims = self.res_.simulate(h, anchor="end", repetitions=n_paths, random_state=rs)
        paths = np.asarray(sims, dtype=float).reshape(h, n_paths).T
        return self._finish(Predictive(loc, scale, paths))


class SarimaxX(BaseModel):
    """Regression on the driver features with SARIMA(1,1,1)(1,0,0)12 errors, on log1p
    counts (statsmodels ``SARIMAX``). Features are standardised with the training
    means/sds. Intervals: Kalman-filter forecast variance; paths: joint draws of
    the same state-space forecast errors; Student-t marginals fitted to the
    standardised one-step errors (:func:`forecast.models.base.fit_tails`).
    """

    alias = "sarimax"
    title = "SARIMAX + drivers"
    uses_drivers = True
    fit_cost = "moderate"

    def __init__(self, order=(1, 1, 1), seasonal_order=None, **kw) -> None:
        super().__init__(**kw)
        self.order = tuple(order)
        self._given_seasonal = None if seasonal_order is None else tuple(seasonal_order)
        self.seasonal_order = self._given_seasonal or (1, 0, 0, 12)

    def _set_season(self) -> None:
        """Seasonal AR(1) at the series' own cycle (none for an annual series)."""
        if self._given_seasonal is None:
            m = self.season_
            self.seasonal_order = (1, 0, 0, m) if m > 1 else (0, 0, 0, 0)

    def _exog(self, X: pd.DataFrame | None) -> pd.DataFrame | None:
        if X is None or X.shape[1] == 0:
            return None
        return _standardise(X, self.x_mean_, self.x_sd_)

    def fit(self, z: pd.Series, X: pd.DataFrame | None) -> SarimaxX:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        self._check_z(z)
        self._set_season()
        if X is not None and len(X) != len(z):
            raise ModelError(f"model {self.name!r}: {len(X)} feature rows for {len(z)} months")
        s = _series(z, fill=False)
        if X is not None:
            self.x_mean_ = X.mean()
            self.x_sd_ = X.std(ddof=0).replace(0.0, 1.0)
        ex = self._exog(X)
        if ex is not None:
            ex = ex.set_axis(s.index)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.res_ = SARIMAX(s, exog=ex, order=self.order,
                                seasonal_order=self.seasonal_order).fit(disp=False)
        self.warnings_ = [str(w.message) for w in caught]
        self.observed_ = ~np.isnan(np.asarray(z, dtype=float))
        self._set_vol()
        self._fit_tails(self._std_errors())
        self._fitted = True
        return self

    def _std_errors(self) -> np.ndarray:
        """Standardised one-step errors after the differencing burn-in, at reported
        periods only (statsmodels returns 0 for a missing period, which would shrink
        the fitted tails and the intervals to zero width)."""
        std = np.asarray(self.res_.filter_results.standardized_forecasts_error)[0]
        obs = getattr(self, "observed_", np.ones(std.size, bool))
        if obs.size != std.size:
            obs = np.ones(std.size, bool)
        d = self.order[1] + self.seasonal_order[1] * self.seasonal_order[3]
        start = max(d, self.season_)
        return std[start:][obs[start:]]

    def _set_vol(self) -> None:
        self.vol_ = recent_volatility(self._std_errors(), self.vol_window)

    def update(self, z: pd.Series, X: pd.DataFrame | None) -> SarimaxX:
        self._check_fitted()
        s = _series(z, fill=False)
        self.observed_ = ~np.isnan(np.asarray(z, dtype=float))
        ex = self._exog(X)
        if ex is not None:
            ex = ex.set_axis(s.index)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.res_ = self.res_.apply(s, exog=ex)
        self.warnings_ += [str(w.message) for w in caught]
        self._set_vol()
        return self

    def predict(self, h, X_future=None, n_paths=200, rng=None) -> Predictive:
        self._check_fitted()
        ex = self._exog(X_future)
        if ex is not None:
            if len(ex) < h:
                raise ModelError(f"model {self.name!r}: {len(ex)} future feature rows for "
                                 f"horizon {h}")
            ex = ex.iloc[:h].to_numpy()
        fc = self.res_.get_forecast(h, exog=ex)
        loc = np.asarray(fc.predicted_mean, dtype=float)
        scale = np.asarray(fc.se_mean, dtype=float)
        paths = loc + _state_space_noise(self.res_, h, n_paths, rng)
        return self._finish(Predictive(loc, scale, paths))


def _psd_sqrt(a: np.ndarray) -> np.ndarray:
    """A matrix square root of a symmetric positive semi-definite matrix."""
    w, v = np.linalg.eigh((a + a.T) / 2)
    return v * np.sqrt(np.clip(w, 0.0, None))


def _state_space_noise(res, h: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Joint forecast-error paths (n_paths, h) of a time-invariant linear Gaussian
    state-space model, drawn from the predicted state at the end of the sample.

    Equivalent in distribution to ``res.simulate(anchor="end") - forecast mean``
    (the exogenous mean cancels), but vectorised over paths: statsmodels'
    ``simulate`` with ``repetitions`` loops in Python and takes ~1 ms per path.
    """
    fr = res.filter_results
    Z = fr.design[:, :, 0]
    H = fr.obs_cov[:, :, 0]
    T = fr.transition[:, :, 0]
    R = fr.selection[:, :, 0]
    Q = fr.state_cov[:, :, 0]
    P = fr.predicted_state_cov[:, :, -1]
    k = T.shape[0]
    x = rng.standard_normal((n_paths, k)) @ _psd_sqrt(P).T
    rq = R @ _psd_sqrt(Q)
    hs = np.sqrt(max(float(H[0, 0]), 0.0))
    out = np.empty((n_paths, h))
    for j in range(h):
        out[:, j] = x @ Z[0] + hs * rng.standard_normal(n_paths)
        x = x @ T.T + rng.standard_normal((n_paths, rq.shape[1])) @ rq.T
    return out
