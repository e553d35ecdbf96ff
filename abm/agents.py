"""Mesa agents of the capacity model: facilities and (opt-in) households.

Facilities (shelter sites, schools, clinics, planned expansions) are always
Mesa agents: each knows its capacity (in its type's unit) and the day it
becomes available. Households are rows of a
:class:`abm.demographics.Households` table that the model spawns step by step
and serves with array operations, because per-agent Python cannot reach the
required throughput (about 10 million person-days per second; creating one
Mesa agent alone costs about 5 microseconds). With
``CapacityModel(..., household_agents=True)`` every household is also a
:class:`Household` Mesa agent whose ``status`` the model updates when that
household is admitted to shelter or leaves: the individual view, for single
runs and inspection; Monte Carlo runs leave it off.
"""

from __future__ import annotations

import mesa
import numpy as np

from abm.config import ABMConfig

#: unit of ``capacity`` per facility type


def capacity_in_units(facility_type: str, quantity: float, unit: str, config: ABMConfig) -> float:
    """Convert a facility quantity to capacity in the type's unit.

    shelter: persons, or m2 of covered living space / ``m2_per_person``
    (Sphere 2018: 3.5 m2 per person), rounded down to whole persons.
    school: seats, or classrooms x ``pupils_per_class`` x ``school_shifts``
    (UNHCR Handbook for Emergencies: 40 pupils, double shifts).
    clinic: consultations per calendar day, or clinicians x
    ``consultations_per_clinician_day`` (UNHCR: < 50) x ``clinic_days_per_week`` / 7.
    """
    if facility_type == "shelter":
        return float(np.floor(quantity / config.m2_per_person)) if unit == "m2" else float(quantity)
    if facility_type == "school":
        return float(quantity * config.seats_per_classroom) if unit == "classrooms" else float(
            quantity)
    if unit == "clinicians":
        return float(quantity * config.consultations_per_clinician_calendar_day)
    return float(quantity)


class Facility(mesa.Agent):
    """A facility (or a planned expansion) with a capacity from a given day.

    facility_id: id from the facilities table (``plan:<row>`` for expansions).
    capacity: capacity in ``abm.schema.CAPACITY_UNITS[facility_type]``.
    available_day: first day index (0 = first day of the horizon) it serves.
    """

    facility_type = "facility"

    def __init__(self, model: mesa.Model, facility_id: str, capacity: float, available_day: int,
                 origin: str = "facility") -> None:
        super().__init__(model)
        self.facility_id = facility_id
        self.capacity = float(capacity)
        self.available_day = int(available_day)
        self.origin = origin

    def is_open(self, day: int) -> bool:
        """Whether the facility serves on ``day``."""
        return day >= self.available_day


class ShelterSite(Facility):
    """A shelter site; capacity in persons (Sphere 2018: >= 3.5 m2 covered space each)."""

    facility_type = "shelter"


class School(Facility):
    """A school; capacity in seats = classrooms x pupils per class x shifts."""

    facility_type = "school"


class Clinic(Facility):
    """A primary health clinic; capacity in consultations per calendar day."""

    facility_type = "clinic"


class Household(mesa.Agent):
    """One arriving household (opt-in agent view of a household-table row).

    row: index into ``model.households``; size, school_age, pregnant, chronic
    [persons]; arrival_day, exit_day [day index]; route (exit route name);
    status: ``waiting`` (present, unsheltered), ``sheltered`` or ``left``;
    sheltered_day: day index of admission (None if never admitted).
    """

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        hh = model.households
        self.row = int(row)
        self.size = int(hh.size[row])
        self.school_age = int(hh.school_age[row])
        self.pregnant = int(hh.pregnant[row])
        self.chronic = int(hh.chronic[row])
        self.arrival_day = int(hh.arrival_day[row])
        self.exit_day = int(hh.exit_day[row])
        self.route = model.exit_routes[int(hh.route[row])]
        self.status = "waiting"
        self.sheltered_day: int | None = None

    def admit(self, day: int) -> None:
        """The household takes shelter places for all its members."""
        self.status = "sheltered"
        self.sheltered_day = int(day)

    def leave(self) -> None:
        """The household leaves the host area by its route."""
        self.status = "left"


AGENT_CLASSES = {"shelter": ShelterSite, "school": School, "clinic": Clinic}
