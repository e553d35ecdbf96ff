"""Backtest metrics pinned on hand calculations: CRPS, pinball, skill tables, weights.

The skill tables are computed from a hand-made ``points`` frame (two models,
two horizons, two origins), so every figure below is worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import backtest as bt
from forecast.errors import ModelError


def _brute_crps(samples: np.ndarray, y: np.ndarray) -> np.ndarray:
    """E|X - y| - E|X - X'| / 2 over all ordered pairs (independent of the sorted formula)."""
    out = []
    for j in range(samples.shape[1]):
        x = samples[:, j]
        out.append(np.abs(x - y[j]).mean() - np.abs(x[:, None] - x[None, :]).mean() / 2)
    return np.array(out)


def test_crps_by_hand():
    # x = {0, 2}, y = 1: E|X - y| = 1, E|X - X'| = (0 + 2 + 2 + 0) / 4 = 1 -> CRPS 0.5
    assert bt.crps_samples(np.array([[0.0], [2.0]]), np.array([1.0]))[0] == pytest.approx(0.5)
    # unsorted samples, two columns: 2/3 - 4/9 = 2/9 and 3 - 8/9 = 19/9
    s = np.array([[2.0, 5.0], [0.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(bt.crps_samples(s, np.array([1.0, 0.0])), [2 / 9, 19 / 9])
    assert s[0, 0] == 2.0  # the input is not sorted in place


def test_crps_matches_the_pairwise_definition():
    rng = np.random.default_rng(1)
    for n in (1, 2, 5, 50):
        s = rng.gamma(2.0, 30.0, size=(n, 4))
        y = rng.uniform(0, 150, 4)
        np.testing.assert_allclose(bt.crps_samples(s, y), _brute_crps(s, y), rtol=1e-12,
                                   atol=1e-12)


def test_pinball_by_hand():
    q = np.array([[1.0], [2.0], [3.0]])
    # y = 2.5: losses 0.1 x 1.5, 0.5 x 0.5, 0.1 x 0.5 (over-forecast at level 0.9)
    np.testing.assert_allclose(bt.pinball(q, np.array([2.5]), (0.1, 0.5, 0.9)),
                               [(0.15 + 0.25 + 0.05) / 3])
    # default levels: the seven quantile levels; all quantiles 0, y = 1 -> mean level 0.5
    np.testing.assert_allclose(bt.pinball(np.zeros((7, 2)), np.array([1.0, 0.0])), [0.5, 0.0])
    # all quantiles 2, y = 0 -> mean of (1 - level) x 2
    levels = np.array([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
    np.testing.assert_allclose(bt.pinball(np.full((7, 1), 2.0), np.array([0.0])),
                               [((1 - levels) * 2).mean()])


SCALE_GLOBAL = 2.0  # one in-sample seasonal-naive MAE for the series (mase_global)


def _points() -> pd.DataFrame:
    """Hand-made backtest points: absolute error ``ae`` (the truth is ``ae`` above a median
    of 0), interval hits (a hit puts ``y`` inside the bounds, a miss outside), CRPS,
    pinball and the seasonal-naive scales."""
    cols = ["model", "horizon", "ae", "crps", "pinball", "scale_mae", "scale_mse",
            "hit50", "hit80", "hit90"]
    rows = [
        ("snaive", 1, 2, 1.0, 0.5, 2, 4, True, True, True),
        ("snaive", 1, 4, 3.0, 1.5, 2, 4, False, True, True),
        ("snaive", 2, 6, 2.0, 1.0, 3, 9, False, True, True),
        ("snaive", 2, 6, 2.0, 1.0, 6, 36, False, False, True),
        ("ets", 1, 1, 0.5, 0.2, 2, 4, True, True, True),
        ("ets", 1, 1, 1.5, 0.4, 2, 4, True, True, True),
        ("ets", 2, 3, 4.0, 2.0, 3, 9, False, False, True),
        ("ets", 2, 9, 1.0, 2.0, 6, 36, False, True, True),
    ]
    h = pd.DataFrame(rows, columns=cols)
    p = h[["model", "horizon", "crps", "pinball"]].copy()
    p["median"] = 0.0
    p["y"] = h["ae"].astype(float)
    for k in (50, 80, 90):
        hit = h[f"hit{k}"].to_numpy()
        p[f"lo{k}"] = np.where(hit, p["y"] - 1.0, p["y"] + 1.0)
        p[f"hi{k}"] = np.where(hit, p["y"] + 1.0, p["y"] + 2.0)
    p["scale_mae"] = h["scale_mae"].astype(float)
    p["scale_mse"] = h["scale_mse"].astype(float)
    p["scale_global"] = SCALE_GLOBAL
    p["origin"] = pd.Timestamp("2019-01-01")
    return p


def _result(points=None, seconds=None):
    return bt.BacktestResult("syn", _points() if points is None else points,
                             {"ets": 1.5} if seconds is None else seconds)


def test_table_by_hand():
    tab = _result().table()
    assert list(tab.columns) == ["model", "horizon", "n", *bt.METRICS, "rel_mae", "rel_crps"]
    assert list(zip(tab["model"], tab["horizon"], strict=True)) == [
        ("ets", 1), ("ets", 2), ("snaive", 1), ("snaive", 2)]
    t = tab.set_index(["model", "horizon"])
    expected = {
        # n, mae, mase, mase_global, rmsse, crps, pinball, cov50, cov80, cov90, rel_mae, rel_crps
        ("ets", 1): (2, 1.0, 0.5, 0.5, 0.5, 1.0, 0.3, 1.0, 1.0, 1.0, 1 / 3, 0.5),
        ("ets", 2): (2, 6.0, 1.25, 3.0, np.sqrt((1 + 2.25) / 2), 2.5, 2.0, 0.0, 0.5, 1.0, 1.0,
                     1.25),
        ("snaive", 1): (2, 3.0, 1.5, 1.5, np.sqrt(2.5), 2.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0),
        ("snaive", 2): (2, 6.0, 1.5, 3.0, np.sqrt(2.5), 2.0, 1.0, 0.0, 0.5, 1.0, 1.0, 1.0),
    }
    for key, vals in expected.items():
        got = t.loc[key, ["n", *bt.METRICS, "rel_mae", "rel_crps"]].to_numpy(float)
        np.testing.assert_allclose(got, vals, rtol=1e-12, err_msg=str(key))


def test_summary_pools_horizons_and_sorts_by_crps():
    s = _result().summary((1, 2))
    assert list(s["model"]) == ["ets", "snaive"]  # CRPS 1.75 < 2.0
    assert list(s.columns) == ["model", "n", *bt.METRICS, "rel_mae", "rel_crps", "seconds"]
    e = s.set_index("model").loc["ets"]
    assert e["n"] == 4 and e["mae"] == pytest.approx(3.5) and e["crps"] == pytest.approx(1.75)
    assert e["rel_mae"] == pytest.approx(3.5 / 4.5) and e["rel_crps"] == pytest.approx(1.75 / 2)
    assert e["mase"] == pytest.approx((0.5 + 0.5 + 1 + 1.5) / 4)
    assert e["seconds"] == 1.5
    assert np.isnan(s.set_index("model").loc["snaive", "seconds"])  # not timed: NA, not 0
    assert s.index.tolist() == [0, 1]
    one = _result().summary((1,)).set_index("model")
    assert one.loc["ets", "n"] == 2 and one.loc["ets", "rel_crps"] == pytest.approx(0.5)
    pd.testing.assert_frame_equal(_result().summary(), s)  # default horizons 1..6


def test_summary_orders_the_best_crps_first_whatever_the_input_order():
    p = _points()
    p.loc[p["model"] == "ets", "crps"] += 10  # ets now worse than snaive
    s = _result(p).summary((1, 2))
    assert list(s["model"]) == ["snaive", "ets"]


def test_no_relative_columns_without_seasonal_naive():
    p = _points()
    p = p[p["model"] == "ets"]
    tab = _result(p).table()
    assert list(tab.columns) == ["model", "horizon", "n", *bt.METRICS]
    s = _result(p).summary((1, 2))
    assert "rel_crps" not in s.columns and s["crps"].item() == pytest.approx(1.75)


def test_relative_pairs_each_horizon_with_its_own_reference():
    p = _points()
    p.loc[(p["model"] == "snaive") & (p["horizon"] == 2), "crps"] = 5.0
    t = _result(p).table().set_index(["model", "horizon"])
    assert t.loc[("ets", 2), "rel_crps"] == pytest.approx(2.5 / 5.0)
    assert t.loc[("ets", 1), "rel_crps"] == pytest.approx(1.0 / 2.0)


def test_skill_weights_are_inverse_crps():
    res = _result()
    w = bt.skill_weights(res, members=("ets", "snaive"), horizons=(1, 2))
    # 1 / 1.75 = 4/7 and 1 / 2: normalised 8/15 and 7/15
    assert w == pytest.approx({"ets": 8 / 15, "snaive": 7 / 15})
    assert list(w) == ["ets", "snaive"] and all(isinstance(v, float) for v in w.values())
    w1 = bt.skill_weights(res, members=("snaive", "ets"), horizons=(1,))
    assert w1 == pytest.approx({"snaive": 1 / 3, "ets": 2 / 3})
    assert bt.skill_weights(res, members=("ets",), horizons=(1, 2)) == {"ets": 1.0}
    with pytest.raises(ModelError) as err:
        bt.skill_weights(res, members=("ets", "prophet", "sarimax"))
    assert str(err.value) == "skill_weights: the backtest has no model(s) ['prophet', 'sarimax']"
    assert set(bt.skill_weights(_result(), members=("ets", "snaive"))) == {"ets", "snaive"}


def test_a_horizon_without_seasonal_naive_keeps_its_rows():
    p = _points()
    p = p[~((p["model"] == "snaive") & (p["horizon"] == 2))]
    t = _result(p).table().set_index(["model", "horizon"])
    assert ("ets", 2) in t.index and np.isnan(t.loc[("ets", 2), "rel_crps"])
    assert t.loc[("ets", 1), "rel_crps"] == pytest.approx(0.5)


def test_interval_hits_count_only_truths_inside_both_bounds():
    # below the interval, on the lower bound, inside, on the upper bound, above: 3 of 5
    p = pd.DataFrame({"y": [0.0, 1.0, 2.0, 3.0, 4.0], "lo80": 1.0, "hi80": 3.0})
    assert bt._hits(80)(p) == pytest.approx(3 / 5)
    assert bt._hits(80)(p.iloc[[0, 4]]) == 0.0  # outside on either side is a miss


def test_a_user_metrics_dict_replaces_the_default_metrics():
    mine = {"max_ae": lambda p: float((p["y"] - p["median"]).abs().max())}
    tab = bt.performance_metrics(_points(), ["model"], mine)
    assert list(tab.columns) == ["model", "n", "max_ae"]
    assert tab.set_index("model")["max_ae"].to_dict() == {"ets": 9.0, "snaive": 6.0}
    assert list(bt.performance_metrics(_points(), ["model"]).columns) == ["model", "n",
                                                                          *bt.METRICS]


def test_seasonal_naive_scale_by_hand():
    ins = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    # lag 1: differences 1, 2, 3, 4 -> MAE 2.5, MSE 30 / 4
    assert bt._snaive_scale(ins, 1) == pytest.approx((2.5, 7.5))
    # lag 2: differences 3, 5, 7 -> MAE 5, MSE 83 / 3
    assert bt._snaive_scale(ins, 2) == pytest.approx((5.0, 83 / 3))
    # a month not reported drops the differences it enters: only 7 - 4 is left
    assert bt._snaive_scale(np.array([1.0, np.nan, 4.0, 7.0]), 1) == pytest.approx((3.0, 9.0))
    mae, mse = bt._snaive_scale(np.array([1.0, np.nan, 3.0]), 2)
    assert (mae, mse) == pytest.approx((2.0, 4.0))
    assert all(np.isnan(bt._snaive_scale(np.array([np.nan, 1.0, np.nan]), 1)))
