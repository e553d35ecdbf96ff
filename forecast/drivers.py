"""Driver features: transforms and lags of the monthly drivers frame.

The drivers frame (architecture.md) has ``ds`` (month start) and one column per
driver: ``fatalities`` (UCDP GED best estimate, deaths/month), ``spi3``,
``spi12`` (dimensionless), ``precip_anom_mm`` (mm/month), ``temp_c`` (deg C),
``nino34_anom_c`` (deg C), ``wheat_price_index`` (2019 mean = 100).

Lag choice (fixed a priori, *not* tuned on the backtest; every lag is >= 1 so a
feature at month t only uses drivers observed by month t-1):

==================  ==============================  ====  ============================
feature             transform                       lag   why
==================  ==============================  ====  ============================
conflict_l1         log1p(fatalities)               1     flight follows violence
                                                          within weeks; log damps
                                                          the heavy tail
drought_spi3_l3     spi3                            3     a failed season acts on
                                                          livelihoods a season later
food_l1             log(wheat_price_index / 100)    1     prices bite immediately
enso_l6             nino34_anom_c                   6     ENSO leads Afghan winter
                                                          precipitation by ~2 seasons
==================  ==============================  ====  ============================

No leakage: :func:`observed` cuts the drivers at the forecast origin *before*
anything is computed; features for months after the origin come only from a
scenario's future drivers (:mod:`forecast.scenarios`). Gaps at the end of a
driver (e.g. food prices that stop before the origin) are filled by carrying
the last reported value forward (persistence); the filled months are listed in
``frame.attrs["filled"]`` and in the export provenance, never silently zeroed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import SchemaError
from forecast.vocabulary import DRIVER_COLUMNS

_TRANSFORMS = {
    "identity": lambda x: x,
    "log1p": lambda x: np.log1p(np.maximum(x, 0.0)),
    "log_index": lambda x: np.log(np.maximum(x, 1e-6) / 100.0),
}


@dataclass(frozen=True)
class Feature:
    """One model feature: ``transform(drivers[column])`` shifted by ``lag`` months."""

    name: str
    column: str
    transform: str
    lag: int

    def __post_init__(self):
        if isinstance(self.lag, bool) or not isinstance(self.lag, int) or self.lag < 1:
            raise SchemaError(f"feature {self.name}: lag must be >= 1 month (no same-month "
                             f"drivers: they are not known at the origin), got {self.lag}")
        if self.transform not in _TRANSFORMS:
            raise SchemaError(f"feature {self.name}: unknown transform {self.transform!r}; "
                              f"choose from {', '.join(_TRANSFORMS)}")


DEFAULT_FEATURES: tuple[Feature, ...] = (
    Feature("conflict_l1", "fatalities", "log1p", 1),
    Feature("drought_spi3_l3", "spi3", "identity", 3),
    Feature("food_l1", "wheat_price_index", "log_index", 1),
    Feature("enso_l6", "nino34_anom_c", "identity", 6),
)


def default_features(drivers: pd.DataFrame) -> tuple[Feature, ...]:
    """The standard features (:data:`DEFAULT_FEATURES`) whose driver column ``drivers``
    has with at least one reported value; :class:`SchemaError` when there is none."""
    have = {c for c in drivers.columns if c != "ds" and drivers[c].notna().any()}
    feats = tuple(f for f in DEFAULT_FEATURES if f.column in have)
    if not feats:
        raise SchemaError(
            f"drivers: none of the standard driver columns "
            f"{sorted({f.column for f in DEFAULT_FEATURES})} is present (have "
            f"{sorted(have)}); map yours to roles (roles={{'conflict': 'your_column'}}) or "
            "pass features=")
    return feats


def map_roles(drivers: pd.DataFrame, roles: dict | None
              ) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]] | None]:
    """Rename a user's driver columns to the standard names of their roles.

    ``roles``: role -> column (or columns), e.g. ``{"conflict": "deaths"}``; roles are
    the keys of :data:`forecast.vocabulary.ROLES` (conflict, drought, food_price).
    Returns the renamed frame (a copy; the input is not changed) and None (the
    standard roles then apply). Unknown roles or columns are a :class:`SchemaError`.
    """
    from forecast.vocabulary import ROLES

    if not roles:
        return drivers, None
    rename = {}
    for role, cols in roles.items():
        if role not in ROLES:
            raise SchemaError(f"drivers: unknown role {role!r}; roles are {', '.join(ROLES)}")
        cols = (cols,) if isinstance(cols, str) else tuple(cols)
        targets = ROLES[role]
        if len(cols) > len(targets):
            raise SchemaError(f"drivers: role {role!r} takes at most {len(targets)} column(s) "
                              f"({', '.join(targets)}), got {list(cols)}")
        for c, t in zip(cols, targets, strict=False):
            if c not in drivers.columns:
                raise SchemaError(f"drivers: role {role!r}: no column {c!r}; have "
                                  f"{[x for x in drivers.columns if x != 'ds']}")
            rename[c] = t
    clash = [t for c, t in rename.items() if t in drivers.columns and t != c]
    if clash:
        raise SchemaError(f"drivers: column(s) {clash} exist already; drop them or map "
                          "them instead")
    return drivers.rename(columns=rename), None


def _monthly(drivers: pd.DataFrame, name: str = "drivers") -> pd.DataFrame:
    if "ds" not in drivers.columns:
        raise SchemaError(f"{name}: missing column 'ds' (month start dates)")
    d = drivers.copy()
    d["ds"] = pd.to_datetime(d["ds"])
    bad = d.loc[d["ds"] != d["ds"].dt.to_period("M").dt.start_time, "ds"]
    if len(bad):
        raise SchemaError(f"{name}: column 'ds' must hold month starts; first bad rows: "
                          f"{bad.head(3).dt.strftime('%Y-%m-%d').tolist()}")
    d = d.set_index("ds").sort_index()
    if d.index.has_duplicates:
        dup = d.index[d.index.duplicated()][:3].strftime("%Y-%m-%d").tolist()
        raise SchemaError(f"{name}: duplicate months in 'ds': {dup}")
    full = pd.date_range(d.index.min(), d.index.max(), freq="MS")
    return d.reindex(full).rename_axis("ds")


def observed(drivers: pd.DataFrame, origin: pd.Timestamp,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Drivers known at ``origin``: rows with ``ds <= origin`` only, on a complete
    monthly index up to ``origin``, trailing gaps carried forward.

    Returns a frame indexed by ``ds`` with the driver columns (units as in the
    drivers frame). ``attrs["filled"]`` maps column -> first carried-forward month.
    """
    origin = pd.Timestamp(origin)
    d = _monthly(drivers)
    cols = list(dict.fromkeys(columns)) if columns is not None else [c for c in DRIVER_COLUMNS if c in d]
    missing = [c for c in cols if c not in d.columns]
    if missing:
        raise SchemaError(f"drivers: missing column(s) {missing}; have {list(d.columns)}")
    d = d.loc[d.index <= origin, cols]
    if d.empty:
        raise SchemaError(f"drivers: no rows on or before the origin {origin:%Y-%m-%d}")
    d = d.reindex(pd.date_range(d.index.min(), origin, freq="MS")).rename_axis("ds")
    filled = {}
    for c in cols:
        last = d[c].last_valid_index()
        if last is None:
            raise SchemaError(f"drivers: column {c!r} has no reported value up to "
                              f"{origin:%Y-%m-%d}")
        if last < origin:
            filled[c] = (last + pd.offsets.MonthBegin(1)).strftime("%Y-%m-%d")
            d.loc[d.index > last, c] = d.at[last, c]
    d = d.astype(float)
    d.attrs["filled"] = filled
    return d


def needed_columns(features: Sequence[Feature] = DEFAULT_FEATURES) -> list[str]:
    """Driver columns the features read."""
    return sorted({f.column for f in features})


def feature_frame(drivers: pd.DataFrame, index: pd.DatetimeIndex,
                  features: Sequence[Feature] = DEFAULT_FEATURES) -> pd.DataFrame:
    """Features on ``index`` (month starts) from a drivers frame indexed by ``ds``.

    Columns: one per feature (``Feature.name``), dimensionless (log or index
    units, see the table in the module docstring). Raises :class:`SchemaError`
    naming the feature and the first months whose lagged driver is NA.
    """
    out = {}
    d = drivers
    expected = pd.date_range(d.index[0], periods=len(d), freq="MS")
    if not d.index.equals(expected):
        d = d.reindex(pd.date_range(d.index[0], d.index[-1], freq="MS"))
    for f in features:
        src = _TRANSFORMS[f.transform](d[f.column].astype(float))
        lagged = src.shift(f.lag).reindex(index)
        if lagged.isna().any():
            bad = lagged.index[lagged.isna()][:3].strftime("%Y-%m").tolist()
            raise SchemaError(f"drivers: feature {f.name!r} ({f.column!r} lagged {f.lag} "
                              f"months) is NA for months {bad}: the drivers do not reach "
                              "back far enough or have gaps")
        out[f.name] = lagged.to_numpy()
    return pd.DataFrame(out, index=pd.DatetimeIndex(index, name="ds"))


def feature_start(obs: pd.DataFrame,
                  features: Sequence[Feature] = DEFAULT_FEATURES) -> pd.Timestamp:
    """First month at which every feature is available (its driver's first reported
    month plus its lag). Histories that start earlier are trimmed to it by
    :func:`forecast.api.fit_models` and the backtest, so all models see the same months."""
    starts = []
    for f in features:
        first = obs[f.column].first_valid_index()
        if first is None:
            raise SchemaError(f"drivers: column {f.column!r} has no reported value")
        starts.append(first + pd.offsets.MonthBegin(f.lag))
    return max(starts)


def future_feature_frame(obs: pd.DataFrame, future: pd.DataFrame,
                         features: Sequence[Feature] = DEFAULT_FEATURES) -> pd.DataFrame:
    """Features for the months in ``future`` (indexed by ``ds``, after the origin),
    built from observed drivers (``obs``, up to the origin) followed by the
    scenario's future drivers."""
    keep = max((f.lag for f in features), default=0) + 1
    both = pd.concat([obs.iloc[-keep:], future[obs.columns]])
    return feature_frame(both, pd.DatetimeIndex(future.index), features)
