"""From movement paths to per-host arrivals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import api, datasets, hosts
from forecast.errors import SchemaError
from forecast.scenarios import Scenario


def _hosts_frame():
    rows = []
    for y in range(2010, 2016):
        rows += [(y, "TJK", "Tajikistan", np.nan, np.nan, np.nan, np.nan, 100.0 * (y - 2008)),
                 (y, "KAZ", "Kazakhstan", np.nan, np.nan, np.nan, 5.0, np.nan),
                 (y, "UZB", "Uzbekistan", np.nan, np.nan, np.nan, np.nan, np.nan)]
    return pd.DataFrame(rows, columns=["year", "host_iso3", "host_name", "refugees",
                                       "asylum_seekers", "oip", "new_refugees",
                                       "new_asylum_seekers"])


def _history():
    ds = pd.date_range("2010-01-01", "2015-12-01", freq="MS")
    y = 1000 + 100 * np.sin(np.arange(len(ds)))
    return pd.DataFrame({"series_id": "mov", "ds": ds, "y": y})


def test_not_reported_stays_na():
    a = hosts.annual_arrivals(_hosts_frame())
    uzb = a[a["host_iso3"] == "UZB"]["arrivals"]
    assert uzb.isna().all()
    assert (a[a["host_iso3"] == "KAZ"]["arrivals"] == 5).all()


def test_shares_and_disaggregation_agree_with_annual_figures():
    hf, hist = _hosts_frame(), _history()
    est = hosts.estimate_shares(hf, hist, series_id="mov").set_index("host_iso3")
    assert est.at["TJK", "n_years"] == 6 and est.at["UZB", "n_years"] == 0
    assert not est.at["UZB", "estimable"]
    mov = hist.groupby(hist["ds"].dt.year)["y"].sum()
    want = sum(100.0 * (y - 2008) for y in range(2010, 2016)) / mov.sum()
    assert est.at["TJK", "share_mean"] == pytest.approx(want)
    monthly = hosts.disaggregate_history(hf, hist, series_id="mov")
    annual = monthly.groupby(["series_id", monthly["ds"].dt.year])["y"].sum()
    assert annual[("TJK", 2013)] == pytest.approx(500.0)
    assert annual[("KAZ", 2011)] == pytest.approx(5.0)
    assert "UZB" not in set(monthly["series_id"])


def _paths(n=200):
    ds = pd.date_range("2016-01-01", periods=3, freq="MS")
    return pd.DataFrame({"series_id": "mov", "ds": np.tile(ds, n), "model": "m",
                         "scenario": "s", "path": np.repeat(np.arange(n), 3),
                         "value": 1000.0})


def test_arrival_paths_levers_and_overrides():
    hf, hist = _hosts_frame(), _history()
    est = hosts.estimate_shares(hf, hist, series_id="mov")
    out = hosts.arrivals_paths(_paths(), est, seed=1)
    assert set(out["series_id"]) == {"TJK", "KAZ"}
    assert "UZB" in out.attrs["skipped_hosts"]
    tjk = out[out["series_id"] == "TJK"]
    m = est.set_index("host_iso3").at["TJK", "share_mean"]
    assert tjk["value"].mean() == pytest.approx(1000 * m, rel=0.15)
    assert tjk.groupby("path")["value"].nunique().eq(1).all()  # one share per path
    sc = Scenario.border_restriction(0.5).with_host_shares({"UZB": 0.01})
    out2 = hosts.arrivals_paths(_paths(), est, scenario=sc, seed=1)
    uzb = out2[out2["series_id"] == "UZB"]["value"]
    assert np.allclose(uzb, 1000 * 0.01 * 0.5)
    tjk2 = out2[out2["series_id"] == "TJK"]["value"].to_numpy()
    np.testing.assert_allclose(tjk2, 0.5 * tjk["value"].to_numpy())
    again = hosts.arrivals_paths(_paths(), est, seed=1)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(SchemaError, match="unknown host"):
        hosts.arrivals_paths(_paths(), est, hosts=["FRA"])


def test_host_arrivals_on_bundled_data():
    h = datasets.load_history("frontex_afg_total")
    paths = _paths().assign(series_id="frontex_afg_total")
    out = api.host_arrivals(paths, datasets.load_hosts(), h, seed=0)
    assert {"KAZ", "KGZ", "TJK", "PAK"} <= set(out["series_id"])
    assert (out["value"] >= 0).all()
    arr = api.to_arrivals_frame(out, host="TJK")
    assert list(arr.columns) == ["ds", "path", "arrivals"] and len(arr) == 600
