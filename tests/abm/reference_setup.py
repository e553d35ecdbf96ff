"""The capacity model's set-up as it was before the speed work (abm at commit 5db4495), kept
verbatim as a slow reference: a run's households, facility agents and capacity per day
re-parsed from the frames with pandas for every run, and the household draws with
``Generator.choice``, and the shelter admission scan over every waiting household.
``tests/abm/test_setup_reference.py`` checks that the optimised code (a template shared
by the runs of a Monte Carlo, an incremental admission scan) gives the same random stream
and the same results. Only these are copied; the rest of the steps and the records are
the model's own.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from abm.agents import AGENT_CLASSES, capacity_in_units
from abm.config import EXIT_ROUTES, ABMConfig
from abm.demographics import AGE_BANDS, CATEGORIES, Households, draw_stays, member_shares
from abm.model import CapacityModel, round_persons


def draw_households_reference(persons_per_month, month_days, shares, config: ABMConfig,
                              rng: np.random.Generator) -> Households:
    """``abm.demographics.draw_households`` before the speed work (verbatim)."""
    mean = config.household_size_mean
    starts = np.concatenate([[0], np.cumsum(month_days)[:-1]])
    sizes_parts, day_parts = [], []
    for m, persons in enumerate(np.asarray(persons_per_month, dtype=np.int64)):
        if persons <= 0:
            continue
        n = int(persons / mean * 1.2) + 8
        sizes = 1 + rng.poisson(mean - 1, size=n)
        cs = np.cumsum(sizes)
        while cs[-1] < persons:
            more = 1 + rng.poisson(mean - 1, size=n)
            sizes = np.concatenate([sizes, more])
            cs = np.cumsum(sizes)
        k = int(np.searchsorted(cs, persons, side="left"))
        sizes = sizes[: k + 1].copy()
        sizes[k] = persons - (cs[k - 1] if k > 0 else 0)
        days = starts[m] + rng.integers(0, month_days[m], size=sizes.shape[0])
        sizes_parts.append(sizes)
        day_parts.append(days)
    if not sizes_parts:
        empty = np.zeros(0, dtype=np.int64)
        return Households(empty, empty, empty, empty, empty, empty, empty)
    size = np.concatenate(sizes_parts).astype(np.int64)
    arrival = np.concatenate(day_parts).astype(np.int64)
    order = np.argsort(arrival, kind="stable")
    size, arrival = size[order], arrival[order]
    n_hh = size.shape[0]

    head_p, rest_p = member_shares(shares, mean)
    total = int(size.sum())
    hh_of_person = np.repeat(np.arange(n_hh), size)
    first = np.zeros(total, dtype=bool)
    first[np.concatenate([[0], np.cumsum(size)[:-1]])] = True
    cats = np.empty(total, dtype=np.int64)
    cats[first] = rng.choice(len(CATEGORIES), size=n_hh, p=head_p)
    cats[~first] = rng.choice(len(CATEGORIES), size=total - n_hh, p=rest_p)
    counts = np.bincount(hh_of_person * len(CATEGORIES) + cats,
                         minlength=n_hh * len(CATEGORIES)).reshape(n_hh, len(CATEGORIES))
    idx = {c: i for i, c in enumerate(CATEGORIES)}
    band = {b: counts[:, idx[(b, "female")]] + counts[:, idx[(b, "male")]] for b in AGE_BANDS}
    school_age = band["12-17"] + rng.binomial(band["5-11"], config.school_age_share_5_11)
    women = counts[:, idx[("18-59", "female")]]
    women_share = shares[idx[("18-59", "female")]]
    p_preg = min(1.0, config.pregnant_share_of_population / women_share) if women_share > 0 else 0.0
    pregnant = rng.binomial(women, p_preg)
    chronic = (rng.binomial(band["18-59"], config.chronic_share_18_59)
               + rng.binomial(band["60+"], config.chronic_share_60plus))
    stay = draw_stays(n_hh, config, rng)
    route = rng.choice(len(config.exit_shares), size=n_hh, p=np.asarray(config.exit_shares))
    return Households(
        arrival_day=arrival, exit_day=arrival + stay, size=size,
        school_age=school_age.astype(np.int64), pregnant=pregnant.astype(np.int64),
        chronic=chronic.astype(np.int64), route=route.astype(np.int64),
    )


class ReferenceModel(CapacityModel):
    """``CapacityModel`` whose set-up is the pre-speed-work code (verbatim); same steps."""

    def __init__(self, arrivals, months: pd.DatetimeIndex, facilities: pd.DataFrame,
                 plans: pd.DataFrame, config: ABMConfig, shares: np.ndarray, *,
                 seed: int | None = None, rng: np.random.Generator | None = None,
                 household_agents: bool = False) -> None:
        if rng is None:
            rng = np.random.default_rng(seed)
        mesa.Model.__init__(self, rng=rng)
        self.config = config
        self.months = pd.DatetimeIndex(months)
        self.month_days = np.asarray(self.months.days_in_month, dtype=np.int64)
        self.n_days = int(self.month_days.sum())
        s = config.step_days
        self.n_steps = -(-self.n_days // s)
        self.step_start = np.arange(self.n_steps) * s
        self.step_end = np.minimum(self.step_start + s, self.n_days)
        self.step_len = self.step_end - self.step_start
        self.persons_per_month = round_persons(arrivals)

        self._ref_add_facilities(facilities, plans)
        self.households: Households = draw_households_reference(
            self.persons_per_month, self.month_days, shares, config, self.rng)
        self._ref_daily_population()
        self._ref_prepare_steps()
        self.n_spawned = 0
        self._blocked = 0
        self.exit_routes = EXIT_ROUTES
        self.household_agents = bool(household_agents)
        self._hh_agents: list = []
        self._exit_order = np.argsort(self.households.exit_day, kind="stable")
        self._exit_ptr = 0
        self.running = self.n_steps > 0

    def _ref_day_index(self, dates: pd.Series) -> np.ndarray:
        if not len(self.months):
            return np.zeros(len(dates), dtype=np.int64)
        start = self.months[0]
        days = (pd.to_datetime(dates) - start).dt.days.to_numpy(dtype=float, na_value=0.0)
        return np.maximum(0, days).astype(np.int64)

    def _ref_add_facilities(self, facilities: pd.DataFrame, plans: pd.DataFrame) -> None:
        cfg = self.config
        fac_days = self._ref_day_index(facilities["opens"])
        for row, day in zip(facilities.itertuples(index=False), fac_days, strict=True):
            cap = capacity_in_units(row.facility_type, row.quantity, row.quantity_unit, cfg)
            AGENT_CLASSES[row.facility_type](self, row.facility_id, cap, day)
        if len(plans):
            avail = pd.to_datetime(plans["ordered"]) + pd.to_timedelta(
                plans["lead_time_days"].astype(float), unit="D")
            plan_days = self._ref_day_index(avail)
            for i, (row, day) in enumerate(zip(plans.itertuples(index=False), plan_days,
                                               strict=True)):
                cap = capacity_in_units(row.facility_type, row.quantity, row.quantity_unit, cfg)
                AGENT_CLASSES[row.facility_type](self, f"plan:{i}", cap, day, origin="plan")
        self.capacity_day = {}
        for ftype, cls in AGENT_CLASSES.items():
            diff = np.zeros(self.n_days + 1)
            for agent in self.agents_by_type.get(cls, []):
                if agent.available_day < self.n_days:
                    diff[agent.available_day] += agent.capacity
            self.capacity_day[ftype] = np.cumsum(diff)[: self.n_days]

    def _ref_daily_population(self) -> None:
        hh, n = self.households, self.n_days

        def present(weights: np.ndarray) -> np.ndarray:
            up = np.bincount(hh.arrival_day, weights=weights, minlength=n + 1)[: n + 1]
            ex = np.minimum(hh.exit_day, n)
            down = np.bincount(ex, weights=weights, minlength=n + 1)[: n + 1]
            return np.cumsum(up - down)[:n]

        size = hh.size.astype(float)
        self.present_day = present(size)
        self.school_day = present(hh.school_age.astype(float))
        arrived = np.bincount(hh.arrival_day, weights=size, minlength=n)[:n]
        self.arrived_cum_day = np.cumsum(arrived)
        ex_in = hh.exit_day < n
        self.exited_cum_route_day = np.zeros((len(EXIT_ROUTES), n))
        for r in range(len(EXIT_ROUTES)):
            m = ex_in & (hh.route == r)
            self.exited_cum_route_day[r] = np.cumsum(
                np.bincount(hh.exit_day[m], weights=size[m], minlength=n)[:n])
        cfg = self.config
        visits_day = (self.present_day * cfg.visits_per_person_year / 365.0
                      + present(hh.pregnant.astype(float))
                      * cfg.anc_contacts_per_pregnancy / cfg.pregnancy_days
                      + present(hh.chronic.astype(float)) * cfg.chronic_visits_per_year / 365.0)
        self.clinic_mean_step = np.add.reduceat(visits_day, self.step_start) if n else np.zeros(0)
        self.clinic_capacity_step = (np.add.reduceat(self.capacity_day["clinic"], self.step_start)
                                     if n else np.zeros(0))
        self.arrivals_step = np.add.reduceat(arrived, self.step_start) if n else np.zeros(0)
        self._spawn_upto = np.searchsorted(hh.arrival_day, self.step_end, side="left")
        self._size_f = size

    def _ref_prepare_steps(self) -> None:
        snap = self.step_end - 1
        self._snap = snap.tolist()
        self._present_snap = self.present_day[snap].tolist()
        self._shelter_cap_snap = self.capacity_day["shelter"][snap].tolist()
        self._spawn_list = self._spawn_upto.tolist()
        self._clinic_mean = self.clinic_mean_step.tolist()
        self._sheltered = np.zeros(self.n_steps)
        self._visits = np.zeros(self.n_steps)

    def _sheltered_prefix(self, day: int, cap: float, present: float) -> float:
        """The shelter admission scan before the speed work (verbatim): every waiting
        household from the blocked position on, each time."""
        hh, b = self.households, self._blocked
        n = int(np.searchsorted(hh.arrival_day, day, side="right"))
        sizes = np.where(hh.exit_day[b:n] > day, self._size_f[b:n], 0.0)
        cs = np.cumsum(sizes)
        inside = present - (cs[-1] if cs.size else 0.0)  # admitted earlier and still here
        k = int(np.searchsorted(cs, cap - inside, side="right"))
        self._blocked = b + k
        return inside + (float(cs[k - 1]) if k > 0 else 0.0)
