"""The share method (forecast/hosts.py) pinned on hand-made frames whose answers are known by hand.

The movement series is constant within each year, so a year's movement S_y is
12 x its monthly value. Per host the UNHCR arrivals A_y (new refugees + new
asylum-seekers) are:

    year   S_y    TJK A_y   KGZ A_y        KAZ A_y
    2010   1200   120       60 (+ NA)      30
    2011   1200   360       NA (+ 30)      NA
    2012   2400   480       NA, NA         NA
    2013   1200   NA        NA, NA         NA

TJK: three common years, ratios r = 0.1, 0.3, 0.2; share = 960 / 4800 = 0.2;
the S-weighted sd with the n/(n-1) correction is
sqrt((1200 x 0.01 + 1200 x 0.01 + 2400 x 0) / 4800 x 3/2) = sqrt(0.0075).
KGZ: two reported years (one component NA each year is "not adding"), ratios
0.05 and 0.025: share 90 / 2400. KAZ: one year: share 30 / 1200, no sd.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast import api, hosts
from forecast.errors import SchemaError
from forecast.scenarios import Scenario

NA = np.nan
MONTHLY = {2010: 100.0, 2011: 100.0, 2012: 200.0, 2013: 100.0}  # movement per month


def _hosts_frame(extra: list | None = None) -> pd.DataFrame:
    rows = [(2010, "TJK", 120.0, NA), (2011, "TJK", 300.0, 60.0), (2012, "TJK", NA, 480.0),
            (2013, "TJK", NA, NA),
            (2010, "KGZ", 60.0, NA), (2011, "KGZ", NA, 30.0), (2012, "KGZ", NA, NA),
            (2010, "KAZ", 30.0, 0.0)] + (extra or [])
    return pd.DataFrame(rows, columns=["year", "host_iso3", "new_refugees",
                                       "new_asylum_seekers"])


def _history(monthly: dict[int, float] = MONTHLY, drop: tuple = ()) -> pd.DataFrame:
    rows = [{"series_id": "mov", "ds": pd.Timestamp(y, m, 1), "y": v}
            for y, v in monthly.items() for m in range(1, 13) if (y, m) not in drop]
    return pd.DataFrame(rows)


def _est(**kw) -> pd.DataFrame:
    return hosts.estimate_shares(_hosts_frame(), _history(), series_id="mov", **kw
                                 ).set_index("host_iso3")


def _paths(n: int = 4, value: float = 1000.0) -> pd.DataFrame:
    ds = pd.date_range("2014-01-01", periods=2, freq="MS")
    return pd.DataFrame({"series_id": "mov", "ds": np.tile(ds, n), "model": "m",
                         "scenario": "s", "path": np.repeat(np.arange(n), 2), "value": value})


def test_annual_arrivals_add_the_reported_components_and_keep_na():
    a = hosts.annual_arrivals(_hosts_frame()).set_index(["host_iso3", "year"])["arrivals"]
    assert a[("TJK", 2011)] == 360.0  # 300 + 60
    assert a[("TJK", 2010)] == 120.0  # one component NA: the other alone
    assert math.isnan(a[("TJK", 2013)])  # both NA: not reported, not 0
    assert a[("KAZ", 2010)] == 30.0
    with pytest.raises(SchemaError, match="new_asylum_seekers"):
        hosts.annual_arrivals(_hosts_frame().drop(columns="new_asylum_seekers"))


def test_annual_movement_keeps_only_complete_years():
    mov = hosts.annual_movement(_history(drop=((2013, 5),)), "mov")
    assert mov.to_dict() == {2010: 1200.0, 2011: 1200.0, 2012: 2400.0}
    with pytest.raises(SchemaError, match="'nope'"):
        hosts.annual_movement(_history(), "nope")


def test_share_mean_and_sd_by_hand():
    est = _est()
    tjk = est.loc["TJK"]
    assert tjk["share_mean"] == pytest.approx(0.2)
    assert tjk["share_sd"] == pytest.approx(math.sqrt(0.0075))
    assert (tjk["n_years"], tjk["first_year"], tjk["last_year"]) == (3, 2010, 2012)
    assert bool(tjk["estimable"])
    kgz = est.loc["KGZ"]
    assert kgz["share_mean"] == pytest.approx(90 / 2400)
    # two years, weights 1200 each: the plain sample sd of the ratios (ddof 1)
    assert kgz["share_sd"] == pytest.approx(np.std([0.05, 0.025], ddof=1))
    assert kgz["n_years"] == 2 and not bool(kgz["estimable"])
    kaz = est.loc["KAZ"]
    assert kaz["share_mean"] == pytest.approx(0.025) and math.isnan(kaz["share_sd"])
    uzb = est.loc["UZB"]  # never reported: no share, not a zero share
    assert uzb["n_years"] == 0 and math.isnan(uzb["share_mean"]) and not bool(uzb["estimable"])
    assert pd.isna(uzb["first_year"]) and pd.isna(uzb["last_year"])
    assert est.attrs["series_id"] == "mov"


def test_equal_ratios_have_zero_sd():
    frame = pd.DataFrame({"year": [2010, 2011, 2012], "host_iso3": "TJK",
                          "new_refugees": [12.0, 12.0, 24.0], "new_asylum_seekers": NA})
    tjk = hosts.estimate_shares(frame, _history(), series_id="mov").set_index("host_iso3")
    assert tjk.at["TJK", "share_mean"] == pytest.approx(0.01)
    assert tjk.at["TJK", "share_sd"] == pytest.approx(0.0, abs=1e-15)


def test_min_years_is_inclusive_and_years_keeps_the_latest():
    assert bool(_est(min_years=2).at["KGZ", "estimable"])  # exactly min_years reported
    assert not bool(_est(min_years=4).at["TJK", "estimable"])
    last2 = _est(years=2).loc["TJK"]  # 2011 and 2012 only: (360 + 480) / 3600
    assert last2["share_mean"] == pytest.approx(840 / 3600)
    assert (last2["n_years"], last2["first_year"]) == (2, 2011)


def test_the_share_follows_the_unit_of_the_movement_index():
    # the same movement in units 10,000 times larger (yearly sums below 1): shares x 10,000
    small = _history({y: v / 1e4 for y, v in MONTHLY.items()})
    est = hosts.estimate_shares(_hosts_frame(), small, series_id="mov").set_index("host_iso3")
    assert est.at["TJK", "share_mean"] == pytest.approx(0.2 * 1e4)
    assert est.at["TJK", "share_sd"] == pytest.approx(math.sqrt(0.0075) * 1e4)


def test_a_zero_movement_year_gives_no_share():
    hist = _history({2010: 0.0, 2011: 0.0})
    est = hosts.estimate_shares(_hosts_frame(), hist, series_id="mov").set_index("host_iso3")
    assert math.isnan(est.at["TJK", "share_mean"]) and math.isnan(est.at["TJK", "share_sd"])


def test_paths_are_movement_times_share_times_openness():
    est = _est(min_years=1).reset_index()
    sc = Scenario(border_openness=0.5, host_openness={"TJK": 0.4})
    out = hosts.arrivals_paths(_paths(), est, scenario=sc, hosts=["KAZ", "TJK"], seed=2)
    assert list(out.columns) == list(_paths().columns)
    kaz = out[out["series_id"] == "KAZ"]
    # KAZ has one year: no sd, so every path gets the share itself (never a NaN draw)
    np.testing.assert_allclose(kaz["value"], 1000 * 0.025 * 0.5)
    tjk = out[out["series_id"] == "TJK"]
    assert (tjk["value"] > 0).all() and tjk["value"].nunique() == 4  # one draw per path
    assert tjk.groupby("path")["value"].nunique().eq(1).all()
    assert out.attrs["skipped_hosts"] == []


def test_share_draws_have_the_estimated_mean_and_sd():
    est = _est().reset_index()
    out = hosts.arrivals_paths(_paths(n=4000, value=1.0), est, hosts=["TJK"], seed=0)
    draws = out.groupby("path")["value"].first().to_numpy()
    assert draws.mean() == pytest.approx(0.2, rel=0.03)
    assert draws.std() == pytest.approx(math.sqrt(0.0075), rel=0.06)
    assert (draws > 0).all()


def test_given_shares_win_over_estimates_and_scenario_shares_win_over_both():
    est = _est().reset_index()
    # the api's shares= reaches the method as overrides=
    out = api.host_arrivals(_paths(), _hosts_frame(), _history(), hosts=["TJK", "UZB"],
                            shares={"UZB": 0.01})
    np.testing.assert_allclose(out.loc[out["series_id"] == "UZB", "value"], 10.0)
    out = hosts.arrivals_paths(_paths(), est, hosts=["TJK"], overrides={"TJK": 0.3})
    np.testing.assert_allclose(out["value"], 300.0)
    sc = Scenario().with_host_shares({"TJK": 0.05})
    out = hosts.arrivals_paths(_paths(), est, scenario=sc, hosts=["TJK"],
                               overrides={"TJK": 0.3})
    np.testing.assert_allclose(out["value"], 50.0)


def test_hosts_without_a_share_are_skipped_and_named():
    est = _est().reset_index()
    out = hosts.arrivals_paths(_paths(), est, seed=1)
    assert set(out["series_id"]) == {"TJK"}  # KGZ and KAZ have < 3 years, others none
    assert out.attrs["skipped_hosts"] == ["KAZ", "KGZ", "TKM", "UZB", "IRN", "PAK"]
    with pytest.raises(SchemaError, match=r"no host has .*\['UZB'\].*shares="):
        hosts.arrivals_paths(_paths(), est, hosts=["UZB"])
    with pytest.raises(SchemaError, match=r"unknown host\(s\) \['FRA'\]; choose from "
                                          r"KAZ, KGZ, TJK, TKM, UZB, IRN, PAK$"):
        hosts.arrivals_paths(_paths(), est, hosts=["TJK", "FRA"])


def test_history_is_split_by_the_movement_profile_and_sums_to_unhcr():
    hist = _history()
    hist.loc[hist["ds"] == "2011-03-01", "y"] = 400.0  # 2011: 11 x 100 + 400 = 1500
    m = hosts.disaggregate_history(_hosts_frame(), hist, series_id="mov", hosts=["TJK", "UZB"])
    assert set(m["series_id"]) == {"TJK"}
    tjk = m.set_index("ds")["y"]
    assert len(tjk) == 36  # 2010-2012; 2013 is not reported by UNHCR
    assert tjk["2011-03-01"] == pytest.approx(360 * 400 / 1500)
    assert tjk["2011-04-01"] == pytest.approx(360 * 100 / 1500)
    assert tjk["2012-07-01"] == pytest.approx(480 / 12)


def test_a_zero_movement_year_is_split_evenly():
    hist = _history({2010: 0.0, 2011: 100.0})
    m = hosts.disaggregate_history(_hosts_frame(), hist, series_id="mov", hosts=["TJK"])
    y2010 = m[m["ds"].dt.year == 2010]["y"]
    assert len(y2010) == 12
    np.testing.assert_allclose(y2010, 120 / 12)


def test_no_reported_year_gives_an_empty_typed_history():
    m = hosts.disaggregate_history(_hosts_frame(), _history(), series_id="mov", hosts=["UZB"])
    assert m.empty and list(m.columns) == ["series_id", "ds", "y"]
    assert str(m["ds"].dtype) == "datetime64[ns]" and m["y"].dtype == float
    # host codes typed as in a history with rows (text), not as generic objects
    full = hosts.disaggregate_history(_hosts_frame(), _history(), series_id="mov", hosts=["TJK"])
    assert m["series_id"].dtype == full["series_id"].dtype and m["series_id"].dtype != object
