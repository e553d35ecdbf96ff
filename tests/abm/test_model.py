"""Each process of the capacity model, checked against an independent calculation."""

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig, simulate
from abm.config import EXIT_ROUTES
from abm.demographics import category_shares, read_demographics
from abm.model import CapacityModel, round_persons
from abm.schema import check_facilities, check_plans
from tests.abm.abm_helpers import constant_arrivals, facilities_frame


def _model(arrivals, facilities, config=None, plans=None, seed=0):
    config = config or ABMConfig()
    shares = category_shares(read_demographics(), config.demographics_scope)
    months = pd.date_range("2025-01-01", periods=len(arrivals), freq="MS")
    return CapacityModel(np.asarray(arrivals, float), months, check_facilities(facilities),
                         check_plans(plans), config, shares, seed=seed).run()


def test_arrivals_are_spawned_to_the_path_in_whole_persons():
    path = [120.4, 0.0, 310.3, 55.5]
    m = _model(path, facilities_frame(1e6, 1e6, 1e6))
    hh = m.households
    month_of = np.searchsorted(np.cumsum(m.month_days), hh.arrival_day, side="right")
    per_month = np.bincount(month_of, weights=hh.size, minlength=4)
    assert per_month.tolist() == round_persons(path).tolist()
    assert (hh.size >= 1).all() and (np.diff(hh.arrival_day) >= 0).all()
    assert (hh.exit_day > hh.arrival_day).all()
    assert m.records["arrived_cum"][-1] == round(sum(path))


def test_shelter_admits_whole_households_in_arrival_order():
    """Sheltered persons equal an independent first-come-first-served pass over households."""
    m = _model([400, 300, 200], facilities_frame(250, 1e6, 1e6), seed=4)
    hh = m.households
    for t in range(m.n_steps):
        day = int(m.step_end[t]) - 1
        room, sheltered = 250.0, 0.0
        for i in range(len(hh)):
            if hh.arrival_day[i] > day or hh.exit_day[i] <= day:
                continue
            if hh.size[i] > room:
                break  # strict order: this household waits, and so does everyone behind it
            room -= hh.size[i]
            sheltered += hh.size[i]
        assert m.records["sheltered"][t] == sheltered
        assert m.records["sheltered"][t] <= 250


def test_population_accounts_add_up_every_step():
    m = _model([400, 300, 200, 0, 100], facilities_frame(150, 10, 5), seed=2)
    r = m.records
    assert np.array_equal(r["arrived_cum"], r["sheltered"] + r["unsheltered"] + r["exited_cum"])
    routes = sum(r[f"exited_{x}_cum"] for x in EXIT_ROUTES)
    assert np.array_equal(routes, r["exited_cum"])
    assert (np.diff(r["exited_cum"]) >= 0).all()


def test_exits_follow_stays_and_route_shares():
    cfg = ABMConfig(mean_stay_days=20.0, stay_distribution="fixed")
    m = _model([20000, 0, 0], facilities_frame(1e6, 1e6, 1e6), cfg, seed=1)
    hh = m.households
    assert ((hh.exit_day - hh.arrival_day) == 20).all()
    by_route = np.bincount(hh.route, weights=hh.size, minlength=3) / hh.size.sum()
    assert by_route == pytest.approx(cfg.exit_shares, abs=0.05)
    # everyone has left 20 days after the last arrival (January arrivals, 90-day horizon)
    assert m.records["present"][-1] == 0 and m.records["exited_cum"][-1] == 20000


def test_schools_enrol_up_to_seats_and_waitlist_the_rest():
    m = _model([600, 600, 600], facilities_frame(1e6, 100, 1e6), seed=3)
    r = m.records
    hh = m.households
    for t in (0, 30, m.n_steps - 1):
        day = int(m.step_end[t]) - 1
        here = (hh.arrival_day <= day) & (hh.exit_day > day)
        assert r["school_demand"][t] == hh.school_age[here].sum()
    assert np.array_equal(r["school_served"], np.minimum(r["school_demand"], 100))
    assert r["school_demand"].max() > 100  # the check above exercised a waitlist


def test_clinic_demand_matches_visit_rates():
    cfg = ABMConfig()
    m = _model([3000, 3000, 3000, 3000], facilities_frame(1e6, 1e6, 1e6), cfg, seed=5)
    hh = m.households
    person_days = np.minimum(hh.exit_day, m.n_days) - hh.arrival_day
    expected = ((hh.size * person_days).sum() * cfg.visits_per_person_year / 365
                + (hh.pregnant * person_days).sum() * cfg.anc_contacts_per_pregnancy
                / cfg.pregnancy_days
                + (hh.chronic * person_days).sum() * cfg.chronic_visits_per_year / 365)
    total = m.records["clinic_demand"].sum()
    assert abs(total - expected) < 5 * np.sqrt(expected)
    assert m.records["clinic_served"].sum() == total  # ample capacity: nothing unmet


def test_clinic_capacity_from_clinicians_and_unmet_visits():
    cfg = ABMConfig()
    fac = pd.DataFrame({"facility_id": ["c"], "facility_type": ["clinic"], "quantity": [1],
                        "quantity_unit": ["clinicians"]})
    m = _model([5000, 5000], fac, cfg, seed=6)
    cap = np.floor(50 * 5 / 7)  # UNHCR < 50 per clinician-day, five days a week, per calendar day
    r = m.records
    assert (r["clinic_capacity"] == cap).all()
    assert np.array_equal(r["clinic_served"], np.minimum(r["clinic_demand"], cap))
    assert (r["clinic_demand"] > cap).any()


def test_capacity_plan_adds_capacity_after_its_lead_time():
    fac = facilities_frame(100, 10, 10)
    plan = pd.DataFrame({"facility_type": ["shelter"], "quantity": [500],
                         "quantity_unit": ["persons"], "ordered": ["2025-02-01"],
                         "lead_time_days": [10]})
    m = _model([1000, 1000, 1000], fac, plans=plan)
    cap = m.records["shelter_capacity"]
    day_avail = 31 + 10  # 2025-02-11
    assert (cap[:day_avail] == 100).all() and (cap[day_avail:] == 600).all()


def test_m2_and_classrooms_use_the_cited_standards():
    fac = pd.DataFrame({"facility_id": ["s", "e"], "facility_type": ["shelter", "school"],
                        "quantity": [350.0, 2], "quantity_unit": ["m2", "classrooms"]})
    m = _model([10], fac)
    assert m.records["shelter_capacity"][0] == 100  # 350 m2 / 3.5 m2 per person (Sphere 2018)
    assert m.records["school_capacity"][0] == 160  # 2 x 40 pupils x 2 shifts (UNHCR)


def test_littles_law_for_an_ample_shelter():
    """Mean occupancy ~ arrival rate x mean stay once the system is in steady state."""
    cfg = ABMConfig(mean_stay_days=60.0, stay_distribution="exponential")
    months = 36
    res = simulate(constant_arrivals(3000, months), facilities_frame(1e7, 1e7, 1e7), cfg, seed=8)
    pop = res.population
    days = pop["days"].sum()
    rate = 3000 * months / days  # persons per day
    mean_stay = 60.0 + 0.5  # stays are rounded up to whole days
    steady = pop[pop["ds"] >= pd.Timestamp("2026-01-01")]
    assert steady["present"].mean() == pytest.approx(rate * mean_stay, rel=0.05)
    assert (steady["unsheltered"] == 0).all()


def test_step_lengths_agree():
    """Weekly and daily steps see the same households; clinic totals agree within noise."""
    arr = constant_arrivals(2000, 6)
    fac = facilities_frame(3000, 400, 60)
    daily = simulate(arr, fac, ABMConfig(step_days=1), seed=11)
    weekly = simulate(arr, fac, ABMConfig(step_days=7), seed=11)
    d = daily.population.set_index("step")
    w = weekly.population
    end_days = (w["step"] * 7 + w["days"] - 1).to_numpy()
    for col in ("present", "sheltered", "unsheltered", "exited_cum"):
        assert np.array_equal(w[col].to_numpy(), d.loc[end_days, col].to_numpy())
    cd = daily.summary.set_index("facility_type").loc["clinic", "demand_total"]
    cw = weekly.summary.set_index("facility_type").loc["clinic", "demand_total"]
    assert abs(cd - cw) < 5 * np.sqrt(cd + cw)


def test_determinism_under_a_seed(facilities, arrivals):
    a = simulate(arrivals, facilities, seed=42)
    b = simulate(arrivals, facilities, seed=42)
    c = simulate(arrivals, facilities, seed=43)
    pd.testing.assert_frame_equal(a.steps, b.steps)
    pd.testing.assert_frame_equal(a.population, b.population)
    assert not a.population["sheltered"].equals(c.population["sheltered"]) or not a.steps.equals(
        c.steps)


def test_facilities_are_mesa_agents():
    from abm.agents import Clinic, School, ShelterSite
    fac = facilities_frame(10, 10, 10)
    m = _model([10], fac)
    kinds = sorted(type(a).__name__ for a in m.agents)
    assert kinds == sorted([ShelterSite.__name__, School.__name__, Clinic.__name__])
    assert m.steps == m.n_steps


@pytest.mark.parametrize("step_days", [1, 7])
def test_household_agents_follow_the_model_decisions(step_days):
    """Opt-in Household agents: their statuses add up to the recorded accounts every step."""
    from abm.agents import Household
    config = ABMConfig(mean_stay_days=40.0, step_days=step_days)
    shares = category_shares(read_demographics(), config.demographics_scope)
    months = pd.date_range("2025-01-01", periods=3, freq="MS")
    fac = check_facilities(pd.DataFrame({
        "facility_id": ["a", "b"], "facility_type": "shelter", "quantity": [150.0, 200.0],
        "quantity_unit": "persons", "opens": [months[0], months[0] + pd.Timedelta(days=45)]}))
    m = CapacityModel(np.array([300.0, 250.0, 100.0]), months, fac, check_plans(None), config,
                      shares, seed=12, household_agents=True)
    seen = set()
    while m.running:
        m.step()
        t = m.steps - 1
        rec = m.records
        agents = list(m.agents_by_type[Household])
        total = {s: sum(a.size for a in agents if a.status == s)
                 for s in ("waiting", "sheltered", "left")}
        assert total["sheltered"] == rec["sheltered"][t]
        assert total["waiting"] == rec["unsheltered"][t]
        assert total["left"] == rec["exited_cum"][t]
        seen |= {s for s, v in total.items() if v > 0}
    assert seen == {"waiting", "sheltered", "left"}
    plain = _model([300.0, 250.0, 100.0], fac, config, seed=12)
    for name in ("sheltered", "unsheltered", "clinic_demand"):
        assert np.array_equal(plain.records[name], m.records[name])
    admitted = [a for a in agents if a.sheltered_day is not None]
    assert all(a.arrival_day <= a.sheltered_day < a.exit_day for a in admitted)
