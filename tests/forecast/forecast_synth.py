"""Small synthetic history and drivers frames for the forecast engine tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

DRIVER_COLS = ("fatalities", "spi3", "spi12", "precip_anom_mm", "temp_c", "nino34_anom_c",
               "wheat_price_index")


def drivers(start="2000-01-01", end="2020-12-01", seed=1) -> pd.DataFrame:
    """Drivers frame: ds + the 7 driver columns, plausible ranges."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, end, freq="MS")
    n = len(ds)
    fat = np.exp(5 + np.cumsum(rng.normal(0, 0.15, n)) * 0.3)
    spi = np.convolve(rng.normal(0, 1, n + 2), np.ones(3) / np.sqrt(3), "valid")
    return pd.DataFrame({
        "ds": ds, "fatalities": np.round(fat), "spi3": spi, "spi12": spi * 0.5,
        "precip_anom_mm": spi * 10, "temp_c": 12 + 12 * np.sin(2 * np.pi * (ds.month - 4) / 12),
        "nino34_anom_c": np.sin(np.arange(n) / 20), "wheat_price_index": 100 + np.cumsum(
            rng.normal(0, 1, n)),
    })


def history(series_id="syn", start="2006-01-01", end="2019-12-01", seed=2,
            drv: pd.DataFrame | None = None) -> pd.DataFrame:
    """History frame (series_id, ds, y): seasonal counts that rise with fatalities."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, end, freq="MS")
    d = (drv if drv is not None else drivers()).set_index("ds")
    f = np.log1p(d["fatalities"]).shift(1).reindex(ds).to_numpy()
    z = 4 + 0.5 * f + 0.4 * np.sin(2 * np.pi * ds.month / 12) + np.cumsum(
        rng.normal(0, 0.05, len(ds))) + rng.normal(0, 0.15, len(ds))
    return pd.DataFrame({"series_id": series_id, "ds": ds, "y": np.round(np.expm1(z))})
