"""Capacity advice pinned on a hand-made Monte Carlo result whose answers are known by hand.

Four runs, three weekly steps (2025-01-20, 01-27, 02-03: the last two end in
February). Per run the shelter gap (demand - capacity) is, step by step:

    run 0: -10  -5 -10   -> never short            (max excess 0)
    run 1:   5 -10 -20   -> short at step 0         (max excess 5)
    run 2: -20  30  30   -> short from step 1       (max excess 30)
    run 3:   0   0  60   -> exactly full, then short (max excess 60)

so 3 of 4 runs fall short (P = 75%); "exactly full" (gap 0) is not a shortfall.
With risk 25% one run of four may still fall short: the smallest addition is
the second-largest excess, 30 persons (with 29 two runs would stay short).
The share of runs short by step is 1/4, 2/4, 3/4: it first exceeds 25% at
step 1, so the addition is needed by 2025-01-27. Shelter capacity grows from
100 to 120 at the last step, so the existing capacity (end of horizon) is 120.
"""

import math

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig, advise
from abm.runs import MonteCarloResult

CFG = ABMConfig()
DS = pd.to_datetime(["2025-01-20", "2025-01-27", "2025-02-03"])
SPC = CFG.seats_per_classroom  # pupils one classroom serves per day (40 x 2 shifts)

SHELTER_CAP = [100.0, 100.0, 120.0]
SHELTER_DEMAND = [[90, 95, 110], [105, 90, 100], [80, 130, 150], [100, 100, 180]]
SCHOOL_CAP = [50.0, 50.0, 50.0]
SCHOOL_DEMAND = [[50, 50, 50 + SPC + 1], [10, 20, 30], [0, 0, 0], [49, 50, 50]]
CLINIC_CAP = [10.0, 10.0, 10.0]
CLINIC_DEMAND = [[12, 3, 4], [9, 9, 9], [1, 2, 3], [10, 10, 10]]


def _result(n_runs_summary: int = 4, meta: dict | None = None) -> MonteCarloResult:
    rows = []
    for ftype, cap, demand in (("shelter", SHELTER_CAP, SHELTER_DEMAND),
                               ("school", SCHOOL_CAP, SCHOOL_DEMAND),
                               ("clinic", CLINIC_CAP, CLINIC_DEMAND)):
        for run, dem in enumerate(demand):
            for step, (ds, c, d) in enumerate(zip(DS, cap, dem, strict=True)):
                rows.append({"run": run, "path": 0, "step": step, "ds": ds, "days": 7,
                             "facility_type": ftype, "demand": float(d), "capacity": c})
    steps = pd.DataFrame(rows)
    summary = pd.DataFrame({"run": np.repeat(np.arange(n_runs_summary), 3)})
    empty = pd.DataFrame()
    return MonteCarloResult(steps, empty, summary, empty, empty, empty, empty, meta or {})


def _advice(risk=0.25, **kw):
    kw.setdefault("config", CFG)
    adv, sched = advise(_result(), risk=risk, **kw)
    return adv.set_index("facility_type"), sched


def test_shelter_addition_is_the_order_statistic_and_required_is_existing_plus_added():
    adv, _ = _advice(lead_times={"shelter": 3})
    row = adv.loc["shelter"]
    assert row["p_shortfall_now"] == pytest.approx(0.75)  # a gap of exactly 0 is no shortfall
    assert row["existing_capacity"] == 120.0  # capacity at the end of the horizon
    assert row["added_capacity"] == 30.0
    assert row["required_capacity"] == 150.0  # 120 existing + 30 added
    assert row["unit"] == "persons"
    assert row["risk"] == 0.25
    assert row["added_quantity"] == math.ceil(30 * 3.5) and row["quantity_unit"] == "m2"
    assert row["needed_by"] == pd.Timestamp("2025-01-27")


@pytest.mark.parametrize("risk, added", [(0.0, 60.0), (0.25, 30.0), (0.5, 5.0), (0.75, 0.0),
                                         (0.99, 0.0)])
def test_addition_leaves_at_most_risk_of_runs_short(risk, added):
    adv, _ = _advice(risk=risk)
    got = adv.loc["shelter", "added_capacity"]
    assert got == added
    excess = np.array([0, 5, 30, 60])
    assert (excess > got).mean() <= risk  # meets the risk ...
    if got > 0:  # ... and one person less does not
        assert (excess > got - 1).mean() > risk


def test_risk_times_runs_rounding_is_exact():
    # 100 runs, risk 0.29: 0.29 * 100 is 28.999999999999996 in floating point, yet 29 runs
    # may fall short; run r has max excess r, so the addition is excess of the 30th largest.
    runs = 100
    rows = [{"run": r, "path": 0, "step": 0, "ds": DS[0], "days": 7, "facility_type": f,
             "demand": float(r if f == "shelter" else 0), "capacity": 0.0}
            for f in ("shelter", "school", "clinic") for r in range(runs)]
    mc = MonteCarloResult(pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame({"run": range(runs)}),
                          pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
    adv, _ = advise(mc, risk=0.29, config=CFG)
    got = adv.set_index("facility_type").loc["shelter", "added_capacity"]
    assert got == 70.0  # runs 71..99 (29 of them) stay short
    assert adv.set_index("facility_type").loc["shelter", "p_shortfall_now"] == pytest.approx(0.99)


def test_late_order_is_worded_order_now():
    adv, _ = _advice(lead_times={"shelter": 10})  # 2025-01-27 - 10 days = 01-17 < 01-20 start
    row = adv.loc["shelter"]
    assert row["order_by"] == pd.Timestamp("2025-01-17")
    assert bool(row["late"]) is True
    text = row["explanation"]
    assert "ordered by now" in text
    assert "2025-01-17" not in text


def test_order_by_is_printed_as_a_date_when_not_late():
    adv, _ = _advice(lead_times={"shelter": 3})
    row = adv.loc["shelter"]
    assert row["order_by"] == pd.Timestamp("2025-01-24") and bool(row["late"]) is False
    assert row["lead_time_days"] == 3.0
    text = row["explanation"]
    assert text.startswith("shelter: ")
    assert "75%" in text and "add 30 persons (105 m2)" in text
    assert "in place by 2025-01-27" in text
    assert "ordered by 2025-01-24," in text
    assert "<= 25%" in text and "over 4 runs" in text
    assert "None" not in text and "NaT" not in text and "now" not in text


def test_order_by_on_the_first_day_is_not_late():
    adv, _ = _advice(lead_times={"shelter": 7})  # 2025-01-27 - 7 days = the start itself
    assert adv.loc["shelter", "order_by"] == DS[0]
    assert bool(adv.loc["shelter", "late"]) is False


def test_unknown_lead_time_is_said_not_guessed():
    adv, _ = _advice()
    row = adv.loc["shelter"]
    assert pd.isna(row["order_by"]) and np.isnan(row["lead_time_days"])
    assert bool(row["late"]) is False
    assert ", ordered by (lead time unknown), " in row["explanation"]


def test_lead_time_is_the_longest_in_the_facilities_table():
    fac = pd.DataFrame({"facility_type": ["shelter", "shelter", "school", "clinic"],
                        "lead_time_days": [5, 12, "x", None]})  # "x": not a number, NA
    adv, _ = _advice(facilities=fac, lead_times={"clinic": 2})
    assert adv.loc["shelter", "lead_time_days"] == 12.0
    assert adv.loc["shelter", "order_by"] == pd.Timestamp("2025-01-15")
    assert np.isnan(adv.loc["school", "lead_time_days"])  # NA stays NA, never 0
    assert adv.loc["clinic", "lead_time_days"] == 2.0  # given beats the table


def test_nothing_to_add_is_explained():
    adv, _ = _advice()
    clinic = adv.loc["clinic"]  # one run of four short by 2: exactly the 25% allowed
    assert clinic["added_capacity"] == 0 and clinic["p_shortfall_now"] == pytest.approx(0.25)
    assert clinic["required_capacity"] == 10.0 and clinic["added_quantity"] == 0
    assert clinic["explanation"] == ("clinic: current capacity keeps P(shortfall) at 25% "
                                     "<= 25%; nothing to add.")
    school = adv.loc["school"]
    assert school["p_shortfall_now"] == pytest.approx(0.25)
    assert isinstance(school["explanation"], str) and "nothing to add" in school["explanation"]
    assert pd.isna(school["needed_by"]) and pd.isna(school["order_by"])


def test_school_and_clinic_quantities_round_up():
    adv, _ = _advice(risk=0.0)
    school = adv.loc["school"]
    assert school["added_capacity"] == SPC + 1
    assert school["added_quantity"] == 2 and school["quantity_unit"] == "classrooms"
    assert school["unit"] == "seats"
    assert school["needed_by"] == pd.Timestamp("2025-02-03")
    clinic = adv.loc["clinic"]
    per_clinician = 50.0 * 5 / 7  # consultations per clinician per calendar day
    assert clinic["added_capacity"] == 2.0
    assert clinic["added_quantity"] == math.ceil(2 / per_clinician) == 1
    assert clinic["quantity_unit"] == "clinicians" and clinic["unit"] == "consultations per day"
    assert clinic["needed_by"] == pd.Timestamp("2025-01-20")
    # in place by the start: the earliest step is the first
    assert "in place by 2025-01-20" in clinic["explanation"]


def test_conversion_uses_the_results_config_by_default():
    meta = {"config": {"m2_per_person": 5.0}}
    adv, _ = advise(_result(meta=meta), risk=0.25)
    row = adv.set_index("facility_type").loc["shelter"]
    assert row["added_quantity"] == 150.0  # 30 persons x 5 m2


def test_staged_schedule_by_month():
    _, sched = _advice()
    sh = sched[sched["facility_type"] == "shelter"].reset_index(drop=True)
    # January holds step 0 only (ends 01-26): the excess by then is 0,5,0,0 -> 0 at 25%;
    # February (steps 1-2 end in it): the whole-horizon answer, 30
    assert list(sh["ds"]) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert list(sh["added_capacity"]) == [0.0, 30.0]
    assert set(sh["unit"]) == {"persons"}
    _, sched0 = _advice(risk=0.0)
    sh0 = sched0[sched0["facility_type"] == "shelter"]
    assert list(sh0["added_capacity"]) == [5.0, 60.0]
    assert len(sched0) == 6  # two months x three facility types


def test_default_config_when_the_result_has_none():
    adv, _ = advise(_result(meta={}), risk=0.25)
    assert adv.set_index("facility_type").loc["shelter", "added_quantity"] == 105.0  # 3.5 m2


def test_a_bad_config_in_the_result_is_named():
    from abm import ConfigError
    with pytest.raises(ConfigError, match=r"^result\.meta: m2_per_person must be in \(0, 100\]"):
        advise(_result(meta={"config": {"m2_per_person": -1}}), risk=0.25)


def _one_type(gaps, ds, days, ftype="shelter"):
    """A result with ``gaps`` (runs x steps, demand - capacity) for ``ftype``, zero elsewhere."""
    rows = []
    for f in ("shelter", "school", "clinic"):
        for run, g in enumerate(gaps):
            for step, (d, n, x) in enumerate(zip(pd.to_datetime(ds), days, g, strict=True)):
                rows.append({"run": run, "path": 0, "step": step, "ds": d, "days": n,
                             "facility_type": f, "demand": 10.0 + (x if f == ftype else -1.0),
                             "capacity": 10.0})
    steps = pd.DataFrame(rows)
    e = pd.DataFrame()
    return MonteCarloResult(steps, e, pd.DataFrame({"run": range(len(gaps))}), e, e, e, e, {})


def test_schedule_month_of_a_step_is_the_month_of_its_last_day():
    # a step ending on 31 January belongs to January ...
    mc = _one_type([[-1.0, 5.0, -1.0]], ["2025-01-18", "2025-01-25", "2025-02-01"], [7, 7, 7])
    _, sched = advise(mc, risk=0.0, config=CFG)
    sh = sched[sched["facility_type"] == "shelter"]
    assert list(sh["ds"]) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert list(sh["added_capacity"]) == [5.0, 5.0]
    # ... and one ending on 1 February to February
    mc = _one_type([[0.0, 5.0]], ["2025-01-19", "2025-01-26"], [7, 7])
    _, sched = advise(mc, risk=0.0, config=CFG)
    sh = sched[sched["facility_type"] == "shelter"]
    assert list(sh["ds"]) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert list(sh["added_capacity"]) == [0.0, 5.0]


def test_fractional_shortfalls_count():
    # clinic short by half a consultation per day in every run from the first step
    mc = _one_type([[0.5, 0.25], [0.5, 0.0]], ["2025-03-01", "2025-03-08"], [7, 7], "clinic")
    adv, _ = advise(mc, risk=0.0, config=CFG, lead_times={"clinic": 1})
    row = adv.set_index("facility_type").loc["clinic"]
    assert row["p_shortfall_now"] == 1.0 and row["added_capacity"] == 0.5
    assert row["needed_by"] == pd.Timestamp("2025-03-01") and bool(row["late"])
    assert row["added_quantity"] == 1  # one clinician covers half a consultation a day
    assert "nothing to add" not in row["explanation"]
    assert "(1 clinicians)" in row["explanation"] and "ordered by now" in row["explanation"]


def test_risk_so_close_to_one_that_every_run_may_fall_short():
    adv, _ = _advice(risk=1 - 1e-10)  # floor(4 x risk + 1e-9) = 4 runs may fall short
    assert (adv["added_capacity"] == 0).all()


@pytest.mark.parametrize("risk", [1.0, -0.01, "0.1", None])
def test_risk_outside_zero_one_is_refused(risk):
    from abm import ConfigError
    with pytest.raises(ConfigError, match=r"^risk: (the value must be in \[0, 1\)|expected a number)"):
        advise(_result(), risk=risk, config=CFG)


def test_unknown_lead_time_types_are_listed():
    from abm import ConfigError
    with pytest.raises(ConfigError) as err:
        advise(_result(), lead_times={"morgue": 3, "hospital": 1, "shelter": 2}, config=CFG)
    msg = str(err.value)
    assert msg.startswith("lead_times: unknown facility type 'morgue'")
    assert "(known: shelter, school, clinic)" in msg


def test_a_single_run_of_a_single_step():
    mc = _one_type([[5.0]], ["2025-05-10"], [7])
    adv, sched = advise(mc, risk=0.0, config=CFG)
    row = adv.set_index("facility_type").loc["shelter"]
    assert row["existing_capacity"] == 10.0 and row["added_capacity"] == 5.0
    assert row["required_capacity"] == 15.0 and row["p_shortfall_now"] == 1.0
    assert row["needed_by"] == pd.Timestamp("2025-05-10")
    assert "over 1 runs" in row["explanation"]
    assert list(sched["ds"]) == [pd.Timestamp("2025-05-01")] * 3


def test_any_capacity_to_add_needs_an_order_even_a_single_unit():
    from abm.advice import order_status

    adv = pd.DataFrame({"facility_type": ["clinic", "school", "shelter"],
                        "added_capacity": [1.0, 0.5, 0.0],
                        "order_by": pd.to_datetime(["2026-03-01", "2026-01-01", "2026-01-01"])})
    out = order_status(adv, "2026-02-01")
    # one clinic (or half a classroom's worth) to add is an order; nothing to add is not
    assert list(out["facility_type"]) == ["school", "clinic", "shelter"]
    assert list(out["status"]) == ["late", "order", "none"]
    assert list(out["days_late"].astype(object).fillna(-1)) == [31, -1, -1]
    # days late only for late orders; the others are NA ("not late"), not NaN nor 0
    assert out["days_late"].dtype == "Float64" and out["days_late"].iloc[1] is pd.NA
