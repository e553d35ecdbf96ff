"""Capacity-model details pinned against hand calculations and exact invariants.

Complements test_model.py: the shelter helper's contract when nobody waits, the
opt-in household agents when everybody leaves within the horizon, step
bookkeeping and the records of steps not yet run, the admission bookkeeping against a
plain recount, and the shared template's read-only arrays and input check.
"""

import numpy as np
import pandas as pd
import pytest

from abm import ABMConfig
from abm.demographics import HouseholdDraws, category_shares, read_demographics
from abm.model import _SCAN_WINDOW, RECORDS, CapacityModel, CapacityTemplate, round_persons
from abm.schema import check_facilities, check_plans
from tests.abm.abm_helpers import facilities_frame

SHARES = category_shares(read_demographics(), "central_asia")


def _model(arrivals, fac, config, seed=0, run=True, months=None, **kw):
    months = months if months is not None else pd.date_range(
        "2025-01-01", periods=len(arrivals), freq="MS")
    m = CapacityModel(np.asarray(arrivals, float), months, check_facilities(fac),
                      check_plans(None), config, SHARES, seed=seed, **kw)
    return m.run() if run else m


def test_round_persons_hand_values():
    # running totals 0.4, 1.4, 2.6, 2.6 round to 0, 1, 3, 3
    assert round_persons([0.4, 1.0, 1.2, 0.0]).tolist() == [0, 1, 2, 0]
    assert round_persons(pd.Series([2.5, 0.5])).dtype == np.int64
    # numbers held in an object array (a frame row, a list of mixed ints and floats)
    mixed = np.array([1, 0.6, 2.25], dtype=object)
    assert round_persons(mixed).tolist() == [1, 1, 2]  # totals 1, 1.6, 3.85 -> 1, 2, 4


@pytest.mark.parametrize("bad", [[1.0, -0.5], [np.nan], [np.inf, 1.0]])
def test_round_persons_refuses_in_one_plain_line(bad):
    from abm.errors import InputError

    with pytest.raises(InputError) as err:
        round_persons(bad)
    assert str(err.value) == "arrivals: persons per month must be finite and >= 0"


def test_sheltered_prefix_with_nobody_waiting_is_everyone_present():
    """With every present household admitted, the helper returns the persons present
    and keeps the blocked position (there is nobody behind it to scan)."""
    m = _model([300.0, 200.0], facilities_frame(1e6, 1e6, 1e6), ABMConfig(step_days=7))
    t = m.n_steps - 1
    day = int(m.step_end[t]) - 1
    present = float(m.present_day[day])
    assert present > 0 and m._blocked == len(m.households)
    got = m._sheltered_prefix(day, 1e6, present)
    assert got == present
    assert m._blocked == len(m.households)


def test_sheltered_prefix_scans_only_the_waiting():
    """Hand example: capacity for the first waiting households in order, none past a misfit."""
    m = _model([200.0], facilities_frame(1, 1e6, 1e6), ABMConfig(step_days=7))
    hh = m.households
    day = int(m.step_end[-1]) - 1
    here = (hh.arrival_day <= day) & (hh.exit_day > day)
    sizes = hh.size[here].astype(float)
    assert sizes.size >= 3
    m._blocked = 0
    cap = float(sizes[0] + sizes[1])  # the first two fit exactly, the third does not
    got = m._sheltered_prefix(day, cap, float(sizes.sum()))
    assert got == cap
    assert m._blocked == int(np.flatnonzero(here)[1]) + 1


def test_household_agents_when_everybody_leaves():
    """Fixed 10-day stays, arrivals in January only: every household leaves inside the
    three-month horizon; statuses still match the accounts, and an admission day never
    changes once set."""
    from abm.agents import Household
    cfg = ABMConfig(step_days=7, mean_stay_days=10.0, stay_distribution="fixed")
    fac = pd.DataFrame({"facility_id": ["s"], "facility_type": ["shelter"], "quantity": [60.0],
                        "quantity_unit": ["persons"]})
    m = _model([400.0, 0.0, 0.0], fac, cfg, seed=3, run=False, household_agents=True)
    first_admission: dict[int, int] = {}
    while m.running:
        m.step()
        t = m.steps - 1
        rec = m.records
        agents = list(m.agents_by_type[Household])
        for a in agents:
            if a.sheltered_day is not None:
                assert first_admission.setdefault(a.row, a.sheltered_day) == a.sheltered_day
        assert sum(a.size for a in agents if a.status == "sheltered") == rec["sheltered"][t]
        assert sum(a.size for a in agents if a.status == "waiting") == rec["unsheltered"][t]
        assert sum(a.size for a in agents if a.status == "left") == rec["exited_cum"][t]
    assert all(a.status == "left" for a in agents)
    assert sum(a.size for a in agents) == 400
    assert 0 < len(first_admission) < len(agents)  # some were sheltered, some never


def test_step_grid_for_weekly_steps():
    # January + February 2025 = 59 days: 8 full weeks and a 3-day last step
    m = _model([10.0, 10.0], facilities_frame(1e6, 1e6, 1e6), ABMConfig(step_days=7))
    assert m.n_days == 59 and m.n_steps == 9
    assert m.step_start.tolist() == [0, 7, 14, 21, 28, 35, 42, 49, 56]
    assert m.step_len.tolist() == [7] * 8 + [3]
    assert m.steps == 9 and not m.running


def test_records_before_and_during_the_run():
    m = _model([500.0, 500.0], facilities_frame(50, 5, 1), ABMConfig(step_days=7), run=False)
    assert m.running
    rec = m.records
    assert set(rec) == set(RECORDS)
    assert all(len(v) == m.n_steps and not v.any() for v in rec.values())  # nothing run yet
    m.step()
    m.step()
    rec = m.records
    for name in ("arrivals", "present", "shelter_capacity", "school_capacity"):
        assert (rec[name][2:] == 0).all() and rec[name][:2].all(), name
    m.run()
    assert not m.running and m.records["present"].all()
    m.step()  # stepping past the end changes nothing
    assert m.steps == m.n_steps + 1 and not m.running


def test_shelter_blocked_household_holds_back_smaller_ones_behind_it():
    """Strict arrival order, exact recount with two shelters opening 10 days apart."""
    months = pd.date_range("2025-01-01", periods=2, freq="MS")
    fac = pd.DataFrame({"facility_id": ["a", "b"], "facility_type": "shelter",
                        "quantity": [40.0, 35.0], "quantity_unit": "persons",
                        "opens": [months[0], months[0] + pd.Timedelta(days=10)]})
    cfg = ABMConfig(step_days=1, mean_stay_days=25.0, stay_distribution="fixed")
    m = _model([150.0, 60.0], fac, cfg, seed=9, months=months)
    hh = m.households
    blocked = 0
    for t in range(m.n_steps):
        day = int(m.step_end[t]) - 1
        cap = 40.0 + (35.0 if day >= 10 else 0.0)
        inside = sum(hh.size[i] for i in range(blocked) if hh.exit_day[i] > day)
        i = blocked
        while i < len(hh) and hh.arrival_day[i] <= day:
            if hh.exit_day[i] > day:
                if inside + hh.size[i] > cap:
                    break
                inside += hh.size[i]
            i += 1
        blocked = i
        assert m.records["sheltered"][t] == inside, t
        assert m.records["shelter_capacity"][t] == cap
    assert (m.records["unsheltered"] > 0).any()


@pytest.mark.parametrize("visits", [0.0, 3.5])
def test_clinic_demand_is_zero_without_visit_rates(visits):
    cfg = ABMConfig(step_days=7, visits_per_person_year=visits, anc_contacts_per_pregnancy=0.0,
                    chronic_visits_per_year=0.0)
    m = _model([900.0], facilities_frame(1e6, 1e6, 1e6), cfg, seed=1)
    total = m.records["clinic_demand"].sum()
    if visits == 0:
        assert total == 0
    else:  # Poisson total around person-days x rate
        hh = m.households
        pd_ = (hh.size * (np.minimum(hh.exit_day, m.n_days) - hh.arrival_day)).sum()
        mean = pd_ * visits / 365
        assert abs(total - mean) < 5 * np.sqrt(mean)


def test_plan_expansions_are_facility_agents_marked_as_plans():
    from abm.agents import Clinic, ShelterSite
    months = pd.date_range("2025-01-01", periods=2, freq="MS")
    plans = check_plans(pd.DataFrame({
        "facility_type": ["shelter", "clinic"], "quantity": [70.0, 2.0],
        "quantity_unit": ["m2", "clinicians"], "ordered": ["2025-01-05", "2024-12-01"],
        "lead_time_days": [10, 3]}))
    m = CapacityModel(np.array([10.0, 10.0]), months, check_facilities(facilities_frame(5, 5, 5)),
                      plans, ABMConfig(), SHARES, seed=0)
    by_id = {a.facility_id: a for a in m.agents}
    assert {i: a.origin for i, a in by_id.items()} == {
        "s": "facility", "e": "facility", "c": "facility", "plan:0": "plan", "plan:1": "plan"}
    assert isinstance(by_id["plan:0"], ShelterSite) and isinstance(by_id["plan:1"], Clinic)
    assert by_id["plan:0"].capacity == 20.0  # 70 m2 / 3.5 m2 per person
    assert by_id["plan:0"].available_day == 14  # 2025-01-05 + 10 days = 2025-01-15
    assert by_id["plan:1"].available_day == 0  # available before the horizon: from day 0
    assert by_id["plan:1"].capacity == pytest.approx(2 * 50 * 5 / 7)
    assert m.capacity_day["shelter"][13] == 5 and m.capacity_day["shelter"][14] == 25


def test_clinic_mean_per_step_from_the_cited_rates_by_hand():
    """The Poisson mean of each step: person-days x visits/365 + pregnant-days x ANC contacts /
    pregnancy days + chronic-days x follow-ups/365, summed day by day over the step."""
    cfg = ABMConfig(step_days=7, mean_stay_days=30.0, chronic_visits_per_year=20.0)
    m = _model([200.0, 100.0], facilities_frame(1e6, 1e6, 1e6), cfg, seed=4)
    hh = m.households
    assert hh.pregnant.sum() > 0 and hh.chronic.sum() > 0
    expected = np.zeros(m.n_steps)
    for t in range(m.n_steps):
        for day in range(int(m.step_start[t]), int(m.step_end[t])):
            here = (hh.arrival_day <= day) & (hh.exit_day > day)
            expected[t] += (hh.size[here].sum() * 3.5 / 365 + hh.pregnant[here].sum() * 8 / 280
                            + hh.chronic[here].sum() * 20.0 / 365)
    np.testing.assert_allclose(m.clinic_mean_step, expected, rtol=1e-12)


def test_running_flag_is_a_boolean():
    m = _model([10.0], facilities_frame(1e6, 1e6, 1e6), ABMConfig(step_days=7), run=False)
    assert m.running is True
    m.run()
    assert m.running is False
    m.step()
    assert m.running is False


def test_an_empty_horizon_has_no_steps():
    """No months: no days, no steps, empty per-step arrays; running is False from the start."""
    fac = check_facilities(pd.DataFrame({
        "facility_id": ["s"], "facility_type": ["shelter"], "quantity": [10.0],
        "quantity_unit": ["persons"], "opens": ["2025-03-01"]}))
    m = CapacityModel(np.zeros(0), pd.DatetimeIndex([]), fac, check_plans(None), ABMConfig(),
                      SHARES, seed=0)
    assert m.n_days == 0 and m.n_steps == 0 and m.running is False
    assert m.clinic_mean_step.shape == m.clinic_capacity_step.shape == m.arrivals_step.shape == (0,)
    assert all(v.shape == (0,) for v in m.records.values())
    m.run()
    assert m.steps == 0 and len(m.households) == 0


def test_admitted_present_equals_a_plain_recount():
    """Persons of the households before the blocked position still present on the day, as
    the position moves a few households (the plain loop) or hundreds at once (the array
    branch), on days that are exit days of households the next move adds (one that left on
    the last day already added up is gone, not still inside), and after a reset."""
    m = _model([5000.0, 5000.0], facilities_frame(1, 1e6, 1e6),
               ABMConfig(step_days=1, mean_stay_days=20.0), run=False)
    hh = m.households
    size = hh.size.astype(float)
    pos = np.cumsum([30, 300, 10, 200, 3, 0, 250, 1])
    assert pos[-1] < len(hh)
    days, day = [], 0
    for b, b_next in zip(pos[:-1], pos[1:], strict=True):
        ex = hh.exit_day[b:b_next]
        ex = ex[(ex >= day) & (ex < m.n_days)]
        day = int(ex.min()) if ex.size else day
        days.append(day)
    # the edge is reached in both branches: a household added next left on the day just added up
    hits = [bool(np.isin(d, hh.exit_day[b:b_next]))
            for d, b, b_next in zip(days, pos[:-1], pos[1:], strict=True)]
    assert hits[0] and hits[2]  # the next moves add 300 and 200 households (array branch)
    assert hits[1] or hits[3]  # the next moves add 10 and 3 (plain loop)
    for b, day in [*zip(pos[:-1], days, strict=True), (pos[-2], days[0])]:  # last: a reset
        m._blocked = int(b)
        expected = float(size[:b][hh.exit_day[:b] > day].sum())
        assert m._admitted_present(day) == expected, (b, day)


def test_template_arrays_are_read_only_and_other_inputs_are_refused():
    months = pd.date_range("2025-01-01", periods=3, freq="MS")
    cfg = ABMConfig(step_days=7)
    template = CapacityTemplate.build(months, check_facilities(facilities_frame(9, 9, 9)),
                                      check_plans(None), cfg, SHARES)
    for a in (template.month_days, *template.capacity_day):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 1
    fresh = HouseholdDraws.build(SHARES, cfg)  # the household draws' constants, built once
    assert isinstance(template.draws, HouseholdDraws)
    assert (template.draws.mean, template.draws.p_preg) == (fresh.mean, fresh.p_preg)
    for name in ("head_p", "rest_p", "route_p", "head_cdf", "rest_cdf", "route_cdf"):
        np.testing.assert_array_equal(getattr(template.draws, name), getattr(fresh, name))
    # equal inputs that are other objects pass (compared by value)
    template.check(pd.DatetimeIndex(list(months)), ABMConfig(step_days=7), SHARES.copy())
    other = SHARES[::-1].copy()  # other shares (same length, same total)
    assert not np.array_equal(other, SHARES)
    for args in ((months[:2], cfg, SHARES), (months, ABMConfig(step_days=1), SHARES),
                 (months, cfg, other)):
        with pytest.raises(ValueError) as err:
            template.check(*args)
        assert str(err.value) == ("CapacityModel: template was built for other months, config "
                                  "or shares (CapacityTemplate.build)")


def test_sheltered_prefix_with_the_first_window_filled_exactly_equals_a_full_scan():
    """The windowed scan gives what a scan over every waiting household gives (blocked
    position and persons) when the room is exactly the first window's persons and the
    household just behind the window has already left: it is passed over, as in the full scan."""
    m = _model([5000.0, 5000.0], facilities_frame(1, 1e6, 1e6),
               ABMConfig(step_days=1, mean_stay_days=20.0), run=False)
    hh, day, w = m.households, m.n_days - 1, _SCAN_WINDOW
    size = hh.size.astype(float)
    here = hh.exit_day > day  # everybody has arrived by the last day
    starts = [b for b in range(len(hh) - w - 1)
              if not here[b + w] and here[b:b + w].any() and here[b + w + 1:].any()]
    assert len(starts) >= 5
    for b in starts[:: max(1, len(starts) // 20)]:
        inside = float(size[:b][here[:b]].sum())
        cs = np.cumsum(np.where(here[b:], size[b:], 0.0))
        cap = inside + float(cs[w - 1])  # the first window fits exactly
        k = int(np.searchsorted(cs, cap - inside, side="right"))
        assert k > w  # the full scan passes the household that left
        m._blocked = b
        assert m._sheltered_prefix(day, cap, float(size[here].sum())) == cap
        assert m._blocked == b + k, b
