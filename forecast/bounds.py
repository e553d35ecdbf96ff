"""The one home of the forecast side's plausibility bounds on every number a user gives.

Each :class:`Bound` states its range, unit and reason (``why``); every error that
refuses a value names the bound (``plausibility bound 'horizon'``), its range and
unit. The bounds are checked at every public entry point: the frames and CSV files
(:mod:`forecast.schema`: history ``y``, driver columns, dates), the Python API
(:mod:`forecast.api`: ``horizon``, ``n_paths``, ``seed``), scenarios
(:mod:`forecast.scenarios`: shocks, openness, host shares), the ``forecast``
command line and the planner's plan files. The table is printed in
``docs/forecast.md`` (``tests/forecast/test_bounds.py`` checks both).

Where a figure can come from the bundled data it does (computed once with
``forecast.datasets``, the figures are quoted in ``why``):

* largest monthly flow in ``movement_monthly.csv``: 66,116 persons (Frontex, Afghans,
  2015-10); largest annual arrivals of one origin in one host in ``dyads_annual.csv``:
  1,410,000 persons (Iraq -> Iran, 1991);
* largest country-year of conflict deaths in ``country_year.csv``: 654,764 (Rwanda 1994,
  UCDP GED); Afghanistan's worst month in ``conflict_monthly.csv``: 8,286 deaths, its
  median month 326;
* SPI in ``climate_monthly.csv`` lies in [-3.09, 3.03] (clipped at +-3.09), the
  precipitation anomaly in [-43.4, 46.0] mm/month, temperature in [-8.1, 27.3] deg C,
  the Nino-3.4 anomaly in [-2.09, 2.77] deg C;
* the wheat price index in ``food_prices_monthly.csv`` lies in [15.7, 193.9]
  (highest / lowest = 12.3).

Plain Python and numpy only: importing it is free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bound:
    """A plausibility bound ``low <= value <= high`` [``unit``]; ``low_open`` / ``high_open``
    exclude the end itself; ``integer``: whole numbers only; ``why``: where it comes from."""

    low: float
    high: float
    unit: str
    why: str
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def text(self) -> str:
        """``[1, 120] periods`` (brackets as in interval notation)."""
        lo, hi = ("(" if self.low_open else "["), (")" if self.high_open else "]")

        def num(v: float) -> str:
            return f"{v:,.10g}" if abs(v) >= 10_000 else f"{v:.10g}"

        return f"{lo}{num(self.low)}, {num(self.high)}{hi} {self.unit}"

    def holds(self, values) -> np.ndarray:
        """Boolean mask: finite and within the bound (NA counts as outside)."""
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(v)
            ok &= (v > self.low) if self.low_open else (v >= self.low)
            ok &= (v < self.high) if self.high_open else (v <= self.high)
            if self.integer:
                ok &= np.floor(np.where(ok, v, 0)) == np.where(ok, v, 0)
        return ok


MAX_PERSONS_PER_PERIOD = 10_000_000
"""Ceiling on a history value [persons per period].

Why 10 million: 150 times the largest monthly flow in the bundled movement data
(66,116, Frontex 2015-10) and 7 times the largest annual arrivals of one origin into
one host in the world panel (1,410,000, Iraq -> Iran 1991); anything above it is a
unit or typing error (1e12, 1e300, inf), not a scenario. The same figure bounds the
capacity model's arrivals (``abm.schema.MAX_PERSONS_PER_MONTH``), and it keeps every
count exact in float64."""

BOUNDS: dict[str, Bound] = {
    # ---- values in frames and files (forecast.schema)
    "persons": Bound(0, MAX_PERSONS_PER_PERIOD, "persons per period",
                     "history y: 150 x the largest monthly flow in the bundled data"),
    "year": Bound(1900, 2200, "calendar year of a date",
                  "pandas dates end in 2262; the bundled data start in 1901", integer=True),
    "fatalities": Bound(0, 1_000_000, "deaths per month",
                        "above the largest country-year in the bundled UCDP data "
                        "(Rwanda 1994: 654,764) in one month"),
    "spi": Bound(-5, 5, "dimensionless (spi3, spi12)",
                 "SPI is a standard normal score: beyond +-5 has a chance of 6 in 10 million"),
    "precip_anom_mm": Bound(-500, 500, "mm per month",
                            "10 x the largest anomaly in the bundled CRU series (46 mm)"),
    "temp_c": Bound(-60, 60, "deg C", "beyond any monthly area mean on Earth"),
    "nino34_anom_c": Bound(-10, 10, "deg C",
                           "3.6 x the largest anomaly in the bundled NOAA series (2.77)"),
    "wheat_price_index": Bound(0, 10_000, "index, 2019 mean = 100",
                               "50 x the highest bundled WFP index (193.9); 0 is no price",
                               low_open=True),
    # ---- arguments (forecast.api, the command lines, plan files)
    "horizon": Bound(1, 120, "periods ahead (months for a monthly series)",
                     "10 years of months: capacity plans look 1-3 years ahead", integer=True),
    "n_paths": Bound(1, 10_000, "sample paths per model",
                     "10,000 paths put the 5% tail within +-0.22 percentage points (standard error)",
                     integer=True),
    "seed": Bound(0, 2**32 - 1, "seed (integer)", "numpy's 32-bit seed range", integer=True),
    "origins": Bound(1, 240, "rolling origins of a backtest", "20 years of monthly origins",
                     integer=True),
    # ---- scenarios (forecast.scenarios)
    "shocks": Bound(0, 100, "shocks in one scenario",
                    "a few per driver role; 100,000 shocks only slowed every run", integer=True),
    "shock.start": Bound(1, 120, "forecast month (1 = first)",
                         "the horizon's ceiling: a shock that starts later never acts",
                         integer=True),
    "shock.duration": Bound(1, 120, "months", "the horizon's ceiling", integer=True),
    "shock.conflict": Bound(0, 100, "multiplier on fatalities",
                            "4 x Afghanistan's worst month over its median month (8,286 / 326)"),
    "shock.drought": Bound(-4, 4, "SPI held during the shock",
                           "beyond the SPI classes of McKee et al. (1993): -2 is extremely dry"),
    "shock.food_price": Bound(0, 20, "multiplier on wheat_price_index",
                              "above the bundled index's highest / lowest ratio (12.3)",
                              low_open=True),
    "openness": Bound(0, 10, "multiplier on arrivals into a host",
                      "border_openness and host_openness: 0 closed, 1 as now"),
    "host_share": Bound(0, 1, "share of the outflow reaching a host",
                        "a share; the shares of all hosts also sum to at most 1"),
}
"""Every plausibility bound of ``forecast``, by name (the name is given in each error)."""

COLUMN_BOUNDS: dict[str, str] = {
    "y": "persons", "fatalities": "fatalities", "spi3": "spi", "spi12": "spi",
    "precip_anom_mm": "precip_anom_mm", "temp_c": "temp_c", "nino34_anom_c": "nino34_anom_c",
    "wheat_price_index": "wheat_price_index",
}
"""Column of the history or drivers frame -> the bound its values obey."""


def shown(value, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, saying how long it was."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def bound_message(name: str, what: str, value=None) -> str:
    """``<what> must be in [lo, hi] unit, got v (plausibility bound 'name': why)``."""
    b = BOUNDS[name]
    kind = "a whole number in" if b.integer else "in"
    got = "" if value is None else f", got {shown(value)}"
    return f"{what} must be {kind} {b.text()}{got} (plausibility bound {name!r}: {b.why})"


def check_value(value, name: str, what: str, error: type[Exception] = ValueError):
    """``value`` checked against ``BOUNDS[name]``; returns it (an ``int`` for an integer
    bound, else a ``float``) or raises ``error`` with :func:`bound_message`. ``bool`` and
    text are refused; an integer bound takes integers only (``2.5`` and ``1e6`` written
    as a float are refused: the message says so)."""
    b = BOUNDS[name]
    number = int | float | np.integer | np.floating
    if isinstance(value, bool) or not isinstance(value, number):
        raise error(bound_message(name, what, value))
    if b.integer:
        if not isinstance(value, int | np.integer):
            raise error(bound_message(name, what, value).replace(
                "must be a whole number in", "must be an integer (not a float) in"))
        v = int(value)
        if not b.low <= v <= b.high:
            raise error(bound_message(name, what, value))
        return v
    if not b.holds([value])[0]:
        raise error(bound_message(name, what, value))
    return float(value)
