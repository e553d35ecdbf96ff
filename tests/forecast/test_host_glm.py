"""The negative-binomial GLM member of the host model's combination (off by default),
the ``x_*`` origin-year covariates hook, and the IDMC reader of the backtest (the
k-member combination is pinned by hand in test_host_model_pins.py).

Small synthetic panels only (the law is known); a few seconds in all.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import nbinom

from forecast import host_model as hm
from forecast.errors import ModelError, SchemaError

REPO = Path(__file__).resolve().parents[2]
SMALL = hm.HostModelConfig(n_estimators=20, num_leaves=7, min_child_samples=20, calib_years=2,
                           learning_rate=0.2, glm_rows=None)
ONE = SMALL.with_(horizons=(1,), calib_years=1)  # the cheapest fit, for equality checks
GLM1 = SMALL.with_(combine_glm=True, calib_years=1)


def synthetic(n_pairs: int = 60, years=range(1990, 2014), seed: int = 2) -> pd.DataFrame:
    """log1p arrivals follow an AR(1) around a pair mean; an origin-year count
    ``x_disp`` (NaN before 2000: not reported) rides on the origin's level."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_pairs):
        o = i % 6
        mu = rng.uniform(3, 8)
        z = mu
        for k, y in enumerate(years):
            if k:
                z = 0.6 * z + 0.4 * mu + rng.normal(0, 0.5)
            rows.append({"origin_iso3": f"O{o}", "asylum_iso3": f"H{i:02d}", "year": y,
                         "arrivals": float(np.round(np.expm1(max(z, 0)))),
                         "land_border": i % 2, "distance_km": 400.0 + 25 * i,
                         "o_fatalities": float(100 + 30 * o + 5 * k),
                         "x_disp": np.nan if y < 2000 else float(1000 * (o + 1) + 10 * k)})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def synth():
    return synthetic()


@pytest.fixture(scope="module")
def with_glm(synth):
    return hm.fit_host_model(synth, 2010, seed=1, config=GLM1)


# ----------------------------------------------------------------------------- off by default
def test_the_glm_is_off_by_default_and_its_settings_change_nothing_when_off(synth):
    assert hm.HostModelConfig().combine_glm is False
    base = hm.fit_host_model(synth, 2010, seed=1, config=ONE)
    off = hm.fit_host_model(synth, 2010, seed=1,
                            config=ONE.with_(glm_rows=7, glm_point="mean", glm_by_border=True))
    # asked for, but without the combination there is nothing to join
    nocomb = hm.fit_host_model(synth, 2010, seed=1,
                               config=ONE.with_(combine=False, combine_glm=True))
    assert base.glms is None and off.glms is None and nocomb.glms is None
    assert base.weights[1].ndim == 1
    hosts = ["H00", "H06"]
    a = hm.predict_annual(base, "O0", hosts, 1, n_paths=30)
    b = hm.predict_annual(off, "O0", hosts, 1, n_paths=30)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    assert hm.member_names(SMALL) == ("model", "persist")
    assert hm._booster_key(SMALL.with_(combine_glm=True, glm_rows=5)) == hm._booster_key(SMALL)


# ----------------------------------------------------------------------------- on
def test_with_the_glm_the_combination_has_a_third_member_and_finite_medians(with_glm):
    assert set(with_glm.glms) == {1, 2}
    assert hm.member_names(with_glm.config) == ("model", "persist", "glm")
    for h in (1, 2):
        w = with_glm.weights[h]
        assert w.shape == (len(with_glm.panel.pairs), 3)
        np.testing.assert_allclose(w.sum(axis=1), 1.0)
        assert (w[:, 2] > 0).all()
    fc = hm.predict_annual(with_glm, "O1", ["H01", "H07", "H13"], 2, n_paths=40)
    med = fc.quantiles[fc.quantiles["quantile"] == 0.5]["arrivals"].to_numpy()
    assert len(med) == 6 and np.all(np.isfinite(med)) and np.all(med >= 0)


def test_the_combined_point_is_the_weighted_mean_of_the_three_members(with_glm):
    m = with_glm
    idx = np.array([m.panel.index("O2", "H02"), m.panel.index("O3", "H09")])
    got = hm.point_forecast_pairs(m, idx, 1)["level"].to_numpy()
    raw = hm.point_forecast_pairs(dataclasses.replace(m, weights=None), idx, 1)["level"]
    j = len(m.panel.years) - 1
    X = hm.features_at(hm._sub(m.panel, idx), j, 1, fut_fat=hm._l(m.panel.fat[idx, j]),
                       fut_temp=m.panel.temp[idx, j])
    g = m.glms[1].level(X)
    w = m.weights[1][idx]
    want = w[:, 0] * raw.to_numpy() + w[:, 1] * X["zlast"].to_numpy() + w[:, 2] * g
    np.testing.assert_allclose(got, want)


def test_no_leakage_with_the_glm_garbage_after_the_origin_changes_nothing(synth, with_glm):
    bad = synth.copy()
    late = bad["year"] > 2010
    rng = np.random.default_rng(0)
    for c in ("arrivals", "o_fatalities", "x_disp"):
        bad.loc[late, c] = rng.uniform(0, 1e7, late.sum())
    m2 = hm.fit_host_model(bad, 2010, seed=1, config=GLM1)
    hosts = ["H00", "H06", "H12"]
    a = hm.predict_annual(with_glm, "O0", hosts, 2, n_paths=30)
    b = hm.predict_annual(m2, "O0", hosts, 2, n_paths=30)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    for h in (1, 2):
        np.testing.assert_array_equal(with_glm.glms[h].params, m2.glms[h].params)


def test_the_glm_does_not_move_with_a_scenario(with_glm):
    """The GLM has no scenario covariate: the conflict lever acts through the boosted
    member only, so the combination's response is that of the model times its weight."""
    m = with_glm
    idx = np.array([m.panel.index("O4", "H04")])
    j = len(m.panel.years) - 1
    sub = hm._sub(m.panel, idx)
    g1 = m.glms[1].level(hm.features_at(sub, j, 1, fut_fat=hm._l(sub.fat[:, j])))
    g5 = m.glms[1].level(hm.features_at(sub, j, 1, fut_fat=hm._l(5 * sub.fat[:, j])))
    np.testing.assert_array_equal(g1, g5)
    lo = hm.point_forecast_pairs(m, idx, 1, conflict_multiplier=1.0)["level"].to_numpy()
    hi = hm.point_forecast_pairs(m, idx, 1, conflict_multiplier=5.0)["level"].to_numpy()
    assert np.all(hi >= lo - 1e-12)


# ----------------------------------------------------------------------------- the GLM itself
def _nb_rows(n: int = 4000, seed: int = 0, alpha: float = 0.5):
    rng = np.random.default_rng(seed)
    zlast = rng.uniform(0, 6, n)
    border = (rng.uniform(size=n) < 0.5).astype(float)
    mu = np.exp(0.5 + 0.9 * zlast + 0.7 * border)
    r = 1 / alpha
    y = rng.negative_binomial(r, r / (r + mu))
    X = pd.DataFrame({"zlast": zlast, "border": border, "fut_dfat": 0.0, "fut_dtemp": 0.0})
    return X, np.log1p(y.astype(float))


CFG2 = hm.HostModelConfig(features=("zlast", "border", "fut_dfat", "fut_dtemp"), glm_rows=None)


def test_the_glm_recovers_a_known_negative_binomial_law():
    X, y = _nb_rows()
    g = hm.fit_glm(X, y, CFG2, seed=0)
    assert g.columns == ("zlast", "border") and g.converged and g.n == 4000
    slope = g.params[1:] / g.scale  # back from standardised units
    np.testing.assert_allclose(slope, [0.9, 0.7], atol=0.06)
    assert abs(g.alpha - 0.5) < 0.08
    # the median point is log1p of the NB median at the fitted mean, by scipy
    mu = g.mean(X.iloc[:5])
    r = 1 / g.alpha
    np.testing.assert_allclose(g.level(X.iloc[:5]), np.log1p(nbinom.median(r, r / (r + mu))))
    np.testing.assert_allclose(g.level(X.iloc[:5], "mean"), np.log1p(mu))
    with pytest.raises(ModelError, match="glm_point"):
        g.level(X.iloc[:5], "mode")


def test_missing_values_enter_as_zero_plus_an_indicator_never_as_data():
    X, y = _nb_rows(2000, seed=3)
    X.loc[X.index[::7], "zlast"] = np.nan
    g = hm.fit_glm(X, y, CFG2, seed=0)
    assert g.columns == ("zlast", "zlast_na", "border")
    D = g.design(X)
    assert np.all(np.isfinite(D)) and D.shape == (2000, 4)
    np.testing.assert_array_equal(D[::7, 2] > 0, True)  # the indicator is on, standardised
    assert np.all(np.isfinite(g.level(X)))


def test_subsample_is_seeded_and_a_glm_per_border_class_has_its_own_dispersion():
    X, y = _nb_rows(3000, seed=5)
    a = hm.fit_glm(X, y, CFG2.with_(glm_rows=1000), seed=4)
    b = hm.fit_glm(X, y, CFG2.with_(glm_rows=1000), seed=4)
    c = hm.fit_glm(X, y, CFG2.with_(glm_rows=1000), seed=5)
    assert a.n == 1000
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    # border rows drawn with far more dispersion than the rest
    rng = np.random.default_rng(9)
    bor = X["border"].to_numpy() == 1
    mu = np.exp(0.5 + 0.9 * X["zlast"].to_numpy())
    al = np.where(bor, 3.0, 0.3)
    cnt = rng.negative_binomial(1 / al, (1 / al) / (1 / al + mu))
    gb = hm.fit_glm(X, np.log1p(cnt.astype(float)), CFG2.with_(glm_by_border=True), seed=0)
    assert isinstance(gb, hm.GlmByBorder) and set(gb.by_class) == {0, 1}
    assert gb.by_class[1].alpha > 4 * gb.by_class[0].alpha
    Q = gb.quantiles(X.iloc[:6], [0.1, 0.5, 0.9])
    assert Q.shape == (6, 3) and np.all(np.diff(Q, axis=1) >= 0)
    k = X.index[:6][bor[:6]][0]
    np.testing.assert_allclose(gb.quantiles(X.loc[[k]], [0.5]),
                               gb.by_class[1].quantiles(X.loc[[k]], [0.5]))


# ----------------------------------------------------------------------------- x_* covariates
def test_extra_origin_year_covariates_are_log1p_features_and_na_stays_na(synth):
    p = hm.make_panel(synth, 2010)
    assert set(p.extra) == {"x_disp"}
    F = hm.features_at(p, 2005 - 1990)
    i = p.index("O2", "H02")
    assert F.at[i, "x_disp"] == pytest.approx(np.log1p(3000 + 10 * 15))
    assert np.isnan(hm.features_at(p, 1995 - 1990).at[i, "x_disp"])  # not reported: NaN
    sub = hm._sub(p, np.array([i]))
    np.testing.assert_array_equal(sub.extra["x_disp"], p.extra["x_disp"][[i]])
    # a model that uses it: garbage after the origin changes nothing
    cfg = ONE.with_(features=hm.FEATURES + ("x_disp",), combine_glm=True)
    bad = synth.copy()
    bad.loc[bad["year"] > 2010, "x_disp"] = 9e9
    a = hm.predict_annual(hm.fit_host_model(synth, 2010, 1, cfg), "O2", ["H02"], 1, n_paths=20)
    b = hm.predict_annual(hm.fit_host_model(bad, 2010, 1, cfg), "O2", ["H02"], 1, n_paths=20)
    pd.testing.assert_frame_equal(a.paths, b.paths)


# ----------------------------------------------------------------------------- IDMC reader
@functools.cache
def _backtest():
    spec = importlib.util.spec_from_file_location("host_backtest_mod",
                                                  REPO / "benchmarks" / "host_backtest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_idmc_reader_sums_causes_and_keeps_unreported_as_na(tmp_path):
    bt = _backtest()
    f = tmp_path / "idmc.csv"
    f.write_text("geo,t,cause,n\nAFG,2018,conflict,100\nAFG,2018,drought,40\n"
                 "AFG,2018,flood,5\nAFG,2019,flood,0\nPAK,2019,conflict,7\n")
    d = bt.read_idmc(f).set_index(["origin_iso3", "year"])
    assert list(d.columns) == list(bt.IDMC_FEATURES)
    assert d.loc[("AFG", 2018)].tolist() == [100.0, 45.0, 40.0]
    r = d.loc[("AFG", 2019)]
    assert np.isnan(r["x_idmc_conflict"]) and r["x_idmc_disaster"] == 0.0
    assert np.isnan(r["x_idmc_drought"])
    assert d.loc[("PAK", 2019), "x_idmc_conflict"] == 7.0
    assert np.isnan(d.loc[("PAK", 2019), "x_idmc_disaster"])


@pytest.mark.parametrize("text, match", [
    ("geo,t,n\nAFG,2018,1\n", r"missing column\(s\) \['cause'\]"),
    ("geo,t,cause,n\nAFG,2018,conflict,1\nAFG,2019,conflict,many\n", r"'n'.*'many' on line 3"),
    ("geo,t,cause,n\nAFG,2018,conflict,-4\n", r"'n'.*on line 2"),
    ("geo,t,cause,n\n,2018,conflict,4\n", r"'geo': empty on line 2"),
])
def test_idmc_reader_names_the_file_column_and_line(tmp_path, text, match):
    bt = _backtest()
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(SchemaError, match=match) as e:
        bt.read_idmc(f)
    assert "bad.csv" in str(e.value)
