"""The one home of the forecast vocabulary: quantile levels, drivers and their roles,
host countries and their names, the default series, and the export kinds.

Every other module (and the app) imports these; adding a host or a driver means
one line here plus its data. Plain Python only (no pandas), so importing it is free.
"""

from __future__ import annotations

from dataclasses import dataclass

QUANTILES: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
"""Quantile levels of every forecast frame (docs/architecture.md, forecast frame)."""

BAND_QUANTILES: tuple[float, ...] = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)
"""Quantile levels of the fan charts' 50/80/90/95% bands (computed over sample paths)."""

INTERVALS: dict[int, tuple[float, float]] = {50: (0.25, 0.75), 80: (0.1, 0.9), 90: (0.05, 0.95)}
"""Central intervals scored by the backtests: coverage in percent -> (lower, upper) level."""


@dataclass(frozen=True)
class Driver:
    """One monthly driver column of the drivers frame, with its unit and role."""

    name: str
    unit: str
    description: str
    role: str  # conflict | drought | food_price | climate
    nonnegative: bool = False  # counts and prices: never < 0


DRIVERS: tuple[Driver, ...] = (
    Driver("fatalities", "deaths per month", "UCDP GED best estimate, Afghanistan", "conflict",
           nonnegative=True),
    Driver("spi3", "dimensionless", "standardized precipitation index, 3 months", "drought"),
    Driver("spi12", "dimensionless", "standardized precipitation index, 12 months", "drought"),
    Driver("precip_anom_mm", "mm per month",
           "precipitation minus 1991-2020 calendar-month mean", "climate"),
    Driver("temp_c", "deg C", "ERA5 mean 2 m temperature, Afghanistan", "climate"),
    Driver("nino34_anom_c", "deg C", "Nino-3.4 SST anomaly (NOAA CPC, detrended)", "climate"),
    Driver("wheat_price_index", "index, 2019 mean = 100",
           "WFP median retail wheat price over markets, AFN", "food_price", nonnegative=True),
)
DRIVER_COLUMNS: tuple[str, ...] = tuple(d.name for d in DRIVERS)
ANOMALY_DRIVERS: tuple[str, ...] = ("spi3", "spi12", "precip_anom_mm", "nino34_anom_c")
"""Drivers that are anomalies (long-run mean 0 by construction): a climatology baseline
returns them to 0."""

ROLES: dict[str, tuple[str, ...]] = {
    "conflict": ("fatalities",),
    "drought": ("spi3", "spi12"),
    "food_price": ("wheat_price_index",),
}
"""Scenario shock kind -> the driver columns it moves. A user whose drivers are named
differently maps them to these roles (``forecast.drivers.map_roles``)."""


@dataclass(frozen=True)
class Host:
    """A host country: ISO 3166-1 alpha-3 code, English name, and whether it is one
    of the five Central Asian planning hosts (else shown for context)."""

    iso3: str
    name: str
    central_asia: bool


HOSTS_TABLE: tuple[Host, ...] = (
    Host("KAZ", "Kazakhstan", True),
    Host("KGZ", "Kyrgyzstan", True),
    Host("TJK", "Tajikistan", True),
    Host("TKM", "Turkmenistan", True),
    Host("UZB", "Uzbekistan", True),
    Host("IRN", "Iran", False),
    Host("PAK", "Pakistan", False),
)
HOSTS: tuple[str, ...] = tuple(h.iso3 for h in HOSTS_TABLE)
CENTRAL_ASIA: tuple[str, ...] = tuple(h.iso3 for h in HOSTS_TABLE if h.central_asia)
HOST_NAMES: dict[str, str] = {h.iso3: h.name for h in HOSTS_TABLE}
ORIGIN: str = "AFG"
"""ISO3 of the origin country the planner is about."""

DEFAULT_SERIES: str = "frontex_afg_total"
"""The monthly Afghan movement series forecast by default."""

EXPORT_KINDS: dict[str, tuple[str, ...]] = {
    "forecast": ("series_id", "ds", "model", "scenario", "quantile", "value"),
    "paths": ("series_id", "ds", "model", "scenario", "path", "value"),
    "arrivals": ("ds", "path", "arrivals"),
    "history": ("series_id", "ds", "y"),
}
"""Frame contracts by kind: their columns in order (docs/architecture.md)."""

EXPORT_FILES: dict[str, str] = {"forecast": "forecast.csv", "paths": "paths.csv",
                                "hosts": "hosts.csv"}
"""File names of ``forecast export`` (each with a ``.json`` provenance sidecar)."""
