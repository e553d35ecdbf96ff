"""Sweeps and Monte Carlo give identical frames in-process and on a Dask LocalCluster."""

import pandas as pd
import pytest

from abm import ABMConfig, ConfigError, monte_carlo, sweep
from tests.abm.abm_helpers import constant_arrivals

CFG = ABMConfig(step_days=7)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    cl = distributed.Client(cluster)
    yield cl
    cl.close()
    cluster.close()


def _inputs(facilities):
    scenarios = {"low": constant_arrivals(80, 4), "high": constant_arrivals(250, 4)}
    plans = {"none": None,
             "plus200": pd.DataFrame({"facility_type": ["shelter"], "quantity": [200],
                                      "quantity_unit": ["persons"], "ordered": ["2025-02-01"],
                                      "lead_time_days": [14]})}
    return scenarios, plans


@pytest.mark.dask
def test_sweep_in_process_equals_dask(facilities, client):
    scenarios, plans = _inputs(facilities)
    local = sweep(scenarios, facilities, plans, seeds=[1, 2], config=CFG, n_runs=4)
    dist = sweep(scenarios, facilities, plans, seeds=[1, 2], config=CFG, n_runs=4, client=client)
    for name in ("summary", "p_shortfall", "summary_quantiles"):
        pd.testing.assert_frame_equal(local[name], dist[name])
    cells = local["summary"][["scenario", "plan", "seed"]].drop_duplicates()
    assert len(cells) == 2 * 2 * 2
    # the plan helps: never more unsheltered person-days than without it
    s = local["summary"][local["summary"]["facility_type"] == "shelter"]
    wide = s.pivot_table(index=["scenario", "seed", "run"], columns="plan", values="unmet_total")
    assert (wide["plus200"] <= wide["none"]).all()


@pytest.mark.dask
def test_monte_carlo_in_process_equals_dask(arrivals, facilities, client):
    a = monte_carlo(arrivals, facilities, CFG, n_runs=7, seed=4)
    b = monte_carlo(arrivals, facilities, CFG, n_runs=7, seed=4, client=client)
    pd.testing.assert_frame_equal(a.steps, b.steps)
    pd.testing.assert_frame_equal(a.population, b.population)
    pd.testing.assert_frame_equal(a.p_shortfall, b.p_shortfall)


def test_sweep_errors(facilities):
    with pytest.raises(ConfigError, match="at least one scenario"):
        sweep({}, facilities)
    with pytest.raises(ConfigError, match="at least one seed"):
        sweep({"a": constant_arrivals(1, 1)}, facilities, seeds=[])
    with pytest.raises(ConfigError, match="client must be"):
        sweep({"a": constant_arrivals(1, 1)}, facilities, client=3.5)


@pytest.mark.dask
def test_monte_carlo_by_scheduler_address(arrivals, facilities, client):
    address = client.scheduler.address
    a = monte_carlo(arrivals, facilities, CFG, n_runs=3, seed=8)
    b = monte_carlo(arrivals, facilities, CFG, n_runs=3, seed=8, client=address)
    pd.testing.assert_frame_equal(a.summary, b.summary)
