"""Monte Carlo frames, seeds, quantile input and summaries."""

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig, ConfigError, monte_carlo, simulate

CFG = ABMConfig(step_days=7)


@pytest.fixture
def mc(arrivals, facilities):
    return monte_carlo(arrivals, facilities, CFG, n_runs=12, seed=5)


def test_runs_cycle_over_paths_and_frames_are_tidy(mc):
    assert mc.summary.groupby("facility_type")["run"].nunique().tolist() == [12, 12, 12]
    assert mc.steps.groupby("run")["path"].first().tolist() == [0, 1] * 6
    assert set(mc.steps.columns) == {"run", "path", "step", "ds", "days", "facility_type", "unit",
                                     "demand", "capacity", "served", "unmet", "occupancy"}
    assert (mc.steps["unmet"] >= 0).all()
    assert (mc.steps["served"] <= mc.steps["capacity"] + 1e-9).all()


def test_quantiles_are_ordered_and_match_numpy(mc):
    q = mc.quantiles
    sub = q[(q["facility_type"] == "shelter") & (q["metric"] == "unmet") & (q["step"] == 20)]
    runs = mc.steps[(mc.steps["facility_type"] == "shelter") & (mc.steps["step"] == 20)]
    expected = np.quantile(runs["unmet"], sub["quantile"])
    assert sub["value"].to_numpy() == pytest.approx(expected)
    wide = q.pivot_table(index=["facility_type", "metric", "step"], columns="quantile",
                         values="value")
    assert (wide.diff(axis=1).iloc[:, 1:].fillna(0) >= -1e-9).all().all()


def test_population_quantiles(mc):
    pq = mc.population_quantiles
    sub = pq[(pq["metric"] == "unsheltered") & (pq["step"] == 10)]
    runs = mc.population[mc.population["step"] == 10]["unsheltered"]
    assert sub["value"].to_numpy() == pytest.approx(np.quantile(runs, sub["quantile"]))


def test_p_shortfall_is_the_share_of_runs_short_in_the_month(mc):
    steps = mc.steps[mc.steps["facility_type"] == "shelter"].copy()
    end = steps["ds"] + pd.to_timedelta(steps["days"] - 1, unit="D")
    steps["month"] = end.dt.to_period("M").dt.to_timestamp()
    expected = (steps.assign(short=steps["unmet"] > 0).groupby(["month", "run"])["short"].any()
                .groupby("month").mean())
    got = mc.p_shortfall[mc.p_shortfall["facility_type"] == "shelter"].set_index("ds")
    assert got["p_shortfall"].to_numpy() == pytest.approx(expected.to_numpy())
    assert mc.p_shortfall["p_shortfall"].between(0, 1).all()


def test_summaries_follow_from_the_steps(mc):
    steps, summ = mc.steps, mc.summary.set_index(["run", "facility_type"])
    school = steps[(steps["facility_type"] == "school") & (steps["run"] == 3)]
    child_days = (school["unmet"] * school["days"]).sum()
    assert summ.loc[(3, "school"), "unmet_total"] == pytest.approx(child_days)
    shelter = steps[(steps["facility_type"] == "shelter") & (steps["run"] == 3)]
    assert summ.loc[(3, "shelter"), "peak_shortfall"] == shelter["unmet"].max()
    over = shelter.loc[shelter["unmet"] > 0, "days"].sum()
    assert summ.loc[(3, "shelter"), "days_over_capacity"] == over
    assert summ.loc[(3, "shelter"), "share_time_met"] == pytest.approx(
        1 - over / shelter["days"].sum())


def test_monte_carlo_is_deterministic_under_a_seed(arrivals, facilities):
    a = monte_carlo(arrivals, facilities, CFG, n_runs=4, seed=9)
    b = monte_carlo(arrivals, facilities, CFG, n_runs=4, seed=9)
    c = monte_carlo(arrivals, facilities, CFG, n_runs=4, seed=10)
    pd.testing.assert_frame_equal(a.steps, b.steps)
    pd.testing.assert_frame_equal(a.quantiles, b.quantiles)
    assert not a.population["present"].equals(c.population["present"])


def test_a_run_depends_only_on_seed_and_index(arrivals, facilities):
    few = monte_carlo(arrivals, facilities, CFG, n_runs=3, seed=2)
    calls = []
    more = monte_carlo(arrivals, facilities, CFG, n_runs=6, seed=2,
                       progress=lambda d, t: calls.append((d, t)))
    # SeedSequence.spawn children are prefixes: run r is the same in both
    a = few.population[few.population["run"] == 1].reset_index(drop=True)
    b = more.population[more.population["run"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert calls and calls[-1] == (6, 6)


def test_quantile_input_is_sampled_comonotonically(facilities):
    ds = pd.date_range("2025-01-01", periods=3, freq="MS")
    frame = pd.concat([pd.DataFrame({"ds": ds, "quantile": q, "arrivals": v})
                       for q, v in ((0.05, 50.0), (0.5, 100.0), (0.95, 300.0))])
    mc = monte_carlo(frame, facilities, CFG, n_runs=30, seed=1)
    per_run = mc.population.groupby("run")["arrived_cum"].last()
    assert per_run.between(150, 900).all() and per_run.nunique() > 5
    assert (mc.summary["path"] == -1).all()
    res = simulate(frame, facilities, CFG, seed=1)  # the median path
    assert res.population["arrived_cum"].iloc[-1] == 300


def test_bad_run_counts(arrivals, facilities):
    with pytest.raises(ConfigError, match="n_runs"):
        monte_carlo(arrivals, facilities, CFG, n_runs=0)


def test_build_model_gives_the_same_run_as_simulate(arrivals, facilities):
    from abm import build_model
    from abm.agents import Household
    res = simulate(arrivals, facilities, CFG, seed=21, path=1)
    model = build_model(arrivals, facilities, CFG, seed=21, path=1).run()
    assert np.array_equal(model.records["sheltered"], res.population["sheltered"].to_numpy())
    assert len(model.agents_by_type[Household]) == len(model.households)
    with pytest.raises(Exception, match="path 5 out of range"):
        simulate(arrivals, facilities, CFG, path=5)
