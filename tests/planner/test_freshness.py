"""planner.freshness.data_ends: where each source ends, as of an injected today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from planner.freshness import data_ends, months_between


def test_months_between():
    assert months_between(pd.Timestamp("2025-04-01"), dt.date(2026, 12, 1)) == 20
    assert months_between(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == 0


def test_last_reported_month_per_source_na_is_not_data():
    ds = pd.date_range("2025-01-01", periods=4, freq="MS")
    history = pd.DataFrame({"series_id": ["a"] * 4 + ["b"] * 4, "ds": list(ds) * 2,
                            "y": [1, 2, np.nan, np.nan, 1, 1, 1, 1]})
    drivers = pd.DataFrame({"ds": ds, "fatalities": [1, 2, 3, np.nan], "spi3": [0.1, np.nan, np.nan, np.nan]})
    hosts = pd.DataFrame({"year": [2024, 2025, 2026], "host_iso3": ["KAZ", "KAZ", "IRN"],
                          "refugees": [5, np.nan, 9], "asylum_seekers": [1, np.nan, 1]})
    out = data_ends(history, drivers, hosts, "a", dt.date(2026, 12, 1)).set_index("source")
    assert out.loc["a", "last_month"] == pd.Timestamp("2025-02-01")
    assert out.loc["a", "months_since"] == 22
    assert out.loc["fatalities", "last_month"] == pd.Timestamp("2025-03-01")
    assert out.loc["spi3", "months_since"] == 23
    # KAZ 2025 reported nothing; IRN is not a Central Asian host: the UNHCR table ends in 2024
    assert out.loc["hosts_afghan_annual", "last_month"] == pd.Timestamp("2024-12-01")
    assert list(out["kind"]) == ["movement", "driver", "driver", "hosts"]


def test_bundled_data_as_of_the_issue_date():
    data = Path(__file__).resolve().parents[2] / "forecast" / "data"
    history = pd.read_csv(data / "movement_monthly.csv", parse_dates=["ds"])
    hosts = pd.read_csv(data / "hosts_afghan_annual.csv")
    out = data_ends(history, None, hosts, "frontex_afg_total",
                    dt.date(2026, 12, 1)).set_index("source")
    assert out.loc["frontex_afg_total", "last_month"] == pd.Timestamp("2025-04-01")
    assert out.loc["frontex_afg_total", "months_since"] == 20
    assert out.loc["hosts_afghan_annual", "last_month"] == pd.Timestamp("2025-12-01")
    assert (out["months_since"] > 0).all()
