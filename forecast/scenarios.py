"""Scenarios: frozen, JSON-serialisable descriptions of the future drivers and
of the border/destination policy levers.

A :class:`Scenario` turns the drivers observed up to the forecast origin into
future driver paths (:meth:`Scenario.future_drivers`):

* ``baseline="persist"``: every driver holds its last observed value, except
  ``fatalities`` (mean of the last 3 observed months, which damps one-off spikes)
  and ``temp_c`` (its calendar-month mean over the last 10 observed years).
* ``baseline="climatology"``: as persist, but the climate anomalies (``spi3``,
  ``spi12``, ``precip_anom_mm``, ``nino34_anom_c``) return to 0, their
  long-run mean by construction.

Shocks are then applied, in order, over months ``start .. start+duration-1``
after the origin (month 1 is the first forecast month):

* ``conflict``: ``fatalities x value`` (``value`` >= 0, e.g. 3 = tripling);
* ``drought``: ``spi3`` and ``spi12`` set to ``value`` (e.g. -1.5, "severely
  dry" in the SPI classification of McKee, Doesken & Kleist 1993, *Proc. 8th
  Conf. Applied Climatology*, table 1);
* ``food_price``: ``wheat_price_index x value``.

A surge ``analogue`` (a name of the surge catalogue, ``forecast/data/surge_catalogue.csv``,
or ``"p90 of neighbour surges"``) multiplies the host model's baseline paths by that real
surge's multipliers (:func:`forecast.host_model.apply_surge`); conflict shocks reach the
annual host model as per-year fatality factors (:meth:`Scenario.conflict_by_year`).

Policy levers act on host arrivals (:mod:`forecast.host_model`, :mod:`forecast.hosts`), not on the
movement forecast: ``border_openness`` multiplies arrivals into every host,
``host_openness`` per host (iso3 -> factor), ``host_shares`` overrides the
estimated share of the outflow reaching a host (iso3 -> share).

Preset magnitudes are illustrative planning cases, not predictions.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.bounds import BOUNDS, bound_message
from forecast.errors import ScenarioError
from forecast.host_model import SURGE_P90
from forecast.vocabulary import ANOMALY_DRIVERS, HOSTS, ROLES

SHOCK_KINDS: dict[str, str] = {
    "conflict": "fatalities multiplied by value (>= 0)",
    "drought": "spi3 and spi12 set to value (SPI units, -4 .. 4)",
    "food_price": "wheat_price_index multiplied by value (> 0)",
}
BASELINES: tuple[str, ...] = ("persist", "climatology")


@dataclass(frozen=True)
class Shock:
    """A change to one driver over a window of forecast months (see module docstring)."""

    kind: str
    start: int = 1
    duration: int = 6
    value: float = 1.0

    def __post_init__(self):
        _check_shock(self, "shock")


def _check_shock(s: Shock, where: str) -> None:
    if s.kind not in SHOCK_KINDS:
        raise ScenarioError(f"{where}.kind: unknown shock kind {s.kind!r}; "
                            f"choose from {', '.join(SHOCK_KINDS)}")
    for field in ("start", "duration"):
        v = getattr(s, field)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ScenarioError(f"{where}.{field}: must be an integer >= 1, got {v!r} "
                                f"({bound_message(f'shock.{field}', 'it')})")
        if not BOUNDS[f"shock.{field}"].holds([v])[0]:
            raise ScenarioError(f"{where}.{field}: " + bound_message(f"shock.{field}", "it", v))
    v = s.value
    why = f" ({bound_message(f'shock.{s.kind}', 'it')})"
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ScenarioError(f"{where}.value: must be a finite number, got {v!r}{why}")
    b = BOUNDS[f"shock.{s.kind}"]
    if s.kind == "conflict" and v < 0:
        raise ScenarioError(f"{where}.value: a conflict multiplier must be >= 0, got {v}{why}")
    if s.kind == "food_price" and v <= 0:
        raise ScenarioError(f"{where}.value: a price multiplier must be > 0, got {v}{why}")
    if s.kind == "drought" and not b.holds([v])[0]:
        raise ScenarioError(f"{where}.value: SPI must lie in [-4, 4], got {v}{why}")
    if not b.holds([v])[0]:
        raise ScenarioError(f"{where}.value: " + bound_message(f"shock.{s.kind}", "it", v))


@dataclass(frozen=True)
class Scenario:
    """A future for the drivers and the policy levers; frozen, hashable, JSON round-trip.

    Mapping fields are stored as sorted tuples of ``(iso3, number)`` pairs so the
    object stays hashable (a clean Streamlit cache key); pass dicts to
    :meth:`from_dict`.
    """

    name: str = "baseline"
    description: str = ""
    baseline: str = "persist"
    shocks: tuple[Shock, ...] = ()
    border_openness: float = 1.0
    host_openness: tuple[tuple[str, float], ...] = ()
    host_shares: tuple[tuple[str, float], ...] = ()
    analogue: str = ""

    def __post_init__(self):
        for key in ("host_openness", "host_shares"):  # accept dicts, store sorted pairs
            value = getattr(self, key)
            if isinstance(value, dict):
                object.__setattr__(self, key, _pairs(value))
        if isinstance(self.shocks, list):
            object.__setattr__(self, "shocks", tuple(self.shocks))
        _validate(self, "scenario")

    # ---- presets -----------------------------------------------------------------
    @classmethod
    def baseline_persist(cls) -> Scenario:
        """Drivers persist at their latest observed levels."""
        return cls("baseline", "Drivers persist at their latest observed levels.")

    @classmethod
    def conflict_escalation(cls, k: float = 3.0, start: int = 1, months: int = 6) -> Scenario:
        """Monthly conflict fatalities x k from month ``start`` for ``months`` months."""
        return cls("conflict_escalation",
                   f"Conflict fatalities x{k:g} from month {start} for {months} months.",
                   shocks=(Shock("conflict", start, months, float(k)),))

    @classmethod
    def drought(cls, spi: float = -1.5, start: int = 1, months: int = 6) -> Scenario:
        """SPI held at ``spi`` (severely dry at -1.5) for a season and beyond."""
        return cls("drought", f"SPI {spi:g} from month {start} for {months} months.",
                   shocks=(Shock("drought", start, months, float(spi)),))

    @classmethod
    def food_price_shock(cls, k: float = 1.5, start: int = 1, months: int = 6) -> Scenario:
        """Wheat price index x k from month ``start`` for ``months`` months."""
        return cls("food_price_shock", f"Wheat prices x{k:g} from month {start} for "
                   f"{months} months.", shocks=(Shock("food_price", start, months, float(k)),))

    @classmethod
    def border_restriction(cls, openness: float = 0.5) -> Scenario:
        """Drivers persist; arrivals into every host x ``openness``."""
        return cls("border_restriction", f"Borders {openness:.0%} open: arrivals into "
                   f"every host x{openness:g}.", border_openness=float(openness))

    # ---- with_* ------------------------------------------------------------------
    def with_shock(self, shock: Shock) -> Scenario:
        return dataclasses.replace(self, shocks=(*self.shocks, shock))

    def with_name(self, name: str, description: str | None = None) -> Scenario:
        return dataclasses.replace(self, name=name, description=(
            self.description if description is None else description))

    def with_host_shares(self, shares: dict[str, float]) -> Scenario:
        return dataclasses.replace(self, host_shares=_pairs(shares))

    def with_openness(self, border: float | None = None,
                      hosts: dict[str, float] | None = None) -> Scenario:
        return dataclasses.replace(
            self, border_openness=self.border_openness if border is None else float(border),
            host_openness=self.host_openness if hosts is None else _pairs(hosts))

    # ---- serialisation -----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "baseline": self.baseline,
                "shocks": [dataclasses.asdict(s) for s in self.shocks],
                "border_openness": self.border_openness,
                "host_openness": dict(self.host_openness),
                "host_shares": dict(self.host_shares),
                "analogue": self.analogue}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    @classmethod
    def from_dict(cls, data: Any, source: str = "scenario") -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError(f"{source}: a scenario must be a JSON object, got "
                                f"{type(data).__name__}")
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ScenarioError(f"{source}: unknown field(s) {unknown}; allowed: "
                                f"{sorted(fields)}")
        kw = dict(data)
        if "name" in kw and not isinstance(kw["name"], str):
            raise ScenarioError(f"{source}: field 'name' must be a string, got {kw['name']!r}")
        shocks = kw.get("shocks", [])
        if not isinstance(shocks, list):
            raise ScenarioError(f"{source}: field 'shocks' must be a list of objects")
        if not BOUNDS["shocks"].holds([len(shocks)])[0]:  # before parsing 100,000 of them
            raise ScenarioError(f"{source}: field 'shocks': " + bound_message(
                "shocks", "the number of shocks", len(shocks)))
        parsed = []
        shock_fields = {f.name for f in dataclasses.fields(Shock)}
        for i, s in enumerate(shocks):
            where = f"{source}: field 'shocks[{i}]'"
            if not isinstance(s, dict):
                raise ScenarioError(f"{where} must be an object, got {s!r}")
            bad = sorted(set(s) - shock_fields)
            if bad or "kind" not in s:
                raise ScenarioError(f"{where}: needs 'kind' and only {sorted(shock_fields)}; "
                                    f"got {sorted(s)}")
            try:
                parsed.append(Shock(**s))
            except ScenarioError as exc:
                raise ScenarioError(f"{source}: field 'shocks[{i}]'{str(exc)[5:]}") from None
        kw["shocks"] = tuple(parsed)
        for key in ("host_openness", "host_shares"):
            if key in kw:
                if not isinstance(kw[key], dict):
                    raise ScenarioError(f"{source}: field {key!r} must be an object "
                                        "{iso3: number}")
                try:
                    kw[key] = _pairs(kw[key])
                except ScenarioError as exc:
                    raise ScenarioError(f"{source}: field {key!r}: {exc}") from None
        try:
            return cls(**kw)
        except ScenarioError as exc:
            raise ScenarioError(f"{source}: {exc}") from None
        except TypeError as exc:
            raise ScenarioError(f"{source}: {exc}") from None

    @classmethod
    def from_json(cls, text: str, source: str = "scenario") -> Scenario:
        return cls.from_dict(parse_json(text, source), source)

    @classmethod
    def read(cls, path: str | Path) -> Scenario:
        """Read and validate a scenario JSON file; errors name the file and the field."""
        source = f"scenario file {Path(path)}"
        return cls.from_dict(read_json(path, source), source)

    def write(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write as JSON; refuses to replace an existing file unless ``overwrite``."""
        return write_text(path, self.to_json() + "\n", overwrite)

    # ---- drivers -----------------------------------------------------------------
    def future_drivers(self, obs: pd.DataFrame, horizon: int,
                       roles: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
        """Driver paths for the ``horizon`` months after the origin.

        ``obs``: drivers known at the origin, indexed by ``ds`` up to the origin
        (:func:`forecast.drivers.observed`). ``roles``: shock kind -> driver columns it
        moves (default :data:`forecast.vocabulary.ROLES`; a user with other column
        names passes their own). Returns a frame indexed by ``ds`` (month starts
        origin+1 .. origin+horizon) with the same columns and units. A shock whose
        role has no column in ``obs`` is an error, never silently ignored.
        """
        if horizon < 1:
            raise ScenarioError(f"horizon must be >= 1 month, got {horizon}")
        roles = ROLES if roles is None else roles
        origin = obs.index[-1]
        idx = pd.date_range(origin + pd.offsets.MonthBegin(1), periods=horizon, freq="MS",
                            name="ds")
        fut = pd.DataFrame(index=idx, columns=obs.columns, dtype=float)
        conflict_cols = set(roles.get("conflict", ()))
        for c in obs.columns:
            last = float(obs[c].iloc[-1])
            if c in conflict_cols:
                fut[c] = float(obs[c].iloc[-3:].mean())
            elif c == "temp_c":
                recent = obs[c].iloc[-120:]
                clim = recent.groupby(recent.index.month).mean()
                fut[c] = clim.reindex(idx.month).to_numpy()
            elif self.baseline == "climatology" and c in ANOMALY_DRIVERS:
                fut[c] = 0.0
            else:
                fut[c] = last
        for i, s in enumerate(self.shocks):
            if s.start > horizon:
                continue  # starts after the horizon: moves nothing inside it
            cols = [c for c in roles.get(s.kind, ()) if c in fut.columns]
            if not cols:
                raise ScenarioError(
                    f"scenario {self.name!r}: shocks[{i}] ({s.kind}) moves no driver: the "
                    f"drivers have none of {list(roles.get(s.kind, ()))}; map your driver "
                    f"column to the role {s.kind!r}")
            win = slice(s.start - 1, s.start - 1 + s.duration)
            for c in cols:
                j = fut.columns.get_loc(c)
                if s.kind == "drought":
                    fut.iloc[win, j] = s.value
                else:  # conflict, food_price: multipliers
                    fut.iloc[win, j] *= s.value
        return fut

    def with_analogue(self, analogue: str) -> Scenario:
        return dataclasses.replace(self, analogue=str(analogue))

    def conflict_by_year(self, years: int) -> tuple[float, ...]:
        """Factor on the origin's annual conflict fatalities in each of the first
        ``years`` forecast years (the annual host model's conflict lever): the mean over
        the year's 12 months of the monthly multipliers of the conflict shocks (month 1
        = the first forecast month; 1 outside every shock; shocks multiply)."""
        m = np.ones(12 * years)
        for sh in self.shocks:
            if sh.kind == "conflict":
                m[sh.start - 1: sh.start - 1 + sh.duration] *= sh.value
        return tuple(float(v) for v in m.reshape(years, 12).mean(axis=1))

    def host_factor(self, host: str) -> float:
        """Multiplier on arrivals into ``host``: border openness x host openness."""
        return self.border_openness * dict(self.host_openness).get(host, 1.0)


def parse_json(text: str, source: str, error: type[ScenarioError] = ScenarioError) -> Any:
    """JSON text -> object; ``error`` naming ``source`` and the line for bad JSON (a
    leading byte-order mark is valid; deep nesting is refused, not a crash)."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise error(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}): "
                    f"{exc.msg}") from None
    except RecursionError:
        raise error(f"{source}: JSON nested too deeply") from None


def read_json(path: str | Path, source: str,
              error: type[ScenarioError] = ScenarioError) -> Any:
    """A JSON file (UTF-8, byte-order mark allowed) -> object; one-line ``error``s."""
    p = Path(path)
    if not p.is_file():
        raise error(f"{source}: not found")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{source}: not UTF-8 text") from None
    return parse_json(text, source, error)


def write_text(path: str | Path, text: str, overwrite: bool = False) -> Path:
    """Write ``text`` (UTF-8) at ``path``; ``FileExistsError`` if it exists and not
    ``overwrite``. Scenario and plan files are written through it."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; pass overwrite=True (--force) to replace it")
    p.write_text(text, encoding="utf-8")
    return p


def _pairs(mapping: dict[str, float]) -> tuple[tuple[str, float], ...]:
    out = []
    for k, v in mapping.items():
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ScenarioError(f"host {k!r}: value must be a number, got {v!r}")
        out.append((str(k), float(v)))
    return tuple(sorted(out))


def _validate(s: Scenario, where: str) -> None:
    if not isinstance(s.name, str) or not s.name.strip():
        raise ScenarioError(f"field 'name': must be a non-empty string, got {s.name!r}")
    if not isinstance(s.description, str):
        raise ScenarioError(f"field 'description': must be a string, got {s.description!r}")
    if s.baseline not in BASELINES:
        raise ScenarioError(f"field 'baseline': {s.baseline!r} is not one of {BASELINES}")
    if not BOUNDS["shocks"].holds([len(s.shocks)])[0]:
        raise ScenarioError("field 'shocks': " + bound_message("shocks", "the number of shocks",
                                                               len(s.shocks)))
    for i, sh in enumerate(s.shocks):
        if not isinstance(sh, Shock):
            raise ScenarioError(f"field 'shocks[{i}]': expected a Shock, got {sh!r}")
    if not isinstance(s.analogue, str) or len(s.analogue) > 200:
        raise ScenarioError(f"field 'analogue': must be a surge analogue name (text), got "
                            f"{s.analogue!r}")
    b = s.border_openness
    ob = BOUNDS["openness"]
    if isinstance(b, bool) or not isinstance(b, int | float) or not ob.holds([b])[0]:
        raise ScenarioError(f"field 'border_openness': must be a number in [0, 10], got {b!r} "
                            f"({bound_message('openness', 'it')})")
    for key, bound in (("host_openness", "openness"), ("host_shares", "host_share")):
        for iso, v in getattr(s, key):
            if iso not in HOSTS:
                raise ScenarioError(f"field '{key}': unknown host {iso!r}; hosts are "
                                    f"{', '.join(HOSTS)}")
            if not (np.isfinite(v) and v >= 0):
                raise ScenarioError(f"field '{key}.{iso}': must be a number >= 0, got {v!r} "
                                    f"({bound_message(bound, 'it')})")
            if not BOUNDS[bound].holds([v])[0]:
                raise ScenarioError(f"field '{key}.{iso}': " + bound_message(bound, "it", v))
    total = sum(v for _, v in s.host_shares)
    if total > BOUNDS["host_share"].high + 1e-9:
        raise ScenarioError(f"field 'host_shares': the shares sum to {total:g}, more than the "
                            "whole outflow (plausibility bound 'host_share': they sum to at "
                            "most 1)")


PRESETS: dict[str, Scenario] = {
    s.name: s for s in (
        Scenario.baseline_persist(), Scenario.conflict_escalation(), Scenario.drought(),
        Scenario.food_price_shock(), Scenario.border_restriction(),
        Scenario("compound", "Conflict fatalities x3 and SPI -1.5 from month 1 for 6 months.",
                 shocks=(Shock("conflict", 1, 6, 3.0), Shock("drought", 1, 6, -1.5))),
        Scenario("surge_afg_tjk_2021", "Host arrivals follow the real surge of Afghans into "
                 "Tajikistan in 2021 (UNHCR flows: x3.9 the previous 3-year mean, then x0.2).",
                 analogue="Afghanistan->Tajikistan 2021"),
        Scenario("surge_p90", "Host arrivals follow the 90th percentile of all real surges into "
                 "a neighbouring country since 1990 (UNHCR flows, 117 surges).",
                 analogue=SURGE_P90),
    )
}
"""Preset scenarios by name: the one table of presets (the app's preset menu and the
command line's ``scenarios list`` both read it). Magnitudes are illustrative planning
cases, not predictions."""

PRESET_TITLES: dict[str, str] = {
    "baseline": "Baseline (drivers persist)",
    "conflict_escalation": "Conflict escalation (fatalities x3 for 6 months)",
    "drought": "Drought (SPI -1.5 for 6 months)",
    "food_price_shock": "Food-price shock (wheat x1.5 for 6 months)",
    "border_restriction": "Border restriction (50% open)",
    "compound": "Compound: conflict x3 + drought",
    "surge_afg_tjk_2021": "Surge like Afghanistan->Tajikistan 2021",
    "surge_p90": "Surge: 90th percentile of neighbour surges",
}
"""Short titles of the presets for menus (same keys as :data:`PRESETS`)."""


def get_scenario(name_or_path: str | Path) -> Scenario:
    """A preset by name, or a scenario JSON file by path (validated)."""
    key = str(name_or_path)
    if key in PRESETS:
        return PRESETS[key]
    if key.endswith(".json") or Path(key).exists():
        return Scenario.read(key)
    raise ScenarioError(f"unknown scenario {key!r}: not a preset ({', '.join(PRESETS)}) "
                        "nor a .json file")
