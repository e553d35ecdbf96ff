"""Capacity advice: the smallest added capacity per facility type for a risk level, and when.

Demand in the model does not depend on capacity (who arrives, stays and falls
ill is drawn before anybody is served), and with capacity raised by ``x``
a run has no shortfall exactly when ``x >= max_t (demand_t - capacity_t)``:
for shelters because households are admitted in arrival order and everyone
present fits when the persons present fit; for schools and clinics because
``served = min(demand, capacity)``. So over the Monte Carlo runs the smallest
``x`` with P(any shortfall) <= risk is an order statistic of those per-run
maxima: exact for the simulated runs, no search needed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from abm.config import ABMConfig
from abm.errors import ConfigError
from abm.runs import FACILITY_TYPES, MonteCarloResult
from abm.schema import CAPACITY_UNITS, check_lead_times, check_number


def check_risk(risk, source: str = "risk") -> float:
    """``risk`` checked against ``BOUNDS['risk']`` ([0, 1), a probability)."""
    return check_number(risk, "risk", source)


def _required(excess: np.ndarray, risk: float) -> float:
    """Smallest x >= 0 with share(excess > x) <= risk (excess: per-run maxima)."""
    n = excess.shape[0]
    allowed = math.floor(risk * n + 1e-9)  # runs that may still fall short
    ordered = np.sort(excess)[::-1]
    x = ordered[allowed] if allowed < n else 0.0
    return float(max(0.0, x))


def _quantity(ftype: str, capacity: float, config: ABMConfig) -> tuple[float, str]:
    """Added capacity in a planner's unit (m2, classrooms, clinicians), rounded up."""
    if ftype == "shelter":
        return float(math.ceil(capacity * config.m2_per_person)), "m2"
    if ftype == "school":
        return float(math.ceil(capacity / config.seats_per_classroom)), "classrooms"
    return float(math.ceil(capacity / config.consultations_per_clinician_calendar_day)), "clinicians"


def advise(result: MonteCarloResult, risk: float = 0.1,
           lead_times: dict[str, float] | None = None,
           facilities: pd.DataFrame | None = None, config: ABMConfig | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Smallest added capacity per facility type so that P(any shortfall) <= ``risk``.

    result: a :func:`abm.monte_carlo` result (its per-run ``steps``).
    risk: the accepted probability of any shortfall over the horizon, in [0, 1).
    lead_times: days from order to service per facility type; missing types
    take the largest ``lead_time_days`` of that type in ``facilities``
    (NA if none is given: then ``order_by`` is NA, never a guess).
    config: for converting to m2 / classrooms / clinicians (default: the
    result's config).

    Returns ``(advice, schedule)``.

    ``advice``: one row per facility type: ``facility_type``, ``unit``
    (persons / seats / consultations per day), ``risk``,
    ``p_shortfall_now`` (share of runs with any shortfall under the current
    plan), ``existing_capacity`` (at the end of the horizon),
    ``added_capacity`` (smallest addition meeting the risk, in ``unit``),
    ``required_capacity`` (existing + added), ``added_quantity`` and
    ``quantity_unit`` (the addition in m2 of covered space, classrooms or
    clinicians, rounded up), ``needed_by`` (first step start at which the
    share of runs that have fallen short exceeds ``risk``; NA if never),
    ``lead_time_days``, ``order_by`` (``needed_by - lead_time_days``),
    ``late`` (True when ``order_by`` is before the horizon's start),
    ``explanation`` (one sentence).

    ``schedule``: staged needs per facility type and month: ``facility_type,
    ds`` (month start), ``added_capacity`` (smallest addition in place by that
    month that keeps P(shortfall up to that month's end) <= risk), ``unit``.
    """
    risk = check_risk(risk)
    if not isinstance(result, MonteCarloResult):
        raise ConfigError(f"result must be a MonteCarloResult, got {type(result).__name__}")
    if config is None:
        config = ABMConfig.from_dict(result.meta.get("config", {}), source="result.meta")
    lead_times = check_lead_times(lead_times, "lead_times")
    steps = result.steps
    start = pd.Timestamp(steps["ds"].min())
    rows, sched = [], []
    for ftype in FACILITY_TYPES:
        sub = steps[steps["facility_type"] == ftype]
        demand = sub.pivot(index="run", columns="step", values="demand").to_numpy(float)
        capacity = sub.pivot(index="run", columns="step", values="capacity").to_numpy(float)
        dates = pd.DatetimeIndex(sub[sub["run"] == sub["run"].iloc[0]].sort_values("step")["ds"])
        gap = demand - capacity  # (runs, steps)
        excess = np.maximum(gap.max(axis=1), 0.0)
        added = _required(excess, float(risk))
        p_now = float((excess > 0).mean())
        short_by = np.maximum.accumulate(gap > 0, axis=1).mean(axis=0)  # P(short by step)
        first = np.flatnonzero(short_by > risk)
        needed_by = dates[first[0]] if first.size else pd.NaT
        lead = lead_times.get(ftype)
        if lead is None and facilities is not None:
            lt = pd.to_numeric(facilities.loc[facilities["facility_type"] == ftype,
                                              "lead_time_days"], errors="coerce")
            lead = float(lt.max()) if lt.notna().any() else None
        order_by = (needed_by - pd.Timedelta(days=float(lead))
                    if lead is not None and not pd.isna(needed_by) else pd.NaT)
        late = bool(not pd.isna(order_by) and order_by < start)
        existing = float(capacity[0, -1])
        qty, qunit = _quantity(ftype, added, config)
        unit = CAPACITY_UNITS[ftype]
        if added <= 0:
            text = (f"{ftype}: current capacity keeps P(shortfall) at {p_now:.0%} "
                    f"<= {risk:.0%}; nothing to add.")
        else:
            when = "now" if late else (str(order_by.date()) if not pd.isna(order_by)
                                        else "(lead time unknown)")
            text = (f"{ftype}: P(shortfall) is {p_now:.0%} with current capacity; add "
                    f"{added:,.0f} {unit} ({qty:,.0f} {qunit}) in place by "
                    f"{needed_by.date() if not pd.isna(needed_by) else 'the start'}"
                    f", ordered by {when}, to bring it to <= {risk:.0%}"
                    f" over {len(result.summary['run'].unique())} runs.")
        rows.append({
            "facility_type": ftype, "unit": unit, "risk": float(risk),
            "p_shortfall_now": p_now, "existing_capacity": existing,
            "added_capacity": added, "required_capacity": existing + added,
            "added_quantity": qty, "quantity_unit": qunit, "needed_by": needed_by,
            "lead_time_days": float(lead) if lead is not None else np.nan,
            "order_by": order_by, "late": late, "explanation": text,
        })
        # staged needs per month
        end_month = (dates + pd.to_timedelta(sub.groupby("step")["days"].first().to_numpy() - 1,
                                             unit="D")).to_period("M").to_timestamp()
        run_max = np.maximum.accumulate(gap, axis=1)
        for month in pd.DatetimeIndex(end_month.unique()):
            last = np.flatnonzero(end_month == month)[-1]
            sched.append({"facility_type": ftype, "ds": month,
                          "added_capacity": _required(np.maximum(run_max[:, last], 0), float(risk)),
                          "unit": unit})
    return pd.DataFrame(rows), pd.DataFrame(sched)


ORDER_STATUSES = ("late", "order", "unknown", "none")
"""Order status codes of :func:`order_status`, in the order the rows are sorted:
``late`` (capacity to add and its order-by date is before today: order now), ``order``
(capacity to add, order-by date today or later), ``unknown`` (capacity to add, no
order-by date because the lead time is unknown), ``none`` (nothing to add)."""


def order_status(advice: pd.DataFrame, today) -> pd.DataFrame:
    """The advice of :func:`advise` as of ``today`` (a date), late orders first.

    Adds ``status`` (first column; a code of :data:`ORDER_STATUSES`) and
    ``days_late`` (``today - order_by`` in days for late orders, else NA) and sorts
    the rows: late (most overdue first), then order (soonest order-by date first),
    unknown, none; ties keep the advice's order. ``advise`` compares ``order_by``
    with the horizon's start (its ``late`` column); this compares it with today,
    which matters when the data, and so the horizon, end before today. The input
    is not changed.
    """
    today = pd.Timestamp(today).normalize()
    out = advice.copy()
    order_by = pd.to_datetime(out["order_by"])
    adds = pd.to_numeric(out["added_capacity"]) > 0
    status = np.where(~adds, "none", np.where(order_by.isna(), "unknown",
                                              np.where(order_by < today, "late", "order")))
    out.insert(0, "status", status)
    out["days_late"] = ((today - order_by).dt.days.where(out["status"] == "late")
                        .astype("Float64"))
    rank = out["status"].map({s: i for i, s in enumerate(ORDER_STATUSES)})
    key = pd.DataFrame({"rank": rank, "late": -out["days_late"].fillna(0).astype(float),
                        "order_by": order_by, "pos": np.arange(len(out))})
    idx = key.sort_values(["rank", "late", "order_by", "pos"], kind="mergesort",
                          na_position="last").index
    return out.loc[idx].reset_index(drop=True)
