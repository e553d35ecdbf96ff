"""Protocol conformance and invariants of every model."""

from __future__ import annotations

import forecast_synth as synth
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import drivers as drv
from forecast.errors import ModelError
from forecast.models import (
    MODEL_NAMES,
    QUANTILES,
    Model,
    Predictive,
    combine,
    make_model,
    model_rng,
)

H = 6


@pytest.fixture(scope="module")
def data():
    d = synth.drivers()
    h = synth.history(drv=d)
    z = pd.Series(np.log1p(h["y"].to_numpy()), index=pd.DatetimeIndex(h["ds"]))
    obs = drv.observed(d, z.index[-1])
    X = drv.feature_frame(obs, z.index)
    fut = pd.DataFrame({c: obs[c].iloc[-1] for c in obs.columns},
                       index=pd.date_range(z.index[-1] + pd.offsets.MonthBegin(1), periods=H,
                                           freq="MS"))
    Xf = drv.future_feature_frame(obs, fut)
    return z, X, Xf


@pytest.fixture(scope="module")
def fitted(data):
    z, X, _ = data
    out = {}
    for name in MODEL_NAMES:
        m = make_model(name)
        out[name] = m.fit(z, X if m.uses_drivers else None)
    return out


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_protocol_conformance(name, data, fitted):
    z, X, Xf = data
    m = fitted[name]
    assert isinstance(m, Model)
    assert m.name == name
    p = m.predict(H, Xf if m.uses_drivers else None, 50, model_rng(0, name))
    assert isinstance(p, Predictive)
    assert p.loc.shape == (H,) and p.scale.shape == (H,) and p.paths.shape == (50, H)
    assert np.all(np.isfinite(p.paths)) and np.all(p.scale > 0)
    q = p.quantiles()
    assert q.shape == (len(QUANTILES), H)
    assert np.all(q >= 0) and np.all(np.diff(q, axis=0) >= 0)
    assert np.all(p.path_values() >= 0)
    # the median sits within the bulk of the paths (intervals and paths agree)
    frac = (p.path_values() <= q[3]).mean()
    assert 0.3 < frac < 0.7
    # update on a longer history keeps working (the backtest fast path)
    m2 = make_model(name).fit(z.iloc[:-12], X.iloc[:-12] if m.uses_drivers else None)
    m2.update(z, X if m.uses_drivers else None)
    p2 = m2.predict(H, Xf if m.uses_drivers else None, 20, model_rng(0, name))
    assert p2.paths.shape == (20, H)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_deterministic_given_seed(name, data, fitted):
    _, _, Xf = data
    m = fitted[name]
    a = m.predict(H, Xf if m.uses_drivers else None, 30, model_rng(7, name))
    b = m.predict(H, Xf if m.uses_drivers else None, 30, model_rng(7, name))
    c = m.predict(H, Xf if m.uses_drivers else None, 30, model_rng(8, name))
    np.testing.assert_array_equal(a.paths, b.paths)
    np.testing.assert_array_equal(a.quantiles(), b.quantiles())
    assert not np.array_equal(a.paths, c.paths)


def test_refit_is_deterministic(data, fitted):
    z, X, Xf = data
    for name in ("sarimax", "prophet", "ets"):
        # a second fit on the same data, as the module's fit was made, forecasts the same
        d = make_model(name).uses_drivers
        a = fitted[name].predict(H, Xf if d else None, 10, model_rng(0, name))
        b = make_model(name).fit(z, X if d else None).predict(H, Xf if d else None, 10,
                                                              model_rng(0, name))
        np.testing.assert_array_equal(a.quantiles(), b.quantiles())


def test_driver_models_respond_to_future_drivers(data, fitted):
    _, _, Xf = data
    shocked = Xf.assign(conflict_l1=Xf["conflict_l1"] + 2.0)
    for name in ("sarimax", "prophet"):
        base = fitted[name].predict(H, Xf, 10, model_rng(0, name)).loc
        new = fitted[name].predict(H, shocked, 10, model_rng(0, name)).loc
        # synthetic y rises with fatalities: the estimated effect must be positive
        assert np.all(new > base), name


def test_sarimax_paths_match_forecast_variance(data):
    z, X, Xf = data
    m = make_model("sarimax", tails="gaussian").fit(z, X)
    p = m.predict(H, Xf, 4000, model_rng(1, "sarimax"))
    np.testing.assert_allclose(p.paths.std(axis=0), p.scale, rtol=0.1)
    np.testing.assert_allclose(p.paths.mean(axis=0), p.loc, atol=0.1 * p.scale.max())


def test_errors():
    with pytest.raises(ModelError, match="unknown model 'arima'"):
        make_model("arima")
    with pytest.raises(ModelError, match="call fit"):
        make_model("naive").predict(3, None, 10, model_rng(0, "naive"))
    short = pd.Series(np.ones(10), index=pd.date_range("2000-01-01", periods=10, freq="MS"))
    with pytest.raises(ModelError, match="at least"):
        make_model("ets").fit(short, None)
    z = pd.Series(np.r_[np.ones(40), np.nan],
                  index=pd.date_range("2000-01-01", periods=41, freq="MS"))
    with pytest.raises(ModelError, match="last period of history is NA"):
        make_model("naive").fit(z, None)


def test_combine_errors_and_weights():
    rng = np.random.default_rng(0)
    p = Predictive(np.zeros(3), np.ones(3), rng.normal(size=(10, 3)))
    q = Predictive(np.full(3, 5.0), np.ones(3), 5 + rng.normal(size=(10, 3)))
    with pytest.raises(ModelError, match="weights must be"):
        combine({"a": p}, {"a": -1.0}, rng)
    with pytest.raises(ModelError, match="none of the weighted"):
        combine({"a": p}, {"b": 1.0}, rng)
    only_q = combine({"a": p, "b": q}, {"a": 0.0, "b": 1.0}, np.random.default_rng(1))
    np.testing.assert_allclose(only_q.quantiles(), q.quantiles(), rtol=1e-6)


@settings(max_examples=60, deadline=None)
@given(locs=st.lists(st.floats(-3, 12), min_size=1, max_size=3),
       scales=st.lists(st.floats(0.01, 3), min_size=3, max_size=3),
       wts=st.lists(st.floats(0.01, 1), min_size=3, max_size=3))
def test_quantiles_never_cross_nor_negative(locs, scales, wts):
    k = len(locs)
    h = 4
    L = np.array(locs)[:, None] + np.linspace(0, 1, h)[None]
    S = np.array(scales[:k])[:, None] * np.ones(h)
    w = np.array(wts[:k])
    preds = {str(i): Predictive(L[i], S[i], np.tile(L[i], (5, 1))) for i in range(k)}
    mix = combine(preds, {str(i): w[i] for i in range(k)}, np.random.default_rng(0))
    for p in (*preds.values(), mix):
        q = p.quantiles()
        assert np.all(q >= 0)
        assert np.all(np.diff(q, axis=0) >= 0)


@settings(max_examples=40, deadline=None)
@given(nus=st.lists(st.sampled_from([2.1, 3.5, 7.0, 30.0, float("inf")]), min_size=3, max_size=3),
       seed=st.integers(0, 2**16))
def test_mixture_quantiles_equal_the_scipy_stats_bisection(nus, seed):
    """The mixture's quantiles call scipy.special.stdtr directly (faster); they must be
    bit-identical to the same bisection through scipy.stats.t.cdf."""
    from scipy import stats

    from forecast.models.base import _mixture_quantiles

    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(3))
    locs, scales = rng.normal(5, 2, (3, 6)), rng.uniform(0.05, 2, (3, 6))
    nus, ts = np.array(nus), rng.uniform(0.5, 2, 3)
    q = np.array(QUANTILES)
    s = scales * ts[:, None]
    lo = (locs - 60 * s).min(axis=0)[None, :].repeat(len(q), 0)
    hi = (locs + 60 * s).max(axis=0)[None, :].repeat(len(q), 0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        cdf = np.einsum("k,qkh->qh", w, stats.t.cdf((mid[:, None, :] - locs[None]) / s[None],
                                                    nus[None, :, None]))
        lo, hi = np.where(cdf < q[:, None], mid, lo), np.where(cdf < q[:, None], hi, mid)
    np.testing.assert_array_equal(_mixture_quantiles(w, locs, scales, nus, ts, q),
                                  0.5 * (lo + hi))


def test_recent_volatility_scales_intervals(data):
    from forecast.models.base import recent_volatility

    calm_then_wild = np.r_[np.ones(100), np.full(36, 3.0)]
    assert recent_volatility(calm_then_wild, 36) > 1.5
    assert recent_volatility(calm_then_wild[::-1], 36) < 0.7
    assert recent_volatility(calm_then_wild, None) == 1.0
    z, _, _ = data
    wide = make_model("naive").fit(z, None)
    local = make_model("naive", vol_window=24).fit(z, None)
    ratio = local.sigma_ / wide.sigma_
    assert ratio == pytest.approx(recent_volatility(np.diff(z.to_numpy()), 24))


def test_student_t_tails():
    from scipy.stats import t as student_t

    from forecast.models.base import PATH_TRUNCATION, fit_tails

    rng = np.random.default_rng(0)
    nu, s = fit_tails(rng.standard_t(3, size=3000) * 0.7)
    assert 2.5 <= nu < 4.5 and s == pytest.approx(0.7, rel=0.15)
    nu_g, _ = fit_tails(rng.standard_normal(3000))
    assert nu_g > 20
    assert fit_tails(np.ones(5)) == (float("inf"), 1.0)
    g = Predictive(np.zeros(4), np.ones(4), rng.standard_normal((5000, 4)))
    t = g.with_tails(3.0, 0.6)
    q = t.quantiles((0.1, 0.5, 0.9))
    z90 = student_t.ppf(0.9, 3) * 0.6
    np.testing.assert_allclose(np.log1p(q[2]), z90, rtol=1e-6)
    cap = student_t.ppf(PATH_TRUNCATION, 3) * 0.6
    assert np.abs(t.paths).max() <= cap + 1e-12
    # the paths have the Student-t marginal: their 90% quantile matches
    assert np.quantile(t.paths[:, 0], 0.9) == pytest.approx(z90, rel=0.1)
    # ... and keep the ranks of the engine's paths (Gaussian copula)
    order = np.argsort(g.paths[:, 0])
    assert (np.diff(t.paths[order, 0]) >= 0).all()


def test_tails_option(data):
    z, _, _ = data
    with pytest.raises(ModelError, match="tails"):
        make_model("naive", tails="cauchy")
    g = make_model("naive", tails="gaussian").fit(z, None)
    assert g.nu_ == float("inf") and g.tscale_ == 1.0
