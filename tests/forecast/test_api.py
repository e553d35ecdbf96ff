"""The facade: frames follow the contracts, runs are deterministic, scenarios matter."""

from __future__ import annotations

import forecast_synth as synth
import numpy as np
import pandas as pd
import pytest

from forecast import api, schema
from forecast.errors import ModelError, SchemaError
from forecast.models import QUANTILES
from forecast.scenarios import Scenario

MODELS = ["naive", "snaive", "drift", "ets", "sarimax", "prophet", "ensemble"]


@pytest.fixture(scope="module")
def inputs():
    d = synth.drivers()
    return synth.history(drv=d), d


@pytest.fixture(scope="module")
def fitted(inputs):
    h, d = inputs
    return api.fit_models(h, d, models=MODELS, seed=3)


def test_frames_follow_the_contracts(fitted):
    fc, paths = api.predict(fitted, Scenario.drought(), horizon=9, n_paths=40)
    assert list(fc.columns) == ["series_id", "ds", "model", "scenario", "quantile", "value"]
    assert list(paths.columns) == ["series_id", "ds", "model", "scenario", "path", "value"]
    schema.validate_forecast(fc)
    schema.validate_paths(paths)
    assert set(fc["model"]) == set(MODELS)
    assert set(fc["quantile"]) == set(QUANTILES)
    assert (fc["scenario"] == "drought").all()
    assert fc["ds"].min() == pd.Timestamp("2020-01-01") and fc["ds"].nunique() == 9
    assert sorted(paths["path"].unique()) == list(range(40))
    assert (fc["value"] >= 0).all() and (paths["value"] >= 0).all()
    wide = fc.pivot_table(index=["model", "ds"], columns="quantile", values="value")
    assert (np.diff(wide.to_numpy(), axis=1) >= 0).all()


def test_predict_is_deterministic(inputs, fitted):
    a = api.predict(fitted, Scenario.conflict_escalation(), 6, 25)
    b = api.predict(fitted, Scenario.conflict_escalation(), 6, 25)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    c = api.predict(fitted, Scenario.conflict_escalation(), 6, 25, seed=99)
    assert not np.allclose(a[1]["value"], c[1]["value"])
    h, d = inputs
    refit = api.fit_models(h, d, models=["sarimax", "prophet"], seed=3)
    e = api.predict(refit, Scenario.conflict_escalation(), 6, 25)
    for frame_a, frame_e in zip(a, e, strict=True):
        sub = frame_a[frame_a["model"].isin(["sarimax", "prophet"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(sub, frame_e.reset_index(drop=True))


def test_kept_driver_free_predictions_equal_fresh_ones_and_a_refit_drops_them(fitted):
    """A driver-free model's prediction is kept per (horizon, paths, seed) across
    scenarios (forecast.fitting.ModelSet): it must equal a prediction made afresh, and a
    new fit must not serve the kept one."""
    import copy

    api.predict(fitted, Scenario.drought(), 6, 25)  # fills the memo under another scenario
    kept = api.predict(fitted, Scenario.conflict_escalation(), 6, 25)
    fresh_set = copy.deepcopy(fitted)
    fresh_set.modelset._memo.clear()
    fresh = api.predict(fresh_set, Scenario.conflict_escalation(), 6, 25)
    for a, b in zip(kept, fresh, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    memo = fitted.modelset._memo
    assert {k[0] for k in memo} == {"naive", "snaive", "drift", "ets"}  # never a driver model
    p = next(iter(memo.values()))
    with pytest.raises(ValueError):
        p.paths[0, 0] = 1.0  # kept arrays are read-only
    from forecast.fitting import ModelSet

    idx = pd.date_range("2015-01-01", periods=48, freq="MS")
    z1 = pd.Series(np.log1p(np.arange(48.0) + 100), index=idx)
    ms = ModelSet(("naive", "ets"), seed=3).fit(z1, None)
    first = ms.predict(4, None, 10)
    ms.fit(z1 + 1.0, None)  # a new fit (e.g. a backtest's next origin) ...
    again = ms.predict(4, None, 10)
    fresh = ModelSet(("naive", "ets"), seed=3).fit(z1 + 1.0, None).predict(4, None, 10)
    for a in ("naive", "ets"):  # ... never serves the kept prediction of the old fit
        assert not np.allclose(first[a].loc, again[a].loc)
        np.testing.assert_array_equal(again[a].paths, fresh[a].paths)


@pytest.mark.parametrize("quantiles", [QUANTILES, (0.9, 0.1, 0.5)])
def test_frames_equal_a_frame_per_model_build(fitted, quantiles):
    """forecast_frame and paths_frame are built with numpy in one go; they must equal
    the plain build (one pandas frame per model, concatenated, then sorted)."""
    preds = api.predict_raw(fitted, Scenario.conflict_escalation(), 5, 7, 1)
    ds = api.future_index(fitted.origin, 5, fitted.step_months)
    q = np.asarray(quantiles, dtype=float)
    ref = pd.concat([pd.DataFrame({"series_id": "s", "ds": np.tile(ds.to_numpy(), len(q)),
                                   "model": m, "scenario": "x", "quantile": np.repeat(q, 5),
                                   "value": p.quantiles(tuple(q)).ravel()})
                     for m, p in preds.items()], ignore_index=True)
    ref = ref.sort_values(["model", "ds", "quantile"], kind="mergesort").reset_index(drop=True)
    pd.testing.assert_frame_equal(api.forecast_frame(preds, "s", ds, "x", quantiles), ref,
                                  check_exact=True)
    ref = pd.concat([pd.DataFrame({"series_id": "s", "ds": np.tile(ds.to_numpy(), 7),
                                   "model": m, "scenario": "x",
                                   "path": np.repeat(np.arange(7, dtype=np.int64), 5),
                                   "value": p.path_values().ravel()})
                     for m, p in preds.items()], ignore_index=True)
    pd.testing.assert_frame_equal(api.paths_frame(preds, "s", ds, "x"), ref, check_exact=True)


def test_scenarios_move_driver_models_only(fitted):
    base, _ = api.predict(fitted, Scenario.baseline_persist(), 6, 20)
    esc, _ = api.predict(fitted, Scenario.conflict_escalation(k=5), 6, 20)
    med = lambda f, m: f[(f["model"] == m) & (f["quantile"] == 0.5)]["value"].to_numpy()  # noqa: E731
    for m in ("naive", "snaive", "ets"):
        np.testing.assert_array_equal(med(base, m), med(esc, m))
    for m in ("sarimax", "prophet"):
        # month 1 depends on drivers at the origin (lag 1), so it cannot move
        assert med(esc, m)[0] == pytest.approx(med(base, m)[0])
        assert (med(esc, m)[1:] > med(base, m)[1:]).all(), m  # synthetic y rises with conflict


def test_bad_inputs(inputs):
    h, d = inputs
    with pytest.raises(SchemaError, match="no series 'other'"):
        api.fit_models(h, d, series_id="other", models=["naive"])
    with pytest.raises(ModelError, match="unknown model"):
        api.fit_models(h, d, models=["naive", "lstm"])
    two = pd.concat([h, h.assign(series_id="b")])
    with pytest.raises(SchemaError, match="name one with series_id"):
        api.fit_models(two, d, models=["naive"])
    bad = h.copy()
    bad.loc[5, "y"] = -3
    with pytest.raises(SchemaError, match="y"):
        api.fit_models(bad, d, models=["naive"])


def test_to_arrivals_frame(fitted):
    _, paths = api.predict(fitted, None, 4, 5)
    with pytest.raises(SchemaError, match="column 'model' holds several"):
        api.to_arrivals_frame(paths)
    arr = api.to_arrivals_frame(paths, model="ensemble")
    assert list(arr.columns) == ["ds", "path", "arrivals"]
    assert len(arr) == 20
    sub = paths[paths["model"] == "ensemble"].sort_values(["path", "ds"])
    np.testing.assert_array_equal(arr["arrivals"].to_numpy(), sub["value"].to_numpy())
    with pytest.raises(SchemaError, match="no host 'TJK'"):
        api.to_arrivals_frame(paths, host="TJK")


def test_import_does_not_load_prophet():
    import subprocess
    import sys

    code = ("import sys, forecast.api, forecast.backtest, forecast.cli, forecast.models; "
            "print('prophet' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_optional_driver_columns_may_be_empty_or_absent(inputs):
    h, d = inputs
    d2 = d.assign(temp_c=np.nan).drop(columns=["precip_anom_mm"])
    f = api.fit_models(h, d2, models=["sarimax"])
    assert "temp_c" not in f.drivers_obs.columns
    fc, _ = api.predict(f, Scenario.drought(), 3, 5)
    assert len(fc) == 3 * len(QUANTILES)
    empty = h.assign(y=np.nan)
    with pytest.raises(SchemaError, match="fewer than 2 reported periods"):
        api.fit_models(empty, d, models=["naive"])
