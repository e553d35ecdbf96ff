"""Every plausibility bound of forecast.bounds.BOUNDS is enforced at both edges by its
entry points, named in the error (one line), and documented in docs/forecast.md."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast import api
from forecast.bounds import BOUNDS
from forecast.cli import app
from forecast.errors import ForecastError
from forecast.scenarios import Scenario, Shock
from forecast.schema import validate_drivers, validate_history
from planner.pipeline import PlanSpec

MONTHS = pd.date_range("2018-01-01", periods=30, freq="MS")
HISTORY = pd.DataFrame({"series_id": "s", "ds": MONTHS, "y": np.arange(30.0) + 5})


@pytest.fixture(scope="module")
def fitted():
    return api.fit_models(HISTORY, None, models=["naive"], seed=0)


def _drivers(column, v):
    return validate_drivers(pd.DataFrame({"ds": MONTHS[:2], column: [1.0 if column != "spi3"
                                                                     else 0.0, v]}))


def _entries(name, fitted):
    """The public entry points that enforce bound ``name``, as functions of the value."""
    if name == "persons":
        return [lambda v: validate_history(HISTORY.assign(y=[*HISTORY["y"][:-1], v]))]
    if name == "year":
        return [lambda v: validate_drivers(pd.DataFrame({"ds": [f"{int(v):04d}-01-01"],
                                                         "spi3": [0.0]}))]
    if name == "spi":
        return [lambda v: _drivers("spi3", v), lambda v: _drivers("spi12", v)]
    if name in ("fatalities", "precip_anom_mm", "temp_c", "nino34_anom_c",
                "wheat_price_index"):
        return [lambda v: _drivers(name, v)]
    if name == "horizon":
        return [lambda v: api.predict(fitted, horizon=v, n_paths=2),
                lambda v: PlanSpec.from_dict({"forecast": {"horizon": v}})]
    if name == "n_paths":
        return [lambda v: api.predict(fitted, horizon=1, n_paths=v),
                lambda v: PlanSpec.from_dict({"forecast": {"n_paths": v}})]
    if name == "seed":
        return [lambda v: api.predict(fitted, horizon=1, n_paths=2, seed=v),
                lambda v: api.fit_models(HISTORY, None, models=["naive"], seed=v),
                lambda v: PlanSpec.from_dict({"forecast": {"seed": v}})]
    if name == "origins":
        return [lambda v: api.check_args(origins=v)]
    if name == "shocks":
        return [lambda v: Scenario(shocks=(Shock("conflict"),) * int(v)),
                lambda v: Scenario.from_dict({"shocks": [{"kind": "conflict"}] * int(v)})]
    if name in ("shock.start", "shock.duration"):
        field = name.split(".")[1]
        return [lambda v: Shock("conflict", **{field: v})]
    if name.startswith("shock."):
        return [lambda v: Shock(name.split(".")[1], value=v)]
    if name == "openness":
        return [lambda v: Scenario(border_openness=v), lambda v: Scenario(host_openness={"TJK": v})]
    if name == "host_share":
        return [lambda v: Scenario(host_shares={"TJK": v})]
    raise AssertionError(f"no entry point tested for bound {name!r}")


def _inside_outside(name):
    b = BOUNDS[name]
    step = (lambda x, d: x + d) if b.integer else (
        lambda x, d: float(np.nextafter(x, math.copysign(math.inf, d))))
    lo, hi = (int(b.low), int(b.high)) if b.integer else (b.low, b.high)
    inside, outside = [], []
    (outside if b.low_open else inside).append(lo)
    (inside if b.low_open else outside).append(step(lo, 1 if b.low_open else -1))
    (outside if b.high_open else inside).append(hi)
    (inside if b.high_open else outside).append(step(hi, -1 if b.high_open else 1))
    if not b.integer:
        outside += [math.inf, -math.inf] + ([math.nan] if name not in NA_ALLOWED else [])
    return inside, outside


NA_ALLOWED = {"persons", "fatalities", "spi", "precip_anom_mm", "temp_c", "nino34_anom_c",
              "wheat_price_index"}  # NA = not reported, allowed in frames


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_bound_is_documented(name):
    b = BOUNDS[name]
    assert b.low < b.high and b.unit and len(b.why) > 5
    text = (Path(__file__).parents[2] / "docs" / "forecast.md").read_text()
    assert f"| `{name}` | {b.text().replace(' ' + b.unit, '')} | {b.unit} | {b.why} |" in text


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_bound_is_enforced_at_both_edges(name, fitted):
    inside, outside = _inside_outside(name)
    if name == "shocks":  # the count's low edge (0 shocks) has no outside
        outside = [v for v in outside if v >= 0]
    for fn in _entries(name, fitted):
        for v in inside:
            fn(v)
        for v in outside:
            with pytest.raises(ForecastError) as info:
                fn(v)
            msg = str(info.value)
            assert "\n" not in msg and f"plausibility bound '{name}'" in msg, (v, msg)


def test_integer_bounds_refuse_floats(fitted):
    for kw in ({"horizon": 2.5}, {"n_paths": 1e6}, {"horizon": 12.0}, {"n_paths": True}):
        with pytest.raises(ForecastError, match="plausibility bound"):
            api.predict(fitted, **{"horizon": 1, "n_paths": 2, **kw})
    with pytest.raises(ForecastError, match=r"argument 'seed'.*got -1"):
        api.fit_models(HISTORY, None, models=["naive"], seed=-1)


def test_host_shares_sum_to_at_most_one():
    Scenario(host_shares={"TJK": 0.5, "KAZ": 0.5})
    with pytest.raises(ForecastError, match="sum to 1.1"):
        Scenario(host_shares={"TJK": 0.6, "KAZ": 0.5})


def test_the_command_line_refuses_each_argument_bound_before_reading_anything(tmp_path):
    runner = CliRunner()
    for args, flag, bound in ((["run", "--horizon", "121"], "--horizon", "horizon"),
                              (["run", "--horizon", "0"], "--horizon", "horizon"),
                              (["export", "--out", str(tmp_path), "--paths", "10001"], "--paths",
                               "n_paths"),
                              (["run", "--seed", "-1"], "--seed", "seed"),
                              (["run", "--seed", str(2**32)], "--seed", "seed"),
                              (["backtest", "--origins", "241"], "--origins", "origins")):
        r = runner.invoke(app, [*args, "--history", str(tmp_path / "missing.csv")])
        assert r.exit_code == 2, (args, r.output)
        err = r.stderr.strip()
        assert err.startswith(f"forecast: error: {flag} ") and f"'{bound}'" in err, err
        assert "\n" not in err


def test_a_scenario_that_validates_also_runs(fitted):
    late = Scenario(shocks=(Shock("conflict", start=BOUNDS["shock.start"].high),))
    fc, _ = api.predict(fitted, late, horizon=int(BOUNDS["horizon"].high), n_paths=2)
    assert fc["ds"].nunique() == BOUNDS["horizon"].high
