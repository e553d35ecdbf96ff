"""How old the data are: where each source ends and how many months before today.

The data end before the app runs (movement 2025-04, UNHCR 2025, ...), so every page
that forecasts says so. ``today`` is an argument (the app passes
``datetime.date.today()``; tests pass a fixed date).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from forecast.vocabulary import CENTRAL_ASIA

DATA_END_COLUMNS = ("source", "kind", "last_month", "months_since")
"""Columns of :func:`data_ends`: ``source`` (a series id, a driver column or
``hosts_afghan_annual``), ``kind`` (``movement``, ``driver`` or ``hosts``), ``last_month``
(month start of the last month with a reported value; December of the last year for
the annual UNHCR table), ``months_since`` (whole months from ``last_month`` to today's
month)."""


def months_between(start, end) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s month (dates)."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    return (b.year - a.year) * 12 + (b.month - a.month)


def data_ends(history: pd.DataFrame, drivers: pd.DataFrame | None, hosts: pd.DataFrame | None,
              series_id: str, today: dt.date) -> pd.DataFrame:
    """Where each source in use ends, as of ``today`` (columns: :data:`DATA_END_COLUMNS`).

    history: ``series_id, ds, y`` (the row of ``series_id``: its last month with ``y``
    reported); drivers: ``ds`` + driver columns (one row per driver, its last reported
    month); hosts: the UNHCR table ``year, host_iso3, refugees, asylum_seekers, ...``
    (one row: the last year with any figure for a Central Asian host). NA is not data:
    a month or year with nothing reported does not count.
    """
    rows = []
    h = history[(history["series_id"] == series_id) & history["y"].notna()]
    if len(h):
        rows.append((series_id, "movement", pd.Timestamp(h["ds"].max())))
    if drivers is not None:
        for col in [c for c in drivers.columns if c != "ds"]:
            ds = drivers.loc[drivers[col].notna(), "ds"]
            if len(ds):
                rows.append((col, "driver", pd.Timestamp(ds.max())))
    if hosts is not None:
        ca = hosts[hosts["host_iso3"].isin(list(CENTRAL_ASIA))]
        figures = ca.drop(columns=["year", "host_iso3", "host_name"], errors="ignore")
        years = ca.loc[figures.notna().any(axis=1), "year"]
        if len(years):
            rows.append(("hosts_afghan_annual", "hosts", pd.Timestamp(int(years.max()), 12, 1)))
    out = pd.DataFrame(rows, columns=["source", "kind", "last_month"])
    out["months_since"] = [months_between(m, today) for m in out["last_month"]]
    return out
