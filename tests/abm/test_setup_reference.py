"""The optimised model (a CapacityTemplate shared by runs, choice cdfs precomputed, the
windowed shelter admission scan) gives the same random stream and the same results as the
old per-run set-up and full admission scan, kept verbatim in ``reference_setup.py``: equal
records, households, facility and household agents, and generator state after the run.
The cases run short of shelter with people leaving while they wait, and admit more than
one scan window at once (a shelter expansion opening), so every branch of the scan runs."""

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig, default_facilities
from abm.demographics import HouseholdDraws, category_shares, draw_households, read_demographics
from abm.model import RECORDS, CapacityModel, CapacityTemplate
from abm.runs import prepare, run_chunk, run_seeds
from abm.schema import arrivals_paths, check_facilities, check_plans
from tests.abm.reference_setup import ReferenceModel, draw_households_reference

SHARES = category_shares(read_demographics(), "central_asia")
MONTHS = pd.date_range("2025-01-01", periods=7, freq="MS")
PATH = np.array([120.4, 0.0, 2600.0, 900.7, 35.0, 0.2, 410.0])  # a surge, an empty month
PLANS = check_plans(pd.DataFrame({
    "facility_type": ["shelter", "school", "clinic", "shelter"],
    "quantity": [700.0, 2.0, 1.0, 50.0], "quantity_unit": ["m2", "classrooms", "clinicians",
                                                            "persons"],
    "ordered": ["2025-02-10", "2024-11-01", "2025-05-20", "2026-03-01"],
    "lead_time_days": [30, 0, 12.5, 0]}))
CONFIGS = (
    ABMConfig(step_days=7),
    ABMConfig(step_days=1, stay_distribution="gamma", stay_cv=0.6, mean_stay_days=60.0),
    ABMConfig(step_days=7, stay_distribution="lognormal", household_size_mean=1.0,
              exit_shares=(0.0, 0.25, 0.75)),
)


def _hh_equal(a, b) -> None:
    for name in ("arrival_day", "exit_day", "size", "school_age", "pregnant", "chronic", "route"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


def _agents(m):
    return [(type(a).__name__, a.unique_id, getattr(a, "facility_id", None),
             getattr(a, "capacity", None), getattr(a, "available_day", None),
             getattr(a, "origin", None), getattr(a, "status", None),
             getattr(a, "sheltered_day", None)) for a in m.agents]


def _same_model(ref, new) -> None:
    assert ref.rng.bit_generator.state == new.rng.bit_generator.state  # same draws consumed
    _hh_equal(ref.households, new.households)
    assert _agents(ref) == _agents(new)
    for ftype, cap in ref.capacity_day.items():
        assert np.array_equal(cap, new.capacity_day[ftype]), ftype
    r, n = ref.records, new.records
    for k in RECORDS:
        assert r[k].dtype == n[k].dtype and np.array_equal(r[k], n[k]), k


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("fac", ["small", "TJK"])
def test_model_equals_reference_setup(config, fac, facilities):
    fac = check_facilities(facilities) if fac == "small" else default_facilities(fac)
    template = CapacityTemplate.build(MONTHS, fac, PLANS, config, SHARES)
    for seed in (0, 11):
        args = (PATH, MONTHS, fac, PLANS, config, SHARES)
        ref = ReferenceModel(*args, seed=seed, household_agents=True).run()
        _same_model(ref, CapacityModel(*args, seed=seed, household_agents=True).run())
        shared = CapacityModel(PATH, template.months, fac, PLANS, config, SHARES,
                               seed=seed, template=template, household_agents=True).run()
        _same_model(ref, shared)


def test_monte_carlo_runs_equal_reference_runs(facilities):
    """run_chunk (what monte_carlo and the Dask workers call) with its shared template."""
    arr = pd.DataFrame({"ds": np.tile(MONTHS, 3), "path": np.repeat([0, 1, 2], len(MONTHS)),
                        "arrivals": np.concatenate([PATH, PATH[::-1], PATH * 0.3])})
    a, inputs = prepare(arr, facilities, ABMConfig(step_days=7), PLANS)
    seqs = run_seeds(5, 6)
    paths = arrivals_paths(a, 6, np.random.default_rng(seqs[0]))
    got = run_chunk(paths, inputs, seqs[1:])
    for p, s, g in zip(paths, seqs[1:], got, strict=True):
        ref = ReferenceModel(p, inputs.months, inputs.facilities, inputs.plans, inputs.config,
                             inputs.shares, rng=np.random.default_rng(s)).run()
        for k in RECORDS:
            assert np.array_equal(ref.records[k], g[k]), k


def test_household_draws_equal_reference():
    rng = np.random.default_rng(2024)
    cases = [(np.array([0, 0]), np.array([31, 28])), (np.array([1]), np.array([30])),
             (np.array([0, 9, 20000, 3]), np.array([31, 29, 31, 30]))]
    cases += [(rng.integers(0, 3000, size=5), rng.integers(28, 32, size=5)) for _ in range(4)]
    for i, (persons, days) in enumerate(cases):
        for config in CONFIGS:
            draws = HouseholdDraws.build(SHARES, config)
            r1, r2, r3 = (np.random.default_rng(i) for _ in range(3))
            ref = draw_households_reference(persons, days, SHARES, config, r1)
            _hh_equal(ref, draw_households(persons, days, SHARES, config, r2, draws))
            _hh_equal(ref, draw_households(persons, days, SHARES, config, r3))
            assert r1.bit_generator.state == r2.bit_generator.state == r3.bit_generator.state


def test_refused_shares_raise_as_before():
    """Shares with no adult (no head of household possible): numpy's own error, as before."""
    shares = np.where([a in ("18-59", "60+") for a in np.repeat(["0-4", "5-11", "12-17",
                                                                 "18-59", "60+"], 2)], 0.0, 0.1)
    shares = shares / shares.sum()
    with np.errstate(invalid="ignore"), pytest.raises(ValueError) as ref_err:
        draw_households_reference(np.array([50]), np.array([31]), shares, ABMConfig(),
                                  np.random.default_rng(0))
    with np.errstate(invalid="ignore"), pytest.raises(ValueError) as new_err:
        draw_households(np.array([50]), np.array([31]), shares, ABMConfig(),
                        np.random.default_rng(0))
    assert str(ref_err.value) == str(new_err.value)


def test_template_for_other_inputs_is_refused(facilities):
    fac = check_facilities(facilities)
    template = CapacityTemplate.build(MONTHS, fac, PLANS, ABMConfig(), SHARES)
    with pytest.raises(ValueError, match="template"):
        CapacityModel(PATH, MONTHS, fac, PLANS, ABMConfig(step_days=7), SHARES, seed=0,
                      template=template)
    with pytest.raises(ValueError, match="template"):
        CapacityModel(PATH[:6], MONTHS[:6], fac, PLANS, ABMConfig(), SHARES, seed=0,
                      template=template)
    assert not template.capacity_day[0].flags.writeable  # shared by runs: read-only


@pytest.mark.parametrize("path, config", [
    (np.zeros(7), ABMConfig(step_days=7)),  # nobody arrives
    (np.array([0, 1.0, 0, 0, 0, 0, 0]), ABMConfig(step_days=1)),  # one person
    (PATH, ABMConfig(step_days=7, stay_distribution="fixed", mean_stay_days=3650.0)),  # nobody leaves
])
def test_edge_paths_equal_reference(path, config, facilities):
    fac = check_facilities(facilities)
    args = (path, MONTHS, fac, PLANS, config, SHARES)
    _same_model(ReferenceModel(*args, seed=4, household_agents=True).run(),
                CapacityModel(*args, seed=4, household_agents=True).run())
