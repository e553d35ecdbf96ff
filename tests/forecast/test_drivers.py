"""Driver features: lags, cut at the origin, clear errors; no leakage into fits."""

from __future__ import annotations

import forecast_synth as synth
import numpy as np
import pandas as pd
import pytest

from forecast import api
from forecast import drivers as drv
from forecast.errors import SchemaError


def test_feature_values_are_lagged_transforms():
    d = synth.drivers()
    obs = drv.observed(d, pd.Timestamp("2010-06-01"))
    idx = pd.date_range("2005-01-01", "2010-06-01", freq="MS")
    X = drv.feature_frame(obs, idx)
    src = d.set_index("ds")
    t = pd.Timestamp("2008-03-01")
    assert X.at[t, "conflict_l1"] == pytest.approx(np.log1p(src.at[pd.Timestamp("2008-02-01"),
                                                                   "fatalities"]))
    assert X.at[t, "drought_spi3_l3"] == pytest.approx(src.at[pd.Timestamp("2007-12-01"),
                                                              "spi3"])
    assert X.at[t, "enso_l6"] == pytest.approx(src.at[pd.Timestamp("2007-09-01"),
                                                      "nino34_anom_c"])
    assert X.at[t, "food_l1"] == pytest.approx(np.log(src.at[pd.Timestamp("2008-02-01"),
                                                             "wheat_price_index"] / 100))


def test_lag_must_be_at_least_one_month():
    with pytest.raises(ValueError, match="lag must be >= 1"):
        drv.Feature("same_month", "fatalities", "log1p", 0)


def test_observed_cuts_at_origin_and_carries_forward():
    d = synth.drivers()
    d.loc[d["ds"] > "2010-03-01", "wheat_price_index"] = np.nan
    obs = drv.observed(d, pd.Timestamp("2010-06-01"))
    assert obs.index.max() == pd.Timestamp("2010-06-01")
    assert obs.attrs["filled"] == {"wheat_price_index": "2010-04-01"}
    last = d.loc[d["ds"] == "2010-03-01", "wheat_price_index"].item()
    assert (obs.loc["2010-04-01":, "wheat_price_index"] == last).all()


def test_bad_drivers_get_clear_errors():
    d = synth.drivers()
    with pytest.raises(SchemaError, match="month starts.*2001-01-15"):
        drv.observed(d.assign(ds=d["ds"].where(d.index != 12, pd.Timestamp("2001-01-15"))),
                     pd.Timestamp("2010-01-01"))
    with pytest.raises(SchemaError, match="missing column"):
        drv.observed(d.drop(columns="spi3"), pd.Timestamp("2010-01-01"), ["spi3"])
    obs = drv.observed(d, pd.Timestamp("2010-01-01"))
    obs.loc["2005-05-01", "fatalities"] = np.nan
    with pytest.raises(SchemaError, match="conflict_l1.*2005-06"):
        drv.feature_frame(obs, pd.date_range("2005-01-01", "2009-01-01", freq="MS"))


@pytest.mark.parametrize("name", ["sarimax", "prophet", "ets", "snaive"])
def test_no_data_after_the_origin_enters_a_fit(name):
    """Fit at an origin twice: once on the data, once with everything after the origin
    replaced by garbage. Same scenario -> identical forecasts."""
    d = synth.drivers()
    h = synth.history(drv=d)
    origin = pd.Timestamp("2016-06-01")
    d2 = d.copy()
    after = d2["ds"] > origin
    d2.loc[after, "fatalities"] = 1e6
    d2.loc[after, "spi3"] = -4.0
    d2.loc[after, "wheat_price_index"] = 999.0
    h2 = h.copy()
    h2.loc[h2["ds"] > origin, "y"] = 1e7
    a = api.fit_models(h, d, models=[name], origin=origin)
    b = api.fit_models(h2, d2, models=[name], origin=origin)
    assert a.origin == b.origin == origin
    fa, pa = api.predict(a, horizon=6, n_paths=20)
    fb, pb = api.predict(b, horizon=6, n_paths=20)
    pd.testing.assert_frame_equal(fa, fb)
    pd.testing.assert_frame_equal(pa, pb)
    # and the check has teeth: changing data *before* the origin changes the forecast
    h3 = h.copy()
    h3.loc[h3["ds"].between("2016-01-01", origin), "y"] *= 3
    fc3, _ = api.predict(api.fit_models(h3, d, models=[name], origin=origin), horizon=6,
                         n_paths=20)
    assert not np.allclose(fc3["value"], fa["value"])
