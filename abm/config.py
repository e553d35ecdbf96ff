"""The one frozen configuration object of the capacity model.

Every default equals a row of ``data/abm_standards.csv``, which cites its source
or marks the value as an assumption (``load_standards()`` returns that table; a
test keeps the two in step). Planners override values with ``with_(...)`` or a
JSON file (``ABMConfig.from_json``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pandas as pd

from abm.errors import ConfigError, shown

STAY_DISTRIBUTIONS = ("exponential", "gamma", "lognormal", "fixed")
EXIT_ROUTES = ("integration", "onward", "return")
_BOUNDED = (
    "m2_per_person", "pupils_per_class", "school_shifts", "consultations_per_clinician_day",
    "clinic_days_per_week", "visits_per_person_year", "anc_contacts_per_pregnancy",
    "pregnancy_days", "chronic_visits_per_year", "household_size_mean", "mean_stay_days", "stay_cv",
)
"""Numeric fields checked against :data:`abm.schema.BOUNDS` (same names)."""


@dataclass(frozen=True)
class ABMConfig:
    """Parameters of one capacity-model run (units in brackets; sources in the standards table).

    step_days: step length [days], 1 (daily) or 7 (weekly).
    m2_per_person: covered living space per person [m2] (Sphere 2018: >= 3.5).
    pupils_per_class: pupils per class per shift (UNHCR Handbook for Emergencies: 40).
    school_shifts: shifts per classroom per day (double shifts: 2).
    consultations_per_clinician_day: ceiling per clinician [consultations/day] (UNHCR: < 50).
    clinic_days_per_week: clinic opening days per week [days] (assumption 5).
    visits_per_person_year: new consultations [per person per year] (UNHCR HIS, Asia: 3.5).
    anc_contacts_per_pregnancy: antenatal contacts [per pregnancy] (WHO 2016: 8).
    pregnancy_days: length of a pregnancy [days] (280).
    pregnant_share_of_population: share of persons pregnant at a time (assumption 0.04).
    chronic_share_18_59, chronic_share_60plus: share with a chronic condition (assumptions).
    chronic_visits_per_year: follow-up consultations [per chronic patient per year] (assumption).
    household_size_mean: mean household size [persons] (PFDS 2024 Pakistan: 8.9).
    school_age_share_5_11: share of the 5-11 band aged 6-11 (assumption 6/7).
    school_demand_share: share of school-age children counted as demand for a seat.
    mean_stay_days: mean stay in the host area [days] (assumption 365).
    stay_distribution: exponential, gamma, lognormal or fixed.
    stay_cv: coefficient of variation of the stay (gamma, lognormal) [-].
    exit_shares: shares of exits by route (integration, onward, return), summing to 1.
    demographics_scope: scope of ``data/afghan_demographics.csv`` to draw ages and sexes from.
    """

    step_days: int = 1
    m2_per_person: float = 3.5
    pupils_per_class: int = 40
    school_shifts: int = 2
    consultations_per_clinician_day: float = 50.0
    clinic_days_per_week: float = 5.0
    visits_per_person_year: float = 3.5
    anc_contacts_per_pregnancy: float = 8.0
    pregnancy_days: float = 280.0
    pregnant_share_of_population: float = 0.04
    chronic_share_18_59: float = 0.05
    chronic_share_60plus: float = 0.3
    chronic_visits_per_year: float = 12.0
    household_size_mean: float = 8.9
    school_age_share_5_11: float = 6 / 7
    school_demand_share: float = 1.0
    mean_stay_days: float = 365.0
    stay_distribution: str = "exponential"
    stay_cv: float = 1.0
    exit_shares: tuple[float, float, float] = (0.5, 0.3, 0.2)
    demographics_scope: str = "central_asia"

    def __post_init__(self) -> None:
        from abm.schema import BOUNDS, bound_error

        for name in ("step_days", "pupils_per_class", "school_shifts"):
            value = getattr(self, name)
            if isinstance(value, float) and math.isfinite(value) and value == int(value):
                object.__setattr__(self, name, int(value))  # 7.0 in a JSON file means 7
            elif isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} must be a whole number, got {shown(value)}")
        if self.step_days not in (1, 7):
            raise ConfigError(f"step_days must be 1 (daily) or 7 (weekly), got {self.step_days!r}")
        for name in _BOUNDED:
            value = getattr(self, name)
            if isinstance(value, bool) or not _finite(value) or not BOUNDS[name].holds([float(value)])[0]:
                raise ConfigError(bound_error(name, "", name, value))
        shares = (
            "pregnant_share_of_population", "chronic_share_18_59", "chronic_share_60plus",
            "school_age_share_5_11", "school_demand_share",
        )
        for name in shares:
            value = getattr(self, name)
            if isinstance(value, bool) or not _finite(value) or not 0 <= float(value) <= 1:
                raise ConfigError(f"{name} must be a share in [0, 1], got {value!r}")
        if not _finite(self.household_size_mean) or self.household_size_mean < 1:
            raise ConfigError(
                f"household_size_mean must be >= 1 person, got {self.household_size_mean!r}"
            )
        if self.stay_distribution not in STAY_DISTRIBUTIONS:
            raise ConfigError(
                f"stay_distribution must be one of {', '.join(STAY_DISTRIBUTIONS)}, "
                f"got {self.stay_distribution!r}"
            )
        if not _finite(self.stay_cv) or self.stay_cv <= 0:
            raise ConfigError(f"stay_cv must be a positive number, got {self.stay_cv!r}")
        shares_ = tuple(self.exit_shares)
        if len(shares_) != len(EXIT_ROUTES) or any(
                isinstance(s, bool) or not _finite(s) or float(s) < 0 for s in shares_):
            raise ConfigError(
                f"exit_shares must be {len(EXIT_ROUTES)} non-negative shares "
                f"({', '.join(EXIT_ROUTES)}), got {self.exit_shares!r}"
            )
        if abs(sum(float(s) for s in shares_) - 1) > 1e-6:
            raise ConfigError(f"exit_shares must sum to 1, got {self.exit_shares!r} (sum {sum(shares_)})")
        object.__setattr__(self, "exit_shares", tuple(float(s) for s in shares_))
        if not isinstance(self.demographics_scope, str) or not self.demographics_scope:
            raise ConfigError(f"demographics_scope must be a non-empty string, got {self.demographics_scope!r}")

    # derived quantities ---------------------------------------------------
    @property
    def seats_per_classroom(self) -> int:
        """Pupils one classroom serves per day [pupils] = pupils_per_class x school_shifts."""
        return int(self.pupils_per_class * self.school_shifts)

    @property
    def consultations_per_clinician_calendar_day(self) -> float:
        """Clinician capacity averaged over the week [consultations per calendar day]."""
        return self.consultations_per_clinician_day * self.clinic_days_per_week / 7.0

    # construction -----------------------------------------------------------
    def with_(self, **changes) -> ABMConfig:
        """Return a copy with ``changes`` applied (validated again)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise ConfigError(f"unknown config field(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict of every field."""
        out = dataclasses.asdict(self)
        out["exit_shares"] = list(self.exit_shares)
        return out

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "config") -> ABMConfig:
        """Build from a dict; unknown keys raise ``ConfigError`` naming ``source``."""
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a JSON object of config fields")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"{source}: unknown config field(s): {', '.join(unknown)}")
        data = dict(data)
        if "exit_shares" in data and isinstance(data["exit_shares"], list):
            data["exit_shares"] = tuple(data["exit_shares"])
        try:
            return cls(**data)
        except ConfigError as err:
            raise ConfigError(f"{source}: {err}") from None
        except (TypeError, ValueError, OverflowError) as err:
            raise ConfigError(f"{source}: {err}") from None

    @classmethod
    def from_json(cls, path: str | Path) -> ABMConfig:
        """Read a JSON object of config fields (missing fields keep their defaults)."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        if path.stat().st_size > 1_000_000:
            raise ConfigError(f"{path}: config file over 1 MB (a config is a few hundred bytes)")
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError as err:
            raise ConfigError(f"{path}: config file is not UTF-8 text (byte {err.start})") from None
        except json.JSONDecodeError as err:
            raise ConfigError(f"{path}: not valid JSON ({err})") from None
        except RecursionError:
            raise ConfigError(f"{path}: not valid JSON (nested too deeply)") from None
        return cls.from_dict(data, source=str(path))


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def load_standards() -> pd.DataFrame:
    """The cited standards table ``data/abm_standards.csv``.

    Columns: ``key`` (config field or exit share), ``value`` (str as written),
    ``unit``, ``status`` (``cited`` or ``assumption``), ``source``, ``note``.
    """
    with files("abm").joinpath("data", "abm_standards.csv").open("r") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)
