"""Every plausibility bound of abm.schema.BOUNDS is enforced at its edge, by its entry point,
and documented (unit and reason), and the error names the bound."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig
from abm.advice import check_risk
from abm.errors import ABMError
from abm.runs import check_run_args
from abm.schema import BOUNDS, check_arrivals, check_facilities, check_lead_times, check_plans

INTEGER = {"n_runs", "seed", "path", "months", "year", "pupils_per_class", "school_shifts"}
ONE_MONTH = check_arrivals(pd.DataFrame({"ds": ["2025-01-01"], "arrivals": [10.0]}))


def _facility(quantity=10.0, unit="persons", lead=None):
    ftype = {"persons": "shelter", "m2": "shelter", "seats": "school", "classrooms": "school",
             "clinicians": "clinic", "consultations_per_day": "clinic"}[unit]
    return pd.DataFrame({"facility_id": ["a"], "facility_type": [ftype], "quantity": [quantity],
                         "quantity_unit": [unit], "lead_time_days": [lead]})


def _months(n):
    return pd.DataFrame({"ds": pd.date_range("1990-01-01", periods=int(n), freq="MS"),
                         "arrivals": 1.0})


def _entry(name):
    """The public entry point that enforces bound ``name``, as a function of the value."""
    if name == "arrivals":
        return lambda v: check_arrivals(pd.DataFrame({"ds": ["2025-01-01"], "arrivals": [v]}))
    if name == "months":
        return lambda v: check_arrivals(_months(v))
    if name == "year":
        return lambda v: check_facilities(_facility().assign(opens=f"{int(v)}-01-01"))
    if name == "lead_time_days":
        return lambda v: (check_facilities(_facility(lead=v)), check_lead_times({"shelter": v}))
    if name.startswith("quantity."):
        unit = name.split(".", 1)[1]
        return lambda v: (check_facilities(_facility(v, unit)), check_plans(
            _facility(v, unit).drop(columns="facility_id").assign(ordered="2025-01-01")))
    if name == "n_runs":
        return lambda v: check_run_args(ONE_MONTH, ABMConfig(), v, 0)
    if name == "seed":
        return lambda v: check_run_args(ONE_MONTH, ABMConfig(), 1, v)
    if name == "risk":
        return check_risk
    if name == "path":
        return lambda v: check_arrivals(pd.DataFrame({"ds": ["2025-01-01"], "path": [v],
                                                      "arrivals": [1.0]}))
    return lambda v: ABMConfig().with_(**{name: v})


def _inside_outside(name):
    b = BOUNDS[name]
    step = (lambda x, d: x + d) if name in INTEGER else (
        lambda x, d: float(np.nextafter(x, math.copysign(math.inf, d))))
    inside, outside = [], []
    (outside if b.low_open else inside).append(b.low)
    (inside if b.low_open else outside).append(step(b.low, 1 if b.low_open else -1))
    (outside if b.high_open else inside).append(b.high)
    (inside if b.high_open else outside).append(step(b.high, -1 if b.high_open else 1))
    return inside, outside


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_bound_is_documented(name):
    b = BOUNDS[name]
    assert b.low < b.high and b.unit and len(b.why) > 5


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_bound_is_enforced_at_its_edge(name):
    fn = _entry(name)
    inside, outside = _inside_outside(name)
    if name == "months":  # a horizon of 0 months is not a frame; 1,200 / 1,201 months are
        outside = [v for v in outside if v > 0]
    if name in ("n_runs",):
        outside = [v for v in outside if v > 0] + [0]
    for v in inside:
        fn(v)
    for v in outside + [math.inf, math.nan] * (name not in INTEGER):
        with pytest.raises(ABMError) as info:
            fn(v)
        msg = str(info.value)
        assert "\n" not in msg
        if not (isinstance(v, float) and math.isnan(v) and name in ("lead_time_days",)):
            named = f"'{name}'" in msg or name == "path" or (
                name.startswith("quantity.") and not v > 0 and "positive" in msg)
            assert named, msg


def test_arrivals_far_beyond_any_flow_are_refused_before_any_allocation():
    for v in (1e12, 1e300):
        with pytest.raises(ABMError, match="plausibility bound 'arrivals'"):
            check_arrivals(pd.DataFrame({"ds": ["2025-01-01"], "arrivals": [v]}))


def test_memory_budget_is_refused_up_front_naming_the_figure():
    arr = check_arrivals(_months(1200).assign(arrivals=float(BOUNDS["arrivals"].high)))
    with pytest.raises(ABMError, match=r"over the memory budget of 4 GiB"):
        check_run_args(arr, ABMConfig(), 1, 0)


def test_every_bound_is_in_the_docs():
    text = (Path(__file__).parents[2] / "docs" / "abm.md").read_text()
    for name, b in BOUNDS.items():
        assert f"| `{name}` | {b.text().replace(' ' + b.unit, '')} | {b.unit} |" in text, name


def test_round_persons_refuses_what_it_cannot_count():
    from abm.model import round_persons

    assert round_persons(np.array([0.4, 0.4, 0.4])).tolist() == [0, 1, 0]
    for bad in ([1e300], [math.inf], [math.nan], [-1.0], [2.0**53, 2.0**53]):
        with pytest.raises(ABMError):
            round_persons(np.array(bad))
