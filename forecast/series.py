"""One series of a history frame on the model scale, and its frequency.

This is the bottom layer the fitting loop (:mod:`forecast.fitting`), the facade
(:mod:`forecast.api`) and the backtest (:mod:`forecast.backtest`) share.
The frequency comes from the data: a series whose ``ds`` step is 1 month is
monthly, 3 months quarterly, 12 months annual (``ds`` is always the first day of
the period). Values are persons per period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.errors import SchemaError

FREQS: dict[int, str] = {1: "MS", 3: "QS-JAN", 12: "YS-JAN"}
"""Step in months -> pandas frequency of the period starts."""

PERIODS_PER_YEAR: dict[int, int] = {1: 12, 3: 4, 12: 1}


def step_months(ds: pd.Series | pd.DatetimeIndex) -> int:
    """The spacing of a regular date index in months (1, 3 or 12); 1 when too short."""
    d = pd.DatetimeIndex(pd.to_datetime(ds)).sort_values()
    if len(d) < 2:
        return 1
    p = np.asarray(d.year * 12 + d.month)
    step = int(np.min(np.diff(p)))
    return step if step in FREQS else 1


def freq_of(index: pd.DatetimeIndex) -> str:
    """pandas frequency (``MS``, ``QS-JAN``, ``YS-JAN``) of a regular index of period starts."""
    return FREQS[step_months(index)]


def periods_per_year(index: pd.DatetimeIndex) -> int:
    """Seasonal cycle length of a regular index: 12, 4 or 1."""
    return PERIODS_PER_YEAR[step_months(index)]


def future_index(origin: pd.Timestamp, horizon: int, step: int) -> pd.DatetimeIndex:
    """Start dates of the ``horizon`` periods after ``origin`` (step in months)."""
    start = pd.Timestamp(origin) + pd.DateOffset(months=step)
    return pd.DatetimeIndex([start + pd.DateOffset(months=step * k) for k in range(horizon)],
                            name="ds")


def series_z(history: pd.DataFrame, series_id: str | None,
             origin: pd.Timestamp | None = None) -> tuple[str, pd.Series]:
    """One series of a history frame on the model scale (log1p persons per period),
    indexed by ``ds`` with its frequency set, leading NA dropped, cut at ``origin``
    (default: last reported period). Interior NA (not reported) stay NA."""
    from forecast.schema import validate_history

    h = validate_history(history)
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
                          "reported periods")
    s = s.loc[s.first_valid_index():]
    last = s.last_valid_index()
    origin = last if origin is None else min(pd.Timestamp(origin), last)
    s = s.loc[:origin]
    s = s.loc[: s.last_valid_index()]
    idx = pd.DatetimeIndex(s.index, name="ds")
    step = step_months(idx)
    if len(idx) > 2:
        try:
            idx = pd.DatetimeIndex(idx, freq=FREQS[step])
        except ValueError:  # e.g. quarters that start in February
            idx = pd.DatetimeIndex(idx, freq=pd.DateOffset(months=step))
    z = pd.Series(np.log1p(s.to_numpy(dtype=float)), index=idx, name=series_id)
    z.attrs["step_months"] = step
    return series_id, z
