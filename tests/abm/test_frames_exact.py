"""The Monte Carlo's quantile frames equal a slow reference built in the test: one
``np.quantile`` per (facility type, metric) or population metric over the runs of the
per-run frames, in the frames' row order (facility type, metric, quantile, step), exactly."""

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig, monte_carlo
from abm.runs import POPULATION_METRICS, STEP_METRICS, STEP_UNITS
from abm.schema import FACILITY_TYPES


@pytest.fixture(scope="module")
def mc():
    months = pd.date_range("2025-01-01", periods=8, freq="MS")
    arr = pd.DataFrame({"ds": np.tile(months, 2), "path": np.repeat([0, 1], 8),
                        "arrivals": [0, 0, 40, 900, 3000, 200, 10, 0] * 2})
    fac = pd.DataFrame({"facility_id": ["s", "e", "c"],
                        "facility_type": ["shelter", "school", "clinic"],
                        "quantity": [800.0, 1.0, 1.0],
                        "quantity_unit": ["persons", "classrooms", "clinicians"],
                        "opens": [None, "2025-04-01", None]})  # no seats before April: NA occupancy
    return monte_carlo(arr, fac, ABMConfig(step_days=7), n_runs=9, seed=3)


def test_step_quantiles_equal_per_block_numpy(mc):
    qs = np.sort(mc.quantiles["quantile"].unique())
    parts = []
    for ftype in FACILITY_TYPES:
        steps = mc.steps[mc.steps["facility_type"] == ftype]
        for metric in STEP_METRICS:
            wide = steps.pivot(index="run", columns="step", values=metric).to_numpy()
            value = np.full((len(qs), wide.shape[1]), np.nan)
            ok = ~np.isnan(wide).any(axis=0)
            value[:, ok] = np.quantile(wide[:, ok], qs, axis=0)
            parts.append(pd.DataFrame({
                "facility_type": ftype, "metric": metric,
                "unit": "share" if metric == "occupancy" else STEP_UNITS[ftype],
                "quantile": np.repeat(qs, wide.shape[1]),
                "step": np.tile(np.arange(wide.shape[1]), len(qs)), "value": value.ravel()}))
    expected = pd.concat(parts, ignore_index=True)
    got = mc.quantiles[list(expected.columns)]
    assert np.isnan(got["value"]).any()  # the NA branch is exercised
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_population_quantiles_equal_per_metric_numpy(mc):
    qs = np.sort(mc.population_quantiles["quantile"].unique())
    parts = []
    for metric in POPULATION_METRICS:
        wide = mc.population.pivot(index="run", columns="step", values=metric).to_numpy()
        parts.append(pd.DataFrame({
            "metric": metric, "quantile": np.repeat(qs, wide.shape[1]),
            "step": np.tile(np.arange(wide.shape[1]), len(qs)),
            "value": np.quantile(wide, qs, axis=0).ravel()}))
    expected = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(mc.population_quantiles[list(expected.columns)], expected,
                                  check_exact=True)
