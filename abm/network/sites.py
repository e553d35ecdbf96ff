"""Sites, routes, closures and movement rules of a host-area network.

A *network* is a set of sites (origin conflict zones, towns, forwarding hubs,
camps / shelters) joined by undirected routes with a length in km. A
*scenario* adds a simulation period, how many people enter the network each
day (the cumulative registered total) and closures of routes or borders.

Site types follow the public Flee scenario format (Suleimenova, Bell & Groen
2017, Sci. Rep. 7:13377; Groen et al., Flee 3, J. Comput. Sci. 2024):
``conflict_zone``, ``town``, ``camp``, ``forwarding_hub``, ``marker``,
``idpcamp``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abm.errors import ConfigError, InputError

SITE_TYPES: tuple[str, ...] = (
    "conflict_zone",
    "town",
    "camp",
    "forwarding_hub",
    "marker",
    "idpcamp",
)
"""Accepted ``site_type`` values (Flee's ``location_type``)."""

CLOSURE_KINDS: tuple[str, ...] = ("location", "link", "country", "camp", "idpcamp", "remove_forced_redirection")
"""Accepted closure kinds: every ``closure_type`` Flee 3.1 acts on (``flee.Ecosystem.enact_border_closures``).

- ``location``: every route into and out of site ``name1`` (``name2`` ignored);
- ``link``: the route between sites ``name1`` and ``name2``, both ways;
- ``country``: every route between countries ``name1`` and ``name2``, both ways;
- ``camp`` / ``idpcamp``: site ``name1`` stops being a camp (moves like a town) and
  becomes a camp / IDP camp again at the end day;
- ``remove_forced_redirection``: the forced redirection on route ``name1``-``name2``
  stops (and is set again at the end day).
"""

SITE_NAME_KINDS = ("location", "camp", "idpcamp")
"""Closure kinds that name one site (``name2`` is ignored, as in Flee)."""

SITE_COLUMNS: tuple[str, ...] = (
    "name",
    "region",
    "country",
    "lat",
    "lon",
    "site_type",
    "conflict_date",
    "population",
)
ROUTE_COLUMNS: tuple[str, ...] = ("name1", "name2", "distance_km", "forced_redirection")

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), km, used for great-circle distances."""


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km between two points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _first_rows(mask: pd.Series | np.ndarray, frame: pd.DataFrame, n: int = 3) -> str:
    bad = frame[np.asarray(mask)]
    return bad.head(n).to_dict(orient="records").__repr__()


@dataclass(frozen=True)
class MoveRules:
    """Movement rules shared by every scenario (one setting for all of them).

    Defaults are Flee 3.1's settings for its validation runs
    (``conflict_input/burundi/simsetting.yml`` of ``djgroen/flee`` v3.1) and
    Flee 3.1's rules, except two stated departures (``look_ahead`` and
    ``forced_redirection``; docs/network.md measures each).

    Attributes
    ----------
    max_move_speed_km : float
        Distance a person can cover per day [km/day] (Flee ``max_move_speed``, 200).
    conflict_movechance, camp_movechance, default_movechance : float
        Daily probability of leaving a site [1/day] for an active conflict zone
        (1.0), a camp (0.001) and any other site (0.3) (Flee ``move_rules``).
    idpcamp_movechance : float
        Daily probability of leaving an IDP camp (Flee 3.1 ``idpcamp_movechance`` default, 0.1).
    hub_movechance, marker_movechance : float
        Forwarding hubs and markers are way points: everyone moves on (1.0, Flee 3.1
        ``Location``: ``forward`` and ``marker`` types).
    conflict_weight, camp_weight, foreign_weight : float
        Attractiveness multipliers of a destination that is an active conflict
        zone (0.25), a camp (1.0) or in another country than the origin (1.0).
    softening_km : float
        Added to a route's length in the route weight ``score / (softening + d)``
        [km]; 10 km as in Flee 1 (Suleimenova et al. 2017).
    weight_power : float
        Exponent on the route-length term (Flee ``weight_power``, 1.0).
    look_ahead : bool
        False: a route is weighed by its end site only, as Flee 3.1 does at its
        ``awareness_level`` 1 (a marker end is looked through to the sites beyond
        it). True: also by the sites one hop beyond (the larger of the direct
        weight and the best two-hop route through the end site, not through a
        camp, lengths added): this engine's rule, not Flee's.
    conflict_decay : tuple of float
        Multiplier on a conflict zone's spawn weight and on the exponent of its
        conflict weight by months since its conflict began (index ``days // 30``,
        last value thereafter): Flee 3.1 ``spawn_rules.conflict_spawn_decay``
        (``simsetting.yml`` of the Burundi scenario: 1, 1, 1, 0.5, 0.1).
        ``()``: no decay.
    flee_travel : bool
        True: Flee 3.1's ``Person.finish_travel``: whoever completes a route
        with less than the day's distance behind them may take another route
        and covers up to the full day's distance on it (arrival when the
        distance covered on it exceeds its length), so up to nearly twice
        ``max_move_speed_km`` in a day (default). False: the day's distance is
        a budget shared by all routes taken that day, as the setting's name
        says (slower to run: many more distinct km-left groups on routes).
    forced_redirection : bool
        True (default): a ``forced_redirection`` route (``routes.csv`` column 4)
        sends everyone at its start along it, as the file says. False: as Flee
        3.1, which reads the flag but never acts on it (``flee.moving`` does
        not use it; a route marked ``1`` is added twice, so it weighs double).
    count_en_route : bool
        True: a camp's occupancy for its capacity multiplier counts the people
        on routes towards it too. False: only the people at the camp, as Flee
        3.1's ``getCapMultiplier`` (``location.numAgents``; default, measured to make no difference).
    capacity_scaling : float
        Multiplies every camp capacity (Flee ``capacity_scaling``, 1.0).
    nearly_full : float
        Occupancy fraction above which a camp's attractiveness falls linearly,
        to zero when full (0.9, Flee 1's ``getCapMultiplier``).
    """

    max_move_speed_km: float = 200.0
    conflict_movechance: float = 1.0
    camp_movechance: float = 0.001
    default_movechance: float = 0.3
    idpcamp_movechance: float = 0.1
    hub_movechance: float = 1.0
    marker_movechance: float = 1.0
    conflict_weight: float = 0.25
    camp_weight: float = 1.0
    foreign_weight: float = 1.0
    softening_km: float = 10.0
    weight_power: float = 1.0
    look_ahead: bool = True
    capacity_scaling: float = 1.0
    nearly_full: float = 0.9
    conflict_decay: tuple[float, ...] = (1.0, 1.0, 1.0, 0.5, 0.1)
    flee_travel: bool = True
    forced_redirection: bool = True
    count_en_route: bool = False

    def __post_init__(self) -> None:
        for name in ("conflict_movechance", "camp_movechance", "default_movechance", "idpcamp_movechance",
                     "hub_movechance", "marker_movechance"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ConfigError(f"MoveRules.{name} must be a probability in [0, 1], got {v}")
        for name in ("conflict_weight", "camp_weight", "foreign_weight", "softening_km", "capacity_scaling"):
            v = getattr(self, name)
            if not v >= 0.0:
                raise ConfigError(f"MoveRules.{name} must be >= 0, got {v}")
        if not self.max_move_speed_km > 0:
            raise ConfigError(f"MoveRules.max_move_speed_km must be > 0, got {self.max_move_speed_km}")
        decay = tuple(float(v) for v in self.conflict_decay)
        if any(not v >= 0.0 for v in decay):
            raise ConfigError(f"MoveRules.conflict_decay must be factors >= 0, got {self.conflict_decay}")
        object.__setattr__(self, "conflict_decay", decay)
        if not 0.0 <= self.nearly_full < 1.0:
            raise ConfigError(f"MoveRules.nearly_full must be in [0, 1), got {self.nearly_full}")

    def with_(self, **changes) -> MoveRules:
        """Return a copy with some rules changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Closure:
    """A closure acting on days ``start`` to ``end - 1``, as Flee 3.1 enacts it.

    Flee closes on day ``start`` and reopens on day ``end``
    (``Ecosystem.enact_border_closures``, called each day before movement), so
    the closure is in force from ``start`` up to, not including, ``end``.
    ``end=None``, or an end day before the start (Flee files write ``0``),
    means "to the end of the run"; an end day equal to the start day closes
    and reopens on the same day (never in force). ``kind``: one of
    :data:`CLOSURE_KINDS`; ``name2`` is ignored for the kinds in
    :data:`SITE_NAME_KINDS`.
    """

    kind: str
    name1: str
    name2: str
    start: int
    end: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in CLOSURE_KINDS:
            raise InputError(f"closure kind {self.kind!r} unknown; expected one of {CLOSURE_KINDS}")
        if self.start < 0:
            raise InputError(f"closure {self.name1}-{self.name2}: start day {self.start} < 0")

    @property
    def reopens(self) -> int | None:
        """Day the closure ends (Flee's reopening day), ``None`` if it lasts to the end of the run."""
        return self.end if self.end is not None and self.end >= self.start else None

    def active(self, day: int) -> bool:
        """Whether the closure is in force on ``day`` (closed on ``start`` .. ``end - 1``)."""
        return self.start <= day and (self.reopens is None or day < self.reopens)


def _check_sites(sites: pd.DataFrame, source: str) -> pd.DataFrame:
    missing = [c for c in SITE_COLUMNS if c not in sites.columns]
    if missing:
        raise InputError(f"{source}: site columns missing: {missing}; expected {list(SITE_COLUMNS)}")
    s = sites.loc[:, list(SITE_COLUMNS)].copy()
    s["name"] = s["name"].astype(str).str.strip()
    s["country"] = s["country"].astype(str).str.strip()
    s["site_type"] = s["site_type"].astype(str).str.strip()
    dup = s["name"].duplicated(keep=False)
    if dup.any():
        raise InputError(f"{source}: column 'name' has duplicate site names; first rows: {_first_rows(dup, s)}")
    bad = ~s["site_type"].isin(SITE_TYPES)
    if bad.any():
        raise InputError(
            f"{source}: column 'site_type' has unknown values (expected {SITE_TYPES}); "
            f"first rows: {_first_rows(bad, s)}"
        )
    for col in ("lat", "lon", "conflict_date", "population"):
        s[col] = pd.to_numeric(s[col], errors="coerce").astype("float64")
    bad = s["population"] < 0
    if bad.any():
        raise InputError(f"{source}: column 'population' is negative; first rows: {_first_rows(bad, s)}")
    return s.reset_index(drop=True)


def _check_routes(routes: pd.DataFrame, names: pd.Series, source: str) -> pd.DataFrame:
    missing = [c for c in ROUTE_COLUMNS if c not in routes.columns]
    if missing:
        raise InputError(f"{source}: route columns missing: {missing}; expected {list(ROUTE_COLUMNS)}")
    r = routes.loc[:, list(ROUTE_COLUMNS)].copy()
    r["name1"] = r["name1"].astype(str).str.strip()
    r["name2"] = r["name2"].astype(str).str.strip()
    known = set(names)
    for col in ("name1", "name2"):
        bad = ~r[col].isin(known)
        if bad.any():
            raise InputError(f"{source}: column {col!r} names unknown sites; first rows: {_first_rows(bad, r)}")
    r["distance_km"] = pd.to_numeric(r["distance_km"], errors="coerce").astype("float64")
    bad = ~(r["distance_km"] > 0)
    if bad.any():
        raise InputError(
            f"{source}: column 'distance_km' must be a number > 0; first rows: {_first_rows(bad, r)}"
        )
    fr = pd.to_numeric(r["forced_redirection"], errors="coerce")
    fr = fr.fillna(0)
    bad = ~fr.isin([0, 1, 2])
    if bad.any():
        raise InputError(
            f"{source}: column 'forced_redirection' must be empty, 0, 1 or 2; first rows: {_first_rows(bad, r)}"
        )
    r["forced_redirection"] = fr.astype("int64")
    loop = r["name1"] == r["name2"]
    if loop.any():
        raise InputError(f"{source}: route joins a site to itself; first rows: {_first_rows(loop, r)}")
    return r.reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Network:
    """Sites joined by routes.

    ``sites`` columns: ``name`` (str, unique), ``region``, ``country`` (str),
    ``lat``, ``lon`` (degrees), ``site_type`` (one of :data:`SITE_TYPES`),
    ``conflict_date`` (day the site becomes a conflict zone, NA = never),
    ``population`` (persons: residents of an origin, *capacity* of a camp;
    NA = not reported, i.e. no capacity limit). ``routes`` columns: ``name1``,
    ``name2`` (site names), ``distance_km`` (km, > 0), ``forced_redirection``
    (0 none; 2 everyone at ``name1`` is sent to ``name2``; 1 the reverse).
    """

    sites: pd.DataFrame
    routes: pd.DataFrame
    source: str = "network"

    def __post_init__(self) -> None:
        sites = _check_sites(self.sites, self.source)
        routes = _check_routes(self.routes, sites["name"], self.source)
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "routes", routes)

    @property
    def names(self) -> list[str]:
        """Site names, in order."""
        return self.sites["name"].tolist()

    def index(self, name: str) -> int:
        """Position of a site by name."""
        try:
            return self.names.index(name)
        except ValueError:
            raise InputError(f"{self.source}: no site named {name!r}") from None


@dataclass(frozen=True, eq=False)
class NetworkScenario:
    """One simulation's inputs (a network, entries, conflicts and closures).

    Attributes
    ----------
    network : Network
    start : pd.Timestamp
        Date of day 0.
    days : int
        Number of simulated days.
    registered_total : np.ndarray
        Cumulative persons who have entered the network by the end of each day
        (length ``days``, non-decreasing after rounding is applied by the engine).
    conflicts : np.ndarray or None
        Conflict intensity per day and site (``days`` x sites, >= 0). ``None``:
        a ``conflict_zone`` site is in conflict from its ``conflict_date``.
    closures : tuple of Closure
    name : str
    initial : np.ndarray or None
        Persons already at each site on day 0 (sites,), counted in
        ``registered_total`` (Flee's ``insert_day0``: camps start with their
        observed day-0 population). ``None``: nobody.
    """

    network: Network
    start: pd.Timestamp
    days: int
    registered_total: np.ndarray
    conflicts: np.ndarray | None = None
    closures: tuple[Closure, ...] = field(default_factory=tuple)
    name: str = "scenario"
    initial: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.initial is not None:
            ini = np.asarray(self.initial, dtype="float64")
            if ini.shape != (len(self.network.sites),) or np.isnan(ini).any() or (ini < 0).any():
                raise InputError(
                    f"scenario {self.name}: initial must be {len(self.network.sites)} counts >= 0, not NA"
                )
            object.__setattr__(self, "initial", np.rint(ini).astype(np.int64))
        if self.days < 1:
            raise ConfigError(f"scenario {self.name}: days must be >= 1, got {self.days}")
        tot = np.asarray(self.registered_total, dtype="float64")
        if tot.shape != (self.days,):
            raise InputError(
                f"scenario {self.name}: registered_total has shape {tot.shape}, expected ({self.days},)"
            )
        if np.isnan(tot).any():
            raise InputError(
                f"scenario {self.name}: registered_total has NA on days {np.flatnonzero(np.isnan(tot))[:5].tolist()}"
            )
        object.__setattr__(self, "registered_total", tot)
        if self.conflicts is not None:
            c = np.asarray(self.conflicts, dtype="float64")
            n = len(self.network.sites)
            if c.shape != (self.days, n):
                raise InputError(f"scenario {self.name}: conflicts has shape {c.shape}, expected ({self.days}, {n})")
            if (c < 0).any() or np.isnan(c).any():
                raise InputError(f"scenario {self.name}: conflict intensities must be >= 0 and not NA")
            object.__setattr__(self, "conflicts", c)
        names = set(self.network.names)
        countries = set(self.network.sites["country"])
        for cl in self.closures:
            pool = countries if cl.kind == "country" else names
            for nm in (cl.name1,) if cl.kind in SITE_NAME_KINDS else (cl.name1, cl.name2):
                if nm not in pool:
                    raise InputError(
                        f"scenario {self.name}: closure {cl.kind} {cl.name1}-{cl.name2} names unknown "
                        f"{'country' if cl.kind == 'country' else 'site'} {nm!r}"
                    )
        object.__setattr__(self, "start", pd.Timestamp(self.start))

    def with_closures(self, *closures: Closure) -> NetworkScenario:
        """Return a copy with extra closures."""
        return dataclasses.replace(self, closures=tuple(self.closures) + tuple(closures))

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Calendar date of each simulated day."""
        return pd.date_range(self.start, periods=self.days, freq="D")
