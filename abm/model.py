"""The Mesa capacity model: households arrive, are sheltered, schooled and treated, and leave.

One run = one arrivals path, one facilities table (plus a capacity plan), one
:class:`abm.config.ABMConfig` and one seed. All randomness comes from
``self.rng`` (Mesa's numpy Generator). Time runs in steps of ``step_days``
days over the calendar months of the arrivals path; every output is recorded
at the end of each step (stocks) or summed over the step (flows).

Processes (each documented where it is computed):

* arrivals: households spawned from the path, composition from the cited
  demographics (:func:`abm.demographics.draw_households`);
* shelter: households admitted whole, first come first served (strict order of
  arrival: a household that does not fit waits, and so do those behind it);
  the rest are unsheltered (informal); everybody leaves after their stay;
* schools: school-age children take free seats; the rest wait (waitlist);
* clinics: Poisson consultations from per-person visit rates; visits above
  the step's capacity are unmet (lost, not carried over).
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
import pandas as pd

from abm.agents import AGENT_CLASSES, capacity_in_units
from abm.config import EXIT_ROUTES, ABMConfig
from abm.demographics import HouseholdDraws, Households, draw_households

#: households scanned first for shelter admission (the window grows 4x while all fit)
_SCAN_WINDOW = 64

#: recorded per-step series (all float64 arrays of length n_steps)
RECORDS = (
    "arrivals", "arrived_cum", "present", "sheltered", "unsheltered", "exited_cum",
    *(f"exited_{r}_cum" for r in EXIT_ROUTES),
    "shelter_capacity", "school_demand", "school_capacity", "school_served",
    "clinic_demand", "clinic_capacity", "clinic_served",
)


def round_persons(arrivals: np.ndarray) -> np.ndarray:
    """Whole persons per month whose running total is the rounded running total.

    Refuses (:class:`~abm.errors.InputError`) values that are not finite, negative, or a
    total above :data:`abm.schema.MAX_TOTAL_PERSONS` (2**53, where float64 stops counting
    every person and int64 is near), so no person is dropped or wrapped around.
    """
    from abm.errors import InputError
    from abm.schema import MAX_TOTAL_PERSONS

    a = np.asarray(arrivals, dtype=float)
    if not np.isfinite(a).all() or (a < 0).any():
        raise InputError("arrivals: persons per month must be finite and >= 0")
    cum = np.round(np.cumsum(a))
    if len(cum) and cum[-1] > MAX_TOTAL_PERSONS:
        raise InputError(f"arrivals: {cum[-1]:,.0f} persons over the path, above the "
                         f"{MAX_TOTAL_PERSONS:,} that are counted exactly")
    return np.diff(np.concatenate([[0.0], cum])).astype(np.int64)


def _day_index(months: pd.DatetimeIndex, dates: pd.Series) -> np.ndarray:
    """Day index (0 = first day of ``months``) of each date; NA and dates before the
    horizon are day 0 (open from the start)."""
    if not len(months):  # an empty horizon: nothing opens inside it
        return np.zeros(len(dates), dtype=np.int64)
    start = months[0]
    days = (pd.to_datetime(dates) - start).dt.days.to_numpy(dtype=float, na_value=0.0)
    return np.maximum(0, days).astype(np.int64)


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class FacilityRow:
    """One facility (or planned expansion) of a template: what its Mesa agent is built from.

    facility_type: shelter, school or clinic; facility_id: id (``plan:<row>`` for
    expansions); capacity: in ``abm.schema.CAPACITY_UNITS[facility_type]``;
    available_day: first day index it serves; origin: ``facility`` or ``plan``.
    """

    facility_type: str
    facility_id: str
    capacity: float
    available_day: int
    origin: str


@dataclass(frozen=True, eq=False)
class CapacityTemplate:
    """The set-up every run of a Monte Carlo shares, parsed once from the checked frames.

    months, month_days [days], n_days: the horizon; config and shares: as given;
    facilities: one :class:`FacilityRow` per facilities row, then per plan row (the
    order the Mesa agents are created in); capacity_day: capacity per day of each
    facility type (``AGENT_CLASSES`` order; sum of open facilities, in the type's
    unit); draws: the household draws' constants (:class:`HouseholdDraws`).
    Immutable (read-only arrays), so runs share it; cheap to pickle (Dask).
    """

    months: pd.DatetimeIndex
    month_days: np.ndarray
    n_days: int
    config: ABMConfig
    shares: np.ndarray
    facilities: tuple[FacilityRow, ...]
    capacity_day: tuple[np.ndarray, ...]
    draws: HouseholdDraws

    @classmethod
    def build(cls, months, facilities: pd.DataFrame, plans: pd.DataFrame, config: ABMConfig,
              shares: np.ndarray) -> CapacityTemplate:
        """Parse ``facilities`` and ``plans`` (checked frames) for ``months`` and ``config``.

        A facility's capacity is :func:`abm.agents.capacity_in_units`; it serves from the
        day of ``opens`` (NA or before the horizon: day 0), an expansion from ``ordered +
        lead_time_days``.
        """
        months = pd.DatetimeIndex(months)
        month_days = _read_only(np.asarray(months.days_in_month, dtype=np.int64))
        n_days = int(month_days.sum())
        rows = []
        fac_days = _day_index(months, facilities["opens"])
        for row, day in zip(facilities.itertuples(index=False), fac_days, strict=True):
            cap = capacity_in_units(row.facility_type, row.quantity, row.quantity_unit, config)
            rows.append(FacilityRow(row.facility_type, row.facility_id, float(cap), int(day),
                                    "facility"))
        if len(plans):
            avail = pd.to_datetime(plans["ordered"]) + pd.to_timedelta(
                plans["lead_time_days"].astype(float), unit="D")
            plan_days = _day_index(months, avail)
            for i, (row, day) in enumerate(zip(plans.itertuples(index=False), plan_days,
                                               strict=True)):
                cap = capacity_in_units(row.facility_type, row.quantity, row.quantity_unit,
                                        config)
                rows.append(FacilityRow(row.facility_type, f"plan:{i}", float(cap), int(day),
                                        "plan"))
        # capacity per day and facility type (sum of open facilities, in creation order)
        capacity_day = []
        for ftype in AGENT_CLASSES:
            diff = np.zeros(n_days + 1)
            for r in rows:
                if r.facility_type == ftype and r.available_day < n_days:
                    diff[r.available_day] += r.capacity
            capacity_day.append(_read_only(np.cumsum(diff)[:n_days]))
        shares = np.asarray(shares)
        return cls(months, month_days, n_days, config, shares, tuple(rows), tuple(capacity_day),
                   HouseholdDraws.build(shares, config))

    def check(self, months, config: ABMConfig, shares: np.ndarray) -> None:
        """Refuse (ValueError) a template built for other months, config or shares."""
        same = ((months is self.months or self.months.equals(pd.DatetimeIndex(months)))
                and (config is self.config or config == self.config)
                and (shares is self.shares or np.array_equal(shares, self.shares)))
        if not same:
            raise ValueError("CapacityModel: template was built for other months, config or "
                             "shares (CapacityTemplate.build)")


class CapacityModel(mesa.Model):
    """Shelters, schools and clinics serving households arriving along one path.

    Parameters
    ----------
    arrivals: persons arriving per month (1-D, one value per month of ``months``).
    months: month starts of the horizon (contiguous).
    facilities: checked facilities table (:func:`abm.schema.check_facilities`).
    plans: checked capacity plan (:func:`abm.schema.check_plans`).
    config: the run's :class:`ABMConfig`.
    shares: (age band, sex) shares (:func:`abm.demographics.category_shares`).
    seed / rng: an int seed or a numpy Generator (pass one, not both).
    household_agents: also keep every household as a :class:`abm.agents.Household`
    Mesa agent whose status follows the model's decisions (slower; same results).
    template: a :class:`CapacityTemplate` built once from the same months, facilities,
    plans, config and shares, shared by the runs of a Monte Carlo (then the frames are
    not parsed again); None builds one for this run. The same results either way.
    """

    def __init__(self, arrivals, months: pd.DatetimeIndex, facilities: pd.DataFrame,
                 plans: pd.DataFrame, config: ABMConfig, shares: np.ndarray, *,
                 seed: int | None = None, rng: np.random.Generator | None = None,
                 household_agents: bool = False,
                 template: CapacityTemplate | None = None) -> None:
        if rng is None:
            rng = np.random.default_rng(seed)
        super().__init__(rng=rng)
        if template is None:
            template = CapacityTemplate.build(months, facilities, plans, config, shares)
        else:
            template.check(months, config, shares)
        self.template = template
        self.config = config
        self.months = template.months
        self.month_days = template.month_days
        self.n_days = template.n_days
        s = config.step_days
        self.n_steps = -(-self.n_days // s)
        self.step_start = np.arange(self.n_steps) * s
        self.step_end = np.minimum(self.step_start + s, self.n_days)
        self.step_len = self.step_end - self.step_start
        self.persons_per_month = round_persons(arrivals)

        self._add_facilities()
        self.households: Households = draw_households(
            self.persons_per_month, self.month_days, shares, config, self.rng, template.draws)
        self._daily_population()
        self._prepare_steps()
        self.n_spawned = 0  # households that have arrived so far
        self._blocked = 0  # first household not admitted to shelter (arrival order)
        self._adm = None  # bookkeeping of admitted households (_admitted_present)
        self.exit_routes = EXIT_ROUTES
        self.household_agents = bool(household_agents)
        self._hh_agents: list = []
        self._exit_order = np.argsort(self.households.exit_day, kind="stable")
        self._exit_ptr = 0
        self.running = self.n_steps > 0

    # set-up ------------------------------------------------------------------------
    def _add_facilities(self) -> None:
        """One Mesa agent per facility and planned expansion of the template; capacity per
        day and facility type (read-only arrays shared with the template)."""
        for r in self.template.facilities:
            AGENT_CLASSES[r.facility_type](self, r.facility_id, r.capacity, r.available_day,
                                           origin=r.origin)
        self.capacity_day = dict(zip(AGENT_CLASSES, self.template.capacity_day, strict=True))

    def _daily_population(self) -> None:
        """Persons present per day (and school-age, pregnant, chronic) by difference arrays."""
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
        # households whose arrival day is before each step's end (spawn pointer)
        self._spawn_upto = np.searchsorted(hh.arrival_day, self.step_end, side="left")
        self._size_f = size

    # dynamics ----------------------------------------------------------------------
    def _prepare_steps(self) -> None:
        """Per-step views of the daily arrays (end-of-step snapshots), as Python lists."""
        snap = self.step_end - 1
        self._snap = snap.tolist()
        self._present_snap = self.present_day[snap].tolist()
        self._shelter_cap_snap = self.capacity_day["shelter"][snap].tolist()
        self._spawn_list = self._spawn_upto.tolist()
        self._clinic_mean = self.clinic_mean_step.tolist()
        self._sheltered = np.zeros(self.n_steps)
        self._visits = np.zeros(self.n_steps)

    def step(self) -> None:
        """Advance one step: spawn the step's households, shelter them, draw clinic visits.

        Stocks are read at the end of the step (its last day); the clinic's
        consultations are drawn for the whole step. Schools and exits are
        deterministic given the households and are tabulated in ``records``.
        """
        t = self.steps - 1  # Mesa increments ``steps`` before calling step()
        if t >= self.n_steps:
            self.running = False
            return
        snap = self._snap[t]
        spawned_before, blocked_before = self.n_spawned, self._blocked
        self.n_spawned = self._spawn_list[t]
        # shelter: admitted whole, strict arrival order (a prefix of present households)
        present = self._present_snap[t]
        cap = self._shelter_cap_snap[t]
        if present <= cap:
            self._sheltered[t] = present
            self._blocked = self.n_spawned  # everybody present fits: all admitted
        else:
            self._sheltered[t] = self._sheltered_prefix(snap, cap, present)
        if self.household_agents:
            self._update_household_agents(spawned_before, blocked_before, snap)
        # clinics: Poisson consultations over the step (capacity applied in ``records``)
        self._visits[t] = self.rng.poisson(self._clinic_mean[t])
        if t == self.n_steps - 1:
            self.running = False

    def _update_household_agents(self, spawned_before: int, blocked_before: int,
                                 snap: int) -> None:
        """Spawn this step's Household agents; mark admissions and departures."""
        from abm.agents import Household
        hh = self.households
        for row in range(spawned_before, self.n_spawned):
            self._hh_agents.append(Household(self, row))
        # departures: every household whose stay ends by the end of this step
        order, ptr = self._exit_order, self._exit_ptr
        while ptr < order.size and hh.exit_day[order[ptr]] <= snap:
            self._hh_agents[order[ptr]].leave()
            ptr += 1
        self._exit_ptr = ptr
        # admissions: present households that the blocked position moved past
        for row in range(blocked_before, self._blocked):
            agent = self._hh_agents[row]
            if agent.status == "waiting" and hh.exit_day[row] > snap:
                agent.admit(snap)

    @property
    def records(self) -> dict[str, np.ndarray]:
        """Per-step outputs (``RECORDS``) of the steps run so far (later steps are 0).

        Shelter: ``present``, ``sheltered``, ``unsheltered``, ``shelter_capacity``
        [persons, end of step]; ``arrivals`` [persons in the step];
        ``arrived_cum``, ``exited_cum``, ``exited_<route>_cum`` [persons, end of step].
        Schools: free seats are filled from the waitlist at once, so
        ``school_served = min(school_demand, school_capacity)`` [children, end of step].
        Clinics: ``clinic_demand`` (Poisson draw), ``clinic_capacity``,
        ``clinic_served = min(...)`` [consultations in the step]; the excess is unmet.
        """
        done = min(self.steps, self.n_steps)
        mask = np.arange(self.n_steps) < done
        snap = self.step_end - 1
        cfg = self.config
        rec = {}
        rec["arrivals"] = self.arrivals_step * mask
        rec["arrived_cum"] = self.arrived_cum_day[snap] * mask
        rec["present"] = self.present_day[snap] * mask
        rec["sheltered"] = self._sheltered.copy()
        rec["unsheltered"] = rec["present"] - rec["sheltered"]
        by_route = self.exited_cum_route_day[:, snap] * mask
        rec["exited_cum"] = by_route.sum(axis=0)
        for r, route in enumerate(EXIT_ROUTES):
            rec[f"exited_{route}_cum"] = by_route[r]
        rec["shelter_capacity"] = self.capacity_day["shelter"][snap] * mask
        rec["school_demand"] = np.floor(self.school_day[snap] * cfg.school_demand_share + 0.5) * mask
        rec["school_capacity"] = np.floor(self.capacity_day["school"][snap]) * mask
        rec["school_served"] = np.minimum(rec["school_demand"], rec["school_capacity"])
        rec["clinic_demand"] = self._visits.copy()
        rec["clinic_capacity"] = np.floor(self.clinic_capacity_step) * mask
        rec["clinic_served"] = np.minimum(rec["clinic_demand"], rec["clinic_capacity"])
        return rec

    def _sheltered_prefix(self, day: int, cap: float, present: float) -> float:
        """Persons in the longest arrival-order run of present households that fits ``cap``.

        Households before ``self._blocked`` (the first household that did not
        fit) were admitted earlier and stay until they leave: capacity never
        falls, so the blocked position only moves forward. The persons they still
        count (``inside``) are kept up to date as the position moves and days pass
        (:meth:`_admitted_present`), so only the waiting households that can still
        fit are scanned, in windows from the blocked position on (growing 4x while
        the window fits). Persons are whole numbers, so every sum here is exact and
        the result is the same as a scan over all waiting households. ``present``
        (persons present on ``day``) is implied by these sums and not read.
        """
        hh, b = self.households, self._blocked
        n = int(hh.arrival_day.searchsorted(day, side="right"))  # arrived by ``day``
        inside = self._admitted_present(day)  # admitted earlier and still here
        room = cap - inside
        w = _SCAN_WINDOW
        while True:
            j = min(n, b + w)
            sizes = np.where(hh.exit_day[b:j] > day, self._size_f[b:j], 0.0)
            cs = np.cumsum(sizes)
            if j == n or cs[-1] > room:  # the prefix that fits ends inside this window
                break
            w *= 4
        k = int(cs.searchsorted(room, side="right"))
        self._blocked = b + k
        return inside + (float(cs[k - 1]) if k > 0 else 0.0)

    def _admitted_present(self, day: int) -> float:
        """Persons of households before ``self._blocked`` still present on ``day`` [persons].

        Bookkeeping (created on first use, so runs that never run short pay nothing):
        households ``[0, ptr)`` are counted in ``total`` (their persons) and by exit day,
        in ``exits`` (persons leaving per day) or, if they left on or before day ``last``
        (the days already added up), in ``gone``. In a run ``day`` and the blocked
        position never decrease between calls; if they do (a caller resets them), the
        bookkeeping starts again from household 0.
        """
        hh, b = self.households, self._blocked
        adm = self._adm
        if adm is None or b < adm["ptr"] or day < adm["last"]:  # first use (or a reset)
            adm = self._adm = {"ptr": 0, "total": 0.0, "gone": 0.0, "last": -1,
                               "exits": np.zeros(self.n_days + 1)}
        p, last, exits = adm["ptr"], adm["last"], adm["exits"]
        if b > p:
            size, ex = self._size_f[p:b], hh.exit_day[p:b]
            if b - p <= _SCAN_WINDOW:  # a few households: plain Python is quicker
                total, gone, n_days = adm["total"], adm["gone"], self.n_days
                for sz, e in zip(size.tolist(), ex.tolist(), strict=True):
                    total += sz
                    if e <= last:
                        gone += sz
                    else:
                        exits[min(e, n_days)] += sz
                adm["total"], adm["gone"] = total, gone
            else:
                adm["total"] += float(size.sum())
                old = ex <= last
                adm["gone"] += float(size[old].sum())
                fresh = ~old
                exits += np.bincount(np.minimum(ex[fresh], self.n_days), weights=size[fresh],
                                     minlength=self.n_days + 1)
            adm["ptr"] = b
        if day > last:
            gone = adm["gone"]
            for d in range(last + 1, day + 1):
                gone += float(exits[d])
            adm["gone"], adm["last"] = gone, day
        return adm["total"] - adm["gone"]

    def run(self) -> CapacityModel:
        """Run every remaining step; returns ``self``."""
        while self.running:
            self.step()
        return self
