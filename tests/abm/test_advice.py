"""Capacity advice: the advised addition brings P(shortfall) to the risk level, and no lower bound is wasted."""

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig, ConfigError, advise, monte_carlo
from tests.abm.abm_helpers import constant_arrivals, facilities_frame

CFG = ABMConfig(step_days=7)


@pytest.fixture(scope="module")
def setting():
    rng = np.random.default_rng(0)
    ds = pd.date_range("2025-01-01", periods=6, freq="MS")
    arr = pd.concat([pd.DataFrame({"ds": ds, "path": p, "arrivals": rng.uniform(50, 400, 6)})
                     for p in range(10)])
    fac = facilities_frame(600, 100, 20)
    fac["lead_time_days"] = [60, 30, 14]
    return arr, fac


def _with_addition(fac, adv):
    plan = pd.DataFrame({"facility_type": adv["facility_type"], "quantity": adv["added_capacity"],
                         "quantity_unit": ["persons", "seats", "consultations_per_day"],
                         "ordered": "2025-01-01", "lead_time_days": 0})
    return plan[plan["quantity"] > 0]


@pytest.mark.parametrize("risk", [0.0, 0.1, 0.3])
def test_advised_capacity_meets_the_risk_and_is_smallest(setting, risk):
    arr, fac = setting
    mc = monte_carlo(arr, fac, CFG, n_runs=40, seed=3)
    adv, sched = advise(mc, risk=risk, facilities=fac)
    adv = adv.set_index("facility_type", drop=False)
    plan = _with_addition(fac, adv)
    after = monte_carlo(arr, fac, CFG, plans=plan, n_runs=40, seed=3)
    short = after.summary.groupby("facility_type")["peak_shortfall"].apply(lambda s: (s > 0).mean())
    for ftype in ("shelter", "school", "clinic"):
        assert short[ftype] <= risk + 1e-12
        if adv.loc[ftype, "added_capacity"] > 0:  # one unit less would breach the risk
            less = plan.copy()
            less.loc[less["facility_type"] == ftype, "quantity"] -= 1
            less = less[less["quantity"] > 0]
            worse = monte_carlo(arr, fac, CFG, plans=less, n_runs=40, seed=3)
            s = worse.summary[worse.summary["facility_type"] == ftype]["peak_shortfall"]
            assert (s > 0).mean() > risk
    assert set(sched.columns) == {"facility_type", "ds", "added_capacity", "unit"}
    staged = sched[sched["facility_type"] == "shelter"]["added_capacity"]
    assert (staged.diff().fillna(0) >= 0).all()
    assert staged.iloc[-1] == pytest.approx(adv.loc["shelter", "added_capacity"])


def test_dates_and_lead_times(setting):
    arr, fac = setting
    mc = monte_carlo(arr, fac, CFG, n_runs=20, seed=3)
    adv, _ = advise(mc, risk=0.1, lead_times={"shelter": 400}, facilities=fac)
    row = adv.set_index("facility_type").loc["shelter"]
    assert row["p_shortfall_now"] > 0.1 and row["added_capacity"] > 0
    assert row["order_by"] == row["needed_by"] - pd.Timedelta(days=400)
    assert bool(row["late"])
    assert row["quantity_unit"] == "m2" and row["added_quantity"] >= row["added_capacity"] * 3.5
    assert "shelter" in row["explanation"]
    school = adv.set_index("facility_type").loc["school"]
    assert school["lead_time_days"] == 30  # from the facilities table


def test_nothing_to_add_when_ample():
    mc = monte_carlo(constant_arrivals(100, 3), facilities_frame(1e6, 1e6, 1e6), CFG, n_runs=5,
                     seed=0)
    adv, _ = advise(mc, risk=0.1)
    assert (adv["added_capacity"] == 0).all() and adv["needed_by"].isna().all()
    assert adv["order_by"].isna().all()  # no lead time given: never guessed


def test_bad_risk(setting):
    arr, fac = setting
    mc = monte_carlo(arr, fac, CFG, n_runs=3, seed=0)
    with pytest.raises(ConfigError, match="risk"):
        advise(mc, risk=1.5)
    with pytest.raises(ConfigError, match="unknown facility type"):
        advise(mc, lead_times={"hospital": 3})
