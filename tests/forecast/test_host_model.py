"""The pooled host-arrivals model: leakage, calibration, surges, monthly split, errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast import datasets
from forecast import host_model as hm
from forecast.errors import ModelError, ScenarioError, SchemaError

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "data" / "surges"
SMALL = hm.HostModelConfig(n_estimators=40, num_leaves=7, min_child_samples=20, calib_years=2,
                           learning_rate=0.15)


def _dyads_module():
    spec = importlib.util.spec_from_file_location("planner_data_dyads", REPO / "data" / "dyads.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def synthetic(n_pairs: int = 120, years=range(1990, 2016), sd: float = 0.5, beta: float = 0.8,
              seed: int = 1) -> pd.DataFrame:
    """A panel with a known law: z[t+1] = 0.6 z[t] + 0.4 mu + beta * dlog1p(fatalities) +
    N(0, sd) on log1p(arrivals); half the pairs share a land border."""
    rng = np.random.default_rng(seed)
    rows = []
    years = list(years)
    n_orig = 12
    fat = {o: np.exp(rng.normal(5, 1.5) + np.cumsum(rng.normal(0, 0.6, len(years))))
           for o in range(n_orig)}
    for i in range(n_pairs):
        o = i % n_orig
        mu = rng.uniform(3, 9)
        z = mu
        lf = np.log1p(fat[o])
        for k, y in enumerate(years):
            if k > 0:
                z = 0.6 * z + 0.4 * mu + beta * (lf[k] - lf[k - 1]) + rng.normal(0, sd)
            rows.append({"origin_iso3": f"O{o:02d}", "asylum_iso3": f"H{i:03d}", "year": y,
                         "arrivals": float(np.round(np.expm1(max(z, 0)))),
                         "stock": float(np.round(np.expm1(max(z, 0)) * 3)),
                         "distance_km": 500.0 + 40 * i, "land_border": i % 2,
                         "o_fatalities": float(np.round(fat[o][k])), "o_battle_deaths": np.nan,
                         "o_temp_anom_c": 0.5 + 0.02 * k, "o_outflow": np.nan,
                         "a_inflow": np.nan})
    d = pd.DataFrame(rows)
    d["o_outflow"] = d.groupby(["origin_iso3", "year"])["arrivals"].transform("sum")
    d["a_inflow"] = d["arrivals"]
    return d


@pytest.fixture(scope="module")
def synth():
    return synthetic()


@pytest.fixture(scope="module")
def fitted(synth):
    return hm.fit_host_model(synth, 2012, seed=3, config=SMALL)


def test_no_leakage_values_after_the_origin_change_nothing(synth, fitted):
    bad = synth.copy()
    late = bad["year"] > 2012
    rng = np.random.default_rng(0)
    for c in ("arrivals", "stock", "o_fatalities", "o_outflow", "a_inflow", "o_temp_anom_c"):
        bad.loc[late, c] = rng.uniform(0, 1e7, late.sum())
    m2 = hm.fit_host_model(bad, 2012, seed=3, config=SMALL)
    hosts = ["H000", "H012", "H024"]
    a = hm.predict_annual(fitted, "O00", hosts, 2, n_paths=50)
    b = hm.predict_annual(m2, "O00", hosts, 2, n_paths=50)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    assert a.data_end_year == 2012 and set(a.paths["year"]) == {2013, 2014}


def test_intervals_are_calibrated_on_a_known_distribution():
    d = synthetic(n_pairs=240, sd=0.6, beta=0.0, seed=5)
    m = hm.fit_host_model(d, 2010, seed=0, config=SMALL)
    idx = np.arange(len(m.panel.pairs))
    lv, z = hm.sample_pairs(m, idx, 1, n_paths=400, seed=1)
    full = hm.make_panel(d)
    actual = np.log1p(full.arr[idx, 2011 - 1990])
    lo, hi = np.quantile(z, [0.1, 0.9], axis=1)
    cov = np.mean((actual >= lo) & (actual <= hi))
    assert 0.72 <= cov <= 0.88, cov
    # the truth's own 80% interval has half-width 1.28 * sd: the model's is of that order
    assert 0.6 * 2 * 1.28 * 0.6 < np.median(hi - lo) < 1.6 * 2 * 1.28 * 0.6


def test_conflict_response_is_monotone_and_not_zero(fitted):
    hosts = [f"H{i:03d}" for i in range(0, 120, 12)]
    med = []
    for k in (0.0, 0.5, 1.0, 2.0, 5.0, 20.0):
        lv = hm.point_forecast(fitted, "O00", hosts, 2, conflict_multiplier=k)
        med.append(lv.sort_values(["host", "h"])["level"].to_numpy())
    med = np.array(med)
    assert np.all(np.diff(med, axis=0) >= -1e-12)
    r = hm.conflict_response(fitted, "O00", hosts, 5.0)
    assert (r["change"] > 0.01).any()


def test_same_seed_same_paths_and_new_seed_new_paths(synth, fitted):
    m2 = hm.fit_host_model(synth, 2012, seed=3, config=SMALL)
    a = hm.predict_annual(fitted, "O01", ["H001"], 2, n_paths=80, seed=11)
    b = hm.predict_annual(m2, "O01", ["H001"], 2, n_paths=80, seed=11)
    c = hm.predict_annual(m2, "O01", ["H001"], 2, n_paths=80, seed=12)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    assert not a.paths["arrivals"].equals(c.paths["arrivals"])


def test_surge_rule_reproduces_the_catalogue_from_raw_rows():
    dy = _dyads_module()
    raw = pd.read_csv(FIXTURES / "flows_raw_extract.csv", keep_default_na=False, na_values=[""])
    flows = raw.rename(columns={"coo_iso": "origin_iso3", "coa_iso": "asylum_iso3"})
    flows["arrivals"] = flows[["refugees", "asylum_seekers"]].sum(axis=1, min_count=1)
    got = dy.find_surges(flows)
    got = got[got["year"] >= 2008]  # the extract starts in 2005: earlier bases are cut
    cat = datasets.load_surge_catalogue()
    pairs = set(zip(flows["origin_iso3"], flows["asylum_iso3"], strict=True))
    mine = np.array([(o, a) in pairs for o, a in zip(cat["origin_iso3"], cat["asylum_iso3"],
                                                     strict=True)])
    want = cat[mine & (cat["year"] >= 2008).to_numpy()]
    key = ["origin_iso3", "asylum_iso3", "year"]
    g = got.sort_values(key).reset_index(drop=True)
    w = want.sort_values(key).reset_index(drop=True)
    assert list(g["year"]) == list(w["year"]) and len(g) >= 4
    for c in ("base", "mult_y0", "mult_y1", "mult_y2", "mult_y3"):
        np.testing.assert_allclose(g[c].to_numpy(float), w[c].to_numpy(float), rtol=1e-3)
    assert "Afghanistan->Tajikistan 2021" in set(cat["name"])
    # nothing below the floor or the ratio is a surge
    assert (cat["arrivals_y0"] >= 5000).all() and (cat["mult_y0"] >= 3).all()


def test_surge_scales_the_baseline_by_the_analogue(fitted):
    cat = pd.DataFrame({"name": ["A->B 2000"], "land_border": [1], "mult_y0": [4.0],
                        "mult_y1": [0.5], "mult_y2": [np.nan], "mult_y3": [np.nan]})
    base = hm.predict_annual(fitted, "O00", ["H000"], 2, n_paths=60)
    s = hm.apply_surge(base, cat, "A->B 2000")
    assert s.analogue == "A->B 2000" and "A->B 2000" in s.scenario
    ratio = s.paths["arrivals"].sum() / base.paths["arrivals"].sum()
    assert 0.5 < ratio < 4.0
    y1 = base.paths["year"] == base.data_end_year + 1
    np.testing.assert_allclose(s.paths.loc[y1, "arrivals"],
                               np.round(base.paths.loc[y1, "arrivals"] * 4.0))
    p90 = hm.surge_multipliers(datasets.load_surge_catalogue(), hm.SURGE_P90, 2)
    assert p90.shape == (2,) and p90[0] >= 3


def test_monthly_split_keeps_annual_sums_exactly():
    rng = np.random.default_rng(4)
    annual = pd.DataFrame({"host": "TJK", "year": np.repeat([2026, 2027], 50),
                           "path": np.tile(np.arange(50), 2),
                           "arrivals": rng.integers(0, 100_000, 100).astype(float)})
    prof = np.array([1, 1, 2, 3, 4, 4, 3, 3, 2, 1, 1, 1], dtype=float)
    for profile in ("flat", "observed", prof):
        m = hm.monthly_split(annual, profile)
        assert (m["value"] == np.round(m["value"])).all() and (m["value"] >= 0).all()
        s = m.groupby([m["path"], m["ds"].dt.year])["value"].sum()
        want = annual.set_index(["path", "year"])["arrivals"]
        assert (s.sort_index().to_numpy() == want.sort_index().to_numpy()).all()
        assert set(m.columns) == {"series_id", "ds", "model", "scenario", "path", "value"}
        assert (m["ds"].dt.day == 1).all()
    m = hm.monthly_split(annual, prof)
    may = m[m["ds"].dt.month == 5]["value"].sum()
    jan = m[m["ds"].dt.month == 1]["value"].sum()
    assert may > 3 * jan


def test_observed_profile_sums_to_one():
    ds = pd.date_range("2010-01-01", "2012-12-01", freq="MS")
    h = pd.DataFrame({"series_id": "s", "ds": ds, "y": 10.0 + ds.month})
    w = hm.observed_profile(h)
    assert w.shape == (12,) and abs(w.sum() - 1) < 1e-12 and w[11] > w[0]


def test_unknown_analogue_names_the_allowed_values():
    cat = datasets.load_surge_catalogue()
    with pytest.raises(ScenarioError, match="unknown analogue 'Mars->Venus 2030'.*allowed"):
        hm.surge_multipliers(cat, "Mars->Venus 2030")


def test_edited_catalogue_missing_column_names_file_and_column(tmp_path):
    cat = pd.read_csv(REPO / "forecast" / "data" / "surge_catalogue.csv").drop(columns=["mult_y1"])
    f = tmp_path / "my_catalogue.csv"
    cat.to_csv(f, index=False)
    with pytest.raises(SchemaError, match=r"my_catalogue\.csv.*mult_y1"):
        datasets.load_surge_catalogue(f)


def test_malformed_user_host_series_names_file_field_and_line(tmp_path, synth):
    f = tmp_path / "tjk_series.csv"
    f.write_text("origin_iso3,asylum_iso3,year,arrivals\nO00,H000,2011,120\nO00,H000,2012,lots\n")
    with pytest.raises(SchemaError, match=r"tjk_series\.csv: column 'arrivals'.*line 3"):
        hm.with_user_series(synth, f)
    f.write_text("origin_iso3,asylum_iso3,yr,arrivals\nO00,H000,2011,120\n")
    with pytest.raises(SchemaError, match=r"tjk_series\.csv: column 'year'.*missing"):
        hm.with_user_series(synth, f)
    f.write_text("origin_iso3,asylum_iso3,year,arrivals\nO00,H000,2011,999\nO00,H000,2012,\n")
    d = hm.with_user_series(synth, f)
    row = d[(d["asylum_iso3"] == "H000") & (d["year"].isin([2011, 2012]))]
    assert row["arrivals"].iloc[0] == 999 and np.isnan(row["arrivals"].iloc[1])


def test_bad_scenario_inputs(fitted):
    with pytest.raises(ScenarioError, match="allowed hosts for O00"):
        hm.predict_annual(fitted, "O00", ["H001"])
    with pytest.raises(ScenarioError, match="conflict_multiplier"):
        hm.predict_annual(fitted, "O00", ["H000"], conflict_multiplier=[1.0, np.nan])
    with pytest.raises(ModelError, match="horizon_years"):
        hm.predict_annual(fitted, "O00", ["H000"], horizon_years=3)
    with pytest.raises(ScenarioError, match="profile"):
        hm.monthly_split(pd.DataFrame({"host": ["X"], "year": [2020], "path": [0],
                                       "arrivals": [5.0]}), "seasonal")


def test_shipped_dyads_count_arrivals_as_documented():
    d = datasets.load_dyads()
    r = d[(d["origin_iso3"] == "AFG") & (d["asylum_iso3"] == "TJK")].set_index("year")
    assert r.at[2024, "arrivals"] == 5307 and r.at[2025, "arrivals"] == 1876
    both = d[["new_refugees", "new_asylum_seekers"]].sum(axis=1, min_count=1)
    pd.testing.assert_series_equal(both, d["arrivals"], check_names=False)
    assert not (d["arrivals"] == 0).any()  # UNHCR lists no zero flows: NA stays NA
    assert set(d["land_border"]) <= {0, 1}
