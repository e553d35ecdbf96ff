"""The decision functions of the pooled host model pinned by hand: Mondrian bins and
conformal draws, quantiles, surge multipliers, the monthly split.

No booster is fitted except in the last tests (one tiny model, a few trees on a
small synthetic panel): the interval machinery is fed hand-made calibration errors
through a stand-in model that holds only what it reads (``residuals``,
``panel.border``), so every expected figure is an order statistic or a count.
"""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pandas as pd
import pytest

from forecast import host_model as hm
from forecast.errors import ModelError, ScenarioError, SchemaError

L30, L300, L3000 = np.log1p(30.0), np.log1p(300.0), np.log1p(3000.0)


# ----------------------------------------------------------------------------- bins
def test_bins_are_level_classes_then_shifted_by_four_across_a_land_border():
    lv = np.array([0.0, L30 - 1e-9, L30, L300 + 0.1, L3000, 20.0])
    np.testing.assert_array_equal(hm._bin(lv), [0, 0, 1, 2, 3, 3])  # an edge goes up
    border = np.array([1, 0, 1, np.nan, 1, 0])  # an unknown border is not a land border
    np.testing.assert_array_equal(hm._bin(lv, border), [4, 0, 5, 2, 7, 3])


# ----------------------------------------------------------------------------- draws
def _stand_in(resid: dict[int, pd.DataFrame], border) -> types.SimpleNamespace:
    return types.SimpleNamespace(residuals=resid,
                                 panel=types.SimpleNamespace(border=np.asarray(border, float)))


def _errors(bins_values: dict[int, np.ndarray], h2=None) -> dict[int, pd.DataFrame]:
    """Calibration errors: pair i, origin 2000, bin and resid per row; h2: errors of
    horizon 2 for the same rows (same pairs and origin)."""
    rows = []
    for b, vals in bins_values.items():
        rows.append(pd.DataFrame({"bin": b, "resid": vals}))
    r = pd.concat(rows, ignore_index=True)
    r.insert(0, "origin", 2000)
    r.insert(0, "pair", np.arange(len(r)))
    out = {1: r}
    if h2 is not None:
        out[2] = r.assign(resid=h2(r["resid"].to_numpy()))
    return out


def _levels(h, level, pair=0) -> pd.DataFrame:
    return pd.DataFrame({"pair": pair, "h": h, "level": level})


def test_each_bin_draws_from_its_own_errors():
    # bin 0: errors in [-1, 0]; bin 1: errors in [5, 6]; 40 each
    resid = _errors({0: np.linspace(-1, 0, 40), 1: np.linspace(5, 6, 40)})
    m = _stand_in(resid, np.zeros(80))
    lv = _levels(np.array([1, 1]), np.array([1.0, L30 + 0.5]), pair=np.array([0, 1]))
    e = hm._draw_resid(m, lv, 300, np.random.default_rng(0))
    assert e.shape == (2, 300)
    assert e[0].min() >= -1 and e[0].max() <= 0
    assert e[1].min() >= 5 and e[1].max() <= 6
    # marginal quantiles of the draws are those of the bin's errors
    assert np.median(e[1]) == pytest.approx(5.5, abs=0.1)


def test_a_bin_with_fewer_than_thirty_errors_borrows_every_error():
    resid = _errors({0: np.linspace(-1, 0, 29), 1: np.linspace(5, 6, 40)})
    m = _stand_in(resid, np.zeros(69))
    e = hm._draw_resid(m, _levels(np.array([1]), np.array([1.0])), 400,
                       np.random.default_rng(1))
    assert e.min() < 0 and e.max() > 5  # pooled: both clusters appear
    resid30 = _errors({0: np.linspace(-1, 0, 30), 1: np.linspace(5, 6, 40)})
    e30 = hm._draw_resid(_stand_in(resid30, np.zeros(70)),
                         _levels(np.array([1]), np.array([1.0])), 400, np.random.default_rng(1))
    assert e30.max() <= 0  # exactly 30: its own errors


def test_a_land_border_pair_draws_from_the_border_bin():
    resid = _errors({0: np.linspace(-1, 0, 40), 4: np.linspace(5, 6, 40)})
    m = _stand_in(resid, [0, 1])  # pair 1 is across a land border
    lv = _levels(np.array([1, 1]), np.array([1.0, 1.0]), pair=np.array([0, 1]))
    e = hm._draw_resid(m, lv, 200, np.random.default_rng(2))
    assert e[0].max() <= 0 and e[1].min() >= 5


def test_horizons_are_joined_by_the_copula_of_the_same_pairs_errors():
    vals = np.random.default_rng(3).normal(size=60)
    lv = _levels(np.array([1, 2]), np.array([1.0, 1.0]))
    for sign in (1, -1):
        resid = _errors({0: vals}, h2=lambda r, s=sign: s * 2 * r)
        e = hm._draw_resid(_stand_in(resid, np.zeros(60)), lv, 500, np.random.default_rng(4))
        rho = np.corrcoef(np.argsort(np.argsort(e[0])), np.argsort(np.argsort(e[1])))[0, 1]
        assert rho == pytest.approx(sign, abs=0.05)


def test_draws_cover_the_calibration_errors_quantiles():
    vals = np.arange(100, dtype=float)  # errors 0..99: the 10% and 90% quantiles 9.9, 89.1
    resid = _errors({0: vals})
    e = hm._draw_resid(_stand_in(resid, np.zeros(100)), _levels(np.array([1]), np.array([1.0])),
                       4000, np.random.default_rng(5))
    lo, hi = np.quantile(e[0], [0.1, 0.9])
    assert lo == pytest.approx(9.9, abs=2.0) and hi == pytest.approx(89.1, abs=2.0)
    assert e.min() >= 0 and e.max() <= 99


# ----------------------------------------------------------------------------- quantiles
def test_quantiles_over_paths_are_order_statistics():
    paths = pd.DataFrame({"host": "TJK", "year": [2026] * 5 + [2027] * 5,
                          "path": list(range(5)) * 2,
                          "arrivals": [5.0, 1.0, 4.0, 2.0, 3.0, 10, 10, 10, 10, 10]})
    q = hm.quantiles_of(paths).set_index(["year", "quantile"])["arrivals"]
    assert q[(2026, 0.5)] == 3.0 and q[(2026, 0.25)] == 2.0 and q[(2026, 0.75)] == 4.0
    assert q[(2026, 0.05)] == pytest.approx(1.2) and q[(2026, 0.95)] == pytest.approx(4.8)
    assert (q.loc[2027] == 10.0).all() and len(q) == 14
    q2 = hm.quantiles_of(paths, (0.0, 1.0))
    assert list(q2["arrivals"]) == [1.0, 5.0, 10.0, 10.0] and set(q2["host"]) == {"TJK"}


def test_per_year_levers():
    np.testing.assert_array_equal(hm._per_year(2.0, 3, "k"), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(hm._per_year([1.0, 3.0, 9.0], 2, "k"), [1.0, 3.0])
    with pytest.raises(ScenarioError, match=r"k: give one finite number or one per forecast "
                                            r"year \(3 values\), got \[1.0, 2.0\]"):
        hm._per_year([1.0, 2.0], 3, "k")
    with pytest.raises(ScenarioError, match="temperature_delta"):
        hm._per_year([1.0, np.inf], 2, "temperature_delta")


# ----------------------------------------------------------------------------- surges
def _catalogue() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["A->B 2001", "A->C 2005", "D->E 2010", "F->G 2015", "H->I 2019"],
        "land_border": [1, 1, 0, 1, 1],
        "mult_y0": [3.0, 5.0, 100.0, 4.0, 6.0],
        "mult_y1": [1.0, 2.0, 100.0, np.nan, 3.0],
        "mult_y2": [0.5, np.nan, 100.0, np.nan, 1.0],
        "mult_y3": [0.2, np.nan, 100.0, np.nan, np.nan]})


def test_a_named_analogue_gives_its_own_multipliers_per_year():
    np.testing.assert_array_equal(hm.surge_multipliers(_catalogue(), "A->B 2001"), [3.0, 1.0])
    np.testing.assert_array_equal(hm.surge_multipliers(_catalogue(), "A->B 2001", 4),
                                  [3.0, 1.0, 0.5, 0.2])
    # F->G 2015 reports only its first year: fine for a 1-year forecast, an error for 2
    np.testing.assert_array_equal(hm.surge_multipliers(_catalogue(), "F->G 2015", 1), [4.0])
    with pytest.raises(ScenarioError, match=r"'F->G 2015' has no reported arrivals in its "
                                            r"year 1 \(mult_y1 empty\)"):
        hm.surge_multipliers(_catalogue(), "F->G 2015", 2)


def test_p90_is_over_land_border_surges_only_and_skips_gaps():
    got = hm.surge_multipliers(_catalogue(), hm.SURGE_P90, 3)
    # year 0: land-border values 3, 4, 5, 6 -> p90 = 5.7 (the non-border 100 is left out)
    # year 1: 1, 2, 3 (one gap) -> 2.8; year 2: 0.5, 1 -> 0.95
    np.testing.assert_allclose(got, [5.7, 2.8, 0.95])


def test_surge_inputs_are_checked():
    with pytest.raises(SchemaError, match=r"my.csv: missing column\(s\) \['mult_y3'\]"):
        hm.surge_multipliers(_catalogue().drop(columns="mult_y3"), "A->B 2001", source="my.csv")
    with pytest.raises(SchemaError, match=r"^surge catalogue: missing column\(s\) \['name'\]"):
        hm.surge_multipliers(_catalogue().drop(columns="name"), "A->B 2001")  # default source
    with pytest.raises(ScenarioError, match="multipliers for 4 years, asked 5"):
        hm.surge_multipliers(_catalogue(), "A->B 2001", 5)
    with pytest.raises(ScenarioError, match=r"unknown analogue 'A->Z 1999'.*5 names.*"
                                            r"e\.g\. \['A->B 2001', 'A->C 2005'\]"):
        hm.surge_multipliers(_catalogue(), "A->Z 1999")
    with pytest.raises(ScenarioError, match=r"unknown analogue 'Q->R'.*e\.g\. \['A->B 2001', "
                                            r"'A->C 2005', 'D->E 2010', 'F->G 2015', 'H->I"):
        hm.surge_multipliers(_catalogue(), "Q->R")


def _forecast() -> hm.AnnualForecast:
    paths = pd.DataFrame({"host": "TJK", "year": [2026, 2026, 2027, 2027], "path": [0, 1, 0, 1],
                          "arrivals": [100.0, 7.0, 50.0, 9.0]})
    return hm.AnnualForecast(paths, hm.quantiles_of(paths), "AFG", 2025)


def test_apply_surge_multiplies_each_forecast_year_by_its_multiplier():
    fc = _forecast()
    s = hm.apply_surge(fc, _catalogue(), "A->B 2001")
    # year 1 x mult_y0 = 3, year 2 x mult_y1 = 1; whole persons
    assert list(s.paths["arrivals"]) == [300.0, 21.0, 50.0, 9.0]
    s2 = hm.apply_surge(fc, _catalogue(), "H->I 2019")  # x6 then x3
    assert list(s2.paths["arrivals"]) == [600.0, 42.0, 150.0, 27.0]
    assert s.scenario == "surge like A->B 2001" and s.analogue == "A->B 2001"
    q = s.quantiles.set_index(["year", "quantile"])["arrivals"]
    assert q[(2026, 0.5)] == pytest.approx((300 + 21) / 2) and q[(2027, 0.5)] == 29.5
    assert list(fc.paths["arrivals"]) == [100.0, 7.0, 50.0, 9.0]  # the baseline is untouched
    half = hm.apply_surge(fc, pd.DataFrame({"name": ["X"], "land_border": [0],
                                            "mult_y0": [0.5], "mult_y1": [0.25],
                                            "mult_y2": [np.nan], "mult_y3": [np.nan]}), "X")
    assert list(half.paths["arrivals"]) == [50.0, 4.0, 12.0, 2.0]  # rounded half to even


# ----------------------------------------------------------------------------- months
def test_observed_profile_by_hand():
    ds = pd.date_range("2010-01-01", "2012-12-01", freq="MS")
    y = np.ones(len(ds))
    y[0] = 13.0  # 2010: January 13 of 24 -> 13/24, other months 1/24
    y[12:24] = 0.0  # 2011: a zero year is skipped
    h = pd.DataFrame({"series_id": "s", "ds": ds, "y": y})
    # 2012 is even (1/12 each); a third series' incomplete year is left out
    extra = pd.DataFrame({"series_id": "t", "ds": pd.date_range("2010-01-01", periods=11,
                                                                  freq="MS"), "y": 1000.0})
    w = hm.observed_profile(pd.concat([h, extra]))
    jan = (13 / 24 + 1 / 12) / 2
    other = (1 / 24 + 1 / 12) / 2
    want = np.array([jan] + [other] * 11)
    np.testing.assert_allclose(w, want / want.sum())
    np.testing.assert_allclose(hm.observed_profile(pd.concat([h, extra]), ["t", "s"]), w)
    with pytest.raises(SchemaError, match="no complete reported year"):
        hm.observed_profile(extra)
    with pytest.raises(SchemaError, match="no complete reported year"):  # only a zero year
        hm.observed_profile(h[h["ds"].dt.year == 2011])
    h2 = h.copy()
    h2.loc[5, "y"] = np.nan  # a missing month makes 2010 incomplete: only 2012 remains
    np.testing.assert_allclose(hm.observed_profile(h2), np.full(12, 1 / 12))


def _annual(values, host="TJK", year=2026) -> pd.DataFrame:
    return pd.DataFrame({"host": host, "year": year, "path": np.arange(len(values)),
                         "arrivals": np.asarray(values, dtype=float)})


def test_flat_split_by_hand():
    m = hm.monthly_split(_annual([13.0, 24.0, 0.0, 11.0]))
    v = m.pivot(index="path", columns="ds", values="value").to_numpy()
    # 13 = 12 x 1 + 1: the one left over goes to January (ties keep calendar order)
    np.testing.assert_array_equal(v[0], [2] + [1] * 11)
    np.testing.assert_array_equal(v[1], [2] * 12)
    np.testing.assert_array_equal(v[2], [0] * 12)
    np.testing.assert_array_equal(v[3], [1] * 11 + [0])
    assert list(m.columns) == ["series_id", "ds", "model", "scenario", "path", "value"]
    assert set(m["model"]) == {hm.MODEL_NAME} and set(m["scenario"]) == {"baseline"}
    assert list(m["ds"].iloc[:12]) == list(pd.date_range("2026-01-01", periods=12, freq="MS"))
    assert str(m["ds"].dtype) == "datetime64[ns]" and m["path"].dtype == np.int64


def test_weighted_split_gives_leftovers_to_the_largest_remainders():
    w = np.zeros(12)
    w[[0, 6]] = [1.0, 3.0]  # 10 persons by 1:3 -> exact 2.5 and 7.5: both remainders 0.5
    m = hm.monthly_split(_annual([10.0, 7.0]), w, model="x", scenario="y")
    v = m.pivot(index="path", columns="ds", values="value").to_numpy()
    np.testing.assert_array_equal(v[0, [0, 6]], [3, 7])
    # 7 by 1:3 -> 1.75 and 5.25: January's remainder 0.75 is larger: 2 and 5
    np.testing.assert_array_equal(v[1, [0, 6]], [2, 5])
    assert v[:, [1, 2, 3, 4, 5, 7, 8, 9, 10, 11]].sum() == 0
    assert set(m["model"]) == {"x"} and set(m["scenario"]) == {"y"}


def test_split_is_within_one_of_the_exact_share_and_sorted():
    rng = np.random.default_rng(7)
    w = rng.uniform(0, 1, 12)
    annual = pd.concat([_annual(rng.integers(0, 10_000, 30), "UZB", 2027),
                        _annual(rng.integers(0, 10_000, 30), "KGZ", 2026)], ignore_index=True)
    m = hm.monthly_split(annual, w)
    exact = np.repeat(annual["arrivals"].to_numpy(), 12) * np.tile(w / w.sum(), len(annual))
    key = pd.MultiIndex.from_arrays([np.repeat(annual["host"], 12), np.repeat(annual["path"], 12),
                                     np.tile(np.arange(1, 13), len(annual))])
    got = m.set_index(["series_id", "path", m["ds"].dt.month])["value"].reindex(key).to_numpy()
    assert np.all(np.abs(got - exact) < 1)
    assert m[["series_id", "path", "ds"]].equals(
        m[["series_id", "path", "ds"]].sort_values(["series_id", "path", "ds"]))
    assert list(m["series_id"].iloc[[0, -1]]) == ["KGZ", "UZB"]


@pytest.mark.parametrize("values", [[1.5], [-1.0], [np.nan]])
def test_split_refuses_non_persons(values):
    with pytest.raises(SchemaError) as err:
        hm.monthly_split(_annual(values))
    assert str(err.value) == ("annual paths: column 'arrivals' must be whole numbers >= 0 "
                              "(persons per year)")


@pytest.mark.parametrize("profile", [np.ones(11), -np.ones(12), np.zeros(12),
                                     np.r_[np.ones(11), np.nan],
                                     np.r_[2.0, -1.0, np.zeros(10)]])  # positive sum
def test_split_refuses_bad_weights(profile):
    with pytest.raises(ScenarioError, match="need 12 finite non-negative weights"):
        hm.monthly_split(_annual([12.0]), profile)


def test_split_names_missing_columns_and_unknown_profiles():
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['path'\]"):
        hm.monthly_split(_annual([12.0]).drop(columns="path"))
    with pytest.raises(ScenarioError, match="^profile: unknown profile 'lumpy'; allowed: 'flat', "
                                            "'observed' or 12 monthly weights$"):
        hm.monthly_split(_annual([12.0]), "lumpy")


def test_weights_of_zero_months_are_allowed():
    w = np.r_[np.zeros(11), 2.0]
    m = hm.monthly_split(_annual([5.0]), w)
    assert list(m["value"]) == [0] * 11 + [5]


# ----------------------------------------------------------------------------- predict
def _panel_frame() -> pd.DataFrame:
    """16 pairs of one origin 'O', 1995-2010; pair H03 reports only up to 2004."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(16):
        z = rng.uniform(3, 8)
        for y in range(1995, 2011):
            z = 0.7 * z + 0.3 * 5 + rng.normal(0, 0.4)
            arr = float(np.round(np.expm1(z)))
            if i == 3 and y > 2004:
                arr = np.nan
            rows.append({"origin_iso3": "O", "asylum_iso3": f"H{i:02d}", "year": y,
                         "arrivals": arr, "land_border": i % 2, "distance_km": 300.0 + 10 * i,
                         "o_fatalities": 100.0 + 10 * (y - 1995)})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def tiny():
    cfg = hm.HostModelConfig(n_estimators=5, num_leaves=4, min_child_samples=5, calib_years=2)
    return hm.fit_host_model(_panel_frame(), seed=1, config=cfg)


def test_predict_annual_paths_layout_years_and_notes(tiny):
    fc = hm.predict_annual(tiny, "O", ["H00", "H03"], horizon_years=2, n_paths=7, seed=4)
    p = fc.paths
    assert list(p.columns) == ["host", "year", "path", "arrivals"] and len(p) == 2 * 2 * 7
    assert set(p["year"]) == {2011, 2012} and fc.data_end_year == 2010
    assert sorted(p.groupby(["host", "year"])["path"].apply(list).iloc[0]) == list(range(7))
    assert (p["arrivals"] >= 0).all() and (p["arrivals"] == np.round(p["arrivals"])).all()
    assert p["year"].dtype == np.int64 and p["path"].dtype == np.int64
    pd.testing.assert_frame_equal(fc.quantiles, hm.quantiles_of(p))
    assert fc.origin == "O" and fc.scenario == "baseline"
    # H03 last reported in 2004, more than 4 years before 2010: named; H00 is not
    assert len(fc.notes) == 1 and fc.notes[0].startswith("H03: no UNHCR arrivals from O "
                                                         "reported since 2004")
    one = hm.predict_annual(tiny, "O", ["H00"], horizon_years=1, n_paths=3, scenario="x")
    assert set(one.paths["year"]) == {2011} and one.scenario == "x" and one.notes == ()


def test_predict_annual_seed_defaults_to_the_models(tiny):
    a = hm.predict_annual(tiny, "O", ["H01"], n_paths=20)
    b = hm.predict_annual(tiny, "O", ["H01"], n_paths=20, seed=tiny.seed)
    c = hm.predict_annual(tiny, "O", ["H01"], n_paths=20, seed=tiny.seed + 1)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    assert not a.paths["arrivals"].equals(c.paths["arrivals"])
    with pytest.raises(ModelError, match="n_paths must be >= 1"):
        hm.predict_annual(tiny, "O", ["H01"], n_paths=0)


# ----------------------------------------------------------------------------- combination
def test_combine_is_the_weighted_mean_or_the_model_where_persistence_is_missing():
    got = hm._combine(np.array([2.0, 4.0, 6.0, 8.0]), np.array([0.0, np.nan, 3.0, 5.0]),
                      np.array([0.25, 0.5, 1.0, 0.0]))
    # 0.25 x 2 + 0.75 x 0 = 0.5; no persistence: 4; w = 1: the model; w = 0: persistence
    np.testing.assert_allclose(got, [0.5, 4.0, 6.0, 5.0])


def _weights_panel(border) -> types.SimpleNamespace:
    """Stand-in panel: pairs 0, 1, 3 from origin O, 2 from P, 4 from Q, 5 from R."""
    return types.SimpleNamespace(
        pairs=pd.DataFrame({"origin_iso3": ["O", "O", "P", "O", "Q", "R"]}),
        border=np.asarray(border, dtype=float))


def _calib(rows) -> pd.DataFrame:
    """rows: (pair, model error, persistence error); actual 10 (log1p)."""
    r = pd.DataFrame(rows, columns=["pair", "em", "ep"])
    return pd.DataFrame({"pair": r["pair"], "model": 10.0 + r["em"],
                         "persist": 10.0 - r["ep"], "actual": 10.0})


def test_combination_weights_by_hand_without_shrinkage():
    # pairs 0-2, 4 off a land border, 3 across one, 5 unknown (= off a border)
    p = _weights_panel([0, 0, 0, 1, 0, np.nan])
    calib = pd.concat([_calib([(0, 1.0, 3.0), (0, 1.0, 1.0), (1, 1.0, 2.0), (2, 4.0, 0.0),
                               (3, 2.0, 1.0)]),
                       # no persistence forecast: left out (else P's error would be 100)
                       pd.DataFrame({"pair": [2], "model": [110.0], "persist": [np.nan],
                                     "actual": [10.0]})], ignore_index=True)
    w = hm.combination_weights(p, calib, shrink=0.0)
    # off-border class: model errors 1, 1, 1, 4 (mean 7/4), persistence 3, 1, 2, 0 (6/4):
    # w = 6^2 / (6^2 + 7^2) = 36/85 for origins with no rows of their own (Q, R)
    # O off-border: model mean 1, persistence mean 2: w = 4 / (4 + 1) = 0.8
    # P: persistence exact (0), model 4: w = 0; O across a border: 1 / (1 + 4) = 0.2
    np.testing.assert_allclose(w, [0.8, 0.8, 0.0, 0.2, 36 / 85, 36 / 85])


def test_combination_weights_shrink_an_origin_towards_its_border_class():
    p = _weights_panel([0, 0, 0, 1, 0, 0])
    calib = _calib([(0, 1.0, 3.0), (1, 1.0, 3.0), (2, 4.0, 1.0), (2, 4.0, 1.0)])
    # class means: model (1 + 1 + 4 + 4)/4 = 2.5, persistence (3 + 3 + 1 + 1)/4 = 2
    # O with 10 pseudo-rows: model (2 + 25)/12 = 9/4, persistence (6 + 20)/12 = 13/6
    o = (13 / 6) ** 2 / ((13 / 6) ** 2 + (9 / 4) ** 2)
    # P: model (8 + 25)/12 = 11/4, persistence (2 + 20)/12 = 11/6
    pw = (11 / 6) ** 2 / ((11 / 6) ** 2 + (11 / 4) ** 2)
    cls = 4 / (4 + 2.5 ** 2)
    want = [o, o, pw, 0.5, cls, cls]  # no border-class rows at all: an even 0.5
    np.testing.assert_allclose(hm.combination_weights(p, calib), want)  # default 10
    np.testing.assert_allclose(hm.combination_weights(p, calib, shrink=10.0), want)
    # with a huge shrinkage every origin takes its class's weight
    np.testing.assert_allclose(hm.combination_weights(p, calib, shrink=1e9),
                               [cls, cls, cls, 0.5, cls, cls])


def test_combination_weights_per_pair_shrink_a_pair_towards_its_origin():
    p = _weights_panel([0, 0, 0, 1, 0, 0])
    calib = _calib([(0, 1.0, 3.0), (1, 3.0, 1.0), (2, 4.0, 1.0), (2, 4.0, 1.0)])
    # no origin shrinkage: O's mean errors are model 2, persistence 2 (weight 0.5);
    # P's 4 and 1 (1/17); the off-border class's 3 and 1.5 (2.25 / 11.25 = 0.2)
    by_origin = [0.5, 0.5, 1 / 17, 0.5, 0.2, 0.2]
    np.testing.assert_allclose(hm.combination_weights(p, calib, shrink=0.0), by_origin)
    # one pseudo-row of O: pair 0 model (1 + 2)/2, persistence (3 + 2)/2; pair 1 mirrored
    w = hm.combination_weights(p, calib, shrink=0.0, pair_shrink=1.0)
    np.testing.assert_allclose(w, [6.25 / 8.5, 2.25 / 8.5, 1 / 17, 0.5, 0.2, 0.2])
    # no pseudo-rows: each pair's own record; infinitely many: its origin's weight
    np.testing.assert_allclose(hm.combination_weights(p, calib, shrink=0.0, pair_shrink=0.0),
                               [0.9, 0.1, 1 / 17, 0.5, 0.2, 0.2])
    np.testing.assert_allclose(hm.combination_weights(p, calib, shrink=0.0, pair_shrink=1e9),
                               by_origin)


def test_three_way_weights_and_combination_by_hand():
    p = _weights_panel([0, 0, 0, 1, 0, 0])
    # (pair, model, persistence, 3-year mean errors); actual 10; pair 1 has no 3-year mean
    e = pd.DataFrame([(0, 1.0, 2.0, 2.0), (1, 1.0, 2.0, np.nan), (2, 2.0, 1.0, 1.0)],
                     columns=["pair", "em", "ep", "e3"])
    calib = pd.DataFrame({"pair": e["pair"], "model": 10 + e["em"], "persist": 10 - e["ep"],
                          "mean3": 10 + e["e3"], "actual": 10.0})
    w = hm.combination_weights3(p, calib, shrink=0.0)
    # O: errors 1, 2, 2 -> 1/e^2 = 1, 1/4, 1/4; P: 2, 1, 1 -> 1/4, 1, 1
    # off-border class: (1+1+2)/3, (2+2+1)/3, (2+1)/2 -> 9/16, 9/25, 4/9 (pairs 4, 5)
    cls = np.array([9 / 16, 9 / 25, 4 / 9])
    want = np.array([[2 / 3, 1 / 6, 1 / 6], [2 / 3, 1 / 6, 1 / 6], [1 / 9, 4 / 9, 4 / 9],
                     [0.5, 0.5, 0.0], cls / cls.sum(), cls / cls.sum()])
    np.testing.assert_allclose(w, want)
    got = hm._combine(np.array([6.0, 6.0, 6.0]), np.array([3.0, 3.0, np.nan]), w[[0, 0, 0]],
                      np.array([0.0, np.nan, 0.0]))
    # 2/3 x 6 + 1/6 x 3 + 1/6 x 0; no 3-year mean: 0.8 x 6 + 0.2 x 3; no persistence: 6
    np.testing.assert_allclose(got, [4.5, 5.4, 6.0])


def test_settings_applied_after_boosting_share_the_cached_boosters():
    base = hm.HostModelConfig()
    post = base.with_(combine=False, combine_shrink=3.0, combine_pair_shrink=2.0,
                      center_residuals=True)
    assert hm._booster_key(post) == hm._booster_key(base) == base
    assert hm._booster_key(base.with_(n_estimators=10)) != base


def test_combination_weights_are_even_where_both_forecasts_were_exact():
    p = _weights_panel([0, 0, 0, 1, 1, 1])
    w = hm.combination_weights(p, _calib([(0, 0.0, 0.0), (3, 0.0, 0.0)]), shrink=0.0)
    np.testing.assert_allclose(w, np.full(6, 0.5))
    # an origin's exact record among others' errors: its errors shrunk to 0 locally
    w2 = hm.combination_weights(p, _calib([(0, 0.0, 0.0), (2, 1.0, 3.0)]), shrink=0.0)
    np.testing.assert_allclose(w2, [0.5, 0.5, 0.9, 0.5, 0.5, 0.5])


def test_point_forecasts_apply_each_horizons_weight_of_each_pair(tiny):
    frame = _panel_frame()
    idx = np.array([tiny.panel.index("O", h) for h in ("H05", "H00", "H03")])
    # persistence: log1p of 2010's arrivals; H03 has none in 2006-2010 (none to combine)
    last = frame[frame["year"] == 2010].set_index("asylum_iso3")["arrivals"]
    persist = np.log1p(last[["H05", "H00"]].to_numpy())
    raw = hm.point_forecast_pairs(dataclasses.replace(tiny, weights=None), idx, 2)
    assert list(raw["row"]) == [0, 1, 2, 0, 1, 2] and list(raw["h"]) == [1, 1, 1, 2, 2, 2]
    m = raw["level"].to_numpy().reshape(2, 3)  # horizon x pair
    n = len(tiny.panel.pairs)
    w1 = np.zeros(n)
    w1[idx] = [0.25, 1.0, 0.0]  # horizon 1: by pair
    weights = {1: w1, 2: np.full(n, 0.5)}
    got = hm.point_forecast_pairs(dataclasses.replace(tiny, weights=weights), idx, 2)
    lv = got["level"].to_numpy().reshape(2, 3)
    np.testing.assert_allclose(lv[0], [0.25 * m[0, 0] + 0.75 * persist[0], m[0, 1], m[0, 2]])
    np.testing.assert_allclose(lv[1], [(m[1, 0] + persist[0]) / 2, (m[1, 1] + persist[1]) / 2,
                                       m[1, 2]])
    assert np.isfinite(lv).all()
    # the fitted model holds one weight in [0, 1] per pair and horizon, and uses them
    assert set(tiny.weights) == {1, 2}
    assert all(len(v) == n and ((v >= 0) & (v <= 1)).all() for v in tiny.weights.values())
    fitted = hm.point_forecast_pairs(tiny, idx, 1)["level"].to_numpy()
    w = tiny.weights[1][idx]
    np.testing.assert_allclose(fitted, [*(w[:2] * m[0, :2] + (1 - w[:2]) * persist), m[0, 2]])


def test_a_negative_conflict_multiplier_is_refused_zero_is_allowed(tiny):
    idx = np.array([tiny.panel.index("O", "H01")])
    for k in (-0.5, [1.0, -1.0]):
        with pytest.raises(ScenarioError, match=r"^conflict_multiplier: must be >= 0, got "):
            hm.point_forecast_pairs(tiny, idx, 2, conflict_multiplier=k)
    zero = hm.point_forecast_pairs(tiny, idx, 2, conflict_multiplier=0.0)
    assert np.isfinite(zero["level"]).all()


def test_a_host_never_reported_is_named_as_such(tiny):
    arr = tiny.panel.arr.copy()
    arr[tiny.panel.index("O", "H03")] = np.nan  # H03 never reported
    never = dataclasses.replace(tiny, panel=dataclasses.replace(tiny.panel, arr=arr))
    fc = hm.predict_annual(never, "O", ["H00", "H03"], horizon_years=1, n_paths=3)
    assert fc.notes == ("H03: no UNHCR arrivals from O reported since ever; the forecast is the "
                        "model's prior for an unreported corridor",)


def test_combination_weights_for_small_errors_and_one_border_class_only():
    # log1p errors below 1 (the usual case): still inverse squared errors, not an even 0.5
    p = _weights_panel([1, 1, 1, 1, 1, 1])  # every pair across a land border
    w = hm.combination_weights(p, _calib([(0, 0.2, 0.4), (2, 0.3, 0.2)]), shrink=0.0)
    cls = 0.3 ** 2 / (0.3 ** 2 + 0.25 ** 2)  # class means: model 0.25, persistence 0.3
    pw = 0.2 ** 2 / (0.2 ** 2 + 0.3 ** 2)
    np.testing.assert_allclose(w, [0.8, 0.8, pw, 0.8, cls, cls])  # O: 0.16 / (0.16 + 0.04)
    # no off-border rows at all: the border class is still weighted (Q and R by class)
    p2 = _weights_panel([1, 1, 0, 1, 1, 1])
    w2 = hm.combination_weights(p2, _calib([(0, 0.2, 0.4), (4, 0.6, 0.2)]), shrink=0.0)
    # class: model 0.4, persistence 0.3 -> 0.09 / 0.25; P off the border: no class rows
    np.testing.assert_allclose(w2, [0.8, 0.8, 0.5, 0.8, 0.1, 0.36])


def test_the_conflict_lever_acts_and_more_conflict_never_lowers_the_forecast(tiny):
    idx = np.array([tiny.panel.index("O", h) for h in ("H01", "H02")])

    def levels(k):
        return hm.point_forecast_pairs(tiny, idx, 2, conflict_multiplier=k)["level"].to_numpy()

    base, double, tenfold = levels(1.0), levels(2.0), levels(10.0)
    assert np.all(double > base) and np.all(tenfold > double)  # fitted elasticities are > 0
    # a multiplier for year 2 only leaves the year-1 forecast (rows h = 1) unchanged
    late = levels([1.0, 10.0])
    np.testing.assert_allclose(late[:2], base[:2])
    assert np.all(late[2:] > base[2:])


def test_point_forecast_defaults_horizon_checks_and_layout(tiny):
    idx = np.array([tiny.panel.index("O", "H01")])
    got = hm.point_forecast_pairs(tiny, idx)  # defaults: 2 years, conflict as now, no warming
    assert list(got["h"]) == [1, 2]
    pd.testing.assert_index_equal(got.index, pd.RangeIndex(2))
    explicit = hm.point_forecast_pairs(tiny, idx, 2, conflict_multiplier=1.0,
                                       temperature_delta=0.0)
    pd.testing.assert_frame_equal(got, explicit)
    # more conflict moves the default (the lever acts on this model: elasticities > 0)
    assert not np.allclose(got["level"],
                           hm.point_forecast_pairs(tiny, idx, conflict_multiplier=2.0)["level"])
    for h in (0, 3):  # the model has horizons 1 and 2
        with pytest.raises(ModelError, match=rf"^horizon_years must be in 1\.\.2, got {h}$"):
            hm.point_forecast_pairs(tiny, idx, h)
    for name in ("conflict_multiplier", "temperature_delta"):
        with pytest.raises(ScenarioError, match=rf"^{name}: give one finite number or one per "
                                                r"forecast year \(2 values\)"):
            hm.point_forecast_pairs(tiny, idx, 2, **{name: [1.0, np.inf]})


def test_pairs_are_forecast_independently_of_each_other(tiny):
    a, b = tiny.panel.index("O", "H01"), tiny.panel.index("O", "H02")
    fat = tiny.panel.fat.copy()
    fat[b] *= 50.0  # another origin's worth of fatalities on pair b
    m = dataclasses.replace(tiny, panel=dataclasses.replace(tiny.panel, fat=fat))
    for k in (1.0, 3.0):
        both = hm.point_forecast_pairs(m, np.array([a, b]), 2, conflict_multiplier=k)
        alone = hm.point_forecast_pairs(m, np.array([a]), 2, conflict_multiplier=k)
        np.testing.assert_allclose(both.loc[both["pair"] == a, "level"], alone["level"])


def test_the_temperature_lever_adds_its_elasticity_per_degree_and_year(tiny):
    # the tiny panel has no temperature: give every pair a known anomaly (0.3 deg C) and
    # the scenario layer a temperature elasticity of 0.5 log1p units per deg C
    temp = np.full_like(tiny.panel.temp, 0.3)
    members = {h: dataclasses.replace(mb, elasticity={c: (e[0], e[1], 0.5, *e[3:])
                                                      for c, e in mb.elasticity.items()})
               for h, mb in tiny.boosters.items()}
    m = dataclasses.replace(tiny, weights=None, boosters=members,
                            panel=dataclasses.replace(tiny.panel, temp=temp))
    idx = np.array([tiny.panel.index("O", h) for h in ("H00", "H01")])  # both border classes
    base = hm.point_forecast_pairs(m, idx, 2)["level"].to_numpy()
    warm = hm.point_forecast_pairs(m, idx, 2, temperature_delta=[1.0, -2.0])["level"].to_numpy()
    # rows: h = 1 (two pairs), then h = 2: +1 deg C x 0.5, then -2 deg C x 0.5
    np.testing.assert_allclose(warm - base, [0.5, 0.5, -1.0, -1.0])


def test_quantiles_of_keeps_the_order_in_which_hosts_and_years_first_appear():
    """Hosts in the paths' own order (TJK before KAZ), not sorted: the tables and charts
    list hosts as the caller chose them."""
    from forecast import host_model

    paths = pd.DataFrame({"host": ["TJK", "TJK", "KAZ", "KAZ"], "year": [2027, 2026, 2027, 2026],
                          "path": [0, 0, 0, 0], "arrivals": [4.0, 3.0, 2.0, 1.0]})
    q = host_model.quantiles_of(paths, (0.5,))
    assert list(zip(q["host"], q["year"], strict=True)) == [
        ("TJK", 2027), ("TJK", 2026), ("KAZ", 2027), ("KAZ", 2026)]
    assert q["arrivals"].tolist() == [4.0, 3.0, 2.0, 1.0]


def test_observed_profile_takes_a_year_of_one_person():
    """A complete year whose total is one person (all in March) is a real year: its share
    counts (only a zero year has no shape)."""
    from forecast import host_model

    ds = pd.date_range("2020-01-01", periods=12, freq="MS")
    y = np.zeros(12)
    y[2] = 1.0
    w = host_model.observed_profile(pd.DataFrame({"series_id": "s", "ds": ds, "y": y}))
    expected = np.zeros(12)
    expected[2] = 1.0
    np.testing.assert_allclose(w, expected)


def test_a_single_joint_error_is_drawn_for_both_horizons():
    """One pair with one error per horizon: the copula has one row to draw (row 0), and
    every path takes that pair's errors."""
    resid = _errors({0: np.array([0.5])}, h2=lambda r: 2 * r)
    e = hm._draw_resid(_stand_in(resid, np.zeros(1)), _levels(np.array([1, 2]),
                                                             np.array([1.0, 1.0])),
                       50, np.random.default_rng(7))
    np.testing.assert_allclose(e[0], 0.5)
    np.testing.assert_allclose(e[1], 1.0)


def test_three_member_weights_reach_the_three_year_mean(tiny):
    """Weights (model, persistence, 3-year mean) of (0, 0, 1): the point forecast is the
    log1p of the mean arrivals reported in the last three years (2008-2010), by hand."""
    frame = _panel_frame()
    idx = np.array([tiny.panel.index("O", h) for h in ("H05", "H00")])
    n = len(tiny.panel.pairs)
    w = np.tile([0.0, 0.0, 1.0], (n, 1))
    got = hm.point_forecast_pairs(dataclasses.replace(tiny, weights={1: w, 2: w}), idx, 1)
    recent = frame[frame["year"].between(2008, 2010)]
    want = [np.log1p(recent.loc[recent["asylum_iso3"] == h, "arrivals"].mean())
            for h in ("H05", "H00")]
    np.testing.assert_allclose(got["level"].to_numpy(), want)


# ----------------------------------------------------------------------------- k members (NB GLM)
def test_four_member_combination_by_hand():
    w = np.array([[0.4, 0.3, 0.2, 0.1]] * 3)
    got = hm._combine(np.array([4.0, 4.0, 4.0]), np.array([2.0, 2.0, np.nan]), w,
                      np.array([1.0, np.nan, 1.0]), np.array([3.0, 3.0, 3.0]))
    # 0.4 x 4 + 0.3 x 2 + 0.2 x 1 + 0.1 x 3; no 3-year mean: (1.6 + 0.6 + 0.3) / 0.8;
    # no persistence: the model alone
    np.testing.assert_allclose(got, [2.7, 2.5 / 0.8, 4.0])
    # with the GLM and three columns the third is the GLM, not the 3-year mean
    g3 = hm._combine(np.array([4.0]), np.array([2.0]), np.array([[0.5, 0.25, 0.25]]),
                     np.array([100.0]), np.array([0.0]))
    np.testing.assert_allclose(g3, [2.5])
    with pytest.raises(ModelError, match="weight columns"):
        hm._combine(np.array([1.0]), np.array([1.0]), np.array([[0.5, 0.5]]), None,
                    np.array([1.0]))


def test_k_member_weights_by_hand_and_three_member_weights_unchanged():
    pairs = pd.DataFrame({"origin_iso3": ["O", "O", "P"], "asylum_iso3": ["A", "B", "C"]})
    one = np.zeros((3, 1))
    p = hm.Panel(pairs, np.array([2000]), one, one, one, one, one, one, one,
                 np.array([0.0, 0.0, 0.0]), np.array([1.0, 1.0, 1.0]))
    # errors of (model, persist, mean3, glm) against actual 10
    calib = pd.DataFrame({"pair": [0, 1, 2], "actual": 10.0, "model": [11.0, 11.0, 12.0],
                          "persist": [8.0, 8.0, 9.0], "mean3": [12.0, 12.0, 11.0],
                          "glm": [10.5, 10.5, 14.0]})
    w = hm.combination_weights_k(p, calib, ("model", "persist", "mean3", "glm"), shrink=0.0)
    inv_o = np.array([1, 1 / 4, 1 / 4, 4])  # O: errors 1, 2, 2, 0.5
    inv_p = np.array([1 / 4, 1, 1, 1 / 16])  # P: errors 2, 1, 1, 4
    np.testing.assert_allclose(w, [inv_o / inv_o.sum(), inv_o / inv_o.sum(),
                                   inv_p / inv_p.sum()])
    np.testing.assert_allclose(hm.combination_weights3(p, calib, shrink=0.0),
                               hm.combination_weights_k(p, calib, ("model", "persist", "mean3"),
                                                        shrink=0.0))


class _ConstGlm:
    """A stand-in GLM member: level ``v`` for every row; records the point asked."""

    def __init__(self, v: float):
        self.v, self.points = v, []

    def level(self, X, point="median"):
        self.points.append(point)
        return np.full(len(X), self.v)


def test_four_member_weights_reach_the_glm_and_the_three_year_mean(tiny):
    frame = _panel_frame()
    idx = np.array([tiny.panel.index("O", h) for h in ("H05", "H00")])
    n = len(tiny.panel.pairs)
    g = _ConstGlm(3.5)
    cfg = tiny.config.with_(glm_point="mean")

    def level(w, horizon=1):
        m = dataclasses.replace(tiny, config=cfg, weights={1: w, 2: w}, glms={1: g, 2: g})
        got = hm.point_forecast_pairs(m, idx, horizon)
        return got.loc[got["h"] == horizon, "level"].to_numpy()

    np.testing.assert_allclose(level(np.tile([0.0, 0.0, 0.0, 1.0], (n, 1))), 3.5)
    np.testing.assert_allclose(level(np.tile([0.0, 0.0, 0.0, 1.0], (n, 1)), 2), 3.5)
    assert set(g.points) == {"mean"}  # the configured GLM point is the one asked for
    recent = frame[frame["year"].between(2008, 2010)]
    mean3 = [np.log1p(recent.loc[recent["asylum_iso3"] == h, "arrivals"].mean())
             for h in ("H05", "H00")]
    np.testing.assert_allclose(level(np.tile([0.0, 0.0, 1.0, 0.0], (n, 1))), mean3)
    # with a GLM and three columns the third weight is the GLM's
    np.testing.assert_allclose(level(np.tile([0.0, 0.0, 1.0], (n, 1))), 3.5)
    last = np.log1p(frame[frame["year"] == 2010].set_index("asylum_iso3")
                    .loc[["H05", "H00"], "arrivals"].to_numpy())
    np.testing.assert_allclose(level(np.tile([0.0, 0.5, 0.0, 0.5], (n, 1))), (last + 3.5) / 2)


def test_k_member_weights_shrink_by_default_ten_rows_and_errors_above_one():
    """Default ``shrink`` (10 pseudo-rows of the border class's mean error); every error
    is at least 2, so the inverse squared errors sum to less than 1 in each row."""
    pairs = pd.DataFrame({"origin_iso3": ["O", "O", "P"], "asylum_iso3": ["A", "B", "C"]})
    one = np.zeros((3, 1))
    p = hm.Panel(pairs, np.array([2000]), one, one, one, one, one, one, one,
                 np.zeros(3), np.ones(3))
    # errors (model, persist, glm): pair 0 (O) 2, 4, 3; pair 2 (P) 4, 2, 6; pair 1 none
    calib = pd.DataFrame({"pair": [0, 2], "actual": 0.0, "model": [2.0, 4.0],
                          "persist": [-4.0, -2.0], "glm": [3.0, 6.0]})
    w = hm.combination_weights_k(p, calib, ("model", "persist", "glm"))
    # class means 3, 3, 4.5; O: (2 + 30) / 11, (4 + 30) / 11, (3 + 45) / 11
    e_o = np.array([32.0, 34.0, 48.0]) / 11
    e_p = np.array([34.0, 32.0, 51.0]) / 11
    inv_o, inv_p = 1 / e_o ** 2, 1 / e_p ** 2
    assert inv_o.sum() < 1 and inv_p.sum() < 1
    np.testing.assert_allclose(w, [inv_o / inv_o.sum(), inv_o / inv_o.sum(),
                                   inv_p / inv_p.sum()])
    with pytest.raises(ModelError, match=r"^combination: 2 weight columns for 3 members$"):
        hm._combine(np.array([1.0]), np.array([1.0]), np.array([[0.5, 0.5]]), None,
                    np.array([1.0]))
