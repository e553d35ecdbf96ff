"""abm.advice.order_status: late orders (order-by date before today) first."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from abm.advice import ORDER_STATUSES, order_status


def _advice():
    return pd.DataFrame({
        "facility_type": ["shelter", "school", "clinic", "latrine", "kitchen"],
        "added_capacity": [10.0, 5.0, 0.0, 3.0, 7.0],
        "order_by": pd.to_datetime(["2026-06-01", "2025-02-14", None, None, "2027-03-01"]),
    })


def test_late_first_most_overdue_first_then_upcoming_unknown_none():
    adv = _advice()
    out = order_status(adv, dt.date(2026, 12, 1))
    assert list(out.columns[:1]) == ["status"]
    assert list(out["facility_type"]) == ["school", "shelter", "kitchen", "latrine", "clinic"]
    assert list(out["status"]) == ["late", "late", "order", "unknown", "none"]
    assert list(out["days_late"][:2]) == [655, 183]
    assert out["days_late"][2:].isna().all()
    assert list(adv.columns) == ["facility_type", "added_capacity", "order_by"]  # input untouched


@pytest.mark.parametrize("today, late", [("2025-02-14", 0), ("2025-02-15", 1), ("2026-06-02", 2)])
def test_late_means_order_by_strictly_before_today(today, late):
    out = order_status(_advice(), pd.Timestamp(today))
    assert int((out["status"] == "late").sum()) == late
    assert set(out["status"]) <= set(ORDER_STATUSES)


def test_on_a_real_advice_table():
    """advise() output: a need in the first months with long lead times is late as of a
    today after the horizon's start, and ahead of the rows with nothing to add."""
    from abm import ABMConfig, advise, monte_carlo
    from tests.abm.abm_helpers import constant_arrivals, facilities_frame

    mc = monte_carlo(constant_arrivals(300, 4), facilities_frame(50, 1e6, 1e6),
                     ABMConfig(step_days=7), n_runs=5, seed=1)
    adv, _ = advise(mc, risk=0.1, lead_times={"shelter": 10, "school": 10, "clinic": 10})
    start = pd.Timestamp(mc.steps["ds"].min())
    before = order_status(adv, start - pd.Timedelta(days=30))
    after = order_status(adv, start + pd.Timedelta(days=200))
    assert before.loc[0, "facility_type"] == "shelter" and before.loc[0, "status"] == "order"
    assert after.loc[0, "facility_type"] == "shelter" and after.loc[0, "status"] == "late"
    assert set(after.loc[1:, "status"]) == {"none"}
    assert after.loc[0, "days_late"] == (start + pd.Timedelta(days=200)
                                         - after.loc[0, "order_by"]).days


def test_nothing_to_add_is_never_late():
    adv = pd.DataFrame({"facility_type": ["shelter"], "added_capacity": [0.0],
                        "order_by": pd.to_datetime(["2020-01-01"])})
    out = order_status(adv, dt.date(2026, 12, 1))
    assert out["status"].tolist() == ["none"] and pd.isna(out["days_late"].iloc[0])
