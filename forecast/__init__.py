"""Forecasts of arrivals from Afghanistan into Central Asia.

Data flow: ``datasets`` (history and drivers frames) -> ``scenarios`` (future
drivers) -> ``models`` (quantiles and sample paths) -> ``export`` (CSV + JSON).
Prophet is imported lazily, inside its adapter, so ``import forecast`` stays fast.
"""

__version__ = "0.1.0"
