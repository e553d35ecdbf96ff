"""Any user's series: quarterly and annual series forecast and backtest through the public
API and the command line, with intervals that keep their width where periods are missing;
baselines need no drivers; drivers under other names are mapped to roles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast import api, datasets
from forecast import backtest as bt
from forecast.cli import app
from forecast.errors import ModelError, ScenarioError
from forecast.scenarios import Scenario


@pytest.fixture(scope="module")
def uk_quarterly() -> pd.DataFrame:
    """The bundled UK Home Office quarterly applications by Afghans, as a history frame."""
    uk, _ = datasets.load("uk_asylum_quarterly")
    return pd.DataFrame({"series_id": "uk_q", "ds": uk["ds"], "y": uk["applications"]})


@pytest.fixture(scope="module")
def uk_annual(uk_quarterly) -> pd.DataFrame:
    q = uk_quarterly.dropna()
    full = q.groupby(q["ds"].dt.year)["y"].agg(["sum", "count"])
    full = full[full["count"] == 4]
    return pd.DataFrame({"series_id": "uk_a",
                         "ds": pd.to_datetime([f"{y}-01-01" for y in full.index]),
                         "y": full["sum"].to_numpy(float)})


def _widths(fc: pd.DataFrame, model: str) -> np.ndarray:
    w = fc[fc["model"] == model].pivot(index="ds", columns="quantile", values="value")
    return (w[0.9] - w[0.1]).to_numpy()


def test_quarterly_series_forecasts_by_quarter(uk_quarterly):
    f = api.fit_models(uk_quarterly, datasets.load_drivers(), models=["snaive", "ets", "sarimax"])
    assert f.step_months == 3
    fc, paths = api.predict(f, Scenario.conflict_escalation(k=3, months=12), horizon=6, n_paths=50)
    ds = sorted(fc["ds"].unique())
    assert len(ds) == 6
    steps = np.diff([d.year * 12 + d.month for d in pd.DatetimeIndex(ds)])
    assert (steps == 3).all()
    assert pd.Timestamp(ds[0]) == f.origin + pd.DateOffset(months=3)
    for m in ("snaive", "ets", "sarimax"):
        assert (_widths(fc, m) > 0).all(), m
    # seasonal naive repeats the same quarter of the last year
    last4 = np.expm1(f.z.iloc[-4:].to_numpy())
    med = fc[(fc["model"] == "snaive") & (fc["quantile"] == 0.5)].sort_values("ds")["value"]
    np.testing.assert_allclose(med.to_numpy()[:4], last4, rtol=1e-9)


def test_missing_quarters_keep_sarimax_intervals_open(uk_quarterly):
    h = uk_quarterly.copy()
    h.loc[h.index[10:30:3], "y"] = np.nan  # not reported
    f = api.fit_models(h, datasets.load_drivers(), models=["sarimax"])
    fc, _ = api.predict(f, horizon=4, n_paths=30)
    assert (_widths(fc, "sarimax") > 0.05 * fc["value"].median()).all()


def test_annual_series_forecasts_by_year_without_drivers(uk_annual):
    f = api.fit_models(uk_annual, None, models=["naive", "snaive", "drift", "ets"])
    assert f.step_months == 12 and f.drivers_obs is None
    fc, _ = api.predict(f, horizon=3, n_paths=40)
    years = sorted({d.year for d in fc["ds"]})
    assert years == [f.origin.year + 1, f.origin.year + 2, f.origin.year + 3]
    # for an annual series seasonal naive is the random walk
    med = fc[fc["quantile"] == 0.5].pivot(index="ds", columns="model", values="value")
    np.testing.assert_allclose(med["snaive"], med["naive"], rtol=1e-9)
    assert (_widths(fc, "ets") > 0).all()


def test_quarterly_and_annual_backtests(uk_quarterly, uk_annual):
    rq = bt.backtest(uk_quarterly, None, models=["naive", "snaive", "ets"], n_origins=6,
                     horizon=4, n_paths=40)
    assert rq.settings["step_months"] == 3 and rq.settings["series_id"] == "uk_q"
    tab = rq.table()
    assert set(tab["horizon"]) == {1, 2, 3, 4} and (tab["cov80"].between(0, 1)).all()
    ra = bt.backtest(uk_annual, None, models=["naive", "drift"], n_origins=5, horizon=2,
                     n_paths=40)
    assert ra.settings["step_months"] == 12
    assert (ra.table()["mase_global"] > 0).all()


def test_driver_models_need_drivers_and_baselines_do_not(uk_annual):
    with pytest.raises(ModelError, match="use drivers"):
        api.fit_models(uk_annual, None, models=["sarimax"])
    f = api.fit_models(uk_annual, None, models=["naive"])
    assert set(api.predict(f, horizon=2, n_paths=5)[0]["model"]) == {"naive"}


def test_drivers_under_other_names_are_mapped_to_roles(uk_quarterly):
    d = datasets.load_drivers().rename(columns={"fatalities": "deaths"})
    with pytest.raises(ScenarioError, match="map your driver column to the role 'conflict'"):
        f0 = api.fit_models(uk_quarterly, d.drop(columns=["deaths"]), models=["sarimax"])
        api.predict(f0, Scenario.conflict_escalation(k=5), horizon=2, n_paths=5)
    f = api.fit_models(uk_quarterly, d, models=["sarimax"], roles={"conflict": "deaths"})
    assert "conflict_l1" in [x.name for x in f.features]
    base, _ = api.predict(f, Scenario.baseline_persist(), horizon=4, n_paths=20)
    esc, _ = api.predict(f, Scenario.conflict_escalation(k=5, months=12), horizon=4, n_paths=20)
    assert not np.allclose(base["value"], esc["value"])  # the shock moves the mapped column


def test_cli_runs_and_backtests_a_quarterly_file(uk_quarterly, tmp_path):
    p = tmp_path / "uk.csv"
    uk_quarterly.to_csv(p, index=False, date_format="%Y-%m-%d")
    r = CliRunner().invoke(app, ["run", "--series", "uk_q", "--history", str(p), "--models",
                                 "snaive,ets", "--horizon", "4", "--paths", "30"])
    assert r.exit_code == 0, r.output
    assert "persons per quarter" in r.output
    r = CliRunner().invoke(app, ["backtest", "--series", "uk_q", "--history", str(p), "--models",
                                 "naive,snaive", "--origins", "4", "--horizon", "2", "--paths",
                                 "20", "--refit-every", "2"])
    assert r.exit_code == 0, r.output
    assert "mase_global" in r.output
