"""Annual arrivals per host country, learned across the world's displacement history.

Method (numbers in ``docs/model_card.md``, part 1; backtest ``benchmarks/host_backtest.py``):

1. **Panel.** :func:`forecast.datasets.load_dyads`: UNHCR arrivals (new refugees +
   new asylum-seekers, persons/year) for ~2,700 origin x asylum pairs, 1990-2025,
   with origin conflict (UCDP GED fatalities), temperature anomaly (FAOSTAT), the
   origin's total outflow, the host's total inflow, land border, distance and the
   co-national stock. NA = not reported: a pair-year with no reported arrivals is
   never a training target, and appears as a missing lag (LightGBM's missing branch).
2. **Point model.** One LightGBM gradient-boosted tree model per horizon ``h`` (1 and
   2 years), pooled over every pair, Huber loss (``alpha`` 0.5) on
   ``log1p(arrivals)`` (close to a
   conditional median, robust to the registration spikes of small series; LightGBM
   allows monotone constraints with it, not with L1). Features are known at
   the origin year ``t``: lags of ``log1p`` arrivals, the last reported value and its
   age, the 3-year mean, origin outflow and its change, host inflow, stock, border,
   distance, conflict and its change, temperature anomaly; plus two *scenario*
   covariates: the change in ``log1p`` fatalities from ``t`` to the target years, and
   the temperature anomaly change, which act through a median-regression layer on the
   trees' residuals (one elasticity per horizon and border class, the conflict one
   constrained >= 0). In training these are the observed changes; in a
   forecast they are the scenario's (baseline: no change). The fatalities level is
   also monotone increasing in the trees (more conflict never means fewer arrivals).
3. **Intervals** (split conformal, rolling, by time): the out-of-sample errors, in
   ``log1p`` space, of the same model fitted at each of the ``calib_years`` previous
   origins (each fitted only on data it could have seen), grouped by the predicted
   level and land border (Mondrian bins). A forecast path adds to the point forecast a draw from its
   bin's errors; the two horizons are drawn jointly through the empirical copula of
   the errors of the same pair and origin.
4. **Scenarios.** ``conflict_multiplier`` scales the origin's fatalities in each
   forecast year; ``temperature_delta`` adds to its temperature anomaly: both act
   through the learned covariates. Surge analogues (:func:`apply_surge`) multiply
   the baseline paths by a real surge's multipliers (``data/surge_catalogue.csv``).
5. **Months.** :func:`monthly_split` splits annual paths into months (flat or an
   observed calendar profile), keeping every annual sum exactly (integers,
   largest-remainder rounding).

Hyperparameters (:class:`HostModelConfig` defaults) were chosen on forecast years
before 2010 only (``benchmarks/host_backtest.py --tune``). Off by default, tried and
not chosen by that rule (``--variants``): a negative-binomial GLM member of the
combination (``combine_glm``, :func:`fit_glm`), and extra origin-year covariates
through ``x_*`` columns of the dyads frame (the IDMC experiment, ``--idmc``).
"""

from __future__ import annotations

import dataclasses
import functools
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import ModelError, ScenarioError, SchemaError

MODEL_NAME = "host_lgbm"
FIRST_TARGET_YEAR = 1993  # first year with three possible lags in the 1990+ panel
LEVEL_EDGES = (np.log1p(30.0), np.log1p(300.0), np.log1p(3000.0))  # Mondrian bins, log1p
QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)

FEATURES: tuple[str, ...] = (
    "z0", "z1", "z2", "zlast", "age_last", "zmean3", "n_rep3",
    "lout", "dout", "share_last", "lin", "lstock", "border", "ldist",
    "lfat", "dfat", "lbd", "temp", "fut_dfat", "fut_dtemp",
)
"""Feature columns (all known at the origin year, except the two ``fut_*`` scenario
covariates): ``z0..z2`` log1p arrivals in t, t-1, t-2 (NaN = not reported);
``zlast`` log1p of the last reported value within 5 years, ``age_last`` its age in
years; ``zmean3`` log1p of the mean reported arrivals t-2..t; ``n_rep3`` reported
years among them; ``lout``/``dout`` log1p origin outflow and its 1-year change;
``share_last`` = zlast - lout; ``lin`` log1p host inflow; ``lstock`` log1p stock at
the end of t; ``border`` 0/1; ``ldist`` log km; ``lfat``/``dfat`` log1p origin
fatalities and its change; ``lbd`` log1p battle deaths; ``temp`` temperature
anomaly (deg C, carried forward after the last report); ``fut_dfat`` mean log1p
fatalities over the target years minus ``lfat``; ``fut_dtemp`` temperature anomaly
change to the target year."""

SCENARIO_FEATURES: tuple[str, ...] = ("fut_dfat", "fut_dtemp")
"""Covariates a scenario moves. They act through a median-regression layer on the
boosted model's residuals (:class:`Member`), not inside the trees: the response is
then one elasticity per horizon and border class, with a standard error, monotone
in conflict by a sign constraint."""

MONOTONE: dict[str, int] = {"lfat": 1}


@dataclass(frozen=True)
class HostModelConfig:
    """Hyperparameters of :func:`fit_host_model` (fixed on years before 2010).

    ``calib_years``: origins whose out-of-sample errors calibrate the intervals.
    ``n_estimators``, ``learning_rate``, ``num_leaves``, ``min_child_samples``,
    ``objective``, ``huber_alpha`` (log1p units), ``max_bin``: LightGBM settings.
    ``target``: the boosted target, the change from the last reported value
    (``"change"``) or the level. ``threads``: LightGBM threads.
    ``combine``: combine the model's point with persistence (the last reported value)
    with weights from their out-of-sample errors on the calibration years
    (:func:`combination_weights`); ``combine_shrink``: how many pseudo-rows of the
    border class's errors are added to an origin country's own;
    ``combine_pair_shrink``: None (one weight per origin x border class) or how many
    pseudo-rows of that class's (shrunk) errors are added to a pair's own calibration
    errors, for a weight per pair.
    ``combine_glm`` (off by default; acts only with ``combine``): a negative-binomial
    GLM (:class:`GlmMember`) joins the combination as a further member with inverse
    squared-error weights like the others (:func:`combination_weights_k`);
    ``glm_rows``: training rows the GLM is fitted on (a seeded random subsample when
    there are more; None: all); ``glm_point``: its point on the log1p scale,
    ``"median"`` (log1p of the NB predictive median) or ``"mean"`` (log1p of the mean);
    ``glm_by_border``: one GLM per land-border class (:class:`GlmByBorder`), each with
    its own dispersion, instead of one pooled GLM.
    """

    horizons: tuple[int, ...] = (1, 2)
    calib_years: int = 3
    n_estimators: int = 150
    learning_rate: float = 0.1
    num_leaves: int = 31
    min_child_samples: int = 50
    objective: str = "huber"
    huber_alpha: float = 0.5
    target: str = "level"  # "level": log1p(y[t+h]); "change": log1p(y[t+h]) - zlast[t]
    center_residuals: bool = False  # True: errors re-centred so the median path = booster
    combine: bool = True  # point = w * model + (1 - w) * persistence, w from past errors
    combine_shrink: float = 10.0  # pseudo-rows pulling an origin's weight to its border class
    combine_pair_shrink: float | None = None  # pseudo-rows pulling a pair's to its origin's
    combine_mean3: bool = False  # True: the 3-year mean joins model and persistence
    combine_glm: bool = False  # True: a negative-binomial GLM joins the combination
    glm_rows: int | None = 20000  # GLM training rows (seeded subsample); None: all
    glm_point: str = "median"  # GLM point: log1p of the NB "median" or of the "mean"
    glm_by_border: bool = False  # True: one GLM (and dispersion) per land-border class
    features: tuple[str, ...] = FEATURES
    max_bin: int = 63
    threads: int = 1  # OpenMP threads; 1 is fastest on a shared 2-core machine

    def with_(self, **kw) -> HostModelConfig:
        return dataclasses.replace(self, **kw)


# ----------------------------------------------------------------------------- panel
@dataclass(frozen=True, eq=False)
class Panel:
    """The dyadic panel as matrices (pairs x years), cut at ``last_year``.

    ``arr``: arrivals (persons/year, NaN = not reported); ``stock`` (persons);
    ``fat``/``bd`` origin fatalities / battle deaths (deaths/year); ``temp`` origin
    temperature anomaly (deg C, carried forward); ``out`` origin outflow and ``inn``
    host inflow (persons/year); ``border`` (0/1) and ``dist`` (km) per pair.
    ``extra``: further origin-year covariates, one matrix per ``x_*`` column of the
    dyads frame (counts such as persons/year, NaN = not reported; each becomes the
    feature of the same name, log1p of the origin year's value; an experiment hook,
    e.g. IDMC internal displacements in ``benchmarks/host_backtest.py --idmc``).
    """

    pairs: pd.DataFrame  # origin_iso3, asylum_iso3 (row i of every matrix)
    years: np.ndarray
    arr: np.ndarray
    stock: np.ndarray
    fat: np.ndarray
    bd: np.ndarray
    temp: np.ndarray
    out: np.ndarray
    inn: np.ndarray
    border: np.ndarray
    dist: np.ndarray
    extra: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    @property
    def last_year(self) -> int:
        return int(self.years[-1])

    def index(self, origin: str, host: str) -> int | None:
        """Row of the pair ``(origin, host)`` (ISO-3 codes), or None."""
        return self._pos.get((origin, host))

    @functools.cached_property
    def _pos(self) -> dict[tuple[str, str], int]:
        return dict(zip(zip(self.pairs["origin_iso3"], self.pairs["asylum_iso3"], strict=True),
                        range(len(self.pairs)), strict=True))


NEED = ("origin_iso3", "asylum_iso3", "year", "arrivals")
EXTRA_PREFIX = "x_"
"""Dyads columns with this prefix become extra origin-year features (:class:`Panel`)."""


def make_panel(dyads: pd.DataFrame, up_to_year: int | None = None) -> Panel:
    """Matrices of :class:`Panel` from a ``load_dyads()`` frame, using rows with
    ``year <= up_to_year`` only (nothing after the origin can leak in)."""
    miss = [c for c in NEED if c not in dyads.columns]
    if miss:
        raise SchemaError(f"dyads frame: missing column(s) {miss}; expected at least {list(NEED)}"
                          " (use forecast.datasets.load_dyads())")
    d = dyads
    if up_to_year is not None:
        d = d[d["year"] <= int(up_to_year)]
    if d.empty:
        raise ModelError(f"dyads frame: no rows up to {up_to_year}")
    y0, y1 = int(d["year"].min()), int(d["year"].max())
    years = np.arange(y0, y1 + 1)
    pairs = d[["origin_iso3", "asylum_iso3"]].drop_duplicates().sort_values(
        ["origin_iso3", "asylum_iso3"]).reset_index(drop=True)
    pid = pd.MultiIndex.from_frame(pairs)
    ri = pid.get_indexer(pd.MultiIndex.from_frame(d[["origin_iso3", "asylum_iso3"]]))
    ci = d["year"].to_numpy(dtype=int) - y0
    shape = (len(pairs), len(years))

    def mat(col: str) -> np.ndarray:
        m = np.full(shape, np.nan)
        if col in d:
            m[ri, ci] = d[col].to_numpy(dtype=float)
        return m

    fat = mat("o_fatalities")
    # UCDP GED covers every country: a country PaCE has no column for had no recorded
    # event, i.e. 0 fatalities (documented assumption; years before 1989 stay NaN)
    has_fat = np.isfinite(fat).any(axis=1, keepdims=True)
    fat = np.where(np.isnan(fat) & ~has_fat & (years >= 1989), 0.0, fat)
    temp = _ffill(mat("o_temp_anom_c"), limit=8)
    border = np.nanmax(np.where(np.isnan(mat("land_border")), -1, mat("land_border")), axis=1)
    dist = np.nanmax(np.where(np.isnan(mat("distance_km")), -1, mat("distance_km")), axis=1)
    extra = {c: mat(c) for c in d.columns if str(c).startswith(EXTRA_PREFIX)}
    return Panel(pairs, years, mat("arrivals"), mat("stock"), fat, mat("o_battle_deaths"), temp,
                 mat("o_outflow"), mat("a_inflow"), np.where(border < 0, np.nan, border),
                 np.where(dist < 0, np.nan, dist), extra)


def _ffill(m: np.ndarray, limit: int) -> np.ndarray:
    """Carry the last reported value forward along years, at most ``limit`` years."""
    out = m.copy()
    last = np.full(m.shape[0], np.nan)
    age = np.full(m.shape[0], np.inf)
    for j in range(m.shape[1]):
        have = np.isfinite(m[:, j])
        last = np.where(have, m[:, j], last)
        age = np.where(have, 0, age + 1)
        out[:, j] = np.where(have, m[:, j], np.where(age <= limit, last, np.nan))
    return out


def _nanmean(m: np.ndarray) -> np.ndarray:
    """Row means over reported values; NaN for a row with none (no warning)."""
    n = np.isfinite(m).sum(axis=1)
    return np.where(n > 0, np.nansum(m, axis=1) / np.maximum(n, 1), np.nan)


def _l(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.log1p(x)


def features_at(p: Panel, j: int, h: int | None = None, fut_fat: np.ndarray | None = None,
                fut_temp: np.ndarray | None = None) -> pd.DataFrame:
    """Feature frame (columns :data:`FEATURES`) of every pair at year column ``j``.

    ``h``: horizon; the scenario covariates come from the panel's years ``j+1..j+h``
    (training) unless ``fut_fat`` (mean log1p fatalities over the target years) and
    ``fut_temp`` (temperature anomaly in the target year) are given (forecast).
    """
    return _with_future(_origin_features(p, j), p, j, h, fut_fat, fut_temp)


def _col(m: np.ndarray, k: int) -> np.ndarray:
    return m[:, k] if k >= 0 else np.full(m.shape[0], np.nan)


def _origin_features(p: Panel, j: int) -> dict[str, np.ndarray]:
    """The columns of :func:`features_at` known at year column ``j`` (all but the
    scenario covariates; the same for every horizon)."""
    a = p.arr
    col = _col

    z0, z1, z2 = _l(col(a, j)), _l(col(a, j - 1)), _l(col(a, j - 2))
    win = a[:, max(j - 2, 0): j + 1]
    n_rep = np.isfinite(win).sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean3 = np.where(n_rep > 0, np.nansum(win, axis=1) / np.maximum(n_rep, 1), np.nan)
    zlast = np.full(a.shape[0], np.nan)
    age = np.full(a.shape[0], np.nan)
    for k in range(0, 5):
        if j - k < 0:
            break
        v = a[:, j - k]
        fill = np.isnan(zlast) & np.isfinite(v)
        zlast[fill] = np.log1p(v[fill])
        age[fill] = k
    lout = _l(col(p.out, j))
    lfat = _l(col(p.fat, j))
    # the pair's longer memory: reported years t-9..t (mean, max) in log1p
    win10 = _l(a[:, max(j - 9, 0): j + 1])
    n10 = np.isfinite(win10).sum(axis=1)
    with np.errstate(invalid="ignore"):
        zmean10 = np.where(n10 > 0, np.nansum(win10, axis=1) / np.maximum(n10, 1), np.nan)
    zmax10 = np.where(n10 > 0, np.nanmax(np.where(np.isfinite(win10), win10, -np.inf), axis=1),
                      np.nan)
    f = {
        "z0": z0, "z1": z1, "z2": z2, "zlast": zlast, "age_last": age,
        "zmean3": _l(mean3), "n_rep3": n_rep.astype(float),
        "lout": lout, "dout": lout - _l(col(p.out, j - 1)), "share_last": zlast - lout,
        "lin": _l(col(p.inn, j)), "lstock": _l(col(p.stock, j)),
        "border": p.border, "ldist": np.log(np.maximum(p.dist, 1.0)),
        "lfat": lfat, "dfat": lfat - _l(col(p.fat, j - 1)), "lbd": _l(col(p.bd, j)),
        "temp": col(p.temp, j),
        "d01": z0 - z1, "zmean10": zmean10, "gap_mean10": zlast - zmean10,
        "gap_max10": zlast - zmax10, "n_rep10": n10.astype(float),
        "dlout_mean": lout - _l(_nanmean(p.out[:, max(j - 4, 0): j + 1])),
    }
    for name, m in p.extra.items():
        f[name] = _l(col(m, j))
    return f


def _with_future(base: dict[str, np.ndarray], p: Panel, j: int, h: int | None,
                 fut_fat: np.ndarray | None, fut_temp: np.ndarray | None) -> pd.DataFrame:
    """:func:`features_at` from its origin columns ``base`` (left unchanged)."""
    f = dict(base)
    lfat, n_rows = f["lfat"], len(f["z0"])
    if fut_fat is None and h is not None:
        if j + h < p.fat.shape[1]:
            w = _l(p.fat[:, j + 1: j + h + 1])
            n = np.isfinite(w).sum(axis=1)
            fut_fat = np.where(n > 0, np.nansum(w, axis=1) / np.maximum(n, 1), np.nan)
            fut_temp = p.temp[:, j + h]
        else:
            fut_fat, fut_temp = np.full(n_rows, np.nan), np.full(n_rows, np.nan)
    f["fut_dfat"] = (fut_fat - lfat) if fut_fat is not None else np.zeros(n_rows)
    f["fut_dtemp"] = (fut_temp - f["temp"]) if fut_temp is not None else np.zeros(n_rows)
    return pd.DataFrame(f)


def _train_rows(p: Panel, h: int, cutoff: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Training rows for horizon ``h``: targets reported in years <= ``cutoff``."""
    X, y, _ = _train_blocks(p, h, cutoff)
    return X, y


def _train_blocks(p: Panel, h: int, cutoff: int, origin: dict | None = None,
                  ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`_train_rows` and the target year of each row: rows are stacked by origin
    year, so those of an earlier cutoff are a prefix (:class:`_RowsByHorizon`).
    ``origin``: :func:`_origin_features` by year column, shared by the horizons."""
    X, y, ty = [], [], []
    origin = {} if origin is None else origin
    y0 = int(p.years[0])
    for t in range(max(FIRST_TARGET_YEAR, y0 + 2) - h, cutoff - h + 1):
        j = t - y0
        if j < 0 or j + h >= len(p.years):
            continue
        tgt = p.arr[:, j + h]
        if j not in origin:
            origin[j] = _origin_features(p, j)
        F = _with_future(origin[j], p, j, h, None, None)
        ok = np.isfinite(tgt) & np.isfinite(F["zlast"].to_numpy())
        if ok.any():
            X.append(F[ok])
            y.append(np.log1p(tgt[ok]))
            ty.append(np.full(int(ok.sum()), t + h))
    if not X:
        raise ModelError(f"host model: no training rows for horizon {h} up to {cutoff}")
    return pd.concat(X, ignore_index=True), np.concatenate(y), np.concatenate(ty)


class _RowsByHorizon:
    """Training rows of one panel, built once per horizon for the panel's last year;
    an earlier cutoff takes their prefix of target years <= cutoff (the same rows, in
    the same order, as :func:`_train_rows` at that cutoff)."""

    def __init__(self, p: Panel):
        self.p = p
        self.full: dict[int, tuple[pd.DataFrame, np.ndarray, np.ndarray]] = {}
        self.origin: dict[int, dict[str, np.ndarray]] = {}  # _origin_features by year column

    def get(self, h: int, cutoff: int) -> tuple[pd.DataFrame, np.ndarray]:
        if cutoff > self.p.last_year:
            return _train_rows(self.p, h, cutoff)
        if h not in self.full:
            self.full[h] = _train_blocks(self.p, h, self.p.last_year, self.origin)
        X, y, ty = self.full[h]
        n = int(np.searchsorted(ty, cutoff, side="right"))
        if n == 0:
            raise ModelError(f"host model: no training rows for horizon {h} up to {cutoff}")
        if n == len(y):
            return X, y
        return X.iloc[:n], y[:n]


def _target(X: pd.DataFrame, y: np.ndarray, cfg: HostModelConfig) -> np.ndarray:
    if cfg.target not in ("change", "level"):
        raise ModelError(f"HostModelConfig.target: {cfg.target!r}; allowed: 'change', 'level'")
    return y - X["zlast"].to_numpy(dtype=float) if cfg.target == "change" else y


@dataclass(frozen=True, eq=False)
class Member:
    """One fitted horizon: the boosted trees on the features known at the origin, plus
    the scenario layer ``level += b_fat[border] * fut_dfat + b_temp[border] * fut_dtemp``
    (log1p units per log1p-fatalities unit and per deg C).

    ``elasticity``: border class (0/1) -> ``(b_fat, se_fat, b_temp, se_temp, n)``,
    median regression (statsmodels ``QuantReg``, q = 0.5) of the boosted model's
    training residuals on the two scenario covariates; ``b_fat`` is clipped at 0
    (more conflict never lowers arrivals).
    """

    booster: object
    elasticity: dict[int, tuple[float, float, float, float, int]]


def _boost_features(cfg: HostModelConfig) -> list[str]:
    return [c for c in cfg.features if c not in SCENARIO_FEATURES]


def _elasticities(X: pd.DataFrame, resid: np.ndarray) -> dict:
    import warnings

    from statsmodels.regression.quantile_regression import QuantReg

    out = {}
    border = np.nan_to_num(X["border"].to_numpy(dtype=float)) == 1
    for cls, sel in ((0, ~border), (1, border)):
        f = X["fut_dfat"].to_numpy(dtype=float)[sel]
        t = np.nan_to_num(X["fut_dtemp"].to_numpy(dtype=float)[sel])
        r = resid[sel]
        ok = np.isfinite(f) & np.isfinite(r)
        if ok.sum() < 50:
            out[cls] = (0.0, np.nan, 0.0, np.nan, int(ok.sum()))
            continue
        A = np.column_stack([np.ones(ok.sum()), f[ok], t[ok]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # IterationLimitWarning etc.: recorded below
            res = QuantReg(r[ok], A).fit(q=0.5, max_iter=2000)
        b, se = res.params, res.bse
        out[cls] = (max(float(b[1]), 0.0), float(se[1]), float(b[2]), float(se[2]),
                    int(ok.sum()))
    return out


def fit_member(X: pd.DataFrame, y: np.ndarray, cfg: HostModelConfig, seed: int) -> Member:
    """Fit one horizon (:class:`Member`) on training rows ``X`` (:data:`FEATURES`) and
    targets ``y`` (log1p persons/year)."""
    b, fitted = _train_booster(X, _target(X, y, cfg), cfg, seed)
    if cfg.target == "change":
        fitted = fitted + X["zlast"].to_numpy(dtype=float)
    return Member(b, _elasticities(X, y - fitted))


def _boost_predict(b, X: pd.DataFrame, cfg: HostModelConfig) -> np.ndarray:
    out = b.predict(_matrix(X, _boost_features(cfg)), num_threads=1)
    return out + X["zlast"].to_numpy(dtype=float) if cfg.target == "change" else out


def _matrix(X: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """``X[cols].to_numpy(dtype=float)``, the same numbers, without building the
    sub-frame (slow for a few rows: the feature frames hold one float block)."""
    pos = X.columns.get_indexer(cols)
    if np.any(pos < 0):
        return X[cols].to_numpy(dtype=float)  # the usual KeyError naming the column
    try:
        return X.to_numpy(dtype=float)[:, pos]
    except (TypeError, ValueError):  # a non-numeric column that is not a feature
        return X[cols].to_numpy(dtype=float)


def _fit_booster(X: pd.DataFrame, y: np.ndarray, cfg: HostModelConfig, seed: int):
    return _train_booster(X, y, cfg, seed)[0]


def _train_booster(X: pd.DataFrame, y: np.ndarray, cfg: HostModelConfig, seed: int):
    """The boosted trees on rows ``X`` and target ``y``, and their predictions of those
    rows (the booster's own training scores, equal to ``booster.predict(X)``: one
    prediction pass over the training rows saved). The booster is returned as
    ``lgb.train`` returns it (reloaded from its model string, training data freed)."""
    try:
        import lightgbm as lgb
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise ModelError("the host model needs lightgbm: pip install lightgbm") from e
    params = {
        "objective": cfg.objective, "alpha": cfg.huber_alpha,
        "learning_rate": cfg.learning_rate,
        "num_leaves": cfg.num_leaves, "min_child_samples": cfg.min_child_samples,
        "monotone_constraints": [MONOTONE.get(c, 0) for c in _boost_features(cfg)],
        "monotone_constraints_method": "intermediate", "max_bin": cfg.max_bin,
        "num_threads": cfg.threads, "seed": seed, "deterministic": True,
        "force_row_wise": True, "verbose": -1,
    }
    ds = lgb.Dataset(X[_boost_features(cfg)], label=y, free_raw_data=True)
    booster = lgb.train(params, ds, num_boost_round=cfg.n_estimators, keep_training_booster=True)
    kept = {}

    def keep(preds, _data):
        kept["train"] = np.array(preds, dtype=float)
        return "kept", 0.0, False

    booster.eval_train(feval=keep)
    booster.model_from_string(booster.model_to_string()).free_dataset()  # as lgb.train does
    return booster, kept["train"]


def _bin(level: np.ndarray, border: np.ndarray | None = None) -> np.ndarray:
    """Mondrian bin: predicted level (4 bins on log1p) x land border (0/1): pairs across
    a land border have larger surges than the long-distance asylum flows that dominate
    the panel, so their errors are calibrated apart."""
    b = np.searchsorted(np.asarray(LEVEL_EDGES), level, side="right")
    if border is None:
        return b
    return b + (len(LEVEL_EDGES) + 1) * (np.nan_to_num(border) == 1)


# ----------------------------------------------------------------------------- NB GLM
GLM_EXCLUDE = ("share_last",)
"""Features left out of the GLM's linear predictor: ``share_last`` = ``zlast - lout``
is an exact linear combination of two others."""

GLM_ETA_MAX = float(np.log(1e8))
"""Cap on the GLM's linear predictor (log persons/year): no flow in the panel comes
near 1e8 a year, and an extrapolated covariate must not overflow ``exp``."""


@dataclass(frozen=True, eq=False)
class GlmMember:
    """A negative-binomial (NB2) GLM of one horizon, pooled over every pair:
    ``log E[y] = b0 + b . x`` on the count of arrivals ``y`` (persons/year),
    ``Var y = mu + alpha mu^2`` (statsmodels ``NegativeBinomial``, maximum likelihood).

    ``x``: the boosted model's features known at the origin (:data:`FEATURES` minus
    :data:`SCENARIO_FEATURES` and :data:`GLM_EXCLUDE`), each standardised with the
    training rows' ``center``/``scale``; a feature with missing values in training
    enters as 0 where missing plus a 0/1 indicator (``na_columns``). No scenario
    covariate: a scenario moves the combination only through the boosted member.
    ``columns``: design columns (``"<feature>"`` or ``"<feature>_na"``) after
    dropping those constant in training; ``params``: intercept then coefficients;
    ``alpha``: dispersion; ``converged``: the optimiser's flag and ``n_warnings`` the
    statsmodels warnings of the fit (recorded, not hidden); ``n``: training rows used.
    """

    features: tuple[str, ...]
    na_columns: tuple[str, ...]
    columns: tuple[str, ...]
    center: np.ndarray
    scale: np.ndarray
    params: np.ndarray
    alpha: float
    converged: bool
    n: int
    n_warnings: int = 0

    def design(self, X: pd.DataFrame) -> np.ndarray:
        """Standardised design matrix (with the intercept) of feature rows ``X``."""
        return _glm_design(X, self.features, self.na_columns, self.columns, self.center,
                           self.scale)

    def mean(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted mean arrivals (persons/year) of feature rows ``X``."""
        return np.exp(np.minimum(self.design(X) @ self.params, GLM_ETA_MAX))

    def level(self, X: pd.DataFrame, point: str = "median") -> np.ndarray:
        """Point forecast on the log1p scale: log1p of the NB predictive median
        (``point="median"``) or of the mean (``"mean"``)."""
        return _glm_level(self, X, point)

    def quantiles(self, X: pd.DataFrame, q) -> np.ndarray:
        """NB predictive quantiles (persons/year), rows of ``X`` x levels ``q``."""
        from scipy.stats import nbinom

        mu = self.mean(X)[:, None]
        r = 1.0 / max(self.alpha, 1e-8)
        return nbinom.ppf(np.atleast_1d(np.asarray(q, dtype=float))[None, :], r, r / (r + mu))


@dataclass(frozen=True, eq=False)
class GlmByBorder:
    """One :class:`GlmMember` per land-border class (0/1; ``by_class``), each with its own
    dispersion: the rare land-border flows surge far more than the rest, and one pooled
    dispersion puts their NB median too high. Same interface as :class:`GlmMember`."""

    by_class: dict[int, GlmMember]

    def _cls(self, X: pd.DataFrame) -> np.ndarray:
        return (np.nan_to_num(X["border"].to_numpy(dtype=float)) == 1).astype(int)

    def mean(self, X: pd.DataFrame) -> np.ndarray:
        out = np.empty(len(X))
        c = self._cls(X)
        for k, g in self.by_class.items():
            if (c == k).any():
                out[c == k] = g.mean(X[c == k])
        return out

    def level(self, X: pd.DataFrame, point: str = "median") -> np.ndarray:
        return _glm_level(self, X, point)

    def quantiles(self, X: pd.DataFrame, q) -> np.ndarray:
        c = self._cls(X)
        out = np.empty((len(X), np.atleast_1d(q).size))
        for k, g in self.by_class.items():
            if (c == k).any():
                out[c == k] = g.quantiles(X[c == k], q)
        return out


def _glm_level(g, X: pd.DataFrame, point: str) -> np.ndarray:
    if point == "mean":
        return np.log1p(g.mean(X))
    if point != "median":
        raise ModelError(f"HostModelConfig.glm_point: {point!r}; allowed: 'median', 'mean'")
    return np.log1p(g.quantiles(X, 0.5)[:, 0])


def _glm_raw(X: pd.DataFrame, features: Sequence[str], na_columns: Sequence[str]):
    cols, names = [], []
    for c in features:
        v = X[c].to_numpy(dtype=float)
        miss = ~np.isfinite(v)
        cols.append(np.where(miss, 0.0, v))
        names.append(c)
        if c in na_columns:
            cols.append(miss.astype(float))
            names.append(f"{c}_na")
    return np.column_stack(cols), names


def _glm_design(X, features, na_columns, columns, center, scale) -> np.ndarray:
    A, names = _glm_raw(X, features, na_columns)
    pos = {n: k for k, n in enumerate(names)}
    A = A[:, [pos[c] for c in columns]]
    return np.column_stack([np.ones(len(A)), (A - center) / scale])


def fit_glm(X: pd.DataFrame, y: np.ndarray, cfg: HostModelConfig,
            seed: int) -> GlmMember | GlmByBorder:
    """Fit :class:`GlmMember` on training rows ``X`` (:data:`FEATURES`) and targets
    ``y`` (log1p persons/year; the count is ``round(expm1(y))``), on at most
    ``cfg.glm_rows`` rows (a random subsample seeded by ``seed``); with
    ``cfg.glm_by_border``, one per land-border class (:class:`GlmByBorder`)."""
    if cfg.glm_by_border:
        c = (np.nan_to_num(X["border"].to_numpy(dtype=float)) == 1).astype(int)
        return GlmByBorder({k: _fit_glm1(X[c == k], y[c == k], cfg, seed)
                            for k in (0, 1) if (c == k).sum() > 0})
    return _fit_glm1(X, y, cfg, seed)


def _fit_glm1(X: pd.DataFrame, y: np.ndarray, cfg: HostModelConfig, seed: int) -> GlmMember:
    import warnings

    import statsmodels.api as sm

    if len(X) != len(y) or len(y) == 0:
        raise ModelError(f"NB GLM: need as many targets as rows, got {len(y)} for {len(X)}")
    if cfg.glm_rows is not None and len(X) > cfg.glm_rows:
        keep = np.sort(np.random.default_rng([seed, 4099]).choice(len(X), cfg.glm_rows,
                                                                   replace=False))
        X, y = X.iloc[keep], y[keep]
    feats = tuple(c for c in _boost_features(cfg) if c not in GLM_EXCLUDE)
    na = tuple(c for c in feats if not np.all(np.isfinite(X[c].to_numpy(dtype=float))))
    A, names = _glm_raw(X, feats, na)
    sd = A.std(axis=0)
    use = np.flatnonzero(sd > 0)
    center, scale = A[:, use].mean(axis=0), sd[use]
    columns = tuple(names[k] for k in use)
    Z = np.column_stack([np.ones(len(A)), (A[:, use] - center) / scale])
    count = np.round(np.expm1(y))
    flat = np.zeros(Z.shape[1])
    flat[0] = np.log(max(count.mean(), 1e-3))
    params, conv = None, False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:  # Poisson start values; IRLS can fail on the heaviest-tailed classes
            start = sm.GLM(count, Z, family=sm.families.Poisson()).fit().params
            if not np.all(np.isfinite(start)):
                start = flat
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            start = flat
        for s0, method in ((start, "newton"), (flat, "bfgs")):
            try:
                res = sm.NegativeBinomial(count, Z, loglike_method="nb2").fit(
                    start_params=np.append(s0, 1.0), method=method, maxiter=200, disp=0)
            except (ValueError, np.linalg.LinAlgError, FloatingPointError):
                continue
            if np.all(np.isfinite(res.params)):
                params = np.asarray(res.params, dtype=float)
                conv = bool(res.mle_retvals.get("converged", False))
                break
    if params is None:
        raise ModelError(f"NB GLM: no finite fit on {len(y)} rows (newton and bfgs; "
                         f"{len(caught)} statsmodels warnings)")
    return GlmMember(feats, na, columns, center, scale, params[:-1], float(params[-1]), conv,
                     int(len(y)), len(caught))


# ----------------------------------------------------------------------------- model
@dataclass(frozen=True, eq=False)
class HostModel:
    """A fitted host-arrivals model at origin year ``up_to_year``.

    ``boosters``: :class:`Member` (trees + scenario layer) by horizon (years). ``residuals``: calibration
    errors by horizon: a frame ``pair, origin, level, bin, resid`` (log1p actual minus
    log1p point forecast, out of sample). ``panel``: the data it saw. ``weights``: by
    horizon, the weight of the model against persistence for every pair
    (:func:`combination_weights`; None: the model alone), or an array ``(n_pairs, k)``
    of the members' weights (:func:`member_names`). ``glms``: the negative-binomial
    GLM member by horizon (``config.combine_glm``; None: not a member).
    """

    config: HostModelConfig
    up_to_year: int
    seed: int
    panel: Panel
    boosters: dict[int, object]
    residuals: dict[int, pd.DataFrame]
    weights: dict[int, np.ndarray] | None = None
    glms: dict[int, GlmMember | GlmByBorder] | None = None

    def provenance(self) -> dict:
        """For an export sidecar: model name, data end, hyperparameters, seed."""
        return {"model": MODEL_NAME, "data_end_year": self.up_to_year, "seed": self.seed,
                "config": dataclasses.asdict(self.config),
                "calibration_origins": {h: sorted(set(r["origin"])) for h, r in
                                        self.residuals.items()}}


class FitCache:
    """Boosters by ``(cutoff, horizon, config, seed)``, shared by the fits of a backtest
    (a model fitted on data up to year C is the same whichever later origin needs it)."""

    def __init__(self):
        self.store: dict = {}


_AFTER_BOOSTING = ("combine", "combine_shrink", "combine_pair_shrink", "combine_mean3",
                   "center_residuals", "combine_glm", "glm_rows", "glm_point",
                   "glm_by_border")
"""Settings applied after the boosters are fitted: configurations differing only in
these share the cached boosters."""


def _booster_key(cfg: HostModelConfig) -> HostModelConfig:
    base = HostModelConfig()
    return cfg.with_(**{k: getattr(base, k) for k in _AFTER_BOOSTING})


def _cached_fit(p: Panel, h: int, cutoff: int, key: tuple, fit, cache: FitCache | None,
                rows: _RowsByHorizon | None = None):
    """``fit(X, y)`` on the training rows of horizon ``h`` up to ``cutoff``, kept in
    ``cache`` under ``key`` (one fit per member, cutoff, horizon, settings and seed);
    ``rows``: the panel's training rows, built once for all cutoffs of one fit."""
    if cache is not None and key in cache.store:
        return cache.store[key]
    X, y = rows.get(h, cutoff) if rows is not None else _train_rows(p, h, cutoff)
    member = fit(X, y)
    if cache is not None:
        cache.store[key] = member
    return member


def _booster(p: Panel, h: int, cutoff: int, cfg: HostModelConfig, seed: int,
             cache: FitCache | None, rows: _RowsByHorizon | None = None):
    return _cached_fit(p, h, cutoff, (cutoff, h, _booster_key(cfg), seed),
                       lambda X, y: fit_member(X, y, cfg, seed), cache, rows)


def _glm(p: Panel, h: int, cutoff: int, cfg: HostModelConfig, seed: int,
         cache: FitCache | None, rows: _RowsByHorizon | None = None) -> GlmMember | GlmByBorder:
    return _cached_fit(p, h, cutoff, ("glm", cutoff, h, _glm_key(cfg), seed),
                       lambda X, y: fit_glm(X, y, cfg, seed), cache, rows)


def _glm_key(cfg: HostModelConfig) -> tuple:
    """What a fitted GLM depends on (its cache key, with cutoff, horizon and seed)."""
    return (tuple(_boost_features(cfg)), cfg.glm_rows, cfg.glm_by_border)


def member_names(cfg: HostModelConfig) -> tuple[str, ...]:
    """Members of the combination, in the order of the weight columns: ``model``
    (boosted), ``persist`` (last reported value), then ``mean3`` (3-year mean, with
    ``combine_mean3``) and ``glm`` (negative-binomial GLM, with ``combine_glm``)."""
    return (("model", "persist") + (("mean3",) if cfg.combine_mean3 else ())
            + (("glm",) if cfg.combine_glm else ()))


def _predict(m: Member, X: pd.DataFrame, cfg: HostModelConfig) -> np.ndarray:
    """Point forecast on the log1p scale: trees + the scenario layer."""
    out = _boost_predict(m.booster, X, cfg)
    border = (np.nan_to_num(X["border"].to_numpy(dtype=float)) == 1).astype(int)
    bf = np.array([m.elasticity[c][0] for c in (0, 1)])[border]
    bt = np.array([m.elasticity[c][2] for c in (0, 1)])[border]
    return (out + bf * np.nan_to_num(X["fut_dfat"].to_numpy(dtype=float))
            + bt * np.nan_to_num(X["fut_dtemp"].to_numpy(dtype=float)))


def fit_host_model(dyads: pd.DataFrame, up_to_year: int | None = None, seed: int = 0,
                   config: HostModelConfig | None = None,
                   cache: FitCache | None = None) -> HostModel:
    """Fit the pooled model on every pair, with data up to ``up_to_year`` only.

    ``dyads``: :func:`forecast.datasets.load_dyads` (or a frame with at least
    ``origin_iso3, asylum_iso3, year, arrivals``; arrivals in persons/year, NaN = not
    reported). ``up_to_year``: the last observed year (default: the last year in the
    frame); rows after it are dropped first. ``seed``: LightGBM seed. ``cache``: share
    fits across calls (the backtest). Fits ``calib_years + h`` boosters per horizon.
    """
    cfg = config or HostModelConfig()
    p = make_panel(dyads, up_to_year)
    C = p.last_year
    boosters, resid, weights = {}, {}, {}
    use_glm = cfg.combine and cfg.combine_glm
    glms = {} if use_glm else None
    rows = _RowsByHorizon(p)
    for h in cfg.horizons:
        boosters[h] = _booster(p, h, C, cfg, seed, cache, rows)
        if use_glm:
            glms[h] = _glm(p, h, C, cfg, seed, cache, rows)
        parts = []
        for c in range(C - h - cfg.calib_years + 1, C - h + 1):
            b = boosters[h] if c == C else _booster(p, h, c, cfg, seed, cache, rows)
            j = c - int(p.years[0])
            X = features_at(p, j, h, fut_fat=_l(p.fat[:, j]), fut_temp=p.temp[:, j])
            tgt = p.arr[:, j + h]
            ok = np.isfinite(tgt) & np.isfinite(X["zlast"].to_numpy())
            pred = _predict(b, X[ok], cfg)
            part = pd.DataFrame({"pair": np.flatnonzero(ok), "origin": c,
                                 "model": pred, "persist": X["zlast"].to_numpy()[ok],
                                 "mean3": X["zmean3"].to_numpy()[ok],
                                 "actual": np.log1p(tgt[ok])})
            if use_glm:
                part["glm"] = _glm(p, h, c, cfg, seed, cache, rows).level(X[ok], cfg.glm_point)
            parts.append(part)
        r = pd.concat(parts, ignore_index=True)
        names = member_names(cfg)
        if cfg.combine and len(names) > 2:
            w = combination_weights_k(p, r, names, cfg.combine_shrink)
        else:
            w = (combination_weights(p, r, cfg.combine_shrink, cfg.combine_pair_shrink)
                 if cfg.combine else np.ones(len(p.pairs)))
        weights[h] = w
        r["level"] = _combine(r["model"].to_numpy(), r["persist"].to_numpy(),
                              w[r["pair"].to_numpy()], r["mean3"].to_numpy(),
                              r["glm"].to_numpy() if use_glm else None)
        r["resid"] = r["actual"] - r["level"]
        r["bin"] = _bin(r["level"].to_numpy(), p.border[r["pair"].to_numpy()])
        if cfg.center_residuals:
            r["resid"] = r["resid"] - r.groupby("bin")["resid"].transform("median")
        resid[h] = r[["pair", "origin", "level", "resid", "bin"]]
    return HostModel(cfg, C, seed, p, boosters, resid, weights, glms)


def _combine(model: np.ndarray, persist: np.ndarray, w: np.ndarray,
             mean3: np.ndarray | None = None, glm: np.ndarray | None = None) -> np.ndarray:
    """``w * model + (1 - w) * persist`` (log1p); the model alone where no value was
    reported in the last 5 years (no persistence forecast exists). With ``w`` of
    shape ``(n, k)``: weights of the members model, persistence, then the 3-year mean
    ``mean3`` (``k == 3`` without ``glm``, or ``k == 4``) and the GLM ``glm`` (last
    column when given); a missing member's weight goes to the others in proportion."""
    if w.ndim == 1:
        return np.where(np.isfinite(persist), w * model + (1 - w) * persist, model)
    extra = [glm] if glm is not None else []
    if glm is None or w.shape[1] == 4:
        extra.insert(0, mean3)
    if w.shape[1] != 2 + len(extra):
        raise ModelError(f"combination: {w.shape[1]} weight columns for {2 + len(extra)} members")
    wk = [w[:, 0], w[:, 1]] + [np.where(np.isfinite(v), w[:, 2 + i], 0.0)
                               for i, v in enumerate(extra)]
    tot = sum(wk)
    out = (wk[0] * model + wk[1] * persist
           + sum(wk[2 + i] * np.nan_to_num(v) for i, v in enumerate(extra))) / tot
    return np.where(np.isfinite(persist), out, model)


def combination_weights3(p: Panel, calib: pd.DataFrame, shrink: float = 10.0) -> np.ndarray:
    """As :func:`combination_weights` with the 3-year mean as a third member: weights
    ``(n_pairs, 3)`` of model, persistence, 3-year mean, each proportional to
    ``1 / e^2`` (its mean absolute calibration error per origin and border class,
    shrunk towards the class's with ``shrink`` pseudo-rows)."""
    return combination_weights_k(p, calib, ("model", "persist", "mean3"), shrink)


def combination_weights_k(p: Panel, calib: pd.DataFrame, members: Sequence[str],
                          shrink: float = 10.0) -> np.ndarray:
    """Inverse squared-error weights ``(n_pairs, k)`` of the ``members`` (columns of
    ``calib``, log1p; the first two are ``model`` and ``persist``): each proportional
    to ``1 / e^2``, its mean absolute calibration error per origin and border class,
    shrunk towards the class's with ``shrink`` pseudo-rows; a pair with no error of
    any member gets ``(0.5, 0.5, 0, ...)``."""
    k_n = len(members)
    c = calib[np.isfinite(calib["persist"].to_numpy())]
    pair = c["pair"].to_numpy()
    act = c["actual"].to_numpy()
    d = pd.DataFrame({"o": p.pairs["origin_iso3"].to_numpy()[pair],
                      "b": np.nan_to_num(p.border[pair]).astype(int),
                      **{f"e{k}": np.abs(c[m].to_numpy() - act) for k, m in enumerate(members)}})
    po = p.pairs["origin_iso3"].to_numpy()
    pb = np.nan_to_num(p.border).astype(int)
    E = np.full((len(p.pairs), k_n), np.nan)
    for k in range(k_n):
        col = f"e{k}"
        dk = d[np.isfinite(d[col])]
        glob = dk.groupby("b")[col].mean()
        for b, g in glob.items():
            E[pb == b, k] = g
        for (o, b), row in dk.groupby(["o", "b"])[col].agg(["sum", "size"]).iterrows():
            E[(po == o) & (pb == b), k] = (row["sum"] + shrink * glob[b]) / (row["size"] + shrink)
    inv = 1.0 / np.maximum(E, 1e-9) ** 2
    inv = np.where(np.isfinite(inv), inv, 0.0)
    tot = inv.sum(axis=1, keepdims=True)
    even = np.array([0.5, 0.5] + [0.0] * (k_n - 2))
    return np.where(tot > 0, inv / np.where(tot > 0, tot, 1.0), even)


def combination_weights(p: Panel, calib: pd.DataFrame, shrink: float = 10.0,
                        pair_shrink: float | None = None) -> np.ndarray:
    """Weight of the model against persistence for every pair (row of ``p.pairs``).

    ``calib``: out-of-sample forecasts of the calibration years (``pair``, ``model``,
    ``persist``, ``actual``; log1p). For each origin country and land-border class,
    the mean absolute errors of the model (``e_m``) and of persistence (``e_p``) on
    those years, each shrunk towards its border class's with ``shrink`` pseudo-rows;
    then ``w = e_p^2 / (e_p^2 + e_m^2)`` (inverse squared-error weights, Bates and
    Granger 1969): an origin whose flows were persistent lately (Afghanistan after
    2021) leans on persistence, one whose surges decayed leans on the model.
    ``pair_shrink`` (None: off): a weight per pair instead, from the pair's own mean
    errors shrunk towards its origin x border class's (already shrunk) with
    ``pair_shrink`` pseudo-rows.
    """
    c = calib[np.isfinite(calib["persist"].to_numpy())]
    pair = c["pair"].to_numpy()
    d = pd.DataFrame({"o": p.pairs["origin_iso3"].to_numpy()[pair],
                      "b": np.nan_to_num(p.border[pair]).astype(int),
                      "em": np.abs(c["model"].to_numpy() - c["actual"].to_numpy()),
                      "ep": np.abs(c["persist"].to_numpy() - c["actual"].to_numpy())})
    glob = d.groupby("b")[["em", "ep"]].mean()
    loc = d.groupby(["o", "b"]).agg(em=("em", "sum"), ep=("ep", "sum"), n=("em", "size"))
    out = np.full(len(p.pairs), 0.5)
    po = p.pairs["origin_iso3"].to_numpy()
    pb = np.nan_to_num(p.border).astype(int)
    for b in (0, 1):
        if b not in glob.index:
            continue
        gm, gp = float(glob.at[b, "em"]), float(glob.at[b, "ep"])
        out[pb == b] = gp ** 2 / (gp ** 2 + gm ** 2) if gp + gm > 0 else 0.5
    # origin x class mean errors (NaN: the class has no rows; the weight stays 0.5)
    cm, cp = np.full(len(p.pairs), np.nan), np.full(len(p.pairs), np.nan)
    for b in glob.index:
        cm[pb == b], cp[pb == b] = glob.at[b, "em"], glob.at[b, "ep"]
    for (o, b), row in loc.iterrows():
        if b not in glob.index:
            continue
        em = (row["em"] + shrink * glob.at[b, "em"]) / (row["n"] + shrink)
        ep = (row["ep"] + shrink * glob.at[b, "ep"]) / (row["n"] + shrink)
        sel = (po == o) & (pb == b)
        out[sel] = ep ** 2 / (ep ** 2 + em ** 2) if ep + em > 0 else 0.5
        cm[sel], cp[sel] = em, ep
    if pair_shrink is None:
        return out
    own = d.assign(pair=pair).groupby("pair").agg(em=("em", "sum"), ep=("ep", "sum"),
                                                  n=("em", "size"))
    i = own.index.to_numpy()
    ok = np.isfinite(cm[i])
    i, own = i[ok], own[ok]
    em = (own["em"].to_numpy() + pair_shrink * cm[i]) / (own["n"].to_numpy() + pair_shrink)
    ep = (own["ep"].to_numpy() + pair_shrink * cp[i]) / (own["n"].to_numpy() + pair_shrink)
    tot = ep ** 2 + em ** 2
    out[i] = np.where(tot > 0, ep ** 2 / np.where(tot > 0, tot, 1.0), 0.5)
    return out


# ----------------------------------------------------------------------------- predict
@dataclass(frozen=True, eq=False)
class AnnualForecast:
    """Annual host arrivals after the data end.

    ``paths``: ``host`` (ISO-3), ``year``, ``path`` (0..n-1), ``arrivals`` (persons per
    year, whole numbers >= 0). ``quantiles``: ``host``, ``year``, ``quantile``,
    ``arrivals`` (persons per year). ``origin``: origin country; ``data_end_year``:
    last observed year; ``scenario``: name; ``analogue``: surge analogue name or '';
    ``notes``: caveats (e.g. hosts with no recent reports).
    """

    paths: pd.DataFrame
    quantiles: pd.DataFrame
    origin: str
    data_end_year: int
    scenario: str = "baseline"
    analogue: str = ""
    notes: tuple[str, ...] = ()


def _per_year(v, h: int, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(v, dtype=float))
    if arr.size == 1:
        arr = np.repeat(arr, h)
    if arr.size < h or not np.all(np.isfinite(arr)):
        raise ScenarioError(f"{name}: give one finite number or one per forecast year "
                            f"({h} values), got {v!r}")
    return arr[:h]


def point_forecast(model: HostModel, origin: str, hosts: Sequence[str], horizon_years: int = 2,
                   conflict_multiplier=1.0, temperature_delta=0.0) -> pd.DataFrame:
    """Point forecasts (log1p persons/year, the conditional median of the boosted
    model) per host and horizon: columns ``host``, ``h``, ``level``."""
    rows, idx = _pairs(model, origin, hosts)
    lv = point_forecast_pairs(model, idx, horizon_years, conflict_multiplier, temperature_delta)
    lv.insert(0, "host", np.asarray(rows, dtype=object)[lv["row"].to_numpy()])
    return lv.drop(columns=["row"])


def point_forecast_pairs(model: HostModel, idx: np.ndarray, horizon_years: int = 2,
                         conflict_multiplier=1.0, temperature_delta=0.0) -> pd.DataFrame:
    """As :func:`point_forecast` for panel rows ``idx`` (``model.panel.pairs``):
    columns ``row`` (position in ``idx``), ``pair``, ``h``, ``level`` (log1p)."""
    if horizon_years < 1 or horizon_years > max(model.config.horizons):
        raise ModelError(f"horizon_years must be in 1..{max(model.config.horizons)}, "
                         f"got {horizon_years}")
    k = _per_year(conflict_multiplier, horizon_years, "conflict_multiplier")
    if np.any(k < 0):
        raise ScenarioError(f"conflict_multiplier: must be >= 0, got {conflict_multiplier!r}")
    dt = _per_year(temperature_delta, horizon_years, "temperature_delta")
    idx = np.asarray(idx, dtype=int)
    p = model.panel
    j = len(p.years) - 1
    sub = _sub(p, idx)
    fat0 = p.fat[idx, j]
    temp0 = p.temp[idx, j]
    out = []
    for h in range(1, horizon_years + 1):
        fut_fat = np.mean([_l(fat0 * k[i]) for i in range(h)], axis=0)
        X = features_at(sub, j, h, fut_fat=fut_fat, fut_temp=temp0 + dt[h - 1])
        lv = _predict(model.boosters[h], X, model.config)
        if model.weights is not None:
            glm = (model.glms[h].level(X, model.config.glm_point)
                   if model.glms is not None else None)
            lv = _combine(lv, X["zlast"].to_numpy(), model.weights[h][idx],
                          X["zmean3"].to_numpy(), glm)
        out.append(pd.DataFrame({"row": np.arange(len(idx)), "pair": idx, "h": h, "level": lv}))
    return pd.concat(out, ignore_index=True)


def sample_pairs(model: HostModel, idx: np.ndarray, horizon_years: int = 2,
                 conflict_multiplier=1.0, temperature_delta=0.0, n_paths: int = 500,
                 seed: int | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Point levels (frame as :func:`point_forecast_pairs`) and sample paths on the
    log1p scale, array ``(len(levels), n_paths)``; path ``i`` of every row shares one
    joint draw of the horizons' errors."""
    if n_paths < 1:
        raise ModelError(f"n_paths must be >= 1, got {n_paths}")
    lv = point_forecast_pairs(model, idx, horizon_years, conflict_multiplier, temperature_delta)
    rng = np.random.default_rng([model.seed if seed is None else seed, 7283])
    e = _draw_resid(model, lv, n_paths, rng)
    return lv, np.maximum(lv["level"].to_numpy()[:, None] + e, 0.0)


def _sub(p: Panel, idx: np.ndarray) -> Panel:
    return Panel(p.pairs.iloc[idx].reset_index(drop=True), p.years, p.arr[idx], p.stock[idx],
                 p.fat[idx], p.bd[idx], p.temp[idx], p.out[idx], p.inn[idx], p.border[idx],
                 p.dist[idx], {k: m[idx] for k, m in p.extra.items()})


def _pairs(model: HostModel, origin: str, hosts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    pos = model.panel._pos
    hosts = [hosts] if isinstance(hosts, str) else list(hosts)
    known = sorted(a for (o, a) in pos if o == origin)
    if not known:
        raise ScenarioError(f"origin {origin!r}: not in the dyads panel (ISO-3 codes, e.g. 'AFG')")
    bad = [h for h in hosts if (origin, h) not in pos]
    if bad:
        raise ScenarioError(f"hosts {bad}: no UNHCR arrivals from {origin} reported there in "
                            f"the panel; allowed hosts for {origin}: {', '.join(known)}")
    return hosts, np.array([pos[(origin, h)] for h in hosts], dtype=int)


_DRAW_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Per fitted model, what :func:`_draw_resid` reads of its calibration errors (the
copula's joint ranks, each bin's errors): computed at the first forecast, then kept
as long as the model lives."""


def _draw_memo(model) -> dict:
    """The model's entry of :data:`_DRAW_MEMO` (a fresh dict for a stand-in that cannot
    be weakly referenced or hashed, e.g. a test's namespace)."""
    try:
        memo = _DRAW_MEMO.get(model)
        if memo is None:
            memo = _DRAW_MEMO.setdefault(model, {})
        return memo
    except TypeError:
        return {}


def _copula_ranks(model, H: int) -> np.ndarray | None:
    """Joint ranks ``(n, H)`` (pct ranks of each horizon's error within its bin) of the
    pairs and origins that have an error at every horizon 1..H; None when H < 1."""
    base = None
    for h in range(1, H + 1):
        r = model.residuals[h]
        r = r.assign(u=r.groupby("bin")["resid"].rank(pct=True))
        r = r[["pair", "origin", "u"]].rename(columns={"u": f"u{h}"})
        base = r if base is None else base.merge(r, on=["pair", "origin"])
    if base is None:
        return None
    return base[[f"u{h}" for h in range(1, H + 1)]].to_numpy()


def _bin_errors(model, h: int) -> tuple[dict, np.ndarray]:
    """Horizon ``h``'s calibration errors by bin, and all of them."""
    r = model.residuals[h]
    e = r["resid"].to_numpy()
    b = r["bin"].to_numpy()
    return {k: e[b == k] for k in np.unique(b)}, e


def _draw_resid(model: HostModel, levels: pd.DataFrame, n_paths: int,
                rng: np.random.Generator) -> np.ndarray:
    """Errors (log1p) for each row of ``levels`` (host, h, level) and path: marginal
    per (horizon, bin) empirical quantiles, joined across horizons by the empirical
    copula of (h=1, h=2) errors of the same pair and origin."""
    H = int(levels["h"].max())
    memo = _draw_memo(model)
    if ("ranks", H) not in memo:
        memo["ranks", H] = _copula_ranks(model, H)
    base = memo["ranks", H]
    if base is None or len(base) == 0:
        U = rng.uniform(size=(n_paths, H))
    else:
        pick = rng.integers(0, len(base), size=n_paths)
        U = base[pick]
        U = np.clip(U - rng.uniform(0, 1.0 / max(len(base), 1), size=U.shape), 0, 1)
    out = np.empty((len(levels), n_paths))
    border = model.panel.border[levels["pair"].to_numpy()]
    hs = levels["h"].to_numpy(dtype=int)
    bins = _bin(levels["level"].to_numpy(dtype=float), border)
    for h in np.unique(hs):
        if ("errors", int(h)) not in memo:
            memo["errors", int(h)] = _bin_errors(model, int(h))
        by_bin, every = memo["errors", int(h)]
        for b in np.unique(bins[hs == h]):
            e = by_bin.get(b, every[:0])
            if len(e) < 30:
                e = every
            out[(hs == h) & (bins == b)] = np.quantile(e, U[:, h - 1])
    return out


def predict_annual(model: HostModel, origin: str = "AFG", hosts: Sequence[str] = ("TJK",),
                   horizon_years: int = 2, conflict_multiplier=1.0, temperature_delta=0.0,
                   n_paths: int = 500, seed: int | None = None,
                   scenario: str = "baseline") -> AnnualForecast:
    """Sample paths and quantiles of annual arrivals in each host, years
    ``data_end_year + 1 .. + horizon_years``.

    ``conflict_multiplier``: factor on the origin's fatalities (deaths/year) in each
    forecast year (one number or one per year; 1 = persist at the last observed year).
    ``temperature_delta``: deg C added to the origin's temperature anomaly in each
    forecast year. ``n_paths``: sample paths; ``seed``: default the model's seed.
    Returns :class:`AnnualForecast` (persons per year; paths rounded to whole persons).
    ``notes`` names hosts with no arrivals reported in the last 5 observed years.
    """
    rows, idx = _pairs(model, origin, hosts)
    lv, z = sample_pairs(model, idx, horizon_years, conflict_multiplier, temperature_delta,
                         n_paths, seed)
    vals = np.round(np.expm1(z))
    years = model.up_to_year + lv["h"].to_numpy()
    paths = pd.DataFrame({
        "host": _str_column(rows, np.repeat(lv["row"].to_numpy(), n_paths)),
        "year": np.repeat(years, n_paths).astype("int64"),
        "path": np.tile(np.arange(n_paths), len(lv)).astype("int64"),
        "arrivals": vals.ravel(),
    })
    notes = []
    a = model.panel.arr
    for h, i in zip(rows, idx, strict=True):
        rep = np.flatnonzero(np.isfinite(a[i]))
        last = int(model.panel.years[rep[-1]]) if len(rep) else None
        if last is None or last < model.up_to_year - 4:
            notes.append(f"{h}: no UNHCR arrivals from {origin} reported since "
                         f"{last if last else 'ever'}; the forecast is the model's prior "
                         "for an unreported corridor")
    return AnnualForecast(paths, quantiles_of(paths), origin, model.up_to_year, scenario,
                          notes=tuple(notes))


def quantiles_of(paths: pd.DataFrame, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
    """Quantiles over paths: ``host``, ``year``, ``quantile``, ``arrivals`` (persons/year),
    one block of rows per ``(host, year)`` in order of first appearance."""
    q = np.asarray(quantiles, dtype=float)
    hc, hu = pd.factorize(paths["host"])  # -1: missing, no group (as groupby's dropna)
    yc, yu = pd.factorize(paths["year"])
    rows = np.flatnonzero((hc >= 0) & (yc >= 0))
    if len(rows) == 0:
        return pd.DataFrame({"host": [], "year": [], "quantile": [], "arrivals": []})
    _, first, g = np.unique(hc[rows].astype(np.int64) * len(yu) + yc[rows], return_index=True,
                            return_inverse=True)
    n_groups = len(first)
    renum = np.empty(n_groups, dtype=np.intp)
    renum[np.argsort(first, kind="stable")] = np.arange(n_groups)  # by first appearance
    g = renum[g.ravel()]
    rows = rows[np.argsort(g, kind="stable")]  # grouped, each group in its rows' order
    size = np.bincount(g, minlength=n_groups)
    v = paths["arrivals"].to_numpy(dtype=float)[rows]
    if np.all(size == size[0]):  # every (host, year) has the same number of paths
        vals = np.quantile(v.reshape(n_groups, size[0]), q, axis=1).T
    else:
        vals = np.array([np.quantile(x, q) for x in np.split(v, np.cumsum(size)[:-1])])
    first = rows[np.cumsum(size) - size]
    return pd.DataFrame({"host": np.repeat(paths["host"].to_numpy()[first], len(q)),
                         "year": np.repeat(paths["year"].to_numpy()[first], len(q)),
                         "quantile": np.tile(q, n_groups), "arrivals": vals.ravel()})


def _str_column(values, codes: np.ndarray):
    """``np.asarray(values).astype(str)[codes]`` as a column of pandas' default string
    type, taken from the few distinct ``values`` (faster than converting every row)."""
    return pd.Series(np.asarray(values).astype(str)).array.take(np.asarray(codes, dtype=np.intp))


def conflict_response(model: HostModel, origin: str, hosts: Sequence[str],
                      multiplier: float = 2.0, horizon_years: int = 1) -> pd.DataFrame:
    """Implied response of the median to scaling the origin's fatalities by
    ``multiplier`` in every forecast year: ``host``, ``h``, ``base`` and ``shocked``
    (median persons/year), ``change`` (shocked / base - 1)."""
    a = point_forecast(model, origin, hosts, horizon_years, 1.0)
    b = point_forecast(model, origin, hosts, horizon_years, multiplier)
    out = a[["host", "h"]].copy()
    out["base"] = np.expm1(a["level"].to_numpy())
    out["shocked"] = np.expm1(b["level"].to_numpy())
    out["change"] = out["shocked"] / out["base"] - 1.0
    return out


def elasticities(model: HostModel, multiplier: float = 2.0, level: float = 0.8) -> pd.DataFrame:
    """The scenario layer of each horizon, with the response it implies.

    Columns: ``h`` (years), ``land_border`` (0/1), ``b_fat`` (log1p arrivals per log1p
    fatalities), ``se_fat``, ``b_temp`` (log1p arrivals per deg C), ``se_temp``, ``n``
    (training rows), and ``response``, ``lo``, ``hi``: the change of arrivals when the
    origin's fatalities are multiplied by ``multiplier`` (``exp(b ln k) - 1``, for
    counts well above 1) with a ``level`` normal interval from ``se_fat``.
    """
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    lk = np.log(multiplier)
    rows = []
    for h, m in sorted(model.boosters.items()):
        for cls in (0, 1):
            bf, sf, bt, st, n = m.elasticity[cls]
            rows.append({"h": h, "land_border": cls, "b_fat": bf, "se_fat": sf, "b_temp": bt,
                         "se_temp": st, "n": n, "response": np.expm1(bf * lk),
                         "lo": np.expm1(max(bf - z * sf, 0.0) * lk),
                         "hi": np.expm1((bf + z * sf) * lk)})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- surges
SURGE_P90 = "p90 of neighbour surges"
"""Analogue name for the 90th percentile, per year 0..3, of the multipliers of every
catalogued surge across a land border."""

_SURGE_COLS = ("name", "land_border", "mult_y0", "mult_y1", "mult_y2", "mult_y3")


def surge_multipliers(catalogue: pd.DataFrame, analogue: str, years: int = 2,
                      source: str = "surge catalogue") -> np.ndarray:
    """Multipliers for forecast years 1..``years`` (the catalogue's years 0..years-1) of
    a named analogue (e.g. ``"Afghanistan->Tajikistan 2021"``) or :data:`SURGE_P90`."""
    miss = [c for c in _SURGE_COLS if c not in catalogue.columns]
    if miss:
        raise SchemaError(f"{source}: missing column(s) {miss}; expected {list(_SURGE_COLS)}")
    if years > 4:
        raise ScenarioError(f"surge: the catalogue has multipliers for 4 years, asked {years}")
    cols = [f"mult_y{k}" for k in range(years)]
    if analogue == SURGE_P90:
        nb = catalogue[catalogue["land_border"] == 1]
        return np.array([np.nanquantile(nb[c].to_numpy(dtype=float), 0.9) for c in cols])
    hit = catalogue[catalogue["name"] == analogue]
    if hit.empty:
        names = list(catalogue["name"])
        close = [n for n in names if analogue.split("->")[0].strip().lower() in n.lower()][:8]
        raise ScenarioError(
            f"{source}: field 'name': unknown analogue {analogue!r}; allowed: {SURGE_P90!r} or "
            f"one of {len(names)} names in the catalogue"
            + (f", e.g. {close}" if close else f", e.g. {names[:5]}"))
    m = hit.iloc[0][cols].to_numpy(dtype=float)
    if not np.all(np.isfinite(m)):
        k = int(np.flatnonzero(~np.isfinite(m))[0])
        raise ScenarioError(f"{source}: analogue {analogue!r} has no reported arrivals in its "
                            f"year {k} (mult_y{k} empty); choose another analogue")
    return m


def apply_surge(fc: AnnualForecast, catalogue: pd.DataFrame, analogue: str,
                source: str = "surge catalogue") -> AnnualForecast:
    """Multiply baseline annual paths by an analogue's multipliers: forecast year ``k``
    (1-based) gets ``mult_y{k-1}`` (the analogue's arrivals in its year k-1 over its
    previous 3-year mean). The result's ``scenario`` and ``analogue`` name it."""
    H = int(fc.paths["year"].max() - fc.data_end_year)
    m = surge_multipliers(catalogue, analogue, H, source)
    p = fc.paths.copy()
    k = (p["year"] - fc.data_end_year - 1).to_numpy()
    p["arrivals"] = np.round(p["arrivals"].to_numpy() * m[k])
    name = f"surge like {analogue}"
    return dataclasses.replace(fc, paths=p, quantiles=quantiles_of(p), scenario=name,
                               analogue=analogue)


# ----------------------------------------------------------------------------- months
def observed_profile(history: pd.DataFrame, series_ids: Sequence[str] | None = None) -> np.ndarray:
    """Calendar-month profile (12 shares summing to 1) from monthly series: for each
    complete reported year, the month's share of the year; averaged over years and
    series. ``history``: history frame ``series_id, ds, y`` (persons/month)."""
    h = history if series_ids is None else history[history["series_id"].isin(series_ids)]
    h = h.dropna(subset=["y"]).assign(year=lambda d: d["ds"].dt.year,
                                      month=lambda d: d["ds"].dt.month)
    g = h.groupby(["series_id", "year"])
    full = g["month"].transform("count") == 12
    h = h[full]
    tot = h.groupby(["series_id", "year"])["y"].transform("sum")
    h = h[tot > 0].assign(share=lambda d: d["y"] / tot[tot > 0])
    if h.empty:
        raise SchemaError("history frame: no complete reported year to take a monthly profile from")
    w = h.groupby("month")["share"].mean().reindex(range(1, 13)).to_numpy()
    return w / w.sum()


@functools.lru_cache(maxsize=1)
def _bundled_observed_profile() -> np.ndarray:
    """:func:`observed_profile` of the bundled :data:`OBSERVED_SERIES` (computed once)."""
    from forecast.datasets import load_history

    return observed_profile(load_history(OBSERVED_SERIES))


OBSERVED_SERIES = ("unhcr_asylum_DEU", "unhcr_asylum_GBR", "unhcr_asylum_FRA", "unhcr_asylum_CAN",
                   "frontex_afg_total")
"""Monthly series whose average calendar shape is the ``"observed"`` profile: UNHCR
monthly asylum applications by Afghans (1999-2018) and Frontex detections (2009-2025);
no monthly series of arrivals into Central Asia exists (``data/SOURCES.md``)."""


def _largest_remainder(total: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Integers per month (rows: totals) summing exactly to each whole ``total``."""
    exact = total[:, None] * w[None, :]
    base = np.floor(exact)
    rem = (total - base.sum(axis=1)).astype(int)
    order = np.argsort(-(exact - base), axis=1, kind="stable")
    add = np.zeros_like(base)
    rows = np.repeat(np.arange(len(total)), 12).reshape(-1, 12)
    ranks = np.empty_like(order)
    ranks[rows, order] = np.arange(12)[None, :]
    add[ranks < rem[:, None]] = 1
    return base + add


def monthly_split(annual_paths: pd.DataFrame, profile="flat", model: str = MODEL_NAME,
                  scenario: str = "baseline") -> pd.DataFrame:
    """Split annual paths into months, keeping every annual sum exactly.

    ``annual_paths``: ``host``, ``year``, ``path``, ``arrivals`` (persons per year,
    whole numbers >= 0; e.g. ``AnnualForecast.paths``). ``profile``: ``"flat"``
    (1/12 each), ``"observed"`` (the mean calendar shape of :data:`OBSERVED_SERIES`)
    or 12 non-negative weights for January..December (e.g. :func:`observed_profile`). Returns the paths frame ``series_id`` (host ISO-3),
    ``ds`` (month start), ``model``, ``scenario``, ``path``, ``value`` (persons per
    month, integers; the 12 months of a path-year sum to its annual value).
    """
    need = ["host", "year", "path", "arrivals"]
    miss = [c for c in need if c not in annual_paths.columns]
    if miss:
        raise SchemaError(f"annual paths: missing column(s) {miss}; expected {need}")
    a = annual_paths["arrivals"].to_numpy(dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a != np.round(a)):
        raise SchemaError("annual paths: column 'arrivals' must be whole numbers >= 0 "
                          "(persons per year)")
    if isinstance(profile, str):
        if profile == "flat":
            w = np.full(12, 1 / 12)
        elif profile == "observed":
            w = _bundled_observed_profile().copy()
        else:
            raise ScenarioError(f"profile: unknown profile {profile!r}; allowed: 'flat', "
                                "'observed' or 12 monthly weights")
    else:
        w = np.asarray(profile, dtype=float)
        if w.shape != (12,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ScenarioError("profile: need 12 finite non-negative weights (Jan..Dec)")
        w = w / w.sum()
    m = _largest_remainder(a, w)
    hosts, code = np.unique(annual_paths["host"].to_numpy().astype(str), return_inverse=True)
    code = code.ravel()
    year = annual_paths["year"].to_numpy(dtype="int64")
    path = annual_paths["path"].to_numpy(dtype="int64")
    # rows sorted by series_id, path, ds (stable): sort the path-years, then their months
    order = np.lexsort((year, path, code))
    key = np.column_stack([code[order], path[order], year[order]])
    if len(order) > 1 and np.any(np.all(key[1:] == key[:-1], axis=1)):  # repeated path-year
        month_rows = np.lexsort((np.tile(np.arange(12), len(year)), np.repeat(year, 12),
                                 np.repeat(path, 12), np.repeat(code, 12)))
        rows, months = month_rows // 12, month_rows % 12
    else:
        rows = np.repeat(order, 12)
        months = np.tile(np.arange(12, dtype="int64"), len(order))  # 0 = January
    ds = ((year[rows] - 1970) * 12 + months).astype("datetime64[M]").astype("datetime64[ns]")
    zero = np.zeros(len(rows), dtype=np.intp)
    return pd.DataFrame({
        "series_id": _str_column(hosts, code[rows]),
        "ds": ds,
        "model": _str_column([model], zero), "scenario": _str_column([scenario], zero),
        "path": path[rows],
        "value": m[rows, months],
    })


# ----------------------------------------------------------------------------- user data
def with_user_series(dyads: pd.DataFrame, path) -> pd.DataFrame:
    """The panel with a user's annual host series (CSV ``origin_iso3, asylum_iso3, year,
    arrivals``; persons/year, empty = not reported) replacing UNHCR's arrivals for those
    pair-years. A malformed file raises SchemaError naming the file, column and lines."""
    from forecast.schema import read_table

    u = read_table(path, "annual_host_series")
    key = ["origin_iso3", "asylum_iso3", "year"]
    d = dyads.merge(u[key + ["arrivals"]].rename(columns={"arrivals": "_user"}), on=key,
                    how="outer", indicator=True)
    user = d["_merge"] != "left_only"
    d.loc[user, "arrivals"] = d.loc[user, "_user"]
    return d.drop(columns=["_user", "_merge"]).sort_values(key).reset_index(drop=True)
