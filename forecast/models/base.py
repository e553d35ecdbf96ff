"""The one model protocol, and the pieces every adapter shares.

Every model works on a variance-stabilising scale, ``z = log1p(y)`` (monthly
counts of people are bursty and heavy-tailed; on the log scale their errors are
roughly Gaussian and additive). A model is fitted once on history (and drivers
when it uses them), then predicts ``h`` months ahead given future driver
features, returning a :class:`Predictive`: per-step location and scale of a
Gaussian on the log scale (for quantiles) plus simulated sample paths on the same
scale (for downstream Monte Carlo, keeping the correlation across months).

Every engine's interval convention (statsmodels ``alpha``, Prophet
``interval_width``) is converted here, once, into quantiles: ``value_q =
max(0, expm1(loc + scale * s * T_nu^-1(q)))``. The map is monotone in ``q``, so
quantiles never cross, and clipping at 0 keeps counts non-negative.

Heavy tails. One-step errors of monthly migration counts are heavy-tailed even
on the log scale (calm months, then a surge or a border closure). Each model
therefore fits a Student-t distribution (degrees of freedom ``nu`` and scale
``s``, location 0) by maximum likelihood to its own standardised in-sample
one-step errors (:func:`fit_tails`), and uses it for the marginal of every
forecast month: a narrower core and heavier tails than the Gaussian. Sample
paths keep the engine's correlation across months (a Gaussian copula: each
simulated deviation is mapped through ``Phi`` then ``T_nu^-1``) and are
truncated at the 0.5% / 99.5% quantiles of the marginal, because ``expm1`` of a
Student-t has no finite mean and untruncated paths would make sums explode.
With ``tails="gaussian"`` a model keeps Gaussian marginals (``nu`` = inf, s = 1).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.vocabulary import QUANTILES

SEASON = 12
"""Months in a year (the seasonal cycle of a monthly series; a model's own cycle is
``season_`` periods, set from the series' frequency at fit time)."""


def _stats():
    """scipy.stats, imported on first use (it takes about 1.5 s to import)."""
    from scipy import stats

    return stats

VOL_WINDOW: int | None = None
"""Months of recent one-step errors that rescale the width of the intervals (see
:func:`recent_volatility`); None = off (the default). On the Frontex series a
36-month window brought 80% coverage from 96% to 91% but worsened CRPS by about
25%, and 60 or 120 months worsened CRPS too (docs/model_card.md), so it is off;
pass ``vol_window=`` to a model to use it."""


def recent_volatility(resid: np.ndarray, window: int | None = VOL_WINDOW) -> float:
    """Local-volatility factor: RMS of the last ``window`` one-step in-sample errors
    over their RMS on the whole sample, clipped to [1/3, 3]; 1.0 when ``window``
    is None or the sample is short.

    Monthly migration counts switch between calm and crisis regimes (Frontex
    detections of Afghans in 2015-16, the 2020 border closures); errors estimated
    on the whole history give far too wide intervals in calm years and too
    narrow ones at the start of a crisis. Scaling by the recent error level is a
    simple local-volatility model (cf. EWMA volatility, RiskMetrics 1996).
    """
    r = np.asarray(resid, dtype=float)
    r = r[np.isfinite(r)]
    if window is None or r.size < window + SEASON:
        return 1.0
    whole = np.sqrt(np.mean(r**2))
    if whole <= 0:
        return 1.0
    return float(np.clip(np.sqrt(np.mean(r[-window:] ** 2)) / whole, 1 / 3, 3))


def to_model_scale(y: np.ndarray | pd.Series) -> np.ndarray:
    """Counts (persons per month, >= 0) -> model scale ``log1p(y)``."""
    arr = np.asarray(y, dtype=float)
    return np.log1p(np.maximum(arr, 0.0))


def from_model_scale(z: np.ndarray) -> np.ndarray:
    """Model scale -> counts (persons per month), never negative."""
    return np.maximum(np.expm1(np.asarray(z, dtype=float)), 0.0)


PATH_TRUNCATION = 0.995
"""Paths are truncated at the (1 - p, p) quantiles of their Student-t marginal."""

NU_RANGE = (2.5, 200.0)
"""Bounds on the fitted Student-t degrees of freedom (variance finite above 2)."""


def fit_tails(u: np.ndarray) -> tuple[float, float]:
    """Student-t ``(nu, s)`` fitted by maximum likelihood (location 0) to standardised
    one-step errors ``u``; ``(inf, 1.0)`` when there are fewer than 24 finite errors."""
    u = np.asarray(u, dtype=float)
    u = u[np.isfinite(u)]
    if u.size < 24 or np.std(u) == 0:
        return float("inf"), 1.0
    nu, _, s = _stats().t.fit(u, floc=0)
    nu = float(np.clip(nu, *NU_RANGE))
    if nu >= NU_RANGE[1]:
        return float("inf"), float(np.std(u))
    return nu, float(s)


@dataclass(frozen=True)
class Predictive:
    """A model's predictive distribution for months origin+1 .. origin+h.

    ``loc`` and ``scale`` (shape ``(h,)``) are the centre and the engine's
    Gaussian standard deviation on the log1p scale; the marginal is
    ``loc + scale * tscale * T_nu`` (Student-t; ``nu`` = inf is Gaussian).
    ``paths`` (shape ``(n_paths, h)``) are simulated trajectories on the same
    scale, already with those marginals. A mixture (the ensemble) sets
    ``components`` to ``(weights, locs, scales, nus, tscales)``.
    """

    loc: np.ndarray
    scale: np.ndarray
    paths: np.ndarray
    components: tuple[np.ndarray, ...] | None = None
    nu: float = float("inf")
    tscale: float = 1.0

    def with_tails(self, nu: float, tscale: float) -> Predictive:
        """Gaussian-engine output -> Student-t marginals (Gaussian copula for the
        paths, truncated at :data:`PATH_TRUNCATION`)."""
        if self.components is not None or (np.isinf(nu) and tscale == 1.0):
            return self
        st = _stats()
        norm, student_t = st.norm, st.t
        sd = np.maximum(self.scale, 1e-12)
        d = (self.paths - self.loc) / sd
        if np.isinf(nu):
            d = d * tscale
            cap = norm.ppf(PATH_TRUNCATION) * tscale
        else:
            d = student_t.ppf(norm.cdf(d), nu) * tscale
            cap = student_t.ppf(PATH_TRUNCATION, nu) * tscale
        paths = self.loc + sd * np.clip(d, -cap, cap)
        return Predictive(self.loc, self.scale, paths, None, float(nu), float(tscale))

    def quantiles(self, levels: tuple[float, ...] = QUANTILES) -> np.ndarray:
        """Quantiles in persons per month, shape ``(len(levels), h)``; never negative,
        non-decreasing in the level."""
        q = np.asarray(levels, dtype=float)
        st = _stats()
        norm, student_t = st.norm, st.t
        if self.components is None:
            zq = student_t.ppf(q, self.nu) if np.isfinite(self.nu) else norm.ppf(q)
            z = self.loc[None, :] + (self.scale * self.tscale)[None, :] * zq[:, None]
        else:
            z = _mixture_quantiles(*self.components, q)
        out = from_model_scale(z)
        # monotone in q by construction; enforce against round-off
        return np.maximum.accumulate(out, axis=0)

    def rescaled(self, factor: float) -> Predictive:
        """The same centre with spread (scale and path deviations) times ``factor``."""
        if factor == 1.0 or self.components is not None:
            return self
        return Predictive(self.loc, self.scale * factor,
                          self.loc + (self.paths - self.loc) * factor, None, self.nu,
                          self.tscale)

    def path_values(self) -> np.ndarray:
        """Sample paths in persons per month, shape ``(n_paths, h)``, never negative."""
        return from_model_scale(self.paths)


def _mixture_quantiles(w: np.ndarray, locs: np.ndarray, scales: np.ndarray,
                       nus: np.ndarray, tscales: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantiles of a mixture of (Student-t) marginals per step by bisection.

    ``w``, ``nus``, ``tscales`` (k,), ``locs``/``scales`` (k, h) -> (len(q), h) on
    the model scale.
    """
    s = scales * tscales[:, None]
    width = 60 * s
    lo = (locs - width).min(axis=0)[None, :].repeat(len(q), 0)
    hi = (locs + width).max(axis=0)[None, :].repeat(len(q), 0)
    target = q[:, None]
    df = nus[None, :, None]
    # scipy.special.stdtr is what scipy.stats.t.cdf computes for finite arguments and
    # df > 0 (both scipy 1.12 and 1.17; df = inf is the normal), without its per-call
    # argument checks: about 3x faster here, the same values bit for bit
    from scipy.special import stdtr

    for _ in range(60):
        mid = 0.5 * (lo + hi)
        cdf = np.einsum("k,qkh->qh", w, stdtr(df, (mid[:, None, :] - locs[None]) / s[None]))
        below = cdf < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def model_rng(seed: int, name: str) -> np.random.Generator:
    """The Generator a model draws from: seeded by the run seed and the model name,
    so a model's draws do not depend on which other models run alongside it."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


@runtime_checkable
class Model(Protocol):
    """What every forecasting model provides (statsforecast's idiom: an instance with
    an ``alias`` and a class attribute saying whether it uses drivers).

    ``fit(z, X)``: ``z`` is a pandas Series of log1p counts indexed by period start
    (``ds``; monthly, quarterly or annual, with a ``freq``), regular, no NA at the
    end; ``X`` the driver features on the same index (or None for models that use
    no drivers). Returns self.

    ``predict(h, X_future, n_paths, rng)``: ``X_future`` the driver features for
    the ``h`` periods after the last fitted one (None for driver-free models).

    ``update(z, X)``: condition the fitted model on a longer history *without*
    re-estimating parameters (statsmodels ``apply``); used by rolling backtests.
    """

    alias: str
    uses_drivers: bool

    def fit(self, z: pd.Series, X: pd.DataFrame | None) -> Model: ...

    def predict(self, h: int, X_future: pd.DataFrame | None, n_paths: int,
                rng: np.random.Generator) -> Predictive: ...

    def update(self, z: pd.Series, X: pd.DataFrame | None) -> Model: ...


def season_of(index: pd.DatetimeIndex) -> int:
    """Periods in a seasonal cycle for a regular index: 12 (monthly), 4 (quarterly),
    1 (annual: no seasonality)."""
    from forecast.series import periods_per_year

    return periods_per_year(index)


class BaseModel:
    """Shared checks for the adapters (not required by the protocol).

    Class attributes: ``alias`` (the registry key), ``title`` (words for menus),
    ``uses_drivers``, ``fit_cost`` (``"cheap"`` refitted at every backtest origin,
    ``"moderate"`` every ``refit_every`` origins, ``"heavy"`` every
    ``heavy_refit_every``). ``seed`` seeds any randomness inside the fit (Prophet's
    optimiser); the others ignore it.
    """

    alias: ClassVar[str] = "base"
    title: ClassVar[str] = "base model"
    uses_drivers: ClassVar[bool] = False
    fit_cost: ClassVar[str] = "cheap"

    def __init__(self, vol_window: int | None = VOL_WINDOW, tails: str = "t",
                 seed: int = 0) -> None:
        if tails not in ("t", "gaussian"):
            raise ModelError(f"tails must be 't' or 'gaussian', got {tails!r}")
        self._fitted = False
        self.vol_window = vol_window
        self.vol_ = 1.0
        self.tails = tails
        self.seed = int(seed)
        self.season_ = SEASON
        self.nu_, self.tscale_ = float("inf"), 1.0

    @property
    def name(self) -> str:
        """The alias (kept for readability in messages)."""
        return self.alias

    def _fit_tails(self, u: np.ndarray) -> None:
        """Set ``nu_`` and ``tscale_`` from standardised one-step in-sample errors."""
        if self.tails == "t":
            self.nu_, self.tscale_ = fit_tails(u)

    def _finish(self, pred: Predictive) -> Predictive:
        """Apply the fitted tails (and local volatility) to an engine's Gaussian output."""
        return pred.with_tails(self.nu_, self.tscale_).rescaled(self.vol_)

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise ModelError(f"model {self.alias!r}: call fit() before predict()")

    def _check_z(self, z: pd.Series, name: str | None = None) -> np.ndarray:
        """Values of ``z`` after the checks every model needs; sets ``season_`` from
        the series' frequency."""
        name = name or self.alias
        idx = pd.DatetimeIndex(z.index)
        self.season_ = season_of(idx) if len(idx) > 2 else SEASON
        arr = np.asarray(z, dtype=float)
        need = 2 * self.season_ + 2
        if arr.size < need:
            raise ModelError(f"model {name!r}: needs at least {need} periods of "
                             f"history, got {arr.size}")
        if np.isnan(arr[-1]):
            raise ModelError(f"model {name!r}: the last period of history is NA; trim the "
                             "history so it ends on a reported period")
        return arr

    def update(self, z: pd.Series, X: pd.DataFrame | None):  # default: refit
        return self.fit(z, X)


def fill_inside(z: np.ndarray) -> np.ndarray:
    """Linearly interpolate interior NA on the log scale (for engines without NA
    support: ETS and the baselines). Leading NA are dropped by the caller."""
    s = pd.Series(z)
    return s.interpolate(limit_area="inside").to_numpy()
