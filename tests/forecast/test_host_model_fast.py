"""The pooled host model's shortcuts give exactly what the plain computation gives:
the boosters' own training scores against ``predict``, the training rows of an
earlier cutoff against building them again, and (scenario changes) the quantiles,
the monthly split and the conformal draws against the straightforward pandas code
they replaced (kept here as the reference).

One tiny synthetic panel; a few trees; about a second in all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import host_model as hm
from forecast.errors import ModelError

TINY = hm.HostModelConfig(n_estimators=15, num_leaves=7, min_child_samples=10, calib_years=2,
                          learning_rate=0.2)


def panel_frame(n_pairs: int = 40, years=range(1990, 2012), seed: int = 4) -> pd.DataFrame:
    """log1p arrivals: an AR(1) around a pair mean, some years not reported (NaN)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_pairs):
        mu, z = rng.uniform(2, 8), 0.0
        for k, y in enumerate(years):
            z = mu if k == 0 else 0.5 * z + 0.5 * mu + rng.normal(0, 0.6)
            gap = rng.uniform() < 0.1
            rows.append({"origin_iso3": f"O{i % 5}", "asylum_iso3": f"H{i:02d}", "year": y,
                         "arrivals": np.nan if gap else float(np.round(np.expm1(max(z, 0)))),
                         "land_border": i % 2, "distance_km": 300.0 + 20 * i,
                         "o_fatalities": float(50 + 40 * (i % 5) + 7 * k),
                         "o_temp_anom_c": 0.3 + 0.01 * k})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def panel():
    return hm.make_panel(panel_frame())


@pytest.mark.parametrize("target", ["level", "change"])
def test_training_scores_are_exactly_the_boosters_predictions(panel, target):
    import lightgbm as lgb

    cfg = TINY.with_(target=target)
    X, y = hm._train_rows(panel, 1, 2008)
    yt = hm._target(X, y, cfg)
    b, scores = hm._train_booster(X, yt, cfg, seed=2)
    np.testing.assert_array_equal(scores, b.predict(X[hm._boost_features(cfg)].to_numpy(float)))
    # the booster itself is the one lgb.train returns by default
    params = {"objective": cfg.objective, "alpha": cfg.huber_alpha,
              "learning_rate": cfg.learning_rate, "num_leaves": cfg.num_leaves,
              "min_child_samples": cfg.min_child_samples,
              "monotone_constraints": [hm.MONOTONE.get(c, 0) for c in hm._boost_features(cfg)],
              "monotone_constraints_method": "intermediate", "max_bin": cfg.max_bin,
              "num_threads": 1, "seed": 2, "deterministic": True, "force_row_wise": True,
              "verbose": -1}
    plain = lgb.train(params, lgb.Dataset(X[hm._boost_features(cfg)], label=yt),
                      num_boost_round=cfg.n_estimators)
    assert b.model_to_string() == plain.model_to_string()
    # and the member's scenario layer is fitted on the residuals predict would give
    m = hm.fit_member(X, y, cfg, seed=2)
    assert m.elasticity == hm._elasticities(X, y - hm._boost_predict(plain, X, cfg))


def test_rows_of_an_earlier_cutoff_are_the_rows_built_again(panel):
    rows = hm._RowsByHorizon(panel)
    for h in (1, 2):
        for cutoff in (panel.last_year, panel.last_year - 1, 2000, 1995):
            X, y = rows.get(h, cutoff)
            X0, y0 = hm._train_rows(panel, h, cutoff)
            pd.testing.assert_frame_equal(X, X0, check_exact=True)
            np.testing.assert_array_equal(y, y0)
    with pytest.raises(ModelError, match="no training rows for horizon 1 up to 1991"):
        rows.get(1, 1991)


# ----------------------------------------------------------------------------- references
def quantiles_reference(paths, quantiles=hm.QUANTILES):
    """The groupby loop ``quantiles_of`` was."""
    q = np.asarray(quantiles, dtype=float)
    out = []
    for (host, year), g in paths.groupby(["host", "year"], sort=False):
        v = np.quantile(g["arrivals"].to_numpy(dtype=float), q)
        out.append(pd.DataFrame({"host": host, "year": year, "quantile": q, "arrivals": v}))
    return pd.concat(out, ignore_index=True)


def monthly_reference(annual, w, model=hm.MODEL_NAME, scenario="baseline"):
    """The sort ``monthly_split`` ended with (the split itself unchanged)."""
    m = hm._largest_remainder(annual["arrivals"].to_numpy(dtype=float), w)
    n = len(annual)
    years = np.repeat(annual["year"].to_numpy(dtype="int64"), 12)
    months = np.tile(np.arange(12, dtype="int64"), n)
    ds = ((years - 1970) * 12 + months).astype("datetime64[M]").astype("datetime64[ns]")
    out = pd.DataFrame({"series_id": np.repeat(annual["host"].to_numpy(), 12).astype(str),
                        "ds": ds, "model": model, "scenario": scenario,
                        "path": np.repeat(annual["path"].to_numpy(dtype="int64"), 12),
                        "value": m.ravel()})
    return out.sort_values(["series_id", "path", "ds"], kind="mergesort").reset_index(drop=True)


def draw_reference(model, levels, n_paths, rng):
    """``_draw_resid`` before its tables were kept per model."""
    H = int(levels["h"].max())
    base = None
    for h in range(1, H + 1):
        r = model.residuals[h]
        r = r.assign(u=r.groupby("bin")["resid"].rank(pct=True))
        r = r[["pair", "origin", "u"]].rename(columns={"u": f"u{h}"})
        base = r if base is None else base.merge(r, on=["pair", "origin"])
    if base is None or base.empty:
        U = rng.uniform(size=(n_paths, H))
    else:
        pick = rng.integers(0, len(base), size=n_paths)
        U = base[[f"u{h}" for h in range(1, H + 1)]].to_numpy()[pick]
        U = np.clip(U - rng.uniform(0, 1.0 / max(len(base), 1), size=U.shape), 0, 1)
    out = np.empty((len(levels), n_paths))
    border = model.panel.border[levels["pair"].to_numpy()]
    hs = levels["h"].to_numpy(dtype=int)
    bins = hm._bin(levels["level"].to_numpy(dtype=float), border)
    for h in np.unique(hs):
        r = model.residuals[int(h)]
        for b in np.unique(bins[hs == h]):
            e = r.loc[r["bin"] == b, "resid"].to_numpy()
            if len(e) < 30:
                e = r["resid"].to_numpy()
            out[(hs == h) & (bins == b)] = np.quantile(e, U[:, h - 1])
    return out


def annual_frame(rng, hosts=("TJK", "KAZ", "Tj", "ÖST", "a"), years=(2026, 2027), n_paths=9):
    rows = [(h, y, k) for y in years for h in hosts for k in range(n_paths)]
    d = pd.DataFrame(rows, columns=["host", "year", "path"])
    d["arrivals"] = np.round(np.expm1(rng.uniform(0, 9, len(d))))
    return d


def test_quantiles_are_the_groupby_loops_in_any_row_order():
    rng = np.random.default_rng(5)
    d = annual_frame(rng)
    for frame in (d, d.sample(frac=1.0, random_state=1),  # shuffled
                  d.drop(index=[0, 3, 4, 40]).sample(frac=1.0, random_state=2),  # uneven
                  d.assign(arrivals=np.where(np.arange(len(d)) == 7, np.nan, d["arrivals"]))):
        pd.testing.assert_frame_equal(hm.quantiles_of(frame), quantiles_reference(frame),
                                      check_exact=True)
    odd = d.astype({"host": object})
    odd.loc[5, "host"] = None  # a missing host: no group, as groupby drops it
    pd.testing.assert_frame_equal(hm.quantiles_of(odd, (0.0, 0.3, 1.0)),
                                  quantiles_reference(odd, (0.0, 0.3, 1.0)), check_exact=True)


def test_monthly_rows_are_the_sorted_frame_in_any_row_order():
    rng = np.random.default_rng(6)
    d = annual_frame(rng)
    w = hm._bundled_observed_profile()
    dup = pd.concat([d, d.iloc[[3, 10, 11]].assign(arrivals=[5.0, 17.0, 0.0])],
                    ignore_index=True)  # repeated path-years keep their input order
    for frame in (d, d.sample(frac=1.0, random_state=3), dup.sample(frac=1.0, random_state=4),
                  d.iloc[:0]):
        pd.testing.assert_frame_equal(hm.monthly_split(frame, w, model="m", scenario="s"),
                                      monthly_reference(frame, w, "m", "s"), check_exact=True)


@pytest.fixture(scope="module")
def tiny_model():
    return hm.fit_host_model(panel_frame(), seed=1, config=TINY)


def test_draws_are_the_same_from_the_models_kept_tables(tiny_model):
    idx = np.arange(0, 40, 3)
    for H in (2, 1, 2):  # the second H=2 reads the tables kept by the first
        lv = hm.point_forecast_pairs(tiny_model, idx, H)
        for seed in (0, 1):
            got = hm._draw_resid(tiny_model, lv, 60, np.random.default_rng(seed))
            want = draw_reference(tiny_model, lv, 60, np.random.default_rng(seed))
            np.testing.assert_array_equal(got, want)
    assert ("ranks", 2) in hm._DRAW_MEMO[tiny_model]


def test_feature_matrix_is_the_sub_frames(panel):
    X = hm.features_at(panel, 15, 1)
    cols = hm._boost_features(TINY)
    np.testing.assert_array_equal(hm._matrix(X, cols), X[cols].to_numpy(dtype=float))
    mixed = X.assign(name="a", n=np.arange(len(X)))  # a text column beside the features
    np.testing.assert_array_equal(hm._matrix(mixed, cols + ["n"]),
                                  mixed[cols + ["n"]].to_numpy(dtype=float))
    with pytest.raises(KeyError, match="nope"):
        hm._matrix(X, ["zlast", "nope"])
