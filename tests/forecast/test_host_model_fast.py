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
